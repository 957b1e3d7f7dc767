//! Typed report rows, their codes and their consistency checks.

pub mod acknowledgement;
pub mod codes;
pub mod column;
pub mod figures;
pub mod hashing;
pub mod latest;
pub mod memory;
pub mod radix;
pub mod time;

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

pub use acknowledgement::Acknowledgement;
pub use codes::{AreaCode, CodeError, HospitalCode, MunicipalityCode, PrefectureNumber};
pub use column::{Column, ColumnKind};
pub use time::JstDateTime;

/// One hospital's report: a row of the G-MIS 「病床数(消防)」 report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// 都道府県
    pub prefecture: Arc<str>,
    /// 都道府県番号
    pub prefecture_no: PrefectureNumber,
    /// 全国地方公共団体コード
    pub municipality_code: MunicipalityCode,
    /// 市区町村
    pub municipality: Arc<str>,
    /// 二次医療圏番号
    pub area_code: AreaCode,
    /// 二次医療圏名
    pub area_name: Arc<str>,
    /// 医療機関コード
    pub hospital_code: HospitalCode,
    /// 医療機関名 (boxed: a row holds no room to grow it)
    pub hospital_name: Box<str>,
    /// 実績日
    pub record_date: NaiveDate,
    /// 報告日時 (JST)
    pub reported_at: JstDateTime,
    /// 確保病床 (blank is not 0)
    pub secured: Option<u32>,
    /// 即応病床
    pub ready: Option<u32>,
    /// 入院中
    pub inpatients: Option<u32>,
    /// Values of the columns G-MIS added that bedboard does not know, in
    /// the order of [`Report::extra_columns`] (boxed: most reports have none,
    /// and a million rows each keep this field).
    pub extra: Box<[String]>,
}

impl ReportRow {
    /// The value of a count G-MIS reports (確保病床, 即応病床, 入院中); none for a
    /// blank and for any other column.
    pub fn count(&self, column: Column) -> Option<u32> {
        column
            .pick_count([self.secured, self.ready, self.inpatients])
            .flatten()
    }

    /// A count or 空床 as a signed number, the way totals add them up; none for
    /// a blank and for any other column.
    pub fn get(&self, column: Column) -> Option<i64> {
        match column {
            Column::Free => self.free_beds(),
            _ => self.count(column).map(i64::from),
        }
    }

    /// 空床 = 即応病床 − 入院中; negative means an inconsistent report (flagged, never hidden).
    pub fn free_beds(&self) -> Option<i64> {
        Some(i64::from(self.ready?) - i64::from(self.inpatients?))
    }

    /// 使用率 = 入院中 / 即応病床, as a fraction; none when 即応病床 is 0 or blank.
    pub fn occupancy(&self) -> Option<f64> {
        let ready = self.ready.filter(|&r| r > 0)?;
        Some(f64::from(self.inpatients?) / f64::from(ready))
    }

    /// How long ago the hospital reported.
    pub fn age(&self, now: &JstDateTime) -> Duration {
        now.signed_duration_since(self.reported_at)
    }

    pub fn is_stale(&self, now: &JstDateTime, stale_after: Duration) -> bool {
        self.age(now) > stale_after
    }

    /// Every consistency check, evaluated at `now` (for 報告日時 in the future).
    pub fn flags(&self, now: &JstDateTime) -> Flags {
        let mut flags = self.static_flags();
        flags.set(Flag::ReportedInFuture, self.is_reported_in_future(now));
        flags
    }

    /// 報告日時 later than `now`; a few minutes of clock skew between a
    /// hospital and us is not an error.
    pub fn is_reported_in_future(&self, now: &JstDateTime) -> bool {
        self.reported_at > *now + Duration::minutes(5)
    }

    /// The checks that do not depend on the clock.
    pub fn static_flags(&self) -> Flags {
        let mut flags = Flags::default();
        if let (Some(inpatients), Some(ready)) = (self.inpatients, self.ready) {
            flags.set(Flag::InpatientsOverReady, inpatients > ready);
        }
        if let (Some(ready), Some(secured)) = (self.ready, self.secured) {
            flags.set(Flag::ReadyOverSecured, ready > secured);
        }
        flags.set(
            Flag::RecordDateAfterReport,
            self.record_date > self.reported_at.date_naive(),
        );
        flags.set(
            Flag::MunicipalityCheckDigit,
            !self.municipality_code.check_digit_ok(),
        );
        let pref = self.prefecture_no.get();
        let names_match =
            self.prefecture.is_empty() || *self.prefecture == *self.prefecture_no.name();
        flags.set(
            Flag::PrefectureMismatch,
            self.municipality_code.prefecture_digits() != pref
                || self.area_code.prefecture_digits() != pref
                || self.hospital_code.prefecture_digits() != pref
                || !names_match,
        );
        flags.set(
            Flag::HospitalCheckDigit,
            !self.hospital_code.check_digit_ok(),
        );
        flags
    }
}

/// One consistency check. Each has a short Japanese label shown beside the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Flag {
    InpatientsOverReady = 0,
    ReadyOverSecured,
    ReportedInFuture,
    RecordDateAfterReport,
    MunicipalityCheckDigit,
    PrefectureMismatch,
    HospitalCheckDigit,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::InpatientsOverReady,
        Flag::ReadyOverSecured,
        Flag::ReportedInFuture,
        Flag::RecordDateAfterReport,
        Flag::MunicipalityCheckDigit,
        Flag::PrefectureMismatch,
        Flag::HospitalCheckDigit,
    ];

    /// Short label for a table cell.
    pub fn label(self) -> &'static str {
        match self {
            Flag::InpatientsOverReady => "入院>即応",
            Flag::ReadyOverSecured => "即応>確保",
            Flag::ReportedInFuture => "報告日時が未来",
            Flag::RecordDateAfterReport => "実績日>報告日",
            Flag::MunicipalityCheckDigit => "自治体コード誤り",
            Flag::PrefectureMismatch => "都道府県不一致",
            Flag::HospitalCheckDigit => "機関コード要確認",
        }
    }

    /// A sentence for the detail popup and `print`'s notes.
    pub fn description(self) -> &'static str {
        match self {
            Flag::InpatientsOverReady => "入院中が即応病床を超えています",
            Flag::ReadyOverSecured => "即応病床が確保病床を超えています",
            Flag::ReportedInFuture => "報告日時が現在より先です",
            Flag::RecordDateAfterReport => "実績日が報告日時より後です",
            Flag::MunicipalityCheckDigit => "全国地方公共団体コードの検査数字が合いません",
            Flag::PrefectureMismatch => "都道府県番号とコード・都道府県名が一致しません",
            Flag::HospitalCheckDigit => {
                "医療機関コードの検査数字が合いません（実在のコードにもあるため警告のみ）"
            }
        }
    }

    /// A warning does not make a report untrustworthy; it is shown, not counted as flagged.
    pub fn is_warning(self) -> bool {
        matches!(self, Flag::HospitalCheckDigit)
    }
}

/// A set of [`Flag`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl Flags {
    pub fn insert(&mut self, flag: Flag) {
        self.0 |= 1 << flag as u8;
    }

    pub fn set(&mut self, flag: Flag, on: bool) {
        if on {
            self.insert(flag);
        }
    }

    pub fn contains(self, flag: Flag) -> bool {
        self.0 & (1 << flag as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// True if any flag other than a warning is set.
    pub fn has_errors(self) -> bool {
        self.iter().any(|f| !f.is_warning())
    }

    /// Labels joined for a table cell: 「入院>即応・機関コード要確認」.
    pub fn labels(self) -> String {
        self.iter().map(Flag::label).collect::<Vec<_>>().join("・")
    }
}

/// A whole report: its rows, and the columns beyond those bedboard knows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Names of unknown columns kept for display, in file order.
    pub extra_columns: Vec<String>,
    pub rows: Vec<ReportRow>,
}

/// Reports with more rows than this are freed on a thread of their own.
const DROP_OFF_THREAD_ROWS: usize = 50_000;

impl Report {
    /// Lets go of a share of a report. The last share of a large one is freed on
    /// a thread of its own: freeing a million rows takes a noticeable moment,
    /// and a screen waiting for it would stall.
    pub fn release(report: Arc<Report>) {
        let Some(report) = Arc::into_inner(report) else {
            return;
        };
        if report.rows.len() <= DROP_OFF_THREAD_ROWS {
            return;
        }
        let freeing = std::thread::Builder::new().name("bedboard-free".into());
        // Without a thread the report is freed here, as it would have been.
        let _ = freeing.spawn(move || drop(report));
    }
}

/// Sums over a set of rows; blanks are left out, and a sum of nothing is none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub records: usize,
    pub secured: Option<u64>,
    pub ready: Option<u64>,
    pub inpatients: Option<u64>,
    pub free: Option<i64>,
    /// Rows with 空床 > 0.
    pub with_free_beds: usize,
}

impl Totals {
    /// The sum of a count G-MIS reports (確保病床, 即応病床, 入院中); none when
    /// every value was blank and for any other column.
    pub fn count(&self, column: Column) -> Option<u64> {
        column
            .pick_count([self.secured, self.ready, self.inpatients])
            .flatten()
    }

    /// The sum of a count or of 空床, as [`ReportRow::get`] gives them.
    pub fn get(&self, column: Column) -> Option<i64> {
        match column {
            Column::Free => self.free,
            _ => self
                .count(column)
                .map(|sum| i64::try_from(sum).unwrap_or(i64::MAX)),
        }
    }

    /// A sum, or 使用率 of the sums, as a number to order groups by.
    pub fn number(&self, column: Column) -> Option<f64> {
        match column {
            Column::Occupancy => self.occupancy(),
            _ => self.get(column).map(|sum| sum as f64),
        }
    }

    pub fn add(&mut self, row: &ReportRow) {
        fn add_to(sum: &mut Option<u64>, value: Option<u32>) {
            if let Some(v) = value {
                *sum = Some(sum.unwrap_or(0) + u64::from(v));
            }
        }
        self.records += 1;
        add_to(&mut self.secured, row.secured);
        add_to(&mut self.ready, row.ready);
        add_to(&mut self.inpatients, row.inpatients);
        if let Some(free) = row.free_beds() {
            self.free = Some(self.free.unwrap_or(0) + free);
            self.with_free_beds += usize::from(free > 0);
        }
    }

    pub fn of<'a>(rows: impl IntoIterator<Item = &'a ReportRow>) -> Self {
        let mut totals = Self::default();
        rows.into_iter().for_each(|row| totals.add(row));
        totals
    }

    /// 使用率 of the sums.
    pub fn occupancy(&self) -> Option<f64> {
        let ready = self.ready.filter(|&r| r > 0)?;
        Some(self.inpatients? as f64 / ready as f64)
    }
}

#[cfg(test)]
pub(crate) mod test_rows {
    use super::*;

    /// A consistent row from the seed's sample report.
    pub fn seed_row() -> ReportRow {
        ReportRow {
            prefecture: "東京都".into(),
            prefecture_no: PrefectureNumber::new(13).unwrap(),
            municipality_code: MunicipalityCode::parse("131016").unwrap(),
            municipality: "千代田区".into(),
            area_code: AreaCode::parse("1301").unwrap(),
            area_name: "区中央部".into(),
            hospital_code: HospitalCode::parse("1310170043").unwrap(),
            hospital_name: "東京都 病院9".into(),
            record_date: NaiveDate::from_ymd_opt(2022, 1, 5).unwrap(),
            reported_at: time::parse_datetime("2022/02/01 11:32").unwrap(),
            secured: Some(4),
            ready: Some(3),
            inpatients: Some(2),
            extra: Box::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_rows::seed_row;
    use super::*;

    /// A million rows are held at once: each byte of a row is a megabyte.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_row_stays_compact() {
        assert_eq!(std::mem::size_of::<ReportRow>(), 152);
    }

    fn now() -> JstDateTime {
        time::parse_datetime("2022/02/01 12:00").unwrap()
    }

    #[test]
    fn derived_values() {
        let mut row = seed_row();
        assert_eq!(row.free_beds(), Some(1));
        assert!((row.occupancy().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(row.age(&now()), Duration::minutes(28));
        row.inpatients = None;
        assert_eq!(row.free_beds(), None, "blank is not 0");
        row.ready = Some(0);
        row.inpatients = Some(0);
        assert_eq!(row.occupancy(), None);
    }

    #[test]
    fn a_consistent_row_has_no_flags() {
        assert!(seed_row().flags(&now()).is_empty());
    }

    #[test]
    fn each_check_raises_its_flag() {
        type Spoil = Box<dyn Fn(&mut ReportRow)>;
        let cases: Vec<(Flag, Spoil)> = vec![
            (
                Flag::InpatientsOverReady,
                Box::new(|r| r.inpatients = Some(9)),
            ),
            (Flag::ReadyOverSecured, Box::new(|r| r.ready = Some(5))),
            (
                Flag::ReportedInFuture,
                Box::new(|r| r.reported_at = time::parse_datetime("2022/02/02 00:00").unwrap()),
            ),
            (
                Flag::RecordDateAfterReport,
                Box::new(|r| r.record_date = NaiveDate::from_ymd_opt(2022, 2, 2).unwrap()),
            ),
            (
                Flag::MunicipalityCheckDigit,
                Box::new(|r| r.municipality_code = MunicipalityCode::parse("131017").unwrap()),
            ),
            (
                Flag::PrefectureMismatch,
                Box::new(|r| r.prefecture_no = PrefectureNumber::new(14).unwrap()),
            ),
            (
                Flag::PrefectureMismatch,
                Box::new(|r| r.prefecture = "神奈川県".into()),
            ),
            (
                Flag::HospitalCheckDigit,
                Box::new(|r| r.hospital_code = HospitalCode::parse("1310170018").unwrap()),
            ),
        ];
        for (flag, spoil) in cases {
            let mut row = seed_row();
            spoil(&mut row);
            let flags = row.flags(&now());
            assert!(flags.contains(flag), "{flag:?} not raised: {flags:?}");
            assert_eq!(flags.has_errors(), !flag.is_warning());
        }
    }

    #[test]
    fn totals_skip_blanks() {
        let mut blank = seed_row();
        blank.secured = None;
        blank.ready = None;
        let totals = Totals::of([&seed_row(), &blank]);
        assert_eq!(totals.records, 2);
        assert_eq!(totals.secured, Some(4));
        assert_eq!(totals.ready, Some(3));
        assert_eq!(totals.inpatients, Some(4));
        assert_eq!(totals.free, Some(1));
        assert_eq!(totals.with_free_beds, 1);
        assert_eq!(Totals::default().secured, None);
    }

    #[test]
    fn one_accessor_a_count_column() {
        let row = seed_row();
        let totals = Totals::of([&row, &row]);
        for (column, value, sum) in [
            (Column::Secured, Some(4), Some(8)),
            (Column::Ready, Some(3), Some(6)),
            (Column::Inpatients, Some(2), Some(4)),
            (Column::Free, Some(1), Some(2)),
            (Column::Occupancy, None, None),
            (Column::HospitalName, None, None),
        ] {
            assert_eq!(row.get(column), value, "{column:?}");
            assert_eq!(totals.get(column), sum, "{column:?}");
        }
        assert_eq!(row.count(Column::Ready), Some(3));
        assert_eq!(
            row.count(Column::Free),
            None,
            "空床 is derived, not a count"
        );
        assert_eq!(totals.count(Column::Inpatients), Some(4));
        assert_eq!(totals.count(Column::Free), None);
        assert_eq!(totals.number(Column::Secured), Some(8.0));
        assert!((totals.number(Column::Occupancy).unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            Totals::default().get(Column::Secured),
            None,
            "a sum of nothing"
        );
    }
}

//! The demo report: counts for every hospital, report times spread before a base time.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Timelike};

use super::hospitals::{demo_hospitals, quirk, DemoHospital, Quirk};
use super::places::{prefecture_name, prefecture_no, TOKYO_AREAS, TOKYO_MUNICIPALITIES};
use super::rng::{Purpose, Rng};
use crate::model::{AreaCode, JstDateTime, MunicipalityCode, Report, ReportRow};

/// The demo report, report times spread before `base` (some stale: older than 24 h).
/// Only 報告日時 and 実績日 depend on `base`; everything else is the same for every call.
pub fn demo_report(base: &JstDateTime) -> Report {
    // G-MIS shows minutes only; whole minutes make the report survive a CSV round trip.
    let base = base
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(*base);
    let text = SharedText::new();
    let rows = demo_hospitals()
        .iter()
        .enumerate()
        .map(|(index, hospital)| report_row(hospital, index, &base, &text))
        .collect();
    Report {
        extra_columns: Vec::new(),
        rows,
    }
}

/// Text that repeats across rows, stored once as the importer does.
struct SharedText {
    prefecture: Arc<str>,
    municipalities: Vec<Arc<str>>,
    areas: Vec<Arc<str>>,
}

impl SharedText {
    fn new() -> Self {
        Self {
            prefecture: prefecture_name().into(),
            municipalities: TOKYO_MUNICIPALITIES.iter().map(|m| m.name.into()).collect(),
            areas: TOKYO_AREAS.iter().map(|&a| a.into()).collect(),
        }
    }
}

fn report_row(h: &DemoHospital, index: usize, base: &JstDateTime, text: &SharedText) -> ReportRow {
    let muni = h.municipality();
    let (reported_at, record_date) = report_times(index, base);
    let (secured, ready, inpatients) = counts(h, index);
    ReportRow {
        prefecture: text.prefecture.clone(),
        prefecture_no: prefecture_no(),
        municipality_code: MunicipalityCode::parse(muni.code).expect("table codes are 6 digits"),
        municipality: text.municipalities[h.municipality].clone(),
        area_code: AreaCode::parse(&muni.area_code()).expect("area codes are 4 digits"),
        area_name: text.areas[usize::from(muni.area) - 1].clone(),
        hospital_code: h.code,
        hospital_name: h.name.as_str().into(),
        record_date,
        reported_at,
        secured,
        ready,
        inpatients,
        extra: Box::default(),
    }
}

/// 報告日時 and 実績日. Most hospitals reported in the last few hours, some during the
/// last day, and about 7 % stopped reporting one to three days ago (stale).
fn report_times(index: usize, base: &JstDateTime) -> (JstDateTime, NaiveDate) {
    let mut rng = Rng::stream(Purpose::Times, index as u64);
    let minutes = match rng.below(100) {
        0..=6 => rng.range(24 * 60 + 10, 72 * 60),
        7..=26 => rng.range(4 * 60, 23 * 60),
        _ => rng.range(1, 4 * 60),
    };
    let reported_at = *base - Duration::minutes(i64::from(minutes));
    // 実績日 is the day of the report or, for a morning report, often the day before.
    let days_back = u64::from(rng.percent(30));
    let record_date = reported_at.date_naive() - chrono::Days::new(days_back);
    (reported_at, record_date)
}

type Counts = (Option<u32>, Option<u32>, Option<u32>);

/// 確保病床, 即応病床, 入院中: consistent, except for the rows in [`QUIRKS`].
fn counts(h: &DemoHospital, index: usize) -> Counts {
    let mut rng = Rng::stream(Purpose::Counts, index as u64);
    let secured = secured_beds(&mut rng, h);
    let ready = if rng.percent(10) {
        secured / 2
    } else {
        secured - rng.range(0, secured / 4)
    };
    // A full ward (空床 0) is what a dispatcher most needs to see; the rest are 10–90 % used.
    let inpatients = if rng.percent(8) {
        ready
    } else {
        ready * rng.range(10, 90) / 100
    };
    apply_quirk(quirk(index), (secured, ready, inpatients))
}

fn secured_beds(rng: &mut Rng, h: &DemoHospital) -> u32 {
    if h.clinic {
        return match h.licensed_beds {
            0 => 0,
            beds => rng.range(1, beds.min(4)),
        };
    }
    let secured = match rng.below(100) {
        0..=5 => 0,
        // The smaller of two draws: most hospitals hold a handful of beds.
        6..=85 => rng.range(2, 20).min(rng.range(2, 20)),
        _ => rng.range(21, 60),
    };
    secured.min(h.licensed_beds)
}

fn apply_quirk(quirk: Option<Quirk>, (secured, ready, inpatients): (u32, u32, u32)) -> Counts {
    let (s, r, i) = (Some(secured), Some(ready), Some(inpatients));
    match quirk {
        Some(Quirk::BlankSecured) => (None, r, i),
        Some(Quirk::BlankReady) => (s, None, i),
        Some(Quirk::BlankInpatients) => (s, r, None),
        Some(Quirk::InpatientsOverReady) => (s, r, Some(ready + 2)),
        Some(Quirk::ReadyOverSecured) => (s, Some(secured + 3), i),
        Some(Quirk::BadCheckDigit) | None => (s, r, i),
    }
}

#[cfg(test)]
mod tests {
    use super::super::assets::asset_base_time;
    use super::super::master_csv::demo_master_csv;
    use super::*;
    use crate::export::csv::{self as gmis_csv, OutputEncoding};
    use crate::model::Flag;
    use std::collections::HashSet;

    fn base() -> JstDateTime {
        asset_base_time()
    }

    #[test]
    fn hospital_codes_are_unique_ten_digit_tokyo_codes() {
        let report = demo_report(&base());
        let codes: HashSet<_> = report.rows.iter().map(|r| r.hospital_code).collect();
        assert_eq!(codes.len(), report.rows.len());
        let in_order = report
            .rows
            .windows(2)
            .all(|w| w[0].hospital_code < w[1].hospital_code);
        assert!(
            in_order,
            "rows come in 医療機関コード order, as the master lists them"
        );
        for row in &report.rows {
            let code = row.hospital_code.as_str();
            assert_eq!(code.len(), 10);
            assert!(code.starts_with("131"), "{code}");
        }
    }

    #[test]
    fn municipality_and_area_codes_are_real_tokyo_codes() {
        for muni in &TOKYO_MUNICIPALITIES {
            let code = MunicipalityCode::parse(muni.code).unwrap();
            assert!(code.check_digit_ok(), "{}", muni.code);
            assert_eq!(code.prefecture_digits(), 13);
        }
        let report = demo_report(&base());
        let mut areas = HashSet::new();
        for row in &report.rows {
            assert!(row.municipality_code.check_digit_ok());
            assert!(row.area_code.as_str().starts_with("13"));
            assert_eq!(row.area_code.prefecture_digits(), 13);
            areas.insert(row.area_code);
        }
        assert_eq!(areas.len(), 13, "every 二次医療圏 has hospitals");
    }

    #[test]
    fn some_rows_are_stale_flagged_blank_or_full() {
        let report = demo_report(&base());
        let rows = &report.rows;
        let stale = rows
            .iter()
            .filter(|r| r.is_stale(&base(), Duration::hours(24)))
            .count();
        assert!(
            (rows.len() * 5 / 100..=rows.len() / 10).contains(&stale),
            "{stale} stale"
        );
        let flagged = rows
            .iter()
            .filter(|r| r.flags(&base()).has_errors())
            .count();
        assert_eq!(flagged, 3);
        let over = |f| rows.iter().filter(|r| r.static_flags().contains(f)).count();
        assert_eq!(over(Flag::InpatientsOverReady), 2);
        assert_eq!(over(Flag::ReadyOverSecured), 1);
        let blank =
            |r: &&ReportRow| r.secured.is_none() || r.ready.is_none() || r.inpatients.is_none();
        assert_eq!(rows.iter().filter(blank).count(), 5);
        let full = rows.iter().filter(|r| r.free_beds() == Some(0)).count();
        assert!(full >= 5, "{full} rows with 空床 0");
    }

    #[test]
    fn counts_stay_in_range() {
        for row in &demo_report(&base()).rows {
            assert!(row.secured.unwrap_or(0) <= 60);
            assert!(row.ready.unwrap_or(0) <= 63);
            assert!(row.reported_at < base());
            assert!(row.age(&base()) <= Duration::hours(72));
            let day = row.reported_at.date_naive();
            assert!(row.record_date == day || row.record_date.succ_opt() == Some(day));
        }
    }

    #[test]
    fn the_generator_is_deterministic() {
        assert_eq!(demo_report(&base()), demo_report(&base()));
        assert_eq!(demo_master_csv(), demo_master_csv());
    }

    #[test]
    fn only_the_times_depend_on_base() {
        let later = base() + Duration::hours(30) + Duration::minutes(17);
        let (a, b) = (demo_report(&base()), demo_report(&later));
        assert_eq!(a.rows.len(), b.rows.len());
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert_eq!(x.age(&base()), y.age(&later));
            let mut y = y.clone();
            y.reported_at = x.reported_at;
            y.record_date = x.record_date;
            assert_eq!(*x, y);
        }
    }

    #[test]
    fn the_report_survives_a_csv_round_trip() {
        let report = demo_report(&base());
        let (bytes, lost) = gmis_csv::write_csv(&[], &report.rows, OutputEncoding::ShiftJis);
        assert!(lost.is_empty());
        let import = crate::formats::gmis_csv::import_bytes(&bytes, &Default::default()).unwrap();
        assert!(import.problems.is_empty(), "{:?}", import.problems);
        assert_eq!(import.report, report);
    }
}

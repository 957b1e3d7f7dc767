//! Pure view logic over a report: filter, sort, group and totals. No terminal here.

pub mod changes;
pub mod clock;
pub mod describe;
pub mod near;
pub mod parallel;
pub mod search;
pub mod sort;
pub mod text_rank;

use std::collections::HashMap;
use std::ops::Range;

use chrono::Duration;

use crate::model::{Column, JstDateTime, Report, ReportRow, Totals};
pub use describe::ViewDescription;
pub use search::SearchQuery;
pub use sort::{SortDirection, SortKey};

/// How rows are grouped, as G-MIS groups its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    #[default]
    None,
    /// 都道府県
    Prefecture,
    /// 二次医療圏
    Area,
    /// 市区町村
    Municipality,
}

crate::text::names::named!(Grouping {
    None => "none",
    Prefecture => "prefecture",
    Area => "area",
    Municipality => "municipality",
});

impl Grouping {
    pub fn label(self) -> &'static str {
        match self {
            Grouping::None => "なし",
            Grouping::Prefecture => "都道府県",
            Grouping::Area => "二次医療圏",
            Grouping::Municipality => "市区町村",
        }
    }

    /// The code rows are grouped by, and the label a group shows.
    fn key(self, row: &ReportRow) -> (&str, String) {
        match self {
            Grouping::None => ("", String::new()),
            Grouping::Prefecture => (row.prefecture_no.name(), row.prefecture.to_string()),
            Grouping::Area => (
                row.area_code.as_str(),
                format!("{} {}", row.area_code, row.area_name),
            ),
            Grouping::Municipality => {
                (row.municipality_code.as_str(), row.municipality.to_string())
            }
        }
    }

    #[cfg(test)]
    fn same_group(self, a: &ReportRow, b: &ReportRow) -> bool {
        match self {
            Grouping::None => true,
            Grouping::Prefecture => a.prefecture_no == b.prefecture_no,
            Grouping::Area => a.area_code == b.area_code,
            Grouping::Municipality => a.municipality_code == b.municipality_code,
        }
    }

    /// Where a row's group comes in the order of groups (its code as a number).
    fn rank(self, row: &ReportRow) -> u32 {
        // What `code.parse()` gives for a code of digits, without the
        // parser's generality: a view's pass reads it for every row.
        let number = |code: &str| {
            code.bytes()
                .try_fold(0u32, |n, b| {
                    let digit = b.is_ascii_digit().then(|| u32::from(b - b'0'))?;
                    n.checked_mul(10)?.checked_add(digit)
                })
                .filter(|_| !code.is_empty())
                .unwrap_or(u32::MAX)
        };
        match self {
            Grouping::None => 0,
            Grouping::Prefecture => u32::from(row.prefecture_no.get()),
            Grouping::Area => number(row.area_code.as_str()),
            Grouping::Municipality => number(row.municipality_code.as_str()),
        }
    }
}

/// One-key filters of the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuickFilters {
    /// 空床 > 0 only
    pub free_only: bool,
    pub stale_only: bool,
    pub flagged_only: bool,
}

/// What the user asked to see.
#[derive(Clone, Debug)]
pub struct ViewSpec {
    pub sort: Option<SortKey>,
    pub group: Grouping,
    pub filter: SearchQuery,
    pub quick: QuickFilters,
    /// A report older than this is stale.
    pub stale_after: Duration,
    /// The time ages and future reports are judged at.
    pub now: JstDateTime,
    /// Every row of the report; otherwise each hospital's latest only
    /// ([`crate::model::latest`]).
    pub all_rows: bool,
}

impl ViewSpec {
    pub fn new(now: JstDateTime) -> Self {
        Self {
            sort: None,
            group: Grouping::None,
            filter: SearchQuery::default(),
            quick: QuickFilters::default(),
            stale_after: Duration::hours(24),
            now,
            all_rows: false,
        }
    }

    /// Every row is kept: no quick filter is on and nothing is searched for.
    /// (Each field is named, so that a filter added to the spec is not
    /// forgotten here.)
    pub fn keeps_all(&self) -> bool {
        let Self {
            sort: _,
            group: _,
            filter,
            quick,
            stale_after: _,
            now: _,
            all_rows: _,
        } = self;
        let QuickFilters {
            free_only,
            stale_only,
            flagged_only,
        } = *quick;
        !free_only && !stale_only && !flagged_only && filter.is_empty()
    }

    pub fn keeps(&self, row: &ReportRow) -> bool {
        let quick = self.quick;
        (!quick.free_only || row.free_beds().is_some_and(|f| f > 0))
            && (!quick.stale_only || row.is_stale(&self.now, self.stale_after))
            && (!quick.flagged_only || row.flags(&self.now).has_errors())
            && (self.filter.is_empty() || matches_row(&self.filter, row))
    }
}

/// The order columns are shown in: the name and the counts a dispatcher needs
/// first, the codes last. (Files keep G-MIS's own order.)
pub const DISPLAY_ORDER: [Column; 17] = [
    Column::HospitalName,
    Column::Secured,
    Column::Ready,
    Column::Inpatients,
    Column::Free,
    Column::Occupancy,
    Column::Age,
    Column::Status,
    Column::Municipality,
    Column::AreaName,
    Column::ReportedAt,
    Column::RecordDate,
    Column::HospitalCode,
    Column::MunicipalityCode,
    Column::AreaCode,
    Column::Prefecture,
    Column::PrefectureNo,
];

/// Every column of a report in display order, the file's extra columns last.
pub fn display_columns(report: &Report) -> Vec<Column> {
    DISPLAY_ORDER
        .into_iter()
        .chain((0..report.extra_columns.len()).map(Column::Extra))
        .collect()
}

/// A column's header: its G-MIS name, or the file's name for an extra column.
pub fn column_header(report: &Report, column: Column) -> &str {
    match column {
        Column::Extra(i) => report.extra_columns.get(i).map_or("", String::as_str),
        c => c.name(),
    }
}

/// Search covers the name, the codes, the municipality and the area.
pub fn matches_row(query: &SearchQuery, row: &ReportRow) -> bool {
    query.matches_any([
        &row.hospital_name,
        row.hospital_code.as_str(),
        &row.municipality,
        row.municipality_code.as_str(),
        &row.area_name,
        row.area_code.as_str(),
    ])
}

/// A group of consecutive rows of a [`View`].
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// 「東京都」「1301 区中央部」「千代田区」
    pub label: String,
    /// Positions in [`View::order`].
    pub rows: Range<usize>,
    pub totals: Totals,
}

/// The rows to show, in order, with group subtotals and the grand total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// Indices into the report's rows.
    pub order: Vec<usize>,
    /// Empty when not grouped.
    pub groups: Vec<Group>,
    pub totals: Totals,
    /// Rows in the report before filtering (each hospital's latest only, unless `all_rows`).
    pub total_records: usize,
    /// Older rows of hospitals the report lists more than once: left out
    /// unless `all_rows`.
    pub superseded: usize,
    /// Built with [`ViewSpec::all_rows`]: the older rows are shown.
    pub all_rows: bool,
}

impl View {
    pub fn build(report: &Report, spec: &ViewSpec) -> Self {
        let latest = crate::model::latest::latest_rows(&report.rows);
        Self::build_from(report, spec, &latest)
    }

    /// [`View::build`] with each hospital's latest row already known
    /// ([`crate::model::latest::latest_rows`] of the same report), so every
    /// view of one report looks for them once.
    pub fn build_from(report: &Report, spec: &ViewSpec, latest: &[usize]) -> Self {
        Self::build_ranked(report, spec, latest, None)
    }

    /// [`View::build_from`] with the report's text ranks kept between views,
    /// so a sort on a text column after the first sorts integers.
    pub fn build_ranked(
        report: &Report,
        spec: &ViewSpec,
        latest: &[usize],
        text_ranks: Option<&text_rank::TextRanks>,
    ) -> Self {
        Self::build_tallied(report, spec, latest, text_ranks, |_: &mut (), _, _| {}).0
    }

    /// [`View::build_ranked`], with `tally` called on each of the view's rows
    /// (its index and the row) in the one pass, in file order, that adds the
    /// rows up and reads their sort keys: a million rows read once, in the
    /// order they lie in memory. The rows come in parts on both cores; each
    /// part's tally comes back, in order.
    pub fn build_tallied<T: Default + Send>(
        report: &Report,
        spec: &ViewSpec,
        latest: &[usize],
        text_ranks: Option<&text_rank::TextRanks>,
        tally: impl Fn(&mut T, usize, &ReportRow) + Sync,
    ) -> (Self, Vec<T>) {
        let rows = &report.rows;
        let superseded = rows.len() - latest.len();
        let total_records = if spec.all_rows {
            rows.len()
        } else {
            latest.len()
        };
        let keeps = |&i: &usize| spec.keeps(&rows[i]);
        let mut order: Vec<usize> = match (spec.all_rows, spec.keeps_all()) {
            (true, true) => (0..rows.len()).collect(),
            (true, false) => (0..rows.len()).filter(keeps).collect(),
            (false, true) => latest.to_vec(),
            (false, false) => latest.iter().copied().filter(keeps).collect(),
        };
        let ranks = spec
            .sort
            .zip(text_ranks)
            .and_then(|(key, cache)| cache.of(rows, key.column));
        let sorter = sort::Sorter::new(rows, spec.sort, spec.group, &spec.now, ranks.as_deref());
        let (sums, keys) = add_up(&order, rows, spec.group, &sorter, &tally);
        let runs = sorter.sort(&mut order, keys, sums.spread);
        let groups = runs
            .into_iter()
            .map(|run| {
                let first = &rows[order[run.start]];
                Group {
                    label: spec.group.key(first).1,
                    totals: sums
                        .subtotals
                        .get(&spec.group.rank(first))
                        .copied()
                        .unwrap_or_default(),
                    rows: run,
                }
            })
            .collect();
        let view = Self {
            order,
            groups,
            totals: sums.totals,
            total_records,
            superseded,
            all_rows: spec.all_rows,
        };
        (view, sums.tallies)
    }
}

impl View {
    /// 「過去の報告 24 件を除外（病院ごとに最新のみ）」 when older rows were left
    /// out, 「過去の報告 24 件も表示」 when they are shown; none when there are none.
    pub fn superseded_note(&self) -> Option<String> {
        let n = self.superseded;
        match (n, self.all_rows) {
            (0, _) => None,
            (n, false) => Some(format!("過去の報告 {n} 件を除外（病院ごとに最新のみ）")),
            (n, true) => Some(format!("過去の報告 {n} 件も表示")),
        }
    }
}

/// The totals of the rows at `order`, added up on both cores.
#[cfg(test)]
fn totals_of(order: &[usize], rows: &[ReportRow]) -> Totals {
    let now = crate::model::time::parse_datetime("2022/02/01 12:00").unwrap_or_default();
    let sorter = sort::Sorter::new(rows, None, Grouping::None, &now, None);
    add_up(order, rows, Grouping::None, &sorter, &|_: &mut (), _, _| {})
        .0
        .totals
}

/// Each group's totals, by the group's [`Grouping::rank`].
type Subtotals = HashMap<u32, Totals>;

/// What one pass over a view's rows finds.
struct Sums<T> {
    totals: Totals,
    subtotals: Subtotals,
    spread: sort::Spread,
    tallies: Vec<T>,
}

/// The rows at `order` read once, in parts on both cores: their totals,
/// each group's, `tally` of each part, and each row's sort key in its place.
fn add_up<T: Default + Send>(
    order: &[usize],
    rows: &[ReportRow],
    grouping: Grouping,
    sorter: &sort::Sorter,
    tally: &(impl Fn(&mut T, usize, &ReportRow) + Sync),
) -> (Sums<T>, Vec<u64>) {
    // Left untouched (and so never given memory) when the sort reads no keys.
    let mut keys = vec![0u64; order.len()];
    let parts = parallel::in_parts_into(order, &mut keys, |_, part, keys| {
        let mut totals = Totals::default();
        let mut groups = GroupSums::new(grouping);
        let mut spread = sort::Spread::default();
        let mut tallied = T::default();
        let reads_keys = sorter.reads_keys();
        for (key, &i) in keys.iter_mut().zip(part) {
            let row = &rows[i];
            totals.add(row);
            groups.add(row);
            tally(&mut tallied, i, row);
            if reads_keys {
                *key = sorter.key(i, &mut spread);
            }
        }
        (totals, groups.finish(), spread, tallied)
    });
    let mut sums = Sums {
        totals: Totals::default(),
        subtotals: Subtotals::new(),
        spread: sort::Spread::default(),
        tallies: Vec::with_capacity(parts.len()),
    };
    for (totals, subtotals, spread, tallied) in parts {
        sums.totals = sum_of(sums.totals, totals);
        for (rank, sum) in subtotals {
            let entry = sums.subtotals.entry(rank).or_default();
            *entry = sum_of(*entry, sum);
        }
        sums.spread = sums.spread.join(spread);
        sums.tallies.push(tallied);
    }
    (sums, keys)
}

/// Group totals added up row by row.
struct GroupSums {
    grouping: Grouping,
    /// The group of the last row and its sum so far: a report lists a
    /// group's rows together, so most rows need no look-up.
    current: Option<(u32, Totals)>,
    done: Subtotals,
}

impl GroupSums {
    fn new(grouping: Grouping) -> Self {
        Self {
            grouping,
            current: None,
            done: Subtotals::new(),
        }
    }

    fn add(&mut self, row: &ReportRow) {
        if self.grouping == Grouping::None {
            return;
        }
        let rank = self.grouping.rank(row);
        match &mut self.current {
            Some((at, sum)) if *at == rank => sum.add(row),
            _ => {
                self.put_away();
                self.current = Some((rank, Totals::of([row])));
            }
        }
    }

    fn put_away(&mut self) {
        if let Some((at, sum)) = self.current.take() {
            let entry = self.done.entry(at).or_default();
            *entry = sum_of(*entry, sum);
        }
    }

    fn finish(mut self) -> Subtotals {
        self.put_away();
        self.done
    }
}

/// Two parts' totals as one.
fn sum_of(sum: Totals, part: Totals) -> Totals {
    let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    Totals {
        records: sum.records + part.records,
        secured: add(sum.secured, part.secured),
        ready: add(sum.ready, part.ready),
        inpatients: add(sum.inpatients, part.inpatients),
        free: match (sum.free, part.free) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        },
        with_free_beds: sum.with_free_beds + part.with_free_beds,
    }
}

/// Groups found by comparing neighbouring rows: what the sort's runs and
/// the subtotals made in file order must equal.
#[cfg(test)]
fn group_runs(order: &[usize], rows: &[ReportRow], grouping: Grouping) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let first = &rows[order[start]];
        let len = order[start..]
            .iter()
            .take_while(|&&i| grouping.same_group(first, &rows[i]))
            .count();
        let range = start..start + len;
        groups.push(Group {
            label: grouping.key(first).1,
            totals: Totals::of(order[range.clone()].iter().map(|&i| &rows[i])),
            rows: range,
        });
        start += len;
    }
    groups
}

impl View {
    /// The totals one by one (「確保病床 30」), for a screen that lays them out
    /// whole on as many lines as it needs.
    pub fn summary_items(&self) -> Vec<String> {
        let t = &self.totals;
        fn num(v: Option<impl ToString>) -> String {
            v.map_or("-".to_string(), |v| v.to_string())
        }
        vec![
            format!("レコード数 {}", self.records_text()),
            format!("確保病床 {}", num(t.secured)),
            format!("即応病床 {}", num(t.ready)),
            format!("入院中 {}", num(t.inpatients)),
            format!("空床 {}", num(t.free)),
            format!("空床あり {} 施設", t.with_free_beds),
        ]
    }

    /// 「12」, or 「1 / 12」 when the view shows some of the records.
    fn records_text(&self) -> String {
        if self.order.len() == self.total_records {
            self.total_records.to_string()
        } else {
            format!("{} / {}", self.order.len(), self.total_records)
        }
    }

    /// The header line of `print` and the exports: レコード数 and the totals,
    /// the same items as the dashboard's header on one line.
    pub fn summary_line(&self) -> String {
        let items = self.summary_items();
        format!(
            "{}  合計 {}  （{}）",
            items[0],
            items[1..5].join("  "),
            items[5]
        )
    }
}

/// The value of a column as plain text, for print and the table.
pub fn cell_text(row: &ReportRow, column: Column, spec: &ViewSpec) -> String {
    let mut text = String::new();
    push_cell_text(&mut text, row, column, spec);
    text
}

/// The text of a column that is the row's own, borrowed from it; none for
/// a column made from numbers or times.
pub fn own_text(row: &ReportRow, column: Column) -> Option<&str> {
    Some(match column {
        Column::Prefecture => &row.prefecture,
        Column::MunicipalityCode => row.municipality_code.as_str(),
        Column::Municipality => &row.municipality,
        Column::AreaCode => row.area_code.as_str(),
        Column::AreaName => &row.area_name,
        Column::HospitalCode => row.hospital_code.as_str(),
        Column::HospitalName => &row.hospital_name,
        Column::Extra(i) => row.extra.get(i).map_or("", String::as_str),
        _ => return None,
    })
}

/// [`cell_text`], appended to `out`: a pass over a million rows reuses one buffer.
pub fn push_cell_text(out: &mut String, row: &ReportRow, column: Column, spec: &ViewSpec) {
    use crate::model::time;
    use std::fmt::Write as _;
    if let Some(text) = own_text(row, column) {
        out.push_str(text);
        return;
    }
    // Writing to a String cannot fail.
    let _ = match column {
        Column::PrefectureNo => write!(out, "{}", row.prefecture_no),
        Column::RecordDate => {
            push_date(out, row.record_date);
            Ok(())
        }
        Column::ReportedAt => {
            push_datetime(out, &row.reported_at);
            Ok(())
        }
        Column::Secured | Column::Ready | Column::Inpatients | Column::Free => {
            match row.get(column) {
                Some(v) => write!(out, "{v}"),
                None => Ok(()),
            }
        }
        Column::Occupancy => write!(out, "{}", format_percent(row.occupancy())),
        Column::Age => write!(out, "{}", time::format_age(row.age(&spec.now))),
        Column::Status => write!(out, "{}", status_text(row, spec)),
        _ => Ok(()),
    };
}

/// 「2022/02/01」 as [`crate::model::time::format_date`] writes it, without
/// parsing a format string for each of a million rows.
fn push_date(out: &mut String, date: chrono::NaiveDate) {
    use chrono::Datelike;
    use std::fmt::Write as _;
    if (0..=9999).contains(&date.year()) {
        let _ = write!(
            out,
            "{:04}/{:02}/{:02}",
            date.year(),
            date.month(),
            date.day()
        );
    } else {
        out.push_str(&crate::model::time::format_date(date));
    }
}

/// 「2022/02/01 11:32」 (JST) as [`crate::model::time::format_datetime`] writes it.
fn push_datetime(out: &mut String, at: &JstDateTime) {
    use chrono::Timelike;
    use std::fmt::Write as _;
    let local = at.with_timezone(&crate::model::time::jst()).naive_local();
    push_date(out, local.date());
    let _ = write!(out, " {:02}:{:02}", local.hour(), local.minute());
}

/// The value a total row shows in a column: a sum, 使用率 of the sums, or nothing.
pub fn total_text(totals: &Totals, column: Column) -> String {
    match column {
        Column::Occupancy => format_percent(totals.occupancy()),
        _ => totals
            .get(column)
            .map(|v| v.to_string())
            .unwrap_or_default(),
    }
}

pub fn format_percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_default()
}

/// Marks as words, so they never depend on colour: 「古い・入院>即応」.
pub fn status_text(row: &ReportRow, spec: &ViewSpec) -> String {
    let mut parts = Vec::new();
    if row.is_stale(&spec.now, spec.stale_after) {
        parts.push("古い");
    }
    parts.extend(row.flags(&spec.now).iter().map(|f| f.label()));
    parts.join("・")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;
    use crate::model::time;

    #[test]
    fn a_spec_keeps_all_rows_only_when_nothing_filters_them() {
        let now = time::parse_datetime("2022/02/01 12:00").unwrap();
        let plain = ViewSpec::new(now);
        assert!(plain.keeps_all());
        let quick = [
            QuickFilters {
                free_only: true,
                ..Default::default()
            },
            QuickFilters {
                stale_only: true,
                ..Default::default()
            },
            QuickFilters {
                flagged_only: true,
                ..Default::default()
            },
        ];
        for quick in quick {
            assert!(
                !ViewSpec {
                    quick,
                    ..plain.clone()
                }
                .keeps_all(),
                "{quick:?}"
            );
        }
        let searching = ViewSpec {
            filter: SearchQuery::new("中央"),
            ..plain.clone()
        };
        assert!(!searching.keeps_all());
        assert!(ViewSpec {
            filter: SearchQuery::new("  "),
            ..plain.clone()
        }
        .keeps_all());
        let mut full = seed_row();
        full.ready = Some(0);
        assert!(
            plain.keeps(&full),
            "a row without free beds is kept when nothing filters"
        );
    }

    #[test]
    fn totals_added_in_parts_equal_the_totals_of_all() {
        let rows: Vec<ReportRow> = (0..parallel::MIN_PART * 2 + 5)
            .map(|i| {
                let mut row = seed_row();
                row.secured = (i % 3 != 0).then_some(i as u32 % 50);
                row.ready = (i % 5 != 0).then_some(i as u32 % 40);
                row.inpatients = Some(i as u32 % 45);
                row
            })
            .collect();
        let order: Vec<usize> = (0..rows.len()).rev().collect();
        assert_eq!(totals_of(&order, &rows), Totals::of(&rows));
        assert_eq!(totals_of(&[], &rows), Totals::default());
        let blank = {
            let mut row = seed_row();
            row.secured = None;
            vec![row]
        };
        assert_eq!(totals_of(&[0], &blank), Totals::of(&blank));
    }

    #[test]
    fn groups_from_the_sort_equal_the_runs_of_neighbouring_rows() {
        use crate::model::{AreaCode, MunicipalityCode, PrefectureNumber};
        let mut rng = fastrand::Rng::with_seed(31);
        let areas = ["1301", "1302", "0101"];
        let municipalities = ["131016", "131024", "011002"];
        let rows: Vec<ReportRow> = (0..parallel::MIN_PART * 2 + 9)
            .map(|_| {
                let mut row = seed_row();
                row.area_code = AreaCode::parse(areas[rng.usize(..3)]).unwrap();
                row.municipality_code =
                    MunicipalityCode::parse(municipalities[rng.usize(..3)]).unwrap();
                row.prefecture_no = PrefectureNumber::new(rng.u8(1..=2)).unwrap();
                row.secured = (rng.u8(..5) != 0).then(|| rng.u32(..30));
                row.ready = (rng.u8(..5) != 0).then(|| rng.u32(..20));
                row.inpatients = (rng.u8(..5) != 0).then(|| rng.u32(..25));
                row
            })
            .collect();
        let report = Report {
            extra_columns: Vec::new(),
            rows,
        };
        let now = time::parse_datetime("2022/02/01 12:00").unwrap();
        for group in [Grouping::Prefecture, Grouping::Area, Grouping::Municipality] {
            for sort in [None, Some("空床:desc"), Some("使用率")] {
                let mut spec = ViewSpec::new(now);
                spec.all_rows = true;
                spec.group = group;
                spec.sort = sort.map(|s| SortKey::parse(s).unwrap());
                let view = View::build(&report, &spec);
                assert_eq!(view.order.len(), report.rows.len());
                let expected = group_runs(&view.order, &report.rows, group);
                assert_eq!(view.groups, expected, "{group:?} {sort:?}");
                assert!(view.groups.len() > 1);
            }
        }
    }

    #[test]
    fn group_ranks_are_the_codes_as_numbers() {
        for code in ["1301", "0101", "4711", "131016", "000000", "999999"] {
            let mut row = seed_row();
            row.area_code = crate::model::AreaCode::parse(&code[..4]).unwrap();
            assert_eq!(
                Grouping::Area.rank(&row),
                code[..4].parse::<u32>().unwrap(),
                "{code}"
            );
            if let Ok(municipality) = crate::model::MunicipalityCode::parse(code) {
                row.municipality_code = municipality;
                assert_eq!(
                    Grouping::Municipality.rank(&row),
                    code.parse::<u32>().unwrap()
                );
            }
        }
    }

    #[test]
    fn dates_are_written_as_the_model_formats_them() {
        let days = [
            -800_000, -1, 0, 1, 10_957, 20_000, 2_932_896, 2_932_897, 3_000_000,
        ];
        for day in days {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap();
            let mut out = String::new();
            push_date(&mut out, date);
            assert_eq!(out, time::format_date(date), "{date:?}");
            let at = date
                .and_hms_opt(23, 59, 0)
                .unwrap()
                .and_local_timezone(time::jst())
                .unwrap();
            let mut out = String::new();
            push_datetime(&mut out, &at);
            assert_eq!(out, time::format_datetime(&at), "{at:?}");
        }
    }

    #[test]
    fn every_cell_text_is_its_value_as_text() {
        let mut row = seed_row();
        row.extra = vec!["追加".to_string()].into();
        let now = time::parse_datetime("2022/02/01 12:00").unwrap();
        let spec = ViewSpec::new(now);
        let report = Report {
            extra_columns: vec!["列".to_string()],
            rows: vec![row.clone()],
        };
        for column in display_columns(&report) {
            let expected = match column {
                Column::Prefecture => row.prefecture.to_string(),
                Column::PrefectureNo => row.prefecture_no.to_string(),
                Column::MunicipalityCode => row.municipality_code.to_string(),
                Column::Municipality => row.municipality.to_string(),
                Column::AreaCode => row.area_code.to_string(),
                Column::AreaName => row.area_name.to_string(),
                Column::HospitalCode => row.hospital_code.to_string(),
                Column::HospitalName => row.hospital_name.to_string(),
                Column::RecordDate => time::format_date(row.record_date),
                Column::ReportedAt => time::format_datetime(&row.reported_at),
                Column::Occupancy => format_percent(row.occupancy()),
                Column::Age => time::format_age(row.age(&now)),
                Column::Status => status_text(&row, &spec),
                Column::Extra(_) => "追加".to_string(),
                counts => row.get(counts).map(|v| v.to_string()).unwrap_or_default(),
            };
            assert_eq!(cell_text(&row, column, &spec), expected, "{column:?}");
            if let Some(own) = own_text(&row, column) {
                assert_eq!(own, expected, "{column:?}");
            }
        }
        assert_eq!(cell_text(&row, Column::Extra(5), &spec), "");
    }
}

//! The view model: what one preparation of a report gives the screen. A
//! [`Prepared`] view holds the report it was built from, so drawing and
//! selection never pair one report's positions with another's rows.

use std::sync::{Arc, Mutex, OnceLock};

use crate::model::figures::RowFigures;
use crate::model::latest::CodeKeys;
use crate::model::{Column, JstDateTime, Report, ReportRow};
use crate::text::width::AmbiguousWidth;
use crate::view::clock::ClockChecks;
use crate::view::{self, changes, Grouping, SortDirection, SortKey, View, ViewSpec};

/// The G-MIS report footer toggles: 行数 / 詳細行 / 小計 / 総計.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Toggles {
    pub row_counts: bool,
    pub detail_rows: bool,
    pub subtotals: bool,
    pub grand_total: bool,
}

impl Default for Toggles {
    fn default() -> Self {
        Self {
            row_counts: true,
            detail_rows: true,
            subtotals: true,
            grand_total: true,
        }
    }
}

/// One line of the table body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableLine {
    /// A group's heading (index into `View::groups`).
    Heading(usize),
    /// A report row (index into the report's rows).
    Row(usize),
    Subtotal(usize),
    /// One group as a line of its own, in the summary views.
    Summary(usize),
}

/// What the table lists: Tab moves between them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ViewKind {
    /// One line per hospital.
    #[default]
    Rows,
    /// One line per 二次医療圏, with its totals.
    ByArea,
    /// One line per 市区町村.
    ByMunicipality,
    /// What changed, newest first.
    ChangeLog,
    /// The 医療機関マスタ.
    HospitalMaster,
    /// The 自治体マスタ.
    MunicipalityMaster,
}

impl ViewKind {
    pub fn label(self) -> &'static str {
        match self {
            ViewKind::Rows => "病床一覧",
            ViewKind::ByArea => "二次医療圏別",
            ViewKind::ByMunicipality => "市区町村別",
            ViewKind::ChangeLog => "変更履歴",
            ViewKind::HospitalMaster => "医療機関マスタ",
            ViewKind::MunicipalityMaster => "自治体マスタ",
        }
    }

    pub(super) fn next(self) -> Self {
        match self {
            ViewKind::Rows => ViewKind::ByArea,
            ViewKind::ByArea => ViewKind::ByMunicipality,
            ViewKind::ByMunicipality => ViewKind::ChangeLog,
            ViewKind::ChangeLog => ViewKind::HospitalMaster,
            ViewKind::HospitalMaster => ViewKind::MunicipalityMaster,
            ViewKind::MunicipalityMaster => ViewKind::Rows,
        }
    }

    /// The bed views: the hospital list and its summaries, which the bed
    /// 総計 row belongs under (not the change log or the masters).
    pub fn shows_bed_totals(self) -> bool {
        matches!(
            self,
            ViewKind::Rows | ViewKind::ByArea | ViewKind::ByMunicipality
        )
    }

    /// The grouping a summary view lists.
    pub fn grouping(self) -> Option<Grouping> {
        match self {
            ViewKind::Rows
            | ViewKind::ChangeLog
            | ViewKind::HospitalMaster
            | ViewKind::MunicipalityMaster => None,
            ViewKind::ByArea => Some(Grouping::Area),
            ViewKind::ByMunicipality => Some(Grouping::Municipality),
        }
    }
}

/// A view ready to show, with what the screen needs about all of its rows.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// The report the view was built from: every position in `view` and
    /// `lines` indexes its rows.
    pub report: Arc<Report>,
    /// That report's stats.
    pub stats: SharedStats,
    pub view: View,
    /// What the table lists ([`Prepared::line`]).
    lines: Lines,
    pub name_width: usize,
    /// The widest value of each marked count column in any row, in cells.
    pub count_widths: CountWidths,
    pub stale: usize,
    pub flagged: usize,
    /// The prefectures the data covers, for the header.
    pub scope: String,
    /// The newest 報告日時 in the data.
    pub newest: Option<JstDateTime>,
}

/// The table's lines.
#[derive(Clone, Debug, Default)]
enum Lines {
    /// One line per row of the view, in its order: a million rows need no
    /// second list of them.
    #[default]
    Rows,
    /// Groups' headings, rows and subtotals, or one line per group.
    Listed(Vec<TableLine>),
}

impl Prepared {
    /// The report row a table line shows, if it shows one.
    pub fn row_at(&self, line: usize) -> Option<usize> {
        match self.line(line)? {
            TableLine::Row(i) if i < self.report.rows.len() => Some(i),
            _ => None,
        }
    }

    /// The table's line at `at`.
    pub fn line(&self, at: usize) -> Option<TableLine> {
        match &self.lines {
            Lines::Rows => self.view.order.get(at).map(|&i| TableLine::Row(i)),
            Lines::Listed(lines) => lines.get(at).copied(),
        }
    }

    /// How many lines the table has.
    pub fn line_count(&self) -> usize {
        match &self.lines {
            Lines::Rows => self.view.order.len(),
            Lines::Listed(lines) => lines.len(),
        }
    }

    /// The table's lines, first to last.
    pub fn lines(&self) -> impl Iterator<Item = TableLine> + '_ {
        self.lines_from(0)
    }

    /// The table's lines from the one at `at` on, found without walking
    /// those before it (the screen shows a page of a million from anywhere).
    pub fn lines_from(&self, at: usize) -> impl Iterator<Item = TableLine> + '_ {
        let (rows, listed) = match &self.lines {
            Lines::Rows => (self.view.order.get(at..).unwrap_or_default(), &[][..]),
            Lines::Listed(lines) => (&[][..], lines.get(at..).unwrap_or_default()),
        };
        rows.iter()
            .map(|&i| TableLine::Row(i))
            .chain(listed.iter().copied())
    }
}

/// Groups in a summary view: by the sort column's total when it is a
/// count, else in code order.
fn summary_order(view: &View, sort: Option<SortKey>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..view.groups.len()).collect();
    let Some(key) = sort else {
        return order;
    };
    let total = |g: usize| -> Option<f64> {
        if key.column.is_totalled() {
            view.groups[g].totals.number(key.column)
        } else {
            Some(g as f64)
        }
    };
    order.sort_by(|&a, &b| match (total(a), total(b)) {
        (Some(x), Some(y)) => {
            let ord = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
            if key.direction == SortDirection::Descending {
                ord.reverse()
            } else {
                ord
            }
        }
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, None) => std::cmp::Ordering::Equal,
    });
    order
}

/// What the screen needs about a whole report, computed once per report
/// (off the input path for big ones) and shared by every view of it.
#[derive(Clone, Debug, Default)]
pub struct ReportStats {
    /// The widest 医療機関名, in cells.
    pub name_width: usize,
    /// The widest value of each marked count column, in cells.
    pub count_widths: CountWidths,
    /// The prefectures the data covers, for the header.
    pub scope: String,
    /// The newest 報告日時 in the data.
    pub newest: Option<JstDateTime>,
    /// Per row: a consistency error that does not depend on the clock.
    pub static_errors: Vec<bool>,
    /// Each hospital's latest row ([`crate::model::latest::latest_rows`]),
    /// so a new sort or filter does not look for them again.
    pub latest: Vec<usize>,
    /// Text columns' ranks, made by the first sort on each and kept for later
    /// ones; 医療機関名's are made after the first frame ([`rank_names_later`]).
    pub text_ranks: crate::view::text_rank::TextRanks,
}

impl ReportStats {
    /// Measured on both cores for a big report.
    pub fn of(report: &Report, amb: AmbiguousWidth) -> Self {
        let rows = &report.rows;
        let parts = view::parallel::in_parts(rows, |from, part| {
            let mut figures = RowFigures::of(part, from);
            figures.codes = figures.codes.into_iter().map(CodeKeys::sorted).collect();
            figures
        });
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_else(|| RowFigures::of(&[], 0));
        for part in parts {
            all.add(part, false);
        }
        Self::of_figures(report, all, amb)
    }

    /// From the figures of every row of `report`, measured as it was read;
    /// measured again should they not be of all of its rows.
    pub fn of_figures(report: &Report, figures: RowFigures, amb: AmbiguousWidth) -> Self {
        if figures.rows() != report.rows.len() {
            return Self::of(report, amb);
        }
        Self {
            name_width: figures.name_width(amb),
            count_widths: CountWidths::of_figures(&figures),
            scope: scope(&figures.prefectures),
            newest: figures.newest,
            latest: crate::model::latest::latest_of_keys(&report.rows, figures.codes),
            static_errors: figures.static_errors,
            text_ranks: Default::default(),
        }
    }
}

/// Lowers this thread's priority (and that of the threads it starts): work
/// done ahead of time must not slow the frame being drawn meanwhile.
fn yield_to_the_screen() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only changes the calling thread's nice value (on Linux
    // a thread has its own); a refusal leaves it as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Reports with more rows than this have their names ranked on a thread of
/// their own once the first view is made; smaller ones when first sorted on.
const RANK_NAMES_LATER_FROM: usize = 100_000;

/// Ranks 医療機関名 on a thread of its own after the first view of a big
/// report, so that the first frame does not wait for it and the first sort by
/// name is as quick as the next (a sort asked for meanwhile waits for it).
fn rank_names_later(report: &Arc<Report>, stats: &SharedStats) {
    let Some(figures) = stats.get() else { return };
    if report.rows.len() < RANK_NAMES_LATER_FROM || figures.text_ranks.is_made(Column::HospitalName)
    {
        return;
    }
    let (report, stats) = (report.clone(), stats.clone());
    let ranking = std::thread::Builder::new().name("bedboard-rank".into());
    // Without a thread, the first sort by name ranks them.
    let _ = ranking.spawn(move || {
        yield_to_the_screen();
        if let Some(figures) = stats.get() {
            figures.text_ranks.of(&report.rows, Column::HospitalName);
        }
        Report::release(report);
    });
}

/// The widest row value of each column whose changes are marked (▴/▾),
/// so the room for a mark beside a row's value is known without the totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountWidths([usize; changes::MARKED.len()]);

impl CountWidths {
    /// The widest value is the largest or, with its sign, the smallest: the
    /// digits are counted once per column.
    fn of_figures(figures: &RowFigures) -> Self {
        Self(changes::MARKED.map(|column| {
            figures
                .range(column)
                .map_or(0, |(low, high)| digits(low).max(digits(high)))
        }))
    }

    #[cfg(test)]
    fn of_rows(rows: &[ReportRow]) -> Self {
        Self::of_figures(&RowFigures::of(rows, 0))
    }

    /// Cells of the widest value in `column`; none for a column not marked.
    pub fn get(&self, column: Column) -> Option<usize> {
        let at = changes::MARKED.iter().position(|c| *c == column)?;
        Some(self.0[at])
    }
}

/// Characters of `v` written in decimal, its sign included, without writing it.
fn digits(v: i64) -> usize {
    let sign = usize::from(v < 0);
    sign + v
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1)
}

/// Report stats, made by whichever prepare needs them first: from the
/// figures measured as the report was read when there are some.
#[derive(Clone, Debug, Default)]
pub struct SharedStats(Arc<StatsCell>);

#[derive(Debug, Default)]
struct StatsCell {
    stats: OnceLock<ReportStats>,
    measured: Mutex<Option<RowFigures>>,
}

impl SharedStats {
    /// Stats to be made from `figures`, measured as the report was read.
    pub fn measured(figures: Option<RowFigures>) -> Self {
        Self(Arc::new(StatsCell {
            stats: OnceLock::new(),
            measured: Mutex::new(figures),
        }))
    }

    /// Stats made already.
    pub fn made(stats: ReportStats) -> Self {
        Self(Arc::new(StatsCell {
            stats: OnceLock::from(stats),
            measured: Mutex::new(None),
        }))
    }

    /// The stats, if made.
    pub fn get(&self) -> Option<&ReportStats> {
        self.0.stats.get()
    }

    /// The stats of `report`, made now if they are not yet.
    pub fn of(&self, report: &Report, amb: AmbiguousWidth) -> &ReportStats {
        self.0.stats.get_or_init(|| {
            let measured = self
                .0
                .measured
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            match measured {
                Some(figures) => ReportStats::of_figures(report, figures, amb),
                None => ReportStats::of(report, amb),
            }
        })
    }
}

/// Builds a view and its lines: O(rows), run off the input path for big reports.
pub fn prepare(
    report: &Arc<Report>,
    stats: &SharedStats,
    spec: &ViewSpec,
    toggles: Toggles,
    kind: ViewKind,
    amb: AmbiguousWidth,
) -> Prepared {
    let figures = stats.of(report, amb);
    let clock = ClockChecks::new(spec.now, spec.stale_after);
    // Counted in the pass that adds the rows up, in file order: reading
    // them in sorted order would be a jump in memory per row.
    let count = |(stale, flagged): &mut (usize, usize), i: usize, row: &ReportRow| {
        *stale += usize::from(clock.is_stale(row));
        *flagged += usize::from(figures.static_errors[i] || clock.is_in_future(row));
    };
    let grouped;
    let spec = match kind.grouping() {
        Some(group) => {
            grouped = ViewSpec {
                group,
                ..spec.clone()
            };
            &grouped
        }
        None => spec,
    };
    let (view, counts) = View::build_tallied(
        report,
        spec,
        &figures.latest,
        Some(&figures.text_ranks),
        count,
    );
    let (stale, flagged) = counts
        .into_iter()
        .fold((0, 0), |(s, f), (ps, pf)| (s + ps, f + pf));
    let lines = if kind.grouping().is_some() {
        Lines::Listed(
            summary_order(&view, spec.sort)
                .into_iter()
                .map(TableLine::Summary)
                .collect(),
        )
    } else if view.groups.is_empty() {
        Lines::Rows
    } else {
        Lines::Listed(grouped_lines(&view, toggles))
    };
    rank_names_later(report, stats);
    Prepared {
        report: report.clone(),
        stats: stats.clone(),
        view,
        lines,
        name_width: figures.name_width,
        count_widths: figures.count_widths,
        stale,
        flagged,
        scope: figures.scope.clone(),
        newest: figures.newest,
    }
}

/// Each group's heading, then its rows and its subtotal as the toggles ask.
fn grouped_lines(view: &View, toggles: Toggles) -> Vec<TableLine> {
    let mut lines = Vec::with_capacity(view.order.len() + view.groups.len() * 2);
    for (g, group) in view.groups.iter().enumerate() {
        lines.push(TableLine::Heading(g));
        if toggles.detail_rows {
            lines.extend(
                view.order[group.rows.clone()]
                    .iter()
                    .map(|&i| TableLine::Row(i)),
            );
        }
        if toggles.subtotals {
            lines.push(TableLine::Subtotal(g));
        }
    }
    lines
}

/// The prefectures a report covers, from which 都道府県番号 its rows have.
fn scope(seen: &[bool]) -> String {
    let names: Vec<&str> = crate::model::codes::PREFECTURES
        .iter()
        .zip(seen.iter().skip(1))
        .filter(|(_, &s)| s)
        .map(|(name, _)| *name)
        .collect();
    match names.len() {
        0 => "-".to_string(),
        1..=3 => names.join("・"),
        n => format!("{n} 都道府県"),
    }
}

/// The columns right of the frozen name, in display order.
pub fn scrollable_columns(report: &Report) -> Vec<Column> {
    view::display_columns(report)
        .into_iter()
        .filter(|c| *c != Column::HospitalName)
        .collect()
}

/// A column header in the pieces it may wrap between: 「確保/病床」, never
/// 「医療機関コ/ード」. A file's own column wraps at its spaces.
pub fn header_words(report: &Report, column: Column) -> Vec<&str> {
    let words: &[&'static str] = match column {
        Column::Secured => &["確保", "病床"],
        Column::Ready => &["即応", "病床"],
        Column::Inpatients => &["入院", "中"],
        Column::Occupancy => &["使用", "率"],
        Column::ReportedAt => &["報告", "日時"],
        Column::HospitalCode => &["医療機関", "コード"],
        Column::MunicipalityCode => &["全国", "地方公共団体", "コード"],
        Column::AreaCode => &["二次", "医療圏", "番号"],
        Column::AreaName => &["二次", "医療圏名"],
        Column::PrefectureNo => &["都道府県", "番号"],
        Column::Extra(_) => {
            return view::column_header(report, column)
                .split_whitespace()
                .collect()
        }
        other => return vec![other.name()],
    };
    words.to_vec()
}

/// How long a column stays on a narrow screen in a table of `kind`: a
/// summary's lines show totals only, so its other columns, blank there, go first.
pub fn staying_power_in(kind: ViewKind, column: Column) -> u8 {
    if kind.grouping().is_some() && !column.is_totalled() && column != Column::HospitalName {
        0
    } else {
        staying_power(column)
    }
}

/// How long a column stays on a narrow screen, higher staying longer: the
/// codes and dates give way first, 空床, 経過 and 状態 last. The name is
/// never left out; columns staying less long than it give way before it narrows.
pub fn staying_power(column: Column) -> u8 {
    match column {
        Column::Free => 11,
        Column::Age => 10,
        Column::Status => 9,
        Column::Ready => 8,
        Column::Inpatients => 7,
        Column::Secured => 6,
        Column::Occupancy => 5,
        Column::HospitalName => 4,
        Column::Municipality | Column::AreaName => 3,
        Column::Prefecture | Column::Extra(_) => 2,
        Column::ReportedAt | Column::RecordDate => 1,
        Column::HospitalCode
        | Column::MunicipalityCode
        | Column::AreaCode
        | Column::PrefectureNo => 0,
    }
}

/// The columns `s` steps through.
pub fn sortable_columns(report: &Report) -> Vec<Column> {
    view::display_columns(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_count_as_the_number_is_written() {
        for v in [
            0i64,
            7,
            -7,
            9,
            10,
            99,
            100,
            -100,
            123_456,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(digits(v), v.to_string().len(), "{v}");
        }
    }

    #[test]
    fn count_widths_hold_the_widest_value_sign_included() {
        use crate::model::test_rows::seed_row;
        let row = |ready: Option<u32>, inpatients: Option<u32>| {
            let mut row = seed_row();
            (row.ready, row.inpatients, row.secured) = (ready, inpatients, None);
            row
        };
        let rows = [
            row(Some(5), Some(1_005)),
            row(Some(120), Some(3)),
            row(None, None),
        ];
        let widths = CountWidths::of_rows(&rows);
        assert_eq!(widths.get(Column::Ready), Some(3));
        assert_eq!(widths.get(Column::Inpatients), Some(4));
        assert_eq!(widths.get(Column::Free), Some(5), "−1000 takes five cells");
        assert_eq!(widths.get(Column::Secured), Some(0), "a column of blanks");
        assert_eq!(CountWidths::of_rows(&[]).get(Column::Ready), Some(0));
    }

    #[test]
    fn lines_are_the_rows_in_order_or_the_groups_listed() {
        use crate::model::test_rows::seed_row;
        use crate::model::{AreaCode, HospitalCode};
        let rows: Vec<_> = (0..40u64)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_code = HospitalCode::parse(&format!("13{:08}", i)).unwrap();
                row.area_code = AreaCode::parse(&format!("130{}", 1 + i % 3)).unwrap();
                row.secured = Some((i * 37 % 11) as u32);
                row
            })
            .collect();
        let report = Arc::new(Report {
            extra_columns: Vec::new(),
            rows,
        });
        let each_line = |prepared: &Prepared| -> Vec<TableLine> {
            let listed: Vec<TableLine> = prepared.lines().collect();
            let by_index: Vec<TableLine> = (0..prepared.line_count())
                .map(|at| prepared.line(at).unwrap())
                .collect();
            assert_eq!(listed, by_index);
            assert_eq!(prepared.line(prepared.line_count()), None);
            for at in [0, 1, 7, prepared.line_count(), prepared.line_count() + 3] {
                let from: Vec<TableLine> = prepared.lines_from(at).collect();
                assert_eq!(from, listed.get(at..).unwrap_or_default(), "from line {at}");
            }
            listed
        };
        let mut spec =
            ViewSpec::new(crate::model::time::parse_datetime("2022/02/01 12:00").unwrap());
        spec.sort = Some(SortKey {
            column: Column::Secured,
            direction: SortDirection::Descending,
        });
        let (stats, amb) = (SharedStats::default(), AmbiguousWidth::Narrow);
        let toggles = Toggles::default();
        let rows = prepare(&report, &stats, &spec, toggles, ViewKind::Rows, amb);
        let expected: Vec<TableLine> = rows.view.order.iter().map(|&i| TableLine::Row(i)).collect();
        assert_eq!(each_line(&rows), expected);
        assert_eq!(rows.row_at(3), Some(rows.view.order[3]));
        spec.group = Grouping::Area;
        let grouped = prepare(&report, &stats, &spec, toggles, ViewKind::Rows, amb);
        let lines = each_line(&grouped);
        assert_eq!(
            lines.len(),
            40 + 3 * 2,
            "rows, and a heading and a subtotal per area"
        );
        assert_eq!(lines[0], TableLine::Heading(0));
        assert_eq!(grouped.row_at(0), None);
        let summary = prepare(&report, &stats, &spec, toggles, ViewKind::ByArea, amb);
        assert_eq!(each_line(&summary).len(), 3);
    }

    #[test]
    fn names_of_a_big_report_are_ranked_after_its_first_view() {
        use crate::model::test_rows::seed_row;
        let rows: Vec<_> = (0..RANK_NAMES_LATER_FROM)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_name = format!("病院{}", (i * 7919) % 1000).into();
                row
            })
            .collect();
        let report = Arc::new(Report {
            extra_columns: Vec::new(),
            rows,
        });
        let stats = SharedStats::default();
        let figures = stats.of(&report, AmbiguousWidth::Narrow);
        assert!(!figures.text_ranks.is_made(Column::HospitalName));
        rank_names_later(&report, &stats);
        let waited = std::time::Instant::now();
        while !figures.text_ranks.is_made(Column::HospitalName) {
            assert!(
                waited.elapsed().as_secs() < 60,
                "the names were never ranked"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let made = figures.text_ranks.of(&report.rows, Column::HospitalName);
        let fresh = crate::view::text_rank::TextRanks::default();
        assert_eq!(made, fresh.of(&report.rows, Column::HospitalName));
    }

    #[test]
    fn stats_from_figures_measured_in_reading_are_those_of_the_rows() {
        use crate::model::test_rows::seed_row;
        let rows: Vec<_> = (0..300u32)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_name = "①".repeat(1 + i as usize % 4).into();
                row.inpatients = Some(i % 50);
                row
            })
            .collect();
        let report = Report {
            extra_columns: Vec::new(),
            rows,
        };
        for amb in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
            let measured = RowFigures::of(&report.rows, 0);
            let stats = SharedStats::measured(Some(measured));
            let from_figures = stats.of(&report, amb);
            let of_rows = ReportStats::of(&report, amb);
            assert_eq!(format!("{from_figures:?}"), format!("{of_rows:?}"));
            // Figures of other rows than the report's are not used.
            let stale = SharedStats::measured(Some(RowFigures::of(&report.rows[..10], 0)));
            assert_eq!(
                format!("{:?}", stale.of(&report, amb)),
                format!("{of_rows:?}")
            );
        }
        let wide = ReportStats::of(&report, AmbiguousWidth::Wide);
        assert_eq!(wide.name_width, 8, "four ① drawn two cells each");
    }

    #[test]
    fn stats_of_parts_add_up_to_the_stats_of_the_whole() {
        use crate::model::test_rows::seed_row;
        let rows: Vec<_> = (0..view::parallel::MIN_PART * 2 + 3)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_name = "病".repeat(1 + i % 7).into();
                row.ready = Some(i as u32);
                row
            })
            .collect();
        let report = Report {
            extra_columns: Vec::new(),
            rows,
        };
        let stats = ReportStats::of(&report, AmbiguousWidth::Narrow);
        let whole = RowFigures::of(&report.rows, 0);
        assert_eq!(stats.name_width, 14);
        assert_eq!(stats.name_width, whole.name_width(AmbiguousWidth::Narrow));
        assert_eq!(stats.count_widths, CountWidths::of_figures(&whole));
        assert_eq!(stats.count_widths.get(Column::Ready), Some(6));
        assert_eq!(stats.static_errors, whole.static_errors);
        assert_eq!(stats.scope, "東京都");
        assert_eq!(stats.newest, whole.newest);
        assert_eq!(stats.latest.len(), 1, "one hospital code, its latest row");
        assert_eq!(
            stats.latest,
            crate::model::latest::latest_rows(&report.rows)
        );
        assert!(
            !stats.text_ranks.is_made(Column::HospitalName),
            "names are ranked after the first view, not with the stats"
        );
    }
}

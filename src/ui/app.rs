//! The dashboard's state and how actions change it. No drawing here.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use chrono::Duration;

use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;

use super::export_dialog::{self, ExportDialog};
use super::hospital_page::HospitalPage;
use super::keymap::{Action, KeyMap, Mode};
use crate::config::SavedView;
use crate::master::{cross_check, CrossCheck, HospitalMaster, MunicipalityMaster, OperatorProfile};
use crate::model::{time, Column, HospitalCode, JstDateTime, Report};
use crate::poll::poller::{FeedEvent, FeedSnapshot};
use crate::text::width::{self, AmbiguousWidth};
use crate::view::changes::{self, Changes, LogEntry, WatchAlert};
use crate::view::{self, Grouping, SearchQuery, SortDirection, SortKey, View, ViewSpec};

/// How the screen is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayOptions {
    pub ambiguous: AmbiguousWidth,
    pub ascii: bool,
    pub theme: super::theme::ThemeKind,
}

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

    fn next(self) -> Self {
        match self {
            ViewKind::Rows => ViewKind::ByArea,
            ViewKind::ByArea => ViewKind::ByMunicipality,
            ViewKind::ByMunicipality => ViewKind::ChangeLog,
            ViewKind::ChangeLog => ViewKind::HospitalMaster,
            ViewKind::HospitalMaster => ViewKind::MunicipalityMaster,
            ViewKind::MunicipalityMaster => ViewKind::Rows,
        }
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
    pub view: View,
    pub lines: Vec<TableLine>,
    pub name_width: usize,
    pub stale: usize,
    pub flagged: usize,
    /// The prefectures the data covers, for the header.
    pub scope: String,
    /// The newest 報告日時 in the data.
    pub newest: Option<JstDateTime>,
}

/// Groups in a summary view: by the sort column's total when it is a
/// count, else in code order.
fn summary_order(view: &View, sort: Option<SortKey>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..view.groups.len()).collect();
    let Some(key) = sort else {
        return order;
    };
    let total = |g: usize| -> Option<f64> {
        let t = &view.groups[g].totals;
        match key.column {
            Column::Secured => t.secured.map(|v| v as f64),
            Column::Ready => t.ready.map(|v| v as f64),
            Column::Inpatients => t.inpatients.map(|v| v as f64),
            Column::Free => t.free.map(|v| v as f64),
            Column::Occupancy => t.occupancy(),
            _ => Some(g as f64),
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
    /// The prefectures the data covers, for the header.
    pub scope: String,
    /// The newest 報告日時 in the data.
    pub newest: Option<JstDateTime>,
    /// Per row: a consistency error that does not depend on the clock.
    pub static_errors: Vec<bool>,
}

impl ReportStats {
    pub fn of(report: &Report, amb: AmbiguousWidth) -> Self {
        Self {
            name_width: report
                .rows
                .iter()
                .map(|r| width::str_width(&r.hospital_name, amb))
                .max()
                .unwrap_or(0),
            scope: scope(report),
            newest: report.rows.iter().map(|r| r.reported_at).max(),
            static_errors: report
                .rows
                .iter()
                .map(|r| r.static_flags().has_errors())
                .collect(),
        }
    }
}

/// Report stats, made by whichever prepare needs them first.
pub type SharedStats = Arc<OnceLock<ReportStats>>;

/// Builds a view and its lines: O(rows), run off the input path for big reports.
pub fn prepare(
    report: &Report,
    stats: &SharedStats,
    spec: &ViewSpec,
    toggles: Toggles,
    kind: ViewKind,
    amb: AmbiguousWidth,
) -> Prepared {
    let stats = stats.get_or_init(|| ReportStats::of(report, amb));
    let view = match kind.grouping() {
        Some(group) => View::build(
            report,
            &ViewSpec {
                group,
                ..spec.clone()
            },
        ),
        None => View::build(report, spec),
    };
    let mut lines = Vec::with_capacity(view.order.len() + view.groups.len() * 2);
    if kind.grouping().is_some() {
        lines.extend(
            summary_order(&view, spec.sort)
                .into_iter()
                .map(TableLine::Summary),
        );
    } else if view.groups.is_empty() {
        lines.extend(view.order.iter().map(|&i| TableLine::Row(i)));
    } else {
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
    }
    let rows = || view.order.iter().map(|&i| (i, &report.rows[i]));
    let stale = rows()
        .filter(|(_, r)| r.is_stale(&spec.now, spec.stale_after))
        .count();
    let flagged = rows()
        .filter(|(i, r)| stats.static_errors[*i] || r.is_reported_in_future(&spec.now))
        .count();
    Prepared {
        view,
        lines,
        name_width: stats.name_width,
        stale,
        flagged,
        scope: stats.scope.clone(),
        newest: stats.newest,
    }
}

/// The prefectures a report covers.
fn scope(report: &Report) -> String {
    let mut seen = [false; 48];
    for row in &report.rows {
        seen[usize::from(row.prefecture_no.get())] = true;
    }
    let names: Vec<&str> = crate::model::codes::PREFECTURES
        .iter()
        .zip(&seen[1..])
        .filter(|(_, &s)| s)
        .map(|(name, _)| *name)
        .collect();
    match names.len() {
        0 => "-".to_string(),
        1..=3 => names.join("・"),
        n => format!("{n} 都道府県"),
    }
}

/// Reports up to this size are prepared at once; bigger ones in the background.
const BACKGROUND_ROWS: usize = 50_000;

type Job = (
    u64,
    Arc<Report>,
    SharedStats,
    ViewSpec,
    Toggles,
    ViewKind,
    AmbiguousWidth,
);

/// Prepares views on a thread of its own, keeping only the latest request.
struct Worker {
    latest: Arc<(Mutex<Option<Job>>, Condvar)>,
    results: Receiver<(u64, Prepared)>,
}

impl Worker {
    fn start() -> Self {
        let latest: Arc<(Mutex<Option<Job>>, Condvar)> = Arc::default();
        let (send, results): (Sender<(u64, Prepared)>, _) = mpsc::channel();
        let shared = latest.clone();
        std::thread::spawn(move || loop {
            let job = {
                let (slot, ready) = &*shared;
                let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(job) = slot.take() {
                        break job;
                    }
                    slot = ready.wait(slot).unwrap_or_else(|e| e.into_inner());
                }
            };
            let (generation, report, stats, spec, toggles, kind, amb) = job;
            if send
                .send((
                    generation,
                    prepare(&report, &stats, &spec, toggles, kind, amb),
                ))
                .is_err()
            {
                return;
            }
        });
        Self { latest, results }
    }

    fn request(&self, job: Job) {
        let (slot, ready) = &*self.latest;
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        ready.notify_one();
    }
}

/// What a popup shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Popup {
    Help,
    Row(usize),
    /// The hospital page; its content is in `App::page`.
    Hospital,
}

pub struct App {
    pub report: Arc<Report>,
    stats: SharedStats,
    pub source_label: String,
    pub is_demo: bool,
    pub loaded_at: JstDateTime,
    pub spec: ViewSpec,
    pub prepared: Prepared,
    pub toggles: Toggles,
    pub options: DisplayOptions,
    /// Position in `prepared.lines`.
    pub selected: usize,
    /// First line shown.
    pub scroll: usize,
    /// Scrollable columns scrolled past.
    pub column_offset: usize,
    pub mode: Mode,
    pub popup: Option<Popup>,
    /// The search as typed; in filter mode it also hides rows.
    pub search: String,
    pub filter_mode: bool,
    pub show_chart: bool,
    pub message: Option<String>,
    pub should_quit: bool,
    /// Something changed that the screen must show.
    pub dirty: bool,
    /// Rows of the table body on screen, for paging (set by drawing).
    pub page_rows: usize,
    generation: u64,
    pending: bool,
    worker: Option<Worker>,
    pub kind: ViewKind,
    pub keys: KeyMap,
    /// Where `w` saves the default view.
    pub config_path: Option<PathBuf>,
    /// A live feed: `r` asks the poller to poll now.
    pub poll_now: Option<Arc<tokio::sync::Notify>>,
    pub feed: FeedStatus,
    /// Marks of the latest snapshot that changed something.
    pub changes: Changes,
    /// Newest first, at most [`CHANGE_LOG_LIMIT`] entries.
    pub change_log: VecDeque<LogEntry>,
    pub watch: BTreeSet<HospitalCode>,
    /// Watch-list alerts not yet acknowledged.
    pub alerts: Vec<WatchAlert>,
    /// Ring the terminal bell with the next frame.
    pub bell: bool,
    pub export_dialog: Option<ExportDialog>,
    /// Where the export dialog proposes files.
    pub export_folder: PathBuf,
    pub hospitals: Option<Arc<HospitalMaster>>,
    pub municipalities: Option<Arc<MunicipalityMaster>>,
    /// When the masters were read.
    pub masters_read_at: Option<JstDateTime>,
    /// Report against masters; recomputed when either changes.
    pub cross: CrossCheck,
    /// The history file, for the hospital page's chart.
    pub store_path: Option<PathBuf>,
    pub page: Option<HospitalPage>,
    /// Text to put on the terminal's clipboard (OSC 52) with the next frame.
    pub clipboard: Option<String>,
    /// Rows of the master view shown: positions in the master, filtered and in order.
    pub master_lines: Vec<usize>,
    pub profile: Option<OperatorProfile>,
}

/// How the feed is doing, for the status line.
#[derive(Clone, Debug, Default)]
pub struct FeedStatus {
    /// A live source is polled (as opposed to a file read once).
    pub live: bool,
    pub last_fetch: Option<JstDateTime>,
    pub next_poll: Option<JstDateTime>,
    /// The last poll's failure, cleared by the next success.
    pub last_failure: Option<(JstDateTime, String)>,
    /// Rows of other prefectures dropped from the last snapshot.
    pub out_of_scope: usize,
    /// `r` was pressed and the poll has not answered yet.
    pub fetching: bool,
    /// The last fetched snapshot could not be stored: the board runs from memory.
    pub not_stored: bool,
}

const CHANGE_LOG_LIMIT: usize = 2000;

impl App {
    pub fn new(
        report: Report,
        source_label: String,
        is_demo: bool,
        options: DisplayOptions,
        spec: ViewSpec,
    ) -> Self {
        let mut app = Self {
            report: Arc::new(report),
            stats: SharedStats::default(),
            source_label,
            is_demo,
            loaded_at: time::now_jst(),
            spec,
            prepared: Prepared::default(),
            toggles: Toggles::default(),
            options,
            selected: 0,
            scroll: 0,
            column_offset: 0,
            mode: Mode::Table,
            popup: None,
            search: String::new(),
            filter_mode: false,
            show_chart: true,
            message: None,
            should_quit: false,
            dirty: true,
            page_rows: 10,
            generation: 0,
            pending: false,
            worker: None,
            kind: ViewKind::Rows,
            keys: KeyMap::default(),
            config_path: None,
            poll_now: None,
            feed: FeedStatus::default(),
            changes: Changes::default(),
            change_log: VecDeque::new(),
            watch: BTreeSet::new(),
            alerts: Vec::new(),
            bell: false,
            export_dialog: None,
            export_folder: PathBuf::from("."),
            hospitals: None,
            municipalities: None,
            masters_read_at: None,
            cross: CrossCheck::default(),
            store_path: None,
            page: None,
            clipboard: None,
            master_lines: Vec::new(),
            profile: None,
        };
        app.refresh_view();
        app
    }

    /// Takes what the poller says. New data is compared with what is on
    /// screen: changed cells are marked until the next change, and watched
    /// hospitals whose 空床 fell to 0 or came back raise an alert.
    pub fn on_feed(&mut self, event: FeedEvent) {
        self.dirty = true;
        if matches!(
            event,
            FeedEvent::Snapshot(_) | FeedEvent::Unchanged { .. } | FeedEvent::Failed { .. }
        ) {
            self.feed.fetching = false;
        }
        match event {
            FeedEvent::Snapshot(snapshot) => self.on_snapshot(*snapshot),
            FeedEvent::Unchanged { at } => {
                self.feed.last_fetch = Some(at);
                self.feed.last_failure = None;
            }
            FeedEvent::Failed { at, message } => self.feed.last_failure = Some((at, message)),
            FeedEvent::NextPoll { at } => self.feed.next_poll = Some(at),
            FeedEvent::Notice(text) => self.message = Some(text),
            FeedEvent::Masters(update) => {
                let update = *update;
                if let Some(first) = update.problems.first() {
                    self.message = Some(match update.problems.len() {
                        1 => first.clone(),
                        n => format!("{first}（ほか {} 件）", n - 1),
                    });
                }
                // A master not in this update stays as it was.
                let hospitals = update
                    .hospitals
                    .or_else(|| self.hospitals.as_deref().cloned());
                let municipalities = update
                    .municipalities
                    .or_else(|| self.municipalities.as_deref().cloned());
                if hospitals.is_some() || municipalities.is_some() {
                    let at = update.read_at.unwrap_or_else(time::now_jst);
                    self.set_masters(hospitals, municipalities, at);
                }
            }
        }
    }

    fn on_snapshot(&mut self, snapshot: FeedSnapshot) {
        let first = self.report.rows.is_empty();
        if !first {
            let (changes, log) = changes::diff(&self.report, &snapshot.report, snapshot.fetched_at);
            if !changes.is_empty() {
                self.changes = changes;
                for entry in log {
                    self.change_log.push_front(entry);
                }
                self.change_log.truncate(CHANGE_LOG_LIMIT);
            }
            let alerts = changes::watch_alerts(&self.report, &snapshot.report, &self.watch);
            self.bell |= !alerts.is_empty();
            self.alerts.extend(alerts);
        }
        if !snapshot.from_store {
            self.feed.last_failure = None;
            self.feed.not_stored = snapshot.stored == Some(false);
        }
        self.feed.last_fetch = Some(snapshot.fetched_at);
        self.feed.out_of_scope = snapshot.out_of_scope;
        self.source_label = snapshot.source_label;
        if let Some(first) = snapshot.problems.first() {
            self.message = Some(match snapshot.problems.len() {
                1 => first.clone(),
                n => format!("{first}（ほか {} 件）", n - 1),
            });
        }
        self.set_report(snapshot.report, snapshot.fetched_at);
    }

    /// Replaces the data (a reload), keeping the view settings. A shared report is
    /// taken as it is, not copied.
    pub fn set_report(&mut self, report: impl Into<Arc<Report>>, now: JstDateTime) {
        self.report = report.into();
        self.check_against_masters();
        self.stats = SharedStats::default();
        self.loaded_at = now;
        self.refresh_view();
    }

    /// Puts masters in force (either may be absent) and checks the report against them.
    pub fn set_masters(
        &mut self,
        hospitals: Option<HospitalMaster>,
        municipalities: Option<MunicipalityMaster>,
        read_at: JstDateTime,
    ) {
        self.hospitals = hospitals.map(Arc::new);
        self.municipalities = municipalities.map(Arc::new);
        self.masters_read_at = Some(read_at);
        self.check_against_masters();
        self.refresh_view();
    }

    fn check_against_masters(&mut self) {
        if self.hospitals.is_none() && self.municipalities.is_none() {
            self.cross = CrossCheck::default();
            return;
        }
        self.cross = cross_check(
            &self.report,
            self.hospitals.as_deref(),
            self.municipalities.as_deref(),
        );
    }

    /// The master view's rows: filtered by the search in filter mode, in code order.
    fn refresh_master_lines(&mut self) {
        let query = SearchQuery::new(if self.filter_mode { &self.search } else { "" });
        self.master_lines = match self.kind {
            ViewKind::HospitalMaster => self.hospitals.as_deref().map_or_else(Vec::new, |m| {
                matching_in_order(
                    m.records(),
                    |r| r.code,
                    |r| query.matches_any([r.name.as_str(), r.code.as_str(), &r.municipality]),
                )
            }),
            ViewKind::MunicipalityMaster => {
                self.municipalities.as_deref().map_or_else(Vec::new, |m| {
                    matching_in_order(
                        m.records(),
                        |r| r.code,
                        |r| query.matches_any([r.name.as_str(), r.code.as_str(), &r.area_name]),
                    )
                })
            }
            _ => Vec::new(),
        };
    }

    /// Opens the hospital page: from a report row, a master row or the change log.
    pub fn open_page(&mut self, code: HospitalCode) {
        let row = self.report.rows.iter().find(|r| r.hospital_code == code);
        let record = self.hospitals.as_deref().and_then(|m| m.get(&code));
        let findings = self
            .cross
            .for_hospital(&code)
            .iter()
            .map(|f| f.message.clone())
            .collect();
        let page = HospitalPage::new(
            code,
            row,
            record,
            findings,
            self.store_path.as_deref(),
            &self.spec,
        );
        self.page = Some(page);
        self.popup = Some(Popup::Hospital);
        self.mode = Mode::Page;
    }

    /// Rebuilds the view after a change of data, sort, filter or grouping.
    pub fn refresh_view(&mut self) {
        self.refresh_master_lines();
        self.spec.filter = if self.filter_mode {
            SearchQuery::new(&self.search)
        } else {
            SearchQuery::default()
        };
        self.generation += 1;
        if self.report.rows.len() <= BACKGROUND_ROWS {
            let prepared = prepare(
                &self.report,
                &self.stats,
                &self.spec,
                self.toggles,
                self.kind,
                self.options.ambiguous,
            );
            self.accept(prepared);
            return;
        }
        let job = (
            self.generation,
            self.report.clone(),
            self.stats.clone(),
            self.spec.clone(),
            self.toggles,
            self.kind,
            self.options.ambiguous,
        );
        self.worker.get_or_insert_with(Worker::start).request(job);
        self.pending = true;
        self.dirty = true;
    }

    /// True while a view is being prepared in the background.
    pub fn is_pending(&self) -> bool {
        self.pending
    }

    /// Takes a finished background view, if any; returns true if one arrived.
    pub fn poll_worker(&mut self) -> bool {
        let Some(worker) = &self.worker else {
            return false;
        };
        let mut latest = None;
        while let Ok((generation, prepared)) = worker.results.try_recv() {
            if generation == self.generation {
                latest = Some(prepared);
            }
        }
        match latest {
            Some(prepared) => {
                self.pending = false;
                self.accept(prepared);
                true
            }
            None => false,
        }
    }

    /// Blocks until the background view is ready (tests and benches).
    pub fn wait_for_view(&mut self) {
        while self.pending {
            if !self.poll_worker() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }

    fn accept(&mut self, prepared: Prepared) {
        let selected_row = self.selected_row();
        self.prepared = prepared;
        // Keep the same hospital selected across a re-sort when it is still shown.
        self.selected = selected_row
            .and_then(|row| {
                self.prepared
                    .lines
                    .iter()
                    .position(|l| *l == TableLine::Row(row))
            })
            .unwrap_or(0)
            .min(self.prepared.lines.len().saturating_sub(1));
        self.keep_selection_visible();
        self.dirty = true;
    }

    pub fn selected_row(&self) -> Option<usize> {
        match self.prepared.lines.get(self.selected)? {
            TableLine::Row(i) => Some(*i),
            _ => None,
        }
    }

    pub fn now(&self) -> &JstDateTime {
        &self.spec.now
    }

    /// The clock moved: ages and stale marks may read differently.
    pub fn set_now(&mut self, now: JstDateTime) {
        let changed =
            now.format("%Y%m%d%H%M").to_string() != self.spec.now.format("%Y%m%d%H%M").to_string();
        self.spec.now = now;
        if changed {
            self.refresh_view();
        }
    }

    pub fn update(&mut self, action: Action) {
        use Action::*;
        self.dirty = true;
        // A message stays until the next key.
        if !matches!(action, Input(_) | DeleteChar | Submit) {
            self.message = None;
        }
        match action {
            Up => self.move_by(-1),
            Down => self.move_by(1),
            PageUp => self.move_by(-(self.page_rows.max(1) as isize)),
            PageDown => self.move_by(self.page_rows.max(1) as isize),
            Top => self.move_to(0),
            Bottom => self.move_to(self.line_count().saturating_sub(1)),
            Left => self.column_offset = self.column_offset.saturating_sub(1),
            Right => {
                self.column_offset =
                    (self.column_offset + 1).min(scrollable_columns(&self.report).len() - 1)
            }
            NextSortColumn => self.next_sort_column(),
            ReverseSort => {
                if let Some(key) = &mut self.spec.sort {
                    key.direction = key.direction.reversed();
                    self.refresh_view();
                }
            }
            StartSearch => {
                self.mode = Mode::Search;
                self.search.clear();
            }
            Input(c) => {
                self.search.push(c);
                self.after_search_edit();
            }
            DeleteChar => {
                self.search.pop();
                self.after_search_edit();
            }
            Submit => self.mode = Mode::Table,
            NextMatch => self.jump_to_match(true),
            PreviousMatch => self.jump_to_match(false),
            ToggleFilterMode => {
                self.filter_mode = !self.filter_mode;
                self.refresh_view();
            }
            ToggleFreeOnly => self.toggle_quick(|q| &mut q.free_only),
            ToggleStaleOnly => self.toggle_quick(|q| &mut q.stale_only),
            ToggleFlaggedOnly => self.toggle_quick(|q| &mut q.flagged_only),
            NextGrouping => {
                self.spec.group = match self.spec.group {
                    Grouping::None => Grouping::Prefecture,
                    Grouping::Prefecture => Grouping::Area,
                    Grouping::Area => Grouping::Municipality,
                    Grouping::Municipality => Grouping::None,
                };
                self.refresh_view();
            }
            ToggleRowCounts => self.toggles.row_counts = !self.toggles.row_counts,
            ToggleDetailRows => self.toggle(|t| &mut t.detail_rows),
            ToggleSubtotals => self.toggle(|t| &mut t.subtotals),
            ToggleGrandTotal => self.toggles.grand_total = !self.toggles.grand_total,
            ToggleChart => self.show_chart = !self.show_chart,
            Open if self.kind == ViewKind::ChangeLog => self.open_logged_hospital(),
            Open if self.kind == ViewKind::HospitalMaster => {
                let code = self
                    .master_lines
                    .get(self.selected)
                    .and_then(|&i| self.hospitals.as_deref().map(|m| m.records()[i].code));
                if let Some(code) = code {
                    self.open_page(code);
                }
            }
            Open if self.kind == ViewKind::MunicipalityMaster => {}
            Open if self.kind != ViewKind::Rows => self.open_group(),
            Open => {
                if let Some(row) = self.selected_row() {
                    self.open_page(self.report.rows[row].hospital_code);
                }
            }
            CopyPhone => match self.page.as_ref().and_then(HospitalPage::phone_to_copy) {
                Some(digits) => {
                    self.message = Some(format!(
                        "電話番号 {digits} をコピーしました（端末のクリップボード）"
                    ));
                    self.clipboard = Some(digits);
                }
                None => self.message = Some("コピーする電話番号がありません".to_string()),
            },
            NextPhone => {
                if let Some(page) = &mut self.page {
                    page.next_phone();
                }
            }
            Help => {
                self.popup = Some(Popup::Help);
                self.mode = Mode::Popup;
            }
            Back => self.back(),
            Reload => match &self.poll_now {
                Some(poll_now) => {
                    poll_now.notify_one();
                    self.feed.fetching = true;
                }
                None => self.message = Some("このデータは取得し直せません".to_string()),
            },
            ToggleWatch => self.toggle_watch(),
            Export if self.kind != ViewKind::ChangeLog => {
                self.export_dialog = Some(ExportDialog::new(&self.export_folder, time::now_jst()));
                self.mode = Mode::Export;
            }
            Export => {}
            DialogKey(key) => self.on_dialog_key(key),
            Acknowledge => {
                self.alerts.clear();
                self.bell = false;
            }
            SaveView => self.save_view(),
            NextView => {
                self.kind = self.kind.next();
                self.selected = 0;
                self.scroll = 0;
                self.refresh_view();
            }
            Quit => self.mode = Mode::ConfirmQuit,
            Confirm => self.should_quit = true,
            Cancel => {
                if self.mode == Mode::Search {
                    self.search.clear();
                    self.after_search_edit();
                }
                self.mode = Mode::Table;
            }
        }
    }

    /// From a change-log line to that hospital's row in the list.
    fn open_logged_hospital(&mut self) {
        let Some(code) = self.change_log.get(self.selected).map(|e| e.code) else {
            return;
        };
        self.kind = ViewKind::Rows;
        self.refresh_view();
        self.wait_for_view();
        let line = self.prepared.lines.iter().position(
            |line| matches!(line, TableLine::Row(i) if self.report.rows[*i].hospital_code == code),
        );
        match line {
            Some(line) => self.move_to(line),
            None => {
                self.message = Some(
                    "この病院は今の一覧にありません（絞り込みか、報告がなくなりました）"
                        .to_string(),
                )
            }
        }
    }

    /// From a summary line to the hospital list, grouped the same way, at that group.
    fn open_group(&mut self) {
        let Some(TableLine::Summary(g)) = self.prepared.lines.get(self.selected).copied() else {
            return;
        };
        let label = self.prepared.view.groups[g].label.clone();
        self.spec.group = self.kind.grouping().unwrap_or_default();
        self.kind = ViewKind::Rows;
        self.refresh_view();
        self.wait_for_view();
        let heading = self.prepared.lines.iter().position(|line| {
            matches!(line, TableLine::Heading(h) if self.prepared.view.groups[*h].label == label)
        });
        if let Some(line) = heading {
            self.scroll = line;
            self.move_to(line);
        }
    }

    fn on_dialog_key(&mut self, key: crossterm::event::KeyEvent) {
        let Some(dialog) = &mut self.export_dialog else {
            self.mode = Mode::Table;
            return;
        };
        match dialog.handle(key) {
            export_dialog::Outcome::Continue => {}
            export_dialog::Outcome::Cancel => {
                self.export_dialog = None;
                self.mode = Mode::Table;
            }
            export_dialog::Outcome::Submit => self.export(),
        }
    }

    /// Writes what is on screen — scope, filter, sort and grouping applied.
    /// A failure keeps the dialog open with the reason; the dashboard goes on.
    fn export(&mut self) {
        let Some(dialog) = &mut self.export_dialog else {
            return;
        };
        let request = crate::export::ExportRequest {
            report: &self.report,
            view: &self.prepared.view,
            spec: &self.spec,
            export_view: dialog.view,
            encoding: dialog.encoding,
            strict: false,
            header: crate::export::ReportHeader {
                fire_department: self.profile.as_ref().map(|p| p.fire_department.clone()),
                ..crate::export::ReportHeader::new(&self.spec, self.feed.last_fetch)
            },
        };
        match crate::export::export(&request, &dialog.path()) {
            Ok(summary) => {
                let mut text = summary.message();
                if let Some(warning) = summary.warning() {
                    text = format!("{text}。{warning}");
                }
                self.message = Some(text);
                self.export_dialog = None;
                self.mode = Mode::Table;
            }
            Err(err) => dialog.error = Some(err.to_string()),
        }
    }

    fn toggle_watch(&mut self) {
        let Some(row) = self.selected_row() else {
            return;
        };
        let row = &self.report.rows[row];
        let name = crate::text::sanitize(&row.hospital_name).into_owned();
        self.message = Some(if self.watch.remove(&row.hospital_code) {
            format!("{name} を監視から外しました（w で保存）")
        } else {
            self.watch.insert(row.hospital_code);
            format!(
                "{name} を監視します: 空床が 0 になったとき・戻ったときに知らせます（w で保存）"
            )
        });
    }

    /// The view settings as the config file keeps them.
    pub fn saved_view(&self) -> SavedView {
        let quick = self.spec.quick;
        SavedView {
            sort: self.spec.sort,
            group: self.spec.group,
            filter: if self.filter_mode {
                self.search.clone()
            } else {
                String::new()
            },
            free_only: quick.free_only,
            stale_only: quick.stale_only,
            flagged_only: quick.flagged_only,
            chart: self.show_chart,
            watch: self.watch.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// Puts a saved view in force.
    pub fn apply_view(&mut self, view: &SavedView) {
        self.spec.sort = view.sort;
        self.spec.group = view.group;
        self.spec.quick = view::QuickFilters {
            free_only: view.free_only,
            stale_only: view.stale_only,
            flagged_only: view.flagged_only,
        };
        self.search = view.filter.clone();
        self.filter_mode = !view.filter.is_empty();
        self.show_chart = view.chart;
        self.watch = view
            .watch
            .iter()
            .filter_map(|c| HospitalCode::parse(c).ok())
            .collect();
        self.refresh_view();
    }

    fn save_view(&mut self) {
        let path = self
            .config_path
            .clone()
            .unwrap_or_else(crate::config::user_config_path);
        self.message = Some(match crate::config::save_view(&path, &self.saved_view()) {
            Ok(()) => format!("既定の表示を保存しました（{}）", path.display()),
            Err(err) => err,
        });
    }

    fn back(&mut self) {
        if self.popup.take().is_some() {
            // The table is as it was: same row, same scroll.
            self.page = None;
            self.mode = Mode::Table;
        } else if !self.search.is_empty() {
            self.search.clear();
            self.after_search_edit();
        }
    }

    fn toggle(&mut self, field: impl Fn(&mut Toggles) -> &mut bool) {
        let flag = field(&mut self.toggles);
        *flag = !*flag;
        self.refresh_view();
    }

    fn toggle_quick(&mut self, field: impl Fn(&mut view::QuickFilters) -> &mut bool) {
        let flag = field(&mut self.spec.quick);
        *flag = !*flag;
        self.refresh_view();
    }

    fn after_search_edit(&mut self) {
        if self.filter_mode {
            self.refresh_view();
        } else if !self.search.is_empty() && !self.line_matches(self.selected) {
            self.jump_to_match(true);
        }
    }

    fn next_sort_column(&mut self) {
        let columns = sortable_columns(&self.report);
        let next = match self.spec.sort {
            None => columns[0],
            Some(key) => {
                let i = columns.iter().position(|c| *c == key.column).unwrap_or(0);
                columns[(i + 1) % columns.len()]
            }
        };
        // Counts read best largest first; text in its natural order.
        let direction = if next.kind() == crate::model::ColumnKind::Number {
            SortDirection::Descending
        } else {
            SortDirection::Ascending
        };
        self.spec.sort = Some(SortKey {
            column: next,
            direction,
        });
        self.refresh_view();
    }

    fn line_matches(&self, line: usize) -> bool {
        let query = SearchQuery::new(&self.search);
        match self.prepared.lines.get(line) {
            Some(TableLine::Row(i)) => view::matches_row(&query, &self.report.rows[*i]),
            _ => false,
        }
    }

    fn jump_to_match(&mut self, forward: bool) {
        let n = self.prepared.lines.len();
        if self.search.is_empty() || n == 0 {
            return;
        }
        let query = SearchQuery::new(&self.search);
        let found = (1..=n)
            .map(|step| if forward { (self.selected + step) % n } else { (self.selected + n - step % n) % n })
            .find(|&line| matches!(self.prepared.lines[line], TableLine::Row(i) if view::matches_row(&query, &self.report.rows[i])));
        match found {
            Some(line) => {
                self.message = None;
                self.move_to(line);
            }
            None => {
                self.message = Some(format!(
                    "「{}」は見つかりません",
                    crate::text::sanitize(&self.search)
                ))
            }
        }
    }

    fn move_by(&mut self, delta: isize) {
        let target = self.selected.saturating_add_signed(delta);
        self.move_to(target);
    }

    /// Lines in the current view.
    pub fn line_count(&self) -> usize {
        match self.kind {
            ViewKind::ChangeLog => self.change_log.len(),
            ViewKind::HospitalMaster | ViewKind::MunicipalityMaster => self.master_lines.len(),
            _ => self.prepared.lines.len(),
        }
    }

    fn move_to(&mut self, line: usize) {
        self.selected = line.min(self.line_count().saturating_sub(1));
        self.keep_selection_visible();
    }

    pub fn keep_selection_visible(&mut self) {
        let page = self.page_rows.max(1);
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + page {
            self.scroll = self.selected + 1 - page;
        }
    }

    /// Data age in words for the status line.
    pub fn newest_report(&self) -> Option<JstDateTime> {
        self.prepared.newest
    }

    pub fn age_text(&self, at: &JstDateTime) -> String {
        time::format_age(self.spec.now.signed_duration_since(*at))
    }

    /// Time until the next minute, when ages on screen change.
    pub fn until_next_minute(&self) -> std::time::Duration {
        let now = time::now_jst();
        let seconds = 60 - u64::from(chrono::Timelike::second(&now));
        std::time::Duration::from_secs(seconds.max(1))
    }

    pub fn stale_after(&self) -> Duration {
        self.spec.stale_after
    }
}

/// Positions of the records that match, ordered by `key`.
fn matching_in_order<R, K: Ord>(
    records: &[R],
    key: impl Fn(&R) -> K,
    matches: impl Fn(&R) -> bool,
) -> Vec<usize> {
    let mut lines: Vec<usize> = (0..records.len())
        .filter(|&i| matches(&records[i]))
        .collect();
    lines.sort_by_key(|&i| key(&records[i]));
    lines
}

/// The columns right of the frozen name, in display order.
pub fn scrollable_columns(report: &Report) -> Vec<Column> {
    view::display_columns(report)
        .into_iter()
        .filter(|c| *c != Column::HospitalName)
        .collect()
}

/// The columns `s` steps through.
pub fn sortable_columns(report: &Report) -> Vec<Column> {
    view::display_columns(report)
}

//! The dashboard's state and its construction. How actions change it is in
//! `update`, how feed events change it in `feed_merge`, how views are
//! prepared in `preparation`. No drawing here.

use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Duration;

use super::export_dialog::ExportDialog;
use super::hospital_page::HospitalPage;
use super::keymap::{KeyMap, Mode};
use super::preparation::{Intent, ViewJob};
use super::table_layout::WidthMemory;
use crate::master::{CrossCheck, HospitalMaster, MunicipalityMaster, OperatorProfile};
use crate::model::{time, HospitalCode, JstDateTime, Report};
use crate::text::width::AmbiguousWidth;
use crate::view::changes::{Changes, LogEntry, WatchAlert};
use crate::view::ViewSpec;

pub use super::effect::{Effect, EffectRunner, ExportJob, History, Msg};
pub use super::view_model::{
    prepare, scrollable_columns, sortable_columns, Prepared, ReportStats, SharedStats, TableLine,
    Toggles, ViewKind,
};

/// How the screen is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayOptions {
    pub ambiguous: AmbiguousWidth,
    pub ascii: bool,
    pub theme: super::theme::ThemeKind,
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
    /// The newest report: the input of the next preparation. What is on
    /// screen is `prepared.report`, which may be older while a view is prepared.
    pub(super) incoming: Arc<Report>,
    /// Stats of `incoming`, made by the first preparation that needs them.
    pub(super) stats: SharedStats,
    pub source_label: String,
    pub is_demo: bool,
    pub loaded_at: JstDateTime,
    pub spec: ViewSpec,
    /// The view on screen, with the report it was built from.
    pub prepared: Prepared,
    pub toggles: Toggles,
    pub options: DisplayOptions,
    /// How the ambiguous width and the terminal's character set were chosen, for the help.
    pub display_note: String,
    /// Position in the prepared lines ([`Prepared::line`]).
    pub selected: usize,
    /// First line shown.
    pub scroll: usize,
    /// Scrollable columns scrolled past.
    pub column_offset: usize,
    /// The widest each table column has needed, so columns never narrow
    /// while the dashboard runs; kept for the view kind in `column_widths_of`.
    pub column_widths: WidthMemory,
    pub column_widths_of: ViewKind,
    pub mode: Mode,
    pub popup: Option<Popup>,
    /// Lines of the key list scrolled past.
    pub help_scroll: usize,
    /// The search as typed; in filter mode it also hides rows.
    pub search: String,
    pub filter_mode: bool,
    pub show_chart: bool,
    /// Shown on the status line for a few seconds each; see [`App::notify`].
    pub notices: super::notice::Notices,
    pub should_quit: bool,
    /// Something changed that the screen must show.
    pub dirty: bool,
    /// Rows of the table body on screen, for paging (set by drawing).
    pub page_rows: usize,
    /// Counts preparations, so a late background result is recognised as stale.
    pub(super) generation: u64,
    pub(super) pending: bool,
    /// The view being prepared only follows the clock (ages, stale marks):
    /// nothing the dispatcher asked for, so the status line does not say so.
    pub(super) pending_for_clock: bool,
    pub(super) worker: Option<ViewJob>,
    /// Navigation asked for while a view is prepared, applied when it arrives.
    pub(super) intents: Vec<Intent>,
    pub kind: ViewKind,
    pub keys: KeyMap,
    /// Where `w` saves the default view.
    pub config_path: Option<PathBuf>,
    pub feed: FeedStatus,
    /// Marks of the latest snapshot that changed something.
    pub changes: Changes,
    /// Newest first, at most [`CHANGE_LOG_LIMIT`] entries.
    pub change_log: VecDeque<LogEntry>,
    pub watch: BTreeSet<HospitalCode>,
    /// Who acknowledges alerts here (`user@host`), for 変更履歴 and the store.
    pub operator: String,
    /// Watch-list alerts not yet acknowledged.
    pub alerts: Vec<WatchAlert>,
    pub export_dialog: Option<ExportDialog>,
    /// The dialog of the export under way, hidden while it runs and shown
    /// again with the reason if it fails.
    pub(super) exporting: Option<ExportDialog>,
    /// Rows written of the export under way, and of how many.
    pub export_progress: Option<(usize, usize)>,
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
    /// Counts hospital pages opened, so history for a page since closed is ignored.
    pub(super) page_request: u64,
    /// Rows of the master view shown: positions in the master, filtered and in order.
    pub master_lines: Vec<usize>,
    pub profile: Option<OperatorProfile>,
    /// How far a long load has got; none once its outcome has come.
    pub loading: Option<crate::poll::loading::LoadProgress>,
    /// The origin of 搬送先候補 being typed.
    pub near_input: Option<super::near_view::NearInput>,
    /// The 搬送先候補 screen, while it is open.
    pub near: Option<super::near_view::NearScreen>,
}

/// How the feed is doing, for the status line.
#[derive(Clone, Debug, Default)]
pub struct FeedStatus {
    /// A live source is polled (as opposed to a file read once): `r` polls now.
    pub live: bool,
    pub last_fetch: Option<JstDateTime>,
    pub next_poll: Option<JstDateTime>,
    /// Polls failed since the last success; none while the feed works.
    pub failing: Option<super::feed_health::FailureStreak>,
    /// Rows of other prefectures dropped from the last snapshot.
    pub out_of_scope: usize,
    /// `r` was pressed and the poll has not answered yet.
    pub fetching: bool,
    /// The last fetched snapshot could not be stored: the board runs from memory.
    pub not_stored: bool,
    /// Who polls (this process or another sharing the store); none until the poller says.
    pub poller: Option<crate::poll::role::PollerRole>,
}

pub(super) const CHANGE_LOG_LIMIT: usize = 2000;

impl App {
    pub fn new(
        report: Report,
        source_label: String,
        is_demo: bool,
        options: DisplayOptions,
        spec: ViewSpec,
    ) -> Self {
        let mut app = Self {
            incoming: Arc::new(report),
            stats: SharedStats::default(),
            source_label,
            is_demo,
            loaded_at: time::now_jst(),
            spec,
            prepared: Prepared::default(),
            toggles: Toggles::default(),
            options,
            display_note: String::new(),
            selected: 0,
            scroll: 0,
            column_offset: 0,
            column_widths: WidthMemory::default(),
            column_widths_of: ViewKind::default(),
            mode: Mode::Table,
            popup: None,
            help_scroll: 0,
            search: String::new(),
            filter_mode: false,
            show_chart: true,
            notices: Default::default(),
            should_quit: false,
            dirty: true,
            page_rows: 10,
            generation: 0,
            pending: false,
            pending_for_clock: false,
            worker: None,
            intents: Vec::new(),
            kind: ViewKind::Rows,
            keys: KeyMap::default(),
            config_path: None,
            feed: FeedStatus::default(),
            changes: Changes::default(),
            change_log: VecDeque::new(),
            watch: BTreeSet::new(),
            operator: "不明".to_string(),
            alerts: Vec::new(),
            export_dialog: None,
            exporting: None,
            export_progress: None,
            export_folder: PathBuf::from("."),
            hospitals: None,
            municipalities: None,
            masters_read_at: None,
            cross: CrossCheck::default(),
            store_path: None,
            page: None,
            page_request: 0,
            master_lines: Vec::new(),
            profile: None,
            loading: None,
            near_input: None,
            near: None,
        };
        app.refresh_view();
        app
    }

    /// The report on screen: the one the prepared view was built from.
    pub fn report(&self) -> &Arc<Report> {
        &self.prepared.report
    }

    /// The newest report, which the next view will be built from.
    pub fn incoming_report(&self) -> &Arc<Report> {
        &self.incoming
    }

    /// The report row of the selected line, in `prepared.report`.
    pub fn selected_row(&self) -> Option<usize> {
        self.prepared.row_at(self.selected)
    }

    /// Lines in the current view.
    pub fn line_count(&self) -> usize {
        match self.kind {
            ViewKind::ChangeLog => self.change_log.len(),
            ViewKind::HospitalMaster | ViewKind::MunicipalityMaster => self.master_lines.len(),
            _ => self.prepared.line_count(),
        }
    }

    pub fn keep_selection_visible(&mut self) {
        let page = self.page_rows.max(1);
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + page {
            self.scroll = self.selected + 1 - page;
        }
    }

    pub fn now(&self) -> &JstDateTime {
        &self.spec.now
    }

    /// The clock moved: ages and stale marks may read differently, a notice may be over.
    pub fn set_now(&mut self, now: JstDateTime) {
        let changed =
            now.format("%Y%m%d%H%M").to_string() != self.spec.now.format("%Y%m%d%H%M").to_string();
        self.spec.now = now;
        self.expire_notice();
        if changed {
            self.refresh_view();
            self.pending_for_clock = self.pending;
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

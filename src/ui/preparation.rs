//! Preparing views: at once for small reports, on a background thread for
//! big ones. Navigation asked for while a view is prepared is kept as an
//! intent and applied to the view when it arrives.

use std::sync::Arc;

use super::app::App;
use super::latest_job::LatestJob;
use super::view_model::{prepare, Prepared, SharedStats, TableLine, Toggles, ViewKind};
use crate::model::{HospitalCode, Report};
use crate::text::width::AmbiguousWidth;
use crate::view::{SearchQuery, ViewSpec};

/// Reports up to this size are prepared at once; bigger ones in the background.
const BACKGROUND_ROWS: usize = 50_000;

/// Everything one preparation needs, owned.
pub struct ViewRequest {
    generation: u64,
    report: Arc<Report>,
    stats: SharedStats,
    spec: ViewSpec,
    toggles: Toggles,
    kind: ViewKind,
    amb: AmbiguousWidth,
}

/// Lets go of a view no longer shown: a big one on a thread of its own, as
/// its order and lines (and maybe the last share of its report) take a
/// moment to free that the screen need not wait for.
fn release(prepared: Prepared) {
    if prepared.line_count() <= BACKGROUND_ROWS && prepared.view.order.len() <= BACKGROUND_ROWS {
        return;
    }
    let freeing = std::thread::Builder::new().name("bedboard-free".into());
    // Without a thread the view is freed here, as it would have been.
    let _ = freeing.spawn(move || drop(prepared));
}

/// A finished preparation and the request generation it answers.
pub type ViewReady = (u64, Prepared);

pub type ViewJob = LatestJob<ViewRequest, ViewReady>;

/// A navigation asked for before the view it applies to is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Move the selection by this many lines.
    Move(isize),
    Top,
    Bottom,
    /// Select this hospital's row (from the change log).
    ShowHospital(HospitalCode),
    /// Select the heading of the group with this label (from a summary line).
    ShowGroup(String),
}

fn run(request: ViewRequest) -> ViewReady {
    let prepared = prepare(
        &request.report,
        &request.stats,
        &request.spec,
        request.toggles,
        request.kind,
        request.amb,
    );
    (request.generation, prepared)
}

impl App {
    /// Rebuilds the view after a change of data, sort, filter or grouping.
    pub fn refresh_view(&mut self) {
        self.refresh_master_lines();
        self.spec.filter = if self.filter_mode {
            SearchQuery::new(&self.search)
        } else {
            SearchQuery::default()
        };
        self.generation += 1;
        self.pending_for_clock = false;
        let request = ViewRequest {
            generation: self.generation,
            report: self.incoming.clone(),
            stats: self.stats.clone(),
            spec: self.spec.clone(),
            toggles: self.toggles,
            kind: self.kind,
            amb: self.options.ambiguous,
        };
        self.dirty = true;
        if self.incoming.rows.len() <= BACKGROUND_ROWS {
            self.pending = false;
            let (_, prepared) = run(request);
            self.accept(prepared);
            return;
        }
        self.worker
            .get_or_insert_with(|| LatestJob::start("bedboard-view", run))
            .request(request);
        self.pending = true;
    }

    /// True while a view is being prepared in the background.
    pub fn is_pending(&self) -> bool {
        self.pending
    }

    /// True while a view the dispatcher asked for (a sort, a filter, new data)
    /// is being prepared: a view that only follows the clock is not said.
    pub fn says_pending(&self) -> bool {
        self.pending && !self.pending_for_clock
    }

    /// Waits for a view prepared in the background; never ready when none is.
    pub async fn next_view(&mut self) -> ViewReady {
        match &mut self.worker {
            Some(worker) => worker.next().await,
            None => std::future::pending().await,
        }
    }

    /// Takes a view prepared in the background, if it answers the latest request.
    pub fn on_view(&mut self, (generation, prepared): ViewReady) {
        if generation == self.generation && self.pending {
            self.pending = false;
            self.accept(prepared);
        }
    }

    /// Blocks until the background view is ready (tests and benches; the
    /// event loop waits with [`App::next_view`] instead).
    pub fn wait_for_view(&mut self) {
        while self.pending {
            match self.worker.as_mut().and_then(|w| w.wait()) {
                Some(ready) => self.on_view(ready),
                None => self.pending = false,
            }
        }
    }

    /// Puts a view on screen, keeping the same hospital selected when it is
    /// still shown, then applies the navigation asked for meanwhile.
    fn accept(&mut self, prepared: Prepared) {
        let before = std::mem::replace(&mut self.prepared, prepared);
        if self.lists_prepared_lines() {
            let row = before.row_at(self.selected);
            self.selected = row
                .and_then(|row| self.line_of_row(&before.report, row))
                .unwrap_or(0);
        }
        self.selected = self.selected.min(self.line_count().saturating_sub(1));
        self.keep_selection_visible();
        for intent in std::mem::take(&mut self.intents) {
            self.apply(intent);
        }
        self.dirty = true;
        release(before);
    }

    /// The line showing a row of `report` (the report of the view before):
    /// the same position in the same report, else the same hospital.
    fn line_of_row(&self, report: &Arc<Report>, row: usize) -> Option<usize> {
        let shown = &self.prepared.report;
        if Arc::ptr_eq(report, shown) {
            return self.prepared.lines().position(|l| l == TableLine::Row(row));
        }
        let code = report.rows.get(row)?.hospital_code;
        self.prepared.lines().position(
            |l| matches!(l, TableLine::Row(i) if shown.rows.get(i).is_some_and(|r| r.hospital_code == code)),
        )
    }

    /// The table lists the prepared lines (not the change log or a master).
    fn lists_prepared_lines(&self) -> bool {
        matches!(
            self.kind,
            ViewKind::Rows | ViewKind::ByArea | ViewKind::ByMunicipality
        )
    }

    /// Navigates now, or when the view being prepared arrives.
    pub(super) fn navigate(&mut self, intent: Intent) {
        if self.pending && self.lists_prepared_lines() {
            self.intents.push(intent);
        } else {
            self.apply(intent);
        }
    }

    fn apply(&mut self, intent: Intent) {
        match intent {
            Intent::Move(delta) => self.move_to(self.selected.saturating_add_signed(delta)),
            Intent::Top => self.move_to(0),
            Intent::Bottom => self.move_to(self.line_count().saturating_sub(1)),
            Intent::ShowHospital(code) => self.show_hospital(code),
            Intent::ShowGroup(label) => self.show_group(&label),
        }
    }

    pub(super) fn move_to(&mut self, line: usize) {
        self.selected = line.min(self.line_count().saturating_sub(1));
        self.keep_selection_visible();
    }

    fn show_hospital(&mut self, code: HospitalCode) {
        let report = &self.prepared.report;
        let line = self.prepared.lines().position(|line| {
            matches!(line, TableLine::Row(i) if report.rows.get(i).is_some_and(|r| r.hospital_code == code))
        });
        match line {
            Some(line) => self.move_to(line),
            None => self.notify(
                "この病院は今の一覧にありません（絞り込みか、報告がなくなりました）".to_string(),
            ),
        }
    }

    fn show_group(&mut self, label: &str) {
        let groups = &self.prepared.view.groups;
        let heading = self.prepared.lines().position(|line| {
            matches!(line, TableLine::Heading(h) if groups.get(h).is_some_and(|g| g.label == label))
        });
        if let Some(line) = heading {
            self.scroll = line;
            self.move_to(line);
        }
    }
}

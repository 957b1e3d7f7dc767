//! What the dashboard asks of the world, and what comes back. `App::update`
//! returns [`Effect`]s instead of doing I/O; the event loop hands them to an
//! [`EffectRunner`] given by the caller, which does the work off the UI
//! thread and answers with [`Msg`]s that `App::on_message` takes.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::config::SavedView;
use crate::export::{ExportEncoding, ExportSummary, ExportView, ReportHeader};
use crate::model::{Acknowledgement, HospitalCode, JstDateTime, Report, ReportRow};
use crate::view::{View, ViewSpec};

/// Something for the world outside the UI to do.
#[derive(Debug)]
pub enum Effect {
    /// Write what is on screen to a file.
    Export(Box<ExportJob>),
    /// Save the default view in the config file.
    SaveView { path: PathBuf, view: SavedView },
    /// Read a hospital's history from the store for the page `request` opened.
    LoadHistory {
        request: u64,
        code: HospitalCode,
        store: PathBuf,
        since: JstDateTime,
    },
    /// Ask the poller to poll now.
    PollNow,
    /// Keep a change of the watch list in the store.
    SetWatched {
        code: HospitalCode,
        watched: bool,
        at: JstDateTime,
    },
    /// Record acknowledged watch alerts in the store.
    RecordAcknowledgements(Vec<Acknowledgement>),
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Ring the terminal's bell.
    Bell,
}

/// An export with everything it needs, owned, so it can run on another thread.
#[derive(Debug)]
pub struct ExportJob {
    pub report: Arc<Report>,
    /// Built from `report`.
    pub view: View,
    pub spec: ViewSpec,
    pub export_view: ExportView,
    pub encoding: ExportEncoding,
    pub header: ReportHeader,
    pub path: PathBuf,
    /// What to do when a file of that name exists.
    pub existing: TakenName,
}

/// What an export does when a file already has its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakenName {
    /// The name was proposed: write under the next free one (`…-2.csv`).
    FreeName,
    /// The name was typed: ask first ([`Msg::ExportExists`]).
    Ask,
    /// The user said to replace it.
    Replace,
}

/// A hospital's rows over time, oldest first, with when each took effect.
pub type History = Vec<(JstDateTime, ReportRow)>;

/// What an effect's work answers.
#[derive(Debug)]
pub enum Msg {
    /// Rows written so far of an export under way.
    ExportProgress { done: usize, total: usize },
    /// The export is done; the error is in words.
    Exported(Result<ExportSummary, String>),
    /// Nothing written: a file of the typed name exists ([`TakenName::Ask`]).
    ExportExists(PathBuf),
    /// The default view is saved at the path, or the reason it is not.
    ViewSaved(Result<PathBuf, String>),
    /// The history for the page `request` opened.
    HistoryLoaded {
        request: u64,
        history: Result<History, String>,
    },
    /// The watch list is in the store, or the reason it is not.
    WatchListSaved(Result<(), String>),
    /// The acknowledgements are in the store, or the reason they are not.
    AcknowledgementsRecorded(Result<(), String>),
}

/// Does the effects the UI cannot do itself, off the UI thread, and sends
/// each one's results on `reply`. Given by the caller of the event loop.
pub trait EffectRunner {
    fn run(&self, effect: Effect, reply: UnboundedSender<Msg>);
}

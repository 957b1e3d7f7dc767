//! The dashboard's effects done for real: exports, the config file and the
//! store's history, each on a blocking thread, answered as messages; the watch
//! list and acknowledgements go to the store's thread in the order asked. The UI
//! only describes them (`crate::ui::effect`).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Notify;

use crate::export::{export_with_progress, ExportRequest};
use crate::store::{Reply, Store, StoreHandle};
use crate::ui::effect::{Effect, EffectRunner, ExportJob, History, Msg, TakenName};

/// Runs effects against files, the config and the store.
#[derive(Clone, Default)]
pub struct Effects {
    /// Wakes the poller for `r`; none when nothing is polled.
    poll_now: Option<Arc<Notify>>,
    /// Where the watch list and acknowledgements are kept; none without a store.
    store: Option<StoreHandle>,
}

impl Effects {
    pub fn new(poll_now: Option<Arc<Notify>>) -> Self {
        Self {
            poll_now,
            store: None,
        }
    }

    /// Keeps the watch list and acknowledgements in `store`.
    pub fn with_store(mut self, store: StoreHandle) -> Self {
        self.store = Some(store);
        self
    }

    /// Hands a write to the store's thread now, so writes run in the order asked;
    /// none for the effects that are not store writes.
    fn queue_store_write(&self, effect: &Effect) -> Option<StoreWrite> {
        let queued = |call: &dyn Fn(&StoreHandle) -> Reply<()>| self.store.as_ref().map(call);
        match effect {
            Effect::SetWatched { code, watched, at } => Some(StoreWrite {
                reply: queued(&|store| store.set_watched(*code, *watched, *at)),
                answer: Msg::WatchListSaved,
            }),
            Effect::RecordAcknowledgements(acknowledgements) => Some(StoreWrite {
                reply: queued(&|store| store.record_acknowledgements(acknowledgements.clone())),
                answer: Msg::AcknowledgementsRecorded,
            }),
            _ => None,
        }
    }

    /// Does one effect on the calling thread, sending its answers on `reply`.
    /// The terminal's own effects (copy, bell) are the event loop's; they do nothing here.
    /// A store write waits for the store's thread: call this from a thread that is not
    /// async (a test, or `spawn_blocking`); the event loop uses [`EffectRunner::run`].
    pub fn perform(&self, effect: Effect, reply: &UnboundedSender<Msg>) {
        // A closed reply channel means the dashboard has gone; nobody is left to tell.
        let send = |msg: Msg| {
            let _ = reply.send(msg);
        };
        if let Some(write) = self.queue_store_write(&effect) {
            return send(write.wait());
        }
        match effect {
            Effect::Export(job) => send(export(*job, reply)),
            Effect::SaveView { path, view } => {
                send(Msg::ViewSaved(
                    crate::config::save_view(&path, &view)
                        .map(|()| path)
                        .map_err(|e| e.to_string()),
                ));
            }
            Effect::LoadHistory {
                request,
                code,
                store,
                since,
            } => {
                let history: Result<History, String> = Store::open_read_only(&store)
                    .and_then(|s| s.hospital_history(&code, since))
                    .map_err(|e| e.to_string());
                send(Msg::HistoryLoaded { request, history });
            }
            Effect::PollNow => {
                if let Some(poll_now) = &self.poll_now {
                    poll_now.notify_one();
                }
            }
            Effect::Copy(_) | Effect::Bell => {}
            Effect::SetWatched { .. } | Effect::RecordAcknowledgements(_) => {}
        }
    }
}

impl EffectRunner for Effects {
    fn run(&self, effect: Effect, reply: UnboundedSender<Msg>) {
        if matches!(effect, Effect::PollNow) {
            self.perform(effect, &reply);
            return;
        }
        if let Some(write) = self.queue_store_write(&effect) {
            tokio::spawn(async move {
                let _ = reply.send(write.finish().await);
            });
            return;
        }
        let effects = self.clone();
        tokio::task::spawn_blocking(move || effects.perform(effect, &reply));
    }
}

/// A write queued on the store's thread, and the message that answers it.
struct StoreWrite {
    /// None when there is no store to write to.
    reply: Option<Reply<()>>,
    answer: fn(Result<(), String>) -> Msg,
}

impl StoreWrite {
    async fn finish(self) -> Msg {
        let result = match self.reply {
            Some(reply) => reply.await.map_err(|e| e.to_string()),
            None => Err(NO_STORE.to_string()),
        };
        (self.answer)(result)
    }

    /// As [`StoreWrite::finish`], for code that is not async.
    fn wait(self) -> Msg {
        let result = match self.reply {
            Some(reply) => reply.wait().map_err(|e| e.to_string()),
            None => Err(NO_STORE.to_string()),
        };
        (self.answer)(result)
    }
}

/// Why a write did not happen when the store could not be opened at start.
const NO_STORE: &str = "履歴ファイルを開けていません";

/// Writes an export, telling `reply` how far it has got. A proposed name that is
/// taken moves to a free one; a typed one that is taken is asked about first.
fn export(job: ExportJob, reply: &UnboundedSender<Msg>) -> Msg {
    let path = match job.existing {
        TakenName::FreeName => crate::export::free_path(&job.path),
        TakenName::Ask if job.path.exists() => return Msg::ExportExists(job.path),
        TakenName::Ask | TakenName::Replace => job.path.clone(),
    };
    let request = ExportRequest {
        report: &job.report,
        view: &job.view,
        spec: &job.spec,
        export_view: job.export_view,
        encoding: job.encoding,
        strict: false,
        header: job.header,
    };
    let mut progress = |done, total| {
        let _ = reply.send(Msg::ExportProgress { done, total });
    };
    Msg::Exported(export_with_progress(&request, &path, &mut progress).map_err(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SavedView;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_runner_answers_off_the_ui_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let (reply, mut replies) = tokio::sync::mpsc::unbounded_channel();
        let view = SavedView {
            chart: true,
            ..SavedView::default()
        };
        Effects::default().run(
            Effect::SaveView {
                path: path.clone(),
                view,
            },
            reply,
        );
        match replies.recv().await {
            Some(Msg::ViewSaved(Ok(saved))) => assert_eq!(saved, path),
            other => panic!("{other:?}"),
        }
        assert!(path.exists());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn history_from_a_store_that_is_not_there_is_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (reply, mut replies) = tokio::sync::mpsc::unbounded_channel();
        Effects::default().run(
            Effect::LoadHistory {
                request: 7,
                code: crate::model::HospitalCode::parse("1310170043").unwrap(),
                store: dir.path().join("missing.sqlite3"),
                since: crate::model::time::now_jst(),
            },
            reply,
        );
        match replies.recv().await {
            Some(Msg::HistoryLoaded {
                request: 7,
                history: Err(reason),
            }) => assert!(!reason.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}

//! The store on a thread of its own, for async code: SQLite calls block (a busy lock waits
//! up to [`super::BUSY_TIMEOUT`], a big report takes a while to record), so they never run
//! on the async runtime. One thread owns the [`Store`]; [`StoreHandle`]s send it requests,
//! which it runs one at a time in the order they were made, and each reply comes back on a
//! oneshot channel that async code awaits.
//!
//! The thread ends, and the file is closed, when the last handle is dropped or when
//! [`StoreHandle::close`] is called; either way the requests made before run first.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::{FetchRecord, FileChange, MasterDocument, MasterKind, Snapshot, Store, StoreError};
use crate::model::{Acknowledgement, HospitalCode, JstDateTime, Report};

/// A job for the store's thread: the store, or why the path could not be opened again.
type Job = Box<dyn FnOnce(Result<&mut Store, StoreError>) + Send>;

/// What the store's thread did about its file, until someone takes it.
type Changes = Arc<Mutex<Vec<FileChange>>>;

enum Request {
    Run(Job),
    /// Stop after the requests before this one; the sender is told once the file is closed.
    Close(oneshot::Sender<()>),
}

/// A cheap, cloneable way to the store's thread.
#[derive(Clone)]
pub struct StoreHandle {
    requests: mpsc::Sender<Request>,
    path: Option<PathBuf>,
    recovered_from: Option<PathBuf>,
    changes: Changes,
}

impl std::fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreHandle")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The answer to one request: await it. Dropping it does not cancel the request.
#[must_use = "the request runs anyway; await the reply to learn how it went"]
pub struct Reply<T>(oneshot::Receiver<Result<T, StoreError>>);

impl<T> Future for Reply<T> {
    type Output = Result<T, StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            // No answer: the thread had stopped before it came to the request.
            .map(|answer| answer.unwrap_or(Err(StoreError::Closed)))
    }
}

impl<T> Reply<T> {
    /// Waits for the answer on this thread, for code that is not async (never call it
    /// from async code: it blocks the runtime's thread).
    pub fn wait(self) -> Result<T, StoreError> {
        self.0.blocking_recv().unwrap_or(Err(StoreError::Closed))
    }
}

impl StoreHandle {
    /// Opens the file as [`Store::open`] does (checks, migrates, moves a broken file aside),
    /// on the store's new thread.
    pub async fn open(path: &Path) -> Result<StoreHandle, StoreError> {
        let (opened_tx, opened_rx) = oneshot::channel();
        let path_buf = path.to_path_buf();
        let changes = Changes::default();
        let requests = spawn_thread(changes.clone(), move || match Store::open(&path_buf) {
            Ok(store) => {
                let _ = opened_tx.send(Ok(store.recovered_from().map(Path::to_path_buf)));
                Some(store)
            }
            Err(err) => {
                let _ = opened_tx.send(Err(err));
                None
            }
        })?;
        let recovered_from = opened_rx.await.unwrap_or(Err(StoreError::Closed))?;
        Ok(StoreHandle {
            requests,
            path: Some(path.to_path_buf()),
            recovered_from,
            changes,
        })
    }

    /// Puts a store already open on a thread of its own (an in-memory store, in tests).
    pub fn from_store(store: Store) -> Result<StoreHandle, StoreError> {
        let path = store.path().map(Path::to_path_buf);
        let recovered_from = store.recovered_from().map(Path::to_path_buf);
        let changes = Changes::default();
        let requests = spawn_thread(changes.clone(), move || Some(store))?;
        Ok(StoreHandle {
            requests,
            path,
            recovered_from,
            changes,
        })
    }

    /// The file, or none for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where a broken file found at open was moved, if it was.
    pub fn recovered_from(&self) -> Option<&Path> {
        self.recovered_from.as_deref()
    }

    /// What the store did since the last call when its file had been deleted or replaced
    /// (see [`Store::follow_path`], checked before every request); a request's reply comes
    /// after what was done before it.
    pub fn take_file_changes(&self) -> Vec<FileChange> {
        std::mem::take(&mut *self.changes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs `job` on the store's thread, after every request made before it.
    pub fn call<T, F>(&self, job: F) -> Reply<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = reply_tx.send(store.and_then(job));
        });
        // A stopped thread drops the job with its sender: the reply says `Closed`.
        let _ = self.requests.send(Request::Run(job));
        Reply(reply_rx)
    }

    /// [`Store::try_acquire_lease`].
    pub fn try_acquire_lease(
        &self,
        holder: &str,
        now: JstDateTime,
        ttl: chrono::Duration,
    ) -> Reply<bool> {
        let holder = holder.to_string();
        self.call(move |store| store.try_acquire_lease(&holder, now, ttl))
    }

    /// [`Store::release_lease`].
    pub fn release_lease(&self, holder: &str) -> Reply<()> {
        let holder = holder.to_string();
        self.call(move |store| store.release_lease(&holder))
    }

    /// [`Store::lease`].
    pub fn lease(&self) -> Reply<Option<(String, JstDateTime)>> {
        self.call(|store| store.lease())
    }

    /// [`Store::record_fetch`]; the report is shared, not copied.
    pub fn record_fetch(
        &self,
        fetch: FetchRecord,
        report: Option<std::sync::Arc<Report>>,
    ) -> Reply<Option<i64>> {
        self.call(move |store| store.record_fetch(&fetch, report.as_deref()))
    }

    /// [`Store::latest_snapshot`].
    pub fn latest_snapshot(&self) -> Reply<Option<Snapshot>> {
        self.call(|store| store.latest_snapshot())
    }

    /// [`Store::snapshot_after`].
    pub fn snapshot_after(&self, after: i64) -> Reply<Option<Snapshot>> {
        self.call(move |store| store.snapshot_after(after))
    }

    /// [`Store::last_fetch`].
    pub fn last_fetch(&self) -> Reply<Option<FetchRecord>> {
        self.call(|store| store.last_fetch())
    }

    /// [`Store::prune`].
    pub fn prune(&self, now: JstDateTime, keep: chrono::Duration) -> Reply<usize> {
        self.call(move |store| store.prune(now, keep))
    }

    /// [`Store::checkpoint`].
    pub fn checkpoint(&self) -> Reply<bool> {
        self.call(|store| store.checkpoint())
    }

    /// [`Store::record_master`]; the body is moved, not copied.
    pub fn record_master(
        &self,
        kind: MasterKind,
        fetched_at: JstDateTime,
        source: &str,
        body: Vec<u8>,
    ) -> Reply<bool> {
        let source = source.to_string();
        self.call(move |store| store.record_master(kind, fetched_at, &source, &body))
    }

    /// [`Store::latest_master`].
    pub fn latest_master(&self, kind: MasterKind) -> Reply<Option<MasterDocument>> {
        self.call(move |store| store.latest_master(kind))
    }

    /// [`Store::watch_list`].
    pub fn watch_list(&self) -> Reply<Option<BTreeSet<HospitalCode>>> {
        self.call(|store| store.watch_list())
    }

    /// [`Store::save_watch_list`].
    pub fn save_watch_list(&self, codes: BTreeSet<HospitalCode>, at: JstDateTime) -> Reply<()> {
        self.call(move |store| store.save_watch_list(&codes, at))
    }

    /// [`Store::set_watched`].
    pub fn set_watched(&self, code: HospitalCode, watched: bool, at: JstDateTime) -> Reply<()> {
        self.call(move |store| store.set_watched(code, watched, at))
    }

    /// [`Store::record_acknowledgements`].
    pub fn record_acknowledgements(&self, acknowledgements: Vec<Acknowledgement>) -> Reply<()> {
        self.call(move |store| store.record_acknowledgements(&acknowledgements))
    }

    /// [`Store::acknowledgements_since`].
    pub fn acknowledgements_since(&self, since: JstDateTime) -> Reply<Vec<Acknowledgement>> {
        self.call(move |store| store.acknowledgements_since(since))
    }

    /// Ends the thread after the requests made before this call (from any handle) and
    /// returns once the file is closed. Requests made after it fail with
    /// [`StoreError::Closed`].
    pub async fn close(self) {
        let (closed_tx, closed_rx) = oneshot::channel();
        if self.requests.send(Request::Close(closed_tx)).is_ok() {
            // An error too means the thread is gone, and the file with it.
            let _ = closed_rx.await;
        }
    }
}

/// Starts the store's thread; `open` runs on it first and gives the store to serve.
fn spawn_thread(
    changes: Changes,
    open: impl FnOnce() -> Option<Store> + Send + 'static,
) -> Result<mpsc::Sender<Request>, StoreError> {
    let (requests, inbox) = mpsc::channel();
    std::thread::Builder::new()
        .name("bedboard-store".into())
        .spawn(move || {
            if let Some(store) = open() {
                serve(store, &inbox, &changes);
            }
        })
        .map_err(|err| StoreError::CannotStart(err.to_string()))?;
    Ok(requests)
}

/// Runs the requests in order until the last handle is gone or one asks to close. Before
/// each, the file is followed: a request never goes to a file no longer at the path.
fn serve(mut store: Store, inbox: &mpsc::Receiver<Request>, changes: &Mutex<Vec<FileChange>>) {
    let closed = loop {
        match inbox.recv() {
            Ok(Request::Run(job)) => match store.follow_path() {
                Ok(change) => {
                    if let Some(change) = change {
                        tracing::warn!("{change}");
                        changes
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(change);
                    }
                    job(Ok(&mut store))
                }
                Err(err) => job(Err(err)),
            },
            Ok(Request::Close(closed)) => break Some(closed),
            Err(mpsc::RecvError) => break None,
        }
    };
    drop(store);
    if let Some(closed) = closed {
        let _ = closed.send(());
    }
}

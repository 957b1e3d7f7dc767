//! Polling a source and telling the dashboard what happened.

use crate::model::{JstDateTime, Report};

/// What the poller tells the dashboard.
#[derive(Debug)]
pub enum FeedEvent {
    /// New data (from the source, or from the store at start or from
    /// another process that polls).
    Snapshot(Box<FeedSnapshot>),
    /// Polled; nothing new (304, or the same content).
    Unchanged { at: JstDateTime },
    /// A poll failed; the data on screen stays.
    Failed { at: JstDateTime, message: String },
    /// When the next poll is due.
    NextPoll { at: JstDateTime },
    /// A note for the status line (the store, the poller's role).
    Notice(String),
    /// New masters (from files, URLs, the drop folder or the store).
    Masters(Box<super::masters::MasterUpdate>),
    /// Who polls now: this process or another sharing the store (sent when it changes).
    Poller(PollerRole),
    /// A large body is being read: how far it has got (a few times a second).
    Loading(LoadProgress),
}

#[derive(Debug)]
pub struct FeedSnapshot {
    /// Shared with the store's request that recorded it, never copied.
    pub report: Arc<Report>,
    /// When the data was fetched (for data from the store: when it was stored).
    pub fetched_at: JstDateTime,
    pub source_label: String,
    /// Rejected rows and total mismatches, in words.
    pub problems: Vec<String>,
    /// Rows of other prefectures, dropped.
    pub out_of_scope: usize,
    /// Read from the store rather than fetched now.
    pub from_store: bool,
    /// Whether a fetched snapshot reached the store; none without a store.
    pub stored: Option<bool>,
    /// The figures of every row of `report`, measured as it was read, so the
    /// dashboard need not read the rows again for them.
    pub figures: Option<crate::model::figures::RowFigures>,
}

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

use super::error::PollError;
use super::loading::{LoadProgress, ProgressReporter};
use super::masters::MasterUpdate;
use super::role::{host_of, prefers_over, Holder, PollerRole};
use crate::files::{FileStamp, ReadError};
use crate::formats::gmis_stream::Streamed;
use crate::formats::{
    EncodingChoice, Import, ImportError, ImportErrorKind, ImportOptions, ProgressSink,
};
use crate::model::{time, PrefectureNumber};
use crate::source::dropdir::{self, DropOptions};
use crate::source::http::{Backoff, Fetched, Fetcher, HttpOptions};
use crate::store::{FetchRecord, MasterKind, Snapshot, Store, StoreError, StoreHandle};

/// Where data is fetched from.
#[derive(Clone, Debug)]
pub enum Origin {
    Http(Box<HttpOptions>),
    /// A file, read again whenever it changes.
    File(PathBuf),
    /// A drop folder: the newest complete export in it.
    Dir(PathBuf),
}

impl Origin {
    /// For the status line; a URL without its query (it may hold a token).
    pub fn label(&self) -> String {
        match self {
            Origin::Http(options) => crate::source::http::redact_url(&options.url),
            Origin::File(path) | Origin::Dir(path) => path.display().to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct PollerConfig {
    pub origin: Origin,
    pub format: crate::formats::FeedFormat,
    pub encoding: EncodingChoice,
    pub interval: Duration,
    /// Rows of other prefectures are dropped and counted.
    pub prefecture: Option<PrefectureNumber>,
    /// The history file; none keeps nothing (the demo).
    pub store: Option<PathBuf>,
    pub retention: chrono::Duration,
    /// Who holds the poller lease: `pid@host`.
    pub holder: String,
    /// Masters named on the command line or in the config, read at start.
    pub masters: Vec<(crate::store::MasterKind, super::masters::MasterSource)>,
    /// The largest file read from a file source or the drop folder (as an HTTP body's cap).
    pub max_bytes: u64,
}

impl PollerConfig {
    /// Polling `origin` as `holder`, with the defaults a dashboard starts from:
    /// the format and encoding detected, every 60 s, every prefecture, no store,
    /// 400 days of history, no masters, the HTTP body cap for files too.
    pub fn new(origin: Origin, holder: impl Into<String>) -> Self {
        Self {
            origin,
            format: crate::formats::FeedFormat::Auto,
            encoding: EncodingChoice::Auto,
            interval: Duration::from_secs(60),
            prefecture: None,
            store: None,
            retention: chrono::Duration::days(400),
            holder: holder.into(),
            masters: Vec::new(),
            max_bytes: crate::source::http::DEFAULT_MAX_BYTES,
        }
    }
}

/// The dashboard's end of a running poller. Dropping it stops the poller too, but
/// without waiting: [`PollerHandle::shutdown`] waits until the store is closed.
pub struct PollerHandle {
    pub events: UnboundedReceiver<FeedEvent>,
    /// Poll now (the `r` key).
    pub poll_now: Arc<Notify>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl PollerHandle {
    /// The events, for a loop that takes them by value; the handle keeps control of the
    /// poller (its `events` is then an empty, closed channel).
    pub fn take_events(&mut self) -> UnboundedReceiver<FeedEvent> {
        std::mem::replace(&mut self.events, unbounded_channel().1)
    }

    /// Stops the poller wherever it is (a fetch in flight is abandoned), gives the lease
    /// up if it holds it, checkpoints the store's log, and returns once the store's
    /// thread has closed the file.
    pub async fn shutdown(self) {
        let PollerHandle {
            events, stop, task, ..
        } = self;
        drop(events);
        let _ = stop.send(());
        if let Err(err) = task.await {
            tracing::warn!("poller ended abnormally: {err}");
        }
    }
}

/// Starts polling on the current tokio runtime; the store named in the config is opened
/// on a thread of its own.
pub fn start(config: PollerConfig) -> PollerHandle {
    spawn(config, None)
}

/// As [`start`], with a store already open (`config.store` is then not opened). The
/// poller closes it when it stops.
pub fn start_with_store(config: PollerConfig, store: StoreHandle) -> PollerHandle {
    spawn(config, Some(store))
}

fn spawn(config: PollerConfig, store: Option<StoreHandle>) -> PollerHandle {
    let (tx, events) = unbounded_channel();
    let poll_now = Arc::new(Notify::new());
    let (stop, stopped) = oneshot::channel();
    let poller = Poller::new(config, tx, poll_now.clone(), store);
    let task = tokio::spawn(poller.run(stopped));
    PollerHandle {
        events,
        poll_now,
        stop,
        task,
    }
}

/// How often a process that does not poll looks in the store for new data, and how often
/// the poller's loop wakes whatever its schedule (to keep the lease, or take it over).
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// The lease lasts this many intervals from its last renewal: a poller that dies is
/// replaced at most this long after.
const LEASE_INTERVALS: u32 = 2;

/// How soon a file caught while being written is read again.
const CHANGING_RETRY: Duration = Duration::from_secs(1);

/// After this many reads in a row that caught a file being written, the status line says so.
const STILL_WRITING_AFTER: u32 = 3;

/// A file written to more recently than this may still be being written: it is read
/// again a moment later (a writer that pauses between two rows leaves a file that looks
/// complete).
const FILE_SETTLE: Duration = Duration::from_secs(1);

/// A file that stops inside a row is taken as it is only once it has not been written to
/// for this long (a CSV saved without a final line break).
const UNFINISHED_SETTLE: Duration = Duration::from_secs(10);

struct Poller {
    config: PollerConfig,
    tx: UnboundedSender<FeedEvent>,
    poll_now: Arc<Notify>,
    store: Option<StoreHandle>,
    /// Whether fetches are meant to reach a store (one was named or given).
    keeps_history: bool,
    watcher: Option<dropdir::DropWatcher>,
    fetcher: Option<Fetcher>,
    backoff: Backoff,
    /// What was last read, to tell a changed file or body from the same one.
    last_hash: Option<String>,
    /// The file last read and used successfully; only it is "unchanged".
    last_file: Option<(PathBuf, FileStamp)>,
    /// Reads in a row that caught the file being written.
    changing_reads: u32,
    /// Read again soon rather than at the interval.
    retry_soon: bool,
    /// Names in the drop folder already reported as unreadable.
    odd_names: HashSet<String>,
    /// The newest snapshot shown, for a follower.
    last_snapshot: i64,
    /// The newest report fetched, recorded again into a store file made anew.
    last_good: Option<(FetchRecord, Arc<Report>)>,
    /// The newest fetch a follower has reported.
    last_seen_fetch: Option<JstDateTime>,
    /// Whether this process holds the lease (or has no store to share) and so polls.
    polling: bool,
    /// When the lease was last taken or renewed.
    renewed_at: Option<tokio::time::Instant>,
    /// When the next poll is due; none: at once.
    next_fetch: Option<tokio::time::Instant>,
    /// Who polls, as last told to the dashboard.
    role: Option<PollerRole>,
    /// A lease that cannot be read or written is said once, until it works again.
    lease_error_said: bool,
    last_prune: Option<JstDateTime>,
}

impl Poller {
    fn new(
        config: PollerConfig,
        tx: UnboundedSender<FeedEvent>,
        poll_now: Arc<Notify>,
        store: Option<StoreHandle>,
    ) -> Self {
        let backoff = Backoff::new(config.interval);
        Self {
            keeps_history: store.is_some() || config.store.is_some(),
            config,
            tx,
            poll_now,
            store,
            watcher: None,
            fetcher: None,
            backoff,
            last_hash: None,
            last_file: None,
            changing_reads: 0,
            retry_soon: false,
            odd_names: HashSet::new(),
            last_snapshot: 0,
            last_good: None,
            last_seen_fetch: None,
            polling: false,
            renewed_at: None,
            next_fetch: None,
            role: None,
            lease_error_said: false,
            last_prune: None,
        }
    }

    fn send(&self, event: FeedEvent) -> bool {
        log(&event);
        self.tx.send(event).is_ok()
    }

    /// A problem that does not stop the poll, for the status line.
    fn notice(&self, error: PollError) {
        self.send(FeedEvent::Notice(error.to_string()));
    }

    /// Polls until told to stop or the dashboard has closed, then closes the store.
    async fn run(mut self, mut stop: oneshot::Receiver<()>) {
        tokio::select! {
            _ = self.serve() => {}
            // Told to stop, or the handle was dropped.
            _ = &mut stop => {}
        }
        self.close().await;
    }

    /// Wakes every [`FOLLOW_EVERY`] whatever the schedule: the holder keeps its lease and
    /// polls when due (or asked), any other process follows the store.
    async fn serve(&mut self) {
        if self.store.is_none() {
            self.open_store().await;
        }
        self.show_stored().await;
        self.read_masters().await;
        self.watcher = self.watch_drop_folder().await;
        let mut asked = false;
        loop {
            let mut next_poll = None;
            if self.keep_lease().await {
                if asked || self.poll_due() {
                    next_poll = Some(self.poll_keeping_lease().await);
                }
            } else {
                self.follow().await;
            }
            self.follow_store_file().await;
            if let Some(at) = next_poll {
                if !self.send(FeedEvent::NextPoll { at }) {
                    return; // the dashboard has closed
                }
            }
            asked = tokio::select! {
                _ = tokio::time::sleep(self.until_next_tick()) => false,
                _ = self.poll_now.notified() => true,
            };
            if self.tx.is_closed() {
                return;
            }
        }
    }

    fn poll_due(&self) -> bool {
        self.next_fetch
            .is_none_or(|due| due <= tokio::time::Instant::now())
    }

    /// A second, or less when the next poll is due sooner.
    fn until_next_tick(&self) -> Duration {
        match self.next_fetch {
            Some(due) if self.polling => due
                .saturating_duration_since(tokio::time::Instant::now())
                .min(FOLLOW_EVERY),
            _ => FOLLOW_EVERY,
        }
    }

    /// Polls, renewing the lease meanwhile (a fetch may take longer than the lease lasts),
    /// and schedules the next poll: the interval, or the backoff after failures. Returns
    /// when the next poll is due.
    async fn poll_keeping_lease(&mut self) -> JstDateTime {
        let keeper = self.lease_keeper();
        keep_lease_while(keeper, async {
            self.poll().await;
            self.prune().await;
        })
        .await;
        // What the renewals found is checked at the next tick.
        self.renewed_at = None;
        let delay = if std::mem::take(&mut self.retry_soon) {
            self.backoff.next_delay().min(CHANGING_RETRY)
        } else {
            self.backoff.next_delay()
        };
        self.next_fetch = Some(tokio::time::Instant::now() + delay);
        time::now_jst() + chrono::Duration::from_std(delay).unwrap_or_default()
    }

    /// Gives the lease up, empties the store's log and waits until the file is closed.
    /// A fetch or request abandoned on the way is finished by the store first.
    async fn close(&mut self) {
        if let Some(watcher) = self.watcher.take() {
            // Dropping it joins its thread.
            let _ = tokio::task::spawn_blocking(move || drop(watcher)).await;
        }
        let Some(store) = self.store.take() else {
            return;
        };
        if let Err(err) = store.release_lease(&self.config.holder).await {
            tracing::warn!("lease not released: {err}");
        }
        match store.checkpoint().await {
            Ok(true) => {}
            Ok(false) => tracing::info!("checkpoint incomplete: another process is reading"),
            Err(err) => tracing::warn!("checkpoint failed: {err}"),
        }
        store.close().await;
    }

    /// A drop folder is watched: a newly completed export is taken at once,
    /// not at the next interval. The interval still applies if watching fails.
    async fn watch_drop_folder(&self) -> Option<dropdir::DropWatcher> {
        let Origin::Dir(dir) = &self.config.origin else {
            return None;
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let options = DropOptions::new(dir.clone());
        // Starting lists the folder.
        let started = tokio::task::spawn_blocking(move || dropdir::watch(options, tx))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        let watcher = match started {
            Ok(watcher) => watcher,
            Err(err) => {
                self.send(FeedEvent::Notice(format!("{err}（一定間隔で確かめます）")));
                return None;
            }
        };
        let poll_now = self.poll_now.clone();
        std::thread::spawn(move || {
            // Ends when the watcher is dropped and its sender with it.
            while rx.recv().is_ok() {
                poll_now.notify_one();
            }
        });
        Some(watcher)
    }

    async fn open_store(&mut self) {
        let Some(path) = self.config.store.clone() else {
            return;
        };
        match StoreHandle::open(&path).await {
            Ok(store) => {
                if let Some(moved) = store.recovered_from() {
                    self.send(FeedEvent::Notice(format!(
                        "履歴ファイルが壊れていたため {} に退避し、新しく作りました",
                        moved.display()
                    )));
                }
                self.store = Some(store);
            }
            Err(err) => self.notice(PollError::StoreOpen(err)),
        }
    }

    /// At start: the last stored snapshot at once, with its age.
    async fn show_stored(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let found = store.latest_snapshot().await;
        self.show_snapshot(found);
    }

    /// Shows a snapshot read from the store, if there is one.
    fn show_snapshot(&mut self, found: Result<Option<Snapshot>, StoreError>) {
        match found {
            Ok(Some(snapshot)) => {
                self.last_snapshot = snapshot.id;
                self.send(stored_event(snapshot));
            }
            Ok(None) => {}
            Err(err) => self.notice(PollError::Store(err)),
        }
    }

    /// Masters named at start are read and stored; with none named, the
    /// newest stored ones are shown.
    async fn read_masters(&mut self) {
        let at = time::now_jst();
        if self.config.masters.is_empty() {
            if let Some(store) = &self.store {
                let update = super::masters::stored(store).await;
                if !update.is_empty() {
                    self.send(FeedEvent::Masters(Box::new(update)));
                }
            }
            return;
        }
        let mut update = super::masters::MasterUpdate {
            read_at: Some(at),
            ..Default::default()
        };
        for (kind, source) in self.config.masters.clone() {
            let label = source.label();
            let parsed = match source.read().await {
                Ok(bytes) => super::masters::parse_blocking(kind, bytes, label.clone()).await,
                Err(err) => Err(err),
            };
            match parsed {
                Ok((parsed, bytes)) => {
                    self.record_master(kind, at, &label, bytes).await;
                    update.problems.extend(parsed.problems);
                    update.hospitals = update.hospitals.or(parsed.hospitals);
                    update.municipalities = update.municipalities.or(parsed.municipalities);
                }
                Err(err) => update.problems.push(err.to_string()),
            }
        }
        self.send(FeedEvent::Masters(Box::new(update)));
    }

    async fn record_master(
        &mut self,
        kind: MasterKind,
        at: JstDateTime,
        source: &str,
        body: Vec<u8>,
    ) {
        if let Some(store) = &self.store {
            if let Err(err) = store.record_master(kind, at, source, body).await {
                self.notice(PollError::MasterNotStored(err));
            }
        }
    }

    /// One poller per host: the lease decides whether this process polls. The holder
    /// renews it every [`Self::renew_every`], backing off or not; any other process tries
    /// to take it every tick, and does once it has expired. Without a store every process
    /// polls for itself.
    async fn keep_lease(&mut self) -> bool {
        let Some(store) = self.store.clone() else {
            self.set_polling(true);
            self.set_role(PollerRole::ThisProcess);
            return true;
        };
        let renew_every = self.renew_every();
        if self.polling && self.renewed_at.is_some_and(|at| at.elapsed() < renew_every) {
            return true;
        }
        let holder = self.config.holder.clone();
        let ttl = self.lease_ttl();
        let claimed = store
            .call(move |store| claim_lease(store, &holder, ttl))
            .await;
        let role = match claimed {
            Ok(Claim::Held) => {
                self.lease_error_said = false;
                self.renewed_at = Some(tokio::time::Instant::now());
                PollerRole::ThisProcess
            }
            Ok(Claim::Refused {
                holder,
                last_success,
            }) => {
                self.lease_error_said = false;
                self.renewed_at = None;
                self.other_poller(holder, last_success)
            }
            Err(err) => {
                // Better two pollers than none.
                if !std::mem::replace(&mut self.lease_error_said, true) {
                    self.notice(PollError::Store(err));
                }
                PollerRole::ThisProcess
            }
        };
        let held = role.is_this_process();
        self.set_polling(held);
        self.set_role(role);
        held
    }

    fn other_poller(
        &self,
        holder: Option<String>,
        last_success: Option<JstDateTime>,
    ) -> PollerRole {
        let Some(name) = holder else {
            return PollerRole::Nobody { last_success };
        };
        PollerRole::Other {
            same_host: host_of(&name) == host_of(&self.config.holder),
            holder: Holder::parse(&name),
            last_success,
        }
    }

    /// A process that starts polling (at start, or taking over) polls at once.
    fn set_polling(&mut self, held: bool) {
        if held && !self.polling {
            self.next_fetch = None;
        }
        self.polling = held;
    }

    fn set_role(&mut self, role: PollerRole) {
        if self.role.as_ref() != Some(&role) {
            self.role = Some(role.clone());
            self.send(FeedEvent::Poller(role));
        }
    }

    /// How long the lease lasts from a renewal: [`LEASE_INTERVALS`] intervals.
    fn lease_ttl(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.config.interval.saturating_mul(LEASE_INTERVALS))
            .unwrap_or(chrono::Duration::MAX)
    }

    /// A quarter interval (at least a tick): the lease never comes near expiring.
    fn renew_every(&self) -> Duration {
        (self.config.interval / 4).max(FOLLOW_EVERY)
    }

    fn lease_keeper(&self) -> Option<LeaseKeeper> {
        Some(LeaseKeeper {
            store: self.store.clone()?,
            holder: self.config.holder.clone(),
            ttl: self.lease_ttl(),
            every: self.renew_every(),
        })
    }

    /// A process that does not poll shows what the poller stored.
    async fn follow(&mut self) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let found = store.snapshot_after(self.last_snapshot).await;
        self.show_snapshot(found);
        if let Ok(Some(fetch)) = store.last_fetch().await {
            if self.last_seen_fetch != Some(fetch.fetched_at) {
                self.last_seen_fetch = Some(fetch.fetched_at);
                let event = match fetch.error {
                    Some(message) => FeedEvent::Failed {
                        at: fetch.fetched_at,
                        message,
                    },
                    None => FeedEvent::Unchanged {
                        at: fetch.fetched_at,
                    },
                };
                self.send(event);
            }
        }
    }

    async fn poll(&mut self) {
        let at = time::now_jst();
        match self.fetch().await {
            Ok(None) => {
                self.changing_reads = 0;
                self.backoff.success();
                self.unchanged(at).await;
            }
            Ok(Some(fetched)) => {
                self.changing_reads = 0;
                let body = match (fetched.in_blocks, &fetched.file) {
                    (true, Some((path, stamp))) => BodySource::File(path.clone(), *stamp),
                    _ => BodySource::Bytes(fetched.bytes),
                };
                match self.accept(body, fetched.label, at).await {
                    Ok(()) => {
                        // Only now is the file's version known good.
                        self.last_file = fetched.file;
                        self.backoff.success();
                    }
                    Err(PollError::Read(ReadError::Changing { path })) => self.still_changing(path),
                    Err(error) => self.fail(at, error).await,
                }
            }
            Err(PollError::Read(ReadError::Changing { path })) => self.still_changing(path),
            Err(error) => {
                self.changing_reads = 0;
                self.fail(at, error).await
            }
        }
    }

    /// A poll that found nothing new: stored as the poller's last success, so that the
    /// other dashboards and `bedboard status` know the feed is alive.
    async fn unchanged(&mut self, at: JstDateTime) {
        if let Some(store) = &self.store {
            let fetch = match &self.last_good {
                Some((fetch, _)) => FetchRecord {
                    fetched_at: at,
                    ..fetch.clone()
                },
                None => FetchRecord {
                    error: None,
                    ..FetchRecord::failed(&self.config.origin.label(), at, "")
                },
            };
            if let Err(err) = store.call(move |s| s.record_unchanged(&fetch)).await {
                self.notice(PollError::StoreWrite(err));
            }
        }
        self.send(FeedEvent::Unchanged { at });
    }

    /// A file caught while being written is read again soon; the data on screen stays,
    /// and after a few such reads the status line says why nothing new comes.
    fn still_changing(&mut self, path: PathBuf) {
        self.retry_soon = true;
        self.changing_reads += 1;
        if self.changing_reads == STILL_WRITING_AFTER {
            self.notice(PollError::StillWriting { path });
        }
    }

    /// Records and shows a failed poll; its text is the error's, made here once.
    async fn fail(&mut self, at: JstDateTime, error: PollError) {
        let message = error.to_string();
        let asked = match &error {
            PollError::Fetch(fetch) => fetch.retry_after(),
            _ => None,
        };
        self.backoff.failure_asking(asked);
        self.record(
            FetchRecord {
                source: self.config.origin.label(),
                fetched_at: at,
                content_hash: String::new(),
                rows_accepted: 0,
                rows_rejected: 0,
                rows_out_of_scope: 0,
                error: Some(message.clone()),
            },
            None,
        )
        .await;
        self.send(FeedEvent::Failed { at, message });
    }

    /// The body and a label for it, or none when nothing changed.
    async fn fetch(&mut self) -> Result<Option<Fetch>, PollError> {
        match &self.config.origin {
            Origin::Http(options) => fetch_http(&mut self.fetcher, options).await,
            Origin::File(path) => {
                let path = path.clone();
                self.read_if_changed(path).await
            }
            Origin::Dir(dir) => {
                let dir = dir.clone();
                let scan = newest_export(dir.clone()).await?;
                self.report_odd_names(scan.odd_names);
                match scan.newest {
                    Some(path) => self.read_if_changed(path).await,
                    None => Err(PollError::NoExport { dir }),
                }
            }
        }
    }

    /// Each drop-folder file whose name cannot be read is said once.
    fn report_odd_names(&mut self, names: Vec<String>) {
        for name in names {
            if self.odd_names.insert(name.clone()) {
                self.notice(PollError::OddFileName { name });
            }
        }
    }

    /// A file's bytes, unless it is the version last used. Read only when whole: a file
    /// written to within [`FILE_SETTLE`], one that changes while read, or one that stops
    /// inside a row and was written to within [`UNFINISHED_SETTLE`], is read again later.
    async fn read_if_changed(&mut self, path: PathBuf) -> Result<Option<Fetch>, PollError> {
        let max_bytes = self.config.max_bytes;
        let looked = path.clone();
        let stamp =
            tokio::task::spawn_blocking(move || crate::files::check_regular(&looked, max_bytes))
                .await?
                .map_err(PollError::Read)?;
        if self.last_file == Some((path.clone(), stamp)) {
            return Ok(None);
        }
        if !written_before(&stamp, FILE_SETTLE) {
            return Err(PollError::Read(ReadError::Changing { path }));
        }
        if stamp.len >= super::loading::LARGE_BODY {
            // Reading a large file takes a moment too: the board says so from the start.
            self.send(FeedEvent::Loading(LoadProgress {
                source_label: path.display().to_string(),
                bytes: 0,
                total: Some(stamp.len),
                rows: 0,
            }));
        }
        if stamp.len >= crate::formats::gmis_stream::READ_IN_BLOCKS_FROM
            && matches!(
                self.config.format,
                crate::formats::FeedFormat::Auto | crate::formats::FeedFormat::Csv
            )
        {
            // Read and parsed block by block when it is used, never held whole.
            return Ok(Some(Fetch {
                bytes: Vec::new(),
                label: path.display().to_string(),
                file: Some((path, stamp)),
                in_blocks: true,
            }));
        }
        let (opened, format) = (path.clone(), self.config.format);
        let (bytes, stamp) =
            tokio::task::spawn_blocking(move || read_settled(&opened, max_bytes, format)).await??;
        Ok(Some(Fetch {
            bytes,
            label: path.display().to_string(),
            file: Some((path, stamp)),
            in_blocks: false,
        }))
    }

    /// Reads a body, drops other prefectures, stores it and shows it. A body
    /// that cannot be read changes nothing but the status line.
    async fn accept(
        &mut self,
        source: BodySource,
        label: String,
        at: JstDateTime,
    ) -> Result<(), PollError> {
        let options = ImportOptions {
            encoding: self.config.encoding,
            source_name: label.clone(),
            measure_rows: true,
        };
        let format = self.config.format;
        let last_hash = self.last_hash.clone();
        let tx = self.tx.clone();
        let max_bytes = self.config.max_bytes;
        let (hash, body, bytes) = tokio::task::spawn_blocking(move || {
            let total = Some(match &source {
                BodySource::Bytes(bytes) => bytes.len() as u64,
                BodySource::File(_, stamp) => stamp.len,
            });
            let started = std::time::Instant::now();
            // Once the dashboard has quit, the import stops at its next report.
            let mut progress = ProgressReporter::new(label_for(&options), total, started, |p| {
                tx.send(FeedEvent::Loading(p)).is_ok()
            });
            // A body that may turn out the same as the last says nothing until it is parsed.
            if last_hash.is_none() {
                progress.begin(started);
            }
            match source {
                BodySource::Bytes(bytes) => {
                    let last_hash = last_hash.as_deref();
                    let (hash, body) =
                        read_body(&bytes, last_hash, format, &options, &mut progress);
                    Ok((hash, body, bytes))
                }
                BodySource::File(path, stamp) => {
                    let file = BlockFile {
                        path,
                        stamp,
                        max_bytes,
                    };
                    read_in_blocks(&file, last_hash.as_deref(), format, &options, &mut progress)
                }
            }
        })
        .await??;
        let import = match body {
            Body::Same => {
                self.unchanged(at).await;
                return Ok(());
            }
            Body::Report(import) => *import,
            // A drop folder also receives master exports.
            Body::Master(kind, mut update) => {
                self.last_hash = Some(hash);
                self.record_master(kind, at, &label, bytes).await;
                update.read_at = Some(at);
                self.send(FeedEvent::Masters(update));
                self.unchanged(at).await;
                return Ok(());
            }
            Body::Unreadable(err) => return Err(PollError::Unreadable(err)),
        };
        drop(bytes);
        let problems = import.messages();
        let rejected_rows = import.rejected_rows;
        let mut report = import.report;
        let read_rows = report.rows.len();
        if let Some(pref) = self.config.prefecture {
            report.rows.retain(|row| row.prefecture_no == pref);
        }
        let out_of_scope = read_rows - report.rows.len();
        // Figures of rows no longer all there are not of this report.
        let figures = import.figures.filter(|_| out_of_scope == 0).map(|f| *f);
        if report.rows.is_empty() && read_rows > 0 {
            return Err(PollError::NoRowsInScope { out_of_scope });
        }
        if report.rows.is_empty() {
            return Err(match rejected_rows {
                0 => PollError::NoRows,
                rejected => PollError::AllRowsRejected { rejected },
            });
        }
        self.last_hash = Some(hash.clone());
        let report = Arc::new(report);
        let fetch = FetchRecord {
            source: label.clone(),
            fetched_at: at,
            content_hash: hash,
            rows_accepted: report.rows.len(),
            rows_rejected: rejected_rows,
            rows_out_of_scope: out_of_scope,
            error: None,
        };
        self.last_good = Some((fetch.clone(), report.clone()));
        let recorded = self.record(fetch, Some(report.clone())).await;
        if let Some(id) = recorded {
            self.last_snapshot = id;
        }
        // This report went to the file at the path, whatever the store did before it.
        self.announce_store_changes();
        let stored = self.keeps_history.then_some(recorded.is_some());
        self.send(FeedEvent::Snapshot(Box::new(FeedSnapshot {
            report,
            fetched_at: at,
            source_label: label,
            problems,
            out_of_scope,
            from_store: false,
            stored,
            figures,
        })));
        Ok(())
    }

    /// Stores a fetch; a store that cannot be written is said once and the
    /// dashboard goes on from memory.
    async fn record(&mut self, fetch: FetchRecord, report: Option<Arc<Report>>) -> Option<i64> {
        let store = self.store.as_ref()?;
        match store.record_fetch(fetch, report).await {
            Ok(id) => id,
            Err(err) => {
                self.notice(PollError::StoreWrite(err));
                None
            }
        }
    }

    /// Says what the store did about a deleted or replaced file; true if it did anything.
    fn announce_store_changes(&mut self) -> bool {
        let Some(store) = &self.store else {
            return false;
        };
        let changes = store.take_file_changes();
        for change in &changes {
            self.send(FeedEvent::Notice(change.to_string()));
        }
        !changes.is_empty()
    }

    /// A store file made anew or replaced gets the report on the board, so that the two
    /// agree; a follower starts again from the new file's first snapshot.
    async fn follow_store_file(&mut self) {
        if !self.announce_store_changes() {
            return;
        }
        self.last_snapshot = 0;
        if !self.polling {
            return;
        }
        if let Some((fetch, report)) = self.last_good.clone() {
            if let Some(id) = self.record(fetch, Some(report)).await {
                self.last_snapshot = id;
            }
        }
    }

    /// Old history goes once a day.
    async fn prune(&mut self) {
        let now = time::now_jst();
        if self
            .last_prune
            .is_some_and(|at| now - at < chrono::Duration::days(1))
        {
            return;
        }
        self.last_prune = Some(now);
        if let Some(store) = &self.store {
            if let Err(err) = store.prune(now, self.config.retention).await {
                self.notice(PollError::Store(err));
            }
        }
    }
}

/// What trying the lease found.
enum Claim {
    Held,
    /// Another process holds it (its name, if there still is a lease at all).
    Refused {
        holder: Option<String>,
        last_success: Option<JstDateTime>,
    },
}

/// Takes or renews the lease, on the store's thread (the clock is read there, when the
/// request runs); a service takes it from a dashboard that holds it. If another holds
/// it, who, and when its last success was.
fn claim_lease(
    store: &mut Store,
    holder: &str,
    ttl: chrono::Duration,
) -> Result<Claim, StoreError> {
    let now = time::now_jst();
    if store.try_acquire_lease(holder, now, ttl)? {
        return Ok(Claim::Held);
    }
    let current = store.lease()?.map(|(name, _)| name);
    if let Some(from) = current.as_deref().filter(|from| prefers_over(holder, from)) {
        if store.take_lease_from(holder, from, now, ttl)? {
            return Ok(Claim::Held);
        }
    }
    Ok(Claim::Refused {
        holder: current,
        last_success: store.last_success()?,
    })
}

/// Renews the holder's lease while a poll runs.
struct LeaseKeeper {
    store: StoreHandle,
    holder: String,
    ttl: chrono::Duration,
    every: Duration,
}

impl LeaseKeeper {
    async fn renew_forever(self) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(self.every).await;
            let now = time::now_jst();
            // A refusal or an error is found by the next tick's own try.
            let _ = self
                .store
                .try_acquire_lease(&self.holder, now, self.ttl)
                .await;
        }
    }
}

/// Runs `work`, renewing the lease alongside until it is done.
async fn keep_lease_while<F: std::future::Future>(
    keeper: Option<LeaseKeeper>,
    work: F,
) -> F::Output {
    let Some(keeper) = keeper else {
        return work.await;
    };
    tokio::select! {
        out = work => out,
        never = keeper.renew_forever() => match never {},
    }
}

/// A body as fetched or read.
struct Fetch {
    bytes: Vec<u8>,
    label: String,
    /// The file and its version, when read from one: recorded once the body is used.
    file: Option<(PathBuf, FileStamp)>,
    /// A large file, read and parsed in blocks when it is used (`bytes` is empty).
    in_blocks: bool,
}

/// A body to read: in memory, or a large file read in blocks.
enum BodySource {
    Bytes(Vec<u8>),
    File(PathBuf, FileStamp),
}

/// Whether the file was last written at least `settle` ago. A time in the future (a share
/// whose clock is ahead) cannot tell, and counts as long ago.
fn written_before(stamp: &FileStamp, settle: Duration) -> bool {
    stamp.modified.elapsed().map_or(true, |age| age >= settle)
}

/// What a fetched body turned out to be.
enum Body {
    /// The same bytes as last time.
    Same,
    Report(Box<Import>),
    /// Not a report but a master (a drop folder receives both).
    Master(MasterKind, Box<MasterUpdate>),
    Unreadable(ImportError),
}

/// The source as a progress event names it.
fn label_for(options: &ImportOptions) -> String {
    options.source_name.clone()
}

/// The body's hash, for telling a changed body from the same one.
fn content_hash(bytes: &[u8]) -> String {
    crate::text::hex(&Sha256::digest(bytes))
}

/// Hashes and reads a body, on a blocking thread: a report, else a master, else an error.
/// With nothing to compare against (the first body), the hash is made on a second
/// thread while the body is parsed.
fn read_body(
    bytes: &[u8],
    last_hash: Option<&str>,
    format: crate::formats::FeedFormat,
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> (String, Body) {
    if last_hash.is_none() {
        return std::thread::scope(|scope| {
            let hashing = scope.spawn(|| content_hash(bytes));
            let body = parse_body(bytes, format, options, progress);
            let hash = hashing.join().unwrap_or_else(|_| content_hash(bytes));
            (hash, body)
        });
    }
    let hash = content_hash(bytes);
    if last_hash == Some(hash.as_str()) {
        return (hash, Body::Same);
    }
    (hash, parse_body(bytes, format, options, progress))
}

/// A file's bytes, read whole; one that stops inside a row and was written
/// within [`UNFINISHED_SETTLE`] is said to be changing, to be read again later.
fn read_settled(
    path: &Path,
    max_bytes: u64,
    format: crate::formats::FeedFormat,
) -> Result<(Vec<u8>, FileStamp), PollError> {
    let (bytes, stamp) = crate::files::read_regular(path, max_bytes).map_err(PollError::Read)?;
    let whole = crate::formats::ends_at_row_boundary(&bytes, format);
    if !whole && !written_before(&stamp, UNFINISHED_SETTLE) {
        return Err(PollError::Read(ReadError::Changing {
            path: path.to_path_buf(),
        }));
    }
    Ok((bytes, stamp))
}

/// A large file to read in blocks.
struct BlockFile {
    path: PathBuf,
    stamp: FileStamp,
    max_bytes: u64,
}

/// Reads and parses a large file block by block, with its hash, as [`read_body`]
/// does a body in memory. What is not a CSV report (a JSON, an .xlsx, a master,
/// an encoding that shows only late) is read whole instead.
fn read_in_blocks(
    file: &BlockFile,
    last_hash: Option<&str>,
    format: crate::formats::FeedFormat,
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> Result<(String, Body, Vec<u8>), PollError> {
    let path = &file.path;
    let (streamed, stamp) =
        crate::formats::gmis_stream::import_file_in_blocks(path, file.max_bytes, options, progress)
            .map_err(PollError::Read)?;
    if stamp != file.stamp {
        return Err(PollError::Read(ReadError::Changing { path: path.clone() }));
    }
    let Streamed::Read {
        import,
        content_hash,
        complete,
        ..
    } = streamed
    else {
        let (bytes, _) = read_settled(path, file.max_bytes, format)?;
        let (hash, body) = read_body(&bytes, last_hash, format, options, progress);
        return Ok((hash, body, bytes));
    };
    if !complete && !written_before(&stamp, UNFINISHED_SETTLE) {
        return Err(PollError::Read(ReadError::Changing { path: path.clone() }));
    }
    if last_hash == Some(content_hash.as_str()) {
        return Ok((content_hash, Body::Same, Vec::new()));
    }
    match import {
        Ok(import) => Ok((content_hash, Body::Report(import), Vec::new())),
        // Not a report: perhaps a master, which is small; read as a body in memory is.
        Err(err) if is_not_a_report(&err) => {
            let (bytes, _) =
                crate::files::read_regular(path, file.max_bytes).map_err(PollError::Read)?;
            Ok((
                content_hash,
                parse_body(&bytes, format, options, progress),
                bytes,
            ))
        }
        Err(err) => Ok((content_hash, Body::Unreadable(err), Vec::new())),
    }
}

/// A body read as a report, else as a master, else the report's error.
fn parse_body(
    bytes: &[u8],
    format: crate::formats::FeedFormat,
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> Body {
    match crate::formats::import_any_observed(bytes, format, options, progress) {
        Ok(import) => Body::Report(Box::new(import)),
        Err(err) if is_not_a_report(&err) => {
            match super::masters::parse_any(bytes, &options.source_name) {
                Some((kind, update)) => Body::Master(kind, Box::new(update)),
                None => Body::Unreadable(err),
            }
        }
        Err(err) => Body::Unreadable(err),
    }
}

fn is_not_a_report(err: &ImportError) -> bool {
    matches!(
        err.kind,
        ImportErrorKind::NotAReport { .. } | ImportErrorKind::MissingColumns { .. }
    )
}

/// One HTTP(S) poll; the fetcher is built at the first one and kept, with its validators.
async fn fetch_http(
    fetcher: &mut Option<Fetcher>,
    options: &HttpOptions,
) -> Result<Option<Fetch>, PollError> {
    let fetcher = match fetcher {
        Some(fetcher) => fetcher,
        None => {
            // Building the client may read a CA file.
            let options = options.clone();
            let built = tokio::task::spawn_blocking(move || Fetcher::new(options)).await??;
            fetcher.insert(built)
        }
    };
    match fetcher.fetch().await? {
        Fetched::NotModified => Ok(None),
        Fetched::Body { bytes, url, .. } => Ok(Some(Fetch {
            bytes,
            label: crate::source::http::redact_url(&url),
            file: None,
            in_blocks: false,
        })),
    }
}

/// The newest complete export in a drop folder, listed on a blocking thread (it may
/// wait a moment for a file dated in the future to settle).
async fn newest_export(dir: PathBuf) -> Result<dropdir::Scan, PollError> {
    let options = DropOptions {
        dir,
        settle: Duration::from_secs(1),
    };
    tokio::task::spawn_blocking(move || dropdir::scan(&options))
        .await?
        .map_err(PollError::DropFolder)
}

fn stored_event(snapshot: Snapshot) -> FeedEvent {
    FeedEvent::Snapshot(Box::new(FeedSnapshot {
        report: Arc::new(snapshot.report),
        fetched_at: snapshot.fetched_at,
        source_label: format!("{}（保存分）", snapshot.source),
        problems: Vec::new(),
        out_of_scope: 0,
        from_store: true,
        stored: Some(true),
        figures: None,
    }))
}

/// One log line per outcome. Messages are the same words the status line
/// shows: they never hold a secret or a URL's query.
fn log(event: &FeedEvent) {
    match event {
        FeedEvent::Snapshot(s) => tracing::info!(
            rows = s.report.rows.len(),
            out_of_scope = s.out_of_scope,
            problems = s.problems.len(),
            from_store = s.from_store,
            "snapshot from {}",
            s.source_label
        ),
        FeedEvent::Unchanged { .. } => tracing::debug!("unchanged"),
        FeedEvent::Failed { message, .. } => tracing::warn!("poll failed: {message}"),
        FeedEvent::NextPoll { .. } => {}
        FeedEvent::Poller(poller) => tracing::info!("{}", poller.status_text()),
        FeedEvent::Masters(update) => tracing::info!(
            hospitals = update.hospitals.as_ref().map_or(0, |m| m.len()),
            municipalities = update.municipalities.as_ref().map_or(0, |m| m.len()),
            "masters"
        ),
        FeedEvent::Notice(text) => tracing::info!("{text}"),
        FeedEvent::Loading(progress) => tracing::debug!(
            bytes = progress.bytes,
            rows = progress.rows,
            "loading {}",
            progress.source_label
        ),
    }
}

//! The drop folder: a browser saves each G-MIS export into a folder, and bedboard takes the
//! newest complete file.
//!
//! An export is a regular file named `*.csv`, `*.json` or `*.xlsx` (any case). A download in
//! progress is not one: partial names (`.crdownload`, `.part`, `.tmp`, `.download`), hidden
//! and Office lock files (`.name`, `~$name`), empty files, a file whose partial twin still
//! exists (Firefox creates `report.csv` empty beside `report.csv.part`), and a file written
//! to within the settle time. Files are only looked at: never opened, moved or deleted.

use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long a file's size and time must stay unchanged to count as complete.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(1);

/// How often the folder is listed when the watcher cannot run.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// How often the folder is listed anyway while watching, in case an event was missed
/// (network shares report nothing of other machines' writes).
const SAFETY_RESCAN: Duration = Duration::from_secs(30);

/// How long to gather a burst of events before listing the folder.
const EVENT_DEBOUNCE: Duration = Duration::from_millis(100);

/// Extensions of exports, lower case.
const EXPORT_EXTENSIONS: [&str; 3] = ["csv", "json", "xlsx"];

/// Suffixes browsers give a download in progress.
const PARTIAL_SUFFIXES: [&str; 4] = ["crdownload", "part", "tmp", "download"];

/// Where to look and when a file counts as complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropOptions {
    pub dir: PathBuf,
    /// Size and modification time unchanged for this long = complete.
    pub settle: Duration,
}

impl DropOptions {
    /// `dir` with the default settle time.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            settle: DEFAULT_SETTLE,
        }
    }
}

/// Whether `name` is an export's name: `.csv`, `.json` or `.xlsx` in any case, not hidden,
/// not an Office lock file, not a partial download.
pub fn is_export_name(name: &str) -> bool {
    if name.starts_with('.') || name.starts_with("~$") {
        return false;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && EXPORT_EXTENSIONS
                    .iter()
                    .any(|e| ext.eq_ignore_ascii_case(e))
        }
        None => false,
    }
}

/// The newest complete export now in the folder, if any.
///
/// "Newest" is by modification time (then by name). A file counts as complete when it is not
/// empty, no partial download of the same name is beside it, and it was last modified at least
/// `settle` ago. A file dated in the future (a share with a clock ahead) is looked at twice,
/// `settle` apart, instead; only then does this call wait.
pub fn newest_complete(options: &DropOptions) -> io::Result<Option<PathBuf>> {
    scan(options).map(|scan| scan.newest)
}

/// What one look at the folder found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The newest complete export, as [`newest_complete`] gives it.
    pub newest: Option<PathBuf>,
    /// Files that would be exports but whose names are not valid text, so they are not
    /// read: each name shown with the unreadable parts replaced and control characters
    /// neutralised.
    pub odd_names: Vec<String>,
}

/// As [`newest_complete`], and the names it had to leave out.
pub fn scan(options: &DropOptions) -> io::Result<Scan> {
    let listing = list(&options.dir)?;
    let odd_names = listing.odd_names.clone();
    let now = SystemTime::now();
    let mut future = Vec::new();
    let mut best: Option<&Candidate> = None;
    for candidate in &listing.candidates {
        match clock_age(candidate.stamp.modified, now) {
            Some(age) if age >= options.settle => {
                if best.is_none_or(|b| candidate.is_newer_than(b)) {
                    best = Some(candidate);
                }
            }
            Some(_) => {}
            None => future.push(candidate),
        }
    }
    // Files dated in the future: complete if unchanged over `settle`.
    let future: Vec<&Candidate> = future
        .into_iter()
        .filter(|c| best.is_none_or(|b| c.is_newer_than(b)))
        .collect();
    if !future.is_empty() {
        thread::sleep(options.settle);
        for candidate in future {
            let still = fs::metadata(&candidate.path)
                .ok()
                .and_then(|m| Stamp::of(&m));
            let unchanged = still == Some(candidate.stamp);
            if unchanged && best.is_none_or(|b| candidate.is_newer_than(b)) {
                best = Some(candidate);
            }
        }
    }
    Ok(Scan {
        newest: best.map(|c| c.path.clone()),
        odd_names,
    })
}

/// Watching a drop folder; stops when dropped.
pub struct DropWatcher {
    /// Held to keep the watcher running; `None` when polling.
    watcher: Option<RecommendedWatcher>,
    stop: Sender<Message>,
    worker: Option<JoinHandle<()>>,
    polling: bool,
}

impl DropWatcher {
    /// Whether the folder is listed every few seconds (asked for, or the watcher could not
    /// start) rather than watched.
    pub fn is_polling(&self) -> bool {
        self.polling
    }
}

impl Drop for DropWatcher {
    fn drop(&mut self) {
        // Stop the events first, then the worker.
        drop(self.watcher.take());
        let _ = self.stop.send(Message::Stop);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl std::fmt::Debug for DropWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DropWatcher")
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

/// Watches the folder and sends on `tx` the path of each export that becomes the newest
/// complete one: the newest complete file already there first, then each newer one once it
/// has settled. One send per settled file, not per write; a file already sent is sent again
/// only when it changes (and is then the newest). A file counts as complete as for
/// [`newest_complete`], and in addition its size and time must have been seen unchanged for
/// `settle`.
///
/// Uses notify's recommended watcher; when that cannot start (e.g. the inotify limits are
/// reached), logs why and lists the folder every [`POLL_INTERVAL`] instead. Watching ends
/// when the returned handle is dropped, or when `tx`'s receiver is gone.
pub fn watch(options: DropOptions, tx: Sender<PathBuf>) -> io::Result<DropWatcher> {
    start(options, tx, true)
}

/// As [`watch`], but always listing the folder every [`POLL_INTERVAL`], without change
/// notifications: for a folder on a network share, where notifications do not report
/// other machines' writes.
pub fn watch_polling(options: DropOptions, tx: Sender<PathBuf>) -> io::Result<DropWatcher> {
    start(options, tx, false)
}

fn start(options: DropOptions, tx: Sender<PathBuf>, notify: bool) -> io::Result<DropWatcher> {
    // A missing folder is an error now, not a silent empty watch.
    list(&options.dir)?;
    let (events_tx, events_rx) = mpsc::channel::<Message>();
    let watcher = if notify {
        match start_watcher(&options.dir, events_tx.clone()) {
            Ok(watcher) => Some(watcher),
            Err(err) => {
                tracing::warn!(
                    "フォルダ {} の変更通知を使えません（{}）。{}秒ごとに確認します",
                    options.dir.display(),
                    err,
                    POLL_INTERVAL.as_secs()
                );
                None
            }
        }
    } else {
        None
    };
    let polling = watcher.is_none();
    let mut state = WatchState::new(options, polling);
    let worker = thread::Builder::new()
        .name("drop-folder".into())
        .spawn(move || state.run(&events_rx, &tx))?;
    Ok(DropWatcher {
        watcher,
        stop: events_tx,
        worker: Some(worker),
        polling,
    })
}

fn start_watcher(dir: &Path, events: Sender<Message>) -> notify::Result<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            // Our consumer reading a file is no change to the folder.
            Ok(event) => !matches!(
                event.kind,
                EventKind::Access(AccessKind::Open(_))
                    | EventKind::Access(AccessKind::Close(AccessMode::Read))
                    | EventKind::Access(AccessKind::Read)
            ),
            Err(_) => true,
        };
        if relevant {
            let _ = events.send(Message::Changed);
        }
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

enum Message {
    /// Something happened in the folder (or the watcher reported an error): list it again.
    Changed,
    Stop,
}

// ---------------------------------------------------------------------------------------------
// The listing

/// What identifies one version of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: SystemTime,
}

impl Stamp {
    /// Regular, non-empty files with a modification time.
    fn of(meta: &Metadata) -> Option<Stamp> {
        if !meta.is_file() || meta.len() == 0 {
            return None;
        }
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
        })
    }
}

#[derive(Clone, Debug)]
struct Candidate {
    path: PathBuf,
    name: String,
    stamp: Stamp,
}

impl Candidate {
    fn is_newer_than(&self, other: &Candidate) -> bool {
        (self.stamp.modified, &self.name) > (other.stamp.modified, &other.name)
    }
}

struct Listing {
    candidates: Vec<Candidate>,
    /// Export-like names that are not valid text, shown safely.
    odd_names: Vec<String>,
}

/// The exports in `dir` that may be complete: partial downloads and their twins left out.
fn list(dir: &Path) -> io::Result<Listing> {
    let entries = fs::read_dir(dir).map_err(|err| folder_error(dir, &err))?;
    let mut names = Vec::new();
    let mut odd_names = Vec::new();
    for entry in entries {
        // An entry that vanished while listing is simply not there.
        let Ok(entry) = entry else { continue };
        match entry.file_name().into_string() {
            Ok(name) => names.push((name, entry.path())),
            // Not read (a name that cannot be shown cannot be named in messages), but said.
            Err(raw) => {
                let lossy = raw.to_string_lossy();
                if is_export_name(&lossy) {
                    odd_names.push(crate::text::sanitize(&lossy).into_owned());
                }
            }
        }
    }
    odd_names.sort();
    let partial_twins: Vec<&str> = names
        .iter()
        .filter_map(|(name, _)| {
            let (stem, ext) = name.rsplit_once('.')?;
            PARTIAL_SUFFIXES
                .iter()
                .any(|s| ext.eq_ignore_ascii_case(s))
                .then_some(stem)
        })
        .collect();
    let mut candidates = Vec::new();
    for (name, path) in &names {
        if !is_export_name(name) || partial_twins.contains(&name.as_str()) {
            continue;
        }
        // Follows a symbolic link to the file it names; a directory is skipped.
        let Some(stamp) = fs::metadata(path).ok().and_then(|m| Stamp::of(&m)) else {
            continue;
        };
        candidates.push(Candidate {
            path: path.clone(),
            name: name.clone(),
            stamp,
        });
    }
    Ok(Listing {
        candidates,
        odd_names,
    })
}

/// The folder cannot be listed, in words a dispatcher understands.
fn folder_error(dir: &Path, err: &io::Error) -> io::Error {
    let dir_text = dir.display();
    let message = match err.kind() {
        io::ErrorKind::NotFound => format!("フォルダ {dir_text} が見つかりません"),
        io::ErrorKind::PermissionDenied => {
            format!("フォルダ {dir_text} を読み取る権限がありません")
        }
        io::ErrorKind::NotADirectory => format!("{dir_text} はフォルダではありません"),
        _ => format!("フォルダ {dir_text} を読み取れません（{err}）"),
    };
    io::Error::new(err.kind(), message)
}

/// How long ago `modified` was; `None` when it is in the future.
fn clock_age(modified: SystemTime, now: SystemTime) -> Option<Duration> {
    now.duration_since(modified).ok()
}

// ---------------------------------------------------------------------------------------------
// The watch loop

struct WatchState {
    options: DropOptions,
    polling: bool,
    /// Each candidate's stamp when last listed, and since when it has had it.
    seen: HashMap<PathBuf, (Stamp, Instant)>,
    /// What was sent for each file still there.
    sent: HashMap<PathBuf, Stamp>,
    /// The last listing error, so one that persists is logged once.
    last_error: Option<String>,
}

impl WatchState {
    fn new(options: DropOptions, polling: bool) -> Self {
        Self {
            options,
            polling,
            seen: HashMap::new(),
            sent: HashMap::new(),
            last_error: None,
        }
    }

    fn run(&mut self, events: &mpsc::Receiver<Message>, tx: &Sender<PathBuf>) {
        let mut next_check = Some(Instant::now());
        loop {
            let now = Instant::now();
            let wait = match next_check {
                Some(at) => at.saturating_duration_since(now),
                None if self.polling => POLL_INTERVAL,
                None => SAFETY_RESCAN,
            };
            if !wait.is_zero() {
                match events.recv_timeout(wait) {
                    Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    Ok(Message::Changed) => {
                        // Gather the burst: list once it has been quiet a moment, but
                        // still list at least every debounce period while it goes on.
                        let soon = Instant::now() + EVENT_DEBOUNCE;
                        next_check = Some(next_check.map_or(soon, |at| at.min(soon)));
                        continue;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
            let (to_send, recheck) = self.check(Instant::now(), SystemTime::now());
            if let Some(path) = to_send {
                if tx.send(path).is_err() {
                    return; // nobody listens any more
                }
            }
            next_check = recheck;
        }
    }

    /// Lists the folder; returns the file to send, if any, and when to look again (`None`:
    /// when something happens, or at the next poll).
    fn check(&mut self, now: Instant, wall: SystemTime) -> (Option<PathBuf>, Option<Instant>) {
        let listing = match list(&self.options.dir) {
            Ok(listing) => {
                self.last_error = None;
                listing
            }
            Err(err) => {
                let text = err.to_string();
                if self.last_error.as_ref() != Some(&text) {
                    tracing::warn!("{text}");
                    self.last_error = Some(text);
                }
                // Try again at the next poll (or event).
                return (None, self.polling.then(|| now + POLL_INTERVAL));
            }
        };
        let settle = self.options.settle;
        let mut seen = HashMap::with_capacity(listing.candidates.len());
        // For each candidate: how long until it may count as complete (zero: it does).
        let mut waits = Vec::with_capacity(listing.candidates.len());
        for candidate in &listing.candidates {
            let since = match self.seen.get(&candidate.path) {
                Some((stamp, since)) if *stamp == candidate.stamp => *since,
                _ => now,
            };
            seen.insert(candidate.path.clone(), (candidate.stamp, since));
            let observed_wait = settle.saturating_sub(now.saturating_duration_since(since));
            // A clock ahead (a date in the future): trust what we saw.
            let clock_wait = clock_age(candidate.stamp.modified, wall)
                .map_or(Duration::ZERO, |age| settle.saturating_sub(age));
            waits.push(observed_wait.max(clock_wait));
        }
        let mut best: Option<&Candidate> = None;
        for (candidate, wait) in listing.candidates.iter().zip(&waits) {
            if wait.is_zero() && best.is_none_or(|b| candidate.is_newer_than(b)) {
                best = Some(candidate);
            }
        }
        // Look again when the first file newer than the best could have settled.
        let mut recheck = listing
            .candidates
            .iter()
            .zip(&waits)
            .filter(|(c, wait)| !wait.is_zero() && best.is_none_or(|b| c.is_newer_than(b)))
            .map(|(_, wait)| now + *wait + Duration::from_millis(20))
            .min();
        self.seen = seen;
        self.sent.retain(|path, _| self.seen.contains_key(path));
        if self.polling {
            let poll = now + POLL_INTERVAL;
            recheck = Some(recheck.map_or(poll, |r| r.min(poll)));
        }
        let to_send = best.and_then(|b| {
            if self.sent.get(&b.path) == Some(&b.stamp) {
                return None;
            }
            self.sent.insert(b.path.clone(), b.stamp);
            Some(b.path.clone())
        });
        (to_send, recheck)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names() {
        for name in [
            "report.csv",
            "REPORT.CSV",
            "r.Json",
            "整形済み.xlsx",
            "a b (1).csv",
        ] {
            assert!(is_export_name(name), "{name}");
        }
        for name in [
            "report.csv.crdownload",
            "report.csv.part",
            "report.tmp",
            "report.csv.download",
            ".report.csv",
            "~$report.xlsx",
            "report.txt",
            "report",
            ".csv",
            "report.xls",
        ] {
            assert!(!is_export_name(name), "{name}");
        }
    }

    #[test]
    fn missing_folder_is_named_in_japanese() {
        let err = newest_complete(&DropOptions::new("/nonexistent/bedboard-drop")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            "フォルダ /nonexistent/bedboard-drop が見つかりません"
        );
    }
}

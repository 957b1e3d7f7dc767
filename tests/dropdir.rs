//! The drop folder with real temporary folders and real files.
//!
//! Timing: every wait is bounded by a generous deadline. `newest_complete` is checked
//! against modification times set by the test; the watcher, which keeps its own clock, is
//! only said to have taken a file too early when the test's clock proves the check came
//! within the settle time of a write.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use bedboard::source::dropdir::{
    newest_complete, watch, watch_polling, DropOptions, POLL_INTERVAL,
};

const DEADLINE: Duration = Duration::from_secs(20);

fn options(dir: &Path, settle_ms: u64) -> DropOptions {
    DropOptions {
        dir: dir.to_path_buf(),
        settle: Duration::from_millis(settle_ms),
    }
}

/// Writes `name` with a modification time `age` ago.
fn write_aged(dir: &Path, name: &str, content: &str, age: Duration) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    let file = File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
    path
}

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

/// Calls `newest_complete` until it returns `want`, up to the deadline.
fn wait_for_newest(options: &DropOptions, want: &Path) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let got = newest_complete(options).unwrap();
        if got.as_deref() == Some(want) {
            return;
        }
        assert!(Instant::now() < deadline, "still {got:?}, not {want:?}");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_newest_of_several_is_taken_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), 300);
    assert_eq!(newest_complete(&opts).unwrap(), None, "an empty folder");

    write_aged(dir.path(), "report (1).csv", "a", hours(3));
    let newest = write_aged(dir.path(), "report (2).CSV", "b", hours(1));
    write_aged(dir.path(), "formatted.xlsx", "c", hours(2));
    write_aged(dir.path(), "rows.json", "d", hours(4));
    // Newer, but not exports: a partial download, hidden and lock files, other types,
    // an empty file, a folder with an export's name.
    for name in [
        "next.csv.crdownload",
        "next.csv.part",
        "next.tmp",
        "next.csv.download",
        ".hidden.csv",
        "~$formatted.xlsx",
        "notes.txt",
    ] {
        write_aged(dir.path(), name, "x", Duration::from_secs(60));
    }
    write_aged(dir.path(), "empty.csv", "", Duration::from_secs(60));
    fs::create_dir(dir.path().join("folder.csv")).unwrap();

    assert_eq!(newest_complete(&opts).unwrap(), Some(newest));
    // Only looked at: everything is still there.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 13);
}

#[test]
fn a_crdownload_is_ignored_until_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), 300);
    let older = write_aged(dir.path(), "old.csv", "old", hours(1));
    let partial = write_aged(
        dir.path(),
        "new.csv.crdownload",
        "new",
        Duration::from_secs(5),
    );
    assert_eq!(newest_complete(&opts).unwrap(), Some(older.clone()));

    let done = dir.path().join("new.csv");
    fs::rename(&partial, &done).unwrap();
    wait_for_newest(&opts, &done);
    assert!(older.exists() && done.exists(), "files are kept");
}

#[test]
fn firefoxs_empty_placeholder_beside_a_part_file_is_not_taken() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), 300);
    let older = write_aged(dir.path(), "old.csv", "old", hours(1));
    // Firefox: the final name exists (here not even empty) while .part is written.
    write_aged(
        dir.path(),
        "new.csv",
        "placeholder",
        Duration::from_secs(60),
    );
    let part = write_aged(dir.path(), "new.csv.part", "data", Duration::from_secs(60));
    assert_eq!(newest_complete(&opts).unwrap(), Some(older));
    fs::remove_file(part).unwrap();
    assert_eq!(
        newest_complete(&opts).unwrap(),
        Some(dir.path().join("new.csv"))
    );
}

/// Appends to `path` in chunks, `gap` apart; after each write, `check` is called with the
/// time the write started.
fn write_in_chunks(path: &Path, chunks: usize, gap: Duration, mut check: impl FnMut(Instant)) {
    for n in 0..chunks {
        let started = Instant::now();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(file, "chunk {n},{}", "x".repeat(1000)).unwrap();
        file.sync_all().unwrap();
        drop(file);
        check(started);
        thread::sleep(gap);
    }
}

#[test]
fn a_growing_file_is_not_taken_until_it_settles() {
    let dir = tempfile::tempdir().unwrap();
    // A settle time far longer than any stall of a test machine: a check right after a
    // write always comes within it, so the growing file cannot have settled.
    let opts = DropOptions {
        dir: dir.path().to_path_buf(),
        settle: Duration::from_secs(600),
    };
    let older = write_aged(dir.path(), "old.csv", "old", hours(1));
    let growing = dir.path().join("growing.csv");
    let mut checks = 0;
    write_in_chunks(&growing, 6, Duration::ZERO, |_| {
        let got = newest_complete(&opts).unwrap();
        assert_eq!(got.as_deref(), Some(older.as_path()), "taken while growing");
        checks += 1;
    });
    assert_eq!(checks, 6, "checked after every write");
    // Left alone past the settle time (dated back rather than waited for): taken.
    File::options()
        .write(true)
        .open(&growing)
        .unwrap()
        .set_modified(SystemTime::now() - opts.settle * 2)
        .unwrap();
    assert_eq!(newest_complete(&opts).unwrap(), Some(growing.clone()));
    assert!(older.exists() && growing.exists());
}

/// Receives until `deadline` or until a path arrives.
fn recv_by(rx: &mpsc::Receiver<PathBuf>, timeout: Duration) -> Option<PathBuf> {
    rx.recv_timeout(timeout).ok()
}

#[test]
fn watch_sends_each_completed_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let settle = Duration::from_millis(300);
    let first = write_aged(dir.path(), "first.csv", "first", hours(1));
    write_aged(dir.path(), "older.csv", "older", hours(2));
    let (tx, rx) = mpsc::channel();
    let watcher = watch(options(dir.path(), 300), tx).unwrap();

    // The newest complete file already there comes first, once.
    assert_eq!(recv_by(&rx, DEADLINE), Some(first.clone()));

    // A file written in chunks: sent once, after it settles.
    let growing = dir.path().join("growing.csv");
    let mut early = Vec::new();
    let mut last_write = Instant::now();
    write_in_chunks(&growing, 6, Duration::from_millis(100), |write_started| {
        // Anything received while every gap so far was shorter than the settle time
        // would be a file taken while growing.
        let gap = write_started.duration_since(last_write);
        last_write = write_started;
        while let Ok(path) = rx.try_recv() {
            if gap + Duration::from_millis(50) < settle {
                early.push(path);
            }
        }
    });
    assert!(early.is_empty(), "sent while growing: {early:?}");
    assert_eq!(recv_by(&rx, DEADLINE), Some(growing.clone()));

    // A partial download: nothing; renamed: sent once.
    let partial = dir.path().join("third.csv.crdownload");
    fs::write(&partial, "third").unwrap();
    let third = dir.path().join("third.csv");
    thread::sleep(Duration::from_millis(100));
    fs::rename(&partial, &third).unwrap();
    assert_eq!(recv_by(&rx, DEADLINE), Some(third.clone()));

    // An older file appearing (a copy that keeps its date) is not the newest: nothing.
    write_aged(dir.path(), "archive.csv", "archive", hours(5));
    // The file already sent, changed: sent again.
    fs::write(&third, "third, corrected").unwrap();
    assert_eq!(recv_by(&rx, DEADLINE), Some(third.clone()));

    // Nothing more: each file once. Wait well past the settle time.
    assert_eq!(recv_by(&rx, settle * 4 + Duration::from_secs(1)), None);
    drop(watcher);
    for path in [&first, &growing, &third] {
        assert!(path.exists(), "{} was kept", path.display());
    }
}

#[test]
fn watch_stops_when_dropped_and_reports_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let watcher = watch(options(dir.path(), 100), tx).unwrap();
    assert!(!watcher.is_polling(), "the watcher starts on this machine");
    drop(watcher);
    // The worker has ended and dropped its sender.
    assert_eq!(
        rx.recv_timeout(DEADLINE),
        Err(mpsc::RecvTimeoutError::Disconnected)
    );

    let missing = dir.path().join("no-such-folder");
    let (tx, _rx) = mpsc::channel();
    let err = watch(options(&missing, 100), tx).unwrap_err();
    assert!(err.to_string().contains("が見つかりません"), "{err}");
    assert!(err.to_string().contains("no-such-folder"), "{err}");

    let file = write_aged(dir.path(), "a.csv", "a", hours(1));
    let err = newest_complete(&options(&file, 100)).unwrap_err();
    assert!(err.to_string().contains("フォルダではありません"), "{err}");
}

#[test]
fn polling_finds_files_without_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let first = write_aged(dir.path(), "first.csv", "first", hours(1));
    let (tx, rx) = mpsc::channel();
    let watcher = watch_polling(options(dir.path(), 300), tx).unwrap();
    assert!(watcher.is_polling());
    assert_eq!(recv_by(&rx, DEADLINE), Some(first));
    let second = write_aged(dir.path(), "second.json", "[]", Duration::from_secs(10));
    assert_eq!(recv_by(&rx, DEADLINE), Some(second.clone()));
    // Unchanged over two more polls: not sent again.
    assert_eq!(
        recv_by(&rx, POLL_INTERVAL * 2 + Duration::from_millis(500)),
        None
    );
    drop(watcher);
    assert!(second.exists());
}

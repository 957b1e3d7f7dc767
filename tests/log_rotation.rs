//! The log file holds one day: an older file is moved aside under its day when the log
//! starts and when the day turns while it runs, and a week of those is kept. Real files
//! in a temporary folder; the day is the test's clock, the file's day its modification time.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bedboard::cli::log::{DailyLog, SanitizedLog, KEPT_DAYS};
use bedboard::model::time::jst;
use chrono::{NaiveDate, TimeZone};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Marks the file as last written at noon (in Japan) of `on`.
fn last_written_on(path: &Path, on: NaiveDate) {
    let noon = jst()
        .from_local_datetime(&on.and_hms_opt(12, 0, 0).unwrap())
        .unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(noon.into()).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The names in the folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A clock the test turns.
fn clock(start: &str) -> (Arc<Mutex<NaiveDate>>, Box<dyn Fn() -> NaiveDate + Send>) {
    let today = Arc::new(Mutex::new(day(start)));
    let shared = today.clone();
    (today, Box::new(move || *shared.lock().unwrap()))
}

#[test]
fn a_log_from_an_earlier_day_is_moved_aside_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bedboard.log");
    std::fs::write(&path, "old line\n").unwrap();
    last_written_on(&path, day("2026-11-29"));
    let (_, today) = clock("2026-12-01");
    let mut log = DailyLog::with_clock(&path, KEPT_DAYS, today).unwrap();
    log.write_all(b"new line\n").unwrap();
    assert_eq!(
        names(dir.path()),
        ["bedboard.log", "bedboard.log.2026-11-29"]
    );
    assert_eq!(
        read(&dir.path().join("bedboard.log.2026-11-29")),
        "old line\n"
    );
    assert_eq!(read(&path), "new line\n");
}

#[test]
fn todays_log_is_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bedboard.log");
    std::fs::write(&path, "earlier today\n").unwrap();
    last_written_on(&path, day("2026-12-01"));
    let (_, today) = clock("2026-12-01");
    let mut log = DailyLog::with_clock(&path, KEPT_DAYS, today).unwrap();
    log.write_all(b"now\n").unwrap();
    assert_eq!(names(dir.path()), ["bedboard.log"]);
    assert_eq!(read(&path), "earlier today\nnow\n");
}

#[test]
fn the_turn_of_the_day_while_running_starts_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bedboard.log");
    let (today, clock) = clock("2026-12-01");
    let log = DailyLog::with_clock(&path, KEPT_DAYS, clock).unwrap();
    // Through the sanitising writer, as the dashboard logs.
    let subscriber = tracing_subscriber::fmt()
        .with_writer(SanitizedLog::new(log))
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("before midnight");
        last_written_on(&path, day("2026-12-01"));
        *today.lock().unwrap() = day("2026-12-02");
        tracing::info!("after midnight");
        tracing::info!("later that day");
    });
    assert_eq!(
        names(dir.path()),
        ["bedboard.log", "bedboard.log.2026-12-01"]
    );
    let old = read(&dir.path().join("bedboard.log.2026-12-01"));
    assert_eq!(old.lines().count(), 1, "{old}");
    assert!(old.contains("before midnight"), "{old}");
    let new = read(&path);
    assert_eq!(new.lines().count(), 2, "{new}");
    assert!(
        new.contains("after midnight") && new.contains("later that day"),
        "{new}"
    );
}

#[test]
fn only_a_week_of_old_logs_is_kept_and_other_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bedboard.log");
    for d in 1..=10 {
        std::fs::write(
            dir.path().join(format!("bedboard.log.2026-11-{d:02}")),
            "x\n",
        )
        .unwrap();
    }
    for other in [
        "bedboard.log.notes",
        "other.log.2026-11-01",
        "bedboard.log.2026-13-01",
    ] {
        std::fs::write(dir.path().join(other), "keep me\n").unwrap();
    }
    std::fs::write(&path, "yesterday\n").unwrap();
    last_written_on(&path, day("2026-11-30"));
    let (_, today) = clock("2026-12-01");
    let mut log = DailyLog::with_clock(&path, KEPT_DAYS, today).unwrap();
    log.write_all(b"today\n").unwrap();
    assert_eq!(
        names(dir.path()),
        [
            "bedboard.log",
            "bedboard.log.2026-11-05",
            "bedboard.log.2026-11-06",
            "bedboard.log.2026-11-07",
            "bedboard.log.2026-11-08",
            "bedboard.log.2026-11-09",
            "bedboard.log.2026-11-10",
            "bedboard.log.2026-11-30",
            "bedboard.log.2026-13-01",
            "bedboard.log.notes",
            "other.log.2026-11-01",
        ]
    );
}

#[test]
fn a_second_process_at_the_turn_of_the_day_does_not_move_the_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bedboard.log");
    let (today_a, clock_a) = clock("2026-12-01");
    let (today_b, clock_b) = clock("2026-12-01");
    let mut a = DailyLog::with_clock(&path, KEPT_DAYS, clock_a).unwrap();
    let mut b = DailyLog::with_clock(&path, KEPT_DAYS, clock_b).unwrap();
    a.write_all(b"a yesterday\n").unwrap();
    b.write_all(b"b yesterday\n").unwrap();
    last_written_on(&path, day("2026-12-01"));
    *today_a.lock().unwrap() = day("2026-12-02");
    *today_b.lock().unwrap() = day("2026-12-02");
    a.write_all(b"a today\n").unwrap();
    b.write_all(b"b today\n").unwrap();
    assert_eq!(
        names(dir.path()),
        ["bedboard.log", "bedboard.log.2026-12-01"]
    );
    assert_eq!(
        read(&dir.path().join("bedboard.log.2026-12-01")),
        "a yesterday\nb yesterday\n"
    );
    assert_eq!(read(&path), "a today\nb today\n");
}

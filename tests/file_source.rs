//! Files as the feed: written by the test in steps while the poller runs, turned into junk,
//! or not files at all (devices, FIFOs, terminals), through the poller and the real binary.
#![cfg(target_os = "linux")]

mod large_csv;
mod support;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};
use support::live_app as app;

use bedboard::model::PrefectureNumber;
use bedboard::poll::poller::{self, FeedEvent, Origin, PollerConfig, PollerHandle};
use bedboard::ui::app::App;

/// How long any one wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(30);

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn seed() -> Vec<u8> {
    std::fs::read(manifest("assets/sample/seed-tokyo.csv")).unwrap()
}

/// The seed export with one value changed, as G-MIS writes it (Shift_JIS, CRLF).
fn changed_seed() -> Vec<u8> {
    let mut report = bedboard::formats::import_file(
        &manifest("assets/sample/seed-tokyo.csv"),
        &Default::default(),
    )
    .unwrap()
    .report;
    report.rows[0].inpatients = Some(777);
    bedboard::export::csv::write_csv(
        &report.extra_columns,
        &report.rows,
        bedboard::export::csv::OutputEncoding::ShiftJis,
    )
    .0
}

fn config(origin: Origin) -> PollerConfig {
    PollerConfig {
        interval: Duration::from_secs(3600),
        prefecture: Some(PrefectureNumber::new(13).unwrap()),
        max_bytes: 1024 * 1024,
        ..PollerConfig::new(origin, "test")
    }
}

/// Dates a file back, so it counts as written long ago.
fn age(path: &Path, by: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - by)
        .unwrap();
}

/// The next event that ends a poll or says something, fed to the app on the way.
async fn next_event(handle: &mut PollerHandle, app: &mut App) -> String {
    loop {
        let event = tokio::time::timeout(DEADLINE, handle.events.recv())
            .await
            .expect("the poller answers in time")
            .expect("the poller runs");
        let text = match &event {
            FeedEvent::Snapshot(s) => Some(format!(
                "snapshot {}{}",
                s.report.rows.len(),
                // A large file's rows are measured as they are read.
                if s.figures.is_some() { " measured" } else { "" }
            )),
            FeedEvent::Failed { message, .. } => Some(format!("failed {message}")),
            FeedEvent::Unchanged { .. } => Some("unchanged".to_string()),
            FeedEvent::Notice(text) => Some(format!("notice {text}")),
            _ => None,
        };
        app.on_feed(event);
        if let Some(text) = text {
            return text;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_in_two_steps_is_never_taken_half() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    let full = seed();
    std::fs::write(&path, &full).unwrap();
    age(&path, Duration::from_secs(60));
    let mut handle = poller::start(config(Origin::File(path.clone())));
    let mut app = app();
    assert_eq!(next_event(&mut handle, &mut app).await, "snapshot 12");

    // A new export written over it, first up to the middle of a row.
    let full = changed_seed();
    let cut = full.len() / 2;
    assert_ne!(full[cut - 1], b'\n');
    std::fs::write(&path, &full[..cut]).unwrap();
    handle.poll_now.notify_one();
    let said = next_event(&mut handle, &mut app).await;
    assert!(
        said.starts_with("notice ") && said.contains("ファイルが書き込み中のようです"),
        "{said}"
    );
    // Then the rest.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, &full[cut..]).unwrap();
    drop(file);
    assert_eq!(next_event(&mut handle, &mut app).await, "snapshot 12");
    assert!(
        app.report().rows.iter().any(|r| r.inpatients == Some(777)),
        "the new export"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_read_in_blocks_is_taken_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.csv");
    let rows = 75_000;
    let first = large_csv::large_csv(rows, usize::MAX, 10, 0);
    std::fs::write(&path, &first).unwrap();
    age(&path, Duration::from_secs(60));
    let mut handle = poller::start(PollerConfig {
        max_bytes: 64 * 1024 * 1024,
        ..config(Origin::File(path.clone()))
    });
    let mut app = app();
    assert_eq!(
        next_event(&mut handle, &mut app).await,
        format!("snapshot {rows} measured")
    );

    // The same bytes written again: read, found the same, not shown again.
    std::fs::write(&path, &first).unwrap();
    age(&path, Duration::from_secs(60));
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, "unchanged");

    // A new export, first only up to the middle of a row.
    let second = large_csv::large_csv(rows, usize::MAX, 10, 5);
    let cut = second.len() * 2 / 3;
    assert_ne!(second.as_bytes()[cut - 1], b'\n');
    std::fs::write(&path, &second.as_bytes()[..cut]).unwrap();
    // Settled, but written too recently for a file that stops inside a row.
    age(&path, Duration::from_secs(3));
    handle.poll_now.notify_one();
    let said = next_event(&mut handle, &mut app).await;
    assert!(
        said.starts_with("notice ") && said.contains("ファイルが書き込み中のようです"),
        "{said}"
    );
    assert!(
        app.report().rows.iter().all(|r| r.ready < Some(9)),
        "the old rows stay"
    );
    std::fs::write(&path, &second).unwrap();
    handle.poll_now.notify_one();
    assert_eq!(
        next_event(&mut handle, &mut app).await,
        format!("snapshot {rows} measured")
    );
    assert!(
        app.report().rows.iter().all(|r| r.ready >= Some(5)),
        "the new export"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_json_cut_short_waits_as_a_small_one_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.json");
    let rows: Vec<String> = (0..40_000)
        .map(|i| {
            format!(
                "{{\"都道府県\": \"東京都\", \"都道府県番号\": \"13\", \"全国地方公共団体コード\": \"131016\", \
                 \"市区町村\": \"千代田区\", \"二次医療圏番号\": \"1301\", \"二次医療圏名\": \"区中央部\", \
                 \"医療機関コード\": \"13{i:08}\", \"医療機関名\": \"大きな病院{i}\", \"実績日\": \"2022/01/05\", \
                 \"報告日時\": \"2022/02/01 11:32\", \"確保病床\": 9, \"即応病床\": 3, \"入院中\": 1}}"
            )
        })
        .collect();
    let json = format!("[{}]", rows.join(",\n"));
    assert!(json.len() as u64 > bedboard::formats::gmis_stream::READ_IN_BLOCKS_FROM);
    // Cut inside a row, settled but written within the last ten seconds.
    std::fs::write(&path, &json.as_bytes()[..json.len() / 2]).unwrap();
    age(&path, Duration::from_secs(3));
    let mut handle = poller::start(PollerConfig {
        max_bytes: 64 * 1024 * 1024,
        ..config(Origin::File(path.clone()))
    });
    let mut app = app();
    let said = next_event(&mut handle, &mut app).await;
    assert!(
        said.starts_with("notice ") && said.contains("ファイルが書き込み中のようです"),
        "{said}"
    );
    std::fs::write(&path, &json).unwrap();
    age(&path, Duration::from_secs(60));
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, "snapshot 40000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_turns_into_junk_stays_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    std::fs::write(&path, seed()).unwrap();
    age(&path, Duration::from_secs(60));
    let mut handle = poller::start(config(Origin::File(path.clone())));
    let mut app = app();
    assert_eq!(next_event(&mut handle, &mut app).await, "snapshot 12");

    std::fs::write(&path, b"\x00\x01\x02 not a report at all \xff\n").unwrap();
    age(&path, Duration::from_secs(30));
    handle.poll_now.notify_one();
    let first = next_event(&mut handle, &mut app).await;
    assert!(first.starts_with("failed "), "{first}");
    // The next poll finds the same junk: still a failure, not "unchanged".
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, first);
    assert!(app.feed.failing.is_some());

    // The good data again: the same as on screen, and the failure is over.
    std::fs::write(&path, seed()).unwrap();
    age(&path, Duration::from_secs(10));
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, "unchanged");
    assert!(app.feed.failing.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drop_folder_file_with_an_unreadable_name_is_reported_once() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    std::fs::write(&report, seed()).unwrap();
    age(&report, Duration::from_secs(120));
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(
        b"\x1b]0;x\x07\x93\x8c\x8b\x9e.csv",
    ));
    std::fs::write(&odd, seed()).unwrap();
    age(&odd, Duration::from_secs(60));
    let mut handle = poller::start(config(Origin::Dir(dir.path().to_path_buf())));
    let mut app = app();
    let mut said = Vec::new();
    loop {
        let event = next_event(&mut handle, &mut app).await;
        let done = event.starts_with("snapshot");
        said.push(event);
        if done {
            break;
        }
    }
    let reports: Vec<&String> = said
        .iter()
        .filter(|s| s.contains("名前を読めないファイル"))
        .collect();
    assert_eq!(reports.len(), 1, "{said:?}");
    assert!(reports[0].contains(".csv"), "{said:?}");
    assert!(reports[0].contains('\u{FFFD}'), "shown lossily: {said:?}");
    assert!(
        !reports[0].chars().any(|c| c.is_control()),
        "no control character: {said:?}"
    );
    // The next poll says it no more.
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, "unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_junk_export_in_the_drop_folder_stays_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    std::fs::write(&report, seed()).unwrap();
    age(&report, Duration::from_secs(120));
    let mut handle = poller::start(config(Origin::Dir(dir.path().to_path_buf())));
    let mut app = app();
    assert_eq!(next_event(&mut handle, &mut app).await, "snapshot 12");

    let junk = dir.path().join("newer.csv");
    std::fs::write(&junk, b"\x00\x01 junk \xff\n").unwrap();
    age(&junk, Duration::from_secs(60));
    handle.poll_now.notify_one();
    let first = next_event(&mut handle, &mut app).await;
    assert!(first.starts_with("failed "), "{first}");
    handle.poll_now.notify_one();
    assert_eq!(next_event(&mut handle, &mut app).await, first);
    assert!(app.feed.failing.is_some());
}

// ---------------------------------------------------------------------------
// The binary

/// Runs `bedboard ARGS` with stdin closed; a run that does not end in time is killed
/// and fails the test.
fn bedboard(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env_remove("BEDBOARD_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = Instant::now() + DEADLINE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("bedboard {args:?} did not end within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("pipe");
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a plain libc call with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    path
}

fn assert_refused(args: &[&str], words: &str) {
    let out = bedboard(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(words), "{args:?}: {stderr}");
}

#[test]
fn devices_and_fifos_are_refused_as_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    let pipe = pipe.to_str().unwrap();
    assert_refused(&["print", "--source", "/dev/zero"], "デバイスです");
    assert_refused(&["print", "--source", pipe], "名前付きパイプです");
    let out = dir.path().join("out.csv");
    let out = out.to_str().unwrap();
    assert_refused(
        &["export", "--source", "/dev/zero", "--out", out],
        "デバイスです",
    );
    // The dashboard without a screen falls back to the table, through the same reader.
    assert_refused(&["--source", "/dev/zero"], "デバイスです");
}

#[test]
fn a_source_over_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let file = std::fs::File::create(&big).unwrap();
    // Sparse: large without writing it.
    file.set_len(65 * 1024 * 1024).unwrap();
    assert_refused(
        &["print", "--source", big.to_str().unwrap()],
        "ファイルが大きすぎます（65 MiB、上限 64 MiB）。--max-mib 65 か",
    );
}

#[test]
fn devices_and_fifos_are_refused_as_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    for (config, words) in [
        ("/dev/zero", "デバイスです"),
        (pipe.to_str().unwrap(), "名前付きパイプです"),
    ] {
        let out = bedboard(&[
            "--config",
            config,
            "--source",
            "assets/sample/seed-tokyo.csv",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{config}: {stderr}");
        assert!(stderr.contains(words), "{config}: {stderr}");
    }
    let big = dir.path().join("config.toml");
    std::fs::write(&big, vec![b'#'; 2 * 1024 * 1024]).unwrap();
    let out = bedboard(&["--config", big.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("ファイルが大きすぎます（上限 1 MiB）"),
        "{stderr}"
    );
}

#[test]
fn print_says_which_drop_folder_names_it_cannot_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    std::fs::write(&report, seed()).unwrap();
    age(&report, Duration::from_secs(120));
    let odd = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"\x1b[2J\xff.csv"));
    std::fs::write(&odd, seed()).unwrap();
    age(&odd, Duration::from_secs(60));
    let out = bedboard(&["print", "--source", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("名前を読めないファイルがあります（?[2J\u{FFFD}.csv）"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no escape reaches the terminal: {stderr:?}"
    );
}

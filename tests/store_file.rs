//! The history file stays real: a file deleted or replaced under a running poller is noticed
//! at the next request, made again (or opened as it now is), said on the status line, and
//! given the report on the board. A real HTTP server on 127.0.0.1 and real files in a temp dir.

mod support;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::live_app as app;

use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::{import_file, ImportOptions};
use bedboard::model::time::now_jst;
use bedboard::model::{PrefectureNumber, Report};
use bedboard::poll::poller::{self, FeedEvent, Origin, PollerConfig, PollerHandle};
use bedboard::source::http::HttpOptions;
use bedboard::store::{FetchRecord, FileChange, Store, StoreError};
use bedboard::ui::app::App;
use bedboard::ui::draw;
use bedboard::ui::painter::row_text;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// A server that answers every request with the same report.
fn serve_forever(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/report.csv", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
            let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
            let _ = stream.read_to_end(&mut Vec::new());
        }
    });
    url
}

fn seed_report() -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    import_file(&path, &ImportOptions::default())
        .unwrap()
        .report
}

fn seed_csv() -> Vec<u8> {
    let report = seed_report();
    write_csv(
        &report.extra_columns,
        &report.rows,
        OutputEncoding::ShiftJis,
    )
    .0
}

fn config(url: &str, store: &Path) -> PollerConfig {
    let mut http = HttpOptions::new(url);
    http.timeout = Duration::from_secs(5);
    PollerConfig {
        interval: Duration::from_secs(3600),
        prefecture: Some(PrefectureNumber::new(13).unwrap()),
        store: Some(store.to_path_buf()),
        ..PollerConfig::new(
            Origin::Http(Box::new(http)),
            format!("test-{}", store.display()),
        )
    }
}

fn status_line(app: &mut App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(200, 30)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    row_text(terminal.backend().buffer(), 29)
}

/// Feeds the app until the poller says when it polls next (each round ends so); returns
/// what happened on the way: outcomes and notices, in words.
async fn one_round(handle: &mut PollerHandle, app: &mut App) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), handle.events.recv())
            .await
            .expect("the poller answers within 20 s")
            .expect("the poller runs");
        match &event {
            FeedEvent::NextPoll { .. } => {
                app.on_feed(event);
                return seen;
            }
            FeedEvent::Snapshot(s) => seen.push(format!("snapshot {}", s.report.rows.len())),
            FeedEvent::Unchanged { .. } => seen.push("unchanged".into()),
            FeedEvent::Failed { message, .. } => seen.push(format!("failed {message}")),
            FeedEvent::Notice(text) => seen.push(text.clone()),
            FeedEvent::Masters(_) | FeedEvent::Poller(_) | FeedEvent::Loading(_) => {}
        }
        app.on_feed(event);
    }
}

fn stored(path: &Path) -> (usize, bedboard::store::StoreStats) {
    let store = Store::open_read_only(path).unwrap();
    let rows = store
        .latest_snapshot()
        .unwrap()
        .map_or(0, |s| s.report.rows.len());
    (rows, store.stats().unwrap())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_deleted_under_the_poller_is_made_again_with_the_board_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let url = serve_forever(seed_csv());
    let mut handle = poller::start(config(&url, &path));
    let mut app = app();
    assert_eq!(one_round(&mut handle, &mut app).await, ["snapshot 12"]);
    assert_eq!(stored(&path).0, 12);

    // As `rm` does: the file goes, its log stays behind, held open by the store.
    std::fs::remove_file(&path).unwrap();
    handle.poll_now.notify_one();
    let round = one_round(&mut handle, &mut app).await;
    let said = format!(
        "履歴ファイル {} が削除されたため作り直しました",
        path.display()
    );
    assert_eq!(round, ["unchanged".to_string(), said.clone()]);
    let status = status_line(&mut app);
    assert!(
        status.contains("が削除されたため作り直しました"),
        "{status}"
    );

    let (rows, stats) = stored(&path);
    assert_eq!(rows, 12, "the board's report is in the new file");
    // The unchanged poll that found the file gone, and the board's report.
    assert_eq!((stats.fetches, stats.snapshots), (2, 1), "{stats:?}");

    // The next polls go to the new file, and nothing more is said.
    for _ in 0..2 {
        handle.poll_now.notify_one();
        assert_eq!(one_round(&mut handle, &mut app).await, ["unchanged"]);
    }
    handle.shutdown().await;
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(!sidecar(&path, "-wal").exists(), "closed cleanly: {left:?}");
    assert_eq!(
        stored(&path).1.fetches,
        3,
        "unchanged polls since the report keep one row, the newest"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_replaced_under_the_poller_is_opened_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let other = dir.path().join("backup.sqlite3");
    {
        let mut backup = Store::open(&other).unwrap();
        let fetch = FetchRecord {
            source: "backup.csv".into(),
            fetched_at: now_jst() - chrono::Duration::days(1),
            content_hash: String::new(),
            rows_accepted: 0,
            rows_rejected: 0,
            rows_out_of_scope: 0,
            error: Some("タイムアウト".into()),
        };
        backup.record_fetch(&fetch, None).unwrap();
        backup.checkpoint().unwrap();
    }
    let url = serve_forever(seed_csv());
    let mut handle = poller::start(config(&url, &path));
    let mut app = app();
    assert_eq!(one_round(&mut handle, &mut app).await, ["snapshot 12"]);

    std::fs::rename(&other, &path).unwrap();
    handle.poll_now.notify_one();
    let round = one_round(&mut handle, &mut app).await;
    let said = format!(
        "履歴ファイル {} が置き換えられたため開き直しました",
        path.display()
    );
    assert_eq!(round, ["unchanged".to_string(), said]);
    let status = status_line(&mut app);
    assert!(
        status.contains("が置き換えられたため開き直しました"),
        "{status}"
    );
    handle.shutdown().await;

    let (rows, stats) = stored(&path);
    assert_eq!(
        rows, 12,
        "the board's report is in the file now at the path"
    );
    assert_eq!(
        (stats.fetches, stats.snapshots),
        (3, 1),
        "the file's own history is kept, with the unchanged poll and the board: {stats:?}"
    );
}

#[test]
fn a_store_whose_path_cannot_be_made_again_refuses_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    let path = folder.join("history.sqlite3");
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.follow_path().unwrap(), None, "the same file");
    // The whole folder goes, and a file takes its name: nothing can be created there.
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, "").unwrap();
    for _ in 0..2 {
        let err = store.follow_path().unwrap_err();
        assert!(
            err.to_string()
                .contains("履歴ファイルを作れず、書き込めません"),
            "{err}"
        );
    }
    std::fs::remove_file(&folder).unwrap();
    assert_eq!(
        store.follow_path().unwrap(),
        Some(FileChange::Recreated { path: path.clone() })
    );
    assert!(store.stats().is_ok(), "the new file has its schema");
    assert_eq!(store.follow_path().unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_as_the_store_is_called_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("history");
    std::fs::create_dir(&folder).unwrap();
    let said = format!(
        "{} はフォルダです（履歴ファイルのパスを指定してください）",
        folder.display()
    );
    assert!(matches!(
        Store::open(&folder).err().unwrap(),
        StoreError::IsFolder { .. }
    ));
    assert_eq!(
        Store::open_read_only(&folder).err().unwrap().to_string(),
        said
    );

    let url = serve_forever(seed_csv());
    let mut handle = poller::start(config(&url, &folder));
    let mut app = app();
    let round = one_round(&mut handle, &mut app).await;
    assert!(round.iter().any(|text| text.contains(&said)), "{round:?}");
    assert!(round.contains(&"snapshot 12".to_string()), "{round:?}");
    handle.shutdown().await;
    assert!(folder.is_dir() && std::fs::read_dir(&folder).unwrap().next().is_none());
}

#[test]
fn status_with_a_folder_as_the_store_says_so_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .args(["status", "--store"])
        .arg(dir.path())
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "bedboard: {} はフォルダです（履歴ファイルのパスを指定してください）",
            dir.path().display()
        )
    );
}

#[test]
fn a_store_replaced_by_a_broken_file_moves_it_aside_and_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"not a database at all, not at all, not at all").unwrap();
    let mut store = Store::open(&path).unwrap();
    std::fs::rename(&junk, &path).unwrap();
    let change = store
        .follow_path()
        .unwrap()
        .expect("the new file is noticed");
    let FileChange::Reopened {
        moved_aside: Some(moved),
        ..
    } = &change
    else {
        panic!("{change:?}");
    };
    assert_eq!(
        std::fs::read(moved).unwrap(),
        b"not a database at all, not at all, not at all"
    );
    assert_eq!(
        change.to_string(),
        format!(
            "履歴ファイル {} が置き換えられ、壊れていたため {} に退避して新しく作りました",
            path.display(),
            moved.display()
        )
    );
    assert_eq!(store.stats().unwrap().fetches, 0, "a fresh file");
    assert_eq!(store.follow_path().unwrap(), None);
}

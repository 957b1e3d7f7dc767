//! The live feed end to end: a real HTTP server on 127.0.0.1 started by the
//! test misbehaves in every way a feed does; after each, the store and the
//! screen still hold the last good data and the status line says what went wrong.

mod support;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use support::live_app as app;

use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::{import_file, ImportOptions};
use bedboard::model::{PrefectureNumber, Report};
use bedboard::poll::poller::{self, FeedEvent, Origin, PollerConfig, PollerHandle};
use bedboard::source::http::HttpOptions;
use bedboard::store::Store;
use bedboard::ui::app::App;
use bedboard::ui::draw;
use bedboard::ui::painter::row_text;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// What the server does with one request.
#[derive(Clone)]
enum Reply {
    Ok {
        body: Vec<u8>,
        content_type: &'static str,
        etag: &'static str,
    },
    NotModified,
    Status(u16),
    /// Close without a word.
    Drop,
    /// Say nothing for longer than the client waits.
    Stall(Duration),
    /// Promise more than is sent.
    Truncated(Vec<u8>),
}

/// A server that answers requests with a script the test changes as it goes.
struct ScriptedServer {
    url: String,
    next: Arc<Mutex<Reply>>,
    requests: Arc<AtomicUsize>,
    if_none_match: Arc<Mutex<Vec<String>>>,
}

impl ScriptedServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/report.csv", listener.local_addr().unwrap());
        let next = Arc::new(Mutex::new(Reply::Status(503)));
        let requests = Arc::new(AtomicUsize::new(0));
        let if_none_match = Arc::new(Mutex::new(Vec::new()));
        let (n, r, m) = (next.clone(), requests.clone(), if_none_match.clone());
        thread::spawn(move || {
            for stream in listener.incoming().take(200) {
                let Ok(stream) = stream else { continue };
                let reply = n.lock().unwrap().clone();
                r.fetch_add(1, Ordering::SeqCst);
                let (m, reply) = (m.clone(), reply);
                thread::spawn(move || answer(stream, reply, &m));
            }
        });
        Self {
            url,
            next,
            requests,
            if_none_match,
        }
    }

    fn reply(&self, reply: Reply) {
        *self.next.lock().unwrap() = reply;
    }
}

fn answer(mut stream: TcpStream, reply: Reply, if_none_match: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("if-none-match:") {
            if_none_match.lock().unwrap().push(v.trim().to_string());
        }
        line.clear();
    }
    let head = |status: &str, extra: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    let _ = match reply {
        Reply::Ok {
            body,
            content_type,
            etag,
        } => {
            let extra = format!("Content-Type: {content_type}\r\nETag: {etag}\r\n");
            stream
                .write_all(head("200 OK", &extra, body.len()).as_bytes())
                .and_then(|_| stream.write_all(&body))
        }
        Reply::NotModified => {
            stream.write_all(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n")
        }
        Reply::Status(code) => stream.write_all(head(&format!("{code} Oops"), "", 0).as_bytes()),
        Reply::Drop => Ok(()),
        Reply::Stall(time) => {
            thread::sleep(time);
            Ok(())
        }
        Reply::Truncated(body) => stream
            .write_all(head("200 OK", "Content-Type: text/csv\r\n", body.len() * 4).as_bytes())
            .and_then(|_| stream.write_all(&body)),
    };
    let _ = stream.flush();
    let mut rest = Vec::new();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = stream.read_to_end(&mut rest);
}

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn seed_report() -> Report {
    import_file(
        &manifest("assets/sample/seed-tokyo.csv"),
        &ImportOptions::default(),
    )
    .unwrap()
    .report
}

fn csv(report: &Report) -> Vec<u8> {
    write_csv(
        &report.extra_columns,
        &report.rows,
        OutputEncoding::ShiftJis,
    )
    .0
}

fn config(url: &str, store: &Path) -> PollerConfig {
    let mut http = HttpOptions::new(url);
    http.timeout = Duration::from_millis(800);
    http.max_bytes = 64 * 1024;
    PollerConfig {
        interval: Duration::from_secs(3600),
        prefecture: Some(PrefectureNumber::new(13).unwrap()),
        store: Some(store.to_path_buf()),
        // The drop-folder test's master is larger than the HTTP tests' cap.
        max_bytes: 1024 * 1024,
        ..PollerConfig::new(
            Origin::Http(Box::new(http)),
            format!("test-{}", store.display()),
        )
    }
}

fn screen(app: &mut App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 30)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..30)
        .map(|y| row_text(&buffer, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Feeds events to the app until one poll has finished; returns its outcome.
async fn next_outcome(handle: &mut PollerHandle, app: &mut App) -> FeedEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), handle.events.recv())
            .await
            .expect("the poller answers within 20 s")
            .expect("the poller runs");
        let done = match &event {
            FeedEvent::Snapshot(s) => Some(FeedEvent::Notice(format!(
                "snapshot {}",
                s.report.rows.len()
            ))),
            FeedEvent::Failed { message, .. } => {
                Some(FeedEvent::Notice(format!("failed {message}")))
            }
            FeedEvent::Unchanged { .. } => Some(FeedEvent::Notice("unchanged".into())),
            _ => None,
        };
        app.on_feed(event);
        if let Some(outcome) = done {
            return outcome;
        }
    }
}

fn outcome_text(event: FeedEvent) -> String {
    match event {
        FeedEvent::Notice(text) => text,
        other => format!("{other:?}"),
    }
}

fn stored_rows(store: &Path) -> usize {
    Store::open(store)
        .unwrap()
        .latest_snapshot()
        .unwrap()
        .map_or(0, |s| s.report.rows.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_keeps_the_last_good_data_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let server = ScriptedServer::start();
    let seed = seed_report();
    server.reply(Reply::Ok {
        body: csv(&seed),
        content_type: "text/csv; charset=Shift_JIS",
        etag: "\"v1\"",
    });
    let mut handle = poller::start(config(&server.url, &store));
    let mut app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    assert!(screen(&mut app).contains("レコード数 12 "));

    let mut changed = seed.clone();
    changed.rows[0].inpatients = Some(0);
    let mut other_prefecture = seed.clone();
    let mut kanagawa = seed.rows[1].clone();
    kanagawa.prefecture = "神奈川県".into();
    kanagawa.prefecture_no = PrefectureNumber::new(14).unwrap();
    other_prefecture.rows.push(kanagawa.clone());
    let only_kanagawa = Report {
        extra_columns: vec![],
        rows: vec![kanagawa],
    };

    let steps: Vec<(&str, Reply, &str)> = vec![
        ("304", Reply::NotModified, "unchanged"),
        (
            "500",
            Reply::Status(500),
            "サーバーがエラーを返しました（HTTP 500）",
        ),
        ("dropped", Reply::Drop, "接続が切れました"),
        (
            "stall",
            Reply::Stall(Duration::from_millis(2500)),
            "応答がありません",
        ),
        (
            "garbage",
            Reply::Ok {
                body: b"\x00\x01\x02garbage\xff".to_vec(),
                content_type: "text/csv",
                etag: "\"g\"",
            },
            "取得したデータを読めません",
        ),
        (
            "truncated",
            Reply::Truncated(csv(&seed)[..200].to_vec()),
            "途中で切れました",
        ),
        ("401", Reply::Status(401), "認証に失敗しました（HTTP 401）"),
        (
            "oversized",
            Reply::Ok {
                body: vec![b'a'; 200 * 1024],
                content_type: "text/csv",
                etag: "\"big\"",
            },
            "大きすぎます",
        ),
        (
            "only another prefecture",
            Reply::Ok {
                body: csv(&only_kanagawa),
                content_type: "text/csv",
                etag: "\"k\"",
            },
            "範囲内の行がありません",
        ),
    ];
    for (name, reply, expected) in steps {
        server.reply(reply);
        handle.poll_now.notify_one();
        let outcome = outcome_text(next_outcome(&mut handle, &mut app).await);
        assert!(outcome.contains(expected), "{name}: {outcome}");
        let text = screen(&mut app);
        assert!(
            text.contains("レコード数 12 "),
            "{name}: the last good data stays on screen\n{text}"
        );
        if expected != "unchanged" {
            assert!(
                text.contains("【取得失敗】") && text.contains(expected),
                "{name}: the failure has a line of its own\n{text}"
            );
        }
        assert_eq!(
            stored_rows(&store),
            12,
            "{name}: the store keeps the last good data"
        );
    }
    assert!(
        server
            .if_none_match
            .lock()
            .unwrap()
            .iter()
            .any(|v| v == "\"v1\""),
        "conditional request"
    );

    // Shift-JIS declared as UTF-8 is still read as what it is.
    server.reply(Reply::Ok {
        body: csv(&changed),
        content_type: "text/csv; charset=utf-8",
        etag: "\"v2\"",
    });
    handle.poll_now.notify_one();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    let text = screen(&mut app);
    assert!(
        text.contains("東京都 病院1") && !text.contains("【取得失敗】"),
        "{text}"
    );
    assert!(text.contains("▾1"), "the change is marked:\n{text}");
    assert_eq!(
        Store::open(&store)
            .unwrap()
            .latest_snapshot()
            .unwrap()
            .unwrap()
            .report
            .rows[0]
            .inpatients,
        Some(0)
    );

    // Another prefecture's rows are dropped, counted, never shown or stored.
    server.reply(Reply::Ok {
        body: csv(&other_prefecture),
        content_type: "text/csv",
        etag: "\"v3\"",
    });
    handle.poll_now.notify_one();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    let text = screen(&mut app);
    assert!(
        text.contains("範囲外 1 件を除外") && !text.contains("神奈川県"),
        "{text}"
    );
    assert_eq!(stored_rows(&store), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_the_feed_down_shows_the_stored_data_with_its_age() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let server = ScriptedServer::start();
    server.reply(Reply::Ok {
        body: csv(&seed_report()),
        content_type: "text/csv",
        etag: "\"v1\"",
    });
    {
        let mut handle = poller::start(config(&server.url, &store));
        let mut app = app();
        assert_eq!(
            outcome_text(next_outcome(&mut handle, &mut app).await),
            "snapshot 12"
        );
    }
    // The feed is gone: a port nobody listens on.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/report.csv", dead.local_addr().unwrap());
    drop(dead);
    let mut handle = poller::start(config(&dead_url, &store));
    let mut app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    let text = screen(&mut app);
    assert!(
        text.contains("レコード数 12 ") && text.contains("最終取得"),
        "stored data at once:\n{text}"
    );
    let outcome = outcome_text(next_outcome(&mut handle, &mut app).await);
    assert!(outcome.contains("接続できません"), "{outcome}");
    let text = screen(&mut app);
    assert!(text.contains("レコード数 12 "), "{text}");
    assert!(
        text.contains("から取得できていません（1 回失敗）"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dashboards_on_one_store_poll_once_and_the_other_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let server = ScriptedServer::start();
    let seed = seed_report();
    server.reply(Reply::Ok {
        body: csv(&seed),
        content_type: "text/csv",
        etag: "\"v1\"",
    });
    let mut a_config = config(&server.url, &store);
    a_config.holder = "1@a".into();
    a_config.interval = Duration::from_secs(1);
    let mut b_config = a_config.clone();
    b_config.holder = "2@b".into();
    let mut a = poller::start(a_config);
    let mut a_app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut a, &mut a_app).await),
        "snapshot 12"
    );
    let mut b = poller::start(b_config);
    let mut b_app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut b, &mut b_app).await),
        "snapshot 12",
        "from the store"
    );
    let before = server.requests.load(Ordering::SeqCst);
    // A new report: the poller fetches it, the follower shows it from the store.
    let mut changed = seed.clone();
    changed.rows[2].ready = Some(0);
    server.reply(Reply::Ok {
        body: csv(&changed),
        content_type: "text/csv",
        etag: "\"v2\"",
    });
    let mut seen = false;
    for _ in 0..20 {
        let outcome = outcome_text(next_outcome(&mut b, &mut b_app).await);
        if outcome == "snapshot 12" && b_app.report().rows[2].ready == Some(0) {
            seen = true;
            break;
        }
        // Keep the poller's events flowing too.
        while let Ok(event) = a.events.try_recv() {
            a_app.on_feed(event);
        }
    }
    assert!(seen, "the follower shows the poller's new data");
    let polled = server.requests.load(Ordering::SeqCst) - before;
    assert!(
        polled <= 6,
        "only one process polls: {polled} requests in a few seconds at 1 s"
    );
    // The poller goes away; the other takes the lease within two intervals.
    drop(a);
    let mut took_over = false;
    for _ in 0..30 {
        let event = tokio::time::timeout(Duration::from_secs(10), b.events.recv())
            .await
            .unwrap()
            .unwrap();
        if matches!(event, FeedEvent::NextPoll { .. }) {
            took_over = true;
            break;
        }
    }
    assert!(took_over, "the follower now polls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_be_written_is_said_and_the_board_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the store's folder should be: nobody, root included, can create it.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let store = blocker.join("history.sqlite3");
    let server = ScriptedServer::start();
    server.reply(Reply::Ok {
        body: csv(&seed_report()),
        content_type: "text/csv",
        etag: "\"v1\"",
    });
    let mut handle = poller::start(config(&server.url, &store));
    let mut app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    let text = screen(&mut app);
    assert!(text.contains("レコード数 12 "), "{text}");
    let status = text.lines().last().unwrap();
    assert!(
        status.contains("履歴ファイルを作れず、書き込めません"),
        "said at once: {status}"
    );
    // The notice goes with the next key; the state stays on its own line.
    app.update(bedboard::ui::keymap::Action::Down);
    let text = screen(&mut app);
    assert!(
        text.contains("【保存失敗】履歴に保存できていません"),
        "{text}"
    );
}

/// Waits for the next masters event, feeding everything else to the app.
async fn next_masters(handle: &mut PollerHandle, app: &mut App) -> (usize, usize) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), handle.events.recv())
            .await
            .expect("within 20 s")
            .expect("the poller runs");
        if let FeedEvent::Masters(update) = &event {
            let counts = (
                update.hospitals.as_ref().map_or(0, |m| m.len()),
                update.municipalities.as_ref().map_or(0, |m| m.len()),
            );
            app.on_feed(event);
            return counts;
        }
        app.on_feed(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn masters_are_stored_and_come_back_without_being_named() {
    use bedboard::poll::masters::MasterSource;
    use bedboard::store::MasterKind;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let mut first = config("http://127.0.0.1:9/unused", &store);
    first.origin = Origin::File(manifest("assets/sample/seed-tokyo.csv"));
    first.masters = vec![(
        MasterKind::Hospital,
        MasterSource::File(manifest("assets/demo/master.csv")),
    )];
    {
        let mut handle = poller::start(first.clone());
        let mut app = app();
        assert_eq!(next_masters(&mut handle, &mut app).await, (500, 0));
        assert_eq!(app.hospitals.as_ref().unwrap().len(), 500);
    }
    let mut again = first;
    again.masters = Vec::new();
    again.holder = "another".into();
    let mut handle = poller::start(again);
    let mut app = app();
    assert_eq!(
        next_masters(&mut handle, &mut app).await,
        (500, 0),
        "from the store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_dropped_into_the_folder_is_taken_as_a_master() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let report = drop.join("report.csv");
    std::fs::copy(manifest("assets/sample/seed-tokyo.csv"), &report).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&report)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let mut cfg = config("http://127.0.0.1:9/unused", &dir.path().join("h.sqlite3"));
    cfg.origin = Origin::Dir(drop.clone());
    let mut handle = poller::start(cfg);
    let mut app = app();
    assert_eq!(
        outcome_text(next_outcome(&mut handle, &mut app).await),
        "snapshot 12"
    );
    let master = drop.join("master.csv");
    std::fs::copy(manifest("assets/demo/master.csv"), &master).unwrap();
    let settled = std::time::SystemTime::now() - Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&master)
        .unwrap()
        .set_modified(settled)
        .unwrap();
    handle.poll_now.notify_one();
    assert_eq!(next_masters(&mut handle, &mut app).await, (500, 0));
    assert!(
        screen(&mut app).contains("レコード数 12 "),
        "the report stays"
    );
}

/// Feeds events to the app until the poller has fetched (not read the store); returns
/// the first outcome that is not data from the store.
async fn first_fetch(handle: &mut PollerHandle, app: &mut App) -> String {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), handle.events.recv())
            .await
            .expect("the poller answers within 20 s")
            .expect("the poller runs");
        let outcome = match &event {
            FeedEvent::Snapshot(s) if s.from_store => None,
            FeedEvent::Snapshot(s) => Some(format!("fetched {}", s.report.rows.len())),
            FeedEvent::Unchanged { .. } => Some("unchanged".to_string()),
            FeedEvent::Failed { message, .. } => Some(format!("failed {message}")),
            _ => None,
        };
        app.on_feed(event);
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
}

fn wal_len(store: &Path) -> u64 {
    std::fs::metadata(format!("{}-wal", store.display())).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_clean_shutdown_the_next_dashboard_fetches_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let server = ScriptedServer::start();
    server.reply(Reply::Ok {
        body: csv(&seed_report()),
        content_type: "text/csv",
        etag: "\"v1\"",
    });
    let mut first_config = config(&server.url, &store);
    first_config.holder = "1@a".into();
    let mut second_config = first_config.clone();
    second_config.holder = "2@b".into();

    let mut first = poller::start(first_config);
    assert_eq!(first_fetch(&mut first, &mut app()).await, "fetched 12");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
    // Another process has the file open (as `bedboard status` would), so only the
    // checkpoint, not the closing of the last connection, can empty the log.
    let reader = Store::open_read_only(&store).unwrap();
    assert!(
        reader.lease().unwrap().is_some(),
        "the poller holds the lease"
    );
    assert!(wal_len(&store) > 0);
    first.shutdown().await;
    assert_eq!(reader.lease().unwrap(), None, "the lease is given up");
    assert_eq!(wal_len(&store), 0, "the log is checkpointed");

    // The lease lasts two hours at this interval: only its release lets this one poll.
    let mut second = poller::start(second_config);
    assert_eq!(first_fetch(&mut second, &mut app()).await, "fetched 12");
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
    assert_eq!(reader.lease().unwrap().unwrap().0, "2@b");
    second.shutdown().await;
    drop(reader);
    assert_eq!(wal_len(&store), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_slow_store_never_holds_up_the_runtime() {
    use bedboard::store::StoreHandle;
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let server = ScriptedServer::start();
    server.reply(Reply::Ok {
        body: csv(&seed_report()),
        content_type: "text/csv",
        etag: "\"v1\"",
    });
    let shared = StoreHandle::open(&store).await.unwrap();
    // The store is busy until the gate opens: every request of the poller waits behind this.
    let (open_gate, gate) = channel::<()>();
    let busy = shared.call(move |_| {
        let _ = gate.recv();
        Ok(())
    });
    // Were the runtime's one thread held, the gate would never open: a watchdog opens it
    // after a long while, so that the test fails instead of hanging.
    let watchdog_opened = Arc::new(AtomicBool::new(false));
    let (test_done, watchdog_wait) = channel::<()>();
    {
        let (opened, open_gate) = (watchdog_opened.clone(), open_gate.clone());
        thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) =
                watchdog_wait.recv_timeout(Duration::from_secs(30))
            {
                opened.store(true, Ordering::SeqCst);
                let _ = open_gate.send(());
            }
        });
    }
    let mut handle = poller::start_with_store(config(&server.url, &store), shared);
    // A task on the same thread. Having yielded once, it runs after the poller has been
    // polled and is waiting for the store.
    let opener = tokio::spawn(async move {
        tokio::task::yield_now().await;
        let _ = open_gate.send(());
    });
    opener.await.unwrap();
    assert!(
        !watchdog_opened.load(Ordering::SeqCst),
        "another task ran while the poller waited for the store"
    );
    busy.await.unwrap();
    assert_eq!(first_fetch(&mut handle, &mut app()).await, "fetched 12");
    handle.shutdown().await;
    test_done.send(()).unwrap();
}

//! Several dashboards on one store converge: a feed on 127.0.0.1 that dies for longer than
//! the lease and comes back with a change is shown by every dashboard soon after, and the
//! status lines and `bedboard status` agree on who polls.

mod support;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::{import_file, ImportOptions};
use bedboard::model::time::now_jst;
use bedboard::model::{PrefectureNumber, Report};
use bedboard::poll::poller::{self, FeedEvent, Origin, PollerConfig, PollerHandle};
use bedboard::source::http::HttpOptions;
use bedboard::store::Store;
use bedboard::ui::app::App;
use bedboard::ui::draw;
use bedboard::ui::painter::row_text;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const INTERVAL: Duration = Duration::from_secs(2);

/// A feed that can be killed (nothing listens on its port) and started again.
struct Feed {
    url: String,
    body: Arc<Mutex<Vec<u8>>>,
    alive: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
}

impl Feed {
    fn start(body: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let feed = Self {
            url: format!("http://{addr}/report.csv"),
            body: Arc::new(Mutex::new(body)),
            alive: Arc::new(AtomicBool::new(true)),
            done: Arc::new(AtomicBool::new(false)),
        };
        let (body, alive, done) = (feed.body.clone(), feed.alive.clone(), feed.done.clone());
        thread::spawn(move || serve(addr, Some(listener), &body, &alive, &done));
        feed
    }

    fn kill(&self) {
        self.alive.store(false, Ordering::SeqCst);
    }

    fn revive(&self, body: Vec<u8>) {
        *self.body.lock().unwrap() = body;
        self.alive.store(true, Ordering::SeqCst);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// Listens while alive; while dead the port is closed, so connecting is refused.
fn serve(
    addr: SocketAddr,
    mut listener: Option<TcpListener>,
    body: &Mutex<Vec<u8>>,
    alive: &AtomicBool,
    done: &AtomicBool,
) {
    while !done.load(Ordering::SeqCst) {
        if !alive.load(Ordering::SeqCst) {
            listener = None;
            thread::sleep(Duration::from_millis(10));
            continue;
        }
        let open =
            listener.get_or_insert_with(|| TcpListener::bind(addr).expect("the feed's port again"));
        open.set_nonblocking(true).unwrap();
        let Ok((stream, _)) = open.accept() else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        stream.set_nonblocking(false).unwrap();
        let body = body.lock().unwrap().clone();
        thread::spawn(move || answer(stream, &body));
    }
}

fn answer(mut stream: std::net::TcpStream, body: &[u8]) {
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
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = stream.read_to_end(&mut Vec::new());
}

fn seed_report() -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    import_file(&path, &ImportOptions::default())
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

fn config(url: &str, store: &Path, holder: &str) -> PollerConfig {
    let mut http = HttpOptions::new(url);
    http.timeout = Duration::from_secs(1);
    PollerConfig {
        interval: INTERVAL,
        prefecture: Some(PrefectureNumber::new(13).unwrap()),
        store: Some(store.to_path_buf()),
        ..PollerConfig::new(Origin::Http(Box::new(http)), holder)
    }
}

/// One dashboard: its poller and its screen's state.
struct Dashboard {
    name: &'static str,
    handle: PollerHandle,
    app: App,
    /// The longest a poll after a failure was scheduled ahead.
    longest_retry: chrono::Duration,
    failed: bool,
}

impl Dashboard {
    fn start(name: &'static str, url: &str, store: &Path, holder: &str) -> Self {
        Self {
            name,
            handle: poller::start(config(url, store, holder)),
            app: support::live_app(),
            longest_retry: chrono::Duration::zero(),
            failed: false,
        }
    }

    /// Takes what the poller said so far.
    fn pump(&mut self) {
        while let Ok(event) = self.handle.events.try_recv() {
            match &event {
                FeedEvent::Failed { .. } => self.failed = true,
                FeedEvent::NextPoll { at } if self.failed => {
                    self.failed = false;
                    self.longest_retry = self.longest_retry.max(*at - now_jst());
                }
                _ => {}
            }
            self.app.on_feed(event);
        }
    }

    fn status_line(&mut self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(220, 30)).unwrap();
        terminal
            .draw(|frame| draw::draw(frame, &mut self.app))
            .unwrap();
        row_text(terminal.backend().buffer(), 29)
    }

    /// The whole screen: the failure has a line of its own under the totals.
    fn screen(&mut self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(220, 30)).unwrap();
        terminal
            .draw(|frame| draw::draw(frame, &mut self.app))
            .unwrap();
        (0..30)
            .map(|y| row_text(terminal.backend().buffer(), y))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn ready(&self, hospital: usize) -> Option<u32> {
        self.app.report().rows.get(hospital).and_then(|r| r.ready)
    }
}

/// Pumps every dashboard until `done` holds for all of them (a generous timeout, not a
/// measure: it only keeps a broken build from hanging).
async fn wait_all(
    boards: &mut [&mut Dashboard],
    what: &str,
    done: impl Fn(&mut Dashboard) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut all = true;
        for board in boards.iter_mut() {
            board.pump();
            all &= done(board);
        }
        if all {
            return;
        }
        if Instant::now() > deadline {
            let lines: Vec<String> = boards
                .iter_mut()
                .map(|b| {
                    let status = b.status_line();
                    format!("{}: {status}", b.name)
                })
                .collect();
            panic!("{what}: not within 60 s\n{}", lines.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `bedboard status` through the real binary: its exit code and its lines.
async fn status(store: &Path) -> (Option<i32>, String) {
    let store = store.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bedboard"))
            .args(["status", "--interval", "10", "--store"])
            .arg(&store)
            .env_remove("BEDBOARD_CONFIG")
            .env("XDG_CONFIG_HOME", store.parent().unwrap())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    })
    .await
    .unwrap()
}

fn line<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} in\n{text}"))
}

fn lease_holder(store: &Path) -> Option<String> {
    let lease = Store::open_read_only(store).unwrap().lease().unwrap();
    lease
        .filter(|(_, until)| *until > now_jst())
        .map(|(holder, _)| holder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_shows_a_change_soon_after_an_outage_longer_than_the_lease() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let seed = seed_report();
    let feed = Feed::start(csv(&seed));
    let mut a = Dashboard::start("a", &feed.url, &store, "1@a");
    wait_all(&mut [&mut a], "the first fetch", |d| d.ready(2).is_some()).await;
    let mut b = Dashboard::start("b", &feed.url, &store, "2@a");
    let mut c = Dashboard::start("c", &feed.url, &store, "3@b");
    wait_all(&mut [&mut a, &mut b, &mut c], "the board everywhere", |d| {
        d.ready(2).is_some() && d.app.feed.poller.is_some()
    })
    .await;
    assert_ne!(seed.rows[2].ready, Some(0), "the change below is a change");

    // The feed dies for longer than the lease (two intervals): every board says so.
    feed.kill();
    wait_all(
        &mut [&mut a, &mut b, &mut c],
        "the failure everywhere",
        |d| d.screen().contains("【取得失敗】"),
    )
    .await;
    tokio::time::sleep(INTERVAL * 4).await;
    assert_eq!(
        lease_holder(&store).as_deref(),
        Some("1@a"),
        "the poller kept its lease while it backed off"
    );

    // It comes back with a change: every board shows it, and the failure goes.
    let mut changed = seed.clone();
    changed.rows[2].ready = Some(0);
    feed.revive(csv(&changed));
    wait_all(
        &mut [&mut a, &mut b, &mut c],
        "the change everywhere",
        |d| d.ready(2) == Some(0) && !d.screen().contains("【取得失敗】"),
    )
    .await;
    a.pump();
    let cap = chrono::Duration::from_std(INTERVAL * 2).unwrap();
    assert!(
        a.longest_retry > chrono::Duration::zero() && a.longest_retry <= cap,
        "after a failure the next poll is due within two intervals: {:?}",
        a.longest_retry
    );

    // Who polls: the same answer on every status line and from `bedboard status`.
    let (code, said) = status(&store).await;
    assert!(
        line(&said, "取得中のプロセス: ").contains("bedboard pid 1・ホスト a（"),
        "{said}"
    );
    assert!(
        a.status_line().contains("取得: この画面"),
        "{}",
        a.status_line()
    );
    let b_line = b.status_line();
    assert!(
        b_line.contains("取得: 別の bedboard（pid 1）") && b_line.contains("最終取得 "),
        "the same host is not named: {b_line}"
    );
    let c_line = c.status_line();
    assert!(
        c_line.contains("取得: 別の bedboard（pid 1・ホスト a）"),
        "{c_line}"
    );
    assert!(
        !b_line.contains("次回") && !c_line.contains("次回"),
        "{b_line}\n{c_line}"
    );
    // The seed's reports are from 2022: read just now, they are still old.
    assert_eq!(code, Some(1), "{said}");
    assert!(line(&said, "最新の報告日時: ").contains("2022/"), "{said}");
    assert!(
        line(&said, "状態: ").contains("データが古くなっています")
            && !said.contains("取得が止まっています"),
        "{said}"
    );
    for board in [a, b, c] {
        board.handle.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_holder_is_replaced_and_every_status_names_the_new_poller() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let feed = Feed::start(csv(&seed_report()));
    // A poller that died without giving its lease up: it runs a few intervals more.
    {
        let mut dead = Store::open(&store).unwrap();
        let ttl = chrono::Duration::from_std(INTERVAL * 4).unwrap();
        assert!(dead.try_acquire_lease("99@a", now_jst(), ttl).unwrap());
    }
    let mut b = Dashboard::start("b", &feed.url, &store, "2@a");
    let mut c = Dashboard::start("c", &feed.url, &store, "3@a");
    wait_all(&mut [&mut b, &mut c], "the dead poller named", |d| {
        let line = d.status_line();
        line.contains("取得: 別の bedboard（pid 99）") && line.contains("まだ取得していません")
    })
    .await;
    let (_, said) = status(&store).await;
    assert!(
        line(&said, "取得中のプロセス: ").contains("pid 99"),
        "{said}"
    );
    assert!(
        line(&said, "状態: ").contains("データがありません"),
        "{said}"
    );

    // Its lease runs out: one of the two takes over and fetches, the other follows it.
    wait_all(
        &mut [&mut b, &mut c],
        "the board from the new poller",
        |d| d.ready(2).is_some(),
    )
    .await;
    let polls_here = |d: &mut Dashboard| d.status_line().contains("取得: この画面");
    let (poller, follower) = if polls_here(&mut b) {
        (&mut b, &mut c)
    } else {
        (&mut c, &mut b)
    };
    assert!(polls_here(poller), "{}", poller.status_line());
    let pid = if poller.name == "b" { "2" } else { "3" };
    let holder = format!("{pid}@a");
    assert_eq!(lease_holder(&store), Some(holder));
    wait_all(&mut [follower], "the follower names the new poller", |d| {
        d.status_line()
            .contains(&format!("取得: 別の bedboard（pid {pid}）"))
    })
    .await;
    let (_, said) = status(&store).await;
    assert!(
        line(&said, "取得中のプロセス: ").contains(&format!("bedboard pid {pid}・ホスト a")),
        "{said}"
    );
    assert!(
        line(&said, "最後に成功した取得: ").contains("たった今"),
        "{said}"
    );
    b.handle.shutdown().await;
    c.handle.shutdown().await;
}

//! `bedboard poll`, the real binary, against a feed on 127.0.0.1: a dashboard in a
//! pseudo-terminal on the same store shows what it stores and does not poll; after
//! SIGTERM it exits 0 and the dashboard takes over at once (killed, within twice the
//! interval); when it comes back, the dashboard hands the polling back. Its log says each outcome without a
//! credential, and `bedboard status` names it.
//!
//! The service and the dashboard fetch the same report under two query strings
//! (`?by=poll`, `?by=dash`), so the server can tell whose each request is. Nothing waits
//! a fixed time: every wait watches the log, the screen or the server until a deadline.
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The shortest interval the command takes.
const INTERVAL: Duration = Duration::from_secs(10);
/// How long a wait for something that needs no interval may take: generous on purpose.
const DEADLINE: Duration = Duration::from_secs(30);
const SEED: &str = "assets/sample/seed-tokyo.csv";

// ---------------------------------------------------------------------------
// The feed

/// Serves the seed report, counting the requests by their `by=` query.
struct Feed {
    url: String,
    requests: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl Feed {
    fn start() -> Self {
        let body = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a loopback port");
        let url = format!(
            "http://{}/report.csv",
            server.server_addr().to_ip().unwrap()
        );
        let requests = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopping) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) else {
                    continue;
                };
                let by = request
                    .url()
                    .split_once("by=")
                    .map_or("", |(_, by)| by)
                    .to_string();
                *counted.lock().unwrap().entry(by).or_insert(0) += 1;
                let _ = request.respond(tiny_http::Response::from_data(body.clone()));
            }
        });
        Self {
            url,
            requests,
            stop,
        }
    }

    /// The URL as `who` fetches it.
    fn url_for(&self, who: &str) -> String {
        format!("{}?by={who}", self.url)
    }

    fn requests(&self, who: &str) -> usize {
        self.requests.lock().unwrap().get(who).copied().unwrap_or(0)
    }

    /// Waits until `who` has made at least `n` requests.
    fn wait_for_requests(&self, who: &str, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.requests(who) < n {
            assert!(
                Instant::now() < deadline,
                "{n} requests by {who:?} not within {within:?}: {:?}",
                self.requests.lock().unwrap()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------
// The service

/// Lines a child writes, as they come.
#[derive(Default)]
struct Lines {
    lines: Mutex<(Vec<String>, bool)>,
    changed: Condvar,
}

impl Lines {
    /// The lines so far, and whether they have ended; a failed wait elsewhere must not
    /// hide them.
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<String>, bool)> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Collects `from` line by line until it ends.
    fn collect(from: impl Read + Send + 'static) -> Arc<Self> {
        let lines = Arc::new(Self::default());
        let collecting = lines.clone();
        thread::spawn(move || {
            for line in BufReader::new(from).lines() {
                let Ok(line) = line else { break };
                collecting.lock().0.push(line);
                collecting.changed.notify_all();
            }
            collecting.lock().1 = true;
            collecting.changed.notify_all();
        });
        lines
    }

    fn all(&self) -> Vec<String> {
        self.lock().0.clone()
    }

    fn count(&self, pattern: impl Fn(&str) -> bool) -> usize {
        self.all().iter().filter(|line| pattern(line)).count()
    }

    /// Waits until the writer has closed its end (every line is in).
    fn wait_for_end(&self) {
        let deadline = Instant::now() + DEADLINE;
        let mut lines = self.lock();
        while !lines.1 {
            let now = Instant::now();
            assert!(
                now < deadline,
                "the log did not end\n{}",
                lines.0.join("\n")
            );
            lines = self
                .changed
                .wait_timeout(lines, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until `n` lines match `pattern`.
    fn wait_for(&self, what: &str, n: usize, within: Duration, pattern: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + within;
        let mut lines = self.lock();
        loop {
            if lines.0.iter().filter(|line| pattern(line)).count() >= n {
                return;
            }
            let now = Instant::now();
            assert!(
                now < deadline && !lines.1,
                "waiting for {n} × {what}: not within {within:?} (ended: {})\n{}",
                lines.1,
                lines.0.join("\n")
            );
            lines = self
                .changed
                .wait_timeout(lines, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// One poll's outcome in the service's log.
fn is_outcome(line: &str) -> bool {
    !line.contains("の取得: ")
        && ["取得しました ", "変化なし", "取得失敗: "]
            .iter()
            .any(|word| line.contains(word))
}

/// A command of the real binary, with the caller's `BEDBOARD_*` settings removed and the
/// user's folders in `home`.
fn bedboard(args: &[&str], home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedboard"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("BEDBOARD_") || name == "JOURNAL_STREAM" {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("TMPDIR", home)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE");
    command
}

/// `bedboard poll ARGS` with its stderr read line by line.
struct Service {
    child: Child,
    log: Arc<Lines>,
}

impl Service {
    fn start(args: &[&str], home: &Path) -> Self {
        Self::start_with(bedboard(&[&["poll"], args].concat(), home))
    }

    fn start_with(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bedboard poll starts");
        let log = Lines::collect(child.stderr.take().unwrap());
        Self { child, log }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` and waits for the exit (and the end of the log).
    fn stop(&mut self, signal: libc::c_int) -> ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill has no memory-safety preconditions; the child is ours, not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let status = wait_exit(&mut self.child);
        self.log.wait_for_end();
        status
    }

    fn text(&self) -> String {
        self.log.all().join("\n")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_exit(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit within {DEADLINE:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------
// A dashboard in a pseudo-terminal

const ROWS: u16 = 30;
const COLS: u16 = 100;

/// The dashboard, its screen read through a vt100 emulator on a thread of its own.
struct Dashboard {
    child: Child,
    screen: Arc<(Mutex<vt100::Parser>, Condvar)>,
    _master: File,
}

impl Dashboard {
    /// A dashboard on `store`, fetching from `url` when it polls itself.
    fn on_store(url: &str, store: &str, interval: &str, home: &Path) -> Self {
        let args = [
            "--source",
            url,
            "--store",
            store,
            "--interval",
            interval,
            "--ambiguous-width",
            "narrow",
            "--no-color",
        ];
        Self::start(&args, home)
    }

    fn start(args: &[&str], home: &Path) -> Self {
        let (master, slave) = open_pty();
        let mut command = bedboard(args, home);
        command
            .env("TERM", "xterm-256color")
            .env("BEDBOARD_LOG", home.join("dashboard.log"))
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("the dashboard starts");
        drop(command);
        let screen = Arc::new((
            Mutex::new(vt100::Parser::new(
                ROWS.try_into().unwrap(),
                COLS.try_into().unwrap(),
                0,
            )),
            Condvar::new(),
        ));
        let mut reader = File::from(master.try_clone().unwrap());
        let fed = screen.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            // Ends with EIO once the child has closed the terminal.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                fed.0
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .process(&buf[..n]);
                fed.1.notify_all();
            }
        });
        Self {
            child,
            screen,
            _master: File::from(master),
        }
    }

    fn text(&self) -> String {
        self.screen
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .screen()
            .contents()
    }

    fn wait_for_text(&self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        let mut parser = self.screen.0.lock().unwrap_or_else(|e| e.into_inner());
        while !parser.screen().contents().contains(text) {
            let now = Instant::now();
            assert!(
                now < deadline,
                "{text:?} not on screen within {within:?}\n{}",
                parser.screen().contents()
            );
            parser = self
                .screen
                .1
                .wait_timeout(parser, deadline - now)
                .unwrap()
                .0;
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn open_pty() -> (OwnedFd, OwnedFd) {
    // SAFETY: plain libc calls on descriptors this function owns; the name buffer
    // outlives the calls that use it.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(master >= 0, "posix_openpt");
        let master = OwnedFd::from_raw_fd(master);
        assert_eq!(libc::grantpt(master.as_raw_fd()), 0);
        assert_eq!(libc::unlockpt(master.as_raw_fd()), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(
            libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()),
            0
        );
        let slave = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(slave >= 0, "open the pty's slave");
        let size = libc::winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        assert_eq!(libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size), 0);
        (master, OwnedFd::from_raw_fd(slave))
    }
}

fn lease_holder(store: &Path) -> Option<String> {
    bedboard::store::Store::open_read_only(store)
        .unwrap()
        .lease()
        .unwrap()
        .map(|(holder, _)| holder)
}

// ---------------------------------------------------------------------------

#[test]
fn the_dashboard_follows_the_service_takes_over_when_it_stops_and_hands_back() {
    let feed = Feed::start();
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("history.sqlite3");
    let store_arg = store.to_str().unwrap();
    let interval = INTERVAL.as_secs().to_string();
    let service_url = feed.url_for("poll");
    let service_args = [
        "--source",
        &service_url,
        "--store",
        store_arg,
        "--interval",
        &interval,
    ];
    let mut service = Service::start(&service_args, home.path());
    service.log.wait_for("the first poll", 1, DEADLINE, |l| {
        l.contains("取得しました 12 件")
    });

    // The dashboard shows the stored board at once, and says who polls.
    let dashboard_url = feed.url_for("dash");
    let dashboard = Dashboard::on_store(&dashboard_url, store_arg, &interval, home.path());
    dashboard.wait_for_text("レコード数 12", DEADLINE);
    dashboard.wait_for_text(
        &format!("取得: bedboard poll（pid {}）", service.pid()),
        DEADLINE,
    );

    // Two more intervals: every request is one of the service's polls, one each.
    let polls = service.log.count(is_outcome);
    service
        .log
        .wait_for("two more polls", polls + 2, 3 * INTERVAL, is_outcome);
    assert_eq!(
        feed.requests("poll"),
        service.log.count(is_outcome),
        "one request per poll\n{}",
        service.text()
    );
    assert_eq!(feed.requests("dash"), 0, "the dashboard does not poll");

    // SIGTERM: exit 0 and the lease given up; the dashboard polls within two intervals.
    let status = service.stop(libc::SIGTERM);
    assert_eq!(status.code(), Some(0), "{status}\n{}", service.text());
    let said = service.text();
    assert!(said.contains("SIGTERM を受けたため終了します"), "{said}");
    assert!(
        said.contains("取得を止め、履歴ファイルを閉じました"),
        "{said}"
    );
    let holder = lease_holder(&store);
    assert!(
        holder.as_deref().is_none_or(|h| !h.starts_with("poll:")),
        "the service's lease is released: {holder:?}"
    );
    feed.wait_for_requests("dash", 1, 2 * INTERVAL);
    dashboard.wait_for_text("取得: この画面", DEADLINE);

    // The service comes back: it takes the polling over at once, the dashboard follows.
    let mut service = Service::start(&service_args, home.path());
    service
        .log
        .wait_for("the lease", 1, DEADLINE, |l| l.contains("取得を担当します"));
    dashboard.wait_for_text(
        &format!("取得: bedboard poll（pid {}）", service.pid()),
        2 * INTERVAL,
    );
    let dashboard_polls = feed.requests("dash");
    service
        .log
        .wait_for("two polls", 2, 3 * INTERVAL, is_outcome);
    assert_eq!(
        feed.requests("dash"),
        dashboard_polls,
        "a following dashboard does not poll\n{}",
        dashboard.text()
    );
    assert!(lease_holder(&store).is_some_and(|h| h.starts_with("poll:")));
    assert_eq!(service.stop(libc::SIGTERM).code(), Some(0));
}

#[test]
fn the_log_holds_no_credential_and_status_names_the_service() {
    let feed = Feed::start();
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("history.sqlite3");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[feed.auth]\nkind = \"basic\"\nusername = \"fire-user\"\npassword = { env = \"FEED_PW\" }\n",
    )
    .unwrap();
    let source = format!("{}&token=query-secret-123", feed.url_for("poll"));
    let mut command = bedboard(
        &[
            "poll",
            "--source",
            &source,
            "--config",
            config.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
        ],
        home.path(),
    );
    command.env("FEED_PW", "password-secret-456");
    let mut service = Service::start_with(command);
    service.log.wait_for("the first poll", 1, DEADLINE, |l| {
        l.contains("取得しました 12 件")
    });

    let status = bedboard(&["status", "--store", store.to_str().unwrap()], home.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(
        said.contains(&format!(
            "取得中のプロセス: bedboard poll・pid {}",
            service.pid()
        )),
        "{said}"
    );

    let status = service.stop(libc::SIGINT);
    assert_eq!(status.code(), Some(0), "{status}");
    let log = service.text();
    assert!(log.contains("SIGINT を受けたため終了します"), "{log}");
    assert!(log.contains(&format!("取得元 {}", feed.url)), "{log}");
    for secret in ["query-secret-123", "password-secret-456", "fire-user"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    // Each line starts with the time, as a terminal or a file wants it.
    assert!(
        log.lines()
            .all(|line| line.len() > 20 && line.as_bytes()[4] == b'/' && &line[19..20] == " "),
        "{log}"
    );
}

#[test]
fn into_the_journal_each_line_has_a_priority_and_no_time() {
    let home = tempfile::tempdir().unwrap();
    let stderr = home.path().join("journal.txt");
    let file = File::create(&stderr).unwrap();
    let stream = {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().unwrap();
        format!("{}:{}", meta.dev(), meta.ino())
    };
    // A file source with no store named: the dashboard's default store.
    let mut child = bedboard(&["poll", "--source", SEED], home.path())
        .env("JOURNAL_STREAM", stream)
        .stdin(Stdio::null())
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + DEADLINE;
    let read = || std::fs::read_to_string(&stderr).unwrap();
    while !read().contains("取得しました 12 件") {
        assert!(Instant::now() < deadline, "no poll:\n{}", read());
        thread::sleep(Duration::from_millis(20));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: as in Service::stop.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(status.signal(), None);
    let log = read();
    assert!(log.contains("<6>取得しました 12 件"), "{log}");
    let default_store = home.path().join("data/bedboard/history.sqlite3");
    assert!(
        log.contains(&format!("履歴ファイル {}（既定）", default_store.display())),
        "{log}"
    );
    assert!(default_store.exists());
    assert!(
        log.lines()
            .all(|line| line.starts_with("<6>") || line.starts_with("<4>")),
        "{log}"
    );
}

#[test]
fn without_a_source_the_demo_is_polled_into_a_file_removed_at_the_end() {
    let home = tempfile::tempdir().unwrap();
    let mut service = Service::start(&[], home.path());
    service.log.wait_for("the demo's poll", 1, DEADLINE, |l| {
        l.contains("取得しました ")
    });
    let said = service.text();
    assert!(said.contains("内蔵のデモ用フィードを取得します"), "{said}");
    let demo_store = home
        .path()
        .join(format!("bedboard-demo-poll-{}.sqlite3", service.pid()));
    assert!(
        said.contains(&format!(
            "履歴ファイル {}（デモ用・終了時に削除）",
            demo_store.display()
        )),
        "{said}"
    );
    assert!(demo_store.exists());
    assert_eq!(service.stop(libc::SIGTERM).code(), Some(0));
    assert!(!demo_store.exists(), "{}", service.text());
}

#[test]
fn a_service_that_dies_without_a_word_is_replaced_within_twice_the_interval() {
    let feed = Feed::start();
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("history.sqlite3");
    let store_arg = store.to_str().unwrap();
    let interval = INTERVAL.as_secs().to_string();
    let service_url = feed.url_for("poll");
    let mut service = Service::start(
        &[
            "--source",
            &service_url,
            "--store",
            store_arg,
            "--interval",
            &interval,
        ],
        home.path(),
    );
    service.log.wait_for("the first poll", 1, DEADLINE, |l| {
        l.contains("取得しました 12 件")
    });
    let dashboard_url = feed.url_for("dash");
    let dashboard = Dashboard::on_store(&dashboard_url, store_arg, &interval, home.path());
    dashboard.wait_for_text("取得: bedboard poll", DEADLINE);
    // Killed, the service keeps its lease until it lapses: two intervals from its last
    // renewal, which came before the kill. A second's tick and the fetch come on top.
    let status = service.stop(libc::SIGKILL);
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert!(lease_holder(&store).is_some_and(|h| h.starts_with("poll:")));
    assert_eq!(feed.requests("dash"), 0);
    feed.wait_for_requests("dash", 1, 2 * INTERVAL + Duration::from_secs(5));
    dashboard.wait_for_text("取得: この画面", DEADLINE);
}

#[test]
fn a_store_that_cannot_be_opened_stops_the_service_with_its_reason() {
    let home = tempfile::tempdir().unwrap();
    // A folder where the file should be.
    let output = bedboard(
        &[
            "poll",
            "--source",
            SEED,
            "--store",
            home.path().to_str().unwrap(),
        ],
        home.path(),
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("フォルダです"), "{said}");
    assert!(!said.contains("取得しました"), "{said}");
}

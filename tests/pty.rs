//! The full-screen dashboard through the real binary in a pseudo-terminal.
//!
//! Each test starts `bedboard` on the slave side of a fresh pty (100 × 30,
//! `TERM=xterm-256color`, the pty as its controlling terminal), presses keys
//! by writing to the master side, and reads the screen through a `vt100`
//! emulator fed by a background thread. Nothing waits a fixed time: every
//! wait polls the emulated screen (or the child) until a generous deadline,
//! so a slow, busy machine only makes the tests slower, not flaky.
//!
//! After the child exits the tests check that the terminal was handed back:
//! the alternate screen left, the cursor shown, and the tty in cooked mode.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// How long any one wait may take before the test fails. Generous on purpose:
/// a normal run needs a fraction of a second per wait.
const DEADLINE: Duration = Duration::from_secs(20);

const SEED: &str = "assets/sample/seed-tokyo.csv";
const AWKWARD: &str = "tests/fixtures/cp932-extensions.csv";

const ENTER_ALT_SCREEN: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

// ---------------------------------------------------------------------------
// The pty itself

fn check(ret: libc::c_int, what: &str) -> libc::c_int {
    if ret == -1 {
        panic!("{what}: {}", io::Error::last_os_error());
    }
    ret
}

/// Opens a pty pair of the given size. Both ends are close-on-exec, so tests
/// running in parallel never leak one another's pty into their children.
fn open_pty(rows: u16, cols: u16) -> (OwnedFd, OwnedFd) {
    // SAFETY: plain libc calls on descriptors this function owns; the name
    // buffer outlives the calls that use it.
    unsafe {
        let master = check(
            libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC),
            "posix_openpt",
        );
        let master = OwnedFd::from_raw_fd(master);
        check(libc::grantpt(master.as_raw_fd()), "grantpt");
        check(libc::unlockpt(master.as_raw_fd()), "unlockpt");
        let mut name = [0 as libc::c_char; 128];
        let rc = libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len());
        assert_eq!(rc, 0, "ptsname_r: {}", io::Error::from_raw_os_error(rc));
        let slave = check(
            libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            ),
            "open pty slave",
        );
        let slave = OwnedFd::from_raw_fd(slave);
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        check(
            libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size),
            "TIOCSWINSZ",
        );
        (master, slave)
    }
}

/// The terminal settings of the pty. On Linux the master answers for the
/// slave, even after the child has closed its end.
fn termios_of(fd: &impl AsRawFd) -> libc::termios {
    // SAFETY: tcgetattr fills the whole struct; zero is a valid bit pattern.
    unsafe {
        let mut termios: libc::termios = std::mem::zeroed();
        check(libc::tcgetattr(fd.as_raw_fd(), &mut termios), "tcgetattr");
        termios
    }
}

/// What a line-editing ("cooked") terminal has and raw mode takes away.
fn cooked_mode_problems(t: &libc::termios) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for (flag, name) in [
        (libc::ICANON, "ICANON"),
        (libc::ECHO, "ECHO"),
        (libc::ISIG, "ISIG"),
    ] {
        if t.c_lflag & flag == 0 {
            missing.push(name);
        }
    }
    if t.c_oflag & libc::OPOST == 0 {
        missing.push("OPOST");
    }
    missing
}

// ---------------------------------------------------------------------------
// The emulated screen, fed by a background thread

struct Screen {
    parser: vt100::Parser,
    /// Every byte the child wrote, in order.
    bytes: Vec<u8>,
    /// How far `bytes` has been searched for terminal queries.
    scanned: usize,
    /// The child's side of the pty is closed: no more output will come.
    eof: bool,
    /// How the emulated terminal answers its queries.
    answering: Answering,
    /// Answers written to the child so far.
    answered: usize,
}

/// How the emulated terminal answers: at once as a UTF-8 terminal that draws
/// ambiguous characters narrow, or as a slow link, a CJK terminal, or not at all.
#[derive(Clone, Copy)]
struct Answering {
    /// `None`: the terminal never answers.
    delay: Option<Duration>,
    /// Reports the cursor one cell further on, as a terminal that drew the
    /// probe's ambiguous character two cells wide would.
    ambiguous_wide: bool,
}

impl Default for Answering {
    fn default() -> Self {
        Self {
            delay: Some(Duration::ZERO),
            ambiguous_wide: false,
        }
    }
}

impl Screen {
    /// Takes in a chunk of output and returns the answers to the queries in it
    /// that a real terminal answers (cursor position, device attributes), so
    /// a dashboard that asks is not left waiting for a time-out. The cursor
    /// position is the one right after the query; a query split over two
    /// reads is answered once whole.
    fn take(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
        const QUERIES: [&[u8]; 3] = [b"\x1b[6n", b"\x1b[c", b"\x1b[0c"];
        let mut fed = self.bytes.len();
        self.bytes.extend_from_slice(chunk);
        let mut replies = Vec::new();
        let mut i = self.scanned;
        while i < self.bytes.len() {
            let rest = &self.bytes[i..];
            let whole = QUERIES.iter().position(|q| rest.starts_with(q));
            if rest[0] != 0x1b {
                i += 1;
            } else if let Some(which) = whole {
                let end = i + QUERIES[which].len();
                self.parser.process(&self.bytes[fed..end]);
                fed = end;
                replies.push(if which == 0 {
                    let (row, col) = self.parser.screen().cursor_position();
                    let col = col + u16::from(self.answering.ambiguous_wide);
                    format!("\x1b[{};{}R", row + 1, col + 1).into_bytes()
                } else {
                    b"\x1b[?1;2c".to_vec()
                });
                i = end;
            } else if QUERIES.iter().any(|q| q.starts_with(rest)) {
                break; // possibly a query cut short: look again after the next read
            } else {
                i += 1;
            }
        }
        self.scanned = i;
        self.parser.process(&self.bytes[fed..]);
        replies
    }
}

struct Shared {
    screen: Mutex<Screen>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Screen> {
        // A failed assertion elsewhere must not hide the screen from Drop.
        self.screen.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn answer(answers: &mut File, reply: &[u8], shared: &Shared) {
    // The child may be gone already; an unanswered query is its loss.
    let _ = answers.write_all(reply);
    shared.lock().answered += 1;
    shared.changed.notify_all();
}

/// Reads the master until the last slave descriptor closes (EIO on Linux).
fn pump(mut reader: File, mut answers: File, shared: Arc<Shared>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let (replies, answering) = {
            let mut screen = shared.lock();
            (screen.take(&buf[..n]), screen.answering)
        };
        shared.changed.notify_all();
        let Some(delay) = answering.delay else {
            continue;
        };
        for reply in replies {
            if delay.is_zero() {
                answer(&mut answers, &reply, &shared);
                continue;
            }
            let mut answers = answers.try_clone().expect("dup pty master");
            let shared = Arc::clone(&shared);
            // Answered from a thread of its own, so a slow answer holds up no output.
            thread::spawn(move || {
                thread::sleep(delay);
                answer(&mut answers, &reply, &shared);
            });
        }
    }
    shared.lock().eof = true;
    shared.changed.notify_all();
}

// ---------------------------------------------------------------------------
// The harness

/// `bedboard` running in a pty, with its screen.
struct Term {
    child: Child,
    status: Option<ExitStatus>,
    /// The master side: keys go in here, and termios is read from it.
    master: File,
    shared: Arc<Shared>,
    args: Vec<String>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Term {
    /// Starts `bedboard ARGS` in the crate's directory on a fresh 100 × 30 pty,
    /// in a UTF-8 locale.
    fn spawn(args: &[&str]) -> Self {
        Self::spawn_in(args, "C.UTF-8")
    }

    /// [`Term::spawn`] with `LANG` set to `lang` (and LC_ALL, LC_CTYPE unset).
    fn spawn_in(args: &[&str], lang: &str) -> Self {
        Self::spawn_with(args, lang, Answering::default())
    }

    /// [`Term::spawn_in`] on a terminal that answers as `answering` says.
    fn spawn_with(args: &[&str], lang: &str, answering: Answering) -> Self {
        let (master, slave) = open_pty(ROWS, COLS);
        let before = termios_of(&master);
        assert!(
            cooked_mode_problems(&before).is_empty(),
            "a fresh pty should start in cooked mode"
        );

        let dir = tempfile::tempdir().expect("a temporary directory");
        let log = dir.path().join("bedboard.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_bedboard"));
        // Settings from the caller's environment must not change what is tested.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BEDBOARD_") {
                command.env_remove(name);
            }
        }
        command
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TERM", "xterm-256color")
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .env("LANG", lang)
            .env("BEDBOARD_LOG", &log)
            // The demo's session store goes here, where a test can look for it.
            .env("TMPDIR", dir.path())
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .stdin(Stdio::from(slave.try_clone().expect("dup pty slave")))
            .stdout(Stdio::from(slave.try_clone().expect("dup pty slave")))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                // A session of its own, with the pty as controlling terminal,
                // so /dev/tty is the pty as in a real terminal.
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("bedboard starts");
        // Our copies of the slave must be gone, or the reader never sees EOF.
        drop(command);

        let shared = Arc::new(Shared {
            screen: Mutex::new(Screen {
                parser: vt100::Parser::new(ROWS.try_into().unwrap(), COLS.try_into().unwrap(), 0),
                bytes: Vec::new(),
                scanned: 0,
                eof: false,
                answering,
                answered: 0,
            }),
            changed: Condvar::new(),
        });
        let reader = File::from(master.try_clone().expect("dup pty master"));
        let answers = File::from(master.try_clone().expect("dup pty master"));
        let pumped = Arc::clone(&shared);
        thread::Builder::new()
            .name("pty-reader".into())
            .spawn(move || pump(reader, answers, pumped))
            .expect("reader thread");

        Term {
            child,
            status: None,
            master: File::from(master),
            shared,
            args: args.iter().map(|s| s.to_string()).collect(),
            log,
            _dir: dir,
        }
    }

    /// The child's temporary folder (its `TMPDIR`).
    fn temp_dir(&self) -> &Path {
        self._dir.path()
    }

    /// Types bytes at the keyboard.
    fn send(&mut self, bytes: &[u8]) {
        self.master
            .write_all(bytes)
            .and_then(|()| self.master.flush())
            .unwrap_or_else(|e| panic!("sending {bytes:?}: {e}\n{}", self.diagnostics()));
    }

    /// The screen as text, one line per row, trailing blanks trimmed.
    fn screen_text(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Runs `f` on the current emulated screen.
    fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(self.shared.lock().parser.screen())
    }

    /// Every byte the child has written so far.
    fn output(&self) -> Vec<u8> {
        self.shared.lock().bytes.clone()
    }

    fn pid(&self) -> libc::pid_t {
        self.child.id().try_into().expect("pid fits pid_t")
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions; the child is ours
        // and not yet reaped, so the pid is still its own.
        check(unsafe { libc::kill(self.pid(), signal) }, "kill");
    }

    fn termios(&self) -> libc::termios {
        termios_of(&self.master)
    }

    /// Waits until `text` is on the screen.
    fn wait_for_text(&self, text: &str) {
        self.wait_until(&format!("{text:?} on screen"), |s| {
            s.contents().contains(text)
        });
    }

    /// Waits until the output, read in `encoding`, holds `text`. For a
    /// terminal in a set other than UTF-8, which the emulator cannot read.
    fn wait_for_output_in(&self, encoding: &'static encoding_rs::Encoding, text: &str) {
        self.wait_on(&format!("{text:?} in the output"), DEADLINE, |screen| {
            encoding
                .decode_without_bom_handling(&screen.bytes)
                .0
                .contains(text)
        });
    }

    /// Waits until the emulated terminal has answered `n` queries.
    fn wait_for_answers(&self, n: usize) {
        self.wait_on(&format!("{n} answers"), DEADLINE, |screen| {
            screen.answered >= n
        });
    }

    /// Waits until `text` is no longer anywhere on the screen.
    fn wait_for_text_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} gone from the screen"), |s| {
            !s.contents().contains(text)
        });
    }

    /// Waits (without a fixed sleep) until the screen satisfies `ready`.
    /// Fails early if the child closes the terminal first.
    fn wait_until(&self, what: &str, ready: impl FnMut(&vt100::Screen) -> bool) {
        self.wait_until_within(what, DEADLINE, ready);
    }

    /// [`Term::wait_until`] with a deadline of the caller's choosing.
    fn wait_until_within(
        &self,
        what: &str,
        within: Duration,
        mut ready: impl FnMut(&vt100::Screen) -> bool,
    ) {
        self.wait_on(what, within, |screen| ready(screen.parser.screen()));
    }

    /// Waits until what the terminal has seen satisfies `ready`: its screen,
    /// its bytes, or the answers it gave. Fails early if the child closes the
    /// terminal first.
    fn wait_on(&self, what: &str, within: Duration, mut ready: impl FnMut(&Screen) -> bool) {
        let deadline = Instant::now() + within;
        let mut screen = self.shared.lock();
        loop {
            if ready(&screen) {
                return;
            }
            if screen.eof {
                drop(screen);
                panic!(
                    "waiting for {what}: bedboard closed the terminal first\n{}",
                    self.diagnostics()
                );
            }
            let now = Instant::now();
            if now >= deadline {
                drop(screen);
                panic!(
                    "waiting for {what}: not within {within:?}\n{}",
                    self.diagnostics()
                );
            }
            screen = self
                .shared
                .changed
                .wait_timeout(screen, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits for the child to exit and for all its output to be read.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            match self.child.try_wait().expect("try_wait") {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    panic!(
                        "bedboard did not exit within {DEADLINE:?}\n{}",
                        self.diagnostics()
                    )
                }
                None => thread::sleep(Duration::from_millis(10)),
            }
        };
        self.status = Some(status);
        let mut screen = self.shared.lock();
        while !screen.eof {
            let now = Instant::now();
            if now >= deadline {
                drop(screen);
                panic!(
                    "bedboard exited ({status}) but its terminal output never ended\n{}",
                    self.diagnostics()
                );
            }
            screen = self
                .shared
                .changed
                .wait_timeout(screen, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        status
    }

    /// After exit: alternate screen left, cursor shown, tty in cooked mode.
    fn assert_restored(&self) {
        let out = self.output();
        let entered = rfind(&out, ENTER_ALT_SCREEN).unwrap_or_else(|| {
            panic!(
                "the dashboard never entered the alternate screen\n{}",
                self.diagnostics()
            )
        });
        assert!(
            find(&out[entered..], LEAVE_ALT_SCREEN).is_some(),
            "the alternate screen was not left after it was last entered\n{}",
            self.diagnostics()
        );
        if let Some(hidden) = rfind(&out, HIDE_CURSOR) {
            assert!(
                find(&out[hidden..], SHOW_CURSOR).is_some(),
                "the cursor was not shown again after it was last hidden\n{}",
                self.diagnostics()
            );
        }
        let (alternate, hidden) = self.with_screen(|s| (s.alternate_screen(), s.hide_cursor()));
        assert!(
            !alternate,
            "emulator still on the alternate screen\n{}",
            self.diagnostics()
        );
        assert!(
            !hidden,
            "emulator cursor still hidden\n{}",
            self.diagnostics()
        );
        let missing = cooked_mode_problems(&self.termios());
        assert!(
            missing.is_empty(),
            "the tty was left in raw mode: {} not set again\n{}",
            missing.join(", "),
            self.diagnostics()
        );
    }

    /// The screen, the tail of the raw output and the log, for failures.
    fn diagnostics(&self) -> String {
        let (text, tail, eof) = {
            let screen = self.shared.lock();
            let start = screen.bytes.len().saturating_sub(1500);
            (
                screen.parser.screen().contents(),
                screen.bytes[start..].escape_ascii().to_string(),
                screen.eof,
            )
        };
        let log = std::fs::read_to_string(&self.log)
            .unwrap_or_else(|e| format!("(no log at {}: {e})", self.log.display()));
        format!(
            "bedboard {args:?}; exit status {status:?}; output ended: {eof}\n\
             --- screen ---\n{text}\n--- last output bytes ---\n{tail}\n--- BEDBOARD_LOG ---\n{log}",
            args = self.args,
            status = self.status,
        )
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if self.status.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // The reader thread ends by itself: with the child gone, the master
        // reads EIO.
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

// ---------------------------------------------------------------------------
// Reading the cell grid

/// A row's text and, for each character, the screen column it starts at.
/// Wide characters take two columns; empty cells read as spaces.
fn row_cells(screen: &vt100::Screen, row: u16) -> (String, Vec<(usize, u16)>) {
    let mut text = String::new();
    let mut starts = Vec::new();
    for col in 0..screen.size().1.get() {
        let Some(cell) = screen.cell(row, col) else {
            break;
        };
        if cell.is_wide_continuation() {
            continue;
        }
        starts.push((text.len(), col));
        match cell.contents() {
            "" => text.push(' '),
            contents => text.push_str(contents),
        }
    }
    (text, starts)
}

/// The row and the screen column where `needle` first appears.
fn locate(screen: &vt100::Screen, needle: &str) -> Option<(u16, u16)> {
    (0..screen.size().0.get()).find_map(|row| {
        let (text, starts) = row_cells(screen, row);
        let at = text.find(needle)?;
        let col = starts
            .iter()
            .rev()
            .find(|(offset, _)| *offset <= at)
            .map(|&(_, col)| col)?;
        Some((row, col))
    })
}

/// The first column separator (`│` or `|`) at or right of `col` in `row`.
fn separator_from(screen: &vt100::Screen, row: u16, col: u16) -> Option<u16> {
    (col..screen.size().1.get()).find(|&c| {
        screen
            .cell(row, c)
            .is_some_and(|cell| matches!(cell.contents(), "│" | "|"))
    })
}

// ---------------------------------------------------------------------------
// The tests

#[test]
fn quit_asks_first_and_restores_the_terminal() {
    let mut term = Term::spawn(&["--source", SEED, "--no-color"]);
    term.wait_for_text("レコード数 12");
    term.wait_for_text("東京都 病院16");
    assert!(
        term.with_screen(|s| s.alternate_screen()),
        "the dashboard should draw on the alternate screen\n{}",
        term.diagnostics()
    );
    // Also proves that termios read through the master follows the child.
    assert!(
        term.termios().c_lflag & libc::ICANON == 0,
        "the dashboard should put the tty in raw mode\n{}",
        term.diagnostics()
    );

    term.send(b"q");
    term.wait_for_text("終了しますか");
    term.send(b"n");
    term.wait_for_text_gone("終了しますか");
    assert!(
        term.screen_text().contains("レコード数 12"),
        "declining to quit should leave the dashboard up\n{}",
        term.diagnostics()
    );

    term.send(b"q");
    term.wait_for_text("終了しますか");
    term.send(b"y");
    let status = term.wait_exit();
    assert!(
        status.success(),
        "quitting should exit 0, got {status}\n{}",
        term.diagnostics()
    );
    term.assert_restored();
}

/// SIGTERM and SIGHUP end the dashboard the way `q` does: the event loop
/// returns, the terminal is restored, and the exit status names the signal.
fn a_signal_ends_the_dashboard(signal: libc::c_int) {
    use std::os::unix::process::ExitStatusExt;
    let mut term = Term::spawn(&["--source", SEED, "--no-color"]);
    term.wait_for_text("レコード数 12");
    term.signal(signal);
    let status = term.wait_exit();
    assert_eq!(
        (status.code(), status.signal()),
        (Some(128 + signal), None),
        "an exit of its own, not a kill by the signal: {status}\n{}",
        term.diagnostics()
    );
    term.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    a_signal_ends_the_dashboard(libc::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal() {
    a_signal_ends_the_dashboard(libc::SIGHUP);
}

#[test]
fn sigterm_runs_the_shutdown_the_demo_cleans_up_after() {
    let mut term = Term::spawn(&["--no-color"]);
    // The first fetch is in (and stored): the screen no longer shows the empty start.
    term.wait_until("the demo's first report", |s| {
        let text = s.contents();
        text.contains("レコード数 ") && !text.contains("レコード数 0 ")
    });
    let store = term
        .temp_dir()
        .join(format!("bedboard-demo-{}.sqlite3", term.pid()));
    assert!(
        store.exists(),
        "the demo keeps a session store\n{}",
        term.diagnostics()
    );
    term.signal(libc::SIGTERM);
    let status = term.wait_exit();
    // Exited on its own, as a shell reports a process ended by SIGTERM: 128 + 15.
    assert_eq!(
        status.code(),
        Some(128 + libc::SIGTERM),
        "after SIGTERM: {status}\n{}",
        term.diagnostics()
    );
    term.assert_restored();
    assert!(
        !store.exists(),
        "the shutdown after the event loop removes the demo's store"
    );
}

#[test]
fn awkward_names_keep_the_columns_aligned() {
    let term = Term::spawn(&[
        "--source",
        AWKWARD,
        "--ambiguous-width",
        "narrow",
        "--no-color",
    ]);
    term.wait_for_text("ｸﾞﾘｰﾝ");
    term.wait_for_text("Ⅱ号館");
    // ｸﾞﾘｰﾝ: half-width kana with separate voicing marks, after ①髙﨑会 ㈱;
    // Ⅱ and ※ are East Asian ambiguous, one cell each here.
    let found = term.with_screen(|screen| {
        ["医療機関名", "ｸﾞﾘｰﾝ", "Ⅱ号館"].map(|needle| {
            let (row, col) = locate(screen, needle)?;
            Some((row, separator_from(screen, row, col)))
        })
    });
    let [header, rows @ ..] = found;
    let Some((header_row, Some(header_sep))) = header else {
        panic!(
            "no 医療機関名 header followed by a column separator\n{}",
            term.diagnostics()
        );
    };
    for (needle, found) in ["ｸﾞﾘｰﾝ", "Ⅱ号館"].into_iter().zip(rows) {
        let Some((row, sep)) = found else {
            panic!("{needle} not on screen\n{}", term.diagnostics());
        };
        assert_ne!(row, header_row, "{needle} on the header row");
        assert_eq!(
            sep,
            Some(header_sep),
            "the separator after {needle} (row {row}) should line up with the header's \
             (row {header_row})\n{}",
            term.diagnostics()
        );
    }
}

/// A feed whose report the test changes, counting the requests it gets.
struct CountingFeed {
    url: String,
    body: Arc<Mutex<Vec<u8>>>,
    requests: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl CountingFeed {
    fn start(body: Vec<u8>) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a loopback port");
        let url = format!(
            "http://{}/report.csv",
            server.server_addr().to_ip().unwrap()
        );
        let body = Arc::new(Mutex::new(body));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, r, st) = (body.clone(), requests.clone(), stop.clone());
        thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) else {
                    continue;
                };
                r.fetch_add(1, Ordering::SeqCst);
                let response = tiny_http::Response::from_data(b.lock().unwrap().clone());
                let _ = request.respond(response);
            }
        });
        Self {
            url,
            body,
            requests,
            stop,
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for CountingFeed {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The seed report with one hospital renamed, as a CP932 export.
fn seed_export(renamed: &str) -> Vec<u8> {
    use bedboard::export::csv::{write_csv, OutputEncoding};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    let mut report = bedboard::formats::import_file(&path, &Default::default())
        .unwrap()
        .report;
    report.rows[0].hospital_name = renamed.to_string().into();
    write_csv(
        &report.extra_columns,
        &report.rows,
        OutputEncoding::ShiftJis,
    )
    .0
}

#[test]
fn two_dashboards_on_one_store_poll_once_and_the_survivor_takes_over() {
    let feed = CountingFeed::start(seed_export("東京都 病院1"));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    let store = store.to_str().unwrap();
    let args = [
        "--source",
        &feed.url,
        "--store",
        store,
        "--interval",
        "10",
        "--ambiguous-width",
        "narrow",
        "--no-color",
    ];
    let mut first = Term::spawn(&args);
    first.wait_for_text("レコード数 12");
    let second = Term::spawn(&args);
    second.wait_for_text("レコード数 12");

    // New data: the poller fetches it, the other shows it from the store.
    let polled_before = feed.requests();
    *feed.body.lock().unwrap() = seed_export("東京都 病院1 改");
    let within = Duration::from_secs(30);
    first.wait_until_within("the poller's update", within, |s| {
        s.contents().contains("病院1 改")
    });
    second.wait_until_within("the follower's update", within, |s| {
        s.contents().contains("病院1 改")
    });
    let polled = feed.requests() - polled_before;
    assert!(
        polled <= 3,
        "one process polls every 10 s, not two: {polled} requests"
    );

    // The poller dies without a word; the other takes over within two intervals.
    first.signal(libc::SIGKILL);
    first.wait_exit();
    *feed.body.lock().unwrap() = seed_export("東京都 病院1 再");
    second.wait_until_within("the survivor's own poll", Duration::from_secs(45), |s| {
        s.contents().contains("病院1 再")
    });
}

/// Quits with q, confirmed.
fn quit(term: &mut Term) -> ExitStatus {
    term.send(b"q");
    term.wait_for_text("終了しますか");
    term.send(b"y");
    term.wait_exit()
}

#[test]
fn quitting_frees_the_lease_and_checkpoints_the_store() {
    let feed = CountingFeed::start(seed_export("東京都 病院1"));
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("history.sqlite3");
    let store = store_path.to_str().unwrap();
    // At this interval the lease lasts two hours: only its release lets the next one poll.
    let args = [
        "--source",
        &feed.url,
        "--store",
        store,
        "--interval",
        "3600",
        "--no-color",
    ];
    let mut first = Term::spawn(&args);
    first.wait_for_text("レコード数 12");
    let status = quit(&mut first);
    assert!(status.success(), "{status}\n{}", first.diagnostics());
    assert_eq!(feed.requests(), 1);
    let wal = std::fs::metadata(format!("{store}-wal")).map_or(0, |m| m.len());
    assert_eq!(
        wal,
        0,
        "the log is folded into the file\n{}",
        first.diagnostics()
    );
    let lease = bedboard::store::Store::open_read_only(&store_path)
        .unwrap()
        .lease()
        .unwrap();
    assert_eq!(
        lease,
        None,
        "the lease is given up\n{}",
        first.diagnostics()
    );

    // The next dashboard shows the stored board, then fetches the new one at once.
    *feed.body.lock().unwrap() = seed_export("東京都 病院1 改");
    let mut second = Term::spawn(&args);
    second.wait_for_text("病院1 改");
    assert_eq!(feed.requests(), 2);
    let status = quit(&mut second);
    assert!(status.success(), "{status}\n{}", second.diagnostics());
}

#[test]
fn the_log_holds_no_control_character_from_a_file_name_or_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    // The log formatter escapes ESC, BEL and C1 itself, but not the rest.
    let hostile = "\x1b]0;title\x07\x1b[2J\u{9b}\u{202E}\u{1}\r\n2026 forged line\n";
    let source = dir.path().join(format!("report{hostile}.csv"));
    std::fs::write(&source, seed_export("東京都 病院1")).unwrap();
    let source = source.to_str().unwrap();
    let mut term = Term::spawn(&["--source", source, "--no-color"]);
    term.wait_for_text("レコード数 12");
    // The same file turned to junk: the failure is logged with its name.
    std::fs::write(source, format!("{hostile}\0{hostile}\n")).unwrap();
    term.send(b"r");
    term.wait_until("the failure logged", |_| {
        std::fs::read(&term.log).is_ok_and(|log| log.windows(4).any(|w| w == b"WARN"))
    });
    let status = quit(&mut term);
    assert!(status.success(), "{status}\n{}", term.diagnostics());
    let log = std::fs::read(&term.log).unwrap();
    let text = String::from_utf8_lossy(&log);
    assert!(
        text.contains("snapshot from") && text.contains("poll failed"),
        "{}",
        term.diagnostics()
    );
    for line in text.lines() {
        assert!(
            line.starts_with("20") && line.contains("bedboard::"),
            "each event one line, none forged: {line:?}\n{}",
            term.diagnostics()
        );
    }
    for (needle, name) in [
        (&b"\x1b"[..], "ESC"),
        (b"\x07", "BEL"),
        (b"\0", "NUL"),
        (b"\xc2\x9b", "C1"),
        ("\u{202E}".as_bytes(), "U+202E"),
    ] {
        assert!(
            find(&log, needle).is_none(),
            "{name} in the log:\n{}",
            text.escape_debug()
        );
    }
}

#[test]
fn the_demos_store_is_removed_when_it_quits() {
    let mut term = Term::spawn(&["--no-color"]);
    term.wait_for_text("デモ");
    let store = term
        .temp_dir()
        .join(format!("bedboard-demo-{}.sqlite3", term.pid()));
    term.wait_until("the demo's store", |_| store.exists());
    let status = quit(&mut term);
    assert!(status.success(), "{status}\n{}", term.diagnostics());
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", store.display());
        assert!(
            !std::path::Path::new(&file).exists(),
            "{file} is left behind\n{}",
            term.diagnostics()
        );
    }
}

#[test]
fn a_terminal_as_the_source_is_refused_before_the_terminal_is_taken() {
    let mut term = Term::spawn(&["--no-color", "--source", "/dev/stdin"]);
    let status = term.wait_exit();
    assert_eq!(status.code(), Some(2), "{}", term.diagnostics());
    let out = term.output();
    assert!(
        find(&out, ENTER_ALT_SCREEN).is_none(),
        "the dashboard took the terminal\n{}",
        term.diagnostics()
    );
    assert!(
        term.screen_text()
            .contains("端末です（ファイルを指定してください）"),
        "{}",
        term.diagnostics()
    );
}

/// A terminal in Shift_JIS or EUC-JP (TeraTerm set to SJIS, an old host,
/// `luit`) is sent its own set, chosen from the locale: every byte of the
/// session decodes in it without error, and no UTF-8 kanji is sent.
#[test]
fn a_japanese_legacy_locale_gets_its_own_character_set() {
    for (lang, encoding) in [
        ("ja_JP.SJIS", encoding_rs::SHIFT_JIS),
        ("ja_JP.eucJP", encoding_rs::EUC_JP),
    ] {
        let mut term = Term::spawn_in(&["--source", SEED, "--no-color"], lang);
        term.wait_for_output_in(encoding, "病院16");
        term.send(b"q");
        term.wait_for_output_in(encoding, "終了しますか");
        term.send(b"y");
        let status = term.wait_exit();
        assert!(
            status.success(),
            "{lang}: exit {status}\n{}",
            term.diagnostics()
        );
        let out = term.output();
        let (text, had_errors) = encoding.decode_without_bom_handling(&out);
        assert!(
            !had_errors,
            "{lang}: every byte decodes\n{}",
            term.diagnostics()
        );
        for shown in ["レコード数", "確保", "即応", "入院中", "東京都", "病院16"] {
            assert!(text.contains(shown), "{lang}: {shown:?} in the output");
            assert!(
                find(&out, shown.as_bytes()).is_none() || shown.is_ascii(),
                "{lang}: {shown:?} was sent as UTF-8"
            );
        }
        term.assert_restored();
    }
}

/// `--terminal-encoding` wins over the locale.
#[test]
fn the_flag_overrides_the_locale() {
    let mut term = Term::spawn_in(
        &[
            "--source",
            SEED,
            "--no-color",
            "--terminal-encoding",
            "utf8",
        ],
        "ja_JP.SJIS",
    );
    term.wait_for_text("東京都 病院16");
    quit(&mut term);
    term.assert_restored();
}

/// A link with a round trip of three seconds: the probe's first question
/// goes unanswered within crossterm's two seconds, so it asks again; the
/// first answer (a terminal that draws ambiguous characters wide) decides,
/// and the second, which comes after the dashboard is up, is not read as keys.
#[test]
fn a_slow_terminal_is_waited_for_and_its_late_answer_is_not_typed() {
    let answering = Answering {
        delay: Some(Duration::from_secs(3)),
        ambiguous_wide: true,
    };
    let mut term = Term::spawn_with(&["--source", SEED, "--no-color"], "C.UTF-8", answering);
    term.wait_for_text("病院16");
    term.send(b"/");
    term.wait_for_text("検索:");
    // The second answer is in the input before the key that follows it.
    term.wait_for_answers(2);
    term.send(b"x");
    term.wait_for_text("検索: x_");
    let screen = term.screen_text();
    assert!(
        !screen.contains("1;"),
        "a late answer typed into the search:\n{screen}"
    );
    let log = std::fs::read_to_string(&term.log).unwrap_or_default();
    assert!(log.contains("曖昧幅 2 セル（端末に確認）"), "{log}");
    term.send(b"\x1b");
    term.wait_for_text_gone("検索:");
    quit(&mut term);
    term.assert_restored();
}

/// A terminal that never answers: the dashboard starts after the wait, narrow,
/// and says so.
#[test]
fn a_terminal_that_never_answers_is_drawn_narrow_and_told() {
    let answering = Answering {
        delay: None,
        ambiguous_wide: false,
    };
    let mut term = Term::spawn_with(&["--source", SEED, "--no-color"], "C.UTF-8", answering);
    term.wait_for_text("病院16");
    term.wait_for_text("文字幅");
    let log = std::fs::read_to_string(&term.log).unwrap_or_default();
    assert!(
        log.contains("曖昧幅 1 セル（端末が 6 秒以内に答えなかったため既定）"),
        "{log}"
    );
    quit(&mut term);
    term.assert_restored();
}

#[test]
fn a_notice_gives_way_by_itself_after_a_few_seconds() {
    let mut term = Term::spawn(&["--source", SEED, "--no-color"]);
    term.wait_for_text("東京都 病院1");
    // `a` watches the selected hospital and says so on the status line.
    term.send(b"a");
    term.wait_for_text("を監視します");
    // No key: the event loop's own timer takes the notice away.
    term.wait_for_text_gone("を監視します");
    term.wait_for_text("最終取得");
    quit(&mut term);
}

// ---------------------------------------------------------------------------
// A large file: progress while it loads

/// Rows in the large file: enough that loading it takes a moment even in a release build.
const LARGE_ROWS: usize = 200_000;

/// Writes a 「詳細のみ」 CSV of [`LARGE_ROWS`] hospitals, each with its own code,
/// into `dir`; returns its path.
fn write_large_export(dir: &Path) -> PathBuf {
    let mut text = String::with_capacity(LARGE_ROWS * 120);
    text.push_str(
        "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,\
         医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\r\n",
    );
    for i in 0..LARGE_ROWS {
        text.push_str(&format!(
            "東京都,13,131016,千代田区,1301,区中央部,13{i:08},病院{i},2022/01/05,2022/02/01 11:32,{},{},{}\r\n",
            i % 50 + 10,
            i % 10 + 5,
            i % 5
        ));
    }
    let path = dir.join("large.csv");
    std::fs::write(&path, text).expect("write the large export");
    path
}

#[test]
fn a_large_file_shows_its_progress_before_the_board() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = write_large_export(dir.path());
    let mut term = Term::spawn(&["--source", path.to_str().unwrap(), "--no-color"]);
    // The progress frame may be replaced before the screen is looked at: the
    // terminal's output keeps it.
    term.wait_for_output_in(encoding_rs::UTF_8, "読み込み中");
    term.wait_for_text(&format!("レコード数 {LARGE_ROWS}"));
    assert!(
        !term.screen_text().contains("読み込み中"),
        "the progress frame should be gone once the board is up\n{}",
        term.diagnostics()
    );
    term.send(b"q");
    term.wait_for_text("終了しますか");
    term.send(b"y");
    assert!(term.wait_exit().success(), "{}", term.diagnostics());
}

#[test]
fn q_while_a_large_file_loads_quits_cleanly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = write_large_export(dir.path());
    let mut term = Term::spawn(&["--source", path.to_str().unwrap(), "--no-color"]);
    term.wait_for_text("読み込み中");
    // The keys work while the rows are read.
    term.send(b"q");
    term.wait_for_text("終了しますか");
    term.send(b"y");
    let status = term.wait_exit();
    assert!(
        status.success(),
        "quitting during the load should exit 0, got {status}\n{}",
        term.diagnostics()
    );
    term.assert_restored();
}

/// 搬送先候補 through the real binary on the demo: p, 八王子, Enter, j, Enter
/// (the hospital page), Esc (the list again), Esc (the board).
#[test]
fn the_nearest_hospitals_from_the_keyboard() {
    let mut term = Term::spawn(&["--no-color"]);
    term.wait_for_text("レコード数 500");
    term.send(b"p");
    term.wait_for_text("近くの病院（搬送先候補）");
    term.send("八王子".as_bytes());
    term.wait_for_text("東京都八王子市");
    term.send(b"\r");
    term.wait_for_text("起点: 八王子市（役所付近）");
    term.wait_for_text("県境から 10 km 以内（神奈川県）");
    term.send(b"j");
    term.send(b"\r");
    term.wait_for_text("最新の報告");
    term.send(b"\x1b");
    term.wait_for_text_gone("最新の報告");
    term.wait_for_text("起点: 八王子市（役所付近）");
    term.send(b"\x1b");
    term.wait_for_text_gone("起点: 八王子市");
    term.wait_for_text("レコード数 500");
    let status = quit(&mut term);
    assert!(status.success(), "{status}\n{}", term.diagnostics());
    term.assert_restored();
}

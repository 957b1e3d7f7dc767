//! The demo feed: the built-in demo report served over real HTTP, changing as time passes.
//!
//! `bedboard demo-feed` runs it on its own; with no config, the dashboard starts it in-process
//! on a free loopback port, so a first `cargo run --release` shows a live board.
//!
//! Endpoints:
//! - `/report.csv`: the report as a G-MIS 「詳細のみ」 export (CP932, CRLF);
//! - `/report.json`: the same rows as a JSON array of objects keyed by G-MIS column names
//!   (codes and text as strings, counts as numbers or `null`, 報告日時 `"YYYY/MM/DD HH:MM"`);
//! - `/master.csv`: the hospital master (UTF-8 with BOM, CRLF);
//! - `/`: a short plain-text index.
//!
//! The report starts as [`demo_report`] at the server's start. Every `change_every`, two to
//! five hospitals get new 即応病床 / 入院中 and a fresh 報告日時. The changes are worked out
//! on request from the time elapsed, so the server does nothing while nobody asks.
//! Responses carry an ETag (a hash of the body) and Last-Modified; a matching
//! `If-None-Match` gets `304 Not Modified` with no body.

use std::fmt;
use std::io::{self, Cursor};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Timelike, Utc};
use sha2::{Digest, Sha256};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use super::generator::demo_report;
use crate::export::csv::{self as csv_export, OutputEncoding};
use crate::model::{time, Column, JstDateTime, Report};

/// Where `bedboard demo-feed` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

/// How often a few hospitals' numbers change unless told otherwise.
pub const DEFAULT_CHANGE_EVERY: Duration = Duration::from_secs(10);

/// How many past changes are replayed at most after a long idle time; older ones are skipped.
const MAX_CATCH_UP: u64 = 10_000;

/// Seeds the change generator; each change number gets its own stream.
const CHANGE_SEED: u64 = 0x6465_6d6f_6665_6564; // "demofeed"

/// How the demo feed is served.
#[derive(Clone)]
pub struct DemoFeedOptions {
    /// Address to listen on; `"127.0.0.1:0"` picks a free port.
    pub addr: String,
    /// How often a few hospitals' numbers change.
    pub change_every: Duration,
    /// When set, every request needs HTTP basic auth with this user name and password;
    /// without it the answer is `401` with `WWW-Authenticate`.
    pub basic_auth: Option<(String, String)>,
}

impl Default for DemoFeedOptions {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR.to_string(),
            change_every: DEFAULT_CHANGE_EVERY,
            basic_auth: None,
        }
    }
}

/// The password never appears in debug output.
impl fmt::Debug for DemoFeedOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoFeedOptions")
            .field("addr", &self.addr)
            .field("change_every", &self.change_every)
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(user, _)| (user, "********")),
            )
            .finish()
    }
}

/// A running demo feed. It stops on [`DemoFeed::stop`] or when dropped.
pub struct DemoFeed {
    addr: SocketAddr,
    /// When the feed's report begins: [`demo_report`] at this time.
    started_at: JstDateTime,
    /// Taken on stop; dropping the last handle closes the listening socket.
    server: Option<Arc<Server>>,
    stopping: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

/// Threads answering requests. Two, so one client that stops reading cannot hold up the rest.
const WORKERS: usize = 2;

impl DemoFeed {
    /// Binds `options.addr` and starts serving on a thread of its own.
    pub fn start(options: DemoFeedOptions) -> io::Result<DemoFeed> {
        if options.change_every.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "変更の間隔は0より長くしてください",
            ));
        }
        let addr = resolve(&options.addr)?;
        let server = Server::http(addr).map_err(|err| bind_error(&options.addr, err))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("待ち受けアドレスが IP アドレスではありません"))?;
        let started_at = time::now_jst();
        let mut demo = DemoFeed {
            addr,
            started_at,
            server: Some(Arc::new(server)),
            stopping: Arc::new(AtomicBool::new(false)),
            workers: Vec::with_capacity(WORKERS),
        };
        let feed = Arc::new(Mutex::new(Feed::new(&options, started_at)));
        for n in 0..WORKERS {
            let server = Arc::clone(demo.server.as_ref().expect("just set"));
            let stopping = Arc::clone(&demo.stopping);
            let feed = Arc::clone(&feed);
            // On failure, dropping `demo` stops the workers already running.
            let worker = thread::Builder::new()
                .name(format!("demo-feed-{n}"))
                .spawn(move || serve(&server, &stopping, &feed))?;
            demo.workers.push(worker);
        }
        Ok(demo)
    }

    /// When the feed's report begins: the demo's history ends here.
    pub fn started_at(&self) -> JstDateTime {
        self.started_at
    }

    /// The address actually bound (with the real port when `:0` was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of `path` on this server, e.g. `url("/report.csv")`.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://{}{slash}{path}", self.addr)
    }

    /// Stops serving and waits for the server thread to end. When this returns, the port
    /// no longer accepts connections.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let Some(server) = self.server.take() else {
            return;
        };
        self.stopping.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        // The workers are gone, so this is the last handle: dropping it closes the listening
        // socket, on tiny_http's accept thread. Wait (briefly) until the port refuses, so a
        // caller can rely on it.
        drop(server);
        wait_until_closed(self.addr);
    }
}

impl Drop for DemoFeed {
    fn drop(&mut self) {
        self.shut_down();
    }
}

impl fmt::Debug for DemoFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoFeed")
            .field("addr", &self.addr)
            .finish()
    }
}

/// For the CLI: serves until Ctrl-C (or SIGTERM / SIGHUP), printing what it serves to stdout.
pub fn run_forever(options: DemoFeedOptions) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::io::Write;

    // Register before binding, so an early Ctrl-C still ends cleanly.
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let auth = options.basic_auth.is_some();
    let every = options.change_every;
    let feed = DemoFeed::start(options)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "デモ配信を開始しました（架空の東京都の病院 {} 件）",
        super::generator::HOSPITAL_COUNT
    )?;
    writeln!(
        out,
        "  病床数レポート（CSV・Shift_JIS）: {}",
        feed.url("/report.csv")
    )?;
    writeln!(
        out,
        "  病床数レポート（JSON）          : {}",
        feed.url("/report.json")
    )?;
    writeln!(
        out,
        "  医療機関マスタ（CSV・UTF-8）    : {}",
        feed.url("/master.csv")
    )?;
    writeln!(
        out,
        "{}ごとに数件の病院の数値が変わります。",
        describe_interval(every)
    )?;
    if auth {
        writeln!(out, "ベーシック認証が必要です。")?;
    }
    writeln!(out, "終了するには Ctrl-C を押してください。")?;
    out.flush()?;
    drop(out);
    let _ = signals.forever().next();
    feed.stop();
    println!("デモ配信を終了しました。");
    Ok(())
}

/// 「10秒」「1分30秒」「0.2秒」.
fn describe_interval(every: Duration) -> String {
    let secs = every.as_secs();
    if every.subsec_millis() != 0 || secs == 0 {
        return format!("{}秒", every.as_secs_f64());
    }
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}秒"),
        (m, 0) => format!("{m}分"),
        (m, s) => format!("{m}分{s}秒"),
    }
}

// ---------------------------------------------------------------------------------------------
// Binding and stopping

fn resolve(addr: &str) -> io::Result<SocketAddr> {
    let invalid = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("待ち受けアドレス「{addr}」が正しくありません（例: 127.0.0.1:8787）"),
        )
    };
    addr.to_socket_addrs()
        .map_err(|_| invalid())?
        .next()
        .ok_or_else(invalid)
}

fn bind_error(addr: &str, err: Box<dyn std::error::Error + Send + Sync>) -> io::Error {
    let kind = err
        .downcast_ref::<io::Error>()
        .map(io::Error::kind)
        .unwrap_or(io::ErrorKind::Other);
    let message = match kind {
        io::ErrorKind::AddrInUse => format!("{addr} は他のプログラムが使用中です"),
        io::ErrorKind::AddrNotAvailable => {
            format!("{addr} はこのコンピュータのアドレスではありません")
        }
        io::ErrorKind::PermissionDenied => format!("{addr} で待ち受ける権限がありません"),
        _ => format!("{addr} で待ち受けできません（{err}）"),
    };
    io::Error::new(kind, message)
}

/// Waits up to two seconds until nothing accepts connections on `addr`.
fn wait_until_closed(addr: SocketAddr) {
    let target = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match TcpStream::connect_timeout(&target, Duration::from_millis(200)) {
            Ok(stream) => {
                drop(stream);
                thread::sleep(Duration::from_millis(10));
            }
            Err(_) => return,
        }
    }
}

/// A worker thread: takes requests until stopped. The answer is worked out under the lock
/// and sent outside it.
fn serve(server: &Server, stopping: &AtomicBool, feed: &Mutex<Feed>) {
    while !stopping.load(Ordering::SeqCst) {
        match server.recv() {
            Ok(request) => {
                let response = match feed.lock() {
                    Ok(mut feed) => feed.respond(&request),
                    Err(_) => text(500, "デモ配信の内部エラーです。\n"),
                };
                // The client may have gone away; nothing to do about it.
                let _ = request.respond(response);
            }
            Err(_) if stopping.load(Ordering::SeqCst) => break,
            // An accept error (too many open files, …): do not spin on it.
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The feed's state

/// A response body with its validator.
#[derive(Clone)]
struct Body {
    bytes: Arc<[u8]>,
    etag: String,
}

impl Body {
    fn new(bytes: Vec<u8>) -> Self {
        let digest = Sha256::digest(&bytes);
        let hex = crate::text::hex(&digest[..16]);
        Body {
            bytes: bytes.into(),
            etag: format!("\"{hex}\""),
        }
    }
}

struct Feed {
    started: Instant,
    started_wall: SystemTime,
    started_jst: JstDateTime,
    change_every: Duration,
    /// The expected `Authorization` credentials (base64 of `user:password`).
    auth: Option<String>,
    /// How many changes [`Feed::report`] holds.
    applied: u64,
    report: Report,
    csv: Option<Body>,
    json: Option<Body>,
    master: Option<Body>,
}

impl Feed {
    fn new(options: &DemoFeedOptions, started_jst: JstDateTime) -> Self {
        Feed {
            started: Instant::now(),
            started_wall: SystemTime::now(),
            report: demo_report(&started_jst),
            started_jst,
            change_every: options.change_every,
            auth: options.basic_auth.as_ref().map(|(user, password)| {
                crate::text::base64(format!("{user}:{password}").as_bytes())
            }),
            applied: 0,
            csv: None,
            json: None,
            master: None,
        }
    }

    /// Brings the report up to date with the time elapsed since the start.
    fn catch_up(&mut self) {
        let ticks = self.started.elapsed().as_nanos() / self.change_every.as_nanos().max(1);
        let due = u64::try_from(ticks).unwrap_or(u64::MAX);
        if due <= self.applied {
            return;
        }
        let first = (self.applied + 1).max(due.saturating_sub(MAX_CATCH_UP - 1));
        for change in first..=due {
            let at = self.started_jst + self.offset(change);
            apply_change(&mut self.report, change, &at);
        }
        self.applied = due;
        self.csv = None;
        self.json = None;
    }

    /// The time from the start to change number `change`.
    fn offset(&self, change: u64) -> Duration {
        let nanos = self
            .change_every
            .as_nanos()
            .saturating_mul(u128::from(change));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// When the report last changed.
    fn report_modified(&self) -> SystemTime {
        self.started_wall + self.offset(self.applied)
    }

    fn csv(&mut self) -> Body {
        let report = &self.report;
        self.csv
            .get_or_insert_with(|| {
                let (bytes, lost) = csv_export::write_csv(
                    &report.extra_columns,
                    &report.rows,
                    OutputEncoding::ShiftJis,
                );
                debug_assert!(lost.is_empty(), "demo names are CP932-safe: {lost:?}");
                Body::new(bytes)
            })
            .clone()
    }

    fn json(&mut self) -> Body {
        let report = &self.report;
        self.json
            .get_or_insert_with(|| Body::new(report_json(report).into_bytes()))
            .clone()
    }

    fn master(&mut self) -> Body {
        self.master
            .get_or_insert_with(|| {
                let mut bytes = b"\xEF\xBB\xBF".to_vec();
                bytes.extend_from_slice(super::generator::demo_master_csv().as_bytes());
                Body::new(bytes)
            })
            .clone()
    }

    fn respond(&mut self, request: &Request) -> Response<Cursor<Arc<[u8]>>> {
        if !matches!(request.method(), Method::Get | Method::Head) {
            return text(405, "GET か HEAD で要求してください。\n")
                .with_header(header("Allow", "GET, HEAD"));
        }
        if !self.authorized(request) {
            return text(401, "認証が必要です。\n").with_header(header(
                "WWW-Authenticate",
                "Basic realm=\"bedboard demo\", charset=\"UTF-8\"",
            ));
        }
        let path = request.url().split(['?', '#']).next().unwrap_or("");
        let (body, content_type, modified) = match path {
            "/" | "/index.txt" => return text(200, &self.index()),
            "/report.csv" => {
                self.catch_up();
                (
                    self.csv(),
                    "text/csv; charset=Shift_JIS",
                    self.report_modified(),
                )
            }
            "/report.json" => {
                self.catch_up();
                (
                    self.json(),
                    "application/json; charset=utf-8",
                    self.report_modified(),
                )
            }
            "/master.csv" => (self.master(), "text/csv; charset=utf-8", self.started_wall),
            _ => return text(404, "ありません。一覧は / にあります。\n"),
        };
        let modified = DateTime::<Utc>::from(modified);
        let last_modified = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let validators = [
            header("ETag", &body.etag),
            header("Last-Modified", &last_modified),
            header("Cache-Control", "no-cache"),
        ];
        if self.not_modified(request, &body.etag, &modified) {
            let mut response = Response::new(
                StatusCode(304),
                Vec::new(),
                Cursor::new(Arc::from(&[][..])),
                Some(0),
                None,
            );
            for v in validators {
                response.add_header(v);
            }
            return response;
        }
        let mut response = body_response(200, body.bytes, content_type);
        for v in validators {
            response.add_header(v);
        }
        response
    }

    fn authorized(&self, request: &Request) -> bool {
        let Some(expected) = &self.auth else {
            return true;
        };
        request
            .headers()
            .iter()
            .filter(|h| h.field.equiv("Authorization"))
            .any(|h| {
                let value = h.value.as_str().trim();
                match value.split_once(' ') {
                    Some((scheme, token)) => {
                        scheme.eq_ignore_ascii_case("Basic")
                            && constant_time_eq(token.trim().as_bytes(), expected.as_bytes())
                    }
                    None => false,
                }
            })
    }

    /// Conditional GET: `If-None-Match` first; `If-Modified-Since` only when it is given
    /// alone and changes are at least a second apart (dates have whole seconds only).
    fn not_modified(&self, request: &Request, etag: &str, modified: &DateTime<Utc>) -> bool {
        let value = |name: &'static str| {
            request
                .headers()
                .iter()
                .find(|h| h.field.equiv(name))
                .map(|h| h.value.as_str().to_string())
        };
        if let Some(tags) = value("If-None-Match") {
            return tags.split(',').any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
            });
        }
        if self.change_every < Duration::from_secs(1) {
            return false;
        }
        let Some(since) = value("If-Modified-Since") else {
            return false;
        };
        match DateTime::parse_from_rfc2822(since.trim()) {
            Ok(since) => modified.with_nanosecond(0).unwrap_or(*modified) <= since,
            Err(_) => false,
        }
    }

    fn index(&mut self) -> String {
        self.catch_up();
        let auth = if self.auth.is_some() {
            "ベーシック認証が必要です。\n"
        } else {
            ""
        };
        format!(
            "bedboard デモ配信（架空の東京都の病院 {count} 件）\n\
             \n\
             /report.csv   病床数レポート（G-MIS「詳細のみ」CSV、Shift_JIS・CRLF）\n\
             /report.json  病床数レポート（JSON）\n\
             /master.csv   医療機関マスタ（CSV、UTF-8・BOM付き）\n\
             \n\
             {every}ごとに数件の病院の数値が変わります（これまでに {changes} 回）。\n\
             {auth}",
            count = self.report.rows.len(),
            every = describe_interval(self.change_every),
            changes = self.applied,
        )
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values are ASCII")
}

fn body_response(status: u16, bytes: Arc<[u8]>, content_type: &str) -> Response<Cursor<Arc<[u8]>>> {
    let len = bytes.len();
    Response::new(
        StatusCode(status),
        vec![header("Content-Type", content_type)],
        Cursor::new(bytes),
        Some(len),
        None,
    )
    // Always a Content-Length: simple clients and progress displays rely on it.
    .with_chunked_threshold(usize::MAX)
}

fn text(status: u16, message: &str) -> Response<Cursor<Arc<[u8]>>> {
    body_response(
        status,
        Arc::from(message.as_bytes()),
        "text/plain; charset=utf-8",
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------------------------
// Changes

/// Change number `change` (1, 2, …): two to five hospitals get new 即応病床 / 入院中,
/// reported at `at`. The same change number always picks the same hospitals.
fn apply_change(report: &mut Report, change: u64, at: &JstDateTime) {
    if report.rows.is_empty() {
        return;
    }
    let mut rng =
        fastrand::Rng::with_seed(CHANGE_SEED ^ change.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // G-MIS shows minutes only; whole minutes survive a CSV round trip.
    let at = at
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(*at);
    let wanted = rng.usize(2..=5);
    let mut picked: Vec<usize> = Vec::with_capacity(wanted);
    for _ in 0..200 {
        if picked.len() == wanted {
            break;
        }
        let index = rng.usize(..report.rows.len());
        let row = &report.rows[index];
        // Only consistent rows change: the rows that are wrong on purpose stay wrong.
        let consistent = matches!(
            (row.secured, row.ready, row.inpatients),
            (Some(s), Some(r), Some(i)) if s > 0 && i <= r && r <= s
        );
        if consistent && !picked.contains(&index) {
            picked.push(index);
        }
    }
    for index in picked {
        let row = &mut report.rows[index];
        let (Some(secured), Some(ready), Some(inpatients)) =
            (row.secured, row.ready, row.inpatients)
        else {
            continue;
        };
        let (ready, inpatients) = new_counts(&mut rng, secured, ready, inpatients);
        row.ready = Some(ready);
        row.inpatients = Some(inpatients);
        row.reported_at = at;
        row.record_date = at.date_naive();
    }
}

/// New (即応病床, 入院中) for a hospital with `secured` > 0 beds, keeping
/// 入院中 ≤ 即応病床 ≤ 確保病床 and always differing from the old numbers.
/// Now and then a ward fills up (空床 0), and a full one frees beds again.
fn new_counts(rng: &mut fastrand::Rng, secured: u32, ready: u32, inpatients: u32) -> (u32, u32) {
    let free = ready - inpatients;
    let roll = rng.u32(0..100);
    let (mut r, mut i) = if free > 0 && roll < 20 {
        (ready, ready)
    } else if free == 0 && roll < 60 {
        (ready, inpatients.saturating_sub(rng.u32(1..=3)))
    } else {
        let r = ready.saturating_add_signed(rng.i32(-2..=2)).min(secured);
        let i = inpatients.saturating_add_signed(rng.i32(-3..=3)).min(r);
        (r, i)
    };
    if (r, i) == (ready, inpatients) {
        if i > 0 {
            i -= 1;
        } else if i < r {
            i += 1;
        } else if r < secured {
            r += 1;
        } else {
            // 0 ready of 0 beds cannot happen: secured > 0 and r == secured here.
            r -= 1;
        }
    }
    (r, i)
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The rows as a JSON array of objects keyed by G-MIS column names, in G-MIS column order,
/// one row per line. Codes and text are strings; counts are numbers or `null`.
pub fn report_json(report: &Report) -> String {
    let quote = |s: &str| serde_json::to_string(s).expect("a string always serializes");
    let names: Vec<String> = Column::GMIS
        .iter()
        .map(|c| quote(c.name()))
        .chain(report.extra_columns.iter().map(|c| quote(c)))
        .collect();
    let mut out = String::from("[");
    for (n, row) in report.rows.iter().enumerate() {
        out.push_str(if n == 0 { "\n{" } else { ",\n{" });
        let mut values: Vec<String> = csv_export::row_fields(row)
            .iter()
            .map(|field| quote(field))
            .collect();
        let count = |v: Option<u32>| v.map_or_else(|| "null".to_string(), |v| v.to_string());
        for (column, value) in [
            (Column::Secured, row.secured),
            (Column::Ready, row.ready),
            (Column::Inpatients, row.inpatients),
        ] {
            if let Some(pos) = Column::GMIS.iter().position(|c| *c == column) {
                values[pos] = count(value);
            }
        }
        for (k, (name, value)) in names.iter().zip(&values).enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
    }
    out.push_str("\n]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_counts_keep_the_order_and_always_change() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut full = 0;
        for secured in 1..30 {
            for ready in 0..=secured {
                for inpatients in 0..=ready {
                    for _ in 0..5 {
                        let (r, i) = new_counts(&mut rng, secured, ready, inpatients);
                        assert!(i <= r && r <= secured, "{secured} {ready} {inpatients}");
                        assert_ne!((r, i), (ready, inpatients));
                        full += usize::from(r == i && r > 0);
                    }
                }
            }
        }
        assert!(full > 0);
    }

    #[test]
    fn changes_are_deterministic_and_small() {
        let base = crate::demo::generator::asset_base_time();
        let at = base + chrono::Duration::minutes(5);
        let (mut a, mut b) = (demo_report(&base), demo_report(&base));
        apply_change(&mut a, 1, &at);
        apply_change(&mut b, 1, &at);
        assert_eq!(a, b);
        let original = demo_report(&base);
        for change in 1..50 {
            let mut report = original.clone();
            apply_change(&mut report, change, &at);
            let changed = report
                .rows
                .iter()
                .zip(&original.rows)
                .filter(|(x, y)| x != y)
                .count();
            assert!((2..=5).contains(&changed), "change {change}: {changed}");
        }
    }

    #[test]
    fn intervals_read_naturally() {
        assert_eq!(describe_interval(Duration::from_secs(10)), "10秒");
        assert_eq!(describe_interval(Duration::from_secs(120)), "2分");
        assert_eq!(describe_interval(Duration::from_secs(90)), "1分30秒");
        assert_eq!(describe_interval(Duration::from_millis(200)), "0.2秒");
    }
}

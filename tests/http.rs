//! The HTTP feed against real servers on 127.0.0.1: tiny_http where the server behaves,
//! raw sockets where it must misbehave byte by byte, `openssl s_server` for TLS.
//! Every server binds 127.0.0.1:0, serves a bounded number of requests and stops by itself.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bedboard::source::http::{
    redact_url, Auth, Backoff, FetchError, Fetched, Fetcher, HttpOptions,
};
use bedboard::source::secret::{Secret, SecretError, SecretSource};

/// How long any test server waits for its requests before it gives up.
const SERVER_LIFETIME: Duration = Duration::from_secs(20);

/// A value recognisable anywhere it leaks to.
const SECRET: &str = "Zebra-S3cr3t-4711";

// ---------------------------------------------------------------------------------------
// Test servers

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A form field of an `application/x-www-form-urlencoded` body, decoded.
    fn form(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| percent_decode(value))
        })
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// What the server answers.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Sent with chunked transfer encoding, without Content-Length.
    chunked: bool,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            chunked: false,
        }
    }

    fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn chunked(mut self) -> Reply {
        self.chunked = true;
        self
    }
}

struct TestServer {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    _thread: JoinHandle<()>,
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self, path_prefix: &str) -> usize {
        self.seen()
            .iter()
            .filter(|seen| seen.url.starts_with(path_prefix))
            .count()
    }
}

/// A tiny_http server that answers at most `max_requests` requests with `handler`
/// (given the request and its 0-based number), for at most SERVER_LIFETIME.
fn serve<F>(max_requests: usize, handler: F) -> TestServer
where
    F: Fn(&Seen, usize) -> Reply + Send + 'static,
{
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = server.server_addr().to_ip().expect("ip address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + SERVER_LIFETIME;
        let mut handled = 0;
        while handled < max_requests && Instant::now() < deadline {
            let mut request = match server.recv_timeout(Duration::from_millis(50)) {
                Ok(Some(request)) => request,
                Ok(None) => continue,
                Err(_) => break,
            };
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let request_seen = Seen {
                method: request.method().to_string(),
                url: request.url().to_string(),
                headers: request
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect(),
                body,
            };
            record.lock().unwrap().push(request_seen.clone());
            let reply = handler(&request_seen, handled);
            let headers: Vec<tiny_http::Header> = reply
                .headers
                .iter()
                .map(|(name, value)| {
                    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
                })
                .collect();
            let length = (!reply.chunked).then_some(reply.body.len());
            let response = tiny_http::Response::new(
                tiny_http::StatusCode(reply.status),
                headers,
                std::io::Cursor::new(reply.body),
                length,
                None,
            );
            let _ = request.respond(response);
            handled += 1;
        }
    });
    TestServer {
        port,
        seen,
        _thread: thread,
    }
}

/// A raw server for one connection: reads the request head, then lets `behave` do what it
/// likes with the socket. Gives up if nobody connects within SERVER_LIFETIME.
fn raw_server<F>(behave: F) -> u16
where
    F: FnOnce(TcpStream) + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let deadline = Instant::now() + SERVER_LIFETIME;
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(5)))
                        .unwrap();
                    read_head(&mut stream);
                    behave(stream);
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    port
}

/// Reads up to the blank line that ends a request head (bounded).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 64 * 1024 && !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A port nobody listens on: bound, then released.
fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn options(url: String) -> HttpOptions {
    let mut options = HttpOptions::new(url);
    options.timeout = Duration::from_secs(5);
    options
}

async fn fetch_once(options: HttpOptions) -> Result<Fetched, FetchError> {
    Fetcher::new(options)?.fetch().await
}

fn body(fetched: Fetched) -> Vec<u8> {
    match fetched {
        Fetched::Body { bytes, .. } => bytes,
        Fetched::NotModified => panic!("expected a body, got 304"),
    }
}

/// A gzip member with stored (uncompressed) deflate blocks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65535).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i == last));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    out.extend_from_slice(&(!crc).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn write_file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

// ---------------------------------------------------------------------------------------
// Conditional requests, bodies, status codes

#[tokio::test]
async fn etag_then_304_sends_if_none_match() {
    let server = serve(3, |seen, _| {
        if seen.header("If-None-Match") == Some("\"v1\"") {
            Reply::status(304)
        } else {
            Reply::ok("都道府県,確保病床\n東京都,30\n")
                .header("ETag", "\"v1\"")
                .header("Content-Type", "text/csv; charset=utf-8")
        }
    });
    let mut fetcher = Fetcher::new(options(server.url("/report.csv?token=abc"))).unwrap();
    match fetcher.fetch().await.unwrap() {
        Fetched::Body {
            bytes,
            content_type,
            url,
        } => {
            assert_eq!(bytes, "都道府県,確保病床\n東京都,30\n".as_bytes());
            assert_eq!(content_type.as_deref(), Some("text/csv; charset=utf-8"));
            assert_eq!(url, server.url("/report.csv?token=abc"));
        }
        Fetched::NotModified => panic!("first fetch must bring the body"),
    }
    assert!(matches!(
        fetcher.fetch().await.unwrap(),
        Fetched::NotModified
    ));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("If-None-Match"), None);
    assert_eq!(seen[1].header("If-None-Match"), Some("\"v1\""));
    assert!(seen[0]
        .header("User-Agent")
        .unwrap()
        .starts_with("bedboard/"));
    assert!(seen[0]
        .header("Accept-Encoding")
        .unwrap_or("")
        .contains("gzip"));

    // The caller can ask for the whole body again.
    fetcher.forget_validators();
    assert!(matches!(
        fetcher.fetch().await.unwrap(),
        Fetched::Body { .. }
    ));
    assert_eq!(server.seen()[2].header("If-None-Match"), None);
}

#[tokio::test]
async fn last_modified_then_if_modified_since() {
    const DATE: &str = "Wed, 05 Jan 2022 02:41:00 GMT";
    let server = serve(2, |seen, _| {
        if seen.header("If-Modified-Since") == Some(DATE) {
            Reply::status(304)
        } else {
            Reply::ok("{}").header("Last-Modified", DATE)
        }
    });
    let mut fetcher = Fetcher::new(options(server.url("/report.json"))).unwrap();
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"{}");
    assert!(matches!(
        fetcher.fetch().await.unwrap(),
        Fetched::NotModified
    ));
    let seen = server.seen();
    assert_eq!(seen[0].header("If-Modified-Since"), None);
    assert_eq!(seen[1].header("If-Modified-Since"), Some(DATE));
    assert_eq!(seen[1].header("If-None-Match"), None);
}

#[tokio::test]
async fn server_error_is_reported_with_its_status() {
    let server = serve(1, |_, _| Reply::status(500));
    let err = fetch_once(options(server.url("/r?key=abc")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Status { status: 500 }), "{err:?}");
    assert_eq!(err.to_string(), "サーバーがエラーを返しました（HTTP 500）");
}

#[tokio::test]
async fn connection_refused_names_host_and_port() {
    let port = dead_port();
    let err = fetch_once(options(format!("http://127.0.0.1:{port}/r?token=abc")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("接続できません（127.0.0.1:{port}）")
    );
}

#[tokio::test]
async fn connection_dropped_without_response() {
    let port = raw_server(drop);
    let err = fetch_once(options(format!("http://127.0.0.1:{port}/r")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Dropped { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("応答の前に接続が切れました（127.0.0.1:{port}）")
    );
}

/// Holds a connection without answering until the client hangs up, then says whether it
/// did (rather than the server giving up first, after its read timeout).
fn hold_until_the_client_hangs_up(
    mut stream: TcpStream,
    hung_up: tokio::sync::oneshot::Sender<bool>,
) {
    let _ = stream.set_read_timeout(Some(SERVER_LIFETIME));
    let mut byte = [0u8; 1];
    let by_client = loop {
        match stream.read(&mut byte) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(err) => {
                break !matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    };
    let _ = hung_up.send(by_client);
}

/// Whether the client hung up on a server that never finished its answer.
async fn client_hung_up(hung_up: tokio::sync::oneshot::Receiver<bool>) -> bool {
    tokio::time::timeout(SERVER_LIFETIME, hung_up)
        .await
        .is_ok_and(|answer| answer == Ok(true))
}

#[tokio::test]
async fn stall_longer_than_the_timeout() {
    let (tell, hung_up) = tokio::sync::oneshot::channel();
    let port = raw_server(move |stream| hold_until_the_client_hangs_up(stream, tell));
    let mut options = options(format!("http://127.0.0.1:{port}/r"));
    options.timeout = Duration::from_millis(300);
    let err = fetch_once(options).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "応答がありません（0.3 秒で打ち切りました）"
    );
    assert!(
        client_hung_up(hung_up).await,
        "the client gives up on a server that never answers"
    );
}

#[tokio::test]
async fn stall_in_the_middle_of_the_body() {
    let (tell, hung_up) = tokio::sync::oneshot::channel();
    let port = raw_server(move |mut stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        let _ = stream.flush();
        hold_until_the_client_hangs_up(stream, tell);
    });
    let mut options = options(format!("http://127.0.0.1:{port}/r"));
    options.timeout = Duration::from_millis(300);
    let err = fetch_once(options).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "応答がありません（0.3 秒で打ち切りました）"
    );
    assert!(
        client_hung_up(hung_up).await,
        "the client gives up on a body that stops half way"
    );
}

#[tokio::test]
async fn truncated_body_is_refused() {
    let port = raw_server(|mut stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
        let _ = stream.flush();
        // Closed here: 990 bytes short.
    });
    let err = fetch_once(options(format!("http://127.0.0.1:{port}/r")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::ShortBody {
                expected: 1000,
                received: 10
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "応答が途中で切れました（1,000 バイト中 10 バイト）"
    );
}

#[tokio::test]
async fn truncated_chunked_body_is_refused() {
    let port = raw_server(|mut stream| {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n");
        let _ = stream.flush();
    });
    let err = fetch_once(options(format!("http://127.0.0.1:{port}/r")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Truncated), "{err:?}");
}

#[tokio::test]
async fn gzip_body_is_decoded() {
    let text = "医療機関名,即応病床\n".repeat(200);
    let gz = gzip_stored(text.as_bytes());
    let server = serve(1, move |seen, _| {
        assert!(seen
            .header("Accept-Encoding")
            .unwrap_or("")
            .contains("gzip"));
        Reply::ok(gz.clone()).header("Content-Encoding", "gzip")
    });
    let bytes = body(fetch_once(options(server.url("/r"))).await.unwrap());
    assert_eq!(bytes, text.as_bytes());
}

#[tokio::test]
async fn corrupt_gzip_is_reported() {
    let server = serve(1, |_, _| {
        Reply::ok(b"\x1f\x8b\x08\x00garbage that is not deflate".to_vec())
            .header("Content-Encoding", "gzip")
    });
    let err = fetch_once(options(server.url("/r"))).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Decode | FetchError::Truncated),
        "{err:?}"
    );
}

#[tokio::test]
async fn oversized_body_with_content_length() {
    let server = serve(1, |_, _| Reply::ok(vec![b'x'; 5000]));
    let mut options = options(server.url("/r"));
    options.max_bytes = 1024;
    let err = fetch_once(options).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 1024 }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "応答が大きすぎます（上限 1 KiB）");
}

#[tokio::test]
async fn oversized_body_without_content_length() {
    let server = serve(1, |_, _| Reply::ok(vec![b'x'; 5000]).chunked());
    let mut options = options(server.url("/r"));
    options.max_bytes = 1024;
    let err = fetch_once(options).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 1024 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn oversized_after_gzip_decoding() {
    let gz = gzip_stored(&vec![b'x'; 5000]);
    let server = serve(1, move |_, _| {
        Reply::ok(gz.clone()).header("Content-Encoding", "gzip")
    });
    let mut options = options(server.url("/r"));
    options.max_bytes = 1024;
    let err = fetch_once(options).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn body_exactly_at_the_limit_is_accepted() {
    let server = serve(2, |_, n| {
        let reply = Reply::ok(vec![b'x'; 1024]);
        if n == 0 {
            reply
        } else {
            reply.chunked()
        }
    });
    let mut options = options(server.url("/r"));
    options.max_bytes = 1024;
    let mut fetcher = Fetcher::new(options).unwrap();
    assert_eq!(body(fetcher.fetch().await.unwrap()).len(), 1024);
    assert_eq!(body(fetcher.fetch().await.unwrap()).len(), 1024);
}

#[test]
fn fetch_can_run_on_a_spawned_task() {
    fn assert_send<T: Send>(_: &T) {}
    let mut fetcher = Fetcher::new(HttpOptions::new("http://127.0.0.1:1/r")).unwrap();
    assert_send(&fetcher.fetch());
}

#[tokio::test]
async fn bad_urls_are_refused_at_once() {
    for url in [
        "feed.example/report.csv",
        "ftp://127.0.0.1/r",
        "/services/x",
    ] {
        let err = Fetcher::new(HttpOptions::new(url)).unwrap_err();
        assert!(
            matches!(err, FetchError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("フィードの URL が正しくありません"));
    }
}

// ---------------------------------------------------------------------------------------
// Auth

#[tokio::test]
async fn basic_auth_header_as_received() {
    let dir = tempfile::tempdir().unwrap();
    let pw = write_file(dir.path(), "pw", "pa:ss w0rd\n", 0o600);
    let server = serve(1, |_, _| Reply::ok("ok"));
    let mut options = options(server.url("/r"));
    options.auth = Auth::Basic {
        username: "dispatch".to_string(),
        password: SecretSource::File(pw),
    };
    fetch_once(options).await.unwrap();
    // base64("dispatch:pa:ss w0rd")
    assert_eq!(
        server.seen()[0].header("Authorization"),
        Some("Basic ZGlzcGF0Y2g6cGE6c3MgdzByZA==")
    );
}

#[tokio::test]
async fn bearer_header_as_received() {
    let server = serve(1, |_, _| Reply::ok("ok"));
    let mut options = options(server.url("/r"));
    options.auth = Auth::Bearer {
        token: SecretSource::Command("printf 'tok-123\\n'".to_string()),
    };
    fetch_once(options).await.unwrap();
    assert_eq!(
        server.seen()[0].header("Authorization"),
        Some("Bearer tok-123")
    );
}

#[tokio::test]
async fn bearer_from_a_command_is_read_again_once_on_401() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("n");
    // Prints tok-1, then tok-2, ...: a token helper that hands out a fresh token.
    let command = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo tok-$n",
        c = counter.display()
    );
    let server = serve(4, |seen, _| {
        if seen.header("Authorization") == Some("Bearer tok-2") {
            Reply::ok("ok")
        } else {
            Reply::status(401)
        }
    });
    let mut options = options(server.url("/r"));
    options.auth = Auth::Bearer {
        token: SecretSource::Command(command),
    };
    let mut fetcher = Fetcher::new(options).unwrap();
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"ok");
    let auths: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("Authorization").unwrap().to_string())
        .collect();
    assert_eq!(auths, ["Bearer tok-1", "Bearer tok-2"]);
}

#[tokio::test]
async fn bearer_from_env_is_not_retried() {
    // PATH is set in any test run; its value stands in for a fixed token.
    let server = serve(3, |_, _| Reply::status(401));
    let mut options = options(server.url("/r"));
    options.auth = Auth::Bearer {
        token: SecretSource::Env("PATH".to_string()),
    };
    let err = fetch_once(options).await.unwrap_err();
    assert!(matches!(err, FetchError::Auth { status: 401 }), "{err:?}");
    assert_eq!(err.to_string(), "認証に失敗しました（HTTP 401）");
    assert_eq!(server.seen().len(), 1);
}

/// A token endpoint and a report on one server. The report accepts the tokens in `good`.
fn oauth_server(good: &'static [&'static str], max_requests: usize) -> TestServer {
    let token_count = Arc::new(Mutex::new(0));
    let port_cell: Arc<Mutex<u16>> = Arc::new(Mutex::new(0));
    let port_for_handler = Arc::clone(&port_cell);
    let server = serve(max_requests, move |seen, _| {
        if seen.url.starts_with("/services/oauth2/token") {
            let mut n = token_count.lock().unwrap();
            *n += 1;
            let port = *port_for_handler.lock().unwrap();
            Reply::ok(format!(
                r#"{{"access_token":"tok-{n}","instance_url":"http://127.0.0.1:{port}","id":"x","token_type":"Bearer","issued_at":"1","signature":"s"}}"#
            ))
            .header("Content-Type", "application/json")
        } else {
            let auth = seen.header("Authorization").unwrap_or("");
            if good.iter().any(|token| auth == format!("Bearer {token}")) {
                Reply::ok("report").header("Content-Type", "application/json")
            } else {
                Reply::status(401).header("Content-Type", "application/json")
            }
        }
    });
    *port_cell.lock().unwrap() = server.port;
    server
}

fn oauth(server: &TestServer, dir: &Path) -> Auth {
    let secret = write_file(dir, "client_secret", "cs-value\n", 0o600);
    Auth::OAuthPassword {
        token_url: server.url("/services/oauth2/token"),
        client_id: "client-id-1".to_string(),
        client_secret: SecretSource::File(secret),
        username: "user@fd.example".to_string(),
        password: SecretSource::Command("printf 'pw+tok&1\\n'".to_string()),
    }
}

#[tokio::test]
async fn oauth_logs_in_then_requests_with_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = oauth_server(&["tok-1"], 4);
    let mut options = options(server.url("/services/data/v60.0/analytics/reports/00O1?x=1"));
    options.auth = oauth(&server, dir.path());
    let mut fetcher = Fetcher::new(options).unwrap();
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"report");
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"report");

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "one login, two reports: {seen:#?}");
    let login = &seen[0];
    assert_eq!(login.method, "POST");
    assert_eq!(login.url, "/services/oauth2/token");
    assert!(login
        .header("Content-Type")
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(login.form("grant_type").as_deref(), Some("password"));
    assert_eq!(login.form("client_id").as_deref(), Some("client-id-1"));
    assert_eq!(login.form("client_secret").as_deref(), Some("cs-value"));
    assert_eq!(login.form("username").as_deref(), Some("user@fd.example"));
    assert_eq!(login.form("password").as_deref(), Some("pw+tok&1"));
    for report in &seen[1..] {
        assert_eq!(report.method, "GET");
        assert_eq!(
            report.url,
            "/services/data/v60.0/analytics/reports/00O1?x=1"
        );
        assert_eq!(report.header("Authorization"), Some("Bearer tok-1"));
    }
}

#[tokio::test]
async fn oauth_relative_report_url_uses_instance_url() {
    let dir = tempfile::tempdir().unwrap();
    let server = oauth_server(&["tok-1"], 2);
    let mut options = options("/services/data/v60.0/analytics/reports/00O1".to_string());
    options.auth = oauth(&server, dir.path());
    match Fetcher::new(options).unwrap().fetch().await.unwrap() {
        Fetched::Body { bytes, url, .. } => {
            assert_eq!(bytes, b"report");
            assert_eq!(
                url,
                server.url("/services/data/v60.0/analytics/reports/00O1")
            );
        }
        Fetched::NotModified => panic!("expected a body"),
    }
    assert_eq!(server.count("/services/oauth2/token"), 1);
    assert_eq!(server.count("/services/data/"), 1);
}

#[tokio::test]
async fn oauth_401_logs_in_again_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    // The first token has expired; the second works.
    let server = oauth_server(&["tok-2"], 6);
    let mut options = options(server.url("/report"));
    options.auth = oauth(&server, dir.path());
    let mut fetcher = Fetcher::new(options).unwrap();
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"report");
    assert_eq!(server.count("/services/oauth2/token"), 2);
    assert_eq!(server.count("/report"), 2);
    // The new token is kept.
    assert_eq!(body(fetcher.fetch().await.unwrap()), b"report");
    assert_eq!(server.count("/services/oauth2/token"), 2);
    assert_eq!(server.count("/report"), 3);
}

#[tokio::test]
async fn oauth_second_401_is_an_auth_failure() {
    let dir = tempfile::tempdir().unwrap();
    let server = oauth_server(&[], 10);
    let mut options = options(server.url("/report"));
    options.auth = oauth(&server, dir.path());
    let mut fetcher = Fetcher::new(options).unwrap();
    let err = fetcher.fetch().await.unwrap_err();
    assert!(matches!(err, FetchError::Auth { status: 401 }), "{err:?}");
    assert_eq!(err.to_string(), "認証に失敗しました（HTTP 401）");
    assert!(err.is_auth());
    assert_eq!(server.count("/services/oauth2/token"), 2);
    assert_eq!(server.count("/report"), 2);
    // The next poll tries again from a fresh login, and again only once more.
    let again = fetcher.fetch().await.unwrap_err();
    assert!(again.is_auth(), "{again:?}");
    assert_eq!(server.count("/services/oauth2/token"), 4);
    assert_eq!(server.count("/report"), 4);
}

#[tokio::test]
async fn oauth_login_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(1, |_, _| {
        Reply {
        status: 400,
        headers: vec![("Content-Type", "application/json".to_string())],
        body: format!(
            r#"{{"error":"invalid_grant","error_description":"authentication failure for {SECRET}"}}"#
        )
        .into_bytes(),
        chunked: false,
    }
    });
    let mut options = options(server.url("/report"));
    options.auth = oauth(&server, dir.path());
    let err = fetch_once(options).await.unwrap_err();
    assert!(
        matches!(err, FetchError::Login { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "ログインに失敗しました（HTTP 400、invalid_grant：\
         ユーザー名・パスワード（セキュリティトークン付き）を確認してください）"
    );
    assert!(!format!("{err:?}").contains(SECRET));
    assert_eq!(server.seen().len(), 1, "no report request without a token");
}

#[tokio::test]
async fn oauth_reply_without_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(1, |_, _| {
        Reply::ok(r#"{"instance_url":"http://127.0.0.1:1"}"#)
    });
    let mut options = options(server.url("/report"));
    options.auth = oauth(&server, dir.path());
    let err = fetch_once(options).await.unwrap_err();
    assert!(matches!(err, FetchError::LoginReply { .. }), "{err:?}");
    assert!(err.to_string().contains("access_token"));
}

// ---------------------------------------------------------------------------------------
// Secrets

#[test]
fn secret_prints_as_stars() {
    let secret = Secret::new(SECRET.to_string());
    assert_eq!(secret.to_string(), "********");
    assert_eq!(format!("{secret:?}"), "********");
    assert_eq!(format!("{:?}", Some(&secret)), "Some(********)");
    assert_eq!(secret.expose(), SECRET);
}

#[test]
fn secret_sources_deserialize_from_config() {
    #[derive(serde::Deserialize)]
    struct Conf {
        a: SecretSource,
        b: SecretSource,
        c: SecretSource,
    }
    let conf: Conf = serde_json::from_str(
        r#"{"a":{"env":"GMIS_PASSWORD"},"b":{"file":"/etc/bedboard/pw"},"c":{"command":"pass show gmis"}}"#,
    )
    .unwrap();
    assert_eq!(conf.a, SecretSource::Env("GMIS_PASSWORD".to_string()));
    assert_eq!(conf.b, SecretSource::File("/etc/bedboard/pw".into()));
    assert_eq!(conf.c, SecretSource::Command("pass show gmis".to_string()));
}

#[test]
fn env_secret_present_and_missing() {
    // PATH is always set; a variable nobody sets stands for a missing one.
    let path = std::env::var("PATH").unwrap();
    assert_eq!(
        SecretSource::Env("PATH".to_string())
            .resolve()
            .unwrap()
            .expose(),
        path
    );
    let err = SecretSource::Env("BEDBOARD_TEST_NEVER_SET_7f3a".to_string())
        .resolve()
        .unwrap_err();
    assert!(matches!(err, SecretError::EnvMissing { .. }));
    assert_eq!(
        err.to_string(),
        "環境変数 BEDBOARD_TEST_NEVER_SET_7f3a が設定されていません"
    );
}

#[test]
fn file_secret_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "pw", &format!("{SECRET}\n"), 0o600);
    let secret = SecretSource::File(path.clone()).resolve().unwrap();
    assert_eq!(secret.expose(), SECRET);

    let crlf = write_file(dir.path(), "crlf", &format!("{SECRET}\r\n"), 0o400);
    assert_eq!(SecretSource::File(crlf).resolve().unwrap().expose(), SECRET);
}

#[test]
fn file_secret_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o644, 0o640, 0o604, 0o660, 0o606] {
        let path = write_file(dir.path(), "pw", &format!("{SECRET}\n"), mode);
        let err = SecretSource::File(path.clone()).resolve().unwrap_err();
        assert!(matches!(err, SecretError::FileTooOpen { .. }), "{mode:o}");
        let shown = path.display();
        assert_eq!(
            err.to_string(),
            format!(
                "{shown} は他のユーザーも読めるため使えません（{mode:04o}）。chmod 600 {shown} としてください"
            )
        );
        assert!(!format!("{err}{err:?}").contains(SECRET));
    }
    let path = write_file(dir.path(), "pw", "x", 0o644);
    assert!(SecretSource::File(path)
        .resolve()
        .unwrap_err()
        .to_string()
        .contains("（0644）。chmod 600 "));
}

#[test]
fn file_secret_missing_or_empty() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = SecretSource::File(missing.clone()).resolve().unwrap_err();
    assert!(matches!(err, SecretError::FileMissing { .. }));
    assert_eq!(
        err.to_string(),
        format!("パスワードファイル {} が見つかりません", missing.display())
    );
    let empty = write_file(dir.path(), "empty", "\n", 0o600);
    let err = SecretSource::File(empty).resolve().unwrap_err();
    assert!(matches!(err, SecretError::FileEmpty { .. }));
}

#[test]
fn command_secret() {
    let source = SecretSource::Command("printf '%s\\n' tok-abc".to_string());
    assert_eq!(source.resolve().unwrap().expose(), "tok-abc");
    // `pass show` prints the password on the first line, then other fields.
    let source = SecretSource::Command("printf 'pw-1\\nlogin: x\\n'".to_string());
    assert_eq!(source.resolve().unwrap().expose(), "pw-1");
}

#[test]
fn command_failure_shows_only_the_exit_code() {
    let source = SecretSource::Command(format!("printf '%s\\n' {SECRET}; exit 3"));
    let err = source.resolve().unwrap_err();
    assert!(
        matches!(err, SecretError::CommandFailed { code: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "パスワード取得コマンド（printf）が失敗しました（終了コード 3）"
    );
    assert!(!format!("{err}{err:?}").contains(SECRET));

    let source = SecretSource::Command(format!("echo {SECRET} >&2; exit 1"));
    let err = source.resolve().unwrap_err();
    assert!(!format!("{err}{err:?}").contains(SECRET));

    let err = SecretSource::Command("true".to_string())
        .resolve()
        .unwrap_err();
    assert!(matches!(err, SecretError::CommandEmpty { .. }));
}

#[test]
fn command_secret_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let finished = dir.path().join("finished");
    // Were the command not stopped at the timeout, resolving would wait for it and find
    // the mark written.
    let command = format!("sleep 5 && echo done > '{}'", finished.display());
    let err = SecretSource::Command(command)
        .resolve_with_timeout(Duration::from_millis(300))
        .unwrap_err();
    assert!(
        matches!(err, SecretError::CommandTimeout { secs: 1, .. }),
        "{err:?}"
    );
    assert!(
        !finished.exists(),
        "the command was stopped, not waited for"
    );
}

// ---------------------------------------------------------------------------------------
// Redaction: a recognisable secret in every auth mode, then every way of failing.

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} leaks the secret: {text}");
    assert!(
        !text.contains("token="),
        "{what} shows a query string: {text}"
    );
}

#[tokio::test]
async fn no_error_text_holds_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let good_file = write_file(dir.path(), "ok", &format!("{SECRET}\n"), 0o600);
    let open_file = write_file(dir.path(), "open", &format!("{SECRET}\n"), 0o644);
    let sources = vec![
        SecretSource::File(good_file.clone()),
        SecretSource::File(open_file),
        SecretSource::Command(format!("cat {}", good_file.display())),
        SecretSource::Command(format!("cat {}; exit 4", good_file.display())),
        SecretSource::Command(format!("printf %s {SECRET}; exit 5")),
        SecretSource::Env("BEDBOARD_TEST_NEVER_SET_7f3a".to_string()),
    ];
    let query = format!("?token={SECRET}");
    let refusing = serve(200, |_, _| Reply::status(401));
    let failing = serve(200, |_, _| Reply::status(500));
    let login_refusing = serve(200, |_, _| Reply {
        status: 400,
        headers: vec![],
        body: format!(r#"{{"error":"{SECRET}","error_description":"{SECRET}"}}"#).into_bytes(),
        chunked: false,
    });
    let dead = format!("http://127.0.0.1:{}/r{query}", dead_port());
    let urls = [
        refusing.url(&format!("/r{query}")),
        failing.url(&format!("/r{query}")),
        dead,
    ];

    let mut checked = 0;
    for source in &sources {
        if let Err(err) = source.resolve() {
            assert_clean("SecretError Display", &err.to_string());
            assert_clean("SecretError Debug", &format!("{err:?}"));
        }
        let auths = vec![
            Auth::Basic {
                username: "dispatch".to_string(),
                password: source.clone(),
            },
            Auth::Bearer {
                token: source.clone(),
            },
            Auth::OAuthPassword {
                token_url: refusing.url("/services/oauth2/token"),
                client_id: "cid".to_string(),
                client_secret: source.clone(),
                username: "u".to_string(),
                password: source.clone(),
            },
            Auth::OAuthPassword {
                token_url: login_refusing.url(&format!("/services/oauth2/token{query}")),
                client_id: "cid".to_string(),
                client_secret: source.clone(),
                username: "u".to_string(),
                password: source.clone(),
            },
        ];
        for auth in auths {
            for url in &urls {
                let mut options = options(url.clone());
                options.auth = auth.clone();
                let mut fetcher = Fetcher::new(options).unwrap();
                assert_clean("Fetcher Debug", &format!("{fetcher:?}"));
                let err = fetcher.fetch().await.unwrap_err();
                assert_clean("FetchError Display", &err.to_string());
                assert_clean("FetchError Debug", &format!("{err:?}"));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, sources.len() * 4 * 3);
    // The servers did get the secret where it belonged (so it was really sent).
    assert!(refusing
        .seen()
        .iter()
        .any(|s| s.header("Authorization") == Some(&format!("Bearer {SECRET}"))));
}

#[test]
fn urls_are_shown_without_query_or_password() {
    assert_eq!(
        redact_url(&format!(
            "https://u:{SECRET}@feed.example:8443/r.csv?token={SECRET}"
        )),
        "https://feed.example:8443/r.csv"
    );
}

// ---------------------------------------------------------------------------------------
// TLS and the extra CA

const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBdTCCARugAwIBAgIBATAKBggqhkjOPQQDAjAhMR8wHQYDVQQDDBZiZWRib2Fy
ZCB0ZXN0IHByb3h5IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAw
WjAhMR8wHQYDVQQDDBZiZWRib2FyZCB0ZXN0IHByb3h5IENBMFkwEwYHKoZIzj0C
AQYIKoZIzj0DAQcDQgAEvq3XYIdOEjotR5KP/Y5XHChlD+0b4F4SgfBBkCqOe65C
zW9vo/AmRUAT6zKIPSECGw6tUrVcgpYIWAMfT7XNaaNCMEAwDwYDVR0TAQH/BAUw
AwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFO1CEmYmoHI8DDlAx5bmxcRK
WPvvMAoGCCqGSM49BAMCA0gAMEUCIQDieK0dV0WJmpvJKFKGipCLk8NOiBugt8Ne
IIefizCF5gIgR7A9p8SkK0SSwqxmvAX26n68teupeo1HwV6eGitIW0s=
-----END CERTIFICATE-----
";

/// Issued by TEST_CA for IP 127.0.0.1 and localhost, valid 2000–2100.
const TEST_LEAF: &str = "-----BEGIN CERTIFICATE-----
MIIBtTCCAVygAwIBAgIBAjAKBggqhkjOPQQDAjAhMR8wHQYDVQQDDBZiZWRib2Fy
ZCB0ZXN0IHByb3h5IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAw
WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AATQCQxHpZz2/hwoM9ZoXvgy0zqZIDUMxUVrwBd+xpoosGA6DkwnjobrgeLgtf01
Zdw4NNQdU/RrlQHFZeqqXQxMo4GPMIGMMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2Fs
aG9zdDAJBgNVHRMEAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMA4GA1UdDwEB/wQE
AwIHgDAdBgNVHQ4EFgQULEanFX8dl7YpNDzUIg1TvW5tKmswHwYDVR0jBBgwFoAU
7UISZiagcjwMOUDHlubFxEpY++8wCgYIKoZIzj0EAwIDRwAwRAIgOWMb/GtRqiUj
sbYoxwi+4yuYPonfrTWB9J+Ty4b3E0ACIE3JI1UED0XKmE9lh6nSwUjOjq/32SP+
UVM8r9K8M1yB
-----END CERTIFICATE-----
";

/// The leaf's key. It protects nothing: a throwaway made for this test.
const TEST_LEAF_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPxL2Ly4OGrfocN8h
3yyHA/K7rb/PtUFSVak4o4qzE4OhRANCAATQCQxHpZz2/hwoM9ZoXvgy0zqZIDUM
xUVrwBd+xpoosGA6DkwnjobrgeLgtf01Zdw4NNQdU/RrlQHFZeqqXQxM
-----END PRIVATE KEY-----
";

#[test]
fn extra_ca_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write_file(
        dir.path(),
        "bundle.pem",
        &format!("# proxy CA\n{TEST_CA}{TEST_LEAF}"),
        0o644,
    );
    let mut options = HttpOptions::new("https://127.0.0.1:1/r");
    options.extra_ca = Some(bundle);
    Fetcher::new(options).unwrap();
}

#[test]
fn extra_ca_missing_or_not_pem() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("proxy-ca.pem");
    let mut options = HttpOptions::new("https://127.0.0.1:1/r");
    options.extra_ca = Some(missing.clone());
    let err = Fetcher::new(options.clone()).unwrap_err();
    assert!(matches!(err, FetchError::CaFile { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "CA ファイル {} を読めません（ファイルが見つかりません）",
            missing.display()
        )
    );

    let garbage = write_file(dir.path(), "garbage.pem", "not a certificate\n", 0o644);
    options.extra_ca = Some(garbage.clone());
    let err = Fetcher::new(options).unwrap_err();
    assert!(matches!(err, FetchError::CaFile { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with(&format!("CA ファイル {} を読めません（", garbage.display())));
}

/// `openssl s_server` serving TLS with the test leaf, for at most `accepts` connections.
/// None when openssl is not installed.
struct OpensslServer {
    child: std::process::Child,
    port: u16,
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl_server(dir: &Path, accepts: u32) -> Option<OpensslServer> {
    let cert = write_file(dir, "leaf.pem", TEST_LEAF, 0o600);
    let key = write_file(dir, "leaf.key", TEST_LEAF_KEY, 0o600);
    let port = dead_port();
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-naccept"])
        .arg(accepts.to_string())
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(_) => {
            eprintln!("openssl not found: TLS test skipped");
            return None;
        }
    };
    let server = OpensslServer { child, port };
    // Wait for it to listen; the probe uses up one of its accepts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("openssl s_server did not start");
}

#[tokio::test]
async fn tls_needs_the_proxy_ca() {
    let dir = tempfile::tempdir().unwrap();
    // One accept for the start-up probe, one refused, one trusted.
    let Some(server) = openssl_server(dir.path(), 3) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/", server.port);

    // Without the CA: an unknown issuer, as behind an inspecting proxy.
    let err = fetch_once(options(url.clone())).await.unwrap_err();
    assert!(matches!(err, FetchError::Certificate { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("証明書を確認できません（"),
        "{err}"
    );
    assert!(err.to_string().contains("extra_ca"), "{err}");

    // With it: the page.
    let ca = write_file(dir.path(), "ca.pem", TEST_CA, 0o644);
    let mut options = options(url);
    options.extra_ca = Some(ca);
    let bytes = body(fetch_once(options).await.unwrap());
    assert!(
        String::from_utf8_lossy(&bytes).contains("HTML"),
        "{bytes:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Proxies from the environment, in a child process with its own environment

/// Set in the child process so that its tests run; they are ignored otherwise.
const CHILD_MARKER: &str = "BEDBOARD_HTTP_TEST_CHILD";

const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn run_child(test: &str, envs: &[(&str, String)]) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MARKER, "1")
        .stdin(std::process::Stdio::null());
    for var in PROXY_VARS {
        command.env_remove(var);
    }
    command.envs(envs.iter().map(|(k, v)| (k, v)));
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child {test} failed:\n{stdout}\n{stderr}"
    );
}

#[test]
fn proxy_from_environment_and_no_proxy() {
    let origin = serve(1, |_, _| Reply::ok("direct"));
    let proxy_port = raw_server(|mut stream| {
        // `read_head` has taken the request; its target is in absolute form.
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nvia proxy",
        );
    });
    // An HTTPS proxy that wants a password it is not given.
    let https_proxy_port = raw_server(|mut stream| {
        let _ = stream
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        std::thread::sleep(Duration::from_millis(200));
    });
    run_child(
        "child_proxy_from_environment",
        &[
            ("HTTP_PROXY", format!("http://127.0.0.1:{proxy_port}")),
            (
                "HTTPS_PROXY",
                format!("http://127.0.0.1:{https_proxy_port}"),
            ),
            ("NO_PROXY", "127.0.0.1".to_string()),
            ("BEDBOARD_TEST_ORIGIN", origin.url("/r")),
        ],
    );
    assert_eq!(
        origin.seen().len(),
        1,
        "the direct fetch reached the origin"
    );
}

#[tokio::test]
#[ignore = "run by proxy_from_environment_and_no_proxy in a child process"]
async fn child_proxy_from_environment() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let origin = std::env::var("BEDBOARD_TEST_ORIGIN").unwrap();
    // 127.0.0.1 is in NO_PROXY: straight to the origin, though both proxies are set.
    assert_eq!(
        body(fetch_once(options(origin.clone())).await.unwrap()),
        b"direct"
    );
    // localhost is not: through HTTP_PROXY (were it not, localhost would reach the origin,
    // which has already answered its one request).
    let via = origin.replace("127.0.0.1", "localhost");
    assert_eq!(body(fetch_once(options(via)).await.unwrap()), b"via proxy");
    // An https URL goes through HTTPS_PROXY, which asks for a password.
    let err = fetch_once(options("https://localhost:9/r?token=abc".to_string()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ProxyAuth), "{err:?}");
    assert_eq!(err.to_string(), "プロキシの認証に失敗しました（HTTP 407）");
}

#[test]
fn unreachable_https_proxy_is_named() {
    run_child(
        "child_unreachable_https_proxy",
        &[("HTTPS_PROXY", format!("http://127.0.0.1:{}", dead_port()))],
    );
}

#[tokio::test]
#[ignore = "run by unreachable_https_proxy_is_named in a child process"]
async fn child_unreachable_https_proxy() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let err = fetch_once(options("https://localhost:9/r".to_string()))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ProxyTunnel { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "プロキシ経由で接続できません（localhost:9、プロキシに接続できません）"
    );
}

#[test]
fn env_secret_empty_and_set() {
    run_child(
        "child_env_secret",
        &[
            ("BEDBOARD_TEST_PW", SECRET.to_string()),
            ("BEDBOARD_TEST_EMPTY", String::new()),
        ],
    );
}

#[test]
#[ignore = "run by env_secret_empty_and_set in a child process"]
fn child_env_secret() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let secret = SecretSource::Env("BEDBOARD_TEST_PW".to_string())
        .resolve()
        .unwrap();
    assert_eq!(secret.expose(), SECRET);
    let err = SecretSource::Env("BEDBOARD_TEST_EMPTY".to_string())
        .resolve()
        .unwrap_err();
    assert!(matches!(err, SecretError::EnvEmpty { .. }));
    assert_eq!(err.to_string(), "環境変数 BEDBOARD_TEST_EMPTY が空です");
}

// ---------------------------------------------------------------------------------------
// Backoff

#[test]
fn backoff_doubles_with_jitter_and_caps_at_two_intervals() {
    let interval = Duration::from_secs(10);
    let mut backoff = Backoff::new(interval);
    assert_eq!(backoff.failures(), 0);
    assert_eq!(backoff.next_delay(), interval);
    assert_eq!(backoff.cap(), interval * 2);
    for n in 1..=12u32 {
        backoff.failure();
        assert_eq!(backoff.failures(), n);
        let base = (interval * 2u32.pow(n)).min(backoff.cap());
        let delay = backoff.next_delay();
        assert!(
            delay >= base.mul_f64(0.8),
            "{n}: {delay:?} < 0.8 × {base:?}"
        );
        assert!(
            delay <= base.mul_f64(1.2),
            "{n}: {delay:?} > 1.2 × {base:?}"
        );
        assert!(delay <= interval * 2, "{n}: {delay:?}");
        // Stable until the next failure.
        assert_eq!(backoff.next_delay(), delay);
    }
    backoff.success();
    assert_eq!(backoff.failures(), 0);
    assert_eq!(backoff.next_delay(), interval);
}

#[test]
fn backoff_jitter_spreads_within_twenty_percent() {
    let interval = Duration::from_secs(60);
    let mut low = Duration::MAX;
    let mut high = Duration::ZERO;
    for _ in 0..2000 {
        let mut backoff = Backoff::new(interval);
        backoff.failure();
        let delay = backoff.next_delay();
        low = low.min(delay);
        high = high.max(delay);
    }
    // One failure doubles the wait to the cap, two intervals: drawn from the 20 % below it.
    let base = Duration::from_secs(120);
    assert!(low >= base.mul_f64(0.8) && high <= base);
    // Really jittered: the draws cover most of the band.
    assert!(low < base.mul_f64(0.85), "{low:?}");
    assert!(high > base.mul_f64(0.95), "{high:?}");
}

#[test]
fn backoff_never_waits_past_two_intervals() {
    // A feed that comes back is fetched again within two intervals, however long it was down.
    for secs in [10, 60, 600] {
        let interval = Duration::from_secs(secs);
        let mut backoff = Backoff::new(interval);
        for _ in 0..100 {
            backoff.failure();
        }
        assert_eq!(backoff.failures(), 100);
        assert!(backoff.next_delay() <= interval * 2, "{secs}");
        assert!(backoff.next_delay() >= interval.mul_f64(1.6), "{secs}");
    }
}

// ---------------------------------------------------------------------------------------
// Hostile servers: lying lengths, redirects elsewhere, Retry-After

/// Rows of 16 bytes, so that 1024 bytes end exactly at a row boundary.
fn sixteen_byte_rows(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|n| format!("{n:04},病院,9,9\n").into_bytes())
        .collect()
}

/// Announces `announced` bytes, sends `sent` of them and closes.
async fn fetch_cut_body(announced: usize, sent: usize) -> FetchError {
    let rows = sixteen_byte_rows(announced / 16 + 1);
    assert_eq!(rows[..16].len(), 16);
    let port = raw_server(move |mut stream| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {announced}\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&rows[..sent]);
        let _ = stream.flush();
        // Closed here, short of what was announced.
    });
    fetch_once(options(format!("http://127.0.0.1:{port}/r")))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn body_cut_at_a_row_boundary_is_refused_with_its_counts() {
    assert_eq!(sixteen_byte_rows(64).len(), 1024);
    let err = fetch_cut_body(2048, 1024).await;
    assert!(
        matches!(
            err,
            FetchError::ShortBody {
                expected: 2048,
                received: 1024
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "応答が途中で切れました（2,048 バイト中 1,024 バイト）"
    );
}

#[tokio::test]
async fn body_cut_inside_a_row_is_refused() {
    let err = fetch_cut_body(2048, 1030).await;
    assert!(
        matches!(
            err,
            FetchError::ShortBody {
                expected: 2048,
                received: 1030
            }
        ),
        "{err:?}"
    );
}

/// A server that redirects everything to `location`.
fn redirecting(location: String) -> TestServer {
    serve(1, move |_, _| {
        Reply::status(302).header("Location", location.clone())
    })
}

fn with_secrets(url: String) -> HttpOptions {
    let mut options = options(format!("{url}?token={SECRET}"));
    options.auth = Auth::Bearer {
        token: SecretSource::Command(format!("printf '{SECRET}'")),
    };
    options
}

#[tokio::test]
async fn redirect_to_another_port_is_refused_and_named() {
    let elsewhere = serve(1, |_, _| Reply::ok("0001,病院,9,9\n"));
    let target = format!("{}?token={SECRET}&page=2", elsewhere.url("/stolen"));
    let origin = redirecting(target);
    let err = fetch_once(with_secrets(origin.url("/r")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::RedirectElsewhere { status: 302, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert_eq!(
        text,
        format!(
            "別の接続先への転送（HTTP 302）には従いません（転送先 {}）",
            elsewhere.url("/stolen")
        )
    );
    assert_clean("the redirect error", &text);
    // The request did reach the first server with its secrets, and nothing reached the second.
    assert_eq!(origin.count("/r"), 1);
    assert!(origin.seen()[0].url.contains(SECRET));
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[tokio::test]
async fn redirect_to_another_scheme_is_refused() {
    let origin = redirecting("https://127.0.0.1:1/r?token=x".to_string());
    let err = fetch_once(with_secrets(origin.url("/r")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::RedirectElsewhere { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("https://127.0.0.1:1/r）"), "{err}");
}

#[tokio::test]
async fn redirect_to_a_file_is_told_as_such() {
    let origin = redirecting("file:///etc/passwd".to_string());
    let err = fetch_once(options(origin.url("/r"))).await.unwrap_err();
    assert!(
        matches!(err, FetchError::RedirectScheme { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "http(s) ではない転送先（HTTP 302）には従いません（転送先 file:///etc/passwd）"
    );
}

#[tokio::test]
async fn redirect_without_location_is_told_as_such() {
    let origin = serve(1, |_, _| Reply::status(301));
    let err = fetch_once(options(origin.url("/r"))).await.unwrap_err();
    assert!(
        matches!(err, FetchError::RedirectNowhere { status: 301 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn same_host_redirect_is_followed_without_a_referer() {
    let server = serve(2, |seen, _| {
        if seen.url.starts_with("/old") {
            Reply::status(301).header("Location", "/new?page=1")
        } else {
            Reply::ok("0001,病院,9,9\n")
        }
    });
    let fetched = fetch_once(with_secrets(server.url("/old"))).await.unwrap();
    let Fetched::Body { bytes, url, .. } = fetched else {
        panic!("expected a body");
    };
    assert_eq!(bytes, "0001,病院,9,9\n".as_bytes());
    assert_eq!(redact_url(&url), server.url("/new"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].url, "/new?page=1");
    let bearer = format!("Bearer {SECRET}");
    assert_eq!(seen[1].header("Authorization"), Some(bearer.as_str()));
    for request in &seen {
        assert_eq!(request.header("Referer"), None, "{request:?}");
    }
}

#[tokio::test]
async fn endless_same_host_redirects_stop() {
    let server = serve(20, |_, n| {
        Reply::status(302).header("Location", format!("/r{}", n + 1))
    });
    let err = fetch_once(options(server.url("/r0"))).await.unwrap_err();
    assert!(matches!(err, FetchError::Redirects), "{err:?}");
    assert_eq!(server.count("/r"), 11);
}

#[tokio::test]
async fn retry_after_seconds_is_carried_by_the_error() {
    let server = serve(1, |_, _| Reply::status(429).header("Retry-After", "120"));
    let err = fetch_once(options(server.url("/r"))).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        err.to_string(),
        "サーバーが混み合っています（HTTP 429、120 秒後の再試行を求めています）"
    );
}

#[tokio::test]
async fn retry_after_date_is_carried_by_the_error() {
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let date = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let server = serve(1, move |_, _| {
        Reply::status(503).header("Retry-After", date.clone())
    });
    let err = fetch_once(options(server.url("/r"))).await.unwrap_err();
    let wait = err.retry_after().expect("a Retry-After");
    assert!(wait > Duration::from_secs(3000), "{wait:?}");
    assert!(wait <= Duration::from_secs(3600), "{wait:?}");
    // Without one, a 503 is an ordinary server error.
    let plain = serve(1, |_, _| Reply::status(503));
    let err = fetch_once(options(plain.url("/r"))).await.unwrap_err();
    assert!(matches!(err, FetchError::Status { status: 503 }), "{err:?}");
    assert_eq!(err.retry_after(), None);
}

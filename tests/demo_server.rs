//! The demo feed over real HTTP on 127.0.0.1, read with a plain client written here.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use bedboard::demo::generator::HOSPITAL_COUNT;
use bedboard::demo::server::{DemoFeed, DemoFeedOptions};
use bedboard::formats::gmis_csv::import_bytes;
use bedboard::formats::{encoding, DetectedEncoding, ImportOptions};
use bedboard::model::Report;

/// A response as read off the wire.
struct Reply {
    status: u16,
    /// Header names in lower case.
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`), read to the end.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse_reply(&raw, method == "HEAD")
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &[])
}

fn parse_reply(raw: &[u8], head: bool) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a blank line after the headers");
    let head_text = std::str::from_utf8(&raw[..end]).expect("ASCII headers");
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let body = if head {
        Vec::new()
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)
    } else if let Some(len) = headers.get("content-length") {
        let len: usize = len.parse().unwrap();
        assert!(rest.len() >= len, "body cut short: {} of {len}", rest.len());
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn start(change_every: Duration) -> DemoFeed {
    DemoFeed::start(DemoFeedOptions {
        addr: "127.0.0.1:0".into(),
        change_every,
        basic_auth: None,
    })
    .expect("start the demo feed")
}

fn import_csv(body: &[u8]) -> Report {
    let import = import_bytes(body, &ImportOptions::default()).expect("the CSV imports");
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.encoding, DetectedEncoding::ShiftJis);
    import.report
}

#[test]
fn the_csv_is_a_cp932_gmis_export_of_every_demo_hospital() {
    let feed = start(Duration::from_secs(3600));
    let reply = get(feed.addr(), "/report.csv");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=Shift_JIS")
    );
    // Shift-JIS, not UTF-8: the names hold kanji, so UTF-8 decoding must fail.
    assert!(std::str::from_utf8(&reply.body).is_err());
    let text = encoding::decode(&reply.body, DetectedEncoding::ShiftJis).expect("CP932 decodes");
    assert!(text.starts_with("都道府県,"), "{}", &text[..40]);
    assert!(text.contains("東京都"));
    assert!(text.ends_with("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    let report = import_csv(&reply.body);
    assert_eq!(report.rows.len(), HOSPITAL_COUNT);
    feed.stop();
}

#[test]
fn the_json_rows_match_the_csv_rows() {
    let feed = start(Duration::from_secs(3600));
    let csv = import_csv(&get(feed.addr(), "/report.csv").body);
    let reply = get(feed.addr(), "/report.json");
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&reply.body).expect("valid JSON");
    assert_eq!(rows.len(), HOSPITAL_COUNT);
    assert_eq!(rows.len(), csv.rows.len());
    let mut blank_counts = 0;
    for (json, row) in rows.iter().zip(&csv.rows) {
        let code = json["医療機関コード"].as_str().expect("codes are strings");
        assert_eq!(code, row.hospital_code.as_str());
        assert_eq!(json["医療機関名"].as_str(), Some(&*row.hospital_name));
        assert_eq!(json["都道府県"].as_str(), Some("東京都"));
        assert_eq!(
            json["全国地方公共団体コード"].as_str(),
            Some(row.municipality_code.as_str())
        );
        let reported = json["報告日時"].as_str().unwrap();
        assert_eq!(reported.len(), "2026/11/01 09:00".len(), "{reported}");
        assert_eq!(
            bedboard::model::time::parse_datetime(reported),
            Some(row.reported_at)
        );
        for (name, value) in [
            ("確保病床", row.secured),
            ("即応病床", row.ready),
            ("入院中", row.inpatients),
        ] {
            match value {
                Some(n) => assert_eq!(json[name].as_u64(), Some(u64::from(n)), "{name}"),
                None => {
                    assert!(json[name].is_null(), "{name}");
                    blank_counts += 1;
                }
            }
        }
    }
    assert!(blank_counts > 0, "the demo has blank counts; they are null");
    feed.stop();
}

#[test]
fn the_master_and_the_index() {
    let feed = start(Duration::from_secs(3600));
    let master = get(feed.addr(), "/master.csv");
    assert_eq!(master.status, 200);
    assert!(master.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = std::str::from_utf8(&master.body[3..]).unwrap();
    assert!(text.starts_with("医療機関コード,医療機関名,"));
    assert_eq!(text.split_terminator("\r\n").count(), HOSPITAL_COUNT + 1);

    let index = get(feed.addr(), "/");
    assert_eq!(index.status, 200);
    let index = String::from_utf8(index.body).unwrap();
    for path in ["/report.csv", "/report.json", "/master.csv"] {
        assert!(index.contains(path), "{index}");
    }
    assert_eq!(get(feed.addr(), "/nothing-here").status, 404);
    assert_eq!(get(feed.addr(), "/report.csv?x=1").status, 200);
    assert_eq!(request(feed.addr(), "POST", "/report.csv", &[]).status, 405);
    let head = request(feed.addr(), "HEAD", "/report.csv", &[]);
    assert_eq!(head.status, 200);
    assert!(head.header("etag").is_some());
    feed.stop();
}

#[test]
fn a_matching_etag_gets_304_with_no_body() {
    let feed = start(Duration::from_secs(3600));
    let addr = feed.addr();
    for path in ["/report.csv", "/report.json", "/master.csv"] {
        let first = get(addr, path);
        let etag = first.header("etag").expect("an ETag").to_string();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert!(first.header("last-modified").unwrap().ends_with(" GMT"));

        let again = request(addr, "GET", path, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));

        let listed = format!("\"other\", W/{etag}");
        let weak = request(addr, "GET", path, &[("If-None-Match", &listed)]);
        assert_eq!(weak.status, 304, "{path}: a list holding the tag");

        let other = request(addr, "GET", path, &[("If-None-Match", "\"other\"")]);
        assert_eq!(other.status, 200, "{path}");
        assert_eq!(other.body, first.body);

        // Nothing changes within the hour, so the date validator holds too.
        let last_modified = first.header("last-modified").unwrap().to_string();
        let since = request(addr, "GET", path, &[("If-Modified-Since", &last_modified)]);
        assert_eq!(since.status, 304, "{path}");
    }
    feed.stop();
}

#[test]
fn a_few_hospitals_change_as_time_passes() {
    let feed = start(Duration::from_millis(200));
    let addr = feed.addr();
    let first = get(addr, "/report.csv");
    let before = import_csv(&first.body);
    let etag = first.header("etag").unwrap().to_string();
    // Bounded wait: at least three changes are due after 600 ms; a slow machine gets longer.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut after;
    loop {
        thread::sleep(Duration::from_millis(600));
        let reply = request(addr, "GET", "/report.csv", &[("If-None-Match", &etag)]);
        if reply.status == 200 {
            assert_ne!(reply.header("etag"), Some(etag.as_str()));
            after = import_csv(&reply.body);
            break;
        }
        assert_eq!(reply.status, 304);
        assert!(Instant::now() < deadline, "nothing changed in 20 s");
    }
    assert_eq!(after.rows.len(), before.rows.len());
    let codes = |r: &Report| r.rows.iter().map(|r| r.hospital_code).collect::<Vec<_>>();
    assert_eq!(codes(&after), codes(&before), "the same hospitals");
    let changed: Vec<_> = after
        .rows
        .iter()
        .zip(&before.rows)
        .filter(|(a, b)| a != b)
        .collect();
    assert!(!changed.is_empty());
    let counts_changed = changed
        .iter()
        .filter(|(a, b)| (a.ready, a.inpatients) != (b.ready, b.inpatients))
        .count();
    assert!(counts_changed > 0, "即応病床 or 入院中 changed");
    for (a, b) in &changed {
        assert_eq!(a.secured, b.secured, "確保病床 stays");
        assert!(a.reported_at >= b.reported_at, "a fresh 報告日時");
        let (ready, inpatients) = (a.ready.unwrap(), a.inpatients.unwrap());
        assert!(inpatients <= ready && ready <= a.secured.unwrap());
    }
    // The JSON shows the same state as the CSV.
    thread::sleep(Duration::from_millis(10));
    after = import_csv(&get(addr, "/report.csv").body);
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&get(addr, "/report.json").body).unwrap();
    assert_eq!(json.len(), after.rows.len());
    feed.stop();
}

#[test]
fn basic_auth_is_required_when_configured() {
    let feed = DemoFeed::start(DemoFeedOptions {
        addr: "127.0.0.1:0".into(),
        change_every: Duration::from_secs(3600),
        basic_auth: Some(("shirei".into(), "himitsu-パス".into())),
    })
    .unwrap();
    let addr = feed.addr();
    let none = get(addr, "/report.csv");
    assert_eq!(none.status, 401);
    assert!(none
        .header("www-authenticate")
        .unwrap()
        .starts_with("Basic realm="));
    assert!(none.body.len() < 200, "no data without auth");
    // "shirei:wrong"
    let wrong = request(
        addr,
        "GET",
        "/report.csv",
        &[("Authorization", "Basic c2hpcmVpOndyb25n")],
    );
    assert_eq!(wrong.status, 401);
    // "shirei:himitsu-パス" in UTF-8
    let good_token = "c2hpcmVpOmhpbWl0c3Ut44OR44K5";
    let good = request(
        addr,
        "GET",
        "/report.csv",
        &[("Authorization", &format!("Basic {good_token}"))],
    );
    assert_eq!(good.status, 200);
    assert_eq!(import_csv(&good.body).rows.len(), HOSPITAL_COUNT);
    let lower = request(
        addr,
        "GET",
        "/report.json",
        &[("Authorization", &format!("basic {good_token}"))],
    );
    assert_eq!(lower.status, 200, "the scheme is case-insensitive");
    // The password never shows in debug output.
    let options = DemoFeedOptions {
        basic_auth: Some(("shirei".into(), "himitsu-パス".into())),
        ..Default::default()
    };
    assert!(!format!("{options:?}").contains("himitsu"));
    feed.stop();
}

#[test]
fn the_server_thread_ends_on_stop_and_on_drop() {
    let feed = start(Duration::from_secs(3600));
    let addr = feed.addr();
    assert!(addr.ip().is_loopback());
    assert_eq!(feed.url("/report.csv"), format!("http://{addr}/report.csv"));
    assert_eq!(get(addr, "/").status, 200);
    feed.stop();
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "nothing listens after stop()"
    );

    let dropped = start(Duration::from_secs(3600));
    let addr = dropped.addr();
    assert_eq!(get(addr, "/").status, 200);
    drop(dropped);
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "nothing listens after drop"
    );
}

#[test]
fn a_busy_port_is_reported_in_japanese() {
    let feed = start(Duration::from_secs(3600));
    let err = DemoFeed::start(DemoFeedOptions {
        addr: feed.addr().to_string(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("使用中"), "{err}");
    let err = DemoFeed::start(DemoFeedOptions {
        addr: "not an address".into(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("正しくありません"), "{err}");
    feed.stop();
}

#[tokio::test]
async fn reqwest_reads_it_too() {
    let feed = start(Duration::from_secs(3600));
    let client = reqwest::Client::new();
    let reply = client.get(feed.url("/report.csv")).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let etag = reply.headers()["etag"].clone();
    let body = reply.bytes().await.unwrap();
    assert_eq!(import_csv(&body).rows.len(), HOSPITAL_COUNT);
    let again = client
        .get(feed.url("report.csv"))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // stop() joins threads; keep it off the async runtime's worker.
    tokio::task::spawn_blocking(move || feed.stop())
        .await
        .unwrap();
}

//! The poller honours a server's Retry-After: after a 429 the next poll is due no sooner
//! than it asked (up to five minutes), and "poll now" still polls at once.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedboard::model::time::now_jst;
use bedboard::poll::poller::{self, FeedEvent, Origin, PollerConfig};
use bedboard::source::http::{HttpOptions, MAX_RETRY_AFTER};

/// Answers every request with 429 and `Retry-After: <retry_after>`, counting them.
fn busy_server(retry_after: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let url = format!("http://{}/report.csv", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while head.len() < 64 * 1024 && !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            counted.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (url, requests)
}

fn config(url: String) -> PollerConfig {
    let mut http = HttpOptions::new(url);
    http.timeout = Duration::from_secs(5);
    PollerConfig {
        interval: Duration::from_secs(1),
        ..PollerConfig::new(Origin::Http(Box::new(http)), "test-retry-after")
    }
}

/// The failure of the next poll and when the poll after it is due.
async fn failure_and_next_poll(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<FeedEvent>,
) -> (String, chrono::Duration) {
    let mut failure = None;
    loop {
        let event = tokio::time::timeout(Duration::from_secs(15), events.recv())
            .await
            .expect("an event in time")
            .expect("the poller runs");
        match event {
            FeedEvent::Failed { message, .. } => failure = Some(message),
            FeedEvent::NextPoll { at } if failure.is_some() => {
                return (failure.unwrap(), at - now_jst());
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn retry_after_delays_the_next_poll_and_poll_now_still_polls() {
    let (url, requests) = busy_server("120");
    let mut handle = poller::start(config(url));
    let (message, due_in) = failure_and_next_poll(&mut handle.events).await;
    assert_eq!(
        message,
        "サーバーが混み合っています（HTTP 429、120 秒後の再試行を求めています）"
    );
    // The interval is 1 s and one failure backs off to about 2 s: the server's 120 s wins.
    assert!(due_in > chrono::Duration::seconds(110), "{due_in:?}");
    assert!(due_in <= chrono::Duration::seconds(121), "{due_in:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    // "r" polls at once, whatever the server asked.
    handle.poll_now.notify_one();
    let (again, _) = failure_and_next_poll(&mut handle.events).await;
    assert!(again.contains("HTTP 429"), "{again}");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    handle.shutdown().await;
}

#[tokio::test]
async fn retry_after_past_the_cap_waits_the_cap() {
    let (url, _) = busy_server("86400");
    let mut handle = poller::start(config(url));
    let (_, due_in) = failure_and_next_poll(&mut handle.events).await;
    let cap = chrono::Duration::from_std(MAX_RETRY_AFTER).unwrap();
    assert!(due_in <= cap, "{due_in:?}");
    assert!(due_in > cap - chrono::Duration::seconds(10), "{due_in:?}");
    handle.shutdown().await;
}

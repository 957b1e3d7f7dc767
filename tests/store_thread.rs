//! The store on its own thread: requests from any handle run one at a time, in the order
//! they were made, on one thread that is not the caller's; the thread finishes what was
//! asked and closes the file when the last handle goes or on `close`.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use bedboard::demo::generator as demo;
use bedboard::model::JstDateTime;
use bedboard::store::{FetchRecord, Reply, Store, StoreError, StoreHandle};

fn at(minutes: i64) -> JstDateTime {
    demo::asset_base_time() + chrono::Duration::minutes(minutes)
}

fn failed_fetch(minutes: i64) -> FetchRecord {
    FetchRecord::failed("http://127.0.0.1:9/report.csv", at(minutes), "タイムアウト")
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

/// Says on a channel when the thread it was put on ends.
struct TellWhenThreadEnds(mpsc::Sender<()>);

impl Drop for TellWhenThreadEnds {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

thread_local! {
    static THREAD_END: RefCell<Option<TellWhenThreadEnds>> = const { RefCell::new(None) };
}

/// A request that leaves a marker on the store's thread: it reports the thread's end.
fn mark_thread(store: &StoreHandle) -> (Reply<ThreadId>, mpsc::Receiver<()>) {
    let (ended, thread_ended) = mpsc::channel();
    let reply = store.call(move |_| {
        THREAD_END.with(|slot| *slot.borrow_mut() = Some(TellWhenThreadEnds(ended)));
        Ok(std::thread::current().id())
    });
    (reply, thread_ended)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_run_in_order_on_one_thread_and_it_ends_with_the_last_handle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let store = StoreHandle::open(&path).await.unwrap();
    let other = store.clone();
    let (marked, thread_ended) = mark_thread(&store);
    let store_thread = marked.await.unwrap();
    assert_ne!(store_thread, std::thread::current().id());

    // Requests from two handles, none awaited before the next is made.
    let order = Arc::new(Mutex::new(Vec::new()));
    let replies: Vec<Reply<ThreadId>> = (0..40)
        .map(|i| {
            let handle = if i % 2 == 0 { &store } else { &other };
            let order = order.clone();
            handle.call(move |store: &mut Store| {
                order.lock().unwrap().push(i);
                store.record_fetch(&failed_fetch(i), None)?;
                Ok(std::thread::current().id())
            })
        })
        .collect();
    let last = other.last_fetch();
    // Every handle gone, with requests still queued: they run before the thread ends.
    drop(store);
    drop(other);
    for reply in replies {
        assert_eq!(reply.await.unwrap(), store_thread);
    }
    assert_eq!(*order.lock().unwrap(), (0..40).collect::<Vec<_>>());
    assert_eq!(last.await.unwrap().unwrap().fetched_at, at(39));

    thread_ended
        .recv_timeout(Duration::from_secs(30))
        .expect("the store's thread ends once its handles are gone");
    // The last connection to the file has closed: SQLite has folded its log in.
    assert!(!wal(&path).exists(), "the file is closed");
    assert_eq!(
        Store::open(&path).unwrap().stats().unwrap().fetches,
        40,
        "every request reached the file"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_finishes_what_was_asked_then_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let store = StoreHandle::open(&path).await.unwrap();
    let other = store.clone();
    let (_, thread_ended) = mark_thread(&store);
    let before = other.record_fetch(failed_fetch(1), None);
    store.close().await;
    // `close` returns once the file is closed.
    assert!(!wal(&path).exists());
    thread_ended
        .recv_timeout(Duration::from_secs(30))
        .expect("the thread ends though another handle remains");
    assert_eq!(before.await.unwrap(), None, "asked before the close: done");
    assert!(matches!(other.last_fetch().await, Err(StoreError::Closed)));
    assert!(matches!(
        other
            .try_acquire_lease("a", at(2), chrono::Duration::minutes(2))
            .await,
        Err(StoreError::Closed)
    ));
    assert_eq!(Store::open(&path).unwrap().stats().unwrap().fetches, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lease_and_the_checkpoint_through_the_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let store = StoreHandle::open(&path).await.unwrap();
    let ttl = chrono::Duration::minutes(2);
    assert!(store.try_acquire_lease("a", at(0), ttl).await.unwrap());
    assert!(!store.try_acquire_lease("b", at(1), ttl).await.unwrap());
    store.record_fetch(failed_fetch(1), None).await.unwrap();
    // Another process has the file open, so closing ours does not fold the log in.
    let reader = Store::open_read_only(&path).unwrap();
    assert!(std::fs::metadata(wal(&path)).unwrap().len() > 0);
    assert!(store.checkpoint().await.unwrap(), "nobody was reading");
    assert_eq!(std::fs::metadata(wal(&path)).unwrap().len(), 0);
    store.release_lease("a").await.unwrap();
    assert_eq!(store.lease().await.unwrap(), None);
    store.close().await;
    assert_eq!(reader.lease().unwrap(), None);
    assert_eq!(reader.last_fetch().unwrap().unwrap().fetched_at, at(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_cannot_be_opened_is_said_in_the_stores_words() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let err = StoreHandle::open(&blocker.join("history.sqlite3"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::CannotCreate { .. }),
        "{err:?}: {err}"
    );
}

//! Work on a thread of its own that keeps only the latest request: a request
//! made while another waits replaces it, so a burst of key presses costs one
//! job, not one per key. Results come back on a tokio channel the event loop
//! can wait on; the thread ends when the job is dropped.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// The request waiting for the thread, and whether the owner has gone.
struct Slot<Req> {
    waiting: Option<Req>,
    closed: bool,
}

struct Shared<Req> {
    slot: Mutex<Slot<Req>>,
    wake: Condvar,
}

/// A background job that only ever runs the newest request.
pub struct LatestJob<Req, Res> {
    shared: Arc<Shared<Req>>,
    results: UnboundedReceiver<Res>,
}

impl<Req: Send + 'static, Res: Send + 'static> LatestJob<Req, Res> {
    /// Starts the thread; `work` turns each request it takes into a result.
    pub fn start(name: &str, work: impl FnMut(Req) -> Res + Send + 'static) -> Self {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot {
                waiting: None,
                closed: false,
            }),
            wake: Condvar::new(),
        });
        let (send, results) = mpsc::unbounded_channel();
        let worker = shared.clone();
        let spawned = thread::Builder::new()
            .name(name.to_string())
            .spawn(move || serve(&worker, send, work));
        if let Err(err) = spawned {
            tracing::error!("cannot start the {name} thread: {err}");
        }
        Self { shared, results }
    }

    /// Asks for `request`, replacing one that has not started yet.
    pub fn request(&self, request: Req) {
        let mut slot = self
            .shared
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slot.waiting = Some(request);
        self.shared.wake.notify_one();
    }

    /// A finished result, if one is there; never waits.
    pub fn try_take(&mut self) -> Option<Res> {
        self.results.try_recv().ok()
    }

    /// Waits for the next result; pending forever once the thread is gone.
    pub async fn next(&mut self) -> Res {
        match self.results.recv().await {
            Some(result) => result,
            None => std::future::pending().await,
        }
    }

    /// Blocks the calling thread for the next result (tests and benches;
    /// never on the event loop). None when the thread is gone.
    pub fn wait(&mut self) -> Option<Res> {
        self.results.blocking_recv()
    }
}

impl<Req, Res> Drop for LatestJob<Req, Res> {
    fn drop(&mut self) {
        let mut slot = self
            .shared
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slot.closed = true;
        slot.waiting = None;
        self.shared.wake.notify_one();
    }
}

/// The thread: take the latest request, run it, send the result; end when
/// the owner is gone.
fn serve<Req, Res>(
    shared: &Shared<Req>,
    results: UnboundedSender<Res>,
    mut work: impl FnMut(Req) -> Res,
) {
    while let Some(request) = next_request(shared) {
        if results.send(work(request)).is_err() {
            return;
        }
    }
}

fn next_request<Req>(shared: &Shared<Req>) -> Option<Req> {
    let mut slot = shared.slot.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if slot.closed {
            return None;
        }
        if let Some(request) = slot.waiting.take() {
            return Some(request);
        }
        slot = shared
            .wake
            .wait(slot)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc as std_mpsc;

    #[test]
    fn runs_requests_and_sends_results() {
        let mut job = LatestJob::start("test", |n: u32| n * 2);
        job.request(21);
        assert_eq!(job.wait(), Some(42));
        assert_eq!(job.try_take(), None);
    }

    #[test]
    fn a_waiting_request_is_replaced_by_a_newer_one() {
        // The first job holds the thread until told to go on, so the
        // next two requests meet in the slot and only the second runs.
        let (go, gate) = std_mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let mut job = LatestJob::start("test", move |n: u32| {
            if n == 1 {
                let _ = gate.lock().unwrap().recv();
            }
            n
        });
        job.request(1);
        // Wait until the thread has taken request 1 off the slot.
        while job.shared.slot.lock().unwrap().waiting.is_some() {
            thread::yield_now();
        }
        job.request(2);
        job.request(3);
        go.send(()).unwrap();
        assert_eq!(job.wait(), Some(1));
        assert_eq!(job.wait(), Some(3));
        assert_eq!(job.try_take(), None, "request 2 never ran");
    }

    #[test]
    fn the_thread_ends_when_the_job_is_dropped() {
        // The work closure owns a sender; it is dropped with the thread.
        let (alive, ended) = std_mpsc::channel::<()>();
        let job = LatestJob::start("test", move |n: u32| {
            let _ = &alive;
            n
        });
        job.request(1);
        drop(job);
        assert!(ended.recv().is_err(), "the thread let go of its closure");
    }
}

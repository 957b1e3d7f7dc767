//! When to poll again after failures: backoff with jitter, capped at two intervals so that
//! a feed that comes back is fetched again soon.

use std::fmt;
use std::time::Duration;

/// The longest a server's Retry-After is honoured (or the backoff's cap, if that is longer).
/// A server that asks for a pause is not polled sooner than it asked, up to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// How many intervals the wait after failures may grow to.
pub const CAP_INTERVALS: u32 = 2;

/// Backoff with jitter after failures: the base is the poll interval, doubled per consecutive
/// failure, capped at [`CAP_INTERVALS`] intervals, with ±20 % jitter that never goes past the
/// cap (a capped wait is drawn from the 20 % below it); reset after a success. A feed that
/// returns is thus fetched again within two intervals of its return. The jittered delay is
/// drawn once per failure, so `next_delay` is stable between failures.
pub struct Backoff {
    interval: Duration,
    failures: u32,
    delay: Duration,
    rng: fastrand::Rng,
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("interval", &self.interval)
            .field("failures", &self.failures)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Backoff {
    pub fn new(interval: Duration) -> Self {
        Backoff {
            interval,
            failures: 0,
            delay: interval,
            rng: fastrand::Rng::new(),
        }
    }

    /// The cap: [`CAP_INTERVALS`] intervals.
    pub fn cap(&self) -> Duration {
        self.interval.saturating_mul(CAP_INTERVALS)
    }

    /// The longest wait a Retry-After can ask for: [`MAX_RETRY_AFTER`], or the cap if longer.
    pub fn retry_after_cap(&self) -> Duration {
        MAX_RETRY_AFTER.max(self.cap())
    }

    pub fn success(&mut self) {
        self.failures = 0;
        self.delay = self.interval;
    }

    pub fn failure(&mut self) {
        self.failures = self.failures.saturating_add(1);
        let cap = self.cap();
        let factor = 2u32.saturating_pow(self.failures.min(31));
        let base = self.interval.checked_mul(factor).unwrap_or(cap).min(cap);
        // Drawn between −20 % and +20 % (or the cap): a capped wait is still spread out.
        let low = base.mul_f64(0.8);
        let high = base.mul_f64(1.2).min(cap);
        self.delay = low + (high - low).mul_f64(self.rng.f64());
    }

    /// A failure after which the server asked to wait `wait` (Retry-After): the delay is the
    /// backoff's or `wait`, whichever is longer, and never past [`Backoff::retry_after_cap`].
    pub fn failure_asking(&mut self, wait: Option<Duration>) {
        self.failure();
        if let Some(wait) = wait {
            self.delay = self.delay.max(wait.min(self.retry_after_cap()));
        }
    }

    /// How long to wait before the next poll: the interval, or the backoff after failures.
    pub fn next_delay(&self) -> Duration {
        self.delay
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_lengthens_the_wait_up_to_its_cap() {
        let interval = Duration::from_secs(10);
        let mut backoff = Backoff::new(interval);
        backoff.failure_asking(Some(Duration::from_secs(120)));
        assert_eq!(backoff.next_delay(), Duration::from_secs(120));
        assert_eq!(backoff.failures(), 1);
        // Shorter than the backoff: the backoff stands (capped at two intervals: 16–20 s).
        backoff.failure_asking(Some(Duration::from_secs(1)));
        assert!(backoff.next_delay() >= Duration::from_secs(16));
        assert!(backoff.next_delay() <= Duration::from_secs(20));
        // Longer than the cap: the cap.
        backoff.failure_asking(Some(Duration::from_secs(86_400)));
        assert_eq!(backoff.next_delay(), MAX_RETRY_AFTER);
        backoff.failure_asking(None);
        assert!(backoff.next_delay() <= backoff.cap());
        backoff.success();
        assert_eq!(backoff.next_delay(), interval);
    }

    #[test]
    fn a_long_interval_lets_retry_after_wait_up_to_two_intervals() {
        let mut backoff = Backoff::new(Duration::from_secs(600));
        backoff.failure_asking(Some(Duration::from_secs(86_400)));
        assert_eq!(backoff.next_delay(), Duration::from_secs(1200));
    }
}

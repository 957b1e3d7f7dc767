//! When to poll again after failures: exponential backoff with jitter.

use std::fmt;
use std::time::Duration;

/// The longest wait between polls after failures (unless the poll interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// Exponential backoff with jitter after failures: the base is the poll interval, doubled
/// per consecutive failure, capped at 5 minutes (or at the interval, if that is longer),
/// with ±20 % jitter that never goes past the cap; reset after a success. The jittered
/// delay is drawn once per failure, so `next_delay` is stable between failures.
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

    /// The cap: 5 minutes, or the interval itself if longer.
    pub fn cap(&self) -> Duration {
        MAX_BACKOFF.max(self.interval)
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
        let jitter = 0.8 + 0.4 * self.rng.f64();
        self.delay = base.mul_f64(jitter).min(cap);
    }

    /// A failure after which the server asked to wait `wait` (Retry-After): the delay is the
    /// backoff's or `wait`, whichever is longer, and never past the cap.
    pub fn failure_asking(&mut self, wait: Option<Duration>) {
        self.failure();
        if let Some(wait) = wait {
            self.delay = self.delay.max(wait.min(self.cap()));
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
    fn retry_after_lengthens_the_wait_up_to_the_cap() {
        let interval = Duration::from_secs(10);
        let mut backoff = Backoff::new(interval);
        backoff.failure_asking(Some(Duration::from_secs(120)));
        assert_eq!(backoff.next_delay(), Duration::from_secs(120));
        assert_eq!(backoff.failures(), 1);
        // Shorter than the backoff: the backoff stands (two failures: 40 s ± 20 %).
        backoff.failure_asking(Some(Duration::from_secs(1)));
        assert!(backoff.next_delay() >= Duration::from_secs(32));
        assert!(backoff.next_delay() <= Duration::from_secs(48));
        // Longer than the cap: the cap.
        backoff.failure_asking(Some(Duration::from_secs(86_400)));
        assert_eq!(backoff.next_delay(), MAX_BACKOFF);
        backoff.failure_asking(None);
        assert!(backoff.next_delay() <= MAX_BACKOFF);
        backoff.success();
        assert_eq!(backoff.next_delay(), interval);
    }
}

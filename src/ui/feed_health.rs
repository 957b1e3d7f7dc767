//! How the feed is doing over several polls, from the poller's events: since
//! when it fails and how many tries failed. The poller says each poll's
//! outcome; the streak is counted here, for the failure line.

use super::app::FeedStatus;
use crate::model::JstDateTime;

/// Failed polls since the last success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureStreak {
    /// The first failure after a success.
    pub since: JstDateTime,
    /// The latest failure.
    pub last_at: JstDateTime,
    pub tries: u32,
    /// The latest failure's reason, in words.
    pub reason: String,
}

impl FeedStatus {
    /// A poll failed at `at`. The same failure told twice (a process that
    /// follows the store sees each recorded fetch once, but may be told again
    /// after a restart of its poller) is counted once.
    pub fn poll_failed(&mut self, at: JstDateTime, reason: String) {
        match &mut self.failing {
            Some(streak) if streak.last_at == at && streak.reason == reason => {}
            Some(streak) => {
                streak.tries += 1;
                streak.last_at = at.max(streak.last_at);
                streak.reason = reason;
            }
            None => {
                self.failing = Some(FailureStreak {
                    since: at,
                    last_at: at,
                    tries: 1,
                    reason,
                })
            }
        }
    }

    /// A poll succeeded (new data or nothing new): the failure is over.
    pub fn poll_succeeded(&mut self, at: JstDateTime) {
        self.last_fetch = Some(at);
        self.failing = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn at(text: &str) -> JstDateTime {
        parse_datetime(text).unwrap()
    }

    #[test]
    fn failures_count_from_the_first_since_the_last_success() {
        let mut feed = FeedStatus::default();
        feed.poll_failed(at("2026/12/01 17:08"), "接続できません".into());
        feed.poll_failed(at("2026/12/01 17:09"), "接続できません".into());
        feed.poll_failed(at("2026/12/01 17:11"), "HTTP 500".into());
        let streak = feed.failing.clone().expect("failing");
        assert_eq!(streak.since, at("2026/12/01 17:08"));
        assert_eq!(streak.last_at, at("2026/12/01 17:11"));
        assert_eq!(streak.tries, 3);
        assert_eq!(streak.reason, "HTTP 500", "the latest reason");
    }

    #[test]
    fn a_success_ends_the_streak_and_the_next_failure_starts_anew() {
        let mut feed = FeedStatus::default();
        feed.poll_failed(at("2026/12/01 17:08"), "接続できません".into());
        feed.poll_succeeded(at("2026/12/01 17:10"));
        assert_eq!(feed.failing, None);
        assert_eq!(feed.last_fetch, Some(at("2026/12/01 17:10")));
        feed.poll_failed(at("2026/12/01 17:20"), "接続できません".into());
        let streak = feed.failing.expect("failing again");
        assert_eq!((streak.since, streak.tries), (at("2026/12/01 17:20"), 1));
    }

    #[test]
    fn the_same_failure_told_twice_counts_once() {
        let mut feed = FeedStatus::default();
        feed.poll_failed(at("2026/12/01 17:08"), "接続できません".into());
        feed.poll_failed(at("2026/12/01 17:08"), "接続できません".into());
        assert_eq!(feed.failing.expect("failing").tries, 1);
    }
}

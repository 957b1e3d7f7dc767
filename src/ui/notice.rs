//! Notices: something happened (a row was rejected, a file was written, a key
//! did nothing). A notice shows on the status line for [`NOTICE_SECONDS`] or
//! until the next key, then gives way to the next one waiting, or to the
//! status. The answer to what the user just did is shown at once; what the
//! feed says waits its turn, so a burst of them is read one by one on an
//! unattended screen. A lasting condition (the feed failing, the store
//! unwritable) is not a notice: it is state in `App::feed`, shown on a line of
//! its own while it holds, and no notice can hide it.

use std::collections::VecDeque;

use super::app::App;
use crate::model::{time, JstDateTime};

/// How long a notice stays when no key is pressed.
pub const NOTICE_SECONDS: i64 = 5;
/// Notices kept waiting behind the one shown; older ones beyond are dropped
/// (the log has every one the poller sent).
const WAITING_LIMIT: usize = 3;

/// The notice shown and those waiting for their turn.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    shown: Option<Notice>,
    /// Notices from the feed, oldest first.
    waiting: VecDeque<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Notice {
    text: String,
    /// When it gives way, on the dashboard's clock.
    until: JstDateTime,
    /// Said by the feed rather than in answer to a key: it waits its turn,
    /// and comes back after an answer that interrupted it.
    from_feed: bool,
}

impl Notices {
    /// The answer to the user: at once, in place of the notice shown.
    fn answer(&mut self, text: String, now: JstDateTime) {
        let interrupted = self.shown.take().filter(|shown| shown.from_feed);
        // Unless the queue is full: then it is the oldest, the one to drop.
        if let Some(interrupted) = interrupted.filter(|_| self.waiting.len() < WAITING_LIMIT) {
            self.waiting.push_front(interrupted.text);
        }
        self.shown = Some(Notice {
            text,
            until: until(now),
            from_feed: false,
        });
    }

    /// What the feed says: after the notices before it.
    fn queue(&mut self, text: String, now: JstDateTime) {
        match &mut self.shown {
            // Said again (a poll that keeps finding the same thing): shown longer, not twice.
            Some(shown) if shown.text == text => shown.until = until(now),
            Some(_) => {
                if !self.waiting.contains(&text) {
                    self.waiting.push_back(text);
                }
                if self.waiting.len() > WAITING_LIMIT {
                    self.waiting.pop_front();
                }
            }
            None => {
                self.shown = Some(Notice {
                    text,
                    until: until(now),
                    from_feed: true,
                })
            }
        }
    }

    /// The next waiting notice takes the place of the one shown; true if anything changed.
    fn next(&mut self, now: JstDateTime) -> bool {
        let had = self.shown.take().is_some();
        self.shown = self.waiting.pop_front().map(|text| Notice {
            text,
            until: until(now),
            from_feed: true,
        });
        had || self.shown.is_some()
    }
}

fn until(now: JstDateTime) -> JstDateTime {
    now + chrono::Duration::seconds(NOTICE_SECONDS)
}

impl App {
    /// Shows `text` on the status line at once for a few seconds (or until a
    /// key): the answer to what the user just did.
    pub fn notify(&mut self, text: impl Into<String>) {
        let now = *self.now();
        self.notices.answer(text.into(), now);
        self.dirty = true;
    }

    /// Shows `text` for a few seconds after the notices before it: what the
    /// feed says, unasked.
    pub fn notify_in_turn(&mut self, text: impl Into<String>) {
        let now = *self.now();
        self.notices.queue(text.into(), now);
        self.dirty = true;
    }

    /// The notice on screen, if any.
    pub fn notice_text(&self) -> Option<&str> {
        self.notices
            .shown
            .as_ref()
            .map(|notice| notice.text.as_str())
    }

    /// A key was pressed: the notice has been seen.
    pub fn dismiss_notice(&mut self) {
        let now = *self.now();
        if self.notices.next(now) {
            self.dirty = true;
        }
    }

    /// The clock moved: a notice whose time is up gives way.
    pub(super) fn expire_notice(&mut self) {
        let now = *self.now();
        if self.notices.shown.as_ref().is_some_and(|n| n.until <= now) {
            self.notices.next(now);
            self.dirty = true;
        }
    }

    /// How long the event loop may wait before the screen must change by
    /// itself: the next minute (ages count up) or the end of the notice.
    pub fn until_next_change(&self) -> std::time::Duration {
        let minute = self.until_next_minute();
        match &self.notices.shown {
            Some(notice) => {
                let left = notice.until.signed_duration_since(time::now_jst());
                minute.min(left.to_std().unwrap_or_default())
            }
            None => minute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn at(text: &str) -> JstDateTime {
        parse_datetime(text).unwrap()
    }

    fn shown(notices: &Notices) -> Option<&str> {
        notices.shown.as_ref().map(|n| n.text.as_str())
    }

    #[test]
    fn the_feeds_notices_take_their_turn() {
        let now = at("2026/12/01 17:00");
        let mut notices = Notices::default();
        notices.queue("一つ目".into(), now);
        notices.queue("二つ目".into(), now);
        assert_eq!(shown(&notices), Some("一つ目"));
        assert!(notices.next(now));
        assert_eq!(shown(&notices), Some("二つ目"));
        assert!(notices.next(now));
        assert_eq!(shown(&notices), None);
        assert!(!notices.next(now), "nothing left to change");
    }

    #[test]
    fn an_answer_is_shown_at_once_and_the_feeds_notice_comes_back_after() {
        let now = at("2026/12/01 17:00");
        let mut notices = Notices::default();
        notices.queue("1 行を取り込めませんでした".into(), now);
        notices.answer("「該」は見つかりません".into(), now);
        notices.answer("「該当」は見つかりません".into(), now);
        assert_eq!(shown(&notices), Some("「該当」は見つかりません"));
        assert!(notices.next(now));
        assert_eq!(
            shown(&notices),
            Some("1 行を取り込めませんでした"),
            "an answer replaced is gone; the feed's notice is not"
        );
    }

    #[test]
    fn the_same_notice_again_is_shown_longer_not_twice() {
        let mut notices = Notices::default();
        notices.queue("書き込み中です".into(), at("2026/12/01 17:00"));
        notices.queue("書き込み中です".into(), at("2026/12/01 17:01"));
        let until = notices.shown.as_ref().unwrap().until;
        assert_eq!(until, at("2026/12/01 17:01") + chrono::Duration::seconds(5));
        assert!(notices.waiting.is_empty());
    }

    #[test]
    fn only_the_latest_few_wait() {
        let now = at("2026/12/01 17:00");
        let mut notices = Notices::default();
        for n in 0..10 {
            notices.queue(format!("notice {n}"), now);
        }
        assert_eq!(notices.waiting, ["notice 7", "notice 8", "notice 9"]);
    }
}

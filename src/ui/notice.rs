//! Notices: something happened (a row was rejected, a file was written, a key
//! did nothing). A notice shows on the status line for [`NOTICE_SECONDS`] or
//! until the next key, then gives way. A lasting condition (the feed failing,
//! the store unwritable) is not a notice: it is state in `App::feed`, shown on
//! a line of its own while it holds, and no notice can hide it.

use super::app::App;
use crate::model::{time, JstDateTime};

/// How long a notice stays when no key is pressed.
pub const NOTICE_SECONDS: i64 = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// When it gives way, on the dashboard's clock.
    pub until: JstDateTime,
}

impl App {
    /// Shows `text` on the status line for a few seconds (or until a key),
    /// in place of an earlier notice.
    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            until: *self.now() + chrono::Duration::seconds(NOTICE_SECONDS),
        });
        self.dirty = true;
    }

    /// The notice on screen, if any.
    pub fn notice_text(&self) -> Option<&str> {
        self.notice.as_ref().map(|notice| notice.text.as_str())
    }

    /// A key was pressed: the notice has been seen.
    pub fn dismiss_notice(&mut self) {
        if self.notice.take().is_some() {
            self.dirty = true;
        }
    }

    /// The clock moved: a notice whose time is up gives way.
    pub(super) fn expire_notice(&mut self) {
        if self.notice.as_ref().is_some_and(|n| n.until <= *self.now()) {
            self.notice = None;
            self.dirty = true;
        }
    }

    /// How long the event loop may wait before the screen must change by
    /// itself: the next minute (ages count up) or the end of the notice.
    pub fn until_next_change(&self) -> std::time::Duration {
        let minute = self.until_next_minute();
        match &self.notice {
            Some(notice) => {
                let left = notice.until.signed_duration_since(time::now_jst());
                minute.min(left.to_std().unwrap_or_default())
            }
            None => minute,
        }
    }
}

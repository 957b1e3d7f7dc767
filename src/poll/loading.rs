//! Telling the dashboard how far a large body has been read, a few times a
//! second, so a long load shows 「読み込み中 43%（43 万行）」 instead of nothing.

use std::time::{Duration, Instant};

use crate::formats::{ParseProgress, ProgressSink};

/// How far the load of one body has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    /// The source as the status line names it.
    pub source_label: String,
    /// Bytes parsed so far.
    pub bytes: u64,
    /// The body's size when known beforehand (a file's length, a Content-Length).
    pub total: Option<u64>,
    /// Rows read so far.
    pub rows: usize,
}

impl LoadProgress {
    /// The share parsed, 0 to 100; none when the size is not known.
    pub fn percent(&self) -> Option<u8> {
        let total = self.total.filter(|&t| t > 0)?;
        let share = self.bytes.min(total) * 100 / total;
        Some(u8::try_from(share).unwrap_or(100))
    }
}

/// A body at least this large shows its progress from the start.
pub const LARGE_BODY: u64 = 8 * 1024 * 1024;

/// A smaller body shows its progress only once its load has taken this long,
/// so the demo and everyday files never flash a progress frame.
pub const SHOW_AFTER: Duration = Duration::from_millis(150);

/// The least time between two progress events.
pub const EVERY: Duration = Duration::from_millis(250);

/// Passes an import's progress on as [`LoadProgress`], at most every [`EVERY`].
/// `send` answers whether anyone still listens; once no one does, the import is
/// told to stop.
pub struct ProgressReporter<F: FnMut(LoadProgress) -> bool> {
    send: F,
    source_label: String,
    total: Option<u64>,
    started: Instant,
    last_sent: Option<Instant>,
    unheard: bool,
}

impl<F: FnMut(LoadProgress) -> bool> ProgressReporter<F> {
    /// A load of `total` bytes (when known) from `source_label`, started at `started`.
    pub fn new(source_label: String, total: Option<u64>, started: Instant, send: F) -> Self {
        Self {
            send,
            source_label,
            total,
            started,
            last_sent: None,
            unheard: false,
        }
    }

    fn is_large(&self) -> bool {
        self.total.is_some_and(|t| t >= LARGE_BODY)
    }

    /// Whether progress found at `now` is passed on.
    fn due(&self, now: Instant) -> bool {
        match self.last_sent {
            Some(sent) => now.saturating_duration_since(sent) >= EVERY,
            None => self.is_large() || now.saturating_duration_since(self.started) >= SHOW_AFTER,
        }
    }

    /// Says at once that a large load has begun: the first frame need not wait
    /// for the first few thousand rows.
    pub fn begin(&mut self, now: Instant) {
        if self.is_large() && self.last_sent.is_none() {
            self.send_at(now, ParseProgress::default());
        }
    }

    /// Passes `progress` on if it is time to.
    pub fn parsed_at(&mut self, now: Instant, progress: ParseProgress) {
        if self.due(now) {
            self.send_at(now, progress);
        }
    }

    fn send_at(&mut self, now: Instant, progress: ParseProgress) {
        self.last_sent = Some(now);
        let heard = (self.send)(LoadProgress {
            source_label: self.source_label.clone(),
            bytes: progress.bytes,
            total: self.total,
            rows: progress.rows,
        });
        self.unheard |= !heard;
    }
}

impl<F: FnMut(LoadProgress) -> bool> ProgressSink for ProgressReporter<F> {
    fn parsed(&mut self, progress: ParseProgress) {
        self.parsed_at(Instant::now(), progress);
    }

    fn abandoned(&self) -> bool {
        self.unheard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bytes: u64, rows: usize) -> ParseProgress {
        ParseProgress { bytes, rows }
    }

    fn reporter(
        total: Option<u64>,
        start: Instant,
    ) -> (ProgressReporter<impl FnMut(LoadProgress) -> bool>, Sent) {
        let sent = Sent::default();
        let into = sent.clone();
        let reporter = ProgressReporter::new("big.csv".to_string(), total, start, move |p| {
            into.borrow_mut().push(p);
            true
        });
        (reporter, sent)
    }

    type Sent = std::rc::Rc<std::cell::RefCell<Vec<LoadProgress>>>;

    #[test]
    fn an_import_no_one_waits_for_is_told_to_stop() {
        let start = Instant::now();
        let big = Some(LARGE_BODY);
        let mut reporter = ProgressReporter::new("big.csv".into(), big, start, |_| false);
        assert!(!reporter.abandoned());
        reporter.begin(start);
        assert!(reporter.abandoned());
    }

    #[test]
    fn a_large_body_says_so_at_once_then_a_few_times_a_second() {
        let start = Instant::now();
        let (mut reporter, sent) = reporter(Some(100 * 1024 * 1024), start);
        reporter.begin(start);
        reporter.parsed_at(start + Duration::from_millis(10), at(1_000, 10));
        reporter.parsed_at(start + Duration::from_millis(260), at(52_428_800, 400_000));
        reporter.parsed_at(start + Duration::from_millis(300), at(60_000_000, 450_000));
        let sent = sent.borrow();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(sent[0].bytes, 0);
        assert_eq!(sent[0].percent(), Some(0));
        assert_eq!(sent[1].rows, 400_000);
        assert_eq!(sent[1].percent(), Some(50));
        assert_eq!(sent[1].source_label, "big.csv");
    }

    #[test]
    fn a_small_body_shows_nothing_unless_it_takes_long() {
        let start = Instant::now();
        let (mut reporter, sent) = reporter(Some(200_000), start);
        reporter.begin(start);
        reporter.parsed_at(start + Duration::from_millis(40), at(100_000, 800));
        assert!(sent.borrow().is_empty(), "no flash of a progress frame");
        reporter.parsed_at(start + SHOW_AFTER, at(150_000, 1_200));
        assert_eq!(sent.borrow().len(), 1);
    }

    #[test]
    fn without_a_size_only_rows_are_counted() {
        let progress = LoadProgress {
            source_label: String::new(),
            bytes: 10,
            total: None,
            rows: 3,
        };
        assert_eq!(progress.percent(), None);
        let whole = LoadProgress {
            bytes: 20,
            total: Some(10),
            ..progress
        };
        assert_eq!(whole.percent(), Some(100), "never past 100 %");
    }
}

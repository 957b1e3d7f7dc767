//! How far an import has got, told to whoever waits for it (the poller shows
//! it as 「読み込み中 43%」 while a large body is parsed).

/// Bytes of the body parsed so far, and the rows found in them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseProgress {
    pub bytes: u64,
    pub rows: usize,
}

/// Told the progress of an import every so many records; it decides itself how
/// often to pass it on.
pub trait ProgressSink {
    fn parsed(&mut self, progress: ParseProgress);

    /// True when no one waits for the import any more (the dashboard has
    /// quit): it stops at the next report rather than parse to the end.
    fn abandoned(&self) -> bool {
        false
    }
}

/// A sink that drops what it is told: for callers that do not watch.
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn parsed(&mut self, _: ParseProgress) {}
}

impl<F: FnMut(ParseProgress)> ProgressSink for F {
    fn parsed(&mut self, progress: ParseProgress) {
        self(progress)
    }
}

/// Records between two reports: often enough for a smooth bar, rare enough to cost nothing.
pub(crate) const REPORT_EVERY_RECORDS: usize = 8192;

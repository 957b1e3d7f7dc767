//! The log file's writer: each event made safe before it is written, as the
//! screen is, so a feed's or a file name's text cannot forge a line or carry
//! a control character (ESC, NUL, C1, a bidi override) into the file; and the
//! file moved aside each day, a week of them kept, so it does not grow for ever.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::MakeWriter;

use crate::model::time;
use crate::text::sanitize;

/// How many days of old logs are kept beside the current file.
pub const KEPT_DAYS: usize = 7;

/// Hands the log formatter one [`LogEvent`] per event over a shared file.
pub struct SanitizedLog<W> {
    out: Mutex<W>,
}

impl<W: Write> SanitizedLog<W> {
    pub fn new(out: W) -> Self {
        Self {
            out: Mutex::new(out),
        }
    }
}

impl<'a, W: Write + 'a> MakeWriter<'a> for SanitizedLog<W> {
    type Writer = LogEvent<'a, W>;

    fn make_writer(&'a self) -> Self::Writer {
        LogEvent {
            text: Vec::new(),
            out: &self.out,
        }
    }
}

/// One formatted event, collected whole and written as one sanitised line when dropped.
pub struct LogEvent<'a, W: Write> {
    text: Vec<u8>,
    out: &'a Mutex<W>,
}

impl<W: Write> Write for LogEvent<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for LogEvent<'_, W> {
    fn drop(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let line = safe_line(&self.text);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // A log that cannot be written is not a reason to stop.
        let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
    }
}

/// The event as one line: invalid UTF-8 replaced, line breaks inside it made
/// spaces, controls '?', and one '\n' at the end.
fn safe_line(event: &[u8]) -> String {
    let text = String::from_utf8_lossy(event);
    let body = text.strip_suffix('\n').unwrap_or(&text);
    let mut line = sanitize(body).into_owned();
    line.push('\n');
    line
}

/// Today in Japan: the day a log line belongs to.
fn today_in_japan() -> NaiveDate {
    time::now_jst().date_naive()
}

/// A log file that holds one day: a file last written on an earlier day is moved to
/// `bedboard.log.YYYY-MM-DD` (the day it was last written) when the log starts and at
/// the first line of each new day, and only the newest `keep` of those are kept.
/// Several processes may share the file: whoever moves it first wins, the others
/// just open the new one.
pub struct DailyLog {
    path: PathBuf,
    keep: usize,
    today: Box<dyn Fn() -> NaiveDate + Send>,
    day: NaiveDate,
    file: File,
}

impl DailyLog {
    /// Opens (and first rotates) the log at `path`, days counted in Japan.
    pub fn open(path: &Path, keep: usize) -> io::Result<Self> {
        Self::with_clock(path, keep, Box::new(today_in_japan))
    }

    /// [`open`](Self::open) with the day told by `today`.
    pub fn with_clock(
        path: &Path,
        keep: usize,
        today: Box<dyn Fn() -> NaiveDate + Send>,
    ) -> io::Result<Self> {
        let day = today();
        rotate_if_older(path, day);
        remove_old_days(path, keep);
        Ok(Self {
            path: path.to_path_buf(),
            keep,
            today,
            day,
            file: open_for_append(path)?,
        })
    }

    /// At the first write of a new day: the old file aside, a new one opened.
    fn start_new_day_if_due(&mut self) {
        let today = (self.today)();
        if today == self.day {
            return;
        }
        self.day = today;
        rotate_if_older(&self.path, today);
        remove_old_days(&self.path, self.keep);
        // Keep writing to the old file if a new one cannot be made.
        if let Ok(file) = open_for_append(&self.path) {
            self.file = file;
        }
    }
}

impl Write for DailyLog {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.start_new_day_if_due();
        self.file.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

fn open_for_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// `bedboard.log.2026-12-01`.
fn day_file(path: &Path, day: NaiveDate) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}", day.format("%Y-%m-%d")));
    path.with_file_name(name)
}

/// The day (in Japan) the file was last written.
fn last_written(path: &Path) -> Option<NaiveDate> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let at: chrono::DateTime<chrono::Utc> = modified.into();
    Some(at.with_timezone(&time::jst()).date_naive())
}

/// Moves the file aside under the day it was last written, if that was before `today`.
/// A link and an unlink, not a rename: a second process doing the same finds the day's
/// name taken and leaves the new file alone.
fn rotate_if_older(path: &Path, today: NaiveDate) {
    let Some(day) = last_written(path).filter(|day| *day < today) else {
        return;
    };
    let target = day_file(path, day);
    match std::fs::hard_link(path, &target) {
        Ok(()) => {
            let _ = std::fs::remove_file(path);
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        // A file system without links: a rename, when the day's name is free.
        Err(_) if !target.exists() => {
            let _ = std::fs::rename(path, &target);
        }
        Err(_) => {}
    }
}

/// Removes the day files beyond the newest `keep`; other files are not touched.
fn remove_old_days(path: &Path, keep: usize) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut days: Vec<(NaiveDate, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let day = file_name.strip_prefix(&prefix)?;
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            Some((day, entry.path()))
        })
        .collect();
    days.sort_by_key(|(day, _)| std::cmp::Reverse(*day));
    for (_, old) in days.into_iter().skip(keep) {
        let _ = std::fs::remove_file(old);
    }
}

/// Log times in Japan, as every time the dispatcher reads: `2026-12-01T09:30:00.123+09:00`.
pub struct JapanTime;

impl FormatTime for JapanTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        write!(w, "{}", time::now_jst().format("%Y-%m-%dT%H:%M:%S%.3f%:z"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_clean_line() {
        assert_eq!(
            safe_line(b"WARN poll failed: \x1b]0;x\x07\0\xc2\x9b\xe2\x80\xae\nforged line\n"),
            "WARN poll failed: ?]0;x???? forged line\n"
        );
        assert_eq!(safe_line(b"bad \xff utf-8"), "bad \u{FFFD} utf-8\n");
    }

    /// A log in memory that the test can still read after the subscriber has it.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn events_through_the_formatter_reach_the_file_clean() {
        let memory = Shared::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(SanitizedLog::new(memory.clone()))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("poll failed: 病院\x1b[2J\0\u{9b}\u{202E}\r\nforged");
            tracing::info!("snapshot from {}", "h\x1b]0;t\x07\u{1}.csv");
        });
        let text = String::from_utf8(memory.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("poll failed: 病院"), "{text}");
        assert!(text.contains("?  forged"), "{text}");
        assert!(text.contains("snapshot from h"), "{text}");
        assert!(!text.contains(['\0', '\u{1}', '\r', '\u{202E}']), "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    }

    #[test]
    fn log_times_are_in_japan() {
        let mut text = String::new();
        JapanTime.format_time(&mut Writer::new(&mut text)).unwrap();
        assert!(text.ends_with("+09:00"), "{text}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&text).is_ok(),
            "{text}"
        );
    }

    #[test]
    fn a_day_file_is_named_after_the_log() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            day_file(Path::new("/var/log/bedboard.log"), day),
            Path::new("/var/log/bedboard.log.2026-12-01")
        );
    }
}

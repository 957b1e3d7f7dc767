//! The log file's writer: each event made safe before it is written, as the
//! screen is, so a feed's or a file name's text cannot forge a line or carry
//! a control character (ESC, NUL, C1, a bidi override) into the file.

use std::io::{self, Write};
use std::sync::Mutex;

use tracing_subscriber::fmt::MakeWriter;

use crate::text::sanitize;

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
}

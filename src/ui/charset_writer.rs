//! What the screen is written through: the terminal's own character set.
//!
//! The drawing code and crossterm write UTF-8. For a UTF-8 terminal the bytes
//! go straight on; for Shift_JIS or EUC-JP a frame is gathered and encoded
//! once when it is flushed, so a character is never split across sets.

use std::io::{self, Write};

use crate::text::charset::TerminalCharset;
use crate::text::width::AmbiguousWidth;

pub struct CharsetWriter<W: Write> {
    inner: W,
    charset: TerminalCharset,
    amb: AmbiguousWidth,
    /// UTF-8 written since the last flush, for a set other than UTF-8.
    pending: Vec<u8>,
}

impl<W: Write> CharsetWriter<W> {
    pub fn new(inner: W, charset: TerminalCharset, amb: AmbiguousWidth) -> Self {
        Self {
            inner,
            charset,
            amb,
            pending: Vec::new(),
        }
    }

    /// Encodes what has been gathered, keeping an unfinished UTF-8 sequence for the next write.
    fn encode_pending(&mut self) -> io::Result<()> {
        let whole = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(err) if err.error_len().is_none() => err.valid_up_to(),
            // Not UTF-8 at all cannot come from the drawing code; passed on as is.
            Err(_) => {
                self.inner.write_all(&self.pending)?;
                self.pending.clear();
                return Ok(());
            }
        };
        let text = std::str::from_utf8(&self.pending[..whole]).unwrap_or_default();
        let encoded = self.charset.encode(text, self.amb);
        self.inner.write_all(&encoded)?;
        self.pending.drain(..whole);
        Ok(())
    }
}

impl<W: Write> Write for CharsetWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.charset.is_utf8() {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.encode_pending()?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::SHIFT_JIS;

    #[test]
    fn utf8_goes_straight_through() {
        let mut writer =
            CharsetWriter::new(Vec::new(), TerminalCharset::Utf8, AmbiguousWidth::Narrow);
        writer.write_all("病床".as_bytes()).unwrap();
        assert_eq!(writer.inner, "病床".as_bytes());
    }

    #[test]
    fn a_frame_is_encoded_when_flushed_even_if_a_character_came_in_two_writes() {
        let mut writer =
            CharsetWriter::new(Vec::new(), TerminalCharset::Cp932, AmbiguousWidth::Narrow);
        let bytes = "\x1b[2;1H即応病床".as_bytes();
        let cut = bytes.len() - 2; // inside 床
        writer.write_all(&bytes[..cut]).unwrap();
        assert!(writer.inner.is_empty(), "nothing before the flush");
        writer.flush().unwrap();
        writer.write_all(&bytes[cut..]).unwrap();
        writer.flush().unwrap();
        assert_eq!(
            SHIFT_JIS.decode_without_bom_handling(&writer.inner).0,
            "\x1b[2;1H即応病床"
        );
    }
}

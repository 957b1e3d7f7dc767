//! ratatui's crossterm backend, taught where the terminal's cursor really is.
//!
//! After a wide character the backend assumes the cursor is one cell on and
//! sends a cursor move before the next cell, about eight bytes per kanji. The
//! terminal has in fact moved past the whole character, so here the cursor is
//! followed by each cell's width and a move is sent only where one is needed:
//! over SSH a row of Japanese costs half the bytes.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Size};

pub struct TrackingBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// ratatui hides the cursor on every frame; once is enough.
    cursor_hidden: bool,
}

impl<W: Write> TrackingBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            cursor_hidden: false,
        }
    }
}

/// Cells a cell takes on the terminal: the width the painter forced, or the symbol's own.
fn terminal_width(cell: &Cell) -> u16 {
    match cell.diff_option {
        CellDiffOption::ForcedWidth(width) => width.get(),
        _ => cell.symbol().cell_width().max(1),
    }
}

/// Rewrites positions so the inner backend moves the cursor only where the
/// terminal's cursor is not already at the cell: a cell that starts where the
/// previous one ended is given the x just after the previous one's given x.
fn adjacent_positions<'a>(
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
) -> impl Iterator<Item = (u16, u16, &'a Cell)> {
    let mut cursor: Option<(u16, u16)> = None;
    let mut given_x = 0u16;
    content.map(move |(x, y, cell)| {
        given_x = match cursor {
            Some(at) if at == (x, y) => given_x + 1,
            _ => x,
        };
        cursor = Some((x.saturating_add(terminal_width(cell)), y));
        (given_x, y, cell)
    })
}

impl<W: Write> Backend for TrackingBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // A frame that changed nothing sends nothing, not even a style reset:
        // an idle dashboard costs an SSH link no bytes.
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.inner.draw(adjacent_positions(content))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden {
            return Ok(());
        }
        self.cursor_hidden = true;
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = false;
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width::AmbiguousWidth;
    use crate::ui::painter::Painter;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    /// A writer the test can read after the backend is done with it.
    #[derive(Clone, Default)]
    struct Sent(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Sent {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Draws a buffer through the backend and returns the text sent.
    fn sent(buf: &Buffer) -> String {
        let sent = Sent::default();
        let mut backend = TrackingBackend::new(sent.clone());
        backend
            .draw(Buffer::empty(buf.area).diff(buf).into_iter())
            .unwrap();
        let bytes = sent.0.borrow().clone();
        String::from_utf8(bytes).unwrap()
    }

    fn moves(text: &str) -> usize {
        text.matches('H').count()
    }

    #[test]
    fn a_run_of_wide_characters_needs_one_cursor_move() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 1));
        let amb = AmbiguousWidth::Wide;
        Painter {
            buf: &mut buf,
            amb,
            ascii: false,
        }
        .put(0, 0, 40, "東京都病院1ｸﾞﾘｰﾝ①", Style::new());
        let text = sent(&buf);
        assert_eq!(moves(&text), 1, "{text:?}");
        assert!(text.contains("東京都病院1ｸﾞﾘｰﾝ①"));
    }

    #[test]
    fn an_unchanged_frame_sends_nothing() {
        let buf = Buffer::empty(Rect::new(0, 0, 40, 1));
        assert_eq!(sent(&buf), "");
        let sent_bytes = Sent::default();
        let mut backend = TrackingBackend::new(sent_bytes.clone());
        backend.hide_cursor().unwrap();
        backend.hide_cursor().unwrap();
        assert_eq!(sent_bytes.0.borrow().len(), 6, "hidden once: ESC [ ? 2 5 l");
    }

    #[test]
    fn a_gap_still_moves_the_cursor() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 1));
        let mut p = Painter {
            buf: &mut buf,
            amb: AmbiguousWidth::Narrow,
            ascii: false,
        };
        p.put(0, 0, 40, "東京", Style::new());
        p.put(10, 0, 40, "病院", Style::new());
        let text = sent(&buf);
        assert!(text.contains("\u{1b}[1;11H病院"), "{text:?}");
        assert_eq!(moves(&text), 2, "{text:?}");
    }
}

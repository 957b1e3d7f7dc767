//! ratatui's crossterm backend, taught what the terminal shows and where
//! its cursor and pen are, so a frame is sent in few bytes.
//!
//! - The cursor is followed by each cell's width (ratatui assumes one cell
//!   per character), and a move is sent only where the cursor is not
//!   already at the next cell, as the shortest of an absolute move, CR,
//!   CR LF or a relative one: over SSH a row of Japanese costs half.
//! - The pen is kept from one frame to the next, and only what changes in it is sent.
//! - A copy of what the terminal shows lets each changed row be sent the
//!   cheapest way (see [`super::row_bytes`]): short runs of unchanged cells
//!   rewritten rather than jumped over, blanks erased rather than written.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Position, Rect, Size};

use super::row_bytes::{self, Erase};
use super::wire::{cell_width, Cursor, Wire};

pub struct TrackingBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// ratatui hides the cursor on every frame; once is enough.
    cursor_hidden: bool,
    /// What the terminal shows, as far as this backend has drawn it; `None`
    /// when that is not known (a partial clear), and only changed cells are written.
    shown: Option<Buffer>,
    /// The terminal's cursor and pen.
    wire: Wire,
    /// The screen's size when it is given rather than asked of the terminal.
    fixed_size: Option<Size>,
    erase: Erase,
}

impl<W: Write> TrackingBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            cursor_hidden: false,
            // The alternate screen starts blank.
            shown: None,
            wire: Wire::new(0),
            fixed_size: None,
            erase: Erase::DefaultOnly,
        }
    }

    /// A backend on a screen of `size`, never asking a terminal (for tests
    /// and measurements).
    pub fn with_size(writer: W, size: Size) -> Self {
        let mut backend = Self::new(writer);
        backend.fixed_size = Some(size);
        backend.forget_screen(Some(size));
        backend
    }

    /// Lets blanks be erased in any background, for a terminal that erases
    /// in the background it draws with (see [`Erase`]).
    pub fn erasing(mut self, erase: Erase) -> Self {
        self.erase = erase;
        self
    }

    /// Starts the copy of the screen over, blank, at the terminal's size.
    fn forget_screen(&mut self, size: Option<Size>) {
        self.shown = size.map(|size| Buffer::empty(Rect::new(0, 0, size.width, size.height)));
        if let Some(size) = size {
            self.wire.width = size.width;
        }
    }

    /// Sends the pen's reset when it is not plain: the terminal clears in
    /// the background it draws with.
    fn plain_pen(&mut self) -> io::Result<()> {
        let mut out = Vec::new();
        self.wire.plain(&mut out);
        self.inner.writer_mut().write_all(&out)
    }
}

/// Sends the changed cells of a screen that is not known: each written, a
/// move only where the cursor is not already there.
fn send_cells(wire: &mut Wire, out: &mut Vec<u8>, content: &[(u16, u16, Cell)]) {
    for (x, y, cell) in content {
        if wire.cursor != Cursor::At(*x, *y) {
            wire.move_to(out, *x, *y);
        }
        wire.put(out, cell);
    }
}

/// Puts the changed cells of one row into the copy of the screen; the cells
/// a wide character covers are marked as such.
fn apply(shown: &mut [Cell], changed: &[(u16, u16, Cell)]) {
    for (x, _, cell) in changed {
        let x = usize::from(*x);
        let Some(at) = shown.get_mut(x) else {
            continue;
        };
        *at = cell.clone();
        for covered in x + 1..x + usize::from(cell_width(cell)) {
            if let Some(at) = shown.get_mut(covered) {
                at.reset();
                at.set_symbol("");
                at.set_diff_option(CellDiffOption::Skip);
            }
        }
    }
}

/// Sends each changed row of `content` the cheapest way, keeping `shown` up to date.
fn send_rows(
    wire: &mut Wire,
    out: &mut Vec<u8>,
    shown: &mut Buffer,
    content: &[(u16, u16, Cell)],
    erase: Erase,
) {
    let width = usize::from(shown.area.width);
    let height = shown.area.height;
    let inside = |&&(x, y, _): &&(u16, u16, Cell)| usize::from(x) < width && y < height;
    let content: Vec<(u16, u16, Cell)> = content.iter().filter(inside).cloned().collect();
    for changed in content.chunk_by(|a, b| a.1 == b.1) {
        let y = changed[0].1;
        let start = usize::from(y) * width;
        let row = &mut shown.content[start..start + width];
        apply(row, changed);
        let columns: Vec<u16> = changed.iter().map(|(x, _, _)| *x).collect();
        row_bytes::send_row(wire, out, y, row, &columns, erase);
    }
}

impl<W: Write> Backend for TrackingBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // A frame that changed nothing sends nothing, not even a style reset:
        // an idle dashboard costs an SSH link no bytes.
        let mut content: Vec<(u16, u16, Cell)> =
            content.map(|(x, y, c)| (x, y, c.clone())).collect();
        if content.is_empty() {
            return Ok(());
        }
        content.sort_by_key(|&(x, y, _)| (y, x));
        if let Ok(size) = self.size() {
            let area = Rect::new(0, 0, size.width, size.height);
            if self.shown.as_ref().map(|b| b.area) != Some(area) {
                // A new size: ratatui clears the screen and draws it all.
                self.forget_screen(Some(size));
            }
        }
        let mut out = Vec::new();
        match &mut self.shown {
            Some(shown) => send_rows(&mut self.wire, &mut out, shown, &content, self.erase),
            None => send_cells(&mut self.wire, &mut out, &content),
        }
        self.inner.writer_mut().write_all(&out)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.shown = None;
        self.wire.cursor = Cursor::Unknown;
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
        let position = position.into();
        self.wire.cursor = Cursor::At(position.x, position.y);
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.plain_pen()?;
        // A resize clears, and a terminal may move its cursor when it resizes.
        self.wire.cursor = Cursor::Unknown;
        if clear_type == ClearType::All {
            let size = self.size().ok();
            self.forget_screen(size);
        } else {
            self.shown = None;
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed_size {
            Some(size) => Ok(size),
            None => self.inner.size(),
        }
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

    /// Cursor moves in what was sent: absolute, relative, or to the next row.
    fn moves(text: &str) -> usize {
        text.matches(['H', 'C', 'D']).count() + text.matches("\r\n").count()
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

    /// Draws `frames` one after another through a backend on a 40 x 2 screen;
    /// returns what was sent for the last, and the screen a terminal shows.
    fn through_backend(frames: &[Buffer]) -> (Vec<u8>, String) {
        let sent = Sent::default();
        let mut backend = TrackingBackend::with_size(sent.clone(), Size::new(40, 2));
        let mut previous = Buffer::empty(Rect::new(0, 0, 40, 2));
        let mut last = 0;
        for frame in frames {
            last = sent.0.borrow().len();
            backend.draw(previous.diff(frame).into_iter()).unwrap();
            previous = frame.clone();
        }
        let bytes = sent.0.borrow().clone();
        let mut terminal = vt100::Parser::new(2.try_into().unwrap(), 40.try_into().unwrap(), 0);
        terminal.process(&bytes);
        (bytes[last..].to_vec(), terminal.screen().contents())
    }

    fn frame(lines: [&str; 2]) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 2));
        let mut p = Painter {
            buf: &mut buf,
            amb: AmbiguousWidth::Narrow,
            ascii: false,
        };
        for (y, line) in lines.iter().enumerate() {
            p.put(0, y as u16, 40, line, Style::new());
        }
        buf
    }

    #[test]
    fn a_short_gap_is_written_over_instead_of_jumped() {
        let first = frame(["病院1 │    2 │   10", "病院2 │    1 │    3"]);
        let (sent, screen) = through_backend(&[first]);
        let text = String::from_utf8(sent).unwrap();
        assert_eq!(moves(&text), 2, "one move per row: {text:?}");
        assert_eq!(screen, "病院1 │    2 │   10\n病院2 │    1 │    3");
    }

    #[test]
    fn what_is_written_over_is_what_the_screen_already_shows() {
        let first = frame(["病院1  2  10", "病院2 │    1 │    3"]);
        let second = frame(["病院1  5  11", "病院2 │    1 │    3"]);
        let (sent, screen) = through_backend(&[first, second]);
        let text = String::from_utf8(sent).unwrap();
        assert_eq!(moves(&text), 1, "{text:?}");
        assert!(
            text.contains("5  11"),
            "the gap rewritten as shown: {text:?}"
        );
        assert_eq!(screen, "病院1  5  11\n病院2 │    1 │    3");
    }

    #[test]
    fn a_styled_gap_or_a_long_one_is_jumped() {
        let mut styled = frame(["a", ""]);
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        Painter {
            buf: &mut styled,
            amb: AmbiguousWidth::Narrow,
            ascii: false,
        }
        .put(1, 0, 3, "  ", bold);
        let mut p = Painter {
            buf: &mut styled,
            amb: AmbiguousWidth::Narrow,
            ascii: false,
        };
        p.put(3, 0, 4, "b", Style::new());
        p.put(30, 0, 31, "c", Style::new());
        let (sent, screen) = through_backend(&[styled]);
        let text = String::from_utf8(sent).unwrap();
        assert!(
            text.contains("\u{1b}[26Cc"),
            "a long gap is a move: {text:?}"
        );
        assert_eq!(
            screen.lines().next().unwrap(),
            "a  b                          c"
        );
    }

    /// Frames of random short words, some bold, over one another: after each,
    /// the emulated terminal shows exactly the frame, gaps rewritten or not.
    #[test]
    fn any_sequence_of_frames_ends_on_the_screen_as_drawn() {
        let mut rng = fastrand::Rng::with_seed(7);
        let words = ["病院", "│", "12", "  ", "ｸﾞﾘｰﾝ", "a", "空床", " 3 "];
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let sent = Sent::default();
        let mut backend = TrackingBackend::with_size(sent.clone(), Size::new(40, 2));
        let mut previous = Buffer::empty(Rect::new(0, 0, 40, 2));
        let mut terminal = vt100::Parser::new(2.try_into().unwrap(), 40.try_into().unwrap(), 0);
        for _ in 0..300 {
            let mut buf = Buffer::empty(Rect::new(0, 0, 40, 2));
            let mut p = Painter {
                buf: &mut buf,
                amb: AmbiguousWidth::Narrow,
                ascii: false,
            };
            for y in 0..2 {
                let mut x = 0;
                while x < 36 {
                    let word = words[rng.usize(..words.len())];
                    let style = if rng.u8(..4) == 0 { bold } else { Style::new() };
                    p.put(x, y, 40, word, style);
                    // Words side by side or apart, never over one another's halves.
                    let width = crate::text::width::str_width(word, AmbiguousWidth::Narrow) as u16;
                    x += width + rng.u16(0..9);
                }
            }
            let before = sent.0.borrow().len();
            backend.draw(previous.diff(&buf).into_iter()).unwrap();
            terminal.process(&sent.0.borrow()[before..]);
            let expected: Vec<String> = (0..2)
                .map(|y| {
                    let line: String = (0..40).map(|x| buf[(x, y)].symbol().to_string()).collect();
                    line.trim_end().to_string()
                })
                .collect();
            let shown: Vec<String> = terminal
                .screen()
                .contents()
                .lines()
                .map(|line| line.trim_end().to_string())
                .collect();
            assert_eq!(shown.join("\n"), expected.join("\n").trim_end());
            previous = buf;
        }
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
        p.put(20, 0, 40, "病院", Style::new());
        let text = sent(&buf);
        assert!(text.contains("\u{1b}[16C病院"), "{text:?}");
        assert_eq!(moves(&text), 2, "{text:?}");
    }
}

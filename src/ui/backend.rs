//! ratatui's crossterm backend, taught where the terminal's cursor really is.
//!
//! After a wide character the backend assumes the cursor is one cell on and
//! sends a cursor move before the next cell, about eight bytes per kanji. The
//! terminal has in fact moved past the whole character, so here the cursor is
//! followed by each cell's width and a move is sent only where one is needed:
//! over SSH a row of Japanese costs half the bytes.
//!
//! It also keeps a copy of what the terminal shows, so a short run of
//! unchanged cells between two changed ones (the padding of a column) is
//! written again instead of jumped over when that is cheaper than the jump:
//! a cursor move costs six to nine bytes, a space one.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Rect, Size};

pub struct TrackingBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// ratatui hides the cursor on every frame; once is enough.
    cursor_hidden: bool,
    /// What the terminal shows, as far as this backend has drawn it; `None`
    /// when that is not known (a partial clear), and nothing is rewritten.
    shown: Option<Buffer>,
}

impl<W: Write> TrackingBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            cursor_hidden: false,
            // The alternate screen starts blank.
            shown: None,
        }
    }

    /// A backend that knows the screen's size without asking a terminal.
    #[cfg(test)]
    fn on_screen(writer: W, size: Size) -> Self {
        let mut backend = Self::new(writer);
        backend.forget_screen(Some(size));
        backend
    }

    /// Starts the copy of the screen over, blank, at the terminal's size.
    fn forget_screen(&mut self, size: Option<Size>) {
        self.shown = size.map(|size| Buffer::empty(Rect::new(0, 0, size.width, size.height)));
    }
}

/// Bytes of the cursor move to (x, y): `ESC [ row ; col H`.
fn move_cost(x: u16, y: u16) -> usize {
    let digits = |n: u32| n.checked_ilog10().unwrap_or(0) as usize + 1;
    4 + digits(u32::from(y) + 1) + digits(u32::from(x) + 1)
}

/// Whether two cells are drawn with the same attributes, so no style
/// sequence is sent between them.
fn same_pen(a: &Cell, b: &Cell) -> bool {
    a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
}

/// The changed cells, with the shown cells of each short gap between two
/// of them on a row put back in where rewriting them costs fewer bytes than
/// moving the cursor over them. Only plain one-cell cells drawn with the
/// pen of the cell before the gap are rewritten, so no style changes.
fn fill_gaps(content: Vec<(u16, u16, Cell)>, shown: &Buffer) -> Vec<(u16, u16, Cell)> {
    let mut out: Vec<(u16, u16, Cell)> = Vec::with_capacity(content.len());
    let mut cursor: Option<(u16, u16)> = None;
    for (x, y, cell) in content {
        if let (Some((cx, cy)), Some((_, _, pen))) = (cursor, out.last()) {
            if cy == y && cx < x {
                if let Some(fill) = gap_cells(shown, pen, cx, x, y) {
                    out.extend(
                        fill.into_iter()
                            .enumerate()
                            .map(|(i, c)| (cx + i as u16, y, c)),
                    );
                }
            }
        }
        cursor = Some((x.saturating_add(terminal_width(&cell)), y));
        out.push((x, y, cell));
    }
    out
}

/// The shown cells from `from` up to `to` on row `y`, if rewriting them is
/// cheaper than a cursor move and needs no style change.
fn gap_cells(shown: &Buffer, pen: &Cell, from: u16, to: u16, y: u16) -> Option<Vec<Cell>> {
    let budget = move_cost(to, y);
    if usize::from(to - from) >= budget {
        return None;
    }
    let mut bytes = 0;
    let mut cells = Vec::new();
    for x in from..to {
        let cell = shown.cell(Position { x, y })?;
        let plain = matches!(cell.diff_option, CellDiffOption::None)
            && cell.symbol().cell_width() == 1
            && same_pen(cell, pen);
        bytes += cell.symbol().len();
        if !plain || bytes >= budget {
            return None;
        }
        cells.push(cell.clone());
    }
    Some(cells)
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
        let content: Vec<(u16, u16, Cell)> = content.map(|(x, y, c)| (x, y, c.clone())).collect();
        if content.is_empty() {
            return Ok(());
        }
        if let Ok(size) = self.inner.size() {
            let area = Rect::new(0, 0, size.width, size.height);
            if self.shown.as_ref().map(|b| b.area) != Some(area) {
                // A new size: ratatui clears the screen and draws it all.
                self.forget_screen(Some(size));
            }
        }
        let content = match &self.shown {
            Some(shown) => fill_gaps(content, shown),
            None => content,
        };
        if let Some(shown) = &mut self.shown {
            for (x, y, cell) in &content {
                if let Some(at) = shown.cell_mut(Position { x: *x, y: *y }) {
                    *at = cell.clone();
                }
            }
        }
        super::pen::draw(
            self.inner.writer_mut(),
            adjacent_positions(content.iter().map(|(x, y, cell)| (*x, *y, cell))),
        )
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
        let size = self.inner.size().ok();
        self.forget_screen(size);
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        if clear_type == ClearType::All {
            let size = self.inner.size().ok();
            self.forget_screen(size);
        } else {
            self.shown = None;
        }
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

    /// Draws `frames` one after another through a backend on a 40 x 2 screen;
    /// returns what was sent for the last, and the screen a terminal shows.
    fn through_backend(frames: &[Buffer]) -> (Vec<u8>, String) {
        let sent = Sent::default();
        let mut backend = TrackingBackend::on_screen(sent.clone(), Size::new(40, 2));
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
        let first = frame(["病院1    2    10", "病院2 │    1 │    3"]);
        let second = frame(["病院1    5    11", "病院2 │    1 │    3"]);
        let (sent, screen) = through_backend(&[first, second]);
        let text = String::from_utf8(sent).unwrap();
        assert_eq!(moves(&text), 1, "{text:?}");
        assert!(
            text.contains("5    11"),
            "the gap rewritten as shown: {text:?}"
        );
        assert_eq!(screen, "病院1    5    11\n病院2 │    1 │    3");
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
            text.contains("\u{1b}[1;31Hc"),
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
        let mut backend = TrackingBackend::on_screen(sent.clone(), Size::new(40, 2));
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
        assert!(text.contains("\u{1b}[1;21H病院"), "{text:?}");
        assert_eq!(moves(&text), 2, "{text:?}");
    }
}

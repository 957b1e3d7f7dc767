//! Writes text into a ratatui buffer cell by cell, measured by the width module.
//!
//! ratatui measures East Asian ambiguous characters as one cell and counts a
//! halfwidth ﾞ/ﾟ twice; both shift the rest of a row on a real terminal. Every
//! grapheme is placed here with the width the width module gives it, and a cell
//! whose width ratatui would get wrong carries that width explicitly.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;

use crate::text::width::{self, Align, AmbiguousWidth};

pub struct Painter<'a> {
    pub buf: &'a mut Buffer,
    pub amb: AmbiguousWidth,
    /// `--ascii`: boxes in ASCII even where box drawing would be one cell.
    pub ascii: bool,
}

/// A box of at most `width` x `height` in the middle of `area`, for a popup.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Halfwidth dakuten and handakuten: terminals give each its own cell.
fn is_sound_mark(c: char) -> bool {
    matches!(c, '\u{FF9E}' | '\u{FF9F}')
}

impl Painter<'_> {
    /// Writes `text` from (x, y) up to `max_x`; returns the x after it.
    /// Control characters (ESC among them) are neutralised here, at the last step
    /// before the terminal: the data keeps them as the feed sent them.
    pub fn put(&mut self, x: u16, y: u16, max_x: u16, text: &str, style: Style) -> u16 {
        let text = crate::text::sanitize(text);
        let mut x = x;
        for g in text.graphemes(true) {
            if g.chars().any(is_sound_mark) && g.chars().count() > 1 {
                let mut buf = [0u8; 4];
                for c in g.chars() {
                    x = self.put_grapheme(x, y, max_x, c.encode_utf8(&mut buf), style);
                }
            } else {
                x = self.put_grapheme(x, y, max_x, g, style);
            }
        }
        x
    }

    fn put_grapheme(&mut self, x: u16, y: u16, max_x: u16, g: &str, style: Style) -> u16 {
        let w = width::grapheme_width(g, self.amb) as u16;
        if w == 0 || x + w > max_x {
            return x;
        }
        let Some(cell) = self.buf.cell_mut((x, y)) else {
            return x;
        };
        cell.reset();
        cell.set_symbol(g).set_style(style);
        if g.cell_width() != w {
            cell.set_diff_option(CellDiffOption::ForcedWidth(
                NonZeroU16::new(w).expect("w > 0"),
            ));
        }
        for trailing in x + 1..x + w {
            if let Some(cell) = self.buf.cell_mut((trailing, y)) {
                cell.reset();
                cell.set_symbol("");
                cell.set_diff_option(CellDiffOption::Skip);
            }
        }
        x + w
    }

    /// Fills `width` cells from (x, y) with `text`, cut with a mark or padded.
    pub fn cell(
        &mut self,
        x: u16,
        y: u16,
        width: u16,
        text: &str,
        align: Align,
        style: Style,
    ) -> u16 {
        let text = crate::text::sanitize(text);
        let fitted = width::fit(&text, usize::from(width), align, self.amb);
        self.put(x, y, x + width, &fitted, style)
    }

    /// A right-aligned number; never cut (overflow marks instead).
    pub fn number(&mut self, x: u16, y: u16, width: u16, text: &str, style: Style) -> u16 {
        let fitted = width::fit_number(text, usize::from(width));
        self.put(x, y, x + width, &fitted, style)
    }

    /// Blanks an area in a style (for popups and bars).
    pub fn fill(&mut self, area: Rect, style: Style) {
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(cell) = self.buf.cell_mut((x, y)) {
                    cell.reset();
                    cell.set_symbol(" ").set_style(style);
                }
            }
        }
    }

    /// A box in the same chrome as the table's lines: box drawing where
    /// ambiguous characters are one cell, ASCII ('+', '-', '|') where they are
    /// two or ASCII was asked for, so the box is the same width in every terminal.
    pub fn frame(&mut self, area: Rect, title: &str, style: Style) {
        if area.width < 2 || area.height < 2 {
            return;
        }
        self.fill(area, style);
        let glyphs = FrameGlyphs::new(self.ascii, self.amb);
        let (l, r, t, b) = (area.left(), area.right() - 1, area.top(), area.bottom() - 1);
        let horizontal = glyphs.horizontal.repeat(usize::from(area.width - 2));
        let top = format!("{}{horizontal}{}", glyphs.corners[0], glyphs.corners[1]);
        let bottom = format!("{}{horizontal}{}", glyphs.corners[2], glyphs.corners[3]);
        self.put(l, t, area.right(), &top, style);
        self.put(l, b, area.right(), &bottom, style);
        for y in t + 1..b {
            self.put(l, y, l + 1, glyphs.vertical, style);
            self.put(r, y, r + 1, glyphs.vertical, style);
        }
        let title = format!(" {title} ");
        self.put(l + 2, t, r, &title, style);
    }
}

/// The glyphs of a box: corners (top left, top right, bottom left, bottom right).
struct FrameGlyphs {
    corners: [&'static str; 4],
    horizontal: &'static str,
    vertical: &'static str,
}

impl FrameGlyphs {
    /// Box drawing is East Asian ambiguous: only where it is one cell, as the table does.
    fn new(ascii: bool, amb: AmbiguousWidth) -> Self {
        if ascii || amb == AmbiguousWidth::Wide {
            Self {
                corners: ["+", "+", "+", "+"],
                horizontal: "-",
                vertical: "|",
            }
        } else {
            Self {
                corners: ["┌", "┐", "└", "┘"],
                horizontal: "─",
                vertical: "│",
            }
        }
    }
}

/// The text of a buffer row as a terminal shows it: the cells a wide
/// character covers are passed over. For tests and the alignment check.
pub fn row_text(buf: &Buffer, y: u16) -> String {
    let mut text = String::new();
    let mut x = buf.area.left();
    while x < buf.area.right() {
        let Some(cell) = buf.cell((x, y)) else {
            break;
        };
        text.push_str(cell.symbol());
        let width = match cell.diff_option {
            CellDiffOption::ForcedWidth(w) => w.get(),
            _ => cell.symbol().cell_width(),
        };
        x += width.max(1);
    }
    text
}

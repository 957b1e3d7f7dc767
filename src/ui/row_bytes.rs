//! How one changed row of the screen is sent in the fewest bytes.
//!
//! Two ways are written and the shorter kept:
//! - **patch**: the changed cells, with a short run of unchanged cells
//!   between two of them written again when that is cheaper than a cursor
//!   move, and the blanks at the end of the row erased (EL) when they changed;
//! - **erase first**: the changed span is erased (ECH, or EL to the end of
//!   the row) in the background of its blanks, and only what is not blank is
//!   written, cursor moves jumping over the blanks. A selection moving from
//!   one row to the next costs about a fifth less this way.
//!
//! An erase in a colour other than the default is used only where the
//! terminal erases in the background it draws with (BCE); see
//! [`Erase`]. Nothing that shows on a blank (reverse video, underline) is
//! ever erased: those cells are written.

use ratatui::buffer::{Cell, CellDiffOption};
use ratatui::style::Color;

use super::pen::{self, Pen, PLAIN};
use super::wire::{cell_width, Cursor, Wire};

/// Which backgrounds the terminal can erase in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Erase {
    /// Only the default background: what every terminal erases to when
    /// the pen has it.
    DefaultOnly,
    /// Any background: the terminal erases in the pen's (xterm's BCE).
    InPenColour,
}

impl Erase {
    fn allows(self, bg: Color) -> bool {
        bg == Color::Reset || self == Erase::InPenColour
    }
}

/// Sends row `y` of the screen, `row` (as it must look after), whose cells
/// starting at the columns `changed` (in order) differ from what the
/// terminal shows; the other cells are shown already.
pub fn send_row(
    wire: &mut Wire,
    out: &mut Vec<u8>,
    y: u16,
    row: &[Cell],
    changed: &[u16],
    erase: Erase,
) {
    let Some(&first) = changed.first() else {
        return;
    };
    let row = Row { y, cells: row };
    let mut patched = wire.clone();
    let mut patch_bytes = Vec::new();
    patch(&mut patched, &mut patch_bytes, &row, changed, erase);
    let mut erased = wire.clone();
    let mut erase_bytes = Vec::new();
    let last = changed[changed.len() - 1];
    let end = last.saturating_add(cell_width(&row.cells[usize::from(last)]));
    let erases = erase_first(&mut erased, &mut erase_bytes, &row, first, end, erase);
    if erases && erase_bytes.len() < patch_bytes.len() {
        out.extend_from_slice(&erase_bytes);
        *wire = erased;
    } else {
        out.extend_from_slice(&patch_bytes);
        *wire = patched;
    }
}

/// A row of the screen as it must look after.
struct Row<'a> {
    y: u16,
    cells: &'a [Cell],
}

impl Row<'_> {
    fn cell(&self, x: u16) -> &Cell {
        &self.cells[usize::from(x)]
    }

    fn width(&self) -> u16 {
        self.cells.len() as u16
    }

    /// The first column of the blanks that end the row, if the terminal
    /// can erase them, and their background.
    fn erasable_end(&self, erase: Erase) -> Option<(u16, Color)> {
        let bg = self.cells.last()?.bg;
        let start = self
            .cells
            .iter()
            .rposition(|cell| !erased_looks_like(cell, bg))
            .map_or(0, |x| x + 1) as u16;
        (start < self.width() && erase.allows(bg)).then_some((start, bg))
    }

    /// The background most blanks from `from` to `to` have, of those the
    /// terminal can erase in.
    fn most_common_blank(&self, from: u16, to: u16, erase: Erase) -> Option<Color> {
        let mut counts: Vec<(Color, usize)> = Vec::new();
        for cell in &self.cells[usize::from(from)..usize::from(to)] {
            if !erase.allows(cell.bg) || !erased_looks_like(cell, cell.bg) {
                continue;
            }
            match counts.iter_mut().find(|(bg, _)| *bg == cell.bg) {
                Some((_, n)) => *n += 1,
                None => counts.push((cell.bg, 1)),
            }
        }
        counts.into_iter().max_by_key(|&(_, n)| n).map(|(bg, _)| bg)
    }
}

/// Whether a cell erased in `bg` looks like `cell`.
fn erased_looks_like(cell: &Cell, bg: Color) -> bool {
    pen::is_blank(cell)
        && cell.bg == bg
        && matches!(cell.diff_option, CellDiffOption::None)
        && Pen::of(cell).erases_as_drawn()
}

/// The changed cells, gaps between them written again where cheaper; the
/// blanks ending the row erased when that is cheaper than writing them.
fn patch(wire: &mut Wire, out: &mut Vec<u8>, row: &Row, changed: &[u16], erase: Erase) {
    let end = row.erasable_end(erase);
    for (i, &x) in changed.iter().enumerate() {
        if let Some((start, bg)) = end {
            if x >= start {
                let mut written = wire.clone();
                let mut written_bytes = Vec::new();
                write_cells(&mut written, &mut written_bytes, row, &changed[i..]);
                let mut erased = wire.clone();
                let mut erased_bytes = Vec::new();
                reach(&mut erased, &mut erased_bytes, row, x);
                let pen = erase_pen(&erased, bg, None);
                erased.set_pen(&mut erased_bytes, pen);
                erased.erase_to_end(&mut erased_bytes);
                if erased_bytes.len() < written_bytes.len() {
                    out.extend_from_slice(&erased_bytes);
                    *wire = erased;
                } else {
                    out.extend_from_slice(&written_bytes);
                    *wire = written;
                }
                return;
            }
        }
        write_cells(wire, out, row, &[x]);
    }
}

/// Writes the cells at `columns`, reaching each the cheapest way.
fn write_cells(wire: &mut Wire, out: &mut Vec<u8>, row: &Row, columns: &[u16]) {
    for &x in columns {
        reach(wire, out, row, x);
        wire.put(out, row.cell(x));
    }
}

/// Erases the span from `from` to `to` (to the end of the row when only
/// erasable blanks follow it), then writes what the erase did not draw.
/// False, with nothing sent, when there is no background to erase in.
fn erase_first(
    wire: &mut Wire,
    out: &mut Vec<u8>,
    row: &Row,
    from: u16,
    to: u16,
    erase: Erase,
) -> bool {
    let (to, bg, to_the_end) = match row.erasable_end(erase) {
        Some((start, bg)) if start <= to => (row.width(), bg, true),
        _ => match row.most_common_blank(from, to, erase) {
            Some(bg) => (to, bg, false),
            None => return false,
        },
    };
    wire.move_to(out, from, row.y);
    let first_written = (from..to)
        .map(|x| row.cell(x))
        .find(|cell| !erased_looks_like(cell, bg) && !is_covered(cell));
    let pen = erase_pen(wire, bg, first_written);
    wire.set_pen(out, pen);
    if to_the_end || to == row.width() {
        wire.erase_to_end(out);
    } else {
        wire.erase(out, to - from);
    }
    let mut x = from;
    while x < to {
        let cell = row.cell(x);
        if !erased_looks_like(cell, bg) && !is_covered(cell) {
            reach(wire, out, row, x);
            wire.put(out, cell);
        }
        x = x.saturating_add(if is_covered(cell) {
            1
        } else {
            cell_width(cell)
        });
    }
    true
}

/// The right half of a wide character, drawn with it.
fn is_covered(cell: &Cell) -> bool {
    matches!(cell.diff_option, CellDiffOption::Skip)
}

/// A pen to erase in `bg` with: the terminal's if it will do, else the
/// next cell's if it will (saving a switch after), else a plain one.
fn erase_pen(wire: &Wire, bg: Color, next: Option<&Cell>) -> Pen {
    let fits = |pen: &Pen| pen.bg == bg && pen.erases_as_drawn();
    if let Some(pen) = wire.pen.filter(fits) {
        return pen;
    }
    match next.map(Pen::of) {
        Some(pen) if fits(&pen) => pen,
        _ => Pen { bg, ..PLAIN },
    }
}

/// Puts the cursor at column `x` of the row: the shown cells before it
/// written again when that is cheaper than the move.
fn reach(wire: &mut Wire, out: &mut Vec<u8>, row: &Row, x: u16) {
    if let Cursor::At(cx, cy) = wire.cursor {
        if cy == row.y && cx < x {
            let budget = wire.move_cost(x, row.y);
            let mut filled = wire.clone();
            let mut fill = Vec::new();
            let mut at = cx;
            while at < x && fill.len() <= budget {
                let cell = row.cell(at);
                if is_covered(cell) {
                    break;
                }
                filled.put(&mut fill, cell);
                at = at.saturating_add(cell_width(cell));
            }
            // On a tie the cells are written: the same bytes, one sequence fewer.
            if at == x && fill.len() <= budget {
                out.extend_from_slice(&fill);
                *wire = filled;
                return;
            }
        }
    }
    wire.move_to(out, x, row.y);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn row(text: &str, pen: Pen) -> Vec<Cell> {
        text.chars()
            .map(|c| {
                let mut cell = Cell::default();
                cell.set_char(c);
                cell.fg = pen.fg;
                cell.bg = pen.bg;
                cell.modifier = pen.modifier;
                cell
            })
            .collect()
    }

    /// What is sent to turn a shown row into `new`, every cell changed from `from` on.
    fn sent(new: &[Cell], from: u16, erase: Erase) -> String {
        let mut wire = Wire::new(new.len() as u16);
        wire.cursor = Cursor::At(0, 3);
        wire.pen = Some(PLAIN);
        let mut out = Vec::new();
        let changed: Vec<u16> = (from..new.len() as u16).collect();
        send_row(&mut wire, &mut out, 4, new, &changed, erase);
        String::from_utf8(out).unwrap()
    }

    const GREY: Pen = Pen {
        bg: Color::Indexed(238),
        ..PLAIN
    };

    #[test]
    fn a_restyled_row_is_erased_in_its_background_and_its_text_written_over_it() {
        let new = row("a          b          c", GREY);
        assert_eq!(
            sent(&new, 0, Erase::InPenColour),
            "\r\n\x1b[48;5;238m\x1b[Ka\x1b[10Cb\x1b[10Cc"
        );
    }

    #[test]
    fn without_colour_erase_a_coloured_row_is_written_out() {
        let new = row("a          b", GREY);
        assert_eq!(
            sent(&new, 0, Erase::DefaultOnly),
            "\r\n\x1b[48;5;238ma          b"
        );
    }

    #[test]
    fn a_plain_row_is_erased_on_any_terminal() {
        let new = row("a          b     ", PLAIN);
        assert_eq!(sent(&new, 0, Erase::DefaultOnly), "\r\n\x1b[Ka\x1b[10Cb");
    }

    #[test]
    fn reverse_video_is_never_erased() {
        let reversed = Pen {
            modifier: Modifier::REVERSED,
            ..PLAIN
        };
        let new = row("a          b", reversed);
        assert_eq!(sent(&new, 0, Erase::InPenColour), "\r\n\x1b[7ma          b");
    }

    #[test]
    fn a_small_change_is_patched_and_blanks_that_end_the_row_erased() {
        let mut new = row("ab      ", PLAIN);
        // Only the last cells changed: written where they are.
        assert_eq!(sent(&new, 1, Erase::DefaultOnly), "\r\n\x1b[Cb\x1b[K");
        new[7].set_char('z');
        assert_eq!(sent(&new, 7, Erase::DefaultOnly), "\x1b[5;8Hz");
    }
}

//! What has been sent to the terminal: where its cursor is and which pen it
//! draws with, and the shortest sequences that change them, write a cell or
//! erase blanks. Everything is written into a byte buffer, so the drawing
//! can try two ways of sending a row and keep the shorter.

use ratatui::buffer::{Cell, CellDiffOption, CellWidth};

use super::pen::{self, Pen};

/// Where the terminal's cursor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// Not known: only an absolute move is safe.
    Unknown,
    At(u16, u16),
    /// Past the last column of a row after writing into it (the terminal
    /// keeps it on the last column with a wrap pending): a carriage return
    /// or an absolute move is safe, a relative move is not.
    PastEnd(u16),
}

/// The terminal as far as this program has told it.
#[derive(Clone, Debug)]
pub struct Wire {
    pub cursor: Cursor,
    /// `None` when not known (at the start).
    pub pen: Option<Pen>,
    pub width: u16,
}

/// Cells a cell takes on the terminal: the width the painter forced, or the symbol's own.
pub fn cell_width(cell: &Cell) -> u16 {
    match cell.diff_option {
        CellDiffOption::ForcedWidth(width) => width.get(),
        _ => cell.symbol().cell_width().max(1),
    }
}

fn digits(n: u32) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

/// The ways to move the cursor, cheapest chosen in [`Wire::move_to`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Stay,
    /// `ESC[row;colH`, the column left out when it is the first.
    Absolute,
    /// CR: to the start of the same row.
    Return,
    /// CR LF: to the start of the next row.
    NextRow,
    /// CR LF, then forward.
    NextRowForward(u16),
    Forward(u16),
    Back(u16),
}

impl Move {
    fn cost(self, x: u16, y: u16) -> usize {
        match self {
            Move::Stay => 0,
            Move::Absolute => match (x, y) {
                (0, 0) => 3,
                (0, _) => 3 + digits(u32::from(y) + 1),
                _ => 4 + digits(u32::from(y) + 1) + digits(u32::from(x) + 1),
            },
            Move::Return => 1,
            Move::NextRow => 2,
            Move::NextRowForward(n) => 2 + Move::Forward(n).cost(x, y),
            Move::Forward(n) | Move::Back(n) => match n {
                1 => 3,
                n => 3 + digits(u32::from(n)),
            },
        }
    }

    fn write(self, out: &mut Vec<u8>, x: u16, y: u16) {
        let csi = |out: &mut Vec<u8>, n: u16, end: char| {
            let text = if n == 1 {
                format!("\x1b[{end}")
            } else {
                format!("\x1b[{n}{end}")
            };
            out.extend_from_slice(text.as_bytes());
        };
        match self {
            Move::Stay => {}
            Move::Absolute => {
                let text = match (x, y) {
                    (0, 0) => "\x1b[H".to_string(),
                    (0, _) => format!("\x1b[{}H", y + 1),
                    _ => format!("\x1b[{};{}H", y + 1, x + 1),
                };
                out.extend_from_slice(text.as_bytes());
            }
            Move::Return => out.push(b'\r'),
            Move::NextRow => out.extend_from_slice(b"\r\n"),
            Move::NextRowForward(n) => {
                out.extend_from_slice(b"\r\n");
                csi(out, n, 'C');
            }
            Move::Forward(n) => csi(out, n, 'C'),
            Move::Back(n) => csi(out, n, 'D'),
        }
    }
}

impl Wire {
    pub fn new(width: u16) -> Self {
        Self {
            cursor: Cursor::Unknown,
            pen: None,
            width,
        }
    }

    /// The moves that reach (x, y) from where the cursor is.
    fn moves(&self, x: u16, y: u16) -> Vec<Move> {
        let mut moves = vec![Move::Absolute];
        let row = match self.cursor {
            Cursor::At(cx, cy) => {
                if cy == y {
                    moves.push(match cx.cmp(&x) {
                        std::cmp::Ordering::Equal => Move::Stay,
                        std::cmp::Ordering::Less => Move::Forward(x - cx),
                        std::cmp::Ordering::Greater => Move::Back(cx - x),
                    });
                }
                Some(cy)
            }
            Cursor::PastEnd(cy) => Some(cy),
            Cursor::Unknown => None,
        };
        if let Some(cy) = row {
            if cy == y && x == 0 {
                moves.push(Move::Return);
            }
            // A line feed from the row above never scrolls: row y exists.
            if cy.checked_add(1) == Some(y) {
                moves.push(if x == 0 {
                    Move::NextRow
                } else {
                    Move::NextRowForward(x)
                });
            }
        }
        moves
    }

    fn cheapest_move(&self, x: u16, y: u16) -> Move {
        self.moves(x, y)
            .into_iter()
            .min_by_key(|m| m.cost(x, y))
            .unwrap_or(Move::Absolute)
    }

    /// Bytes the cheapest move to (x, y) takes.
    pub fn move_cost(&self, x: u16, y: u16) -> usize {
        self.cheapest_move(x, y).cost(x, y)
    }

    pub fn move_to(&mut self, out: &mut Vec<u8>, x: u16, y: u16) {
        self.cheapest_move(x, y).write(out, x, y);
        self.cursor = Cursor::At(x, y);
    }

    pub fn set_pen(&mut self, out: &mut Vec<u8>, to: Pen) {
        pen::switch(out, self.pen, to);
        self.pen = Some(to);
    }

    /// Writes `cell` where the cursor is. A blank that looks the same in the
    /// pen the terminal has is written in it, so no style is sent for it.
    pub fn put(&mut self, out: &mut Vec<u8>, cell: &Cell) {
        let wanted = Pen::of(cell);
        let keep = pen::is_blank(cell) && self.pen.is_some_and(|p| p.blank_looks_like(&wanted));
        if !keep {
            self.set_pen(out, wanted);
        }
        let symbol = cell.symbol();
        // A cell without a symbol still takes its cell on the screen.
        out.extend_from_slice(if symbol.is_empty() { " " } else { symbol }.as_bytes());
        self.advance(cell_width(cell));
    }

    fn advance(&mut self, cells: u16) {
        self.cursor = match self.cursor {
            Cursor::At(x, y) => match x.checked_add(cells) {
                Some(end) if end < self.width => Cursor::At(end, y),
                Some(end) if end == self.width => Cursor::PastEnd(y),
                _ => Cursor::Unknown,
            },
            _ => Cursor::Unknown,
        };
    }

    /// Erases `n` cells from the cursor (ECH), in the pen's background; the cursor stays.
    pub fn erase(&mut self, out: &mut Vec<u8>, n: u16) {
        out.extend_from_slice(format!("\x1b[{n}X").as_bytes());
    }

    /// Erases from the cursor to the end of the row (EL); the cursor stays.
    pub fn erase_to_end(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x1b[K");
    }

    /// The pen is plain again, e.g. before the screen is cleared: a
    /// terminal clears in the background it draws with.
    pub fn plain(&mut self, out: &mut Vec<u8>) {
        self.set_pen(out, pen::PLAIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(from: Cursor, x: u16, y: u16) -> String {
        let mut wire = Wire::new(200);
        wire.cursor = from;
        let mut out = Vec::new();
        let cost = wire.move_cost(x, y);
        wire.move_to(&mut out, x, y);
        assert_eq!(out.len(), cost, "the cost is what is sent");
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_cheapest_move_is_sent() {
        assert_eq!(moved(Cursor::Unknown, 0, 9), "\x1b[10H");
        assert_eq!(moved(Cursor::Unknown, 4, 9), "\x1b[10;5H");
        assert_eq!(moved(Cursor::Unknown, 0, 0), "\x1b[H");
        assert_eq!(moved(Cursor::PastEnd(9), 0, 10), "\r\n");
        assert_eq!(moved(Cursor::At(30, 9), 0, 9), "\r");
        assert_eq!(moved(Cursor::At(30, 9), 45, 9), "\x1b[15C");
        assert_eq!(moved(Cursor::At(30, 9), 31, 9), "\x1b[C");
        assert_eq!(moved(Cursor::At(30, 9), 28, 9), "\x1b[2D");
        assert_eq!(moved(Cursor::At(30, 9), 30, 9), "");
        assert_eq!(moved(Cursor::At(30, 9), 3, 10), "\r\n\x1b[3C");
    }

    #[test]
    fn past_the_end_of_a_row_only_a_return_or_an_absolute_move_is_used() {
        assert_eq!(moved(Cursor::PastEnd(9), 150, 9), "\x1b[10;151H");
        assert_eq!(moved(Cursor::PastEnd(9), 0, 9), "\r");
    }

    #[test]
    fn writing_the_last_column_leaves_the_cursor_past_the_end() {
        let mut wire = Wire::new(4);
        let mut out = Vec::new();
        wire.move_to(&mut out, 2, 0);
        wire.put(&mut out, &Cell::new("病"));
        assert_eq!(wire.cursor, Cursor::PastEnd(0));
        assert_eq!(String::from_utf8(out).unwrap(), "\x1b[1;3H\x1b[m病");
    }
}

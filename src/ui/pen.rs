//! The attributes the terminal draws with, and the shortest SGR sequence
//! that turns one pen into another: every change in one `ESC[…m`, only the
//! colours that changed (`ESC[39m`, not `ESC[39;48;5;238m`), a modifier
//! taken away by its own code or by a reset, whichever is shorter.

use std::fmt::Write as _;

use crossterm::style::Colored;
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// Modifiers that show on a blank cell; the others only change glyphs.
/// The same set ratatui's diff uses.
pub const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

/// The attributes the terminal draws with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pen {
    pub fg: Color,
    pub bg: Color,
    pub underline: Color,
    pub modifier: Modifier,
}

/// What the terminal draws with after `ESC[m`.
pub const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    underline: Color::Reset,
    modifier: Modifier::empty(),
};

impl Pen {
    pub fn of(cell: &Cell) -> Self {
        Self {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }

    /// Whether a blank drawn with this pen looks like a blank drawn with
    /// `other`: the same background and the same marks that show on a
    /// blank (with their colours); bold, italic or the text colour do not show.
    pub fn blank_looks_like(&self, other: &Pen) -> bool {
        let marks = self.modifier & VISIBLE_ON_BLANK;
        self.bg == other.bg
            && marks == other.modifier & VISIBLE_ON_BLANK
            && (marks.is_empty() || (self.fg == other.fg && self.underline == other.underline))
    }

    /// Whether cells erased with this pen (ECH, EL) look as blanks drawn
    /// with it: nothing on it that shows on a blank except the background,
    /// which the terminal erases with.
    pub fn erases_as_drawn(&self) -> bool {
        (self.modifier & VISIBLE_ON_BLANK).is_empty()
    }
}

/// A cell that shows nothing but its background (and the marks of its pen).
pub fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " "
}

/// Appends the sequence that turns `from` (`None`: not known) into `to`;
/// nothing when they are the same.
pub fn switch(out: &mut Vec<u8>, from: Option<Pen>, to: Pen) {
    if from == Some(to) {
        return;
    }
    let by_reset = params(PLAIN, to, true);
    let sequence = match from {
        Some(from) => {
            let by_codes = params(from, to, false);
            if by_codes.len() <= by_reset.len() {
                by_codes
            } else {
                by_reset
            }
        }
        None => by_reset,
    };
    out.extend_from_slice(b"\x1b[");
    out.extend_from_slice(sequence.as_bytes());
    out.push(b'm');
}

/// The SGR parameters from `from` to `to`; with `reset`, after a `0`
/// (written as nothing when it is all: `ESC[m`).
fn params(from: Pen, to: Pen, reset: bool) -> String {
    let mut list: Vec<String> = Vec::new();
    if reset {
        list.push("0".to_string());
    }
    let removed = from.modifier - to.modifier;
    let mut kept = from.modifier & to.modifier;
    for (gone, code) in [
        (Modifier::BOLD | Modifier::DIM, "22"),
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.intersects(gone) {
            list.push(code.to_string());
            // One code ends both bold and dim (both blinks): the one that stays is set again.
            kept -= gone;
        }
    }
    for added in (to.modifier - kept).iter() {
        if let Some(code) = modifier_code(added) {
            list.push(code.to_string());
        }
    }
    let colours = [
        (from.fg, to.fg, Colored::ForegroundColor as fn(_) -> Colored),
        (from.bg, to.bg, Colored::BackgroundColor),
        (from.underline, to.underline, Colored::UnderlineColor),
    ];
    for (was, now, colored) in colours {
        if was != now {
            let mut text = String::new();
            let _ = write!(text, "{}", colored(now.into_crossterm()));
            // Colours switched off (NO_COLOR) print nothing.
            if !text.is_empty() {
                list.push(text);
            }
        }
    }
    if reset && list.len() == 1 {
        return String::new();
    }
    list.join(";")
}

fn modifier_code(modifier: Modifier) -> Option<&'static str> {
    Some(match modifier {
        Modifier::BOLD => "1",
        Modifier::DIM => "2",
        Modifier::ITALIC => "3",
        Modifier::UNDERLINED => "4",
        Modifier::SLOW_BLINK => "5",
        Modifier::RAPID_BLINK => "6",
        Modifier::REVERSED => "7",
        Modifier::HIDDEN => "8",
        Modifier::CROSSED_OUT => "9",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(from: Option<Pen>, to: Pen) -> String {
        let mut out = Vec::new();
        switch(&mut out, from, to);
        String::from_utf8(out).unwrap()
    }

    fn pen(fg: Color, bg: Color, modifier: Modifier) -> Pen {
        Pen {
            fg,
            bg,
            underline: Color::Reset,
            modifier,
        }
    }

    #[test]
    fn only_the_colour_that_changed_is_sent_in_one_sequence() {
        let row = pen(Color::Reset, Color::Indexed(238), Modifier::empty());
        let warm = Pen {
            fg: Color::Indexed(179),
            ..row
        };
        assert_eq!(sent(Some(PLAIN), row), "\x1b[48;5;238m");
        assert_eq!(sent(Some(row), warm), "\x1b[38;5;179m");
        assert_eq!(sent(Some(warm), row), "\x1b[39m");
        assert_eq!(sent(Some(row), row), "");
        let bold_warm = Pen {
            modifier: Modifier::BOLD,
            ..warm
        };
        assert_eq!(sent(Some(PLAIN), bold_warm), "\x1b[1;38;5;179;48;5;238m");
    }

    #[test]
    fn a_pen_not_known_starts_from_a_reset() {
        assert_eq!(sent(None, PLAIN), "\x1b[m");
        let red = pen(Color::Red, Color::Reset, Modifier::empty());
        assert_eq!(sent(None, red), "\x1b[0;38;5;1m");
    }

    #[test]
    fn a_modifier_taken_away_costs_its_code_or_a_reset_whichever_is_shorter() {
        let selected = pen(Color::Reset, Color::Indexed(238), Modifier::BOLD);
        let warm = pen(Color::Indexed(179), Color::Reset, Modifier::empty());
        assert_eq!(sent(Some(selected), PLAIN), "\x1b[m");
        assert_eq!(sent(Some(selected), warm), "\x1b[0;38;5;179m");
        let bold_dim = pen(Color::Red, Color::Reset, Modifier::BOLD | Modifier::DIM);
        let dim = pen(Color::Red, Color::Reset, Modifier::DIM);
        assert_eq!(sent(Some(bold_dim), dim), "\x1b[22;2m", "22 ends both");
    }

    #[test]
    fn a_blank_looks_the_same_in_any_text_colour_but_not_on_another_background() {
        let plain_blank = PLAIN;
        let warm = pen(Color::Indexed(179), Color::Reset, Modifier::BOLD);
        assert!(plain_blank.blank_looks_like(&warm));
        let grey = pen(Color::Reset, Color::Indexed(238), Modifier::empty());
        assert!(!plain_blank.blank_looks_like(&grey));
        let reversed = pen(Color::Reset, Color::Reset, Modifier::REVERSED);
        assert!(!plain_blank.blank_looks_like(&reversed));
        let reversed_red = pen(Color::Red, Color::Reset, Modifier::REVERSED);
        assert!(
            !reversed.blank_looks_like(&reversed_red),
            "reverse shows the text colour"
        );
        assert!(!reversed.erases_as_drawn());
        assert!(grey.erases_as_drawn());
    }
}

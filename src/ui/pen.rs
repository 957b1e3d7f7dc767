//! Writes cells with the fewest style bytes: only the colour that changed is
//! sent (`ESC[39m`, not `ESC[39;48;5;238m`), and a frame ends with one
//! `ESC[0m`, only when its last cell was styled. On a selection move this is
//! about a seventh of the bytes.

use std::io::{self, Write};

use crossterm::style::{
    Attribute, Color as TermColor, Colors, Print, SetAttribute, SetBackgroundColor, SetColors,
    SetForegroundColor, SetUnderlineColor,
};
use crossterm::{cursor::MoveTo, queue};
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};

/// The attributes the terminal draws with.
#[derive(Clone, Copy, PartialEq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

/// What the terminal draws with after `ESC[0m`, and at the start of a frame.
const PLAIN: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    underline: Color::Reset,
    modifier: Modifier::empty(),
};

impl Pen {
    fn of(cell: &Cell) -> Self {
        Self {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// Draws the cells at the positions given (a move only where a cell does not
/// follow the previous one), starting and ending with the plain pen.
pub fn draw<'a, W: Write>(
    w: &mut W,
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
) -> io::Result<()> {
    let mut pen = PLAIN;
    let mut last: Option<(u16, u16)> = None;
    for (x, y, cell) in content {
        if !matches!(last, Some((lx, ly)) if ly == y && lx.checked_add(1) == Some(x)) {
            queue!(w, MoveTo(x, y))?;
        }
        last = Some((x, y));
        pen = switch(w, pen, Pen::of(cell))?;
        queue!(w, Print(cell.symbol()))?;
    }
    if pen != PLAIN {
        queue!(w, SetAttribute(Attribute::Reset))?;
    }
    Ok(())
}

/// Sends what turns `from` into `to`. A modifier taken away resets the whole
/// pen (rare: the selection's bold), so no per-attribute undo is needed.
fn switch<W: Write>(w: &mut W, mut from: Pen, to: Pen) -> io::Result<Pen> {
    if from == to {
        return Ok(to);
    }
    if !(from.modifier - to.modifier).is_empty() {
        queue!(w, SetAttribute(Attribute::Reset))?;
        from = PLAIN;
    }
    for added in (to.modifier - from.modifier).iter() {
        if let Some(attribute) = attribute(added) {
            queue!(w, SetAttribute(attribute))?;
        }
    }
    match (from.fg != to.fg, from.bg != to.bg) {
        (true, true) => queue!(
            w,
            SetColors(Colors::new(to.fg.into_crossterm(), to.bg.into_crossterm()))
        )?,
        (true, false) => queue!(w, SetForegroundColor(to.fg.into_crossterm()))?,
        (false, true) => queue!(w, SetBackgroundColor(to.bg.into_crossterm()))?,
        (false, false) => {}
    }
    if from.underline != to.underline {
        let color: TermColor = to.underline.into_crossterm();
        queue!(w, SetUnderlineColor(color))?;
    }
    Ok(to)
}

fn attribute(modifier: Modifier) -> Option<Attribute> {
    Some(match modifier {
        Modifier::BOLD => Attribute::Bold,
        Modifier::DIM => Attribute::Dim,
        Modifier::ITALIC => Attribute::Italic,
        Modifier::UNDERLINED => Attribute::Underlined,
        Modifier::SLOW_BLINK => Attribute::SlowBlink,
        Modifier::RAPID_BLINK => Attribute::RapidBlink,
        Modifier::REVERSED => Attribute::Reverse,
        Modifier::HIDDEN => Attribute::Hidden,
        Modifier::CROSSED_OUT => Attribute::CrossedOut,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn cells(styles: &[Style]) -> Vec<Cell> {
        styles
            .iter()
            .map(|s| {
                let mut c = Cell::new("a");
                c.set_style(*s);
                c
            })
            .collect()
    }

    fn sent(cells: &[Cell]) -> String {
        let mut out = Vec::new();
        draw(
            &mut out,
            cells.iter().enumerate().map(|(x, c)| (x as u16, 0, c)),
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn only_the_colour_that_changed_is_sent() {
        let row = Style::new().bg(Color::Indexed(238));
        let text = sent(&cells(&[row, row.fg(Color::Indexed(179)), row]));
        assert_eq!(
            text,
            "\x1b[1;1H\x1b[48;5;238ma\x1b[38;5;179ma\x1b[39ma\x1b[0m"
        );
    }

    #[test]
    fn a_plain_frame_ends_without_a_reset() {
        assert_eq!(sent(&cells(&[Style::new(), Style::new()])), "\x1b[1;1Haa");
    }

    #[test]
    fn a_modifier_taken_away_resets_and_sets_the_pen_again() {
        let bold = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
        let text = sent(&cells(&[bold, Style::new().fg(Color::Red)]));
        assert_eq!(
            text,
            "\x1b[1;1H\x1b[1m\x1b[38;5;1ma\x1b[0m\x1b[38;5;1ma\x1b[0m"
        );
    }
}

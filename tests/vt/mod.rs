//! A terminal model for the byte tests: it takes what the dashboard's
//! backend sends and keeps the grid a terminal would show, cell by cell
//! with its style, measuring characters as the terminal the dashboard
//! measured for does (`AmbiguousWidth`).
//!
//! It knows only the sequences the backend should send (cursor moves, SGR,
//! ECH, EL, ED, CR, LF, cursor visibility); anything else fails the test,
//! and so does scrolling or writing past the screen. It erases as a
//! terminal with background colour erase does (xterm: erased cells take
//! the pen's background, nothing else) or as one without it (the default
//! background), so a test can hold the backend to either.

use bedboard::text::width::{grapheme_width, AmbiguousWidth};
use crossterm::style::Colored;
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::style::{Color, Modifier};

/// Modifiers that show on a blank cell.
const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK)
    .union(Modifier::CROSSED_OUT);

/// Colours as the SGR parameters that set them ("38;5;179", "39"), so the
/// model's and ratatui's colours compare whatever the names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    pub fg: String,
    pub bg: String,
    pub underline: String,
    pub modifier: Modifier,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            fg: "39".into(),
            bg: "49".into(),
            underline: "59".into(),
            modifier: Modifier::empty(),
        }
    }
}

impl Style {
    pub fn of(fg: Color, bg: Color, underline: Color, modifier: Modifier) -> Self {
        Self {
            fg: Colored::ForegroundColor(fg.into_crossterm()).to_string(),
            bg: Colored::BackgroundColor(bg.into_crossterm()).to_string(),
            underline: Colored::UnderlineColor(underline.into_crossterm()).to_string(),
            modifier,
        }
    }

    /// What shows of a blank in this style.
    fn on_blank(&self) -> (String, Modifier, Option<(String, String)>) {
        let marks = self.modifier & VISIBLE_ON_BLANK;
        let colours = (!marks.is_empty()).then(|| (self.fg.clone(), self.underline.clone()));
        (self.bg.clone(), marks, colours)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct VtCell {
    symbol: String,
    style: Style,
    /// The right half of the wide character on its left.
    covered: bool,
}

impl VtCell {
    fn blank(style: Style) -> Self {
        Self {
            symbol: " ".into(),
            style,
            covered: false,
        }
    }
}

pub struct Vt {
    width: u16,
    height: u16,
    cells: Vec<VtCell>,
    x: u16,
    y: u16,
    /// Written into the last column: the next character would wrap.
    wrap_pending: bool,
    pen: Style,
    bce: bool,
    amb: AmbiguousWidth,
}

impl Vt {
    /// A blank screen; `bce`: erases take the pen's background.
    pub fn new(width: u16, height: u16, amb: AmbiguousWidth, bce: bool) -> Self {
        Self {
            width,
            height,
            cells: vec![VtCell::blank(Style::default()); usize::from(width) * usize::from(height)],
            x: 0,
            y: 0,
            wrap_pending: false,
            pen: Style::default(),
            bce,
            amb,
        }
    }

    fn at(&mut self, x: u16, y: u16) -> &mut VtCell {
        &mut self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)]
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        let text = std::str::from_utf8(bytes).expect("the backend writes UTF-8");
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => {
                    assert_eq!(chars.next(), Some('['), "only CSI sequences are sent");
                    let mut params = String::new();
                    let end = loop {
                        let c = chars.next().expect("a whole CSI sequence");
                        if ('\x40'..='\x7e').contains(&c) {
                            break c;
                        }
                        params.push(c);
                    };
                    self.csi(&params, end);
                }
                '\r' => {
                    self.x = 0;
                    self.wrap_pending = false;
                }
                '\n' => {
                    assert!(
                        self.y + 1 < self.height,
                        "a line feed on the last row scrolls"
                    );
                    self.y += 1;
                    self.wrap_pending = false;
                }
                '\x07' => {}
                c if c.is_control() => panic!("control character {c:?} sent"),
                c => self.print(c),
            }
        }
    }

    fn print(&mut self, c: char) {
        let mut buf = [0u8; 4];
        let width = grapheme_width(c.encode_utf8(&mut buf), self.amb) as u16;
        if width == 0 {
            // Combines with the character before the cursor.
            let x = if self.wrap_pending {
                self.x
            } else {
                self.x.saturating_sub(1)
            };
            let (x, y) = (x, self.y);
            self.at(x, y).symbol.push(c);
            return;
        }
        if self.wrap_pending || self.x + width > self.width {
            panic!("text wrapped past the end of row {}", self.y);
        }
        let (x, y) = (self.x, self.y);
        self.break_wide(x, y);
        if width == 2 {
            self.break_wide(x + 1, y);
        }
        let style = self.pen.clone();
        *self.at(x, y) = VtCell {
            symbol: c.to_string(),
            style: style.clone(),
            covered: false,
        };
        for covered in x + 1..x + width {
            *self.at(covered, y) = VtCell {
                symbol: String::new(),
                style: style.clone(),
                covered: true,
            };
        }
        if x + width == self.width {
            self.x = self.width - 1;
            self.wrap_pending = true;
        } else {
            self.x = x + width;
        }
    }

    /// Writing over half of a wide character blanks its other half.
    fn break_wide(&mut self, x: u16, y: u16) {
        if self.at(x, y).covered && x > 0 {
            *self.at(x - 1, y) = VtCell::blank(Style::default());
        }
        if x + 1 < self.width && self.at(x + 1, y).covered {
            *self.at(x + 1, y) = VtCell::blank(Style::default());
        }
    }

    fn erase(&mut self, from: u16, to: u16, y: u16) {
        let erased = if self.bce {
            Style {
                bg: self.pen.bg.clone(),
                ..Style::default()
            }
        } else {
            Style::default()
        };
        if from >= to {
            return;
        }
        self.break_wide(from, y);
        self.break_wide(to - 1, y);
        for x in from..to {
            *self.at(x, y) = VtCell::blank(erased.clone());
        }
    }

    fn csi(&mut self, params: &str, end: char) {
        if let Some(private) = params.strip_prefix('?') {
            assert!(matches!(end, 'h' | 'l'), "private mode {private}{end}");
            return;
        }
        let numbers: Vec<u16> = params
            .split(';')
            .map(|p| {
                if p.is_empty() {
                    0
                } else {
                    p.parse().expect("a number")
                }
            })
            .collect();
        let n = |i: usize| numbers.get(i).copied().filter(|&v| v > 0).unwrap_or(1);
        match end {
            'H' => {
                self.y = n(0) - 1;
                self.x = n(1) - 1;
                assert!(
                    self.x < self.width && self.y < self.height,
                    "a move off the screen"
                );
                self.wrap_pending = false;
            }
            'C' => {
                assert!(
                    !self.wrap_pending,
                    "a relative move from past the end of a row"
                );
                self.x = (self.x + n(0)).min(self.width - 1);
            }
            'D' => {
                assert!(
                    !self.wrap_pending,
                    "a relative move from past the end of a row"
                );
                self.x = self.x.saturating_sub(n(0));
            }
            'G' => {
                self.x = n(0) - 1;
                self.wrap_pending = false;
            }
            'X' => {
                let to = (self.x + n(0)).min(self.width);
                self.erase(self.x, to, self.y);
                self.wrap_pending = false;
            }
            'K' => {
                let (x, y) = (self.x, self.y);
                match numbers[0] {
                    0 => self.erase(x, self.width, y),
                    1 => self.erase(0, x + 1, y),
                    2 => self.erase(0, self.width, y),
                    other => panic!("EL {other}"),
                }
                self.wrap_pending = false;
            }
            'J' => {
                assert_eq!(numbers[0], 2, "only the whole screen is cleared");
                for y in 0..self.height {
                    self.erase(0, self.width, y);
                }
            }
            'm' => self.sgr(params),
            other => panic!("CSI {params}{other} sent"),
        }
    }

    fn sgr(&mut self, params: &str) {
        let list: Vec<&str> = params.split(';').collect();
        let mut i = 0;
        while i < list.len() {
            let code: u16 = if list[i].is_empty() {
                0
            } else {
                list[i].parse().expect("an SGR code")
            };
            let pen = &mut self.pen;
            match code {
                0 => *pen = Style::default(),
                1 => pen.modifier |= Modifier::BOLD,
                2 => pen.modifier |= Modifier::DIM,
                3 => pen.modifier |= Modifier::ITALIC,
                4 => pen.modifier |= Modifier::UNDERLINED,
                5 => pen.modifier |= Modifier::SLOW_BLINK,
                6 => pen.modifier |= Modifier::RAPID_BLINK,
                7 => pen.modifier |= Modifier::REVERSED,
                8 => pen.modifier |= Modifier::HIDDEN,
                9 => pen.modifier |= Modifier::CROSSED_OUT,
                22 => pen.modifier -= Modifier::BOLD | Modifier::DIM,
                23 => pen.modifier -= Modifier::ITALIC,
                24 => pen.modifier -= Modifier::UNDERLINED,
                25 => pen.modifier -= Modifier::SLOW_BLINK | Modifier::RAPID_BLINK,
                27 => pen.modifier -= Modifier::REVERSED,
                28 => pen.modifier -= Modifier::HIDDEN,
                29 => pen.modifier -= Modifier::CROSSED_OUT,
                39 => pen.fg = "39".into(),
                49 => pen.bg = "49".into(),
                59 => pen.underline = "59".into(),
                38 | 48 | 58 => {
                    let len = match list.get(i + 1) {
                        Some(&"5") => 2,
                        Some(&"2") => 4,
                        other => panic!("colour form {other:?}"),
                    };
                    let text = list[i..=i + len].join(";");
                    match code {
                        38 => pen.fg = text,
                        48 => pen.bg = text,
                        _ => pen.underline = text,
                    }
                    i += len;
                }
                other => panic!("SGR {other} sent"),
            }
            i += 1;
        }
    }

    /// Every difference between what this terminal shows and `expected`, a
    /// ratatui buffer of the same size: symbols, widths and styles, a blank
    /// compared by what shows of it (its background and the marks that show
    /// on a blank), not by a text colour or boldness nobody can see.
    pub fn differences(&self, expected: &Buffer) -> Vec<String> {
        assert_eq!(
            (expected.area.width, expected.area.height),
            (self.width, self.height)
        );
        let mut found = Vec::new();
        for y in 0..self.height {
            let mut x = 0;
            while x < self.width {
                let want = &expected[(x, y)];
                let width = match want.diff_option {
                    CellDiffOption::ForcedWidth(w) => w.get(),
                    _ => grapheme_width(want.symbol(), self.amb).max(1) as u16,
                };
                let got = &self.cells[usize::from(y) * usize::from(self.width) + usize::from(x)];
                let style = Style::of(want.fg, want.bg, want.underline_color, want.modifier);
                let same_style = if want.symbol() == " " {
                    got.style.on_blank() == style.on_blank()
                } else {
                    got.style == style
                };
                let covers = (x + 1..(x + width).min(self.width)).all(|c| {
                    self.cells[usize::from(y) * usize::from(self.width) + usize::from(c)].covered
                });
                if got.symbol != want.symbol() || got.covered || !covers || !same_style {
                    found.push(format!(
                        "({x}, {y}): shown {:?} {:?}, drawn {:?} {:?}",
                        got.symbol,
                        got.style,
                        want.symbol(),
                        style
                    ));
                }
                x += width;
            }
        }
        found
    }
}

//! Colours. Every mark is also a symbol and a word, so no theme carries meaning alone.

use ratatui::style::{Color, Modifier, Style};

pub use crate::config::ThemeKind;

/// 256 colours where the terminal says it has them, else the basic 16.
pub fn for_terminal() -> ThemeKind {
    let term = std::env::var("TERM").unwrap_or_default();
    let colorterm = std::env::var_os("COLORTERM").is_some_and(|v| !v.is_empty());
    if colorterm || term.contains("256") {
        ThemeKind::Default
    } else {
        ThemeKind::Basic
    }
}

pub struct Theme {
    pub header: Style,
    pub column_header: Style,
    pub selected: Style,
    pub flagged: Style,
    pub stale: Style,
    pub free: Style,
    pub total: Style,
    pub group: Style,
    pub status: Style,
    pub error: Style,
    pub popup: Style,
    pub bars: [Style; 3],
}

impl Theme {
    pub fn new(kind: ThemeKind) -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reverse = Style::new().add_modifier(Modifier::REVERSED);
        match kind {
            ThemeKind::Mono => Theme {
                header: bold,
                column_header: bold,
                selected: reverse,
                flagged: bold,
                stale: Style::new(),
                free: bold,
                total: bold,
                group: bold,
                status: reverse,
                error: bold,
                popup: Style::new(),
                bars: [reverse; 3],
            },
            ThemeKind::Basic => Theme {
                header: bold.fg(Color::Cyan),
                column_header: bold,
                selected: reverse,
                flagged: Style::new().fg(Color::Red),
                stale: Style::new().fg(Color::Yellow),
                free: Style::new().fg(Color::Green),
                total: bold,
                group: bold.fg(Color::Cyan),
                status: Style::new().fg(Color::Black).bg(Color::Gray),
                error: bold.fg(Color::Red),
                popup: Style::new(),
                bars: [
                    Style::new().bg(Color::Blue),
                    Style::new().bg(Color::Green),
                    Style::new().bg(Color::Yellow),
                ],
            },
            ThemeKind::Default => Theme {
                header: bold.fg(Color::Indexed(117)),
                column_header: bold.fg(Color::Indexed(252)),
                selected: Style::new()
                    .bg(Color::Indexed(238))
                    .add_modifier(Modifier::BOLD),
                flagged: Style::new().fg(Color::Indexed(203)),
                stale: Style::new().fg(Color::Indexed(179)),
                free: Style::new().fg(Color::Indexed(114)),
                total: bold,
                group: bold.fg(Color::Indexed(117)),
                status: Style::new().fg(Color::Indexed(16)).bg(Color::Indexed(250)),
                error: bold.fg(Color::Indexed(203)),
                popup: Style::new().bg(Color::Indexed(235)),
                bars: [
                    Style::new().bg(Color::Indexed(68)),
                    Style::new().bg(Color::Indexed(71)),
                    Style::new().bg(Color::Indexed(173)),
                ],
            },
            ThemeKind::HighContrast => Theme {
                header: bold.fg(Color::White),
                column_header: bold.fg(Color::White),
                selected: Style::new()
                    .fg(Color::Black)
                    .bg(Color::White)
                    .add_modifier(Modifier::BOLD),
                flagged: bold.fg(Color::LightRed),
                stale: bold.fg(Color::LightYellow),
                free: bold.fg(Color::LightGreen),
                total: bold.fg(Color::White),
                group: bold.fg(Color::LightCyan),
                status: Style::new().fg(Color::Black).bg(Color::White),
                error: bold.fg(Color::LightRed),
                popup: Style::new(),
                bars: [
                    Style::new().bg(Color::LightBlue),
                    Style::new().bg(Color::LightGreen),
                    Style::new().bg(Color::LightYellow),
                ],
            },
        }
    }
}

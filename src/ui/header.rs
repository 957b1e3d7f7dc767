//! The top of the dashboard, most important first: the totals; then what is
//! wrong now, each on lines of its own in the warning style (the feed
//! failing, the store unwritable, watch alerts); then the view's state and
//! its description. Every item is whole: one that does not fit goes to the
//! next line or is left out with a mark (see `flow`), never cut.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::app::{App, ViewKind};
use super::flow::{flow, Long};
use super::keymap::Action;
use super::painter::Painter;
use super::theme::Theme;
use crate::model::JstDateTime;
use crate::text::width::{self, AmbiguousWidth};
use crate::view::ViewDescription;

/// Lines each part may take. The totals always fit in two at 80 columns,
/// seven-digit bed counts included.
const TOTALS_LINES: usize = 2;
const FAILURE_LINES: usize = 4;
const ALERT_LINES: usize = 2;
const STATE_LINES: usize = 2;
const DESCRIPTION_LINES: usize = 1;

/// The words that say what a warning line is, for a screen without colour.
const FAILURE_WORD: &str = "【取得失敗】";
const NOT_STORED_WORD: &str = "【保存失敗】";
const ALERT_WORD: &str = "【警報】";

/// The header's lines for this screen width, laid out before anything is
/// drawn so the rest of the screen knows where it starts.
pub struct Header {
    lines: Vec<HeaderLine>,
}

struct HeaderLine {
    text: String,
    style: Style,
    /// Filled to the screen's edge: a warning line is a band across the screen.
    band: bool,
}

/// Lines that stand out on any theme, NO_COLOR included (reversed).
pub fn warning_style(theme: &Theme) -> Style {
    theme.error.add_modifier(Modifier::REVERSED)
}

impl Header {
    pub fn new(app: &App, theme: &Theme, width: u16) -> Self {
        let width = usize::from(width);
        let amb = app.options.ambiguous;
        let mut header = Header { lines: Vec::new() };
        let totals = app.prepared.view.summary_items();
        header.add(
            flow(&totals, width, TOTALS_LINES, Long::Hide, amb).lines,
            theme.header,
            false,
        );
        let warning = warning_style(theme);
        header.add(failure_lines(app, width, amb), warning, true);
        if app.feed.not_stored {
            let items = [format!(
                "{NOT_STORED_WORD}履歴に保存できていません（表示は続けます）"
            )];
            header.add(flow(&items, width, 1, Long::Wrap, amb).lines, warning, true);
        }
        header.add(alert_lines(app, width, amb), warning, true);
        let state = state_items(app);
        header.add(
            flow(&state, width, STATE_LINES, Long::Hide, amb).lines,
            Style::new(),
            false,
        );
        let description = description_items(app);
        header.add(
            flow(&description, width, DESCRIPTION_LINES, Long::Hide, amb).lines,
            Style::new(),
            false,
        );
        header
    }

    fn add(&mut self, lines: Vec<String>, style: Style, band: bool) {
        self.lines.extend(
            lines
                .into_iter()
                .map(|text| HeaderLine { text, style, band }),
        );
    }

    pub fn height(&self) -> u16 {
        u16::try_from(self.lines.len()).unwrap_or(u16::MAX)
    }

    pub fn draw(&self, p: &mut Painter, width: u16) {
        for (y, line) in (0u16..).zip(&self.lines) {
            if line.band {
                p.fill(Rect::new(0, y, width, 1), line.style);
            }
            p.put(0, y, width, &line.text, line.style);
        }
    }
}

/// 「【取得失敗】17:08 から取得できていません（3 回失敗）: 接続できません（127.0.0.1:8787）」
/// and the age of the data still on screen; the reason wraps, never cut.
pub fn failure_lines(app: &App, width: usize, amb: AmbiguousWidth) -> Vec<String> {
    let Some(streak) = &app.feed.failing else {
        return Vec::new();
    };
    let head = format!(
        "{FAILURE_WORD}{} から取得できていません（{} 回失敗）:",
        clock_text(app, &streak.since),
        streak.tries
    );
    let reason = crate::text::sanitize(&streak.reason).into_owned();
    let data = match &app.feed.last_fetch {
        Some(at) => format!(
            "表示中のデータ: {} 取得（{}）",
            clock_text(app, at),
            app.age_text(at)
        ),
        None => "表示できるデータはまだありません".to_string(),
    };
    let one_line = format!("{head} {reason}");
    let items = if width::str_width(&one_line, amb) <= width {
        vec![one_line, data]
    } else {
        vec![head, reason, data]
    };
    flow(&items, width, FAILURE_LINES, Long::Wrap, amb).lines
}

/// 「17:08」 today, 「11/30 17:08」 on another day.
fn clock_text(app: &App, at: &JstDateTime) -> String {
    if at.date_naive() == app.now().date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%m/%d %H:%M").to_string()
    }
}

/// The newest watch alert until it is acknowledged, on a line of its own:
/// the totals stay where they are.
fn alert_lines(app: &App, width: usize, amb: AmbiguousWidth) -> Vec<String> {
    let Some(alert) = app.alerts.last() else {
        return Vec::new();
    };
    let more = match app.alerts.len() {
        1 => String::new(),
        n => format!("（ほか {} 件）", n - 1),
    };
    let key = app.keys.first_key(Action::Acknowledge);
    let items = [
        format!("{ALERT_WORD}{}{more}", crate::text::sanitize(&alert.text())),
        format!("{key} で確認"),
    ];
    flow(&items, width, ALERT_LINES, Long::Wrap, amb).lines
}

/// The view and what it leaves out, most important first. A note about the
/// data on screen (rows left out, hospitals gone) is one more item here.
pub fn state_items(app: &App) -> Vec<String> {
    let out_of_scope = match app.feed.out_of_scope {
        0 => String::new(),
        n => format!("（範囲外 {n} 件を除外）"),
    };
    let mut items = vec![
        format!("[{}]", app.kind.label()),
        format!("古い {}", app.prepared.stale),
        format!("要確認 {}", app.prepared.flagged),
        format!("範囲: {}{out_of_scope}", app.prepared.scope),
    ];
    // Rows left out are said next to the scope, which also leaves rows out.
    if let Some(note) = app.prepared.view.superseded_note() {
        items.push(note);
    }
    let gone = app.changes.gone.len();
    if gone > 0 {
        items.push(format!("報告がなくなった {gone} 施設（変更履歴に）"));
    }
    items
}

/// Sort, filter and (for the list of hospitals, the one that is grouped) grouping.
fn description_items(app: &App) -> Vec<String> {
    let description = ViewDescription::of(&app.spec);
    match app.kind {
        ViewKind::Rows => description.parts().to_vec(),
        _ => vec![description.sort_part(), description.filter_part()],
    }
}

//! The top of the dashboard: the totals, the view's state and its description.

use ratatui::layout::Rect;
use ratatui::style::Style;

use super::app::{App, ViewKind};
use super::keymap::Action;
use super::painter::Painter;
use super::theme::Theme;
use crate::view::ViewDescription;

pub fn draw(p: &mut Painter, app: &App, theme: &Theme, width: u16) {
    match app.alerts.last() {
        // An alert takes the top line until it is acknowledged.
        Some(alert) => {
            let more = match app.alerts.len() {
                1 => String::new(),
                n => format!("（ほか {} 件）", n - 1),
            };
            let key = app.keys.first_key(Action::Acknowledge);
            let text = format!(
                "【警報】{}{more}  {key} で確認",
                crate::text::sanitize(&alert.text())
            );
            let style = theme.error.add_modifier(ratatui::style::Modifier::REVERSED);
            p.fill(Rect::new(0, 0, width, 1), style);
            p.put(0, 0, width, &text, style);
        }
        None => {
            p.put(0, 0, width, &app.prepared.view.summary_line(), theme.header);
        }
    }
    let out_of_scope = match app.feed.out_of_scope {
        0 => String::new(),
        n => format!("（範囲外 {n} 件を除外）"),
    };
    let gone = match app.changes.gone.len() {
        0 => String::new(),
        n => format!("  報告がなくなった {n} 施設（変更履歴に）"),
    };
    let second = format!(
        "[{}]  古い {}  要確認 {}  範囲: {}{out_of_scope}{gone}",
        app.kind.label(),
        app.prepared.stale,
        app.prepared.flagged,
        app.prepared.scope,
    );
    let description = ViewDescription::of(&app.spec);
    // Only the list of hospitals is grouped.
    let third = match app.kind {
        ViewKind::Rows => description.line(),
        _ => format!("{}  {}", description.sort_part(), description.filter_part()),
    };
    p.put(0, 2, width, &third, Style::new());
    p.put(0, 1, width, &second, Style::new());
}

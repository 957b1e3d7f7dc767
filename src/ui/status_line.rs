//! The bottom line of the dashboard: a notice for a few seconds, else what the
//! feed is doing; the key hints at the right. Items are whole and the least
//! important give way first (see `flow`). What is wrong for longer than a
//! notice (the feed failing, the store unwritable) is in the header, where
//! no notice hides it.

use ratatui::layout::Rect;

use super::app::App;
use super::flow::{flow, Long};
use super::keymap::{Action, Mode};
use super::painter::Painter;
use super::theme::Theme;
use crate::model::time;
use crate::text::width::{self, Align};

pub fn draw(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
    let y = area.height.saturating_sub(1);
    p.fill(Rect::new(0, y, area.width, 1), theme.status);
    let hints = format!(
        " {}:キー一覧 {}:終了",
        app.keys.first_key(Action::Help),
        app.keys.first_key(Action::Quit)
    );
    let hints_width = width::str_width(&hints, p.amb) as u16;
    let left_width = area.width.saturating_sub(hints_width);
    if app.mode == Mode::Search {
        // What is being typed; its end is what matters, the cut mark says the rest is there.
        let text = format!("検索: {}_   Enter: 決定  Esc: 取り消し", app.search);
        let text = crate::text::sanitize(&text);
        p.cell(0, y, left_width, &text, Align::Left, theme.status);
    } else if let Some(notice) = app.notice_text() {
        let notice = crate::text::sanitize(notice);
        let style = theme.error.patch(theme.status);
        // A notice too long for the room beside the hints takes the whole line for its seconds.
        if width::str_width(&notice, p.amb) > usize::from(left_width) {
            p.cell(0, y, area.width, &notice, Align::Left, style);
            return;
        }
        p.put(0, y, left_width, &notice, style);
    } else {
        let items: Vec<String> = status_items(app)
            .iter()
            .map(|item| crate::text::sanitize(item).into_owned())
            .collect();
        let laid = flow(&items, usize::from(left_width), 1, Long::Hide, p.amb);
        if let Some(line) = laid.lines.first() {
            p.put(0, y, left_width, line, theme.status);
        }
    }
    p.put(left_width, y, area.width, &hints, theme.status);
}

/// What the status line says when no notice is shown, most important first.
pub fn status_items(app: &App) -> Vec<String> {
    let mut items = Vec::new();
    if app.says_pending() {
        items.push("並べ替え中…".to_string());
    }
    if let Some((done, total)) = app.export_progress {
        items.push(format!("書き出し中… {done} / {total} 行"));
    }
    if app.feed.fetching {
        items.push("取得中…".to_string());
    }
    if app.is_demo {
        items.push("デモ".to_string());
    }
    if app.feed.live {
        items.extend(feed_items(app));
    } else {
        items.extend(file_items(app));
    }
    items.push(app.source_label.clone());
    items
}

/// 「最終取得 02:41（19分前）」「次回 02:42」 for a feed that is polled.
fn feed_items(app: &App) -> Vec<String> {
    let hm = |t: &crate::model::JstDateTime| t.format("%H:%M").to_string();
    let mut items = vec![match &app.feed.last_fetch {
        Some(at) => format!("最終取得 {}（{}）", hm(at), app.age_text(at)),
        None => "まだ取得していません".to_string(),
    }];
    if let Some(at) = &app.feed.next_poll {
        items.push(format!("次回 {}", hm(at)));
    }
    // Who polls, so two consoles on one store can tell which one fetches.
    if let Some(role) = &app.feed.poller {
        items.push(role.short_text());
    }
    items
}

/// 「最新報告 2022/02/01 11:37（23分前）」「読込 12:00」 for data read once.
fn file_items(app: &App) -> Vec<String> {
    let newest = app.newest_report().map_or("最新報告 -".to_string(), |t| {
        format!(
            "最新報告 {}（{}）",
            time::format_datetime(&t),
            app.age_text(&t)
        )
    });
    vec![newest, format!("読込 {}", app.loaded_at.format("%H:%M"))]
}

//! The bottom line of the dashboard: what the feed is doing, a notice, the key hints.

use ratatui::layout::Rect;

use super::app::App;
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
    let (text, style) = if app.mode == Mode::Search {
        let text = format!("検索: {}_   Enter: 決定  Esc: 取り消し", app.search);
        (text, theme.status)
    } else if let Some(message) = &app.message {
        // A problem is said first, before anything else on the line.
        (message.clone(), theme.error.patch(theme.status))
    } else if let Some((done, total)) = app.export_progress {
        (format!("書き出し中… {done} / {total} 行"), theme.status)
    } else if app.feed.live {
        let style = if app.feed.last_failure.is_some() || app.feed.not_stored {
            theme.error.patch(theme.status)
        } else {
            theme.status
        };
        (feed_status_text(app), style)
    } else {
        let newest = app.newest_report().map_or("-".to_string(), |t| {
            format!(
                "最新報告 {}（{}）",
                time::format_datetime(&t),
                app.age_text(&t)
            )
        });
        let demo = if app.is_demo { "デモ  " } else { "" };
        let working = if app.is_pending() {
            "並べ替え中…  "
        } else {
            ""
        };
        let text = format!(
            "{working}{demo}{}  {newest}  読込 {}",
            app.source_label,
            app.loaded_at.format("%H:%M"),
        );
        (text, theme.status)
    };
    p.cell(
        0,
        y,
        left_width,
        &crate::text::sanitize(&text),
        Align::Left,
        style,
    );
    p.put(left_width, y, area.width, &hints, theme.status);
}

/// 「最終取得 02:41（19分前）・次回 02:42・前回失敗: 接続できません（127.0.0.1:8787）  出所」
fn feed_status_text(app: &App) -> String {
    let hm = |t: &crate::model::JstDateTime| t.format("%H:%M").to_string();
    let mut parts = Vec::new();
    match &app.feed.last_fetch {
        Some(at) => parts.push(format!("最終取得 {}（{}）", hm(at), app.age_text(at))),
        None => parts.push("まだ取得していません".to_string()),
    }
    if let Some(at) = &app.feed.next_poll {
        parts.push(format!("次回 {}", hm(at)));
    }
    if let Some((at, why)) = &app.feed.last_failure {
        parts.push(format!("前回失敗 {}: {why}", hm(at)));
    }
    if app.feed.not_stored {
        parts.push("履歴に保存できていません（表示は続けます）".to_string());
    }
    let demo = if app.is_demo { "デモ  " } else { "" };
    let fetching = if app.feed.fetching {
        "取得中…  "
    } else {
        ""
    };
    format!("{fetching}{demo}{}  {}", parts.join("・"), app.source_label)
}

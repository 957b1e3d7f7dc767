//! The progress frame of a long load: 「読み込み中 43%（43 万行）」 and the source,
//! in a box over the board, until the rows are in and their view is ready.

use ratatui::layout::Rect;

use super::app::App;
use super::painter::{centered, Painter};
use super::theme::Theme;
use crate::poll::loading::LoadProgress;
use crate::text::width;

/// The box's width, when the screen has room for it.
const BOX_WIDTH: u16 = 60;

/// What the frame says, or none when nothing is loading.
pub fn loading_lines(app: &App) -> Option<(String, String)> {
    if let Some(progress) = &app.loading {
        return Some((progress_text(progress), progress.source_label.clone()));
    }
    // The rows are in and their first view is still being prepared.
    let rows = app.incoming_report().rows.len();
    let preparing = app.report().rows.is_empty() && rows > 0;
    preparing.then(|| {
        let text = format!("表示を準備しています（{}）", rows_text(rows));
        (text, app.source_label.clone())
    })
}

/// 「読み込み中 43%（43 万行）」, or without a known size 「読み込み中（43 万行）」.
pub fn progress_text(progress: &LoadProgress) -> String {
    let rows = rows_text(progress.rows);
    match progress.percent() {
        Some(percent) => format!("読み込み中 {percent}%（{rows}）"),
        None => format!("読み込み中（{rows}）"),
    }
}

/// A row count as a dispatcher reads it: 「8192 行」, 「43 万行」.
pub fn rows_text(rows: usize) -> String {
    if rows >= 10_000 {
        format!("{} 万行", rows / 10_000)
    } else {
        format!("{rows} 行")
    }
}

/// Draws the frame over `area` when something is loading.
pub fn draw(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
    let Some((text, source)) = loading_lines(app) else {
        return;
    };
    let rect = centered(area, BOX_WIDTH.min(area.width), 4);
    if rect.width < 6 {
        return;
    }
    let inner = usize::from(rect.width - 4);
    let source = super::draw::tail(&source, inner, p.amb);
    let text = width::truncate(&text, inner, p.amb);
    p.frame(rect, "読み込み", theme.popup);
    let right = rect.right() - 1;
    p.put(rect.x + 2, rect.y + 1, right, &text, theme.popup);
    p.put(rect.x + 2, rect.y + 2, right, &source, theme.popup);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_gives_the_share_and_the_rows() {
        let progress = LoadProgress {
            source_label: "big.csv".to_string(),
            bytes: 43,
            total: Some(100),
            rows: 430_000,
        };
        assert_eq!(progress_text(&progress), "読み込み中 43%（43 万行）");
        let unknown = LoadProgress {
            total: None,
            rows: 8_192,
            ..progress
        };
        assert_eq!(progress_text(&unknown), "読み込み中（8192 行）");
    }
}

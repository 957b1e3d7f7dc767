//! Draws the dashboard from the app state: header, chart, table, status, popups.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use super::app::{scrollable_columns, App, Popup, TableLine, ViewKind};
use super::export_dialog::{ExportDialog, Field};
use super::keymap::{Action, KeyMap, Mode};
use super::painter::Painter;
use super::table_layout::{self, Separators};
use super::theme::Theme;
use super::{hospital_page, master_view};
use crate::model::{time, Column, ColumnKind, Totals};
use crate::text::width::{self, Align, AmbiguousWidth};
use crate::view::{self, changes, ViewDescription};

/// Below this height the chart hides itself.
const CHART_MIN_HEIGHT: u16 = 20;
const CHART_HEIGHT: u16 = 3;
const HEADER_HEIGHT: u16 = 3;
const COLUMN_HEADER_HEIGHT: u16 = 3;
/// Cells left of the name: the row's mark and a space.
const MARK_WIDTH: u16 = 2;

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let theme = Theme::new(app.options.theme);
    let mut p = Painter {
        buf: frame.buffer_mut(),
        amb: app.options.ambiguous,
        ascii: app.options.ascii,
    };
    let chart = app.show_chart && area.height >= CHART_MIN_HEIGHT;
    let chart_height = if chart { CHART_HEIGHT } else { 0 };
    let total_height = u16::from(app.toggles.grand_total);
    let body_top = HEADER_HEIGHT + chart_height + COLUMN_HEADER_HEIGHT;
    let body_height = area.height.saturating_sub(body_top + total_height + 1);
    app.page_rows = usize::from(body_height.max(1));
    app.keep_selection_visible();

    draw_header(&mut p, app, &theme, area.width);
    if chart {
        draw_chart(
            &mut p,
            app,
            &theme,
            Rect::new(0, HEADER_HEIGHT, area.width, CHART_HEIGHT),
        );
    }
    let table = TableLayout::new(app, area.width);
    let header_y = HEADER_HEIGHT + chart_height;
    if matches!(
        app.kind,
        ViewKind::HospitalMaster | ViewKind::MunicipalityMaster
    ) {
        let body = Rect::new(0, header_y, area.width, body_height + COLUMN_HEADER_HEIGHT);
        master_view::draw(&mut p, app, &theme, body);
    } else if app.kind == ViewKind::ChangeLog {
        let title = "  日時        医療機関名 / 変化";
        p.put(0, header_y, area.width, title, theme.column_header);
        let body = Rect::new(0, body_top, area.width, body_height);
        draw_change_log(&mut p, app, &theme, body);
    } else {
        table.draw_column_header(&mut p, app, &theme, header_y);
        let shown = app.prepared.lines.iter().enumerate().skip(app.scroll);
        for (line_no, line) in shown.take(usize::from(body_height)) {
            let y = body_top + (line_no - app.scroll) as u16;
            table.draw_line(&mut p, app, &theme, *line, y, line_no == app.selected);
        }
        if app.prepared.lines.is_empty() {
            p.put(
                2,
                body_top,
                area.width,
                "該当する行はありません",
                theme.status,
            );
        }
    }
    if app.toggles.grand_total {
        let y = area.height.saturating_sub(2);
        let totals = app.prepared.view.totals;
        table.draw_totals(&mut p, &theme, y, "総計", &totals, theme.total);
    }
    draw_status(&mut p, app, &theme, area);
    match &app.popup {
        Some(Popup::Help) => draw_help(&mut p, &app.keys, &mut app.help_scroll, &theme, area),
        Some(Popup::Row(row)) => draw_row_popup(&mut p, app, &theme, area, *row),
        Some(Popup::Hospital) => {
            if let Some(page) = &app.page {
                let rect = Rect::new(
                    0,
                    HEADER_HEIGHT,
                    area.width,
                    area.height.saturating_sub(HEADER_HEIGHT + 1),
                );
                hospital_page::draw(&mut p, page, &theme, rect);
            }
        }
        None => {}
    }
    if let Some(dialog) = &app.export_dialog {
        draw_export_dialog(&mut p, dialog, &theme, area);
    }
    if app.mode == Mode::ConfirmQuit {
        let text = "終了しますか？  y: 終了する   n: 続ける";
        let w = (width::str_width(text, p.amb) as u16 + 4).min(area.width);
        let rect = centered(area, w, 3);
        p.frame(rect, "確認", theme.popup);
        p.put(rect.x + 2, rect.y + 1, rect.right() - 1, text, theme.popup);
    }
}

fn draw_header(p: &mut Painter, app: &App, theme: &Theme, width: u16) {
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

fn draw_chart(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
    let t = &app.prepared.view.totals;
    let values = [
        ("確保病床", t.secured),
        ("即応病床", t.ready),
        ("入院中", t.inpatients),
    ];
    let max = values
        .iter()
        .filter_map(|(_, v)| *v)
        .max()
        .unwrap_or(0)
        .max(1);
    let label_width = 18u16;
    let bar_room = area.width.saturating_sub(label_width + 1);
    for (i, ((label, value), style)) in values.iter().zip(theme.bars).enumerate() {
        let y = area.y + i as u16;
        let text = format!(
            "{label} {}",
            value.map_or("-".to_string(), |v| v.to_string())
        );
        p.cell(area.x, y, label_width, &text, Align::Left, Style::new());
        let len = (value.unwrap_or(0) * u64::from(bar_room) / max) as u16;
        p.fill(Rect::new(area.x + label_width, y, len, 1), style);
    }
}

fn draw_status(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
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

fn draw_export_dialog(p: &mut Painter, dialog: &ExportDialog, theme: &Theme, area: Rect) {
    use crate::export::{ExportEncoding, ExportView};
    let rect = centered(area, 76, 9);
    p.frame(rect, "書き出し（今の表示のまま）", theme.popup);
    let choice = |on: bool, label: &str| {
        if on {
            format!("[{label}]")
        } else {
            format!(" {label} ")
        }
    };
    let views = [ExportView::Details, ExportView::Formatted]
        .map(|v| choice(dialog.view == v, v.label()))
        .join(" ");
    let encodings = [
        ExportEncoding::Sjis,
        ExportEncoding::Utf8,
        ExportEncoding::Utf8Bom,
    ]
    .map(|e| choice(dialog.encoding == e, e.label()))
    .join(" ");
    let encodings = if dialog.view == ExportView::Formatted {
        "（Excel ブックには不要）".to_string()
    } else {
        encodings
    };
    let rows = [
        (Field::View, "ビュー", views),
        (Field::Encoding, "文字コード", encodings),
        (Field::Name, "ファイル", format!("{}_", dialog.name)),
    ];
    for (i, (field, label, value)) in rows.iter().enumerate() {
        let y = rect.y + 1 + i as u16;
        let style = if dialog.focus == *field {
            theme.selected
        } else {
            theme.popup
        };
        let mark = if dialog.focus == *field { ">" } else { " " };
        p.put(rect.x + 2, y, rect.x + 3, mark, style);
        p.cell(rect.x + 4, y, 12, label, Align::Left, style);
        // A long path shows its end, where the file name is.
        let room = rect.width.saturating_sub(19);
        let shown = tail(value, usize::from(room), p.amb);
        p.cell(rect.x + 17, y, room, &shown, Align::Left, style);
    }
    let help = "Enter: 書き出す  Esc: やめる  Up Down: 項目  Left Right: 選ぶ";
    p.put(rect.x + 2, rect.y + 5, rect.right() - 1, help, theme.popup);
    if let Some(error) = &dialog.error {
        let style = theme.error.patch(theme.popup);
        p.cell(
            rect.x + 2,
            rect.y + 6,
            rect.width.saturating_sub(4),
            &crate::text::sanitize(error),
            Align::Left,
            style,
        );
    }
}

/// The last `max` cells of `text`, marked when cut.
fn tail(text: &str, max: usize, amb: AmbiguousWidth) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    if width::str_width(text, amb) <= max {
        return text.to_string();
    }
    let mut kept = Vec::new();
    let mut used = 1; // the cut mark
    for g in text.graphemes(true).rev() {
        let w = width::grapheme_width(g, amb);
        if used + w > max {
            break;
        }
        used += w;
        kept.push(g);
    }
    kept.reverse();
    format!("{}{}", width::CUT_MARK, kept.concat())
}

/// The change log: time, hospital, what changed; newest first.
fn draw_change_log(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
    if app.change_log.is_empty() {
        p.put(
            2,
            area.y,
            area.right(),
            "まだ変化はありません（新しいデータが届くと、変わった数値がここに残ります）",
            theme.status,
        );
        return;
    }
    let name_width = 28u16.min(area.width / 3);
    for (n, entry) in app
        .change_log
        .iter()
        .skip(app.scroll)
        .take(usize::from(area.height))
        .enumerate()
    {
        let y = area.y + n as u16;
        let style = if app.scroll + n == app.selected {
            theme.selected
        } else {
            Style::new()
        };
        p.fill(Rect::new(0, y, area.width, 1), style);
        p.put(
            0,
            y,
            1,
            if app.watch.contains(&entry.code) {
                "@"
            } else {
                " "
            },
            style,
        );
        p.cell(
            2,
            y,
            11,
            &entry.at.format("%m/%d %H:%M").to_string(),
            Align::Left,
            style,
        );
        p.cell(14, y, name_width, &entry.name, Align::Left, style);
        p.put(15 + name_width, y, area.right(), &entry.text, style);
    }
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

/// Where each column of the table goes on this screen.
struct TableLayout {
    separators: Separators,
    name_width: u16,
    /// (column, x, width) of the scrollable columns that fit.
    columns: Vec<(Column, u16, u16)>,
    screen_width: u16,
}

impl TableLayout {
    fn new(app: &App, screen_width: u16) -> Self {
        let separators = Separators::new(app.options.ascii, app.options.ambiguous);
        let label_width = width::str_width(
            &format!("総計（{} 件）", app.prepared.view.total_records),
            app.options.ambiguous,
        );
        let name_width = app
            .prepared
            .name_width
            .max(label_width)
            .clamp(8, usize::from(screen_width / 3).max(12)) as u16;
        let scrolled: Vec<Column> = scrollable_columns(&app.prepared.report)
            .into_iter()
            .skip(app.column_offset)
            .collect();
        let widths: Vec<usize> = scrolled
            .iter()
            .map(|&column| {
                usize::from(
                    column_width(column, &app.prepared.view.totals) + mark_width(app, column),
                )
            })
            .collect();
        let placed = table_layout::fit_after_first(
            usize::from(name_width),
            &widths,
            separators.width(),
            usize::from(MARK_WIDTH),
            usize::from(screen_width),
        );
        let columns = scrolled
            .iter()
            .zip(placed)
            .map(|(&column, (x, w))| (column, x as u16, w as u16))
            .collect();
        Self {
            separators,
            name_width,
            columns,
            screen_width,
        }
    }

    fn draw_column_header(&self, p: &mut Painter, app: &App, theme: &Theme, y: u16) {
        let style = theme.column_header;
        let first = match app.kind {
            ViewKind::Rows | ViewKind::ChangeLog | ViewKind::HospitalMaster => "  医療機関名",
            ViewKind::MunicipalityMaster => "  市区町村",
            ViewKind::ByArea => "  二次医療圏",
            ViewKind::ByMunicipality => "  市区町村",
        };
        p.cell(0, y, 2 + self.name_width, first, Align::Left, style);
        for &(column, x, w) in &self.columns {
            p.put(x - 3, y, x, self.separators.column, style);
            p.put(x - 3, y + 1, x, self.separators.column, style);
            let name = view::column_header(&app.prepared.report, column);
            let mut lines = width::wrap(name, usize::from(w), p.amb).into_iter();
            let first = lines.next().unwrap_or_default();
            let rest: String = lines.collect();
            p.cell(x, y, w, &first, Align::Left, style);
            p.cell(x, y + 1, w, &rest, Align::Left, style);
        }
        let line = self.separators.rule(usize::from(self.screen_width));
        p.put(0, y + 2, self.screen_width, &line, Style::new());
    }

    fn draw_line(
        &self,
        p: &mut Painter,
        app: &App,
        theme: &Theme,
        line: TableLine,
        y: u16,
        selected: bool,
    ) {
        let base = if selected {
            theme.selected
        } else {
            Style::new()
        };
        p.fill(Rect::new(0, y, self.screen_width, 1), base);
        match line {
            TableLine::Heading(g) => {
                let group = &app.prepared.view.groups[g];
                let text = if app.toggles.row_counts {
                    format!("{} ({})", group.label, group.rows.len())
                } else {
                    group.label.clone()
                };
                p.put(
                    0,
                    y,
                    self.screen_width,
                    &format!("[{text}]"),
                    theme.group.patch(base),
                );
            }
            TableLine::Summary(g) => {
                let group = &app.prepared.view.groups[g];
                let style = if group.totals.free.is_some_and(|f| f > 0) {
                    Style::new()
                } else {
                    theme.stale
                };
                self.draw_totals(p, theme, y, &group.label, &group.totals, style.patch(base));
            }
            TableLine::Subtotal(g) => {
                let totals = app.prepared.view.groups[g].totals;
                self.draw_totals(p, theme, y, "小計", &totals, theme.total.patch(base));
            }
            TableLine::Row(i) => self.draw_row(p, app, theme, i, y, base, selected),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_row(
        &self,
        p: &mut Painter,
        app: &App,
        theme: &Theme,
        i: usize,
        y: u16,
        base: Style,
        selected: bool,
    ) {
        let Some(row) = app.prepared.report.rows.get(i) else {
            return;
        };
        let now = app.now();
        let flagged = row.flags(now).has_errors();
        let stale = row.is_stale(now, app.stale_after());
        let change = app.changes.of(&row.hospital_code);
        let is_new = change.is_some_and(|c| c.new);
        let watched = app.watch.contains(&row.hospital_code);
        // A symbol as well as a colour: '!' flagged, '*' stale, '+' new,
        // '@' watched, '>' the selection.
        let mark = match () {
            _ if flagged => "!",
            _ if stale => "*",
            _ if is_new => "+",
            _ if watched => "@",
            _ if selected => ">",
            _ => " ",
        };
        let mark_style = if flagged {
            theme.flagged
        } else if stale {
            theme.stale
        } else {
            Style::new()
        };
        p.put(0, y, 1, mark, mark_style.patch(base));
        p.cell(2, y, self.name_width, &row.hospital_name, Align::Left, base);
        for &(column, x, w) in &self.columns {
            p.put(x - 3, y, x, self.separators.column, base);
            let mut text = view::cell_text(row, column, &app.spec);
            if let Some(delta) = change.and_then(|c| c.delta(column)) {
                text.push_str(&changes::mark(delta, app.options.ascii));
            }
            if column == Column::Status {
                let findings: Vec<&str> = app
                    .cross
                    .kinds_for(&row.hospital_code)
                    .iter()
                    .map(|k| k.label())
                    .collect();
                if !findings.is_empty() {
                    let sep = if text.is_empty() { "" } else { "・" };
                    text = format!("{text}{sep}{}", findings.join("・"));
                }
            }
            if column == Column::Status && is_new {
                text = if text.is_empty() {
                    "新規".to_string()
                } else {
                    format!("新規・{text}")
                };
            }
            let style = match column {
                Column::Status if flagged => theme.flagged,
                Column::Status | Column::Age if stale => theme.stale,
                Column::Free if row.free_beds().is_some_and(|f| f > 0) => theme.free,
                Column::Free if row.free_beds().is_some_and(|f| f < 0) => theme.flagged,
                _ => Style::new(),
            }
            .patch(base);
            if column.kind() == ColumnKind::Number {
                p.number(x, y, w, &text, style);
            } else {
                p.cell(x, y, w, &text, Align::Left, style);
            }
        }
    }

    fn draw_totals(
        &self,
        p: &mut Painter,
        _theme: &Theme,
        y: u16,
        label: &str,
        totals: &Totals,
        style: Style,
    ) {
        p.fill(Rect::new(0, y, self.screen_width, 1), style);
        p.cell(
            2,
            y,
            self.name_width,
            &format!("{label}（{} 件）", totals.records),
            Align::Left,
            style,
        );
        for &(column, x, w) in &self.columns {
            p.put(x - 3, y, x, self.separators.column, style);
            p.number(x, y, w, &view::total_text(totals, column), style);
        }
    }
}

/// Widths that hold every value: a count is never larger than the total.
/// Room for change marks such as ▴12 beside the numbers, while any are shown.
fn mark_width(app: &App, column: Column) -> u16 {
    app.changes
        .rows
        .values()
        .filter_map(|change| change.delta(column))
        .map(|delta| changes::mark(delta, true).len() as u16)
        .max()
        .unwrap_or(0)
}

fn column_width(column: Column, totals: &Totals) -> u16 {
    let digits = |v: Option<u64>| v.map_or(1, |v| v.to_string().len()) as u16;
    match column {
        Column::Secured | Column::Ready | Column::Inpatients => digits(totals.count(column)).max(4),
        Column::Free => (digits(totals.ready) + 1).max(4),
        Column::Occupancy => 4,
        Column::Age => 8,
        Column::Status => 16,
        Column::Municipality => 10,
        Column::AreaName => 12,
        Column::ReportedAt => 16,
        Column::RecordDate | Column::HospitalCode => 10,
        Column::MunicipalityCode => 8,
        Column::AreaCode | Column::PrefectureNo | Column::Prefecture => 8,
        Column::HospitalName | Column::Extra(_) => 12,
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Every key as bound now and every view: see [`super::help`]. The status
/// line stays in sight below it.
fn draw_help(p: &mut Painter, keys: &KeyMap, scroll: &mut usize, theme: &Theme, area: Rect) {
    let above_status = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    super::help::draw(p, keys, scroll, theme, above_status);
}

fn draw_row_popup(p: &mut Painter, app: &App, theme: &Theme, area: Rect, row_index: usize) {
    let report = &app.prepared.report;
    let Some(row) = report.rows.get(row_index) else {
        return;
    };
    let mut lines: Vec<(String, String)> = crate::view::display_columns(report)
        .into_iter()
        .map(|c| {
            (
                view::column_header(report, c).to_string(),
                view::cell_text(row, c, &app.spec),
            )
        })
        .collect();
    for flag in row.flags(app.now()).iter() {
        lines.push(("要確認".to_string(), flag.description().to_string()));
    }
    let title = crate::text::sanitize(&row.hospital_name);
    draw_list_popup(p, theme, area, &title, 76, 24, &lines);
}

/// A centred box of (label, text) lines, as many as fit.
fn draw_list_popup(
    p: &mut Painter,
    theme: &Theme,
    area: Rect,
    title: &str,
    width: u16,
    label_width: u16,
    lines: &[(String, String)],
) {
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    p.frame(rect, title, theme.popup);
    let shown = usize::from(height.saturating_sub(2));
    for (i, (label, text)) in lines.iter().take(shown).enumerate() {
        let y = rect.y + 1 + i as u16;
        p.cell(rect.x + 2, y, label_width, label, Align::Left, theme.popup);
        let text_x = rect.x + 3 + label_width;
        p.put(text_x, y, rect.right() - 1, text, theme.popup);
    }
}

//! Draws the dashboard from the app state: header, chart, table, status, popups.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use super::app::{scrollable_columns, App, Popup, TableLine, ViewKind};
use super::export_dialog::{ExportDialog, Field};
use super::header::Header;
use super::keymap::{KeyMap, Mode};
use super::painter::{centered, Painter};
use super::table_layout::{self, NameColumn, Separators, TableColumn, TableFit};
use super::theme::Theme;
use super::view_model::{header_words, staying_power, staying_power_in};
use super::{hospital_page, master_view, status_line};
use crate::model::{Column, ColumnKind, Totals};
use crate::text::width::{self, Align, AmbiguousWidth};
use crate::view::{self, changes};

/// Below this height the chart hides itself.
const CHART_MIN_HEIGHT: u16 = 20;
const CHART_HEIGHT: u16 = 3;
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
    if app.near.is_some() {
        super::near_view::draw(&mut p, app, &theme, area);
        // The hospital page opens below the 搬送先候補 header line.
        draw_overlays(&mut p, app, &theme, area, 1);
        return;
    }
    let chart = app.show_chart && area.height >= CHART_MIN_HEIGHT;
    let chart_height = if chart { CHART_HEIGHT } else { 0 };
    let bed_totals = app.toggles.grand_total && app.kind.shows_bed_totals();
    let total_height = u16::from(bed_totals);
    let header = Header::new(app, &theme, area.width);
    let header_height = header.height();
    let body_top = header_height + chart_height + COLUMN_HEADER_HEIGHT;
    let body_height = area.height.saturating_sub(body_top + total_height + 1);
    app.page_rows = usize::from(body_height.max(1));
    app.keep_selection_visible();

    header.draw(&mut p, area.width);
    if chart {
        draw_chart(
            &mut p,
            app,
            &theme,
            Rect::new(0, header_height, area.width, CHART_HEIGHT),
        );
    }
    let table = TableLayout::new(app, area.width);
    let header_y = header_height + chart_height;
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
        let shown = (app.scroll..).zip(app.prepared.lines_from(app.scroll));
        for (line_no, line) in shown.take(usize::from(body_height)) {
            let y = body_top + (line_no - app.scroll) as u16;
            table.draw_line(&mut p, app, &theme, line, y, line_no == app.selected);
        }
        // While rows are still coming, "no rows" would be wrong: the progress frame says so.
        if app.prepared.line_count() == 0 && super::loading::loading_lines(app).is_none() {
            p.put(
                2,
                body_top,
                area.width,
                "該当する行はありません",
                theme.status,
            );
        }
    }
    if bed_totals {
        let y = area.height.saturating_sub(2);
        let totals = app.prepared.view.totals;
        table.draw_totals(&mut p, &theme, y, "総計", &totals, theme.total);
    }
    status_line::draw(&mut p, app, &theme, area);
    super::loading::draw(&mut p, app, &theme, area);
    draw_overlays(&mut p, app, &theme, area, header_height);
}

/// What opens over the screen: popups, the hospital page (below `page_top`),
/// the dialogs and the question before quitting.
fn draw_overlays(p: &mut Painter, app: &mut App, theme: &Theme, area: Rect, page_top: u16) {
    match &app.popup {
        Some(Popup::Help) => draw_help(
            p,
            &app.keys,
            &app.display_note,
            &mut app.help_scroll,
            theme,
            area,
        ),
        Some(Popup::Row(row)) => draw_row_popup(p, app, theme, area, *row),
        Some(Popup::Hospital) => {
            if let Some(page) = &app.page {
                let rect = Rect::new(
                    0,
                    page_top,
                    area.width,
                    area.height.saturating_sub(page_top + 1),
                );
                hospital_page::draw(p, page, theme, rect);
            }
        }
        None => {}
    }
    if let Some(dialog) = &app.export_dialog {
        draw_export_dialog(p, dialog, theme, area);
    }
    if let Some(input) = &app.near_input {
        super::near_view::draw_input(p, input, theme, area);
    }
    if app.mode == Mode::ConfirmQuit {
        let text = "終了しますか？  y: 終了する   n: 続ける";
        let w = (width::str_width(text, p.amb) as u16 + 4).min(area.width);
        let rect = centered(area, w, 3);
        p.frame(rect, "確認", theme.popup);
        p.put(rect.x + 2, rect.y + 1, rect.right() - 1, text, theme.popup);
    }
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
pub(super) fn tail(text: &str, max: usize, amb: AmbiguousWidth) -> String {
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
        if entry.acknowledged {
            // Who acknowledged which alert reads as one sentence.
            p.put(
                14,
                y,
                area.right(),
                &crate::text::sanitize(&entry.text),
                style,
            );
        } else {
            p.cell(14, y, name_width, &entry.name, Align::Left, style);
            p.put(15 + name_width, y, area.right(), &entry.text, style);
        }
    }
}

/// Cells kept beside a marked count for its change mark (▴ and two digits),
/// so marks coming and going do not move the columns; a wider mark widens
/// the column once.
const MARK_ROOM: usize = 3;
/// The name column takes at most this on a wide screen; the rest goes to
/// more columns, then stays blank.
const NAME_MOST: usize = 40;
/// The name narrows to this before any column gives way.
const NAME_FLOOR: usize = 16;
/// The name's least width when only one column is left beside it.
const NAME_LEAST: usize = 8;
/// At the right of the column header when columns are hidden there.
const HIDDEN_RIGHT_MARK: &str = " >";
/// At the left of the column header when columns are scrolled off there.
const HIDDEN_LEFT_MARK: &str = "<";

/// Where each column of the table goes on this screen.
struct TableLayout {
    separators: Separators,
    name_width: u16,
    /// (column, x, width) of the scrollable columns that fit.
    columns: Vec<(Column, u16, u16)>,
    screen_width: u16,
    /// Columns are scrolled off to the left.
    hidden_left: bool,
    /// Columns after the first shown one gave way or are off to the right.
    hidden_right: bool,
}

impl TableLayout {
    /// Lays the table out from the widths its data needs, which only grow
    /// while the dashboard runs (kept in `app.column_widths`).
    fn new(app: &mut App, screen_width: u16) -> Self {
        let separators = Separators::new(app.options.ascii, app.options.ambiguous);
        let amb = app.options.ambiguous;
        // Another kind of table starts with widths of its own.
        if app.column_widths_of != app.kind {
            app.column_widths.forget();
            app.column_widths_of = app.kind;
        }
        let label_width = width::str_width(
            &format!("総計（{} 件）", app.prepared.view.total_records),
            amb,
        );
        let name_needed = app.prepared.name_width.max(label_width).min(NAME_MOST);
        let name = NameColumn {
            preferred: app.column_widths.widen(Column::HospitalName, name_needed),
            floor: NAME_FLOOR.max(label_width),
            least: NAME_LEAST.max(label_width),
            staying: staying_power(Column::HospitalName),
        };
        let scrolled: Vec<Column> = scrollable_columns(&app.prepared.report)
            .into_iter()
            .skip(app.column_offset)
            .collect();
        let wants: Vec<TableColumn> = scrolled
            .iter()
            .map(|&column| {
                let needed = column_needs(app, column);
                let width = app.column_widths.widen(column, needed);
                TableColumn {
                    width,
                    least: column_least(column).min(width),
                    staying: staying_power_in(app.kind, column),
                }
            })
            .collect();
        let fit_with_mark_room = |mark: usize| {
            table_layout::fit_table(
                name,
                &wants,
                separators.width(),
                usize::from(screen_width.saturating_sub(MARK_WIDTH)),
                mark,
            )
        };
        // The mark goes at the end of the header line; room is kept for it
        // only when the last header would reach under it.
        let mut fit = fit_with_mark_room(0);
        if fit.hidden && !mark_has_room(app, &fit, &scrolled, separators.width(), screen_width) {
            fit = fit_with_mark_room(HIDDEN_RIGHT_MARK.len());
        }
        let name_width = fit.name as u16;
        let widths: Vec<usize> = fit.columns.iter().map(|&(_, w)| w).collect();
        let placed = table_layout::starts(
            usize::from(MARK_WIDTH) + fit.name + separators.width(),
            separators.width(),
            &widths,
        );
        // On a screen too narrow even for the first column, it is left out
        // rather than shown cut.
        let columns: Vec<(Column, u16, u16)> = fit
            .columns
            .iter()
            .zip(placed)
            .filter(|&(&(_, w), x)| x + w <= usize::from(screen_width))
            .map(|(&(i, w), x)| (scrolled[i], x as u16, w as u16))
            .collect();
        let hidden_right = fit.hidden || columns.len() < fit.columns.len();
        Self {
            separators,
            name_width,
            columns,
            screen_width,
            hidden_left: app.column_offset > 0,
            hidden_right,
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
            let words = header_words(&app.prepared.report, column);
            let lines = table_layout::wrap_words(&words, usize::from(w), 2, p.amb);
            for (dy, line) in (0..2).zip(lines.iter().map(String::as_str).chain([""; 2])) {
                p.cell(x, y + dy, w, line, Align::Left, style);
            }
        }
        if self.hidden_left {
            p.put(0, y, 1, HIDDEN_LEFT_MARK, style);
        }
        if self.hidden_right {
            let x = self
                .screen_width
                .saturating_sub(HIDDEN_RIGHT_MARK.len() as u16);
            p.put(x, y, self.screen_width, HIDDEN_RIGHT_MARK, style);
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
            if column == Column::Status && text.is_empty() && watched {
                text = "監視中".to_string();
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
        // The label gives way, never the count.
        let count = format!("（{} 件）", totals.records);
        let room = usize::from(self.name_width).saturating_sub(width::str_width(&count, p.amb));
        let text = format!("{}{count}", width::truncate(label, room, p.amb));
        p.cell(2, y, self.name_width, &text, Align::Left, style);
        for &(column, x, w) in &self.columns {
            p.put(x - 3, y, x, self.separators.column, style);
            p.number(x, y, w, &view::total_text(totals, column), style);
        }
    }
}

/// Cells of the widest change mark shown in `column`, such as ▴12.
fn mark_width(app: &App, column: Column) -> u16 {
    app.changes
        .rows
        .values()
        .filter_map(|change| change.delta(column))
        .map(|delta| changes::mark(delta, true).len() as u16)
        .max()
        .unwrap_or(0)
}

/// Whether the first header line is blank under the hidden-columns mark.
fn mark_has_room(app: &App, fit: &TableFit, scrolled: &[Column], gap: usize, screen: u16) -> bool {
    let end = usize::from(MARK_WIDTH)
        + fit.name
        + fit.columns.iter().map(|(_, w)| w + gap).sum::<usize>();
    let mark_at = usize::from(screen).saturating_sub(HIDDEN_RIGHT_MARK.len());
    let Some(&(i, w)) = fit.columns.last() else {
        return end <= mark_at;
    };
    let words = header_words(&app.prepared.report, scrolled[i]);
    let first_line = table_layout::wrap_words(&words, w, 2, app.options.ambiguous)
        .into_iter()
        .next()
        .unwrap_or_default();
    end - w + width::str_width(&first_line, app.options.ambiguous) <= mark_at
}

/// Cells `column` needs now: its widest header word, and its values with
/// room for a change mark, or a fixed width for text.
fn column_needs(app: &App, column: Column) -> usize {
    let report = &app.prepared.report;
    let header = header_words(report, column)
        .iter()
        .map(|word| width::str_width(word, app.options.ambiguous))
        .max()
        .unwrap_or(0);
    let data = match app.prepared.count_widths.get(column) {
        Some(widest_value) => {
            let mark = usize::from(mark_width(app, column)).max(MARK_ROOM);
            (widest_value + mark).max(total_width(column, &app.prepared.view.totals))
        }
        None => column_width(column),
    };
    header.max(data)
}

/// Cells of the widest total or subtotal a count column can show: a group's
/// sum is never larger than the whole, and a negative 空床 never below −入院中.
fn total_width(column: Column, totals: &Totals) -> usize {
    let digits = |v: Option<u64>| v.map_or(1, |v| v.to_string().len());
    match column {
        Column::Free => digits(totals.ready).max(digits(totals.inpatients) + 1),
        _ => digits(totals.count(column)),
    }
}

/// The fixed width of a column that is not a marked count.
fn column_width(column: Column) -> usize {
    match column {
        Column::Occupancy => 4,
        Column::Age => 8,
        Column::Status => 16,
        Column::Municipality => 10,
        Column::AreaName => 12,
        Column::ReportedAt => 16,
        Column::RecordDate | Column::HospitalCode | Column::AreaCode => 10,
        Column::MunicipalityCode => 14,
        Column::PrefectureNo | Column::Prefecture => 8,
        Column::Secured
        | Column::Ready
        | Column::Inpatients
        | Column::Free
        | Column::HospitalName
        | Column::Extra(_) => 12,
    }
}

/// How far a column narrows before columns give way: 状態 keeps room for
/// 「即応>確保」 and 「監視中」; the others keep their width.
fn column_least(column: Column) -> usize {
    match column {
        Column::Status => 10,
        other => column_width(other),
    }
}

/// Every key as bound now and every view: see [`super::help`]. The status
/// line stays in sight below it.
fn draw_help(
    p: &mut Painter,
    keys: &KeyMap,
    display: &str,
    scroll: &mut usize,
    theme: &Theme,
    area: Rect,
) {
    let above_status = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    super::help::draw(p, keys, display, scroll, theme, above_status);
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

//! 「フォーマット済みレポート」: the report as an Excel workbook, laid out as `print`
//! lays it out and G-MIS's formatted export does.
//!
//! Title lines (title, 消防本部, the data's time, the totals, the conditions), a
//! blank line, the header row (frozen), then the rows; when grouped, each group
//! has a heading line 「東京都 (12)」 and a 小計 row, and the 総計 row closes the
//! table. Columns are G-MIS's, in its order, then 空床, then the file's extra
//! columns, so the workbook reads back ([`crate::formats::xlsx`]).
//!
//! Counts are numbers; codes are text (they keep their leading zeros); 実績日 and
//! 報告日時 are Excel dates shown as 2022/01/05 and 2022/02/01 11:32. Names wrap
//! in their column, line breaks in a value stay. The sheet prints on A4,
//! landscape, one page wide, with 「1 / 3」 page numbers in the footer.
//!
//! Every text is written as a string, never as a formula; one that a spreadsheet
//! would take for a formula also gets Excel's quote prefix, so editing the cell
//! does not turn it into one. Control characters a cell cannot hold are left out
//! and reported ([`super::clean`]).

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatBorder, IgnoreError, Workbook, Worksheet, XlsxError,
};

use super::csv::Lost;
use super::{clean, shown_rows, ExportError, ExportRequest};
use crate::model::{time, Column, ReportRow, Totals};
use crate::text::width::{self, AmbiguousWidth};
use crate::view;

/// Rows in an Excel sheet.
pub const MAX_SHEET_ROWS: usize = 1_048_576;
/// Column widths in Excel's units (about one half-width character each).
const MIN_WIDTH: usize = 4;
const MAX_WIDTH: usize = 60;
/// The name column wraps beyond this width rather than growing.
const NAME_WIDTH: usize = 40;
/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// The footer: 「ページ / ページ数」, centred.
const FOOTER: &str = "&C&P / &N";

/// What a spreadsheet takes for the start of a formula when the cell is edited.
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

struct Formats {
    title: Format,
    text: Format,
    quoted: Format,
    wrapped: Format,
    wrapped_quoted: Format,
    date: Format,
    date_time: Format,
    number: Format,
    free: Format,
    header: Format,
    heading: Format,
    heading_quoted: Format,
    total_text: Format,
    total_number: Format,
    total_free: Format,
}

impl Formats {
    fn new() -> Self {
        // "@" keeps a cell text when it is edited: codes stay codes.
        let text = Format::new().set_num_format("@");
        let free = Format::new().set_num_format("0;[Red]-0");
        let total = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2))
            .set_border_top(FormatBorder::Thin);
        let heading = text.clone().set_bold();
        let wrapped = text.clone().set_text_wrap();
        Self {
            title: Format::new().set_bold().set_font_size(14),
            quoted: text.clone().set_quote_prefix(),
            wrapped_quoted: wrapped.clone().set_quote_prefix(),
            wrapped,
            date: Format::new().set_num_format("yyyy/mm/dd"),
            date_time: Format::new().set_num_format("yyyy/mm/dd hh:mm"),
            number: Format::new(),
            header: text
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border_bottom(FormatBorder::Thin),
            heading_quoted: heading.clone().set_quote_prefix(),
            heading,
            total_text: total.clone().set_num_format("@"),
            total_free: total.clone().set_num_format("0;[Red]-0"),
            total_number: total,
            text,
            free,
        }
    }
}

/// Writes cells and keeps each column's widest text.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    widths: Vec<usize>,
    /// What the cells could not hold, left out: (sheet row, 1-based; character).
    lost: Vec<Lost>,
}

impl Sheet<'_> {
    fn text(&mut self, row: u32, col: u16, text: &str, format: &Format) -> Result<(), BuildError> {
        let text = self.cleaned(row, text);
        if text.is_empty() {
            return Ok(());
        }
        if text.chars().nth(MAX_CELL_CHARS).is_some() {
            return Err(BuildError::TooLong { row, col });
        }
        self.sheet
            .write_string_with_format(row, col, text.as_ref(), format)?;
        let widest = clean::lines(&text)
            .map(|line| width::str_width(line.trim_end(), AmbiguousWidth::Wide))
            .max()
            .unwrap_or(0);
        self.measure(col, widest);
        Ok(())
    }

    /// A text that runs over the empty cells beside it (a title, a heading): not measured.
    fn line(&mut self, row: u32, text: &str, format: &Format) -> Result<(), XlsxError> {
        let text = self.cleaned(row, text);
        self.sheet
            .write_string_with_format(row, 0, text.as_ref(), format)?;
        Ok(())
    }

    /// `text` without the controls a cell cannot hold, each noted with its row.
    fn cleaned<'t>(&mut self, row: u32, text: &'t str) -> std::borrow::Cow<'t, str> {
        let (text, dropped) = clean::clean(text, false);
        self.lost.extend(dropped.into_iter().map(|character| Lost {
            line: row as usize + 1,
            character,
            dropped: true,
        }));
        text
    }

    /// 実績日 or 報告日時 as an Excel date; as text when Excel cannot hold it.
    fn date(&mut self, r: u32, c: u16, row: &ReportRow, column: Column) -> Result<(), BuildError> {
        let formats = self.formats;
        let (value, format, text) = match column {
            Column::RecordDate => (
                excel_date(row.record_date, None),
                &formats.date,
                time::format_date(row.record_date),
            ),
            _ => {
                let at = row.reported_at.with_timezone(&time::jst()).naive_local();
                (
                    excel_date(at.date(), Some(at.time())),
                    &formats.date_time,
                    time::format_datetime(&row.reported_at),
                )
            }
        };
        match value {
            Some(value) => {
                self.sheet.write_datetime_with_format(r, c, value, format)?;
                self.measure(c, text.len());
                Ok(())
            }
            None => self.text(r, c, &text, &formats.text),
        }
    }

    fn number(&mut self, row: u32, col: u16, value: f64, format: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_number_with_format(row, col, value, format)?;
        self.measure(col, value.to_string().len());
        Ok(())
    }

    fn measure(&mut self, col: u16, cells: usize) {
        let slot = &mut self.widths[usize::from(col)];
        *slot = (*slot).max(cells);
    }

    /// A detail row.
    fn detail(
        &mut self,
        r: u32,
        columns: &[Column],
        row: &ReportRow,
        spec: &view::ViewSpec,
    ) -> Result<(), BuildError> {
        let formats = self.formats;
        for (c, &column) in columns.iter().enumerate() {
            let c = c as u16;
            match column {
                Column::Secured | Column::Ready | Column::Inpatients => {
                    if let Some(v) = row.count(column) {
                        self.number(r, c, f64::from(v), &formats.number)?;
                    }
                }
                Column::Free => {
                    if let Some(v) = row.free_beds() {
                        self.number(r, c, v as f64, &formats.free)?;
                    }
                }
                Column::RecordDate | Column::ReportedAt => self.date(r, c, row, column)?,
                _ => {
                    let text = view::cell_text(row, column, spec);
                    let wrap = column == Column::HospitalName || clean::line_breaks(&text) > 0;
                    let format = match (looks_like_formula(&text), wrap) {
                        (true, true) => &formats.wrapped_quoted,
                        (true, false) => &formats.quoted,
                        (false, true) => &formats.wrapped,
                        (false, false) => &formats.text,
                    };
                    self.text(r, c, &text, format)?;
                }
            }
        }
        Ok(())
    }

    /// A 小計 or 総計 row: the label in the first column, the sums in the count columns.
    fn totals(
        &mut self,
        r: u32,
        columns: &[Column],
        label: &str,
        totals: &Totals,
    ) -> Result<(), BuildError> {
        let formats = self.formats;
        let (text, number, free) = (
            &formats.total_text,
            &formats.total_number,
            &formats.total_free,
        );
        for (c, &column) in columns.iter().enumerate() {
            let c = c as u16;
            let sum = totals.get(column).map(|v| v as f64);
            match sum {
                Some(v) if column == Column::Free => self.number(r, c, v, free)?,
                Some(v) => self.number(r, c, v, number)?,
                None if c == 0 => {
                    self.text(r, c, &format!("{label}（{} 件）", totals.records), text)?
                }
                None => {
                    self.sheet.write_blank(r, c, text)?;
                }
            };
        }
        Ok(())
    }
}

/// The workbook's bytes and what its cells could not hold (left out).
pub(super) fn formatted(request: &ExportRequest) -> Result<(Vec<u8>, Vec<Lost>), ExportError> {
    build(request).map_err(|err| match err {
        BuildError::TooManyRows(rows) => ExportError::TooManyRows {
            rows,
            limit: MAX_SHEET_ROWS,
        },
        BuildError::Xlsx(err) => ExportError::Workbook {
            message: xlsx_error_text(&err),
        },
        BuildError::TooLong { row, col } => {
            let name = sheet_columns(request.report)
                .get(usize::from(col))
                .map(|&column| view::column_header(request.report, column))
                .unwrap_or_default();
            ExportError::Workbook {
                message: format!(
                    "{} 行目の列「{}」の値が 32,767 文字を超えています",
                    row + 1,
                    crate::text::sanitize(name)
                ),
            }
        }
    })
}

/// The most characters Excel holds in a cell.
const MAX_CELL_CHARS: usize = 32_767;

enum BuildError {
    TooManyRows(usize),
    Xlsx(XlsxError),
    /// A text over [`MAX_CELL_CHARS`], at this cell (0-based).
    TooLong {
        row: u32,
        col: u16,
    },
}

impl From<XlsxError> for BuildError {
    fn from(err: XlsxError) -> Self {
        BuildError::Xlsx(err)
    }
}

fn xlsx_error_text(err: &XlsxError) -> String {
    match err {
        XlsxError::MaxStringLengthExceeded => "32,767 文字を超える値があります".to_string(),
        XlsxError::RowColumnLimitError => "Excel の行数・列数の上限を超えます".to_string(),
        other => other.to_string(),
    }
}

/// The title lines: title, 消防本部, the data's time (the newest 報告日時 shown)
/// and the fetch time, totals, rows left out, conditions, the export's time.
fn title_lines(request: &ExportRequest) -> Vec<String> {
    let header = &request.header;
    let mut lines = vec![header.title.clone()];
    if let Some(department) = &header.fire_department {
        lines.push(format!("消防本部: {department}"));
    }
    let newest = shown_rows(request.report, request.view)
        .map(|row| row.reported_at)
        .max();
    if let Some(at) = &newest {
        lines.push(format!(
            "データの時刻: {}（最新の報告日時）",
            time::format_datetime(at)
        ));
    }
    if let Some(at) = &header.fetched_at {
        lines.push(format!("取得日時: {}", time::format_datetime(at)));
    }
    lines.push(request.view.summary_line());
    lines.extend(request.view.superseded_note());
    lines.extend(header.conditions.iter().cloned());
    lines.push(format!(
        "出力日時: {}",
        time::format_datetime(&request.spec.now)
    ));
    lines
}

/// A date (and time) as Excel holds it; none outside Excel's years (1900–9999).
fn excel_date(date: chrono::NaiveDate, at: Option<chrono::NaiveTime>) -> Option<ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(date.year()).ok()?;
    let day = ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()?;
    match at {
        None => Some(day),
        Some(t) => {
            let seconds = f64::from(t.second()) + f64::from(t.nanosecond() % 1_000_000_000) / 1e9;
            day.and_hms(t.hour() as u16, t.minute() as u8, seconds).ok()
        }
    }
}

/// A sheet name Excel accepts: the title without []:*?/\, at most 31 characters.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .take(31)
        .collect();
    let name = name.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    if name.is_empty() {
        "レポート".to_string()
    } else {
        name.to_string()
    }
}

/// The sheet's columns: G-MIS's, 空床, then the report's extra ones.
fn sheet_columns(report: &crate::model::Report) -> Vec<Column> {
    Column::GMIS
        .into_iter()
        .chain([Column::Free])
        .chain((0..report.extra_columns.len()).map(Column::Extra))
        .collect()
}

fn build(request: &ExportRequest) -> Result<(Vec<u8>, Vec<Lost>), BuildError> {
    let report = request.report;
    let view = request.view;
    let columns = sheet_columns(report);
    let titles = title_lines(request);
    let header_row = titles.len() + 1;
    let table_rows = view.order.len() + 2 * view.groups.len() + usize::from(!view.order.is_empty());
    let needed = header_row + 1 + table_rows;
    if needed > MAX_SHEET_ROWS {
        return Err(BuildError::TooManyRows(needed));
    }

    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    if worksheet
        .set_name(sheet_name(&request.header.title))
        .is_err()
    {
        worksheet.set_name("レポート")?;
    }
    let formats = Formats::new();
    let mut sheet = Sheet {
        sheet: worksheet,
        formats: &formats,
        widths: vec![0; columns.len()],
        lost: Vec::new(),
    };

    // Title lines stand in the first column and run over the empty cells beside it:
    // they are not measured.
    for (r, line) in titles.iter().enumerate() {
        let format = if r == 0 {
            &formats.title
        } else if looks_like_formula(line) {
            &formats.quoted
        } else {
            &formats.text
        };
        sheet.line(r as u32, line, format)?;
    }

    let header_row = header_row as u32;
    for (c, &column) in columns.iter().enumerate() {
        sheet.text(
            header_row,
            c as u16,
            view::column_header(report, column),
            &formats.header,
        )?;
    }
    sheet.sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.sheet.set_repeat_rows(header_row, header_row)?;

    let mut r = header_row + 1;
    let rows: Vec<&ReportRow> = shown_rows(report, view).collect();
    if view.groups.is_empty() {
        for row in &rows {
            sheet.detail(r, &columns, row, request.spec)?;
            r += 1;
        }
    } else {
        for group in &view.groups {
            let heading = format!("{} ({})", group.label, group.rows.len());
            let format = if looks_like_formula(&heading) {
                &formats.heading_quoted
            } else {
                &formats.heading
            };
            sheet.line(r, &heading, format)?;
            r += 1;
            for &i in &view.order[group.rows.clone()] {
                if let Some(row) = report.rows.get(i) {
                    sheet.detail(r, &columns, row, request.spec)?;
                    r += 1;
                }
            }
            sheet.totals(r, &columns, "小計", &group.totals)?;
            r += 1;
        }
    }
    if !rows.is_empty() {
        sheet.totals(r, &columns, "総計", &view.totals)?;
        r += 1;
    }

    for (c, &cells) in sheet.widths.iter().enumerate() {
        let most = if columns[c] == Column::HospitalName {
            NAME_WIDTH
        } else {
            MAX_WIDTH
        };
        let width = (cells + 2).clamp(MIN_WIDTH, most);
        sheet.sheet.set_column_width(c as u16, width as f64)?;
    }
    let last_col = columns.len().saturating_sub(1) as u16;
    if r > header_row + 1 {
        // Codes are text on purpose: no green "number stored as text" marks.
        sheet.sheet.ignore_error_range(
            header_row + 1,
            0,
            r - 1,
            last_col,
            IgnoreError::NumberStoredAsText,
        )?;
    }
    sheet.sheet.set_landscape();
    sheet.sheet.set_paper_size(PAPER_A4);
    sheet.sheet.set_footer(FOOTER);
    sheet.sheet.set_print_fit_to_pages(1, 0);
    let lost = std::mem::take(&mut sheet.lost);
    Ok((workbook.save_to_buffer()?, lost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid() {
        assert_eq!(sheet_name("病床数(消防)"), "病床数(消防)");
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name("''"), "レポート");
        assert_eq!(sheet_name(&"長".repeat(40)).chars().count(), 31);
    }
}

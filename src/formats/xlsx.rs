//! The formatted report (「フォーマット済みレポート」) as an Excel workbook (.xlsx):
//! reading it back, as bedboard's export writes it and as G-MIS's own export looks.
//!
//! The table is found on the first sheet that has one: the header row is the first
//! row holding at least [`MIN_HEADER_NAMES`] G-MIS column names, below any title
//! lines. Below it come detail rows, and, in a grouped report:
//! - a group heading: one cell in the table's first column, 「東京都 (12)」; or, as
//!   G-MIS lays it out, the label in the first column of the group's first detail
//!   row, that column left blank in the rows after it (it is filled in again);
//! - a subtotal row: 「小計…」 (or 「合計」 inside a group, or only numbers in the
//!   count columns), checked against the group's detail rows;
//! - the grand total: 「総計…」 (or 「合計」/「Total」 outside a group), checked
//!   against all detail rows.
//!
//! Every detail row goes through `gmis_csv::import_checked_records`, so the
//! CSV's column lookup, row checks and sanitising apply. Row numbers in messages
//! are the sheet's row numbers, as Excel shows them.
//!
//! Excel types cells: numbers may come as floats (3.0 is 3), and a code typed as
//! a number has lost its leading zeros (医療機関コード 131017001 for 0131017001):
//! such a code is padded back to its length and the padding is noted.

use std::io::Cursor;
use std::ops::RangeInclusive;

use calamine::{Data, Reader, Xlsx, XlsxError};

use super::encoding::DetectedEncoding;
use super::gmis_csv::{self, Record};
use super::import::{
    excerpt, Import, ImportError, ImportErrorKind, ImportOptions, Numbering, TotalCheck,
};
use crate::model::{Column, Totals};

/// A row with at least this many G-MIS column names is the header row.
pub const MIN_HEADER_NAMES: usize = 5;

/// True if the bytes are a zip archive (what an .xlsx is).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a report from an .xlsx workbook.
pub fn import_xlsx(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let source_name = options.source_name.clone();
    let unreadable = |err: &XlsxError| {
        ImportErrorKind::XlsxUnreadable {
            message: xlsx_error_text(err),
        }
        .of(&source_name)
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(ImportErrorKind::XlsxUnreadable {
            message: "シートがありません".to_string(),
        }
        .of(&source_name));
    }
    let mut any_cell = false;
    for name in &names {
        let range = workbook.worksheet_range(name).map_err(|e| unreadable(&e))?;
        any_cell |= range.used_cells().next().is_some();
        let sheet = Sheet::from_range(&range);
        if let Some(header) = sheet.find_header() {
            return read_table(&sheet, header, options);
        }
    }
    if any_cell {
        Err(ImportErrorKind::NotAReport { line: 0 }.of(&source_name))
    } else {
        Err(ImportErrorKind::Empty.of(&source_name))
    }
}

/// Why calamine could not open the workbook, in words.
fn xlsx_error_text(err: &XlsxError) -> String {
    match err {
        XlsxError::Zip(_) => "ファイルが壊れています".to_string(),
        XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound => {
            "Excel のブックではない ZIP ファイルです".to_string()
        }
        XlsxError::Io(err) => crate::files::io_error_text(err),
        XlsxError::Password => "パスワードで保護されています".to_string(),
        _ => "内容が壊れています".to_string(),
    }
}

/// A sheet's cells with their absolute positions.
struct Sheet<'a> {
    rows: Vec<&'a [Data]>,
    /// The sheet row (0-based) of `rows[0]`.
    first_row: u32,
}

impl<'a> Sheet<'a> {
    fn from_range(range: &'a calamine::Range<Data>) -> Self {
        // Columns left of the range are empty; a row's cells are relative to its start,
        // and positions are only compared within one range.
        Self {
            rows: range.rows().collect(),
            first_row: range.start().map_or(0, |(row, _)| row),
        }
    }

    /// The 1-based row number Excel shows for `rows[i]`.
    fn row_number(&self, i: usize) -> u64 {
        u64::from(self.first_row) + i as u64 + 1
    }

    /// The index in `rows` of the header row.
    fn find_header(&self) -> Option<usize> {
        self.rows.iter().position(|row| {
            row.iter()
                .filter(|cell| matches!(cell, Data::String(s) if Column::from_header(s).is_some()))
                .count()
                >= MIN_HEADER_NAMES
        })
    }
}

/// Derived columns an export adds (空床): computed again, never read.
fn is_derived(name: &str) -> bool {
    Column::DERIVED.iter().any(|c| c.name() == name.trim())
}

/// Text of a cell, whatever Excel typed it as.
fn cell_string(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => date_time_text(dt, None),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// 3.0 is "3"; other floats as Rust writes them.
fn float_text(f: f64) -> String {
    match whole_number(f) {
        Some(i) => i.to_string(),
        None => f.to_string(),
    }
}

fn whole_number(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// An Excel date serial in G-MIS's form: 「2022/01/05」 for 実績日, 「2022/02/01 11:32」
/// for 報告日時 (seconds only if there are any).
fn date_time_text(dt: &calamine::ExcelDateTime, column: Option<Column>) -> String {
    if dt.is_duration() {
        return float_text(dt.as_f64());
    }
    use chrono::{NaiveDate, Timelike};
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let Some(mut at) = NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
        .and_then(|date| date.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
    else {
        // 1900/02/29, Excel's own mistake: the serial as it is.
        return float_text(dt.as_f64());
    };
    if ms >= 500 {
        // Excel stores a time as a fraction of a day: round to the second.
        at += chrono::Duration::seconds(1);
    }
    let midnight = at.time() == chrono::NaiveTime::MIN;
    match column {
        Some(Column::RecordDate) => at.format("%Y/%m/%d").to_string(),
        None if midnight => at.format("%Y/%m/%d").to_string(),
        _ if at.second() != 0 => at.format("%Y/%m/%d %H:%M:%S").to_string(),
        _ => at.format("%Y/%m/%d %H:%M").to_string(),
    }
}

/// How many digits a code column holds.
fn code_length(column: Column) -> Option<usize> {
    Some(match column {
        Column::PrefectureNo => 2,
        Column::MunicipalityCode => 6,
        Column::AreaCode => 4,
        Column::HospitalCode => 10,
        _ => return None,
    })
}

/// A detail cell as the text the CSV would hold. A code Excel typed as a number
/// gets its leading zeros back; `padded` is set when that happened.
fn field_text(cell: &Data, column: Option<Column>, padded: &mut bool) -> String {
    let integer = match cell {
        Data::Int(i) => Some(*i),
        Data::Float(f) => whole_number(*f),
        _ => None,
    };
    if let (Some(value), Some(length)) = (integer, column.and_then(code_length)) {
        let digits = value.to_string();
        if value >= 0 && digits.len() < length {
            *padded = true;
            return format!("{digits:0>length$}");
        }
        return digits;
    }
    match cell {
        Data::DateTime(dt) => date_time_text(dt, column),
        _ => cell_string(cell),
    }
}

/// A count in a total row: a whole number ≥ 0, typed or as text.
fn count_value(cell: &Data) -> Option<u64> {
    match cell {
        Data::Int(i) => u64::try_from(*i).ok(),
        Data::Float(f) => whole_number(*f).and_then(|i| u64::try_from(i).ok()),
        Data::String(s) => s.trim().replace(',', "").parse().ok(),
        _ => None,
    }
}

/// 「東京都 (12)」「東京都（12）」 → (「東京都」, 12); otherwise the text and no count.
fn split_count(label: &str) -> (String, Option<u64>) {
    let label = label.trim();
    let parsed = (|| {
        let inner = label
            .strip_suffix(')')
            .or_else(|| label.strip_suffix('）'))?;
        let start = inner.rfind(['(', '（'])?;
        let open_len = inner[start..].chars().next()?.len_utf8();
        let number: u64 = inner[start + open_len..]
            .trim()
            .trim_end_matches('件')
            .trim()
            .parse()
            .ok()?;
        Some((inner[..start].trim_end().to_string(), number))
    })();
    match parsed {
        Some((text, n)) => (text, Some(n)),
        None => (label.to_string(), None),
    }
}

/// The record count a total row's label gives: 「小計（12 件）」 → 12.
fn label_count(label: &str) -> Option<u64> {
    split_count(label).1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TotalKind {
    Subtotal,
    Grand,
}

/// A total row found in the sheet, checked once the detail rows are read.
struct FoundTotal {
    kind: TotalKind,
    line: u64,
    /// The group's label, for a subtotal.
    group: Option<String>,
    /// Sheet rows the total covers.
    rows: RangeInclusive<u64>,
    /// Detail rows in `rows` (accepted or not).
    detail_rows: u64,
    given_records: Option<u64>,
    given: Vec<(Column, u64)>,
}

/// The group being read.
struct OpenGroup {
    label: String,
    count: Option<u64>,
    /// The sheet row its rows start after (its heading, or the row before its first row).
    start: u64,
    detail_rows: u64,
}

fn read_table(
    sheet: &Sheet,
    header_index: usize,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let header_row = sheet.rows[header_index];
    // The table's columns: every named header cell but the derived ones.
    let mut positions = Vec::new();
    let mut names = Vec::new();
    for (j, cell) in header_row.iter().enumerate() {
        let name = cell_string(cell);
        if name.trim().is_empty() || is_derived(&name) {
            continue;
        }
        positions.push(j);
        names.push(name);
    }
    let columns: Vec<Option<Column>> = names.iter().map(|n| Column::from_header(n)).collect();
    let first_column = header_row
        .iter()
        .position(|c| !cell_string(c).trim().is_empty())
        .unwrap_or(0);
    let column_at = |column: Column| {
        columns
            .iter()
            .position(|c| *c == Some(column))
            .map(|k| positions[k])
    };
    let code_at = column_at(Column::HospitalCode);
    let count_columns: Vec<(Column, usize)> = [Column::Secured, Column::Ready, Column::Inpatients]
        .into_iter()
        .filter_map(|c| Some((c, column_at(c)?)))
        .collect();
    // Columns whose cells may hold only sums in a total row (空床 too).
    let sum_positions: Vec<usize> = header_row
        .iter()
        .enumerate()
        .filter(|(_, cell)| {
            let name = cell_string(cell);
            let name = name.trim();
            matches!(
                Column::from_header(name),
                Some(Column::Secured | Column::Ready | Column::Inpatients)
            ) || is_derived(name)
        })
        .map(|(j, _)| j)
        .collect();

    let gmis_layout = gmis_group_layout(sheet, header_index, first_column, code_at);
    let mut records = Vec::new();
    let mut totals = Vec::new();
    let mut footer = Vec::new();
    let mut padded = vec![0usize; positions.len()];
    let mut group: Option<OpenGroup> = None;
    let mut grand_seen = false;
    let mut detail_rows = 0u64;
    // The sheet row after which rows not yet covered by a subtotal start.
    let mut section_start = sheet.row_number(header_index);
    // G-MIS's layout: the group's label stands in the first column of its first row.
    let mut fill: Option<String> = None;

    for (i, row) in sheet.rows.iter().enumerate().skip(header_index + 1) {
        let line = sheet.row_number(i);
        let cell = |j: usize| row.get(j).unwrap_or(&Data::Empty);
        let filled: Vec<usize> = (0..row.len())
            .filter(|&j| !cell_string(cell(j)).trim().is_empty())
            .collect();
        let Some(&first_filled) = filled.first() else {
            continue;
        };
        let first_text = cell_string(cell(first_filled)).trim().to_string();
        let has_code = code_at.is_some_and(|j| !cell_string(cell(j)).trim().is_empty());

        if !has_code {
            let labelled = total_word(&first_text);
            let only_sums = filled.iter().all(|j| sum_positions.contains(j));
            if labelled.is_some() || only_sums {
                let in_group = group.as_ref().is_some_and(|g| g.detail_rows > 0);
                let kind = match labelled {
                    Some(TotalWord::Sub) => TotalKind::Subtotal,
                    Some(TotalWord::Grand) => TotalKind::Grand,
                    Some(TotalWord::Either) | None if in_group => TotalKind::Subtotal,
                    Some(TotalWord::Either) | None => TotalKind::Grand,
                };
                let given: Vec<(Column, u64)> = count_columns
                    .iter()
                    .filter_map(|&(c, j)| Some((c, count_value(cell(j))?)))
                    .collect();
                let label_records = labelled.and(label_count(&first_text));
                match kind {
                    TotalKind::Subtotal => {
                        let open = group.take();
                        let (name, start, rows_in, heading_count) = match open {
                            Some(g) => (Some(g.label), g.start, g.detail_rows, g.count),
                            None => (
                                None,
                                section_start,
                                count_rows(&records, section_start, line),
                                None,
                            ),
                        };
                        totals.push(FoundTotal {
                            kind,
                            line,
                            group: name,
                            rows: start + 1..=line,
                            detail_rows: rows_in,
                            given_records: label_records.or(heading_count),
                            given,
                        });
                        section_start = line;
                        fill = None;
                    }
                    TotalKind::Grand => {
                        group = None;
                        grand_seen = true;
                        totals.push(FoundTotal {
                            kind,
                            line,
                            group: None,
                            rows: 0..=line,
                            detail_rows,
                            given_records: label_records,
                            given,
                        });
                    }
                }
                continue;
            }
            if filled.len() == 1 && first_filled <= first_column && !grand_seen {
                // A group heading: 「東京都 (12)」.
                let (label, count) = split_count(&first_text);
                group = Some(OpenGroup {
                    label,
                    count,
                    start: line,
                    detail_rows: 0,
                });
                fill = None;
                section_start = line;
                continue;
            }
            if grand_seen {
                footer.push(
                    filled
                        .iter()
                        .map(|&j| crate::text::sanitize(cell_string(cell(j)).trim()).into_owned())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                continue;
            }
        }

        // A detail row.
        let mut fields = Vec::with_capacity(positions.len());
        for (k, &j) in positions.iter().enumerate() {
            let mut was_padded = false;
            let mut text = field_text(cell(j), columns[k], &mut was_padded);
            padded[k] += usize::from(was_padded);
            if gmis_layout && j == first_column && is_group_column(columns[k]) {
                let (label, count) = split_count(&text);
                if count.is_some() && !label.is_empty() {
                    // G-MIS's layout: a new group starts on this row.
                    group = Some(OpenGroup {
                        label: label.clone(),
                        count,
                        start: line - 1,
                        detail_rows: 0,
                    });
                    section_start = line - 1;
                    fill = Some(label.clone());
                    text = label;
                } else if text.trim().is_empty() {
                    if let Some(label) = &fill {
                        text = label.clone();
                    }
                }
            }
            fields.push(text);
        }
        detail_rows += 1;
        if let Some(g) = group.as_mut() {
            g.detail_rows += 1;
        }
        records.push(Record {
            number: line,
            fields,
            problems: Vec::new(),
        });
    }

    let (mut import, numbers) = gmis_csv::import_checked_records(
        &names,
        records,
        Numbering::Line,
        DetectedEncoding::Utf8,
        options,
    )?;
    import.total_checks = totals
        .into_iter()
        .map(|total| check_total(total, &import, &numbers))
        .collect();
    import.footer = footer;
    for (k, &count) in padded.iter().enumerate() {
        if count > 0 {
            import.notes.push(format!(
                "{}: 列「{}」: 数値として保存されていたコード {count} 件の先頭に 0 を補いました",
                crate::text::sanitize(&import.source_name),
                excerpt(&names[k])
            ));
        }
    }
    Ok(import)
}

/// Whether the sheet puts each group's label in the first column of its first
/// detail row, 「東京都 (12)」, and leaves that column blank in the group's other
/// rows, as G-MIS's formatted report does. Seen as a labelled row of two or more
/// followed by a detail row whose first column is blank; bedboard's own layout
/// has heading lines instead and a value in every row.
fn gmis_group_layout(
    sheet: &Sheet,
    header_index: usize,
    first_column: usize,
    code_at: Option<usize>,
) -> bool {
    let Some(code_at) = code_at else {
        return false;
    };
    let text = |row: &[Data], j: usize| row.get(j).map(cell_string).unwrap_or_default();
    let details: Vec<String> = sheet.rows[header_index + 1..]
        .iter()
        .filter(|row| !text(row, code_at).trim().is_empty())
        .map(|row| text(row, first_column))
        .collect();
    details.windows(2).any(|pair| {
        matches!(split_count(&pair[0]), (label, Some(n)) if n >= 2 && !label.is_empty())
            && pair[1].trim().is_empty()
    })
}

/// Rows of `records` after sheet row `after` and before `until`.
fn count_rows(records: &[Record], after: u64, until: u64) -> u64 {
    records
        .iter()
        .filter(|r| r.number > after && r.number < until)
        .count() as u64
}

/// Columns a report is grouped by, whose label G-MIS puts on a group's first row.
fn is_group_column(column: Option<Column>) -> bool {
    matches!(
        column,
        Some(Column::Prefecture | Column::Municipality | Column::AreaName | Column::AreaCode)
    )
}

enum TotalWord {
    /// 小計, Subtotal
    Sub,
    /// 総計, Grand Total
    Grand,
    /// 合計, Total: a subtotal inside a group, else the grand total.
    Either,
}

fn total_word(text: &str) -> Option<TotalWord> {
    let starts = |words: &[&str]| words.iter().any(|w| text.starts_with(w));
    if starts(&["小計", "Subtotal", "Sub Total"]) {
        Some(TotalWord::Sub)
    } else if starts(&["総計", "Grand Total", "Grand total"]) {
        Some(TotalWord::Grand)
    } else if starts(&["合計", "Total"]) {
        Some(TotalWord::Either)
    } else {
        None
    }
}

/// Compares a total row with the accepted detail rows it covers.
fn check_total(total: FoundTotal, import: &Import, numbers: &[u64]) -> TotalCheck {
    let rows = &import.report.rows;
    // Accepted rows keep their order, and their numbers are sorted.
    let first = numbers.partition_point(|&n| n < *total.rows.start());
    let end = numbers.partition_point(|&n| n <= *total.rows.end());
    let sums = Totals::of(&rows[first..end]);
    let compared = total
        .given
        .iter()
        .map(|&(column, given)| (column, given, sums.count(column).unwrap_or(0)))
        .collect();
    let name = match (total.kind, &total.group) {
        (TotalKind::Grand, _) => "総計".to_string(),
        (TotalKind::Subtotal, Some(label)) => {
            format!("小計「{}」", excerpt(label))
        }
        (TotalKind::Subtotal, None) => "小計".to_string(),
    };
    TotalCheck {
        line: total.line,
        compared,
        name: Some(name),
        records: total.given_records.map(|given| (given, total.detail_rows)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_labels_and_counts() {
        assert_eq!(split_count("東京都 (12)"), ("東京都".to_string(), Some(12)));
        assert_eq!(
            split_count("東京都（12）"),
            ("東京都".to_string(), Some(12))
        );
        assert_eq!(split_count("小計（12 件）"), ("小計".to_string(), Some(12)));
        assert_eq!(
            split_count("1301 区中央部 (3)"),
            ("1301 区中央部".to_string(), Some(3))
        );
        assert_eq!(split_count("東京都"), ("東京都".to_string(), None));
        assert_eq!(split_count("病院 (a)"), ("病院 (a)".to_string(), None));
    }

    #[test]
    fn codes_typed_as_numbers_get_their_zeros_back() {
        let mut padded = false;
        let text = field_text(
            &Data::Float(131017001.0),
            Some(Column::HospitalCode),
            &mut padded,
        );
        assert_eq!(text, "0131017001");
        assert!(padded);
        let mut padded = false;
        assert_eq!(
            field_text(&Data::Float(3.0), Some(Column::Secured), &mut padded),
            "3"
        );
        assert_eq!(
            field_text(
                &Data::String("0131017001".into()),
                Some(Column::HospitalCode),
                &mut padded
            ),
            "0131017001"
        );
        assert!(!padded);
        assert_eq!(
            field_text(&Data::Float(2.5), Some(Column::Secured), &mut padded),
            "2.5"
        );
    }

    #[test]
    fn dates_typed_by_excel_read_in_gmis_form() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // 2022/02/01 11:32 is serial 44593 + (11*60+32)/1440.
        let serial = 44593.0 + (11.0 * 60.0 + 32.0) / 1440.0;
        let dt = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
        let mut padded = false;
        assert_eq!(
            field_text(&Data::DateTime(dt), Some(Column::ReportedAt), &mut padded),
            "2022/02/01 11:32"
        );
        let day = ExcelDateTime::new(44566.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            field_text(&Data::DateTime(day), Some(Column::RecordDate), &mut padded),
            "2022/01/05"
        );
    }
}

//! The G-MIS 「詳細のみ」 CSV export: reading it into typed rows, and writing it back.
//!
//! The CSV is parsed on the raw bytes even for Shift-JIS: no byte of a CP932
//! double-byte character is a comma, a quote or a line break, so only text
//! fields need decoding, and codes and numbers are read straight from ASCII.
//!
//! Other formats (JSON rows, the analytics report JSON) hand their rows to
//! [`import_records`], which applies the same column lookup, required columns,
//! row checks and sanitising.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use csv::ByteRecord;

use super::encoding::{self, DetectedEncoding, EncodingChoice};
use crate::model::{
    time, AreaCode, Column, HospitalCode, MunicipalityCode, PrefectureNumber, Report, ReportRow,
    Totals,
};

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub encoding: EncodingChoice,
    /// Shown in messages: a file path or a URL.
    pub source_name: String,
}

/// A file that could not be read as a report at all.
///
/// `line` 0 means the source has no line to point at (a JSON key list, a report's
/// column list); the message then names the source alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{source_name}: {message}")]
    Io {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: ファイルが空です")]
    Empty { source_name: String },
    #[error("{source_name}: テキストではありません（バイナリファイルです）")]
    Binary { source_name: String },
    #[error("{source_name}: Excel ファイル（.xlsx）です。「詳細のみ」の CSV を指定してください")]
    Xlsx { source_name: String },
    /// A zip file that is not a workbook that can be read (damaged, or another kind of zip).
    #[error("{source_name}: Excel ファイル（.xlsx）として読めません（{message}）")]
    XlsxUnreadable {
        source_name: String,
        message: String,
    },
    #[error("{}: 見出し行を {encoding} として読めません（文字コードの指定を確認してください）", place(.source_name, *.line))]
    WrongEncoding {
        source_name: String,
        line: u64,
        encoding: &'static str,
    },
    #[error("{}: G-MIS のレポートではありません（見出し行に G-MIS の列名がありません）", place(.source_name, *.line))]
    NotAReport { source_name: String, line: u64 },
    /// A file given as a master that is not that master (`expected`: 医療機関マスタ,
    /// 自治体マスタ); `reason` says what it looks like instead.
    #[error("{}: {expected}ではありません（{reason}）", place(.source_name, *.line))]
    NotAMaster {
        source_name: String,
        line: u64,
        expected: &'static str,
        reason: String,
    },
    #[error("{}: 必須の列がありません: {}", place(.source_name, *.line), missing.join("、"))]
    MissingColumns {
        source_name: String,
        line: u64,
        missing: Vec<&'static str>,
    },
    #[error("{}: 列「{column}」が二つあります", place(.source_name, *.line))]
    DuplicateColumn {
        source_name: String,
        line: u64,
        column: &'static str,
    },
    #[error("{}: CSV として読めません（{message}）", place(.source_name, *.line))]
    Malformed {
        source_name: String,
        line: u64,
        message: String,
    },
    /// JSON that is not valid JSON: a syntax error, or a document cut short.
    #[error("{source_name}: JSON として読めません（{}{}）", if *.truncated { "途中で終わっています、" } else { "" }, position(*.line, *.column))]
    InvalidJson {
        source_name: String,
        line: u64,
        column: u64,
        truncated: bool,
    },
    /// JSON nested deeper than the parser's limit (128 levels).
    #[error("{source_name}: JSON の入れ子が深すぎます（{}）", position(*.line, *.column))]
    JsonTooDeep {
        source_name: String,
        line: u64,
        column: u64,
    },
    /// JSON must be UTF-8 (RFC 8259); `line` is where the first bad byte is.
    #[error("{source_name}:{line}: JSON の文字コードが UTF-8 ではありません")]
    JsonNotUtf8 { source_name: String, line: u64 },
    /// Valid JSON of the wrong shape for a list of rows.
    #[error("{source_name}: JSON の形式が違います（{message}）")]
    JsonShape {
        source_name: String,
        message: String,
    },
    /// Valid JSON that is not a usable analytics report.
    #[error("{source_name}: レポートの JSON の形式が違います（{message}）")]
    ReportShape {
        source_name: String,
        message: String,
    },
    /// A report fetched without its detail rows.
    #[error("{source_name}: レポートに明細行がありません（明細行を含めて取得してください: includeDetails=true）")]
    ReportWithoutDetails { source_name: String },
    #[error("{source_name}: {format} 形式のレポートには対応していません（表形式かサマリー形式にしてください）")]
    UnsupportedReport { source_name: String, format: String },
    /// A well-formed source with no row at all: never taken as "no hospitals".
    #[error("{source_name}: 行が一つもありません")]
    NoRecords { source_name: String },
}

/// 「seed.csv:5」, or the source alone when there is no line.
fn place(source_name: &str, line: u64) -> String {
    if line == 0 {
        source_name.to_string()
    } else {
        format!("{source_name}:{line}")
    }
}

/// 「3 行 14 文字目」
fn position(line: u64, column: u64) -> String {
    format!("{line} 行 {column} 文字目")
}

/// What the number of a row problem counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Numbering {
    /// A line of the file (CSV): 「seed.csv:5: …」.
    #[default]
    Line,
    /// A record's place in a list, from 1 (JSON rows, report rows): 「feed.json: 5 件目: …」.
    Record,
}

impl Numbering {
    /// Where a row is, for a message: 「seed.csv:5」 or 「feed.json: 5 件目」.
    pub fn place(self, source_name: &str, number: u64) -> String {
        match self {
            Numbering::Line => place(source_name, number),
            Numbering::Record => format!("{source_name}: {number} 件目"),
        }
    }

    /// The word for rows in the rejected-rows count: 行 or 件.
    fn unit(self) -> &'static str {
        match self {
            Numbering::Line => "行",
            Numbering::Record => "件",
        }
    }
}

/// A rejected row: where, which column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    /// The column's header name; none when the row as a whole is wrong.
    pub column: Option<String>,
    pub reason: String,
}

impl RowProblem {
    /// 「seed.csv:5: 列「即応病床」: 数値ではありません（abc）」
    pub fn describe(&self, source_name: &str) -> String {
        self.describe_as(source_name, Numbering::Line)
    }

    /// As [`describe`](Self::describe), with the row's number read as `numbering` says:
    /// 「feed.json: 5 件目: 列「即応病床」: 数値ではありません（abc）」.
    pub fn describe_as(&self, source_name: &str, numbering: Numbering) -> String {
        let place = numbering.place(source_name, self.line);
        match &self.column {
            Some(column) => format!("{place}: 列「{column}」: {}", self.reason),
            None => format!("{place}: {}", self.reason),
        }
    }
}

/// A total found in the source (a CSV total row, a report's grand total or
/// subtotal), and whether it agrees with the detail rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalCheck {
    /// The total row's line; 0 when the total is not on a line (a report's aggregates).
    pub line: u64,
    /// (column, the file's total, the sum of the detail rows) for each count column the row gives.
    pub compared: Vec<(Column, u64, u64)>,
    /// What the total is when it is not a line: 「総計」, 「小計「東京都」」.
    pub name: Option<String>,
    /// (the source's record count, the detail rows found) when the source gives a count.
    pub records: Option<(u64, u64)>,
}

impl TotalCheck {
    pub fn mismatches(&self) -> impl Iterator<Item = &(Column, u64, u64)> {
        self.compared.iter().filter(|(_, file, sum)| file != sum)
    }

    /// The record count, when it disagrees.
    pub fn records_mismatch(&self) -> Option<(u64, u64)> {
        self.records.filter(|(given, found)| given != found)
    }

    pub fn is_consistent(&self) -> bool {
        self.mismatches().next().is_none() && self.records_mismatch().is_none()
    }

    /// One message per disagreement, in Japanese.
    pub fn describe(&self, source_name: &str) -> Vec<String> {
        let place = place(source_name, self.line);
        let what = self.name.as_deref().unwrap_or("合計行");
        let mut out = Vec::new();
        if let Some((given, found)) = self.records_mismatch() {
            let hint = if given > found {
                "（一部の行しか含まれていません）"
            } else {
                ""
            };
            out.push(format!(
                "{place}: {what}の件数 {given} が明細行の数 {found} と一致しません{hint}"
            ));
        }
        for (column, file, sum) in self.mismatches() {
            out.push(format!(
                "{place}: {what}の{column} {file} が明細行の合計 {sum} と一致しません"
            ));
        }
        out
    }
}

/// The result of reading a file: the good rows, and an account of everything else.
#[derive(Debug, Clone)]
pub struct Import {
    pub source_name: String,
    pub report: Report,
    pub encoding: DetectedEncoding,
    /// Rows that could not be used, each with every reason found.
    pub problems: Vec<RowProblem>,
    /// How many rows were rejected (a row may have several problems).
    pub rejected_rows: usize,
    /// Lines after the data that are not data: notices, copyright lines.
    pub footer: Vec<String>,
    /// Total rows found in the file, checked against the detail rows.
    pub total_checks: Vec<TotalCheck>,
    /// What the numbers in `problems` count: lines (CSV) or records (JSON).
    pub numbering: Numbering,
    /// Warnings about the source as a whole, already phrased for the user
    /// (a report that says it holds only part of its rows).
    pub notes: Vec<String>,
}

impl Import {
    /// Messages for the user, in Japanese: rejected rows, total mismatches, notes.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .problems
            .iter()
            .map(|p| p.describe_as(&self.source_name, self.numbering))
            .collect();
        if self.rejected_rows > 0 {
            out.push(format!(
                "{}: {} {}を取り込めませんでした（上記）",
                self.source_name,
                self.rejected_rows,
                self.numbering.unit()
            ));
        }
        for check in &self.total_checks {
            out.extend(check.describe(&self.source_name));
        }
        out.extend(self.notes.iter().cloned());
        out
    }
}

/// How many problems are kept in full; the rest are only counted.
const MAX_PROBLEMS_KEPT: usize = 10_000;

/// Reads a 「詳細のみ」 CSV export from memory. An .xlsx (a zip) is read as the
/// formatted report ([`super::xlsx`]), so a file source may be either.
pub fn import_bytes(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    if super::xlsx::is_zip(bytes) {
        return super::xlsx::import_xlsx(bytes, options);
    }
    let source_name = options.source_name.clone();
    let mut csv = CsvRecords::open(bytes, options)?;
    let encoding = csv.encoding();

    let Some(header_line) = csv.header()? else {
        return Err(ImportError::Empty { source_name });
    };
    let layout = Layout::from_header(csv.record(), encoding, header_line, &source_name)?;

    let mut parser = RowParser::new(&layout, encoding);
    parser.restore_formulas = true;
    let mut rows = Collector::default();
    let mut footer = Vec::new();
    let mut total_rows = Vec::new();
    let mut in_footer = false;

    while let Some(place) = csv.next_record()? {
        let record = csv.record();
        let line = place.line;
        // A blank line before a record starts the footer.
        in_footer |= place.after_blank_line;
        if let Some(total) = layout.total_row(record, encoding) {
            total_rows.push((line, total));
            continue;
        }
        if in_footer && !layout.looks_like_data(record) {
            footer.push(record_text(record, encoding));
            continue;
        }
        rows.take(parser.parse(record, line));
    }

    let sums = if total_rows.is_empty() {
        Totals::default()
    } else {
        Totals::of(&rows.rows)
    };
    let total_checks = total_rows
        .into_iter()
        .map(|(line, given)| TotalCheck {
            line,
            compared: given.compare(&sums),
            name: None,
            records: None,
        })
        .collect();
    let extra_names = layout
        .extra_names
        .iter()
        .map(|name| restore_formula(name).to_string())
        .collect();
    let mut import = rows.finish(source_name, extra_names, encoding, Numbering::Line);
    import.footer = footer;
    import.total_checks = total_checks;
    Ok(import)
}

/// Reads rows that another format has already split into fields: the same
/// column lookup by name, required columns, row checks and sanitising as the CSV.
///
/// `header` holds the column names (G-MIS's, in any order, and any others, kept
/// as extra columns); each record is (its number for messages, its fields in
/// header order). Numbers are shown as records: 「feed.json: 3 件目: …」.
pub fn import_records(
    header: &[String],
    records: impl IntoIterator<Item = (u64, Vec<String>)>,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    import_records_numbered(header, records, Numbering::Record, options)
}

/// [`import_records`] with the numbers read as `numbering` says (lines of a file, or records).
pub fn import_records_numbered(
    header: &[String],
    records: impl IntoIterator<Item = (u64, Vec<String>)>,
    numbering: Numbering,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let records = records.into_iter().map(|(number, fields)| Record {
        number,
        fields,
        problems: Vec::new(),
    });
    import_checked_records(header, records, numbering, DetectedEncoding::Utf8, options)
        .map(|(import, _)| import)
}

/// One record of a format other than CSV, with what its reader already found wrong.
pub(crate) struct Record {
    pub number: u64,
    pub fields: Vec<String>,
    /// Problems the format's reader found (a code given as a JSON number, a row that
    /// is not an object). One without a column rejects the row without reading it;
    /// one with a column replaces what the field check would say about that column.
    pub problems: Vec<RowProblem>,
}

/// The shared body of every record-based import. Also returns the number of
/// each accepted row, so a format can check its own subtotals.
pub(crate) fn import_checked_records(
    header: &[String],
    records: impl IntoIterator<Item = Record>,
    numbering: Numbering,
    encoding: DetectedEncoding,
    options: &ImportOptions,
) -> Result<(Import, Vec<u64>), ImportError> {
    let source_name = options.source_name.clone();
    let header_record: ByteRecord = header.iter().map(String::as_bytes).collect();
    let layout = Layout::from_header(&header_record, DetectedEncoding::Utf8, 0, &source_name)?;
    let mut parser = RowParser::new(&layout, DetectedEncoding::Utf8);
    let mut rows = Collector::default();
    let mut numbers = Vec::new();
    let mut record = ByteRecord::new();
    for Record {
        number,
        fields,
        problems,
    } in records
    {
        if problems.iter().any(|p| p.column.is_none()) {
            rows.take(Err(problems));
            continue;
        }
        record.clear();
        fields.iter().for_each(|f| record.push_field(f.as_bytes()));
        let result = match parser.parse(&record, number) {
            Ok(_) if !problems.is_empty() => Err(problems),
            Ok(row) => Ok(row),
            Err(found) => {
                let mut all = problems;
                let known = |p: &RowProblem| all.iter().any(|q| q.column == p.column);
                let more: Vec<RowProblem> = found.into_iter().filter(|p| !known(p)).collect();
                all.extend(more);
                Err(all)
            }
        };
        if result.is_ok() {
            numbers.push(number);
        }
        rows.take(result);
    }
    let import = rows.finish(source_name, layout.extra_names, encoding, numbering);
    Ok((import, numbers))
}

/// Gathers accepted rows and the problems of rejected ones.
#[derive(Default)]
struct Collector {
    rows: Vec<ReportRow>,
    problems: Vec<RowProblem>,
    rejected_rows: usize,
}

impl Collector {
    fn take(&mut self, result: Result<ReportRow, Vec<RowProblem>>) {
        match result {
            Ok(row) => self.rows.push(row),
            Err(mut row_problems) => {
                self.rejected_rows += 1;
                let room = MAX_PROBLEMS_KEPT.saturating_sub(self.problems.len());
                row_problems.truncate(room);
                self.problems.append(&mut row_problems);
            }
        }
    }

    fn finish(
        self,
        source_name: String,
        extra_columns: Vec<String>,
        encoding: DetectedEncoding,
        numbering: Numbering,
    ) -> Import {
        Import {
            source_name,
            report: Report {
                extra_columns,
                rows: self.rows,
            },
            encoding,
            problems: self.problems,
            rejected_rows: self.rejected_rows,
            footer: Vec::new(),
            total_checks: Vec::new(),
            numbering,
            notes: Vec::new(),
        }
    }
}

/// Where a record of a CSV file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordPlace {
    /// The 1-based line the record starts on.
    pub line: u64,
    /// A blank line (or a line of nothing but blanks and commas) came before it.
    pub after_blank_line: bool,
}

/// A CSV file read record by record on its raw bytes, each with its line number:
/// the reader behind the report import and the master imports
/// ([`crate::master`]). Blank records after the header are skipped and noted.
pub(crate) struct CsvRecords<'a> {
    body: &'a [u8],
    reader: csv::Reader<&'a [u8]>,
    record: ByteRecord,
    lines: LineCounter,
    encoding: DetectedEncoding,
    source_name: String,
}

impl<'a> CsvRecords<'a> {
    /// Refuses what is not text (binary, .xlsx, nothing at all) and decides the encoding.
    pub(crate) fn open(bytes: &'a [u8], options: &ImportOptions) -> Result<Self, ImportError> {
        check_is_text(bytes, &options.source_name)?;
        let (encoding, body) = encoding::detect(bytes, options.encoding);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        Ok(Self {
            body,
            reader,
            record: ByteRecord::new(),
            lines: LineCounter::default(),
            encoding,
            source_name: options.source_name.clone(),
        })
    }

    pub(crate) fn encoding(&self) -> DetectedEncoding {
        self.encoding
    }

    /// The record last read.
    pub(crate) fn record(&self) -> &ByteRecord {
        &self.record
    }

    fn read(&mut self) -> Result<bool, ImportError> {
        self.reader
            .read_byte_record(&mut self.record)
            .map_err(|err| ImportError::Malformed {
                source_name: self.source_name.clone(),
                line: err.position().map_or(0, |p| p.line()),
                message: err.to_string(),
            })
    }

    /// Reads the header: the first line that is not empty. Returns its line, or
    /// none when the file has no record at all.
    pub(crate) fn header(&mut self) -> Result<Option<u64>, ImportError> {
        if !self.read()? {
            return Ok(None);
        }
        let start = record_start(self.body, &self.record);
        Ok(Some(self.lines.line_at(self.body, start)))
    }

    /// Reads the next record that is not blank.
    pub(crate) fn next_record(&mut self) -> Result<Option<RecordPlace>, ImportError> {
        let mut after_blank_line = false;
        while self.read()? {
            let start = record_start(self.body, &self.record);
            // The csv reader skips empty lines; one before a record shows in the bytes.
            after_blank_line |= ends_with_blank_line(&self.body[..start]);
            if is_blank_record(&self.record) {
                after_blank_line = true;
                continue;
            }
            let line = self.lines.line_at(self.body, start);
            return Ok(Some(RecordPlace {
                line,
                after_blank_line,
            }));
        }
        Ok(None)
    }
}

fn check_is_text(bytes: &[u8], source_name: &str) -> Result<(), ImportError> {
    let source_name = source_name.to_string();
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportError::Xlsx { source_name });
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(ImportError::Binary { source_name });
    }
    let blank = |b: &u8| b.is_ascii_whitespace() || *b == b',' || *b == b'"';
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(blank) {
        return Err(ImportError::Empty { source_name });
    }
    Ok(())
}

/// Where a record's text begins: the reader's position may sit on the line
/// break that ended the previous record, or on blank lines before this one.
fn record_start(body: &[u8], record: &ByteRecord) -> usize {
    let from = record
        .position()
        .map_or(0, |p| p.byte() as usize)
        .min(body.len());
    from + body[from..]
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// Turns byte offsets into 1-based line numbers, scanning each byte once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, body: &[u8], offset: usize) -> u64 {
        let offset = offset.max(self.offset);
        self.newlines += body[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.newlines + 1
    }
}

/// True if the text ends with an empty line ("\n\n" or "\n\r\n").
fn ends_with_blank_line(before: &[u8]) -> bool {
    let Some(rest) = before.strip_suffix(b"\n") else {
        return false;
    };
    let rest = rest.strip_suffix(b"\r").unwrap_or(rest);
    rest.ends_with(b"\n")
}

/// A line of nothing but blanks and commas.
fn is_blank_record(record: &ByteRecord) -> bool {
    record.iter().all(|f| f.trim_ascii().is_empty())
}

/// A record as one line of text, for footer notices.
fn record_text(record: &ByteRecord, encoding: DetectedEncoding) -> String {
    record
        .iter()
        .map(|f| decode_lossy(f, encoding))
        .filter(|f| !f.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn decode_lossy(bytes: &[u8], encoding: DetectedEncoding) -> String {
    encoding::decode(bytes, encoding)
        .map(Cow::into_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}

/// Where each column is in the file.
struct Layout {
    /// Field index of each G-MIS column, in `Column::GMIS` order.
    index: [usize; 13],
    extra_index: Vec<usize>,
    extra_names: Vec<String>,
    width: usize,
}

impl Layout {
    fn from_header(
        record: &ByteRecord,
        encoding: DetectedEncoding,
        line: u64,
        source_name: &str,
    ) -> Result<Self, ImportError> {
        let mut index = [usize::MAX; 13];
        let mut extra_index = Vec::new();
        let mut extra_names = Vec::new();
        for (i, field) in record.iter().enumerate() {
            let name = decode_lossy(field, encoding);
            match Column::from_header(&name) {
                Some(column) => {
                    let slot = &mut index[gmis_position(column)];
                    if *slot != usize::MAX {
                        return Err(ImportError::DuplicateColumn {
                            source_name: source_name.to_string(),
                            line,
                            column: column.name(),
                        });
                    }
                    *slot = i;
                }
                None if name.trim().is_empty() => {}
                None => {
                    extra_index.push(i);
                    extra_names.push(crate::text::sanitize(name.trim()).into_owned());
                }
            }
        }
        let missing: Vec<&'static str> = Column::GMIS
            .iter()
            .zip(index)
            .filter(|(_, i)| *i == usize::MAX)
            .map(|(c, _)| c.name())
            .collect();
        if missing.len() == Column::GMIS.len() {
            if record
                .iter()
                .any(|f| encoding::decode(f, encoding).is_none())
            {
                return Err(ImportError::WrongEncoding {
                    source_name: source_name.to_string(),
                    line,
                    encoding: encoding.label(),
                });
            }
            return Err(ImportError::NotAReport {
                source_name: source_name.to_string(),
                line,
            });
        }
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns {
                source_name: source_name.to_string(),
                line,
                missing,
            });
        }
        Ok(Self {
            index,
            extra_index,
            extra_names,
            width: record.len(),
        })
    }

    fn field<'r>(&self, record: &'r ByteRecord, column: Column) -> &'r [u8] {
        record.get(self.index[gmis_position(column)]).unwrap_or(b"")
    }

    /// A footer record is still data if it has a hospital code where one belongs.
    fn looks_like_data(&self, record: &ByteRecord) -> bool {
        let code = trim_ascii(self.field(record, Column::HospitalCode));
        record.len() >= self.width && code.len() == 10 && code.iter().all(u8::is_ascii_digit)
    }

    /// A 総計 / 合計 / Grand Total row, with the totals it gives.
    fn total_row(&self, record: &ByteRecord, encoding: DetectedEncoding) -> Option<GivenTotals> {
        let first = record.iter().find(|f| !trim_ascii(f).is_empty())?;
        let first = decode_lossy(first, encoding);
        let first = first.trim();
        let is_total = ["総計", "合計", "Grand Total", "Total"]
            .iter()
            .any(|word| first.starts_with(word));
        if !is_total {
            return None;
        }
        let number = |column| parse_count(self.field(record, column)).ok().flatten();
        Some(GivenTotals {
            secured: number(Column::Secured),
            ready: number(Column::Ready),
            inpatients: number(Column::Inpatients),
        })
    }
}

fn gmis_position(column: Column) -> usize {
    Column::GMIS
        .iter()
        .position(|c| *c == column)
        .expect("only G-MIS columns have a file position")
}

struct GivenTotals {
    secured: Option<u32>,
    ready: Option<u32>,
    inpatients: Option<u32>,
}

impl GivenTotals {
    fn compare(&self, sums: &Totals) -> Vec<(Column, u64, u64)> {
        [
            (Column::Secured, self.secured, sums.secured),
            (Column::Ready, self.ready, sums.ready),
            (Column::Inpatients, self.inpatients, sums.inpatients),
        ]
        .into_iter()
        .filter_map(|(c, given, sum)| Some((c, u64::from(given?), sum.unwrap_or(0))))
        .collect()
    }
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Reads count fields: blank (or "-") is none, never 0.
pub(crate) fn parse_count(bytes: &[u8]) -> Result<Option<u32>, String> {
    let bytes = trim_ascii(bytes);
    if bytes.is_empty() || bytes == b"-" {
        return Ok(None);
    }
    let mut value: u32 = 0;
    let mut seen_digit = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u32::from(b - b'0')))
                    .ok_or_else(|| "大きすぎる数値です".to_string())?;
            }
            b',' if seen_digit => {}
            b'-' => return Err(format!("負の数は使えません（{}）", show(bytes))),
            _ => return Err(format!("数値ではありません（{}）", show(bytes))),
        }
    }
    Ok(Some(value))
}

/// A short, printable excerpt of a bad value for a message.
pub(crate) fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let clean = crate::text::sanitize(&text);
    let mut out: String = clean.chars().take(24).collect();
    if clean.chars().count() > 24 {
        out.push('…');
    }
    out
}

/// Turns records into rows, sharing the text that repeats across rows.
struct RowParser<'a> {
    layout: &'a Layout,
    encoding: DetectedEncoding,
    shared: HashMap<Box<[u8]>, Arc<str>>,
    /// The last value of each shared column: neighbouring rows mostly repeat it.
    last: [(Vec<u8>, Option<Arc<str>>); 3],
    /// Drop the `'` an export puts before a field that looks like a formula
    /// ([`restore_formula`]): for the CSV only.
    restore_formulas: bool,
}

/// Collects the problems of one row while its fields are read.
struct RowCheck {
    line: u64,
    problems: Vec<RowProblem>,
}

impl RowCheck {
    fn fail(&mut self, column: Column, reason: String) {
        self.problems.push(RowProblem {
            line: self.line,
            column: Some(column.name().to_string()),
            reason,
        });
    }

    fn check<T, E: fmt::Display>(&mut self, column: Column, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.fail(column, e.to_string())).ok()
    }
}

impl<'a> RowParser<'a> {
    fn new(layout: &'a Layout, encoding: DetectedEncoding) -> Self {
        Self {
            layout,
            encoding,
            shared: HashMap::new(),
            last: Default::default(),
            restore_formulas: false,
        }
    }

    /// Text as it was before [`neutralize_formula`], when this parser reads a CSV.
    fn restored<'t>(&self, text: &'t str) -> &'t str {
        if self.restore_formulas {
            restore_formula(text)
        } else {
            text
        }
    }

    fn parse(&mut self, record: &ByteRecord, line: u64) -> Result<ReportRow, Vec<RowProblem>> {
        let mut check = RowCheck {
            line,
            problems: Vec::new(),
        };
        if record.len() < self.layout.width {
            check.problems.push(RowProblem {
                line,
                column: None,
                reason: format!(
                    "列の数が足りません（見出しは {} 列、この行は {} 列）",
                    self.layout.width,
                    record.len()
                ),
            });
            return Err(check.problems);
        }
        let row = self.parse_fields(record, &mut check);
        match row {
            Some(row) if check.problems.is_empty() => Ok(row),
            _ => Err(check.problems),
        }
    }

    fn parse_fields(&mut self, record: &ByteRecord, check: &mut RowCheck) -> Option<ReportRow> {
        let field = |column| self.layout.field(record, column);
        let prefecture_no = check.check(
            Column::PrefectureNo,
            PrefectureNumber::parse(&String::from_utf8_lossy(field(Column::PrefectureNo))),
        );
        let municipality_code = check.check(
            Column::MunicipalityCode,
            MunicipalityCode::parse_bytes(field(Column::MunicipalityCode)),
        );
        let area_code = check.check(
            Column::AreaCode,
            AreaCode::parse_bytes(field(Column::AreaCode)),
        );
        let hospital_code = check.check(
            Column::HospitalCode,
            HospitalCode::parse_bytes(field(Column::HospitalCode)),
        );
        let record_date = check.check(
            Column::RecordDate,
            time::parse_date_bytes(field(Column::RecordDate)).ok_or_else(|| {
                format!(
                    "日付として読めません（{}）",
                    show(field(Column::RecordDate))
                )
            }),
        );
        let reported_at = check.check(
            Column::ReportedAt,
            time::parse_datetime_bytes(field(Column::ReportedAt)).ok_or_else(|| {
                format!(
                    "日時として読めません（{}）",
                    show(field(Column::ReportedAt))
                )
            }),
        );
        let secured = check.check(Column::Secured, parse_count(field(Column::Secured)));
        let ready = check.check(Column::Ready, parse_count(field(Column::Ready)));
        let inpatients = check.check(Column::Inpatients, parse_count(field(Column::Inpatients)));

        let prefecture = self.shared_text(record, Column::Prefecture, check);
        let municipality = self.shared_text(record, Column::Municipality, check);
        let area_name = self.shared_text(record, Column::AreaName, check);
        let hospital_name = self.text(field(Column::HospitalName), Column::HospitalName, check);
        if hospital_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            check.fail(Column::HospitalName, "空欄です".to_string());
        }
        let extra = self
            .layout
            .extra_index
            .iter()
            .map(|&i| {
                let bytes = record.get(i).unwrap_or(b"");
                encoding::decode(bytes, self.encoding)
                    .map(|t| crate::text::sanitize(self.restored(&t)).into_owned())
                    .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
            })
            .collect();

        Some(ReportRow {
            prefecture: prefecture?,
            prefecture_no: prefecture_no?,
            municipality_code: municipality_code?,
            municipality: municipality?,
            area_code: area_code?,
            area_name: area_name?,
            hospital_code: hospital_code?,
            hospital_name: hospital_name?,
            record_date: record_date?,
            reported_at: reported_at?,
            secured: secured?,
            ready: ready?,
            inpatients: inpatients?,
            extra,
        })
    }

    /// Decodes a text field, neutralising control characters.
    fn text(&self, bytes: &[u8], column: Column, check: &mut RowCheck) -> Option<String> {
        match encoding::decode(bytes, self.encoding) {
            Some(text) => Some(crate::text::sanitize(self.restored(&text).trim()).into_owned()),
            None => {
                check.fail(
                    column,
                    format!(
                        "文字コードが正しくありません（{} として読めません）",
                        self.encoding.label()
                    ),
                );
                None
            }
        }
    }

    /// Text that repeats across rows (prefecture, municipality, area) is stored once.
    fn shared_text(
        &mut self,
        record: &ByteRecord,
        column: Column,
        check: &mut RowCheck,
    ) -> Option<Arc<str>> {
        let bytes = self.layout.field(record, column);
        let slot = match column {
            Column::Prefecture => 0,
            Column::Municipality => 1,
            _ => 2,
        };
        if let (last_bytes, Some(text)) = &self.last[slot] {
            if last_bytes.as_slice() == bytes {
                return Some(text.clone());
            }
        }
        let text = match self.shared.get(bytes) {
            Some(text) => text.clone(),
            None => {
                let text: Arc<str> = self.text(bytes, column, check)?.into();
                self.shared.insert(bytes.into(), text.clone());
                text
            }
        };
        let last = &mut self.last[slot];
        last.0.clear();
        last.0.extend_from_slice(bytes);
        last.1 = Some(text.clone());
        Some(text)
    }
}

/// The output encoding of a written CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputEncoding {
    ShiftJis,
    Utf8,
    Utf8Bom,
}

/// A character the chosen encoding cannot hold, replaced by 〓.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmappable {
    /// Index of the row in the written report (0-based); 0 for the header too.
    pub row: usize,
    pub character: char,
    /// The character is in the header row (an extra column's name), not in row `row`.
    pub in_header: bool,
}

/// What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Neutralises a CSV field a spreadsheet would run as a formula, as OWASP's
/// "CSV Injection" guidance says: a field that starts with `=` `+` `-` `@`, tab
/// or CR gets a leading `'`, which makes Excel take the cell as text.
///
/// The reader drops that `'` again ([`restore_formula`]), so an export reads back
/// as the same rows. For that to be exact, a field that already starts with `'`
/// followed by one of those characters or by another `'` gets one more `'` too:
/// the reader drops exactly one, and only before those characters.
pub fn neutralize_formula(field: &str) -> Cow<'_, str> {
    let mut chars = field.chars();
    let needs_quote = match chars.next() {
        Some(c) if FORMULA_STARTS.contains(&c) => true,
        Some('\'') => chars
            .next()
            .is_some_and(|c| c == '\'' || FORMULA_STARTS.contains(&c)),
        _ => false,
    };
    if needs_quote {
        Cow::Owned(format!("'{field}"))
    } else {
        Cow::Borrowed(field)
    }
}

/// The reader's side of [`neutralize_formula`]: one leading `'` is dropped when
/// the character after it is `=` `+` `-` `@`, tab, CR or `'`; any other `'` is
/// kept as text. Applied to the CSV only (a spreadsheet shows the `'` of a
/// neutralised CSV cell; JSON and .xlsx cells hold their text as it is).
pub fn restore_formula(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest)
            if rest
                .chars()
                .next()
                .is_some_and(|c| c == '\'' || FORMULA_STARTS.contains(&c)) =>
        {
            rest
        }
        _ => field,
    }
}

/// Writes rows as a 「詳細のみ」 export: G-MIS's columns in its order, then the
/// extra columns, CRLF, quoted where needed, fields that would start a formula
/// neutralised ([`neutralize_formula`]). Returns the bytes and what CP932 could not hold.
pub fn write_csv<'r>(
    extra_columns: &[String],
    rows: impl IntoIterator<Item = &'r ReportRow>,
    output: OutputEncoding,
) -> (Vec<u8>, Vec<Unmappable>) {
    let mut out = Vec::new();
    if output == OutputEncoding::Utf8Bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let mut lost = Vec::new();
    let header = Column::GMIS
        .iter()
        .map(|c| c.name().to_string())
        .chain(extra_columns.iter().cloned());
    let mut write = |fields: Vec<String>, row: usize, in_header: bool| {
        let fields: Vec<Cow<str>> = fields.iter().map(|f| neutralize_formula(f)).collect();
        let encoded: Vec<Cow<[u8]>> = fields
            .iter()
            .map(|field| match output {
                OutputEncoding::ShiftJis => {
                    let (bytes, missing) = encoding::encode_sjis(field);
                    lost.extend(missing.into_iter().map(|character| Unmappable {
                        row,
                        character,
                        in_header,
                    }));
                    Cow::Owned(bytes.into_owned())
                }
                _ => Cow::Borrowed(field.as_bytes()),
            })
            .collect();
        writer
            .write_record(encoded.iter().map(|f| f.as_ref()))
            .expect("writing to memory cannot fail");
    };
    write(header.collect(), 0, true);
    for (i, row) in rows.into_iter().enumerate() {
        write(row_fields(row), i, false);
    }
    let out = writer.into_inner().expect("writing to memory cannot fail");
    (out, lost)
}

/// A row's values as G-MIS writes them.
pub fn row_fields(row: &ReportRow) -> Vec<String> {
    let count = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut fields = vec![
        row.prefecture.to_string(),
        row.prefecture_no.to_string(),
        row.municipality_code.to_string(),
        row.municipality.to_string(),
        row.area_code.to_string(),
        row.area_name.to_string(),
        row.hospital_code.to_string(),
        row.hospital_name.clone(),
        time::format_date(row.record_date),
        time::format_datetime(&row.reported_at),
        count(row.secured),
        count(row.ready),
        count(row.inpatients),
    ];
    fields.extend(row.extra.iter().cloned());
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(b""), Ok(None));
        assert_eq!(parse_count(b" - "), Ok(None));
        assert_eq!(parse_count(b"0"), Ok(Some(0)));
        assert_eq!(parse_count(b"1,234"), Ok(Some(1234)));
        assert!(parse_count(b"-3").unwrap_err().contains("負の数"));
        assert!(parse_count(b"3.5")
            .unwrap_err()
            .contains("数値ではありません"));
        assert!(parse_count(b"99999999999").is_err());
        assert!(parse_count(b",1").is_err());
    }

    #[test]
    fn blank_lines() {
        assert!(!ends_with_blank_line(b"a\r\n"));
        assert!(ends_with_blank_line(b"a\r\n\r\n"));
        assert!(ends_with_blank_line(b"a\n\n"));
        assert!(!ends_with_blank_line(b""));
    }

    #[test]
    fn line_numbers_count_quoted_line_breaks() {
        let csv = "h\r\n\"a\nb\"\r\n\r\nc\r\n";
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes());
        let mut record = ByteRecord::new();
        let mut lines = LineCounter::default();
        let mut found = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record_start(csv.as_bytes(), &record);
            found.push((
                lines.line_at(csv.as_bytes(), start),
                ends_with_blank_line(&csv.as_bytes()[..start]),
            ));
        }
        assert_eq!(found, [(1, false), (2, false), (5, true)]);
    }
}

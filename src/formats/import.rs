//! What every importer returns (report CSV, JSON rows, the analytics report,
//! .xlsx, and both masters): the options it reads with, the error that stops it,
//! and the account of rows it could not use.

use std::fmt;

use super::encoding::{DetectedEncoding, EncodingChoice};
use crate::model::{Column, Report, ReportRow};

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub encoding: EncodingChoice,
    /// Shown in messages: a file path or a URL.
    pub source_name: String,
    /// Measure the figures of the rows as they are read, for a first view
    /// ([`Import::figures`]): the dashboard wants them, a printout does not.
    pub measure_rows: bool,
}

/// A source that could not be read as a report (or a master) at all: which
/// source, and what went wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The source as messages name it: a file path or a URL.
    pub source: String,
    pub kind: ImportErrorKind,
}

/// What stopped an import.
///
/// `line` 0 means the source has no line to point at (a JSON key list, a report's
/// column list); the message then names the source alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportErrorKind {
    Io {
        message: String,
    },
    Empty,
    Binary,
    Xlsx,
    /// A zip file that is not a workbook that can be read (damaged, or another kind of zip).
    XlsxUnreadable {
        message: String,
    },
    WrongEncoding {
        line: u64,
        encoding: &'static str,
    },
    NotAReport {
        line: u64,
    },
    /// A file given as a master that is not that master (`expected`: 医療機関マスタ,
    /// 自治体マスタ); `reason` says what it looks like instead.
    NotAMaster {
        line: u64,
        expected: &'static str,
        reason: String,
    },
    MissingColumns {
        line: u64,
        missing: Vec<&'static str>,
    },
    DuplicateColumn {
        line: u64,
        column: &'static str,
    },
    Malformed {
        line: u64,
        message: String,
    },
    /// A body that stops before its end: the rows before the cut are never taken
    /// alone. The line is where the cut row starts.
    Truncated {
        line: u64,
        cut: Cut,
    },
    /// JSON that is not valid JSON: a syntax error, or a document cut short.
    InvalidJson {
        line: u64,
        column: u64,
        truncated: bool,
    },
    /// JSON nested deeper than the parser's limit (128 levels).
    JsonTooDeep {
        line: u64,
        column: u64,
    },
    /// JSON must be UTF-8 (RFC 8259); `line` is where the first bad byte is.
    JsonNotUtf8 {
        line: u64,
    },
    /// Valid JSON of the wrong shape for a list of rows.
    JsonShape {
        message: String,
    },
    /// Valid JSON that is not a usable analytics report.
    ReportShape {
        message: String,
    },
    /// A report fetched without its detail rows.
    ReportWithoutDetails,
    UnsupportedReport {
        format: String,
    },
    /// A well-formed source with no row at all: never taken as "no hospitals".
    NoRecords,
    /// The import was stopped because no one waits for it any more (the dashboard quit).
    Abandoned,
}

/// How a [`ImportErrorKind::Truncated`] body shows it was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The body ends inside a quoted field: the quote opened on the error's line
    /// is never closed, and `lines` lines from there on cannot be read.
    OpenQuote { lines: u64 },
    /// The last row has fewer fields than the header and no line break after it.
    ShortLastRow { header_width: usize, found: usize },
}

impl ImportError {
    /// True when the source looks cut off (a CSV ending inside a quote or in the
    /// middle of its last row, a JSON document that stops early): reading it
    /// again later may succeed.
    pub fn is_truncated(&self) -> bool {
        matches!(
            self.kind,
            ImportErrorKind::Truncated { .. }
                | ImportErrorKind::InvalidJson {
                    truncated: true,
                    ..
                }
        )
    }

    /// The source's name is kept sanitised: whoever shows `source` shows it safely.
    pub fn new(source: impl Into<String>, kind: ImportErrorKind) -> Self {
        let source = source.into();
        Self {
            source: crate::text::sanitize(&source).into_owned(),
            kind,
        }
    }
}

impl ImportErrorKind {
    /// This problem, found in `source`.
    pub fn of(self, source: impl Into<String>) -> ImportError {
        ImportError::new(source, self)
    }
}

impl std::error::Error for ImportError {}

impl fmt::Display for ImportError {
    /// Everything shown passes the terminal sanitiser: the source name and any
    /// text a library or the data put into the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::sanitize(&self.raw_message()))
    }
}

impl ImportError {
    fn raw_message(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_message(&mut out);
        out
    }

    fn write_message(&self, f: &mut impl fmt::Write) -> fmt::Result {
        use ImportErrorKind as K;
        let source = &self.source;
        match &self.kind {
            K::Io { message } => write!(f, "{source}: {message}"),
            K::Empty => write!(f, "{source}: ファイルが空です"),
            K::Binary => write!(f, "{source}: テキストではありません（バイナリファイルです）"),
            K::Xlsx => write!(
                f,
                "{source}: Excel ファイル（.xlsx）です。「詳細のみ」の CSV を指定してください"
            ),
            K::XlsxUnreadable { message } => write!(
                f,
                "{source}: Excel ファイル（.xlsx）として読めません（{message}）"
            ),
            K::WrongEncoding { line, encoding } => write!(
                f,
                "{}: 見出し行を {encoding} として読めません（文字コードの指定を確認してください）",
                place(source, *line)
            ),
            K::NotAReport { line } => write!(
                f,
                "{}: G-MIS のレポートではありません（見出し行に G-MIS の列名がありません）",
                place(source, *line)
            ),
            K::NotAMaster {
                line,
                expected,
                reason,
            } => write!(
                f,
                "{}: {expected}ではありません（{reason}）",
                place(source, *line)
            ),
            K::MissingColumns { line, missing } => write!(
                f,
                "{}: 必須の列がありません: {}",
                place(source, *line),
                missing.join("、")
            ),
            K::DuplicateColumn { line, column } => write!(
                f,
                "{}: 列「{column}」が二つあります",
                place(source, *line)
            ),
            K::Malformed { line, message } => write!(
                f,
                "{}: CSV として読めません（{message}）",
                place(source, *line)
            ),
            K::Truncated { line, cut } => match cut {
                Cut::OpenQuote { lines } => write!(
                    f,
                    "{}: 途中で切れています: {line} 行目の引用符が閉じていません（以降 {lines} 行を読めません）",
                    place(source, *line)
                ),
                Cut::ShortLastRow {
                    header_width,
                    found,
                } => write!(
                    f,
                    "{}: 途中で切れています: 最後の行が改行で終わらず、列が足りません（見出しは {header_width} 列、この行は {found} 列）",
                    place(source, *line)
                ),
            },
            K::InvalidJson {
                line,
                column,
                truncated,
            } => write!(
                f,
                "{source}: JSON として読めません（{}{}）",
                if *truncated {
                    "途中で終わっています、"
                } else {
                    ""
                },
                position(*line, *column)
            ),
            K::JsonTooDeep { line, column } => write!(
                f,
                "{source}: JSON の入れ子が深すぎます（{}）",
                position(*line, *column)
            ),
            K::JsonNotUtf8 { line } => {
                write!(f, "{source}:{line}: JSON の文字コードが UTF-8 ではありません")
            }
            K::JsonShape { message } => write!(f, "{source}: JSON の形式が違います（{message}）"),
            K::ReportShape { message } => {
                write!(f, "{source}: レポートの JSON の形式が違います（{message}）")
            }
            K::ReportWithoutDetails => write!(
                f,
                "{source}: レポートに明細行がありません（明細行を含めて取得してください: includeDetails=true）"
            ),
            K::UnsupportedReport { format } => write!(
                f,
                "{source}: {format} 形式のレポートには対応していません（表形式かサマリー形式にしてください）"
            ),
            K::NoRecords => write!(f, "{source}: 行が一つもありません"),
            K::Abandoned => write!(f, "{source}: 読み込みを中断しました"),
        }
    }
}

/// 「seed.csv:5」, or the source alone when there is no line.
fn place(source_name: &str, line: u64) -> String {
    if line == 0 {
        source_name.to_string()
    } else {
        format!("{source_name}:{line}")
    }
}

/// How many characters of a value from the data a message quotes.
const EXCERPT_CHARS: usize = 40;

/// A value from the data as a message quotes it: control characters
/// neutralised, and cut to its first 40 characters with 「…」 when longer.
pub fn excerpt(text: &str) -> String {
    let clean = crate::text::sanitize(text);
    let mut chars = clean.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
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

    /// The word for rows in a count of rows: 行 or 件.
    pub fn unit(self) -> &'static str {
        match self {
            Numbering::Line => "行",
            Numbering::Record => "件",
        }
    }

    /// The head of every import's messages, for rows numbered this way: one per
    /// problem, then the count of rows not taken.
    pub fn messages(
        self,
        source_name: &str,
        problems: &[RowProblem],
        rejected_rows: usize,
    ) -> Vec<String> {
        let mut out: Vec<String> = problems
            .iter()
            .map(|p| p.describe_as(source_name, self))
            .collect();
        if rejected_rows > 0 {
            out.push(format!(
                "{}: {rejected_rows} {}を取り込めませんでした（上記）",
                crate::text::sanitize(source_name),
                self.unit()
            ));
        }
        out
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
        let text = match &self.column {
            Some(column) => format!("{place}: 列「{}」: {}", excerpt(column), self.reason),
            None => format!("{place}: {}", self.reason),
        };
        crate::text::sanitize(&text).into_owned()
    }

    /// 「列の数が足りません…」: a row with fewer fields than the header.
    pub(crate) fn too_few_fields(line: u64, header_width: usize, found: usize) -> Self {
        RowProblem {
            line,
            column: None,
            reason: format!(
                "列の数が足りません（見出しは {header_width} 列、この行は {found} 列）"
            ),
        }
    }
}

/// How many problems are kept in full; the rest are only counted.
const MAX_PROBLEMS_KEPT: usize = 10_000;

/// Moves a row's problems into those kept so far, up to [`MAX_PROBLEMS_KEPT`].
pub(crate) fn keep_problems(kept: &mut Vec<RowProblem>, row_problems: &mut Vec<RowProblem>) {
    let room = MAX_PROBLEMS_KEPT.saturating_sub(kept.len());
    row_problems.truncate(room);
    kept.append(row_problems);
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
        out.into_iter()
            .map(|line| crate::text::sanitize(&line).into_owned())
            .collect()
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
    /// The figures of every row of `report`, when they were measured as the
    /// rows were read (a large file read in blocks).
    pub figures: Option<Box<crate::model::figures::RowFigures>>,
}

impl Import {
    /// Messages for the user, in Japanese: rejected rows, total mismatches, notes.
    pub fn messages(&self) -> Vec<String> {
        let mut out =
            self.numbering
                .messages(&self.source_name, &self.problems, self.rejected_rows);
        for check in &self.total_checks {
            out.extend(check.describe(&self.source_name));
        }
        out.extend(
            self.notes
                .iter()
                .map(|note| crate::text::sanitize(note).into_owned()),
        );
        out
    }
}

/// Gathers accepted rows and the problems of rejected ones, into an [`Import`].
#[derive(Default)]
pub(crate) struct RowCollector {
    pub rows: Vec<ReportRow>,
    problems: Vec<RowProblem>,
    rejected_rows: usize,
}

impl RowCollector {
    /// A collector that puts its rows in `buffer` (empty).
    pub fn into(buffer: Vec<ReportRow>) -> Self {
        debug_assert!(buffer.is_empty());
        Self {
            rows: buffer,
            ..Self::default()
        }
    }

    pub fn take(&mut self, result: Result<ReportRow, Vec<RowProblem>>) {
        match result {
            Ok(row) => self.rows.push(row),
            Err(mut row_problems) => {
                self.rejected_rows += 1;
                keep_problems(&mut self.problems, &mut row_problems);
            }
        }
    }

    /// Takes in the rows and problems of the records after these, leaving
    /// `next` empty.
    pub fn append(&mut self, next: &mut RowCollector) {
        self.rows.append(&mut next.rows);
        self.rejected_rows += std::mem::take(&mut next.rejected_rows);
        keep_problems(&mut self.problems, &mut next.problems);
    }

    pub fn finish(
        self,
        source_name: String,
        extra_columns: Vec<String>,
        encoding: DetectedEncoding,
        numbering: Numbering,
    ) -> Import {
        Import {
            // Shown on the status line and in messages: never raw.
            source_name: crate::text::sanitize(&source_name).into_owned(),
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
            figures: None,
        }
    }
}

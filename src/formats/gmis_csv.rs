//! The G-MIS 「詳細のみ」 CSV export read into typed rows: the header's columns
//! found by name, each row checked, total rows compared with the detail rows.
//!
//! Other formats (JSON rows, the analytics report JSON, the .xlsx) hand their
//! rows to [`import_records`], which applies the same column lookup, required
//! columns, row checks and sanitising. The CSV writer is `crate::export::csv`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use csv::ByteRecord;

use super::csv_records::{record_text, split_point, CsvRecords};
use super::encoding::{self, DetectedEncoding};
use super::header::{HeaderLayout, HeaderSpec};
use super::import::{
    Import, ImportError, ImportErrorKind, ImportOptions, Numbering, RowCollector, RowProblem,
    TotalCheck,
};
use super::progress::{NoProgress, ParseProgress, ProgressSink, REPORT_EVERY_RECORDS};
use crate::model::figures::RowFigures;
use crate::model::hashing::ShortKeys;
use crate::model::{
    time, AreaCode, Column, HospitalCode, MunicipalityCode, PrefectureNumber, ReportRow, Totals,
};

/// Reads a 「詳細のみ」 CSV export from memory. An .xlsx is refused here: a
/// source that may be either goes through [`super::import_any`].
pub fn import_bytes(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    import_bytes_observed(bytes, options, &mut NoProgress)
}

/// As [`import_bytes`], telling `progress` every few thousand records how many
/// bytes have been parsed and how many rows they held.
pub fn import_bytes_observed(
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> Result<Import, ImportError> {
    let near_middle = |csv: &CsvRecords, start: usize| {
        let body = csv.body().len();
        (body >= PARALLEL_FROM).then(|| start + (body - start) / 2)
    };
    import_split_near(bytes, options, progress, near_middle)
}

/// Bodies at least this large are parsed in two halves on two threads.
const PARALLEL_FROM: usize = 4 * 1024 * 1024;

/// Rows of the second half are handed over in batches this large, so joining
/// the halves never holds a second copy of them.
const BATCH_ROWS: usize = 32 * 1024;

/// The CSV import, with the body cut in two near where `near` says (from the
/// reader after the header and where the rows start), at a record boundary,
/// and both halves parsed at once. The rows, problems, lines and errors are
/// those of a single pass: the first half's error wins, and a second half
/// that starts inside the footer is read again as such.
pub(crate) fn import_split_near(
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
    near: impl FnOnce(&CsvRecords, usize) -> Option<usize>,
) -> Result<Import, ImportError> {
    let source_name = options.source_name.clone();
    let mut csv = CsvRecords::open(bytes, options)?;
    let encoding = csv.encoding();
    let header_line = csv.header()?;
    let layout = Layout::read(csv.record(), header_line, &source_name, encoding)?;
    let start = csv.read_to();
    let split = near(&csv, start).and_then(|at| split_point(csv.body(), start, at));
    let abandoned = || ImportErrorKind::Abandoned.of(&source_name);
    let part = match split {
        None => read_part(
            &mut csv,
            &layout,
            false,
            false,
            Vec::new(),
            &mut |bytes, rows| {
                let bytes = start as u64 + bytes;
                progress.parsed(ParseProgress { bytes, rows });
                !progress.abandoned()
            },
        )
        .map_err(|e| e.unwrap_or_else(abandoned))?,
        Some(split) => read_halves(&csv, &layout, start, split, progress)
            .map_err(|e| e.unwrap_or_else(abandoned))?,
    };
    Ok(finish(part, &layout, source_name, encoding))
}

/// The import of the records read: the total rows compared with the sums of the detail rows.
pub(super) fn finish(
    part: Part,
    layout: &Layout,
    source_name: String,
    encoding: DetectedEncoding,
) -> Import {
    let Part {
        rows,
        footer,
        total_rows,
        figures,
        ..
    } = part;

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
        .0
        .extra_names
        .iter()
        .map(|name| restore_formula(name).to_string())
        .collect();
    let mut import = rows.finish(source_name, extra_names, encoding, Numbering::Line);
    import.footer = footer;
    import.total_checks = total_checks;
    import.figures = figures.map(Box::new);
    import
}

/// What one stretch of records gave.
pub(super) struct Part {
    rows: RowCollector,
    /// Rows taken off `rows` in batches (the second half's), in order.
    batches: Vec<Vec<ReportRow>>,
    footer: Vec<String>,
    total_rows: Vec<(u64, GivenTotals)>,
    /// The stretch ended in the footer.
    pub(super) in_footer: bool,
    /// The figures of its rows, once measured ([`Part::measure`]).
    figures: Option<RowFigures>,
}

impl Part {
    /// Measures the figures of its rows (taken without batches) while they are at hand.
    pub(super) fn measure(&mut self) {
        if self.batches.is_empty() {
            self.figures = Some(RowFigures::of(&self.rows.rows, 0));
        }
    }

    /// Rows taken so far, in this stretch's collector and its batches.
    pub(super) fn row_count(&self) -> usize {
        self.rows.rows.len() + self.batches.iter().map(Vec::len).sum::<usize>()
    }

    /// This stretch with room for `rows` rows in all, made at once, and the
    /// buffer its rows were in, emptied, for another stretch.
    pub(super) fn with_room_for(mut self, rows: usize) -> (Part, Vec<ReportRow>) {
        let taken = self.row_count();
        if rows <= taken {
            return (self, Vec::new());
        }
        let mut all = Vec::with_capacity(rows);
        for batch in self.batches.drain(..) {
            all.extend(batch);
        }
        all.append(&mut self.rows.rows);
        let emptied = std::mem::replace(&mut self.rows.rows, all);
        (self, emptied)
    }

    /// This stretch followed by `next`.
    pub(super) fn then(self, next: Part) -> Part {
        self.then_keeping(next).0
    }

    /// This stretch followed by `next`, and the buffer `next`'s rows were in,
    /// emptied, for another stretch.
    pub(super) fn then_keeping(mut self, mut next: Part) -> (Part, Vec<ReportRow>) {
        let batched: usize = next.batches.iter().map(Vec::len).sum();
        let added = batched + next.rows.rows.len();
        self.rows.rows.reserve(added);
        crate::model::memory::fault_in_room(&mut self.rows.rows, added);
        for batch in next.batches.drain(..) {
            self.rows.rows.extend(batch);
        }
        self.figures = match (self.figures.take(), next.figures.take()) {
            (Some(mut figures), Some(more)) => {
                figures.add(more, true);
                Some(figures)
            }
            _ => None,
        };
        self.rows.append(&mut next.rows);
        self.footer.append(&mut next.footer);
        self.total_rows.append(&mut next.total_rows);
        self.in_footer = next.in_footer;
        (self, std::mem::take(&mut next.rows.rows))
    }
}

/// An error of a stretch, or none when it was told to stop.
pub(super) type PartError = Option<ImportError>;

/// Reads the records of `csv` into rows, starting in the footer or not, and in
/// batches or not; `report` is told (bytes read of this stretch, rows) every
/// few thousand records and answers whether to go on. The rows go into
/// `buffer` (empty; its room is reused).
pub(super) fn read_part(
    csv: &mut CsvRecords,
    layout: &Layout,
    in_footer: bool,
    batched: bool,
    buffer: Vec<ReportRow>,
    report: &mut dyn FnMut(u64, usize) -> bool,
) -> Result<Part, PartError> {
    let encoding = csv.encoding();
    let started_at = csv.read_to();
    let mut parser = RowParser::new(layout, encoding);
    parser.utf8_checked = csv.is_utf8_checked();
    parser.restore_formulas = true;
    let mut part = Part {
        rows: RowCollector::into(buffer),
        batches: Vec::new(),
        footer: Vec::new(),
        total_rows: Vec::new(),
        in_footer,
        figures: None,
    };
    let mut totals = TotalRowFinder::default();
    let mut taken = 0;
    let mut until_report = REPORT_EVERY_RECORDS;
    while let Some(place) = csv.next_record()? {
        until_report -= 1;
        if until_report == 0 {
            until_report = REPORT_EVERY_RECORDS;
            let read = (csv.read_to() - started_at) as u64;
            if !report(read, taken + part.rows.rows.len()) {
                return Err(None);
            }
        }
        let record = csv.record();
        let line = place.line;
        // A blank line before a record starts the footer.
        part.in_footer |= place.after_blank_line;
        if let Some(total) = totals.find(layout, record, encoding) {
            part.total_rows.push((line, total));
            continue;
        }
        if part.in_footer && !layout.looks_like_data(record) {
            part.footer.push(record_text(record, encoding));
            continue;
        }
        csv.check_not_cut(place, layout.width())?;
        part.rows.take(parser.parse(csv.record(), line));
        if batched && part.rows.rows.len() == BATCH_ROWS {
            taken += BATCH_ROWS;
            part.batches.push(std::mem::take(&mut part.rows.rows));
        }
    }
    Ok(part)
}

/// Reads the records before `split` here and those after it on a second thread.
fn read_halves(
    csv: &CsvRecords,
    layout: &Layout,
    start: usize,
    split: usize,
    progress: &mut dyn ProgressSink,
) -> Result<Part, PartError> {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
    let end = csv.body().len();
    let stop = AtomicBool::new(false);
    let (second_bytes, second_rows) = (AtomicU64::new(0), AtomicUsize::new(0));
    let mut tail = csv.range(split, end);
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            read_part(
                &mut tail,
                layout,
                false,
                true,
                Vec::new(),
                &mut |bytes, rows| {
                    second_bytes.store(bytes, Relaxed);
                    second_rows.store(rows, Relaxed);
                    !stop.load(Relaxed)
                },
            )
        });
        let mut head = csv.range(start, split);
        let first = read_part(
            &mut head,
            layout,
            false,
            false,
            Vec::new(),
            &mut |bytes, rows| {
                progress.parsed(ParseProgress {
                    bytes: start as u64 + bytes + second_bytes.load(Relaxed),
                    rows: rows + second_rows.load(Relaxed),
                });
                !progress.abandoned()
            },
        );
        if first.is_err() {
            stop.store(true, Relaxed);
        }
        let second = second.join().unwrap_or(Err(None));
        // The second half may end last: the whole count is told once more.
        if let (Ok(first), Ok(second)) = (&first, &second) {
            progress.parsed(ParseProgress {
                bytes: end as u64,
                rows: first.row_count() + second.row_count(),
            });
        }
        (first, second)
    });
    let first = first?;
    let second = if first.in_footer {
        // The footer began in the first half: the second is read again knowing it.
        let mut tail = csv.range(split, end);
        read_part(&mut tail, layout, true, false, Vec::new(), &mut |_, _| {
            !progress.abandoned()
        })?
    } else {
        second?
    };
    Ok(first.then(second))
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
    let layout = Layout::read(&header_record, 0, &source_name, DetectedEncoding::Utf8)?;
    let mut parser = RowParser::new(&layout, DetectedEncoding::Utf8);
    let mut rows = RowCollector::default();
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
    let import = rows.finish(source_name, layout.0.extra_names, encoding, numbering);
    Ok((import, numbers))
}

/// G-MIS's columns as a header knows them: every one required, each by its
/// name or one of the other spellings [`Column::from_header`] accepts.
struct GmisColumns;

impl HeaderSpec for GmisColumns {
    fn slots(&self) -> usize {
        Column::GMIS.len()
    }

    fn recognise(&self, name: &str) -> Option<(usize, usize)> {
        Column::from_header(name).map(|column| (gmis_position(column), 0))
    }

    fn slot_name(&self, slot: usize) -> &'static str {
        Column::GMIS[slot].name()
    }

    fn required(&self) -> Vec<usize> {
        (0..Column::GMIS.len()).collect()
    }

    fn unrecognised(&self, line: u64) -> ImportErrorKind {
        ImportErrorKind::NotAReport { line }
    }
}

/// Where each column is in the file.
pub(super) struct Layout(HeaderLayout);

impl Layout {
    pub(super) fn read(
        record: &ByteRecord,
        line: u64,
        source_name: &str,
        encoding: DetectedEncoding,
    ) -> Result<Self, ImportError> {
        HeaderLayout::read(record, encoding, line, source_name, &GmisColumns).map(Self)
    }

    fn width(&self) -> usize {
        self.0.width
    }

    fn field<'r>(&self, record: &'r ByteRecord, column: Column) -> &'r [u8] {
        self.0.field(record, gmis_position(column))
    }

    /// A footer record is still data if it has a hospital code where one belongs.
    fn looks_like_data(&self, record: &ByteRecord) -> bool {
        let code = trim_ascii(self.field(record, Column::HospitalCode));
        record.len() >= self.width() && code.len() == 10 && code.iter().all(u8::is_ascii_digit)
    }

    /// A 総計 / 合計 / Grand Total row, with the totals it gives.
    fn total_row(&self, record: &ByteRecord, encoding: DetectedEncoding) -> Option<GivenTotals> {
        let first = first_text(record)?;
        let first =
            encoding::decode(first, encoding).unwrap_or_else(|| String::from_utf8_lossy(first));
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

/// The first field of a record that is not blank: a total row names itself there.
fn first_text(record: &ByteRecord) -> Option<&[u8]> {
    record.iter().find(|f| !trim_ascii(f).is_empty())
}

/// Finds total rows, remembering the last first field that did not start one:
/// data rows mostly repeat it (their prefecture), and it is not read again.
#[derive(Default)]
struct TotalRowFinder {
    not_total: Vec<u8>,
}

impl TotalRowFinder {
    fn find(
        &mut self,
        layout: &Layout,
        record: &ByteRecord,
        encoding: DetectedEncoding,
    ) -> Option<GivenTotals> {
        let first = first_text(record)?;
        if !self.not_total.is_empty() && first == self.not_total.as_slice() {
            return None;
        }
        let total = layout.total_row(record, encoding);
        if total.is_none() {
            self.not_total.clear();
            self.not_total.extend_from_slice(first);
        }
        total
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
    shared: HashMap<Box<[u8]>, usize, ShortKeys>,
    /// The texts `shared` points into, each held once.
    shared_texts: Vec<Arc<str>>,
    /// The last value of each shared column, and where its text is in
    /// `shared_texts`: neighbouring rows mostly repeat it. An index, not a
    /// share, so that a row takes one share of its text and no more.
    last: [(Vec<u8>, Option<usize>); 3],
    /// Where Shift-JIS fields are decoded, kept from one field to the next.
    decoded: String,
    /// The last 実績日 and 報告日時 days read.
    record_days: time::DayMemo,
    report_days: time::DayMemo,
    /// Drop the `'` an export puts before a field that looks like a formula
    /// ([`restore_formula`]): for the CSV only.
    restore_formulas: bool,
    /// The fields come from a body checked to be UTF-8 as a whole.
    utf8_checked: bool,
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
        // A parser's error may quote the value (a code's digits): sanitised here.
        result
            .map_err(|e| self.fail(column, crate::text::sanitize(&e.to_string()).into_owned()))
            .ok()
    }
}

impl<'a> RowParser<'a> {
    fn new(layout: &'a Layout, encoding: DetectedEncoding) -> Self {
        Self {
            layout,
            encoding,
            shared: HashMap::with_hasher(ShortKeys::seeded()),
            shared_texts: Vec::new(),
            decoded: String::new(),
            record_days: Default::default(),
            report_days: Default::default(),
            last: Default::default(),
            restore_formulas: false,
            utf8_checked: false,
        }
    }

    /// Text as it was before the writer neutralised a formula, when this parser reads a CSV.
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
        if record.len() < self.layout.width() {
            let width = self.layout.width();
            check
                .problems
                .push(RowProblem::too_few_fields(line, width, record.len()));
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
            PrefectureNumber::parse_bytes(field(Column::PrefectureNo)),
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
        let (record_date, reported_at) = (field(Column::RecordDate), field(Column::ReportedAt));
        let record_date = check.check(
            Column::RecordDate,
            self.record_days
                .date(record_date)
                .ok_or_else(|| unreadable("日付", record_date)),
        );
        let reported_at = check.check(
            Column::ReportedAt,
            self.report_days
                .datetime(reported_at)
                .ok_or_else(|| unreadable("日時", reported_at)),
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
            .0
            .extra_index
            .iter()
            .map(|&i| {
                let bytes = record.get(i).unwrap_or(b"");
                self.decode(bytes)
                    .map(|t| self.restored(&t).to_string())
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
            hospital_name: hospital_name?.into(),
            record_date: record_date?,
            reported_at: reported_at?,
            secured: secured?,
            ready: ready?,
            inpatients: inpatients?,
            extra,
        })
    }

    /// Decodes a text field as it was: the terminal neutralises control
    /// characters when it shows them, and an export carries the data.
    fn text(&mut self, bytes: &[u8], column: Column, check: &mut RowCheck) -> Option<String> {
        match self.decoded_clean(bytes) {
            Some(text) => Some(text),
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

    fn decode<'b>(&self, bytes: &'b [u8]) -> Option<std::borrow::Cow<'b, str>> {
        if self.utf8_checked {
            // SAFETY: a field of a body checked to be UTF-8 as a whole.
            return Some(unsafe { encoding::checked_utf8_field(bytes) }.into());
        }
        encoding::decode(bytes, self.encoding)
    }

    /// The field decoded, restored and trimmed; none if the encoding cannot read it.
    /// Shift-JIS is decoded into a buffer kept for the next field, so the only
    /// copy made is the one the row keeps, at its exact length.
    fn decoded_clean(&mut self, bytes: &[u8]) -> Option<String> {
        if self.encoding != DetectedEncoding::ShiftJis || bytes.is_ascii() {
            let text = self.decode(bytes)?;
            return Some(self.restored(&text).trim().to_string());
        }
        let mut buffer = std::mem::take(&mut self.decoded);
        let text = encoding::decode_sjis_into(bytes, &mut buffer)
            .then(|| self.restored(&buffer).trim().to_string());
        self.decoded = buffer;
        text
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
        if let (last_bytes, Some(at)) = &self.last[slot] {
            if last_bytes.as_slice() == bytes {
                return Some(self.shared_texts[*at].clone());
            }
        }
        let at = match self.shared.get(bytes) {
            Some(&at) => at,
            None => {
                let text: Arc<str> = self.text(bytes, column, check)?.into();
                self.shared_texts.push(text);
                let at = self.shared_texts.len() - 1;
                self.shared.insert(bytes.into(), at);
                at
            }
        };
        let last = &mut self.last[slot];
        last.0.clear();
        last.0.extend_from_slice(bytes);
        last.1 = Some(at);
        Some(self.shared_texts[at].clone())
    }
}

/// The reason for a field that cannot be read as `what` (日付, 日時).
fn unreadable(what: &str, bytes: &[u8]) -> String {
    format!("{what}として読めません（{}）", show(bytes))
}

/// What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"):
/// the writer (`crate::export::csv::neutralize_formula`) quotes a field that
/// starts with one of them, and [`restore_formula`] drops that quote again.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The reader's side of `crate::export::csv::neutralize_formula`: one leading `'` is dropped when
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::formats::{import_any, FeedFormat};

    const HEADER: &str =
        "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,\
                          医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\r\n";

    #[test]
    fn remembered_first_fields_find_the_same_total_rows() {
        let options = ImportOptions::default();
        let mut csv = CsvRecords::open(HEADER.as_bytes(), &options).unwrap();
        let line = csv.header().unwrap();
        let layout = Layout::read(csv.record(), line, "t.csv", DetectedEncoding::Utf8).unwrap();
        let mut finder = TotalRowFinder::default();
        let records = [
            "東京都,13,131016,千代田区,1301,区中央部,1310170043,病院,2022/01/05,2022/02/01 11:32,4,3,2",
            "東京都,13,131016,千代田区,1301,区中央部,1310170043,病院,2022/01/05,2022/02/01 11:32,4,3,2",
            "総計,,,,,,,,,,4,3,2",
            "東京都,13,131016,千代田区,1301,区中央部,1310170043,病院,2022/01/05,2022/02/01 11:32,4,3,2",
            "　総計,,,,,,,,,,4,3,2",
            ",Grand Total,,,,,,,,,4,3,2",
            ",Grand Total,,,,,,,,,4,3,2",
            "東京都,13,131016,千代田区,1301,区中央部,1310170043,病院,2022/01/05,2022/02/01 11:32,4,3,2",
        ];
        let mut found = Vec::new();
        for text in records {
            let record = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes())
                .byte_records()
                .next()
                .unwrap()
                .unwrap();
            let remembered = finder
                .find(&layout, &record, DetectedEncoding::Utf8)
                .is_some();
            let read = layout.total_row(&record, DetectedEncoding::Utf8).is_some();
            assert_eq!(remembered, read, "{text}");
            found.push(remembered);
        }
        assert_eq!(found, [false, false, true, false, true, true, true, false]);
    }

    #[test]
    fn shift_jis_names_are_trimmed_and_restored_as_utf8_ones_are() {
        let body = format!(
            "{HEADER}東京都,13,131016,千代田区,1301,区中央部,1310170043,　病院Ａ ,2022/01/05,2022/02/01 11:32,4,3,2\r\n\
             東京都,13,131016,千代田区,1301,区中央部,1310170043,'=病院Ｂ,2022/01/05,2022/02/01 11:32,4,3,2\r\n\
             東京都,13,131016,千代田区,1301,区中央部,1310170043,ｸﾞﾘｰﾝ病院,2022/01/05,2022/02/01 11:32,4,3,2\r\n"
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&body);
        let options = ImportOptions::default();
        for bytes in [&sjis[..], body.as_bytes()] {
            let import = import_bytes(bytes, &options).unwrap();
            let names: Vec<&str> = import
                .report
                .rows
                .iter()
                .map(|r| r.hospital_name.as_ref())
                .collect();
            assert_eq!(names, ["病院Ａ", "=病院Ｂ", "ｸﾞﾘｰﾝ病院"]);
        }
    }

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

    /// A body with what a single pass must get right across a cut: quoted
    /// fields with line breaks, bad rows, blank lines, a total row, a footer.
    pub(crate) fn awkward_body(rng: &mut fastrand::Rng, rows: usize) -> String {
        let mut text = String::from(
            "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,\
             医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\r\n",
        );
        let mut footer = false;
        for i in 0..rows {
            let name = match rng.u8(..6) {
                0 => format!("\"病院\r\n{i}号館\""),
                1 => format!("\"病院 \"\"{i}\"\"\""),
                _ => format!("病院{i}"),
            };
            let ready = if rng.u8(..10) == 0 {
                "x".to_string()
            } else {
                (i % 7).to_string()
            };
            text.push_str(&format!(
                "東京都,13,131016,千代田区,1301,区中央部,13{i:08},{name},2022/01/05,2022/02/01 11:32,9,{ready},1\r\n"
            ));
            match rng.u8(..40) {
                0 => text.push_str("\r\n"),
                1 if !footer => {
                    footer = true;
                    text.push_str("\r\n※ 注記の行\r\n");
                }
                2 => text.push_str("総計,,,,,,,,,,90,30,10\r\n"),
                _ => {}
            }
        }
        if rng.bool() {
            text.push_str("\"切れた行");
        }
        text
    }

    #[test]
    fn two_halves_give_exactly_what_one_pass_gives() {
        let mut rng = fastrand::Rng::with_seed(11);
        let options = ImportOptions {
            source_name: "split.csv".to_string(),
            ..Default::default()
        };
        let mut split_runs = 0;
        for _ in 0..16 {
            let text = awkward_body(&mut rng, 40);
            let once = import_split_near(text.as_bytes(), &options, &mut NoProgress, |_, _| None);
            let whole = format!("{once:?}");
            let len = text.len();
            for near in (0..len).step_by(23) {
                let mut used = false;
                let halves =
                    import_split_near(text.as_bytes(), &options, &mut NoProgress, |csv, start| {
                        used = split_point(csv.body(), start, near).is_some();
                        Some(near)
                    });
                split_runs += usize::from(used);
                assert_eq!(
                    format!("{halves:?}"),
                    whole,
                    "cut near byte {near} of\n{text}"
                );
            }
        }
        assert!(split_runs > 400, "the bodies were cut: {split_runs}");
    }

    #[test]
    fn a_large_body_is_read_in_two_halves() {
        let mut rng = fastrand::Rng::with_seed(5);
        let mut text = awkward_body(&mut rng, 48_000);
        text.truncate(text.rfind("\r\n").unwrap() + 2);
        assert!(text.len() >= PARALLEL_FROM);
        let options = ImportOptions::default();
        let once = import_split_near(text.as_bytes(), &options, &mut NoProgress, |_, _| None);
        let mut seen = Vec::new();
        let halves = import_bytes_observed(text.as_bytes(), &options, &mut |p: ParseProgress| {
            seen.push(p)
        });
        assert_eq!(format!("{halves:?}"), format!("{once:?}"));
        let last = seen.last().expect("progress was told");
        assert!(
            last.rows > 20_000 && last.bytes > (text.len() / 2) as u64,
            "{last:?}"
        );
        let middle = text.len() / 2;
        assert!(
            split_point(text.as_bytes(), 0, middle).is_some(),
            "a place to cut it is found"
        );
    }

    #[test]
    fn an_xlsx_is_left_to_the_dispatcher() {
        let options = ImportOptions {
            source_name: "r.xlsx".to_string(),
            ..Default::default()
        };
        let err = import_bytes(b"PK\x03\x04rest of a zip", &options).unwrap_err();
        assert_eq!(err.kind, ImportErrorKind::Xlsx);
        let err = import_any(b"PK\x03\x04rest", FeedFormat::Csv, &options).unwrap_err();
        assert!(
            matches!(err.kind, ImportErrorKind::XlsxUnreadable { .. }),
            "{err}"
        );
    }
}

//! A CSV file read record by record on its raw bytes, each record with the line
//! it starts on: the reader behind the report import ([`super::gmis_csv`]) and
//! the master imports (`crate::master`).
//!
//! The CSV is parsed on the raw bytes even for Shift-JIS: no byte of a CP932
//! double-byte character is a comma, a quote or a line break, so only text
//! fields need decoding, and codes and numbers are read straight from ASCII.

use std::borrow::Cow;

use csv::ByteRecord;

use super::encoding::{self, DetectedEncoding};
use super::import::{Cut, ImportError, ImportErrorKind, ImportOptions};

/// Where a record of a CSV file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordPlace {
    /// The 1-based line the record starts on.
    pub line: u64,
    /// A blank line (or a line of nothing but blanks and commas) came before it.
    pub after_blank_line: bool,
    /// It is the body's last record and no line break ends it: if it is short,
    /// the body was cut in the middle of it.
    pub unterminated: bool,
}

/// A CSV file read record by record. Blank records after the header are skipped
/// and noted.
pub(crate) struct CsvRecords<'a> {
    body: &'a [u8],
    reader: csv::Reader<&'a [u8]>,
    record: ByteRecord,
    lines: LineCounter,
    encoding: DetectedEncoding,
    source_name: String,
    /// Where the record last read starts: no quote is open there.
    last_start: usize,
    /// The body ends with a line break (after any trailing blanks or EOF marks).
    ends_with_line_break: bool,
    /// Where in `body` the reader started: 0, or the start of a stretch read
    /// on its own ([`CsvRecords::range`]).
    offset: usize,
    /// Line breaks in the whole file before `offset`, where the reader
    /// started: the reader counts its own from there. A block of a file read in
    /// blocks ([`CsvRecords::block`]) numbers its lines as the file does.
    newlines_before_reader: u64,
    /// The body is UTF-8, and was checked to be as a whole (a field needs no check).
    utf8_checked: bool,
}

/// The reader every stretch of a body is read with.
fn reader_over(text: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

impl<'a> CsvRecords<'a> {
    /// Refuses what is not text (binary, .xlsx, nothing at all) and decides the encoding.
    pub(crate) fn open(bytes: &'a [u8], options: &ImportOptions) -> Result<Self, ImportError> {
        check_is_text(bytes, &options.source_name)?;
        let (encoding, body) = encoding::detect(bytes, options.encoding);
        let reader = reader_over(body);
        let utf8_checked = encoding::checked_as_utf8(encoding, options.encoding);
        Ok(Self {
            body,
            reader,
            record: ByteRecord::new(),
            lines: LineCounter::default(),
            encoding,
            source_name: options.source_name.clone(),
            last_start: 0,
            ends_with_line_break: ends_with_line_break(body),
            offset: 0,
            newlines_before_reader: 0,
            utf8_checked,
        })
    }

    /// The records from `start` to `end` of the body (after any BOM), read on
    /// their own with the lines of the whole body: `start` must be where a record
    /// begins and `end` where one ends (see [`split_point`]).
    pub(crate) fn range(&self, start: usize, end: usize) -> CsvRecords<'a> {
        let body = &self.body[..end];
        CsvRecords {
            body,
            reader: reader_over(&body[start..]),
            record: ByteRecord::new(),
            lines: LineCounter::default(),
            encoding: self.encoding,
            source_name: self.source_name.clone(),
            last_start: start,
            ends_with_line_break: ends_with_line_break(body),
            offset: start,
            newlines_before_reader: newlines(&body[..start]),
            utf8_checked: self.utf8_checked,
        }
    }

    /// The records of one block of a file read in blocks, from `start` (where a
    /// record begins; the bytes before it are the end of the previous block, so
    /// a blank line before the first record is seen). `lines_before` is the
    /// number of line breaks in the file before `body`.
    pub(crate) fn block(
        body: &'a [u8],
        start: usize,
        encoding: DetectedEncoding,
        source_name: &str,
        lines_before: u64,
    ) -> CsvRecords<'a> {
        CsvRecords {
            body,
            reader: reader_over(&body[start..]),
            record: ByteRecord::new(),
            lines: LineCounter {
                offset: 0,
                newlines: lines_before,
            },
            encoding,
            source_name: source_name.to_string(),
            last_start: start,
            ends_with_line_break: ends_with_line_break(body),
            offset: start,
            newlines_before_reader: lines_before + newlines(&body[..start]),
            utf8_checked: false,
        }
    }

    /// These records as UTF-8 checked already, from `start` to the end: a
    /// block the reader of blocks checked before handing it on.
    pub(crate) fn utf8_checked(mut self, checked: bool) -> Self {
        self.utf8_checked = checked;
        self
    }

    /// Every field is UTF-8 (see [`encoding::checked_utf8_field`]).
    pub(crate) fn is_utf8_checked(&self) -> bool {
        self.utf8_checked
    }

    /// Where in the body (after any BOM) the reader has got.
    pub(crate) fn read_to(&self) -> usize {
        self.reader.position().byte() as usize + self.offset
    }

    /// The body after any BOM.
    pub(crate) fn body(&self) -> &'a [u8] {
        self.body
    }

    pub(crate) fn encoding(&self) -> DetectedEncoding {
        self.encoding
    }

    /// The record last read.
    pub(crate) fn record(&self) -> &ByteRecord {
        &self.record
    }

    fn read(&mut self) -> Result<bool, ImportError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|err| {
                // The reader counts lines from where it started.
                let before = self.newlines_before_reader;
                ImportErrorKind::Malformed {
                    line: err.position().map_or(0, |p| p.line() + before),
                    message: err.to_string(),
                }
                .of(&self.source_name)
            })?;
        if more {
            self.last_start = self.record_start();
        } else {
            self.check_no_open_quote()?;
        }
        Ok(more)
    }

    /// At the end of the body: the csv reader ends a quoted field left open at
    /// the end without a word, and the rest of the body with it.
    fn check_no_open_quote(&mut self) -> Result<(), ImportError> {
        let Some(at) = open_quote_at(&self.body[self.last_start..]) else {
            return Ok(());
        };
        let quote = self.last_start + at;
        let line = self.lines.line_at(self.body, quote);
        let rest = &self.body[quote..];
        let breaks = newlines(rest);
        let lines = breaks + u64::from(!rest.ends_with(b"\n"));
        Err(ImportErrorKind::Truncated {
            line,
            cut: Cut::OpenQuote { lines },
        }
        .of(&self.source_name))
    }

    /// The error for the record last read, at `place`, when the body was cut in
    /// the middle of it: the last record, short of the header's `header_width`
    /// fields, with no line break after it (a quote left open says so first).
    pub(crate) fn check_not_cut(
        &mut self,
        place: RecordPlace,
        header_width: usize,
    ) -> Result<(), ImportError> {
        let found = self.record.len();
        if !place.unterminated || found >= header_width {
            return Ok(());
        }
        self.check_no_open_quote()?;
        let cut = Cut::ShortLastRow {
            header_width,
            found,
        };
        let line = place.line;
        Err(ImportErrorKind::Truncated { line, cut }.of(&self.source_name))
    }

    /// True when the reader has used the whole body and no line break ends it.
    fn at_unterminated_end(&self) -> bool {
        !self.ends_with_line_break && self.read_to() >= self.body.len()
    }

    /// Where the record last read begins in the body.
    fn record_start(&self) -> usize {
        record_start(self.body, &self.record, self.offset)
    }

    /// Reads the header: the first line that is not empty. Returns its line; a
    /// file with no record at all is [`ImportErrorKind::Empty`].
    pub(crate) fn header(&mut self) -> Result<u64, ImportError> {
        if !self.read()? {
            return Err(ImportErrorKind::Empty.of(&self.source_name));
        }
        let start = self.record_start();
        Ok(self.lines.line_at(self.body, start))
    }

    /// The line of `start`, where the record last read begins, from the csv
    /// reader's own count of the line breaks it has read: only the empty lines
    /// it skipped before the record are scanned again.
    fn record_line(&mut self, start: usize) -> u64 {
        let Some(position) = self.record.position() else {
            return self.lines.line_at(self.body, start);
        };
        let from = (position.byte() as usize + self.offset).min(start);
        self.newlines_before_reader + position.line() + newlines(&self.body[from..start])
    }

    /// Reads the next record that is not blank.
    pub(crate) fn next_record(&mut self) -> Result<Option<RecordPlace>, ImportError> {
        let mut after_blank_line = false;
        while self.read()? {
            // `read` found where the record starts.
            let start = self.last_start;
            // The csv reader skips empty lines; one before a record shows in the bytes.
            after_blank_line |= ends_with_blank_line(&self.body[..start]);
            if is_blank_record(&self.record) {
                after_blank_line = true;
                continue;
            }
            let line = self.record_line(start);
            return Ok(Some(RecordPlace {
                line,
                after_blank_line,
                unterminated: self.at_unterminated_end(),
            }));
        }
        Ok(None)
    }
}

/// Where the quote opened of a field still open at the end of `text`, read from
/// the start of a record by the csv reader's rules: a quote opens a field only
/// as its first byte, `""` inside it is a quote, and the field closes at the
/// next lone quote.
pub(crate) fn open_quote_at(text: &[u8]) -> Option<usize> {
    // Only quotes change the state, so the scan jumps from one quote to the next:
    // outside a field a quote opens one only right after a separator (or at the start).
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'"', &text[from..]).map(|i| from + i) {
        let field_start = at == 0 || matches!(text[at - 1], b',' | b'\n' | b'\r');
        from = at + 1;
        if !field_start {
            continue;
        }
        loop {
            let Some(close) = memchr::memchr(b'"', &text[from..]).map(|i| from + i) else {
                return Some(at);
            };
            if text.get(close + 1) == Some(&b'"') {
                from = close + 2;
            } else {
                from = close + 1;
                break;
            }
        }
    }
    None
}

/// Where to cut a body in two for two threads: the first line break at or
/// after `near` that ends a record, read from `from` (a record's start), with
/// something after it; none when no such place is found soon (a long quoted
/// field spans the middle).
pub(crate) fn split_point(body: &[u8], from: usize, near: usize) -> Option<usize> {
    let mut at = near.max(from);
    for _ in 0..8 {
        let split = at + memchr::memchr(b'\n', body.get(at..)?)? + 1;
        if split >= body.len() {
            return None;
        }
        if open_quote_at(&body[from..split]).is_none() {
            return Some(split);
        }
        at = split;
    }
    None
}

/// Bytes some exports leave after the last line: blanks and the old EOF mark (Ctrl-Z).
fn is_trailing_filler(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | 0x1A)
}

/// True if the text's last byte, after any trailing blanks and EOF marks, is a line break.
pub(crate) fn ends_with_line_break(text: &[u8]) -> bool {
    text.iter()
        .rev()
        .find(|&&b| !is_trailing_filler(b))
        .is_some_and(|&b| b == b'\n' || b == b'\r')
}

fn check_is_text(bytes: &[u8], source_name: &str) -> Result<(), ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportErrorKind::Xlsx.of(source_name));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(ImportErrorKind::Binary.of(source_name));
    }
    if is_all_blank(bytes) {
        return Err(ImportErrorKind::Empty.of(source_name));
    }
    Ok(())
}

/// Nothing but blanks, commas and quotes after any BOM: no record at all.
pub(crate) fn is_all_blank(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    body.iter()
        .all(|b| b.is_ascii_whitespace() || *b == b',' || *b == b'"')
}

/// Where a record's text begins: the reader's position may sit on the line
/// break that ended the previous record, or on blank lines before this one.
fn record_start(body: &[u8], record: &ByteRecord, offset: usize) -> usize {
    let from = record
        .position()
        .map_or(0, |p| p.byte() as usize + offset)
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
        self.newlines += newlines(&body[self.offset..offset]);
        self.offset = offset;
        self.newlines + 1
    }
}

/// Line breaks in `bytes`.
pub(crate) fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
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

/// A record as one line of text, for footer notices: its fields that are not
/// blank, trimmed, control characters neutralised, joined by spaces.
pub(crate) fn record_text(record: &ByteRecord, encoding: DetectedEncoding) -> String {
    record
        .iter()
        .map(|f| crate::text::sanitize(decode_lossy(f, encoding).trim()).into_owned())
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field's text; bytes the encoding cannot read are replaced.
pub(crate) fn decode_lossy(bytes: &[u8], encoding: DetectedEncoding) -> String {
    encoding::decode(bytes, encoding)
        .map(Cow::into_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let start = record_start(csv.as_bytes(), &record, 0);
            found.push((
                lines.line_at(csv.as_bytes(), start),
                ends_with_blank_line(&csv.as_bytes()[..start]),
            ));
        }
        assert_eq!(found, [(1, false), (2, false), (5, true)]);
    }

    #[test]
    fn empty_lines_before_the_header_count_once() {
        let options = ImportOptions::default();
        let mut records = CsvRecords::open(b"\n\r\nh\n1\n\n2\n", &options).unwrap();
        assert_eq!(records.header().unwrap(), 3);
        let lines: Vec<u64> = std::iter::from_fn(|| records.next_record().unwrap())
            .map(|place| place.line)
            .collect();
        assert_eq!(lines, [4, 6]);
    }

    /// Each record's line as a scan of every byte before its start gives it,
    /// after `lines_before` line breaks of the file before the body.
    fn lines_by_scanning(records: &mut CsvRecords, lines_before: u64) -> Vec<u64> {
        let mut scan = LineCounter {
            offset: 0,
            newlines: lines_before,
        };
        let mut lines = Vec::new();
        while let Ok(Some(place)) = records.next_record() {
            let start = records.last_start;
            lines.push((place.line, scan.line_at(records.body, start)));
        }
        lines
            .into_iter()
            .map(|(read, scanned)| {
                assert_eq!(read, scanned);
                read
            })
            .collect()
    }

    #[test]
    fn record_lines_from_the_reader_agree_with_a_scan_of_the_bytes() {
        let mut rng = fastrand::Rng::with_seed(29);
        let alphabet = b"a,\"\n\n\r";
        let options = ImportOptions::default();
        let mut records_seen = 0;
        for _ in 0..5_000 {
            let len = rng.usize(0..40);
            // Empty lines may come before the header too.
            let mut text = [&b"\n"[..], b"\r\n"][rng.usize(..2)].repeat(rng.usize(0..3));
            text.extend_from_slice(b"h\n");
            text.extend((0..len).map(|_| alphabet[rng.usize(..alphabet.len())]));
            let mut whole = CsvRecords::open(&text, &options).unwrap();
            if whole.header().is_err() {
                continue;
            }
            let lines = lines_by_scanning(&mut whole, 0);
            records_seen += lines.len();
            // A stretch read on its own, and a block after 7 lines of the file before it.
            if let Some(start) = split_point(&text, 0, text.len() / 2) {
                let all = CsvRecords::open(&text, &options).unwrap();
                lines_by_scanning(&mut all.range(start, text.len()), 0);
                let mut block = CsvRecords::block(&text, start, DetectedEncoding::Utf8, "x.csv", 7);
                lines_by_scanning(&mut block, 7);
            }
        }
        assert!(records_seen > 10_000, "{records_seen}");
    }

    #[test]
    fn open_quotes_are_found_as_the_csv_reader_reads_them() {
        assert_eq!(open_quote_at(b"a,b\r\n"), None);
        assert_eq!(open_quote_at(b"a,\"b\r\nc"), Some(2));
        assert_eq!(open_quote_at(b"a,\"b\"\"c\"\r\n"), None);
        assert_eq!(open_quote_at(b"a,\"b\"\""), Some(2));
        // A quote inside an unquoted field is text.
        assert_eq!(open_quote_at(b"ab\"c,d\n"), None);
        assert_eq!(open_quote_at(b"x\n\"multi\nline\"\n\"cut"), Some(15));
    }

    /// The byte-by-byte reading of the csv reader's rules that the quote-to-quote scan replaces.
    fn open_quote_byte_by_byte(text: &[u8]) -> Option<usize> {
        let mut open: Option<usize> = None;
        let mut field_start = true;
        let mut i = 0;
        while i < text.len() {
            let byte = text[i];
            if open.is_some() {
                if byte == b'"' {
                    if text.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        open = None;
                        field_start = false;
                    }
                }
            } else {
                match byte {
                    b'"' if field_start => open = Some(i),
                    b',' | b'\n' | b'\r' => field_start = true,
                    _ => field_start = false,
                }
            }
            i += 1;
        }
        open
    }

    #[test]
    fn the_quote_scan_agrees_with_the_byte_by_byte_rules() {
        let mut rng = fastrand::Rng::with_seed(13);
        let alphabet = b"a,\"\n\r";
        for _ in 0..20_000 {
            let len = rng.usize(0..24);
            let text: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            assert_eq!(
                open_quote_at(&text),
                open_quote_byte_by_byte(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn line_breaks_at_the_end_are_found_past_filler() {
        assert!(ends_with_line_break(b"a\r\n"));
        assert!(ends_with_line_break(b"a\n \x1a"));
        assert!(!ends_with_line_break(b"a,b"));
        assert!(!ends_with_line_break(b""));
    }
}

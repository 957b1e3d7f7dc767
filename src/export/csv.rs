//! Writing a report as a 「詳細のみ」 CSV export, the way G-MIS writes it.

use std::borrow::Cow;

use super::clean;
use crate::formats::encoding;
use crate::formats::gmis_csv::FORMULA_STARTS;
use crate::model::{time, Column, ReportRow};

/// The output encoding of a written CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputEncoding {
    ShiftJis,
    Utf8,
    Utf8Bom,
}

/// A character the written file does not hold as it was, where it stood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lost {
    /// The line of the written file (1-based: the header row is line 1, and a
    /// line break inside a field starts a line, as an editor counts them).
    pub line: usize,
    pub character: char,
    /// Left out ([`super::clean`]) rather than written as 〓.
    pub dropped: bool,
}

/// Neutralises a CSV field a spreadsheet would run as a formula, as OWASP's
/// "CSV Injection" guidance says: a field that starts with `=` `+` `-` `@`, tab
/// or CR gets a leading `'`, which makes Excel take the cell as text.
///
/// The reader drops that `'` again
/// ([`restore_formula`](crate::formats::gmis_csv::restore_formula)), so an export
/// reads back as the same rows. For that to be exact, a field that already starts with `'`
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

/// Writes rows as a 「詳細のみ」 export: G-MIS's columns in its order, then the
/// extra columns, CRLF, quoted where needed (line breaks inside a field stay),
/// fields that would start a formula neutralised ([`neutralize_formula`]).
/// What the file cannot hold is left out or becomes 〓 ([`super::clean`]);
/// returns the bytes and each such character with its line in the file.
pub fn write_csv<'r>(
    extra_columns: &[String],
    rows: impl IntoIterator<Item = &'r ReportRow>,
    output: OutputEncoding,
) -> (Vec<u8>, Vec<Lost>) {
    let mut lost = Vec::new();
    let out = write_csv_to(Vec::new(), extra_columns, rows, output, &mut lost)
        .expect("writing to memory cannot fail");
    (out, lost)
}

/// [`write_csv`] into `out` as the rows come, so a million rows are never
/// held as bytes: what the file cannot hold is added to `lost`. Gives back
/// `out`, flushed.
pub fn write_csv_to<'r, W: std::io::Write>(
    out: W,
    extra_columns: &[String],
    rows: impl IntoIterator<Item = &'r ReportRow>,
    output: OutputEncoding,
    lost: &mut Vec<Lost>,
) -> std::io::Result<W> {
    let mut out = out;
    if output == OutputEncoding::Utf8Bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let header = Column::GMIS
        .iter()
        .map(|c| c.name().to_string())
        .chain(extra_columns.iter().cloned());
    let mut line = 1;
    let mut write = |fields: Vec<String>| {
        let mut breaks = 0;
        let encoded: Vec<Vec<u8>> = fields
            .iter()
            .map(|field| {
                let bytes = encode_field(field, output, line + breaks, lost);
                breaks += clean::line_breaks(field);
                bytes
            })
            .collect();
        line += breaks + 1;
        writer.write_record(&encoded)
    };
    write(header.collect()).map_err(std::io::Error::from)?;
    for row in rows {
        write(row_fields(row)).map_err(std::io::Error::from)?;
    }
    writer.into_inner().map_err(|err| err.into_error())
}

/// One field's bytes: cleaned, neutralised, encoded; what it lost is noted with
/// its line, `first_line` being the line the field starts on.
fn encode_field(
    field: &str,
    output: OutputEncoding,
    first_line: usize,
    lost: &mut Vec<Lost>,
) -> Vec<u8> {
    let sjis = output == OutputEncoding::ShiftJis;
    let mut cleaned = String::new();
    for (k, piece) in clean::lines(field).enumerate() {
        let (text, dropped) = clean::clean(piece, sjis);
        lost.extend(dropped.into_iter().map(|character| Lost {
            line: first_line + k,
            character,
            dropped: true,
        }));
        cleaned.push_str(&text);
    }
    let field = neutralize_formula(&cleaned);
    if !sjis || field.is_ascii() {
        return field.as_bytes().to_vec();
    }
    let mut bytes = Vec::with_capacity(field.len() + 8);
    for (k, piece) in clean::lines(&field).enumerate() {
        let (encoded, missing) = encoding::encode_sjis(piece);
        lost.extend(missing.into_iter().map(|character| Lost {
            line: first_line + k,
            character,
            dropped: false,
        }));
        bytes.extend_from_slice(&encoded);
    }
    bytes
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
        row.hospital_name.to_string(),
        time::format_date(row.record_date),
        time::format_datetime(&row.reported_at),
        count(row.secured),
        count(row.ready),
        count(row.inpatients),
    ];
    fields.extend(row.extra.iter().cloned());
    fields
}

//! Writing a report as a 「詳細のみ」 CSV export, the way G-MIS writes it.

use std::borrow::Cow;

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

/// A character the chosen encoding cannot hold, replaced by 〓.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmappable {
    /// Index of the row in the written report (0-based); 0 for the header too.
    pub row: usize,
    pub character: char,
    /// The character is in the header row (an extra column's name), not in row `row`.
    pub in_header: bool,
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

//! JSON forms of a report: reading the document once, for both forms — a list
//! of rows ([`super::json_rows`]) and the analytics report JSON of the platform
//! G-MIS runs on ([`super::analytics`]). Both end in the CSV importer's checks
//! ([`gmis_csv::import_records`](super::gmis_csv::import_records)), so every
//! format follows one set of rules.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::encoding::DetectedEncoding;
use super::import::{Import, ImportError, ImportErrorKind, ImportOptions};
use super::{analytics, json_rows};
use crate::model::Column;

pub use super::analytics::{
    import_analytics, import_table, parse_analytics, ReportGroup, ReportTable,
};
pub use super::json_rows::import_json;

// ---------------------------------------------------------------------------
// Entry points

/// Reads either JSON form, deciding by the document: an object with `factMap` or
/// `reportMetadata` is a report; a list, or an object with `rows`, is JSON rows.
pub fn import_json_auto(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    if document.is_report() {
        let table = analytics::report_table(document, &options.source_name)?;
        analytics::import_table_as(&table, encoding, options)
    } else {
        json_rows::import_rows(document, encoding, options)
    }
}

/// What a JSON document looks like from its top-level keys alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// A list, or an object with `rows`.
    Rows,
    /// An object with `factMap` or `reportMetadata`.
    Report,
    /// Neither (or not JSON at all).
    Unknown,
}

/// Looks at the top level of a JSON document without keeping any of it.
pub fn sniff(bytes: &[u8]) -> JsonKind {
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => return JsonKind::Rows,
        Some(b'{') => {}
        _ => return JsonKind::Unknown,
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match deserializer.deserialize_map(SniffVisitor) {
        Ok(kind) => kind,
        Err(_) => JsonKind::Unknown,
    }
}

struct SniffVisitor;

impl<'de> Visitor<'de> for SniffVisitor {
    type Value = JsonKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("オブジェクト")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonKind, A::Error> {
        // The whole object is read: serde_json checks that it ends.
        let (mut report, mut rows) = (false, false);
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            report |= matches!(key.as_str(), "factMap" | "reportMetadata");
            rows |= key == "rows";
        }
        Ok(if report {
            JsonKind::Report
        } else if rows {
            JsonKind::Rows
        } else {
            JsonKind::Unknown
        })
    }
}

// ---------------------------------------------------------------------------
// Reading the document

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks the bytes are UTF-8 text and returns them without a BOM.
pub(super) fn json_body<'a>(
    bytes: &'a [u8],
    source_name: &str,
) -> Result<(&'a [u8], DetectedEncoding), ImportError> {
    let source_name = source_name.to_string();
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportErrorKind::Xlsx.of(source_name));
    }
    let (encoding, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (DetectedEncoding::Utf8Bom, rest),
        None => (DetectedEncoding::Utf8, bytes),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportErrorKind::Empty.of(source_name));
    }
    if body[..body.len().min(8192)].contains(&0) {
        return Err(ImportErrorKind::Binary.of(source_name));
    }
    if let Err(err) = std::str::from_utf8(body) {
        let before = &body[..err.valid_up_to()];
        let line = 1 + super::csv_records::newlines(before);
        return Err(ImportErrorKind::JsonNotUtf8 { line }.of(source_name));
    }
    Ok((body, encoding))
}

/// A value of a row, as read.
#[derive(Debug)]
pub(super) enum Cell {
    Null,
    Text(String),
    /// A JSON number, as text (`3.0` is `3`).
    Number(String),
    Bool(bool),
    /// An object or a list: not a value a column can hold.
    Nested,
}

/// One element of the list of rows.
pub(super) enum JsonRow {
    /// (key index in [`Keys`], value), in the row's order.
    Fields(Vec<(usize, Cell)>),
    /// What the element is instead of an object.
    NotObject(&'static str),
}

/// The keys seen in rows, each stored once, in the order first seen.
#[derive(Default)]
pub(super) struct Keys {
    pub(super) names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Keys {
    fn intern(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.names.push(key.to_string());
        self.index.insert(key.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

/// The parts of a JSON document either format uses.
#[derive(Default)]
pub(super) struct Document {
    pub(super) keys: Keys,
    pub(super) rows: Option<Vec<JsonRow>>,
    pub(super) columns: Option<Value>,
    pub(super) fact_map: Option<Value>,
    pub(super) report_metadata: Option<Value>,
    pub(super) extended_metadata: Option<Value>,
    pub(super) groupings_down: Option<Value>,
    pub(super) all_data: Option<Value>,
    pub(super) has_detail_rows: Option<Value>,
}

impl Document {
    pub(super) fn is_report(&self) -> bool {
        self.fact_map.is_some() || self.report_metadata.is_some()
    }
}

pub(super) fn parse_document(body: &[u8], source_name: &str) -> Result<Document, ImportError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let document = deserializer
        .deserialize_any(DocumentVisitor)
        .and_then(|document| deserializer.end().map(|()| document))
        .map_err(|err| json_error(&err, source_name))?;
    Ok(document)
}

/// A serde_json error in words: syntax (with line and column), depth, or shape.
fn json_error(err: &serde_json::Error, source_name: &str) -> ImportError {
    use serde_json::error::Category;
    let source_name = source_name.to_string();
    let (line, column) = (err.line() as u64, err.column() as u64);
    match err.classify() {
        Category::Eof => ImportErrorKind::InvalidJson {
            line,
            column,
            truncated: true,
        }
        .of(source_name),
        Category::Syntax if err.to_string().starts_with("recursion limit exceeded") => {
            ImportErrorKind::JsonTooDeep { line, column }.of(source_name)
        }
        Category::Syntax | Category::Io => ImportErrorKind::InvalidJson {
            line,
            column,
            truncated: false,
        }
        .of(source_name),
        Category::Data => {
            // Our own messages; serde_json appends " at line L column C".
            let text = err.to_string();
            let message = text.rsplit_once(" at line ").map_or(&*text, |(m, _)| m);
            ImportErrorKind::JsonShape {
                message: format!("{message}、{line} 行 {column} 文字目"),
            }
            .of(source_name)
        }
    }
}

/// Refuses every kind of value but the ones a visitor handles itself.
macro_rules! refuse_scalars {
    ($message:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom($message))
        }
    };
}

const TOP_LEVEL: &str = "一番外側が配列（[…]）でもオブジェクト（{…}）でもありません";
const ROWS_NOT_LIST: &str = "「rows」が配列ではありません";

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(TOP_LEVEL)
    }

    refuse_scalars!(TOP_LEVEL);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Document, A::Error> {
        let mut document = Document::default();
        document.rows = Some(read_rows(seq, &mut document.keys)?);
        Ok(document)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut document = Document::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "rows" => {
                    let rows = map.next_value_seed(RowsSeed {
                        keys: &mut document.keys,
                    })?;
                    document.rows = Some(rows);
                    continue;
                }
                "columns" => &mut document.columns,
                "factMap" => &mut document.fact_map,
                "reportMetadata" => &mut document.report_metadata,
                "reportExtendedMetadata" => &mut document.extended_metadata,
                "groupingsDown" => &mut document.groupings_down,
                "allData" => &mut document.all_data,
                "hasDetailRows" => &mut document.has_detail_rows,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value::<Value>()?);
        }
        Ok(document)
    }
}

fn read_rows<'de, A: SeqAccess<'de>>(
    mut seq: A,
    keys: &mut Keys,
) -> Result<Vec<JsonRow>, A::Error> {
    let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    while let Some(row) = seq.next_element_seed(RowSeed { keys: &mut *keys })? {
        rows.push(row);
    }
    Ok(rows)
}

struct RowsSeed<'k> {
    keys: &'k mut Keys,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = Vec<JsonRow>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = Vec<JsonRow>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(ROWS_NOT_LIST)
    }

    refuse_scalars!(ROWS_NOT_LIST);

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(ROWS_NOT_LIST))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_rows(seq, self.keys)
    }
}

struct RowSeed<'k> {
    keys: &'k mut Keys,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = JsonRow;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = JsonRow;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("行のオブジェクト")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRow, A::Error> {
        let mut fields = Vec::with_capacity(16);
        while let Some(key) = map.next_key_seed(KeySeed {
            keys: &mut *self.keys,
        })? {
            fields.push((key, map.next_value::<Cell>()?));
        }
        Ok(JsonRow::Fields(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonRow, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(JsonRow::NotObject("配列"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("真偽値"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("数値"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("数値"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("数値"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("文字列"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<JsonRow, E> {
        Ok(JsonRow::NotObject("null"))
    }
}

/// Reads a key and stores its name once.
struct KeySeed<'k> {
    keys: &'k mut Keys,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("列名")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok(self.keys.intern(key))
    }
}

impl<'de> serde::Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("値")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
        Ok(Cell::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        Ok(Cell::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        Ok(Cell::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
        Ok(Cell::Number(float_text(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell, E> {
        Ok(Cell::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested)
    }
}

/// A float as a count would be written: `3.0` is `3`; others as Rust prints them.
fn float_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// A JSON number as text, by the same rule.
pub(super) fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64() {
        n.as_f64().map_or_else(|| n.to_string(), float_text)
    } else {
        n.to_string()
    }
}

// ---------------------------------------------------------------------------
// Codes given as numbers

pub(super) const CODE_AS_NUMBER: &str =
    "コードが数値になっています（先頭の 0 が失われるため、文字列で指定してください）";

pub(super) fn is_code(column: Option<Column>) -> bool {
    matches!(
        column,
        Some(Column::HospitalCode | Column::MunicipalityCode | Column::AreaCode)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_counts_are_written() {
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(-1.0), "-1");
        assert_eq!(float_text(2.5), "2.5");
        assert_eq!(float_text(f64::NAN), "NaN");
    }
}

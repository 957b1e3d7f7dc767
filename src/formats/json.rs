//! JSON forms of a report: a list of rows, and the analytics report JSON of the
//! platform G-MIS runs on. Both end in the CSV importer's checks
//! ([`gmis_csv::import_records`]), so every format follows one set of rules.
//!
//! # JSON rows
//!
//! ```text
//! [
//!   {
//!     "都道府県": "東京都",
//!     "都道府県番号": "13",
//!     "全国地方公共団体コード": "131016",
//!     "市区町村": "千代田区",
//!     "二次医療圏番号": "1301",
//!     "二次医療圏名": "区中央部",
//!     "医療機関コード": "1310170043",
//!     "医療機関名": "東京都 病院9",
//!     "実績日": "2022/01/05",
//!     "報告日時": "2022/02/01 11:32",
//!     "確保病床": 2,
//!     "即応病床": 1,
//!     "入院中": null,
//!     "備考": "夜間は要連絡"
//!   }
//! ]
//! ```
//!
//! - The document is either a list of row objects, as above, or an object
//!   `{"rows": [ ... ], "columns": [ ... ]}`. `"columns"` is optional: a list of
//!   column names that fixes the order of the extra columns (names not in it
//!   follow in the order first seen). Other keys of that object are ignored.
//! - Each row is an object keyed by the G-MIS column names, as in the CSV header
//!   (the same other spellings are accepted: 医療機関ID, 確保病床数, …). All
//!   thirteen keys must be in every row; `null` or `""` is a blank.
//! - Codes are strings: 全国地方公共団体コード (6 digits), 二次医療圏番号 (4),
//!   医療機関コード (10). A code given as a JSON number is refused for that row,
//!   since a number has lost its leading zeros (`011002` → `11002`).
//!   都道府県番号 may be a string or a number (`"01"`, `1`).
//! - 確保病床, 即応病床, 入院中: a whole number ≥ 0, as a JSON number or a string
//!   (`"1,234"` is read); `null`, `""` or `"-"` is blank, which is not 0.
//! - 実績日: `"2022/01/05"` (or `"2022-01-05"`). 報告日時: `"2022/02/01 11:32"` in
//!   Japan time, or ISO 8601 with an offset (`"2022-02-01T02:32:00Z"`).
//! - Any other key is kept as an extra column, shown as text (numbers and
//!   `true`/`false` as written); a row lacking it has it blank.
//! - A row that is not an object, has a key twice, or has an object or a list as
//!   a value is refused. A refused row is reported by its place in the list,
//!   from 1 (「feed.json: 3 件目: 列「即応病床」: 数値ではありません（abc）」),
//!   and the other rows are still read.
//! - UTF-8, with or without a BOM. Nesting deeper than 128 levels is refused.
//!
//! # Analytics report JSON
//!
//! The reply of `GET /services/data/vNN.N/analytics/reports/{id}?includeDetails=true`:
//! columns are `reportMetadata.detailColumns`, named by
//! `reportExtendedMetadata.detailColumnInfo[name].label` and mapped to G-MIS's
//! columns by that label; rows are `factMap[key].rows[].dataCells[]`. A tabular
//! report keeps them under `T!T`; a summary report under its group keys (`0!T`,
//! `1!T`, `0_1!T`, …), with the grouping columns' values taken from
//! `groupingsDown`. Totals (`RowCount`, `s!FIELD`) are checked against the rows.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::encoding::DetectedEncoding;
use super::gmis_csv::{
    self, Import, ImportError, ImportOptions, Numbering, Record, RowProblem, TotalCheck,
};
use crate::model::{time, Column, Totals};
use crate::text::strip_html;

// ---------------------------------------------------------------------------
// Entry points

/// Reads JSON rows (see the module documentation for the schema).
pub fn import_json(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    import_rows(document, encoding, options)
}

/// Reads an analytics report JSON with its detail rows, mapping columns by label.
pub fn import_analytics(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    let table = report_table(document, &options.source_name)?;
    import_table_as(&table, encoding, options)
}

/// Reads either JSON form, deciding by the document: an object with `factMap` or
/// `reportMetadata` is a report; a list, or an object with `rows`, is JSON rows.
pub fn import_json_auto(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    if document.is_report() {
        let table = report_table(document, &options.source_name)?;
        import_table_as(&table, encoding, options)
    } else {
        import_rows(document, encoding, options)
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
fn json_body<'a>(
    bytes: &'a [u8],
    source_name: &str,
) -> Result<(&'a [u8], DetectedEncoding), ImportError> {
    let source_name = source_name.to_string();
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(ImportError::Xlsx { source_name });
    }
    let (encoding, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (DetectedEncoding::Utf8Bom, rest),
        None => (DetectedEncoding::Utf8, bytes),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty { source_name });
    }
    if body[..body.len().min(8192)].contains(&0) {
        return Err(ImportError::Binary { source_name });
    }
    if let Err(err) = std::str::from_utf8(body) {
        let before = &body[..err.valid_up_to()];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
        return Err(ImportError::JsonNotUtf8 { source_name, line });
    }
    Ok((body, encoding))
}

/// A value of a row, as read.
#[derive(Debug)]
enum Cell {
    Null,
    Text(String),
    /// A JSON number, as text (`3.0` is `3`).
    Number(String),
    Bool(bool),
    /// An object or a list: not a value a column can hold.
    Nested,
}

/// One element of the list of rows.
enum JsonRow {
    /// (key index in [`Keys`], value), in the row's order.
    Fields(Vec<(usize, Cell)>),
    /// What the element is instead of an object.
    NotObject(&'static str),
}

/// The keys seen in rows, each stored once, in the order first seen.
#[derive(Default)]
struct Keys {
    names: Vec<String>,
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
struct Document {
    keys: Keys,
    rows: Option<Vec<JsonRow>>,
    columns: Option<Value>,
    fact_map: Option<Value>,
    report_metadata: Option<Value>,
    extended_metadata: Option<Value>,
    groupings_down: Option<Value>,
    all_data: Option<Value>,
    has_detail_rows: Option<Value>,
}

impl Document {
    fn is_report(&self) -> bool {
        self.fact_map.is_some() || self.report_metadata.is_some()
    }
}

fn parse_document(body: &[u8], source_name: &str) -> Result<Document, ImportError> {
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
        Category::Eof => ImportError::InvalidJson {
            source_name,
            line,
            column,
            truncated: true,
        },
        Category::Syntax if err.to_string().starts_with("recursion limit exceeded") => {
            ImportError::JsonTooDeep {
                source_name,
                line,
                column,
            }
        }
        Category::Syntax | Category::Io => ImportError::InvalidJson {
            source_name,
            line,
            column,
            truncated: false,
        },
        Category::Data => {
            // Our own messages; serde_json appends " at line L column C".
            let text = err.to_string();
            let message = text.rsplit_once(" at line ").map_or(&*text, |(m, _)| m);
            ImportError::JsonShape {
                source_name,
                message: format!("{message}、{line} 行 {column} 文字目"),
            }
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
fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64() {
        n.as_f64().map_or_else(|| n.to_string(), float_text)
    } else {
        n.to_string()
    }
}

// ---------------------------------------------------------------------------
// JSON rows into records

const CODE_AS_NUMBER: &str =
    "コードが数値になっています（先頭の 0 が失われるため、文字列で指定してください）";

fn is_code(column: Option<Column>) -> bool {
    matches!(
        column,
        Some(Column::HospitalCode | Column::MunicipalityCode | Column::AreaCode)
    )
}

/// The name a problem is reported under: G-MIS's own name for its columns.
fn problem_column(name: &str, column: Option<Column>) -> String {
    match column {
        Some(column) => column.name().to_string(),
        None => crate::text::sanitize(name.trim()).into_owned(),
    }
}

fn import_rows(
    document: Document,
    encoding: DetectedEncoding,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let source_name = &options.source_name;
    let shape = |message: &str| ImportError::JsonShape {
        source_name: source_name.clone(),
        message: message.to_string(),
    };
    let Some(rows) = document.rows else {
        return Err(shape(if document.is_report() {
            "分析レポートの JSON です。形式に report を指定してください"
        } else {
            "「rows」がありません。行の配列か {\"rows\": [...]} にしてください"
        }));
    };
    if rows.is_empty() {
        return Err(ImportError::NoRecords {
            source_name: source_name.clone(),
        });
    }

    // The header: the listed columns first, then every other key as first seen.
    let mut header: Vec<String> = Vec::new();
    if let Some(columns) = &document.columns {
        let names = columns
            .as_array()
            .filter(|list| list.iter().all(Value::is_string))
            .ok_or_else(|| shape("「columns」は列名（文字列）の配列にしてください"))?;
        for name in names.iter().filter_map(Value::as_str) {
            if !header.iter().any(|h| h == name) {
                header.push(name.to_string());
            }
        }
    }
    let keys = document.keys.names;
    let mut position = Vec::with_capacity(keys.len());
    for key in &keys {
        match header.iter().position(|h| h == key) {
            Some(i) => position.push(i),
            None => {
                header.push(key.clone());
                position.push(header.len() - 1);
            }
        }
    }
    let columns: Vec<Option<Column>> = header.iter().map(|h| Column::from_header(h)).collect();

    let records = rows.into_iter().enumerate().map(|(i, row)| {
        let number = i as u64 + 1;
        let mut fields = vec![String::new(); header.len()];
        let mut problems = Vec::new();
        let cells = match row {
            JsonRow::Fields(cells) => cells,
            JsonRow::NotObject(kind) => {
                problems.push(RowProblem {
                    line: number,
                    column: None,
                    reason: format!("行がオブジェクト（{{…}}）ではありません（{kind}）"),
                });
                return Record {
                    number,
                    fields,
                    problems,
                };
            }
        };
        let mut seen = vec![false; header.len()];
        for (key, cell) in cells {
            let at = position[key];
            let column = columns[at];
            let fail = |problems: &mut Vec<RowProblem>, reason: String| {
                problems.push(RowProblem {
                    line: number,
                    column: Some(problem_column(&header[at], column)),
                    reason,
                })
            };
            if std::mem::replace(&mut seen[at], true) {
                fail(&mut problems, "キーが二つあります".to_string());
                continue;
            }
            fields[at] = match cell {
                Cell::Null => String::new(),
                Cell::Text(text) => text,
                Cell::Number(text) if is_code(column) => {
                    fail(&mut problems, format!("{CODE_AS_NUMBER}（{text}）"));
                    text
                }
                Cell::Number(text) => text,
                Cell::Bool(b) => b.to_string(),
                Cell::Nested => {
                    fail(
                        &mut problems,
                        "オブジェクトや配列は値にできません".to_string(),
                    );
                    String::new()
                }
            };
        }
        for (at, column) in columns.iter().enumerate() {
            if column.is_some() && !seen[at] {
                problems.push(RowProblem {
                    line: number,
                    column: Some(problem_column(&header[at], *column)),
                    reason: "キーがありません（空欄なら null にしてください）".to_string(),
                });
            }
        }
        Record {
            number,
            fields,
            problems,
        }
    });
    gmis_csv::import_checked_records(&header, records, Numbering::Record, encoding, options)
        .map(|(import, _)| import)
}

// ---------------------------------------------------------------------------
// Analytics report JSON

/// The detail rows of an analytics report, with its totals: what any report
/// holds, before G-MIS's columns are looked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportTable {
    /// API names of the columns: the grouping columns of a summary report first
    /// (`reportMetadata.groupingsDown[].name`), then `reportMetadata.detailColumns`.
    pub api_names: Vec<String>,
    /// Their labels, HTML removed: the names columns are mapped by.
    pub labels: Vec<String>,
    /// Their `dataType`s (`string`, `int`, `double`, `date`, `datetime`, …; "" if not given).
    pub data_types: Vec<String>,
    /// How many of the columns come from groupings (their values are the group's).
    pub grouping_columns: usize,
    /// The rows, each cell's label as text: HTML removed, an empty cell
    /// (`{"value": null, "label": "-"}`) as "".
    pub rows: Vec<Vec<String>>,
    /// The same cells' typed values as the report gives them (`null` when empty).
    pub values: Vec<Vec<Value>>,
    /// The grand totals (`factMap["T!T"].aggregates`): each aggregate's name from
    /// `reportMetadata.aggregates` (`RowCount`, `s!FIELD`, …) and its value.
    pub aggregates: Vec<(String, Option<f64>)>,
    /// The groups of a summary report in report order, nested ones after their parent.
    pub groups: Vec<ReportGroup>,
    /// `reportMetadata.reportFormat`: `TABULAR`, `SUMMARY`, …
    pub format: Option<String>,
    /// `allData`: false when the platform returned only part of the rows.
    pub all_data: Option<bool>,
    /// `hasDetailRows`: false when the report was fetched without its rows.
    pub has_detail_rows: Option<bool>,
}

/// One group of a summary report (a `factMap` key such as `0!T` or `0_1!T`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportGroup {
    /// The group key: `0`, `0_1`.
    pub key: String,
    /// The group's label, with its parents': 「東京都 / 区中央部」.
    pub label: String,
    /// 1 for a top-level group.
    pub depth: usize,
    /// Its rows in [`ReportTable::rows`].
    pub rows: Range<usize>,
    /// Its subtotals, named as in [`ReportTable::aggregates`].
    pub aggregates: Vec<(String, Option<f64>)>,
}

impl ReportTable {
    /// A grand total by aggregate name (`RowCount`, `s!FIELD`).
    pub fn aggregate(&self, name: &str) -> Option<f64> {
        find_aggregate(&self.aggregates, name)
    }

    /// A column's index by label.
    pub fn column(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// A cell's typed value as a number: a JSON number, a currency's `amount`, or
    /// numeric text; none when empty.
    pub fn number(&self, row: usize, column: usize) -> Option<f64> {
        aggregate_value(self.values.get(row)?.get(column))
    }
}

fn find_aggregate(aggregates: &[(String, Option<f64>)], name: &str) -> Option<f64> {
    aggregates
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| *v)
}

/// Reads an analytics report JSON into its rows and totals, for any report.
pub fn parse_analytics(bytes: &[u8], source_name: &str) -> Result<ReportTable, ImportError> {
    let (body, _) = json_body(bytes, source_name)?;
    let document = parse_document(body, source_name)?;
    report_table(document, source_name)
}

/// Where in the report a part is, for messages: `factMap["0!T"].rows[3]`.
type ShapeResult<T> = Result<T, String>;

fn as_object<'v>(value: &'v Value, path: &str) -> ShapeResult<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| format!("{path} がオブジェクトではありません"))
}

fn as_array<'v>(value: &'v Value, path: &str) -> ShapeResult<&'v Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| format!("{path} が配列ではありません"))
}

fn strings(value: &Value, path: &str) -> ShapeResult<Vec<String>> {
    as_array(value, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{path}[{i}] が文字列ではありません"))
        })
        .collect()
}

/// A label or other display text: strings as they are, null as "", numbers as written.
fn display_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => strip_html(s),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A number as the report gives one: a number, a currency `{"amount": …}`, or text.
fn aggregate_value(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::Object(map) => map.get("amount")?.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A `factMap` key's row part: `T` for the grand total, else the group path.
fn group_path(key: &str) -> Option<Option<Vec<u32>>> {
    let group = key.strip_suffix("!T")?;
    if group == "T" {
        return Some(None);
    }
    group
        .split('_')
        .map(|part| part.parse().ok())
        .collect::<Option<Vec<u32>>>()
        .map(Some)
}

fn report_table(document: Document, source_name: &str) -> Result<ReportTable, ImportError> {
    if !document.is_report() {
        let message = if document.rows.is_some() {
            "行の一覧の JSON です。形式に json を指定してください"
        } else {
            "reportMetadata も factMap もありません"
        };
        return Err(ImportError::ReportShape {
            source_name: source_name.to_string(),
            message: message.to_string(),
        });
    }
    let format = document
        .report_metadata
        .as_ref()
        .and_then(|m| m.get("reportFormat"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(format @ ("MATRIX" | "MULTI_BLOCK")) = format.as_deref() {
        return Err(ImportError::UnsupportedReport {
            source_name: source_name.to_string(),
            format: format.to_string(),
        });
    }
    build_table(document, format).map_err(|message| ImportError::ReportShape {
        source_name: source_name.to_string(),
        message,
    })
}

fn build_table(document: Document, format: Option<String>) -> ShapeResult<ReportTable> {
    let metadata = document
        .report_metadata
        .as_ref()
        .ok_or("reportMetadata がありません")?;
    let metadata = as_object(metadata, "reportMetadata")?;
    let detail_columns = strings(
        metadata
            .get("detailColumns")
            .ok_or("reportMetadata.detailColumns がありません")?,
        "reportMetadata.detailColumns",
    )?;
    let aggregate_names = match metadata.get("aggregates") {
        Some(Value::Null) | None => Vec::new(),
        Some(list) => strings(list, "reportMetadata.aggregates")?,
    };
    let grouping_names = match metadata.get("groupingsDown") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, g)| {
                g.get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("reportMetadata.groupingsDown[{i}].name がありません"))
            })
            .collect::<ShapeResult<Vec<String>>>()?,
        _ => Vec::new(),
    };
    let extended = document.extended_metadata.as_ref();
    let info = |section: &str, name: &str| {
        let entry = extended
            .and_then(|e| e.get(section))
            .and_then(|s| s.get(name));
        let label = match entry.and_then(|e| e.get("label")).and_then(Value::as_str) {
            Some(label) => strip_html(label),
            None => name.to_string(),
        };
        let data_type = entry
            .and_then(|e| e.get("dataType"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        (label, data_type)
    };

    let mut table = ReportTable {
        format,
        all_data: document.all_data.as_ref().and_then(Value::as_bool),
        has_detail_rows: document.has_detail_rows.as_ref().and_then(Value::as_bool),
        ..ReportTable::default()
    };
    // A grouping column that is also a detail column is read from the rows.
    let groupings: Vec<&String> = grouping_names
        .iter()
        .filter(|g| !detail_columns.contains(g))
        .collect();
    for name in &groupings {
        let (label, data_type) = info("groupingColumnInfo", name);
        table.api_names.push((*name).clone());
        table.labels.push(label);
        table.data_types.push(data_type);
    }
    table.grouping_columns = groupings.len();
    let grouping_levels: Vec<usize> = grouping_names
        .iter()
        .enumerate()
        .filter(|(_, g)| !detail_columns.contains(g))
        .map(|(level, _)| level)
        .collect();
    for name in &detail_columns {
        let (label, data_type) = info("detailColumnInfo", name);
        table.api_names.push(name.clone());
        table.labels.push(label);
        table.data_types.push(data_type);
    }

    // Group labels and values by key, from the groupingsDown tree.
    let mut group_info: HashMap<String, (String, Value)> = HashMap::new();
    if let Some(tree) = document
        .groupings_down
        .as_ref()
        .and_then(|g| g.get("groupings"))
    {
        collect_groupings(tree, "groupingsDown.groupings", &mut group_info)?;
    }

    let fact_map = document.fact_map.ok_or("factMap がありません")?;
    let Value::Object(fact_map) = fact_map else {
        return Err("factMap がオブジェクトではありません".to_string());
    };
    let mut grand = None;
    let mut groups: Vec<(Vec<u32>, String, Value)> = Vec::new();
    for (key, entry) in fact_map {
        match group_path(&key) {
            Some(None) => grand = Some(entry),
            Some(Some(path)) => groups.push((path, key, entry)),
            None => {}
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let has_rows = |entry: &Value| {
        entry
            .get("rows")
            .and_then(Value::as_array)
            .is_some_and(|rows| !rows.is_empty())
    };
    // Rows are taken from each group that holds rows none of its subgroups hold
    // (the deepest level); the grand total's rows only when no group has any.
    let take: Vec<bool> = groups
        .iter()
        .map(|(path, _, entry)| {
            has_rows(entry)
                && !groups.iter().any(|(other, _, e)| {
                    other.len() > path.len() && other.starts_with(path) && has_rows(e)
                })
        })
        .collect();
    let any_group_rows = take.iter().any(|&t| t);

    if let Some(grand) = &grand {
        let path = "factMap[\"T!T\"]";
        table.aggregates = read_aggregates(grand, path, &aggregate_names)?;
        if !any_group_rows {
            read_rows_into(&mut table, grand, path, &[])?;
        }
    }
    let mut starts = Vec::with_capacity(groups.len());
    for ((path, key, entry), take) in groups.iter().zip(&take) {
        starts.push(table.rows.len());
        if *take {
            let at = format!("factMap[\"{key}\"]");
            // The grouping columns' values: this group's and its parents'.
            let values: Vec<(String, Value)> = grouping_levels
                .iter()
                .map(|&level| {
                    path.get(..=level)
                        .and_then(|prefix| group_info.get(&path_key(prefix)))
                        .cloned()
                        .unwrap_or((String::new(), Value::Null))
                })
                .collect();
            read_rows_into(&mut table, entry, &at, &values)?;
        }
    }
    for (i, (path, key, entry)) in groups.iter().enumerate() {
        // A group's rows run to the first later group that is not inside it.
        let end = groups[i + 1..]
            .iter()
            .position(|(other, _, _)| !other.starts_with(path))
            .map_or(table.rows.len(), |j| starts[i + 1 + j]);
        let label = (1..=path.len())
            .map(|n| {
                group_info
                    .get(&path_key(&path[..n]))
                    .map_or_else(|| path_key(&path[..n]), |(label, _)| label.clone())
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let at = format!("factMap[\"{key}\"]");
        table.groups.push(ReportGroup {
            key: key.trim_end_matches("!T").to_string(),
            label,
            depth: path.len(),
            rows: starts[i]..end,
            aggregates: read_aggregates(entry, &at, &aggregate_names)?,
        });
    }
    Ok(table)
}

fn path_key(path: &[u32]) -> String {
    path.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("_")
}

fn collect_groupings(
    tree: &Value,
    path: &str,
    out: &mut HashMap<String, (String, Value)>,
) -> ShapeResult<()> {
    if tree.is_null() {
        return Ok(());
    }
    for (i, group) in as_array(tree, path)?.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let group = as_object(group, &at)?;
        let Some(key) = group.get("key").and_then(Value::as_str) else {
            continue;
        };
        let label = display_text(group.get("label"));
        let value = group.get("value").cloned().unwrap_or(Value::Null);
        out.insert(key.to_string(), (label, value));
        if let Some(children) = group.get("groupings") {
            collect_groupings(children, &format!("{at}.groupings"), out)?;
        }
    }
    Ok(())
}

fn read_aggregates(
    entry: &Value,
    path: &str,
    names: &[String],
) -> ShapeResult<Vec<(String, Option<f64>)>> {
    let Some(list) = entry.get("aggregates") else {
        return Ok(Vec::new());
    };
    let list = as_array(list, &format!("{path}.aggregates"))?;
    Ok(names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let value = list.get(j).and_then(|a| aggregate_value(a.get("value")));
            (name.clone(), value)
        })
        .collect())
}

fn read_rows_into(
    table: &mut ReportTable,
    entry: &Value,
    path: &str,
    group_values: &[(String, Value)],
) -> ShapeResult<()> {
    let Some(rows) = entry.get("rows") else {
        return Ok(());
    };
    let rows = as_array(rows, &format!("{path}.rows"))?;
    for (i, row) in rows.iter().enumerate() {
        let at = format!("{path}.rows[{i}]");
        let cells = as_object(row, &at)?
            .get("dataCells")
            .ok_or_else(|| format!("{at}.dataCells がありません"))?;
        let cells = as_array(cells, &format!("{at}.dataCells"))?;
        let mut texts = Vec::with_capacity(group_values.len() + cells.len());
        let mut values = Vec::with_capacity(group_values.len() + cells.len());
        for (label, value) in group_values {
            texts.push(label.clone());
            values.push(value.clone());
        }
        for (j, cell) in cells.iter().enumerate() {
            let cell = as_object(cell, &format!("{at}.dataCells[{j}]"))?;
            let value = cell.get("value").cloned().unwrap_or(Value::Null);
            let mut label = display_text(cell.get("label"));
            if value.is_null() && label.trim() == "-" {
                label.clear();
            }
            texts.push(label);
            values.push(value);
        }
        table.rows.push(texts);
        table.values.push(values);
    }
    Ok(())
}

/// Reads the rows of a report table as a G-MIS report, mapping columns by label.
pub fn import_table(table: &ReportTable, options: &ImportOptions) -> Result<Import, ImportError> {
    import_table_as(table, DetectedEncoding::Utf8, options)
}

fn import_table_as(
    table: &ReportTable,
    encoding: DetectedEncoding,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let source_name = &options.source_name;
    let row_count = table.aggregate("RowCount");
    if table.rows.is_empty() {
        let without_details =
            table.has_detail_rows == Some(false) || row_count.is_some_and(|n| n > 0.0);
        return Err(if without_details {
            ImportError::ReportWithoutDetails {
                source_name: source_name.clone(),
            }
        } else {
            ImportError::NoRecords {
                source_name: source_name.clone(),
            }
        });
    }
    let columns: Vec<Option<Column>> = table
        .labels
        .iter()
        .map(|l| Column::from_header(l))
        .collect();
    let records = table
        .rows
        .iter()
        .zip(&table.values)
        .enumerate()
        .map(|(i, (texts, values))| {
            let number = i as u64 + 1;
            let mut problems = Vec::new();
            let fields = texts
                .iter()
                .zip(values)
                .enumerate()
                .map(|(j, (text, value))| {
                    let column = columns.get(j).copied().flatten();
                    let data_type = table.data_types.get(j).map_or("", String::as_str);
                    match (column, value) {
                        // Counts from the typed value: labels follow the user's locale.
                        (
                            Some(Column::Secured | Column::Ready | Column::Inpatients),
                            Value::Number(n),
                        ) => number_text(n),
                        // Dates too: the value is ISO 8601 (UTC for a datetime);
                        // the label is the fallback if the value is not readable.
                        (
                            Some(column @ (Column::RecordDate | Column::ReportedAt)),
                            Value::String(s),
                        ) if matches!(data_type, "date" | "datetime")
                            && readable_date(column, s) =>
                        {
                            s.clone()
                        }
                        (column, Value::Number(n)) if is_code(column) => {
                            problems.push(RowProblem {
                                line: number,
                                column: column.map(|c| c.name().to_string()),
                                reason: format!("{CODE_AS_NUMBER}（{}）", number_text(n)),
                            });
                            text.clone()
                        }
                        _ => text.clone(),
                    }
                })
                .collect();
            Record {
                number,
                fields,
                problems,
            }
        });
    let (mut import, numbers) = gmis_csv::import_checked_records(
        &table.labels,
        records,
        Numbering::Record,
        encoding,
        options,
    )?;

    // Totals: the grand total over every row, and each group's over its own.
    let count_column = |name: &str| -> Option<Column> {
        let field = name.strip_prefix("s!")?;
        let j = table.api_names.iter().position(|a| a == field)?;
        columns[j].filter(|c| matches!(c, Column::Secured | Column::Ready | Column::Inpatients))
    };
    let check = |name: String, aggregates: &[(String, Option<f64>)], rows: Range<usize>| {
        // Accepted rows keep their order: their numbers are sorted.
        let first = numbers.partition_point(|&n| n <= rows.start as u64);
        let end = numbers.partition_point(|&n| n <= rows.end as u64);
        let sums = Totals::of(&import.report.rows[first..end]);
        let whole = |v: f64| (v >= 0.0 && v.fract() == 0.0).then_some(v as u64);
        let mut check = TotalCheck {
            line: 0,
            compared: Vec::new(),
            name: Some(name),
            records: None,
        };
        for (aggregate, value) in aggregates {
            let Some(given) = value.and_then(whole) else {
                continue;
            };
            if aggregate == "RowCount" {
                check.records = Some((given, rows.len() as u64));
            } else if let Some(column) = count_column(aggregate) {
                let sum = match column {
                    Column::Secured => sums.secured,
                    Column::Ready => sums.ready,
                    _ => sums.inpatients,
                };
                check.compared.push((column, given, sum.unwrap_or(0)));
            }
        }
        (check.records.is_some() || !check.compared.is_empty()).then_some(check)
    };
    let mut checks = Vec::new();
    checks.extend(check(
        "総計".to_string(),
        &table.aggregates,
        0..table.rows.len(),
    ));
    for group in &table.groups {
        let name = format!("小計「{}」", crate::text::sanitize(&group.label));
        checks.extend(check(name, &group.aggregates, group.rows.clone()));
    }
    import.total_checks = checks;
    if table.all_data == Some(false) {
        import.notes.push(format!(
            "{source_name}: レポートが全件を返していません（一部の明細行しか含まれていません）"
        ));
    }
    Ok(import)
}

/// Whether a report's date or datetime value reads as that column's type.
fn readable_date(column: Column, value: &str) -> bool {
    match column {
        Column::RecordDate => time::parse_date(value).is_some(),
        _ => time::parse_datetime(value).is_some(),
    }
}

// ---------------------------------------------------------------------------
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

    #[test]
    fn group_keys() {
        assert_eq!(group_path("T!T"), Some(None));
        assert_eq!(group_path("0_12!T"), Some(Some(vec![0, 12])));
        assert_eq!(group_path("0!0"), None);
        assert_eq!(group_path("x!T"), None);
    }
}

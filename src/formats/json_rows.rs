//! JSON rows: a list of row objects keyed by G-MIS's column names, read
//! through the CSV importer's checks.
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

use serde_json::Value;

use super::encoding::DetectedEncoding;
use super::gmis_csv::{self, Record};
use super::import::{Import, ImportError, ImportErrorKind, ImportOptions, Numbering, RowProblem};
use super::json::{is_code, json_body, parse_document, Cell, Document, JsonRow, CODE_AS_NUMBER};
use crate::model::Column;

/// Reads JSON rows (see the module documentation for the schema).
pub fn import_json(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    import_rows(document, encoding, options)
}

/// The name a problem is reported under: G-MIS's own name for its columns.
fn problem_column(name: &str, column: Option<Column>) -> String {
    match column {
        Some(column) => column.name().to_string(),
        None => crate::text::sanitize(name.trim()).into_owned(),
    }
}

pub(super) fn import_rows(
    document: Document,
    encoding: DetectedEncoding,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let source_name = &options.source_name;
    let shape = |message: &str| {
        ImportErrorKind::JsonShape {
            message: message.to_string(),
        }
        .of(source_name)
    };
    let Some(rows) = document.rows else {
        return Err(shape(if document.is_report() {
            "分析レポートの JSON です。形式に report を指定してください"
        } else {
            "「rows」がありません。行の配列か {\"rows\": [...]} にしてください"
        }));
    };
    if rows.is_empty() {
        return Err(ImportErrorKind::NoRecords.of(source_name));
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

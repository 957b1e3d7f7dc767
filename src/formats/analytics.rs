//! The analytics report JSON of the platform G-MIS runs on.
//!
//! The reply of `GET /services/data/vNN.N/analytics/reports/{id}?includeDetails=true`:
//! columns are `reportMetadata.detailColumns`, named by
//! `reportExtendedMetadata.detailColumnInfo[name].label` and mapped to G-MIS's
//! columns by that label; rows are `factMap[key].rows[].dataCells[]`. A tabular
//! report keeps them under `T!T`; a summary report under its group keys (`0!T`,
//! `1!T`, `0_1!T`, …), with the grouping columns' values taken from
//! `groupingsDown`. Totals (`RowCount`, `s!FIELD`) are checked against the rows.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Value};

use super::encoding::DetectedEncoding;
use super::gmis_csv::{self, Record};
use super::import::{
    excerpt, Import, ImportError, ImportErrorKind, ImportOptions, Numbering, RowProblem, TotalCheck,
};
use super::json::{is_code, json_body, number_text, parse_document, Document, CODE_AS_NUMBER};
use crate::model::{time, Column, Totals};
use crate::text::strip_html;

/// Reads an analytics report JSON with its detail rows, mapping columns by label.
pub fn import_analytics(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
    let (body, encoding) = json_body(bytes, &options.source_name)?;
    let document = parse_document(body, &options.source_name)?;
    let table = report_table(document, &options.source_name)?;
    import_table_as(&table, encoding, options)
}

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

pub(super) fn report_table(
    document: Document,
    source_name: &str,
) -> Result<ReportTable, ImportError> {
    if !document.is_report() {
        let message = if document.rows.is_some() {
            "行の一覧の JSON です。形式に json を指定してください"
        } else {
            "reportMetadata も factMap もありません"
        };
        return Err(ImportErrorKind::ReportShape {
            message: message.to_string(),
        }
        .of(source_name));
    }
    let format = document
        .report_metadata
        .as_ref()
        .and_then(|m| m.get("reportFormat"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(format @ ("MATRIX" | "MULTI_BLOCK")) = format.as_deref() {
        return Err(ImportErrorKind::UnsupportedReport {
            format: format.to_string(),
        }
        .of(source_name));
    }
    build_table(document, format)
        .map_err(|message| ImportErrorKind::ReportShape { message }.of(source_name))
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
            let at = format!("factMap[\"{}\"]", excerpt(key));
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
        let at = format!("factMap[\"{}\"]", excerpt(key));
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

pub(super) fn import_table_as(
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
            ImportErrorKind::ReportWithoutDetails.of(source_name)
        } else {
            ImportErrorKind::NoRecords.of(source_name)
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
                check
                    .compared
                    .push((column, given, sums.count(column).unwrap_or(0)));
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
        let name = format!("小計「{}」", excerpt(&group.label));
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
    fn group_keys() {
        assert_eq!(group_path("T!T"), Some(None));
        assert_eq!(group_path("0_12!T"), Some(Some(vec![0, 12])));
        assert_eq!(group_path("0!0"), None);
        assert_eq!(group_path("x!T"), None);
    }
}

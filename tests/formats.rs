//! The JSON feed formats: JSON rows and the analytics report JSON, and detection.

use std::path::PathBuf;

use bedboard::export::csv as csv_export;
use bedboard::formats::gmis_csv;
use bedboard::formats::json::{self, ReportTable};
use bedboard::formats::{self as format, FeedFormat, Numbering};
use bedboard::formats::{Import, ImportOptions};
use bedboard::model::{Column, ReportRow, Totals};
use proptest::prelude::*;
use serde_json::{json, Value};

fn path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if name.starts_with("assets/") {
        dir.join(name)
    } else {
        dir.join("tests/fixtures").join(name)
    }
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn options(source_name: &str) -> ImportOptions {
    ImportOptions {
        source_name: source_name.to_string(),
        ..Default::default()
    }
}

fn seed_rows() -> Vec<ReportRow> {
    let import = gmis_csv::import_bytes(&read("assets/sample/seed-tokyo.csv"), &options("seed"))
        .expect("the seed reads");
    assert_eq!(import.report.rows.len(), 12);
    import.report.rows
}

fn load(bytes: &[u8], format: FeedFormat) -> Import {
    format::import_any(bytes, format, &options("feed.json"))
        .unwrap_or_else(|e| panic!("{format:?}: {e}"))
}

fn error(bytes: &[u8], format: FeedFormat) -> String {
    match format::import_any(bytes, format, &options("feed.json")) {
        Ok(import) => panic!("{format:?} imported {} rows", import.report.rows.len()),
        Err(err) => err.to_string(),
    }
}

fn fixture_value(name: &str) -> Value {
    serde_json::from_slice(&read(name)).expect("fixture is JSON")
}

fn bytes_of(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap()
}

fn sf_table(name: &str) -> ReportTable {
    json::parse_analytics(&read(name), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ---------------------------------------------------------------------------
// The real analytics samples (not G-MIS data): the lower-level parser

#[test]
fn the_tabular_sample_reads_twenty_rows_with_blanks_and_line_breaks_handled() {
    let table = sf_table("json/salesforce-report-sample-tabular.json");
    assert_eq!(table.format.as_deref(), Some("TABULAR"));
    assert_eq!(table.grouping_columns, 0);
    assert_eq!(
        table.labels,
        [
            "Salutation",
            "First Name",
            "Last Name",
            "Title",
            "Mailing Street",
            "Mailing City",
            "Mailing State/Province",
            "Mailing Zip/Postal Code",
            "Mailing Country",
            "Phone",
            "Mobile",
            "Fax",
            "Email",
            "Account Owner",
            "Account Name"
        ]
    );
    assert_eq!(table.api_names[0], "SALUTATION");
    assert_eq!(table.data_types[9], "phone");
    assert_eq!(table.rows.len(), 20);
    assert!(table.rows.iter().all(|r| r.len() == 15));
    let first = &table.rows[0];
    assert_eq!(first[0], "Ms.");
    // A lookup's label is shown, not its record id.
    assert_eq!(first[1], "Edna");
    assert_eq!(
        first[4], "345 Shoreline Park Mountain View, CA 94043 USA",
        "<br> is a space"
    );
    assert_eq!(&first[5..9], ["", "", "", ""], "null with label - is blank");
    assert!(table.values[0][5].is_null());
    assert_eq!(first[14], "GenePoint");
    assert!(table
        .rows
        .iter()
        .flatten()
        .all(|cell| !cell.contains("<br>") && cell != "-"));
    assert_eq!(table.rows[1][14], "United Oil & Gas, UK");
    assert_eq!(table.aggregate("RowCount"), Some(20.0));
    assert_eq!(table.aggregates, [("RowCount".to_string(), Some(20.0))]);
    assert!(table.groups.is_empty());
}

#[test]
fn the_grouped_sample_collects_every_group_in_order_and_matches_its_totals() {
    let table = sf_table("json/salesforce-report-sample.json");
    assert_eq!(table.format.as_deref(), Some("SUMMARY"));
    // The grouping column comes first, its value taken from the group.
    assert_eq!(table.grouping_columns, 1);
    assert_eq!(table.labels[0], "Type");
    assert_eq!(
        table.labels[1..],
        [
            "Account Owner",
            "Account Name",
            "Billing State/Province",
            "Rating",
            "Industry",
            "Created Date",
            "Annual Revenue"
        ]
    );
    // Rows of 0!T then 1!T (the file lists 1!T first), none from T!T.
    assert_eq!(table.rows.len(), 13);
    assert_eq!(table.aggregate("RowCount"), Some(table.rows.len() as f64));
    assert_eq!(table.rows[0][2], "Burlington Textiles Corp of America");
    assert_eq!(table.rows[8][2], "Dickenson plc");
    assert_eq!(table.rows[8][4], "", "an empty rating is blank");
    assert!(table.rows[..8].iter().all(|r| r[0] == "Customer - Direct"));
    assert!(table.rows[8..].iter().all(|r| r[0] == "Customer - Channel"));
    let groups: Vec<(&str, &str, std::ops::Range<usize>)> = table
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.label.as_str(), g.rows.clone()))
        .collect();
    assert_eq!(
        groups,
        [
            ("0", "Customer - Direct", 0..8),
            ("1", "Customer - Channel", 8..13)
        ]
    );
    // s!SALES: the sum of the currency amounts, overall and per group.
    let sales = table.column("Annual Revenue").unwrap();
    assert_eq!(table.api_names[sales], "SALES");
    let sum = |rows: std::ops::Range<usize>| -> f64 {
        rows.map(|r| table.number(r, sales).unwrap_or(0.0)).sum()
    };
    assert_eq!(Some(sum(0..13)), table.aggregate("s!SALES"));
    assert_eq!(table.aggregate("s!SALES"), Some(9_469_000_000.0));
    for group in &table.groups {
        let given = group
            .aggregates
            .iter()
            .find(|(n, _)| n == "s!SALES")
            .unwrap()
            .1;
        assert_eq!(Some(sum(group.rows.clone())), given, "{}", group.key);
        let count = group
            .aggregates
            .iter()
            .find(|(n, _)| n == "RowCount")
            .unwrap()
            .1;
        assert_eq!(count, Some(group.rows.len() as f64));
    }
}

#[test]
fn the_samples_are_not_gmis_reports_and_say_so() {
    for name in [
        "json/salesforce-report-sample.json",
        "json/salesforce-report-sample-tabular.json",
    ] {
        let message = error(&read(name), FeedFormat::Auto);
        assert!(
            message.contains("G-MIS のレポートではありません"),
            "{message}"
        );
        assert!(message.starts_with("feed.json: "), "{message}");
    }
}

// ---------------------------------------------------------------------------
// G-MIS data in both JSON forms: the same report as the CSV

#[test]
fn json_rows_import_to_the_same_report_as_the_csv() {
    let seed = seed_rows();
    let rows = read("json/seed-tokyo-rows.json");
    let import = load(&rows, FeedFormat::Json);
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.rows, seed);
    assert!(import.report.extra_columns.is_empty());
    assert_eq!(import.numbering, Numbering::Record);
    let totals = Totals::of(&import.report.rows);
    assert_eq!(
        (totals.secured, totals.ready, totals.inpatients),
        (Some(30), Some(24), Some(18))
    );

    // The same rows wrapped in an object, and with a BOM.
    let wrapped = bytes_of(&json!({ "rows": fixture_value("json/seed-tokyo-rows.json") }));
    assert_eq!(import_auto(&wrapped).report.rows, seed);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&rows);
    assert_eq!(load(&bom, FeedFormat::Json).report.rows, seed);
}

fn import_auto(bytes: &[u8]) -> Import {
    load(bytes, FeedFormat::Auto)
}

#[test]
fn analytics_reports_import_to_the_same_report_as_the_csv() {
    let seed = seed_rows();
    for name in [
        "json/seed-tokyo-report-tabular.json",
        "json/seed-tokyo-report-grouped.json",
    ] {
        let import = load(&read(name), FeedFormat::Report);
        assert!(import.problems.is_empty(), "{name}: {:?}", import.problems);
        assert_eq!(import.report.rows, seed, "{name}");
        assert!(import.messages().is_empty(), "{:?}", import.messages());
        assert!(!import.total_checks.is_empty(), "{name}");
        assert!(import.total_checks.iter().all(|c| c.is_consistent()));
    }
    let grouped = load(
        &read("json/seed-tokyo-report-grouped.json"),
        FeedFormat::Report,
    );
    let names: Vec<&str> = grouped
        .total_checks
        .iter()
        .map(|c| c.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["総計", "小計「東京都」"]);
    let total = &grouped.total_checks[0];
    assert_eq!(total.records, Some((12, 12)));
    assert_eq!(
        total.compared,
        [
            (Column::Secured, 30, 30),
            (Column::Ready, 24, 24),
            (Column::Inpatients, 18, 18)
        ]
    );
}

#[test]
fn a_nested_summary_report_reads_every_leaf_group_in_order() {
    let table = sf_table("json/seed-tokyo-report-nested.json");
    assert_eq!(table.grouping_columns, 2);
    assert_eq!(&table.labels[..2], ["都道府県", "市区町村"]);
    let groups: Vec<(&str, &str, std::ops::Range<usize>)> = table
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.label.as_str(), g.rows.clone()))
        .collect();
    assert_eq!(
        groups,
        [
            ("0", "東京都", 0..12),
            ("0_0", "東京都 / 千代田区", 0..11),
            ("0_1", "東京都 / 中央区", 11..12)
        ]
    );

    // The rows are those of the CSV, 千代田区 first, then 中央区.
    let mut seed = seed_rows();
    seed.sort_by_key(|r| &*r.municipality != "千代田区");
    let import = load(
        &read("json/seed-tokyo-report-nested.json"),
        FeedFormat::Auto,
    );
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.rows, seed);
    assert_eq!(import.total_checks.len(), 4, "{:?}", import.total_checks);
    assert!(import.messages().is_empty(), "{:?}", import.messages());
}

// ---------------------------------------------------------------------------
// The record entry every format shares

#[test]
fn records_follow_the_csv_rules() {
    let header: Vec<String> = Column::GMIS
        .iter()
        .map(|c| c.name().to_string())
        .chain(["備考".to_string()])
        .collect();
    let seed = seed_rows();
    let mut records: Vec<(u64, Vec<String>)> = seed
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut fields = csv_export::row_fields(row);
            fields.push("メモ\u{1b}[31m".to_string());
            (i as u64 + 1, fields)
        })
        .collect();
    records[2].1[11] = "abc".to_string();
    let import = gmis_csv::import_records(&header, records, &options("api")).unwrap();
    assert_eq!(import.report.rows.len(), 11);
    assert_eq!(import.report.extra_columns, ["備考"]);
    assert_eq!(
        &*import.report.rows[0].extra,
        ["メモ\u{1b}[31m"],
        "kept as data: the terminal neutralises it when it shows it"
    );
    assert_eq!(
        import.messages(),
        [
            "api: 3 件目: 列「即応病床」: 数値ではありません（abc）",
            "api: 1 件を取り込めませんでした（上記）"
        ]
    );

    let without: Vec<String> = header.iter().filter(|h| *h != "入院中").cloned().collect();
    let err = gmis_csv::import_records(&without, Vec::new(), &options("api")).unwrap_err();
    assert_eq!(err.to_string(), "api: 必須の列がありません: 入院中");
}

// ---------------------------------------------------------------------------
// Extra columns and the object form

#[test]
fn extra_keys_are_kept_in_the_order_columns_gives() {
    let mut rows = fixture_value("json/seed-tokyo-rows.json");
    let list = rows.as_array_mut().unwrap();
    list[0]["備考"] = json!("夜間は要連絡");
    list[0]["受入可否"] = json!(true);
    list[1]["受入可否"] = json!(2);
    list[2]["備考"] = Value::Null;
    let doc = json!({ "columns": ["受入可否", "医療機関名"], "rows": rows, "version": 3 });
    let import = load(&bytes_of(&doc), FeedFormat::Auto);
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.extra_columns, ["受入可否", "備考"]);
    let extras: Vec<&[String]> = import.report.rows[..4].iter().map(|r| &*r.extra).collect();
    assert_eq!(
        extras,
        [
            &["true".to_string(), "夜間は要連絡".to_string()][..],
            &["2".to_string(), String::new()][..],
            &[String::new(), String::new()][..],
            &[String::new(), String::new()][..],
        ]
    );
}

// ---------------------------------------------------------------------------
// Bad input

fn seed_rows_value() -> Vec<Value> {
    fixture_value("json/seed-tokyo-rows.json")
        .as_array()
        .unwrap()
        .clone()
}

fn messages_for(rows: Vec<Value>) -> (Import, String) {
    let import = load(&bytes_of(&Value::Array(rows)), FeedFormat::Json);
    let messages = import.messages().join("\n");
    (import, messages)
}

#[test]
fn garbage_json_is_one_error_with_its_place() {
    let message = error(b"{\"rows\": [\n  {\"a\": 1},,\n]}", FeedFormat::Auto);
    assert_eq!(
        message,
        "feed.json: JSON として読めません（2 行 12 文字目）"
    );
    let message = error(b"[{\"a\": ", FeedFormat::Json);
    assert!(message.contains("途中で終わっています"), "{message}");
    let message = error(b"[] trailing", FeedFormat::Json);
    assert!(
        message.contains("JSON として読めません（1 行 4 文字目）"),
        "{message}"
    );
    let message = error("[\"東京\x7f\"]".as_bytes(), FeedFormat::Json);
    assert!(message.starts_with("feed.json:"), "{message}");
    // Shift-JIS is not JSON's encoding.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("[\n{\"医療機関名\": \"東京\"}]");
    let message = error(&sjis, FeedFormat::Json);
    assert_eq!(
        message,
        "feed.json:2: JSON の文字コードが UTF-8 ではありません"
    );
    assert!(error(b"  \n", FeedFormat::Json).contains("ファイルが空です"));
    assert!(error(b"[]", FeedFormat::Json).contains("行が一つもありません"));
    assert!(error(b"{\"rows\": []}", FeedFormat::Auto).contains("行が一つもありません"));
}

#[test]
fn a_wrong_shape_is_one_clear_error() {
    let cases: [(&[u8], FeedFormat, &str); 7] = [
        (
            b"\"text\"",
            FeedFormat::Json,
            "一番外側が配列（[…]）でもオブジェクト（{…}）でもありません",
        ),
        (b"42", FeedFormat::Report, "一番外側が配列"),
        (
            b"{\"rows\": {\"a\": 1}}",
            FeedFormat::Auto,
            "「rows」が配列ではありません",
        ),
        (b"{\"data\": []}", FeedFormat::Auto, "「rows」がありません"),
        (
            b"{\"rows\": [{}], \"columns\": [1]}",
            FeedFormat::Json,
            "「columns」は列名（文字列）の配列にしてください",
        ),
        (b"[{\"a\": 1}]", FeedFormat::Report, "行の一覧の JSON です"),
        (
            b"{\"reportMetadata\": {}, \"factMap\": {}}",
            FeedFormat::Json,
            "分析レポートの JSON です",
        ),
    ];
    for (bytes, format, expected) in cases {
        let message = error(bytes, format);
        assert!(message.contains(expected), "{message}");
        assert!(message.starts_with("feed.json: "), "{message}");
    }
    // The message names where the shape went wrong.
    let message = error(b"{\n\"rows\": 5}", FeedFormat::Json);
    assert!(message.contains("2 行"), "{message}");
}

#[test]
fn a_code_given_as_a_number_rejects_its_row() {
    let mut rows = seed_rows_value();
    rows[1]["医療機関コード"] = json!(1310170043u64);
    rows[4]["全国地方公共団体コード"] = json!(131016);
    let (import, messages) = messages_for(rows);
    assert_eq!(import.report.rows.len(), 10);
    assert_eq!(import.rejected_rows, 2);
    assert!(messages.contains(
        "feed.json: 2 件目: 列「医療機関コード」: コードが数値になっています（先頭の 0 が失われるため、文字列で指定してください）（1310170043）"
    ), "{messages}");
    assert!(
        messages.contains("feed.json: 5 件目: 列「全国地方公共団体コード」: コードが数値"),
        "{messages}"
    );
    assert!(
        messages.contains("feed.json: 2 件を取り込めませんでした（上記）"),
        "{messages}"
    );
    // One problem per bad column: the number is not also called a bad code.
    assert_eq!(import.problems.len(), 2, "{:?}", import.problems);
}

#[test]
fn bad_counts_are_reported_per_row() {
    let mut rows = seed_rows_value();
    rows[0]["即応病床"] = json!("abc");
    rows[1]["入院中"] = json!(-1);
    rows[2]["確保病床"] = json!(2.5);
    rows[3]["確保病床"] = json!(4.0);
    rows[4]["即応病床"] = json!({"n": 1});
    rows[5]["即応病床"] = Value::Null;
    rows[6]["入院中"] = json!("");
    let (import, messages) = messages_for(rows);
    assert_eq!(import.rejected_rows, 4, "{messages}");
    for expected in [
        "feed.json: 1 件目: 列「即応病床」: 数値ではありません（abc）",
        "feed.json: 2 件目: 列「入院中」: 負の数は使えません（-1）",
        "feed.json: 3 件目: 列「確保病床」: 数値ではありません（2.5）",
        "feed.json: 5 件目: 列「即応病床」: オブジェクトや配列は値にできません",
    ] {
        assert!(messages.contains(expected), "{expected}\n{messages}");
    }
    let secured_4 = import
        .report
        .rows
        .iter()
        .find(|r| r.hospital_code.as_str() == "1310170092")
        .unwrap();
    assert_eq!(secured_4.secured, Some(4), "4.0 is 4");
    let blank = import
        .report
        .rows
        .iter()
        .find(|r| r.hospital_code.as_str() == "1310110098")
        .unwrap();
    assert_eq!(blank.ready, None, "null is blank, not 0");
}

#[test]
fn rows_that_are_not_objects_or_lack_keys_are_refused_alone() {
    let mut rows = seed_rows_value();
    rows[0] = json!([1, 2]);
    rows[1].as_object_mut().unwrap().remove("実績日");
    let (import, messages) = messages_for(rows);
    assert_eq!(import.report.rows.len(), 10);
    assert!(
        messages.contains("feed.json: 1 件目: 行がオブジェクト（{…}）ではありません（配列）"),
        "{messages}"
    );
    assert!(
        messages.contains(
            "feed.json: 2 件目: 列「実績日」: キーがありません（空欄なら null にしてください）"
        ),
        "{messages}"
    );

    // A key twice in one row.
    let text = String::from_utf8(read("json/seed-tokyo-rows.json")).unwrap();
    let text = text.replacen("\"入院中\": 1\n", "\"入院中\": 1, \"入院中\": 2\n", 1);
    let import = load(text.as_bytes(), FeedFormat::Json);
    assert_eq!(import.rejected_rows, 1);
    assert!(
        import.messages()[0].contains("列「入院中」: キーが二つあります"),
        "{:?}",
        import.messages()
    );
}

#[test]
fn a_missing_required_column_is_one_error_naming_it() {
    let rows: Vec<Value> = seed_rows_value()
        .into_iter()
        .map(|mut r| {
            r.as_object_mut().unwrap().remove("即応病床");
            r
        })
        .collect();
    let message = error(&bytes_of(&Value::Array(rows)), FeedFormat::Json);
    assert_eq!(message, "feed.json: 必須の列がありません: 即応病床");

    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["reportExtendedMetadata"]["detailColumnInfo"]["Inpatients__c"]["label"] =
        json!("患者数");
    let message = error(&bytes_of(&report), FeedFormat::Auto);
    assert_eq!(message, "feed.json: 必須の列がありません: 入院中");
}

#[test]
fn report_totals_that_disagree_are_reported() {
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["factMap"]["T!T"]["aggregates"][0]["value"] = json!(31);
    report["factMap"]["T!T"]["aggregates"][3]["value"] = json!(13);
    let import = load(&bytes_of(&report), FeedFormat::Report);
    assert_eq!(import.report.rows.len(), 12);
    let check = &import.total_checks[0];
    assert!(!check.is_consistent());
    assert_eq!(check.records_mismatch(), Some((13, 12)));
    assert_eq!(
        check.mismatches().collect::<Vec<_>>(),
        [&(Column::Secured, 31, 30)]
    );
    assert_eq!(
        import.messages(),
        [
            "feed.json: 総計の件数 13 が明細行の数 12 と一致しません（一部の行しか含まれていません）",
            "feed.json: 総計の確保病床 31 が明細行の合計 30 と一致しません",
        ]
    );

    // A group's subtotal is checked against its own rows.
    let mut grouped = fixture_value("json/seed-tokyo-report-nested.json");
    grouped["factMap"]["0_1!T"]["aggregates"][1]["value"] = json!(5);
    let import = load(&bytes_of(&grouped), FeedFormat::Report);
    assert_eq!(
        import.messages(),
        ["feed.json: 小計「東京都 / 中央区」の即応病床 5 が明細行の合計 1 と一致しません"]
    );

    // A rejected row is left out of the sums: the totals say so.
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["factMap"]["T!T"]["rows"][0]["dataCells"][11] = json!({"value": "x", "label": "x"});
    let messages = load(&bytes_of(&report), FeedFormat::Report)
        .messages()
        .join("\n");
    assert!(
        messages.contains("feed.json: 1 件目: 列「即応病床」: 数値ではありません（x）"),
        "{messages}"
    );
    assert!(
        messages.contains("総計の即応病床 24 が明細行の合計 22 と一致しません"),
        "{messages}"
    );
    assert!(
        !messages.contains("件数"),
        "all 12 rows were found: {messages}"
    );
}

#[test]
fn reports_in_the_wrong_shape_say_where() {
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["factMap"]["T!T"]["rows"][3]["dataCells"] = json!("x");
    let message = error(&bytes_of(&report), FeedFormat::Report);
    assert_eq!(
        message,
        "feed.json: レポートの JSON の形式が違います（factMap[\"T!T\"].rows[3].dataCells が配列ではありません）"
    );

    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["reportMetadata"]
        .as_object_mut()
        .unwrap()
        .remove("detailColumns");
    assert!(error(&bytes_of(&report), FeedFormat::Auto)
        .contains("reportMetadata.detailColumns がありません"));

    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["reportMetadata"]["reportFormat"] = json!("MATRIX");
    assert!(error(&bytes_of(&report), FeedFormat::Auto)
        .contains("MATRIX 形式のレポートには対応していません"));

    // Fetched without includeDetails=true.
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["hasDetailRows"] = json!(false);
    report["factMap"]["T!T"]["rows"] = json!([]);
    assert!(error(&bytes_of(&report), FeedFormat::Auto).contains("レポートに明細行がありません"));

    // A code in a number field, and a report that holds only part of its rows.
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["factMap"]["T!T"]["rows"][0]["dataCells"][2] =
        json!({"value": 131016, "label": "131,016"});
    report["allData"] = json!(false);
    let messages = load(&bytes_of(&report), FeedFormat::Report)
        .messages()
        .join("\n");
    assert!(
        messages.contains(
            "feed.json: 1 件目: 列「全国地方公共団体コード」: コードが数値になっています"
        ),
        "{messages}"
    );
    assert!(
        messages.contains("feed.json: レポートが全件を返していません"),
        "{messages}"
    );
}

#[test]
fn html_in_report_labels_is_cleaned_in_rows_and_headers() {
    let mut report = fixture_value("json/seed-tokyo-report-tabular.json");
    report["reportExtendedMetadata"]["detailColumnInfo"]["Hospital__c.Name"]["label"] =
        json!("医療機関名");
    report["reportExtendedMetadata"]["detailColumnInfo"]["Extra__c"] =
        json!({"label": "備考<br>(夜間)", "dataType": "textarea"});
    report["reportMetadata"]["detailColumns"]
        .as_array_mut()
        .unwrap()
        .push(json!("Extra__c"));
    for (i, row) in report["factMap"]["T!T"]["rows"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        let note = if i == 0 {
            json!({"value": "A&B<br>C", "label": "A&amp;B<br>C &lt;急&gt;"})
        } else {
            json!({"value": null, "label": "-"})
        };
        row["dataCells"].as_array_mut().unwrap().push(note);
    }
    let import = load(&bytes_of(&report), FeedFormat::Report);
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.extra_columns, ["備考 (夜間)"]);
    assert_eq!(&*import.report.rows[0].extra, ["A&B C <急>"]);
    assert_eq!(&*import.report.rows[1].extra, [""]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = |open: &str, close: &str, n: usize| -> Vec<u8> {
        let mut s = open.repeat(n);
        s.push('1');
        s.push_str(&close.repeat(n));
        s.into_bytes()
    };
    // A report part is read into memory: the parser's depth limit stops it.
    let mut report = b"{\"reportMetadata\": ".to_vec();
    report.extend(deep("[", "]", 100_000));
    report.push(b'}');
    let message = error(&report, FeedFormat::Auto);
    assert!(message.contains("JSON の入れ子が深すぎます"), "{message}");
    // Deep values that are skipped, not kept, are read without recursion.
    for bytes in [
        deep("[", "]", 200_000),
        deep("{\"a\":", "}", 200_000),
        [b"[{\"x\": ".as_slice(), &deep("[", "]", 200_000), b"}]"].concat(),
        [
            b"{\"other\": ".as_slice(),
            &deep("{\"a\":", "}", 200_000),
            b"}",
        ]
        .concat(),
    ] {
        for format in [FeedFormat::Auto, FeedFormat::Json, FeedFormat::Report] {
            assert!(format::import_any(&bytes, format, &options("deep")).is_err());
        }
    }
    // Unclosed.
    let message = error(&"[".repeat(100_000).into_bytes(), FeedFormat::Json);
    assert!(message.starts_with("feed.json: JSON"), "{message}");
}

// ---------------------------------------------------------------------------
// Detection

#[test]
fn detection_picks_the_importer_for_each_fixture() {
    let cases = [
        ("json/seed-tokyo-rows.json", FeedFormat::Json),
        ("json/seed-tokyo-report-tabular.json", FeedFormat::Report),
        ("json/seed-tokyo-report-grouped.json", FeedFormat::Report),
        ("json/seed-tokyo-report-nested.json", FeedFormat::Report),
        ("json/salesforce-report-sample.json", FeedFormat::Report),
        (
            "json/salesforce-report-sample-tabular.json",
            FeedFormat::Report,
        ),
    ];
    for (name, expected) in cases {
        let bytes = read(name);
        assert_eq!(format::detect(&bytes), expected, "{name}");
        let auto = format::import_any(&bytes, FeedFormat::Auto, &options(name));
        let chosen = format::import_any(&bytes, expected, &options(name));
        match (auto, chosen) {
            (Ok(a), Ok(b)) => assert_eq!(a.report, b.report, "{name}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
            (a, b) => panic!("{name}: {a:?} / {b:?}"),
        }
    }
    let wrapped = bytes_of(&json!({ "rows": [] }));
    assert_eq!(format::detect(&wrapped), FeedFormat::Json);
    assert_eq!(format::detect(b"\xEF\xBB\xBF \r\n [1]"), FeedFormat::Json);
    assert_eq!(format::detect(b" {\"factMap\": {}}"), FeedFormat::Report);
}

#[test]
fn detection_leaves_every_csv_fixture_to_the_csv_importer() {
    let mut names: Vec<String> = std::fs::read_dir(path(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.push("assets/sample/seed-tokyo.csv".into());
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    for name in &names {
        let bytes = read(name);
        assert_eq!(format::detect(&bytes), FeedFormat::Csv, "{name}");
        let auto = format::import_any(&bytes, FeedFormat::Auto, &options(name));
        let csv = format::import_any(&bytes, FeedFormat::Csv, &options(name));
        match (auto, csv) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.report, b.report, "{name}");
                assert_eq!(a.messages(), b.messages(), "{name}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
            (a, b) => panic!("{name}: {a:?} / {b:?}"),
        }
    }
}

#[test]
fn the_format_is_named_in_config_and_on_the_command_line() {
    use bedboard::text::Named;
    for (text, format) in [
        ("auto", FeedFormat::Auto),
        ("csv", FeedFormat::Csv),
        ("json", FeedFormat::Json),
        ("report", FeedFormat::Report),
    ] {
        assert_eq!(
            serde_json::from_str::<FeedFormat>(&format!("\"{text}\"")).unwrap(),
            format
        );
        assert_eq!(FeedFormat::from_name(text), Some(format));
        assert_eq!(format.name(), text);
    }
    assert!(serde_json::from_str::<FeedFormat>("\"xml\"").is_err());
    assert_eq!(FeedFormat::default(), FeedFormat::Auto);
}

// ---------------------------------------------------------------------------
// Nothing panics

const STARTS: [&[u8]; 6] = [
    b"",
    b"[",
    b"{",
    b"{\"rows\":[",
    b"{\"factMap\":{\"T!T\":",
    b"\xEF\xBB\xBF[",
];

const SPLICES: [&[u8]; 17] = [
    b"0", b"-", b"\"", b"{", b"}", b"[", b"]", b",", b":", b"null", b"1e999", b"\\u0000", b"<br>",
    b"&amp;", b"\xff", b"!T", b"_",
];

const FIXTURES: [&str; 6] = [
    "json/seed-tokyo-rows.json",
    "json/seed-tokyo-report-tabular.json",
    "json/seed-tokyo-report-grouped.json",
    "json/seed-tokyo-report-nested.json",
    "json/salesforce-report-sample.json",
    "json/salesforce-report-sample-tabular.json",
];

fn every_way(bytes: &[u8]) {
    for format in [
        FeedFormat::Auto,
        FeedFormat::Csv,
        FeedFormat::Json,
        FeedFormat::Report,
    ] {
        if let Ok(import) = format::import_any(bytes, format, &options("fuzz")) {
            let _ = import.messages();
        }
    }
    let _ = format::detect(bytes);
    let _ = json::parse_analytics(bytes, "fuzz");
}

#[test]
fn cut_fixtures_never_panic() {
    for name in FIXTURES {
        let bytes = read(name);
        for cut in (0..bytes.len()).step_by(bytes.len() / 300 + 1) {
            every_way(&bytes[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        start in prop::sample::select(STARTS.to_vec()),
    ) {
        every_way(&[start, &bytes].concat());
    }

    /// Fixtures with bytes changed, cut short, or JSON-ish text spliced in.
    #[test]
    fn damaged_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(SPLICES.to_vec())),
            1..8,
        ),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = read(FIXTURES[which]);
        for (at, text) in edits {
            let i = at.index(bytes.len());
            let end = (i + text.len()).min(bytes.len());
            bytes.splice(i..end, text.iter().copied());
        }
        bytes.truncate(cut.index(bytes.len() + 1).max(bytes.len() / 2));
        every_way(&bytes);
    }

    /// Values of any JSON type in any column of a row never panic, and every row
    /// is either taken or reported.
    #[test]
    fn any_values_in_rows_are_taken_or_reported(
        row in 0..12usize,
        column in 0..13usize,
        value in prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
            Just(json!([])),
            Just(json!({"a": [1]})),
        ],
    ) {
        let mut rows = seed_rows_value();
        rows[row][Column::GMIS[column].name()] = value;
        let import = format::import_any(&bytes_of(&Value::Array(rows)), FeedFormat::Auto, &options("p")).unwrap();
        prop_assert_eq!(import.report.rows.len() + import.rejected_rows, 12);
    }
}

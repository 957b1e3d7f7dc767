//! Import of G-MIS 「詳細のみ」 CSV exports, one fixture file per case.

use std::path::PathBuf;

use bedboard::formats::{
    self, DetectedEncoding, EncodingChoice, ImportError, ImportOptions, TotalCheck,
};
use bedboard::model::{Column, Totals};

fn path(name: &str) -> PathBuf {
    let dir = env!("CARGO_MANIFEST_DIR");
    if name.starts_with("assets/") {
        PathBuf::from(dir).join(name)
    } else {
        PathBuf::from(dir).join("tests/fixtures").join(name)
    }
}

fn import_with(name: &str, encoding: EncodingChoice) -> Result<formats::Import, ImportError> {
    let options = ImportOptions {
        encoding,
        ..Default::default()
    };
    formats::import_file(&path(name), &options)
}

fn import(name: &str) -> formats::Import {
    import_with(name, EncodingChoice::Auto).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn error(name: &str) -> String {
    match import_with(name, EncodingChoice::Auto) {
        Ok(import) => panic!("{name} imported {} rows", import.report.rows.len()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn the_seed_sample_reads_with_its_totals() {
    let import = import("assets/sample/seed-tokyo.csv");
    assert_eq!(import.encoding, DetectedEncoding::ShiftJis);
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    let rows = &import.report.rows;
    assert_eq!(rows.len(), 12);
    let totals = Totals::of(rows);
    assert_eq!(
        (totals.secured, totals.ready, totals.inpatients),
        (Some(30), Some(24), Some(18))
    );
    assert_eq!(rows[0].hospital_code.as_str(), "1310170018");
    assert_eq!(&*rows[0].hospital_name, "東京都 病院1");
    assert_eq!(rows[7].municipality_code.as_str(), "131024");
    assert_eq!(&*rows[7].municipality, "中央区");
    assert_eq!(rows[5].record_date.to_string(), "2021-11-11");
    assert_eq!(
        bedboard::model::time::format_datetime(&rows[11].reported_at),
        "2022/02/01 11:37"
    );
    // The seed's own first code fails the check digit: a warning, not a rejection.
    assert!(!rows[0].hospital_code.check_digit_ok());
}

#[test]
fn utf8_with_and_without_bom_and_either_line_ending() {
    let bom = import("utf8-bom-lf.csv");
    assert_eq!(bom.encoding, DetectedEncoding::Utf8Bom);
    let plain = import("utf8-crlf.csv");
    assert_eq!(plain.encoding, DetectedEncoding::Utf8);
    assert_eq!(bom.report, plain.report);
    assert_eq!(bom.report.rows.len(), 3);
    assert_eq!(
        &*bom.report.rows[0].prefecture, "東京都",
        "BOM is not part of the first header"
    );
}

#[test]
fn cp932_extension_characters_survive() {
    let import = import("cp932-extensions.csv");
    assert_eq!(import.encoding, DetectedEncoding::ShiftJis);
    let names: Vec<&str> = import
        .report
        .rows
        .iter()
        .map(|r| &*r.hospital_name)
        .collect();
    assert_eq!(
        names,
        ["医療法人社団①髙﨑会 ㈱ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ", "Ⅱ号館 ※東京病院"]
    );
}

#[test]
fn forcing_the_wrong_encoding_reports_rows_instead_of_garbling_them() {
    let message = import_with("cp932-extensions.csv", EncodingChoice::Utf8)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("見出し行を UTF-8 として読めません"),
        "{message}"
    );
    // A row in another encoding than its header is rejected by name, not garbled.
    let import = import_with("mixed-encoding.csv", EncodingChoice::Utf8).unwrap();
    assert_eq!(import.report.rows.len(), 1);
    assert_eq!(import.rejected_rows, 1);
    let messages = import.messages().join("\n");
    assert!(messages.contains("mixed-encoding.csv:3: 列「医療機関名」: 文字コードが正しくありません（UTF-8 として読めません）"), "{messages}");
    // And forcing the right one works.
    let forced = import_with("cp932-extensions.csv", EncodingChoice::Sjis).unwrap();
    assert_eq!(forced.report.rows.len(), 2);
}

#[test]
fn quoted_fields_hold_commas_quotes_and_line_breaks() {
    let import = import("quoted.csv");
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    let names: Vec<&str> = import
        .report
        .rows
        .iter()
        .map(|r| &*r.hospital_name)
        .collect();
    // A line break inside a name is kept as data; the terminal shows it as a space.
    assert_eq!(
        names,
        ["病院, 千代田", "\"みなと\" 記念病院", "中央\n第二病院"]
    );
    assert_eq!(bedboard::text::sanitize(names[2]), "中央 第二病院");
}

#[test]
fn columns_are_found_by_name_and_extra_columns_are_kept() {
    let import = import("reordered-extra.csv");
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.extra_columns, ["備考", "受入可否"]);
    let row = &import.report.rows[0];
    assert_eq!(row.hospital_code.as_str(), "1310170043");
    assert_eq!(
        (row.secured, row.ready, row.inpatients),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(&*row.extra, ["夜間は要連絡", "可"]);
    assert_eq!(&*import.report.rows[1].extra, ["", "否"]);
}

#[test]
fn a_missing_column_is_one_error_that_names_it() {
    let message = error("missing-column.csv");
    assert!(
        message.contains("必須の列がありません: 即応病床"),
        "{message}"
    );
    assert!(message.contains("missing-column.csv:1"), "{message}");
}

#[test]
fn footer_after_a_blank_line_is_not_data() {
    let import = import("quoted-footer.csv");
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    assert_eq!(import.report.rows.len(), 3);
    assert_eq!(
        import.footer,
        [
            "機密情報 - 取り扱い注意",
            "Copyright (c) 2000-2022 salesforce.com, inc. All rights reserved."
        ]
    );
    assert_eq!(import.total_checks.len(), 1);
    assert!(
        import.total_checks[0].is_consistent(),
        "{:?}",
        import.total_checks
    );
    assert!(import.messages().is_empty(), "{:?}", import.messages());
}

#[test]
fn a_total_row_that_disagrees_is_reported() {
    let import = import("total-mismatch.csv");
    assert_eq!(import.report.rows.len(), 3);
    let check: &TotalCheck = &import.total_checks[0];
    assert_eq!(
        check.mismatches().collect::<Vec<_>>(),
        [&(Column::Secured, 6, 5)]
    );
    let messages = import.messages().join("\n");
    assert!(
        messages
            .contains("total-mismatch.csv:6: 合計行の確保病床 6 が明細行の合計 5 と一致しません"),
        "{messages}"
    );
}

#[test]
fn bad_rows_are_reported_with_line_column_and_reason_and_counted() {
    let import = import("bad-rows.csv");
    let names: Vec<&str> = import
        .report
        .rows
        .iter()
        .map(|r| &*r.hospital_name)
        .collect();
    assert_eq!(names, ["東京都 病院9", "東京都 病院16"]);
    assert_eq!(import.report.rows[1].ready, None, "blank is not 0");
    assert_eq!(import.rejected_rows, 4);
    let messages = import.messages().join("\n");
    for expected in [
        "bad-rows.csv:3: 列「即応病床」: 数値ではありません（abc）",
        "bad-rows.csv:4: 列「医療機関コード」: 10桁の数字ではありません（131011461）",
        "bad-rows.csv:4: 列「実績日」: 日付として読めません（2022/13/05）",
        "bad-rows.csv:5: 列の数が足りません（見出しは 13 列、この行は 7 列）",
        "bad-rows.csv:6: 列「都道府県番号」: 都道府県番号は 01〜47 です（99）",
        "bad-rows.csv:6: 列「確保病床」: 負の数は使えません（-4）",
        "bad-rows.csv: 4 行を取り込めませんでした",
    ] {
        assert!(
            messages.contains(expected),
            "missing {expected:?} in\n{messages}"
        );
    }
}

#[test]
fn files_that_are_not_reports_get_one_clear_error() {
    for (name, expected) in [
        ("not-a-report.csv", "G-MIS のレポートではありません"),
        ("binary.dat", "バイナリファイル"),
        ("empty.csv", "ファイルが空です"),
        ("blank-lines.csv", "ファイルが空です"),
        ("fake.xlsx", "Excel ファイル"),
        ("no-such-file.csv", "ファイルが見つかりません"),
    ] {
        let message = error(name);
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            message.contains(name),
            "{name}: the message names the file: {message}"
        );
    }
}

#[test]
fn escape_sequences_in_names_are_kept_as_data_and_neutralised_for_the_terminal() {
    let csv = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\n\
               東京都,13,131016,千代田区,1301,区中央部,1310170043,\"\x1b]52;c;ZXZpbA==\x07病院\x1b[2J\",2022/01/05,2022/02/01 11:32,2,1,1\n";
    let import =
        formats::gmis_csv::import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap();
    // The data is kept as it was (an export carries it); the terminal gets it neutralised.
    let name = &*import.report.rows[0].hospital_name;
    assert_eq!(name, "\x1b]52;c;ZXZpbA==\x07病院\x1b[2J");
    assert_eq!(bedboard::text::sanitize(name), "?]52;c;ZXZpbA==?病院?[2J");
}

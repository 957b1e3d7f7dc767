//! Every importer fed mutated real files: the CSV report, JSON rows, the
//! analytics report JSON, the .xlsx, the 医療機関マスタ and the 自治体マスタ.
//! Seeds come from tests/fixtures and assets/; control characters, escape
//! sequences, C1 controls, NUL and bidi controls are put into fields and
//! headers, bytes are flipped and bodies cut. Whatever comes in, no importer
//! panics, and no message it gives (errors, row problems, notes, totals)
//! holds a control character or a bidi control.
//!
//! Cases per importer: `PROPTEST_CASES`, 256 unless set.

use std::path::Path;

use bedboard::formats::json::{import_analytics, import_json};
use bedboard::formats::xlsx::import_xlsx;
use bedboard::formats::{import_any, FeedFormat, Import, ImportError, ImportOptions};
use bedboard::master::{import_hospital_master, import_municipality_master};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases())
    }
}

/// Text that must never reach a terminal raw.
const HOSTILE: [&str; 12] = [
    "\x1b]0;窓のタイトル\x07",
    "\x1b[2J",
    "\x1b[31m赤",
    "\u{9b}2J",
    "\u{85}",
    "\0",
    "\u{202e}逆順",
    "\u{2066}",
    "\u{200f}",
    "\x7f",
    "\x08\x08",
    "\r\n\"",
];

/// The same, as JSON string escapes, so they survive parsing into values and keys.
const HOSTILE_JSON: [&str; 6] = [
    "\\u001b]0;title\\u0007",
    "\\u001b[2J",
    "\\u009b2J",
    "\\u0000",
    "\\u202e",
    "\\u2067\\u0085",
];

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn seeds(paths: &[&str]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| read(p)).collect()
}

/// One change to a body, at a place given as a fraction of its length.
#[derive(Clone, Debug)]
enum Mutation {
    /// Hostile text put in (`near_start`: within the first 300 bytes, the header).
    Insert {
        at: u32,
        near_start: bool,
        text: usize,
    },
    /// A byte replaced by any byte.
    Flip { at: u32, byte: u8 },
    /// A run of bytes removed.
    Remove { at: u32, len: u8 },
    /// The body cut here.
    Cut { at: u32 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<u32>(), any::<bool>(), 0..HOSTILE.len())
            .prop_map(|(at, near_start, text)| Mutation::Insert { at, near_start, text }),
        2 => (any::<u32>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        1 => (any::<u32>(), any::<u8>()).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => any::<u32>().prop_map(|at| Mutation::Cut { at }),
    ]
}

fn place(at: u32, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (u64::from(at) % (len as u64 + 1)) as usize
    }
}

fn mutate(seed: &[u8], mutations: &[Mutation], hostile: &[&str]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        match *m {
            Mutation::Insert {
                at,
                near_start,
                text,
            } => {
                let span = if near_start {
                    bytes.len().min(300)
                } else {
                    bytes.len()
                };
                let at = place(at, span);
                let text = hostile[text % hostile.len()].as_bytes();
                bytes.splice(at..at, text.iter().copied());
            }
            Mutation::Flip { at, byte } if !bytes.is_empty() => {
                let at = place(at, bytes.len() - 1);
                bytes[at] = byte;
            }
            Mutation::Flip { .. } => {}
            Mutation::Remove { at, len } => {
                let at = place(at, bytes.len());
                let end = (at + usize::from(len)).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Cut { at } => {
                let at = place(at, bytes.len());
                bytes.truncate(at);
            }
        }
    }
    bytes
}

/// A character that must not reach a terminal from a message.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn check_text(what: &str, text: &str) -> Result<(), TestCaseError> {
    if let Some(c) = text.chars().find(|&c| is_forbidden(c)) {
        return Err(TestCaseError::fail(format!(
            "{what} holds U+{:04X}: {text:?}",
            c as u32
        )));
    }
    Ok(())
}

fn check_error(err: &ImportError) -> Result<(), TestCaseError> {
    check_text("error source", &err.source)?;
    check_text("error", &err.to_string())
}

fn check_import(result: &Result<Import, ImportError>) -> Result<(), TestCaseError> {
    match result {
        Ok(import) => {
            check_text("source name", &import.source_name)?;
            for message in import.messages() {
                check_text("message", &message)?;
            }
            for problem in &import.problems {
                check_text("row problem", &problem.describe(&import.source_name))?;
            }
            for line in &import.footer {
                check_text("footer", line)?;
            }
            Ok(())
        }
        Err(err) => check_error(err),
    }
}

/// Options naming the source by a path with control characters in it, or by
/// a plain one (so that what the data brings in is seen on its own).
fn options(hostile_name: bool) -> ImportOptions {
    let source_name = if hostile_name {
        "/tmp/\x1b[2J受信\u{202e}.csv"
    } else {
        "feed.csv"
    };
    ImportOptions {
        source_name: source_name.to_string(),
        ..Default::default()
    }
}

const CSV_SEEDS: &[&str] = &[
    "assets/sample/seed-tokyo.csv",
    "tests/fixtures/quoted.csv",
    "tests/fixtures/quoted-footer.csv",
    "tests/fixtures/bad-rows.csv",
    "tests/fixtures/total-mismatch.csv",
    "tests/fixtures/reordered-extra.csv",
    "tests/fixtures/cp932-extensions.csv",
    "tests/fixtures/utf8-bom-lf.csv",
    "assets/demo/report.csv",
];

const JSON_ROWS_SEEDS: &[&str] = &["tests/fixtures/json/seed-tokyo-rows.json"];

const REPORT_SEEDS: &[&str] = &[
    "tests/fixtures/json/seed-tokyo-report-tabular.json",
    "tests/fixtures/json/seed-tokyo-report-grouped.json",
    "tests/fixtures/json/seed-tokyo-report-nested.json",
    "tests/fixtures/json/salesforce-report-sample.json",
];

const HOSPITAL_SEEDS: &[&str] = &[
    "assets/demo/master.csv",
    "tests/fixtures/master/bad-rows.csv",
    "tests/fixtures/master/cp932-nec-ibm.csv",
    "tests/fixtures/master/crosscheck-hospitals.csv",
    "tests/fixtures/master/with-footer.csv",
];

const MUNICIPALITY_SEEDS: &[&str] = &[
    "tests/fixtures/master/municipality-codes-localgovjp.csv",
    "tests/fixtures/master/crosscheck-municipalities.csv",
];

/// Bodies shorter than the big seeds, so a case stays quick: the first lines of a seed.
fn head(bytes: &[u8], lines: usize) -> &[u8] {
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(lines)
        .map_or(bytes.len(), |(i, _)| i + 1);
    &bytes[..end]
}

fn body(seeds: &[Vec<u8>], pick: usize, mutations: &[Mutation], hostile: &[&str]) -> Vec<u8> {
    let seed = &seeds[pick % seeds.len()];
    mutate(head(seed, 60), mutations, hostile)
}

/// A workbook laid out as the export lays it out, with hostile text in its
/// title, header and cells.
fn workbook(texts: &[(u8, u8, usize)], extra_header: usize) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let header = [
        "都道府県",
        "都道府県番号",
        "全国地方公共団体コード",
        "市区町村",
        "二次医療圏番号",
        "二次医療圏名",
        "医療機関コード",
        "医療機関名",
        "実績日",
        "報告日時",
        "確保病床",
        "即応病床",
        "入院中",
    ];
    let row = [
        "東京都",
        "13",
        "131016",
        "千代田区",
        "1301",
        "区中央部",
        "1310170043",
        "東京病院",
        "2022/01/05",
        "2022/02/01 11:32",
        "4",
        "3",
        "2",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let hostile = |i: usize| HOSTILE[i % HOSTILE.len()];
    sheet
        .write_string(0, 0, format!("病床{}", hostile(extra_header)))
        .unwrap();
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *name).unwrap();
    }
    sheet
        .write_string(
            2,
            header.len() as u16,
            format!("備考{}", hostile(extra_header + 1)),
        )
        .unwrap();
    for r in 0..6u32 {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(3 + r, c as u16, *value).unwrap();
        }
    }
    for &(r, c, text) in texts {
        let (r, c) = (u32::from(r % 8) + 2, u16::from(c % 15));
        sheet
            .write_string(r, c, format!("値{}", hostile(text)))
            .unwrap();
    }
    sheet
        .write_string(10, 0, format!("総計{}", hostile(extra_header + 2)))
        .unwrap();
    book.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_csv_importer(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds(CSV_SEEDS);
        let bytes = body(&seeds, pick, &mutations, &HOSTILE);
        check_import(&import_any(&bytes, FeedFormat::Csv, &options(name)))?;
        check_import(&import_any(&bytes, FeedFormat::Auto, &options(name)))?;
    }

    #[test]
    fn the_json_rows_importer(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds(JSON_ROWS_SEEDS);
        let hostile: Vec<&str> = HOSTILE_JSON.iter().chain(&HOSTILE).copied().collect();
        let bytes = body(&seeds, pick, &mutations, &hostile);
        check_import(&import_json(&bytes, &options(name)))?;
    }

    #[test]
    fn the_analytics_report_importer(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds(REPORT_SEEDS);
        let hostile: Vec<&str> = HOSTILE_JSON.iter().chain(&HOSTILE).copied().collect();
        // Whole documents: a report's head alone is not one.
        let seed = &seeds[pick % seeds.len()];
        let bytes = mutate(seed, &mutations, &hostile);
        check_import(&import_analytics(&bytes, &options(name)))?;
    }

    #[test]
    fn the_xlsx_importer_on_damaged_zips(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let seeds = seeds(&["tests/fixtures/xlsx/gmis-formatted.xlsx", "tests/fixtures/xlsx/no-report.xlsx"]);
        let seed = &seeds[pick % seeds.len()];
        let bytes = mutate(seed, &mutations, &HOSTILE);
        check_import(&import_xlsx(&bytes, &options(name)))?;
    }

    #[test]
    fn the_xlsx_importer_on_hostile_cells(
        texts in prop::collection::vec((any::<u8>(), any::<u8>(), any::<usize>()), 0..12),
        extra_header in any::<usize>(),
        name in any::<bool>(),
    ) {
        let bytes = workbook(&texts, extra_header);
        check_import(&import_xlsx(&bytes, &options(name)))?;
    }

    #[test]
    fn the_hospital_master_importer(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds(HOSPITAL_SEEDS);
        let bytes = body(&seeds, pick, &mutations, &HOSTILE);
        match import_hospital_master(&bytes, &options(name)) {
            Ok(import) => {
                check_text("source name", &import.source_name)?;
                for message in import.messages() {
                    check_text("message", &message)?;
                }
                for line in &import.footer {
                    check_text("footer", line)?;
                }
            }
            Err(err) => check_error(&err)?,
        }
    }

    #[test]
    fn the_municipality_master_importer(name in any::<bool>(), pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds(MUNICIPALITY_SEEDS);
        let bytes = body(&seeds, pick, &mutations, &HOSTILE);
        match import_municipality_master(&bytes, &options(name)) {
            Ok(import) => {
                check_text("source name", &import.source_name)?;
                for message in import.messages() {
                    check_text("message", &message)?;
                }
                for line in &import.footer {
                    check_text("footer", line)?;
                }
            }
            Err(err) => check_error(&err)?,
        }
    }
}

/// The checks above can fail: a message with a raw escape is caught.
#[test]
fn the_check_catches_a_raw_escape() {
    assert!(check_text("x", "a\x1b[2Jb").is_err());
    assert!(check_text("x", "a\u{9b}b").is_err());
    assert!(check_text("x", "a\u{202e}b").is_err());
    assert!(check_text("x", "一行目\n二行目").is_ok());
}

/// The values the fuzzing above found raw, each checked on its own: a code
/// field's value, the source's path, and a long header name.
#[test]
fn values_from_the_data_are_shown_neutralised_and_short() {
    let header = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";
    let long_name = format!("備考\x1b[2J{}", "長".repeat(100));
    let csv = format!(
        "{header},{long_name}\r\n東京都,\x1b]0;x\x07,131016,千代田区,1301,区中央部,1310170043,東京病院,2022/01/05,2022/02/01 11:32,abc\x1b[2J,3,2,x\r\n"
    );
    let import = import_any(csv.as_bytes(), FeedFormat::Csv, &options(true)).unwrap();
    assert_eq!(import.source_name, "/tmp/?[2J受信?.csv");
    let messages = import.messages();
    assert_eq!(
        messages[0],
        "/tmp/?[2J受信?.csv:2: 列「都道府県番号」: 都道府県番号は 01〜47 です（?]0;x?）"
    );
    assert_eq!(
        messages[1],
        "/tmp/?[2J受信?.csv:2: 列「確保病床」: 数値ではありません（abc?[2J）"
    );
    let extra = &import.report.extra_columns[0];
    assert!(extra.starts_with("備考?[2J"), "{extra}");
    let problem = bedboard::formats::RowProblem {
        line: 3,
        column: Some(extra.clone()),
        reason: "空欄です".to_string(),
    };
    let shown = problem.describe("f.csv");
    let expected = format!("f.csv:3: 列「備考?[2J{}…」: 空欄です", "長".repeat(34));
    assert_eq!(shown, expected);
}

/// Found by the fuzzing above: a sheet whose `<dimension ref="C9:A1"/>` runs
/// backwards made calamine subtract past zero (a panic where overflow is
/// checked). The workbook is gmis-formatted.xlsx with only that tag changed
/// (rewritten with Python's zipfile). It reads, or is refused, without a panic.
#[test]
fn a_sheet_dimension_that_runs_backwards_does_not_panic() {
    let bytes = read("tests/fixtures/xlsx/reversed-dimension.xlsx");
    match import_xlsx(&bytes, &options(false)) {
        Ok(import) => assert!(!import.report.rows.is_empty()),
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}

//! Export: 「詳細のみ」 CSV (Shift-JIS, UTF-8, UTF-8 with BOM) and the
//! 「フォーマット済みレポート」 .xlsx, each read back as the same rows; formula
//! injection, characters CP932 cannot hold, folders that cannot be written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use bedboard::export::csv as csv_export;
use bedboard::export::{
    export, ExportEncoding, ExportError, ExportRequest, ExportSummary, ExportView, ReportHeader,
};
use bedboard::files::WriteError;
use bedboard::formats::TotalCheck;
use bedboard::formats::{import_any, FeedFormat, Import, ImportOptions};
use bedboard::model::{
    time, AreaCode, Column, HospitalCode, JstDateTime, MunicipalityCode, PrefectureNumber, Report,
    ReportRow,
};
use bedboard::view::{Grouping, SortKey, View, ViewSpec};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use proptest::prelude::*;

// Rows: the generator shared with tests/roundtrip.rs.
mod common;
use common::{row, text};

fn grouping() -> impl Strategy<Value = Grouping> {
    prop::sample::select(vec![
        Grouping::None,
        Grouping::Prefecture,
        Grouping::Area,
        Grouping::Municipality,
    ])
}

// ---------------------------------------------------------------------------
// Helpers

fn now() -> JstDateTime {
    time::parse_datetime("2022/02/01 12:00").unwrap()
}

fn spec(group: Grouping) -> ViewSpec {
    let mut spec = ViewSpec::new(now());
    spec.group = group;
    // The fixtures share one 医療機関コード: every row is exported, not the latest only.
    spec.all_rows = true;
    spec
}

fn seed_row(name: &str) -> ReportRow {
    ReportRow {
        prefecture: "東京都".into(),
        prefecture_no: PrefectureNumber::new(13).unwrap(),
        municipality_code: MunicipalityCode::parse("131016").unwrap(),
        municipality: "千代田区".into(),
        area_code: AreaCode::parse("1301").unwrap(),
        area_name: "区中央部".into(),
        hospital_code: HospitalCode::parse("1310170043").unwrap(),
        hospital_name: name.into(),
        record_date: NaiveDate::from_ymd_opt(2022, 1, 5).unwrap(),
        reported_at: time::parse_datetime("2022/02/01 11:32").unwrap(),
        secured: Some(4),
        ready: Some(3),
        inpatients: Some(2),
        extra: Box::default(),
    }
}

fn report_of(rows: Vec<ReportRow>) -> Report {
    Report {
        extra_columns: vec![],
        rows,
    }
}

fn header(spec: &ViewSpec) -> ReportHeader {
    ReportHeader {
        fire_department: Some("東京消防庁".to_string()),
        ..ReportHeader::new(spec, Some(now()))
    }
}

/// Exports `report` as `spec` shows it.
fn run(
    report: &Report,
    spec: &ViewSpec,
    export_view: ExportView,
    encoding: ExportEncoding,
    strict: bool,
    path: &Path,
) -> Result<ExportSummary, ExportError> {
    let view = View::build(report, spec);
    let request = ExportRequest {
        report,
        view: &view,
        spec,
        export_view,
        encoding,
        strict,
        header: header(spec),
    };
    export(&request, path)
}

/// The rows as the view orders them.
fn shown(report: &Report, spec: &ViewSpec) -> Vec<ReportRow> {
    let view = View::build(report, spec);
    view.order.iter().map(|&i| report.rows[i].clone()).collect()
}

fn read_back(path: &Path) -> Import {
    let bytes = fs::read(path).unwrap();
    let options = ImportOptions {
        source_name: path.display().to_string(),
        ..Default::default()
    };
    import_any(&bytes, FeedFormat::Auto, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const EXPORTS: [(ExportView, ExportEncoding, &str); 4] = [
    (ExportView::Details, ExportEncoding::Sjis, "sjis.csv"),
    (ExportView::Details, ExportEncoding::Utf8, "utf8.csv"),
    (ExportView::Details, ExportEncoding::Utf8Bom, "utf8-bom.csv"),
    (ExportView::Formatted, ExportEncoding::Sjis, "report.xlsx"),
];

// ---------------------------------------------------------------------------
// Round trips

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn exports_read_back_as_the_same_rows(
        rows in prop::collection::vec(row(), 0..25),
        group in grouping(),
        note in prop::option::of(text(1, 10)),
    ) {
        let mut report = report_of(rows);
        if let Some(note) = &note {
            report.extra_columns = vec!["備考".to_string()];
            for row in &mut report.rows {
                row.extra = vec![note.clone()].into();
            }
        }
        let spec = spec(group);
        let expected = shown(&report, &spec);
        let dir = tempfile::tempdir().unwrap();
        for (export_view, encoding, name) in EXPORTS {
            let path = dir.path().join(name);
            let summary = run(&report, &spec, export_view, encoding, true, &path).unwrap();
            prop_assert_eq!(summary.rows, expected.len());
            prop_assert!(summary.replaced.is_empty());
            let import = read_back(&path);
            prop_assert!(import.problems.is_empty(), "{}: {:?}", name, import.problems);
            prop_assert_eq!(&import.report.extra_columns, &report.extra_columns, "{}", name);
            prop_assert_eq!(&import.report.rows, &expected, "{}", name);
            prop_assert!(
                import.total_checks.iter().all(TotalCheck::is_consistent),
                "{}: {:?}", name, import.total_checks
            );
            if export_view == ExportView::Formatted && !expected.is_empty() {
                // 小計 per group and the 総計, all recognised.
                let view = View::build(&report, &spec);
                prop_assert_eq!(import.total_checks.len(), view.groups.len() + 1, "{:?}", import.total_checks);
            }
        }
        prop_assert_eq!(files_in(dir.path()), {
            let mut names: Vec<String> = EXPORTS.iter().map(|e| e.2.to_string()).collect();
            names.sort();
            names
        });
    }
}

#[test]
fn a_details_csv_is_the_view_without_headings_or_totals() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    let report = read_back(&source).report;
    let mut spec = spec(Grouping::Area);
    spec.sort = Some(SortKey::parse("確保病床").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("details.csv");
    run(
        &report,
        &spec,
        ExportView::Details,
        ExportEncoding::Utf8,
        false,
        &path,
    )
    .unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 13, "a header and 12 rows, CRLF:\n{text}");
    assert!(!text.replace("\r\n", "").contains('\n'));
    let names: Vec<&str> = Column::GMIS.iter().map(|c| c.name()).collect();
    assert_eq!(lines[0], names.join(","));
    assert!(!text.contains("小計") && !text.contains("総計"));
    assert_eq!(read_back(&path).report.rows, shown(&report, &spec));
}

// ---------------------------------------------------------------------------
// An independent reader: Python's csv module with cp932

const PYTHON_READER: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="cp932") as f:
    json.dump(list(csv.reader(f)), sys.stdout, ensure_ascii=True)
"#;

#[test]
fn pythons_csv_module_reads_the_shift_jis_export() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: skipping the independent CSV reader");
        return;
    }
    let mut rows = vec![
        seed_row("東京都 病院9"),
        seed_row("医療法人社団　髙﨑会 ①クリニック㈱"),
        seed_row("ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ Ⅱ～※○"),
        seed_row("\"引用\",と改行\r\nのある名前"),
        seed_row("=1+1"),
        seed_row("+81 3 1234 5678"),
        seed_row("-3"),
        seed_row("@SUM(A1)"),
        seed_row("'=既に引用符"),
        seed_row("'普通の引用符"),
    ];
    rows[1].secured = None;
    rows[2].inpatients = Some(0);
    let mut report = report_of(rows);
    report.extra_columns = vec!["=備考".to_string()];
    for row in &mut report.rows {
        row.extra = vec!["-メモ".to_string()].into();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let spec = spec(Grouping::None);
    run(
        &report,
        &spec,
        ExportView::Details,
        ExportEncoding::Sjis,
        true,
        &path,
    )
    .unwrap();

    let output = Command::new("python3")
        .arg("-c")
        .arg(PYTHON_READER)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();

    // What the file holds: every field as written, formula starters behind a quote.
    let file_cell = |field: &str| csv_export::neutralize_formula(field).into_owned();
    let mut expected = vec![Column::GMIS
        .iter()
        .map(|c| c.name().to_string())
        .chain(["'=備考".to_string()])
        .collect::<Vec<_>>()];
    expected.extend(report.rows.iter().map(|row| {
        csv_export::row_fields(row)
            .iter()
            .map(|f| file_cell(f))
            .collect()
    }));
    assert_eq!(read, expected);
    let names: Vec<&str> = read[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(
        names[4..],
        [
            "'=1+1",
            "'+81 3 1234 5678",
            "'-3",
            "'@SUM(A1)",
            "''=既に引用符",
            "'普通の引用符"
        ]
    );
    // Counts are plain numbers, blank stays blank.
    assert_eq!(read[1][10..13], ["4", "3", "2"]);
    assert_eq!(read[2][10], "");
    // And bedboard reads its own file back as the rows, the line break in a name too.
    let import = read_back(&path);
    assert_eq!(import.report.rows, report.rows);
    assert_eq!(import.report.extra_columns, report.extra_columns);
}

// ---------------------------------------------------------------------------
// Formula injection

/// Names that would start a formula, and what bedboard reads back: the name, or
/// for tab and CR the name as any import makes it (blank edges trimmed).
const FORMULAS: [(&str, &str); 8] = [
    ("=1+1", "=1+1"),
    ("+81312345678", "+81312345678"),
    ("-3", "-3"),
    ("@SUM(A1)", "@SUM(A1)"),
    ("\t=1+1", "=1+1"),
    ("\r=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")"),
    ("'=1+1", "'=1+1"),
    ("''", "''"),
];

fn formula_report() -> Report {
    let mut report = report_of(FORMULAS.iter().map(|(name, _)| seed_row(name)).collect());
    report.rows[0].municipality = "=千代田区".into();
    report
}

#[test]
fn formulas_are_neutralised_in_the_csv_and_read_back_as_written() {
    let report = formula_report();
    let dir = tempfile::tempdir().unwrap();
    for encoding in [
        ExportEncoding::Sjis,
        ExportEncoding::Utf8,
        ExportEncoding::Utf8Bom,
    ] {
        let path = dir.path().join(format!("{encoding:?}.csv"));
        run(
            &report,
            &spec(Grouping::None),
            ExportView::Details,
            encoding,
            true,
            &path,
        )
        .unwrap();
        let bytes = fs::read(&path).unwrap();
        let text = encoding_rs::SHIFT_JIS.decode(&bytes).0;
        let text = if encoding == ExportEncoding::Sjis {
            text.into_owned()
        } else {
            String::from_utf8(bytes).unwrap()
        };
        for cell in [
            ",'=1+1,",
            ",'+81312345678,",
            ",'-3,",
            ",'@SUM(A1),",
            ",'\t=1+1,",
            ",\"'\r=HYPERLINK(\"\"http://x\"\")\",",
            ",''=1+1,",
            ",''',",
            ",'=千代田区,",
        ] {
            assert!(text.contains(cell), "{encoding:?}: no {cell:?} in\n{text}");
        }
        // No line starts a formula either; the counts are numbers.
        for line in text.split("\r\n") {
            assert!(!line.starts_with(['=', '+', '-', '@']), "{line}");
        }
        assert!(text.contains(",4,3,2\r\n"));
        let rows = read_back(&path).report.rows;
        let names: Vec<&str> = rows.iter().map(|r| &*r.hospital_name).collect();
        let expected: Vec<&str> = FORMULAS.iter().map(|(_, back)| *back).collect();
        assert_eq!(names, expected, "{encoding:?}");
        assert_eq!(&*rows[0].municipality, "=千代田区");
    }
}

#[test]
fn formulas_are_strings_in_the_workbook_and_read_back_as_written() {
    let report = formula_report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let spec = spec(Grouping::Municipality);
    run(
        &report,
        &spec,
        ExportView::Formatted,
        ExportEncoding::Sjis,
        true,
        &path,
    )
    .unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let formulas = workbook.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let cells = workbook.worksheet_range(&sheet).unwrap();
    let strings: Vec<&str> = cells
        .used_cells()
        .filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    for name in ["=1+1", "+81312345678", "-3", "@SUM(A1)", "'=1+1"] {
        assert!(strings.contains(&name), "{name} is a string cell");
    }
    // The group heading takes its label from the group's first row.
    assert!(strings.contains(&"=千代田区 (8)"), "{strings:?}");
    let rows = read_back(&path).report.rows;
    let mut names: Vec<&str> = rows.iter().map(|r| &*r.hospital_name).collect();
    let mut expected: Vec<&str> = FORMULAS.iter().map(|(_, back)| *back).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    // The formula starters carry Excel's quote prefix, so an edit keeps them text.
    let styles = unzip_entry(&path, "xl/styles.xml");
    assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
}

/// One file of the workbook's zip, as text.
fn unzip_entry(path: &Path, entry: &str) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg("import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())")
        .arg(path)
        .arg(entry)
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        // No python3: nothing to look into; the other checks still ran.
        _ => "quotePrefix=\"1\"".to_string(),
    }
}

// ---------------------------------------------------------------------------
// Characters Shift-JIS cannot hold

fn unmappable_report() -> Report {
    let mut report = report_of(vec![
        seed_row("東京都 病院1"),
        seed_row("𠮷野家記念病院"),
        seed_row("病院🏥"),
        seed_row("東京都 病院4"),
    ]);
    report.extra_columns = vec!["備考😀".to_string()];
    for row in &mut report.rows {
        row.extra = vec![String::new()].into();
    }
    report
}

#[test]
fn characters_shift_jis_cannot_hold_become_geta_and_are_reported() {
    let report = unmappable_report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sjis.csv");
    let summary = run(
        &report,
        &spec(Grouping::None),
        ExportView::Details,
        ExportEncoding::Sjis,
        false,
        &path,
    )
    .unwrap();
    assert_eq!(summary.rows, 4);
    // Lines of the file: the header is line 1.
    assert_eq!(summary.replaced, [(1, '😀'), (3, '𠮷'), (4, '🏥')]);
    let warning = summary.warning().unwrap();
    assert_eq!(
        warning,
        "Shift-JIS で表せない文字 3 か所を 〓 に置き換えました（1 行目「😀」、3 行目「𠮷」、4 行目「🏥」）"
    );
    assert!(summary.message().ends_with("に 4 行を書き出しました"));
    let import = read_back(&path);
    let names: Vec<&str> = import
        .report
        .rows
        .iter()
        .map(|r| &*r.hospital_name)
        .collect();
    assert_eq!(
        names,
        ["東京都 病院1", "〓野家記念病院", "病院〓", "東京都 病院4"]
    );
    assert_eq!(import.report.extra_columns, ["備考〓"]);

    // UTF-8 and the workbook hold them.
    for (export_view, encoding, name) in &EXPORTS[1..] {
        let path = dir.path().join(name);
        let summary = run(
            &report,
            &spec(Grouping::None),
            *export_view,
            *encoding,
            true,
            &path,
        )
        .unwrap();
        assert!(summary.replaced.is_empty());
        assert_eq!(read_back(&path).report.rows, report.rows, "{name}");
    }
}

#[test]
fn strict_writes_nothing_when_shift_jis_cannot_hold_a_character() {
    let report = unmappable_report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strict.csv");
    let err = run(
        &report,
        &spec(Grouping::None),
        ExportView::Details,
        ExportEncoding::Sjis,
        true,
        &path,
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::Unmappable { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Shift-JIS で表せない文字が 3 か所にあります（1 行目「😀」、3 行目「𠮷」、4 行目「🏥」）。--strict のため書き出していません"
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );

    // An old export under that name is left as it was.
    fs::write(&path, "old").unwrap();
    run(
        &report,
        &spec(Grouping::None),
        ExportView::Details,
        ExportEncoding::Sjis,
        true,
        &path,
    )
    .unwrap_err();
    assert_eq!(fs::read_to_string(&path).unwrap(), "old");
    assert_eq!(files_in(dir.path()), ["strict.csv"]);
}

// ---------------------------------------------------------------------------
// Folders that cannot be written

fn try_export(path: &Path) -> Result<ExportSummary, ExportError> {
    let report = report_of(vec![seed_row("東京都 病院9")]);
    run(
        &report,
        &spec(Grouping::None),
        ExportView::Details,
        ExportEncoding::Sjis,
        false,
        path,
    )
}

#[test]
fn a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("なし");
    let err = try_export(&folder.join("a.csv")).unwrap_err();
    assert!(
        matches!(err, ExportError::Write(WriteError::FolderMissing { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("フォルダ {} がありません", folder.display())
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_file_where_the_folder_should_be_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("memo.txt");
    fs::write(&file, "x").unwrap();
    let err = try_export(&file.join("a.csv")).unwrap_err();
    assert!(
        matches!(err, ExportError::Write(WriteError::NotAFolder { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("フォルダではありません"), "{err}");
    let err = try_export(&file.join("sub/a.csv")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} はフォルダではありません（ファイルです）",
            file.display()
        )
    );
    assert_eq!(files_in(dir.path()), ["memo.txt"]);
}

#[test]
fn a_folder_as_the_file_name_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("exports");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("keep.csv"), "x").unwrap();
    // The temporary file is written, then the rename over a folder fails.
    let err = try_export(&target).unwrap_err();
    assert!(
        matches!(err, ExportError::Write(WriteError::IsAFolder { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("ファイル名を指定してください"));
    assert_eq!(files_in(dir.path()), ["exports"]);
    assert_eq!(files_in(&target), ["keep.csv"]);
}

/// A folder that not even root can write to: immutable (`chattr +i`), undone on drop.
struct Immutable(PathBuf);

impl Immutable {
    fn new(path: &Path) -> Option<Self> {
        fs::create_dir(path).unwrap();
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_folder_gives_a_clear_error_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("読み取り専用");
    match Immutable::new(&folder) {
        Some(_guard) => {
            let err = try_export(&folder.join("a.csv")).unwrap_err();
            assert!(
                matches!(err, ExportError::Write(WriteError::ReadOnly { .. })),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("{} に書き込めません（読み取り専用です）", folder.display())
            );
            assert!(files_in(&folder).is_empty());
        }
        None => eprintln!("chattr +i is not available here: checking /sys only"),
    }
    // sysfs: root may not make files there either.
    if Path::new("/sys/kernel").is_dir() {
        let err = try_export(Path::new("/sys/kernel/bedboard-export.csv")).unwrap_err();
        assert!(err.to_string().contains("書き込めません"), "{err}");
        assert!(!Path::new("/sys/kernel/bedboard-export.csv").exists());
    }
    // procfs holds no files of ours.
    if Path::new("/proc/self").is_dir() {
        let err = try_export(Path::new("/proc/bedboard-export.csv")).unwrap_err();
        assert!(
            !matches!(err, ExportError::Write(WriteError::FolderMissing { .. })),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("/proc/bedboard-export.csv"),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------
// The formatted report of the seed sample

#[test]
fn the_seed_samples_formatted_report_reads_back_with_its_totals() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    let report = read_back(&source).report;
    let spec = spec(Grouping::Prefecture);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.xlsx");
    let summary = run(
        &report,
        &spec,
        ExportView::Formatted,
        ExportEncoding::Sjis,
        true,
        &path,
    )
    .unwrap();
    assert_eq!(summary.rows, 12);

    // The layout: title lines, the header row, the group, 小計 and 総計.
    let mut workbook: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(workbook.sheet_names(), ["病床数(消防)"]);
    let cells = workbook.worksheet_range("病床数(消防)").unwrap();
    let first_column: Vec<String> = cells
        .rows()
        .map(|r| r.first().map(|c| c.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(first_column[0], "病床数(消防)");
    assert_eq!(first_column[1], "消防本部: 東京消防庁");
    let newest = report.rows.iter().map(|r| r.reported_at).max().unwrap();
    assert_eq!(
        first_column[2],
        format!(
            "データの時刻: {}（最新の報告日時）",
            time::format_datetime(&newest)
        )
    );
    assert_eq!(first_column[3], "取得日時: 2022/02/01 12:00");
    assert!(first_column[4].starts_with("レコード数 12  合計 確保病床 30  即応病床 24  入院中 18"));
    assert!(first_column.contains(&"グループ: 都道府県".to_string()));
    let header = first_column.iter().position(|c| c == "都道府県").unwrap();
    assert_eq!(
        first_column[header - 1],
        "",
        "a blank line above the header"
    );
    assert_eq!(first_column[header + 1], "東京都 (12)");
    assert_eq!(first_column[header + 14], "小計（12 件）");
    assert_eq!(first_column[header + 15], "総計（12 件）");
    let header_cells: Vec<String> = cells
        .rows()
        .nth(header)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut names: Vec<String> = Column::GMIS.iter().map(|c| c.name().to_string()).collect();
    names.push("空床".to_string());
    assert_eq!(header_cells, names);
    // Numbers are numbers, codes are text, dates are dates.
    let first = cells.rows().nth(header + 2).unwrap();
    assert!(matches!(&first[6], Data::String(code) if code.len() == 10));
    assert!(matches!(&first[1], Data::String(no) if no == "13"));
    assert!(
        matches!(&first[9], Data::DateTime(at) if at.to_ymd_hms_milli() == (2022, 2, 1, 11, 32, 0, 0))
    );
    assert!(matches!(first[10], Data::Float(_)));
    let total = cells.rows().nth(header + 15).unwrap();
    assert_eq!(total[10], Data::Float(30.0));
    assert_eq!(total[11], Data::Float(24.0));
    assert_eq!(total[12], Data::Float(18.0));
    assert_eq!(total[13], Data::Float(6.0), "空床 24 - 18");

    // Read back: the rows, and 小計 and 総計 recognised and consistent.
    let import = read_back(&path);
    assert_eq!(import.report.rows, shown(&report, &spec));
    assert!(import.messages().is_empty(), "{:?}", import.messages());
    let sums = vec![
        (Column::Secured, 30, 30),
        (Column::Ready, 24, 24),
        (Column::Inpatients, 18, 18),
    ];
    let expected = [
        TotalCheck {
            line: first_column.len() as u64 - 1,
            compared: sums.clone(),
            name: Some("小計「東京都」".to_string()),
            records: Some((12, 12)),
        },
        TotalCheck {
            line: first_column.len() as u64,
            compared: sums,
            name: Some("総計".to_string()),
            records: Some((12, 12)),
        },
    ];
    assert_eq!(import.total_checks, expected);
}

// ---------------------------------------------------------------------------
// Workbooks in G-MIS's own layout

/// The seed's report as G-MIS lays out its formatted export: title lines, the
/// group's label in the first column of its first row and that column blank
/// after it, typed numbers and dates, codes Excel typed as numbers, 小計 and 総計.
/// A second group, 北海道, has codes whose leading zero Excel dropped.
fn gmis_workbook(subtotal_secured: f64) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let seed = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv"))
        .unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&seed);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("病床数(消防)").unwrap();
    let date = Format::new().set_num_format("yyyy/mm/dd");
    let datetime = Format::new().set_num_format("yyyy/mm/dd hh:mm");
    sheet.write_string(0, 0, "病床数(消防)").unwrap();
    sheet
        .write_string(1, 0, "レポート: 医療機関公開情報デフォルトレポートタイプ")
        .unwrap();
    sheet.write_string(2, 0, "合計レコード数 13").unwrap();
    let header_row = 4;
    for (c, column) in Column::GMIS.iter().enumerate() {
        sheet
            .write_string(header_row, c as u16, column.name())
            .unwrap();
    }
    let mut r = header_row + 1;
    let write_row = |sheet: &mut rust_xlsxwriter::Worksheet,
                     r: u32,
                     fields: &[&str],
                     first: &str| {
        if !first.is_empty() {
            sheet.write_string(r, 0, first).unwrap();
        }
        for (c, field) in fields.iter().enumerate().skip(1) {
            let c = c as u16;
            match c {
                1 | 2 | 4 | 6 | 10..=12 if !field.is_empty() => {
                    sheet
                        .write_number(r, c, field.parse::<f64>().unwrap())
                        .unwrap();
                }
                8 => {
                    let at = ExcelDateTime::parse_from_str(&field.replace('/', "-")).unwrap();
                    sheet.write_datetime_with_format(r, c, &at, &date).unwrap();
                }
                9 => {
                    let at =
                        ExcelDateTime::parse_from_str(&format!("{}:00", field.replace('/', "-")))
                            .unwrap();
                    sheet
                        .write_datetime_with_format(r, c, &at, &datetime)
                        .unwrap();
                }
                _ => {
                    sheet.write_string(r, c, *field).unwrap();
                }
            }
        }
    };
    let lines: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
    for (i, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let first = if i == 0 { "東京都 (12)" } else { "" };
        write_row(sheet, r, &fields, first);
        r += 1;
    }
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(r, 0, "小計", &bold).unwrap();
    sheet.write_number(r, 10, subtotal_secured).unwrap();
    sheet.write_number(r, 11, 24).unwrap();
    sheet.write_number(r, 12, 18).unwrap();
    r += 1;
    let hokkaido = [
        "北海道",
        "1",
        "11002",
        "札幌市",
        "0104",
        "札幌",
        "110110012",
        "北海道 病院1",
        "2022/01/05",
        "2022/02/01 11:40",
        "5",
        "3",
        "",
    ];
    write_row(sheet, r, &hokkaido, "北海道 (1)");
    r += 1;
    sheet.write_string_with_format(r, 0, "小計", &bold).unwrap();
    sheet.write_number(r, 10, 5).unwrap();
    sheet.write_number(r, 11, 3).unwrap();
    r += 1;
    sheet.write_string_with_format(r, 0, "総計", &bold).unwrap();
    sheet.write_number(r, 10, 35).unwrap();
    sheet.write_number(r, 11, 27).unwrap();
    sheet.write_number(r, 12, 18).unwrap();
    r += 2;
    sheet
        .write_string(r, 0, "Copyright (c) 2022 厚生労働省")
        .unwrap();
    workbook.save_to_buffer().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xlsx")
        .join(name)
}

/// Writes the workbooks of tests/fixtures/xlsx again:
/// `cargo test --test export -- --ignored regenerate`. (`not-a-workbook.xlsx` is a
/// zip of one text file, made with Python's zipfile.)
#[test]
#[ignore]
fn regenerate_xlsx_fixtures() {
    fs::create_dir_all(fixture("")).unwrap();
    let gmis = gmis_workbook(30.0);
    fs::write(fixture("gmis-formatted.xlsx"), &gmis).unwrap();
    fs::write(fixture("truncated.xlsx"), &gmis[..gmis.len() / 2]).unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in ["氏名", "電話", "住所", "備考", "病床"].iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
        sheet.write_string(1, c as u16, "x").unwrap();
    }
    fs::write(
        fixture("no-report.xlsx"),
        workbook.save_to_buffer().unwrap(),
    )
    .unwrap();
}

#[test]
fn a_workbook_in_gmis_layout_reads_with_its_groups_and_totals() {
    let path = fixture("gmis-formatted.xlsx");
    let import = read_back(&path);
    assert!(import.problems.is_empty(), "{:?}", import.problems);
    let rows = &import.report.rows;
    assert_eq!(rows.len(), 13);
    assert!(rows.iter().take(12).all(|r| &*r.prefecture == "東京都"));
    assert_eq!(rows[0].hospital_code.as_str(), "1310170018");
    assert_eq!(
        rows[0].record_date,
        NaiveDate::from_ymd_opt(2022, 1, 5).unwrap()
    );
    assert_eq!(
        time::format_datetime(&rows[0].reported_at),
        "2022/02/01 11:32"
    );
    assert_eq!(rows[0].ready, Some(2));
    // The seed's rows, as its CSV gives them.
    let seed =
        read_back(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv"));
    assert_eq!(rows[..12], seed.report.rows[..]);
    // Codes Excel typed as numbers get their leading zero back, and that is said.
    let hokkaido = &rows[12];
    assert_eq!(&*hokkaido.prefecture, "北海道");
    assert_eq!(hokkaido.prefecture_no.get(), 1);
    assert_eq!(hokkaido.municipality_code.as_str(), "011002");
    assert_eq!(hokkaido.area_code.as_str(), "0104");
    assert_eq!(hokkaido.hospital_code.as_str(), "0110110012");
    assert_eq!(hokkaido.inpatients, None, "blank is not 0");
    let notes = import.notes.join("\n");
    for column in ["都道府県番号", "全国地方公共団体コード", "医療機関コード"]
    {
        assert!(notes.contains(&format!("列「{column}」")), "{notes}");
    }
    assert!(notes.contains("先頭に 0 を補いました"), "{notes}");
    // 小計 per group and the 総計, consistent; the copyright line is footer.
    let names: Vec<&str> = import
        .total_checks
        .iter()
        .map(|c| c.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["小計「東京都」", "小計「北海道」", "総計"]);
    assert!(
        import.total_checks.iter().all(TotalCheck::is_consistent),
        "{:?}",
        import.total_checks
    );
    assert_eq!(import.total_checks[0].records, Some((12, 12)));
    assert_eq!(import.footer, ["Copyright (c) 2022 厚生労働省"]);
}

#[test]
fn a_subtotal_that_disagrees_is_reported() {
    let bytes = gmis_workbook(31.0);
    let options = ImportOptions {
        source_name: "gmis.xlsx".to_string(),
        ..Default::default()
    };
    let import = import_any(&bytes, FeedFormat::Auto, &options).unwrap();
    assert_eq!(import.report.rows.len(), 13, "the rows are still taken");
    let messages = import.messages().join("\n");
    assert!(
        messages
            .contains("gmis.xlsx:18: 小計「東京都」の確保病床 31 が明細行の合計 30 と一致しません"),
        "{messages}"
    );
}

#[test]
fn zips_that_are_not_workbooks_get_one_clear_error() {
    for (name, expected) in [
        (
            "not-a-workbook.xlsx",
            "Excel のブックではない ZIP ファイルです",
        ),
        ("truncated.xlsx", "Excel ファイル（.xlsx）として読めません"),
        ("no-report.xlsx", "G-MIS のレポートではありません"),
    ] {
        let path = fixture(name);
        let bytes = fs::read(&path).unwrap();
        let options = ImportOptions {
            source_name: name.to_string(),
            ..Default::default()
        };
        let err = import_any(&bytes, FeedFormat::Auto, &options).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(message.starts_with(name), "{name}: {message}");
    }
    // The zip-shaped junk the CSV importer already refused.
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake.xlsx");
    let err = import_any(
        &fs::read(fake).unwrap(),
        FeedFormat::Auto,
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("Excel ファイル"), "{err}");
}

#[test]
fn a_cell_too_long_for_excel_is_named_by_its_row_and_column() {
    let long = "長".repeat(32_768);
    let report = report_of(vec![seed_row("短い病院"), seed_row(&long)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let spec = spec(Grouping::None);
    let err = run(
        &report,
        &spec,
        ExportView::Formatted,
        ExportEncoding::Sjis,
        false,
        &path,
    )
    .unwrap_err();
    let message = err.to_string();
    // The sheet row of the long name, below the title lines and the header.
    assert!(
        message.contains("列「医療機関名」の値が 32,767 文字を超えています"),
        "{message}"
    );
    let row: u32 = message
        .split(" 行目")
        .next()
        .and_then(|head| head.rsplit('（').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row in {message}"));
    assert!(row > 2, "{message}");
    assert!(!path.exists());
}

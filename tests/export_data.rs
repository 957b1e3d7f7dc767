//! Exports carry the data as it was: only what the file cannot hold is
//! changed, and each change is reported by its line in the written file. CSVs
//! are read back with Python's csv module in cp932, workbooks with calamine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};

const HEADER: &str = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";

/// Row 1: ESC and BEL inside, a line break; row 2: 葛 with a variation
/// selector, a ZWJ and an emoji selector; row 3: a tab, and a formula.
fn awkward_source(dir: &Path) -> PathBuf {
    let rows = [
        "東京都,13,131016,千代田区,1301,区中央部,1310170001,\"東京\x1b[31m\x07\n第一病院\",2022/01/05,2022/02/01 11:32,4,3,2",
        "東京都,13,131016,千代田区,1301,区中央部,1310170002,葛\u{E0100}飾\u{200D}病院\u{FE0F},2022/01/05,2022/02/01 11:40,4,3,2",
        "東京都,13,131016,千代田区,1301,区中央部,1310170003,\"=1+2\t病院\",2022/01/05,2022/02/01 11:45,4,3,2",
    ];
    let path = dir.join("awkward.csv");
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

fn bedboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .args(args)
        .env_remove("NO_COLOR")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("the binary runs")
}

fn export(source: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "export",
        "--source",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    bedboard(&args)
}

/// The CSV's records as Python's csv module reads them, or none without python3.
fn python_csv(path: &Path, encoding: &str) -> Option<Vec<Vec<String>>> {
    let script = format!(
        "import csv, json, sys\n\
         with open(sys.argv[1], encoding='{encoding}', newline='') as f:\n\
         \x20   print(json.dumps(list(csv.reader(f))))"
    );
    let out = match Command::new("python3")
        .args(["-c", &script, path.to_str().unwrap()])
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            eprintln!(
                "python3 is not installed: the CSV is not read back with Python's csv module"
            );
            return None;
        }
    };
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn a_shift_jis_csv_keeps_line_breaks_drops_controls_and_selectors_and_names_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let source = awkward_source(dir.path());
    let out = dir.path().join("out.csv");
    let run = export(&source, &out, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Line 1 is the header, row 1 spans lines 2 and 3 (its line break), row 2 is line 4.
    assert!(
        stderr.contains(
            "ファイルに入れられない文字 5 か所を除きました（2 行目「U+001B」、2 行目「U+0007」、4 行目「U+E0100」、4 行目「U+200D」、4 行目「U+FE0F」）"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{E0100}') && !stderr.contains('\x1b'),
        "{stderr}"
    );
    assert!(!stderr.contains('〓'), "nothing became 〓: {stderr}");

    let bytes = std::fs::read(&out).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    let lines: Vec<&str> = text.split("\r\n").flat_map(|l| l.split('\n')).collect();
    assert!(
        lines[3].starts_with("葛飾病院,") || lines[3].contains(",葛飾病院,"),
        "{lines:?}"
    );

    let Some(records) = python_csv(&out, "cp932") else {
        return;
    };
    assert_eq!(records.len(), 4, "{records:?}");
    assert_eq!(
        records[1][7], "東京[31m\n第一病院",
        "line break kept, ESC and BEL dropped"
    );
    assert_eq!(records[2][7], "葛飾病院");
    assert_eq!(
        records[3][7], "'=1+2\t病院",
        "the formula stays neutralised, the tab kept"
    );
}

#[test]
fn a_utf8_csv_keeps_the_selectors_and_drops_only_controls() {
    let dir = tempfile::tempdir().unwrap();
    let source = awkward_source(dir.path());
    let out = dir.path().join("out.csv");
    let run = export(&source, &out, &["--encoding", "utf8"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "ファイルに入れられない文字 2 か所を除きました（2 行目「U+001B」、2 行目「U+0007」）"
        ),
        "{stderr}"
    );
    let Some(records) = python_csv(&out, "utf-8") else {
        return;
    };
    assert_eq!(records[1][7], "東京[31m\n第一病院");
    assert_eq!(records[2][7], "葛\u{E0100}飾\u{200D}病院\u{FE0F}");
}

#[test]
fn the_format_follows_the_file_name_and_a_contradiction_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = awkward_source(dir.path());
    let out = dir.path().join("x.xlsx");
    let run = export(&source, &out, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        std::fs::read(&out).unwrap().starts_with(b"PK"),
        "a workbook, not a CSV"
    );
    let workbook: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(workbook.sheet_names(), ["病床数(消防)"]);

    let wrong = dir.path().join("y.xlsx");
    let run = export(&source, &wrong, &["--view", "details"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("「詳細のみ」は .csv で書き出します。") && stderr.contains("y.xlsx"),
        "{stderr}"
    );
    assert!(!wrong.exists());
    let wrong = dir.path().join("z.csv");
    assert_eq!(
        export(&source, &wrong, &["--view", "formatted"])
            .status
            .code(),
        Some(2)
    );
    assert!(!wrong.exists());
    // Another extension takes the view asked for, or 詳細のみ.
    let other = dir.path().join("report.txt");
    assert!(export(&source, &other, &[]).status.success());
    assert!(!std::fs::read(&other).unwrap().starts_with(b"PK"));
}

/// A part of the .xlsx (a zip) as text, read by Python's zipfile.
fn xlsx_part(path: &Path, part: &str) -> Option<String> {
    let script =
        "import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())";
    match Command::new("python3")
        .args(["-c", script, path.to_str().unwrap(), part])
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8(out.stdout).unwrap()),
        Ok(out) => panic!("python3: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            eprintln!("python3 is not installed: the page setup is not read");
            None
        }
    }
}

#[test]
fn the_workbook_has_real_dates_wrapped_names_a4_pages_and_page_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let source = awkward_source(dir.path());
    let out = dir.path().join("report.xlsx");
    let run = export(
        &source,
        &out,
        &["--view", "formatted", "--now", "2022/02/02 09:00"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("ファイルに入れられない文字 2 か所を除きました"),
        "{stderr}"
    );

    let mut workbook: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let cells = workbook.worksheet_range("病床数(消防)").unwrap();
    let rows: Vec<&[Data]> = cells.rows().collect();
    let first_column: Vec<String> = rows
        .iter()
        .map(|r| r.first().map(|c| c.to_string()).unwrap_or_default())
        .collect();
    // The data's time is its newest 報告日時, not the export's.
    assert_eq!(
        first_column[1],
        "データの時刻: 2022/02/01 11:45（最新の報告日時）"
    );
    assert!(first_column.contains(&"出力日時: 2022/02/02 09:00".to_string()));
    let header = first_column.iter().position(|c| c == "都道府県").unwrap();
    let first = rows[header + 1];
    match (&first[8], &first[9]) {
        (Data::DateTime(day), Data::DateTime(at)) => {
            assert_eq!(day.to_ymd_hms_milli(), (2022, 1, 5, 0, 0, 0, 0));
            assert_eq!(at.to_ymd_hms_milli(), (2022, 2, 1, 11, 32, 0, 0));
        }
        other => panic!("dates are dates: {other:?}"),
    }
    assert_eq!(first[7], Data::String("東京[31m\n第一病院".to_string()));
    assert_eq!(
        rows[header + 2][7],
        Data::String("葛\u{E0100}飾\u{200D}病院\u{FE0F}".to_string())
    );

    // Read back through the importer: the same names and times.
    let import = bedboard::formats::import_file(&out, &Default::default()).unwrap();
    assert_eq!(&*import.report.rows[0].hospital_name, "東京[31m\n第一病院");
    assert_eq!(
        bedboard::model::time::format_datetime(&import.report.rows[2].reported_at),
        "2022/02/01 11:45"
    );

    let Some(sheet) = xlsx_part(&out, "xl/worksheets/sheet1.xml") else {
        return;
    };
    assert!(sheet.contains("paperSize=\"9\""), "A4: {sheet}");
    assert!(
        sheet.contains("<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"),
        "{sheet}"
    );
    let styles = xlsx_part(&out, "xl/styles.xml").unwrap();
    assert!(styles.contains("wrapText=\"1\""), "{styles}");
    assert!(styles.contains("formatCode=\"yyyy/mm/dd\""), "{styles}");
    assert!(
        styles.contains("formatCode=\"yyyy/mm/dd hh:mm\""),
        "{styles}"
    );
}

mod dialog {
    use std::path::Path;

    use bedboard::cli::effects::Effects;
    use bedboard::formats::{self, ImportOptions};
    use bedboard::model::time::parse_datetime;
    use bedboard::text::width::AmbiguousWidth;
    use bedboard::ui::app::{App, DisplayOptions, Effect};
    use bedboard::ui::keymap::Mode;
    use bedboard::ui::theme::ThemeKind;
    use bedboard::view::ViewSpec;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn seed(folder: &Path) -> App {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
        let import = formats::import_file(&path, &ImportOptions::default()).unwrap();
        let options = DisplayOptions {
            ambiguous: AmbiguousWidth::Narrow,
            ascii: false,
            theme: ThemeKind::Mono,
        };
        let spec = ViewSpec::new(parse_datetime("2022/02/01 12:00").unwrap());
        let mut app = App::new(import.report, "seed".to_string(), false, options, spec);
        app.export_folder = folder.to_path_buf();
        app
    }

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        match app
            .keys
            .action(KeyEvent::new(code, KeyModifiers::NONE), app.mode)
        {
            Some(action) => app.update(action),
            None => Vec::new(),
        }
    }

    /// Does the effects as the dashboard does and gives the app their answers.
    fn settle(app: &mut App, effects: Vec<Effect>) {
        let (reply, mut replies) = tokio::sync::mpsc::unbounded_channel();
        for effect in effects {
            Effects::default().perform(effect, &reply);
        }
        while let Ok(msg) = replies.try_recv() {
            assert!(app.on_message(msg).is_empty());
        }
    }

    #[test]
    fn a_proposed_name_never_overwrites_and_a_typed_one_asks_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = seed(dir.path());
        key(&mut app, KeyCode::Char('e'));
        let proposed = app.export_dialog.as_ref().unwrap().path();
        std::fs::write(&proposed, "an earlier export").unwrap();
        let effects = key(&mut app, KeyCode::Enter);
        settle(&mut app, effects);
        assert_eq!(std::fs::read(&proposed).unwrap(), b"an earlier export");
        let stem = proposed.file_stem().unwrap().to_str().unwrap();
        let second = dir.path().join(format!("{stem}-2.csv"));
        assert!(second.exists(), "written beside it under a free name");
        let written = formats::import_file(&second, &ImportOptions::default()).unwrap();
        assert_eq!(written.report.rows.len(), 12);

        // A typed name that is taken: asked, then replaced on a second Enter.
        let mine = dir.path().join("mine.csv");
        std::fs::write(&mine, "keep me").unwrap();
        key(&mut app, KeyCode::Char('e'));
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        for _ in 0..300 {
            key(&mut app, KeyCode::Backspace);
        }
        for c in mine.display().to_string().chars() {
            key(&mut app, KeyCode::Char(c));
        }
        let effects = key(&mut app, KeyCode::Enter);
        settle(&mut app, effects);
        assert_eq!(app.mode, Mode::Export);
        let error = app.export_dialog.as_ref().unwrap().error.clone().unwrap();
        assert!(
            error.contains("は既にあります。上書きするなら Enter"),
            "{error}"
        );
        assert_eq!(std::fs::read(&mine).unwrap(), b"keep me");
        let effects = key(&mut app, KeyCode::Enter);
        settle(&mut app, effects);
        assert_eq!(app.mode, Mode::Table);
        let replaced = formats::import_file(&mine, &ImportOptions::default()).unwrap();
        assert_eq!(replaced.report.rows.len(), 12);

        // A name that contradicts the view is refused in the dialog.
        key(&mut app, KeyCode::Char('e'));
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        for _ in 0..300 {
            key(&mut app, KeyCode::Backspace);
        }
        for c in "x.xlsx".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        assert!(key(&mut app, KeyCode::Enter).is_empty());
        let error = app.export_dialog.as_ref().unwrap().error.clone().unwrap();
        assert!(
            error.contains("「詳細のみ」は .csv で書き出します"),
            "{error}"
        );
    }
}

/// The data keeps its controls for the export; the screen shows them neutralised.
#[test]
fn the_dashboard_shows_kept_controls_neutralised() {
    use bedboard::ui::app::{App, DisplayOptions};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    let dir = tempfile::tempdir().unwrap();
    let import =
        bedboard::formats::import_file(&awkward_source(dir.path()), &Default::default()).unwrap();
    assert_eq!(
        &*import.report.rows[0].hospital_name,
        "東京\x1b[31m\x07\n第一病院"
    );
    let options = DisplayOptions {
        ambiguous: bedboard::text::width::AmbiguousWidth::Narrow,
        ascii: false,
        theme: bedboard::ui::theme::ThemeKind::Mono,
    };
    let now = bedboard::model::time::parse_datetime("2022/02/01 12:00").unwrap();
    let spec = bedboard::view::ViewSpec::new(now);
    let mut app = App::new(import.report, "awkward".to_string(), false, options, spec);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    terminal
        .draw(|frame| bedboard::ui::draw::draw(frame, &mut app))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let text: String = (0..50)
        .map(|y| bedboard::ui::painter::row_text(&buffer, y))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("東京?[31m? 第一"), "{text}");
    assert!(
        buffer
            .content()
            .iter()
            .all(|cell| !cell.symbol().chars().any(char::is_control)),
        "no control character reaches a cell"
    );
}

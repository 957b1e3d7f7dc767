//! One row per hospital: a report holding three days for each of 12 hospitals
//! shows 12 rows with the latest day's totals in `print`, `export` and the
//! dashboard; `--all-rows` and the `4` key show every row again.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions};
use bedboard::ui::draw;
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const HEADER: &str = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";
const NOW: &str = "2022/01/06 09:00";
const NOTE: &str = "過去の報告 24 件を除外（病院ごとに最新のみ）";
/// The latest day (2022/01/05): 確保 10, 即応 5, 入院中 3 in each of 12 hospitals.
const LATEST_TOTALS: &str = "レコード数 12  合計 確保病床 120  即応病床 60  入院中 36  空床 24";
/// All three days: 即応 3 + 4 + 5, 入院中 1 + 2 + 3 per hospital.
const ALL_TOTALS: &str = "レコード数 36  合計 確保病床 360  即応病床 144  入院中 72  空床 72";
/// The same on the dashboard, whose header names each total without 「合計」.
const LATEST_ON_SCREEN: &str = "レコード数 12  確保病床 120  即応病床 60  入院中 36  空床 24";
const ALL_ON_SCREEN: &str = "レコード数 36  確保病床 360  即応病床 144  入院中 72  空床 72";

/// Three days for each of 12 hospitals, the days of one hospital apart and
/// the newest day not last, as G-MIS's date-range export lists them.
fn three_day_report(dir: &Path) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for day in [4u32, 5, 3] {
        for h in 1..=12 {
            text.push_str(&format!(
                "東京都,13,131016,千代田区,1301,区中央部,13101700{h:02},病院{h},2022/01/{day:02},2022/01/{day:02} 10:00,10,{},{}\n",
                day,
                day - 2
            ));
        }
    }
    let path = dir.join("three-days.csv");
    std::fs::write(&path, text).unwrap();
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

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn print_shows_each_hospital_once_with_its_latest_day() {
    let dir = tempfile::tempdir().unwrap();
    let source = three_day_report(dir.path());
    let source = source.to_str().unwrap();
    let text = succeeded(&bedboard(&["print", "--source", source, "--now", NOW]));
    assert!(text.contains(LATEST_TOTALS), "{text}");
    assert!(text.contains(NOTE), "{text}");
    assert_eq!(text.matches("2022/01/05 10:00").count(), 12, "{text}");
    assert!(
        !text.contains("2022/01/04") && !text.contains("2022/01/03"),
        "{text}"
    );

    let all = succeeded(&bedboard(&[
        "print",
        "--source",
        source,
        "--now",
        NOW,
        "--all-rows",
    ]));
    assert!(all.contains(ALL_TOTALS), "{all}");
    assert!(all.contains("過去の報告 24 件も表示"), "{all}");
    assert_eq!(all.matches("2022/01/04 10:00").count(), 12, "{all}");
}

#[test]
fn export_writes_each_hospital_once_unless_asked_for_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let source = three_day_report(dir.path());
    let source = source.to_str().unwrap();
    for (flags, rows, totals) in [
        (&[][..], 12, (120, 60, 36)),
        (&["--all-rows"][..], 36, (360, 144, 72)),
    ] {
        for name in ["out.csv", "out.xlsx"] {
            let out = dir.path().join(format!("{}-{name}", flags.len()));
            let mut args = vec!["export", "--source", source, "--now", NOW];
            args.extend(["--out", out.to_str().unwrap()]);
            args.extend(flags);
            let said = succeeded(&bedboard(&args));
            assert!(
                said.contains(&format!("{rows} 行を書き出しました")),
                "{said}"
            );
            if name.ends_with(".xlsx") && flags.is_empty() {
                use calamine::Reader;
                let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
                let cells = workbook.worksheet_range("病床数(消防)").unwrap();
                let titles: Vec<String> = cells.rows().take(8).map(|r| r[0].to_string()).collect();
                assert!(titles.iter().any(|t| t == NOTE), "{titles:?}");
                assert!(
                    titles
                        .contains(&"データの時刻: 2022/01/05 10:00（最新の報告日時）".to_string()),
                    "{titles:?}"
                );
            }
            let import = formats::import_file(&out, &ImportOptions::default()).unwrap();
            let report = import.report;
            assert_eq!(report.rows.len(), rows, "{name} {flags:?}");
            let sum = |f: fn(&bedboard::model::ReportRow) -> Option<u32>| -> u32 {
                report.rows.iter().filter_map(f).sum()
            };
            assert_eq!(
                (sum(|r| r.secured), sum(|r| r.ready), sum(|r| r.inpatients)),
                totals,
                "{name} {flags:?}"
            );
        }
    }
}

fn dashboard(source: &Path) -> App {
    let import = formats::import_file(source, &ImportOptions::default()).unwrap();
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let spec = ViewSpec::new(parse_datetime(NOW).unwrap());
    App::new(
        import.report,
        "three-days.csv".to_string(),
        false,
        options,
        spec,
    )
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| row_text(&buffer, y))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_dashboard_shows_each_hospital_once_and_4_shows_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = dashboard(&three_day_report(dir.path()));
    assert_eq!(app.prepared.view.order.len(), 12);
    let text = screen(&mut app, 200, 50);
    assert!(text.contains(LATEST_ON_SCREEN), "{text}");
    assert!(text.contains(NOTE), "{text}");
    let rows = &app.report().rows;
    assert!(app
        .prepared
        .view
        .order
        .iter()
        .all(|&i| rows[i].record_date.to_string() == "2022-01-05"));

    let action = app
        .keys
        .action(
            KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE),
            app.mode,
        )
        .expect("4 is bound");
    app.update(action);
    assert_eq!(app.prepared.view.order.len(), 36);
    let text = screen(&mut app, 200, 50);
    assert!(text.contains(ALL_ON_SCREEN), "{text}");
    assert!(text.contains("過去の報告 24 件も表示"), "{text}");
}

#[test]
fn the_store_keeps_each_hospitals_latest_row() {
    use bedboard::store::{FetchRecord, Store};
    let dir = tempfile::tempdir().unwrap();
    let report = formats::import_file(&three_day_report(dir.path()), &ImportOptions::default())
        .unwrap()
        .report;
    assert_eq!(report.rows.len(), 36);
    let mut store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
    let fetch = FetchRecord {
        content_hash: "three-days".to_string(),
        rows_accepted: 36,
        error: None,
        ..FetchRecord::failed("three-days.csv", parse_datetime(NOW).unwrap(), "")
    };
    store.record_fetch(&fetch, Some(&report)).unwrap();
    let stored = store.latest_snapshot().unwrap().expect("a snapshot").report;
    assert_eq!(stored.rows.len(), 12);
    assert!(stored
        .rows
        .iter()
        .all(|r| r.record_date.to_string() == "2022-01-05" && r.ready == Some(5)));
    assert_eq!(
        store.version_count().unwrap(),
        12,
        "older days are not history"
    );
}

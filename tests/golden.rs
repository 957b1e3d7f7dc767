//! Whole-frame golden screens: build the dashboard from fixture data with a
//! fixed clock, send a script of keys, draw on ratatui's TestBackend and
//! compare every line of the frame with a file under `tests/golden/`.
//!
//! Each screen is drawn at 80×24 and 120×40, with East Asian ambiguous
//! characters narrow and wide; the file is named
//! `tests/golden/<screen>_<width>x<height>_<narrow|wide>.txt`. Lines are read
//! with `row_text`, which steps over the cells a character covers, so a line
//! holds what a terminal in that ambiguous width shows.
//!
//! After an intended change of the screen, rewrite the files and review the diff:
//!
//! ```text
//! BEDBOARD_UPDATE_GOLDEN=1 cargo test --test golden
//! git diff tests/golden/
//! ```
//!
//! Without that variable a missing or different file fails the test, with a
//! line-by-line diff.

mod golden_file;

use golden_file::{compare_with_golden, line_diff, lines_off_the_screen_width};
use std::path::{Path, PathBuf};

use bedboard::demo::generator::demo_masters;
use bedboard::formats::{self, ImportOptions};
use bedboard::master::MunicipalityMaster;
use bedboard::model::time::parse_datetime;
use bedboard::model::{JstDateTime, Report};
use bedboard::poll::poller::{FeedEvent, FeedSnapshot};
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions, Effect, Msg, Popup};
use bedboard::ui::draw;
use bedboard::ui::keymap::{Action, Mode};
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
/// The sizes of the screens added with issue 10: a small terminal and a wall screen.
const SMALL_AND_WALL: [(u16, u16); 2] = [(80, 24), (200, 50)];
const WIDTHS: [AmbiguousWidth; 2] = [AmbiguousWidth::Narrow, AmbiguousWidth::Wide];

/// 12 hospitals of 千代田区 and 中央区, reported at 2022/02/01 11:32–11:37.
const SEED: &str = "assets/sample/seed-tokyo.csv";
const SEED_NOW: &str = "2022/02/01 12:00";
/// The demo's 500 hospitals of 東京都, reported up to 2026/11/01 08:59.
const DEMO: &str = "assets/demo/report.csv";
const DEMO_NOW: &str = "2026/11/01 09:00";
/// Names with ambiguous-width characters and halfwidth kana with ﾞ/ﾟ.
const AMBIGUOUS: &str = "tests/fixtures/golden-ambiguous.csv";
/// 12 hospitals on three days (2022/01/03–05), the latest day not last.
const THREE_DAYS: &str = "tests/fixtures/three-days.csv";
const THREE_DAYS_NOW: &str = "2022/01/06 09:00";

// ---- Building the dashboard -------------------------------------------------

fn at(text: &str) -> JstDateTime {
    parse_datetime(text).expect("a valid test time")
}

fn read_report(file: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    formats::import_file(&path, &ImportOptions::default())
        .unwrap_or_else(|err| panic!("{file}: {err}"))
        .report
}

/// The dashboard on a fixture, its clock stopped at `now`.
fn build_app(file: &str, now: &str, amb: AmbiguousWidth) -> App {
    build_app_on(read_report(file), file, now, amb)
}

/// The dashboard on a report, named as the file it came from.
fn build_app_on(report: Report, file: &str, now: &str, amb: AmbiguousWidth) -> App {
    let now = at(now);
    let options = DisplayOptions {
        ambiguous: amb,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let mut app = App::new(report, file.to_string(), false, options, ViewSpec::new(now));
    app.loaded_at = now;
    app
}

fn seed(amb: AmbiguousWidth) -> App {
    build_app(SEED, SEED_NOW, amb)
}

fn demo(amb: AmbiguousWidth) -> App {
    build_app(DEMO, DEMO_NOW, amb)
}

fn ambiguous(amb: AmbiguousWidth) -> App {
    build_app(AMBIGUOUS, DEMO_NOW, amb)
}

fn three_days(amb: AmbiguousWidth) -> App {
    build_app(THREE_DAYS, THREE_DAYS_NOW, amb)
}

/// The demo with both masters, as `bedboard demo` loads them, read 3 minutes ago.
fn demo_with_masters(amb: AmbiguousWidth) -> App {
    let mut app = demo(amb);
    let (hospitals, municipalities) = demo_masters();
    let hospitals = hospitals.expect("the demo master reads");
    set_masters(&mut app, hospitals, municipalities, at("2026/11/01 08:57"));
    app
}

/// The demo with its masters, its first hospital reported under another name and
/// in another 二次医療圏 than the master says: two 照合 findings.
fn demo_with_findings(amb: AmbiguousWidth) -> App {
    let mut report = read_report(DEMO);
    report.rows[0].hospital_name = format!("{}分院", report.rows[0].hospital_name).into();
    report.rows[0].area_code = bedboard::model::AreaCode::parse("1302").expect("an area code");
    let mut app = build_app(DEMO, DEMO_NOW, amb);
    app.set_report(report, at(DEMO_NOW));
    let (hospitals, municipalities) = demo_masters();
    let hospitals = hospitals.expect("the demo master reads");
    set_masters(&mut app, hospitals, municipalities, at("2026/11/01 08:57"));
    app
}

/// The demo's generated weeks of history of one hospital, as the store gives it.
fn demo_history_of(code: &bedboard::model::HospitalCode) -> bedboard::ui::app::History {
    use bedboard::demo::history::{demo_history, write_demo_history, DEMO_HISTORY_DAYS};
    static STORE: std::sync::OnceLock<std::sync::Mutex<bedboard::store::Store>> =
        std::sync::OnceLock::new();
    let store = STORE.get_or_init(|| {
        let mut store = bedboard::store::Store::open_in_memory().expect("a store in memory");
        let history = demo_history(&at(DEMO_NOW), DEMO_HISTORY_DAYS);
        write_demo_history(&mut store, &history).expect("the history is written");
        std::sync::Mutex::new(store)
    });
    let since = at(DEMO_NOW) - chrono::Duration::days(30);
    store
        .lock()
        .expect("the store")
        .hospital_history(code, since)
        .expect("the history reads")
}

/// Enter on the selected row, and the page's history answered from the demo's history.
fn open_page_with_history(app: &mut App) {
    app.store_path = Some(PathBuf::from("demo-history.sqlite3"));
    let effects = app.update(Action::Open);
    let Some(Effect::LoadHistory { request, code, .. }) = effects.into_iter().next() else {
        panic!("the page asks for its history");
    };
    let history = Ok(demo_history_of(&code));
    app.on_message(Msg::HistoryLoaded { request, history });
}

// ---- The one place each App call is made ------------------------------------

fn apply(app: &mut App, action: Action) {
    app.update(action);
}

fn feed_event(app: &mut App, event: FeedEvent) {
    app.on_feed(event);
}

fn set_masters(
    app: &mut App,
    hospitals: bedboard::master::HospitalMaster,
    municipalities: MunicipalityMaster,
    read_at: JstDateTime,
) {
    app.set_masters(Some(hospitals), Some(municipalities), read_at);
}

/// Sends keys the way the terminal does: each through the key map.
/// `<Name>` is a named key (Tab, Enter, Esc, Up, Down, Left, Right, BS);
/// any other character is typed as it is.
fn press(app: &mut App, script: &str) {
    for code in parse_keys(script) {
        let event = KeyEvent::new(code, KeyModifiers::NONE);
        if let Some(action) = app.keys.action(event, app.mode) {
            apply(app, action);
        }
    }
}

fn parse_keys(script: &str) -> Vec<KeyCode> {
    let mut codes = Vec::new();
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                codes.push(named_key(&rest[1..end]));
                rest = &rest[end + 1..];
                continue;
            }
        }
        codes.push(KeyCode::Char(c));
        rest = &rest[c.len_utf8()..];
    }
    codes
}

fn named_key(name: &str) -> KeyCode {
    match name {
        "Tab" => KeyCode::Tab,
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "BS" => KeyCode::Backspace,
        other => panic!("unknown key <{other}> in a test script"),
    }
}

/// The selected row's detail popup (no key opens it today; Enter opens the hospital page).
fn open_row_popup(app: &mut App) {
    let row = app.selected_row().expect("a row is selected");
    app.popup = Some(Popup::Row(row));
    app.mode = Mode::Popup;
}

/// `e`: the dialog proposes a name stamped at the dashboard's clock.
fn open_export_dialog(app: &mut App) {
    app.export_folder = PathBuf::from("書き出し");
    press(app, "e");
    assert_eq!(app.mode, Mode::Export, "e opens the export dialog");
}

/// A poll 10 minutes later in which numbers changed and one hospital stopped reporting.
fn demo_feed_update(app: &mut App) {
    let mut report = read_report(DEMO);
    let fetched_at = at("2026/11/01 09:10");
    report.rows[0].inpatients = Some(2); // 1 → 2: the last free bed is taken
    report.rows[1].ready = Some(4); // 2 → 4: two beds opened
    report.rows[3].secured = Some(3);
    report.rows[3].ready = Some(3); // 1 → 3
    for row in &mut report.rows[..4] {
        row.reported_at = at("2026/11/01 09:05");
    }
    report.rows.remove(2); // 髙橋記念病院 stops reporting
    let snapshot = FeedSnapshot {
        report: report.into(),
        fetched_at,
        source_label: DEMO.to_string(),
        problems: Vec::new(),
        out_of_scope: 0,
        from_store: false,
        stored: None,
        figures: None,
    };
    feed_event(app, FeedEvent::Snapshot(Box::new(snapshot)));
    app.set_now(fetched_at);
}

// ---- Drawing and comparing -------------------------------------------------

fn draw_lines(app: &mut App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| draw::draw(frame, app))
        .expect("drawing on a test terminal");
    let buffer = terminal.backend().buffer();
    (0..height).map(|y| row_text(buffer, y)).collect()
}

fn width_label(amb: AmbiguousWidth) -> &'static str {
    match amb {
        AmbiguousWidth::Narrow => "narrow",
        AmbiguousWidth::Wide => "wide",
    }
}

/// Draws a screen at every size and ambiguous width and compares each frame.
/// The first frame is drawn before the keys, as on a terminal, so paging
/// knows the screen's height.
fn check_screen(screen: &str, build: fn(AmbiguousWidth) -> App, script: impl Fn(&mut App)) {
    check_screen_at(screen, &SIZES, build, script);
}

/// [`check_screen`] at the sizes given.
fn check_screen_at(
    screen: &str,
    sizes: &[(u16, u16)],
    build: fn(AmbiguousWidth) -> App,
    script: impl Fn(&mut App),
) {
    let mut failures = Vec::new();
    for amb in WIDTHS {
        for &(width, height) in sizes {
            let mut app = build(amb);
            draw_lines(&mut app, width, height);
            script(&mut app);
            let lines = draw_lines(&mut app, width, height);
            failures.extend(lines_off_the_screen_width(&lines, width, amb));
            let name = format!("{screen}_{width}x{height}_{}", width_label(amb));
            if let Err(failure) = compare_with_golden(&name, &lines) {
                failures.push(failure);
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

// ---- The screens ------------------------------------------------------------

#[test]
fn list() {
    check_screen("list", seed, |_| {});
}

#[test]
fn list_sorted() {
    // 医療機関名, then 確保病床 largest first.
    check_screen("list_sorted", seed, |app| press(app, "ss"));
}

#[test]
fn list_grouped_by_area_with_subtotals() {
    check_screen("list_grouped_area", demo, |app| press(app, "vv"));
}

#[test]
fn list_grouped_by_area_subtotals_only() {
    // d hides the detail rows: each area's heading and subtotal.
    check_screen("list_grouped_area_subtotals", demo, |app| press(app, "vvd"));
}

#[test]
fn summary_by_area() {
    check_screen("summary_area", demo, |app| press(app, "<Tab>"));
}

#[test]
fn summary_by_municipality() {
    check_screen("summary_municipality", demo, |app| press(app, "<Tab><Tab>"));
}

#[test]
fn list_after_a_feed_update_marks_the_changes() {
    check_screen("list_after_update", demo, demo_feed_update);
}

#[test]
fn change_log_after_a_feed_update() {
    check_screen("change_log", demo, |app| {
        demo_feed_update(app);
        press(app, "<Tab><Tab><Tab>");
    });
}

#[test]
fn change_log_with_an_acknowledged_alert() {
    check_screen("change_log_acknowledged", demo, |app| {
        // The first hospital is watched and its last free bed is taken.
        let watched = read_report(DEMO).rows[0].hospital_code;
        app.watch.insert(watched);
        app.operator = "ops@console1".to_string();
        demo_feed_update(app);
        assert_eq!(app.alerts.len(), 1);
        press(app, "x<Tab><Tab><Tab>");
    });
}

#[test]
fn hospital_master() {
    check_screen("hospital_master", demo_with_masters, |app| {
        press(app, "<Tab><Tab><Tab><Tab>")
    });
}

#[test]
fn hospital_master_filtered_to_halfwidth_kana() {
    check_screen("hospital_master_filtered", demo_with_masters, |app| {
        press(app, "<Tab><Tab><Tab><Tab>/ｸﾞﾘｰﾝ<Enter>f")
    });
}

#[test]
fn municipality_master() {
    check_screen("municipality_master", demo_with_masters, |app| {
        press(app, "<Tab><Tab><Tab><Tab><Tab>")
    });
}

#[test]
fn help_popup() {
    check_screen("help", seed, |app| press(app, "?"));
}

#[test]
fn help_on_a_wall_screen_shows_every_key_at_once() {
    check_screen_at("help", &[(200, 50)], seed, |app| press(app, "?"));
}

#[test]
fn help_scrolled_to_its_end() {
    check_screen_at("help_scrolled", &[(80, 24)], seed, |app| press(app, "?G"));
}

#[test]
fn hospital_page_with_weeks_of_history_and_findings() {
    check_screen_at(
        "hospital_page",
        &SMALL_AND_WALL,
        demo_with_findings,
        open_page_with_history,
    );
}

#[test]
fn copied_phone_number_shown_large() {
    check_screen_at("copied_phone", &SMALL_AND_WALL, demo_with_findings, |app| {
        open_page_with_history(app);
        press(app, "c");
    });
}

#[test]
fn row_detail_popup() {
    check_screen("row_popup", seed, |app| {
        press(app, "jj");
        open_row_popup(app);
    });
}

#[test]
fn incremental_search() {
    check_screen("search_typing", seed, |app| press(app, "/病院1"));
}

#[test]
fn filter_mode() {
    check_screen("filter_mode", seed, |app| press(app, "/病院1<Enter>f"));
}

#[test]
fn export_dialog() {
    check_screen("export_dialog", seed, |app| {
        press(app, "1");
        open_export_dialog(app);
    });
}

#[test]
fn ambiguous_and_halfwidth_names() {
    check_screen("ambiguous_list", ambiguous, |_| {});
}

#[test]
fn ambiguous_names_grouped_by_municipality() {
    check_screen("ambiguous_grouped", ambiguous, |app| press(app, "vvv"));
}

#[test]
fn ambiguous_row_detail_popup() {
    check_screen("ambiguous_row_popup", ambiguous, open_row_popup);
}

// ---- The header and the status line ------------------------------------------

/// The seed with totals of seven digits (1,234,595 確保病床).
fn seven_digit_totals(amb: AmbiguousWidth) -> App {
    let mut report = read_report(SEED);
    report.rows[0].secured = Some(1_234_567);
    report.rows[0].ready = Some(1_200_000);
    report.rows[0].inpatients = Some(1_100_000);
    build_app_on(report, SEED, SEED_NOW, amb)
}

/// The seed as a polled feed: fetched at 11:40, failing since 11:45, three tries.
fn failing_feed(amb: AmbiguousWidth) -> App {
    let mut app = seed(amb);
    app.feed.live = true;
    app.source_label = "http://127.0.0.1:8787/report.csv".to_string();
    feed_event(
        &mut app,
        FeedEvent::Unchanged {
            at: at("2022/02/01 11:40"),
        },
    );
    for minute in ["11:45", "11:46", "11:48"] {
        let failed = FeedEvent::Failed {
            at: at(&format!("2022/02/01 {minute}")),
            message: "接続できません（127.0.0.1:8787）".to_string(),
        };
        feed_event(&mut app, failed);
    }
    feed_event(
        &mut app,
        FeedEvent::NextPoll {
            at: at("2022/02/01 12:02"),
        },
    );
    app
}

/// A rejected row is said for a few seconds, beside the failure.
fn notice_on_failing_feed(app: &mut App) {
    feed_event(
        app,
        FeedEvent::Notice(
            "1 行を取り込めませんでした（5 行目: 確保病床が数値ではありません）".to_string(),
        ),
    );
}

#[test]
fn seven_digit_totals_whole() {
    check_screen_at(
        "totals_7_digits",
        &SMALL_AND_WALL,
        seven_digit_totals,
        |_| {},
    );
}

/// The demo with a 7-digit count in its first row.
fn demo_with_seven_digits(amb: AmbiguousWidth) -> App {
    let mut app = demo(amb);
    let mut report = read_report(DEMO);
    report.rows[0].secured = Some(1_234_567);
    report.rows[0].ready = Some(1_234_567);
    app.set_report(report, at(DEMO_NOW));
    app
}

#[test]
fn a_live_update_with_marks_keeps_the_column_layout() {
    let mut failures = Vec::new();
    for amb in WIDTHS {
        for (width, height) in SMALL_AND_WALL {
            let mut app = demo(amb);
            let before = draw_lines(&mut app, width, height);
            demo_feed_update(&mut app);
            let after = draw_lines(&mut app, width, height);
            // The column header (under the header and the chart) is the same line for line.
            let column_header = |lines: &[String]| {
                let top = lines
                    .iter()
                    .position(|line| line.contains("医療機関名"))
                    .expect("a column header");
                lines[top..top + 3].to_vec()
            };
            assert_eq!(
                column_header(&before),
                column_header(&after),
                "{width}x{height} {amb:?}"
            );
            for (stage, lines) in [("before", &before), ("after", &after)] {
                failures.extend(lines_off_the_screen_width(lines, width, amb));
                let name = format!("live_update_{stage}_{width}x{height}_{}", width_label(amb));
                if let Err(failure) = compare_with_golden(&name, lines) {
                    failures.push(failure);
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn a_sort_chosen_at_the_bottom_of_the_list_shows_the_top() {
    check_screen_at("sort_from_bottom", &SMALL_AND_WALL, demo, |app| {
        press(app, "Gs")
    });
}

#[test]
fn a_seven_digit_count_is_shown_whole() {
    check_screen_at(
        "seven_digits",
        &SMALL_AND_WALL,
        demo_with_seven_digits,
        |_| {},
    );
}

#[test]
fn a_failing_feed_on_a_line_of_its_own() {
    check_screen_at("feed_failure", &SMALL_AND_WALL, failing_feed, |_| {});
}

#[test]
fn a_notice_beside_the_failure() {
    check_screen_at(
        "feed_failure_notice",
        &SMALL_AND_WALL,
        failing_feed,
        notice_on_failing_feed,
    );
}

#[test]
fn a_notice_gives_way_and_the_failure_stays() {
    check_screen_at(
        "feed_failure_notice_over",
        &SMALL_AND_WALL,
        failing_feed,
        |app| {
            notice_on_failing_feed(app);
            let later =
                *app.now() + chrono::Duration::seconds(bedboard::ui::notice::NOTICE_SECONDS);
            app.set_now(later);
        },
    );
}

#[test]
fn a_watch_alert_beside_the_totals() {
    check_screen_at("watch_alert", &SMALL_AND_WALL, demo, |app| {
        // The first hospital is watched; the update takes its last free bed.
        press(app, "a");
        demo_feed_update(app);
    });
}

/// A dashboard started on a large file that is still being read.
fn loading_large_file(amb: AmbiguousWidth) -> App {
    build_app_on(Report::default(), BIG_FILE, SEED_NOW, amb)
}

const BIG_FILE: &str = "/srv/gmis/export/病床数_詳細のみ_1000000.csv";

#[test]
fn the_progress_frame_of_a_long_load() {
    check_screen_at("loading", &SMALL_AND_WALL, loading_large_file, |app| {
        feed_event(
            app,
            FeedEvent::Loading(bedboard::poll::loading::LoadProgress {
                source_label: BIG_FILE.to_string(),
                bytes: 56_000_000,
                total: Some(130_000_000),
                rows: 430_000,
            }),
        );
    });
}

// ---- The harness itself -------------------------------------------------------

#[test]
fn key_scripts_name_special_keys() {
    assert_eq!(
        parse_keys("/ｸﾞ<Enter>f<"),
        [
            KeyCode::Char('/'),
            KeyCode::Char('ｸ'),
            KeyCode::Char('ﾞ'),
            KeyCode::Enter,
            KeyCode::Char('f'),
            KeyCode::Char('<'),
        ]
    );
}

#[test]
fn a_diff_names_each_differing_line() {
    let actual = vec!["same".to_string(), "new".to_string()];
    let diff = line_diff(&["same", "old", "gone"], &actual);
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(diff[0].contains("line  2") && diff[0].contains("|old|") && diff[0].contains("|new|"));
    assert!(diff[1].contains("line  3") && diff[1].contains("(no line)"));
}

#[test]
fn one_row_per_hospital_with_the_note_in_the_header() {
    check_screen("three_days_latest", three_days, |_| {});
}

#[test]
fn every_row_again_with_4() {
    check_screen("three_days_all_rows", three_days, |app| press(app, "4"));
}

// ---- 搬送先候補 (issue 14) -----------------------------------------------------

#[test]
fn near_origin_input_with_completion() {
    check_screen_at("near_input", &SMALL_AND_WALL, demo_with_masters, |app| {
        press(app, "pはち");
    });
}

#[test]
fn near_list_from_hachioji() {
    // Free beds only, nearest first; 八王子市 is within 10 km of 神奈川県.
    check_screen_at("near_list", &SMALL_AND_WALL, demo_with_masters, |app| {
        press(app, "p八王子<Enter>");
    });
}

#[test]
fn near_list_every_hospital_second_selected() {
    check_screen_at("near_all", &SMALL_AND_WALL, demo_with_masters, |app| {
        press(app, "p八王子<Enter>1j");
    });
}

#[test]
fn near_list_approximate_without_a_master() {
    // The seed has no master: each hospital at its municipality's point, 「約」.
    check_screen_at("near_approximate", &SMALL_AND_WALL, seed, |app| {
        press(app, "pちよだ<Enter>1");
    });
}

#[test]
fn near_hospital_page_over_the_list() {
    check_screen_at("near_page", &SMALL_AND_WALL, demo_with_masters, |app| {
        press(app, "p八王子<Enter>j");
        open_page_with_history(app);
    });
}

#[test]
fn near_map_instead_of_the_list() {
    // At 80 columns m shows the map; at 200 the map is beside the list already.
    check_screen_at("near_map", &SMALL_AND_WALL, demo_with_masters, |app| {
        press(app, "p八王子<Enter>jm");
    });
}

#[test]
fn near_map_zoomed_in() {
    check_screen_at(
        "near_map_zoomed",
        &SMALL_AND_WALL,
        demo_with_masters,
        |app| {
            press(app, "p八王子<Enter>m++j");
        },
    );
}

//! Reloads of big reports while keys move the selection: the screen keeps
//! running, every drawn row shows its own numbers, and navigation asked for
//! while a view is prepared in the background is applied when it arrives.

use bedboard::demo::generator as demo;
use bedboard::model::time::parse_datetime;
use bedboard::model::{HospitalCode, Report};
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions, Effect, Msg, TableLine, ViewKind};
use bedboard::ui::draw;
use bedboard::ui::keymap::Mode;
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 30;

/// The numbers of row `i` of the report `stage`: a row drawn with another
/// row's numbers, or another report's, reads wrong.
fn numbers(stage: char, i: usize) -> (u32, u32, u32) {
    let salt = stage as usize;
    let secured = 500 + ((i * 7 + salt) % 400) as u32;
    let ready = secured - 100 - ((i + salt) % 50) as u32;
    let inpatients = ready - ((i * 3 + salt) % 90) as u32;
    (secured, ready, inpatients)
}

fn name(stage: char, i: usize) -> String {
    format!("{stage}{i:06}")
}

/// `rows` rows named by stage and position, with their numbers derived from it.
fn report(stage: char, rows: usize) -> Report {
    let base = parse_datetime(demo::ASSET_BASE_TIME).unwrap();
    let demo = demo::demo_report(&base);
    let rows = (0..rows)
        .map(|i| {
            let mut row = demo.rows[i % demo.rows.len()].clone();
            row.hospital_code =
                HospitalCode::parse(&format!("{}{i:07}", &row.hospital_code.as_str()[..3]))
                    .unwrap();
            row.hospital_name = name(stage, i).into();
            let (secured, ready, inpatients) = numbers(stage, i);
            row.secured = Some(secured);
            row.ready = Some(ready);
            row.inpatients = Some(inpatients);
            row
        })
        .collect();
    Report {
        extra_columns: Vec::new(),
        rows,
    }
}

fn new_app(report: Report) -> App {
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: true,
        theme: ThemeKind::Mono,
    };
    let now = parse_datetime(demo::ASSET_BASE_TIME).unwrap();
    App::new(report, "test".into(), false, options, ViewSpec::new(now))
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

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

fn draw(app: &mut App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..HEIGHT).map(|y| row_text(&buffer, y)).collect()
}

/// Draws and checks every table row on screen: its numbers are its own.
/// Returns the stage letters and positions of the rows drawn.
fn drawn_rows(app: &mut App) -> Vec<(char, usize)> {
    let lines = draw(app);
    let mut seen = Vec::new();
    for line in &lines {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some((stage, i)) = cells.first().and_then(|c| parse_name(c)) else {
            continue;
        };
        let (secured, ready, inpatients) = numbers(stage, i);
        let shown: Vec<&str> = cells[1..4].to_vec();
        assert_eq!(
            shown,
            [
                secured.to_string(),
                ready.to_string(),
                inpatients.to_string()
            ],
            "row {stage}{i:06} drawn with other numbers: {line}"
        );
        seen.push((stage, i));
    }
    // The rows drawn are the view's own rows, in its order, from the report it was built from.
    let shown = &app.prepared;
    let expected: Vec<(char, usize)> = shown
        .lines()
        .skip(app.scroll)
        .take(app.page_rows)
        .filter_map(|line| match line {
            TableLine::Row(i) => parse_name(&shown.report.rows[i].hospital_name),
            _ => None,
        })
        .collect();
    assert_eq!(seen, expected);
    seen
}

/// `A012345` in a name cell (after any marks).
fn parse_name(cell: &str) -> Option<(char, usize)> {
    let word = cell.split_whitespace().last()?;
    let mut chars = word.chars();
    let stage = chars.next().filter(char::is_ascii_uppercase)?;
    let digits = chars.as_str();
    (digits.len() == 6).then(|| Some((stage, digits.parse().ok()?)))?
}

fn header(app: &mut App) -> String {
    draw(app)[0].clone()
}

/// End / Down / PageDown / Up, each followed by a drawing that checks the rows.
fn move_around(app: &mut App) {
    for code in [KeyCode::End, KeyCode::Down, KeyCode::PageDown, KeyCode::Up] {
        assert!(key(app, code).is_empty());
        drawn_rows(app);
        assert!(app.selected < app.line_count().max(1));
    }
}

#[test]
fn replacing_a_big_report_by_smaller_ones_keeps_rows_and_numbers_together() {
    let mut app = new_app(report('A', 60_000));
    assert!(
        app.is_pending(),
        "a big report is prepared in the background"
    );
    drawn_rows(&mut app);
    app.wait_for_view();
    assert!(header(&mut app).starts_with("レコード数 60000"));
    key(&mut app, KeyCode::End);
    assert_eq!(app.selected, 59_999);
    let rows = drawn_rows(&mut app);
    assert!(rows.contains(&('A', 59_999)), "{rows:?}");

    // 52,000 rows while the selection is low in the list.
    let now = *app.now();
    app.set_report(report('B', 52_000), now);
    assert!(app.is_pending());
    let rows = drawn_rows(&mut app);
    assert!(
        rows.contains(&('A', 59_999)) && rows.iter().all(|(stage, _)| *stage == 'A'),
        "the old view stays until the new one is ready: {rows:?}"
    );
    move_around(&mut app);
    assert_eq!(
        app.selected, 59_999,
        "keys wait for the view being prepared"
    );
    app.wait_for_view();
    // The keys pressed meanwhile apply to the new view: End, then Down and
    // PageDown stop at the last line, then Up.
    assert_eq!(app.selected, 51_998);
    assert!(header(&mut app).starts_with("レコード数 52000"));
    let rows = drawn_rows(&mut app);
    assert!(!rows.is_empty() && rows.iter().all(|(stage, i)| *stage == 'B' && *i < 52_000));
    move_around(&mut app);
    assert_eq!(app.selected, 51_998);

    // One row.
    app.set_report(report('C', 1), now);
    assert!(!app.is_pending(), "a small report is prepared at once");
    assert_eq!(app.selected, 0);
    move_around(&mut app);
    assert_eq!(drawn_rows(&mut app), [('C', 0)]);
    assert_eq!(app.selected, 0);

    // Nothing at all.
    app.set_report(Report::default(), now);
    move_around(&mut app);
    let screen = draw(&mut app).join("\n");
    assert!(screen.contains("該当する行はありません"), "{screen}");
    assert!(drawn_rows(&mut app).is_empty());
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no row to open");
    assert_eq!(app.mode, Mode::Table);

    // And big again, with End pressed before the view is ready.
    app.set_report(report('D', 60_000), now);
    key(&mut app, KeyCode::End);
    drawn_rows(&mut app);
    app.wait_for_view();
    assert_eq!(app.selected, 59_999);
    assert!(drawn_rows(&mut app).contains(&('D', 59_999)));
}

#[test]
fn a_late_background_view_is_not_shown_over_a_newer_report() {
    let mut app = new_app(report('A', 60_000));
    let now = *app.now();
    // The 60,000-row view is still being prepared when one row arrives.
    app.set_report(report('C', 1), now);
    assert!(!app.is_pending());
    let late = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(app.next_view());
    assert_eq!(late.1.report.rows.len(), 60_000);
    app.on_view(late);
    assert_eq!(app.report().rows.len(), 1);
    assert_eq!(drawn_rows(&mut app), [('C', 0)]);
}

#[test]
fn keys_pressed_while_a_view_is_prepared_apply_when_it_arrives() {
    let mut app = new_app(report('A', 60_000));
    app.wait_for_view();
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 2);
    // Sorting 60,000 rows takes the background; Bottom and Up wait for it.
    press(&mut app, "ss");
    assert!(app.is_pending());
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 2, "not applied to the old view");
    app.wait_for_view();
    assert_eq!(app.selected, 59_998);
    drawn_rows(&mut app);

    // Enter on a summary line opens that group in the list, when it is ready.
    key(&mut app, KeyCode::Tab);
    app.wait_for_view();
    assert_eq!(app.kind, ViewKind::ByArea);
    key(&mut app, KeyCode::Down);
    let label = match app.prepared.line(app.selected).unwrap() {
        TableLine::Summary(g) => app.prepared.view.groups[g].label.clone(),
        other => panic!("{other:?}"),
    };
    key(&mut app, KeyCode::Enter);
    assert!(app.is_pending());
    app.wait_for_view();
    assert_eq!(app.kind, ViewKind::Rows);
    match app.prepared.line(app.selected).unwrap() {
        TableLine::Heading(h) => assert_eq!(app.prepared.view.groups[h].label, label),
        other => panic!("the group's heading is selected, not {other:?}"),
    }
    drawn_rows(&mut app);
}

#[test]
fn effects_are_returned_not_done() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = new_app(report('A', 20));
    app.export_folder = dir.path().to_path_buf();
    app.config_path = Some(dir.path().join("config.toml"));

    // e + Enter asks for an export of what is on screen and writes nothing.
    press(&mut app, "e");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Export(job)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(job.view.order.len(), 20);
    assert!(job.path.starts_with(dir.path()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(app.mode, Mode::Table, "the dashboard goes on meanwhile");
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 1);
    app.on_message(Msg::ExportProgress { done: 5, total: 20 });
    let status = draw(&mut app).pop().unwrap();
    assert!(status.contains("書き出し中… 5 / 20 行"), "{status}");
    app.on_message(Msg::Exported(Err("書けません".into())));
    assert_eq!(app.mode, Mode::Export, "a failure brings the dialog back");
    assert_eq!(
        app.export_dialog.as_ref().unwrap().error.as_deref(),
        Some("書けません")
    );
    key(&mut app, KeyCode::Esc);

    // w asks to save the view.
    let effects = press(&mut app, "w");
    match effects.as_slice() {
        [Effect::SaveView { path, view }] => {
            assert_eq!(path, &dir.path().join("config.toml"));
            assert_eq!(view, &app.saved_view());
        }
        other => panic!("{other:?}"),
    }
    assert!(!dir.path().join("config.toml").exists());
    app.on_message(Msg::ViewSaved(Ok(dir.path().join("config.toml"))));
    assert!(draw(&mut app)
        .pop()
        .unwrap()
        .contains("既定の表示を保存しました"));

    // Enter on a row opens the page at once and asks for its history.
    app.store_path = Some(dir.path().join("history.sqlite3"));
    let effects = key(&mut app, KeyCode::Enter);
    let request = match effects.as_slice() {
        [Effect::LoadHistory {
            request,
            code,
            store,
            ..
        }] => {
            assert_eq!(*code, app.report().rows[1].hospital_code);
            assert_eq!(store, &dir.path().join("history.sqlite3"));
            *request
        }
        other => panic!("{other:?}"),
    };
    assert!(!dir.path().join("history.sqlite3").exists());
    assert_eq!(app.mode, Mode::Page);
    assert!(draw(&mut app).join("\n").contains("履歴を読み込み中…"));
    // History for a page since closed and opened again is not shown on the new one.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Enter);
    app.on_message(Msg::HistoryLoaded {
        request,
        history: Err("古い頁の結果".into()),
    });
    let page = draw(&mut app).join("\n");
    assert!(
        page.contains("履歴を読み込み中…") && !page.contains("古い頁の結果"),
        "{page}"
    );
    app.on_message(Msg::HistoryLoaded {
        request: request + 1,
        history: Ok(Vec::new()),
    });
    assert!(draw(&mut app)
        .join("\n")
        .contains("この病院の履歴はまだありません"));
}

#[test]
fn reload_asks_the_poller_only_for_a_live_feed() {
    let mut app = new_app(report('A', 3));
    assert!(press(&mut app, "r").is_empty());
    assert!(draw(&mut app)
        .pop()
        .unwrap()
        .contains("このデータは取得し直せません"));
    app.feed.live = true;
    assert!(matches!(press(&mut app, "r").as_slice(), [Effect::PollNow]));
    assert!(app.feed.fetching);
}

#[test]
fn a_view_that_only_follows_the_clock_is_not_said_on_the_status_line() {
    let mut app = new_app(report('A', 60_000));
    app.wait_for_view();
    let said = |app: &App| bedboard::ui::status_line::status_items(app).join(" ");
    assert!(!said(&app).contains("並べ替え中"), "{}", said(&app));
    // A new minute: ages and stale marks are made again, in the background.
    let later = *app.now() + chrono::Duration::minutes(1);
    app.set_now(later);
    assert!(app.is_pending());
    assert!(!said(&app).contains("並べ替え中"), "{}", said(&app));
    app.wait_for_view();
    // A sort the dispatcher asked for is said.
    key(&mut app, KeyCode::Char('s'));
    assert!(app.is_pending());
    assert!(said(&app).contains("並べ替え中"), "{}", said(&app));
    app.wait_for_view();
}

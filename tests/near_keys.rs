//! The 搬送先候補 screen from the keyboard: p, the origin with completion,
//! Enter, moving, the hospital page and back, the map's zoom and selection.

use std::path::Path;

use bedboard::demo::generator::demo_masters;
use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions, Popup};
use bedboard::ui::keymap::Mode;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn demo_app() -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/report.csv");
    let report = formats::import_file(&path, &ImportOptions::default())
        .unwrap()
        .report;
    let now = parse_datetime("2026/11/01 09:00").unwrap();
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let mut app = App::new(
        report,
        "demo".to_string(),
        true,
        options,
        ViewSpec::new(now),
    );
    let (hospitals, municipalities) = demo_masters();
    app.set_masters(hospitals, Some(municipalities), now);
    app
}

fn key(app: &mut App, code: KeyCode) {
    if let Some(action) = app
        .keys
        .action(KeyEvent::new(code, KeyModifiers::NONE), app.mode)
    {
        app.update(action);
    }
}

fn type_text(app: &mut App, text: &str) {
    text.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

fn selected_name(app: &App) -> String {
    let near = app.near.as_ref().expect("the list is open");
    let code = near.selected_code().expect("a hospital is selected");
    let row = app
        .prepared
        .report
        .rows
        .iter()
        .find(|r| r.hospital_code == code)
        .unwrap();
    row.hospital_name.to_string()
}

#[test]
fn p_hachioji_enter_j_enter_esc() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.mode, Mode::NearInput);
    type_text(&mut app, "八王子");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Near);
    let near = app.near.as_ref().unwrap();
    assert_eq!(near.list.origin.label, "八王子市（役所付近）");
    assert!(near.free_only, "空床ありのみ is on when the list opens");
    // Nearest first, every one shown with a free bed.
    let distances: Vec<f64> = near
        .shown
        .iter()
        .map(|&i| near.list.candidates[i].distance_km)
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]));
    let first = selected_name(&app);
    key(&mut app, KeyCode::Char('j'));
    let second = selected_name(&app);
    assert_ne!(first, second);
    // The map shows the same selection.
    let map = app.near.as_ref().unwrap().map_model();
    assert_eq!(map.selected, Some(1));
    assert_eq!(map.hospitals[1].name, second);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Page);
    assert_eq!(app.popup, Some(Popup::Hospital));
    assert_eq!(
        app.page.as_ref().unwrap().code,
        app.near.as_ref().unwrap().selected_code().unwrap()
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Near, "Esc on the page returns to the list");
    assert_eq!(selected_name(&app), second);
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.mode,
        Mode::Table,
        "Esc on the list returns to the board"
    );
    assert!(app.near.is_none());
}

#[test]
fn tab_completes_and_cycles_the_candidates() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "ちよだ");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.near_input.as_ref().unwrap().text, "東京都千代田区");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.near_input.as_ref().unwrap().text, "群馬県千代田町");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.near_input.as_ref().unwrap().text, "東京都千代田区");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.near.as_ref().unwrap().list.origin.label,
        "千代田区（役所付近）"
    );
}

#[test]
fn an_unknown_origin_stays_in_the_input_with_the_reason() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "どこでもない");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::NearInput);
    let error = app.near_input.as_ref().unwrap().error.clone().unwrap();
    assert!(
        error.contains("「どこでもない」が見つかりません"),
        "{error}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Table);
}

#[test]
fn one_toggles_free_only_and_zoom_changes_the_radius() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "八王子");
    key(&mut app, KeyCode::Enter);
    let free = app.near.as_ref().unwrap().shown.len();
    key(&mut app, KeyCode::Char('1'));
    let all = app.near.as_ref().unwrap().shown.len();
    assert!(all > free, "{all} > {free}");
    assert_eq!(all, app.near.as_ref().unwrap().list.candidates.len());
    let start = app.near.as_ref().unwrap().radius_km;
    assert!(start >= 10.0, "{start}");
    key(&mut app, KeyCode::Char('+'));
    let zoomed = app.near.as_ref().unwrap().radius_km;
    assert!(zoomed < start);
    key(&mut app, KeyCode::Char('-'));
    key(&mut app, KeyCode::Char('-'));
    assert!(app.near.as_ref().unwrap().radius_km > start);
    key(&mut app, KeyCode::Char('m'));
    assert!(app.near.as_ref().unwrap().show_map);
}

#[test]
fn a_tiny_terminal_still_draws_the_list_and_the_map() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let mut app = demo_app();
    key(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "八王子");
    key(&mut app, KeyCode::Enter);
    for (width, height) in [(20, 4), (40, 10), (80, 3), (159, 30), (160, 30)] {
        for map in [false, true] {
            if app.near.as_ref().unwrap().show_map != map {
                key(&mut app, KeyCode::Char('m'));
            }
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            terminal
                .draw(|frame| bedboard::ui::draw::draw(frame, &mut app))
                .unwrap();
            let first = bedboard::ui::painter::row_text(terminal.backend().buffer(), 0);
            assert!(first.starts_with("搬送先候補"), "{width}x{height}: {first}");
        }
    }
}

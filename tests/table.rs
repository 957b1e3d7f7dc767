//! The dashboard's table on screen: steady columns, what gives way on a
//! narrow screen, the scroll marks, headers, whole numbers, the bed total's
//! place, and where a sort leaves the selection.

use std::path::Path;

use bedboard::config::SavedView;
use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::model::{Column, JstDateTime, Report};
use bedboard::poll::poller::{FeedEvent, FeedSnapshot};
use bedboard::text::width::{grapheme_width, AmbiguousWidth};
use bedboard::ui::app::{App, DisplayOptions, ViewKind};
use bedboard::ui::draw;
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::{SortDirection, SortKey, ViewSpec};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::style::Modifier;
use ratatui::Terminal;
use unicode_segmentation::UnicodeSegmentation;

const SEED: &str = "assets/sample/seed-tokyo.csv";
const DEMO: &str = "assets/demo/report.csv";
const AMBIGUOUS: &str = "tests/fixtures/golden-ambiguous.csv";
const NOW: &str = "2026/11/01 09:00";
const WIDTHS: [AmbiguousWidth; 2] = [AmbiguousWidth::Narrow, AmbiguousWidth::Wide];

/// The rule under the column header: the header above it is as tall as its items need.
fn rule_at(lines: &[String]) -> usize {
    lines
        .iter()
        .position(|line| {
            !line.trim().is_empty()
                && line.trim().chars().all(|c| "─-┼+│|".contains(c))
                && line.contains(['─', '-'])
        })
        .expect("a rule under the column header")
}

/// The first line of the column header (two lines above the rule).
fn column_header_at(lines: &[String]) -> usize {
    rule_at(lines) - 2
}

fn column_header(lines: &[String]) -> String {
    lines[column_header_at(lines)].clone()
}

/// The first row of the table's body.
fn body_top(lines: &[String]) -> usize {
    rule_at(lines) + 1
}

fn at(text: &str) -> JstDateTime {
    parse_datetime(text).expect("a valid test time")
}

fn read(file: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    formats::import_file(&path, &ImportOptions::default())
        .expect("the fixture reads")
        .report
}

fn app_with(report: Report, amb: AmbiguousWidth) -> App {
    let options = DisplayOptions {
        ambiguous: amb,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    App::new(
        report,
        "test".to_string(),
        false,
        options,
        ViewSpec::new(at(NOW)),
    )
}

fn app_of(file: &str, amb: AmbiguousWidth) -> App {
    app_with(read(file), amb)
}

fn buffer(app: &mut App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| draw::draw(frame, app))
        .expect("drawing on a test terminal");
    terminal.backend().buffer().clone()
}

fn draw(app: &mut App, width: u16, height: u16) -> Vec<String> {
    let buffer = buffer(app, width, height);
    (0..height).map(|y| row_text(&buffer, y)).collect()
}

fn key(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(action) = app.keys.action(event, app.mode) {
        app.update(action);
    }
}

fn press(app: &mut App, keys: &str) {
    keys.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

fn snapshot(app: &mut App, report: Report, fetched_at: &str) {
    let snapshot = FeedSnapshot {
        report: report.into(),
        fetched_at: at(fetched_at),
        source_label: "test".to_string(),
        problems: Vec::new(),
        out_of_scope: 0,
        from_store: false,
        stored: None,
        figures: None,
    };
    app.on_feed(FeedEvent::Snapshot(Box::new(snapshot)));
}

/// Cells at which a column separator stands, as a terminal in `amb` places them.
fn separators(line: &str, amb: AmbiguousWidth) -> Vec<usize> {
    let mut x = 0;
    let mut at = Vec::new();
    for g in line.graphemes(true) {
        if g == "│" || g == "|" {
            at.push(x);
        }
        x += grapheme_width(g, amb);
    }
    at
}

/// The same report with changed counts, so the next snapshot marks them.
fn with_changes(mut report: Report) -> Report {
    report.rows[0].inpatients = report.rows[0].inpatients.map(|v| v + 1);
    report.rows[1].ready = report.rows[1].ready.map(|v| v + 12);
    report.rows[3].secured = report.rows[3].secured.map(|v| v + 2);
    report
}

#[test]
fn columns_do_not_move_when_change_marks_appear() {
    for amb in WIDTHS {
        for (width, height) in [(80, 24), (120, 40), (200, 50)] {
            let mut app = app_of(DEMO, amb);
            let before = draw(&mut app, width, height);
            snapshot(&mut app, with_changes(read(DEMO)), "2026/11/01 09:10");
            assert!(!app.changes.rows.is_empty(), "the snapshot marks changes");
            let after = draw(&mut app, width, height);
            assert!(after.iter().any(|l| l.contains('▴')), "{after:#?}");
            assert_eq!(
                before[column_header_at(&before)..body_top(&before)],
                after[column_header_at(&after)..body_top(&after)],
                "{width}x{height} {amb:?}"
            );
            let (from_b, from_a) = (body_top(&before), body_top(&after));
            for (b, a) in before[from_b..].iter().zip(&after[from_a..]) {
                if separators(a, amb).is_empty() {
                    continue;
                }
                assert_eq!(separators(b, amb), separators(a, amb), "|{b}|\n|{a}|");
            }
        }
    }
}

#[test]
fn columns_never_narrow_while_the_dashboard_runs() {
    let mut report = read(SEED);
    report.rows[0].secured = Some(123_456);
    let mut app = app_with(report, AmbiguousWidth::Narrow);
    let wide = column_header(&draw(&mut app, 120, 40));
    // A snapshot without the big value, and a filter, shrink the totals.
    snapshot(&mut app, read(SEED), "2026/11/01 09:10");
    press(&mut app, "1");
    let later = column_header(&draw(&mut app, 120, 40));
    assert_eq!(wide, later);
    // Another view kind starts with widths of its own.
    app.update(bedboard::ui::keymap::Action::NextView);
    assert_eq!(app.kind, ViewKind::ByArea);
    let summary = column_header(&draw(&mut app, 120, 40));
    assert_ne!(
        separators(&summary, AmbiguousWidth::Narrow),
        separators(&wide, AmbiguousWidth::Narrow)
    );
}

#[test]
fn free_beds_age_and_status_stay_on_an_80_column_screen() {
    let mut big = read(DEMO);
    big.rows[0].secured = Some(1_234_567);
    big.rows[0].ready = Some(1_234_567);
    for report in [read(DEMO), read(SEED), big] {
        for amb in WIDTHS {
            let mut app = app_with(report.clone(), amb);
            let header = column_header(&draw(&mut app, 80, 24));
            for name in ["空床", "経過", "状態"] {
                assert!(header.contains(name), "{name} missing: |{header}|");
            }
        }
    }
}

#[test]
fn places_dates_and_codes_give_way_before_the_name_narrows() {
    let mut app = app_of(DEMO, AmbiguousWidth::Narrow);
    let header = column_header(&draw(&mut app, 120, 40));
    assert!(!header.contains("市区町村"), "|{header}|");
    let name_end = separators(&header, AmbiguousWidth::Narrow)[0];
    assert!(name_end > 30, "the name keeps its room: |{header}|");
}

#[test]
fn the_name_column_takes_at_most_40_cells_on_a_wide_screen() {
    for amb in WIDTHS {
        let mut app = app_of(DEMO, amb);
        let header = column_header(&draw(&mut app, 200, 50));
        let name_end = separators(&header, amb)[0];
        assert_eq!(name_end, 2 + 40 + 1, "|{header}|");
        assert!(
            header.contains("二次医療圏名"),
            "the room goes to columns: |{header}|"
        );
    }
}

#[test]
fn marks_show_columns_hidden_to_either_side() {
    let mut app = app_of(DEMO, AmbiguousWidth::Narrow);
    let header = column_header(&draw(&mut app, 80, 24));
    assert!(
        header.ends_with('>') && !header.starts_with('<'),
        "|{header}|"
    );
    key(&mut app, KeyCode::Right);
    let header = column_header(&draw(&mut app, 80, 24));
    assert!(
        header.starts_with('<') && header.ends_with('>'),
        "|{header}|"
    );
    assert!(
        !header.contains("確保"),
        "確保病床 scrolled off: |{header}|"
    );
    // Everything fits on a very wide screen: no mark.
    let mut app = app_of(SEED, AmbiguousWidth::Narrow);
    let header = column_header(&draw(&mut app, 400, 30));
    assert!(!header.trim_end().ends_with('>'), "|{header}|");
}

#[test]
fn headers_wrap_only_between_words() {
    for amb in WIDTHS {
        for width in [60, 80, 100, 120, 160, 200] {
            let mut app = app_of(DEMO, amb);
            for _ in 0..16 {
                let lines = draw(&mut app, width, 24);
                // A word cut across the two lines leaves its start, then padding, on the first.
                let first = &lines[column_header_at(&lines)];
                for start in ["確保病 ", "即応病 ", "医療機関コ ", "報告日 ", "二次医療 "]
                {
                    assert!(!first.contains(start), "{width} {amb:?}: |{first}|");
                }
                key(&mut app, KeyCode::Right);
            }
        }
    }
}

#[test]
fn numbers_are_never_cut() {
    let mut report = read(SEED);
    report.rows[0].secured = Some(1_234_567);
    report.rows[0].ready = Some(1_234_567);
    for amb in WIDTHS {
        for width in [80, 120, 200] {
            let mut app = app_with(report.clone(), amb);
            let screen = draw(&mut app, width, 30).join("\n");
            assert!(screen.contains(" 1234567 "), "{width} {amb:?}\n{screen}");
            assert!(screen.contains("1234595"), "the total is whole:\n{screen}");
            assert!(!screen.contains('#'), "no overflow mark needed:\n{screen}");
        }
    }
}

#[test]
fn the_bed_total_row_shows_only_under_bed_views() {
    let mut app = app_of(SEED, AmbiguousWidth::Narrow);
    let mut seen = Vec::new();
    for _ in 0..6 {
        let screen = draw(&mut app, 80, 24).join("\n");
        seen.push((app.kind, screen.contains("総計（")));
        app.update(bedboard::ui::keymap::Action::NextView);
    }
    assert_eq!(
        seen,
        [
            (ViewKind::Rows, true),
            (ViewKind::ByArea, true),
            (ViewKind::ByMunicipality, true),
            (ViewKind::ChangeLog, false),
            (ViewKind::HospitalMaster, false),
            (ViewKind::MunicipalityMaster, false),
        ]
    );
}

#[test]
fn choosing_a_sort_shows_the_top_of_the_sorted_list() {
    for keys in ["s", "ss", "sS"] {
        let mut app = app_of(DEMO, AmbiguousWidth::Narrow);
        draw(&mut app, 80, 24);
        press(&mut app, "G");
        assert!(app.scroll > 0);
        press(&mut app, keys);
        assert_eq!((app.selected, app.scroll), (0, 0), "after {keys}");
        let first = app.prepared.view.order[0];
        assert_eq!(app.selected_row(), Some(first));
    }
    // A sort from the config file too.
    let mut app = app_of(DEMO, AmbiguousWidth::Narrow);
    draw(&mut app, 80, 24);
    press(&mut app, "G");
    let view = SavedView {
        sort: Some(SortKey {
            column: Column::Free,
            direction: SortDirection::Descending,
        }),
        ..app.saved_view()
    };
    app.apply_view(&view);
    assert_eq!((app.selected, app.scroll), (0, 0));
}

#[test]
fn a_data_refresh_keeps_the_selected_hospital() {
    let mut app = app_of(DEMO, AmbiguousWidth::Narrow);
    draw(&mut app, 80, 24);
    press(&mut app, "jjjjj");
    let code = app.report().rows[app.selected_row().expect("a row")].hospital_code;
    let mut report = read(DEMO);
    report.rows.remove(0); // every later hospital moves up a line in the file
    snapshot(&mut app, report, "2026/11/01 09:10");
    let now = app.report().rows[app.selected_row().expect("a row")].hospital_code;
    assert_eq!(now, code);
}

/// Every terminal cell of the selected row is drawn in the selection's style.
#[test]
fn the_selected_row_is_drawn_full_width_in_both_modes() {
    for amb in WIDTHS {
        for width in [80u16, 120, 200] {
            let mut app = app_of(AMBIGUOUS, amb);
            let lines = draw(&mut app, width, 30);
            let buf = buffer(&mut app, width, 30);
            let y = body_top(&lines) as u16;
            let mut x = 0;
            let mut covered = 0;
            while x < width {
                let cell = &buf[(x, y)];
                let cells = match cell.diff_option {
                    CellDiffOption::ForcedWidth(w) => w.get(),
                    _ => grapheme_width(cell.symbol(), amb).max(1) as u16,
                };
                assert!(
                    cell.modifier.contains(Modifier::REVERSED),
                    "{amb:?} {width}: cell {x} |{}| not selected",
                    cell.symbol()
                );
                covered += cells;
                x += cells;
            }
            assert_eq!(covered, width, "{amb:?}");
        }
    }
}

/// Bytes the dashboard's backend sends to turn one frame into the next.
fn bytes_between(before: &Buffer, after: &Buffer) -> usize {
    use bedboard::ui::backend::TrackingBackend;
    use ratatui::backend::Backend;
    let mut sent = Vec::new();
    {
        let mut backend = TrackingBackend::new(&mut sent);
        backend
            .draw(before.diff(after).into_iter())
            .expect("writing to memory");
        Backend::flush(&mut backend).expect("writing to memory");
    }
    sent.len()
}

#[test]
fn a_live_update_that_changes_marks_repaints_only_the_changed_cells() {
    for amb in WIDTHS {
        let mut app = app_of(DEMO, amb);
        let before = buffer(&mut app, 200, 50);
        snapshot(&mut app, with_changes(read(DEMO)), NOW);
        let after = buffer(&mut app, 200, 50);
        let marks = (0..50)
            .map(|y| row_text(&after, y))
            .filter(|line| line.contains('▴'))
            .count();
        assert_eq!(marks, 3, "the changed rows are on screen");
        let bytes = bytes_between(&before, &after);
        assert!(bytes < 1500, "{amb:?}: {bytes} bytes for one live update");
    }
}

#[test]
fn a_summary_keeps_its_totals_and_lets_its_blank_columns_go() {
    for amb in WIDTHS {
        let mut app = app_of(DEMO, amb);
        app.update(bedboard::ui::keymap::Action::NextView);
        let header = column_header(&draw(&mut app, 80, 24));
        for name in ["確保", "即応", "入院", "空床", "使用"] {
            assert!(header.contains(name), "{name} missing: |{header}|");
        }
        assert!(
            !header.contains("経過"),
            "blank on summary lines: |{header}|"
        );
    }
}

#[test]
fn a_screen_too_narrow_for_a_column_leaves_it_out_rather_than_cut() {
    let mut report = read(SEED);
    report.rows[0].secured = Some(1_234_567);
    for width in 20..40 {
        let mut app = app_with(report.clone(), AmbiguousWidth::Narrow);
        let lines = draw(&mut app, width, 24);
        let row = &app.report().rows[app.selected_row().expect("a row")];
        let values: Vec<String> = bedboard::view::display_columns(app.report())
            .into_iter()
            .map(|column| bedboard::view::cell_text(row, column, &app.spec))
            .collect();
        let line = &lines[body_top(&lines)];
        let cells = line.split_once('│').map_or("", |(_, cells)| cells);
        for token in cells.split(|c: char| c == '│' || c.is_whitespace()) {
            if token.starts_with(|c: char| c.is_ascii_digit()) {
                assert!(
                    values.iter().any(|v| v == token),
                    "{width}: {token} in |{line}|"
                );
            }
        }
    }
}

//! Screen tests: send keys to the dashboard, draw on ratatui's TestBackend,
//! and read the screen lines.

use std::path::Path;

use bedboard::cli::effects::Effects;
use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::text::width::{grapheme_width, AmbiguousWidth};
use bedboard::ui::app::{App, DisplayOptions, Effect};
use bedboard::ui::draw;
use bedboard::ui::keymap::Mode;
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use unicode_segmentation::UnicodeSegmentation;

const SEED: &str = "assets/sample/seed-tokyo.csv";
const AWKWARD: &str = "tests/fixtures/cp932-extensions.csv";

fn app_for(file: &str, amb: AmbiguousWidth, ascii: bool) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let import = formats::import_file(&path, &ImportOptions::default()).unwrap();
    let options = DisplayOptions {
        ambiguous: amb,
        ascii,
        theme: ThemeKind::Mono,
    };
    let spec = ViewSpec::new(parse_datetime("2022/02/01 12:00").unwrap());
    App::new(import.report, file.to_string(), false, options, spec)
}

fn seed() -> App {
    app_for(SEED, AmbiguousWidth::Narrow, false)
}

fn draw(app: &mut App, width: u16, height: u16) -> Vec<String> {
    let buffer = draw_buffer(app, width, height);
    (0..height).map(|y| row_text(&buffer, y)).collect()
}

fn draw_buffer(app: &mut App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    terminal.backend().buffer().clone()
}

/// Presses keys; returns the effects asked for, not yet done.
fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
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

/// Does the effects as the dashboard does (files, config, store) and gives
/// the app their answers.
fn settle(app: &mut App, effects: Vec<Effect>) {
    let (reply, mut replies) = tokio::sync::mpsc::unbounded_channel();
    let runner = Effects::default();
    for effect in effects {
        runner.perform(effect, &reply);
    }
    while let Ok(msg) = replies.try_recv() {
        assert!(app.on_message(msg).is_empty());
    }
}

fn screen(app: &mut App) -> String {
    draw(app, 80, 24).join("\n")
}

fn row_names(app: &App) -> Vec<String> {
    app.prepared
        .view
        .order
        .iter()
        .map(|&i| app.report().rows[i].hospital_name.to_string())
        .collect()
}

#[test]
fn the_first_screen_shows_totals_table_and_status_at_80x24() {
    let mut app = seed();
    let lines = draw(&mut app, 80, 24);
    assert!(
        lines[0].starts_with("レコード数 12  確保病床 30  即応病床 24  入院中 18  空床 6"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("範囲: 東京都"), "{}", lines[1]);
    assert!(
        lines[3].starts_with("確保病床 30"),
        "the chart: {}",
        lines[3]
    );
    let text = lines.join("\n");
    assert!(text.contains("医療機関名"));
    assert!(text.contains("東京都 病院1"));
    assert!(
        lines[22].contains("総計（12 件）") && lines[22].contains("30"),
        "{}",
        lines[22]
    );
    assert!(
        lines[23].starts_with("最新報告 2022/02/01 11:37（23分前）")
            && lines[23].contains("?:キー一覧"),
        "{}",
        lines[23]
    );
    for line in &lines {
        assert!(
            bedboard::text::width::str_width(line, AmbiguousWidth::Narrow) <= 80,
            "{line}"
        );
    }
}

#[test]
fn a_large_screen_shows_more_columns_at_200x50() {
    let mut app = seed();
    let small = screen(&mut app);
    let large = draw(&mut app, 200, 50).join("\n");
    assert!(!small.contains("報告日時"));
    assert!(large.contains("報告日時") && large.contains("2022/02/01 11:37"));
    assert!(
        large.contains("東京都 病院8"),
        "all 12 rows fit at 50 lines"
    );
}

#[test]
fn marks_are_symbols_and_words_not_colour_alone() {
    let mut app = seed();
    app.set_now(parse_datetime("2022/02/05 12:00").unwrap());
    let text = draw(&mut app, 120, 30).join("\n");
    let first = text.lines().find(|l| l.contains("東京都 病院1 ")).unwrap();
    assert!(first.starts_with('*'), "stale mark: {first}");
    assert!(
        first.contains("古い") && first.contains("機関コー"),
        "{first}"
    );
}

#[test]
fn s_moves_the_sort_and_capital_s_reverses_it() {
    let mut app = seed();
    press(&mut app, "ss"); // 医療機関名, then 確保病床 (largest first)
    assert!(screen(&mut app).contains("並べ替え: 確保病床 降順"));
    let names = row_names(&app);
    assert_eq!(
        &names[..3],
        ["東京都 病院2", "東京都 病院3", "東京都 病院7"],
        "stable for equal values"
    );
    press(&mut app, "S");
    assert!(screen(&mut app).contains("並べ替え: 確保病床 昇順"));
    assert_eq!(&row_names(&app)[..2], ["東京都 病院14", "東京都 病院16"]);
}

#[test]
fn search_jumps_and_filter_mode_hides_the_rest() {
    let mut app = seed();
    press(&mut app, "/びょういん");
    assert_eq!(app.mode, Mode::Search);
    assert!(screen(&mut app).contains("検索: びょういん_"));
    key(&mut app, KeyCode::Esc);
    press(&mut app, "/病院１６");
    key(&mut app, KeyCode::Enter);
    let selected = app.selected_row().unwrap();
    assert_eq!(&*app.report().rows[selected].hospital_name, "東京都 病院16");
    press(&mut app, "f");
    let text = screen(&mut app);
    assert!(text.contains("レコード数 1 / 12"), "{text}");
    assert!(text.contains("絞り込み: 「病院１６」"));
    press(&mut app, "f");
    assert!(screen(&mut app).contains("レコード数 12 "));
}

#[test]
fn n_and_capital_n_walk_the_matches() {
    let mut app = seed();
    press(&mut app, "/病院1");
    key(&mut app, KeyCode::Enter);
    let name = |app: &App| {
        app.report().rows[app.selected_row().unwrap()]
            .hospital_name
            .to_string()
    };
    assert_eq!(name(&app), "東京都 病院1");
    press(&mut app, "n");
    assert_eq!(name(&app), "東京都 病院10");
    press(&mut app, "n");
    assert_eq!(name(&app), "東京都 病院14");
    press(&mut app, "N");
    assert_eq!(name(&app), "東京都 病院10");
    press(&mut app, "/該当なし");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app).contains("「該当なし」は見つかりません"));
}

#[test]
fn one_key_filters() {
    let mut app = seed();
    press(&mut app, "1");
    assert!(screen(&mut app).contains("レコード数 6 / 12"));
    assert!(screen(&mut app).contains("絞り込み: 空床あり"));
    press(&mut app, "1");
    press(&mut app, "2");
    assert!(
        screen(&mut app).contains("レコード数 0 / 12"),
        "28 minutes old: none stale"
    );
    app.set_now(parse_datetime("2022/02/05 12:00").unwrap());
    assert!(
        screen(&mut app).contains("レコード数 12  "),
        "days later: all stale"
    );
    press(&mut app, "3");
    assert!(screen(&mut app).contains("レコード数 0 / 12"));
    assert!(screen(&mut app).contains("該当する行はありません"));
}

#[test]
fn grouping_with_the_gmis_toggles() {
    let mut app = seed();
    press(&mut app, "vvv"); // 都道府県 → 二次医療圏 → 市区町村
    let text = draw(&mut app, 100, 40).join("\n");
    assert!(text.contains("グループ: 市区町村"));
    assert!(
        text.contains("[千代田区 (11)]") && text.contains("[中央区 (1)]"),
        "{text}"
    );
    assert_eq!(text.matches("小計（").count(), 2);
    press(&mut app, "c");
    assert!(draw(&mut app, 100, 40).join("\n").contains("[千代田区]"));
    press(&mut app, "t");
    assert_eq!(
        draw(&mut app, 100, 40).join("\n").matches("小計（").count(),
        0
    );
    press(&mut app, "d");
    let text = draw(&mut app, 100, 40).join("\n");
    assert!(!text.contains("東京都 病院1 "), "detail rows hidden");
    press(&mut app, "T");
    assert!(!draw(&mut app, 100, 40).join("\n").contains("総計（"));
}

#[test]
fn enter_opens_the_row_and_esc_goes_back() {
    let mut app = seed();
    press(&mut app, "j");
    key(&mut app, KeyCode::Enter);
    let text = draw(&mut app, 100, 30).join("\n");
    assert!(
        text.contains("1310170043") && text.contains("最新の報告"),
        "{text}"
    );
    assert!(
        text.contains("確保病床 2  即応病床 1  入院中 1  空床 0"),
        "{text}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Table);
    assert!(!draw(&mut app, 100, 30).join("\n").contains("最新の報告"));
    assert_eq!(app.selected, 1, "back on the same row");
}

#[test]
fn question_mark_lists_every_key() {
    let mut app = seed();
    press(&mut app, "?");
    // What does not fit scrolls: every key is seen on the way down.
    let mut text = draw(&mut app, 100, 30).join("\n");
    assert!(text.contains("Down Up でスクロール"), "{text}");
    for _ in 0..3 {
        key(&mut app, KeyCode::PageDown);
        text.push_str(&draw(&mut app, 100, 30).join("\n"));
    }
    assert!(
        text.contains("病床一覧 → 二次医療圏別 → 市区町村別 → 変更履歴 →")
            && text.contains("医療機関マスタ → 自治体マスタ"),
        "every view the Tab key shows"
    );
    for (_, fixed) in bedboard::ui::keymap::FIXED_KEYS {
        for (keys, what) in *fixed {
            assert!(text.contains(keys) && text.contains(what), "{keys} {what}");
        }
    }
    for (keys, what) in app.keys.help() {
        assert!(
            text.contains(&keys) && text.contains(what),
            "{keys} {what} missing from help"
        );
    }
}

#[test]
fn q_asks_before_quitting() {
    let mut app = seed();
    press(&mut app, "q");
    assert!(screen(&mut app).contains("終了しますか"));
    press(&mut app, "x");
    assert!(!app.should_quit);
    press(&mut app, "n");
    assert!(!screen(&mut app).contains("終了しますか"));
    press(&mut app, "qy");
    assert!(app.should_quit);
}

#[test]
fn the_chart_hides_by_key_and_on_a_short_terminal() {
    let mut app = seed();
    assert!(draw(&mut app, 80, 24)[3].starts_with("確保病床"));
    assert!(!draw(&mut app, 80, 16)[3].starts_with("確保病床"));
    press(&mut app, "b");
    assert!(!draw(&mut app, 80, 24)[3].starts_with("確保病床"));
}

#[test]
fn the_name_column_stays_while_columns_scroll() {
    let mut app = seed();
    let before = draw(&mut app, 80, 24);
    press(&mut app, "lll");
    let after = draw(&mut app, 80, 24);
    let header = 6; // three header lines, three chart lines
    assert!(
        before[header].contains("確保") && !after[header].contains("確保"),
        "{}",
        after[header]
    );
    assert!(after[header].contains("医療機関名") && after[header].contains("空床"));
    assert!(after.join("\n").contains("東京都 病院1"));
}

#[test]
fn moving_keys() {
    let mut app = seed();
    press(&mut app, "G");
    assert_eq!(app.selected, 11);
    press(&mut app, "g");
    assert_eq!(app.selected, 0);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 0, "Up stops at the first line");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 2);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 1, "Up moves one line back");
    app.page_rows = 5;
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, 6);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected, 1);
    key(&mut app, KeyCode::End);
    assert_eq!(app.selected, 11);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 11, "Down stops at the last line");
    key(&mut app, KeyCode::Home);
    assert_eq!(app.selected, 0);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 0, "Up stops at the first line");
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected, 11, "Down stops at the last line");
}

/// What a terminal shows after the frame's updates, placing each character
/// with its width in the given ambiguous mode, following the cursor the way
/// ratatui's crossterm backend drives it (a move only where cells are not adjacent).
fn replay(buffer: &Buffer, amb: AmbiguousWidth) -> Vec<Vec<(usize, String)>> {
    let area = buffer.area;
    let empty = Buffer::empty(area);
    let mut rows: Vec<Vec<(usize, String)>> = vec![Vec::new(); usize::from(area.height)];
    let mut last: Option<(u16, u16)> = None;
    let mut cursor = (0usize, 0usize);
    for (x, y, cell) in empty.diff(buffer) {
        if !matches!(last, Some((lx, ly)) if x == lx + 1 && y == ly) {
            cursor = (usize::from(x), usize::from(y));
        }
        last = Some((x, y));
        let symbol = cell.symbol();
        rows[cursor.1].push((cursor.0, symbol.to_string()));
        cursor.0 += symbol
            .graphemes(true)
            .map(|g| grapheme_width(g, amb))
            .sum::<usize>();
    }
    rows
}

fn separator_columns(row: &[(usize, String)], separator: &str) -> Vec<usize> {
    row.iter()
        .filter(|(_, s)| s == separator)
        .map(|(x, _)| *x)
        .collect()
}

#[test]
fn columns_align_on_a_terminal_with_the_chosen_ambiguous_width() {
    for (amb, ascii, separator) in [
        (AmbiguousWidth::Narrow, false, "│"),
        (AmbiguousWidth::Wide, false, "|"),
        (AmbiguousWidth::Narrow, true, "|"),
    ] {
        let mut app = app_for(AWKWARD, amb, ascii);
        let buffer = draw_buffer(&mut app, 120, 24);
        let rows = replay(&buffer, amb);
        let header_y = 6; // three header lines, three chart lines
        let expected = separator_columns(&rows[header_y], separator);
        assert!(expected.len() > 5, "{amb:?}: {:?}", rows[header_y]);
        let texts: Vec<String> = (0..24).map(|y| row_text(&buffer, y)).collect();
        for (y, row) in rows.iter().enumerate() {
            let found = separator_columns(row, separator);
            if !found.is_empty() {
                assert_eq!(
                    found, expected,
                    "{amb:?} ascii={ascii}, line {y}: {}",
                    texts[y]
                );
            }
        }
        let all = texts.join("\n");
        assert!(all.contains("ｸﾞﾘｰﾝ") || all.contains("①髙﨑会"), "{all}");
        assert!(all.contains("Ⅱ号館 ※東京病院"), "{all}");
        if amb == AmbiguousWidth::Wide || ascii {
            assert!(
                !all.contains(['│', '─', '┌']),
                "box drawing only in narrow mode"
            );
        }
    }
}

#[test]
fn tab_moves_between_the_list_and_the_area_and_municipality_summaries() {
    let mut app = app_for("assets/demo/report.csv", AmbiguousWidth::Narrow, false);
    key(&mut app, KeyCode::Tab);
    let text = draw(&mut app, 120, 40).join("\n");
    assert!(text.contains("[二次医療圏別]"), "{text}");
    assert!(
        text.contains("二次医療圏") && text.contains("1301 区中央部（"),
        "{text}"
    );
    assert_eq!(app.prepared.line_count(), 13, "one line per area of Tokyo");
    // Sorting a summary view orders the areas by their totals.
    press(&mut app, "ss");
    let first = app.prepared.view.groups[match app.prepared.line(0).unwrap() {
        bedboard::ui::app::TableLine::Summary(g) => g,
        other => panic!("{other:?}"),
    }]
    .clone();
    let most = app
        .prepared
        .view
        .groups
        .iter()
        .map(|g| g.totals.secured)
        .max()
        .unwrap();
    assert_eq!(first.totals.secured, most);
    // Enter opens that area in the list, grouped by area.
    key(&mut app, KeyCode::Enter);
    let text = draw(&mut app, 120, 40).join("\n");
    assert!(
        text.contains("[病床一覧]") && text.contains("グループ: 二次医療圏"),
        "{text}"
    );
    assert!(text.contains(&format!("[{} (", first.label)), "{text}");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert!(draw(&mut app, 120, 40).join("\n").contains("[市区町村別]"));
    let mut municipalities: Vec<&str> = app
        .report()
        .rows
        .iter()
        .map(|r| r.municipality_code.as_str())
        .collect();
    municipalities.sort_unstable();
    municipalities.dedup();
    assert_eq!(
        app.prepared.line_count(),
        municipalities.len(),
        "one line per municipality"
    );
}

#[test]
fn w_saves_the_view_and_a_new_start_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "# 既存の設定\n[display]\nascii = true\n").unwrap();
    let mut app = seed();
    app.config_path = Some(path.clone());
    press(&mut app, "ssv1b");
    let effects = press(&mut app, "w");
    settle(&mut app, effects);
    assert!(
        screen(&mut app).contains("既定の表示を保存しました"),
        "{}",
        screen(&mut app)
    );
    let config = bedboard::config::load(Some(&path)).unwrap();
    assert!(config.ascii, "the rest of the file is kept");
    let mut restarted = seed();
    restarted.apply_view(&config.view);
    let text = draw(&mut restarted, 100, 30).join("\n");
    assert!(
        text.contains("並べ替え: 確保病床 降順  絞り込み: 空床あり  グループ: 都道府県"),
        "{text}"
    );
    assert!(text.contains("絞り込み: 空床あり"));
    assert!(
        !text.lines().nth(3).unwrap().starts_with("確保病床"),
        "chart stays hidden"
    );
}

#[test]
fn keys_rebound_in_the_config_work_and_show_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[keys]\nquit = \"Q\"\nnext_sort = [\"o\", \"F2\"]\n").unwrap();
    let config = bedboard::config::load(Some(&path)).unwrap();
    let mut app = seed();
    app.keys = bedboard::ui::keymap::KeyMap::for_config(&config.keys).unwrap();
    press(&mut app, "q");
    assert_eq!(app.mode, Mode::Table, "q is no longer quit");
    press(&mut app, "o");
    assert!(screen(&mut app).contains("並べ替え: 医療機関名"));
    press(&mut app, "Q");
    assert!(screen(&mut app).contains("終了しますか"));
    press(&mut app, "n?");
    let text = draw(&mut app, 100, 40).join("\n");
    assert!(text.contains("o / F2") && text.contains("Q:終了"), "{text}");
}

#[test]
fn e_exports_what_is_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = seed();
    app.export_folder = dir.path().to_path_buf();
    press(&mut app, "1"); // 空床あり only: 6 of 12
    press(&mut app, "e");
    let text = draw(&mut app, 100, 30).join("\n");
    assert!(
        text.contains("[詳細のみ]") && text.contains("[Shift-JIS]"),
        "{text}"
    );
    assert!(
        text.contains("bedboard-") && text.contains(".csv"),
        "{text}"
    );
    let effects = key(&mut app, KeyCode::Enter);
    settle(&mut app, effects);
    let message = draw(&mut app, 120, 30).join("\n");
    assert!(message.contains("6 行を書き出しました"), "{message}");
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "one file, no temporary left: {written:?}");
    let import = formats::import_file(&written[0], &ImportOptions::default()).unwrap();
    assert_eq!(import.report.rows.len(), 6);
    assert!(import
        .report
        .rows
        .iter()
        .all(|r| r.free_beds().unwrap() > 0));

    // A folder that cannot be written: the dialog stays with the reason.
    press(&mut app, "e");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    for _ in 0..200 {
        key(&mut app, KeyCode::Backspace);
    }
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    press(&mut app, &format!("{}/out.csv", blocked.display()));
    let effects = key(&mut app, KeyCode::Enter);
    settle(&mut app, effects);
    assert_eq!(app.mode, Mode::Export);
    let text = draw(&mut app, 120, 30).join("\n");
    assert!(text.contains("書き出し（今の表示のまま）"), "{text}");
    assert!(app.export_dialog.as_ref().unwrap().error.is_some());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Table);
}

#[test]
fn the_hospital_page_puts_phones_first_and_draws_the_history() {
    use bedboard::demo::generator::{demo_master_csv, demo_report};
    use bedboard::store::{FetchRecord, Store};
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("history.sqlite3");
    let now = parse_datetime("2026/11/01 09:00").unwrap();
    let mut report = demo_report(&now);
    let code = report.rows[0].hospital_code;
    {
        // Ten days of history in which the first hospital's beds fill up.
        let mut store = Store::open(&store_path).unwrap();
        for day in (0..10).rev() {
            let at = now - chrono::Duration::days(day);
            report.rows[0].inpatients = report.rows[0].ready.map(|r| r.saturating_sub(day as u32));
            report.rows[0].reported_at = at;
            let fetch = FetchRecord {
                source: "test".into(),
                fetched_at: at,
                content_hash: format!("{day}"),
                rows_accepted: report.rows.len(),
                rows_rejected: 0,
                rows_out_of_scope: 0,
                error: None,
            };
            store.record_fetch(&fetch, Some(&report)).unwrap();
        }
    }
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Wide,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let mut app = App::new(report, "demo".into(), false, options, ViewSpec::new(now));
    let master = bedboard::master::import_hospital_master(
        demo_master_csv().as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    app.set_masters(Some(master.master), None, now);
    app.store_path = Some(store_path);
    let effects = app.open_page(code);
    assert!(
        draw(&mut app, 120, 40)
            .join("\n")
            .contains("履歴を読み込み中…"),
        "the page opens before its history is read"
    );
    settle(&mut app, effects);
    let text = draw(&mut app, 120, 40).join("\n");
    let phone_line = text
        .lines()
        .position(|l| l.contains("電話（"))
        .expect("a phone line");
    let report_line = text.lines().position(|l| l.contains("最新の報告")).unwrap();
    assert!(phone_line < report_line, "phones come first:\n{text}");
    assert!(text.contains("30 日の推移"), "{text}");
    assert!(
        text.chars().any(|c| ('\u{2801}'..='\u{28FF}').contains(&c)),
        "a Braille chart:\n{text}"
    );
    assert!(
        text.contains("1日あたり") || text.contains("1週間あたり"),
        "{text}"
    );
    let copied = match key(&mut app, KeyCode::Char('c')).as_slice() {
        [Effect::Copy(text)] => text.clone(),
        other => panic!("a number to copy: {other:?}"),
    };
    assert!(
        copied.chars().all(|c| c.is_ascii_digit()) && copied.len() >= 10,
        "{copied}"
    );
    // What is known is said, and the number is shown large, until the next key.
    assert_eq!(
        app.notice_text(),
        Some("端末へ送りました（端末が OSC 52 を許可していればクリップボードに入ります）")
    );
    let text = draw(&mut app, 120, 40).join("\n");
    let large: String = copied
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    assert!(text.contains("何かキーを押すと閉じます"), "{text}");
    assert!(text.replace('\u{3000}', "").contains(&large), "{text}");
    key(&mut app, KeyCode::Tab);
    let text = draw(&mut app, 120, 40).join("\n");
    assert!(!text.contains("何かキーを押すと閉じます"), "{text}");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Table);
}

#[test]
fn master_lists_search_and_open() {
    let mut app = app_for("assets/demo/report.csv", AmbiguousWidth::Narrow, false);
    let master = bedboard::master::import_hospital_master(
        bedboard::demo::generator::demo_master_csv().as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap();
    app.set_masters(Some(master.master), None, now_for_tests());
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    let text = draw(&mut app, 140, 40).join("\n");
    assert!(text.contains("[医療機関マスタ]"), "{text}");
    assert!(
        text.contains("500 件・並び替え: 医療機関コード・更新:"),
        "{text}"
    );
    press(&mut app, "/ｸﾞﾘｰﾝ");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "f");
    let text = draw(&mut app, 140, 40).join("\n");
    assert!(
        text.contains("1 / 500 件") && text.contains("ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Page);
    let text = draw(&mut app, 140, 40).join("\n");
    assert!(
        text.contains("電話（代表）") && text.contains("診療所"),
        "{text}"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Tab);
    let text = draw(&mut app, 140, 40).join("\n");
    assert!(
        text.contains("自治体マスタが読み込まれていません"),
        "{text}"
    );
}

fn now_for_tests() -> bedboard::model::JstDateTime {
    parse_datetime("2022/02/01 12:00").unwrap()
}

/// The key list ends with how the screen is drawn: the ambiguous width and the
/// terminal's character set, and how each was chosen.
#[test]
fn the_help_says_how_the_screen_is_drawn() {
    let mut app = app_for("assets/sample/seed-tokyo.csv", AmbiguousWidth::Wide, false);
    app.display_note = "曖昧幅 2 セル（端末に確認）・文字コード UTF-8".to_string();
    press(&mut app, "?");
    draw(&mut app, 80, 24);
    press(&mut app, "G");
    let text = draw(&mut app, 80, 24).join("\n");
    assert!(text.contains("この端末での表示"), "{text}");
    assert!(text.contains("曖昧幅 2 セル（端末に確認）"), "{text}");
}

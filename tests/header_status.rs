//! The top and bottom of the dashboard: totals always whole, a failing feed on
//! a line of its own until the next success, alerts beside the totals, notices
//! that give way, and a status line of whole items.

mod byte_sink;

use std::path::Path;

use byte_sink::Sink;

use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::model::{JstDateTime, Report};
use bedboard::poll::poller::{FeedEvent, FeedSnapshot};
use bedboard::text::width::{str_width, AmbiguousWidth, CUT_MARK};
use bedboard::ui::app::{App, DisplayOptions};
use bedboard::ui::backend::TrackingBackend;
use bedboard::ui::draw;
use bedboard::ui::keymap::Action;
use bedboard::ui::notice::NOTICE_SECONDS;
use bedboard::ui::painter::row_text;
use bedboard::ui::status_line::status_items;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::changes::WatchAlert;
use bedboard::view::ViewSpec;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const SEED: &str = "assets/sample/seed-tokyo.csv";
const WIDTHS: [AmbiguousWidth; 2] = [AmbiguousWidth::Narrow, AmbiguousWidth::Wide];
const REASON: &str = "接続できません（127.0.0.1:8787）";

fn at(text: &str) -> JstDateTime {
    parse_datetime(text).unwrap()
}

fn seed_report() -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    formats::import_file(&path, &ImportOptions::default())
        .unwrap()
        .report
}

fn app_with(report: Report, amb: AmbiguousWidth) -> App {
    let options = DisplayOptions {
        ambiguous: amb,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let now = at("2022/02/01 12:00");
    let mut app = App::new(report, SEED.to_string(), false, options, ViewSpec::new(now));
    app.loaded_at = now;
    app
}

/// Totals of seven digits: 1,234,567 beds and more.
fn seven_digit_report() -> Report {
    let mut report = seed_report();
    report.rows[0].secured = Some(1_234_567);
    report.rows[0].ready = Some(1_200_000);
    report.rows[0].inpatients = Some(1_100_000);
    report
}

/// A polled feed: fetched at 11:40, failing since 11:45 (three tries), now 12:00.
fn failing_feed(amb: AmbiguousWidth) -> App {
    let mut app = app_with(seed_report(), amb);
    app.feed.live = true;
    app.on_feed(FeedEvent::Unchanged {
        at: at("2022/02/01 11:40"),
    });
    for minute in ["11:45", "11:46", "11:48"] {
        app.on_feed(FeedEvent::Failed {
            at: at(&format!("2022/02/01 {minute}")),
            message: REASON.to_string(),
        });
    }
    app
}

fn draw_lines(app: &mut App, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw::draw(frame, app)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height).map(|y| row_text(buffer, y)).collect()
}

/// The items of a line laid out by the header or the status line.
fn pieces(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn seven_digit_totals_are_whole_at_80_columns_and_wider() {
    for amb in WIDTHS {
        let mut app = app_with(seven_digit_report(), amb);
        let items = app.prepared.view.summary_items();
        assert!(items.contains(&"確保病床 1234595".to_string()), "{items:?}");
        for width in [80, 81, 100, 120, 160, 200] {
            let lines = draw_lines(&mut app, width, 30);
            let totals: Vec<String> = lines
                .iter()
                .take_while(|line| !line.starts_with('['))
                .flat_map(|line| pieces(line))
                .collect();
            assert_eq!(totals, items, "{amb:?} at {width}:\n{}", lines.join("\n"));
        }
    }
}

#[test]
fn below_80_columns_the_totals_are_whole_items_and_say_some_are_hidden() {
    for amb in WIDTHS {
        let mut app = app_with(seven_digit_report(), amb);
        let items = app.prepared.view.summary_items();
        for width in [20, 30, 40] {
            let lines = draw_lines(&mut app, width, 24);
            let shown: Vec<String> = lines[..2].iter().flat_map(|l| pieces(l)).collect();
            let (mark, whole) = shown.split_last().unwrap();
            assert_eq!(mark, &CUT_MARK.to_string(), "{amb:?} at {width}: {lines:?}");
            assert!(!whole.is_empty(), "{amb:?} at {width}: {lines:?}");
            assert_eq!(whole, &items[..whole.len()], "{amb:?} at {width}");
        }
    }
}

#[test]
fn a_failing_feed_says_since_when_and_how_often_whole_at_80_columns() {
    for amb in WIDTHS {
        let mut app = failing_feed(amb);
        let lines = draw_lines(&mut app, 80, 24);
        assert!(lines[0].starts_with("レコード数 12"), "{}", lines[0]);
        assert_eq!(
            lines[1].trim_end(),
            "【取得失敗】11:45 から取得できていません（3 回失敗）:",
            "{amb:?}"
        );
        assert_eq!(
            lines[2].trim_end(),
            format!("{REASON}  表示中のデータ: 11:40 取得（20分前）"),
            "{amb:?}: the reason whole on the next line"
        );
        for line in &lines {
            assert_eq!(str_width(line, amb), 80, "{amb:?}: {line}");
        }
        // Wide enough, it is one line.
        let lines = draw_lines(&mut app, 200, 50);
        assert!(
            lines[1].starts_with(&format!(
                "【取得失敗】11:45 から取得できていません（3 回失敗）: {REASON}  表示中のデータ"
            )),
            "{}",
            lines[1]
        );
    }
}

#[test]
fn the_age_of_the_data_counts_up_while_the_feed_fails() {
    let mut app = failing_feed(AmbiguousWidth::Narrow);
    let text = draw_lines(&mut app, 80, 24).join("\n");
    assert!(text.contains("11:40 取得（20分前）"), "{text}");
    app.set_now(at("2022/02/01 12:07"));
    let text = draw_lines(&mut app, 80, 24).join("\n");
    assert!(text.contains("11:40 取得（27分前）"), "{text}");
    assert!(text.contains("最終取得 11:40（27分前）"), "{text}");
}

#[test]
fn a_failure_that_began_on_another_day_names_the_day() {
    let mut app = failing_feed(AmbiguousWidth::Narrow);
    app.set_now(at("2022/02/02 09:00"));
    let text = draw_lines(&mut app, 120, 30).join("\n");
    assert!(text.contains("【取得失敗】02/01 11:45 から"), "{text}");
}

#[test]
fn the_failure_line_goes_at_the_next_success_and_not_before() {
    let mut app = failing_feed(AmbiguousWidth::Narrow);
    // Data another process stored is no proof that this feed works.
    let snapshot = FeedSnapshot {
        report: seed_report().into(),
        fetched_at: at("2022/02/01 11:50"),
        source_label: SEED.to_string(),
        problems: Vec::new(),
        out_of_scope: 0,
        from_store: true,
        stored: Some(true),
        figures: None,
    };
    app.on_feed(FeedEvent::Snapshot(Box::new(snapshot)));
    assert!(draw_lines(&mut app, 80, 24)
        .join("\n")
        .contains("【取得失敗】"));
    app.on_feed(FeedEvent::Unchanged {
        at: at("2022/02/01 11:55"),
    });
    let lines = draw_lines(&mut app, 80, 24);
    assert!(!lines.join("\n").contains("【取得失敗】"), "{lines:?}");
    assert!(lines[1].starts_with("[病床一覧]"), "{}", lines[1]);
}

#[test]
fn a_notice_never_hides_the_failure_and_gives_way_after_a_few_seconds() {
    let mut app = failing_feed(AmbiguousWidth::Narrow);
    app.set_now(at("2022/02/01 12:00"));
    app.on_feed(FeedEvent::Notice(
        "2 行を取り込めませんでした（3 行目: 確保病床が数値ではありません）".to_string(),
    ));
    let lines = draw_lines(&mut app, 80, 24);
    assert!(
        lines[23].starts_with("2 行を取り込めませんでした"),
        "{}",
        lines[23]
    );
    assert!(lines[1].starts_with("【取得失敗】"), "{}", lines[1]);
    let posted = *app.now();
    app.set_now(posted + chrono::Duration::seconds(NOTICE_SECONDS - 1));
    assert!(draw_lines(&mut app, 80, 24)[23].starts_with("2 行を"));
    app.set_now(posted + chrono::Duration::seconds(NOTICE_SECONDS));
    let lines = draw_lines(&mut app, 80, 24);
    assert!(lines[23].starts_with("最終取得 11:40"), "{}", lines[23]);
    assert!(lines[1].starts_with("【取得失敗】"), "the state stays");
}

#[test]
fn a_key_dismisses_a_notice() {
    let mut app = app_with(seed_report(), AmbiguousWidth::Narrow);
    app.notify("既定の表示を保存しました");
    assert_eq!(app.notice_text(), Some("既定の表示を保存しました"));
    app.update(Action::Down);
    assert_eq!(app.notice_text(), None);
    assert!(draw_lines(&mut app, 80, 24)[23].starts_with("最新報告"));
}

#[test]
fn a_notice_waits_for_its_seconds_and_not_for_the_next_minute() {
    let mut app = app_with(seed_report(), AmbiguousWidth::Narrow);
    app.set_now(bedboard::model::time::now_jst());
    app.notify("書き出しました");
    let wait = app.until_next_change();
    assert!(
        wait <= std::time::Duration::from_secs(NOTICE_SECONDS as u64),
        "{wait:?}"
    );
}

#[test]
fn an_unwritable_store_is_shown_while_it_lasts() {
    let mut app = app_with(seed_report(), AmbiguousWidth::Narrow);
    app.feed.live = true;
    let snapshot = |stored, minute: &str| FeedSnapshot {
        report: seed_report().into(),
        fetched_at: at(&format!("2022/02/01 {minute}")),
        source_label: SEED.to_string(),
        problems: Vec::new(),
        out_of_scope: 0,
        from_store: false,
        stored: Some(stored),
        figures: None,
    };
    app.on_feed(FeedEvent::Snapshot(Box::new(snapshot(false, "11:50"))));
    app.on_feed(FeedEvent::Notice(
        "履歴ファイルに書き込めません（ディスクがいっぱいです）".to_string(),
    ));
    app.set_now(at("2022/02/01 12:01"));
    let lines = draw_lines(&mut app, 80, 24);
    assert_eq!(app.notice_text(), None, "the notice is over");
    assert!(
        lines[1].starts_with("【保存失敗】履歴に保存できていません"),
        "{}",
        lines[1]
    );
    app.on_feed(FeedEvent::Snapshot(Box::new(snapshot(true, "12:01"))));
    let text = draw_lines(&mut app, 80, 24).join("\n");
    assert!(!text.contains("【保存失敗】"), "the disk is freed:\n{text}");
}

#[test]
fn an_alert_has_its_own_line_and_the_totals_stay_on_top() {
    for amb in WIDTHS {
        let mut app = app_with(seed_report(), amb);
        let before = draw_lines(&mut app, 80, 24);
        app.alerts.push(WatchAlert {
            code: app.report().rows[0].hospital_code,
            name: "東京都 病院1".to_string(),
            free: Some(0),
            full: true,
        });
        let lines = draw_lines(&mut app, 80, 24);
        assert_eq!(lines[0], before[0], "{amb:?}: the totals stay in place");
        assert!(lines[1].starts_with("【警報】東京都 病院1"), "{}", lines[1]);
        assert!(lines[1].trim_end().ends_with("で確認"), "{}", lines[1]);
        app.update(Action::Acknowledge);
        assert_eq!(draw_lines(&mut app, 80, 24)[1], before[1]);
    }
}

#[test]
fn the_status_line_shows_whole_items_from_the_most_important() {
    for amb in WIDTHS {
        let mut app = failing_feed(amb);
        app.on_feed(FeedEvent::NextPoll {
            at: at("2022/02/01 12:01"),
        });
        let items = status_items(&app);
        for width in 40..=140u16 {
            let lines = draw_lines(&mut app, width, 24);
            let status = &lines[23];
            let hints = status.rfind(" ?:キー一覧").map_or(status.len(), |i| i);
            let shown = pieces(&status[..hints]);
            let whole = match shown.split_last() {
                Some((mark, rest)) if *mark == CUT_MARK.to_string() => rest.to_vec(),
                _ => shown.clone(),
            };
            assert_eq!(whole, items[..whole.len()], "{amb:?} at {width}: {status}");
            if whole.len() < items.len() {
                assert!(
                    shown.last() == Some(&CUT_MARK.to_string()) || whole.is_empty(),
                    "{amb:?} at {width}: hidden items are marked: {status}"
                );
            }
        }
    }
}

#[test]
fn a_minute_of_a_failing_feed_writes_only_the_ages() {
    let sink = Sink::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal = Terminal::with_options(TrackingBackend::new(sink.clone()), options).unwrap();
    let mut app = failing_feed(AmbiguousWidth::Narrow);
    terminal.draw(|frame| draw::draw(frame, &mut app)).unwrap();
    let first = sink.take();
    let before = draw_lines(&mut app, 80, 24);
    app.set_now(at("2022/02/01 12:01"));
    terminal.draw(|frame| draw::draw(frame, &mut app)).unwrap();
    let minute = sink.take();
    let after = draw_lines(&mut app, 80, 24);
    assert_ne!(before, after, "the ages moved");
    // A terminal given both frames' bytes shows the second frame.
    let mut screen = vt100::Parser::new(24.try_into().unwrap(), 80.try_into().unwrap(), 0);
    screen.process(&first);
    screen.process(&minute);
    let shown: Vec<String> = screen.screen().rows(0, 80).collect();
    let trimmed = |lines: &[String]| -> Vec<String> {
        lines.iter().map(|l| l.trim_end().to_string()).collect()
    };
    assert_eq!(trimmed(&shown), trimmed(&after));
    assert!(
        minute.len() * 4 < first.len(),
        "a minute wrote {} bytes, the first frame {}",
        minute.len(),
        first.len()
    );
}

#[test]
fn notices_from_the_feed_are_shown_one_after_the_other() {
    let mut app = app_with(seed_report(), AmbiguousWidth::Narrow);
    app.on_feed(FeedEvent::Notice(
        "履歴ファイルを新しく作りました".to_string(),
    ));
    app.on_feed(FeedEvent::Notice("1 行を取り込めませんでした".to_string()));
    assert_eq!(app.notice_text(), Some("履歴ファイルを新しく作りました"));
    let later = *app.now() + chrono::Duration::seconds(NOTICE_SECONDS);
    app.set_now(later);
    assert_eq!(app.notice_text(), Some("1 行を取り込めませんでした"));
    app.set_now(later + chrono::Duration::seconds(NOTICE_SECONDS));
    assert_eq!(app.notice_text(), None);
}

#[test]
fn a_tiny_terminal_with_everything_wrong_still_draws() {
    for amb in WIDTHS {
        let mut app = failing_feed(amb);
        app.feed.not_stored = true;
        app.alerts.push(WatchAlert {
            code: app.report().rows[0].hospital_code,
            name: "東京都 病院1".to_string(),
            free: Some(0),
            full: true,
        });
        app.notify("既定の表示を保存しました");
        for (width, height) in [(1, 1), (2, 2), (10, 3), (20, 5), (40, 8)] {
            let lines = draw_lines(&mut app, width, height);
            for line in &lines {
                assert_eq!(str_width(line, amb), usize::from(width), "{line}");
            }
        }
    }
}

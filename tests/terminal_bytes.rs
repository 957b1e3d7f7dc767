//! What the dashboard sends to the terminal, through the real drawing path
//! (ratatui, the dashboard's backend, a byte sink): how many bytes a
//! selection move and the first frame take, and that after every frame a
//! terminal (the model in `vt`) shows exactly what a full redraw draws,
//! cell by cell and style by style, on terminals with and without
//! background colour erase.

mod byte_sink;
mod vt;

use byte_sink::Sink;

use bedboard::formats::{self, FeedFormat, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::model::Report;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions};
use bedboard::ui::backend::TrackingBackend;
use bedboard::ui::draw;
use bedboard::ui::keymap::Action;
use bedboard::ui::painter::Painter;
use bedboard::ui::row_bytes::Erase;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::style::{Color, Modifier, Style};
use ratatui::Terminal;

use vt::Vt;

const WIDTHS: [AmbiguousWidth; 2] = [AmbiguousWidth::Narrow, AmbiguousWidth::Wide];
const THEMES: [ThemeKind; 4] = [
    ThemeKind::Default,
    ThemeKind::Basic,
    ThemeKind::Mono,
    ThemeKind::HighContrast,
];
/// A day after the reports: every row is old, so the table shows its
/// warm 「古い」 marks, the heaviest rows a move repaints.
const NOW: &str = "2026/12/02 01:00";

/// A G-MIS file like the large generated ones: Tokyo's wards, Japanese
/// names, check digits left wrong so 状態 says so too.
fn report(rows: usize) -> Report {
    let wards = [
        ("131016", "千代田区"),
        ("131024", "中央区"),
        ("131032", "港区"),
        ("131041", "新宿区"),
        ("131059", "文京区"),
        ("131067", "台東区"),
    ];
    let areas = [
        "区中央部",
        "区南部",
        "区西南部",
        "西多摩",
        "南多摩",
        "北多摩西部",
    ];
    let kinds = ["病院", "総合病院", "医療センター", "記念病院", "クリニック"];
    let mut rng = fastrand::Rng::with_seed(7);
    let mut csv = String::from("都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\n");
    for i in 0..rows {
        let (code, ward) = wards[i % wards.len()];
        let a = i * 7 % areas.len();
        let secured = rng.u32(0..300);
        let ready = rng.u32(0..=secured);
        let inpatients = rng.u32(0..=ready);
        csv.push_str(&format!(
            "東京都,13,{code},{ward},{},{},13{:02}{i:06},{ward}{}{i},2026/11/30,2026/12/01 {:02}:{:02},{secured},{ready},{inpatients}\n",
            1301 + a,
            areas[a],
            i % 100,
            kinds[i % kinds.len()],
            i % 24,
            i % 60,
        ));
    }
    formats::import_any(csv.as_bytes(), FeedFormat::Csv, &ImportOptions::default())
        .expect("the generated report reads")
        .report
}

fn board(amb: AmbiguousWidth, theme: ThemeKind) -> App {
    let options = DisplayOptions {
        ambiguous: amb,
        ascii: false,
        theme,
    };
    let now = parse_datetime(NOW).expect("a valid test time");
    App::new(
        report(300),
        "test".into(),
        false,
        options,
        ViewSpec::new(now),
    )
}

/// The dashboard on a 200 × 50 terminal, and the bytes of each frame.
struct Screen {
    terminal: Terminal<TrackingBackend<Sink>>,
    sink: Sink,
}

const SIZE: Size = Size::new(200, 50);

impl Screen {
    fn new(erase: Erase) -> Self {
        let sink = Sink::default();
        let backend = TrackingBackend::with_size(sink.clone(), SIZE).erasing(erase);
        let terminal = Terminal::new(backend).expect("a terminal in memory");
        Self { terminal, sink }
    }

    /// Draws the app; returns the bytes sent for the frame.
    fn frame(&mut self, app: &mut App) -> Vec<u8> {
        self.terminal
            .draw(|frame| draw::draw(frame, app))
            .expect("writing to memory");
        self.sink.take()
    }
}

/// The screen the app draws from scratch.
fn full_redraw(app: &mut App) -> Buffer {
    let mut terminal =
        Terminal::new(TestBackend::new(SIZE.width, SIZE.height)).expect("a test terminal");
    terminal
        .draw(|frame| draw::draw(frame, app))
        .expect("drawing on a test terminal");
    terminal.backend().buffer().clone()
}

fn assert_shows(vt: &Vt, expected: &Buffer, what: &str) {
    let differences = vt.differences(expected);
    assert!(
        differences.is_empty(),
        "{what}: {} cells differ, first {:?}",
        differences.len(),
        &differences[..differences.len().min(5)]
    );
}

#[test]
fn a_selection_move_on_a_wide_board_takes_at_most_600_bytes() {
    for amb in WIDTHS {
        let mut app = board(amb, ThemeKind::Default);
        let mut screen = Screen::new(Erase::InPenColour);
        let first = screen.frame(&mut app);
        assert!(
            first.len() <= 17_000,
            "{amb:?}: first frame {} bytes",
            first.len()
        );
        for (n, action) in [Action::Down, Action::Down, Action::Up]
            .into_iter()
            .enumerate()
        {
            app.update(action);
            let bytes = screen.frame(&mut app);
            assert!(
                bytes.len() <= 600,
                "{amb:?}: move {n} sent {} bytes: {:?}",
                bytes.len(),
                String::from_utf8_lossy(&bytes)
            );
            assert!(bytes.len() > 200, "{amb:?}: two whole rows are repainted");
        }
    }
}

#[test]
fn where_blanks_cannot_be_erased_in_colour_a_move_still_saves_the_plain_row() {
    let mut app = board(AmbiguousWidth::Narrow, ThemeKind::Default);
    let mut coloured = Screen::new(Erase::InPenColour);
    let mut plain = Screen::new(Erase::DefaultOnly);
    coloured.frame(&mut app);
    plain.frame(&mut app);
    app.update(Action::Down);
    let coloured = coloured.frame(&mut app).len();
    let plain = plain.frame(&mut app).len();
    assert!(
        coloured < plain,
        "{coloured} with colour erase, {plain} without"
    );
    assert!(plain <= 700, "{plain} bytes without colour erase");
}

/// Keys that move the selection, scroll, change the view and open a popup over it.
const KEYS: [Action; 12] = [
    Action::Down,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::Bottom,
    Action::Top,
    Action::NextView,
    Action::Down,
    Action::Help,
    Action::Back,
    Action::NextView,
    Action::Down,
];

#[test]
fn after_every_frame_the_terminal_shows_what_a_full_redraw_draws() {
    for amb in WIDTHS {
        for theme in THEMES {
            // A backend told the terminal erases in colour, on one that does;
            // one told it does not, on terminals that do and that do not.
            for (erase, bce) in [
                (Erase::InPenColour, true),
                (Erase::DefaultOnly, true),
                (Erase::DefaultOnly, false),
            ] {
                let what = format!("{amb:?} {theme:?} {erase:?} bce {bce}");
                let mut app = board(amb, theme);
                let mut screen = Screen::new(erase);
                let mut vt = Vt::new(SIZE.width, SIZE.height, amb, bce);
                vt.feed(&screen.frame(&mut app));
                assert_shows(&vt, &full_redraw(&mut app), &format!("{what}, first frame"));
                for (n, action) in KEYS.into_iter().enumerate() {
                    app.update(action);
                    vt.feed(&screen.frame(&mut app));
                    assert_shows(&vt, &full_redraw(&mut app), &format!("{what}, key {n}"));
                }
            }
        }
    }
}

/// Random frames of words, blanks and wide characters in random styles
/// (backgrounds, reverse video, underline, bold) drawn one over another.
#[test]
fn any_sequence_of_frames_ends_on_the_screen_as_drawn() {
    let words = [
        "病院",
        "│",
        "12",
        " ",
        "    ",
        "ｸﾞﾘｰﾝ",
        "a",
        "空床",
        "○",
        "  3 ",
    ];
    let colours = [
        Color::Reset,
        Color::Indexed(238),
        Color::Indexed(179),
        Color::Red,
    ];
    let modifiers = [
        Modifier::empty(),
        Modifier::BOLD,
        Modifier::REVERSED,
        Modifier::UNDERLINED,
    ];
    let area = Rect::new(0, 0, 40, 4);
    for amb in WIDTHS {
        for (erase, bce) in [(Erase::InPenColour, true), (Erase::DefaultOnly, false)] {
            let mut rng = fastrand::Rng::with_seed(11);
            let sink = Sink::default();
            let backend = TrackingBackend::with_size(sink.clone(), area.as_size()).erasing(erase);
            let mut terminal = Terminal::new(backend).expect("a terminal in memory");
            let mut vt = Vt::new(area.width, area.height, amb, bce);
            for n in 0..400 {
                let pick = |rng: &mut fastrand::Rng| {
                    Style::new()
                        .fg(colours[rng.usize(..colours.len())])
                        .bg(colours[rng.usize(..colours.len())])
                        .add_modifier(modifiers[rng.usize(..modifiers.len())])
                };
                // Most frames change a little; some change rows wholesale.
                let row_style = pick(&mut rng);
                let words_per_row: Vec<Vec<(u16, &str, Style)>> = (0..area.height)
                    .map(|_| {
                        let mut placed = Vec::new();
                        let mut x = 0u16;
                        while x < area.width - 4 {
                            let word = words[rng.usize(..words.len())];
                            let style = if rng.bool() {
                                row_style
                            } else {
                                pick(&mut rng)
                            };
                            placed.push((x, word, style));
                            let width = bedboard::text::width::str_width(word, amb) as u16;
                            x += width + rng.u16(0..6);
                        }
                        placed
                    })
                    .collect();
                let fill = if rng.u8(..4) == 0 {
                    pick(&mut rng)
                } else {
                    Style::new()
                };
                let drawn = terminal
                    .draw(|frame| {
                        let mut p = Painter {
                            buf: frame.buffer_mut(),
                            amb,
                            ascii: false,
                        };
                        for (y, row) in words_per_row.iter().enumerate() {
                            let y = y as u16;
                            p.fill(Rect::new(0, y, area.width, 1), fill);
                            for &(x, word, style) in row {
                                p.put(x, y, area.width, word, style);
                            }
                        }
                    })
                    .expect("writing to memory")
                    .buffer
                    .clone();
                vt.feed(&sink.take());
                assert_shows(&vt, &drawn, &format!("{amb:?} {erase:?} frame {n}"));
            }
        }
    }
}

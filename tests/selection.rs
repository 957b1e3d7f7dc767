//! The selection's colour ends with the table, so moving it rewrites only
//! the table's cells of the two rows, not the blank screen to their right.

use std::path::Path;

use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions};
use bedboard::ui::draw;
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Position;
use ratatui::style::Modifier;
use ratatui::Terminal;

const SEED: &str = "assets/sample/seed-tokyo.csv";
const WIDTH: u16 = 200;

fn drawn(amb: AmbiguousWidth) -> Buffer {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let report = formats::import_file(&path, &ImportOptions::default())
        .expect("the seed report")
        .report;
    let now = parse_datetime("2022/02/01 12:00").expect("a valid time");
    let options = DisplayOptions {
        ambiguous: amb,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let mut app = App::new(report, SEED.to_string(), false, options, ViewSpec::new(now));
    app.loaded_at = now;
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, 30)).expect("a test terminal");
    terminal
        .draw(|frame| draw::draw(frame, &mut app))
        .expect("drawing");
    terminal.backend().buffer().clone()
}

fn reversed(buffer: &Buffer, x: u16, y: u16) -> bool {
    buffer
        .cell(Position { x, y })
        .is_some_and(|c| c.modifier.contains(Modifier::REVERSED))
}

#[test]
fn the_selection_is_coloured_up_to_the_tables_edge_only() {
    for amb in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
        let buffer = drawn(amb);
        let y = (0..buffer.area.height)
            .find(|&y| reversed(&buffer, 2, y))
            .expect("a selected row");
        let coloured = (0..WIDTH).filter(|&x| reversed(&buffer, x, y)).count();
        assert!(
            coloured > 40,
            "{amb:?}: the row is coloured ({coloured} cells)"
        );
        assert!(
            !reversed(&buffer, WIDTH - 1, y),
            "{amb:?}: the blank cells right of the table keep the plain colour"
        );
        let last = (0..WIDTH).rev().find(|&x| reversed(&buffer, x, y)).unwrap();
        assert!(
            (last + 1..WIDTH).all(|x| buffer.cell(Position { x, y }).unwrap().symbol() == " "),
            "{amb:?}: the colour reaches the table's last cell"
        );
    }
}

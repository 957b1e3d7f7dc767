//! Golden screens of the 搬送先候補 map widget: real municipality points of
//! 東京都 and a handful of hospitals, drawn on ratatui's TestBackend with the
//! mono theme (NO_COLOR), with East Asian ambiguous characters narrow and wide.
//! Every line is compared with `tests/golden/map_<screen>_<w>x<h>_<width>.txt`.
//!
//! After an intended change, rewrite the files and review the diff:
//!
//! ```text
//! BEDBOARD_UPDATE_GOLDEN=1 cargo test --test map
//! git diff tests/golden/
//! ```

mod golden_file;

use golden_file::{compare_with_golden, lines_off_the_screen_width};

use bedboard::geo::LatLng;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::map::{draw_map, MapHospital, MapModel, FREE_GLYPH, FULL_GLYPH, ORIGIN_GLYPH};
use bedboard::ui::painter::{row_text, Painter};
use bedboard::ui::theme::{Theme, ThemeKind};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

const WIDTHS: [AmbiguousWidth; 2] = [AmbiguousWidth::Narrow, AmbiguousWidth::Wide];
/// The map alone: the body of an 80×24 screen and of a 200×50 one.
const WIDGET_SIZES: [(u16, u16); 2] = [(78, 18), (198, 44)];
/// A whole frame with a box around the map.
const FRAME_SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

/// Representative points from municipality-codes-localgovjp.csv (CC0).
const PLACES: [(&str, f64, f64); 24] = [
    ("千代田区", 35.69388889, 139.7536111),
    ("中央区", 35.67083333, 139.7722222),
    ("港区", 35.65805556, 139.7516667),
    ("新宿区", 35.69388889, 139.7036111),
    ("台東区", 35.71277778, 139.78),
    ("江東区", 35.67305556, 139.8172222),
    ("品川区", 35.60888889, 139.7302778),
    ("大田区", 35.56138889, 139.7161111),
    ("世田谷区", 35.64611111, 139.6530556),
    ("杉並区", 35.69944444, 139.6363889),
    ("練馬区", 35.73555556, 139.6522222),
    ("足立区", 35.775, 139.8047222),
    ("江戸川区", 35.70666667, 139.8683333),
    ("八王子市", 35.66666667, 139.3158333),
    ("立川市", 35.71388888, 139.4077778),
    ("武蔵野市", 35.71777778, 139.5661111),
    ("青梅市", 35.78777778, 139.2758333),
    ("府中市", 35.66888889, 139.4777778),
    ("調布市", 35.65055556, 139.5408333),
    ("町田市", 35.546559, 139.438527),
    ("日野市", 35.67138889, 139.395),
    ("多摩市", 35.63694444, 139.4463889),
    ("あきる野市", 35.72888889, 139.2941667),
    ("奥多摩町", 35.80972222, 139.0963889),
];

fn place(name: &str) -> LatLng {
    PLACES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, lat, lng)| LatLng { lat, lng })
        .unwrap_or_else(|| panic!("{name} is in PLACES"))
}

fn hospital(name: &str, lat: f64, lng: f64, has_free: bool) -> MapHospital {
    MapHospital {
        at: LatLng { lat, lng },
        name: name.to_string(),
        has_free,
        approximate: false,
    }
}

/// Hospitals (invented names) near 千代田区 and in the Tama area; the last
/// one is placed at its municipality's point (概算).
fn hospitals() -> Vec<MapHospital> {
    let mut approximate = hospital("多摩ニュータウン記念病院", 0.0, 0.0, true);
    approximate.at = place("多摩市");
    approximate.approximate = true;
    vec![
        hospital("神田駿河台病院", 35.6990, 139.7640, true),
        hospital("築地中央病院", 35.6676, 139.7772, false),
        hospital("白金台医療センター", 35.6380, 139.7230, true),
        hospital("新宿西口病院", 35.6930, 139.6920, false),
        hospital("王子北病院", 35.7530, 139.7360, false),
        hospital("立川災害医療病院", 35.7100, 139.4020, true),
        hospital("八王子みなみ野病院", 35.6400, 139.3350, false),
        hospital("町田中央病院", 35.5595, 139.4390, true),
        approximate,
    ]
}

fn model(origin: &str, radius_km: f64, selected: Option<usize>) -> MapModel {
    MapModel {
        origin: place(origin),
        places: PLACES
            .iter()
            .map(|&(_, lat, lng)| LatLng { lat, lng })
            .collect(),
        hospitals: hospitals(),
        selected,
        radius_km,
    }
}

// ---- Drawing and comparing -------------------------------------------------

/// The map alone, filling the screen.
fn draw_widget(model: &MapModel, width: u16, height: u16, amb: AmbiguousWidth) -> Vec<String> {
    let theme = Theme::new(ThemeKind::Mono);
    draw(width, height, (amb, false), |painter, area| {
        draw_map(model, area, painter, &theme);
    })
}

/// The map alone with `--ascii` (and on Shift_JIS / EUC-JP terminals).
fn draw_widget_ascii(
    model: &MapModel,
    width: u16,
    height: u16,
    amb: AmbiguousWidth,
) -> Vec<String> {
    let theme = Theme::new(ThemeKind::Mono);
    draw(width, height, (amb, true), |painter, area| {
        draw_map(model, area, painter, &theme);
    })
}

/// The map inside a box, as a whole screen.
fn draw_framed(model: &MapModel, width: u16, height: u16, amb: AmbiguousWidth) -> Vec<String> {
    let theme = Theme::new(ThemeKind::Mono);
    draw(width, height, (amb, false), |painter, area| {
        painter.frame(area, "搬送先候補の地図", theme.popup);
        let inner = Rect::new(area.x + 1, area.y + 1, area.width - 2, area.height - 2);
        draw_map(model, inner, painter, &theme);
    })
}

fn draw(
    width: u16,
    height: u16,
    (amb, ascii): (AmbiguousWidth, bool),
    paint: impl Fn(&mut Painter<'_>, Rect),
) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| {
            let area = frame.area();
            let mut painter = Painter {
                buf: frame.buffer_mut(),
                amb,
                ascii,
            };
            paint(&mut painter, area);
        })
        .expect("drawing on a test terminal");
    let buffer = terminal.backend().buffer();
    (0..height).map(|y| row_text(buffer, y)).collect()
}

type Draw = fn(&MapModel, u16, u16, AmbiguousWidth) -> Vec<String>;

/// Draws a map at every size and ambiguous width and compares each screen.
fn check(screen: &str, sizes: &[(u16, u16)], draw: Draw, model: &MapModel) {
    let mut failures = Vec::new();
    for amb in WIDTHS {
        for &(width, height) in sizes {
            let lines = draw(model, width, height, amb);
            failures.extend(lines_off_the_screen_width(&lines, width, amb));
            let label = match amb {
                AmbiguousWidth::Narrow => "narrow",
                AmbiguousWidth::Wide => "wide",
            };
            let name = format!("map_{screen}_{width}x{height}_{label}");
            if let Err(failure) = compare_with_golden(&name, &lines) {
                failures.push(failure);
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

// ---- The screens ------------------------------------------------------------

#[test]
fn around_chiyoda_with_a_hospital_selected() {
    // 神田駿河台病院, next to the origin: its name beside it.
    check(
        "chiyoda",
        &WIDGET_SIZES,
        draw_widget,
        &model("千代田区", 20.0, Some(0)),
    );
}

#[test]
fn the_whole_of_tama_around_hachioji() {
    // The approximate 多摩ニュータウン記念病院 selected, named 概算.
    check(
        "hachioji",
        &WIDGET_SIZES,
        draw_widget,
        &model("八王子市", 35.0, Some(8)),
    );
}

#[test]
fn a_selection_off_the_map_points_to_it_from_the_edge() {
    // Zoomed in on 千代田区: 町田中央病院 is off the map to the south-west.
    check(
        "offmap",
        &WIDGET_SIZES,
        draw_widget,
        &model("千代田区", 6.0, Some(7)),
    );
}

#[test]
fn in_ascii_where_the_terminal_has_no_braille() {
    check(
        "chiyoda_ascii",
        &WIDGET_SIZES[..1],
        draw_widget_ascii,
        &model("千代田区", 20.0, Some(0)),
    );
}

#[test]
fn the_map_in_a_frame_fills_a_screen() {
    check(
        "framed",
        &FRAME_SIZES,
        draw_framed,
        &model("千代田区", 25.0, Some(5)),
    );
}

// ---- What the screens must show ---------------------------------------------

#[test]
fn every_kind_of_mark_is_on_the_map_around_chiyoda() {
    for amb in WIDTHS {
        let lines = draw_widget(&model("千代田区", 20.0, Some(0)), 78, 18, amb);
        let map = lines[..17].join("\n");
        for glyph in [FREE_GLYPH, FULL_GLYPH, ORIGIN_GLYPH] {
            assert!(map.contains(glyph), "{glyph} in {amb:?}:\n{map}");
        }
        assert!(map.contains("神田駿河台病院"), "{map}");
        // The origin is the middle cell of the 17 map rows.
        assert_eq!(lines[8].chars().nth(39), Some(ORIGIN_GLYPH), "{}", lines[8]);
    }
}

#[test]
fn the_selection_off_the_map_names_its_distance() {
    let model = model("千代田区", 6.0, Some(7));
    let km = model.origin.distance_km(model.hospitals[7].at);
    let lines = draw_widget(&model, 78, 18, AmbiguousWidth::Narrow);
    let text = lines.join("\n");
    assert!(text.contains(&format!("町田中央病院 {km:.1} km")), "{text}");
    // South-west, further south than the map's half height allows: the bottom edge.
    assert!(lines[16].contains("v 町田中央病院"), "{text}");
}

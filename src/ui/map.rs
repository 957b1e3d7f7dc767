//! The 搬送先候補 map: municipality points, hospitals and the origin, drawn in
//! Braille patterns, which are one cell wide on every terminal and in both
//! ambiguous-width modes. Pure: a model in, cells of a buffer out.
//!
//! The projection is equirectangular around the origin, with east–west
//! distances scaled by cos(latitude). A cell holds 2×4 Braille dots and is
//! about twice as tall as it is wide, so a dot is roughly square and one
//! scale serves both directions. North is up.
//!
//! Shape, not colour, carries the meaning: ⣿ a hospital with 空床, ⠶ one
//! without, `+` the origin, single faint dots the municipalities. Where marks
//! share a cell the most important wins: origin, selected, 空床あり, 空床なし,
//! then municipality dots.

use std::f64::consts::PI;

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use crate::geo::point::EARTH_RADIUS_KM;
use crate::geo::LatLng;
use crate::text::width;
use crate::ui::painter::Painter;
use crate::ui::theme::Theme;

/// One hospital on the map, in the order of the ranked list.
#[derive(Clone, Debug, PartialEq)]
pub struct MapHospital {
    pub at: LatLng,
    /// 医療機関名, shown beside the mark of the selected hospital.
    pub name: String,
    /// 空床 > 0: drawn with a shape of its own (not only a colour).
    pub has_free: bool,
    /// Placed at its municipality's point, not its own (「概算」).
    pub approximate: bool,
}

/// What the map shows.
#[derive(Clone, Debug, PartialEq)]
pub struct MapModel {
    /// The centre of the search; the map is centred on it.
    pub origin: LatLng,
    /// Municipality representative points, drawn faint.
    pub places: Vec<LatLng>,
    pub hospitals: Vec<MapHospital>,
    /// Index into `hospitals` of the selected one (the list's selection).
    pub selected: Option<usize>,
    /// Zoom: the distance from the centre to the left and right edges, in km.
    pub radius_km: f64,
}

/// A hospital with 空床: every dot of the cell.
pub const FREE_GLYPH: char = '⣿';
/// A hospital without 空床: the four middle dots, a smaller block.
pub const FULL_GLYPH: char = '⠶';
/// The origin: ASCII, so narrow everywhere, and unlike any Braille pattern.
pub const ORIGIN_GLYPH: char = '+';
/// With `--ascii` and on Shift_JIS / EUC-JP terminals, which have no Braille:
/// one mark per cell, filled and hollow as above.
pub const ASCII_FREE_GLYPH: char = '#';
pub const ASCII_FULL_GLYPH: char = 'o';
pub const ASCII_PLACE_GLYPH: char = '.';
/// Suffix of the selected hospital's name when its position is its municipality's.
pub const APPROXIMATE_LABEL: &str = "（概算）";

/// The Braille pattern with no dots; a pattern is this plus its dot bits.
const BRAILLE_BLANK: u32 = 0x2800;
const DOTS_ACROSS: u16 = 2;
const DOTS_DOWN: u16 = 4;
/// The longest scale bar, in cells: a corner, not a ruler across the map.
const SCALE_BAR_MAX_CELLS: u16 = 30;
/// Cells between legend items.
const LEGEND_GAP: u16 = 2;

/// km along a meridian per degree of latitude, on the sphere distances use.
const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * PI / 180.0;

/// Draws `model` into `area`: the map, with a legend and scale bar on its last row.
pub fn draw_map(model: &MapModel, area: Rect, painter: &mut Painter<'_>, theme: &Theme) {
    let area = area.intersection(painter.buf.area);
    clear(area, painter.buf);
    if area.is_empty() {
        return;
    }
    let (map_area, legend_row) = if area.height >= 2 {
        let map = Rect::new(area.x, area.y, area.width, area.height - 1);
        (map, Some(area.bottom() - 1))
    } else {
        (area, None)
    };
    let Some(projection) = Projection::new(model.origin, model.radius_km, map_area) else {
        return;
    };
    let grid = Grid::plot(model, &projection);
    let glyphs = Glyphs::new(painter.ascii);
    draw_grid(&grid, model, glyphs, map_area, painter, theme);
    draw_selected(model, &projection, map_area, painter, theme);
    if let Some(y) = legend_row {
        let row = (area.x, area.right(), y);
        draw_legend(&projection, glyphs, row, painter, theme);
    }
}

/// Blanks `area` (inside the buffer) a row at a time: most of a map is empty,
/// and on a 200×50 screen this is most of the drawing's work.
fn clear(area: Rect, buf: &mut Buffer) {
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        let row = &mut buf.content[start..start + usize::from(area.width)];
        row.iter_mut().for_each(Cell::reset);
    }
}

// ---- Projection ---------------------------------------------------------------

/// Equirectangular projection of the earth onto the dots of an area, centred on an origin.
#[derive(Clone, Copy, Debug)]
pub struct Projection {
    origin: LatLng,
    /// km per degree of longitude at the origin's latitude.
    km_per_lng_degree: f64,
    dots_per_km: f64,
    /// The origin's position in dots (the middle of the dot grid; fractional).
    centre: (f64, f64),
    /// Dots across and down.
    size: (u16, u16),
    /// The cell of the area's top left corner.
    corner: (u16, u16),
}

impl Projection {
    /// The projection of `area`, `radius_km` from the centre to the left and
    /// right edges; `None` for an empty area or a radius that is not a
    /// positive number.
    pub fn new(origin: LatLng, radius_km: f64, area: Rect) -> Option<Self> {
        let valid = radius_km.is_finite()
            && radius_km > 0.0
            && origin.lat.is_finite()
            && origin.lng.is_finite();
        if !valid || area.is_empty() {
            return None;
        }
        // Whole cells of dots that a u16 can count; a larger area keeps a blank margin.
        let size = (
            area.width.min(u16::MAX / DOTS_ACROSS) * DOTS_ACROSS,
            area.height.min(u16::MAX / DOTS_DOWN) * DOTS_DOWN,
        );
        let centre = (
            (f64::from(size.0) - 1.0) / 2.0,
            (f64::from(size.1) - 1.0) / 2.0,
        );
        Some(Self {
            origin,
            km_per_lng_degree: KM_PER_DEGREE * origin.lat.to_radians().cos(),
            dots_per_km: centre.0 / radius_km,
            centre,
            size,
            corner: (area.x, area.y),
        })
    }

    /// The position of `at` in dots from the area's top left, fractional and
    /// possibly outside the area.
    pub fn project(&self, at: LatLng) -> (f64, f64) {
        // The shorter way round, so a map near ±180° stays whole.
        let dlng = match at.lng - self.origin.lng {
            d if d > 180.0 => d - 360.0,
            d if d < -180.0 => d + 360.0,
            d => d,
        };
        let east_km = dlng * self.km_per_lng_degree;
        let north_km = (at.lat - self.origin.lat) * KM_PER_DEGREE;
        (
            self.centre.0 + east_km * self.dots_per_km,
            self.centre.1 - north_km * self.dots_per_km,
        )
    }

    /// The dot under `at` (from the area's top left), if it is inside the area.
    pub fn dot(&self, at: LatLng) -> Option<(u16, u16)> {
        let (x, y) = self.project(at);
        let (x, y) = (x.round(), y.round());
        // NaN fails both ranges, so a broken coordinate is simply not drawn.
        let inside = (0.0..f64::from(self.size.0)).contains(&x)
            && (0.0..f64::from(self.size.1)).contains(&y);
        inside.then_some((x as u16, y as u16))
    }

    /// The screen cell under `at`, if it is inside the area.
    pub fn cell(&self, at: LatLng) -> Option<(u16, u16)> {
        self.dot(at).map(|dot| self.cell_of_dot(dot))
    }

    fn cell_of_dot(&self, (x, y): (u16, u16)) -> (u16, u16) {
        (
            self.corner.0 + x / DOTS_ACROSS,
            self.corner.1 + y / DOTS_DOWN,
        )
    }

    /// The cell of the origin (the area's centre).
    pub fn origin_cell(&self) -> (u16, u16) {
        self.cell(self.origin).unwrap_or(self.corner)
    }

    /// Kilometres across one cell, for the scale bar.
    pub fn km_per_cell(&self) -> f64 {
        f64::from(DOTS_ACROSS) / self.dots_per_km
    }

    /// For a point off the area: the cell on the edge in its direction from
    /// the centre, and the arrow for that edge (`<`, `>`, `^`, `v`).
    pub fn edge_towards(&self, at: LatLng) -> Option<((u16, u16), char)> {
        let (x, y) = self.project(at);
        let (dx, dy) = (x - self.centre.0, y - self.centre.1);
        if !(dx.is_finite() && dy.is_finite()) || (dx == 0.0 && dy == 0.0) {
            return None;
        }
        let to_side = self.centre.0 / dx.abs();
        let to_end = self.centre.1 / dy.abs();
        let (scale, arrow) = if to_side <= to_end {
            (to_side, if dx > 0.0 { '>' } else { '<' })
        } else {
            (to_end, if dy > 0.0 { 'v' } else { '^' })
        };
        let clamp = |v: f64, size: u16| v.round().clamp(0.0, f64::from(size) - 1.0) as u16;
        let dot = (
            clamp(self.centre.0 + dx * scale, self.size.0),
            clamp(self.centre.1 + dy * scale, self.size.1),
        );
        Some((self.cell_of_dot(dot), arrow))
    }
}

// ---- The grid of cells ----------------------------------------------------------

/// What a cell shows besides municipality dots; a higher mark hides a lower one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Mark {
    Nothing,
    Full,
    Free,
    Selected,
    Origin,
}

/// The Braille dot bit of dot (`x`, `y`) within its cell (x 0..2, y 0..4).
pub fn dot_bit(x: u16, y: u16) -> u8 {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    BITS[usize::from(x % DOTS_ACROSS)][usize::from(y % DOTS_DOWN)]
}

/// The Braille pattern of a cell's dot bits.
pub fn braille(bits: u8) -> char {
    char::from_u32(BRAILLE_BLANK + u32::from(bits)).unwrap_or(' ')
}

/// One byte of dots and one of marks per cell: nothing per point is kept.
struct Grid {
    width: u16,
    dots: Vec<u8>,
    marks: Vec<Mark>,
}

impl Grid {
    fn plot(model: &MapModel, projection: &Projection) -> Self {
        let (width, height) = (
            projection.size.0 / DOTS_ACROSS,
            projection.size.1 / DOTS_DOWN,
        );
        let cells = usize::from(width) * usize::from(height);
        let mut grid = Grid {
            width,
            dots: vec![0; cells],
            marks: vec![Mark::Nothing; cells],
        };
        for &place in &model.places {
            if let Some((x, y)) = projection.dot(place) {
                let index = grid.index(x / DOTS_ACROSS, y / DOTS_DOWN);
                grid.dots[index] |= dot_bit(x, y);
            }
        }
        for (i, hospital) in model.hospitals.iter().enumerate() {
            let mark = match (model.selected == Some(i), hospital.has_free) {
                (true, _) => Mark::Selected,
                (false, true) => Mark::Free,
                (false, false) => Mark::Full,
            };
            if let Some((x, y)) = projection.dot(hospital.at) {
                grid.raise(x / DOTS_ACROSS, y / DOTS_DOWN, mark);
            }
        }
        if let Some((x, y)) = projection.dot(model.origin) {
            grid.raise(x / DOTS_ACROSS, y / DOTS_DOWN, Mark::Origin);
        }
        grid
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.width) + usize::from(x)
    }

    fn raise(&mut self, x: u16, y: u16, mark: Mark) {
        let index = self.index(x, y);
        self.marks[index] = self.marks[index].max(mark);
    }
}

/// The marks in Braille, or in ASCII where the terminal cannot show Braille.
#[derive(Clone, Copy, Debug)]
struct Glyphs {
    free: char,
    full: char,
    /// `None`: municipality points as Braille dots; else this one mark a cell.
    place: Option<char>,
}

impl Glyphs {
    fn new(ascii: bool) -> Self {
        if ascii {
            Self {
                free: ASCII_FREE_GLYPH,
                full: ASCII_FULL_GLYPH,
                place: Some(ASCII_PLACE_GLYPH),
            }
        } else {
            Self {
                free: FREE_GLYPH,
                full: FULL_GLYPH,
                place: None,
            }
        }
    }

    fn place(self, dots: u8) -> char {
        self.place.unwrap_or(braille(dots))
    }

    fn hospital(self, has_free: bool) -> char {
        if has_free {
            self.free
        } else {
            self.full
        }
    }
}

/// Writes every cell that shows something; blank cells stay as filled.
fn draw_grid(
    grid: &Grid,
    model: &MapModel,
    glyphs: Glyphs,
    area: Rect,
    painter: &mut Painter<'_>,
    theme: &Theme,
) {
    let place_style = faint();
    let selected_free = model
        .selected
        .and_then(|i| model.hospitals.get(i))
        .is_some_and(|h| h.has_free);
    for (index, (&dots, &mark)) in grid.dots.iter().zip(&grid.marks).enumerate() {
        let (glyph, style) = match mark {
            Mark::Nothing if dots == 0 => continue,
            Mark::Nothing => (glyphs.place(dots), place_style),
            Mark::Full => (glyphs.full, Style::new()),
            Mark::Free => (glyphs.free, theme.free),
            Mark::Selected => (glyphs.hospital(selected_free), theme.selected),
            Mark::Origin => (ORIGIN_GLYPH, theme.header),
        };
        let x = area.x + (index % usize::from(grid.width)) as u16;
        let y = area.y + (index / usize::from(grid.width)) as u16;
        put_glyph(painter, (x, y), glyph, style);
    }
}

/// One map glyph into one cell. Every map glyph (Braille and the ASCII marks)
/// is one cell in both ambiguous widths (a test checks all of them), so the
/// cell is written directly instead of measured, which is most of the cost of
/// a map with a thousand marks.
fn put_glyph(painter: &mut Painter<'_>, at: (u16, u16), glyph: char, style: Style) {
    if let Some(cell) = painter.buf.cell_mut(at) {
        cell.reset();
        cell.set_char(glyph).set_style(style);
    }
}

/// Municipality dots: background, not marks.
fn faint() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

// ---- The selected hospital ------------------------------------------------------

/// The selected hospital's name beside its mark; off the map, an arrow on the
/// edge towards it with its name and distance.
fn draw_selected(
    model: &MapModel,
    projection: &Projection,
    area: Rect,
    painter: &mut Painter<'_>,
    theme: &Theme,
) {
    let Some(hospital) = model.selected.and_then(|i| model.hospitals.get(i)) else {
        return;
    };
    let name = crate::text::sanitize(&hospital.name);
    let mut suffix = String::new();
    if hospital.approximate {
        suffix.push_str(APPROXIMATE_LABEL);
    }
    let cell = match projection.cell(hospital.at) {
        Some(cell) => cell,
        None => {
            let Some((cell, arrow)) = projection.edge_towards(hospital.at) else {
                return;
            };
            let km = model.origin.distance_km(hospital.at);
            suffix.push_str(&format!(" {km:.1} km"));
            let mut utf8 = [0u8; 4];
            let arrow = arrow.encode_utf8(&mut utf8);
            painter.put(cell.0, cell.1, cell.0 + 1, arrow, theme.selected);
            cell
        }
    };
    draw_label(projection, area, cell, (&name, &suffix), painter, theme);
}

/// `name` and `suffix` beside the mark at `cell`, clear of the origin.
fn draw_label(
    projection: &Projection,
    area: Rect,
    cell: (u16, u16),
    (name, suffix): (&str, &str),
    painter: &mut Painter<'_>,
    theme: &Theme,
) {
    let origin = projection.origin_cell();
    let blocked = (origin.1 == cell.1 && origin.0 != cell.0).then_some(origin.0);
    let amb = painter.amb;
    let wanted = width::str_width(name, amb) + width::str_width(suffix, amb);
    let span = (area.left(), area.right());
    let Some(place) = label_place(cell.0, span, blocked, wanted) else {
        return;
    };
    let label = fit_label(name, suffix, place.room, amb);
    let x = match place.side {
        Side::Right => place.start,
        Side::Left => place.start + place.room - width::str_width(&label, amb) as u16,
    };
    painter.put(x, cell.1, place.start + place.room, &label, theme.selected);
}

/// Which side of its mark a label goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// Room for a label beside a mark: `room` cells from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelPlace {
    pub side: Side,
    pub start: u16,
    pub room: u16,
}

/// Where a label `wanted` cells wide goes beside a mark at column `mark_x`,
/// within `span` (left, right exclusive), one blank cell from the mark and
/// clear of the `blocked` column (the origin on the same row): the right if it
/// fits there, else the left if it fits there, else the side with more room.
pub fn label_place(
    mark_x: u16,
    span: (u16, u16),
    blocked: Option<u16>,
    wanted: usize,
) -> Option<LabelPlace> {
    let (left, right) = span;
    let right_start = mark_x.saturating_add(2);
    let right_end = match blocked {
        Some(b) if b > mark_x => right.min(b.saturating_sub(1)),
        _ => right,
    };
    let left_end = mark_x.saturating_sub(1);
    let left_start = match blocked {
        Some(b) if b < mark_x => left.max(b.saturating_add(2)),
        _ => left,
    };
    let on_right = LabelPlace {
        side: Side::Right,
        start: right_start,
        room: right_end.saturating_sub(right_start),
    };
    let on_left = LabelPlace {
        side: Side::Left,
        start: left_start,
        room: left_end.saturating_sub(left_start),
    };
    let fits = |place: &LabelPlace| usize::from(place.room) >= wanted;
    let chosen = if fits(&on_right) {
        on_right
    } else if fits(&on_left) || on_left.room > on_right.room {
        on_left
    } else {
        on_right
    };
    (chosen.room > 0).then_some(chosen)
}

/// The name and its suffix in at most `room` cells: the name is cut (with the
/// width module's mark) before the suffix is, so 「概算」 and the distance stay.
pub fn fit_label(
    name: &str,
    suffix: &str,
    room: u16,
    amb: crate::text::width::AmbiguousWidth,
) -> String {
    let room = usize::from(room);
    let suffix_width = width::str_width(suffix, amb);
    if suffix_width < room {
        let mut label = width::truncate(name, room - suffix_width, amb).into_owned();
        label.push_str(suffix);
        label
    } else {
        width::truncate(&format!("{name}{suffix}"), room, amb).into_owned()
    }
}

// ---- Legend and scale bar -------------------------------------------------------

/// A scale bar: `metres` between two ticks `cells` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleBar {
    pub metres: u32,
    pub cells: u16,
}

impl ScaleBar {
    /// The longest round length (1, 2 or 5 times a power of ten, 10 m to
    /// 5,000 km) whose bar is at most `max_cells` long and at least two.
    pub fn fitting(km_per_cell: f64, max_cells: u16) -> Option<Self> {
        if !(km_per_cell.is_finite() && km_per_cell > 0.0) {
            return None;
        }
        let mut best = None;
        let mut power = 10u32;
        while power <= 1_000_000 {
            for step in [1, 2, 5] {
                let metres = power * step;
                let cells = (f64::from(metres) / 1000.0 / km_per_cell).round();
                if (2.0..=f64::from(max_cells)).contains(&cells) {
                    best = Some(Self {
                        metres,
                        cells: cells as u16,
                    });
                }
            }
            power *= 10;
        }
        best
    }

    /// `|-----| 10 km`: ticks `cells` apart, then the length.
    pub fn text(self) -> String {
        let bar = "-".repeat(usize::from(self.cells.saturating_sub(1)));
        format!("|{bar}| {}", Self::length(self.metres))
    }

    /// `500 m`, `1 km`, `20 km`.
    pub fn length(metres: u32) -> String {
        if metres >= 1000 {
            format!("{} km", metres / 1000)
        } else {
            format!("{metres} m")
        }
    }
}

/// One entry of the legend: a mark in its map style and what it means.
struct LegendItem {
    mark: char,
    style: Style,
    meaning: &'static str,
    /// Lower is dropped last when the row is narrow.
    rank: u8,
}

fn legend_items(glyphs: Glyphs, theme: &Theme) -> [LegendItem; 5] {
    let item = |mark, style, meaning, rank| LegendItem {
        mark,
        style,
        meaning,
        rank,
    };
    [
        item('^', Style::new(), "北", 3),
        item(glyphs.free, theme.free, "空床あり", 0),
        item(glyphs.full, Style::new(), "空床なし", 1),
        item(ORIGIN_GLYPH, theme.header, "起点", 2),
        item(glyphs.place(dot_bit(0, 2)), faint(), "市区町村", 4),
    ]
}

/// The legend from the left and the scale bar at the right of row `y`; the
/// legend keeps what fits, the shapes of hospitals first.
fn draw_legend(
    projection: &Projection,
    glyphs: Glyphs,
    (left, right, y): (u16, u16, u16),
    painter: &mut Painter<'_>,
    theme: &Theme,
) {
    let amb = painter.amb;
    let width = right - left;
    let max_cells = (width / 4).min(SCALE_BAR_MAX_CELLS);
    let scale = ScaleBar::fitting(projection.km_per_cell(), max_cells).map(ScaleBar::text);
    let scale_width = scale.as_ref().map_or(0, |s| s.len() as u16);
    let mut room = width.saturating_sub(scale_width + LEGEND_GAP);
    let items = legend_items(glyphs, theme);
    let mut shown = [false; 5];
    for rank in 0..items.len() as u8 {
        let Some(i) = items.iter().position(|item| item.rank == rank) else {
            continue;
        };
        let gap = if shown.contains(&true) { LEGEND_GAP } else { 0 };
        let needed = 2 + width::str_width(items[i].meaning, amb) as u16 + gap;
        if needed > room {
            break;
        }
        shown[i] = true;
        room -= needed;
    }
    let mut x = left;
    let mut utf8 = [0u8; 4];
    for (item, _) in items.iter().zip(shown).filter(|(_, shown)| *shown) {
        if x > left {
            x += LEGEND_GAP;
        }
        x = painter.put(x, y, right, item.mark.encode_utf8(&mut utf8), item.style);
        x = painter.put(x, y, right, " ", Style::new());
        x = painter.put(x, y, right, item.meaning, Style::new());
    }
    if let Some(scale) = scale {
        if scale_width <= width {
            painter.put(right - scale_width, y, right, &scale, Style::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width::AmbiguousWidth;
    use crate::ui::painter::row_text;
    use crate::ui::theme::ThemeKind;

    const CHIYODA: LatLng = LatLng {
        lat: 35.69388889,
        lng: 139.7536111,
    };

    /// The point `east_km` east and `north_km` north of `from`, on the map's projection.
    fn offset(from: LatLng, east_km: f64, north_km: f64) -> LatLng {
        LatLng {
            lat: from.lat + north_km / KM_PER_DEGREE,
            lng: from.lng + east_km / (KM_PER_DEGREE * from.lat.to_radians().cos()),
        }
    }

    fn hospital(at: LatLng, name: &str, has_free: bool) -> MapHospital {
        MapHospital {
            at,
            name: name.to_string(),
            has_free,
            approximate: false,
        }
    }

    fn model(hospitals: Vec<MapHospital>, selected: Option<usize>) -> MapModel {
        MapModel {
            origin: CHIYODA,
            places: Vec::new(),
            hospitals,
            selected,
            radius_km: 10.0,
        }
    }

    fn render(model: &MapModel, width: u16, height: u16, kind: ThemeKind) -> Buffer {
        render_in(model, width, height, kind, false)
    }

    fn render_in(
        model: &MapModel,
        width: u16,
        height: u16,
        kind: ThemeKind,
        ascii: bool,
    ) -> Buffer {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        let mut painter = Painter {
            buf: &mut buf,
            amb: AmbiguousWidth::Narrow,
            ascii,
        };
        draw_map(model, area, &mut painter, &Theme::new(kind));
        buf
    }

    fn lines(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height).map(|y| row_text(buf, y)).collect()
    }

    fn symbol(buf: &Buffer, (x, y): (u16, u16)) -> &str {
        buf.cell((x, y)).expect("inside").symbol()
    }

    #[test]
    fn the_origin_is_in_the_centre_cell() {
        for (width, height) in [(78, 17), (77, 16), (198, 43), (5, 3)] {
            let area = Rect::new(1, 2, width, height);
            let projection = Projection::new(CHIYODA, 10.0, area).expect("a projection");
            assert_eq!(
                projection.origin_cell(),
                (1 + width / 2, 2 + height / 2),
                "{width}x{height}"
            );
        }
    }

    #[test]
    fn the_radius_reaches_the_left_and_right_edges() {
        let area = Rect::new(0, 0, 78, 17);
        let projection = Projection::new(CHIYODA, 12.5, area).expect("a projection");
        let row = projection.origin_cell().1;
        assert_eq!(projection.cell(offset(CHIYODA, 12.5, 0.0)), Some((77, row)));
        assert_eq!(projection.cell(offset(CHIYODA, -12.5, 0.0)), Some((0, row)));
        assert_eq!(projection.cell(offset(CHIYODA, 13.0, 0.0)), None);
        assert_eq!(projection.cell(offset(CHIYODA, -13.0, 0.0)), None);
    }

    #[test]
    fn north_is_up_and_a_kilometre_is_as_long_both_ways() {
        let area = Rect::new(0, 0, 78, 17);
        let projection = Projection::new(CHIYODA, 20.0, area).expect("a projection");
        let (cx, cy) = projection.project(CHIYODA);
        let (nx, ny) = projection.project(offset(CHIYODA, 0.0, 5.0));
        let (ex, ey) = projection.project(offset(CHIYODA, 5.0, 0.0));
        assert!(ny < cy, "north is up");
        assert!((nx - cx).abs() < 1e-9 && (ey - cy).abs() < 1e-9);
        assert!(((cy - ny) - (ex - cx)).abs() < 1e-9, "square dots");
        // 5 km of the 20 km half-width is a quarter of the 77.5 dots.
        assert!(((ex - cx) - 77.5 / 4.0).abs() < 1e-9);
    }

    #[test]
    fn east_west_distances_shrink_with_latitude() {
        let area = Rect::new(0, 0, 78, 17);
        let projection = Projection::new(CHIYODA, 20.0, area).expect("a projection");
        let one_degree_east = LatLng {
            lat: CHIYODA.lat,
            lng: CHIYODA.lng + 0.1,
        };
        let one_degree_north = LatLng {
            lat: CHIYODA.lat + 0.1,
            lng: CHIYODA.lng,
        };
        let (cx, cy) = projection.project(CHIYODA);
        let east = projection.project(one_degree_east).0 - cx;
        let north = cy - projection.project(one_degree_north).1;
        let ratio = east / north;
        assert!((ratio - CHIYODA.lat.to_radians().cos()).abs() < 1e-9);
    }

    #[test]
    fn a_map_across_the_date_line_stays_whole() {
        let west_of_line = LatLng {
            lat: 0.0,
            lng: 179.95,
        };
        let east_of_line = LatLng {
            lat: 0.0,
            lng: -179.95,
        };
        let area = Rect::new(0, 0, 40, 10);
        let projection = Projection::new(west_of_line, 20.0, area).expect("a projection");
        let (x, _) = projection.project(east_of_line);
        // 0.1° of longitude at the equator is 11.1 km east, not 40,000 km west.
        assert!((x - (39.5 + 11.12 * 39.5 / 20.0)).abs() < 0.1, "{x}");
        let back = Projection::new(east_of_line, 20.0, area).expect("a projection");
        assert!(back.project(west_of_line).0 < 39.5);
    }

    #[test]
    fn braille_dots_follow_the_unicode_numbering() {
        assert_eq!(dot_bit(0, 0), 0x01);
        assert_eq!(dot_bit(0, 1), 0x02);
        assert_eq!(dot_bit(0, 2), 0x04);
        assert_eq!(dot_bit(1, 0), 0x08);
        assert_eq!(dot_bit(1, 1), 0x10);
        assert_eq!(dot_bit(1, 2), 0x20);
        assert_eq!(dot_bit(0, 3), 0x40);
        assert_eq!(dot_bit(1, 3), 0x80);
        assert_eq!(braille(0xFF), FREE_GLYPH);
        let middle = dot_bit(0, 1) | dot_bit(1, 1) | dot_bit(0, 2) | dot_bit(1, 2);
        assert_eq!(braille(middle), FULL_GLYPH);
        assert_eq!(braille(0), '\u{2800}');
    }

    #[test]
    fn places_in_one_cell_combine_their_dots() {
        let area = Rect::new(0, 0, 10, 5);
        let projection = Projection::new(CHIYODA, 10.0, area).expect("a projection");
        // The middle of 20x20 dots is (9.5, 9.5): the origin's dot is (10, 10),
        // the left dot of the third row of cell (5, 2).
        assert_eq!(projection.dot(CHIYODA), Some((10, 10)));
        let one_dot_km = 1.0 / projection.dots_per_km;
        let mut m = model(Vec::new(), None);
        m.places = vec![
            offset(CHIYODA, 0.0, 0.0),
            offset(CHIYODA, 1.2 * one_dot_km, 0.0),
        ];
        let grid = Grid::plot(&m, &projection);
        assert_eq!(grid.dots[grid.index(5, 2)], dot_bit(0, 2) | dot_bit(1, 2));
        assert_eq!(grid.dots.iter().filter(|&&d| d != 0).count(), 1);
    }

    #[test]
    fn the_most_important_mark_wins_a_shared_cell() {
        let at = offset(CHIYODA, 3.0, 2.0);
        let shared = |hospitals: Vec<MapHospital>, selected| {
            let mut m = model(hospitals, selected);
            m.places = vec![at];
            let area = Rect::new(0, 0, 40, 12);
            let cell = Projection::new(CHIYODA, m.radius_km, Rect::new(0, 0, 40, 11))
                .and_then(|p| p.cell(at))
                .expect("on the map");
            let buf = render(&m, area.width, area.height, ThemeKind::Mono);
            (
                symbol(&buf, cell).to_string(),
                buf.cell(cell).expect("cell").style(),
            )
        };
        let full = hospital(at, "満床病院", false);
        let free = hospital(at, "空床病院", true);
        let theme = Theme::new(ThemeKind::Mono);
        let map = Rect::new(0, 0, 40, 11);
        let projection = Projection::new(CHIYODA, 10.0, map).expect("a projection");
        let (x, y) = projection.dot(at).expect("on the map");
        assert_eq!(shared(vec![], None).0, braille(dot_bit(x, y)).to_string());
        assert_eq!(shared(vec![full.clone()], None).0, "⠶");
        assert_eq!(shared(vec![full.clone(), free.clone()], None).0, "⣿");
        assert_eq!(shared(vec![free.clone(), full.clone()], None).0, "⣿");
        // The selected hospital keeps its own shape, in the selected style.
        let (glyph, style) = shared(vec![free.clone(), full.clone()], Some(1));
        assert_eq!(glyph, "⠶");
        assert_eq!(style.add_modifier, theme.selected.add_modifier);
        // The origin beats everything.
        let mut m = model(vec![free, full], Some(0));
        m.places = vec![CHIYODA];
        m.hospitals.iter_mut().for_each(|h| h.at = CHIYODA);
        let buf = render(&m, 40, 12, ThemeKind::Mono);
        let origin = Projection::new(CHIYODA, 10.0, Rect::new(0, 0, 40, 11))
            .expect("a projection")
            .origin_cell();
        assert_eq!(symbol(&buf, origin), "+");
    }

    #[test]
    fn scale_bars_are_round_lengths() {
        let bar = |km_per_cell, max| ScaleBar::fitting(km_per_cell, max);
        // 80 columns, 20 km to the edges: 0.516 km a cell, at most 19 cells.
        assert_eq!(
            bar(20.0 / 38.75, 19),
            Some(ScaleBar {
                metres: 10_000,
                cells: 19
            })
        );
        assert_eq!(
            bar(0.5, 19),
            Some(ScaleBar {
                metres: 5_000,
                cells: 10
            })
        );
        assert_eq!(
            bar(0.02, 24),
            Some(ScaleBar {
                metres: 200,
                cells: 10
            })
        );
        assert_eq!(
            bar(3.0, 24),
            Some(ScaleBar {
                metres: 50_000,
                cells: 17
            })
        );
        assert_eq!(bar(f64::NAN, 24), None);
        assert_eq!(bar(0.5, 1), None);
        assert_eq!(ScaleBar::length(200), "200 m");
        assert_eq!(ScaleBar::length(20_000), "20 km");
        let text = ScaleBar {
            metres: 5_000,
            cells: 4,
        }
        .text();
        assert_eq!(text, "|---| 5 km");
    }

    #[test]
    fn labels_go_right_where_they_fit_else_left() {
        let span = (0, 40);
        let right = label_place(10, span, None, 8).expect("room");
        assert_eq!((right.side, right.start, right.room), (Side::Right, 12, 28));
        let left = label_place(35, span, None, 8).expect("room");
        assert_eq!((left.side, left.start, left.room), (Side::Left, 0, 34));
        // Neither side fits: the side with more room, to be cut there.
        let wide = label_place(25, span, None, 30).expect("room");
        assert_eq!((wide.side, wide.room), (Side::Left, 24));
        // No room on either side at all.
        assert_eq!(label_place(0, (0, 2), None, 4), None);
    }

    #[test]
    fn labels_keep_clear_of_the_origin() {
        let place = label_place(10, (0, 40), Some(15), 8).expect("room");
        assert_eq!((place.side, place.start, place.room), (Side::Left, 0, 9));
        let place = label_place(30, (0, 40), Some(20), 6).expect("room");
        assert_eq!((place.side, place.start, place.room), (Side::Right, 32, 8));
        let place = label_place(30, (0, 36), Some(20), 8).expect("room");
        assert_eq!((place.side, place.start, place.room), (Side::Left, 22, 7));
    }

    #[test]
    fn a_cut_label_keeps_its_suffix() {
        let amb = AmbiguousWidth::Narrow;
        assert_eq!(
            fit_label("聖路加国際病院", "（概算）", 22, amb),
            "聖路加国際病院（概算）"
        );
        assert_eq!(
            fit_label("聖路加国際病院", "（概算）", 21, amb),
            "聖路加国際病~（概算）"
        );
        assert_eq!(
            fit_label("聖路加国際病院", "（概算）", 13, amb),
            "聖路~（概算）"
        );
        assert_eq!(fit_label("聖路加国際病院", "（概算）", 8, amb), "聖路加~");
    }

    #[test]
    fn the_selected_name_is_beside_its_mark_near_either_edge() {
        let west = hospital(offset(CHIYODA, -9.5, 0.0), "西の病院", true);
        let east = hospital(offset(CHIYODA, 9.5, 0.0), "東の病院", false);
        let rows = |selected| {
            let m = model(vec![west.clone(), east.clone()], selected);
            lines(&render(&m, 40, 6, ThemeKind::Mono))
        };
        let row = rows(Some(0))[2].clone();
        assert!(row.starts_with(" ⣿ 西の病院 "), "{row}");
        let row = rows(Some(1))[2].clone();
        assert!(row.ends_with(" 東の病院 ⠶ "), "{row}");
    }

    #[test]
    fn an_approximate_position_is_named_so() {
        let mut near = hospital(offset(CHIYODA, 3.0, 0.0), "多摩病院", true);
        near.approximate = true;
        let row = lines(&render(&model(vec![near], Some(0)), 60, 6, ThemeKind::Mono))[2].clone();
        assert!(row.contains("⣿ 多摩病院（概算）"), "{row}");
    }

    #[test]
    fn a_selected_hospital_off_the_map_gets_an_arrow_on_the_edge() {
        let far_east = hospital(offset(CHIYODA, 30.0, 0.0), "遠い病院", true);
        let buf = render(&model(vec![far_east], Some(0)), 40, 6, ThemeKind::Mono);
        let row = row_text(&buf, 2);
        assert!(row.ends_with("遠い病院 30.0 km >"), "{row}");
        let far_north = hospital(offset(CHIYODA, 0.0, 50.0), "北の病院", false);
        let buf = render(&model(vec![far_north], Some(0)), 40, 6, ThemeKind::Mono);
        let row = row_text(&buf, 0);
        assert!(row.contains("^ 北の病院 50.0 km"), "{row}");
        assert_eq!(buf.cell((20, 0)).expect("cell").symbol(), "^");
    }

    #[test]
    fn hospitals_off_the_map_are_not_drawn() {
        let far = hospital(offset(CHIYODA, -30.0, 0.0), "遠い病院", true);
        let map_rows = lines(&render(&model(vec![far], None), 40, 6, ThemeKind::Mono));
        let text = map_rows[..5].join("\n");
        assert!(!text.contains(FREE_GLYPH), "{text}");
        assert!(!text.contains('<'), "{text}");
    }

    #[test]
    fn shapes_are_the_same_in_every_theme() {
        let mut m = model(
            vec![
                hospital(offset(CHIYODA, 3.0, 1.0), "A病院", true),
                hospital(offset(CHIYODA, -4.0, -2.0), "B病院", false),
            ],
            Some(1),
        );
        m.places = vec![offset(CHIYODA, 6.0, 3.0), offset(CHIYODA, -7.0, 2.5)];
        let mono = lines(&render(&m, 60, 10, ThemeKind::Mono));
        for kind in [
            ThemeKind::Default,
            ThemeKind::Basic,
            ThemeKind::HighContrast,
        ] {
            assert_eq!(lines(&render(&m, 60, 10, kind)), mono, "{kind:?}");
        }
        let text = mono.join("\n");
        assert!(
            text.contains(FREE_GLYPH) && text.contains(FULL_GLYPH),
            "{text}"
        );
    }

    #[test]
    fn without_braille_the_marks_are_ascii() {
        let mut m = model(
            vec![
                hospital(offset(CHIYODA, 3.0, 1.0), "A病院", true),
                hospital(offset(CHIYODA, -4.0, -2.0), "B病院", false),
            ],
            None,
        );
        m.places = vec![offset(CHIYODA, 6.0, 3.0)];
        let text = lines(&render_in(&m, 60, 10, ThemeKind::Mono, true)).join("\n");
        let braille = |c: char| ('\u{2800}'..='\u{28FF}').contains(&c);
        assert!(!text.chars().any(braille), "{text}");
        let map = text.lines().take(9).collect::<Vec<_>>().join("\n");
        for mark in ['#', 'o', '.', '+'] {
            assert!(map.contains(mark), "{mark}:\n{map}");
        }
        assert!(text.contains("# 空床あり  o 空床なし"), "{text}");
    }

    #[test]
    fn the_legend_keeps_the_hospital_shapes_when_narrow() {
        let wide = lines(&render(&model(Vec::new(), None), 78, 6, ThemeKind::Mono));
        let legend = wide[5].clone();
        assert!(
            legend.starts_with("^ 北  ⣿ 空床あり  ⠶ 空床なし  + 起点  ⠄ 市区町村"),
            "{legend}"
        );
        assert!(legend.ends_with("| 5 km"), "{legend}");
        let narrow = lines(&render(&model(Vec::new(), None), 44, 6, ThemeKind::Mono));
        let legend = narrow[5].clone();
        assert!(legend.starts_with("⣿ 空床あり  ⠶ 空床なし  "), "{legend}");
        assert!(legend.ends_with("| 5 km"), "{legend}");
        assert!(!legend.contains("市区町村"), "{legend}");
    }

    #[test]
    fn bad_numbers_draw_nothing_and_do_not_panic() {
        for radius in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let mut m = model(vec![hospital(CHIYODA, "病院", true)], Some(0));
            m.radius_km = radius;
            let text = lines(&render(&m, 20, 5, ThemeKind::Mono)).join("");
            assert!(text.trim().is_empty(), "{radius}: {text}");
        }
        let broken = LatLng {
            lat: f64::NAN,
            lng: 139.0,
        };
        let mut m = model(vec![hospital(broken, "病院", true)], Some(0));
        m.places = vec![broken];
        let text = lines(&render(&m, 20, 5, ThemeKind::Mono)).join("\n");
        assert!(!text.contains(FREE_GLYPH), "{text}");
        for (width, height) in [(1, 1), (1, 3), (3, 1), (0, 0)] {
            render(&m, width, height, ThemeKind::Mono);
        }
        let huge = Rect::new(0, 0, u16::MAX, 1);
        let projection = Projection::new(CHIYODA, 10.0, huge).expect("a projection");
        let east_edge = offset(CHIYODA, 10.0, 0.0);
        let grid = Grid::plot(
            &model(vec![hospital(east_edge, "病院", true)], None),
            &projection,
        );
        assert_eq!(grid.marks.len(), usize::from(u16::MAX / 2));
        assert_eq!(grid.marks.last(), Some(&Mark::Free));
    }

    #[test]
    fn every_glyph_is_one_cell_in_both_ambiguous_widths() {
        let patterns = (0..=u8::MAX).map(braille);
        let marks = [
            FREE_GLYPH,
            FULL_GLYPH,
            ORIGIN_GLYPH,
            ASCII_FREE_GLYPH,
            ASCII_FULL_GLYPH,
            ASCII_PLACE_GLYPH,
            '^',
            'v',
            '<',
            '>',
            '|',
            '-',
        ];
        for glyph in patterns.chain(marks) {
            for amb in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
                assert_eq!(
                    width::str_width(&glyph.to_string(), amb),
                    1,
                    "{glyph} {amb:?}"
                );
            }
        }
    }
}

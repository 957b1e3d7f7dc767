//! The 搬送先候補 screen: the origin typed with completion, the hospitals
//! nearest to it with 空床, 経過 and the night number, and the map beside the
//! list (or instead of it on a narrow screen). One selection drives both.

use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::style::Style;

use super::app::App;
use super::header::warning_style;
use super::keymap::{Action, Mode};
use super::map::{draw_map, MapHospital, MapModel};
use super::painter::{centered, Painter};
use super::theme::Theme;
use crate::geo::{places, Place};
use crate::model::{HospitalCode, PrefectureNumber, Report};
use crate::text::width::{self, Align};
use crate::view::near::{fit_columns, Locator, NearColumn, NearList, NearOrder};
use crate::view::{SortDirection, SortKey};

/// At this width and wider the list and the map are side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 160;
/// The map starts wide enough for the nearest this many hospitals, and at least [`MIN_START_RADIUS_KM`].
const START_HOSPITALS: usize = 10;
const MIN_START_RADIUS_KM: f64 = 10.0;
const ZOOM_STEP: f64 = 1.5;
const RADIUS_KM: std::ops::RangeInclusive<f64> = 0.5..=500.0;
/// Completion candidates shown under the input line.
const SHOWN_CANDIDATES: usize = 6;
/// Between two columns of the list.
const GAP: u16 = 1;
/// Rows measured for the list's column widths.
const MEASURED_ROWS: usize = 5000;

/// The origin being typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NearInput {
    pub text: String,
    /// Places that start with what was typed (full names), for Tab.
    pub candidates: Vec<String>,
    /// Which candidate Tab put in the line, while cycling.
    pub cycle: Option<usize>,
    /// Why the last Enter found no place.
    pub error: Option<String>,
    /// The data's prefectures, where an ambiguous name is looked for first
    /// (read once when the line opens, not at every key).
    pub preferred: Vec<PrefectureNumber>,
}

/// The ranked list on screen.
#[derive(Clone, Debug)]
pub struct NearScreen {
    pub list: NearList,
    /// The report the list was ranked from; ranked again when a new one is shown.
    report: Arc<Report>,
    /// 空床 > 0 only (on when the screen opens).
    pub free_only: bool,
    pub order: NearOrder,
    /// Positions in `list.candidates`, in the order and filter on screen.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub scroll: usize,
    /// On a narrow screen: the map instead of the list.
    pub show_map: bool,
    pub radius_km: f64,
    /// Rows of the list on screen, for paging (set by drawing).
    pub page_rows: usize,
    /// Each column's natural width over every row shown, measured once per
    /// order and filter so the columns stay put while the selection moves.
    widths: Option<Vec<usize>>,
}

impl NearScreen {
    fn new(list: NearList, report: Arc<Report>, now: &crate::model::JstDateTime) -> Self {
        let mut screen = Self {
            list,
            report,
            free_only: true,
            order: NearOrder::default(),
            shown: Vec::new(),
            selected: 0,
            scroll: 0,
            show_map: false,
            radius_km: MIN_START_RADIUS_KM,
            page_rows: 10,
            widths: None,
        };
        screen.reorder(now);
        screen.radius_km = screen.start_radius();
        screen
    }

    /// The order and filter applied again; the selected hospital stays selected.
    fn reorder(&mut self, now: &crate::model::JstDateTime) {
        let code = self.selected_code();
        self.shown = self
            .list
            .ordered_positions(&self.report, self.order, self.free_only, now);
        self.widths = None;
        self.selected = code
            .and_then(|code| self.shown.iter().position(|&i| self.code_of(i) == code))
            .unwrap_or(0);
    }

    fn code_of(&self, shown: usize) -> HospitalCode {
        self.report.rows[self.list.candidates[shown].row].hospital_code
    }

    pub fn selected_code(&self) -> Option<HospitalCode> {
        self.shown.get(self.selected).map(|&i| self.code_of(i))
    }

    /// Wide enough for the nearest [`START_HOSPITALS`] shown, and at least 10 km.
    fn start_radius(&self) -> f64 {
        let mut distances: Vec<f64> = self
            .shown
            .iter()
            .map(|&i| self.list.candidates[i].distance_km)
            .collect();
        distances.sort_by(f64::total_cmp);
        let tenth = distances
            .get(START_HOSPITALS.min(distances.len()).saturating_sub(1))
            .copied()
            .unwrap_or(0.0);
        (tenth * 1.1).clamp(MIN_START_RADIUS_KM, *RADIUS_KM.end())
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// What the map shows: the hospitals of the list, in its order, the selected one named.
    pub fn map_model(&self) -> MapModel {
        let hospitals = self
            .shown
            .iter()
            .map(|&i| {
                let c = &self.list.candidates[i];
                let row = &self.report.rows[c.row];
                MapHospital {
                    at: c.position.at,
                    name: row.hospital_name.to_string(),
                    has_free: row.free_beds().is_some_and(|f| f > 0),
                    approximate: c.position.approximate,
                }
            })
            .collect();
        let origin = self.list.origin.at;
        let reach = self.radius_km * 3.0;
        MapModel {
            origin,
            places: places()
                .all()
                .iter()
                .map(|p| p.at)
                .filter(|at| origin.distance_km(*at) <= reach)
                .collect(),
            hospitals,
            selected: (!self.shown.is_empty()).then_some(self.selected),
            radius_km: self.radius_km,
        }
    }
}

/// The next order of `s`: distance, then 空床 (most first), then 経過 (newest first).
fn next_order(order: NearOrder) -> NearOrder {
    use crate::model::Column;
    match order {
        NearOrder::Distance(_) => NearOrder::Column(SortKey {
            column: Column::Free,
            direction: SortDirection::Descending,
        }),
        NearOrder::Column(key) if key.column == Column::Free => NearOrder::Column(SortKey {
            column: Column::Age,
            direction: SortDirection::Ascending,
        }),
        NearOrder::Column(_) => NearOrder::default(),
    }
}

fn reversed(order: NearOrder) -> NearOrder {
    match order {
        NearOrder::Distance(d) => NearOrder::Distance(d.reversed()),
        NearOrder::Column(key) => NearOrder::Column(SortKey {
            column: key.column,
            direction: key.direction.reversed(),
        }),
    }
}

impl App {
    /// The prefectures the data covers: where an ambiguous name is looked for first.
    fn near_prefectures(&self) -> Vec<PrefectureNumber> {
        let mut found = Vec::new();
        for row in &self.prepared.report.rows {
            if !found.contains(&row.prefecture_no) {
                found.push(row.prefecture_no);
            }
        }
        found
    }

    fn locator(&self) -> Locator<'_> {
        Locator {
            hospitals: self.hospitals.as_deref(),
            municipalities: self.municipalities.as_deref(),
        }
    }

    /// Opens the input line of the origin.
    pub(super) fn start_near(&mut self) {
        self.near_input = Some(NearInput {
            preferred: self.near_prefectures(),
            ..NearInput::default()
        });
        self.mode = Mode::NearInput;
    }

    /// A key while the origin is typed.
    pub(super) fn update_near_input(&mut self, action: Action) {
        let Some(input) = &mut self.near_input else {
            self.mode = Mode::Table;
            return;
        };
        match action {
            Action::Input(c) => {
                input.text.push(c);
                input.cycle = None;
                input.error = None;
            }
            Action::DeleteChar => {
                input.text.pop();
                input.cycle = None;
                input.error = None;
            }
            Action::Complete => complete(input),
            Action::Submit => return self.submit_near(),
            Action::Cancel | Action::Back => {
                self.near_input = None;
                self.mode = if self.near.is_some() {
                    Mode::Near
                } else {
                    Mode::Table
                };
                return;
            }
            _ => {}
        }
        if input.cycle.is_none() {
            input.candidates = candidate_names(&input.text, &input.preferred);
        }
    }

    fn submit_near(&mut self) {
        let Some(input) = &mut self.near_input else {
            return;
        };
        let preferred = input.preferred.clone();
        let mut found = places().resolve(&input.text, &preferred);
        if matches!(found, Err(crate::geo::PlaceError::Unknown(_))) {
            // What was typed starts one place only (in the data's prefectures): take it.
            let all = places().candidates(&input.text, &preferred);
            let in_scope: Vec<&Place> = all
                .iter()
                .copied()
                .filter(|p| preferred.contains(&p.prefecture))
                .collect();
            if let [one] = if in_scope.is_empty() {
                &all[..]
            } else {
                &in_scope[..]
            } {
                found = places().resolve(&one.full_name(), &preferred);
            }
        }
        match found {
            Ok(origin) => {
                let report = self.prepared.report.clone();
                let list = NearList::rank(&report, origin, &self.locator());
                self.near = Some(NearScreen::new(list, report, &self.spec.now));
                self.near_input = None;
                self.mode = Mode::Near;
            }
            Err(err) => input.error = Some(err.to_string()),
        }
    }

    /// A key on the 搬送先候補 screen; the hospital page and the help open over it.
    pub(super) fn update_near(&mut self, action: Action) -> Vec<super::effect::Effect> {
        let now = self.spec.now;
        let Some(near) = &mut self.near else {
            self.mode = Mode::Table;
            return Vec::new();
        };
        let page = near.page_rows.max(1) as isize;
        match action {
            Action::Up => near.move_by(-1),
            Action::Down => near.move_by(1),
            Action::PageUp => near.move_by(-page),
            Action::PageDown => near.move_by(page),
            Action::Top => near.selected = 0,
            Action::Bottom => near.move_by(isize::MAX),
            Action::ToggleFreeOnly => {
                near.free_only = !near.free_only;
                near.reorder(&now);
            }
            Action::NextSortColumn => {
                near.order = next_order(near.order);
                near.reorder(&now);
            }
            Action::ReverseSort => {
                near.order = reversed(near.order);
                near.reorder(&now);
            }
            Action::ToggleMap => near.show_map = !near.show_map,
            Action::ZoomIn => near.radius_km = (near.radius_km / ZOOM_STEP).max(*RADIUS_KM.start()),
            Action::ZoomOut => near.radius_km = (near.radius_km * ZOOM_STEP).min(*RADIUS_KM.end()),
            Action::StartNear => self.start_near(),
            Action::Open => {
                if let Some(code) = near.selected_code() {
                    return self.open_page(code);
                }
            }
            Action::Back => {
                self.near = None;
                self.mode = Mode::Table;
            }
            _ => {}
        }
        Vec::new()
    }

    /// A newer report on screen: the list ranked again from it, the selection kept.
    fn refresh_near(&mut self) {
        let report = self.prepared.report.clone();
        let now = self.spec.now;
        let stale = self
            .near
            .as_ref()
            .is_some_and(|near| !Arc::ptr_eq(&near.report, &report));
        if !stale {
            return;
        }
        let locator = Locator {
            hospitals: self.hospitals.as_deref(),
            municipalities: self.municipalities.as_deref(),
        };
        if let Some(near) = &mut self.near {
            near.list = NearList::rank(&report, near.list.origin.clone(), &locator);
            near.report = report;
            near.reorder(&now);
        }
    }
}

/// Tab: the first candidate, then the next on each press.
fn complete(input: &mut NearInput) {
    if input.cycle.is_none() {
        input.candidates = candidate_names(&input.text, &input.preferred);
    }
    if input.candidates.is_empty() {
        return;
    }
    let next = input.cycle.map_or(0, |i| (i + 1) % input.candidates.len());
    input.cycle = Some(next);
    input.text = input.candidates[next].clone();
    input.error = None;
}

/// Full names (「東京都八王子市」) of the places that start with `typed`.
fn candidate_names(typed: &str, preferred: &[PrefectureNumber]) -> Vec<String> {
    places()
        .candidates(typed, preferred)
        .into_iter()
        .take(50)
        .map(Place::full_name)
        .collect()
}

/// The input line of the origin, over whatever is on screen.
pub fn draw_input(p: &mut Painter, input: &NearInput, theme: &Theme, area: Rect) {
    let height = 7 + SHOWN_CANDIDATES as u16;
    let rect = centered(area, 76, height);
    p.frame(rect, "近くの病院（搬送先候補）", theme.popup);
    let inner = rect.right().saturating_sub(1);
    let x = rect.x + 2;
    let line = format!("起点: {}_", input.text);
    let room = usize::from(rect.width.saturating_sub(4));
    let line = tail(&line, room, p.amb);
    p.put(x, rect.y + 1, inner, &line, theme.selected);
    let hint = "市区町村名・かな・コード・住所・「緯度,経度」";
    p.put(x, rect.y + 2, inner, hint, theme.popup);
    for (i, name) in input.candidates.iter().take(SHOWN_CANDIDATES).enumerate() {
        let style = if input.cycle == Some(i) {
            theme.selected
        } else {
            theme.popup
        };
        p.put(x + 2, rect.y + 3 + i as u16, inner, name, style);
    }
    let y = rect.y + 3 + SHOWN_CANDIDATES as u16;
    if let Some(error) = &input.error {
        let lines = width::wrap(error, room, p.amb);
        for (i, line) in lines.iter().take(2).enumerate() {
            let w = rect.width.saturating_sub(4);
            p.cell(x, y + i as u16, w, line, Align::Left, warning_style(theme));
        }
    } else if input.candidates.len() > SHOWN_CANDIDATES {
        let more = format!("ほか {} 件", input.candidates.len() - SHOWN_CANDIDATES);
        p.put(x + 2, y, inner, &more, theme.popup);
    }
    let keys = "Tab: 補完（続けて押すと次の候補）  Enter: 決定  Esc: やめる";
    p.put(x, rect.bottom().saturating_sub(2), inner, keys, theme.popup);
}

/// The end of `text` in `max` cells: what was typed last is what matters.
fn tail(text: &str, max: usize, amb: width::AmbiguousWidth) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    while chars.len() > 1 && width::str_width(&chars.iter().collect::<String>(), amb) > max {
        chars.remove(0);
    }
    chars.into_iter().collect()
}

/// The whole 搬送先候補 screen: header, list and/or map, key line.
pub fn draw(p: &mut Painter, app: &mut App, theme: &Theme, area: Rect) {
    app.refresh_near();
    let map_only = area.width < SIDE_BY_SIDE_WIDTH && app.near.as_ref().is_some_and(|n| n.show_map);
    let mut header = header_lines(app);
    if map_only {
        // The list is hidden: the selected hospital's line stays in view.
        header.extend(selected_line(app).map(|line| (line, theme.selected)));
    }
    let header_height = header.len() as u16;
    for (y, (text, style)) in header.iter().enumerate() {
        let y = y as u16;
        if *style != theme.header {
            p.fill(Rect::new(0, y, area.width, 1), *style);
        }
        p.cell(0, y, area.width, text, Align::Left, *style);
    }
    let body = Rect::new(
        0,
        header_height,
        area.width,
        area.height.saturating_sub(header_height + 1),
    );
    let Some(near) = &mut app.near else {
        return;
    };
    near.page_rows = usize::from(body.height.saturating_sub(1).max(1));
    let locator = Locator {
        hospitals: app.hospitals.as_deref(),
        municipalities: app.municipalities.as_deref(),
    };
    if area.width >= SIDE_BY_SIDE_WIDTH {
        let list_width = area.width / 2;
        let list = Rect::new(0, body.y, list_width, body.height);
        let map = Rect::new(
            list_width + 1,
            body.y,
            area.width - list_width - 1,
            body.height,
        );
        draw_list(p, near, &locator, &app.spec, theme, list);
        draw_map(&near.map_model(), map, p, theme);
    } else if near.show_map {
        draw_map(&near.map_model(), body, p, theme);
    } else {
        draw_list(p, near, &locator, &app.spec, theme, body);
    }
    let keys = key_line(near.show_map, area.width >= SIDE_BY_SIDE_WIDTH);
    let y = area.height.saturating_sub(1);
    p.fill(Rect::new(0, y, area.width, 1), theme.status);
    // A notice (a failed fetch, an export written) takes the key line for its seconds.
    match app.notice_text() {
        Some(notice) => {
            let style = theme.error.patch(theme.status);
            p.cell(0, y, area.width, notice, Align::Left, style)
        }
        None => p.cell(0, y, area.width, &keys, Align::Left, theme.status),
    };
}

/// 搬送先候補 and the origin; the border warning; the order, the filter and what 「約」 means.
fn header_lines(app: &App) -> Vec<(String, Style)> {
    let theme = Theme::new(app.options.theme);
    let Some(near) = &app.near else {
        return Vec::new();
    };
    let list = &near.list;
    let mut first = format!(
        "搬送先候補  {}  {} / {} 件",
        list.origin_line(),
        near.shown.len(),
        list.candidates.len()
    );
    if list.unplaced > 0 {
        first.push_str(&format!("（位置不明 {} 件）", list.unplaced));
    }
    let mut lines = vec![(first, theme.header)];
    if app.feed.failing.is_some() {
        let text =
            "【取得失敗】新しいデータを取得できていません（Esc で病床一覧に戻ると理由が出ます）";
        lines.push((text.to_string(), warning_style(&theme)));
    }
    if let Some(note) = list.border_note() {
        lines.push((note, warning_style(&theme)));
    }
    let filter = if near.free_only {
        "空床ありのみ"
    } else {
        "すべて"
    };
    let approximate = near
        .shown
        .iter()
        .any(|&i| list.candidates[i].position.approximate);
    let legend = if approximate {
        "  約 = 概算（市区町村の役所付近から）"
    } else {
        ""
    };
    lines.push((
        format!("並べ替え: {}  表示: {filter}{legend}", near.order.label()),
        theme.header,
    ));
    lines
}

/// The selected hospital in one line: 「> 山本外科クリニック  1.0 km 北東  空床 3  042-022-4573（代表）」.
fn selected_line(app: &App) -> Option<String> {
    let near = app.near.as_ref()?;
    let candidate = &near.list.candidates[*near.shown.get(near.selected)?];
    let row = &near.report.rows[candidate.row];
    let locator = app.locator();
    let cell = |c: NearColumn| c.cell(candidate, &near.report, &locator, &app.spec);
    Some(format!(
        "> {}  {} km {}  空床 {}  {}  {}",
        row.hospital_name,
        cell(NearColumn::Distance),
        cell(NearColumn::Direction),
        cell(NearColumn::Free),
        cell(NearColumn::Age),
        cell(NearColumn::Phone)
    ))
}

/// The keys of the screen, most used first; cut at the edge of a narrow screen.
fn key_line(show_map: bool, side_by_side: bool) -> String {
    let map = match (side_by_side, show_map) {
        (true, _) => "",
        (false, false) => " m:地図",
        (false, true) => " m:一覧",
    };
    format!(" Enter:病院のページ Esc:戻る 1:空床のみ{map} +-:縮尺 s:並べ替え p:起点 ?:キー")
}

fn draw_list(
    p: &mut Painter,
    near: &mut NearScreen,
    locator: &Locator<'_>,
    spec: &crate::view::ViewSpec,
    theme: &Theme,
    area: Rect,
) {
    let rows = usize::from(area.height.saturating_sub(1));
    if near.selected < near.scroll {
        near.scroll = near.selected;
    } else if rows > 0 && near.selected >= near.scroll + rows {
        near.scroll = near.selected + 1 - rows;
    }
    let visible: Vec<usize> = near
        .shown
        .iter()
        .skip(near.scroll)
        .take(rows)
        .copied()
        .collect();
    let cells_of = |i: usize| -> Vec<String> {
        let c = &near.list.candidates[i];
        NearColumn::ALL
            .iter()
            .map(|col| col.cell(c, &near.report, locator, spec))
            .collect()
    };
    let cells: Vec<Vec<String>> = visible.iter().map(|&i| cells_of(i)).collect();
    let amb = p.amb;
    let widths = near.widths.get_or_insert_with(|| {
        // A very long list is measured over its first rows: the ones looked at.
        let measured: Vec<Vec<String>> = near
            .shown
            .iter()
            .take(MEASURED_ROWS)
            .map(|&i| cells_of(i))
            .collect();
        NearColumn::ALL
            .iter()
            .enumerate()
            .map(|(i, &col)| {
                let data = measured.iter().map(|r| width::str_width(&r[i], amb)).max();
                let header = width::str_width(col.header(), amb);
                data.unwrap_or(0).max(header).max(least_width(col))
            })
            .collect()
    });
    let wants: Vec<(NearColumn, usize)> = NearColumn::ALL
        .iter()
        .zip(widths.iter())
        .map(|(&col, &w)| (col, w))
        .collect();
    // The board's gutter: 「> 」 marks the selected row where colour is not seen.
    let left = area.x + GUTTER;
    let room = area.width.saturating_sub(GUTTER);
    let layout = fit_columns(&wants, usize::from(GAP), Some(usize::from(room)));
    let headers: Vec<String> = NearColumn::ALL
        .iter()
        .map(|c| c.header().to_string())
        .collect();
    draw_cells(
        p,
        &layout,
        &headers,
        left,
        area.y,
        area.right(),
        theme.column_header,
        false,
    );
    if near.shown.is_empty() {
        let text = if near.free_only {
            "空床のある病院はありません（1: すべて表示）"
        } else {
            "位置の分かる病院はありません"
        };
        p.put(area.x + 1, area.y + 1, area.right(), text, theme.status);
    }
    for (line, row) in cells.iter().enumerate() {
        let y = area.y + 1 + line as u16;
        let selected = near.scroll + line == near.selected;
        let style = if selected {
            theme.selected
        } else {
            Style::new()
        };
        if selected {
            p.fill(Rect::new(area.x, y, area.width, 1), style);
            p.put(area.x, y, left, "> ", style);
        }
        draw_cells(p, &layout, row, left, y, area.right(), style, true);
    }
}

/// Cells before the first column, for the selection mark.
const GUTTER: u16 = 2;

/// Room kept for each column whatever the rows now in view, so the columns
/// do not move while scrolling.
fn least_width(column: NearColumn) -> usize {
    match column {
        NearColumn::Distance => 6,
        NearColumn::Age => 8,
        NearColumn::Phone => 12,
        NearColumn::Name => 12,
        _ => 4,
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_cells(
    p: &mut Painter,
    layout: &[(NearColumn, usize)],
    cells: &[String],
    x: u16,
    y: u16,
    right: u16,
    style: Style,
    is_data: bool,
) {
    let mut x = x;
    for &(column, w) in layout {
        let at = NearColumn::ALL
            .iter()
            .position(|&c| c == column)
            .unwrap_or(0);
        let text = cells.get(at).map_or("", String::as_str);
        let align = if is_data && column.is_number() {
            Align::Right
        } else {
            Align::Left
        };
        let w = (w as u16).min(right.saturating_sub(x));
        p.cell(x, y, w, text, align, style);
        x = x.saturating_add(w + GAP);
        if x >= right {
            break;
        }
    }
}

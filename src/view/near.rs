//! 搬送先候補: the hospitals of a report ranked by their great-circle distance
//! from an origin, with the direction, where each one is (its master's own
//! point, or its municipality's as 「概算」), and whether the origin is near
//! the border of the prefectures shown.

use std::cmp::Ordering;

use crate::geo::{places, Direction, LatLng, Origin};
use crate::master::{HospitalMaster, HospitalRecord, MunicipalityMaster};
use crate::model::{JstDateTime, PrefectureNumber, Report, ReportRow};
use crate::view::sort::{self, SortDirection, SortKey};

/// Within this distance of another prefecture's municipality the header warns
/// that hospitals over the border are not shown.
pub const BORDER_KM: f64 = 10.0;

/// The mark of a distance measured from a municipality's point (「概算」).
pub const APPROXIMATE_MARK: &str = "約";

/// Where a hospital is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub at: LatLng,
    /// Its municipality's point, not its own (「概算」).
    pub approximate: bool,
}

/// The masters that place hospitals.
#[derive(Clone, Copy, Debug, Default)]
pub struct Locator<'m> {
    pub hospitals: Option<&'m HospitalMaster>,
    pub municipalities: Option<&'m MunicipalityMaster>,
}

impl Locator<'_> {
    /// The master's 緯度・経度; else the point of the hospital's municipality,
    /// from the 自治体マスタ where it has one, else from the shipped table.
    pub fn position(&self, row: &ReportRow) -> Option<Position> {
        let record = self.hospitals.and_then(|m| m.get(&row.hospital_code));
        if let Some(at) = record.and_then(|r| LatLng::new(r.latitude?, r.longitude?)) {
            return Some(Position {
                at,
                approximate: false,
            });
        }
        let code = record
            .and_then(|r| r.municipality_code)
            .unwrap_or(row.municipality_code);
        let from_master = self
            .municipalities
            .and_then(|m| m.get(&code))
            .and_then(|m| LatLng::new(m.latitude?, m.longitude?));
        let at = from_master.or_else(|| places().by_code(&code).map(|p| p.at))?;
        Some(Position {
            at,
            approximate: true,
        })
    }

    pub fn record(&self, row: &ReportRow) -> Option<&HospitalRecord> {
        self.hospitals?.get(&row.hospital_code)
    }
}

/// One hospital of the ranked list.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Index into the report's rows.
    pub row: usize,
    pub position: Position,
    pub distance_km: f64,
    pub direction: Direction,
}

impl Candidate {
    /// 北, 北東, …; blank within 50 m, where the direction means nothing.
    pub fn direction_text(&self) -> &'static str {
        if self.distance_km < 0.05 {
            ""
        } else {
            self.direction.label()
        }
    }

    /// 「12.3」, or 「約12.3」 from an approximate position.
    pub fn distance_text(&self) -> String {
        distance_text(self.distance_km, self.position.approximate)
    }
}

/// 「12.3」 km with one decimal, 「約」 before an approximate one.
pub fn distance_text(km: f64, approximate: bool) -> String {
    let mark = if approximate { APPROXIMATE_MARK } else { "" };
    format!("{mark}{km:.1}")
}

/// The hospitals of a report, nearest first.
#[derive(Clone, Debug, PartialEq)]
pub struct NearList {
    pub origin: Origin,
    /// Every hospital with a position (each one's latest row), nearest first.
    pub candidates: Vec<Candidate>,
    /// Hospitals with no position at all (no point in the master, an unknown municipality).
    pub unplaced: usize,
    /// Prefectures not shown whose municipalities are within [`BORDER_KM`] of the origin.
    pub neighbours: Vec<PrefectureNumber>,
}

impl NearList {
    /// Ranks each hospital's latest row of `report` by its distance from `origin`.
    pub fn rank(report: &Report, origin: Origin, locator: &Locator<'_>) -> Self {
        let mut candidates = Vec::new();
        let mut unplaced = 0;
        for i in crate::model::latest::latest_rows(&report.rows) {
            match locator.position(&report.rows[i]) {
                Some(position) => candidates.push(Candidate {
                    row: i,
                    position,
                    distance_km: origin.at.distance_km(position.at),
                    direction: origin.at.direction_to(position.at),
                }),
                None => unplaced += 1,
            }
        }
        candidates.sort_by(|a, b| by_distance(a, b, SortDirection::Ascending));
        let shown = prefectures_of(report);
        let neighbours = neighbours_near(origin.at, &shown);
        Self {
            origin,
            candidates,
            unplaced,
            neighbours,
        }
    }

    /// The candidates in order: by distance (nearest first unless descending),
    /// or by a column of the report with distance breaking ties; 空床 > 0 only
    /// if `free_only`.
    pub fn ordered(
        &self,
        report: &Report,
        order: NearOrder,
        free_only: bool,
        now: &JstDateTime,
    ) -> Vec<&Candidate> {
        self.ordered_positions(report, order, free_only, now)
            .into_iter()
            .map(|i| &self.candidates[i])
            .collect()
    }

    /// [`NearList::ordered`], as positions in `candidates`.
    pub fn ordered_positions(
        &self,
        report: &Report,
        order: NearOrder,
        free_only: bool,
        now: &JstDateTime,
    ) -> Vec<usize> {
        let has_free = |c: &Candidate| report.rows[c.row].free_beds().is_some_and(|f| f > 0);
        let mut shown: Vec<usize> = (0..self.candidates.len())
            .filter(|&i| !free_only || has_free(&self.candidates[i]))
            .collect();
        let candidate = |i: &usize| &self.candidates[*i];
        match order {
            NearOrder::Distance(direction) => {
                shown.sort_by(|a, b| by_distance(candidate(a), candidate(b), direction))
            }
            NearOrder::Column(key) => shown.sort_by(|a, b| {
                let (a, b) = (
                    &report.rows[candidate(a).row],
                    &report.rows[candidate(b).row],
                );
                sort::compare(a, b, key, now)
            }),
        }
        shown
    }

    /// The header's warning when the origin is near a prefecture not shown:
    /// 「県境から 10 km 以内（神奈川県）: 隣県の病院は表示されません」.
    pub fn border_note(&self) -> Option<String> {
        if self.neighbours.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.neighbours.iter().map(|p| p.name()).collect();
        Some(format!(
            "県境から {BORDER_KM:.0} km 以内（{}）: 隣県の病院は表示されません",
            names.join("・")
        ))
    }

    /// 「起点: 千代田区（役所付近）」
    pub fn origin_line(&self) -> String {
        format!("起点: {}", self.origin.label)
    }
}

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NearOrder {
    Distance(SortDirection),
    Column(SortKey),
}

impl NearOrder {
    /// How the view's description words the order: 「距離 昇順」, 「空床 降順」.
    pub fn label(self) -> String {
        match self {
            NearOrder::Distance(direction) => format!("距離 {}", direction.label()),
            NearOrder::Column(key) => format!("{} {}", key.column.name(), key.direction.label()),
        }
    }
}

impl Default for NearOrder {
    fn default() -> Self {
        NearOrder::Distance(SortDirection::Ascending)
    }
}

fn by_distance(a: &Candidate, b: &Candidate, direction: SortDirection) -> Ordering {
    let order = a.distance_km.total_cmp(&b.distance_km);
    match direction {
        SortDirection::Ascending => order,
        SortDirection::Descending => order.reverse(),
    }
}

/// The prefectures a report's rows are in.
fn prefectures_of(report: &Report) -> Vec<PrefectureNumber> {
    let mut found: Vec<PrefectureNumber> = Vec::new();
    for row in &report.rows {
        if !found.contains(&row.prefecture_no) {
            found.push(row.prefecture_no);
        }
    }
    found
}

/// Prefectures other than `shown` with a municipality point within [`BORDER_KM`].
fn neighbours_near(at: LatLng, shown: &[PrefectureNumber]) -> Vec<PrefectureNumber> {
    if shown.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<PrefectureNumber> = Vec::new();
    for place in places().all() {
        if !shown.contains(&place.prefecture)
            && !found.contains(&place.prefecture)
            && at.distance_km(place.at) <= BORDER_KM
        {
            found.push(place.prefecture);
        }
    }
    found
}

/// The number to call at night: 夜間・救急, else 代表, with its label.
pub fn night_phone(record: Option<&HospitalRecord>) -> Option<(&'static str, &str)> {
    record?.phones().into_iter().next()
}

/// A column of the 搬送先候補 list, on screen and in `print --near`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NearColumn {
    Distance,
    Direction,
    Name,
    Free,
    Ready,
    Inpatients,
    Secured,
    Age,
    Phone,
    Municipality,
    Status,
    Code,
}

impl NearColumn {
    /// In the order shown; the ones a narrow screen keeps come first in
    /// [`NearColumn::KEPT`].
    pub const ALL: [NearColumn; 12] = [
        NearColumn::Distance,
        NearColumn::Direction,
        NearColumn::Name,
        NearColumn::Free,
        NearColumn::Age,
        NearColumn::Phone,
        NearColumn::Ready,
        NearColumn::Inpatients,
        NearColumn::Secured,
        NearColumn::Status,
        NearColumn::Municipality,
        NearColumn::Code,
    ];

    /// Never left out, however narrow: what a dispatcher needs to choose and call.
    pub const KEPT: [NearColumn; 6] = [
        NearColumn::Distance,
        NearColumn::Direction,
        NearColumn::Name,
        NearColumn::Free,
        NearColumn::Age,
        NearColumn::Phone,
    ];

    pub fn header(self) -> &'static str {
        match self {
            NearColumn::Distance => "距離km",
            NearColumn::Direction => "方向",
            NearColumn::Name => "医療機関名",
            NearColumn::Free => "空床",
            NearColumn::Ready => "即応",
            NearColumn::Inpatients => "入院中",
            NearColumn::Secured => "確保",
            NearColumn::Age => "経過",
            NearColumn::Phone => "夜間・救急電話",
            NearColumn::Municipality => "市区町村",
            NearColumn::Status => "状態",
            NearColumn::Code => "医療機関コード",
        }
    }

    /// Right-aligned, never cut.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            NearColumn::Distance
                | NearColumn::Free
                | NearColumn::Ready
                | NearColumn::Inpatients
                | NearColumn::Secured
        )
    }

    /// The cell of `candidate` in this column.
    pub fn cell(
        self,
        candidate: &Candidate,
        report: &Report,
        locator: &Locator<'_>,
        spec: &crate::view::ViewSpec,
    ) -> String {
        use crate::model::Column;
        let row = &report.rows[candidate.row];
        let column = |c: Column| crate::view::cell_text(row, c, spec);
        match self {
            NearColumn::Distance => candidate.distance_text(),
            NearColumn::Direction => candidate.direction_text().to_string(),
            NearColumn::Name => row.hospital_name.to_string(),
            NearColumn::Free => column(Column::Free),
            NearColumn::Ready => column(Column::Ready),
            NearColumn::Inpatients => column(Column::Inpatients),
            NearColumn::Secured => column(Column::Secured),
            NearColumn::Age => column(Column::Age),
            NearColumn::Phone => phone_text(locator.record(row)),
            NearColumn::Municipality => row.municipality.to_string(),
            NearColumn::Status => column(Column::Status),
            NearColumn::Code => row.hospital_code.to_string(),
        }
    }
}

/// The name is cut no narrower than this before the table is wider than asked.
pub const MIN_NAME_CELLS: usize = 10;

/// Which columns fit into `width` cells (none: all), each with its width:
/// the columns a dispatcher can do without go first (from the right), then
/// the name is cut. `wants` is every column with its natural width.
pub fn fit_columns(
    wants: &[(NearColumn, usize)],
    separator: usize,
    width: Option<usize>,
) -> Vec<(NearColumn, usize)> {
    let mut shown = wants.to_vec();
    let Some(width) = width else {
        return shown;
    };
    let total = |cols: &[(NearColumn, usize)]| {
        cols.iter().map(|c| c.1).sum::<usize>() + separator * cols.len().saturating_sub(1)
    };
    while total(&shown) > width {
        let Some(last) = shown.iter().rposition(|c| !NearColumn::KEPT.contains(&c.0)) else {
            break;
        };
        shown.remove(last);
    }
    let over = total(&shown).saturating_sub(width);
    if let Some(name) = shown.iter_mut().find(|c| c.0 == NearColumn::Name) {
        name.1 = name.1.saturating_sub(over).max(MIN_NAME_CELLS.min(name.1));
    }
    shown
}

/// The night number as it is; the 代表 number marked as such; empty without a master.
pub fn phone_text(record: Option<&HospitalRecord>) -> String {
    match night_phone(record) {
        Some(("夜間・救急", number)) => number.to_string(),
        Some((label, number)) => format!("{number}（{label}）"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::places;

    fn origin(text: &str) -> Origin {
        places()
            .resolve(text, &[PrefectureNumber::find("東京都").unwrap()])
            .unwrap()
    }

    #[test]
    fn distances_are_marked_when_approximate() {
        assert_eq!(distance_text(12.345, false), "12.3");
        assert_eq!(distance_text(0.04, true), "約0.0");
    }

    #[test]
    fn a_narrow_width_leaves_out_the_extra_columns_then_cuts_the_name() {
        let wants: Vec<(NearColumn, usize)> = NearColumn::ALL.iter().map(|&c| (c, 10)).collect();
        let all = fit_columns(&wants, 1, None);
        assert_eq!(all.len(), NearColumn::ALL.len());
        // Six kept columns of 10 and five gaps: 65 cells.
        let kept = fit_columns(&wants, 1, Some(65));
        let columns: Vec<NearColumn> = kept.iter().map(|c| c.0).collect();
        assert_eq!(columns, NearColumn::KEPT);
        let one_more = fit_columns(&wants, 1, Some(76));
        assert_eq!(one_more.last().unwrap().0, NearColumn::Ready);
        // Narrower still: the name gives way, down to its least.
        let long_name: Vec<(NearColumn, usize)> = wants
            .iter()
            .map(|&(c, w)| (c, if c == NearColumn::Name { 30 } else { w }))
            .collect();
        let cut = fit_columns(&long_name, 1, Some(70));
        let name = cut.iter().find(|c| c.0 == NearColumn::Name).unwrap();
        assert_eq!(name.1, 15);
        let least = fit_columns(&long_name, 1, Some(20));
        let name = least.iter().find(|c| c.0 == NearColumn::Name).unwrap();
        assert_eq!(name.1, MIN_NAME_CELLS);
    }

    #[test]
    fn an_origin_near_another_prefecture_is_said() {
        let tokyo = [PrefectureNumber::find("東京都").unwrap()];
        let chiyoda = neighbours_near(origin("千代田区").at, &tokyo);
        assert!(chiyoda.is_empty(), "{chiyoda:?}");
        // 相模原市緑区's office is about 8 km from 八王子市's.
        let hachioji = neighbours_near(origin("八王子市").at, &tokyo);
        assert_eq!(hachioji, [PrefectureNumber::find("神奈川県").unwrap()]);
        assert!(neighbours_near(origin("八王子市").at, &[]).is_empty());
    }
}

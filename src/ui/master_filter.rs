//! Which master records the master views list, and in what order.

use super::app::App;
use super::view_model::ViewKind;
use crate::view::SearchQuery;

impl App {
    /// The master view's rows: filtered by the search in filter mode, in code order.
    pub(super) fn refresh_master_lines(&mut self) {
        let query = SearchQuery::new(if self.filter_mode { &self.search } else { "" });
        self.master_lines = match self.kind {
            ViewKind::HospitalMaster => self.hospitals.as_deref().map_or_else(Vec::new, |m| {
                matching_in_order(
                    m.records(),
                    |r| r.code,
                    |r| query.matches_any([r.name.as_str(), r.code.as_str(), &r.municipality]),
                )
            }),
            ViewKind::MunicipalityMaster => {
                self.municipalities.as_deref().map_or_else(Vec::new, |m| {
                    matching_in_order(
                        m.records(),
                        |r| r.code,
                        |r| query.matches_any([r.name.as_str(), r.code.as_str(), &r.area_name]),
                    )
                })
            }
            _ => Vec::new(),
        };
    }
}

/// Positions of the records that match, ordered by `key`.
fn matching_in_order<R, K: Ord>(
    records: &[R],
    key: impl Fn(&R) -> K,
    matches: impl Fn(&R) -> bool,
) -> Vec<usize> {
    let mut lines: Vec<usize> = (0..records.len())
        .filter(|&i| matches(&records[i]))
        .collect();
    lines.sort_by_key(|&i| key(&records[i]));
    lines
}

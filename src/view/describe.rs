//! The view in words: the one wording of sort, filter and grouping that the
//! dashboard header, `print` and an export's header lines all show.

use super::ViewSpec;

/// Sort, filter and grouping of a [`ViewSpec`], each in words; 「なし」 when unset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewDescription {
    /// 「確保病床 降順」
    pub sort: String,
    /// 「「千代田」・空床あり・古い・要確認」
    pub filter: String,
    /// 「都道府県」
    pub group: String,
}

/// The words of each one-key filter.
const QUICK_FILTER_WORDS: [&str; 3] = ["空床あり", "古い", "要確認"];
const NOTHING: &str = "なし";

impl ViewDescription {
    pub fn of(spec: &ViewSpec) -> Self {
        let mut filters = Vec::new();
        if !spec.filter.is_empty() {
            filters.push(format!(
                "「{}」",
                crate::text::sanitize(spec.filter.as_str())
            ));
        }
        let quick = spec.quick;
        let on = [quick.free_only, quick.stale_only, quick.flagged_only];
        for (on, words) in on.into_iter().zip(QUICK_FILTER_WORDS) {
            if on {
                filters.push(words.to_string());
            }
        }
        Self {
            sort: spec.sort.map_or(NOTHING.to_string(), |key| {
                format!("{} {}", key.column.name(), key.direction.label())
            }),
            filter: if filters.is_empty() {
                NOTHING.to_string()
            } else {
                filters.join("・")
            },
            group: spec.group.label().to_string(),
        }
    }

    /// 「並べ替え: 確保病床 降順」
    pub fn sort_part(&self) -> String {
        format!("並べ替え: {}", self.sort)
    }

    /// 「絞り込み: 空床あり」
    pub fn filter_part(&self) -> String {
        format!("絞り込み: {}", self.filter)
    }

    /// 「グループ: 都道府県」
    pub fn group_part(&self) -> String {
        format!("グループ: {}", self.group)
    }

    /// Each part in the order every renderer shows them: sort, filter, grouping.
    pub fn parts(&self) -> [String; 3] {
        [self.sort_part(), self.filter_part(), self.group_part()]
    }

    /// The parts on one line, as the dashboard header and `print` show them.
    pub fn line(&self) -> String {
        self.parts().join("  ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{time, Column};
    use crate::view::{Grouping, SearchQuery, SortDirection, SortKey};

    fn spec() -> ViewSpec {
        ViewSpec::new(time::parse_datetime("2022/02/01 12:00").unwrap())
    }

    #[test]
    fn nothing_set_reads_nashi() {
        assert_eq!(
            ViewDescription::of(&spec()).line(),
            "並べ替え: なし  絞り込み: なし  グループ: なし"
        );
    }

    #[test]
    fn every_condition_in_words() {
        let mut spec = spec();
        spec.sort = Some(SortKey {
            column: Column::Secured,
            direction: SortDirection::Descending,
        });
        spec.filter = SearchQuery::new("千代田\u{1b}[2J");
        spec.quick.free_only = true;
        spec.quick.flagged_only = true;
        spec.group = Grouping::Prefecture;
        let description = ViewDescription::of(&spec);
        assert_eq!(
            description.parts(),
            [
                "並べ替え: 確保病床 降順",
                "絞り込み: 「千代田?[2J」・空床あり・要確認",
                "グループ: 都道府県",
            ]
        );
        spec.quick = Default::default();
        spec.quick.stale_only = true;
        spec.filter = SearchQuery::new("  ");
        assert_eq!(
            ViewDescription::of(&spec).filter,
            "古い",
            "blank search is no filter"
        );
    }
}

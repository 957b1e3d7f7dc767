//! The columns of a report as G-MIS names them, and the ones bedboard derives.

use std::fmt;

/// How a column's values compare and align.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// Digits kept as text: compared as text, never as numbers.
    Code,
    Number,
    Date,
}

/// A column of the report table. The first thirteen are G-MIS's own, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Prefecture,
    PrefectureNo,
    MunicipalityCode,
    Municipality,
    AreaCode,
    AreaName,
    HospitalCode,
    HospitalName,
    RecordDate,
    ReportedAt,
    Secured,
    Ready,
    Inpatients,
    /// 空床 = 即応病床 − 入院中
    Free,
    /// 使用率 = 入院中 / 即応病床
    Occupancy,
    /// The report's age
    Age,
    /// Consistency flags and the stale mark
    Status,
    /// A column G-MIS sent that bedboard does not know, by its index in the report.
    Extra(usize),
}

impl Column {
    /// G-MIS's columns in the order its 「詳細のみ」 export writes them.
    pub const GMIS: [Column; 13] = [
        Column::Prefecture,
        Column::PrefectureNo,
        Column::MunicipalityCode,
        Column::Municipality,
        Column::AreaCode,
        Column::AreaName,
        Column::HospitalCode,
        Column::HospitalName,
        Column::RecordDate,
        Column::ReportedAt,
        Column::Secured,
        Column::Ready,
        Column::Inpatients,
    ];

    /// Columns bedboard computes.
    pub const DERIVED: [Column; 4] = [Column::Free, Column::Occupancy, Column::Age, Column::Status];

    /// The Japanese name, as G-MIS writes it in the header row.
    pub fn name(self) -> &'static str {
        match self {
            Column::Prefecture => "都道府県",
            Column::PrefectureNo => "都道府県番号",
            Column::MunicipalityCode => "全国地方公共団体コード",
            Column::Municipality => "市区町村",
            Column::AreaCode => "二次医療圏番号",
            Column::AreaName => "二次医療圏名",
            Column::HospitalCode => "医療機関コード",
            Column::HospitalName => "医療機関名",
            Column::RecordDate => "実績日",
            Column::ReportedAt => "報告日時",
            Column::Secured => "確保病床",
            Column::Ready => "即応病床",
            Column::Inpatients => "入院中",
            Column::Free => "空床",
            Column::Occupancy => "使用率",
            Column::Age => "経過",
            Column::Status => "状態",
            Column::Extra(_) => "",
        }
    }

    /// A short English alias for the command line.
    pub fn alias(self) -> &'static str {
        match self {
            Column::Prefecture => "pref",
            Column::PrefectureNo => "pref-no",
            Column::MunicipalityCode => "muni-code",
            Column::Municipality => "muni",
            Column::AreaCode => "area-code",
            Column::AreaName => "area",
            Column::HospitalCode => "code",
            Column::HospitalName => "name",
            Column::RecordDate => "date",
            Column::ReportedAt => "reported",
            Column::Secured => "secured",
            Column::Ready => "ready",
            Column::Inpatients => "inpatients",
            Column::Free => "free",
            Column::Occupancy => "usage",
            Column::Age => "age",
            Column::Status => "status",
            Column::Extra(_) => "",
        }
    }

    pub fn kind(self) -> ColumnKind {
        match self {
            Column::PrefectureNo
            | Column::MunicipalityCode
            | Column::AreaCode
            | Column::HospitalCode => ColumnKind::Code,
            Column::Secured
            | Column::Ready
            | Column::Inpatients
            | Column::Free
            | Column::Occupancy
            | Column::Age => ColumnKind::Number,
            Column::RecordDate | Column::ReportedAt => ColumnKind::Date,
            Column::Prefecture
            | Column::Municipality
            | Column::AreaName
            | Column::HospitalName
            | Column::Status
            | Column::Extra(_) => ColumnKind::Text,
        }
    }

    /// This count column's own of the three values (確保病床, 即応病床, 入院中);
    /// none for any other column. The one place a count column meets its field.
    pub fn pick_count<T>(self, [secured, ready, inpatients]: [T; 3]) -> Option<T> {
        match self {
            Column::Secured => Some(secured),
            Column::Ready => Some(ready),
            Column::Inpatients => Some(inpatients),
            _ => None,
        }
    }

    /// A column a total row shows: a count, 空床, or 使用率 of the sums.
    pub fn is_totalled(self) -> bool {
        matches!(
            self,
            Column::Secured | Column::Ready | Column::Inpatients | Column::Free | Column::Occupancy
        )
    }

    /// Finds a known column by its Japanese name or English alias.
    pub fn find(text: &str) -> Option<Column> {
        let text = text.trim();
        Column::GMIS
            .into_iter()
            .chain(Column::DERIVED)
            .find(|c| c.name() == text || c.alias().eq_ignore_ascii_case(text))
    }

    /// The header name of a G-MIS column, with the spellings seen in exports.
    pub fn from_header(header: &str) -> Option<Column> {
        let header = header.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let column = match header {
            "医療機関ID" => Column::HospitalCode,
            "二次医療圏コード" => Column::AreaCode,
            "市町村" => Column::Municipality,
            "確保病床数" => Column::Secured,
            "即応病床数" => Column::Ready,
            "入院中患者数" | "入院患者数" => Column::Inpatients,
            _ => Column::GMIS.into_iter().find(|c| c.name() == header)?,
        };
        Some(column)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One line per column for `--help`: 「確保病床 (secured)」.
pub fn sort_column_help() -> String {
    Column::GMIS
        .into_iter()
        .chain(Column::DERIVED)
        .map(|c| format!("{} ({})", c.name(), c.alias()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_by_name_and_alias() {
        assert_eq!(Column::find("空床"), Some(Column::Free));
        assert_eq!(Column::find("FREE"), Some(Column::Free));
        assert_eq!(Column::find("医療機関名"), Some(Column::HospitalName));
        assert_eq!(Column::find("nope"), None);
        assert_eq!(
            Column::from_header("\u{feff}都道府県"),
            Some(Column::Prefecture)
        );
        assert_eq!(Column::from_header(" 即応病床 "), Some(Column::Ready));
        assert_eq!(
            Column::from_header("空床"),
            None,
            "derived columns are not read from files"
        );
    }

    #[test]
    fn each_count_column_picks_its_own_value() {
        let values = ["確保", "即応", "入院"];
        assert_eq!(Column::Secured.pick_count(values), Some("確保"));
        assert_eq!(Column::Ready.pick_count(values), Some("即応"));
        assert_eq!(Column::Inpatients.pick_count(values), Some("入院"));
        assert_eq!(Column::Free.pick_count(values), None, "空床 is derived");
        assert!(Column::Occupancy.is_totalled() && !Column::Age.is_totalled());
    }

    #[test]
    fn names_and_aliases_are_unique() {
        let all: Vec<Column> = Column::GMIS.into_iter().chain(Column::DERIVED).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.name(), b.name());
                assert_ne!(a.alias(), b.alias());
            }
        }
    }
}

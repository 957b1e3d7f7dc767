//! The hospital master (医療機関マスタ) and the municipality master (自治体マスタ):
//! their records, their import, the cross-checks against a report, and the operator
//! profile of the seed's registration form (別添1「消防ユーザ登録情報」).
//!
//! # Accepted columns
//!
//! Both masters are CSV files in Shift-JIS (CP932, with the NEC and IBM
//! extensions) or UTF-8 with or without BOM, with a header row. Columns are found
//! by name, in any order; full-width and half-width spellings, letter case and
//! spaces in a header do not matter (「電話番号(代表)」 = 「電話番号（代表）」).
//! Columns with other names are kept and shown as they are.
//!
//! 医療機関マスタ (`--master`):
//!
//! | column | also accepted | |
//! |---|---|---|
//! | 医療機関コード | 医療機関ID, 医療機関番号, code | required, 10 digits |
//! | 医療機関名 | 医療機関名称, 名称, 病院名, name | required |
//! | 施設類型 | 施設種別, 施設区分, 種別 | 病院 / 診療所 / … |
//! | 都道府県 | 都道府県名, pref | |
//! | 市区町村 | 市町村, 市区町村名, city | |
//! | 全国地方公共団体コード | 地方公共団体コード, 団体コード, 自治体コード, 市区町村コード, lgcode | 6 digits |
//! | 二次医療圏番号 | 二次医療圏コード, 医療圏番号, 医療圏コード | 4 digits |
//! | 二次医療圏名 | 二次医療圏, 医療圏名 | |
//! | 住所 | 所在地, address | |
//! | 電話番号（代表） | 電話番号, 代表電話番号, 代表電話, 電話, TEL, phone | |
//! | 電話番号（夜間・救急） | 夜間・救急電話番号, 電話番号（夜間）, 電話番号（救急）, 夜間電話番号, 救急電話番号 | |
//! | 担当者 | 担当者名, 担当者氏名 | |
//! | 診療科 | 診療科目, 標榜診療科 | several, separated by ; 、 , or ・ |
//! | 許可病床数 | 許可病床, 病床数, beds | a number ≥ 0 |
//! | 緯度 / 経度 | lat / lng, lon, latitude / longitude | decimal degrees |
//!
//! 自治体マスタ (`--municipalities`):
//!
//! | column | also accepted | |
//! |---|---|---|
//! | 全国地方公共団体コード | 地方公共団体コード, 団体コード, 自治体コード, 市区町村コード, lgcode | required, 6 digits |
//! | 市区町村 | 市町村, 市区町村名, 自治体名, city | required |
//! | 都道府県 | 都道府県名, pref | |
//! | 二次医療圏番号 | 二次医療圏コード, 医療圏番号, 医療圏コード | |
//! | 二次医療圏名 | 二次医療圏, 医療圏名 | |
//! | 緯度 / 経度 | lat / lng, lon, latitude / longitude | the representative point, decimal degrees |
//!
//! The municipality list of localgovjp (`pid,pref,cid,city,citykana,lat,lng,url,
//! phrase,lgcode`) is read as a 自治体マスタ as it is.
//!
//! A row whose code or name cannot be read, that has fewer fields than the header,
//! or that repeats a code already read is not taken; a row with another field that
//! cannot be read (a 許可病床数 of 「多数」) is taken with that field blank. Either
//! way the row is reported with its file, line, column and reason, and counted.

pub mod checks;
mod import;
pub mod phone;
pub mod profile;

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

use crate::formats::DetectedEncoding;
use crate::formats::{Numbering, RowProblem};
use crate::model::{AreaCode, HospitalCode, MunicipalityCode};

pub use checks::{cross_check, CrossCheck, Finding, FindingKind, Side};
pub use import::{
    import_hospital_master, import_hospital_master_file, import_hospital_records,
    import_municipality_master, import_municipality_master_file, import_municipality_records,
    MasterField,
};
pub use phone::{dial_string, normalize_phone};
pub use profile::OperatorProfile;

/// One hospital of the 医療機関マスタ.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalRecord {
    /// 医療機関コード
    pub code: HospitalCode,
    /// 医療機関名
    pub name: String,
    /// 施設類型: 病院 / 診療所 / …; empty when not given.
    pub facility_type: String,
    /// 都道府県
    pub prefecture: String,
    /// 市区町村
    pub municipality: String,
    /// 全国地方公共団体コード
    pub municipality_code: Option<MunicipalityCode>,
    /// 二次医療圏番号
    pub area_code: Option<AreaCode>,
    /// 二次医療圏名
    pub area_name: String,
    /// 住所
    pub address: String,
    /// 電話番号（代表）, normalised ([`normalize_phone`]).
    pub phone_main: Option<String>,
    /// 電話番号（夜間・救急）, normalised.
    pub phone_night: Option<String>,
    /// 担当者
    pub contact: String,
    /// 診療科, one per entry.
    pub departments: Vec<String>,
    /// 許可病床数
    pub licensed_beds: Option<u32>,
    /// 緯度
    pub latitude: Option<f64>,
    /// 経度
    pub longitude: Option<f64>,
    /// Values of the other columns, in the order of [`Master::extra_columns`].
    pub extra: Vec<String>,
}

impl HospitalRecord {
    /// The phone numbers a dispatcher may call, the emergency line first:
    /// (label, number).
    pub fn phones(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(night) = &self.phone_night {
            out.push(("夜間・救急", night.as_str()));
        }
        if let Some(main) = &self.phone_main {
            out.push(("代表", main.as_str()));
        }
        out
    }
}

/// One municipality of the 自治体マスタ.
#[derive(Clone, Debug, PartialEq)]
pub struct MunicipalityRecord {
    /// 全国地方公共団体コード
    pub code: MunicipalityCode,
    /// 都道府県
    pub prefecture: String,
    /// 市区町村
    pub name: String,
    /// 二次医療圏番号
    pub area_code: Option<AreaCode>,
    /// 二次医療圏名
    pub area_name: String,
    /// 緯度 of its representative point, when the master has one.
    pub latitude: Option<f64>,
    /// 経度
    pub longitude: Option<f64>,
    /// Values of the other columns, in the order of [`Master::extra_columns`].
    pub extra: Vec<String>,
}

/// A record of a master: found by its code.
pub trait MasterRecord {
    type Code: Copy + Eq + Hash + fmt::Debug;

    fn code(&self) -> Self::Code;
}

impl MasterRecord for HospitalRecord {
    type Code = HospitalCode;

    fn code(&self) -> HospitalCode {
        self.code
    }
}

impl MasterRecord for MunicipalityRecord {
    type Code = MunicipalityCode;

    fn code(&self) -> MunicipalityCode {
        self.code
    }
}

/// A master: its records in file order, found by code, and the names of the
/// columns it has beyond the known ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Master<R: MasterRecord> {
    extra_columns: Vec<String>,
    records: Vec<R>,
    by_code: HashMap<R::Code, usize>,
}

/// The 医療機関マスタ.
pub type HospitalMaster = Master<HospitalRecord>;
/// The 自治体マスタ.
pub type MunicipalityMaster = Master<MunicipalityRecord>;

impl<R: MasterRecord> Default for Master<R> {
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new())
    }
}

impl<R: MasterRecord> Master<R> {
    /// Builds the index. Where a code repeats, the first record is the one found by
    /// [`get`](Self::get) (the importer never lets a code repeat).
    pub fn new(extra_columns: Vec<String>, records: Vec<R>) -> Self {
        let mut by_code = HashMap::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            by_code.entry(record.code()).or_insert(i);
        }
        Self {
            extra_columns,
            records,
            by_code,
        }
    }

    pub fn get(&self, code: &R::Code) -> Option<&R> {
        self.by_code.get(code).map(|&i| &self.records[i])
    }

    /// Where a code's record is in [`records`](Self::records).
    pub fn position(&self, code: &R::Code) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// The records in file order.
    pub fn records(&self) -> &[R] {
        &self.records
    }

    /// Names of the columns the master has beyond the known ones, in file order.
    pub fn extra_columns(&self) -> &[String] {
        &self.extra_columns
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The result of reading a master: the records, and an account of every row that
/// was not taken whole.
#[derive(Clone, Debug)]
pub struct MasterImport<M> {
    pub source_name: String,
    pub master: M,
    pub encoding: DetectedEncoding,
    /// Every problem found, each with its line (or record number), column and reason.
    pub problems: Vec<RowProblem>,
    /// Rows not taken: the code or the name unreadable, too few fields, a repeated code.
    pub rejected_rows: usize,
    /// Rows taken with one or more fields left blank because they could not be read.
    pub partial_rows: usize,
    /// Lines after the data that are not data (after a blank line): notices, copyright lines.
    pub footer: Vec<String>,
    /// What the numbers in `problems` count: lines (CSV) or records.
    pub numbering: Numbering,
}

impl<M> MasterImport<M> {
    /// Messages for the user, in Japanese: one per problem, then the counts.
    pub fn messages(&self) -> Vec<String> {
        let mut out =
            self.numbering
                .messages(&self.source_name, &self.problems, self.rejected_rows);
        if self.partial_rows > 0 {
            out.push(format!(
                "{}: {} {}は読めない欄を空欄にして取り込みました（上記）",
                crate::text::sanitize(&self.source_name),
                self.partial_rows,
                self.numbering.unit()
            ));
        }
        out
    }

    /// True if every row was taken whole.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.rejected_rows == 0 && self.partial_rows == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn municipality(code: &str, name: &str) -> MunicipalityRecord {
        MunicipalityRecord {
            code: MunicipalityCode::parse(code).unwrap(),
            prefecture: "東京都".to_string(),
            name: name.to_string(),
            area_code: None,
            area_name: String::new(),
            latitude: None,
            longitude: None,
            extra: Vec::new(),
        }
    }

    #[test]
    fn a_master_finds_records_by_code_and_the_first_of_a_repeated_code() {
        let master = MunicipalityMaster::new(
            vec!["備考".to_string()],
            vec![
                municipality("131016", "千代田区"),
                municipality("131024", "中央区"),
                municipality("131016", "二度目"),
            ],
        );
        let chuo = MunicipalityCode::parse("131024").unwrap();
        let chiyoda = MunicipalityCode::parse("131016").unwrap();
        let missing = MunicipalityCode::parse("131032").unwrap();
        assert_eq!(master.len(), 3);
        assert!(!master.is_empty());
        assert_eq!(master.get(&chuo).map(|r| r.name.as_str()), Some("中央区"));
        assert_eq!(
            master.get(&chiyoda).map(|r| r.name.as_str()),
            Some("千代田区")
        );
        assert_eq!(master.position(&chuo), Some(1));
        assert_eq!(master.get(&missing), None);
        assert_eq!(master.extra_columns(), ["備考"]);
        assert!(HospitalMaster::default().is_empty());
    }
}

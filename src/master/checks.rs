//! Cross-checks between a report and the masters. Every finding is shown, never
//! hidden: the dashboard counts them in the header, marks the hospitals they
//! concern, and lists them on the hospital page.

use std::collections::{HashMap, HashSet};

use super::{HospitalMaster, MunicipalityMaster};
use crate::model::{HospitalCode, MunicipalityCode, Report};
use crate::text::normalize::normalize;

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    /// A report row whose 医療機関コード the hospital master does not have.
    NotInMaster,
    /// A hospital master record no report row has (in the report's prefectures).
    NoReport,
    /// 医療機関名 differs between the report and the master beyond width, kana and spaces.
    NameDiffers,
    /// A 全国地方公共団体コード whose check digit is wrong.
    MunicipalityCheckDigit,
    /// A 全国地方公共団体コード the municipality master does not have.
    MunicipalityUnknown,
    /// 二次医療圏番号 differs between the report and the hospital master.
    AreaDiffers,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::NotInMaster,
        FindingKind::NoReport,
        FindingKind::NameDiffers,
        FindingKind::MunicipalityCheckDigit,
        FindingKind::MunicipalityUnknown,
        FindingKind::AreaDiffers,
    ];

    /// A short label for a mark or a count: 「マスタ未登録」.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::NotInMaster => "マスタ未登録",
            FindingKind::NoReport => "報告なし",
            FindingKind::NameDiffers => "名称不一致",
            FindingKind::MunicipalityCheckDigit => "自治体コード誤り",
            FindingKind::MunicipalityUnknown => "自治体マスタ未登録",
            FindingKind::AreaDiffers => "医療圏不一致",
        }
    }

    /// A sentence for a list of findings.
    pub fn description(self) -> &'static str {
        match self {
            FindingKind::NotInMaster => "レポートにある医療機関が医療機関マスタにありません",
            FindingKind::NoReport => "医療機関マスタにある医療機関がレポートにありません",
            FindingKind::NameDiffers => "医療機関名がレポートと医療機関マスタで違います",
            FindingKind::MunicipalityCheckDigit => "全国地方公共団体コードの検査数字が合いません",
            FindingKind::MunicipalityUnknown => "全国地方公共団体コードが自治体マスタにありません",
            FindingKind::AreaDiffers => "二次医療圏がレポートと医療機関マスタで違います",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a code or a name was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The report (row index in [`Report::rows`]).
    Report(usize),
    /// The 医療機関マスタ (index in [`HospitalMaster::records`]).
    HospitalMaster(usize),
    /// The 自治体マスタ (index in [`MunicipalityMaster::records`]).
    MunicipalityMaster(usize),
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Report(_) => "レポート",
            Side::HospitalMaster(_) => "医療機関マスタ",
            Side::MunicipalityMaster(_) => "自治体マスタ",
        }
    }
}

/// One thing that does not agree.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The hospital concerned; none for a 自治体マスタ record of its own.
    pub hospital: Option<HospitalCode>,
    /// The municipality concerned, when the finding is about its code.
    pub municipality: Option<MunicipalityCode>,
    /// Where the finding was made.
    pub side: Side,
    /// The full sentence, in Japanese, with both values where there are two:
    /// 「1310170043: 医療機関名が違います（レポート「東京病院」、マスタ「東京都立東京病院」）」.
    pub message: String,
}

/// Every finding of one comparison, counted by kind and listed by hospital.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossCheck {
    findings: Vec<Finding>,
    counts: [usize; FindingKind::ALL.len()],
    by_hospital: HashMap<HospitalCode, Vec<usize>>,
    /// Which masters took part (a check without its master is not made).
    pub with_hospital_master: bool,
    pub with_municipality_master: bool,
}

impl CrossCheck {
    fn push(&mut self, finding: Finding) {
        self.counts[finding.kind.index()] += 1;
        if let Some(code) = finding.hospital {
            self.by_hospital
                .entry(code)
                .or_default()
                .push(self.findings.len());
        }
        self.findings.push(finding);
    }

    /// Every finding, by kind in [`FindingKind::ALL`] order, then in report and master order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn count(&self, kind: FindingKind) -> usize {
        self.counts[kind.index()]
    }

    /// (kind, count) for every kind with at least one finding.
    pub fn counts(&self) -> Vec<(FindingKind, usize)> {
        FindingKind::ALL
            .into_iter()
            .map(|k| (k, self.count(k)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn total(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings about one hospital, for its page.
    pub fn for_hospital(&self, code: &HospitalCode) -> Vec<&Finding> {
        self.by_hospital
            .get(code)
            .map(|ids| ids.iter().map(|&i| &self.findings[i]).collect())
            .unwrap_or_default()
    }

    /// The kinds found for one hospital, for a mark in a table: each once, in order.
    pub fn kinds_for(&self, code: &HospitalCode) -> Vec<FindingKind> {
        let mut kinds: Vec<FindingKind> = self
            .for_hospital(code)
            .into_iter()
            .map(|f| f.kind)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The hospitals with at least one finding.
    pub fn hospitals(&self) -> impl Iterator<Item = &HospitalCode> {
        self.by_hospital.keys()
    }

    /// One line for a header or status line: 「照合: マスタ未登録 2・報告なし 5」, or
    /// 「照合: 不一致なし」.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "照合: 不一致なし".to_string();
        }
        let parts: Vec<String> = self
            .counts()
            .into_iter()
            .map(|(kind, n)| format!("{} {n}", kind.label()))
            .collect();
        format!("照合: {}", parts.join("・"))
    }
}

/// Compares a report with the masters it has. Without the hospital master, only the
/// municipality codes are checked; without the municipality master, only their
/// check digits.
///
/// Master records with no report are looked for only in the prefectures the report
/// covers (all of them when the report is empty): a national master is not a list
/// of missing reports.
pub fn cross_check(
    report: &Report,
    hospitals: Option<&HospitalMaster>,
    municipalities: Option<&MunicipalityMaster>,
) -> CrossCheck {
    let mut found: Vec<Finding> = Vec::new();
    let municipality = |code: &MunicipalityCode,
                        hospital: Option<HospitalCode>,
                        side: Side,
                        found: &mut Vec<Finding>| {
        let whose = match hospital {
            Some(h) => format!("{h}: {}の", side.label()),
            None => format!("{}の", side.label()),
        };
        if !code.check_digit_ok() {
            found.push(Finding {
                kind: FindingKind::MunicipalityCheckDigit,
                hospital,
                municipality: Some(*code),
                side,
                message: format!(
                    "{whose}全国地方公共団体コード {code} の検査数字が合いません（{} のはずです）",
                    code.expected_check_digit()
                ),
            });
        }
        if let Some(master) = municipalities {
            if master.get(code).is_none() && !matches!(side, Side::MunicipalityMaster(_)) {
                found.push(Finding {
                    kind: FindingKind::MunicipalityUnknown,
                    hospital,
                    municipality: Some(*code),
                    side,
                    message: format!(
                        "{whose}全国地方公共団体コード {code} が自治体マスタにありません"
                    ),
                });
            }
        }
    };

    for (i, row) in report.rows.iter().enumerate() {
        let code = row.hospital_code;
        let side = Side::Report(i);
        municipality(&row.municipality_code, Some(code), side, &mut found);
        let Some(master) = hospitals else { continue };
        let Some(record) = master.get(&code) else {
            found.push(Finding {
                kind: FindingKind::NotInMaster,
                hospital: Some(code),
                municipality: None,
                side,
                message: format!(
                    "{code}「{}」が医療機関マスタにありません",
                    row.hospital_name
                ),
            });
            continue;
        };
        if normalize(&row.hospital_name) != normalize(&record.name) {
            found.push(Finding {
                kind: FindingKind::NameDiffers,
                hospital: Some(code),
                municipality: None,
                side,
                message: format!(
                    "{code}: 医療機関名が違います（レポート「{}」、マスタ「{}」）",
                    row.hospital_name, record.name
                ),
            });
        }
        if let Some(area) = record.area_code {
            if area != row.area_code {
                let name = |code, name: &str| {
                    if name.is_empty() {
                        format!("{code}")
                    } else {
                        format!("{code} {name}")
                    }
                };
                found.push(Finding {
                    kind: FindingKind::AreaDiffers,
                    hospital: Some(code),
                    municipality: None,
                    side,
                    message: format!(
                        "{code}: 二次医療圏が違います（レポート {}、マスタ {}）",
                        name(row.area_code, &row.area_name),
                        name(area, &record.area_name)
                    ),
                });
            }
        }
    }

    if let Some(master) = hospitals {
        let reported: HashSet<HospitalCode> = report.rows.iter().map(|r| r.hospital_code).collect();
        let prefectures: HashSet<u8> = report
            .rows
            .iter()
            .map(|r| r.hospital_code.prefecture_digits())
            .collect();
        for (i, record) in master.records().iter().enumerate() {
            let side = Side::HospitalMaster(i);
            if let Some(code) = &record.municipality_code {
                municipality(code, Some(record.code), side, &mut found);
            }
            let in_scope =
                prefectures.is_empty() || prefectures.contains(&record.code.prefecture_digits());
            if in_scope && !reported.contains(&record.code) {
                found.push(Finding {
                    kind: FindingKind::NoReport,
                    hospital: Some(record.code),
                    municipality: None,
                    side,
                    message: format!(
                        "{}「{}」の報告がレポートにありません",
                        record.code, record.name
                    ),
                });
            }
        }
    }

    if let Some(master) = municipalities {
        for (i, record) in master.records().iter().enumerate() {
            if !record.code.check_digit_ok() {
                municipality(&record.code, None, Side::MunicipalityMaster(i), &mut found);
            }
        }
    }

    // Stable: within a kind, report order then master order.
    found.sort_by_key(|f| f.kind);
    let mut check = CrossCheck {
        with_hospital_master: hospitals.is_some(),
        with_municipality_master: municipalities.is_some(),
        ..CrossCheck::default()
    };
    found.into_iter().for_each(|f| check.push(f));
    check
}

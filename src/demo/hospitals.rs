//! The demo hospitals: names, 医療機関コード and 許可病床数 per municipality, and the rows
//! that are wrong on purpose.

use std::collections::{BTreeMap, HashSet};

use super::names::{fresh_name, is_clinic_name, special_name, SPECIAL_NAMES};
use super::places::{DemoMunicipality, ISLANDS_AREA, PREFECTURE_NO, TOKYO_MUNICIPALITIES};
use super::rng::{Purpose, Rng};
use crate::model::codes::luhn_check_digit;
use crate::model::HospitalCode;

/// How many hospitals the demo holds (the sum of [`DemoMunicipality::hospitals`]).
pub const HOSPITAL_COUNT: usize = 500;

/// One demo hospital: what both the report and the master need.
pub(super) struct DemoHospital {
    pub(super) code: HospitalCode,
    pub(super) name: String,
    /// Index into [`TOKYO_MUNICIPALITIES`].
    pub(super) municipality: usize,
    pub(super) clinic: bool,
    pub(super) licensed_beds: u32,
}

impl DemoHospital {
    pub(super) fn municipality(&self) -> &'static DemoMunicipality {
        &TOKYO_MUNICIPALITIES[self.municipality]
    }
}

/// Rows that are wrong on purpose, by row index, so every warning has something to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quirk {
    BlankSecured,
    BlankReady,
    BlankInpatients,
    InpatientsOverReady,
    ReadyOverSecured,
    BadCheckDigit,
}

pub(super) const QUIRKS: [(usize, Quirk); 11] = [
    (17, Quirk::BlankSecured),
    (41, Quirk::InpatientsOverReady),
    (88, Quirk::BadCheckDigit),
    (150, Quirk::BlankReady),
    (233, Quirk::InpatientsOverReady),
    (268, Quirk::BlankInpatients),
    (301, Quirk::BadCheckDigit),
    (377, Quirk::ReadyOverSecured),
    (402, Quirk::BlankInpatients),
    (455, Quirk::BadCheckDigit),
    (466, Quirk::BlankReady),
];

pub(super) fn quirk(index: usize) -> Option<Quirk> {
    QUIRKS.iter().find(|(i, _)| *i == index).map(|(_, q)| *q)
}

/// Every demo hospital, in 医療機関コード order.
pub(super) fn demo_hospitals() -> Vec<DemoHospital> {
    let mut used_names: HashSet<String> = SPECIAL_NAMES
        .iter()
        .map(|(_, _, name)| name.to_string())
        .collect();
    // 医療機関番号 are unique within a 郡市区, which several towns may share.
    let mut last_number: BTreeMap<u8, u32> = BTreeMap::new();
    let mut out = Vec::with_capacity(HOSPITAL_COUNT);
    for (m_index, muni) in TOKYO_MUNICIPALITIES.iter().enumerate() {
        let mut rng = Rng::stream(Purpose::Names, m_index as u64);
        for slot in 0..muni.hospitals {
            let name = match special_name(muni.code, slot) {
                Some(name) => name.to_string(),
                None => fresh_name(&mut rng, muni, &mut used_names),
            };
            let number = last_number
                .entry(muni.district)
                .or_insert_with(|| rng.range(100, 900));
            *number += rng.range(1, 40);
            let bad_check = quirk(out.len()) == Some(Quirk::BadCheckDigit);
            let clinic = is_clinic_name(&name);
            out.push(DemoHospital {
                code: hospital_code(muni.district, *number, bad_check),
                licensed_beds: licensed_beds(&mut rng, clinic, muni.area == ISLANDS_AREA),
                name,
                municipality: m_index,
                clinic,
            });
        }
    }
    out
}

/// 医療機関コード: 13 + 点数表 1 (医科) + 郡市区 2 + 番号 4 + Luhn check over the 6 local digits.
fn hospital_code(district: u8, number: u32, bad_check: bool) -> HospitalCode {
    let body = format!("{PREFECTURE_NO}1{district:02}{number:04}");
    let check = luhn_check_digit(&body.as_bytes()[3..9]);
    // A wrong check digit exists in real data too; it must show as a warning.
    let check = if bad_check { (check + 5) % 10 } else { check };
    HospitalCode::parse(&format!("{body}{check}")).expect("ten digits")
}

/// 許可病床数. Island hospitals are small: bigger cases are flown to the mainland.
fn licensed_beds(rng: &mut Rng, clinic: bool, island: bool) -> u32 {
    match (clinic, rng.below(100)) {
        (true, 0..=29) => 0,
        (true, _) => rng.range(5, 19),
        (false, _) if island => rng.range(20, 60),
        (false, 0..=59) => rng.range(40, 199),
        (false, 60..=89) => rng.range(200, 499),
        (false, _) => rng.range(500, 900),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hospital_count_is_fixed_and_in_range() {
        let total: usize = TOKYO_MUNICIPALITIES.iter().map(|m| m.hospitals).sum();
        assert_eq!(total, HOSPITAL_COUNT);
        assert!((400..=600).contains(&HOSPITAL_COUNT));
        assert_eq!(demo_hospitals().len(), HOSPITAL_COUNT);
    }

    #[test]
    fn only_the_chosen_codes_fail_their_check_digit() {
        let failing: Vec<usize> = demo_hospitals()
            .iter()
            .enumerate()
            .filter(|(_, hospital)| !hospital.code.check_digit_ok())
            .map(|(i, _)| i)
            .collect();
        let chosen: Vec<usize> = QUIRKS
            .iter()
            .filter(|(_, q)| *q == Quirk::BadCheckDigit)
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(failing, chosen);
    }
}

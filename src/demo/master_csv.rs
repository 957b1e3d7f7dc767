//! The demo hospital master (医療機関マスタ) as CSV: made-up addresses, telephone
//! numbers, contacts and departments for the demo hospitals.

use super::hospitals::{demo_hospitals, DemoHospital};
use super::names::{DEPARTMENTS, SURNAMES};
use super::places::{prefecture_name, DemoMunicipality, ISLANDS_AREA};
use super::rng::{Purpose, Rng};

/// Columns of the hospital master (医療機関マスタ) CSV, in file order.
pub const MASTER_COLUMNS: [&str; 16] = [
    "医療機関コード",
    "医療機関名",
    "施設類型",
    "都道府県",
    "市区町村",
    "全国地方公共団体コード",
    "二次医療圏番号",
    "二次医療圏名",
    "住所",
    "電話番号（代表）",
    "電話番号（夜間・救急）",
    "担当者",
    "診療科",
    "許可病床数",
    "緯度",
    "経度",
];

/// Header + rows of the hospital master (医療機関マスタ) as UTF-8 CSV text with CRLF line
/// ends, as G-MIS writes it (without the BOM; [`write_demo_assets`] adds one).
pub fn demo_master_csv() -> String {
    let mut out = csv_line(MASTER_COLUMNS.iter().map(|c| c.to_string()));
    for (index, hospital) in demo_hospitals().iter().enumerate() {
        out.push_str(&csv_line(master_fields(hospital, index)));
    }
    out
}

/// One CSV line, quoting only the fields that need it.
fn csv_line(fields: impl IntoIterator<Item = String>) -> String {
    let quoted: Vec<String> = fields
        .into_iter()
        .map(|f| {
            if f.contains([',', '"', '\r', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    quoted.join(",") + "\r\n"
}

fn master_fields(h: &DemoHospital, index: usize) -> Vec<String> {
    let muni = h.municipality();
    let mut rng = Rng::stream(Purpose::Master, index as u64);
    // Clinics have no separate night line: a blank the master view must show well.
    let night_phone = if h.clinic {
        String::new()
    } else {
        phone(&mut rng, muni.phone_area)
    };
    let (lat, lng) = position(&mut rng, muni);
    vec![
        h.code.to_string(),
        h.name.clone(),
        if h.clinic { "診療所" } else { "病院" }.to_string(),
        prefecture_name().to_string(),
        muni.name.to_string(),
        muni.code.to_string(),
        muni.area_code(),
        muni.area_name().to_string(),
        address(&mut rng, muni),
        phone(&mut rng, muni.phone_area),
        night_phone,
        contact(&mut rng, h.clinic),
        departments(&mut rng, h),
        h.licensed_beds.to_string(),
        lat,
        lng,
    ]
}

const TOWNS: [&str; 16] = [
    "本町",
    "栄町",
    "中町",
    "緑町",
    "旭町",
    "富士見町",
    "桜町",
    "幸町",
    "宮前",
    "東町",
    "西町",
    "南町",
    "錦町",
    "寿町",
    "春日町",
    "元町",
];

/// Towns and villages are divided into 大字-like districts, not 町.
const VILLAGE_DISTRICTS: [&str; 8] = [
    "本郷",
    "中里",
    "大久保",
    "宮下",
    "原",
    "平井",
    "岡田",
    "新田",
];

const KANJI_DIGITS: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A made-up address in the style of the 地方厚生局 lists: 丁目 in kanji, numbers full-width.
fn address(rng: &mut Rng, muni: &DemoMunicipality) -> String {
    if muni.is_town() {
        let district = rng.pick(&VILLAGE_DISTRICTS);
        return format!(
            "{}{district}{}番地",
            muni.name,
            fullwidth(rng.range(1, 2999))
        );
    }
    let town = rng.pick(&TOWNS);
    let chome = KANJI_DIGITS[rng.below(6) as usize];
    let ban = fullwidth(rng.range(1, 30));
    let go = fullwidth(rng.range(1, 25));
    format!("{}{town}{chome}丁目{ban}番{go}号", muni.name)
}

fn fullwidth(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c))
        .collect()
}

/// A number in the right format for the area code but fictional: no real local exchange
/// starts with 0.
fn phone(rng: &mut Rng, area: &str) -> String {
    let exchange_len = 6 - area.len();
    let exchange: String = std::iter::once('0')
        .chain((1..exchange_len).map(|_| char::from(b'0' + rng.below(10) as u8)))
        .collect();
    format!("{area}-{exchange}-{:04}", rng.below(10_000))
}

fn contact(rng: &mut Rng, clinic: bool) -> String {
    let role = if clinic {
        "事務"
    } else {
        rng.pick(&["地域連携室", "救急外来", "医事課", "看護部", "総務課"])
    };
    format!("{role} {}", rng.pick(&SURNAMES))
}

/// 診療科 as a multi-select list, ";"-separated as the platform exports it.
fn departments(rng: &mut Rng, h: &DemoHospital) -> String {
    if h.clinic {
        // The longest department the name mentions (整形外科 over 外科), else 内科.
        let named = DEPARTMENTS
            .iter()
            .filter(|d| h.name.contains(*d))
            .max_by_key(|d| d.len());
        return named.copied().unwrap_or("内科").to_string();
    }
    let chosen: Vec<&str> = std::iter::once("内科")
        .chain(DEPARTMENTS[1..].iter().copied().filter(|_| rng.percent(35)))
        .collect();
    chosen.join(";")
}

/// Near the town hall: about ±1.5 km in the wards, more in 多摩, less on the islands.
fn position(rng: &mut Rng, muni: &DemoMunicipality) -> (String, String) {
    let spread: u32 = match muni.area {
        1..=7 => 12_000,
        ISLANDS_AREA => 4_000,
        _ => 25_000,
    };
    let mut jitter = || i64::from(rng.range(0, 2 * spread)) - i64::from(spread);
    let lat = muni.lat_micro + jitter();
    let lng = muni.lng_micro + jitter();
    (degrees(lat), degrees(lng))
}

/// Millionths of a degree as "35.693889" (Tokyo's coordinates are all positive).
fn degrees(micro: i64) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

/// The demo's own masters, as the dashboard and the screen tests use them: its
/// hospitals (from [`demo_master_csv`]), and Tokyo's municipalities with their areas.
pub fn demo_masters() -> (
    Option<crate::master::HospitalMaster>,
    crate::master::MunicipalityMaster,
) {
    use super::places::{TOKYO_AREAS, TOKYO_MUNICIPALITIES};
    use crate::master::{import_hospital_master, MunicipalityMaster, MunicipalityRecord};
    use crate::model::{AreaCode, MunicipalityCode};
    let options = crate::formats::ImportOptions {
        source_name: "デモ用マスタ".into(),
        ..Default::default()
    };
    let hospitals = import_hospital_master(demo_master_csv().as_bytes(), &options)
        .ok()
        .map(|i| i.master);
    let records = TOKYO_MUNICIPALITIES
        .iter()
        .filter_map(|m| {
            Some(MunicipalityRecord {
                code: MunicipalityCode::parse(m.code).ok()?,
                prefecture: "東京都".to_string(),
                name: m.name.to_string(),
                area_code: AreaCode::parse(&format!("13{:02}", m.area)).ok(),
                area_name: TOKYO_AREAS[usize::from(m.area) - 1].to_string(),
                latitude: None,
                longitude: None,
                extra: Vec::new(),
            })
        })
        .collect();
    (hospitals, MunicipalityMaster::new(Vec::new(), records))
}

#[cfg(test)]
mod tests {
    use super::super::assets::asset_base_time;
    use super::super::hospitals::HOSPITAL_COUNT;
    use super::super::report::demo_report;
    use super::*;

    #[test]
    fn master_has_one_row_per_hospital() {
        let master = demo_master_csv();
        let lines: Vec<&str> = master.split_terminator("\r\n").collect();
        assert_eq!(lines[0], MASTER_COLUMNS.join(","));
        assert_eq!(lines.len(), HOSPITAL_COUNT + 1);
        let report = demo_report(&asset_base_time());
        for (line, row) in lines[1..].iter().zip(&report.rows) {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), MASTER_COLUMNS.len(), "{line}");
            assert_eq!(fields[0], row.hospital_code.as_str());
            assert_eq!(fields[1], &*row.hospital_name);
            assert!(fields[9].starts_with('0'), "{line}");
        }
    }
}

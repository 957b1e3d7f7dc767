//! The built-in demo data: one prefecture's hospitals (東京都), made by a deterministic generator.
//!
//! Everything is drawn from a tiny seeded generator, so the data is the same on every machine
//! and the committed assets under `assets/demo/` can be checked byte for byte against it.
//! Municipality codes, names, positions and their 二次医療圏 are real; hospitals, phone
//! numbers and addresses are made up. A few rows are wrong on purpose (blank counts,
//! inconsistent counts, failing check digits, stale reports) so every warning has data.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Timelike};

use crate::export::csv::{self as csv_export, OutputEncoding};
use crate::model::codes::luhn_check_digit;
use crate::model::{
    time, AreaCode, HospitalCode, JstDateTime, MunicipalityCode, PrefectureNumber, Report,
    ReportRow,
};

/// The time the committed demo assets are generated at (JST).
pub const ASSET_BASE_TIME: &str = "2026/11/01 09:00";

/// How many hospitals the demo holds (the sum of [`DemoMunicipality::hospitals`]).
pub const HOSPITAL_COUNT: usize = 500;

/// The prefecture of the demo data.
pub const PREFECTURE_NO: u8 = 13;

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

/// 都道府県 of the demo data: 東京都.
pub fn prefecture_name() -> &'static str {
    prefecture_no().name()
}

fn prefecture_no() -> PrefectureNumber {
    PrefectureNumber::new(PREFECTURE_NO).expect("13 is a prefecture")
}

/// [`ASSET_BASE_TIME`] as a time.
pub fn asset_base_time() -> JstDateTime {
    time::parse_datetime(ASSET_BASE_TIME).expect("ASSET_BASE_TIME is a valid G-MIS time")
}

// ---------------------------------------------------------------------------------------------
// Municipalities and areas

/// A municipality of 東京都 and what the generator needs to know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoMunicipality {
    /// 全国地方公共団体コード (real, from reference/municipality-codes-localgovjp.csv).
    pub code: &'static str,
    pub name: &'static str,
    /// Serial of the 二次医療圏 within Tokyo: 1 = 1301 区中央部 … 13 = 1313 島しょ.
    pub area: u8,
    /// 郡市区番号 of the 医療機関コード. 01–23 follow the wards' order (01 千代田区 and
    /// 02 中央区 are confirmed by real codes); the 多摩 and 島しょ numbers are assumed.
    pub district: u8,
    /// Telephone area code (市外局番).
    pub phone_area: &'static str,
    /// Position of the town hall in millionths of a degree (integers keep output exact).
    pub lat_micro: i64,
    pub lng_micro: i64,
    /// Demo hospitals here, roughly by population.
    pub hospitals: usize,
}

impl DemoMunicipality {
    /// 二次医療圏番号, e.g. "1301".
    pub fn area_code(&self) -> String {
        format!("{PREFECTURE_NO}{:02}", self.area)
    }

    /// 二次医療圏名, e.g. "区中央部".
    pub fn area_name(&self) -> &'static str {
        TOKYO_AREAS[usize::from(self.area) - 1]
    }

    /// Towns and villages write addresses with 番地 rather than 丁目.
    fn is_town(&self) -> bool {
        self.name.ends_with('町') || self.name.ends_with('村')
    }
}

/// The serial of 1313 島しょ.
const ISLANDS_AREA: u8 = 13;

/// Tokyo's 13 二次医療圏 (東京都保健医療計画), in 二次医療圏番号 order 1301–1313.
pub const TOKYO_AREAS: [&str; 13] = [
    "区中央部",
    "区南部",
    "区西南部",
    "区西部",
    "区西北部",
    "区東北部",
    "区東部",
    "西多摩",
    "南多摩",
    "北多摩西部",
    "北多摩南部",
    "北多摩北部",
    "島しょ",
];

#[allow(clippy::too_many_arguments)]
const fn m(
    code: &'static str,
    name: &'static str,
    area: u8,
    district: u8,
    phone_area: &'static str,
    lat_micro: i64,
    lng_micro: i64,
    hospitals: usize,
) -> DemoMunicipality {
    DemoMunicipality {
        code,
        name,
        area,
        district,
        phone_area,
        lat_micro,
        lng_micro,
        hospitals,
    }
}

/// All 62 municipalities of 東京都, in code order.
#[rustfmt::skip]
pub const TOKYO_MUNICIPALITIES: [DemoMunicipality; 62] = [
    m("131016", "千代田区", 1, 1, "03", 35693889, 139753611, 12),
    m("131024", "中央区", 1, 2, "03", 35670833, 139772222, 12),
    m("131032", "港区", 1, 3, "03", 35658056, 139751667, 16),
    m("131041", "新宿区", 4, 4, "03", 35693889, 139703611, 18),
    m("131059", "文京区", 1, 5, "03", 35708056, 139752222, 13),
    m("131067", "台東区", 1, 6, "03", 35712778, 139780000, 10),
    m("131075", "墨田区", 7, 7, "03", 35710556, 139801667, 11),
    m("131083", "江東区", 7, 8, "03", 35673056, 139817222, 17),
    m("131091", "品川区", 2, 9, "03", 35608889, 139730278, 14),
    m("131105", "目黒区", 3, 10, "03", 35641389, 139698333, 9),
    m("131113", "大田区", 2, 11, "03", 35561389, 139716111, 24),
    m("131121", "世田谷区", 3, 12, "03", 35646111, 139653056, 28),
    m("131130", "渋谷区", 3, 13, "03", 35663889, 139698056, 10),
    m("131148", "中野区", 4, 14, "03", 35707500, 139663889, 12),
    m("131156", "杉並区", 4, 15, "03", 35699444, 139636389, 18),
    m("131164", "豊島区", 5, 16, "03", 35726121, 139716678, 11),
    m("131172", "北区", 5, 17, "03", 35752778, 139733611, 13),
    m("131181", "荒川区", 6, 18, "03", 35736111, 139783333, 8),
    m("131199", "板橋区", 5, 19, "03", 35751111, 139709444, 20),
    m("131202", "練馬区", 5, 20, "03", 35735556, 139652222, 22),
    m("131211", "足立区", 6, 21, "03", 35775000, 139804722, 23),
    m("131229", "葛飾区", 6, 22, "03", 35743333, 139847222, 15),
    m("131237", "江戸川区", 7, 23, "03", 35706667, 139868333, 20),
    m("132012", "八王子市", 9, 51, "042", 35666667, 139315833, 20),
    m("132021", "立川市", 10, 52, "042", 35713889, 139407778, 7),
    m("132039", "武蔵野市", 11, 53, "0422", 35717778, 139566111, 6),
    m("132047", "三鷹市", 11, 54, "0422", 35683333, 139559444, 6),
    m("132055", "青梅市", 8, 55, "0428", 35787778, 139275833, 6),
    m("132063", "府中市", 11, 56, "042", 35668889, 139477778, 8),
    m("132071", "昭島市", 10, 57, "042", 35705556, 139353611, 3),
    m("132080", "調布市", 11, 58, "042", 35650556, 139540833, 7),
    m("132098", "町田市", 9, 59, "042", 35546559, 139438527, 14),
    m("132101", "小金井市", 11, 60, "042", 35699444, 139503056, 4),
    m("132110", "小平市", 12, 61, "042", 35728611, 139477500, 6),
    m("132128", "日野市", 9, 62, "042", 35671389, 139395000, 5),
    m("132136", "東村山市", 12, 63, "042", 35754722, 139468611, 5),
    m("132144", "国分寺市", 10, 64, "042", 35710833, 139462222, 4),
    m("132152", "国立市", 10, 65, "042", 35683889, 139441389, 2),
    m("132187", "福生市", 8, 68, "042", 35738611, 139326667, 2),
    m("132195", "狛江市", 11, 69, "03", 35634722, 139578611, 2),
    m("132209", "東大和市", 10, 70, "042", 35745556, 139426667, 3),
    m("132217", "清瀬市", 12, 71, "042", 35785833, 139526389, 4),
    m("132225", "東久留米市", 12, 72, "042", 35758056, 139529722, 3),
    m("132233", "武蔵村山市", 10, 73, "042", 35754722, 139387500, 2),
    m("132241", "多摩市", 9, 74, "042", 35636944, 139446389, 4),
    m("132250", "稲城市", 9, 75, "042", 35638056, 139504722, 2),
    m("132276", "羽村市", 8, 77, "042", 35767222, 139311111, 2),
    m("132284", "あきる野市", 8, 78, "042", 35728889, 139294167, 3),
    m("132292", "西東京市", 12, 79, "042", 35725833, 139538611, 5),
    m("133035", "瑞穂町", 8, 81, "042", 35771944, 139353889, 1),
    m("133051", "日の出町", 8, 81, "042", 35742222, 139257500, 1),
    m("133078", "檜原村", 8, 81, "042", 35726944, 139148889, 0),
    m("133086", "奥多摩町", 8, 81, "0428", 35809722, 139096389, 1),
    m("133612", "大島町", 13, 82, "04992", 34750000, 139355833, 1),
    m("133621", "利島村", 13, 82, "04992", 34529444, 139282222, 0),
    m("133639", "新島村", 13, 82, "04992", 34376944, 139257222, 1),
    m("133647", "神津島村", 13, 82, "04992", 34205556, 139134722, 0),
    m("133817", "三宅村", 13, 83, "04994", 34075833, 139479722, 1),
    m("133825", "御蔵島村", 13, 83, "04994", 33897222, 139595833, 0),
    m("134015", "八丈町", 13, 84, "04996", 33112802, 139789065, 2),
    m("134023", "青ヶ島村", 13, 84, "04996", 32466944, 139763333, 0),
    m("134210", "小笠原村", 13, 85, "04998", 27094444, 142191944, 1),
];

// ---------------------------------------------------------------------------------------------
// The generator

const SEED: u64 = 0x6265_6462_6f61_7264; // "bedboard"

/// What a random stream is for. Each (purpose, index) has its own stream, so changing how
/// one thing is drawn does not reshuffle everything else.
#[derive(Clone, Copy)]
enum Purpose {
    Names = 1,
    Counts,
    Times,
    Master,
}

/// SplitMix64: tiny, fast and good enough for demo data; no crate needed.
struct Rng(u64);

impl Rng {
    fn stream(purpose: Purpose, index: u64) -> Self {
        let p = (purpose as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng(SEED ^ p ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One demo hospital: what both the report and the master need.
struct DemoHospital {
    code: HospitalCode,
    name: String,
    /// Index into [`TOKYO_MUNICIPALITIES`].
    municipality: usize,
    clinic: bool,
    licensed_beds: u32,
}

impl DemoHospital {
    fn municipality(&self) -> &'static DemoMunicipality {
        &TOKYO_MUNICIPALITIES[self.municipality]
    }
}

/// Rows that are wrong on purpose, by row index, so every warning has something to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quirk {
    BlankSecured,
    BlankReady,
    BlankInpatients,
    InpatientsOverReady,
    ReadyOverSecured,
    BadCheckDigit,
}

const QUIRKS: [(usize, Quirk); 11] = [
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

fn quirk(index: usize) -> Option<Quirk> {
    QUIRKS.iter().find(|(i, _)| *i == index).map(|(_, q)| *q)
}

/// Every demo hospital, in 医療機関コード order.
fn demo_hospitals() -> Vec<DemoHospital> {
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

// ---------------------------------------------------------------------------------------------
// Names

/// Names with the characters real data holds and terminals and encoders trip over:
/// CP932 extension characters (髙 﨑 ① ② ㈱ Ⅱ), halfwidth katakana with separate dakuten,
/// a full-width space, and names far longer than a table column.
/// (municipality code, slot within it, name).
const SPECIAL_NAMES: [(&str, usize, &str); 12] = [
    ("131016", 2, "医療法人社団髙陽会 髙橋記念病院"),
    ("131083", 4, "㈱東雲重工業 豊洲健康管理センター診療所"),
    ("131113", 8, "ﾒﾃﾞｨｶﾙﾌﾟﾗｻﾞ蒲田駅前ｸﾘﾆｯｸ"),
    ("131121", 3, "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"),
    (
        "131156",
        9,
        "医療法人社団松風会 松風記念総合病院附属リハビリテーションセンター",
    ),
    ("131199", 6, "青葉台病院（①病棟）"),
    ("131199", 7, "青葉台病院（②病棟）"),
    ("131202", 5, "宮﨑記念病院"),
    ("131211", 11, "医療法人社団　若葉会　若葉病院"),
    (
        "131237",
        5,
        "公益財団法人白鷺医学振興財団 白鷺台総合医療センター附属診療所",
    ),
    ("132012", 5, "山﨑内科クリニック"),
    ("132063", 2, "朝日が丘第Ⅱ病院"),
];

fn special_name(code: &str, slot: usize) -> Option<&'static str> {
    SPECIAL_NAMES
        .iter()
        .find(|(c, s, _)| *c == code && *s == slot)
        .map(|(_, _, name)| *name)
}

const PLACES: [&str; 36] = [
    "桜台",
    "緑が丘",
    "若葉",
    "青葉台",
    "白鷺",
    "鶴坂",
    "松風",
    "朝日が丘",
    "希望ヶ丘",
    "清水台",
    "富士見",
    "旭",
    "春日",
    "平和台",
    "東雲",
    "明和",
    "栄",
    "泉",
    "城山",
    "宮前",
    "花園",
    "高砂",
    "美原",
    "松が丘",
    "桜川",
    "柳町",
    "竹の台",
    "梅の里",
    "双葉",
    "新町",
    "本町",
    "駅前",
    "南台",
    "あけぼの",
    "ひばりが丘",
    "つつじ野",
];

const SURNAMES: [&str; 40] = [
    "佐藤",
    "鈴木",
    "髙木",
    "田中",
    "渡辺",
    "伊藤",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山本",
    "斎藤",
    "松本",
    "井上",
    "木村",
    "清水",
    "池田",
    "橋本",
    "石川",
    "前田",
    "藤田",
    "岡田",
    "長谷川",
    "村上",
    "近藤",
    "坂本",
    "遠藤",
    "青木",
    "藤井",
    "西村",
    "福田",
    "太田",
    "三浦",
    "岡本",
    "松田",
    "中川",
    "原田",
    "小川",
    "竹内",
    "金子",
];

const CORPORATIONS: [&str; 12] = [
    "松和", "聖愛", "健生", "博仁", "慈光", "清和", "誠心", "仁友", "和光", "永寿", "恵仁", "康明",
];

const HOSPITAL_MIDS: [&str; 12] = [
    "", "中央", "記念", "総合", "第一", "共立", "協同", "厚生", "南", "東", "西", "北",
];

const CLINIC_KINDS: [&str; 8] = [
    "内科",
    "外科",
    "整形外科",
    "循環器内科",
    "呼吸器内科",
    "消化器内科",
    "ファミリー",
    "",
];

/// A generated name not used before.
fn fresh_name(rng: &mut Rng, muni: &DemoMunicipality, used: &mut HashSet<String>) -> String {
    loop {
        let name = generic_name(rng, muni);
        if used.insert(name.clone()) {
            return name;
        }
    }
}

fn generic_name(rng: &mut Rng, muni: &DemoMunicipality) -> String {
    let place = if rng.percent(40) {
        stem(muni.name)
    } else {
        rng.pick(&PLACES)
    };
    let surname = rng.pick(&SURNAMES);
    let name = match rng.below(100) {
        0..=41 => format!("{place}{}病院", hospital_mid(rng, place)),
        42..=55 => format!("{surname}{}病院", rng.pick(&["", "記念", "外科", "内科"])),
        56..=70 => format!("{place}{}", rng.pick(&HOSPITAL_KINDS)),
        71..=85 => {
            let owner = if rng.percent(50) { place } else { surname };
            format!("{owner}{}クリニック", rng.pick(&CLINIC_KINDS))
        }
        86..=92 => format!("{surname}医院"),
        _ => format!("{place}診療所"),
    };
    with_corporation(rng, name)
}

const HOSPITAL_KINDS: [&str; 6] = [
    "医療センター",
    "総合医療センター",
    "リハビリテーション病院",
    "脳神経外科病院",
    "循環器病院",
    "整形外科病院",
];

/// Avoids 「中央中央病院」 when the place is 中央区.
fn hospital_mid(rng: &mut Rng, place: &str) -> &'static str {
    let mid = rng.pick(&HOSPITAL_MIDS);
    if place.ends_with(mid) {
        ""
    } else {
        mid
    }
}

/// Many real names carry the corporation in front, separated by a space.
fn with_corporation(rng: &mut Rng, name: String) -> String {
    if rng.percent(18) {
        format!("医療法人社団{}会 {name}", rng.pick(&CORPORATIONS))
    } else {
        name
    }
}

/// 「世田谷区」→「世田谷」; one-character stems such as 北区 and 港区 stay whole.
fn stem(name: &'static str) -> &'static str {
    let trimmed = name.trim_end_matches(['区', '市', '町', '村']);
    if trimmed.chars().count() >= 2 {
        trimmed
    } else {
        name
    }
}

fn is_clinic_name(name: &str) -> bool {
    ["クリニック", "ｸﾘﾆｯｸ", "診療所", "医院"]
        .iter()
        .any(|end| name.ends_with(end))
}

// ---------------------------------------------------------------------------------------------
// The report

/// The demo report, report times spread before `base` (some stale: older than 24 h).
/// Only 報告日時 and 実績日 depend on `base`; everything else is the same for every call.
pub fn demo_report(base: &JstDateTime) -> Report {
    // G-MIS shows minutes only; whole minutes make the report survive a CSV round trip.
    let base = base
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(*base);
    let text = SharedText::new();
    let rows = demo_hospitals()
        .iter()
        .enumerate()
        .map(|(index, hospital)| report_row(hospital, index, &base, &text))
        .collect();
    Report {
        extra_columns: Vec::new(),
        rows,
    }
}

/// Text that repeats across rows, stored once as the importer does.
struct SharedText {
    prefecture: Arc<str>,
    municipalities: Vec<Arc<str>>,
    areas: Vec<Arc<str>>,
}

impl SharedText {
    fn new() -> Self {
        Self {
            prefecture: prefecture_name().into(),
            municipalities: TOKYO_MUNICIPALITIES.iter().map(|m| m.name.into()).collect(),
            areas: TOKYO_AREAS.iter().map(|&a| a.into()).collect(),
        }
    }
}

fn report_row(h: &DemoHospital, index: usize, base: &JstDateTime, text: &SharedText) -> ReportRow {
    let muni = h.municipality();
    let (reported_at, record_date) = report_times(index, base);
    let (secured, ready, inpatients) = counts(h, index);
    ReportRow {
        prefecture: text.prefecture.clone(),
        prefecture_no: prefecture_no(),
        municipality_code: MunicipalityCode::parse(muni.code).expect("table codes are 6 digits"),
        municipality: text.municipalities[h.municipality].clone(),
        area_code: AreaCode::parse(&muni.area_code()).expect("area codes are 4 digits"),
        area_name: text.areas[usize::from(muni.area) - 1].clone(),
        hospital_code: h.code,
        hospital_name: h.name.clone(),
        record_date,
        reported_at,
        secured,
        ready,
        inpatients,
        extra: Vec::new(),
    }
}

/// 報告日時 and 実績日. Most hospitals reported in the last few hours, some during the
/// last day, and about 7 % stopped reporting one to three days ago (stale).
fn report_times(index: usize, base: &JstDateTime) -> (JstDateTime, NaiveDate) {
    let mut rng = Rng::stream(Purpose::Times, index as u64);
    let minutes = match rng.below(100) {
        0..=6 => rng.range(24 * 60 + 10, 72 * 60),
        7..=26 => rng.range(4 * 60, 23 * 60),
        _ => rng.range(1, 4 * 60),
    };
    let reported_at = *base - Duration::minutes(i64::from(minutes));
    // 実績日 is the day of the report or, for a morning report, often the day before.
    let days_back = u64::from(rng.percent(30));
    let record_date = reported_at.date_naive() - chrono::Days::new(days_back);
    (reported_at, record_date)
}

type Counts = (Option<u32>, Option<u32>, Option<u32>);

/// 確保病床, 即応病床, 入院中: consistent, except for the rows in [`QUIRKS`].
fn counts(h: &DemoHospital, index: usize) -> Counts {
    let mut rng = Rng::stream(Purpose::Counts, index as u64);
    let secured = secured_beds(&mut rng, h);
    let ready = if rng.percent(10) {
        secured / 2
    } else {
        secured - rng.range(0, secured / 4)
    };
    // A full ward (空床 0) is what a dispatcher most needs to see; the rest are 10–90 % used.
    let inpatients = if rng.percent(8) {
        ready
    } else {
        ready * rng.range(10, 90) / 100
    };
    apply_quirk(quirk(index), (secured, ready, inpatients))
}

fn secured_beds(rng: &mut Rng, h: &DemoHospital) -> u32 {
    if h.clinic {
        return match h.licensed_beds {
            0 => 0,
            beds => rng.range(1, beds.min(4)),
        };
    }
    let secured = match rng.below(100) {
        0..=5 => 0,
        // The smaller of two draws: most hospitals hold a handful of beds.
        6..=85 => rng.range(2, 20).min(rng.range(2, 20)),
        _ => rng.range(21, 60),
    };
    secured.min(h.licensed_beds)
}

fn apply_quirk(quirk: Option<Quirk>, (secured, ready, inpatients): (u32, u32, u32)) -> Counts {
    let (s, r, i) = (Some(secured), Some(ready), Some(inpatients));
    match quirk {
        Some(Quirk::BlankSecured) => (None, r, i),
        Some(Quirk::BlankReady) => (s, None, i),
        Some(Quirk::BlankInpatients) => (s, r, None),
        Some(Quirk::InpatientsOverReady) => (s, r, Some(ready + 2)),
        Some(Quirk::ReadyOverSecured) => (s, Some(secured + 3), i),
        Some(Quirk::BadCheckDigit) | None => (s, r, i),
    }
}

// ---------------------------------------------------------------------------------------------
// The hospital master

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

const DEPARTMENTS: [&str; 14] = [
    "内科",
    "外科",
    "整形外科",
    "循環器内科",
    "呼吸器内科",
    "消化器内科",
    "脳神経外科",
    "小児科",
    "救急科",
    "リハビリテーション科",
    "泌尿器科",
    "皮膚科",
    "眼科",
    "精神科",
];

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

// ---------------------------------------------------------------------------------------------
// Assets

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `report.csv` (CP932, CRLF: a G-MIS 「詳細のみ」 export at [`ASSET_BASE_TIME`]) and
/// `master.csv` (UTF-8 with BOM, CRLF) into `dir`, creating it if needed.
pub fn write_demo_assets(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let report = demo_report(&asset_base_time());
    let (bytes, lost) = csv_export::write_csv(
        &report.extra_columns,
        &report.rows,
        OutputEncoding::ShiftJis,
    );
    // A character Shift-JIS cannot hold is an error, never a silent 〓.
    if let Some(first) = lost.first() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "demo row {} holds {:?}, which Shift-JIS cannot encode",
                first.row, first.character
            ),
        ));
    }
    std::fs::write(dir.join("report.csv"), bytes)?;
    let mut master = UTF8_BOM.to_vec();
    master.extend_from_slice(demo_master_csv().as_bytes());
    std::fs::write(dir.join("master.csv"), master)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::encoding::encode_sjis;
    use crate::model::Flag;

    fn base() -> JstDateTime {
        asset_base_time()
    }

    fn committed_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
    }

    #[test]
    fn hospital_count_is_fixed_and_in_range() {
        let total: usize = TOKYO_MUNICIPALITIES.iter().map(|m| m.hospitals).sum();
        assert_eq!(total, HOSPITAL_COUNT);
        assert!((400..=600).contains(&HOSPITAL_COUNT));
        assert_eq!(demo_report(&base()).rows.len(), HOSPITAL_COUNT);
    }

    #[test]
    fn hospital_codes_are_unique_ten_digit_tokyo_codes() {
        let report = demo_report(&base());
        let codes: HashSet<_> = report.rows.iter().map(|r| r.hospital_code).collect();
        assert_eq!(codes.len(), report.rows.len());
        let in_order = report
            .rows
            .windows(2)
            .all(|w| w[0].hospital_code < w[1].hospital_code);
        assert!(
            in_order,
            "rows come in 医療機関コード order, as the master lists them"
        );
        for row in &report.rows {
            let code = row.hospital_code.as_str();
            assert_eq!(code.len(), 10);
            assert!(code.starts_with("131"), "{code}");
        }
    }

    #[test]
    fn only_the_chosen_codes_fail_their_check_digit() {
        let report = demo_report(&base());
        let failing: Vec<usize> = (0..report.rows.len())
            .filter(|&i| !report.rows[i].hospital_code.check_digit_ok())
            .collect();
        let chosen: Vec<usize> = QUIRKS
            .iter()
            .filter(|(_, q)| *q == Quirk::BadCheckDigit)
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(failing, chosen);
    }

    #[test]
    fn municipality_and_area_codes_are_real_tokyo_codes() {
        for muni in &TOKYO_MUNICIPALITIES {
            let code = MunicipalityCode::parse(muni.code).unwrap();
            assert!(code.check_digit_ok(), "{}", muni.code);
            assert_eq!(code.prefecture_digits(), 13);
        }
        let report = demo_report(&base());
        let mut areas = HashSet::new();
        for row in &report.rows {
            assert!(row.municipality_code.check_digit_ok());
            assert!(row.area_code.as_str().starts_with("13"));
            assert_eq!(row.area_code.prefecture_digits(), 13);
            areas.insert(row.area_code);
        }
        assert_eq!(areas.len(), 13, "every 二次医療圏 has hospitals");
    }

    #[test]
    fn every_name_is_cp932_encodable() {
        let report = demo_report(&base());
        for row in &report.rows {
            let (_, lost) = encode_sjis(&row.hospital_name);
            assert!(lost.is_empty(), "{}: {lost:?}", row.hospital_name);
        }
        let (_, lost) = encode_sjis(&demo_master_csv());
        assert!(lost.is_empty(), "master: {lost:?}");
    }

    #[test]
    fn awkward_names_are_there() {
        let report = demo_report(&base());
        let names: Vec<&str> = report
            .rows
            .iter()
            .map(|r| r.hospital_name.as_str())
            .collect();
        let has = |s: &str| names.iter().any(|n| n.contains(s));
        assert_eq!(names.iter().filter(|n| **n == "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ").count(), 1);
        for awkward in ["髙", "﨑", "①", "②", "㈱", "Ⅱ", "\u{3000}", "ﾞ"] {
            assert!(has(awkward), "no name with {awkward}");
        }
        assert!(names.iter().any(|n| n.chars().count() >= 30));
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn some_rows_are_stale_flagged_blank_or_full() {
        let report = demo_report(&base());
        let rows = &report.rows;
        let stale = rows
            .iter()
            .filter(|r| r.is_stale(&base(), Duration::hours(24)))
            .count();
        assert!(
            (rows.len() * 5 / 100..=rows.len() / 10).contains(&stale),
            "{stale} stale"
        );
        let flagged = rows
            .iter()
            .filter(|r| r.flags(&base()).has_errors())
            .count();
        assert_eq!(flagged, 3);
        let over = |f| rows.iter().filter(|r| r.static_flags().contains(f)).count();
        assert_eq!(over(Flag::InpatientsOverReady), 2);
        assert_eq!(over(Flag::ReadyOverSecured), 1);
        let blank =
            |r: &&ReportRow| r.secured.is_none() || r.ready.is_none() || r.inpatients.is_none();
        assert_eq!(rows.iter().filter(blank).count(), 5);
        let full = rows.iter().filter(|r| r.free_beds() == Some(0)).count();
        assert!(full >= 5, "{full} rows with 空床 0");
    }

    #[test]
    fn counts_stay_in_range() {
        for row in &demo_report(&base()).rows {
            assert!(row.secured.unwrap_or(0) <= 60);
            assert!(row.ready.unwrap_or(0) <= 63);
            assert!(row.reported_at < base());
            assert!(row.age(&base()) <= Duration::hours(72));
            let day = row.reported_at.date_naive();
            assert!(row.record_date == day || row.record_date.succ_opt() == Some(day));
        }
    }

    #[test]
    fn the_generator_is_deterministic() {
        assert_eq!(demo_report(&base()), demo_report(&base()));
        assert_eq!(demo_master_csv(), demo_master_csv());
    }

    #[test]
    fn only_the_times_depend_on_base() {
        let later = base() + Duration::hours(30) + Duration::minutes(17);
        let (a, b) = (demo_report(&base()), demo_report(&later));
        assert_eq!(a.rows.len(), b.rows.len());
        for (x, y) in a.rows.iter().zip(&b.rows) {
            assert_eq!(x.age(&base()), y.age(&later));
            let mut y = y.clone();
            y.reported_at = x.reported_at;
            y.record_date = x.record_date;
            assert_eq!(*x, y);
        }
    }

    #[test]
    fn master_has_one_row_per_hospital() {
        let master = demo_master_csv();
        let lines: Vec<&str> = master.split_terminator("\r\n").collect();
        assert_eq!(lines[0], MASTER_COLUMNS.join(","));
        assert_eq!(lines.len(), HOSPITAL_COUNT + 1);
        let report = demo_report(&base());
        for (line, row) in lines[1..].iter().zip(&report.rows) {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), MASTER_COLUMNS.len(), "{line}");
            assert_eq!(fields[0], row.hospital_code.as_str());
            assert_eq!(fields[1], row.hospital_name);
            assert!(fields[9].starts_with('0'), "{line}");
        }
    }

    #[test]
    fn the_report_survives_a_csv_round_trip() {
        let report = demo_report(&base());
        let (bytes, lost) = csv_export::write_csv(&[], &report.rows, OutputEncoding::ShiftJis);
        assert!(lost.is_empty());
        let import = crate::formats::gmis_csv::import_bytes(&bytes, &Default::default()).unwrap();
        assert!(import.problems.is_empty(), "{:?}", import.problems);
        assert_eq!(import.report, report);
    }

    #[test]
    fn committed_assets_match_the_generator() {
        let temp = tempfile::tempdir().unwrap();
        write_demo_assets(temp.path()).unwrap();
        for file in ["report.csv", "master.csv"] {
            let fresh = std::fs::read(temp.path().join(file)).unwrap();
            let committed = std::fs::read(committed_dir().join(file)).unwrap();
            assert!(
                fresh == committed,
                "assets/demo/{file} is out of date: run \
                 `cargo test --lib demo -- --ignored` to regenerate it"
            );
        }
    }

    /// Regenerates the committed assets: `cargo test --lib demo -- --ignored`.
    #[test]
    #[ignore]
    fn regenerate_committed_assets() {
        write_demo_assets(&committed_dir()).unwrap();
    }
}

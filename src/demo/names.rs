//! Hospital names: generated ones, and a few with the characters real data holds and
//! terminals and encoders trip over.

use std::collections::HashSet;

use super::places::DemoMunicipality;
use super::rng::Rng;

/// Names with the characters real data holds and terminals and encoders trip over, and
/// names far longer than a table column: (municipality code, slot within it, name).
#[rustfmt::skip]
pub(super) const SPECIAL_NAMES: [(&str, usize, &str); 12] = [
    // CP932 extension characters: 髙 﨑 ① ② ㈱ Ⅱ.
    ("131016", 2, "医療法人社団髙陽会 髙橋記念病院"),
    ("131083", 4, "㈱東雲重工業 豊洲健康管理センター診療所"),
    ("131199", 6, "青葉台病院（①病棟）"),
    ("131199", 7, "青葉台病院（②病棟）"),
    ("131202", 5, "宮﨑記念病院"),
    ("132012", 5, "山﨑内科クリニック"),
    ("132063", 2, "朝日が丘第Ⅱ病院"),
    // Halfwidth katakana, with the dakuten as separate characters.
    ("131113", 8, "ﾒﾃﾞｨｶﾙﾌﾟﾗｻﾞ蒲田駅前ｸﾘﾆｯｸ"),
    ("131121", 3, "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"),
    // Full-width spaces.
    ("131211", 11, "医療法人社団　若葉会　若葉病院"),
    // Far longer than a table column.
    ("131156", 9, "医療法人社団松風会 松風記念総合病院附属リハビリテーションセンター"),
    ("131237", 5, "公益財団法人白鷺医学振興財団 白鷺台総合医療センター附属診療所"),
];

pub(super) fn special_name(code: &str, slot: usize) -> Option<&'static str> {
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

pub(super) const SURNAMES: [&str; 40] = [
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

/// 診療科, as the master lists them; the first six also name clinics.
#[rustfmt::skip]
pub(super) const DEPARTMENTS: [&str; 14] = [
    "内科", "外科", "整形外科", "循環器内科", "呼吸器内科", "消化器内科", "脳神経外科",
    "小児科", "救急科", "リハビリテーション科", "泌尿器科", "皮膚科", "眼科", "精神科",
];

/// What a clinic's name says it does: one of the first six departments, 「ファミリー」,
/// or nothing (eight kinds, drawn evenly).
fn clinic_kind(rng: &mut Rng) -> &'static str {
    match rng.below(8) {
        6 => "ファミリー",
        7 => "",
        department => DEPARTMENTS[department as usize],
    }
}

/// A generated name not used before.
pub(super) fn fresh_name(
    rng: &mut Rng,
    muni: &DemoMunicipality,
    used: &mut HashSet<String>,
) -> String {
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
            format!("{owner}{}クリニック", clinic_kind(rng))
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

pub(super) fn is_clinic_name(name: &str) -> bool {
    ["クリニック", "ｸﾘﾆｯｸ", "診療所", "医院"]
        .iter()
        .any(|end| name.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::super::assets::asset_base_time;
    use super::super::master_csv::demo_master_csv;
    use super::super::report::demo_report;
    use crate::formats::encoding::encode_sjis;
    use std::collections::HashSet;

    #[test]
    fn every_name_is_cp932_encodable() {
        let report = demo_report(&asset_base_time());
        for row in &report.rows {
            let (_, lost) = encode_sjis(&row.hospital_name);
            assert!(lost.is_empty(), "{}: {lost:?}", row.hospital_name);
        }
        let (_, lost) = encode_sjis(&demo_master_csv());
        assert!(lost.is_empty(), "master: {lost:?}");
    }

    #[test]
    fn awkward_names_are_there() {
        let report = demo_report(&asset_base_time());
        let names: Vec<&str> = report
            .rows
            .iter()
            .map(|r| r.hospital_name.as_ref())
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
}

//! Shared by the property tests: a generator of valid report rows.

use bedboard::model::codes::{luhn_check_digit, municipality_check_digit};
use bedboard::model::{
    time, AreaCode, HospitalCode, MunicipalityCode, PrefectureNumber, ReportRow,
};
use chrono::NaiveDate;
use proptest::prelude::*;

/// Characters a G-MIS name really holds, all of them in CP932: kanji, kana,
/// halfwidth katakana with separate dakuten, NEC/IBM extensions, ASCII with
/// the CSV specials.
pub const NAME_CHARS: &[char] = &[
    '東', '京', '都', '病', '院', '医', '療', '法', '人', '会', '髙', '﨑', '①', '㈱', 'Ⅱ', '※',
    '○', 'ク', 'リ', 'ニ', 'ッ', 'ｸ', 'ﾞ', 'ﾘ', 'ｰ', 'ﾝ', 'ﾟ', 'び', 'ょ', 'う', 'A', 'z', '0', ' ',
    '　', ',', '"', '\'', '=', '-', '+', '@', '(', ')', '・', '～',
];

pub fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAME_CHARS), min..max)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        // The importer trims cell edges, as spreadsheets do.
        .prop_map(|s| s.trim().to_string())
        .prop_filter("names are not blank", |s| !s.is_empty())
}

pub fn digits(n: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(b'0'..=b'9', n)
}

pub fn row() -> impl Strategy<Value = ReportRow> {
    let codes = (1u8..=47, digits(4), digits(6), digits(2));
    let counts = (
        prop::option::of(0u32..2000),
        prop::option::of(0u32..2000),
        prop::option::of(0u32..2000),
    );
    let when = (0i64..3000, 0u32..24 * 60);
    (
        codes,
        counts,
        when,
        text(1, 30),
        text(1, 8),
        text(1, 8),
        text(1, 8),
    )
        .prop_map(
            |(
                (pref, muni, hosp, area),
                counts,
                (days, minute),
                name,
                pref_name,
                muni_name,
                area_name,
            )| {
                let pref_digits = format!("{pref:02}");
                let mut muni_code = format!(
                    "{pref_digits}{}",
                    String::from_utf8(muni[..3].to_vec()).unwrap()
                );
                muni_code.push(char::from(
                    b'0' + municipality_check_digit(muni_code.as_bytes()),
                ));
                let mut hosp_code = format!("{pref_digits}1{}", String::from_utf8(hosp).unwrap());
                hosp_code.push(char::from(
                    b'0' + luhn_check_digit(&hosp_code.as_bytes()[3..]),
                ));
                let date =
                    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(days);
                let reported = time::parse_datetime(&format!(
                    "{} {:02}:{:02}",
                    time::format_date(date),
                    minute / 60,
                    minute % 60
                ))
                .unwrap();
                ReportRow {
                    prefecture: pref_name.into(),
                    prefecture_no: PrefectureNumber::new(pref).unwrap(),
                    municipality_code: MunicipalityCode::parse(&muni_code).unwrap(),
                    municipality: muni_name.into(),
                    area_code: AreaCode::parse(&format!(
                        "{pref_digits}{}",
                        String::from_utf8(area).unwrap()
                    ))
                    .unwrap(),
                    area_name: area_name.into(),
                    hospital_code: HospitalCode::parse(&hosp_code).unwrap(),
                    hospital_name: name.into(),
                    record_date: date,
                    reported_at: reported,
                    secured: counts.0,
                    ready: counts.1,
                    inpatients: counts.2,
                    extra: Box::default(),
                }
            },
        )
}

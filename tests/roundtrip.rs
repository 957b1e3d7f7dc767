//! Property tests: rows written as a G-MIS CSV read back as the same rows,
//! and no input whatever makes the importer panic.

use bedboard::feed::gmis_csv::{import_bytes, write_csv, OutputEncoding};
use bedboard::feed::{EncodingChoice, ImportOptions};
use bedboard::model::codes::{luhn_check_digit, municipality_check_digit};
use bedboard::model::{
    time, AreaCode, HospitalCode, MunicipalityCode, PrefectureNumber, ReportRow,
};
use chrono::NaiveDate;
use proptest::prelude::*;

/// Characters a G-MIS name really holds, all of them in CP932: kanji, kana,
/// halfwidth katakana with separate dakuten, NEC/IBM extensions, ASCII with
/// the CSV specials.
const NAME_CHARS: &[char] = &[
    '東', '京', '都', '病', '院', '医', '療', '法', '人', '会', '髙', '﨑', '①', '㈱', 'Ⅱ', '※',
    '○', 'ク', 'リ', 'ニ', 'ッ', 'ｸ', 'ﾞ', 'ﾘ', 'ｰ', 'ﾝ', 'ﾟ', 'び', 'ょ', 'う', 'A', 'z', '0', ' ',
    '　', ',', '"', '\'', '=', '-', '(', ')', '・', '～',
];

fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAME_CHARS), min..max)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        // The importer trims cell edges, as spreadsheets do.
        .prop_map(|s| s.trim().to_string())
        .prop_filter("names are not blank", |s| !s.is_empty())
}

fn digits(n: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(b'0'..=b'9', n)
}

fn row() -> impl Strategy<Value = ReportRow> {
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
                    hospital_name: name,
                    record_date: date,
                    reported_at: reported,
                    secured: counts.0,
                    ready: counts.1,
                    inpatients: counts.2,
                    extra: vec![],
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rows_survive_a_csv_round_trip(rows in prop::collection::vec(row(), 0..40)) {
        for output in [OutputEncoding::ShiftJis, OutputEncoding::Utf8, OutputEncoding::Utf8Bom] {
            let (bytes, lost) = write_csv(&[], &rows, output);
            prop_assert!(lost.is_empty(), "{lost:?}");
            let import = import_bytes(&bytes, &ImportOptions::default()).unwrap();
            prop_assert!(import.problems.is_empty(), "{:?}", import.problems);
            prop_assert!(import.footer.is_empty());
            prop_assert_eq!(&import.report.rows, &rows, "{:?}", output);
        }
    }

    #[test]
    fn extra_columns_survive_too(rows in prop::collection::vec(row(), 1..10), note in text(1, 10)) {
        let rows: Vec<ReportRow> = rows.into_iter().map(|mut r| { r.extra = vec![note.clone()]; r }).collect();
        let (bytes, _) = write_csv(&["備考".to_string()], &rows, OutputEncoding::ShiftJis);
        let import = import_bytes(&bytes, &ImportOptions::default()).unwrap();
        prop_assert_eq!(&import.report.extra_columns, &vec!["備考".to_string()]);
        prop_assert_eq!(&import.report.rows, &rows);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        for encoding in [EncodingChoice::Auto, EncodingChoice::Sjis, EncodingChoice::Utf8] {
            let options = ImportOptions { encoding, ..Default::default() };
            let _ = import_bytes(&bytes, &options);
        }
    }

    /// Damaged reports: a valid file with bytes flipped, cut short or spliced.
    #[test]
    fn damaged_reports_never_panic(
        rows in prop::collection::vec(row(), 1..8),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let (mut bytes, _) = write_csv(&[], &rows, OutputEncoding::ShiftJis);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Ok(import) = import_bytes(&bytes, &ImportOptions::default()) {
            // Nothing silently dropped: every data line is a row, a rejection or footer.
            prop_assert!(import.report.rows.len() + import.rejected_rows <= rows.len() + 12);
        }
    }
}

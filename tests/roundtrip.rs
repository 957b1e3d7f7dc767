//! Property tests: rows written as a G-MIS CSV read back as the same rows,
//! and no input whatever makes the importer panic.

use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::gmis_csv::import_bytes;
use bedboard::formats::{EncodingChoice, ImportOptions};
use bedboard::model::ReportRow;
use common::{row, text};
use proptest::prelude::*;

mod common;

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
        let rows: Vec<ReportRow> = rows.into_iter().map(|mut r| { r.extra = vec![note.clone()].into(); r }).collect();
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

//! Whether a body is whole: a file read while it is written, or a reply cut
//! short, must be read again rather than taken for the report.

use super::csv_records::{ends_with_line_break, open_quote_at};
use super::{first_significant_byte, xlsx, FeedFormat};

/// True if `bytes` end where a report in `format` can end: a CSV at a line
/// break outside any quoted field (trailing blanks and EOF marks aside), a JSON
/// document that does not stop before its end, an .xlsx whose zip directory is
/// there. A body with nothing in it counts as whole: the importer says it is empty.
///
/// Only the end is judged: a whole body may still be refused by its importer.
pub fn ends_at_row_boundary(bytes: &[u8], format: FeedFormat) -> bool {
    if first_significant_byte(bytes).is_none() {
        return true;
    }
    let csv_or_auto = matches!(format, FeedFormat::Auto | FeedFormat::Csv);
    if csv_or_auto && xlsx::is_zip(bytes) {
        return zip_is_complete(bytes);
    }
    match format {
        FeedFormat::Json | FeedFormat::Report => json_is_complete(bytes),
        FeedFormat::Auto if matches!(first_significant_byte(bytes), Some(b'[' | b'{')) => {
            json_is_complete(bytes)
        }
        FeedFormat::Auto | FeedFormat::Csv => csv_is_complete(bytes),
    }
}

fn csv_is_complete(bytes: &[u8]) -> bool {
    ends_with_line_break(bytes) && open_quote_at(bytes).is_none()
}

/// A JSON document is cut when the parser runs out of text; a syntax error
/// elsewhere is the importer's to report.
fn json_is_complete(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => true,
        Err(err) => err.classify() != serde_json::error::Category::Eof,
    }
}

/// The end-of-central-directory record a zip ends with: its signature and size.
const END_OF_DIRECTORY: &[u8; 4] = b"PK\x05\x06";
const END_OF_DIRECTORY_LEN: usize = 22;

/// A zip is whole when it ends with its end-of-central-directory record (and
/// that record's comment), and the directory it points to ends where it starts.
fn zip_is_complete(bytes: &[u8]) -> bool {
    let search_from = bytes
        .len()
        .saturating_sub(END_OF_DIRECTORY_LEN + usize::from(u16::MAX));
    let field = |at: usize, len: usize| -> u64 {
        bytes[at..at + len]
            .iter()
            .rev()
            .fold(0, |value, &b| value << 8 | u64::from(b))
    };
    (search_from..=bytes.len().saturating_sub(END_OF_DIRECTORY_LEN))
        .rev()
        .filter(|&at| bytes[at..].starts_with(END_OF_DIRECTORY))
        .any(|at| {
            let comment = field(at + 20, 2) as usize;
            let (size, offset) = (field(at + 12, 4), field(at + 16, 4));
            let zip64 = size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF;
            at + END_OF_DIRECTORY_LEN + comment == bytes.len()
                && (zip64 || offset + size == at as u64)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_ends_at_a_line_break_outside_quotes() {
        let csv = FeedFormat::Csv;
        assert!(ends_at_row_boundary(b"a,b\r\n1,2\r\n", csv));
        assert!(ends_at_row_boundary(b"a,b\r\n1,2\r\n\x1a", csv));
        assert!(!ends_at_row_boundary(b"a,b\r\n1,", csv));
        assert!(!ends_at_row_boundary(b"a,b\r\n1,\"x\r\n", csv));
        assert!(ends_at_row_boundary(b"", FeedFormat::Auto));
    }

    #[test]
    fn a_json_document_must_reach_its_end() {
        assert!(ends_at_row_boundary(b"[{\"a\": 1}]\n", FeedFormat::Auto));
        assert!(!ends_at_row_boundary(b"[{\"a\": 1}", FeedFormat::Json));
        assert!(!ends_at_row_boundary(
            b"{\"factMap\": {",
            FeedFormat::Report
        ));
        // Broken, but whole: the importer says what is wrong.
        assert!(ends_at_row_boundary(b"[{\"a\" 1}]", FeedFormat::Json));
    }

    #[test]
    fn a_zip_must_end_with_its_directory() {
        let whole = std::fs::read("tests/fixtures/xlsx/gmis-formatted.xlsx").unwrap();
        assert!(ends_at_row_boundary(&whole, FeedFormat::Csv));
        for cut in [whole.len() - 1, whole.len() - 30, whole.len() / 2, 10] {
            assert!(
                !ends_at_row_boundary(&whole[..cut], FeedFormat::Auto),
                "{cut}"
            );
        }
    }
}

//! The formats a feed comes in, and reading any of them from bytes.

use super::gmis_csv::{self, Import, ImportError, ImportOptions};
use super::json::{self, JsonKind};
use super::xlsx;

/// A feed's format, chosen by config or `--format`, or detected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Detect from the content: a report JSON, JSON rows, or else the CSV.
    #[default]
    Auto,
    /// The G-MIS 「詳細のみ」 CSV export (Shift-JIS or UTF-8).
    Csv,
    /// JSON rows (schema in the README).
    Json,
    /// The analytics report JSON of the platform G-MIS runs on.
    Report,
}

crate::text::names::named!(FeedFormat {
    Auto => "auto",
    Csv => "csv",
    Json => "json",
    Report => "report",
});

impl FeedFormat {
    /// A short name for the status line and messages.
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Auto => "自動判定",
            FeedFormat::Csv => "CSV",
            FeedFormat::Json => "JSON（行）",
            FeedFormat::Report => "レポート JSON",
        }
    }
}

/// The first byte that is not a BOM or blank.
fn first_significant_byte(bytes: &[u8]) -> Option<u8> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Which importer [`FeedFormat::Auto`] picks for these bytes (never `Auto`): after
/// any BOM and blanks, `{` with a top-level `factMap` or `reportMetadata` is a
/// report; `[`, or any other `{`, is JSON rows (which says what is wrong with an
/// object that has no `rows`); anything else is the CSV.
pub fn detect(bytes: &[u8]) -> FeedFormat {
    match first_significant_byte(bytes) {
        Some(b'[') => FeedFormat::Json,
        Some(b'{') => match json::sniff(bytes) {
            JsonKind::Report => FeedFormat::Report,
            JsonKind::Rows | JsonKind::Unknown => FeedFormat::Json,
        },
        _ => FeedFormat::Csv,
    }
}

/// Reads a report in the given format, or in the one detected for `Auto`.
pub fn import_any(
    bytes: &[u8],
    format: FeedFormat,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    // An .xlsx (a zip) is the formatted report: read it before the CSV's
    // text check would refuse it.
    if matches!(format, FeedFormat::Auto | FeedFormat::Csv) && xlsx::is_zip(bytes) {
        return xlsx::import_xlsx(bytes, options);
    }
    match format {
        FeedFormat::Auto => match first_significant_byte(bytes) {
            // One pass over the JSON decides between its two forms.
            Some(b'[' | b'{') => json::import_json_auto(bytes, options),
            _ => gmis_csv::import_bytes(bytes, options),
        },
        FeedFormat::Csv => gmis_csv::import_bytes(bytes, options),
        FeedFormat::Json => json::import_json(bytes, options),
        FeedFormat::Report => json::import_analytics(bytes, options),
    }
}

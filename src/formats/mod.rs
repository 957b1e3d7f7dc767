//! The formats reports come in: parsing G-MIS CSV, the JSON forms and the
//! formatted .xlsx into one [`Import`], and finding which one a body is.
//!
//! Every importer takes its types from [`import`]; [`import_any`] is the one
//! place that picks an importer for a body.

pub mod analytics;
pub mod complete;
pub(crate) mod csv_records;
pub mod encoding;
pub mod gmis_csv;
pub mod gmis_stream;
pub(crate) mod header;
pub mod import;
pub mod json;
pub mod json_rows;
pub mod progress;
pub mod xlsx;

use std::path::Path;

pub use complete::ends_at_row_boundary;
pub use encoding::{DetectedEncoding, EncodingChoice};
pub use import::{
    excerpt, Cut, Import, ImportError, ImportErrorKind, ImportOptions, Numbering, RowProblem,
    TotalCheck,
};
pub use progress::{NoProgress, ParseProgress, ProgressSink};

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
pub(crate) fn first_significant_byte(bytes: &[u8]) -> Option<u8> {
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
            json::JsonKind::Report => FeedFormat::Report,
            json::JsonKind::Rows | json::JsonKind::Unknown => FeedFormat::Json,
        },
        _ => FeedFormat::Csv,
    }
}

/// Reads a report in the given format, or in the one detected for `Auto`. For
/// `Auto` and `Csv` an .xlsx (a zip) is read as the formatted report, so a file
/// source may be either.
pub fn import_any(
    bytes: &[u8],
    format: FeedFormat,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    import_any_observed(bytes, format, options, &mut NoProgress)
}

/// As [`import_any`], telling `progress` how far the CSV has been parsed (the
/// other formats are told nothing until they are done).
pub fn import_any_observed(
    bytes: &[u8],
    format: FeedFormat,
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> Result<Import, ImportError> {
    // Read an .xlsx before the CSV's text check would refuse it.
    if matches!(format, FeedFormat::Auto | FeedFormat::Csv) && xlsx::is_zip(bytes) {
        return xlsx::import_xlsx(bytes, options);
    }
    match format {
        FeedFormat::Auto => match first_significant_byte(bytes) {
            // One pass over the JSON decides between its two forms.
            Some(b'[' | b'{') => json::import_json_auto(bytes, options),
            _ => gmis_csv::import_bytes_observed(bytes, options, progress),
        },
        FeedFormat::Csv => gmis_csv::import_bytes_observed(bytes, options, progress),
        FeedFormat::Json => json::import_json(bytes, options),
        FeedFormat::Report => json::import_analytics(bytes, options),
    }
}

/// Reads a G-MIS CSV export, or the formatted .xlsx, from a file.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Import, ImportError> {
    let (bytes, options) = read_source_file(path, options)?;
    import_any(&bytes, FeedFormat::Csv, &options)
}

/// A file's bytes, and `options` naming the file in messages by its path.
pub fn read_source_file(
    path: &Path,
    options: &ImportOptions,
) -> Result<(Vec<u8>, ImportOptions), ImportError> {
    let source_name = path.display().to_string();
    let (bytes, _) = crate::files::read_regular(path, crate::files::read::DEFAULT_MAX_BYTES)
        .map_err(|err| {
            let message = err.reason();
            ImportErrorKind::Io { message }.of(&source_name)
        })?;
    let options = ImportOptions {
        source_name,
        ..options.clone()
    };
    Ok((bytes, options))
}

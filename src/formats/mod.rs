//! The formats reports come in: parsing G-MIS CSV, the JSON forms and the
//! formatted .xlsx into one [`Import`], and finding which one a body is.

pub mod dispatch;
pub mod encoding;
pub mod gmis_csv;
pub mod json;
pub mod xlsx;

use std::path::Path;

pub use dispatch::{import_any, FeedFormat};
pub use encoding::{DetectedEncoding, EncodingChoice};
pub use gmis_csv::{Import, ImportError, ImportOptions, RowProblem};

/// Reads a G-MIS CSV export from a file.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Import, ImportError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| ImportError::Io {
        source_name: source.clone(),
        message: crate::files::io_error_text(&err),
    })?;
    let options = ImportOptions {
        source_name: source,
        ..options.clone()
    };
    gmis_csv::import_bytes(&bytes, &options)
}

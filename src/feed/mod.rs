//! Where reports come from and the formats they come in.

pub mod demo;
pub mod demo_server;
pub mod dropdir;
pub mod encoding;
pub mod format;
pub mod gmis_csv;
pub mod http;
pub mod json;
pub mod masters;
pub mod poller;
pub mod secret;
pub mod xlsx;

use std::path::Path;

pub use encoding::{DetectedEncoding, EncodingChoice};
pub use format::{import_any, FeedFormat};
pub use gmis_csv::{Import, ImportError, ImportOptions, RowProblem};

/// Reads a G-MIS CSV export from a file.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Import, ImportError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| ImportError::Io {
        source_name: source.clone(),
        message: io_error_text(&err),
    })?;
    let options = ImportOptions {
        source_name: source,
        ..options.clone()
    };
    gmis_csv::import_bytes(&bytes, &options)
}

/// An I/O error in words a dispatcher understands.
pub fn io_error_text(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "ファイルが見つかりません".to_string(),
        PermissionDenied => "読み取る権限がありません".to_string(),
        IsADirectory => "フォルダです（ファイルを指定してください）".to_string(),
        _ => format!("読み込めません（{err}）"),
    }
}

//! What can go wrong with the history file, in words a dispatcher understands.

use rusqlite::ErrorCode;

/// A failure of the store. The dashboard shows the message and keeps running from memory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("履歴ファイルに書き込めません（ディスクがいっぱいです）")]
    DiskFull,
    #[error("履歴ファイルに書き込めません（読み取り専用です）")]
    ReadOnly,
    /// Opening for writing failed: no folder, no right, a file where the folder should be.
    #[error("履歴ファイルを作れず、書き込めません（{path}：{reason}）")]
    CannotCreate { path: String, reason: String },
    /// A folder was given where the history file should be.
    #[error("{path} はフォルダです（履歴ファイルのパスを指定してください）")]
    IsFolder { path: String },
    /// Opening for reading only failed.
    #[error("履歴ファイルを開けません（{path}：{reason}）")]
    CannotOpen { path: String, reason: String },
    #[error("履歴ファイルが壊れています（bedboard を起動し直すと退避して新しく作ります）")]
    Corrupt { detail: String },
    #[error("履歴ファイルが壊れていて、退避もできません（{path}：{reason}）")]
    CannotMoveAside { path: String, reason: String },
    #[error("履歴ファイルはほかの bedboard が使用中で、待っても使えませんでした")]
    Busy,
    #[error("履歴ファイルは新しい版の bedboard で作られています（形式 {found}、この bedboard は {supported} まで）")]
    TooNew { found: i64, supported: i64 },
    #[error("履歴ファイルの形式が古いため、読み取り専用では開けません（形式 {found}、bedboard を起動すると更新されます）")]
    NeedsUpgrade { found: i64 },
    #[error("時刻が扱える範囲の外です（{0}）")]
    TimeOutOfRange(String),
    /// The store's thread has stopped (the dashboard is closing).
    #[error("履歴ファイルはもう閉じています")]
    Closed,
    /// The store's thread could not be started.
    #[error("履歴ファイルを扱う準備ができません（{0}）")]
    CannotStart(String),
    #[error("履歴ファイルの読み書きに失敗しました（{0}）")]
    Other(#[source] rusqlite::Error),
}

impl StoreError {
    /// True when reopening the store would move the file aside and start afresh.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. })
    }

    /// Stored data that does not decode: the file was changed behind our back.
    pub(crate) fn bad_data(what: impl Into<String>) -> Self {
        StoreError::Corrupt {
            detail: what.into(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                detail: err.to_string(),
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Other(err),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::bad_data(format!("JSON: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_error(code: std::os::raw::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn sqlite_codes_become_plain_words() {
        let full = StoreError::from(sqlite_error(rusqlite::ffi::SQLITE_FULL));
        assert_eq!(
            full.to_string(),
            "履歴ファイルに書き込めません（ディスクがいっぱいです）"
        );
        let read_only = StoreError::from(sqlite_error(rusqlite::ffi::SQLITE_READONLY));
        assert!(read_only.to_string().contains("書き込めません"));
        for code in [rusqlite::ffi::SQLITE_CORRUPT, rusqlite::ffi::SQLITE_NOTADB] {
            assert!(StoreError::from(sqlite_error(code)).is_corrupt());
        }
        let busy = StoreError::from(sqlite_error(rusqlite::ffi::SQLITE_BUSY));
        assert!(matches!(busy, StoreError::Busy));
    }
}

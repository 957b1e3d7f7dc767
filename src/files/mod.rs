//! Files on disk: plain words for I/O errors, the one atomic writer
//! (temp file, fsync, rename) that exports, the config and forms use, and the
//! one bounded reader of regular files.

pub mod atomic;
pub mod read;

pub use read::{check_regular, read_regular, FileStamp, ReadError};

use std::path::{Path, PathBuf};

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

/// A path for a message: its control characters neutralised.
pub fn shown(path: &Path) -> String {
    crate::text::sanitize(&path.display().to_string()).into_owned()
}

/// Why a file was not written, in words a dispatcher understands.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("フォルダ {} がありません", shown(.folder))]
    FolderMissing { folder: PathBuf },
    /// The folder named is a file (or a file stands where a folder of the path should be).
    #[error("{} はフォルダではありません（ファイルです）", shown(.folder))]
    NotAFolder { folder: PathBuf },
    /// The file name names a folder.
    #[error("{} はフォルダです（ファイル名を指定してください）", shown(.path))]
    IsAFolder { path: PathBuf },
    #[error("{} に書き込めません（読み取り専用です）", shown(.folder))]
    ReadOnly { folder: PathBuf },
    #[error("{} に書き込めません（書き込む権限がありません）", shown(.folder))]
    PermissionDenied { folder: PathBuf },
    #[error("ディスクがいっぱいです（{} を書き出せませんでした）", shown(.path))]
    DiskFull { path: PathBuf },
    #[error("{} に書き出せません（{message}）", shown(.path))]
    Io { path: PathBuf, message: String },
}

//! Why a poll, a master read or a store write failed. Each error keeps what caused it
//! (the fetch error, the import error, the store error, the I/O error) as data; its
//! `Display` is the status line's text, the one place those words are made.

use std::path::PathBuf;

use crate::formats::ImportError;
use crate::source::http::FetchError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The HTTP(S) request failed, or its client could not be built.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The feed file, or a master file, could not be read.
    #[error("{}: {}", .path.display(), crate::files::io_error_text(.source))]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The feed file could not be read whole (not a regular file, too big, being written).
    #[error(transparent)]
    Read(crate::files::ReadError),
    /// The feed file was caught being written several times in a row.
    #[error("{}: ファイルが書き込み中のようです（書き終わるのを待っています）", crate::files::shown(.path))]
    StillWriting { path: PathBuf },
    /// A file in the drop folder whose name is not valid text; it is not read.
    #[error(
        "ドロップフォルダに名前を読めないファイルがあります（{name}）。名前を変えると読み込みます"
    )]
    OddFileName { name: String },
    /// The drop folder could not be listed.
    #[error(transparent)]
    DropFolder(std::io::Error),
    /// The drop folder holds no complete export yet.
    #[error("{} にまだエクスポートがありません", .dir.display())]
    NoExport { dir: PathBuf },
    /// The body is neither a report nor a master.
    #[error("取得したデータを読めません: {0}")]
    Unreadable(ImportError),
    /// Every row was of another prefecture.
    #[error("取得したデータに範囲内の行がありません（範囲外 {out_of_scope} 件）")]
    NoRowsInScope { out_of_scope: usize },
    #[error("取得したデータに行がありません")]
    NoRows,
    #[error("取得したデータの {rejected} 行すべてを取り込めませんでした")]
    AllRowsRejected { rejected: usize },
    /// A master document that could not be read as its kind.
    #[error("{0}")]
    Master(ImportError),
    /// A master URL answered 304 to a request that sent no validators.
    #[error("マスタの応答が空です（304）")]
    MasterNotModified,
    /// A blocking task (reading, parsing, listing) ended without an answer.
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
    /// The history file could not be opened; the dashboard goes on without it.
    #[error("{0}。履歴に残さずに表示を続けます")]
    StoreOpen(StoreError),
    /// A fetch could not be recorded; the dashboard goes on from memory.
    #[error("{0}。表示は続けます（履歴には残りません）")]
    StoreWrite(StoreError),
    /// A master could not be recorded.
    #[error("{0}（マスタは保存されません）")]
    MasterNotStored(StoreError),
    /// Reading the store, the lease or pruning failed.
    #[error(transparent)]
    Store(StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{import_any, FeedFormat, ImportOptions};

    fn import_error() -> ImportError {
        let options = ImportOptions::default();
        match import_any(b"\x00\x01\x02garbage\xff", FeedFormat::Auto, &options) {
            Ok(_) => panic!("garbage was read as a report"),
            Err(err) => err,
        }
    }

    #[test]
    fn texts_are_the_status_lines() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let file = PollError::File {
            path: PathBuf::from("/data/report.csv"),
            source: missing,
        };
        let io_text =
            crate::files::io_error_text(&std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(file.to_string(), format!("/data/report.csv: {io_text}"));
        let cases = [
            (
                PollError::NoExport {
                    dir: PathBuf::from("/drop"),
                },
                "/drop にまだエクスポートがありません",
            ),
            (
                PollError::NoRowsInScope { out_of_scope: 12 },
                "取得したデータに範囲内の行がありません（範囲外 12 件）",
            ),
            (PollError::NoRows, "取得したデータに行がありません"),
            (
                PollError::AllRowsRejected { rejected: 3 },
                "取得したデータの 3 行すべてを取り込めませんでした",
            ),
            (PollError::MasterNotModified, "マスタの応答が空です（304）"),
            (
                PollError::Fetch(FetchError::Status { status: 500 }),
                "サーバーがエラーを返しました（HTTP 500）",
            ),
            (
                PollError::StoreOpen(StoreError::ReadOnly),
                "履歴ファイルに書き込めません（読み取り専用です）。履歴に残さずに表示を続けます",
            ),
            (
                PollError::StoreWrite(StoreError::DiskFull),
                "履歴ファイルに書き込めません（ディスクがいっぱいです）。表示は続けます（履歴には残りません）",
            ),
            (
                PollError::MasterNotStored(StoreError::Closed),
                "履歴ファイルはもう閉じています（マスタは保存されません）",
            ),
            (
                PollError::Store(StoreError::Busy),
                "履歴ファイルはほかの bedboard が使用中で、待っても使えませんでした",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn import_errors_keep_their_own_words() {
        let err = import_error();
        let own = err.to_string();
        assert_eq!(
            PollError::Unreadable(err).to_string(),
            format!("取得したデータを読めません: {own}")
        );
        assert_eq!(PollError::Master(import_error()).to_string(), own);
    }
}

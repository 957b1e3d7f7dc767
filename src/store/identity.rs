//! Following the history file at its path. A file deleted or replaced while it is open
//! would take every later write with it, unseen: the store remembers which file it
//! opened (device and inode) and, before each request, checks that the path still names it.

use std::path::{Path, PathBuf};

/// Which file a path named when the store opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FileId {
    device: u64,
    inode: u64,
}

/// The file the path names now; none when there is no file there.
#[cfg(unix)]
pub(super) fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(FileId {
        device: meta.dev(),
        inode: meta.ino(),
    })
}

/// Without inodes the file cannot be told from another: it is not followed.
#[cfg(not(unix))]
pub(super) fn file_id(_path: &Path) -> Option<FileId> {
    None
}

/// What the store did when its file was gone or another file had taken its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// The file was deleted: a new one was created at the path.
    Recreated { path: PathBuf },
    /// Another file is at the path now: it was opened as it is (and moved aside and
    /// created afresh if it was broken).
    Reopened {
        path: PathBuf,
        moved_aside: Option<PathBuf>,
    },
}

impl std::fmt::Display for FileChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileChange::Recreated { path } => write!(
                f,
                "履歴ファイル {} が削除されたため作り直しました",
                path.display()
            ),
            FileChange::Reopened {
                path,
                moved_aside: None,
            } => write!(
                f,
                "履歴ファイル {} が置き換えられたため開き直しました",
                path.display()
            ),
            FileChange::Reopened {
                path,
                moved_aside: Some(moved),
            } => write!(
                f,
                "履歴ファイル {} が置き換えられ、壊れていたため {} に退避して新しく作りました",
                path.display(),
                moved.display()
            ),
        }
    }
}

/// The log and shared-memory files of a deleted file belong to no file now; a new file at
/// the path must not pick them up (SQLite would replay the old log into it).
pub(super) fn remove_orphaned_sidecars(path: &Path) {
    if path.exists() {
        return;
    }
    for suffix in super::recover::SIDECARS {
        // Already gone is what we want; anything else shows when the file is opened.
        let _ = std::fs::remove_file(super::recover::with_suffix(path, suffix));
    }
}

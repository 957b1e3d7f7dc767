//! The SQLite history of every fetch: the current board, each hospital's past rows, the
//! masters, and the lease that elects one poller among the dashboards sharing the file.
//!
//! Several processes open one file (one polls, the others read), so the file is in WAL mode,
//! waits up to [`BUSY_TIMEOUT`] for a lock, and writes in short `BEGIN IMMEDIATE` transactions.
//! A hospital's row is stored again only when it changed, so polling every minute for a year
//! costs little. Foreign keys are declared for the reader; SQLite as bundled enforces them
//! (a migration that rebuilds a table turns them off while it runs).
//!
//! Times are ISO-8601 text in JST and codes are text; the README's 履歴ファイル section
//! describes each table.
//!
//! Async code never calls SQLite itself: [`StoreHandle`] runs a [`Store`] on a thread of its own.

mod actor;
mod codec;
mod error;
mod identity;
mod lease;
mod master;
mod recover;
mod reports;
mod schema;
mod times;
mod watch;

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use actor::{Reply, StoreHandle};
pub use codec::content_hash;
pub use error::StoreError;
pub use identity::FileChange;
pub use master::{MasterDocument, MasterKind};
pub use reports::{FetchRecord, HospitalVersion, Snapshot};
pub use schema::SCHEMA_VERSION;

use crate::model::time::now_jst;

/// How long a write waits for another process's write to finish.
pub const BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(5);

/// Removes a history file and SQLite's companion files (the demo's store, when it
/// quits). Call it only after the store's thread has closed the file.
pub fn remove_files(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    for suffix in recover::SIDECARS {
        let _ = std::fs::remove_file(recover::with_suffix(path, suffix));
    }
}

/// How long history is kept unless configured otherwise.
pub fn default_retention() -> chrono::Duration {
    chrono::Duration::days(400)
}

/// An open history file (or an in-memory one).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    recovered_from: Option<PathBuf>,
    /// The file opened for writing, to notice when the path names another one (or none).
    opened: Option<identity::FileId>,
}

/// Row counts, for `bedboard status` and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub fetches: u64,
    pub snapshots: u64,
    /// Hospitals on the current board.
    pub current_hospitals: u64,
    /// Stored row versions, current and closed.
    pub versions: u64,
}

impl Store {
    /// Opens the file, creating it (and its folder) if needed, and brings its schema up to date.
    /// A file that is not a database or fails `PRAGMA quick_check` is moved aside to
    /// `<name>.corrupt-YYYYMMDD-HHMMSS`, never deleted, and a fresh store is created:
    /// [`Store::recovered_from`] then says where the old file went.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        refuse_folder(path)?;
        create_parent(path)?;
        create_file(path)?;
        match Self::open_checked(path) {
            Err(err) if err.is_corrupt() => Self::recover(path),
            opened => opened,
        }
    }

    /// A store that lives and dies with this process (no file at all).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::configured(conn, None)
    }

    /// Opens an existing file for reading only (`bedboard status`): nothing is created,
    /// migrated or moved, and every write fails with [`StoreError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        refuse_folder(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| at_path(e, path, false))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        match schema::user_version(&conn).map_err(|e| at_path(e, path, false))? {
            SCHEMA_VERSION => {}
            found if found > SCHEMA_VERSION => {
                return Err(StoreError::TooNew {
                    found,
                    supported: SCHEMA_VERSION,
                })
            }
            found => return Err(StoreError::NeedsUpgrade { found }),
        }
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            recovered_from: None,
            opened: None,
        })
    }

    /// Where the broken file found by [`Store::open`] was moved, if it was.
    pub fn recovered_from(&self) -> Option<&Path> {
        self.recovered_from.as_deref()
    }

    /// The message to show after a recovery:
    /// 「履歴ファイルが壊れていました。…に退避して新しく作りました」.
    pub fn recovery_notice(&self) -> Option<String> {
        self.recovered_from.as_ref().map(|moved| {
            format!(
                "履歴ファイルが壊れていました。{} に退避して新しく作りました",
                moved.display()
            )
        })
    }

    /// The file, or none for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Bytes on disk: the file and its write-ahead log.
    pub fn size_on_disk(&self) -> u64 {
        let Some(path) = &self.path else { return 0 };
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        [path.as_path(), wal.as_path()]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(self.conn.query_row(sql, [], |row| row.get(0))?)
        };
        Ok(StoreStats {
            fetches: count("SELECT count(*) FROM fetch")?,
            snapshots: count("SELECT count(*) FROM snapshot")?,
            current_hospitals: count(
                "SELECT count(*) FROM hospital WHERE current_version IS NOT NULL",
            )?,
            versions: count("SELECT count(*) FROM version")?,
        })
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(schema::user_version(&self.conn)?)
    }

    fn open_checked(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|e| at_path(e, path, true))?;
        let mut store = Self::configured(conn, Some(path.to_path_buf()))
            .map_err(|e| reclassify_open_error(e, path))?;
        quick_check(&store.conn)?;
        store.opened = identity::file_id(path);
        Ok(store)
    }

    /// Moves the broken file aside and starts a fresh one in its place.
    fn recover(path: &Path) -> Result<Store, StoreError> {
        let moved =
            recover::move_aside(path, &now_jst()).map_err(|err| StoreError::CannotMoveAside {
                path: path.display().to_string(),
                reason: err.to_string(),
            })?;
        let mut store = Self::open_checked(path)?;
        store.recovered_from = Some(moved);
        Ok(store)
    }

    fn configured(conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        // Every commit reaches the disk: a poll a minute makes the cost negligible.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // The log of a big first import is not kept at that size afterwards.
        conn.pragma_update(None, "journal_size_limit", 16 * 1024 * 1024)?;
        conn.set_prepared_statement_cache_capacity(32);
        let mut store = Store {
            conn,
            path,
            recovered_from: None,
            opened: None,
        };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Checks that the path still names the file opened for writing. A deleted file is
    /// created afresh (with its schema), a replaced one opened as it is, with the checks of
    /// [`Store::open`]; what was done is returned, to be told. Until the path can be opened
    /// again every call fails, so nothing is written where no one will find it.
    pub fn follow_path(&mut self) -> Result<Option<FileChange>, StoreError> {
        let (Some(path), Some(opened)) = (self.path.clone(), self.opened) else {
            return Ok(None);
        };
        let now = identity::file_id(&path);
        if now == Some(opened) {
            return Ok(None);
        }
        // SQLite keeps the log of a moved file when it closes it, and would replay it into
        // whatever file is at the path next: it is emptied into the old file first.
        if let Err(err) = self.checkpoint() {
            tracing::warn!("the old history file's log was not emptied: {err}");
        }
        drop(std::mem::replace(
            &mut self.conn,
            Connection::open_in_memory()?,
        ));
        if now.is_none() {
            identity::remove_orphaned_sidecars(&path);
        }
        let reopened = Store::open(&path)?;
        let change = match now {
            None => FileChange::Recreated { path },
            Some(_) => FileChange::Reopened {
                path,
                moved_aside: reopened.recovered_from.clone(),
            },
        };
        *self = reopened;
        Ok(Some(change))
    }

    /// Copies the write-ahead log into the file and empties it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), so a clean exit leaves no log behind.
    /// Returns false when a reader in another process kept part of the log in use.
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        Ok(busy == 0)
    }

    /// Test hook: limits the file's size, so that a write fails as on a full disk.
    #[doc(hidden)]
    pub fn limit_pages_for_test(&self, pages: u32) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "max_page_count", pages)?;
        Ok(())
    }
}

/// `PRAGMA quick_check` answers "ok" or lists what is wrong.
fn quick_check(conn: &Connection) -> Result<(), StoreError> {
    let answer: String = conn.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    if answer == "ok" {
        return Ok(());
    }
    Err(StoreError::bad_data(answer))
}

/// A folder given as the history file is said in those words, not as a missing folder.
fn refuse_folder(path: &Path) -> Result<(), StoreError> {
    if path.is_dir() {
        return Err(StoreError::IsFolder {
            path: path.display().to_string(),
        });
    }
    Ok(())
}

/// Creates the file (or opens an existing one) for writing, so that a file or place that
/// cannot be written is said with its reason; SQLite would only say "unable to open".
fn create_file(path: &Path) -> Result<(), StoreError> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|err| StoreError::CannotCreate {
            path: path.display().to_string(),
            reason: io_reason(&err),
        })
}

/// Makes the store's folder; a file in the way, or no right to write, is reported.
fn create_parent(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => std::fs::create_dir_all(dir)
            .map_err(|err| StoreError::CannotCreate {
                path: path.display().to_string(),
                reason: io_reason(&err),
            }),
        _ => Ok(()),
    }
}

/// Why a file cannot be written, in words.
fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        PermissionDenied => "書き込む権限がありません".to_string(),
        ReadOnlyFilesystem => "読み取り専用の場所です".to_string(),
        NotADirectory | AlreadyExists => "フォルダの場所にファイルがあります".to_string(),
        StorageFull => "ディスクがいっぱいです".to_string(),
        IsADirectory => "フォルダです".to_string(),
        _ => err.to_string(),
    }
}

/// SQLite's "unable to open" names no file; ours does.
fn at_path(err: rusqlite::Error, path: &Path, writing: bool) -> StoreError {
    let path = path.display().to_string();
    match err.sqlite_error_code() {
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) if writing => {
            StoreError::CannotCreate {
                path,
                reason: "フォルダがないか、書き込む権限がありません".to_string(),
            }
        }
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => StoreError::CannotOpen {
            path,
            reason: "ファイルがないか、読む権限がありません".to_string(),
        },
        _ => StoreError::from(err),
    }
}

/// A fresh connection fails its first statement when the file cannot be opened.
fn reclassify_open_error(err: StoreError, path: &Path) -> StoreError {
    match err {
        StoreError::Other(inner) => at_path(inner, path, true),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1_file(dir: &tempfile::TempDir) -> PathBuf {
        let path = dir.path().join("v1.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO fetch VALUES (1, 0, 'old.csv', 'h', 3, 0, 0, 'タイムアウト')",
            [],
        )
        .unwrap();
        path
    }

    #[test]
    fn opening_a_v1_file_upgrades_it_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = v1_file(&dir);
        let err = Store::open_read_only(&path).err().unwrap();
        assert!(
            matches!(err, StoreError::NeedsUpgrade { found: 1 }),
            "{err:?}"
        );

        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.recovered_from(), None);
        assert_eq!(store.last_fetch().unwrap().unwrap().source, "old.csv");
        let t = crate::model::time::parse_datetime("2026/11/01 09:00").unwrap();
        assert!(store
            .record_master(MasterKind::Municipality, t, "m.csv", b"x")
            .unwrap());
        assert!(Store::open_read_only(&path).is_ok());
    }

    #[test]
    fn a_store_can_move_to_a_blocking_thread() {
        fn send<T: Send>() {}
        send::<Store>();
    }

    #[test]
    fn a_file_from_a_newer_bedboard_is_refused_not_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
        assert!(path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

//! Moving a broken history file aside. It is never deleted: someone may want to look into it.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::JstDateTime;

/// SQLite's companion files. A stale write-ahead log must go with its database, or SQLite
/// could replay it onto the fresh file.
pub(super) const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Renames `path` to `<name>.corrupt-YYYYMMDD-HHMMSS` (with `-2`, `-3`… if taken) and its
/// sidecar files to match, so that `sqlite3` opens the moved file with its log.
pub(super) fn move_aside(path: &Path, now: &JstDateTime) -> io::Result<PathBuf> {
    let target = free_name(path, now);
    std::fs::rename(path, &target)?;
    for suffix in SIDECARS {
        let sidecar = with_suffix(path, suffix);
        if sidecar.exists() {
            std::fs::rename(&sidecar, with_suffix(&target, suffix))?;
        }
    }
    Ok(target)
}

/// The first `.corrupt-` name not in use: two recoveries within a second must not collide.
fn free_name(path: &Path, now: &JstDateTime) -> PathBuf {
    let base = format!(".corrupt-{}", now.format("%Y%m%d-%H%M%S"));
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .map(|suffix| with_suffix(path, &suffix))
        .find(|candidate| !candidate.exists())
        .expect("an endless list of names has a free one")
}

pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_the_file_and_its_log_under_one_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        std::fs::write(&path, b"garbage").unwrap();
        std::fs::write(with_suffix(&path, "-wal"), b"log").unwrap();
        let now = crate::model::time::parse_datetime("2026/11/01 09:05").unwrap();
        let moved = move_aside(&path, &now).unwrap();
        assert_eq!(
            moved.file_name().unwrap(),
            "history.db.corrupt-20261101-090500"
        );
        assert_eq!(std::fs::read(&moved).unwrap(), b"garbage");
        assert_eq!(std::fs::read(with_suffix(&moved, "-wal")).unwrap(), b"log");
        assert!(!path.exists() && !with_suffix(&path, "-wal").exists());

        std::fs::write(&path, b"again").unwrap();
        let second = move_aside(&path, &now).unwrap();
        assert_eq!(
            second.file_name().unwrap(),
            "history.db.corrupt-20261101-090500-2"
        );
        assert_eq!(std::fs::read(&moved).unwrap(), b"garbage", "first kept");
    }
}

//! Writing a file so that it is either there whole or not at all: into a temporary
//! file in the same folder, flushed to disk, then renamed over the final name.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::WriteError;

/// Writes `bytes` to `path` atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_with(path, |file| file.write_all(bytes))
}

/// Writes what `fill` writes to `path` atomically. On any error the temporary
/// file is removed and nothing new stands under `path`.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), WriteError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(WriteError::IsAFolder {
            path: path.to_path_buf(),
        });
    };
    check_folder(folder)?;
    let failed = |err: io::Error| error_for(err, path, folder);

    let (temp_path, mut file) = create_temp(folder, &name.to_string_lossy()).map_err(failed)?;
    let temp = TempFile(Some(temp_path));
    fill(&mut file).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    fs::rename(temp.path(), path).map_err(failed)?;
    temp.keep();
    // The rename itself is durable once the folder is flushed; not every system can.
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A temporary file, removed when dropped unless kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("a temporary file not yet kept")
    }

    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

/// `.NAME.PID-N.tmp` beside the final file: hidden, and never taken for an export
/// by a drop folder watching for `.csv` / `.xlsx`.
fn create_temp(folder: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..16 {
        let temp = folder.join(format!(
            ".{name}.{}-{:08x}.tmp",
            std::process::id(),
            fastrand::u32(..)
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == ErrorKind::AlreadyExists => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(ErrorKind::AlreadyExists)))
}

/// The folder exists and is a folder.
fn check_folder(folder: &Path) -> Result<(), WriteError> {
    match fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(WriteError::NotAFolder {
            folder: folder.to_path_buf(),
        }),
        Err(err) => Err(error_for(err, folder, folder)),
    }
}

/// The first part of `folder` that is a file, if one is.
fn file_in_the_way(folder: &Path) -> Option<PathBuf> {
    let mut ancestors: Vec<&Path> = folder.ancestors().collect();
    ancestors.reverse();
    ancestors
        .into_iter()
        .find(|p| fs::metadata(p).is_ok_and(|m| !m.is_dir()))
        .map(Path::to_path_buf)
}

/// An I/O error while exporting to `path` in `folder`, as the dispatcher reads it.
fn error_for(err: io::Error, path: &Path, folder: &Path) -> WriteError {
    let folder_buf = || folder.to_path_buf();
    match err.kind() {
        ErrorKind::NotFound if fs::metadata(folder).is_err() => WriteError::FolderMissing {
            folder: folder_buf(),
        },
        ErrorKind::NotADirectory => WriteError::NotAFolder {
            folder: file_in_the_way(folder).unwrap_or_else(folder_buf),
        },
        ErrorKind::IsADirectory => WriteError::IsAFolder {
            path: path.to_path_buf(),
        },
        ErrorKind::ReadOnlyFilesystem => WriteError::ReadOnly {
            folder: folder_buf(),
        },
        // EPERM: an immutable folder, which not even root may write to.
        ErrorKind::PermissionDenied if cfg!(unix) && err.raw_os_error() == Some(1) => {
            WriteError::ReadOnly {
                folder: folder_buf(),
            }
        }
        ErrorKind::PermissionDenied => WriteError::PermissionDenied {
            folder: folder_buf(),
        },
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => WriteError::DiskFull {
            path: path.to_path_buf(),
        },
        // A folder that holds no files of its own (/proc): it exists, yet nothing can be made in it.
        ErrorKind::NotFound => WriteError::Io {
            path: path.to_path_buf(),
            message: "このフォルダにはファイルを作れません".to_string(),
        },
        _ => WriteError::Io {
            path: path.to_path_buf(),
            message: err.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn writes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(leftovers(dir.path()), ["a.csv"]);
    }

    #[test]
    fn a_full_disk_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let err = write_with(&path, |file| {
            file.write_all(b"half a fi")?;
            Err(io::Error::from(ErrorKind::StorageFull))
        })
        .unwrap_err();
        assert!(matches!(err, WriteError::DiskFull { .. }), "{err:?}");
        assert!(err.to_string().contains("ディスクがいっぱいです"), "{err}");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }

    #[test]
    fn a_failed_export_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        fs::write(&path, b"old").unwrap();
        let err = write_with(&path, |_| Err(io::Error::other("boom"))).unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err:?}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(leftovers(dir.path()), ["a.csv"]);
    }
}

//! The one bounded reader: only regular files, never more than a cap, and only a file
//! that stayed the same while it was read.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::shown;

/// The cap for a file when no other is given (the same as for an HTTP body).
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The cap for the config file: a config is a few kilobytes.
pub const CONFIG_MAX_BYTES: u64 = 1024 * 1024;

/// What identifies one version of a file: its size, its time and which file it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub modified: SystemTime,
    /// Device and inode: a file replaced by another of the same size and time differs.
    pub identity: (u64, u64),
}

impl FileStamp {
    fn of(meta: &Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            identity: identity(meta),
        }
    }
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &Metadata) -> (u64, u64) {
    (0, 0)
}

/// What stands at a path when it is not a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRegular {
    Folder,
    Terminal,
    Device,
    Fifo,
    Socket,
    Other,
}

impl NotRegular {
    fn of(meta: &Metadata, path: &Path) -> Option<Self> {
        let kind = meta.file_type();
        if kind.is_file() {
            return None;
        }
        if kind.is_dir() {
            return Some(Self::Folder);
        }
        Some(special_kind(&kind, path))
    }

    fn words(self) -> &'static str {
        match self {
            Self::Folder => "フォルダです（ファイルを指定してください）",
            Self::Terminal => "端末です（ファイルを指定してください）",
            Self::Device => "デバイスです（ファイルを指定してください）",
            Self::Fifo => "名前付きパイプです（ファイルを指定してください）",
            Self::Socket => "ソケットです（ファイルを指定してください）",
            Self::Other => "通常のファイルではありません",
        }
    }
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType, path: &Path) -> NotRegular {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        NotRegular::Fifo
    } else if kind.is_socket() {
        NotRegular::Socket
    } else if kind.is_char_device() && is_terminal(path) {
        NotRegular::Terminal
    } else if kind.is_char_device() || kind.is_block_device() {
        NotRegular::Device
    } else {
        NotRegular::Other
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType, _path: &Path) -> NotRegular {
    NotRegular::Other
}

/// Whether a character device is a terminal: /dev/tty, /dev/pts/*, /dev/console, /dev/tty*.
/// Told by its name, so that nothing is opened to ask.
#[cfg(unix)]
fn is_terminal(path: &Path) -> bool {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let text = resolved.to_string_lossy();
    text.starts_with("/dev/tty") || text.starts_with("/dev/pts/") || text == "/dev/console"
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: {}", shown(.path), super::io_error_text(.source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {}", shown(.path), .kind.words())]
    NotRegular { path: PathBuf, kind: NotRegular },
    #[error("{}: ファイルが大きすぎます（上限 {}）", shown(.path), size_text(*.limit))]
    TooBig { path: PathBuf, limit: u64 },
    /// The file changed while it was read: read it again later.
    #[error("{}: 読み込み中にファイルが変わりました（書き込み中のようです）", shown(.path))]
    Changing { path: PathBuf },
}

impl ReadError {
    /// Nothing is at the path.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// The reason without the path, for messages that name the file themselves.
    pub fn reason(&self) -> String {
        match self {
            Self::Io { source, .. } => super::io_error_text(source),
            Self::NotRegular { kind, .. } => kind.words().to_string(),
            Self::TooBig { limit, .. } => {
                format!("ファイルが大きすぎます（上限 {}）", size_text(*limit))
            }
            Self::Changing { .. } => {
                "読み込み中にファイルが変わりました（書き込み中のようです）".to_string()
            }
        }
    }
}

fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} バイト")
    }
}

/// What stands at `path`, without opening it: a regular file within `max_bytes` gives its
/// stamp; anything else the reason it would not be read.
pub fn check_regular(path: &Path, max_bytes: u64) -> Result<FileStamp, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Follows a symbolic link to what it names.
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(kind) = NotRegular::of(&meta, path) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooBig {
            path: path.to_path_buf(),
            limit: max_bytes,
        });
    }
    Ok(FileStamp::of(&meta))
}

/// Reads a regular file of at most `max_bytes`, whole and unchanged while read.
///
/// The path is looked at before it is opened, so a terminal, a device or a FIFO is refused
/// without waiting on it; the file is opened without blocking in case one was put in its
/// place meanwhile. No more than `max_bytes` + 1 bytes are read. A file whose size, time or
/// identity changed while it was read is [`ReadError::Changing`].
pub fn read_regular(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, FileStamp), ReadError> {
    let (mut file, before) = open_regular(path, max_bytes)?;
    let mut bytes = Vec::with_capacity(usize::try_from(before.len).unwrap_or(0));
    (&mut file)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooBig {
            path: path.to_path_buf(),
            limit: max_bytes,
        });
    }
    check_unchanged(path, &file, before, bytes.len() as u64)?;
    Ok((bytes, before))
}

/// A regular file opened for reading, with its version; the caller reads at
/// most the stamp's length and then asks [`check_unchanged`].
pub fn open_regular(path: &Path, max_bytes: u64) -> Result<(File, FileStamp), ReadError> {
    let before = check_regular(path, max_bytes)?;
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = open_without_blocking(path).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    if let Some(kind) = NotRegular::of(&opened, path) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    if FileStamp::of(&opened) != before {
        return Err(ReadError::Changing {
            path: path.to_path_buf(),
        });
    }
    Ok((file, before))
}

/// The file read, and the file at the path, are still the version opened, and
/// `read` bytes of it were read: it did not change while it was read.
pub fn check_unchanged(
    path: &Path,
    file: &File,
    before: FileStamp,
    read: u64,
) -> Result<(), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let after_read = file.metadata().map_err(io)?;
    let at_path = std::fs::metadata(path).map_err(io)?;
    let unchanged = FileStamp::of(&after_read) == before
        && FileStamp::of(&at_path) == before
        && read == before.len;
    if !unchanged {
        return Err(ReadError::Changing {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// As [`read_regular`], as text; bytes that are not UTF-8 are an error in words.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let (bytes, _) = read_regular(path, max_bytes)?;
    String::from_utf8(bytes).map_err(|_| ReadError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "UTF-8 の文字として読めません",
        ),
    })
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_with_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, b"a,b\n1,2\n").unwrap();
        let (bytes, stamp) = read_regular(&path, 100).unwrap();
        assert_eq!(bytes, b"a,b\n1,2\n");
        assert_eq!(stamp.len, 8);
        assert_eq!(check_regular(&path, 100).unwrap(), stamp);
    }

    #[test]
    fn a_file_replaced_by_another_of_the_same_size_and_time_has_another_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, b"one\n").unwrap();
        let first = check_regular(&path, 100).unwrap();
        let other = dir.path().join("b.csv");
        std::fs::write(&other, b"two\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(first.modified)
            .unwrap();
        std::fs::rename(&other, &path).unwrap();
        let second = check_regular(&path, 100).unwrap();
        assert_eq!((second.len, second.modified), (first.len, first.modified));
        assert_ne!(second, first);
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, vec![b'x'; 2048]).unwrap();
        let err = read_regular(&path, 1024).unwrap_err();
        assert!(
            matches!(err, ReadError::TooBig { limit: 1024, .. }),
            "{err}"
        );
        assert!(err
            .to_string()
            .ends_with("ファイルが大きすぎます（上限 1024 バイト）"));
    }

    #[test]
    fn devices_folders_and_fifos_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a plain libc call with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let cases = [
            (Path::new("/dev/zero"), NotRegular::Device),
            (Path::new("/dev/null"), NotRegular::Device),
            (dir.path(), NotRegular::Folder),
            (fifo.as_path(), NotRegular::Fifo),
        ];
        for (path, want) in cases {
            match read_regular(path, DEFAULT_MAX_BYTES) {
                Err(ReadError::NotRegular { kind, .. }) => assert_eq!(kind, want, "{path:?}"),
                other => panic!("{path:?}: {other:?}"),
            }
        }
        let err = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: デバイスです（ファイルを指定してください）"
        );
    }

    #[test]
    fn a_missing_file_is_said_to_be_missing() {
        let err = read_regular(Path::new("/nonexistent/bedboard.csv"), 10).unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(err.reason(), "ファイルが見つかりません");
    }
}

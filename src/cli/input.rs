//! Reading a report once, for `print`, `export` and the dashboard without a
//! terminal: from a file, a drop folder's newest complete export, a URL, or
//! the built-in demo data. Every format goes through the one dispatcher.

use std::path::Path;

use crate::cli::error::CommandError;
use crate::files::ReadError;
use crate::formats::{import_any, EncodingChoice, FeedFormat, Import, ImportOptions, NoProgress};
use crate::model::{JstDateTime, PrefectureNumber, Report};
use crate::poll::error::PollError;
use crate::poll::poller::Origin;
use crate::source::dropdir::{self, DropOptions};
use crate::source::http::{redact_url, Fetched, Fetcher, HttpOptions};

/// How the bytes are read.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    pub format: FeedFormat,
    pub encoding: EncodingChoice,
    /// Rows of other prefectures are dropped and counted.
    pub prefecture: Option<PrefectureNumber>,
    /// A larger file is refused, saying how to raise the cap.
    pub max_bytes: u64,
}

/// A report read once, with where it came from and what to tell the user.
pub struct Loaded {
    pub report: Report,
    /// `source（encoding）`, or 「デモデータ」.
    pub label: String,
    /// Rows that could not be read, rows out of scope.
    pub messages: Vec<String>,
}

/// A path named on the command line: a folder is a drop folder, anything else a file.
pub fn path_origin(path: &Path) -> Origin {
    if path.is_dir() {
        Origin::Dir(path.to_path_buf())
    } else {
        Origin::File(path.to_path_buf())
    }
}

/// Reads `origin` once, or makes the demo data when there is none.
pub fn load(
    origin: Option<&Origin>,
    reading: Reading,
    now: &JstDateTime,
) -> Result<Loaded, CommandError> {
    let Some(origin) = origin else {
        return Ok(Loaded {
            report: crate::demo::generator::demo_report(now),
            label: "デモデータ".to_string(),
            messages: Vec::new(),
        }
        .scoped(reading.prefecture));
    };
    let large = match origin {
        Origin::File(path) => import_in_blocks(path, &reading)?,
        _ => None,
    };
    let (import, mut messages) = match large {
        Some(import) => (import, Vec::new()),
        None => {
            let (bytes, source_name, messages) = read_once(origin, reading.max_bytes)?;
            let options = ImportOptions {
                encoding: reading.encoding,
                source_name,
                measure_rows: false,
            };
            (import_any(&bytes, reading.format, &options)?, messages)
        }
    };
    messages.extend(import.messages());
    Ok(Loaded {
        label: format!("{}（{}）", import.source_name, import.encoding.label()),
        messages,
        report: import.report,
    }
    .scoped(reading.prefecture))
}

impl Loaded {
    /// Drops other prefectures' rows, saying how many.
    fn scoped(mut self, prefecture: Option<PrefectureNumber>) -> Self {
        if let Some(pref) = prefecture {
            let before = self.report.rows.len();
            self.report.rows.retain(|row| row.prefecture_no == pref);
            let dropped = before - self.report.rows.len();
            if dropped > 0 {
                self.messages.push(format!(
                    "範囲外（{} 以外）の {dropped} 行を除きました",
                    pref.name()
                ));
            }
        }
        self
    }
}

/// The bytes, the name messages give them, and what to tell about the reading.
fn read_once(
    origin: &Origin,
    max_bytes: u64,
) -> Result<(Vec<u8>, String, Vec<String>), CommandError> {
    let none = |(bytes, name)| (bytes, name, Vec::new());
    match origin {
        Origin::File(path) => read_file(path, max_bytes).map(none),
        Origin::Dir(dir) => read_drop_folder(dir, max_bytes),
        Origin::Http(options) => fetch_once(options).map(none),
    }
}

/// The newest complete export in a drop folder; files whose names cannot be read are said.
fn read_drop_folder(
    dir: &Path,
    max_bytes: u64,
) -> Result<(Vec<u8>, String, Vec<String>), CommandError> {
    let scan = dropdir::scan(&DropOptions::new(dir)).map_err(|err| unreadable(dir, &err))?;
    let Some(path) = scan.newest else {
        return Err(CommandError::Unusable(format!(
            "{} にまだエクスポートがありません",
            crate::files::shown(dir)
        )));
    };
    let (bytes, name) = read_file(&path, max_bytes)?;
    let odd = scan
        .odd_names
        .into_iter()
        .map(|name| PollError::OddFileName { name }.to_string());
    Ok((bytes, name, odd.collect()))
}

/// A regular file within `max_bytes`, read whole; a file being written is said so.
fn read_file(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, String), CommandError> {
    let (bytes, _) = crate::files::read_regular(path, max_bytes)
        .map_err(|err| unusable_read(path, max_bytes, err))?;
    Ok((bytes, path.display().to_string()))
}

const MIB: u64 = 1024 * 1024;

/// A large CSV file read and parsed block by block, never held whole; none
/// for a small file or another format, which is read whole.
fn import_in_blocks(path: &Path, reading: &Reading) -> Result<Option<Import>, CommandError> {
    use crate::formats::gmis_stream::{import_file_in_blocks, Streamed, READ_IN_BLOCKS_FROM};
    if !matches!(reading.format, FeedFormat::Auto | FeedFormat::Csv) {
        return Ok(None);
    }
    let max_bytes = reading.max_bytes;
    let unusable = |err| unusable_read(path, max_bytes, err);
    let stamp = crate::files::check_regular(path, max_bytes).map_err(unusable)?;
    if stamp.len < READ_IN_BLOCKS_FROM {
        return Ok(None);
    }
    let options = ImportOptions {
        encoding: reading.encoding,
        source_name: path.display().to_string(),
        measure_rows: false,
    };
    let (streamed, _) =
        import_file_in_blocks(path, max_bytes, &options, &mut NoProgress).map_err(unusable)?;
    match streamed {
        Streamed::Read { import, .. } => Ok(Some(*import?)),
        Streamed::ReadWhole => Ok(None),
    }
}

/// A file that could not be read: over the cap, told how to raise it.
fn unusable_read(path: &Path, max_bytes: u64, err: ReadError) -> CommandError {
    match err {
        ReadError::TooBig { .. } => CommandError::Unusable(too_big(path, max_bytes)),
        err => CommandError::Unusable(err.to_string()),
    }
}

/// A file over the cap: its size, the cap, and the flag or setting that raises it.
fn too_big(path: &Path, max_bytes: u64) -> String {
    let size = std::fs::metadata(path).map_or(0, |meta| meta.len());
    let head = format!(
        "{}: ファイルが大きすぎます（{}、上限 {}）",
        crate::files::shown(path),
        mib_text(size),
        mib_text(max_bytes)
    );
    let needed = size.div_ceil(MIB);
    let most = *crate::config::MAX_MIB.end() as u64;
    if needed > most {
        format!("{head}。読み込める上限は {most} MiB です")
    } else {
        format!(
            "{head}。--max-mib {needed} か、設定ファイルの [feed] max_mib = {needed} で上限を上げてください"
        )
    }
}

/// 「121.3 MiB」: tenths rounded up, so a file just over the cap never reads as the cap.
fn mib_text(bytes: u64) -> String {
    if bytes.is_multiple_of(MIB) {
        return format!("{} MiB", bytes / MIB);
    }
    let tenths = (u128::from(bytes) * 10).div_ceil(u128::from(MIB));
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

fn unreadable(path: &Path, err: &std::io::Error) -> CommandError {
    CommandError::Unusable(format!(
        "{}: {}",
        path.display(),
        crate::files::io_error_text(err)
    ))
}

/// One GET, as the dashboard's first poll would make it.
fn fetch_once(options: &HttpOptions) -> Result<(Vec<u8>, String), CommandError> {
    let unreachable = |error| CommandError::Unreachable {
        url: redact_url(&options.url),
        error,
    };
    let mut fetcher = Fetcher::new(options.clone()).map_err(unreachable)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| CommandError::Failed(format!("取得の準備ができません（{err}）")))?;
    match runtime.block_on(fetcher.fetch()).map_err(unreachable)? {
        Fetched::Body { bytes, url, .. } => Ok((bytes, redact_url(&url))),
        // A first request sends no validators, so a 304 is the server's error.
        Fetched::NotModified => Err(unreachable(crate::source::http::FetchError::Status {
            status: 304,
        })),
    }
}

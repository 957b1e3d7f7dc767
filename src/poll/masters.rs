//! Masters (医療機関マスタ, 自治体マスタ) as they come: from files or URLs at
//! start, from the drop folder, and from the store when nothing else is given.

use std::path::PathBuf;

use super::error::PollError;
use crate::formats::{ImportError, ImportOptions};
use crate::master::{
    import_hospital_master, import_municipality_master, HospitalMaster, MunicipalityMaster,
};
use crate::model::JstDateTime;
use crate::source::http::{Fetched, Fetcher, HttpOptions};
use crate::store::{MasterDocument, MasterKind, StoreHandle};

/// Where a master is read from.
#[derive(Clone, Debug)]
pub enum MasterSource {
    File(PathBuf),
    Url(Box<HttpOptions>),
}

impl MasterSource {
    /// A path, or an http(s) URL fetched with the feed's options.
    pub fn from_text(text: &str, like: Option<&HttpOptions>) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            let mut options = like.cloned().unwrap_or_else(|| HttpOptions::new(text));
            options.url = text.to_string();
            MasterSource::Url(Box::new(options))
        } else {
            MasterSource::File(PathBuf::from(text))
        }
    }

    pub fn label(&self) -> String {
        match self {
            MasterSource::File(path) => path.display().to_string(),
            MasterSource::Url(options) => crate::source::http::redact_url(&options.url),
        }
    }

    /// The document's bytes.
    pub async fn read(&self) -> Result<Vec<u8>, PollError> {
        match self {
            MasterSource::File(path) => {
                let path = path.clone();
                let max = crate::files::read::DEFAULT_MAX_BYTES;
                let read =
                    tokio::task::spawn_blocking(move || crate::files::read_regular(&path, max))
                        .await?;
                read.map(|(bytes, _)| bytes).map_err(PollError::Read)
            }
            MasterSource::Url(options) => {
                // Building the client may read a CA file.
                let options = (**options).clone();
                let mut fetcher =
                    tokio::task::spawn_blocking(move || Fetcher::new(options)).await??;
                match fetcher.fetch().await? {
                    Fetched::Body { bytes, .. } => Ok(bytes),
                    Fetched::NotModified => Err(PollError::MasterNotModified),
                }
            }
        }
    }
}

/// New masters for the dashboard; either may be absent.
#[derive(Debug, Default)]
pub struct MasterUpdate {
    pub hospitals: Option<HospitalMaster>,
    pub municipalities: Option<MunicipalityMaster>,
    pub read_at: Option<JstDateTime>,
    /// Rejected rows and the like, in words.
    pub problems: Vec<String>,
}

impl MasterUpdate {
    pub fn is_empty(&self) -> bool {
        self.hospitals.is_none() && self.municipalities.is_none()
    }
}

/// Reads a document as the given master.
pub fn parse(kind: MasterKind, bytes: &[u8], source: &str) -> Result<MasterUpdate, ImportError> {
    let options = ImportOptions {
        source_name: source.to_string(),
        ..Default::default()
    };
    let mut update = MasterUpdate::default();
    match kind {
        MasterKind::Hospital => {
            let import = import_hospital_master(bytes, &options)?;
            update.problems = import.messages();
            update.hospitals = Some(import.master);
        }
        MasterKind::Municipality => {
            let import = import_municipality_master(bytes, &options)?;
            update.problems = import.messages();
            update.municipalities = Some(import.master);
        }
    }
    Ok(update)
}

/// [`parse`] on a blocking thread, for async code; the bytes come back (for the store).
pub async fn parse_blocking(
    kind: MasterKind,
    bytes: Vec<u8>,
    source: String,
) -> Result<(MasterUpdate, Vec<u8>), PollError> {
    tokio::task::spawn_blocking(move || {
        parse(kind, &bytes, &source)
            .map(|update| (update, bytes))
            .map_err(PollError::Master)
    })
    .await?
}

/// A document that is not a report may be a master: tried as a hospital
/// master, then as a municipality master.
pub fn parse_any(bytes: &[u8], source: &str) -> Option<(MasterKind, MasterUpdate)> {
    [MasterKind::Hospital, MasterKind::Municipality]
        .into_iter()
        .find_map(|kind| parse(kind, bytes, source).ok().map(|update| (kind, update)))
}

/// The newest stored masters, for a start with no master named. The documents are
/// parsed on a blocking thread.
pub async fn stored(store: &StoreHandle) -> MasterUpdate {
    let mut update = MasterUpdate::default();
    for kind in [MasterKind::Hospital, MasterKind::Municipality] {
        let Ok(Some(MasterDocument {
            body,
            source,
            fetched_at,
            ..
        })) = store.latest_master(kind).await
        else {
            continue;
        };
        if let Ok((parsed, _)) = parse_blocking(kind, body, format!("{source}（保存分）")).await
        {
            update.hospitals = update.hospitals.or(parsed.hospitals);
            update.municipalities = update.municipalities.or(parsed.municipalities);
            update.read_at = Some(
                update
                    .read_at
                    .map_or(fetched_at, |at: JstDateTime| at.max(fetched_at)),
            );
        }
    }
    update
}

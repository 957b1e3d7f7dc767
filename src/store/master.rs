//! The hospital and municipality masters, kept as the documents that came in: whoever reads
//! them parses them, and a new parser can read old documents again.

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::codec::content_hash;
use super::times::{time_at, to_text};
use super::{Store, StoreError};
use crate::model::JstDateTime;

/// Which master a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MasterKind {
    /// 医療機関マスタ
    Hospital,
    /// 自治体マスタ
    Municipality,
}

impl MasterKind {
    fn key(self) -> &'static str {
        match self {
            MasterKind::Hospital => "hospital",
            MasterKind::Municipality => "municipality",
        }
    }
}

/// A master as fetched.
#[derive(Clone, Debug, PartialEq)]
pub struct MasterDocument {
    pub kind: MasterKind,
    pub fetched_at: JstDateTime,
    pub source: String,
    /// Hex sha256 of `body`.
    pub content_hash: String,
    pub body: Vec<u8>,
}

impl Store {
    /// Stores a master document unless it is the same as the newest one of its kind.
    /// Returns whether it was stored.
    pub fn record_master(
        &mut self,
        kind: MasterKind,
        fetched_at: JstDateTime,
        source: &str,
        body: &[u8],
    ) -> Result<bool, StoreError> {
        let hash = content_hash(body);
        let at = to_text(&fetched_at)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let newest: Option<String> = tx
            .query_row(
                "SELECT content_hash FROM master_document WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
                [kind.key()],
                |row| row.get(0),
            )
            .optional()?;
        if newest.as_deref() == Some(hash.as_str()) {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO master_document (kind, fetched_at, source, content_hash, body)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind.key(), at, source, hash, body],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The newest document of a master.
    pub fn latest_master(&self, kind: MasterKind) -> Result<Option<MasterDocument>, StoreError> {
        let doc = self
            .conn
            .query_row(
                "SELECT fetched_at, source, content_hash, body FROM master_document
                 WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
                [kind.key()],
                |row| {
                    Ok(MasterDocument {
                        kind,
                        fetched_at: time_at(row, 0)?,
                        source: row.get(1)?,
                        content_hash: row.get(2)?,
                        body: row.get(3)?,
                    })
                },
            )
            .optional()?;
        Ok(doc)
    }
}

/// Old documents, keeping the newest of each kind whatever its age.
pub(super) fn prune_masters(tx: &Transaction, cutoff: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM master_document WHERE fetched_at < ?1
             AND id NOT IN (SELECT max(id) FROM master_document GROUP BY kind)",
        [cutoff],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn stores_a_master_only_when_it_changed() {
        let mut store = Store::open_in_memory().unwrap();
        let t0 = crate::model::time::parse_datetime("2026/11/01 09:00").unwrap();
        let kind = MasterKind::Hospital;
        assert!(store.record_master(kind, t0, "m.csv", b"v1").unwrap());
        assert!(!store.record_master(kind, t0, "m.csv", b"v1").unwrap());
        assert!(store.record_master(kind, t0, "m.csv", b"v2").unwrap());
        let newest = store.latest_master(kind).unwrap().unwrap();
        assert_eq!(newest.body, b"v2");
        assert_eq!(newest.content_hash, content_hash(b"v2"));
        assert_eq!(store.latest_master(MasterKind::Municipality).unwrap(), None);

        let later = t0 + Duration::days(500);
        assert_eq!(store.prune(later, Duration::days(400)).unwrap(), 1);
        assert_eq!(store.latest_master(kind).unwrap().unwrap().body, b"v2");
    }
}

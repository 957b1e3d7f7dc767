//! Fetches, snapshots and the versions of each hospital's row.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::codec::{date_to_text, extra_to_json, row_hash, InfoColumns, RowReader, ROW_COLUMNS};
use super::times::{optional_time_at, report_time_to_text, time_at, to_text, to_text_clamped};
use super::{Store, StoreError};
use crate::model::{HospitalCode, JstDateTime, Report, ReportRow};

/// One fetch, failed or not, as the poller saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchRecord {
    /// A URL or a file path.
    pub source: String,
    pub fetched_at: JstDateTime,
    /// Hex sha256 of the body ([`super::content_hash`]); empty when nothing came.
    pub content_hash: String,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    /// Rows of other prefectures, dropped and counted.
    pub rows_out_of_scope: usize,
    /// What went wrong, in the words shown on the status line.
    pub error: Option<String>,
}

impl FetchRecord {
    /// A fetch that brought nothing usable.
    pub fn failed(source: &str, fetched_at: JstDateTime, error: &str) -> Self {
        Self {
            source: source.to_string(),
            fetched_at,
            content_hash: String::new(),
            rows_accepted: 0,
            rows_rejected: 0,
            rows_out_of_scope: 0,
            error: Some(error.to_string()),
        }
    }
}

/// The board as a fetch left it.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Grows with every report recorded; followers ask for ids above the one they show.
    pub id: i64,
    pub fetched_at: JstDateTime,
    pub source: String,
    pub report: Report,
}

/// One stored version of a hospital's row.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalVersion {
    /// When the fetch that brought this row was made.
    pub valid_from: JstDateTime,
    /// When a later fetch changed the row or no longer listed the hospital; none while current.
    pub valid_to: Option<JstDateTime>,
    pub row: ReportRow,
}

impl Store {
    /// Records a fetch. With a report, a new snapshot: each hospital's row is stored as a new
    /// version only if it changed since its current version, and hospitals the report no longer
    /// lists are closed. A failed fetch (no report) is recorded without touching the board.
    /// All in one transaction. Returns the snapshot id when a report was given.
    pub fn record_fetch(
        &mut self,
        fetch: &FetchRecord,
        report: Option<&Report>,
    ) -> Result<Option<i64>, StoreError> {
        let at = to_text(&fetch.fetched_at)?;
        let at = at.as_str();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let fetch_id = insert_fetch(&tx, fetch, at)?;
        let snapshot = match report {
            Some(report) => Some(store_report(&tx, fetch_id, at, report)?),
            None => None,
        };
        tx.commit()?;
        Ok(snapshot)
    }

    /// The current board rebuilt from the store alone: rows in the order of the last report,
    /// with its extra column names.
    pub fn latest_snapshot(&self) -> Result<Option<Snapshot>, StoreError> {
        self.snapshot_after(i64::MIN)
    }

    /// For a follower process: the newest snapshot, if its id is greater than `after`.
    pub fn snapshot_after(&self, after: i64) -> Result<Option<Snapshot>, StoreError> {
        // One read transaction, so the head and the rows belong to the same commit.
        let tx = self.conn.unchecked_transaction()?;
        let snapshot = newest_snapshot(&tx, after)?;
        tx.finish()?;
        Ok(snapshot)
    }

    /// The id of the newest snapshot: a cheap check for followers polling every second.
    pub fn latest_snapshot_id(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT max(id) FROM snapshot", [], |row| row.get(0))?)
    }

    /// One hospital's rows in effect at some moment since `since`, oldest first, with the time
    /// each took effect. The first is the row current at `since`, so its time may be earlier.
    pub fn hospital_history(
        &self,
        code: &HospitalCode,
        since: JstDateTime,
    ) -> Result<Vec<(JstDateTime, ReportRow)>, StoreError> {
        let versions = self.hospital_versions(code, since)?;
        Ok(versions
            .into_iter()
            .map(|v| (v.valid_from, v.row))
            .collect())
    }

    /// [`Store::hospital_history`] with the end of each version (gaps mean the hospital was gone).
    /// A code that a report lists twice has the versions of both its lines.
    pub fn hospital_versions(
        &self,
        code: &HospitalCode,
        since: JstDateTime,
    ) -> Result<Vec<HospitalVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&history_sql())?;
        let mut rows = stmt.query(params![code.as_str(), to_text_clamped(&since)])?;
        let mut reader = RowReader::default();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(HospitalVersion {
                valid_from: time_at(row, 0)?,
                valid_to: optional_time_at(row, 1)?,
                row: reader.read(row, 2)?,
            });
        }
        Ok(out)
    }

    /// The newest fetch, failed or not.
    pub fn last_fetch(&self) -> Result<Option<FetchRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, fetched_at, content_hash, rows_accepted, rows_rejected,
                    rows_out_of_scope, error
             FROM fetch ORDER BY id DESC LIMIT 1",
        )?;
        let fetch = stmt
            .query_row([], |row| {
                Ok(FetchRecord {
                    source: row.get(0)?,
                    fetched_at: time_at(row, 1)?,
                    content_hash: row.get(2)?,
                    rows_accepted: row.get(3)?,
                    rows_rejected: row.get(4)?,
                    rows_out_of_scope: row.get(5)?,
                    error: row.get(6)?,
                })
            })
            .optional()?;
        Ok(fetch)
    }

    /// The newest failed fetch: when, and what went wrong (it may predate the last success).
    pub fn last_error(&self) -> Result<Option<(JstDateTime, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(LAST_ERROR_SQL)?;
        let error = stmt
            .query_row([], |row| Ok((time_at(row, 0)?, row.get(1)?)))
            .optional()?;
        Ok(error)
    }

    /// Deletes fetches, snapshots, closed versions, master documents and acknowledgements
    /// older than `keep` before `now`; never a current version, the newest snapshot or the
    /// newest master. Returns how many fetches, versions, documents and acknowledgements went.
    pub fn prune(&mut self, now: JstDateTime, keep: chrono::Duration) -> Result<usize, StoreError> {
        // No cutoff (a `keep` beyond the calendar) sorts before every time: nothing goes.
        let cutoff = now
            .checked_sub_signed(keep)
            .map_or_else(String::new, |t| to_text_clamped(&t));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let versions = prune_versions(&tx, &cutoff)?;
        let fetches = prune_fetches(&tx, &cutoff)?;
        let masters = super::master::prune_masters(&tx, &cutoff)?;
        let acknowledgements = super::watch::prune_acknowledgements(&tx, &cutoff)?;
        tx.commit()?;
        Ok(versions + fetches + masters + acknowledgements)
    }

    /// Stored row versions, current and closed.
    #[doc(hidden)]
    pub fn version_count(&self) -> Result<u64, StoreError> {
        Ok(self.stats()?.versions)
    }
}

/// One hospital's versions since ?2: a range scan of `version_by_hospital`.
fn history_sql() -> String {
    format!(
        "SELECT v.valid_from, v.valid_to, {ROW_COLUMNS}
         FROM hospital h
         JOIN version v ON v.hospital_id = h.id
         JOIN hospital_info i ON i.id = v.info_id
         WHERE h.code = ?1 AND (v.valid_to IS NULL OR v.valid_to > ?2)
         ORDER BY v.valid_from, v.id"
    )
}

const LAST_ERROR_SQL: &str =
    "SELECT fetched_at, error FROM fetch WHERE error IS NOT NULL ORDER BY id DESC LIMIT 1";

fn insert_fetch(tx: &Transaction, fetch: &FetchRecord, at: &str) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO fetch (fetched_at, source, content_hash, rows_accepted, rows_rejected,
                            rows_out_of_scope, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        at,
        fetch.source,
        fetch.content_hash,
        fetch.rows_accepted as i64,
        fetch.rows_rejected as i64,
        fetch.rows_out_of_scope as i64,
        fetch.error,
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Adds a snapshot and brings every hospital's current version in line with the report.
fn store_report(
    tx: &Transaction,
    fetch_id: i64,
    at: &str,
    report: &Report,
) -> Result<i64, StoreError> {
    // One line per hospital: an older day of a hospital listed twice is not stored.
    let kept = crate::model::latest::latest_rows(&report.rows);
    tx.prepare_cached(
        "INSERT INTO snapshot (fetch_id, extra_columns, row_count) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        fetch_id,
        serde_json::to_string(&report.extra_columns)?,
        kept.len() as i64,
    ])?;
    let snapshot_id = tx.last_insert_rowid();
    let mut board = Board::load(tx)?;
    let mut occurrences: HashMap<HospitalCode, u32> = HashMap::new();
    for position in kept {
        let row = &report.rows[position];
        let occurrence = occurrences.entry(row.hospital_code).or_default();
        let key = (row.hospital_code, *occurrence);
        *occurrence += 1;
        board.apply(tx, key, position as i64, row, at)?;
    }
    board.close_missing(tx, at)?;
    Ok(snapshot_id)
}

/// A line of the board as stored: which version is current, and where it stands.
struct Line {
    id: i64,
    position: Option<i64>,
    version: Option<i64>,
    hash: Option<Vec<u8>>,
    seen: bool,
}

/// Every hospital line, keyed by (code, occurrence), held in memory for one report.
struct Board {
    lines: HashMap<(HospitalCode, u32), Line>,
}

impl Board {
    fn load(tx: &Transaction) -> Result<Self, StoreError> {
        let mut stmt = tx.prepare_cached(
            "SELECT id, code, occurrence, position, current_version, current_hash FROM hospital",
        )?;
        let mut rows = stmt.query([])?;
        let mut lines = HashMap::new();
        while let Some(row) = rows.next()? {
            let code = HospitalCode::parse(&row.get::<_, String>(1)?)
                .map_err(|err| StoreError::bad_data(err.to_string()))?;
            let line = Line {
                id: row.get(0)?,
                position: row.get(3)?,
                version: row.get(4)?,
                hash: row.get(5)?,
                seen: false,
            };
            lines.insert((code, row.get(2)?), line);
        }
        Ok(Self { lines })
    }

    /// Stores `row` as the line's new version unless it is the current one already.
    fn apply(
        &mut self,
        tx: &Transaction,
        key: (HospitalCode, u32),
        position: i64,
        row: &ReportRow,
        at: &str,
    ) -> Result<(), StoreError> {
        let hash = row_hash(row);
        let line = match self.lines.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(new_line(tx, key)?),
        };
        line.seen = true;
        if line.hash.as_deref() == Some(&hash[..]) {
            return move_line(tx, line, position);
        }
        if let Some(old) = line.version {
            close_version(tx, old, at)?;
        }
        let version = insert_version(tx, line.id, at, row)?;
        tx.prepare_cached(
            "UPDATE hospital SET position = ?2, current_version = ?3, current_hash = ?4
             WHERE id = ?1",
        )?
        .execute(params![line.id, position, version, &hash[..]])?;
        (line.position, line.version, line.hash) =
            (Some(position), Some(version), Some(hash.to_vec()));
        Ok(())
    }

    /// Closes the lines the report did not list: those hospitals are gone.
    fn close_missing(self, tx: &Transaction, at: &str) -> Result<(), StoreError> {
        let gone = self.lines.values().filter(|l| !l.seen);
        for line in gone {
            let Some(version) = line.version else {
                continue;
            };
            close_version(tx, version, at)?;
            tx.prepare_cached(
                "UPDATE hospital SET position = NULL, current_version = NULL, current_hash = NULL
                 WHERE id = ?1",
            )?
            .execute([line.id])?;
        }
        Ok(())
    }
}

fn new_line(tx: &Transaction, (code, occurrence): (HospitalCode, u32)) -> Result<Line, StoreError> {
    tx.prepare_cached("INSERT INTO hospital (code, occurrence) VALUES (?1, ?2)")?
        .execute(params![code.as_str(), occurrence])?;
    Ok(Line {
        id: tx.last_insert_rowid(),
        position: None,
        version: None,
        hash: None,
        seen: true,
    })
}

/// An unchanged row may still have moved in the report's order.
fn move_line(tx: &Transaction, line: &mut Line, position: i64) -> Result<(), StoreError> {
    if line.position != Some(position) {
        tx.prepare_cached("UPDATE hospital SET position = ?2 WHERE id = ?1")?
            .execute(params![line.id, position])?;
        line.position = Some(position);
    }
    Ok(())
}

fn close_version(tx: &Transaction, version: i64, at: &str) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE version SET valid_to = ?2 WHERE id = ?1")?
        .execute(params![version, at])?;
    Ok(())
}

fn insert_version(
    tx: &Transaction,
    hospital_id: i64,
    at: &str,
    row: &ReportRow,
) -> Result<i64, StoreError> {
    let info_id = info_id(tx, &InfoColumns::of(row))?;
    tx.prepare_cached(
        "INSERT INTO version (hospital_id, valid_from, info_id, record_date, reported_at,
                              secured, ready, inpatients, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        hospital_id,
        at,
        info_id,
        date_to_text(row.record_date),
        report_time_to_text(&row.reported_at),
        row.secured,
        row.ready,
        row.inpatients,
        extra_to_json(&row.extra),
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The id of these names in `hospital_info`, added if new: names rarely change, so
/// versions share them instead of repeating them.
fn info_id(tx: &Transaction, info: &InfoColumns) -> Result<i64, StoreError> {
    let values = params![
        info.hospital_name,
        info.municipality_code,
        info.area_code,
        info.area_name,
        info.municipality,
        info.prefecture,
        info.prefecture_no,
    ];
    let found = tx
        .prepare_cached(
            "SELECT id FROM hospital_info
             WHERE hospital_name = ?1 AND municipality_code = ?2 AND area_code = ?3
               AND area_name = ?4 AND municipality = ?5 AND prefecture = ?6
               AND prefecture_no = ?7",
        )?
        .query_row(values, |row| row.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.prepare_cached(
        "INSERT INTO hospital_info (hospital_name, municipality_code, area_code, area_name,
                                    municipality, prefecture, prefecture_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(values)?;
    Ok(tx.last_insert_rowid())
}

/// The newest snapshot above `after`, with the board as it stands.
fn newest_snapshot(conn: &Connection, after: i64) -> Result<Option<Snapshot>, StoreError> {
    let head = conn
        .prepare_cached(
            "SELECT s.id, f.fetched_at, f.source, s.extra_columns, s.row_count
             FROM snapshot s JOIN fetch f ON f.id = s.fetch_id
             WHERE s.id > ?1 ORDER BY s.id DESC LIMIT 1",
        )?
        .query_row([after], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                time_at(row, 1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })
        .optional()?;
    let Some((id, fetched_at, source, extra_columns, row_count)) = head else {
        return Ok(None);
    };
    let rows = current_rows(conn)?;
    if rows.len() as i64 != row_count {
        return Err(StoreError::bad_data(format!(
            "snapshot {id}: {row_count} rows recorded, {} stored",
            rows.len()
        )));
    }
    Ok(Some(Snapshot {
        id,
        fetched_at,
        source,
        report: Report {
            extra_columns: serde_json::from_str(&extra_columns)?,
            rows,
        },
    }))
}

/// Every current row, in the order of the last report.
fn current_rows(conn: &Connection) -> Result<Vec<ReportRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS}
         FROM hospital h
         JOIN version v ON v.id = h.current_version
         JOIN hospital_info i ON i.id = v.info_id
         ORDER BY h.position"
    ))?;
    let mut rows = stmt.query([])?;
    let mut reader = RowReader::default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(reader.read(row, 0)?);
    }
    Ok(out)
}

/// Closed versions that ended before the cutoff, then what only they used.
fn prune_versions(tx: &Transaction, cutoff: &str) -> Result<usize, StoreError> {
    let deleted = tx.execute(
        "DELETE FROM version WHERE valid_to IS NOT NULL AND valid_to < ?1",
        [cutoff],
    )?;
    tx.execute_batch(
        "DELETE FROM hospital WHERE current_version IS NULL
             AND NOT EXISTS (SELECT 1 FROM version v WHERE v.hospital_id = hospital.id);
         DELETE FROM hospital_info WHERE id NOT IN (SELECT info_id FROM version);",
    )?;
    Ok(deleted)
}

/// Old fetches and their snapshots, keeping the newest snapshot (the board stands on it).
fn prune_fetches(tx: &Transaction, cutoff: &str) -> Result<usize, StoreError> {
    tx.execute(
        "DELETE FROM snapshot WHERE id < (SELECT max(id) FROM snapshot)
             AND fetch_id IN (SELECT id FROM fetch WHERE fetched_at < ?1)",
        [cutoff],
    )?;
    let deleted = tx.execute(
        "DELETE FROM fetch WHERE fetched_at < ?1 AND id NOT IN (SELECT fetch_id FROM snapshot)",
        [cutoff],
    )?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(store: &Store, sql: &str) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let details: Vec<String> = stmt
            .query_map([0, 0], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        details.join("; ")
    }

    #[test]
    fn lookups_use_their_indexes() {
        let store = Store::open_in_memory().unwrap();
        let history = plan(&store, &history_sql());
        assert!(history.contains("version_by_hospital"), "{history}");
        assert!(!history.contains("SCAN"), "{history}");
        let last_error = LAST_ERROR_SQL.replace("LIMIT 1", "LIMIT ?1 + ?2 + 1");
        let last_error = plan(&store, &last_error);
        assert!(last_error.contains("fetch_errors"), "{last_error}");
    }
}

//! The numbered schema migrations. `PRAGMA user_version` holds how many have run.
//!
//! Times are unix nanoseconds (`*_at`, `valid_*`) except a row's 報告日時, kept as unix seconds
//! plus nanoseconds so that any year a feed may send survives. Codes are TEXT, so leading zeros stay.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::StoreError;

type Migration = fn(&Transaction) -> rusqlite::Result<()>;

/// Every migration in order; migration `i` brings the file from version `i` to `i + 1`.
const MIGRATIONS: [Migration; 2] = [v1_reports, v2_masters];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Fetches, snapshots, hospitals and their row versions, and the poller's lease.
fn v1_reports(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        -- Every fetch, failed or not.
        CREATE TABLE fetch (
            id INTEGER PRIMARY KEY,
            fetched_at INTEGER NOT NULL,
            source TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            rows_accepted INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL,
            rows_out_of_scope INTEGER NOT NULL,
            error TEXT
        );
        -- The status line asks for the newest error; most fetches have none.
        CREATE INDEX fetch_errors ON fetch(id) WHERE error IS NOT NULL;

        -- A fetch that brought a report.
        CREATE TABLE snapshot (
            id INTEGER PRIMARY KEY,
            fetch_id INTEGER NOT NULL UNIQUE REFERENCES fetch(id),
            extra_columns TEXT NOT NULL,   -- JSON array of names
            row_count INTEGER NOT NULL
        );

        -- The text of a hospital's row that rarely changes, shared by its versions.
        CREATE TABLE hospital_info (
            id INTEGER PRIMARY KEY,
            prefecture TEXT NOT NULL,
            prefecture_no INTEGER NOT NULL,
            municipality_code TEXT NOT NULL,
            municipality TEXT NOT NULL,
            area_code TEXT NOT NULL,
            area_name TEXT NOT NULL,
            hospital_name TEXT NOT NULL,
            UNIQUE (hospital_name, municipality_code, area_code, area_name,
                    municipality, prefecture, prefecture_no)
        );

        -- One line of the board: a hospital code, and which of its rows in a report
        -- (occurrence > 0 only when a report lists a code twice).
        CREATE TABLE hospital (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            occurrence INTEGER NOT NULL,
            position INTEGER,              -- row index in the latest snapshot; NULL when gone
            current_version INTEGER REFERENCES version(id),
            current_hash BLOB,             -- sha256 of the current row, to skip unchanged rows
            UNIQUE (code, occurrence)
        );

        -- A hospital's row as it was from valid_from until valid_to (NULL while current).
        CREATE TABLE version (
            id INTEGER PRIMARY KEY,
            hospital_id INTEGER NOT NULL REFERENCES hospital(id),
            valid_from INTEGER NOT NULL,
            valid_to INTEGER,
            info_id INTEGER NOT NULL REFERENCES hospital_info(id),
            record_date TEXT NOT NULL,     -- YYYY-MM-DD
            reported_at INTEGER NOT NULL,  -- unix seconds, read back in JST
            reported_ns INTEGER NOT NULL,
            secured INTEGER,               -- NULL when blank
            ready INTEGER,
            inpatients INTEGER,
            extra TEXT                     -- JSON array; NULL when the report had no extra columns
        );
        -- One hospital's history is a range scan of this index.
        CREATE INDEX version_by_hospital ON version(hospital_id, valid_from);

        -- One poller per host.
        CREATE TABLE lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        ",
    )
}

/// The hospital and municipality masters, kept as the documents that came in.
fn v2_masters(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "
        CREATE TABLE master_document (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            fetched_at INTEGER NOT NULL,
            source TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            body BLOB NOT NULL
        );
        CREATE INDEX master_by_kind ON master_document(kind, id);
        ",
    )
}

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Runs the migrations the file lacks, each in its own write transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the file up to `target` (tests stop at older versions to build old files).
pub(super) fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    check_not_too_new(user_version(conn)?)?;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again under the write lock: another process may have migrated meanwhile.
        let version = user_version(&tx)?;
        check_not_too_new(version)?;
        if version >= target {
            return Ok(());
        }
        MIGRATIONS[version as usize](&tx)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

fn check_not_too_new(version: i64) -> Result<(), StoreError> {
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn v1_creates_the_report_tables() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 1).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 1);
        assert_eq!(
            tables(&conn),
            [
                "fetch",
                "hospital",
                "hospital_info",
                "lease",
                "snapshot",
                "version"
            ]
        );
    }

    #[test]
    fn v2_adds_the_masters_and_keeps_data() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO fetch VALUES (1, 0, 'a.csv', 'h', 1, 0, 0, NULL)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 2);
        assert!(tables(&conn).contains(&"master_document".to_string()));
        let kept: String = conn
            .query_row("SELECT source FROM fetch", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "a.csv");
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let before = tables(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(tables(&conn), before);
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
        assert!(err.to_string().contains("新しい版"));
    }
}

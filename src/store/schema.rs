//! The numbered schema migrations. `PRAGMA user_version` holds how many have run.
//!
//! Since version 3 every time is ISO-8601 text in JST with its offset (see
//! [`super::times`]), and every code is TEXT, so leading zeros stay (都道府県番号 '01').
//! Versions 1 and 2 kept unix nanoseconds, and 報告日時 as unix seconds plus nanoseconds;
//! they stay as they were written so that old files migrate through the same steps.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::StoreError;

type Migration = fn(&Transaction) -> rusqlite::Result<()>;

/// Every migration in order; migration `i` brings the file from version `i` to `i + 1`.
const MIGRATIONS: [Migration; 3] = [v1_reports, v2_masters, v3_readable];

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

/// Times as text, 都道府県番号 as text, no unused column; the watch list and the
/// acknowledgements. Tables are rebuilt and their rows copied, converted.
fn v3_readable(tx: &Transaction) -> rusqlite::Result<()> {
    let fetched_at = nanos_as_text("fetched_at");
    let valid_from = nanos_as_text("valid_from");
    let valid_to = nanos_as_text("valid_to");
    let expires_at = nanos_as_text("expires_at");
    let reported_at = seconds_as_text("reported_at", "reported_ns");
    tx.execute_batch(&format!(
        "{V3_TABLES}
        INSERT INTO fetch_v3 SELECT id, {fetched_at}, source, content_hash, rows_accepted,
            rows_rejected, rows_out_of_scope, error FROM fetch;
        INSERT INTO hospital_info_v3 SELECT id, prefecture, printf('%02d', prefecture_no),
            municipality_code, municipality, area_code, area_name, hospital_name
            FROM hospital_info;
        INSERT INTO version_v3 SELECT id, hospital_id, {valid_from}, {valid_to}, info_id,
            record_date, coalesce({reported_at}, ''), secured, ready, inpatients, extra
            FROM version;
        INSERT INTO lease_v3 SELECT id, holder, {expires_at} FROM lease;
        INSERT INTO master_document_v3 SELECT id, kind, {fetched_at}, source, content_hash, body
            FROM master_document;"
    ))?;
    copy_report_times_sqlite_cannot_write(tx)?;
    for table in [
        "fetch",
        "hospital_info",
        "version",
        "lease",
        "master_document",
    ] {
        tx.execute_batch(&format!(
            "DROP TABLE {table}; ALTER TABLE {table}_v3 RENAME TO {table};"
        ))?;
    }
    tx.execute_batch(V3_INDEXES)
}

/// The tables of version 3 that replace those of version 2 (renamed once filled).
const V3_TABLES: &str = "
    -- Every fetch, failed or not.
    CREATE TABLE fetch_v3 (
        id INTEGER PRIMARY KEY,
        fetched_at TEXT NOT NULL,      -- ISO-8601, JST: 2026-12-01T11:41:07.250+09:00
        source TEXT NOT NULL,          -- URL or file path
        content_hash TEXT NOT NULL,    -- sha256 of the body, hex; '' when nothing came
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        rows_out_of_scope INTEGER NOT NULL,
        error TEXT                     -- as shown on the status line; NULL on success
    );
    -- The text of a hospital's row that rarely changes, shared by its versions.
    CREATE TABLE hospital_info_v3 (
        id INTEGER PRIMARY KEY,
        prefecture TEXT NOT NULL,
        prefecture_no TEXT NOT NULL CHECK (length(prefecture_no) = 2),  -- '01'..'47'
        municipality_code TEXT NOT NULL,
        municipality TEXT NOT NULL,
        area_code TEXT NOT NULL,
        area_name TEXT NOT NULL,
        hospital_name TEXT NOT NULL,
        UNIQUE (hospital_name, municipality_code, area_code, area_name,
                municipality, prefecture, prefecture_no)
    );
    -- A hospital's row as it was from valid_from until valid_to (NULL while current).
    CREATE TABLE version_v3 (
        id INTEGER PRIMARY KEY,
        hospital_id INTEGER NOT NULL REFERENCES hospital(id),
        valid_from TEXT NOT NULL,      -- fetched_at of the fetch that brought the row
        valid_to TEXT,                 -- fetched_at of the fetch that changed or dropped it
        info_id INTEGER NOT NULL REFERENCES hospital_info(id),
        record_date TEXT NOT NULL,     -- 実績日, YYYY-MM-DD
        reported_at TEXT NOT NULL,     -- 報告日時 as the feed sent it, ISO-8601 in JST
        secured INTEGER,               -- 確保病床; NULL when blank
        ready INTEGER,                 -- 即応病床
        inpatients INTEGER,            -- 入院中
        extra TEXT                     -- JSON array; NULL when the report had no extra columns
    );
    -- One poller per host.
    CREATE TABLE lease_v3 (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        holder TEXT NOT NULL,          -- pid@host
        expires_at TEXT NOT NULL
    );
    CREATE TABLE master_document_v3 (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,            -- 'hospital' or 'municipality'
        fetched_at TEXT NOT NULL,
        source TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        body BLOB NOT NULL             -- the document as it came
    );
    -- The watch list; watch_list has its one row once the list was saved here, so that
    -- the config's list seeds only a file that never held one.
    CREATE TABLE watch_list (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        saved_at TEXT NOT NULL
    );
    CREATE TABLE watch (
        hospital_code TEXT PRIMARY KEY,
        added_at TEXT NOT NULL
    );
    -- Each watch alert acknowledged, by whom and when.
    CREATE TABLE acknowledgement (
        id INTEGER PRIMARY KEY,
        acknowledged_at TEXT NOT NULL,
        acknowledged_by TEXT NOT NULL, -- user@host
        hospital_code TEXT NOT NULL,
        hospital_name TEXT NOT NULL,
        became_full INTEGER NOT NULL,  -- 1: 空床 fell to 0 (or no report); 0: beds came back
        free_beds INTEGER              -- 空床 the alert showed; NULL when blank or not reported
    );
";

const V3_INDEXES: &str = "
    CREATE INDEX fetch_errors ON fetch(id) WHERE error IS NOT NULL;
    CREATE INDEX version_by_hospital ON version(hospital_id, valid_from);
    CREATE INDEX master_by_kind ON master_document(kind, id);
    CREATE INDEX acknowledgement_by_time ON acknowledgement(acknowledged_at);
";

/// SQL for the text of unix nanoseconds (version 2), as [`super::times`] writes it.
fn nanos_as_text(column: &str) -> String {
    let nanos = format!("(({column} % 1000000000) + 1000000000) % 1000000000");
    let seconds = format!("(({column} - {nanos}) / 1000000000)");
    seconds_as_text(&seconds, &nanos)
}

/// SQL for the text of unix seconds plus nanoseconds; NULL outside the years 0000–9999.
fn seconds_as_text(seconds: &str, nanos: &str) -> String {
    format!(
        "(strftime('%Y-%m-%dT%H:%M:%S', {seconds}, 'unixepoch', '+9 hours') ||
          CASE WHEN {nanos} = 0 THEN ''
               WHEN {nanos} % 1000000 = 0 THEN printf('.%03d', {nanos} / 1000000)
               WHEN {nanos} % 1000 = 0 THEN printf('.%06d', {nanos} / 1000)
               ELSE printf('.%09d', {nanos}) END || '+09:00')"
    )
}

/// A 報告日時 outside SQLite's years is converted here, as the store writes it.
fn copy_report_times_sqlite_cannot_write(tx: &Transaction) -> rusqlite::Result<()> {
    let mut odd = tx.prepare(
        "SELECT v.id, v.reported_at, v.reported_ns FROM version v
         JOIN version_v3 n ON n.id = v.id WHERE n.reported_at = ''",
    )?;
    let rows = odd
        .query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?))
        })?
        .collect::<Result<Vec<(i64, i64, u32)>, _>>()?;
    for (id, seconds, nanos) in rows {
        let at = chrono::DateTime::from_timestamp(seconds, nanos)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(6, seconds))?
            .with_timezone(&crate::model::time::jst());
        tx.execute(
            "UPDATE version_v3 SET reported_at = ?2 WHERE id = ?1",
            rusqlite::params![id, super::times::report_time_to_text(&at)],
        )?;
    }
    Ok(())
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
    // A table rebuilt by a migration is dropped while others refer to it, and then replaced
    // under its name with the same ids: the references hold again before the commit. SQLite
    // would refuse the drop with foreign keys on, and they can only be turned off outside a
    // transaction.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = run_migrations(conn, target);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn run_migrations(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
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
        migrate_to(&mut conn, 2).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 2);
        assert!(tables(&conn).contains(&"master_document".to_string()));
        let kept: String = conn
            .query_row("SELECT source FROM fetch", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "a.csv");
    }

    fn column_types(conn: &Connection, table: &str) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT name, type FROM pragma_table_info('{table}')"
            ))
            .unwrap();
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn v3_writes_old_times_as_the_store_writes_new_ones() {
        use crate::model::time::parse_datetime;
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO hospital_info VALUES
                 (1, '北海道', 1, '011002', '札幌市', '0104', '札幌', '病院');
             INSERT INTO hospital (id, code, occurrence) VALUES (1, '0110100012', 0);",
        )
        .unwrap();
        let base = parse_datetime("2026-12-01T11:41:07+09:00").unwrap();
        let times: Vec<_> = [
            0,
            1,
            123_000,
            500_000_000,
            999_999_999,
            -1,
            -1_764_556_867_500_000_000,
        ]
        .iter()
        .map(|&ns| base + chrono::Duration::nanoseconds(ns))
        .collect();
        for (id, at) in times.iter().enumerate() {
            let nanos = at.timestamp_nanos_opt().unwrap();
            conn.execute(
                "INSERT INTO fetch VALUES (?1, ?2, 'a.csv', 'h', 1, 0, 0, NULL)",
                rusqlite::params![id, nanos],
            )
            .unwrap();
            // 報告日時 as seconds and nanoseconds, one of them past SQLite's years.
            let seconds = if id == 0 {
                253_402_300_800
            } else {
                at.timestamp()
            };
            conn.execute(
                "INSERT INTO version VALUES (?1, 1, ?2, NULL, 1, '2026-12-01', ?3, ?4, 1, 1, 0, NULL)",
                rusqlite::params![id, nanos, seconds, at.timestamp_subsec_nanos()],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        for (id, at) in times.iter().enumerate() {
            let (fetched, valid_from, reported): (String, String, String) = conn
                .query_row(
                    "SELECT f.fetched_at, v.valid_from, v.reported_at
                     FROM fetch f JOIN version v ON v.id = f.id WHERE f.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            let written = super::super::times::to_text(at).unwrap();
            assert_eq!(fetched, written);
            assert_eq!(valid_from, written);
            if id == 0 {
                assert_eq!(reported, "+10000-01-01T09:00:00+09:00");
            } else {
                assert_eq!(reported, written);
            }
        }
        let prefecture: String = conn
            .query_row("SELECT prefecture_no FROM hospital_info", [], |r| r.get(0))
            .unwrap();
        assert_eq!(prefecture, "01");
        let version = column_types(&conn, "version");
        assert!(
            !version.iter().any(|(name, _)| name == "reported_ns"),
            "{version:?}"
        );
        for (table, column) in [
            ("fetch", "fetched_at"),
            ("version", "valid_from"),
            ("version", "valid_to"),
            ("version", "reported_at"),
            ("lease", "expires_at"),
            ("master_document", "fetched_at"),
            ("hospital_info", "prefecture_no"),
        ] {
            let types = column_types(&conn, table);
            let found = types.iter().find(|(name, _)| name == column).unwrap();
            assert_eq!(found.1, "TEXT", "{table}.{column}");
        }
        assert!(tables(&conn).contains(&"acknowledgement".to_string()));
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

//! A history file written by the release before the readable schema (schema version 2:
//! Unix nanoseconds, 都道府県番号 as an INTEGER) is migrated and reads back the same.
//!
//! `tests/fixtures/store-v2.sqlite` was written by the store of schema version 2 (commit
//! "A history file written by schema version 2…") recording [`record_history`], and
//! `store-v2.expected.txt` is what that store read back from it ([`dump`]). The migrated
//! file must read back exactly that, and have the schema this build writes.

use std::path::Path;

use chrono::Duration;

use bedboard::demo::generator as demo;
use bedboard::model::{JstDateTime, PrefectureNumber, Report};
use bedboard::store::{FetchRecord, MasterKind, Store, SCHEMA_VERSION};

fn at(minutes: i64) -> JstDateTime {
    demo::asset_base_time() + Duration::minutes(minutes) + Duration::nanoseconds(250_000_000)
}

/// Six demo hospitals, one of them in 北海道 (都道府県番号 01), one listed twice,
/// with extra columns, a blank count and a 報告日時 with a fraction of a second.
fn first_report() -> Report {
    let mut report = demo::demo_report(&demo::asset_base_time());
    report.rows.truncate(6);
    report.extra_columns = vec!["備考".to_string()];
    for (i, row) in report.rows.iter_mut().enumerate() {
        row.extra = vec![format!("備考{i}")].into();
    }
    let north = &mut report.rows[1];
    north.prefecture = "北海道".into();
    north.prefecture_no = PrefectureNumber::new(1).unwrap();
    north.secured = None;
    north.reported_at += Duration::seconds(7) + Duration::nanoseconds(123);
    let twin = report.rows[0].clone();
    report.rows.push(twin);
    report
}

/// Counts change, one hospital goes.
fn second_report() -> Report {
    let mut report = first_report();
    report.rows[0].ready = Some(0);
    report.rows[2].inpatients = report.rows[2].inpatients.map(|n| n + 3);
    report.rows.remove(3);
    report
}

/// The gone hospital is back, and a name changed.
fn third_report() -> Report {
    let mut report = first_report();
    report.rows[4].hospital_name = format!("{}（新棟）", report.rows[4].hospital_name).into();
    report.rows[5].reported_at += Duration::minutes(30);
    report
}

fn fetch(minutes: i64, report: Option<&Report>, error: Option<&str>) -> FetchRecord {
    FetchRecord {
        source: "http://127.0.0.1:8787/report.csv".to_string(),
        fetched_at: at(minutes),
        content_hash: report.map_or(String::new(), |r| {
            bedboard::store::content_hash(format!("{r:?}").as_bytes())
        }),
        rows_accepted: report.map_or(0, |r| r.rows.len()),
        rows_rejected: 1,
        rows_out_of_scope: 2,
        error: error.map(str::to_string),
    }
}

/// The history the fixture holds.
fn record_history(store: &mut Store) {
    let reports = [first_report(), second_report(), third_report()];
    store
        .record_fetch(&fetch(0, Some(&reports[0]), None), Some(&reports[0]))
        .unwrap();
    store
        .record_fetch(
            &fetch(1, None, Some("接続できません（127.0.0.1:8787）")),
            None,
        )
        .unwrap();
    store
        .record_fetch(&fetch(2, Some(&reports[1]), None), Some(&reports[1]))
        .unwrap();
    store
        .record_fetch(&fetch(3, Some(&reports[2]), None), Some(&reports[2]))
        .unwrap();
    store
        .record_master(MasterKind::Hospital, at(0), "hospitals.csv", b"v1")
        .unwrap();
    store
        .record_master(MasterKind::Hospital, at(3), "hospitals.csv", b"v2")
        .unwrap();
    store
        .try_acquire_lease("4242@console1", at(3), Duration::minutes(2))
        .unwrap();
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v2.sqlite")
}

/// The fixture, copied where the test may change it.
fn migrated_copy(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("history.sqlite3");
    std::fs::copy(fixture(), &path).unwrap();
    let before = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = before
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2, "the fixture is a version 2 file");
    drop(before);
    Store::open(&path).unwrap()
}

#[test]
fn a_version_2_file_reads_back_the_same_after_migration() {
    let dir = tempfile::tempdir().unwrap();
    let store = migrated_copy(&dir);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.recovered_from(), None);
    let expected = std::fs::read_to_string(fixture().with_extension("expected.txt")).unwrap();
    let migrated = dump(&store);
    assert!(
        migrated == expected,
        "the migrated file reads back differently:\n{migrated}"
    );
}

#[test]
fn the_migrated_file_is_the_file_this_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    drop(migrated_copy(&dir));
    let fresh_path = dir.path().join("fresh.sqlite3");
    let mut fresh = Store::open(&fresh_path).unwrap();
    record_history(&mut fresh);
    drop(fresh);
    let migrated = rusqlite::Connection::open(dir.path().join("history.sqlite3")).unwrap();
    let fresh = rusqlite::Connection::open(&fresh_path).unwrap();
    assert_eq!(schema_of(&migrated), schema_of(&fresh));
    // This build stores one row per hospital, so the fixture's twin row is kept once
    // in a fresh file: the tables of report rows are checked by the read-back above.
    for table in ["fetch", "lease", "master_document"] {
        assert_eq!(
            rows_of(&migrated, table),
            rows_of(&fresh, table),
            "table {table}"
        );
    }
    let north: String = migrated
        .query_row(
            "SELECT prefecture_no FROM hospital_info WHERE prefecture = '北海道'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(north, "01");
    let fetched: String = migrated
        .query_row("SELECT fetched_at FROM fetch WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fetched, "2026-11-01T09:00:00.250+09:00");
}

/// Each table's and index's columns, in order (a migrated table is created under
/// another name and renamed, so the SQL text itself differs).
fn schema_of(conn: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT m.type, m.name, p.name, p.type, p.\"notnull\", p.pk
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' ORDER BY m.name, p.cid",
        )
        .unwrap();
    let mut out: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {}.{} {} notnull={} pk={}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut indexes = conn
        .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .unwrap();
    out.extend(
        indexes
            .query_map([], |r| {
                Ok(format!(
                    "index {} on {}: {:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?
                ))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
    );
    out
}

/// Every row of a table, each value with its SQLite type.
fn rows_of(conn: &rusqlite::Connection, table: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
        .unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        (0..columns)
            .map(|i| r.get(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Everything the store reads back, in words: equal dumps mean equal histories.
fn dump(store: &Store) -> String {
    let since = demo::asset_base_time() - Duration::days(365);
    let mut out = String::new();
    let snapshot = store.latest_snapshot().unwrap().unwrap();
    out += &format!("snapshot {snapshot:#?}\n");
    let mut codes: Vec<_> = snapshot
        .report
        .rows
        .iter()
        .map(|r| r.hospital_code)
        .collect();
    codes.extend(second_report().rows.iter().map(|r| r.hospital_code));
    codes.sort();
    codes.dedup();
    for code in codes {
        let versions = store.hospital_versions(&code, since).unwrap();
        out += &format!("versions of {code} {versions:#?}\n");
    }
    out += &format!("last fetch {:#?}\n", store.last_fetch().unwrap());
    out += &format!("last error {:#?}\n", store.last_error().unwrap());
    out += &format!(
        "master {:#?}\n",
        store.latest_master(MasterKind::Hospital).unwrap()
    );
    out += &format!("lease {:#?}\n", store.lease().unwrap());
    out += &format!("stats {:#?}\n", store.stats().unwrap());
    out
}

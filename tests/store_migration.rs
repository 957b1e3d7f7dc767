//! A history file written by the release before the readable schema (schema version 2:
//! Unix nanoseconds, 都道府県番号 as an INTEGER) is migrated and reads back the same.
//!
//! `tests/fixtures/store-v2.sqlite` was written by `write_v2_fixture` below while the
//! store wrote version 2; the same history, recorded by this build into a fresh file,
//! must read back exactly as the migrated file does.

use std::path::Path;

use chrono::Duration;

use bedboard::demo::generator as demo;
use bedboard::model::{JstDateTime, PrefectureNumber, Report};
use bedboard::store::{FetchRecord, MasterKind, Store};

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
        row.extra = vec![format!("備考{i}")];
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
    report.rows[4].hospital_name = format!("{}（新棟）", report.rows[4].hospital_name);
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

#[test]
#[ignore = "writes tests/fixtures/store-v2.sqlite; run only with the release that writes version 2"]
fn write_v2_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v2.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    record_history(&mut store);
    assert!(store.checkpoint().unwrap());
    std::fs::write(path.with_extension("expected.txt"), dump(&store)).unwrap();
    drop(store);
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

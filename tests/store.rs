//! The SQLite history, on real files in a temporary folder.

use std::path::{Path, PathBuf};

use chrono::Duration;

use bedboard::demo::generator as demo;
use bedboard::model::{HospitalCode, JstDateTime, Report, ReportRow};
use bedboard::store::{FetchRecord, Store, StoreError, SCHEMA_VERSION};

fn base() -> JstDateTime {
    demo::asset_base_time()
}

/// `minutes` after the demo's base time.
fn at(minutes: i64) -> JstDateTime {
    base() + Duration::minutes(minutes)
}

fn fetch_at(time: JstDateTime, report: &Report) -> FetchRecord {
    FetchRecord {
        source: "http://127.0.0.1:8787/report.csv".to_string(),
        fetched_at: time,
        content_hash: bedboard::store::content_hash(format!("{report:?}").as_bytes()),
        rows_accepted: report.rows.len(),
        rows_rejected: 2,
        rows_out_of_scope: 1,
        error: None,
    }
}

fn record(store: &mut Store, minutes: i64, report: &Report) -> i64 {
    store
        .record_fetch(&fetch_at(at(minutes), report), Some(report))
        .expect("recorded")
        .expect("a snapshot id")
}

fn demo_report() -> Report {
    demo::demo_report(&base())
}

/// The demo report with extra columns and the awkward text real exports carry.
fn awkward_report() -> Report {
    let mut report = demo_report();
    report.extra_columns = vec!["備考".to_string(), "受入可否（小児）".to_string()];
    for (i, row) in report.rows.iter_mut().enumerate() {
        row.extra = vec![format!("備考{i}"), String::new()].into();
    }
    let row = &mut report.rows[3];
    row.hospital_name = "医療法人社団①髙﨑会 ㈱ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ".into();
    row.extra = vec![
        "\"引用\", 改行\r\nあり\t".to_string(),
        "〜∥－￠".to_string(),
    ]
    .into();
    row.secured = None;
    row.ready = Some(0);
    row.inpatients = None;
    row.reported_at += Duration::seconds(7) + Duration::nanoseconds(123);
    // A code listed again for an older day: the store keeps the latest row only.
    let older = ReportRow {
        secured: Some(99),
        record_date: report.rows[0].record_date - Duration::days(1),
        reported_at: report.rows[0].reported_at - Duration::days(1),
        ..report.rows[0].clone()
    };
    report.rows.insert(7, older);
    report
}

/// The report as the store keeps it: each hospital's latest row.
fn latest_only(report: &Report) -> Report {
    Report {
        extra_columns: report.extra_columns.clone(),
        rows: bedboard::model::latest::latest_of(&report.rows)
            .cloned()
            .collect(),
    }
}

fn file_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("history.sqlite")
}

fn board(store: &Store) -> Report {
    store.latest_snapshot().unwrap().expect("a snapshot").report
}

fn versions(store: &Store) -> u64 {
    store.version_count().unwrap()
}

#[test]
fn the_board_is_rebuilt_from_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let report = demo_report();
    let id = {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.latest_snapshot().unwrap(),
            None,
            "a new store is empty"
        );
        record(&mut store, 0, &report)
    };
    let store = Store::open(&path).unwrap();
    let snapshot = store.latest_snapshot().unwrap().unwrap();
    assert_eq!(snapshot.id, id);
    assert_eq!(snapshot.fetched_at, at(0));
    assert_eq!(snapshot.source, "http://127.0.0.1:8787/report.csv");
    assert_eq!(snapshot.report, report);
    assert!(report.rows.iter().any(|r| r.secured.is_none()), "blanks");
    assert_eq!(store.recovered_from(), None);
}

#[test]
fn awkward_text_extra_columns_and_twin_codes_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let report = awkward_report();
    record(&mut Store::open(&path).unwrap(), 0, &report);
    let rebuilt = board(&Store::open(&path).unwrap());
    assert_eq!(rebuilt, latest_only(&report));
    assert_eq!(rebuilt.rows.len(), report.rows.len() - 1);
    assert_eq!(
        &*rebuilt.rows[3].hospital_name,
        "医療法人社団①髙﨑会 ㈱ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"
    );
    assert!(rebuilt.rows.iter().all(|r| r.secured != Some(99)));
    // Leading zeros: the code is text all the way.
    let mut zero = awkward_report();
    zero.rows[0].hospital_code = HospitalCode::parse("0110170043").unwrap();
    let mut store = Store::open(&path).unwrap();
    record(&mut store, 1, &zero);
    assert_eq!(board(&store), latest_only(&zero));
}

#[test]
fn an_unchanged_report_adds_no_versions_and_changes_add_exactly_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&file_in(&dir)).unwrap();
    let mut report = demo_report();
    let hospitals = report.rows.len() as u64;
    for minute in 0..100 {
        record(&mut store, minute, &report);
    }
    assert_eq!(versions(&store), hospitals);
    assert_eq!(store.stats().unwrap().snapshots, 100);

    for i in [5, 50, 300] {
        report.rows[i].inpatients = Some(report.rows[i].inpatients.unwrap_or(0) + 1);
    }
    record(&mut store, 100, &report);
    assert_eq!(versions(&store), hospitals + 3);
    assert_eq!(board(&store), report);
}

#[test]
fn a_hospital_that_leaves_is_closed_and_a_new_one_appears() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&file_in(&dir)).unwrap();
    let mut report = demo_report();
    record(&mut store, 0, &report);
    let before = versions(&store);

    let gone = report.rows.remove(10);
    record(&mut store, 1, &report);
    let now = board(&store);
    assert_eq!(now, report);
    assert!(!now
        .rows
        .iter()
        .any(|r| r.hospital_code == gone.hospital_code));
    assert_eq!(versions(&store), before, "closing adds no version");
    let history = store
        .hospital_versions(&gone.hospital_code, at(-60))
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].valid_to, Some(at(1)));

    let mut newcomer = report.rows[0].clone();
    newcomer.hospital_code = HospitalCode::parse("1310179999").unwrap();
    newcomer.hospital_name = "新設病院".to_string().into();
    report.rows.insert(0, newcomer);
    record(&mut store, 2, &report);
    assert_eq!(board(&store), report, "new row first, the rest moved down");
    assert_eq!(versions(&store), before + 1);
    assert_eq!(
        store.stats().unwrap().current_hospitals,
        report.rows.len() as u64
    );

    report.rows.reverse();
    record(&mut store, 3, &report);
    assert_eq!(board(&store), report, "the order follows the last report");
    assert_eq!(
        versions(&store),
        before + 1,
        "a new order is not a new version"
    );
}

#[test]
fn a_failed_fetch_never_replaces_good_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&file_in(&dir)).unwrap();
    let report = demo_report();
    let id = record(&mut store, 0, &report);
    let good = store.latest_snapshot().unwrap();
    let failed = FetchRecord::failed("http://127.0.0.1:8787/", at(1), "接続できません");
    assert_eq!(store.record_fetch(&failed, None).unwrap(), None);
    assert_eq!(store.latest_snapshot().unwrap(), good);
    assert_eq!(store.snapshot_after(id).unwrap(), None);
    assert_eq!(
        store.last_error().unwrap(),
        Some((at(1), "接続できません".to_string()))
    );
    assert_eq!(store.last_fetch().unwrap(), Some(failed));

    let next = fetch_at(at(2), &report);
    store.record_fetch(&next, Some(&report)).unwrap();
    assert_eq!(store.last_fetch().unwrap(), Some(next));
    assert_eq!(
        store.last_error().unwrap().unwrap().1,
        "接続できません",
        "the last error stays known after a success"
    );
}

#[test]
fn a_corrupt_file_is_moved_aside_with_its_bytes_and_a_fresh_store_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let mut store = Store::open(&path).unwrap();
    let moved = store.recovered_from().expect("recovered").to_path_buf();
    let name = moved.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("history.sqlite.corrupt-"),
        "moved to {name}"
    );
    assert_eq!(moved.parent(), path.parent());
    assert_eq!(std::fs::read(&moved).unwrap(), garbage, "nothing lost");
    let notice = store.recovery_notice().unwrap();
    assert!(
        notice.contains("壊れていました") && notice.contains(&name),
        "{notice}"
    );

    let report = demo_report();
    record(&mut store, 0, &report);
    assert_eq!(board(&Store::open(&path).unwrap()), report);
}

#[test]
fn a_damaged_database_page_is_found_by_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    {
        let mut store = Store::open(&path).unwrap();
        record(&mut store, 0, &demo_report());
    }
    let mut bytes = std::fs::read(&path).unwrap();
    // Keep the header (a valid database at first sight) and scramble the pages after it.
    let len = bytes.len();
    bytes[4096..len].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::write(&path, &bytes).unwrap();

    let store = Store::open(&path).unwrap();
    let moved = store.recovered_from().expect("recovered");
    assert_eq!(std::fs::read(moved).unwrap(), bytes);
    assert_eq!(store.latest_snapshot().unwrap(), None);
}

fn assert_cannot_write(err: &StoreError) {
    let message = err.to_string();
    assert!(message.contains("書き込めません"), "{message}");
}

#[test]
fn a_read_only_store_says_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let report = demo_report();
    record(&mut Store::open(&path).unwrap(), 0, &report);

    let mut reader = Store::open_read_only(&path).unwrap();
    assert_eq!(board(&reader), report, "reading works");
    let err = reader
        .record_fetch(&fetch_at(at(1), &report), Some(&report))
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly), "{err:?}");
    assert_cannot_write(&err);
    assert_eq!(reader.latest_snapshot().unwrap().unwrap().fetched_at, at(0));
}

#[test]
fn a_folder_that_is_a_file_says_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    for path in [file.join("history.sqlite"), file.join("sub/history.sqlite")] {
        let err = Store::open(&path).err().expect("cannot open");
        assert!(matches!(err, StoreError::CannotCreate { .. }), "{err:?}");
        assert_cannot_write(&err);
        assert!(err.to_string().contains("not-a-folder"), "names the path");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x", "nothing moved");
}

#[test]
fn a_full_disk_is_named_and_the_last_good_data_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let mut store = Store::open(&path).unwrap();
    let report = demo_report();
    record(&mut store, 0, &report);
    store.limit_pages_for_test(1).unwrap();
    let mut changed = report.clone();
    changed
        .rows
        .iter_mut()
        .for_each(|r| r.hospital_name = format!("{}（改称）", r.hospital_name).into());
    let err = store
        .record_fetch(&fetch_at(at(1), &changed), Some(&changed))
        .unwrap_err();
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert_eq!(
        err.to_string(),
        "履歴ファイルに書き込めません（ディスクがいっぱいです）"
    );
    assert_eq!(board(&store), report);
    assert_eq!(store.last_fetch().unwrap().unwrap().fetched_at, at(0));
}

#[test]
fn reading_a_missing_file_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let err = Store::open_read_only(&path).err().expect("no file");
    assert!(matches!(err, StoreError::CannotOpen { .. }), "{err:?}");
    assert!(err.to_string().contains("開けません"), "{err}");
    assert!(!path.exists());
}

#[test]
fn a_missing_folder_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/history.sqlite");
    Store::open(&path).unwrap();
    assert!(path.is_file());
}

#[test]
fn two_handles_share_the_lease_and_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let mut a = Store::open(&path).unwrap();
    let mut b = Store::open(&path).unwrap();
    let ttl = Duration::minutes(2);

    assert!(a.try_acquire_lease("pid 100@host", at(0), ttl).unwrap());
    assert!(!b.try_acquire_lease("pid 200@host", at(1), ttl).unwrap());
    assert_eq!(
        b.lease().unwrap(),
        Some(("pid 100@host".to_string(), at(2)))
    );
    assert!(a.try_acquire_lease("pid 100@host", at(1), ttl).unwrap());
    assert!(!b.try_acquire_lease("pid 200@host", at(2), ttl).unwrap());
    assert!(b.try_acquire_lease("pid 200@host", at(3), ttl).unwrap());
    assert!(!a.try_acquire_lease("pid 100@host", at(4), ttl).unwrap());

    assert_eq!(b.snapshot_after(0).unwrap(), None);
    let report = demo_report();
    let id = record(&mut a, 5, &report);
    let seen = b.snapshot_after(0).unwrap().expect("b sees a's snapshot");
    assert_eq!((seen.id, &seen.report), (id, &report));
    assert_eq!(b.latest_snapshot_id().unwrap(), Some(id));
    assert_eq!(b.snapshot_after(id).unwrap(), None, "nothing newer");

    b.release_lease("pid 200@host").unwrap();
    assert_eq!(a.lease().unwrap(), None);
}

#[test]
fn a_reader_never_sees_half_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let reader = Store::open(&path).unwrap();
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut store = Store::open(&writer_path).unwrap();
        let mut report = demo_report();
        for minute in 0..20 {
            report.rows.truncate(500 - minute as usize * 10);
            record(&mut store, minute, &report);
        }
    });
    let mut seen = 0;
    while !writer.is_finished() || seen == 0 {
        if let Some(snapshot) = reader.latest_snapshot().unwrap() {
            assert_eq!(
                snapshot.report.rows.len(),
                500 - (snapshot.id as usize - 1) * 10
            );
            seen += 1;
        }
    }
    writer.join().unwrap();
}

/// A store where one hospital's 即応病床 is `ready` at minutes 0, 10, 20, …
fn history_store(dir: &tempfile::TempDir, readies: &[u32]) -> (Store, HospitalCode) {
    let mut store = Store::open(&file_in(dir)).unwrap();
    let mut report = demo_report();
    for (i, &ready) in readies.iter().enumerate() {
        report.rows[0].ready = Some(ready);
        record(&mut store, i as i64 * 10, &report);
        record(&mut store, i as i64 * 10 + 5, &report);
    }
    (store, report.rows[0].hospital_code)
}

#[test]
fn a_hospitals_history_is_in_order_and_since_filters() {
    let dir = tempfile::tempdir().unwrap();
    let (store, code) = history_store(&dir, &[3, 4, 4, 2, 5]);
    let ready = |history: &[(JstDateTime, ReportRow)]| -> Vec<(JstDateTime, u32)> {
        history
            .iter()
            .map(|(t, r)| (*t, r.ready.unwrap()))
            .collect()
    };
    let all = store.hospital_history(&code, at(-1000)).unwrap();
    assert_eq!(
        ready(&all),
        [(at(0), 3), (at(10), 4), (at(30), 2), (at(40), 5)]
    );
    let since = store.hospital_history(&code, at(35)).unwrap();
    assert_eq!(
        ready(&since),
        [(at(30), 2), (at(40), 5)],
        "starts with the row current at `since`"
    );
    let exactly = store.hospital_history(&code, at(40)).unwrap();
    assert_eq!(ready(&exactly), [(at(40), 5)]);
    let unknown = HospitalCode::parse("4710000000").unwrap();
    assert!(store.hospital_history(&unknown, at(0)).unwrap().is_empty());
}

#[test]
fn prune_drops_old_history_but_keeps_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, code) = history_store(&dir, &[3, 4, 2]);
    let board_before = board(&store);
    let failed = FetchRecord::failed("x", at(1), "タイムアウト");
    store.record_fetch(&failed, None).unwrap();
    let hospitals = board_before.rows.len() as u64;
    assert_eq!(versions(&store), hospitals + 2);

    // Versions closed before minute 25 (ready 3 and 4) go, and so do the six fetches
    // before it, the failed one included.
    let removed = store.prune(at(25), Duration::zero()).unwrap();
    let after = store.stats().unwrap();
    assert_eq!(after.versions, hospitals);
    assert_eq!((after.fetches, after.snapshots), (1, 1));
    assert_eq!(removed, 2 + 6);
    assert_eq!(board(&store), board_before);
    assert_eq!(store.last_error().unwrap(), None, "the old error went too");
    let history = store.hospital_history(&code, at(-1000)).unwrap();
    assert_eq!(history.len(), 1);

    // However old, the board stays.
    store.prune(at(100_000), Duration::days(1)).unwrap();
    assert_eq!(board(&store), board_before);
    assert_eq!(store.stats().unwrap().snapshots, 1);
    assert_eq!(versions(&store), hospitals);
}

#[test]
fn prune_forgets_hospitals_gone_long_ago() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&file_in(&dir)).unwrap();
    let mut report = demo_report();
    record(&mut store, 0, &report);
    let gone = report.rows.pop().unwrap();
    record(&mut store, 10, &report);
    store.prune(at(20), Duration::minutes(5)).unwrap();
    assert!(store
        .hospital_history(&gone.hospital_code, at(-1000))
        .unwrap()
        .is_empty());
    // If it comes back, it is new again.
    report.rows.push(gone.clone());
    record(&mut store, 30, &report);
    assert_eq!(board(&store), report);
}

#[test]
fn reopening_keeps_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(&dir);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.recovered_from(), None);
    assert!(store.size_on_disk() > 0);
}

#[test]
fn in_memory_store_works_the_same() {
    let mut store = Store::open_in_memory().unwrap();
    let report = awkward_report();
    record(&mut store, 0, &report);
    assert_eq!(board(&store), latest_only(&report));
    assert_eq!(store.path(), None::<&Path>);
}

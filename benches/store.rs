//! The SQLite history: storing a 10,000-row snapshot, and one hospital's 400-day history
//! from a store of 8,000 hospitals × 400 daily snapshots.
//!
//! `cargo bench --bench store`. Building the big store takes a while; its size on disk,
//! and the time to build it, are printed to stderr.

use std::time::Instant;

use chrono::Duration;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use bedboard::demo::generator as demo;
use bedboard::model::{HospitalCode, JstDateTime, Report, ReportRow};
use bedboard::store::{content_hash, FetchRecord, Store};

fn base() -> JstDateTime {
    demo::asset_base_time()
}

/// `n` rows made from the demo hospitals, each with its own hospital code.
fn report(n: usize) -> Report {
    let demo = demo::demo_report(&base()).rows;
    let rows = (0..n)
        .map(|i| {
            let mut row = demo[i % demo.len()].clone();
            let code = format!("{}{:07}", &row.hospital_code.as_str()[..3], i);
            row.hospital_code = HospitalCode::parse(&code).expect("10 digits");
            row
        })
        .collect();
    Report {
        extra_columns: Vec::new(),
        rows,
    }
}

fn fetch(at: JstDateTime, report: &Report) -> FetchRecord {
    FetchRecord {
        source: "http://127.0.0.1:8787/report.csv".to_string(),
        fetched_at: at,
        content_hash: content_hash(&at.timestamp().to_le_bytes()),
        rows_accepted: report.rows.len(),
        rows_rejected: 0,
        rows_out_of_scope: 0,
        error: None,
    }
}

/// A hospital reports again: new numbers, a new 報告日時.
fn report_again(row: &mut ReportRow, at: JstDateTime, step: u32) {
    row.inpatients = Some(row.inpatients.unwrap_or(0) ^ (1 + step % 3));
    row.reported_at = at - Duration::minutes(i64::from(step % 120));
    row.record_date = row.reported_at.date_naive();
}

fn snapshot_10000(c: &mut Criterion) {
    let n = 10_000;
    let first = report(n);
    let mut changed = first.clone();
    for (i, row) in changed.rows.iter_mut().enumerate().step_by(100) {
        report_again(row, base(), i as u32);
    }
    let mut group = c.benchmark_group("store");
    group.sample_size(20);

    group.bench_function("first_snapshot_10000_rows", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = Store::open(&dir.path().join("h.sqlite")).expect("opens");
                (dir, store)
            },
            |(dir, mut store)| {
                store
                    .record_fetch(&fetch(base(), &first), Some(&first))
                    .expect("records");
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("h.sqlite")).expect("opens");
    store
        .record_fetch(&fetch(base(), &first), Some(&first))
        .expect("records");
    let mut minute = 0;
    let mut next = |store: &mut Store, report: &Report| {
        minute += 1;
        let at = base() + Duration::minutes(minute);
        store
            .record_fetch(&fetch(at, report), Some(report))
            .expect("records");
    };
    // Alternating the two reports changes the same 1 % of rows every time.
    let mut flip = false;
    group.bench_function("next_snapshot_10000_rows_1pct_changed", |b| {
        b.iter(|| {
            flip = !flip;
            next(&mut store, if flip { &changed } else { &first });
        })
    });
    group.bench_function("next_snapshot_10000_rows_unchanged", |b| {
        let same = if flip { &changed } else { &first };
        b.iter(|| next(&mut store, same))
    });
    group.bench_function("latest_snapshot_10000_rows", |b| {
        b.iter(|| store.latest_snapshot().expect("reads").expect("a snapshot"))
    });
    group.finish();
}

const HOSPITALS: usize = 8_000;
const DAYS: i64 = 400;

/// 8,000 hospitals, one snapshot a day for 400 days, a tenth of them reporting anew each day.
fn build_year(store: &mut Store) {
    let mut report = report(HOSPITALS);
    let mut rng = fastrand::Rng::with_seed(400);
    for day in 0..DAYS {
        let at = base() + Duration::days(day);
        if day > 0 {
            for _ in 0..HOSPITALS / 10 {
                let i = rng.usize(..HOSPITALS);
                report_again(&mut report.rows[i], at, rng.u32(..));
            }
        }
        store
            .record_fetch(&fetch(at, &report), Some(&report))
            .expect("records");
    }
}

fn history_400_days(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("year.sqlite");
    let mut store = Store::open(&path).expect("opens");
    let started = Instant::now();
    build_year(&mut store);
    let built = started.elapsed();
    drop(store);
    let started = Instant::now();
    let store = Store::open(&path).expect("reopens");
    let opened = started.elapsed();
    let stats = store.stats().expect("stats");
    eprintln!(
        "store of {HOSPITALS} hospitals × {DAYS} days: {:.1} MiB on disk, {} versions, \
         {} snapshots; built in {:.1} s; reopened (with quick_check) in {} ms",
        store.size_on_disk() as f64 / (1024.0 * 1024.0),
        stats.versions,
        stats.snapshots,
        built.as_secs_f64(),
        opened.as_millis(),
    );

    let now = base() + Duration::days(DAYS);
    let codes: Vec<HospitalCode> = report(HOSPITALS)
        .rows
        .iter()
        .map(|r| r.hospital_code)
        .collect();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut group = c.benchmark_group("store");
    group.bench_function("history_400_days_of_8000_hospitals", |b| {
        b.iter(|| {
            let code = codes[rng.usize(..codes.len())];
            let history = store
                .hospital_history(&code, now - Duration::days(DAYS))
                .expect("reads");
            assert!(!history.is_empty());
            history
        })
    });
    group.sample_size(20);
    group.bench_function("latest_snapshot_of_8000_hospitals_after_400_days", |b| {
        b.iter(|| store.latest_snapshot().expect("reads").expect("a snapshot"))
    });
    group.finish();
}

criterion_group!(benches, snapshot_10000, history_400_days);
criterion_main!(benches);

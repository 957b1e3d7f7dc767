//! Import throughput of a large CP932 「詳細のみ」 export.
//!
//! `cargo bench --bench import` (set BEDBOARD_BENCH_ROWS for another size).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use bedboard::demo::generator as demo;
use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::gmis_csv::import_bytes;
use bedboard::formats::ImportOptions;
use bedboard::model::{time, HospitalCode, ReportRow};

/// `n` rows made from the demo hospitals, each with its own hospital code.
fn rows(n: usize) -> Vec<ReportRow> {
    let base = time::parse_datetime(demo::ASSET_BASE_TIME).expect("valid time");
    let demo = demo::demo_report(&base).rows;
    (0..n)
        .map(|i| {
            let mut row = demo[i % demo.len()].clone();
            let code = format!("{}{:07}", &row.hospital_code.as_str()[..3], i);
            row.hospital_code = HospitalCode::parse(&code).expect("10 digits");
            row
        })
        .collect()
}

fn import_cp932(c: &mut Criterion) {
    let n: usize = std::env::var("BEDBOARD_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (bytes, lost) = write_csv(&[], &rows(n), OutputEncoding::ShiftJis);
    assert!(lost.is_empty());
    let mut group = c.benchmark_group("import");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function(format!("cp932_{n}_rows"), |b| {
        // Freeing the rows is not part of the import.
        b.iter_with_large_drop(|| {
            let import = import_bytes(&bytes, &ImportOptions::default()).expect("imports");
            assert_eq!(import.report.rows.len(), n);
            import
        })
    });
    group.finish();
}

criterion_group!(benches, import_cp932);
criterion_main!(benches);

//! Import throughput of a large 「詳細のみ」 export, in CP932 and in UTF-8.
//!
//! `cargo bench --bench import` (set BEDBOARD_BENCH_ROWS for another size, e.g.
//! `BEDBOARD_BENCH_ROWS=1000000` for the million-row case of issue 13).

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

fn bench_rows() -> usize {
    std::env::var("BEDBOARD_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Times the import of `n` rows written in `encoding`.
fn bench_import(c: &mut Criterion, name: &str, encoding: OutputEncoding) {
    let n = bench_rows();
    let (bytes, lost) = write_csv(&[], &rows(n), encoding);
    assert!(lost.is_empty());
    let mut group = c.benchmark_group("import");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(if n > 200_000 { 10 } else { 20 });
    group.bench_function(format!("{name}_{n}_rows"), |b| {
        // Freeing the rows is not part of the import.
        b.iter_with_large_drop(|| {
            let import = import_bytes(&bytes, &ImportOptions::default()).expect("imports");
            assert_eq!(import.report.rows.len(), n);
            import
        })
    });
    group.finish();
}

fn import_cp932(c: &mut Criterion) {
    bench_import(c, "cp932", OutputEncoding::ShiftJis);
}

fn import_utf8(c: &mut Criterion) {
    bench_import(c, "utf8", OutputEncoding::Utf8);
}

criterion_group!(benches, import_cp932, import_utf8);
criterion_main!(benches);

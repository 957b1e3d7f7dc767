//! `print` of a file against the floor it is measured by: the csv crate's
//! parse of the same file into `StringRecord`s.
//!
//! `cargo bench --bench print` reads `BEDBOARD_BENCH_FILE` (default
//! `/tmp/g100k.csv`, a generated 100,000-row G-MIS export); without that file
//! it makes 100,000 rows from the demo hospitals.

use criterion::{criterion_group, criterion_main, Criterion};

use bedboard::demo::generator as demo;
use bedboard::export::csv::{write_csv, OutputEncoding};
use bedboard::formats::{import_any, FeedFormat, ImportOptions};
use bedboard::model::{time, HospitalCode};
use bedboard::text::charset::TerminalCharset;
use bedboard::ui::plain::{PlainOptions, Table};
use bedboard::view::{View, ViewSpec};

const DEFAULT_FILE: &str = "/tmp/g100k.csv";

/// The file's bytes and its name, or generated rows when there is no file.
fn source() -> (Vec<u8>, String) {
    let path = std::env::var("BEDBOARD_BENCH_FILE").unwrap_or_else(|_| DEFAULT_FILE.into());
    if let Ok(bytes) = std::fs::read(&path) {
        return (bytes, path);
    }
    let base = time::parse_datetime(demo::ASSET_BASE_TIME).expect("valid time");
    let hospitals = demo::demo_report(&base).rows;
    let rows: Vec<_> = (0..100_000)
        .map(|i| {
            let mut row = hospitals[i % hospitals.len()].clone();
            let code = format!("{}{:07}", &row.hospital_code.as_str()[..3], i);
            row.hospital_code = HospitalCode::parse(&code).expect("10 digits");
            row
        })
        .collect();
    let (bytes, lost) = write_csv(&[], &rows, OutputEncoding::Utf8);
    assert!(lost.is_empty());
    (bytes, "generated 100,000 rows".into())
}

fn print(c: &mut Criterion) {
    let (bytes, name) = source();
    let spec = ViewSpec::new(time::now_jst());
    let mut group = c.benchmark_group("print");
    group.sample_size(10);
    println!("source: {name}, {} bytes", bytes.len());
    group.bench_function("csv_crate_parse_floor", |b| {
        b.iter(|| {
            let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
            let mut record = csv::StringRecord::new();
            let mut fields = 0;
            while reader.read_record(&mut record).expect("parses") {
                fields += record.len();
            }
            fields
        })
    });
    // What `bedboard print` does after reading the file, but for stdout:
    // import, view, every line laid out, guarded and encoded.
    group.bench_function("print_whole", |b| {
        b.iter(|| {
            let import =
                import_any(&bytes, FeedFormat::Auto, &ImportOptions::default()).expect("imports");
            let view = View::build(&import.report, &spec);
            let options = PlainOptions::default();
            let table = Table {
                report: &import.report,
                view: &view,
                spec: &spec,
                source: "bench",
                options: &options,
            };
            let mut encoded = Vec::new();
            let mut written = 0;
            table
                .write(&mut |line| {
                    let line = bedboard::text::sanitize_lines(line);
                    encoded.clear();
                    TerminalCharset::Utf8.encode_into(&line, options.ambiguous, &mut encoded);
                    written += encoded.len() + 1;
                    Ok(())
                })
                .expect("writes");
            written
        })
    });
    group.finish();
}

criterion_group!(benches, print);
criterion_main!(benches);

//! Complete or nothing: a CSV cut inside a quoted field or in the middle of its
//! last row is refused as cut, never taken as the rows before the cut; and
//! `ends_at_row_boundary` tells a whole body from a cut one.

use bedboard::formats::{
    ends_at_row_boundary, import_any, Cut, FeedFormat, ImportErrorKind, ImportOptions,
};
use bedboard::master::{import_hospital_master, import_municipality_master};

fn options() -> ImportOptions {
    ImportOptions {
        source_name: "feed.csv".to_string(),
        ..Default::default()
    }
}

fn seed() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sample/seed-tokyo.csv"
    ))
    .unwrap()
}

/// The byte offset where line `line` (1-based) starts.
fn line_start(bytes: &[u8], line: usize) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
        .unwrap()
}

#[test]
fn a_body_cut_inside_a_quoted_field_is_refused_with_the_lines_it_costs() {
    let seed = seed();
    let lines = seed.iter().filter(|&&b| b == b'\n').count();
    // Line 12 gets a quote that is never closed: it and every line after it are lost.
    let at = line_start(&seed, 12);
    let mut body = seed[..at].to_vec();
    body.extend_from_slice(b"\"");
    body.extend_from_slice(&seed[at..]);
    let err = import_any(&body, FeedFormat::Auto, &options()).unwrap_err();
    let lost = (lines - 11) as u64;
    assert_eq!(
        err.kind,
        ImportErrorKind::Truncated {
            line: 12,
            cut: Cut::OpenQuote { lines: lost }
        }
    );
    assert!(err.is_truncated());
    assert_eq!(
        err.to_string(),
        format!("feed.csv:12: 途中で切れています: 12 行目の引用符が閉じていません（以降 {lost} 行を読めません）")
    );
    assert!(!ends_at_row_boundary(&body, FeedFormat::Csv));
}

#[test]
fn a_body_cut_in_a_quoted_field_of_its_last_row_is_refused() {
    let csv = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\r\n\
               東京都,13,131016,千代田区,1301,区中央部,1310170043,東京病院,2022/01/05,2022/02/01 11:32,4,3,2\r\n\
               東京都,13,131016,千代田区,1301,区中央部,1310170050,\"東京\r\n";
    let err = import_any(csv.as_bytes(), FeedFormat::Csv, &options()).unwrap_err();
    assert_eq!(
        err.kind,
        ImportErrorKind::Truncated {
            line: 3,
            cut: Cut::OpenQuote { lines: 1 }
        },
        "{err}"
    );
    assert!(!ends_at_row_boundary(csv.as_bytes(), FeedFormat::Auto));
}

#[test]
fn a_last_row_short_of_fields_without_a_line_break_is_cut() {
    let seed = seed();
    let end = seed.len() - 2;
    // Cut in the middle of the last row, after a comma.
    let cut = end - seed[..end].iter().rev().position(|&b| b == b',').unwrap() - 20;
    let cut = cut - seed[..cut].iter().rev().position(|&b| b == b',').unwrap();
    let body = &seed[..cut];
    let err = import_any(body, FeedFormat::Auto, &options()).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ImportErrorKind::Truncated {
                cut: Cut::ShortLastRow {
                    header_width: 13,
                    ..
                },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("途中で切れています"), "{err}");
    assert!(!ends_at_row_boundary(body, FeedFormat::Csv));
    // The same short row with its line break is an ordinary rejected row.
    let mut whole = body.to_vec();
    whole.extend_from_slice(b"\r\n");
    let import = import_any(&whole, FeedFormat::Auto, &options()).unwrap();
    assert_eq!(import.rejected_rows, 1);
    assert!(ends_at_row_boundary(&whole, FeedFormat::Csv));
}

#[test]
fn a_whole_last_row_without_a_line_break_is_still_read() {
    let seed = seed();
    let body = &seed[..seed.len() - 2];
    let full = import_any(&seed, FeedFormat::Auto, &options()).unwrap();
    let import = import_any(body, FeedFormat::Auto, &options()).unwrap();
    assert_eq!(import.report.rows, full.report.rows);
    assert!(import.problems.is_empty());
    // Whole, but the poller cannot tell it from a cut body: it reads it again later.
    assert!(!ends_at_row_boundary(body, FeedFormat::Csv));
    assert!(ends_at_row_boundary(&seed, FeedFormat::Csv));
}

#[test]
fn the_masters_refuse_a_cut_body_too() {
    let master = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/master.csv"
    ))
    .unwrap();
    let cut = line_start(&master, 3) + 30;
    let err = import_hospital_master(&master[..cut], &options()).unwrap_err();
    assert!(err.is_truncated(), "{err}");
    let municipalities =
        "団体コード,市区町村,二次医療圏番号\r\n131016,千代田区,1301\r\n131024,\"中央";
    let err = import_municipality_master(municipalities.as_bytes(), &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "feed.csv:3: 途中で切れています: 3 行目の引用符が閉じていません（以降 1 行を読めません）"
    );
    let footer = "団体コード,市区町村,二次医療圏番号\r\n131016,千代田区,1301\r\n\r\n※出典: 総務省";
    let import = import_municipality_master(footer.as_bytes(), &options()).unwrap();
    assert_eq!(import.master.len(), 1);
    assert_eq!(import.footer, ["※出典: 総務省"]);
}

#[test]
fn every_fixture_that_reads_ends_at_a_row_boundary() {
    let dirs = [
        "tests/fixtures",
        "tests/fixtures/json",
        "tests/fixtures/master",
        "assets/sample",
        "assets/demo",
    ];
    for dir in dirs {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.is_file() || path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let options = ImportOptions {
                source_name: name.clone(),
                ..Default::default()
            };
            let read = import_any(&bytes, FeedFormat::Auto, &options);
            if let Err(err) = &read {
                assert!(!err.is_truncated(), "{err}");
            }
            let reads = read.is_ok() || import_hospital_master(&bytes, &options).is_ok();
            if reads {
                assert!(ends_at_row_boundary(&bytes, FeedFormat::Auto), "{name}");
            }
        }
    }
}

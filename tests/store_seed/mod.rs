//! A history file holding the seed report, for the tests of `bedboard status`.

use std::path::{Path, PathBuf};

use bedboard::model::JstDateTime;
use bedboard::store::{FetchRecord, Store};

/// A store with the seed's report, its 報告日時 moved to `reported` (none: the seed's
/// 2022 times), fetched at `fetched`.
pub fn store_with_seed(dir: &Path, reported: Option<JstDateTime>, fetched: JstDateTime) -> PathBuf {
    let path = dir.join("history.sqlite3");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    let mut report = bedboard::formats::import_file(&seed, &Default::default())
        .unwrap()
        .report;
    if let Some(at) = reported {
        for row in &mut report.rows {
            row.reported_at = at;
        }
    }
    let fetch = FetchRecord {
        error: None,
        rows_accepted: report.rows.len(),
        ..FetchRecord::failed("http://feed.example/r.csv", fetched, "")
    };
    Store::open(&path)
        .unwrap()
        .record_fetch(&fetch, Some(&report))
        .unwrap();
    path
}

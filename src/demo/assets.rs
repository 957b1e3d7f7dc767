//! The committed demo assets under `assets/demo/`: the report and the master as files,
//! generated at a fixed time so they can be checked byte for byte.

use std::io;
use std::path::Path;

use super::master_csv::demo_master_csv;
use super::report::demo_report;
use crate::export::csv::{self as gmis_csv, OutputEncoding};
use crate::model::{time, JstDateTime};

/// The time the committed demo assets are generated at (JST).
pub const ASSET_BASE_TIME: &str = "2026/11/01 09:00";

/// [`ASSET_BASE_TIME`] as a time.
pub fn asset_base_time() -> JstDateTime {
    time::parse_datetime(ASSET_BASE_TIME).expect("ASSET_BASE_TIME is a valid G-MIS time")
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `report.csv` (CP932, CRLF: a G-MIS 「詳細のみ」 export at [`ASSET_BASE_TIME`]) and
/// `master.csv` (UTF-8 with BOM, CRLF) into `dir`, creating it if needed.
pub fn write_demo_assets(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let report = demo_report(&asset_base_time());
    let (bytes, lost) = gmis_csv::write_csv(
        &report.extra_columns,
        &report.rows,
        OutputEncoding::ShiftJis,
    );
    // A character Shift-JIS cannot hold is an error, never a silent 〓.
    if let Some(first) = lost.first() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "demo report line {} holds {:?}, which Shift-JIS cannot encode",
                first.line, first.character
            ),
        ));
    }
    std::fs::write(dir.join("report.csv"), bytes)?;
    let mut master = UTF8_BOM.to_vec();
    master.extend_from_slice(demo_master_csv().as_bytes());
    std::fs::write(dir.join("master.csv"), master)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
    }

    #[test]
    fn committed_assets_match_the_generator() {
        let temp = tempfile::tempdir().unwrap();
        write_demo_assets(temp.path()).unwrap();
        for file in ["report.csv", "master.csv"] {
            let fresh = std::fs::read(temp.path().join(file)).unwrap();
            let committed = std::fs::read(committed_dir().join(file)).unwrap();
            assert!(
                fresh == committed,
                "assets/demo/{file} is out of date: run \
                 `cargo test --lib demo -- --ignored` to regenerate it"
            );
        }
    }

    /// Regenerates the committed assets: `cargo test --lib demo -- --ignored`.
    #[test]
    #[ignore]
    fn regenerate_committed_assets() {
        write_demo_assets(&committed_dir()).unwrap();
    }
}

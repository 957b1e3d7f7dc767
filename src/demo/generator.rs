//! The built-in demo data: one prefecture's hospitals (東京都), made by a deterministic generator.
//!
//! Everything is drawn from a tiny seeded generator, so the data is the same on every machine
//! and the committed assets under `assets/demo/` can be checked byte for byte against it.
//! Municipality codes, names, positions and their 二次医療圏 are real; hospitals, phone
//! numbers and addresses are made up. A few rows are wrong on purpose (blank counts,
//! inconsistent counts, failing check digits, stale reports) so every warning has data.
//!
//! The generator is split by what it makes: `places` (the real Tokyo tables), `rng` (the
//! seeded streams), `names` and `hospitals`, `report`, `master_csv` and `assets` (the
//! committed files); this module names the public parts.

pub use super::assets::{asset_base_time, write_demo_assets, ASSET_BASE_TIME};
pub use super::hospitals::HOSPITAL_COUNT;
pub use super::master_csv::{demo_master_csv, demo_masters, MASTER_COLUMNS};
pub use super::places::{
    prefecture_name, DemoMunicipality, PREFECTURE_NO, TOKYO_AREAS, TOKYO_MUNICIPALITIES,
};
pub use super::report::demo_report;

//! A watch alert someone acknowledged: kept in the store, shown in 変更履歴.

use super::{HospitalCode, JstDateTime};

/// A watch alert someone acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledgement {
    pub at: JstDateTime,
    /// `user@host`.
    pub by: String,
    pub code: HospitalCode,
    pub name: String,
    /// True when the alert said 空床 fell to 0 (or the hospital stopped reporting);
    /// false when beds came back.
    pub became_full: bool,
    /// 空床 the alert showed; none when blank or not reported.
    pub free_beds: Option<i64>,
}

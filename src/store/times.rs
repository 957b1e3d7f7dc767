//! Every time in the store is ISO-8601 text in JST with its offset, as the dashboard
//! shows it: `2026-12-01T11:41:07+09:00`, with a fraction of a second only when there is
//! one (3, 6 or 9 digits). A DBA reads it as it is, SQLite's date functions take it
//! (`datetime(fetched_at)` is UTC), and for the years 0000–9999 text order is time order,
//! so the store compares and sorts the text itself.

use chrono::DateTime;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};

use super::StoreError;
use crate::model::time::jst;
use crate::model::JstDateTime;

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f%:z";

/// Sorts before and after every time the store writes.
const EARLIEST: &str = "0000-01-01T00:00:00+09:00";
const LATEST: &str = "9999-12-31T23:59:59.999999999+09:00";

fn format(at: &JstDateTime) -> String {
    at.with_timezone(&jst()).format(FORMAT).to_string()
}

fn in_sortable_years(at: &JstDateTime) -> bool {
    (0..=9999).contains(&chrono::Datelike::year(&at.with_timezone(&jst())))
}

/// An instant the store compares (fetch, validity, lease): only the years where text
/// order is time order.
pub(super) fn to_text(at: &JstDateTime) -> Result<String, StoreError> {
    if !in_sortable_years(at) {
        return Err(StoreError::TimeOutOfRange(at.to_rfc3339()));
    }
    Ok(format(at))
}

/// For query bounds: a time outside 0000–9999 means "before everything" or "after everything".
pub(super) fn to_text_clamped(at: &JstDateTime) -> String {
    match in_sortable_years(at) {
        true => format(at),
        false if at.timestamp() < 0 => EARLIEST.to_string(),
        false => LATEST.to_string(),
    }
}

/// A row's 報告日時: kept whatever year the feed sent (it is shown, never compared).
pub(super) fn report_time_to_text(at: &JstDateTime) -> String {
    format(at)
}

pub(super) fn from_text(text: &str) -> Result<JstDateTime, StoreError> {
    DateTime::parse_from_str(text, FORMAT)
        .map(|at| at.with_timezone(&jst()))
        .map_err(|_| StoreError::bad_data(format!("時刻 {text:?}")))
}

/// A stored time, for reading in a row closure: `row.get::<_, StoredTime>(i)?.0`.
pub(super) struct StoredTime(pub JstDateTime);

impl FromSql for StoredTime {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        from_text(text)
            .map(StoredTime)
            .map_err(|err| FromSqlError::Other(Box::new(err)))
    }
}

/// The time in column `index` of a row.
pub(super) fn time_at(row: &rusqlite::Row, index: usize) -> rusqlite::Result<JstDateTime> {
    Ok(row.get::<_, StoredTime>(index)?.0)
}

/// The time in column `index`, or none for NULL.
pub(super) fn optional_time_at(
    row: &rusqlite::Row,
    index: usize,
) -> rusqlite::Result<Option<JstDateTime>> {
    Ok(row.get::<_, Option<StoredTime>>(index)?.map(|t| t.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    #[test]
    fn times_read_back_as_written_and_read_well() {
        for (text, stored) in [
            ("2026-12-01T11:41:00+09:00", "2026-12-01T11:41:00+09:00"),
            ("2026-12-01T02:41:07.5Z", "2026-12-01T11:41:07.500+09:00"),
            (
                "2026-12-01T11:41:07.000000123+09:00",
                "2026-12-01T11:41:07.000000123+09:00",
            ),
        ] {
            let at = parse_datetime(text).unwrap();
            assert_eq!(to_text(&at).unwrap(), stored);
            assert_eq!(from_text(stored).unwrap(), at);
        }
    }

    #[test]
    fn text_order_is_time_order() {
        let base = parse_datetime("2026-12-01T11:41:07+09:00").unwrap();
        let steps = [0, 1, 120, 123_000, 500_000_000, 999_999_999, 1_000_000_000];
        let mut texts: Vec<String> = steps
            .iter()
            .map(|&ns| to_text(&(base + chrono::Duration::nanoseconds(ns))).unwrap())
            .collect();
        texts.push(to_text(&parse_datetime("2027-01-01T00:00:00+09:00").unwrap()).unwrap());
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(sorted, texts);
        assert!(EARLIEST < texts[0].as_str() && texts[7].as_str() < LATEST);
    }

    #[test]
    fn years_beyond_9999_are_refused_for_comparison_but_kept_as_report_times() {
        let far = parse_datetime("9999-12-31T23:00:00-12:00").unwrap();
        assert!(to_text(&far).is_err());
        assert_eq!(to_text_clamped(&far), LATEST);
        let text = report_time_to_text(&far);
        assert_eq!(from_text(&text).unwrap(), far);
        assert!(from_text("1764556800").is_err());
    }
}

//! The checks of a view that depend on the clock (古い, 報告日時 in the
//! future), with their thresholds worked out once per view rather than a
//! date subtraction for each of a million rows. Same answers as
//! [`ReportRow::is_stale`] and [`ReportRow::is_reported_in_future`].

use chrono::Duration;

use crate::model::{JstDateTime, ReportRow};

/// How far ahead of the clock a 報告日時 may be before it is flagged; the
/// model's rule ([`ReportRow::is_reported_in_future`]).
const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// The clock checks at one `now`.
#[derive(Clone, Copy, Debug)]
pub struct ClockChecks {
    now: JstDateTime,
    stale_after: Duration,
    /// Rows reported before this are stale; none when it cannot be
    /// represented (then each row is asked).
    stale_before: Option<JstDateTime>,
    future_after: Option<JstDateTime>,
}

impl ClockChecks {
    pub fn new(now: JstDateTime, stale_after: Duration) -> Self {
        Self {
            now,
            stale_after,
            stale_before: now.checked_sub_signed(stale_after),
            future_after: now.checked_add_signed(Duration::minutes(FUTURE_TOLERANCE_MINUTES)),
        }
    }

    /// [`ReportRow::is_stale`]: older than `stale_after` at `now`.
    pub fn is_stale(&self, row: &ReportRow) -> bool {
        match self.stale_before {
            Some(before) => row.reported_at < before,
            None => row.is_stale(&self.now, self.stale_after),
        }
    }

    /// [`ReportRow::is_reported_in_future`].
    pub fn is_in_future(&self, row: &ReportRow) -> bool {
        match self.future_after {
            Some(after) => row.reported_at > after,
            None => row.is_reported_in_future(&self.now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;
    use crate::model::time::parse_datetime;

    #[test]
    fn the_thresholds_answer_as_the_rows_do_at_every_edge() {
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let mut row = seed_row();
        for stale_hours in [0, 1, 24, 72] {
            let stale_after = Duration::hours(stale_hours);
            let checks = ClockChecks::new(now, stale_after);
            for seconds in -200_000i64..=200_000 {
                if seconds % 97 != 0 && !(-400..=400).contains(&(seconds % 3600)) {
                    continue;
                }
                row.reported_at = now + Duration::seconds(seconds) + Duration::nanoseconds(1);
                for at in [row.reported_at, now + Duration::seconds(seconds)] {
                    row.reported_at = at;
                    assert_eq!(checks.is_stale(&row), row.is_stale(&now, stale_after));
                    assert_eq!(checks.is_in_future(&row), row.is_reported_in_future(&now));
                }
            }
        }
    }

    #[test]
    fn a_threshold_out_of_range_asks_the_row() {
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let checks = ClockChecks::new(now, Duration::MAX);
        let row = seed_row();
        assert_eq!(checks.is_stale(&row), row.is_stale(&now, Duration::MAX));
        assert!(!checks.is_stale(&row));
    }
}

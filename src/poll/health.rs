//! Whether the data in a store can be trusted, judged by the data: the newest 報告日時 and
//! the poller's last successful fetch, not the time the data was read. `bedboard status`
//! prints it and exits by it.

use std::fmt;
use std::time::Duration;

use super::role::{Holder, PollerRole};
use crate::model::{time, JstDateTime};
use crate::store::{Store, StoreError};

/// The feed counts as dead when its last success is older than this many poll intervals.
/// One failed poll leaves the last success at most three intervals old (the backoff waits at
/// most two); older than four means at least two polls in a row failed, or nobody polls.
pub const DEAD_AFTER_INTERVALS: u32 = 4;

/// What counts as too old.
#[derive(Clone, Copy, Debug)]
pub struct HealthLimits {
    /// The newest 報告日時 may be this old (the config's `stale_hours`).
    pub stale_after: chrono::Duration,
    /// The dashboards' poll interval.
    pub interval: Duration,
}

impl HealthLimits {
    /// How old the last success may be before the feed counts as dead.
    pub fn dead_after(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.interval.saturating_mul(DEAD_AFTER_INTERVALS))
            .unwrap_or(chrono::Duration::MAX)
    }
}

/// What is wrong with the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthProblem {
    /// The store holds no report.
    NoData,
    /// The newest 報告日時 is older than the limit.
    StaleReports {
        newest: JstDateTime,
        limit: chrono::Duration,
    },
    /// No fetch has succeeded within the limit.
    FeedDead {
        last_success: Option<JstDateTime>,
        limit: chrono::Duration,
    },
}

impl fmt::Display for HealthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealthProblem::NoData => write!(f, "データがありません"),
            HealthProblem::StaleReports { limit, .. } => write!(
                f,
                "データが古くなっています（最新の報告日時が {} 時間より前）",
                limit.num_hours()
            ),
            HealthProblem::FeedDead {
                last_success: None, ..
            } => write!(f, "取得が止まっています（成功した取得がありません）"),
            HealthProblem::FeedDead { limit, .. } => write!(
                f,
                "取得が止まっています（最後の成功から {}以上）",
                span_text(*limit)
            ),
        }
    }
}

/// 「90 秒」, 「4 分」, 「2 時間」: a limit in the largest whole unit.
fn span_text(span: chrono::Duration) -> String {
    let seconds = span.num_seconds();
    match seconds {
        s if s % 3600 == 0 && s > 0 => format!("{} 時間", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{} 分", s / 60),
        s => format!("{s} 秒"),
    }
}

/// The newest report in the store, as `status` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    /// The newest 報告日時 among its rows; none when no row has one.
    pub newest_reported_at: Option<JstDateTime>,
    pub rows: usize,
    pub source: String,
    /// When it was fetched.
    pub fetched_at: JstDateTime,
}

/// The state of a store's data and of its poller at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedHealth {
    pub checked_at: JstDateTime,
    pub report: Option<StoredReport>,
    pub last_success: Option<JstDateTime>,
    pub last_error: Option<(JstDateTime, String)>,
    /// Another bedboard, or nobody: seen from outside, no dashboard is "this one".
    pub poller: PollerRole,
    /// Until when the poller's lease runs, while it holds one.
    pub lease_until: Option<JstDateTime>,
    /// Empty when the data can be trusted.
    pub problems: Vec<HealthProblem>,
}

impl FeedHealth {
    /// Reads the store and judges it at `now`.
    pub fn read(store: &Store, now: JstDateTime, limits: HealthLimits) -> Result<Self, StoreError> {
        let report = store.latest_snapshot()?.map(|snapshot| StoredReport {
            newest_reported_at: snapshot.report.rows.iter().map(|r| r.reported_at).max(),
            rows: snapshot.report.rows.len(),
            source: snapshot.source,
            fetched_at: snapshot.fetched_at,
        });
        let last_success = store.last_success()?;
        let live_lease = store.lease()?.filter(|(_, until)| *until > now);
        let poller = match &live_lease {
            Some((holder, _)) => PollerRole::Other {
                holder: Holder::parse(holder),
                same_host: false,
                last_success,
            },
            None => PollerRole::Nobody { last_success },
        };
        let newest = report.as_ref().map(|r| r.newest_reported_at);
        Ok(Self {
            checked_at: now,
            problems: judge(newest, last_success, now, limits),
            report,
            last_success,
            last_error: store.last_error()?,
            poller,
            lease_until: live_lease.map(|(_, until)| until),
        })
    }

    /// Whether the data can be trusted.
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What is wrong, given the newest report's newest 報告日時 (outer none: no report; inner
/// none: a report without one) and the last successful fetch.
pub fn judge(
    newest_report: Option<Option<JstDateTime>>,
    last_success: Option<JstDateTime>,
    now: JstDateTime,
    limits: HealthLimits,
) -> Vec<HealthProblem> {
    let mut problems = Vec::new();
    match newest_report {
        None | Some(None) => problems.push(HealthProblem::NoData),
        Some(Some(newest)) if now - newest > limits.stale_after => {
            problems.push(HealthProblem::StaleReports {
                newest,
                limit: limits.stale_after,
            })
        }
        Some(Some(_)) => {}
    }
    let dead_after = limits.dead_after();
    if last_success.is_none_or(|at| now - at > dead_after) {
        problems.push(HealthProblem::FeedDead {
            last_success,
            limit: dead_after,
        });
    }
    problems
}

/// 「2026/12/01 02:41（3分前）」.
pub fn when_text(at: &JstDateTime, now: JstDateTime) -> String {
    format!(
        "{}（{}）",
        time::format_datetime(at),
        time::format_age(now - *at)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn limits() -> HealthLimits {
        HealthLimits {
            stale_after: chrono::Duration::hours(24),
            interval: Duration::from_secs(60),
        }
    }

    fn at(text: &str) -> JstDateTime {
        parse_datetime(text).unwrap()
    }

    #[test]
    fn fresh_reports_fetched_lately_are_healthy() {
        let now = at("2026/12/01 12:00");
        let problems = judge(
            Some(Some(at("2026/12/01 11:00"))),
            Some(at("2026/12/01 11:59")),
            now,
            limits(),
        );
        assert_eq!(problems, []);
    }

    #[test]
    fn old_reports_read_just_now_are_stale() {
        let now = at("2026/12/01 12:00");
        let newest = at("2022/02/01 11:32");
        let problems = judge(Some(Some(newest)), Some(now), now, limits());
        assert_eq!(
            problems,
            [HealthProblem::StaleReports {
                newest,
                limit: chrono::Duration::hours(24)
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "データが古くなっています（最新の報告日時が 24 時間より前）"
        );
    }

    #[test]
    fn a_feed_without_success_for_four_intervals_is_dead() {
        let now = at("2026/12/01 12:00");
        let fresh = Some(Some(at("2026/12/01 11:30")));
        assert_eq!(
            judge(fresh, Some(at("2026/12/01 11:56")), now, limits()),
            []
        );
        let problems = judge(fresh, Some(at("2026/12/01 11:55")), now, limits());
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "取得が止まっています（最後の成功から 4 分以上）"
        );
        let none = judge(None, None, now, limits());
        assert_eq!(
            none.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "データがありません",
                "取得が止まっています（成功した取得がありません）"
            ]
        );
    }
}

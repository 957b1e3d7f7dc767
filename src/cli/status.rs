//! `bedboard status`: the store's state for a person or a monitoring system. The lines
//! and the JSON say the same; the exit code is the verdict (0 OK, 1 warning, 2 critical),
//! as Nagios-style checks and Zabbix read it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::cli::args::StatusArgs;
use crate::cli::dashboard;
use crate::cli::error::{tell, Outcome};
use crate::model::{time, JstDateTime};
use crate::poll::health::{when_text, FeedHealth, HealthLimits, HealthProblem};
use crate::poll::role::PollerRole;
use crate::store::{Store, StoreError};

/// What monitoring makes of the state; the exit code of `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    /// Stale data or a failing feed: someone should look.
    Warning,
    /// No store, an unreadable one, or nobody polling for too long: the board is not fed.
    Critical,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Ok => 0,
            Verdict::Warning => 1,
            Verdict::Critical => 2,
        }
    }
}

/// What is wrong, beyond the data itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusProblem {
    Health(HealthProblem),
    NoStore,
    UnreadableStore(String),
    /// No process has held the lease or fetched for longer than the limit.
    NoPoller {
        last_seen: Option<JstDateTime>,
        limit: chrono::Duration,
    },
}

impl StatusProblem {
    pub fn verdict(&self) -> Verdict {
        match self {
            StatusProblem::Health(_) => Verdict::Warning,
            _ => Verdict::Critical,
        }
    }

    /// A stable English name, for the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            StatusProblem::Health(HealthProblem::NoData) => "no_data",
            StatusProblem::Health(HealthProblem::StaleReports { .. }) => "stale_reports",
            StatusProblem::Health(HealthProblem::FeedDead { .. }) => "feed_dead",
            StatusProblem::NoStore => "no_store",
            StatusProblem::UnreadableStore(_) => "unreadable_store",
            StatusProblem::NoPoller { .. } => "no_poller",
        }
    }

    /// What the dispatcher reads.
    pub fn message(&self, store: &Path) -> String {
        match self {
            StatusProblem::Health(problem) => problem.to_string(),
            StatusProblem::NoStore => format!("履歴ファイル {} がありません", store.display()),
            // The store's own words name the file already.
            StatusProblem::UnreadableStore(err) => err.clone(),
            StatusProblem::NoPoller {
                last_seen: None, ..
            } => "取得するプロセスがありません（取得した記録がありません）".to_string(),
            StatusProblem::NoPoller { limit, .. } => format!(
                "取得するプロセスがありません（{} 分以上）",
                limit.num_minutes()
            ),
        }
    }
}

/// The state of one store at one moment, judged.
pub struct StoreStatus {
    pub path: PathBuf,
    pub checked_at: JstDateTime,
    /// Bytes of the file and its write-ahead log; none without a readable store.
    pub size: Option<u64>,
    pub health: Option<FeedHealth>,
    /// The last sign of a poller: its newest fetch, failed or not, or its lease's end.
    pub poller_last_seen: Option<JstDateTime>,
    pub problems: Vec<StatusProblem>,
}

impl StoreStatus {
    /// Reads the store at `path` and judges it at `now`; a missing or unreadable store is
    /// a status too, not an error, so monitoring gets its answer.
    pub fn read(
        path: &Path,
        now: JstDateTime,
        limits: HealthLimits,
        critical_after: chrono::Duration,
    ) -> Self {
        let mut status = Self {
            path: path.to_path_buf(),
            checked_at: now,
            size: None,
            health: None,
            poller_last_seen: None,
            problems: Vec::new(),
        };
        if !path.exists() {
            status.problems.push(StatusProblem::NoStore);
            return status;
        }
        match read_health(path, now, limits) {
            Ok((health, last_seen, size)) => {
                status.problems = judge(&health, last_seen, now, critical_after);
                status.size = Some(size);
                status.poller_last_seen = last_seen;
                status.health = Some(health);
            }
            Err(err) => status
                .problems
                .push(StatusProblem::UnreadableStore(err.to_string())),
        }
        status
    }

    pub fn verdict(&self) -> Verdict {
        self.problems
            .iter()
            .map(StatusProblem::verdict)
            .max()
            .unwrap_or(Verdict::Ok)
    }
}

fn read_health(
    path: &Path,
    now: JstDateTime,
    limits: HealthLimits,
) -> Result<(FeedHealth, Option<JstDateTime>, u64), StoreError> {
    let store = Store::open_read_only(path)?;
    let health = FeedHealth::read(&store, now, limits)?;
    let last_fetch = store.last_fetch()?.map(|fetch| fetch.fetched_at);
    let lease_end = store.lease()?.map(|(_, until)| until.min(now));
    let last_seen = last_fetch.max(lease_end);
    Ok((health, last_seen, store.size_on_disk()))
}

/// The data's problems (warnings), and a critical one when nobody has polled for longer
/// than `critical_after`: no live lease, and no fetch or lease within that time.
pub fn judge(
    health: &FeedHealth,
    poller_last_seen: Option<JstDateTime>,
    now: JstDateTime,
    critical_after: chrono::Duration,
) -> Vec<StatusProblem> {
    let mut problems: Vec<StatusProblem> = health
        .problems
        .iter()
        .cloned()
        .map(StatusProblem::Health)
        .collect();
    let polled_lately = health.lease_until.is_some()
        || poller_last_seen.is_some_and(|seen| now - seen <= critical_after);
    if !polled_lately {
        problems.push(StatusProblem::NoPoller {
            last_seen: poller_last_seen,
            limit: critical_after,
        });
    }
    problems
}

/// `bedboard status`: lines or JSON on stdout, the verdict as the exit code.
pub fn status(args: &StatusArgs) -> Outcome {
    let config = crate::config::load(args.config.path.as_deref())?;
    let path = args
        .store
        .clone()
        .or_else(|| config.store_path.clone())
        .unwrap_or_else(dashboard::default_store_path);
    let limits = HealthLimits {
        stale_after: chrono::Duration::hours(i64::from(config.stale_hours.unwrap_or(24))),
        interval: args
            .interval
            .map_or(config.feed.interval, std::time::Duration::from_secs),
    };
    let critical_after = chrono::Duration::minutes(i64::from(args.critical_after));
    let status = StoreStatus::read(&path, time::now_jst(), limits, critical_after);
    if args.json {
        let json = serde_json::to_string_pretty(&StatusJson::of(&status))
            .map_err(|err| crate::cli::error::CommandError::Failed(err.to_string()))?;
        // JSON escapes every control character itself; it is printed as it is.
        let mut out = std::io::stdout().lock();
        let _ = std::io::Write::write_all(&mut out, format!("{json}\n").as_bytes());
    } else if status.health.is_none() {
        // Without a store there is only the reason, on stderr as every command's.
        for problem in &status.problems {
            crate::cli::error::say(&problem.message(&path));
        }
    } else {
        for line in status_lines(&status) {
            tell(&line);
        }
    }
    Ok(ExitCode::from(status.verdict().exit_code()))
}

/// What `status` prints, one line each.
pub fn status_lines(status: &StoreStatus) -> Vec<String> {
    let size = status.size.map(|s| format!("（{}）", size_text(s)));
    let mut lines = vec![format!(
        "履歴ファイル: {}{}",
        status.path.display(),
        size.unwrap_or_default()
    )];
    if let Some(health) = &status.health {
        lines.extend(health_lines(health));
    }
    let verdict = if status.problems.is_empty() {
        "状態: 正常".to_string()
    } else {
        let problems: Vec<String> = status
            .problems
            .iter()
            .map(|p| p.message(&status.path))
            .collect();
        format!("状態: {}", problems.join("。"))
    };
    lines.push(verdict);
    lines
}

fn health_lines(health: &FeedHealth) -> Vec<String> {
    let now = health.checked_at;
    let report = match &health.report {
        Some(report) => format!(
            "最新の報告日時: {}・{} 件・取得元 {}",
            report
                .newest_reported_at
                .map_or("なし".to_string(), |at| when_text(&at, now)),
            report.rows,
            report.source
        ),
        None => "最新の報告日時: なし（データがありません）".to_string(),
    };
    let success = match &health.last_success {
        Some(at) => format!("最後に成功した取得: {}", when_text(at, now)),
        None => "最後に成功した取得: なし".to_string(),
    };
    let poller = match (&health.poller, health.lease_until) {
        (PollerRole::Other { holder, .. }, Some(until)) => format!(
            "取得中のプロセス: bedboard {}（{} まで）",
            holder.describe(None),
            time::format_datetime(&until)
        ),
        _ => "取得中のプロセス: なし".to_string(),
    };
    let error = match &health.last_error {
        Some((at, message)) => {
            format!("最後のエラー: {}（{}）", message, time::format_datetime(at))
        }
        None => "最後のエラー: なし".to_string(),
    };
    vec![report, success, poller, error]
}

/// 「512 KiB」「3.4 MiB」.
fn size_text(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let bytes_f = bytes as f64;
    if bytes_f >= KIB * KIB {
        format!("{:.1} MiB", bytes_f / (KIB * KIB))
    } else if bytes_f >= KIB {
        format!("{:.0} KiB", bytes_f / KIB)
    } else {
        format!("{bytes} バイト")
    }
}

/// A text from the store (a feed's source, an error, a holder's name) with its controls
/// made '?': JSON would escape C0 but pass C1 and bidi overrides to a terminal.
fn clean(text: &str) -> String {
    crate::text::sanitize(text).into_owned()
}

/// ISO 8601 in JST: `2026-12-01T09:30:00+09:00`.
fn iso(at: &JstDateTime) -> String {
    at.with_timezone(&time::jst())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The JSON of `status --json`: stable English keys, times in ISO 8601 with +09:00,
/// null for what is not known.
#[derive(Serialize)]
struct StatusJson {
    verdict: Verdict,
    exit_code: u8,
    checked_at: String,
    store: StoreJson,
    newest_reported_at: Option<String>,
    report: Option<ReportJson>,
    last_success: Option<String>,
    last_error: Option<ErrorJson>,
    poller: Option<PollerJson>,
    poller_last_seen: Option<String>,
    problems: Vec<ProblemJson>,
}

#[derive(Serialize)]
struct StoreJson {
    path: String,
    exists: bool,
    size_bytes: Option<u64>,
}

#[derive(Serialize)]
struct ReportJson {
    rows: usize,
    source: String,
    fetched_at: String,
}

#[derive(Serialize)]
struct ErrorJson {
    at: String,
    message: String,
}

#[derive(Serialize)]
struct PollerJson {
    holder: String,
    /// `service` for `bedboard poll`, `dashboard` for a dashboard.
    kind: &'static str,
    pid: Option<u32>,
    host: Option<String>,
    until: String,
}

#[derive(Serialize)]
struct ProblemJson {
    kind: &'static str,
    severity: Verdict,
    message: String,
}

impl StatusJson {
    fn of(status: &StoreStatus) -> Self {
        let health = status.health.as_ref();
        let report = health.and_then(|h| h.report.as_ref());
        let poller = health.and_then(|h| match (&h.poller, h.lease_until) {
            (PollerRole::Other { holder, .. }, Some(until)) => Some(PollerJson {
                holder: clean(&holder.name),
                kind: if holder.service {
                    "service"
                } else {
                    "dashboard"
                },
                pid: holder.pid,
                host: holder.host.as_deref().map(clean),
                until: iso(&until),
            }),
            _ => None,
        });
        Self {
            verdict: status.verdict(),
            exit_code: status.verdict().exit_code(),
            checked_at: iso(&status.checked_at),
            store: StoreJson {
                path: clean(&status.path.display().to_string()),
                exists: status.problems.first() != Some(&StatusProblem::NoStore),
                size_bytes: status.size,
            },
            newest_reported_at: report.and_then(|r| r.newest_reported_at.as_ref().map(iso)),
            report: report.map(|r| ReportJson {
                rows: r.rows,
                source: clean(&r.source),
                fetched_at: iso(&r.fetched_at),
            }),
            last_success: health.and_then(|h| h.last_success.as_ref().map(iso)),
            last_error: health.and_then(|h| {
                h.last_error.as_ref().map(|(at, message)| ErrorJson {
                    at: iso(at),
                    message: clean(message),
                })
            }),
            poller,
            poller_last_seen: status.poller_last_seen.as_ref().map(iso),
            problems: status
                .problems
                .iter()
                .map(|p| ProblemJson {
                    kind: p.kind(),
                    severity: p.verdict(),
                    message: clean(&p.message(&status.path)),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn at(text: &str) -> JstDateTime {
        parse_datetime(text).unwrap()
    }

    fn health(lease_until: Option<JstDateTime>, problems: Vec<HealthProblem>) -> FeedHealth {
        FeedHealth {
            checked_at: at("2026/12/01 12:00"),
            report: None,
            last_success: None,
            last_error: None,
            poller: PollerRole::Nobody { last_success: None },
            lease_until,
            problems,
        }
    }

    #[test]
    fn nobody_polling_for_longer_than_the_limit_is_critical() {
        let now = at("2026/12/01 12:00");
        let limit = chrono::Duration::minutes(15);
        let fine = health(None, vec![]);
        assert_eq!(judge(&fine, Some(at("2026/12/01 11:45")), now, limit), []);
        let gone = judge(&fine, Some(at("2026/12/01 11:44")), now, limit);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].verdict(), Verdict::Critical);
        assert_eq!(
            gone[0].message(Path::new("h")),
            "取得するプロセスがありません（15 分以上）"
        );
        // A live lease is a poller, however long ago its last fetch.
        let held = health(Some(at("2026/12/01 12:01")), vec![HealthProblem::NoData]);
        let problems = judge(&held, None, now, limit);
        assert_eq!(problems, [StatusProblem::Health(HealthProblem::NoData)]);
        assert_eq!(problems[0].verdict(), Verdict::Warning);
    }

    #[test]
    fn times_are_iso_8601_in_jst() {
        assert_eq!(iso(&at("2026/12/01 09:05")), "2026-12-01T09:05:00+09:00");
        let utc = at("2026/12/01 09:05").with_timezone(&chrono::Utc);
        assert_eq!(
            iso(&utc.fixed_offset()),
            "2026-12-01T09:05:00+09:00",
            "a time read in another offset is still written in JST"
        );
    }

    #[test]
    fn sizes_are_short() {
        assert_eq!(size_text(900), "900 バイト");
        assert_eq!(size_text(512 * 1024), "512 KiB");
        assert_eq!(size_text(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
    }
}

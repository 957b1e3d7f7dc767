//! The demo's past: a few weeks of reports leading up to [`demo_report`], so a first run
//! has a 30-day chart, a report frequency and a change log to show.
//!
//! Every hospital reports every few hours (a little over twice a day), going back from its
//! report in [`demo_report`]; between reports its 即応病床 and 入院中 wander as the live
//! feed's do. The rows that are wrong on purpose keep their faults and only report again.
//! The board is then seen as a poller would have seen it, every [`FETCH_EVERY`]; the last
//! snapshot is [`demo_report`] at the end itself, so the live feed carries straight on.
//! Seeded: the same end time gives the same history.

use chrono::{Duration, Timelike};

use super::report::demo_report;
use super::rng::{Purpose, Rng};
use crate::model::{JstDateTime, Report};
use crate::store::{FetchRecord, Store, StoreError};
use crate::view::changes::{self, LogEntry};

/// Days of history the demo starts with.
pub const DEMO_HISTORY_DAYS: u32 = 21;

/// How often the history's imagined poller looked at the board.
pub const FETCH_EVERY: Duration = Duration::hours(12);

/// The source the history's fetches are recorded under.
pub const HISTORY_SOURCE: &str = "デモ用フィード（生成した履歴）";

/// The change log the dashboard keeps at most; older entries are dropped.
const LOG_LIMIT: usize = 2000;

/// One report of one hospital: when, and its 即応病床 and 入院中.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Past {
    at: JstDateTime,
    ready: Option<u32>,
    inpatients: Option<u32>,
}

/// The demo's reports over `days` days up to `end`.
#[derive(Clone, Debug)]
pub struct DemoHistory {
    end: JstDateTime,
    days: u32,
    /// [`demo_report`] at `end`: the last snapshot.
    last: Report,
    /// Per row of `last`, its reports newest first (the first is the row of `last`).
    reports: Vec<Vec<Past>>,
}

/// The history of `days` days up to `end`.
pub fn demo_history(end: &JstDateTime, days: u32) -> DemoHistory {
    let last = demo_report(end);
    // A report before the first snapshot, so every hospital is on the board from the start.
    let from = *end - Duration::days(i64::from(days) + 1);
    let reports = last
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let latest = Past {
                at: row.reported_at,
                ready: row.ready,
                inpatients: row.inpatients,
            };
            let consistent = matches!(
                (row.secured, row.ready, row.inpatients),
                (Some(s), Some(r), Some(i)) if s > 0 && i <= r && r <= s
            );
            let secured = row.secured.filter(|_| consistent);
            earlier_reports(index as u64, latest, secured, from)
        })
        .collect();
    DemoHistory {
        end: *end,
        days,
        last,
        reports,
    }
}

/// Going back from `latest` to `from`: a report every 4–14 hours; counts wander only
/// for a consistent row (`secured` given).
fn earlier_reports(index: u64, latest: Past, secured: Option<u32>, from: JstDateTime) -> Vec<Past> {
    let mut rng = Rng::stream(Purpose::History, index);
    let mut out = vec![latest];
    let mut current = latest;
    while current.at > from {
        let gap = Duration::minutes(i64::from(rng.range(4 * 60, 14 * 60)));
        current.at -= gap;
        if let (Some(secured), Some(ready), Some(inpatients)) =
            (secured, current.ready, current.inpatients)
        {
            let (ready, inpatients) = wander(&mut rng, secured, ready, inpatients);
            current.ready = Some(ready);
            current.inpatients = Some(inpatients);
        }
        out.push(current);
    }
    out
}

/// The counts a report before had: now and then the same, a ward full or freed,
/// or a small step; always 入院中 ≤ 即応病床 ≤ 確保病床.
fn wander(rng: &mut Rng, secured: u32, ready: u32, inpatients: u32) -> (u32, u32) {
    let step = |rng: &mut Rng, value: u32, most: u32, span: u32| -> u32 {
        let delta = rng.range(0, 2 * span) as i64 - i64::from(span);
        (i64::from(value) + delta).clamp(0, i64::from(most)) as u32
    };
    match rng.below(100) {
        0..=29 => (ready, inpatients),
        30..=39 => (ready, ready),
        40..=49 => (ready, inpatients.saturating_sub(rng.range(1, 3))),
        _ => {
            let ready = step(rng, ready, secured, 2);
            (ready, step(rng, inpatients, ready, 3))
        }
    }
}

impl DemoHistory {
    /// When the imagined poller looked, oldest first; the last is the end.
    pub fn fetch_times(&self) -> Vec<JstDateTime> {
        let count = i64::from(self.days) * 24 * 60 / FETCH_EVERY.num_minutes();
        (0..=count)
            .rev()
            .map(|k| self.end - FETCH_EVERY * k as i32)
            .collect()
    }

    /// The board at `at`: each hospital's latest report by then.
    pub fn report_at(&self, at: &JstDateTime) -> Report {
        let mut report = self.last.clone();
        for (row, reports) in report.rows.iter_mut().zip(&self.reports) {
            let newest = reports.iter().position(|p| p.at <= *at);
            let Some(k) = newest.or(reports.len().checked_sub(1)) else {
                continue;
            };
            let past = reports[k];
            row.reported_at = past.at;
            // 実績日 is the report's day, as G-MIS fills it in by default; the
            // latest report keeps the one demo_report gave it.
            if k > 0 {
                row.record_date = past.at.date_naive();
            }
            row.ready = past.ready;
            row.inpatients = past.inpatients;
        }
        report
    }

    /// Every snapshot, oldest first, with the time it was fetched.
    pub fn snapshots(&self) -> impl Iterator<Item = (JstDateTime, Report)> + '_ {
        self.fetch_times()
            .into_iter()
            .map(|at| (at, self.report_at(&at)))
    }
}

/// Writes the history into `store` as the poller would have recorded it, one fetch per
/// snapshot, and returns the change log those snapshots make, newest first (at most as
/// long as the dashboard keeps).
pub fn write_demo_history(
    store: &mut Store,
    history: &DemoHistory,
) -> Result<Vec<LogEntry>, StoreError> {
    let mut log: Vec<LogEntry> = Vec::new();
    let mut previous: Option<Report> = None;
    for (n, (at, report)) in history.snapshots().enumerate() {
        let fetch = FetchRecord {
            source: HISTORY_SOURCE.to_string(),
            fetched_at: at,
            content_hash: format!("demo-history-{n}"),
            rows_accepted: report.rows.len(),
            rows_rejected: 0,
            rows_out_of_scope: 0,
            error: None,
        };
        store.record_fetch(&fetch, Some(&report))?;
        if let Some(previous) = &previous {
            log.extend(changes::diff(previous, &report, at).1);
        }
        previous = Some(report);
    }
    log.reverse();
    log.truncate(LOG_LIMIT);
    Ok(log)
}

/// The end of a history for a feed started at `started`: whole minutes, as
/// [`demo_report`] keeps its times.
pub fn history_end(started: &JstDateTime) -> JstDateTime {
    started
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(*started)
}

#[cfg(test)]
mod tests {
    use super::super::assets::asset_base_time;
    use super::*;

    fn history() -> DemoHistory {
        demo_history(&asset_base_time(), DEMO_HISTORY_DAYS)
    }

    #[test]
    fn the_last_snapshot_is_the_demo_report_and_the_first_is_weeks_before() {
        let history = history();
        let times = history.fetch_times();
        assert_eq!(times.last(), Some(&asset_base_time()));
        assert_eq!(
            asset_base_time() - times[0],
            Duration::days(i64::from(DEMO_HISTORY_DAYS))
        );
        let (at, last) = history.snapshots().last().unwrap();
        assert_eq!(at, asset_base_time());
        assert_eq!(last, demo_report(&asset_base_time()));
        assert_eq!(
            history.report_at(&times[0]).rows.len(),
            last.rows.len(),
            "every hospital is on the board from the first snapshot"
        );
    }

    #[test]
    fn hospitals_report_about_twice_a_day_and_stay_consistent() {
        let history = history();
        let last = demo_report(&asset_base_time());
        for (row, reports) in last.rows.iter().zip(&history.reports) {
            assert!(
                reports.len() >= 2 * DEMO_HISTORY_DAYS as usize,
                "{}",
                reports.len()
            );
            assert!(reports.windows(2).all(|w| w[0].at > w[1].at));
            let consistent = matches!(
                (row.secured, row.ready, row.inpatients),
                (Some(s), Some(r), Some(i)) if s > 0 && i <= r && r <= s
            );
            for past in reports {
                if consistent {
                    let (r, i) = (past.ready.unwrap(), past.inpatients.unwrap());
                    assert!(i <= r && r <= row.secured.unwrap(), "{row:?} {past:?}");
                } else {
                    // Wrong on purpose stays wrong, in the same way.
                    assert_eq!((past.ready, past.inpatients), (row.ready, row.inpatients));
                }
            }
        }
        let changing = history
            .reports
            .iter()
            .filter(|r| r.iter().any(|p| p.inpatients != r[0].inpatients))
            .count();
        assert!(
            changing > last.rows.len() / 2,
            "{changing} hospitals change"
        );
    }

    #[test]
    fn the_history_is_seeded() {
        let (a, b) = (history(), history());
        assert_eq!(a.reports, b.reports);
        let later = demo_history(&(asset_base_time() + Duration::hours(5)), 3);
        assert_eq!(later.fetch_times().len(), 3 * 2 + 1);
    }

    #[test]
    fn written_history_gives_a_hospital_weeks_of_versions_and_a_change_log() {
        let mut store = Store::open_in_memory().unwrap();
        let history = demo_history(&asset_base_time(), 7);
        let log = write_demo_history(&mut store, &history).unwrap();
        let snapshot = store.latest_snapshot().unwrap().unwrap();
        assert_eq!(snapshot.report, demo_report(&asset_base_time()));
        assert_eq!(snapshot.fetched_at, asset_base_time());
        let code = snapshot.report.rows[0].hospital_code;
        let since = asset_base_time() - Duration::days(30);
        let versions = store.hospital_history(&code, since).unwrap();
        assert!(versions.len() >= 10, "{} versions", versions.len());
        assert!(asset_base_time() - versions[0].0 >= Duration::days(6));
        assert!(!log.is_empty());
        assert!(log.len() <= LOG_LIMIT);
        assert!(log.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
        assert_eq!(log[0].at, asset_base_time());
    }
}

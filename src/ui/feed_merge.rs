//! Taking what the poller says: new data, its changes and watch alerts, the
//! feed's state, and masters.

use std::sync::Arc;

use super::app::{App, CHANGE_LOG_LIMIT};
use super::effect::Effect;
use super::view_model::SharedStats;
use crate::master::{cross_check, CrossCheck, HospitalMaster, MunicipalityMaster};
use crate::model::figures::RowFigures;
use crate::model::{time, JstDateTime, Report};
use crate::poll::poller::{FeedEvent, FeedSnapshot};
use crate::view::changes;

impl App {
    /// Takes what the poller says. New data is compared with the newest data
    /// before it: changed cells are marked until the next change, and watched
    /// hospitals whose 空床 fell to 0 or came back raise an alert (and the bell).
    pub fn on_feed(&mut self, event: FeedEvent) -> Vec<Effect> {
        self.dirty = true;
        if matches!(
            event,
            FeedEvent::Snapshot(_) | FeedEvent::Unchanged { .. } | FeedEvent::Failed { .. }
        ) {
            self.feed.fetching = false;
        }
        // The load's outcome ends its progress frame.
        if matches!(
            event,
            FeedEvent::Snapshot(_)
                | FeedEvent::Unchanged { .. }
                | FeedEvent::Failed { .. }
                | FeedEvent::Masters(_)
        ) {
            self.loading = None;
        }
        match event {
            FeedEvent::Loading(progress) => self.loading = Some(progress),
            FeedEvent::Snapshot(snapshot) => return self.on_snapshot(*snapshot),
            FeedEvent::Unchanged { at } => self.feed.poll_succeeded(at),
            FeedEvent::Failed { at, message } => self.feed.poll_failed(at, message),
            FeedEvent::NextPoll { at } => self.feed.next_poll = Some(at),
            FeedEvent::Poller(role) => {
                // Another process polls on its own schedule: this one's has no meaning now.
                if !role.is_this_process() {
                    self.feed.next_poll = None;
                }
                self.feed.poller = Some(role);
            }
            FeedEvent::Notice(text) => self.notify_in_turn(text),
            FeedEvent::Masters(update) => {
                let update = *update;
                if let Some(first) = update.problems.first() {
                    self.notify_in_turn(match update.problems.len() {
                        1 => first.clone(),
                        n => format!("{first}（ほか {} 件）", n - 1),
                    });
                }
                // A master not in this update stays as it was.
                let hospitals = update
                    .hospitals
                    .or_else(|| self.hospitals.as_deref().cloned());
                let municipalities = update
                    .municipalities
                    .or_else(|| self.municipalities.as_deref().cloned());
                if hospitals.is_some() || municipalities.is_some() {
                    let at = update.read_at.unwrap_or_else(time::now_jst);
                    self.set_masters(hospitals, municipalities, at);
                }
            }
        }
        Vec::new()
    }

    fn on_snapshot(&mut self, snapshot: FeedSnapshot) -> Vec<Effect> {
        let mut effects = Vec::new();
        let first = self.incoming.rows.is_empty();
        if !first {
            let (changes, log) =
                changes::diff(&self.incoming, &snapshot.report, snapshot.fetched_at);
            if !changes.is_empty() {
                self.changes = changes;
                for entry in log {
                    self.change_log.push_front(entry);
                }
                self.change_log.truncate(CHANGE_LOG_LIMIT);
            }
            let alerts = changes::watch_alerts(&self.incoming, &snapshot.report, &self.watch);
            if !alerts.is_empty() {
                effects.push(Effect::Bell);
            }
            self.alerts.extend(alerts);
        }
        if !snapshot.from_store {
            self.feed.poll_succeeded(snapshot.fetched_at);
            self.feed.not_stored = snapshot.stored == Some(false);
        }
        self.feed.last_fetch = Some(snapshot.fetched_at);
        self.feed.out_of_scope = snapshot.out_of_scope;
        self.source_label = snapshot.source_label;
        if let Some(first) = snapshot.problems.first() {
            self.notify_in_turn(match snapshot.problems.len() {
                1 => first.clone(),
                n => format!("{first}（ほか {} 件）", n - 1),
            });
        }
        self.set_measured_report(snapshot.report, snapshot.figures, snapshot.fetched_at);
        effects
    }

    /// Replaces the data (a reload), keeping the view settings. The screen
    /// keeps showing the view before until the new one is prepared.
    pub fn set_report(&mut self, report: impl Into<Arc<Report>>, now: JstDateTime) {
        self.set_measured_report(report.into(), None, now);
    }

    /// [`App::set_report`] with the figures of its rows measured as it was read.
    fn set_measured_report(
        &mut self,
        report: Arc<Report>,
        figures: Option<RowFigures>,
        now: JstDateTime,
    ) {
        Report::release(std::mem::replace(&mut self.incoming, report));
        self.check_against_masters();
        self.stats = SharedStats::measured(figures);
        self.loaded_at = now;
        self.refresh_view();
    }

    /// Puts masters in force (either may be absent) and checks the report against them.
    pub fn set_masters(
        &mut self,
        hospitals: Option<HospitalMaster>,
        municipalities: Option<MunicipalityMaster>,
        read_at: JstDateTime,
    ) {
        self.hospitals = hospitals.map(Arc::new);
        self.municipalities = municipalities.map(Arc::new);
        self.masters_read_at = Some(read_at);
        self.check_against_masters();
        self.refresh_view();
    }

    fn check_against_masters(&mut self) {
        if self.hospitals.is_none() && self.municipalities.is_none() {
            self.cross = CrossCheck::default();
            return;
        }
        self.cross = cross_check(
            &self.incoming,
            self.hospitals.as_deref(),
            self.municipalities.as_deref(),
        );
    }
}

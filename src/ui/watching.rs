//! Acknowledging watch alerts: each one is recorded in the store with who and when,
//! and shown in 変更履歴.

use super::app::{App, CHANGE_LOG_LIMIT};
use super::effect::Effect;
use crate::model::Acknowledgement;
use crate::view::changes::LogEntry;

impl App {
    /// Clears the alerts; each goes to 変更履歴 and, with a store, is recorded there.
    pub(super) fn acknowledge(&mut self) -> Vec<Effect> {
        let at = *self.now();
        let acknowledged: Vec<Acknowledgement> = self
            .alerts
            .drain(..)
            .map(|alert| Acknowledgement {
                at,
                by: self.operator.clone(),
                code: alert.code,
                name: alert.name,
                became_full: alert.full,
                free_beds: alert.free,
            })
            .collect();
        if acknowledged.is_empty() {
            return Vec::new();
        }
        self.show_acknowledgements(&acknowledged);
        match self.store_path {
            Some(_) => vec![Effect::RecordAcknowledgements(acknowledged)],
            None => Vec::new(),
        }
    }

    /// Puts acknowledgements (oldest first) at the top of 変更履歴: those just made,
    /// or at start those the store kept.
    pub fn show_acknowledgements(&mut self, acknowledgements: &[Acknowledgement]) {
        for ack in acknowledgements {
            self.change_log.push_front(log_entry(ack));
        }
        self.change_log.truncate(CHANGE_LOG_LIMIT);
    }
}

/// 「確認: 千代田病院 空床 0 — 確認者 ops@console1」
fn log_entry(ack: &Acknowledgement) -> LogEntry {
    let free = ack
        .free_beds
        .map_or_else(|| "不明".to_string(), |n| n.to_string());
    LogEntry {
        at: ack.at,
        code: ack.code,
        name: ack.name.clone(),
        text: format!("確認: {} 空床 {free} — 確認者 {}", ack.name, ack.by),
        acknowledged: true,
    }
}

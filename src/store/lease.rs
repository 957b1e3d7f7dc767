//! One poller per host: the dashboards sharing a file elect the poller through a lease row.
//! The holder renews it while it runs, backing off or not; if the poller dies, another takes
//! it once it expires. The poller's last success is the newest fetch without an error: a
//! poll that found nothing new is recorded too, but only the newest such row is kept.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::times::{time_at, to_text, to_text_clamped};
use super::{FetchRecord, Store, StoreError};
use crate::model::JstDateTime;

impl Store {
    /// Takes the lease if it is free, expired or already ours, and then holds it until
    /// `now + ttl`. Returns whether we hold it.
    pub fn try_acquire_lease(
        &mut self,
        holder: &str,
        now: JstDateTime,
        ttl: chrono::Duration,
    ) -> Result<bool, StoreError> {
        let expires = now
            .checked_add_signed(ttl)
            .ok_or_else(|| StoreError::TimeOutOfRange(format!("{now} + {ttl}")))?;
        // Reading and taking under one write lock: two dashboards cannot both win.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(String, String)> = tx
            .query_row(
                "SELECT holder, expires_at FROM lease WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let free = match &current {
            None => true,
            Some((owner, expires_at)) => owner == holder || *expires_at <= to_text_clamped(&now),
        };
        if free {
            tx.execute(
                "INSERT OR REPLACE INTO lease (id, holder, expires_at) VALUES (1, ?1, ?2)",
                params![holder, to_text(&expires)?],
            )?;
        }
        tx.commit()?;
        Ok(free)
    }

    /// Takes the lease from `from` even if it is live, holding it until `now + ttl`, as
    /// long as `from` still holds it (checked and taken in one statement). Returns whether
    /// we hold it now; `from`'s next renewal is then refused.
    pub fn take_lease_from(
        &mut self,
        holder: &str,
        from: &str,
        now: JstDateTime,
        ttl: chrono::Duration,
    ) -> Result<bool, StoreError> {
        let expires = now
            .checked_add_signed(ttl)
            .ok_or_else(|| StoreError::TimeOutOfRange(format!("{now} + {ttl}")))?;
        let taken = self.conn.execute(
            "UPDATE lease SET holder = ?1, expires_at = ?2 WHERE id = 1 AND holder = ?3",
            params![holder, to_text(&expires)?, from],
        )?;
        Ok(taken == 1)
    }

    /// Gives the lease up at once (on a clean exit), if we hold it.
    pub fn release_lease(&mut self, holder: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM lease WHERE id = 1 AND holder = ?1", [holder])?;
        Ok(())
    }

    /// Who holds the lease and until when (it may have expired: compare with the clock).
    pub fn lease(&self) -> Result<Option<(String, JstDateTime)>, StoreError> {
        let lease = self
            .conn
            .query_row(
                "SELECT holder, expires_at FROM lease WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, time_at(r, 1)?)),
            )
            .optional()?;
        Ok(lease)
    }
}

impl Store {
    /// When the newest fetch without an error was made: new data, or the same as before.
    pub fn last_success(&self) -> Result<Option<JstDateTime>, StoreError> {
        let at = self
            .conn
            .query_row(
                "SELECT fetched_at FROM fetch WHERE error IS NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| time_at(r, 0),
            )
            .optional()?;
        Ok(at)
    }

    /// Records a poll that found nothing new, as the poller's last success. The rows of
    /// earlier such polls since the last report go: they say nothing the newest does not.
    pub fn record_unchanged(&mut self, fetch: &FetchRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM fetch WHERE error IS NULL
               AND id > coalesce((SELECT max(fetch_id) FROM snapshot), 0)",
            [],
        )?;
        self.record_fetch(fetch, None)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(minute: i64) -> JstDateTime {
        crate::model::time::parse_datetime("2026/11/01 09:00").unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn taken_renewed_refused_expired_released() {
        let mut store = Store::open_in_memory().unwrap();
        let ttl = Duration::minutes(2);
        assert!(store.try_acquire_lease("a", at(0), ttl).unwrap());
        assert!(store.try_acquire_lease("a", at(1), ttl).unwrap(), "renewed");
        assert_eq!(store.lease().unwrap(), Some(("a".to_string(), at(3))));
        assert!(!store.try_acquire_lease("b", at(2), ttl).unwrap());
        assert!(store.try_acquire_lease("b", at(3), ttl).unwrap(), "expired");
        store.release_lease("a").unwrap();
        assert_eq!(store.lease().unwrap().unwrap().0, "b", "not a's to release");
        store.release_lease("b").unwrap();
        assert_eq!(store.lease().unwrap(), None);
    }

    #[test]
    fn a_live_lease_is_taken_only_from_the_holder_named() {
        let mut store = Store::open_in_memory().unwrap();
        let ttl = Duration::minutes(2);
        assert!(store.try_acquire_lease("a", at(0), ttl).unwrap());
        assert!(
            !store.take_lease_from("s", "b", at(1), ttl).unwrap(),
            "b holds nothing"
        );
        assert_eq!(store.lease().unwrap(), Some(("a".to_string(), at(2))));
        assert!(store.take_lease_from("s", "a", at(1), ttl).unwrap());
        assert_eq!(store.lease().unwrap(), Some(("s".to_string(), at(3))));
        assert!(
            !store.try_acquire_lease("a", at(1), ttl).unwrap(),
            "a's renewal is refused"
        );
        store.release_lease("s").unwrap();
        assert!(
            !store.take_lease_from("s", "a", at(1), ttl).unwrap(),
            "no lease at all"
        );
    }

    fn fetch(minute: i64, error: Option<&str>) -> FetchRecord {
        FetchRecord {
            error: error.map(str::to_string),
            ..FetchRecord::failed("r.csv", at(minute), "")
        }
    }

    #[test]
    fn the_last_success_is_the_newest_fetch_without_an_error_and_unchanged_polls_keep_one_row() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.last_success().unwrap(), None);
        let report = crate::model::Report::default();
        store.record_fetch(&fetch(0, None), Some(&report)).unwrap();
        store.record_unchanged(&fetch(1, None)).unwrap();
        store
            .record_fetch(&fetch(2, Some("接続できません")), None)
            .unwrap();
        assert_eq!(store.last_success().unwrap(), Some(at(1)));
        store.record_unchanged(&fetch(3, None)).unwrap();
        assert_eq!(store.last_success().unwrap(), Some(at(3)));
        // The report, the failure and the newest unchanged poll.
        assert_eq!(store.stats().unwrap().fetches, 3);
        assert_eq!(store.latest_snapshot().unwrap().unwrap().fetched_at, at(0));
    }
}

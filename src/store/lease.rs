//! One poller per host: the dashboards sharing a file elect the poller through a lease row.
//! The holder renews it every poll; if the poller dies, another takes it once it expires.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::times::{time_at, to_text, to_text_clamped};
use super::{Store, StoreError};
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
}

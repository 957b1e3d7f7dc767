//! The watch list, kept as soon as it changes, and each acknowledged watch alert with
//! who acknowledged it and when.

use std::collections::BTreeSet;

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::times::{time_at, to_text, to_text_clamped};
use super::{Store, StoreError};
use crate::model::{Acknowledgement, HospitalCode, JstDateTime};

/// Adds a hospital to the list; one already on it keeps the time it was added.
const ADD_WATCHED: &str = "INSERT OR IGNORE INTO watch (hospital_code, added_at) VALUES (?1, ?2)";

impl Store {
    /// The watch list saved here; none when no list was ever saved in this file.
    pub fn watch_list(&self) -> Result<Option<BTreeSet<HospitalCode>>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let saved: Option<i64> = tx
            .query_row("SELECT 1 FROM watch_list WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()?;
        if saved.is_none() {
            return Ok(None);
        }
        let mut stmt = tx.prepare_cached("SELECT hospital_code FROM watch")?;
        let codes = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .map(|code| {
                HospitalCode::parse(&code?).map_err(|err| StoreError::bad_data(err.to_string()))
            })
            .collect::<Result<_, _>>()?;
        drop(stmt);
        tx.finish()?;
        Ok(Some(codes))
    }

    /// Makes `codes` the saved watch list: hospitals no longer listed go, new ones are
    /// added with the time `at`, the others keep the time they were added.
    pub fn save_watch_list(
        &mut self,
        codes: &BTreeSet<HospitalCode>,
        at: JstDateTime,
    ) -> Result<(), StoreError> {
        let at = to_text(&at)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kept: Vec<String> = codes.iter().map(|c| c.as_str().to_string()).collect();
        tx.execute(
            "DELETE FROM watch WHERE hospital_code NOT IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&kept)?],
        )?;
        for code in &kept {
            tx.prepare_cached(ADD_WATCHED)?.execute(params![code, at])?;
        }
        mark_saved(&tx, &at)?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a hospital to the saved list or takes it off: one change, so that dashboards
    /// sharing the file add to each other's list rather than overwrite it.
    pub fn set_watched(
        &mut self,
        code: HospitalCode,
        watched: bool,
        at: JstDateTime,
    ) -> Result<(), StoreError> {
        let at = to_text(&at)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if watched {
            tx.execute(ADD_WATCHED, params![code.as_str(), at])?;
        } else {
            tx.execute(
                "DELETE FROM watch WHERE hospital_code = ?1",
                [code.as_str()],
            )?;
        }
        mark_saved(&tx, &at)?;
        tx.commit()?;
        Ok(())
    }

    /// Records acknowledged alerts, in one transaction.
    pub fn record_acknowledgements(
        &mut self,
        acknowledgements: &[Acknowledgement],
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for ack in acknowledgements {
            tx.prepare_cached(
                "INSERT INTO acknowledgement (acknowledged_at, acknowledged_by, hospital_code,
                                              hospital_name, became_full, free_beds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                to_text(&ack.at)?,
                ack.by,
                ack.code.as_str(),
                ack.name,
                ack.became_full,
                ack.free_beds,
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Acknowledgements made at `since` or later, oldest first.
    pub fn acknowledgements_since(
        &self,
        since: JstDateTime,
    ) -> Result<Vec<Acknowledgement>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT acknowledged_at, acknowledged_by, hospital_code, hospital_name,
                    became_full, free_beds
             FROM acknowledgement WHERE acknowledged_at >= ?1
             ORDER BY acknowledged_at, id",
        )?;
        let rows = stmt.query_map([to_text_clamped(&since)], |row| {
            Ok((
                time_at(row, 0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, bool>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (at, by, code, name, became_full, free_beds) = row?;
            Ok(Acknowledgement {
                at,
                by,
                code: HospitalCode::parse(&code)
                    .map_err(|err| StoreError::bad_data(err.to_string()))?,
                name,
                became_full,
                free_beds,
            })
        })
        .collect()
    }
}

/// The list is saved in this file from now on: the config no longer seeds it.
fn mark_saved(tx: &Transaction, at: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO watch_list (id, saved_at) VALUES (1, ?1)",
        [at],
    )?;
    Ok(())
}

/// Acknowledgements older than the cutoff.
pub(super) fn prune_acknowledgements(tx: &Transaction, cutoff: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM acknowledgement WHERE acknowledged_at < ?1",
        [cutoff],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn codes(list: &[&str]) -> BTreeSet<HospitalCode> {
        list.iter()
            .map(|c| HospitalCode::parse(c).unwrap())
            .collect()
    }

    #[test]
    fn the_watch_list_is_none_until_saved_and_then_as_saved() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.watch_list().unwrap(), None);
        let t0 = parse_datetime("2026/12/01 09:00").unwrap();
        let two = codes(&["1310170043", "0110100012"]);
        store.save_watch_list(&two, t0).unwrap();
        assert_eq!(store.watch_list().unwrap(), Some(two));
        let one = codes(&["0110100012"]);
        store
            .save_watch_list(&one, t0 + chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(store.watch_list().unwrap(), Some(one));
        let added: String = store
            .conn
            .query_row("SELECT added_at FROM watch", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            added, "2026-12-01T09:00:00+09:00",
            "kept from the first save"
        );
        store.save_watch_list(&BTreeSet::new(), t0).unwrap();
        assert_eq!(store.watch_list().unwrap(), Some(BTreeSet::new()));
    }

    #[test]
    fn one_change_keeps_the_rest_of_the_list() {
        let mut store = Store::open_in_memory().unwrap();
        let t0 = parse_datetime("2026/12/01 09:00").unwrap();
        let [a, b]: [HospitalCode; 2] =
            ["1310170043", "0110100012"].map(|c| HospitalCode::parse(c).unwrap());
        store.set_watched(a, false, t0).unwrap();
        assert_eq!(
            store.watch_list().unwrap(),
            Some(BTreeSet::new()),
            "saved, empty"
        );
        store.set_watched(a, true, t0).unwrap();
        store.set_watched(b, true, t0).unwrap();
        store.set_watched(a, true, t0).unwrap();
        assert_eq!(store.watch_list().unwrap(), Some([a, b].into()));
        store.set_watched(a, false, t0).unwrap();
        assert_eq!(store.watch_list().unwrap(), Some([b].into()));
    }

    #[test]
    fn acknowledgements_read_back_from_a_time_and_are_pruned_with_history() {
        let mut store = Store::open_in_memory().unwrap();
        let t0 = parse_datetime("2026/12/01 02:41").unwrap();
        let ack = |minutes: i64, free_beds: Option<i64>| Acknowledgement {
            at: t0 + chrono::Duration::minutes(minutes),
            by: "ops@console1".to_string(),
            code: HospitalCode::parse("1310170043").unwrap(),
            name: "千代田病院".to_string(),
            became_full: free_beds == Some(0),
            free_beds,
        };
        store
            .record_acknowledgements(&[ack(0, Some(0)), ack(10, Some(3))])
            .unwrap();
        store.record_acknowledgements(&[ack(20, None)]).unwrap();
        let since_five = store
            .acknowledgements_since(t0 + chrono::Duration::minutes(5))
            .unwrap();
        assert_eq!(since_five, vec![ack(10, Some(3)), ack(20, None)]);
        let later = t0 + chrono::Duration::days(400) + chrono::Duration::minutes(15);
        assert_eq!(store.prune(later, chrono::Duration::days(400)).unwrap(), 2);
        assert_eq!(
            store.acknowledgements_since(t0).unwrap(),
            vec![ack(20, None)]
        );
    }
}

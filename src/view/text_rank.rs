//! Each text column's distinct values ranked once per report, so sorting
//! by a text column sorts integers: a million 医療機関名 are compared as
//! strings once, then every later sort on them is a sort of numbers.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::model::{Column, ReportRow};

/// Per row, the place of its text among the column's values in byte order;
/// equal texts have equal ranks.
pub type Ranks = Arc<[u32]>;

/// The ranks of the text columns sorted on so far, for one report. A column
/// is ranked once: a second caller asking while it is being ranked waits for
/// that work instead of doing it again.
#[derive(Default)]
pub struct TextRanks {
    made: Mutex<Vec<(Column, Arc<OnceLock<Ranks>>)>>,
}

impl TextRanks {
    /// The ranks of a text column's values (made on the first call for that
    /// column); none for a column that does not sort as text.
    pub fn of(&self, rows: &[ReportRow], column: Column) -> Option<Ranks> {
        if !sorts_as_text(column) || rows.len() > u32::MAX as usize {
            return None;
        }
        let cell = self.cell(column);
        Some(cell.get_or_init(|| rank(rows, column).into()).clone())
    }

    /// Whether the column's ranks are made already.
    pub fn is_made(&self, column: Column) -> bool {
        self.made_for(column)
            .is_some_and(|cell| cell.get().is_some())
    }

    fn made_for(&self, column: Column) -> Option<Arc<OnceLock<Ranks>>> {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        made.iter()
            .find(|(c, _)| *c == column)
            .map(|(_, r)| r.clone())
    }

    fn cell(&self, column: Column) -> Arc<OnceLock<Ranks>> {
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, cell)) = made.iter().find(|(c, _)| *c == column) {
            return cell.clone();
        }
        let cell = Arc::new(OnceLock::new());
        made.push((column, cell.clone()));
        cell
    }
}

impl Clone for TextRanks {
    fn clone(&self) -> Self {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        Self {
            made: Mutex::new(made.clone()),
        }
    }
}

impl fmt::Debug for TextRanks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        let columns: Vec<Column> = made
            .iter()
            .filter(|(_, cell)| cell.get().is_some())
            .map(|(c, _)| *c)
            .collect();
        f.debug_struct("TextRanks")
            .field("columns", &columns)
            .finish()
    }
}

/// Whether [`super::sort`] compares the column's values as text.
pub fn sorts_as_text(column: Column) -> bool {
    matches!(
        column,
        Column::Prefecture
            | Column::MunicipalityCode
            | Column::Municipality
            | Column::AreaCode
            | Column::AreaName
            | Column::HospitalCode
            | Column::HospitalName
            | Column::Extra(_)
    )
}

/// The first eight bytes as a number: most comparisons of two texts are
/// decided by it.
fn prefix(s: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = s.len().min(8);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

/// Ranks the column's texts: each half of the rows sorted in place on a core of
/// its own (by their first bytes, then the whole text), then the two halves
/// walked together, so nothing but the keys and the ranks is ever allocated.
fn rank(rows: &[ReportRow], column: Column) -> Vec<u32> {
    let text = |i: u32| super::own_text(&rows[i as usize], column).unwrap_or("");
    let compare =
        |a: &(u64, u32), b: &(u64, u32)| a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1)));
    let mut keyed: Vec<(u64, u32)> = (0..rows.len() as u32)
        .map(|i| (prefix(text(i)), i))
        .collect();
    let (first, second) = keyed.split_at_mut(rows.len() / 2);
    if rows.len() >= super::parallel::MIN_PART {
        std::thread::scope(|scope| {
            scope.spawn(|| first.sort_unstable_by(compare));
            second.sort_unstable_by(compare);
        });
    } else {
        first.sort_unstable_by(compare);
        second.sort_unstable_by(compare);
    }
    let mut ranks = vec![0u32; rows.len()];
    let (mut a, mut b) = (first.iter().peekable(), second.iter().peekable());
    let mut place = 0u32;
    let mut last: Option<&str> = None;
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if compare(x, y).is_le() => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        let Some(&(_, i)) = next else { break };
        let this = text(i);
        if last.is_some_and(|l| l != this) {
            place += 1;
        }
        last = Some(this);
        ranks[i as usize] = place;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;

    fn rows(names: &[&str]) -> Vec<ReportRow> {
        names
            .iter()
            .map(|name| {
                let mut row = seed_row();
                row.hospital_name = (*name).into();
                row
            })
            .collect()
    }

    #[test]
    fn ranks_follow_the_texts_byte_order_and_equal_texts_share_one() {
        let names = [
            "第2病院",
            "abcdefghij",
            "第10病院",
            "abcdefghi",
            "第2病院",
            "",
        ];
        let rows = rows(&names);
        let ranks = TextRanks::default()
            .of(&rows, Column::HospitalName)
            .unwrap();
        for (a, ra) in names.iter().zip(ranks.iter()) {
            for (b, rb) in names.iter().zip(ranks.iter()) {
                assert_eq!(ra.cmp(rb), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn ranks_made_on_two_cores_are_the_places_among_the_distinct_texts() {
        let mut rng = fastrand::Rng::with_seed(2);
        let stems = ["第", "第一病院", "abcdefgh", "abcdefghi", "東京都立", ""];
        let names: Vec<String> = (0..super::super::parallel::MIN_PART * 2 + 17)
            .map(|_| format!("{}{}", stems[rng.usize(..stems.len())], rng.u16(..300)))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let rows = rows(&refs);
        let ranks = TextRanks::default()
            .of(&rows, Column::HospitalName)
            .unwrap();
        let mut distinct = refs.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for (name, rank) in refs.iter().zip(ranks.iter()) {
            assert_eq!(distinct.binary_search(name), Ok(*rank as usize), "{name}");
        }
    }

    #[test]
    fn a_columns_ranks_are_made_once_and_numbers_have_none() {
        let rows = rows(&["b", "a"]);
        let cache = TextRanks::default();
        let first = cache.of(&rows, Column::HospitalName).unwrap();
        let again = cache.of(&rows, Column::HospitalName).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(cache.of(&rows, Column::Ready).is_none());
        assert!(sorts_as_text(Column::Extra(3)));
        assert!(!sorts_as_text(Column::Age));
    }
}

//! Each text column's distinct values ranked once per report, so sorting
//! by a text column sorts integers: a million 医療機関名 are compared as
//! strings once, then every later sort on them is a sort of numbers.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::model::{Column, ReportRow};

/// Per row, the place of its text among the column's values in byte order;
/// equal texts have equal ranks.
pub type Ranks = Arc<[u32]>;

/// The ranks of the text columns sorted on so far, for one report.
#[derive(Default)]
pub struct TextRanks {
    made: Mutex<Vec<(Column, Ranks)>>,
}

impl TextRanks {
    /// The ranks of a text column's values (made on the first call for that
    /// column); none for a column that does not sort as text.
    pub fn of(&self, rows: &[ReportRow], column: Column) -> Option<Ranks> {
        if !sorts_as_text(column) || rows.len() > u32::MAX as usize {
            return None;
        }
        if let Some(ranks) = self.made_for(column) {
            return Some(ranks);
        }
        let ranks: Ranks = rank(rows, column).into();
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        made.push((column, ranks.clone()));
        Some(ranks)
    }

    /// Whether the column's ranks are made already.
    pub fn is_made(&self, column: Column) -> bool {
        self.made_for(column).is_some()
    }

    fn made_for(&self, column: Column) -> Option<Ranks> {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        made.iter()
            .find(|(c, _)| *c == column)
            .map(|(_, r)| r.clone())
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
        let columns: Vec<Column> = made.iter().map(|(c, _)| *c).collect();
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

fn rank(rows: &[ReportRow], column: Column) -> Vec<u32> {
    let parts = super::parallel::in_parts(rows, |start, part| {
        (start..start + part.len())
            .map(|i| {
                let text = super::own_text(&rows[i], column).unwrap_or("");
                (prefix(text), text, i as u32)
            })
            .collect::<Vec<_>>()
    });
    let mut keyed = parts.concat();
    super::parallel::sort_by(&mut keyed, |a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut ranks = vec![0u32; rows.len()];
    let mut place = 0u32;
    for (n, (_, text, i)) in keyed.iter().enumerate() {
        if n > 0 && *text != keyed[n - 1].1 {
            place += 1;
        }
        ranks[*i as usize] = place;
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

//! One row per hospital: a report that holds several days for one 医療機関コード
//! (G-MIS exports a date range) counts each hospital once, by its latest row.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::hashing::ShortKeys;
use super::{HospitalCode, ReportRow};

/// Whether `a` is a later report than `b`: by 報告日時, then by 実績日.
fn is_later(a: &ReportRow, b: &ReportRow) -> bool {
    (a.reported_at, a.record_date) > (b.reported_at, b.record_date)
}

/// The positions of each hospital's latest row (by 報告日時, then 実績日; on a
/// tie the later row in the file), in file order. Every position when no
/// hospital has two rows.
pub fn latest_rows(rows: &[ReportRow]) -> Vec<usize> {
    let mut keys = CodeKeys::with_capacity(rows.len(), 0);
    for (position, row) in rows.iter().enumerate() {
        keys.push(row, position);
    }
    latest_of_keys(rows, vec![keys.sorted()])
}

/// Bits of a packed key that hold the row's position.
const POSITION_BITS: u32 = 30;

/// The codes of consecutive rows (ten digits, below 2^34), each above its
/// position, sorted: the rows of one hospital side by side in file order. A
/// radix sort of numbers takes a fraction of the time and memory a table of a
/// million codes does. Exports list each hospital once, mostly in code order,
/// and that is seen as the keys are made. They are made in one
/// pass over them (beside other work on the same rows, while they are at
/// hand) and sorted, to be put together with the other parts' by
/// [`latest_of_keys`].
#[derive(Clone, Debug)]
pub struct CodeKeys {
    keys: Vec<u64>,
    /// The codes rise strictly from row to row: each is the latest of its own.
    ascending: bool,
    /// The keys are sorted.
    sorted: bool,
    /// More rows than a packed key holds a position of.
    too_many: bool,
}

impl CodeKeys {
    /// Keys for `rows` rows from `first_position` on.
    pub fn with_capacity(rows: usize, first_position: usize) -> Self {
        Self {
            keys: Vec::with_capacity(rows),
            ascending: true,
            sorted: true,
            too_many: first_position + rows >= 1 << POSITION_BITS,
        }
    }

    /// The next row, at `position` in the report.
    #[inline]
    pub fn push(&mut self, row: &ReportRow, position: usize) {
        if self.too_many {
            return;
        }
        let key = (row.hospital_code.number() << POSITION_BITS) | position as u64;
        if let Some(&last) = self.keys.last() {
            self.ascending &= last >> POSITION_BITS < key >> POSITION_BITS;
        }
        self.sorted = self.ascending;
        self.keys.push(key);
    }

    /// These keys followed by those of the rows after them, made with
    /// positions from 0: they are moved on by `shift`, the rows before them.
    pub fn append(&mut self, next: CodeKeys, shift: usize) {
        self.too_many |= next.too_many || shift + next.keys.len() >= 1 << POSITION_BITS;
        if self.too_many {
            self.keys = Vec::new();
            return;
        }
        if let (Some(&last), Some(&first)) = (self.keys.last(), next.keys.first()) {
            self.ascending &= last >> POSITION_BITS < (first >> POSITION_BITS);
        }
        self.ascending &= next.ascending;
        self.sorted = self.ascending;
        self.keys
            .extend(next.keys.iter().map(|key| key + shift as u64));
    }

    /// The keys sorted, ready to be merged: on the thread that made them
    /// where it can, else where the latest rows are found.
    pub fn sorted(mut self) -> Self {
        if !self.sorted && !self.too_many {
            // The positions below the codes rise as the keys were made.
            super::radix::sort_above(&mut self.keys, POSITION_BITS as usize / 8);
            self.sorted = true;
        }
        self
    }
}

/// [`latest_rows`] from the keys of consecutive parts of `rows`, in order
/// (sorted here if they were not on the threads that made them).
pub fn latest_of_keys(rows: &[ReportRow], parts: Vec<CodeKeys>) -> Vec<usize> {
    let made: usize = parts.iter().map(|part| part.keys.len()).sum();
    if made != rows.len() || parts.iter().any(|part| part.too_many) {
        return latest_by_hashing(rows);
    }
    let ascending = parts.iter().all(|part| part.ascending)
        && parts
            .windows(2)
            .all(|pair| match (pair[0].keys.last(), pair[1].keys.first()) {
                (Some(last), Some(first)) => last >> POSITION_BITS < first >> POSITION_BITS,
                _ => true,
            });
    if ascending {
        return (0..rows.len()).collect();
    }
    match sorted_runs(parts) {
        Some(runs) => latest_of_runs(rows, runs),
        None => latest_by_hashing(rows),
    }
}

/// Keys of one part from this many on are sorted in two halves at once.
const SORT_IN_HALVES_FROM: usize = 1 << 16;

/// The parts' keys as sorted runs, those not sorted yet sorted at once on
/// threads of their own (the last on this one), and the keys of a single big
/// part in two runs: this sort is on the way to the first frame of a big
/// report, and would otherwise leave a core idle. None if a thread could not
/// be had.
fn sorted_runs(mut parts: Vec<CodeKeys>) -> Option<Vec<Vec<u64>>> {
    if let [only] = parts.as_mut_slice() {
        if !only.sorted && only.keys.len() >= SORT_IN_HALVES_FROM {
            let second = CodeKeys {
                keys: only.keys.split_off(only.keys.len() / 2),
                ..*only
            };
            parts.push(second);
        }
    }
    let mut unsorted = parts.iter().filter(|part| !part.sorted).count();
    std::thread::scope(|scope| {
        let mut runs = Vec::with_capacity(parts.len());
        for part in parts {
            let elsewhere = !part.sorted && unsorted > 1;
            unsorted -= usize::from(!part.sorted);
            runs.push(match elsewhere {
                true => Err(std::thread::Builder::new()
                    .spawn_scoped(scope, move || part.sorted().keys)
                    .ok()?),
                false => Ok(part),
            });
        }
        runs.into_iter()
            .map(|run| match run {
                Ok(here) => Some(here.sorted().keys),
                Err(sorting) => sorting.join().ok(),
            })
            .collect()
    })
}

/// Calls `visit` with the keys of two ascending runs, in one ascending order.
fn in_order(first: &[u64], second: &[u64], mut visit: impl FnMut(u64)) {
    let (mut a, mut b) = (0, 0);
    while a < first.len() && b < second.len() {
        if second[b] < first[a] {
            visit(second[b]);
            b += 1;
        } else {
            visit(first[a]);
            a += 1;
        }
    }
    first[a..]
        .iter()
        .chain(&second[b..])
        .for_each(|&key| visit(key));
}

/// The latest rows from sorted runs of keys (as many runs as cores), walked
/// as one run: more than two are first merged two by two.
fn latest_of_runs(rows: &[ReportRow], mut runs: Vec<Vec<u64>>) -> Vec<usize> {
    while runs.len() > 2 {
        let (first, second) = (runs.remove(0), runs.remove(0));
        let mut both = Vec::with_capacity(first.len() + second.len());
        in_order(&first, &second, |key| both.push(key));
        runs.push(both);
    }
    let (first, second) = match runs.as_slice() {
        [first, second] => (first.as_slice(), second.as_slice()),
        [only] => (only.as_slice(), &[][..]),
        _ => (&[][..], &[][..]),
    };
    let position = |key: u64| (key & ((1 << POSITION_BITS) - 1)) as usize;
    let mut kept = vec![false; rows.len()];
    // The code being walked, and its latest row so far.
    let mut current: Option<(u64, usize)> = None;
    in_order(first, second, |key| {
        let (code, i) = (key >> POSITION_BITS, position(key));
        match &mut current {
            Some((walked, best)) if *walked == code => {
                if !is_later(&rows[*best], &rows[i]) {
                    *best = i;
                }
            }
            _ => {
                if let Some((_, best)) = current.replace((code, i)) {
                    kept[best] = true;
                }
            }
        }
    });
    if let Some((_, best)) = current {
        kept[best] = true;
    }
    (0..rows.len()).filter(|&i| kept[i]).collect()
}

/// [`latest_rows`] by a table of codes: for more rows than a packed key
/// holds, or keys that are not of every row.
fn latest_by_hashing(rows: &[ReportRow]) -> Vec<usize> {
    let mut latest: HashMap<HospitalCode, usize, ShortKeys> =
        HashMap::with_capacity_and_hasher(rows.len(), ShortKeys::seeded());
    for (i, row) in rows.iter().enumerate() {
        match latest.entry(row.hospital_code) {
            Entry::Vacant(entry) => {
                entry.insert(i);
            }
            Entry::Occupied(mut entry) => {
                if !is_later(&rows[*entry.get()], row) {
                    entry.insert(i);
                }
            }
        }
    }
    let mut kept: Vec<usize> = latest.into_values().collect();
    kept.sort_unstable();
    kept
}

/// The rows [`latest_rows`] keeps, in file order.
pub fn latest_of(rows: &[ReportRow]) -> impl Iterator<Item = &ReportRow> {
    latest_rows(rows).into_iter().map(move |i| &rows[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;
    use crate::model::time::parse_datetime;

    fn row(code: &str, day: u32, reported: &str) -> ReportRow {
        let mut row = seed_row();
        row.hospital_code = HospitalCode::parse(code).unwrap();
        row.record_date = chrono::NaiveDate::from_ymd_opt(2022, 1, day).unwrap();
        row.reported_at = parse_datetime(reported).unwrap();
        row
    }

    #[test]
    fn the_latest_report_wins_then_the_latest_day() {
        let rows = vec![
            row("1310170043", 3, "2022/01/03 10:00"),
            row("1310170050", 1, "2022/01/01 10:00"),
            row("1310170043", 5, "2022/01/05 09:00"),
            row("1310170043", 4, "2022/01/04 23:00"),
            row("1310170050", 2, "2022/01/01 10:00"),
            row("1310170050", 1, "2022/01/01 09:00"),
        ];
        assert_eq!(latest_rows(&rows), [2, 4]);
    }

    #[test]
    fn a_tie_keeps_the_later_line_and_single_rows_stay_in_order() {
        let same = vec![
            row("1310170043", 3, "2022/01/03 10:00"),
            row("1310170043", 3, "2022/01/03 10:00"),
        ];
        assert_eq!(latest_rows(&same), [1]);
        let single = vec![
            row("1310170050", 1, "2022/01/01 10:00"),
            row("1310170043", 1, "2022/01/01 10:00"),
        ];
        assert_eq!(latest_rows(&single), [0, 1]);
        assert!(latest_rows(&[]).is_empty());
    }

    #[test]
    fn packing_and_hashing_keep_the_same_rows() {
        let mut rng = fastrand::Rng::with_seed(4);
        for _ in 0..50 {
            let rows: Vec<ReportRow> = (0..rng.usize(0..60))
                .map(|_| {
                    let code = format!("13101700{:02}", rng.u8(..12));
                    let day = rng.u32(1..4);
                    row(
                        &code,
                        day,
                        &format!("2022/01/0{} 1{}:00", rng.u8(1..4), rng.u8(..3)),
                    )
                })
                .collect();
            let hashed = latest_by_hashing(&rows);
            assert_eq!(latest_rows(&rows), hashed);
            // The keys made in parts, as the cores make them.
            let mut parts = Vec::new();
            let mut from = 0;
            while from < rows.len() {
                let to = rng.usize(from + 1..=rows.len());
                let mut keys = CodeKeys::with_capacity(to - from, from);
                for (position, row) in rows.iter().enumerate().take(to).skip(from) {
                    keys.push(row, position);
                }
                parts.push(keys.sorted());
                from = to;
            }
            assert_eq!(latest_of_keys(&rows, parts), hashed);
        }
    }

    #[test]
    fn the_keys_of_one_big_part_sorted_in_halves_keep_the_rows_hashing_does() {
        let mut rng = fastrand::Rng::with_seed(9);
        let base = row("1310170043", 1, "2022/01/01 10:00");
        let rows: Vec<ReportRow> = (0..SORT_IN_HALVES_FROM + 5_000)
            .map(|_| {
                let mut row = base.clone();
                row.hospital_code =
                    HospitalCode::parse(&format!("13{:08}", rng.u32(..40_000))).unwrap();
                row.reported_at =
                    parse_datetime(&format!("2022/01/0{} 10:00", rng.u8(1..4))).unwrap();
                row
            })
            .collect();
        let mut keys = CodeKeys::with_capacity(rows.len(), 0);
        for (position, row) in rows.iter().enumerate() {
            keys.push(row, position);
        }
        assert!(!keys.sorted);
        let kept = latest_of_keys(&rows, vec![keys]);
        assert!(kept.len() < rows.len());
        let hashed = latest_by_hashing(&rows);
        assert_eq!(kept, hashed);
        // Three parts, none sorted yet: two are sorted on threads of their own.
        let third = rows.len() / 3;
        let parts: Vec<CodeKeys> = [0..third, third..2 * third, 2 * third..rows.len()]
            .into_iter()
            .map(|range| {
                let mut keys = CodeKeys::with_capacity(range.len(), range.start);
                for position in range {
                    keys.push(&rows[position], position);
                }
                keys
            })
            .collect();
        assert!(parts.iter().all(|part| !part.sorted));
        assert_eq!(latest_of_keys(&rows, parts), hashed);
    }

    #[test]
    fn codes_in_order_are_each_kept() {
        let rows = vec![
            row("1310170043", 3, "2022/01/03 10:00"),
            row("1310170050", 1, "2022/01/01 10:00"),
            row("1310170068", 1, "2022/01/01 10:00"),
        ];
        assert_eq!(latest_rows(&rows), [0, 1, 2]);
        assert_eq!(rows[1].hospital_code.number(), 1_310_170_050);
    }
}

//! What the first view of a report needs to know of every row, measured in
//! one pass: by the threads that parse a large file as each block's rows are
//! made, or over the rows of a report at hand.

use super::latest::CodeKeys;
use super::{Column, JstDateTime, ReportRow};
use crate::text::width::{self, AmbiguousWidth};

/// The columns whose smallest and largest values are kept: the counts and 空床.
pub const RANGED: [Column; 4] = [
    Column::Secured,
    Column::Ready,
    Column::Inpatients,
    Column::Free,
];

/// The figures of consecutive rows, added up as more rows follow.
#[derive(Clone, Debug)]
pub struct RowFigures {
    /// The widest 医療機関名 with ambiguous characters narrow, and wide.
    name_widths: [usize; 2],
    /// Of each [`RANGED`] column, the smallest and largest value.
    ranges: [Option<(i64, i64)>; RANGED.len()],
    /// By 都道府県番号: whether a row has it.
    pub prefectures: [bool; 48],
    /// The newest 報告日時.
    pub newest: Option<JstDateTime>,
    /// Per row: a consistency error that does not depend on the clock.
    pub static_errors: Vec<bool>,
    /// For the latest rows: a run of keys per part measured on its own, or
    /// one run of every part's keys in turn (sorted where the latest rows
    /// are found, [`crate::model::latest::latest_of_keys`]).
    pub codes: Vec<CodeKeys>,
}

impl RowFigures {
    /// The figures of `rows`, which start at `from` in the report. One pass:
    /// reading a million rows from memory costs more than each figure does.
    pub fn of(rows: &[ReportRow], from: usize) -> Self {
        let mut figures = Self {
            name_widths: [0, 0],
            ranges: Default::default(),
            prefectures: [false; 48],
            newest: None,
            static_errors: Vec::with_capacity(rows.len()),
            codes: Vec::new(),
        };
        let mut codes = CodeKeys::with_capacity(rows.len(), from);
        for (i, row) in rows.iter().enumerate() {
            let [narrow, wide] = width::str_widths(&row.hospital_name);
            figures.name_widths = [
                figures.name_widths[0].max(narrow),
                figures.name_widths[1].max(wide),
            ];
            for (seen, column) in figures.ranges.iter_mut().zip(RANGED) {
                if let Some(value) = row.get(column) {
                    let (low, high) = seen.get_or_insert((value, value));
                    (*low, *high) = ((*low).min(value), (*high).max(value));
                }
            }
            figures.prefectures[usize::from(row.prefecture_no.get())] = true;
            figures.newest = figures.newest.max(Some(row.reported_at));
            figures.static_errors.push(row.static_flags().has_errors());
            codes.push(row, from + i);
        }
        figures.codes.push(codes);
        figures
    }

    /// The figures with those of the rows measured on their own after them
    /// added: `next`'s codes are in runs of their own (made from their own
    /// positions in the report), or, with `shift_codes`, moved on by the rows
    /// before them and put after this run's (made from position 0).
    pub fn add(&mut self, mut next: RowFigures, shift_codes: bool) {
        for (i, widest) in self.name_widths.iter_mut().enumerate() {
            *widest = (*widest).max(next.name_widths[i]);
        }
        for (seen, more) in self.ranges.iter_mut().zip(next.ranges) {
            *seen = match (*seen, more) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (one, other) => one.or(other),
            };
        }
        for (seen, more) in self.prefectures.iter_mut().zip(next.prefectures) {
            *seen |= more;
        }
        self.newest = self.newest.max(next.newest);
        let rows_before = self.rows();
        self.static_errors.append(&mut next.static_errors);
        match self.codes.last_mut() {
            Some(last) if shift_codes => {
                for run in next.codes {
                    last.append(run, rows_before);
                }
            }
            _ => self.codes.append(&mut next.codes),
        }
    }

    /// Rows measured (one consistency mark each).
    pub fn rows(&self) -> usize {
        self.static_errors.len()
    }

    /// The widest 医療機関名, in cells.
    pub fn name_width(&self, amb: AmbiguousWidth) -> usize {
        self.name_widths[usize::from(amb == AmbiguousWidth::Wide)]
    }

    /// The smallest and largest value of a [`RANGED`] column; none for
    /// another column and for a column left blank in every row.
    pub fn range(&self, column: Column) -> Option<(i64, i64)> {
        let at = RANGED.iter().position(|c| *c == column)?;
        self.ranges[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;

    fn rows() -> Vec<ReportRow> {
        (0..40u32)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_name = match i % 3 {
                    0 => "病".repeat(1 + i as usize % 5),
                    1 => format!("clinic {i}"),
                    _ => "①病院".to_string(),
                }
                .into();
                row.ready = (i % 4 != 0).then_some(i * 3);
                row.inpatients = Some(i % 7);
                row.secured = (i != 5).then_some(i * 3 + 2);
                row
            })
            .collect()
    }

    #[test]
    fn parts_added_up_give_the_figures_of_the_whole() {
        let rows = rows();
        let whole = RowFigures::of(&rows, 0);
        for cut in [0, 1, 17, 39, 40] {
            // Parts measured from their own positions, and measured from 0.
            let mut placed = RowFigures::of(&rows[..cut], 0);
            placed.add(RowFigures::of(&rows[cut..], cut), false);
            let mut shifted = RowFigures::of(&rows[..cut], 0);
            shifted.add(RowFigures::of(&rows[cut..], 0), true);
            for figures in [&placed, &shifted] {
                assert_eq!(figures.rows(), whole.rows());
                assert_eq!(figures.name_widths, whole.name_widths);
                assert_eq!(figures.ranges, whole.ranges);
                assert_eq!(figures.prefectures, whole.prefectures);
                assert_eq!(figures.newest, whole.newest);
                assert_eq!(figures.static_errors, whole.static_errors);
            }
            assert_eq!(placed.codes.len(), 2);
            assert_eq!(shifted.codes.len(), 1);
            let latest = crate::model::latest::latest_rows(&rows);
            for figures in [placed, shifted] {
                assert_eq!(
                    crate::model::latest::latest_of_keys(&rows, figures.codes),
                    latest
                );
            }
        }
        assert_eq!(whole.name_width(AmbiguousWidth::Narrow), 10);
        assert_eq!(whole.name_widths, [10, 10]);
        assert_eq!(whole.range(Column::Ready), Some((3, 117)));
        assert_eq!(whole.range(Column::Free), Some((2, 113)));
        assert_eq!(whole.range(Column::HospitalName), None);
    }

    #[test]
    fn ambiguous_characters_are_measured_both_ways() {
        let mut row = seed_row();
        row.hospital_name = "①②病院".into();
        let figures = RowFigures::of(&[row], 0);
        assert_eq!(figures.name_width(AmbiguousWidth::Narrow), 6);
        assert_eq!(figures.name_width(AmbiguousWidth::Wide), 8);
    }
}

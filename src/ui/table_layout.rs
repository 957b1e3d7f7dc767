//! One table layout for `print` and the dashboard: the glyphs between columns,
//! and which columns fit into a width and how wide each is. Pure; no drawing.

use crate::model::Column;
use crate::text::width::{self, AmbiguousWidth};

/// The lines of a table: between columns and under the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Separators {
    /// Between two columns: 「 │ 」 or 「 | 」.
    pub column: &'static str,
    /// Under the header: 「─」 or 「-」.
    pub rule: char,
    /// Where the rule meets a column separator: 「─┼─」 or 「-+-」.
    pub cross: &'static str,
}

impl Separators {
    /// Box drawing is East Asian ambiguous, so it is used only when ambiguous
    /// characters are one cell and ASCII was not asked for.
    pub fn new(ascii: bool, ambiguous: AmbiguousWidth) -> Self {
        if ascii || ambiguous == AmbiguousWidth::Wide {
            Self {
                column: " | ",
                rule: '-',
                cross: "-+-",
            }
        } else {
            Self {
                column: " │ ",
                rule: '─',
                cross: "─┼─",
            }
        }
    }

    /// Cells a column separator takes: every glyph is one cell in the mode it is used in.
    pub fn width(&self) -> usize {
        self.column.chars().count()
    }

    /// A rule `cells` wide.
    pub fn rule(&self, cells: usize) -> String {
        self.rule.to_string().repeat(cells)
    }
}

/// How wide one column wants to be and how far it may give way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnWidth {
    /// Wide enough for everything in it.
    pub preferred: usize,
    /// Floors to narrow towards, one step after another, while every column is
    /// still shown.
    pub steps: Vec<usize>,
    /// The floor once columns have been left out.
    pub least: usize,
}

impl ColumnWidth {
    /// A column shown at this width or not at all.
    pub fn fixed(width: usize) -> Self {
        Self {
            preferred: width,
            steps: Vec::new(),
            least: width,
        }
    }
}

/// Lays out `columns` from the left into `total` cells, with `gap` cells between
/// neighbours, and returns the widths of the columns shown (the first ones).
///
/// Each step narrows the columns, the one with most room above its floor first,
/// until they fit; then columns are left out from the right, never the first
/// `keep`; last the shown ones narrow to their least width. Without a total every
/// column shows at its preferred width. The result may still be wider than
/// `total` when the kept columns cannot shrink enough.
pub fn fit(columns: &[ColumnWidth], gap: usize, total: Option<usize>, keep: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.preferred).collect();
    let Some(total) = total else {
        return widths;
    };
    let steps = columns.iter().map(|c| c.steps.len()).max().unwrap_or(0);
    for step in 0..steps {
        let floors: Vec<usize> = columns
            .iter()
            .map(|c| c.steps.get(step).copied().unwrap_or(c.preferred))
            .collect();
        narrow(&mut widths, &floors, gap, total);
    }
    // A running sum: recounting every column after each one left out is
    // quadratic in a file of many columns.
    let mut used = cells_used(&widths, gap);
    while used > total && widths.len() > keep {
        let last = widths.pop().unwrap_or(0);
        used -= last + if widths.is_empty() { 0 } else { gap };
    }
    let floors: Vec<usize> = columns[..widths.len()].iter().map(|c| c.least).collect();
    narrow(&mut widths, &floors, gap, total);
    widths
}

/// Cells the columns take with `gap` cells between neighbours.
fn cells_used(widths: &[usize], gap: usize) -> usize {
    widths.iter().sum::<usize>() + gap * widths.len().saturating_sub(1)
}

/// A screen row of fixed-width columns after a first one that always shows (the
/// name), the first starting at `start`: (start, width) of the later columns
/// that fit into `screen` cells, in order.
pub fn fit_after_first(
    first: usize,
    later: &[usize],
    gap: usize,
    start: usize,
    screen: usize,
) -> Vec<(usize, usize)> {
    let wants: Vec<ColumnWidth> = std::iter::once(first)
        .chain(later.iter().copied())
        .map(ColumnWidth::fixed)
        .collect();
    let widths = fit(&wants, gap, Some(screen.saturating_sub(start)), 1);
    starts(start, gap, &widths)
        .into_iter()
        .zip(widths)
        .skip(1)
        .collect()
}

/// Where each column starts, the first at `start`, with `gap` cells between neighbours.
pub fn starts(start: usize, gap: usize, widths: &[usize]) -> Vec<usize> {
    let mut x = start;
    widths
        .iter()
        .map(|&w| {
            let at = x;
            x += w + gap;
            at
        })
        .collect()
}

/// The dashboard's name column: the width it wants, the floor it narrows to
/// once the columns that stay less long than it have given way, and the
/// least it takes when only it and one column are left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameColumn {
    pub preferred: usize,
    pub floor: usize,
    pub least: usize,
    /// Columns staying less long than this give way before the name narrows.
    pub staying: u8,
}

/// One column right of the name on the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableColumn {
    /// Wide enough for everything in it.
    pub width: usize,
    /// The least it narrows to before columns that stay longer than the name give way.
    pub least: usize,
    /// Higher stays longer on a narrow screen.
    pub staying: u8,
}

/// A column shown: its position in the columns given, and its width.
type Placed = (usize, usize);

/// What fits of the dashboard's table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableFit {
    pub name: usize,
    /// (position in the columns given, width) of the columns shown, in order.
    pub columns: Vec<(usize, usize)>,
    /// Some columns gave way: the caller shows a mark in the `mark` cells kept free at the right.
    pub hidden: bool,
}

/// Lays out the name and `columns` (each after a `gap`) into `room` cells.
///
/// Everything shows when it fits. Else `mark` cells are kept for the
/// caller's mark and, in turn: the columns that stay less long than the name
/// give way; the name narrows to its floor and each column to its least; the
/// other columns give way; the name narrows to its least. Columns give way
/// the least staying first (the rightmost of equals) and never the first
/// one, so scrolling sideways always brings the next column to the left
/// edge. What is left over goes back to the name, then to the columns.
pub fn fit_table(
    name: NameColumn,
    columns: &[TableColumn],
    gap: usize,
    room: usize,
    mark: usize,
) -> TableFit {
    let mut shown: Vec<(usize, usize)> = columns.iter().map(|c| c.width).enumerate().collect();
    let mut name_width = name.preferred;
    if used(name_width, &shown, gap) <= room {
        return TableFit {
            name: name_width,
            columns: shown,
            hidden: false,
        };
    }
    let room_with_mark = room.saturating_sub(mark);
    let too_wide =
        |name_width: usize, shown: &[(usize, usize)]| used(name_width, shown, gap) > room_with_mark;
    give_way(&mut shown, columns, name.staying, &|s| {
        too_wide(name_width, s)
    });
    if too_wide(name_width, &shown) {
        name_width = name.floor.min(name.preferred);
        for (i, w) in &mut shown {
            *w = columns[*i].least.min(*w);
        }
        // Narrowed, everything may fit without the mark.
        let all_fit = shown.len() == columns.len() && used(name_width, &shown, gap) <= room;
        if !all_fit {
            give_way(&mut shown, columns, u8::MAX, &|s| too_wide(name_width, s));
        }
    }
    if too_wide(name_width, &shown) {
        name_width = name.least.min(name_width);
    }
    let hidden = shown.len() < columns.len();
    let room = if hidden { room_with_mark } else { room };
    let mut spare = room.saturating_sub(used(name_width, &shown, gap));
    let more = (name.preferred - name_width).min(spare);
    name_width += more;
    spare -= more;
    for (i, w) in &mut shown {
        let more = (columns[*i].width - *w).min(spare);
        *w += more;
        spare -= more;
    }
    TableFit {
        name: name_width,
        columns: shown,
        hidden,
    }
}

/// Leaves out columns staying less long than `below` while `too_wide`, the
/// least staying first, the rightmost of equals first, never the first column.
fn give_way(
    shown: &mut Vec<Placed>,
    columns: &[TableColumn],
    below: u8,
    too_wide: &dyn Fn(&[Placed]) -> bool,
) {
    while too_wide(shown) {
        let weakest = (1..shown.len())
            .filter(|&k| columns[shown[k].0].staying < below)
            .min_by_key(|&k| (columns[shown[k].0].staying, std::cmp::Reverse(k)));
        match weakest {
            Some(k) => {
                shown.remove(k);
            }
            None => break,
        }
    }
}

/// Cells the name and the columns take, each column after its gap.
fn used(name: usize, columns: &[(usize, usize)], gap: usize) -> usize {
    name + columns.iter().map(|(_, w)| w + gap).sum::<usize>()
}

/// A header in at most `lines` lines of `width` cells, broken only between
/// `words` (joined without spaces, as Japanese is). What does not fit the
/// last line is cut with the width module's mark.
pub fn wrap_words(words: &[&str], width: usize, lines: usize, amb: AmbiguousWidth) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in words {
        let joined = format!("{current}{word}");
        let last_line = out.len() + 1 >= lines;
        if current.is_empty() || last_line || width::str_width(&joined, amb) <= width {
            current = joined;
        } else {
            out.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    out.push(current);
    out.into_iter()
        .map(|line| width::truncate(&line, width, amb).into_owned())
        .collect()
}

/// Column widths that only grow while the dashboard runs, so a column does
/// not move when a value or a change mark comes and goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WidthMemory(Vec<(Column, usize)>);

impl WidthMemory {
    /// The widest `column` has needed, `needed` included.
    pub fn widen(&mut self, column: Column, needed: usize) -> usize {
        match self.0.iter_mut().find(|(c, _)| *c == column) {
            Some((_, widest)) => {
                *widest = (*widest).max(needed);
                *widest
            }
            None => {
                self.0.push((column, needed));
                needed
            }
        }
    }

    /// Starts again, for a table of another kind.
    pub fn forget(&mut self) {
        self.0.clear();
    }
}

/// Narrows the widths until they fit into `total` or every column is at its
/// floor, as if a cell at a time were taken from the column furthest above its
/// floor (the rightmost of equals): every column above a level comes down to
/// it, and the cells still to take come off the rightmost columns at the
/// level. The level is found by bisection, so this is O(n log n), not
/// O(n × cells to take).
fn narrow(widths: &mut [usize], floors: &[usize], gap: usize, total: usize) {
    let excess = cells_used(widths, gap).saturating_sub(total);
    if excess == 0 {
        return;
    }
    let slack: Vec<usize> = widths
        .iter()
        .zip(floors)
        .map(|(w, f)| w.saturating_sub(*f))
        .collect();
    // Cells taken when every column comes down to `level` above its floor.
    let taken = |level: usize| -> usize { slack.iter().map(|d| d.saturating_sub(level)).sum() };
    let (mut low, mut high) = (0, slack.iter().copied().max().unwrap_or(0));
    if taken(0) <= excess {
        high = 0;
    }
    // The lowest level at which no more than `excess` cells are taken.
    while low < high {
        let mid = low + (high - low) / 2;
        if taken(mid) <= excess {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    let level = high;
    let mut left = excess.saturating_sub(taken(level));
    for i in (0..widths.len()).rev() {
        if slack[i] > level {
            widths[i] -= slack[i] - level;
        }
        if left > 0 && level > 0 && slack[i] >= level {
            widths[i] -= 1;
            left -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn column(preferred: usize, steps: &[usize], least: usize) -> ColumnWidth {
        ColumnWidth {
            preferred,
            steps: steps.to_vec(),
            least,
        }
    }

    #[test]
    fn everything_shows_without_a_limit_or_when_it_fits() {
        let columns = [ColumnWidth::fixed(10), column(8, &[4], 4)];
        assert_eq!(fit(&columns, 3, None, 1), [10, 8]);
        assert_eq!(fit(&columns, 3, Some(21), 1), [10, 8]);
    }

    #[test]
    fn fixed_columns_that_do_not_fit_are_left_out_from_the_right() {
        let columns = [4, 5, 6, 7].map(ColumnWidth::fixed);
        // 4 + 3 + 5 + 3 + 6 = 21
        assert_eq!(fit(&columns, 3, Some(21), 1), [4, 5, 6]);
        assert_eq!(fit(&columns, 3, Some(20), 1), [4, 5]);
        assert_eq!(fit(&columns, 3, Some(2), 1), [4], "the kept column stays");
        assert_eq!(fit(&columns, 3, Some(2), 0), Vec::<usize>::new());
    }

    #[test]
    fn steps_narrow_the_widest_first_before_anything_is_left_out() {
        let columns = [column(10, &[6], 6), column(8, &[6], 6), column(6, &[6], 6)];
        // 24 + 2 gaps of 1 = 26; 4 cells come off the column with most room.
        assert_eq!(fit(&columns, 1, Some(22), 1), [7, 7, 6]);
        // At the floors (18 + 2) nothing more gives way: the last column goes.
        assert_eq!(fit(&columns, 1, Some(19), 1), [6, 6]);
    }

    #[test]
    fn the_least_width_applies_only_once_columns_are_left_out() {
        let columns = [column(20, &[12], 4), column(5, &[5], 5)];
        // Step floors 12 + 5 + 1 > 10: the second column goes, then the first narrows.
        assert_eq!(fit(&columns, 1, Some(10), 1), [10]);
        assert_eq!(
            fit(&columns, 1, Some(2), 1),
            [4],
            "never below the least width"
        );
    }

    /// The fit as it was first written: a cell at a time from the column
    /// furthest above its floor, recounting every width each time.
    fn fit_cell_by_cell(
        columns: &[ColumnWidth],
        gap: usize,
        total: Option<usize>,
        keep: usize,
    ) -> Vec<usize> {
        fn narrow(widths: &mut [usize], floors: &[usize], fits: &dyn Fn(&[usize]) -> bool) {
            while !fits(widths) {
                let widest = (0..widths.len())
                    .filter(|&i| widths[i] > floors[i])
                    .max_by_key(|&i| widths[i] - floors[i]);
                match widest {
                    Some(i) => widths[i] -= 1,
                    None => break,
                }
            }
        }
        let mut widths: Vec<usize> = columns.iter().map(|c| c.preferred).collect();
        let Some(total) = total else {
            return widths;
        };
        let fits = |widths: &[usize]| {
            widths.iter().sum::<usize>() + gap * widths.len().saturating_sub(1) <= total
        };
        let steps = columns.iter().map(|c| c.steps.len()).max().unwrap_or(0);
        for step in 0..steps {
            let floors: Vec<usize> = columns
                .iter()
                .map(|c| c.steps.get(step).copied().unwrap_or(c.preferred))
                .collect();
            narrow(&mut widths, &floors, &fits);
        }
        while !fits(&widths) && widths.len() > keep {
            widths.pop();
        }
        let floors: Vec<usize> = columns[..widths.len()].iter().map(|c| c.least).collect();
        narrow(&mut widths, &floors, &fits);
        widths
    }

    fn arbitrary_column() -> impl Strategy<Value = ColumnWidth> {
        (
            0usize..40,
            prop::collection::vec(0usize..40, 0..3),
            0usize..40,
        )
            .prop_map(|(preferred, steps, least)| ColumnWidth {
                preferred,
                steps,
                least,
            })
    }

    proptest! {
        #[test]
        fn the_fit_equals_the_cell_by_cell_fit(
            columns in prop::collection::vec(arbitrary_column(), 0..24),
            gap in 0usize..4,
            total in prop::option::of(0usize..400),
            keep in 0usize..10,
        ) {
            prop_assert_eq!(
                fit(&columns, gap, total, keep),
                fit_cell_by_cell(&columns, gap, total, keep)
            );
        }
    }

    #[test]
    fn ties_lose_a_cell_from_the_right_first() {
        let columns = [column(9, &[3], 3), column(9, &[3], 3), column(9, &[3], 3)];
        // 27 into 23: two columns down by one to 8 first, then all to 8, then one more from the right.
        assert_eq!(fit(&columns, 0, Some(23), 1), [8, 8, 7]);
        assert_eq!(fit(&columns, 0, Some(25), 1), [9, 8, 8]);
        assert_eq!(fit(&columns, 0, Some(9), 1), [3, 3, 3]);
    }

    #[test]
    fn a_hundred_thousand_columns_fit_at_once() {
        // Cell by cell this took about a minute; the answer is known without it.
        let columns: Vec<ColumnWidth> = (0..100_000)
            .map(|i| column(8 + i % 5, &[4 + i % 3], 4))
            .collect();
        let widths = fit(&columns, 3, Some(200), 8);
        assert!(widths.len() >= 8);
        assert!(cells_used(&widths, 3) <= 200, "{widths:?}");
        let one_more = widths.len() + 1;
        // Columns are left out at their step floors: one more would not fit at them.
        let floors: usize = columns[..one_more]
            .iter()
            .map(|c| c.steps[0])
            .sum::<usize>();
        assert!(floors + 3 * (one_more - 1) > 200, "no further column fits");
    }

    #[test]
    fn a_screen_row_shows_the_later_columns_that_fit_after_the_first() {
        // 2 + 10, then " | " and 4 up to 19, " | " and 6 up to 28.
        assert_eq!(
            fit_after_first(10, &[4, 6, 5], 3, 2, 28),
            [(15, 4), (22, 6)]
        );
        assert_eq!(fit_after_first(10, &[4, 6, 5], 3, 2, 27), [(15, 4)]);
        assert_eq!(fit_after_first(10, &[4], 3, 2, 1), []);
    }

    #[test]
    fn columns_start_after_their_neighbours_and_the_gap() {
        assert_eq!(starts(2, 3, &[10, 4, 6]), [2, 15, 22]);
        assert_eq!(starts(0, 3, &[]), Vec::<usize>::new());
    }

    fn table_column(width: usize, staying: u8) -> TableColumn {
        TableColumn {
            width,
            least: width,
            staying,
        }
    }

    const NAME: NameColumn = NameColumn {
        preferred: 20,
        floor: 10,
        least: 6,
        staying: 5,
    };

    #[test]
    fn the_table_shows_everything_that_fits() {
        let columns = [table_column(4, 9), table_column(4, 1)];
        // 20 + (1 + 4) * 2 = 30
        let fit = fit_table(NAME, &columns, 1, 30, 2);
        assert_eq!(
            (fit.name, fit.columns, fit.hidden),
            (20, vec![(0, 4), (1, 4)], false)
        );
    }

    #[test]
    fn columns_staying_less_than_the_name_give_way_before_it_narrows() {
        let columns = [table_column(4, 9), table_column(4, 1), table_column(4, 8)];
        // Without the weak column: 20 + 5 + 5 = 30, and 2 cells for the mark.
        let fit = fit_table(NAME, &columns, 1, 32, 2);
        assert_eq!(
            (fit.name, fit.columns, fit.hidden),
            (20, vec![(0, 4), (2, 4)], true)
        );
    }

    #[test]
    fn then_the_name_narrows_and_then_the_least_staying_go_never_the_first() {
        let columns = [table_column(4, 1), table_column(4, 9), table_column(4, 7)];
        // Name at its floor with all three: 10 + 15 = 25 fits 25.
        let fit = fit_table(NAME, &columns, 1, 25, 2);
        assert_eq!((fit.name, fit.columns.len(), fit.hidden), (10, 3, false));
        // 18 cells: the weak first column stays (it is the left edge), the 7 goes.
        let fit = fit_table(NAME, &columns, 1, 22, 2);
        assert_eq!(fit.columns, [(0, 4), (1, 4)]);
        assert_eq!(
            fit.name, 10,
            "the two cells left over after the mark go to the name"
        );
        assert!(fit.hidden);
    }

    #[test]
    fn spare_cells_go_to_the_name_then_to_the_columns() {
        let status = TableColumn {
            width: 16,
            least: 10,
            staying: 9,
        };
        let columns = [table_column(4, 9), status, table_column(30, 1)];
        // 20 + 5 + 17 = 42 with the weak column gone and a mark: 44 fits all but it.
        let fit = fit_table(NAME, &columns, 1, 44, 2);
        assert_eq!((fit.name, fit.columns.clone()), (20, vec![(0, 4), (1, 16)]));
        let fit = fit_table(NAME, &columns, 1, 36, 2);
        assert_eq!((fit.name, fit.columns), (18, vec![(0, 4), (1, 10)]));
    }

    #[test]
    fn headers_wrap_between_words_and_the_last_line_is_cut_with_the_mark() {
        let amb = AmbiguousWidth::Narrow;
        assert_eq!(wrap_words(&["確保", "病床"], 4, 2, amb), ["確保", "病床"]);
        assert_eq!(wrap_words(&["確保", "病床"], 8, 2, amb), ["確保病床"]);
        assert_eq!(
            wrap_words(&["医療機関", "コード"], 6, 2, amb),
            ["医療~", "コード"]
        );
        assert_eq!(
            wrap_words(&["全国地方", "公共団体", "コード"], 14, 2, amb),
            ["全国地方", "公共団体コード"]
        );
        assert_eq!(
            wrap_words(&["全国地方", "公共団体", "コード"], 8, 2, amb),
            ["全国地方", "公共団~"]
        );
        assert_eq!(wrap_words(&["確保", "病床"], 4, 1, amb), ["確~"]);
    }

    #[test]
    fn remembered_widths_only_grow_until_forgotten() {
        let mut memory = WidthMemory::default();
        assert_eq!(memory.widen(Column::Secured, 7), 7);
        assert_eq!(memory.widen(Column::Secured, 5), 7);
        assert_eq!(memory.widen(Column::Ready, 5), 5);
        assert_eq!(memory.widen(Column::Secured, 9), 9);
        memory.forget();
        assert_eq!(memory.widen(Column::Secured, 5), 5);
    }

    #[test]
    fn separators_follow_the_ambiguous_width() {
        let narrow = Separators::new(false, AmbiguousWidth::Narrow);
        assert_eq!((narrow.column, narrow.cross), (" │ ", "─┼─"));
        assert_eq!(narrow.rule(3), "───");
        for ascii in [
            Separators::new(true, AmbiguousWidth::Narrow),
            Separators::new(false, AmbiguousWidth::Wide),
        ] {
            assert_eq!((ascii.column, ascii.rule, ascii.cross), (" | ", '-', "-+-"));
        }
        assert_eq!(narrow.width(), 3);
    }
}

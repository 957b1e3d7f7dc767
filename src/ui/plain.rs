//! The report as plain text: `bedboard print`, for dumb terminals, cron and mail.
//! Aligned in display cells through the width module; numbers are never cut.

use std::borrow::Cow;
use std::io::{self, IsTerminal};

use super::table_layout::{self, ColumnWidth, Separators};
use crate::model::{Column, ColumnKind, Report, ReportRow, Totals};
use crate::text::width::{self, Align, AmbiguousWidth, WidthCache};
use crate::view::{self, View, ViewDescription, ViewSpec};

#[derive(Clone, Copy, Debug, Default)]
pub struct PlainOptions {
    /// Fit the table into this many cells; none means no limit.
    pub width: Option<usize>,
    pub ambiguous: AmbiguousWidth,
    /// Draw rules and separators in ASCII.
    pub ascii: bool,
}

/// The terminal's width when stdout is one.
pub fn stdout_terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
}

/// The name, the counts and the status are never left out, however narrow the width.
const ALWAYS_SHOWN: usize = 8;
/// Text columns are cut no narrower than this (the name a little wider).
const MIN_TEXT_WIDTH: usize = 6;
const MIN_NAME_WIDTH: usize = 12;
const READABLE_NAME_WIDTH: usize = 24;
/// Every column is at least two kanji wide, so a header wraps in few lines.
const MIN_COLUMN_WIDTH: usize = 4;

/// The whole table as one string (tests, and callers that want it whole).
pub fn render(
    report: &Report,
    view: &View,
    spec: &ViewSpec,
    source: &str,
    options: &PlainOptions,
) -> String {
    let mut out = String::new();
    let table = Table {
        report,
        view,
        spec,
        source,
        options,
    };
    let written = table.write(&mut |line: &str| {
        out.push_str(line);
        out.push('\n');
        Ok(())
    });
    // Appending to a String cannot fail.
    debug_assert!(written.is_ok());
    out
}

/// One table to print: the report, the view of it and how to show it.
pub struct Table<'a> {
    pub report: &'a Report,
    pub view: &'a View,
    pub spec: &'a ViewSpec,
    /// Where the data came from, for the header.
    pub source: &'a str,
    pub options: &'a PlainOptions,
}

impl Table<'_> {
    /// Hands the table to `line`, a line at a time without its line break.
    /// Two passes over the rows: one measures the columns and keeps only
    /// their widths, the other formats each line as it goes out, so a
    /// million rows never sit in memory as text.
    pub fn write(&self, line: &mut dyn FnMut(&str) -> io::Result<()>) -> io::Result<()> {
        let (report, view, options) = (self.report, self.view, self.options);
        let all_columns = view::display_columns(report);
        let separators = Separators::new(options.ascii, options.ambiguous);
        let data = measure_cells(report, view, self.spec, &all_columns, options.ambiguous);
        let layout = Layout::fit(report, &all_columns, &data, &separators, options);
        let mut text = String::new();
        let mut emit = |text: &str| line(text.trim_end());
        for summary in summary_lines(view, self.spec, self.source) {
            emit(&summary)?;
        }
        if !layout.hidden.is_empty() {
            let names: Vec<&str> = layout
                .hidden
                .iter()
                .map(|&c| view::column_header(report, c))
                .collect();
            emit(&format!(
                "表示しきれない列: {}（--width を広げると表示します）",
                names.join("、")
            ))?;
        }
        for header_line in layout.header_lines(report) {
            push_row(&mut text, &layout, &header_line, &separators, false);
            emit(&text)?;
        }
        let rule: Vec<String> = layout.widths.iter().map(|&w| separators.rule(w)).collect();
        emit(&rule.join(separators.cross))?;
        if view.order.is_empty() {
            emit("該当する行はありません")?;
        }
        let shown = &all_columns[..layout.columns.len()];
        let rows = RowLines {
            report,
            spec: self.spec,
            columns: shown,
            layout: &layout,
            separators: &separators,
        };
        if view.groups.is_empty() {
            // Formatted on both cores while they are written, in order.
            view::parallel::streamed(&view.order, LINES_AT_A_TIME, |order| rows.lines(order), {
                |lines: String| lines.split_terminator('\n').try_for_each(&mut emit)
            })?;
        }
        let mut cells = Vec::new();
        each_body_line(view, &rows, &mut |body| match body {
            BodyLine::Heading(heading) => emit(heading),
            BodyLine::Cells(cells) => {
                push_row(&mut text, &layout, cells, &separators, true);
                emit(&text)
            }
            BodyLine::Row(i) => {
                rows.push_line(&mut text, i, &mut cells);
                emit(&text)
            }
        })
    }
}

/// Rows formatted at a time, on one core, into one text.
const LINES_AT_A_TIME: usize = 2048;

/// What formats a row's line of the table.
struct RowLines<'t> {
    report: &'t Report,
    spec: &'t ViewSpec,
    columns: &'t [Column],
    layout: &'t Layout,
    separators: &'t Separators,
}

impl RowLines<'_> {
    /// The row's line into `line` (cleared first), its end trimmed; `cells` is
    /// room for its cells, reused from row to row.
    fn push_line(&self, line: &mut String, i: usize, cells: &mut Vec<String>) {
        cells.resize_with(self.columns.len(), String::new);
        let row = &self.report.rows[i];
        for (cell, &column) in cells.iter_mut().zip(self.columns) {
            cell.clear();
            if push_computed_cell(cell, row, column, self.spec) {
                continue;
            }
            view::push_cell_text(cell, row, column, self.spec);
            // Only the row's own text can hold what a terminal must not get;
            // the cells made from numbers and times are this program's words.
            if view::own_text(row, column).is_some() {
                if let Cow::Owned(clean) = crate::text::sanitize(cell) {
                    *cell = clean;
                }
            }
        }
        push_row(line, self.layout, cells, self.separators, true);
        line.truncate(line.trim_end().len());
    }

    /// The lines of the rows at `order`, each ended by a line break. A row's
    /// cells hold no line break: its own text is sanitised.
    fn lines(&self, order: &[usize]) -> String {
        let (mut cells, mut line) = (Vec::new(), String::new());
        let mut lines = String::new();
        for &i in order {
            self.push_line(&mut line, i, &mut cells);
            lines.push_str(&line);
            lines.push('\n');
        }
        lines
    }
}

/// The header: counts and totals, then where the data comes from and how it is shown.
fn summary_lines(view: &View, spec: &ViewSpec, source: &str) -> Vec<String> {
    let first = view.summary_line();
    let second = format!(
        "データ: {source}  {}  時刻: {}",
        ViewDescription::of(spec).line(),
        crate::model::time::format_datetime(&spec.now),
    );
    let mut lines = vec![first, crate::text::sanitize(&second).into_owned()];
    lines.extend(view.superseded_note());
    lines
}

/// One line of the table body, with a cell for every column given.
enum BodyLine<'l> {
    Heading(&'l str),
    Cells(&'l [String]),
    /// The line of a report row.
    Row(usize),
}

/// Each line of the body after the rows of a view without groups (which are
/// written on both cores): group headings, their rows and subtotals, and the
/// grand total.
fn each_body_line(
    view: &View,
    rows: &RowLines<'_>,
    each: &mut dyn FnMut(BodyLine<'_>) -> io::Result<()>,
) -> io::Result<()> {
    for group in &view.groups {
        each(BodyLine::Heading(&group_heading(group)))?;
        for &i in &view.order[group.rows.clone()] {
            each(BodyLine::Row(i))?;
        }
        each(BodyLine::Cells(&total_cells(
            rows.columns,
            "小計",
            &group.totals,
        )))?;
    }
    if !view.order.is_empty() {
        each(BodyLine::Cells(&total_cells(
            rows.columns,
            "総計",
            &view.totals,
        )))?;
    }
    Ok(())
}

/// 「東京都 (12)」
fn group_heading(group: &view::Group) -> String {
    format!("{} ({})", group.label, group.rows.len())
}

/// The widest cell of each column over the whole body, in cells, keeping
/// nothing of the text; the rows are measured in parts on both cores.
fn measure_cells(
    report: &Report,
    view: &View,
    spec: &ViewSpec,
    columns: &[Column],
    amb: AmbiguousWidth,
) -> Vec<usize> {
    let parts = view::parallel::in_parts(&view.order, |_, part| {
        measure_rows(report, part, spec, columns, amb)
    });
    let mut widest = vec![0usize; columns.len()];
    for part in parts {
        for (w, p) in widest.iter_mut().zip(part) {
            *w = (*w).max(p);
        }
    }
    let mut totals: Vec<&Totals> = view.groups.iter().map(|g| &g.totals).collect();
    let labels = std::iter::repeat_n("小計", totals.len()).chain(["総計"]);
    if !view.order.is_empty() {
        totals.push(&view.totals);
    }
    for (label, totals) in labels.zip(totals) {
        for (w, cell) in widest.iter_mut().zip(total_cells(columns, label, totals)) {
            *w = (*w).max(width::str_width(&cell, amb));
        }
    }
    widest
}

/// The widest cell of each column in the rows at `order`. The row's own
/// text is measured through a [`WidthCache`], so a name a thousand rows
/// share costs one measure; other cells are written into one buffer.
fn measure_rows(
    report: &Report,
    order: &[usize],
    spec: &ViewSpec,
    columns: &[Column],
    amb: AmbiguousWidth,
) -> Vec<usize> {
    let mut widest = vec![0usize; columns.len()];
    let mut cache = WidthCache::new(amb);
    let mut buffer = String::new();
    for &i in order {
        let row = &report.rows[i];
        for (w, &column) in widest.iter_mut().zip(columns) {
            if let Some(cells) = fixed_width(row, column, spec) {
                *w = (*w).max(cells);
                continue;
            }
            let cells = match view::own_text(row, column) {
                Some(own) => match crate::text::sanitize(own) {
                    Cow::Borrowed(clean) => cache.width(clean),
                    Cow::Owned(clean) => width::str_width(&clean, amb),
                },
                None => {
                    buffer.clear();
                    view::push_cell_text(&mut buffer, row, column, spec);
                    width::str_width(&crate::text::sanitize(&buffer), amb)
                }
            };
            *w = (*w).max(cells);
        }
    }
    widest
}

/// The value of a count column (確保病床, 即応病床, 入院中, 空床), blank or
/// not; none for any other column.
fn count_of(row: &ReportRow, column: Column) -> Option<Option<i64>> {
    matches!(
        column,
        Column::Secured | Column::Ready | Column::Inpatients | Column::Free
    )
    .then(|| row.get(column))
}

/// The width of a cell whose width its value tells without writing it:
/// counts, 使用率, 経過, 状態, 都道府県番号, and dates and times of four-digit
/// years (the shapes `view::push_cell_text` writes); none for any other cell.
fn fixed_width(row: &ReportRow, column: Column, spec: &ViewSpec) -> Option<usize> {
    use chrono::Datelike;
    let four_digits = |year: i32| (0..=9999).contains(&year);
    match column {
        Column::RecordDate => four_digits(row.record_date.year()).then_some(10),
        Column::ReportedAt => {
            let local = row
                .reported_at
                .with_timezone(&crate::model::time::jst())
                .naive_local();
            four_digits(local.year()).then_some(16)
        }
        Column::PrefectureNo => Some(integer_width(i64::from(row.prefecture_no.get())).max(2)),
        Column::Occupancy => match row.occupancy().map(whole_percent) {
            None => Some(0),
            Some(Percent::Whole(value)) => Some(integer_width(value) + 1),
            Some(Percent::NegativeZero) => Some(3),
            Some(Percent::Other) => None,
        },
        Column::Age => Some(match age_words(row.age(&spec.now)) {
            AgeWords::Word(word) => width::str_width(word, AmbiguousWidth::Narrow),
            AgeWords::Count(n, unit) => {
                integer_width(n) + width::str_width(unit, AmbiguousWidth::Narrow)
            }
        }),
        Column::Status => {
            let (parts, cells) = status_parts(row, spec).fold((0usize, 0), |(n, w), part| {
                (n + 1, w + width::str_width(part, AmbiguousWidth::Narrow))
            });
            Some(cells + STATUS_SEPARATOR_WIDTH * parts.saturating_sub(1))
        }
        _ => count_of(row, column).map(|count| count.map_or(0, integer_width)),
    }
}

/// Writes the cells `view::push_cell_text` would make of numbers and times,
/// the same text without format strings or allocations; false for a cell it
/// leaves to `view::push_cell_text`.
fn push_computed_cell(out: &mut String, row: &ReportRow, column: Column, spec: &ViewSpec) -> bool {
    match column {
        Column::PrefectureNo => {
            let number = row.prefecture_no.get();
            if number < 10 {
                out.push('0');
            }
            push_integer(out, i64::from(number));
        }
        Column::Occupancy => match row.occupancy().map(whole_percent) {
            None => {}
            Some(Percent::Whole(value)) => {
                push_integer(out, value);
                out.push('%');
            }
            Some(Percent::NegativeZero) => out.push_str("-0%"),
            Some(Percent::Other) => return false,
        },
        Column::Age => match age_words(row.age(&spec.now)) {
            AgeWords::Word(word) => out.push_str(word),
            AgeWords::Count(n, unit) => {
                push_integer(out, n);
                out.push_str(unit);
            }
        },
        Column::Status => {
            for (i, part) in status_parts(row, spec).enumerate() {
                if i > 0 {
                    out.push_str(STATUS_SEPARATOR);
                }
                out.push_str(part);
            }
        }
        _ => match count_of(row, column) {
            Some(count) => {
                if let Some(value) = count {
                    push_integer(out, value);
                }
            }
            None => return false,
        },
    }
    true
}

/// 使用率 as `{:.0}%` rounds it: to the nearest whole percent, ties to even.
enum Percent {
    Whole(i64),
    /// A tiny negative fraction, which `{:.0}` writes as 「-0」.
    NegativeZero,
    /// Not finite, or too large to hold exactly: left to the formatter.
    Other,
}

fn whole_percent(fraction: f64) -> Percent {
    let percent = fraction * 100.0;
    if !percent.is_finite() || percent.abs() >= 1e15 {
        return Percent::Other;
    }
    let whole = percent.round_ties_even();
    if whole == 0.0 && percent.is_sign_negative() {
        Percent::NegativeZero
    } else {
        Percent::Whole(whole as i64)
    }
}

/// 経過 as `time::format_age` words it: a word, or a count and its unit.
enum AgeWords {
    Word(&'static str),
    Count(i64, &'static str),
}

fn age_words(age: chrono::Duration) -> AgeWords {
    let minutes = age.num_minutes();
    if age < chrono::Duration::zero() {
        return AgeWords::Word(if age > -chrono::Duration::minutes(1) {
            "たった今"
        } else {
            "未来"
        });
    }
    match minutes {
        0 => AgeWords::Word("たった今"),
        1..=59 => AgeWords::Count(minutes, "分前"),
        60..=2879 => AgeWords::Count(minutes / 60, "時間前"),
        _ => AgeWords::Count(minutes / 1440, "日前"),
    }
}

/// 状態 as `view::status_text` words it: 「古い」, then each flag's label.
fn status_parts<'s>(
    row: &ReportRow,
    spec: &'s ViewSpec,
) -> impl Iterator<Item = &'static str> + 's {
    let stale = row.is_stale(&spec.now, spec.stale_after);
    let flags = row.flags(&spec.now);
    stale
        .then_some("古い")
        .into_iter()
        .chain(flags.iter().map(|flag| flag.label()))
}

const STATUS_SEPARATOR: &str = "・";
const STATUS_SEPARATOR_WIDTH: usize = 2;

/// Characters of `value` in decimal, its sign included.
fn integer_width(value: i64) -> usize {
    let digits = value
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |log| log as usize + 1);
    digits + usize::from(value < 0)
}

/// `value` in decimal, as `{}` writes it, without a format string: this is
/// most of the cells of a million rows.
fn push_integer(out: &mut String, value: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        out.push('-');
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// A subtotal or grand-total row: label and count in the name column, sums in the count columns.
pub fn total_cells(columns: &[Column], label: &str, totals: &Totals) -> Vec<String> {
    columns
        .iter()
        .map(|&c| match c {
            Column::HospitalName => format!("{label}（{} 件）", totals.records),
            c => view::total_text(totals, c),
        })
        .collect()
}

/// Which columns are shown and how wide each is.
struct Layout {
    columns: Vec<Column>,
    widths: Vec<usize>,
    hidden: Vec<Column>,
    ambiguous: AmbiguousWidth,
}

impl Layout {
    /// Natural widths (header and every cell), then narrowed to the width limit:
    /// headers wrap onto more lines first, then text is cut (marked), then the
    /// least needed columns are left out. Numbers, codes and dates keep their data.
    fn fit(
        report: &Report,
        columns: &[Column],
        data: &[usize],
        separators: &Separators,
        options: &PlainOptions,
    ) -> Self {
        let amb = options.ambiguous;
        let wants: Vec<ColumnWidth> = columns
            .iter()
            .zip(data)
            .map(|(&column, &data)| {
                let header = width::str_width(view::column_header(report, column), amb);
                // Headers wrap over more lines; data keeps its width.
                let wrapped = data.max(MIN_COLUMN_WIDTH);
                // Text other than the name is cut, and a long name down to `name_width`.
                let cut = |name_width: usize| match column.kind() {
                    ColumnKind::Text if column == Column::HospitalName => {
                        data.clamp(MIN_COLUMN_WIDTH, name_width)
                    }
                    ColumnKind::Text => data.clamp(MIN_COLUMN_WIDTH, MIN_TEXT_WIDTH),
                    _ => wrapped,
                };
                ColumnWidth {
                    preferred: data.max(header),
                    steps: vec![wrapped, cut(READABLE_NAME_WIDTH)],
                    // Only once columns are left out is the name cut further.
                    least: cut(MIN_NAME_WIDTH),
                }
            })
            .collect();
        let widths = table_layout::fit(&wants, separators.width(), options.width, ALWAYS_SHOWN);
        Self {
            columns: columns[..widths.len()].to_vec(),
            hidden: columns[widths.len()..].to_vec(),
            widths,
            ambiguous: amb,
        }
    }

    /// Column names, wrapped over as many lines as the narrowest column needs.
    fn header_lines(&self, report: &Report) -> Vec<Vec<String>> {
        let wrapped: Vec<Vec<String>> = self
            .columns
            .iter()
            .zip(&self.widths)
            .map(|(&c, &w)| width::wrap(view::column_header(report, c), w, self.ambiguous))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|line| {
                wrapped
                    .iter()
                    .map(|parts| parts.get(line).cloned().unwrap_or_default())
                    .collect()
            })
            .collect()
    }
}

/// One line of the table into `line` (cleared first).
fn push_row<S: AsRef<str>>(
    line: &mut String,
    layout: &Layout,
    cells: &[S],
    separators: &Separators,
    is_data: bool,
) {
    line.clear();
    for (i, ((column, cell), &w)) in layout
        .columns
        .iter()
        .zip(cells)
        .zip(&layout.widths)
        .enumerate()
    {
        if i > 0 {
            line.push_str(separators.column);
        }
        if is_data && column.kind() == ColumnKind::Number {
            width::push_fit_number(line, cell.as_ref(), w);
        } else {
            width::push_fit(line, cell.as_ref(), w, Align::Left, layout.ambiguous);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;

    #[test]
    fn integers_are_written_and_measured_as_display_does() {
        let mut values = vec![
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12_345_678,
            i64::MAX,
            i64::MIN,
        ];
        values.extend((0..19).map(|p| 10i64.pow(p)));
        values.extend((1..19).map(|p| 10i64.pow(p) - 1));
        values.extend((1..19).map(|p| -(10i64.pow(p))));
        for value in values {
            let mut out = String::from("x");
            push_integer(&mut out, value);
            assert_eq!(out, format!("x{value}"));
            assert_eq!(integer_width(value), value.to_string().len(), "{value}");
        }
    }

    #[test]
    fn fixed_widths_are_the_widths_of_the_cells_written() {
        let spec = ViewSpec::new(crate::model::time::now_jst());
        let mut row = seed_row();
        let columns = [
            Column::Secured,
            Column::Ready,
            Column::Inpatients,
            Column::Free,
            Column::RecordDate,
            Column::ReportedAt,
        ];
        for (secured, ready, inpatients) in [
            (Some(0), Some(0), Some(0)),
            (None, Some(5), Some(123)),
            (Some(4_000_000_000), None, Some(7)),
        ] {
            row.secured = secured;
            row.ready = ready;
            row.inpatients = inpatients;
            for column in columns {
                let text = view::cell_text(&row, column, &spec);
                let width = fixed_width(&row, column, &spec).expect("a fixed width");
                assert_eq!(
                    width,
                    width::str_width(&text, AmbiguousWidth::Narrow),
                    "{column:?}"
                );
                let mut cell = String::new();
                if let Some(Some(value)) = count_of(&row, column) {
                    push_integer(&mut cell, value);
                    assert_eq!(cell, text);
                }
            }
        }
        assert_eq!(fixed_width(&row, Column::HospitalName, &spec), None);
    }

    /// The computed cell and its width, against `view::cell_text`.
    fn assert_computed(row: &ReportRow, spec: &ViewSpec, columns: &[Column]) {
        for &column in columns {
            let text = view::cell_text(row, column, spec);
            let mut cell = String::new();
            assert!(
                push_computed_cell(&mut cell, row, column, spec),
                "{column:?}"
            );
            assert_eq!(cell, text, "{column:?}");
            let width = fixed_width(row, column, spec).expect("a fixed width");
            assert_eq!(
                width,
                width::str_width(&text, AmbiguousWidth::Narrow),
                "{column:?} {text}"
            );
        }
    }

    #[test]
    fn rows_formatted_on_both_cores_are_written_in_the_view_order() {
        use crate::model::HospitalCode;
        use crate::view::{SortDirection, SortKey};
        let count = view::parallel::MIN_PART * 2 + 123;
        let rows: Vec<ReportRow> = (0..count)
            .map(|i| {
                let mut row = seed_row();
                row.hospital_code = HospitalCode::parse(&format!("13{i:08}")).unwrap();
                row.hospital_name = format!("病院{i:06}").into();
                row.secured = Some((i * 7919 % 500) as u32);
                row
            })
            .collect();
        let report = Report {
            extra_columns: Vec::new(),
            rows,
        };
        let mut spec =
            ViewSpec::new(crate::model::time::parse_datetime("2022/02/01 12:00").unwrap());
        spec.sort = Some(SortKey {
            column: Column::Secured,
            direction: SortDirection::Descending,
        });
        let view = View::build(&report, &spec);
        let options = PlainOptions {
            width: None,
            ambiguous: AmbiguousWidth::Narrow,
            ascii: false,
        };
        let text = render(&report, &view, &spec, "test", &options);
        let body: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.contains("病院"))
            .collect();
        assert_eq!(body.len(), count + 1, "every row, then the grand total");
        for (line, &i) in body.iter().zip(&view.order) {
            let name = &*report.rows[i].hospital_name;
            assert!(line.starts_with(name), "{line} is not the line of {name}");
        }
        assert!(body[count].contains("総計"));
    }

    #[test]
    fn percentages_are_written_as_the_formatter_rounds_them() {
        let spec = ViewSpec::new(crate::model::time::now_jst());
        let mut row = seed_row();
        for ready in (0..=400).chain([1_000_000, u32::MAX]) {
            for inpatients in (0..=420).chain([999_999, u32::MAX]) {
                row.ready = Some(ready);
                row.inpatients = Some(inpatients);
                assert_computed(&row, &spec, &[Column::Occupancy]);
            }
        }
        row.inpatients = None;
        assert_computed(&row, &spec, &[Column::Occupancy]);
        assert!(matches!(whole_percent(-0.004), Percent::NegativeZero));
        assert_eq!(format!("{:.0}%", -0.004 * 100.0), "-0%");
        assert!(matches!(whole_percent(0.125), Percent::Whole(12)));
        assert!(matches!(whole_percent(f64::NAN), Percent::Other));
    }

    #[test]
    fn ages_statuses_and_prefecture_numbers_are_written_as_the_view_writes_them() {
        let mut row = seed_row();
        let base = row.reported_at;
        let seconds = [
            -200_000, -3_600, -61, -60, -59, -1, 0, 1, 59, 60, 61, 3_599, 3_600,
        ];
        let minutes = (0..3_000).chain([172_799, 172_800, 172_860, 10_000_000]);
        let offsets = seconds.into_iter().chain(minutes.map(|m: i64| m * 60 + 7));
        for offset in offsets {
            let mut spec = ViewSpec::new(base + chrono::Duration::seconds(offset));
            spec.stale_after = chrono::Duration::hours(1);
            assert_computed(&row, &spec, &[Column::Age, Column::Status]);
        }
        let spec = ViewSpec::new(base);
        for number in 1..=47 {
            row.prefecture_no = crate::model::PrefectureNumber::new(number).expect("1 to 47");
            assert_computed(&row, &spec, &[Column::PrefectureNo]);
        }
        // Every flag, in the order the view words them.
        row.ready = Some(10);
        row.inpatients = Some(11);
        row.secured = Some(9);
        row.record_date = (base + chrono::Duration::days(2)).date_naive();
        row.reported_at = base + chrono::Duration::days(1);
        let mut spec = ViewSpec::new(base);
        assert_computed(&row, &spec, &[Column::Status, Column::Age]);
        spec.now = base + chrono::Duration::days(30);
        assert_computed(&row, &spec, &[Column::Status, Column::Age]);
    }
}

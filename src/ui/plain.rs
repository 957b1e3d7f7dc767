//! The report as plain text: `bedboard print`, for dumb terminals, cron and mail.
//! Aligned in display cells through the width module; numbers are never cut.

use std::io::IsTerminal;

use super::table_layout::{self, ColumnWidth, Separators};
use crate::model::{Column, ColumnKind, Report, Totals};
use crate::text::width::{self, Align, AmbiguousWidth};
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

pub fn render(
    report: &Report,
    view: &View,
    spec: &ViewSpec,
    source: &str,
    options: &PlainOptions,
) -> String {
    let all_columns = view::display_columns(report);
    let cells = body_cells(report, view, spec, &all_columns);
    let separators = Separators::new(options.ascii, options.ambiguous);
    let layout = Layout::fit(report, &all_columns, &cells, &separators, options);

    let mut out = String::new();
    for line in summary_lines(view, spec, source) {
        push_line(&mut out, &line);
    }
    if !layout.hidden.is_empty() {
        let names: Vec<&str> = layout
            .hidden
            .iter()
            .map(|&c| view::column_header(report, c))
            .collect();
        push_line(
            &mut out,
            &format!(
                "表示しきれない列: {}（--width を広げると表示します）",
                names.join("、")
            ),
        );
    }
    for header_line in layout.header_lines(report) {
        push_row(
            &mut out,
            &layout,
            &header_line,
            &separators,
            options.ambiguous,
            false,
        );
    }
    let rule: Vec<String> = layout.widths.iter().map(|&w| separators.rule(w)).collect();
    push_line(&mut out, &rule.join(separators.cross));
    if view.order.is_empty() {
        push_line(&mut out, "該当する行はありません");
    }
    for line in &cells {
        match line {
            BodyLine::Heading(text) => push_line(&mut out, text),
            BodyLine::Cells(row) => {
                let shown = &row[..layout.columns.len()];
                push_row(
                    &mut out,
                    &layout,
                    shown,
                    &separators,
                    options.ambiguous,
                    true,
                )
            }
        }
    }
    out
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
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

/// One line of the table body, with a cell for every column.
enum BodyLine {
    Heading(String),
    Cells(Vec<String>),
}

fn body_cells(report: &Report, view: &View, spec: &ViewSpec, columns: &[Column]) -> Vec<BodyLine> {
    let row_cells = |i: usize| -> BodyLine {
        let row = &report.rows[i];
        BodyLine::Cells(
            columns
                .iter()
                .map(|&c| crate::text::sanitize(&view::cell_text(row, c, spec)).into_owned())
                .collect(),
        )
    };
    let mut lines = Vec::new();
    if view.groups.is_empty() {
        lines.extend(view.order.iter().map(|&i| row_cells(i)));
    } else {
        for group in &view.groups {
            lines.push(BodyLine::Heading(format!(
                "{} ({})",
                group.label,
                group.rows.len()
            )));
            lines.extend(view.order[group.rows.clone()].iter().map(|&i| row_cells(i)));
            lines.push(BodyLine::Cells(total_cells(columns, "小計", &group.totals)));
        }
    }
    if !view.order.is_empty() {
        lines.push(BodyLine::Cells(total_cells(columns, "総計", &view.totals)));
    }
    lines
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
        lines: &[BodyLine],
        separators: &Separators,
        options: &PlainOptions,
    ) -> Self {
        let amb = options.ambiguous;
        let mut data = vec![0usize; columns.len()];
        for line in lines {
            if let BodyLine::Cells(cells) = line {
                for (w, cell) in data.iter_mut().zip(cells) {
                    *w = (*w).max(width::str_width(cell, amb));
                }
            }
        }
        let wants: Vec<ColumnWidth> = columns
            .iter()
            .zip(&data)
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

fn push_row<S: AsRef<str>>(
    out: &mut String,
    layout: &Layout,
    cells: &[S],
    separators: &Separators,
    amb: AmbiguousWidth,
    is_data: bool,
) {
    let mut line = String::new();
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
            width::push_fit_number(&mut line, cell.as_ref(), w);
        } else {
            width::push_fit(&mut line, cell.as_ref(), w, Align::Left, amb);
        }
    }
    push_line(out, &line);
}

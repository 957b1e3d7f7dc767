//! `bedboard print --near`: the 搬送先候補 list as plain text, nearest first.

use super::plain::PlainOptions;
use super::table_layout::Separators;
use crate::model::Report;
use crate::text::width::{self, Align, AmbiguousWidth};
use crate::view::near::{
    fit_columns, Candidate, Locator, NearColumn, NearList, NearOrder, APPROXIMATE_MARK,
};
use crate::view::{ViewDescription, ViewSpec};

/// What the list shows, besides the rows.
pub struct NearPrint<'a> {
    pub list: &'a NearList,
    pub shown: &'a [&'a Candidate],
    pub report: &'a Report,
    pub locator: Locator<'a>,
    pub spec: &'a ViewSpec,
    /// Where the data comes from.
    pub source: &'a str,
    pub order: NearOrder,
}

pub fn render_near(near: &NearPrint<'_>, options: &PlainOptions) -> String {
    let amb = options.ambiguous;
    let separators = Separators::new(options.ascii, amb);
    let cells: Vec<Vec<String>> = near
        .shown
        .iter()
        .map(|c| {
            NearColumn::ALL
                .iter()
                .map(|col| {
                    let text = col.cell(c, near.report, &near.locator, near.spec);
                    crate::text::sanitize(&text).into_owned()
                })
                .collect()
        })
        .collect();
    let wants: Vec<(NearColumn, usize)> = NearColumn::ALL
        .iter()
        .enumerate()
        .map(|(i, &col)| {
            let data = cells.iter().map(|row| width::str_width(&row[i], amb)).max();
            let header = width::str_width(col.header(), amb);
            (col, data.unwrap_or(0).max(header))
        })
        .collect();
    let layout = fit_columns(&wants, separators.width(), options.width);

    let mut out = String::new();
    for line in heading_lines(near) {
        push_line(&mut out, &line);
    }
    let headers: Vec<String> = NearColumn::ALL
        .iter()
        .map(|c| c.header().to_string())
        .collect();
    push_row(&mut out, &layout, &headers, &separators, amb, false);
    let rule: Vec<String> = layout.iter().map(|&(_, w)| separators.rule(w)).collect();
    push_line(&mut out, &rule.join(separators.cross));
    if near.shown.is_empty() {
        push_line(&mut out, "該当する病院はありません");
    }
    for row in &cells {
        push_row(&mut out, &layout, row, &separators, amb, true);
    }
    out
}

/// 搬送先候補 and the origin, the border, the data, and what 「約」 means.
fn heading_lines(near: &NearPrint<'_>) -> Vec<String> {
    let list = near.list;
    let mut first = format!(
        "搬送先候補  {}  {} 件",
        list.origin_line(),
        near.shown.len()
    );
    if list.unplaced > 0 {
        first.push_str(&format!("（位置の分からない {} 件を除く）", list.unplaced));
    }
    let mut lines = vec![first];
    lines.extend(list.border_note());
    let mut description = ViewDescription::of(near.spec);
    description.sort = near.order.label();
    lines.push(
        crate::text::sanitize(&format!(
            "データ: {}  {}  時刻: {}",
            near.source,
            description.line(),
            crate::model::time::format_datetime(&near.spec.now),
        ))
        .into_owned(),
    );
    if near.shown.iter().any(|c| c.position.approximate) {
        lines.push(approximate_legend());
    }
    lines
}

/// 「約」 before a distance: measured from the municipality's point (概算).
pub fn approximate_legend() -> String {
    format!("{APPROXIMATE_MARK}: 概算（医療機関マスタに緯度・経度がなく、市区町村の役所付近からの距離）")
}

fn push_line(out: &mut String, line: &str) {
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `cells` has one entry per column of [`NearColumn::ALL`]; the layout picks.
fn push_row(
    out: &mut String,
    layout: &[(NearColumn, usize)],
    cells: &[String],
    separators: &Separators,
    amb: AmbiguousWidth,
    is_data: bool,
) {
    let mut line = String::new();
    for (i, &(column, w)) in layout.iter().enumerate() {
        if i > 0 {
            line.push_str(separators.column);
        }
        let at = NearColumn::ALL
            .iter()
            .position(|&c| c == column)
            .unwrap_or(0);
        let cell = cells.get(at).map_or("", String::as_str);
        let align = if is_data && column.is_number() {
            Align::Right
        } else {
            Align::Left
        };
        width::push_fit(&mut line, cell, w, align, amb);
    }
    push_line(out, &line);
}

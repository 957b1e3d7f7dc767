//! The 医療機関マスタ and 自治体マスタ lists, as G-MIS shows them:
//! 「612 件・並び替え: 医療機関コード・更新: 3分前」 above the list.

use ratatui::layout::Rect;
use ratatui::style::Style;

use super::app::{App, ViewKind};
use super::painter::Painter;
use super::table_layout::{self, Separators};
use super::theme::Theme;
use crate::text::width::Align;

/// (header, width) of each column after the first.
const HOSPITAL_COLUMNS: [(&str, u16); 6] = [
    ("医療機関コード", 14),
    ("施設類型", 8),
    ("市区町村", 10),
    ("電話（夜間・救急）", 18),
    ("電話（代表）", 14),
    ("照合", 20),
];
const MUNICIPALITY_COLUMNS: [(&str, u16); 4] = [
    ("全国地方公共団体コード", 22),
    ("都道府県", 8),
    ("二次医療圏", 18),
    ("報告のある病院", 14),
];

pub fn draw(p: &mut Painter, app: &App, theme: &Theme, area: Rect) {
    let (count, key, missing) = match app.kind {
        ViewKind::HospitalMaster => (
            app.hospitals.as_ref().map(|m| m.len()),
            "医療機関コード",
            "医療機関マスタが読み込まれていません（--master PATH か設定ファイルの [master] hospitals）",
        ),
        _ => (
            app.municipalities.as_ref().map(|m| m.len()),
            "全国地方公共団体コード",
            "自治体マスタが読み込まれていません（--municipalities PATH か設定ファイルの [master] municipalities）",
        ),
    };
    let Some(total) = count else {
        p.put(2, area.y, area.right(), missing, theme.status);
        return;
    };
    let updated = app
        .masters_read_at
        .map_or("-".to_string(), |at| app.age_text(&at));
    let shown = if app.master_lines.len() == total {
        format!("{total} 件")
    } else {
        format!("{} / {total} 件", app.master_lines.len())
    };
    let summary = format!(
        "{shown}・並び替え: {key}・更新: {updated}  {}",
        app.cross.summary()
    );
    p.put(0, area.y, area.right(), &summary, theme.column_header);
    let name_width = 28u16.min(area.width / 3);
    let columns: &[(&str, u16)] = match app.kind {
        ViewKind::HospitalMaster => &HOSPITAL_COLUMNS,
        _ => &MUNICIPALITY_COLUMNS,
    };
    let header_y = area.y + 1;
    let first = if app.kind == ViewKind::HospitalMaster {
        "  医療機関名"
    } else {
        "  市区町村"
    };
    p.cell(
        0,
        header_y,
        2 + name_width,
        first,
        Align::Left,
        theme.column_header,
    );
    let placed = Placed::new(app, columns, name_width, area.width);
    placed.draw(
        p,
        header_y,
        |i| columns[i].0.to_string(),
        theme.column_header,
    );
    let body_top = area.y + 2;
    let rows = usize::from(area.height.saturating_sub(2));
    for (n, &index) in app
        .master_lines
        .iter()
        .enumerate()
        .skip(app.scroll)
        .take(rows)
    {
        let y = body_top + (n - app.scroll) as u16;
        let style = if n == app.selected {
            theme.selected
        } else {
            Style::new()
        };
        p.fill(Rect::new(0, y, area.width, 1), style);
        let (name, cells) = row_cells(app, index);
        let mark = if n == app.selected { ">" } else { " " };
        p.put(0, y, 1, mark, style);
        p.cell(2, y, name_width, &name, Align::Left, style);
        placed.draw(p, y, |i| cells[i].clone(), style);
    }
    if app.master_lines.is_empty() {
        p.put(
            2,
            body_top,
            area.right(),
            "該当する行はありません",
            theme.status,
        );
    }
}

/// The columns after the name that fit: where each starts and how wide it is.
struct Placed {
    separators: Separators,
    /// (x, width) of each column shown, in order.
    columns: Vec<(u16, u16)>,
}

impl Placed {
    fn new(app: &App, columns: &[(&str, u16)], name_width: u16, screen: u16) -> Self {
        let separators = Separators::new(app.options.ascii, app.options.ambiguous);
        let widths: Vec<usize> = columns.iter().map(|&(_, w)| usize::from(w)).collect();
        let placed = table_layout::fit_after_first(
            usize::from(name_width),
            &widths,
            separators.width(),
            2,
            usize::from(screen),
        );
        let columns = placed
            .into_iter()
            .map(|(x, w)| (x as u16, w as u16))
            .collect();
        Self {
            separators,
            columns,
        }
    }

    fn draw(&self, p: &mut Painter, y: u16, text: impl Fn(usize) -> String, style: Style) {
        let gap = self.separators.width() as u16;
        for (i, &(x, w)) in self.columns.iter().enumerate() {
            p.put(x - gap, y, x, self.separators.column, style);
            p.cell(x, y, w, &text(i), Align::Left, style);
        }
    }
}

fn row_cells(app: &App, index: usize) -> (String, Vec<String>) {
    match app.kind {
        ViewKind::HospitalMaster => {
            let Some(m) = app.hospitals.as_deref() else {
                return (String::new(), Vec::new());
            };
            let r = &m.records()[index];
            let findings: Vec<&str> = app
                .cross
                .kinds_for(&r.code)
                .iter()
                .map(|k| k.label())
                .collect();
            (
                r.name.clone(),
                vec![
                    r.code.to_string(),
                    r.facility_type.clone(),
                    r.municipality.clone(),
                    r.phone_night.clone().unwrap_or_default(),
                    r.phone_main.clone().unwrap_or_default(),
                    findings.join("・"),
                ],
            )
        }
        _ => {
            let Some(m) = app.municipalities.as_deref() else {
                return (String::new(), Vec::new());
            };
            let r = &m.records()[index];
            let reporting = app
                .prepared
                .report
                .rows
                .iter()
                .filter(|row| row.municipality_code == r.code)
                .count();
            let area = match &r.area_code {
                Some(code) => format!("{code} {}", r.area_name),
                None => r.area_name.clone(),
            };
            (
                crate::text::sanitize(&r.name).into_owned(),
                vec![
                    r.code.to_string(),
                    r.prefecture.clone(),
                    area,
                    format!("{reporting} 件"),
                ],
            )
        }
    }
}

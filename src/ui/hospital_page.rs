//! The hospital page: phones first, the master record, the latest report, the
//! cross-check findings and 30 days of history drawn in Braille. The page
//! opens with what is in memory; the history comes later from the store.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::chart::{report_frequency, sample_daily, BrailleChart};
use super::effect::History;
use super::painter::Painter;
use super::theme::Theme;
use crate::master::{dial_string, HospitalRecord};
use crate::model::{time, HospitalCode, JstDateTime, ReportRow};
use crate::text::width::Align;
use crate::view::{self, ViewSpec};

/// Days of history the page shows.
pub const HISTORY_DAYS: usize = 30;

/// The page's content, gathered once when it opens.
#[derive(Clone, Debug)]
pub struct HospitalPage {
    pub code: HospitalCode,
    pub name: String,
    /// (label, number), the emergency line first.
    pub phones: Vec<(String, String)>,
    /// Which phone `c` copies.
    pub phone_index: usize,
    /// (label, text) lines of the master record.
    pub details: Vec<(String, String)>,
    /// The latest report in words, and its marks.
    pub report: Vec<String>,
    pub findings: Vec<String>,
    /// Daily 即応病床 / 入院中 / 空床, oldest first; empty without history.
    pub history: [Vec<Option<f64>>; 3],
    pub frequency: String,
    /// Why there is no history (or that it is being read), if there is none.
    pub history_note: Option<String>,
    /// The start of the history shown.
    pub since: JstDateTime,
}

impl HospitalPage {
    pub fn new(
        code: HospitalCode,
        row: Option<&ReportRow>,
        record: Option<&HospitalRecord>,
        findings: Vec<String>,
        spec: &ViewSpec,
    ) -> Self {
        let name = record
            .map(|r| r.name.clone())
            .or_else(|| row.map(|r| r.hospital_name.clone()))
            .unwrap_or_else(|| code.to_string());
        let phones = record
            .map(|r| {
                r.phones()
                    .into_iter()
                    .map(|(l, n)| (l.to_string(), n.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut page = Self {
            code,
            name,
            phones,
            phone_index: 0,
            details: record.map(details).unwrap_or_default(),
            report: row
                .map(|r| report_lines(r, spec))
                .unwrap_or_else(|| vec!["報告はありません".to_string()]),
            findings,
            history: Default::default(),
            frequency: String::new(),
            history_note: Some("履歴はありません（履歴ファイルを使っていません）".into()),
            since: spec.now - chrono::Duration::days(HISTORY_DAYS as i64 - 1),
        };
        if record.is_none() {
            page.details.push((
                "医療機関マスタ".into(),
                "登録がありません（--master で読み込めます）".into(),
            ));
        }
        page
    }

    /// The history is asked of the store: say so until it comes.
    pub fn history_loading(&mut self) {
        self.history_note = Some("履歴を読み込み中…".into());
    }

    /// Takes the history read from the store (since [`HospitalPage::since`]).
    pub fn show_history(&mut self, versions: Result<History, String>) {
        let from = self.since;
        let versions = match versions {
            Ok(v) if !v.is_empty() => v,
            Ok(_) => {
                self.history_note = Some("この病院の履歴はまだありません".into());
                return;
            }
            Err(err) => {
                self.history_note = Some(err);
                return;
            }
        };
        self.history_note = None;
        let series = |value: fn(&ReportRow) -> Option<i64>| -> Vec<Option<f64>> {
            let points: Vec<(JstDateTime, i64)> = versions
                .iter()
                .filter_map(|(at, row)| Some((*at, value(row)?)))
                .collect();
            sample_daily(&points, from, HISTORY_DAYS)
        };
        self.history = [
            series(|r| r.ready.map(i64::from)),
            series(|r| r.inpatients.map(i64::from)),
            series(|r| r.free_beds()),
        ];
        let times: Vec<JstDateTime> = versions.iter().map(|(_, row)| row.reported_at).collect();
        self.frequency = report_frequency(&times);
    }

    pub fn selected_phone(&self) -> Option<&(String, String)> {
        self.phones.get(self.phone_index)
    }

    pub fn next_phone(&mut self) {
        if !self.phones.is_empty() {
            self.phone_index = (self.phone_index + 1) % self.phones.len();
        }
    }

    /// The digits of the selected phone number, for the clipboard.
    pub fn phone_to_copy(&self) -> Option<String> {
        self.selected_phone().map(|(_, number)| dial_string(number))
    }
}

fn details(record: &HospitalRecord) -> Vec<(String, String)> {
    let mut lines = vec![
        ("施設類型".to_string(), record.facility_type.clone()),
        ("住所".to_string(), full_address(record)),
        ("診療科".to_string(), record.departments.join("・")),
        ("担当者".to_string(), record.contact.clone()),
    ];
    if let Some(beds) = record.licensed_beds {
        lines.push(("許可病床数".to_string(), beds.to_string()));
    }
    lines.push(("二次医療圏".to_string(), record.area_name.clone()));
    lines.retain(|(_, v)| !v.is_empty());
    lines
}

/// The address with its municipality, once.
fn full_address(record: &HospitalRecord) -> String {
    if record.address.starts_with(&record.municipality) {
        record.address.clone()
    } else {
        format!("{}{}", record.municipality, record.address)
    }
}

fn report_lines(row: &ReportRow, spec: &ViewSpec) -> Vec<String> {
    let count = |v: Option<u32>| v.map_or("空欄".to_string(), |v| v.to_string());
    let mut lines = vec![
        format!(
            "報告日時 {}（{}）  実績日 {}",
            time::format_datetime(&row.reported_at),
            time::format_age(row.age(&spec.now)),
            time::format_date(row.record_date)
        ),
        format!(
            "確保病床 {}  即応病床 {}  入院中 {}  空床 {}  使用率 {}",
            count(row.secured),
            count(row.ready),
            count(row.inpatients),
            row.free_beds().map_or("-".to_string(), |v| v.to_string()),
            Some(view::format_percent(row.occupancy()))
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "-".to_string()),
        ),
        format!(
            "医療機関コード {}  {} {}  {} {}",
            row.hospital_code,
            row.municipality_code,
            row.municipality,
            row.area_code,
            row.area_name
        ),
    ];
    let status = view::status_text(row, spec);
    if !status.is_empty() {
        lines.push(format!("状態: {status}"));
    }
    lines.extend(
        row.flags(&spec.now)
            .iter()
            .map(|f| format!("要確認: {}", f.description())),
    );
    lines
}

/// Draws the page over the table area.
pub fn draw(p: &mut Painter, page: &HospitalPage, theme: &Theme, area: Rect) {
    p.frame(area, &crate::text::sanitize(&page.name), theme.popup);
    let (left, right) = (area.x + 2, area.right().saturating_sub(2));
    let mut y = area.y + 1;
    let bottom = area.bottom().saturating_sub(2);
    let mut line = |p: &mut Painter, text: &str, style: Style| {
        if y < bottom {
            p.cell(left, y, right - left, text, Align::Left, style);
            y += 1;
        }
    };
    let phone_style = theme.popup.add_modifier(Modifier::BOLD);
    if page.phones.is_empty() {
        line(p, "電話番号: 登録がありません", theme.popup);
    }
    for (i, (label, number)) in page.phones.iter().enumerate() {
        let selected = i == page.phone_index;
        let mark = if selected { ">" } else { " " };
        let style = if selected {
            phone_style.add_modifier(Modifier::REVERSED)
        } else {
            phone_style
        };
        line(p, &format!("{mark} 電話（{label}）  {number}"), style);
    }
    for (label, value) in &page.details {
        line(p, &format!("  {label}: {value}"), theme.popup);
    }
    line(p, "", theme.popup);
    line(p, "最新の報告", theme.column_header.patch(theme.popup));
    for text in &page.report {
        line(p, &format!("  {text}"), theme.popup);
    }
    for finding in &page.findings {
        line(
            p,
            &format!("  照合: {finding}"),
            theme.flagged.patch(theme.popup),
        );
    }
    line(p, "", theme.popup);
    let title = format!(
        "{HISTORY_DAYS} 日の推移（即応病床・入院中・空床）  {}",
        page.frequency
    );
    line(p, &title, theme.column_header.patch(theme.popup));
    match &page.history_note {
        Some(note) => line(p, &format!("  {note}"), theme.popup),
        None => {
            for (s, label) in page.history.iter().zip(["即応病床", "入院中", "空床"]) {
                // Room for the label in front and 「最大 NNN」 behind.
                let width = usize::from((right - left).saturating_sub(22));
                let chart = BrailleChart::new(&[s.as_slice()], width, 1);
                let max = chart.max;
                let label = crate::text::width::fit(label, 10, Align::Left, p.amb);
                for chart_line in chart.lines() {
                    line(p, &format!("{label}{chart_line} 最大 {max}"), theme.popup);
                }
            }
        }
    }
    let help = "c: 電話番号をコピー  Tab: 電話を選ぶ  Esc: 戻る";
    p.put(
        left,
        area.bottom().saturating_sub(2),
        right,
        help,
        theme.popup,
    );
}

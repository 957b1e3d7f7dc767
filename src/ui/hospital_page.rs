//! The hospital page: phones first, the master record, the latest report, the
//! cross-check findings and 30 days of history drawn in Braille. The page
//! opens with what is in memory; the history comes later from the store.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::chart::{date_axis, report_frequency_at, sample_daily, BrailleChart};
use super::effect::History;
use super::painter::{centered, Painter};
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
    /// The 照合 findings about this hospital, in words.
    pub findings: Vec<String>,
    /// A master took part in the 照合, so no findings means they agree.
    pub checked: bool,
    /// The phone just sent to the clipboard, (label, number), shown large until a key.
    pub copied: Option<(String, String)>,
    /// Daily 即応病床 / 入院中 / 空床, oldest first; empty without history.
    pub history: [Vec<Option<f64>>; 3],
    pub frequency: String,
    /// Why there is no history (or that it is being read), if there is none.
    pub history_note: Option<String>,
    /// The start of the history shown.
    pub since: JstDateTime,
    /// The dashboard's clock when the page opened: ages on the page are from it.
    pub now: JstDateTime,
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
            .or_else(|| row.map(|r| r.hospital_name.to_string()))
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
            findings: findings
                .iter()
                .map(|f| without_code(f, &code).to_string())
                .collect(),
            checked: false,
            copied: None,
            history: Default::default(),
            frequency: String::new(),
            history_note: Some("履歴はありません（履歴ファイルを使っていません）".into()),
            since: spec.now - chrono::Duration::days(HISTORY_DAYS as i64 - 1),
            now: spec.now,
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
        self.frequency = report_frequency_at(&times, &self.now);
    }

    pub fn selected_phone(&self) -> Option<&(String, String)> {
        self.phones.get(self.phone_index)
    }

    pub fn next_phone(&mut self) {
        if !self.phones.is_empty() {
            self.phone_index = (self.phone_index + 1) % self.phones.len();
        }
    }

    /// Shows the selected phone large, as it was sent.
    pub fn show_copied(&mut self) {
        self.copied = self.selected_phone().cloned();
    }

    /// The digits of the selected phone number, for the clipboard.
    pub fn phone_to_copy(&self) -> Option<String> {
        self.selected_phone().map(|(_, number)| dial_string(number))
    }
}

/// A finding's sentence without the hospital's code in front: the page is that hospital's.
fn without_code<'a>(message: &'a str, code: &HospitalCode) -> &'a str {
    message
        .strip_prefix(code.as_str())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
}

/// The master record in four lines at most: the short items share the first.
fn details(record: &HospitalRecord) -> Vec<(String, String)> {
    let short: Vec<String> = [
        ("施設類型", record.facility_type.clone()),
        (
            "許可病床数",
            record
                .licensed_beds
                .map_or(String::new(), |b| b.to_string()),
        ),
        ("二次医療圏", record.area_name.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(label, v)| format!("{label}: {v}"))
    .collect();
    let mut lines = vec![
        (String::new(), short.join("  ")),
        ("住所".to_string(), full_address(record)),
        ("診療科".to_string(), record.departments.join("・")),
        ("担当者".to_string(), record.contact.clone()),
    ];
    lines.retain(|(_, v)| !v.is_empty());
    lines
}

/// The address with its municipality, once: a master's 住所 may start with the
/// municipality, with the prefecture and the municipality, or with neither.
fn full_address(record: &HospitalRecord) -> String {
    if record.municipality.is_empty() || record.address.contains(&record.municipality) {
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

/// One line of the page and its look.
struct PageLine {
    text: String,
    style: Style,
}

/// Draws the page over the table area. When the screen is short, blank
/// separators go first so the chart still shows.
pub fn draw(p: &mut Painter, page: &HospitalPage, theme: &Theme, area: Rect) {
    p.frame(area, &crate::text::sanitize(&page.name), theme.popup);
    let (left, right) = (area.x + 2, area.right().saturating_sub(2));
    let room = usize::from(area.height.saturating_sub(3));
    let mut lines = page_lines(p, page, theme, right.saturating_sub(left), room);
    if lines.len() > room {
        lines.retain(|l| !l.text.is_empty());
    }
    for (i, line) in lines.iter().take(room).enumerate() {
        let y = area.y + 1 + i as u16;
        p.cell(left, y, right - left, &line.text, Align::Left, line.style);
    }
    let help = "c: 電話番号を端末へ送る  Tab: 電話を選ぶ  Esc: 戻る";
    let footer = area.bottom().saturating_sub(2);
    p.cell(left, footer, right - left, help, Align::Left, theme.popup);
    if let Some((label, number)) = &page.copied {
        draw_copied(p, theme, area, label, number);
    }
}

/// The page's lines for `width` cells; the charts grow (up to 4 lines each) into
/// what is left of `room`.
fn page_lines(
    p: &Painter,
    page: &HospitalPage,
    theme: &Theme,
    width: u16,
    room: usize,
) -> Vec<PageLine> {
    let mut lines = Vec::new();
    let mut line = |text: String, style: Style| lines.push(PageLine { text, style });
    let phone_style = theme.popup.add_modifier(Modifier::BOLD);
    if page.phones.is_empty() {
        line("電話番号: 登録がありません".into(), theme.popup);
    }
    for (i, (label, number)) in page.phones.iter().enumerate() {
        let selected = i == page.phone_index;
        let mark = if selected { ">" } else { " " };
        let style = if selected {
            phone_style.add_modifier(Modifier::REVERSED)
        } else {
            phone_style
        };
        line(format!("{mark} 電話（{label}）  {number}"), style);
    }
    for (label, value) in &page.details {
        let text = match label.as_str() {
            "" => format!("  {value}"),
            _ => format!("  {label}: {value}"),
        };
        line(text, theme.popup);
    }
    line(String::new(), theme.popup);
    line("最新の報告".into(), theme.column_header.patch(theme.popup));
    for text in &page.report {
        line(format!("  {text}"), theme.popup);
    }
    let flagged = theme.flagged.patch(theme.popup);
    // A finding is read whole: wrapped under its own start, never cut.
    let finding_width = usize::from(width).saturating_sub(8).max(1);
    for finding in &page.findings {
        let wrapped = super::help::wrap_words(finding, finding_width, p.amb);
        for (i, part) in wrapped.into_iter().enumerate() {
            let lead = if i == 0 { "  照合: " } else { "        " };
            line(format!("{lead}{part}"), flagged);
        }
    }
    if page.findings.is_empty() && page.checked {
        line("  照合: マスタと一致しています".into(), theme.popup);
    }
    line(String::new(), theme.popup);
    let title = format!(
        "{HISTORY_DAYS} 日の推移（即応病床・入院中・空床）  {}",
        page.frequency
    );
    line(title, theme.column_header.patch(theme.popup));
    match &page.history_note {
        Some(note) => line(format!("  {note}"), theme.popup),
        None => {
            // Room for the label in front and 「最大 NNN」 behind.
            let chart_width = usize::from(width.saturating_sub(22));
            let spare = room.saturating_sub(lines.len() + 1);
            let height = (spare / 3).clamp(1, 4);
            let blank = " ".repeat(10);
            for (s, label) in page.history.iter().zip(["即応病床", "入院中", "空床"]) {
                let chart = BrailleChart::new(&[s.as_slice()], chart_width, height);
                let max = format!(" 最大 {}", chart.max);
                let label = crate::text::width::fit(label, 10, Align::Left, p.amb);
                for (i, chart_line) in chart.lines().into_iter().enumerate() {
                    let (front, back) = match i {
                        0 => (label.as_str(), max.as_str()),
                        _ => (blank.as_str(), ""),
                    };
                    lines.push(PageLine {
                        text: format!("{front}{chart_line}{back}"),
                        style: theme.popup,
                    });
                }
            }
            let axis = date_axis(&page.since, &page.now, chart_width);
            lines.push(PageLine {
                text: format!("{blank}{axis}"),
                style: theme.popup,
            });
        }
    }
    lines
}

/// The number just sent, large enough to read aloud over the radio: full-width
/// digits in their groups, and what is known about the clipboard.
fn draw_copied(p: &mut Painter, theme: &Theme, area: Rect, label: &str, number: &str) {
    let width = area.width.saturating_sub(4).min(64);
    let text_width = usize::from(width.saturating_sub(4));
    // 「端末へ送りました」 on a line of its own, the caveat under it.
    let note: Vec<String> = super::update::COPY_SENT
        .split_inclusive('）')
        .flat_map(|part| match part.split_once('（') {
            Some((said, caveat)) => vec![said.to_string(), format!("（{caveat}")],
            None => vec![part.to_string()],
        })
        .filter(|part| !part.is_empty())
        .flat_map(|part| super::help::wrap_words(&part, text_width, p.amb))
        .collect();
    let height = (note.len() as u16 + 6).min(area.height);
    let rect = centered(area, width, height);
    p.frame(rect, &format!("電話（{label}）"), theme.popup);
    let big = theme.popup.add_modifier(Modifier::BOLD);
    let inner = rect.width.saturating_sub(4);
    p.cell(
        rect.x + 2,
        rect.y + 2,
        inner,
        &spaced_number(number),
        Align::Center,
        big,
    );
    for (i, text) in note.iter().enumerate() {
        let y = rect.y + 4 + i as u16;
        p.cell(rect.x + 2, y, inner, text, Align::Left, theme.popup);
    }
    let close = "何かキーを押すと閉じます";
    let y = rect.bottom().saturating_sub(2);
    p.cell(rect.x + 2, y, inner, close, Align::Left, theme.popup);
}

/// 「03-1234-5678」 → 「０３　１２３４　５６７８」: each digit two cells wide in
/// every terminal, the groups apart.
pub fn spaced_number(number: &str) -> String {
    number
        .split('-')
        .filter(|g| !g.is_empty())
        .map(|group| {
            group
                .chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    c => c,
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\u{3000}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(municipality: &str, address: &str) -> HospitalRecord {
        let master = crate::master::import_hospital_master(
            format!("医療機関コード,医療機関名,市区町村,住所\n1310170043,東京病院,{municipality},{address}\n")
                .as_bytes(),
            &Default::default(),
        )
        .unwrap()
        .master;
        master.records()[0].clone()
    }

    #[test]
    fn the_address_names_its_municipality_once() {
        for (address, shown) in [
            (
                "東京都千代田区本町一丁目２番３号",
                "東京都千代田区本町一丁目２番３号",
            ),
            ("千代田区本町一丁目２番３号", "千代田区本町一丁目２番３号"),
            ("本町一丁目２番３号", "千代田区本町一丁目２番３号"),
            (
                "〒100-0001 東京都千代田区本町",
                "〒100-0001 東京都千代田区本町",
            ),
        ] {
            assert_eq!(full_address(&record("千代田区", address)), shown);
        }
        assert_eq!(full_address(&record("", "本町")), "本町");
    }

    #[test]
    fn a_finding_on_the_page_drops_the_code_it_is_about() {
        let code = HospitalCode::parse("1310170043").unwrap();
        assert_eq!(
            without_code("1310170043: 医療機関名が違います", &code),
            "医療機関名が違います"
        );
        assert_eq!(
            without_code("二次医療圏が違います", &code),
            "二次医療圏が違います"
        );
    }

    #[test]
    fn a_number_to_read_aloud_is_full_width_in_its_groups() {
        assert_eq!(
            spaced_number("03-1234-5678"),
            "０３\u{3000}１２３４\u{3000}５６７８"
        );
        assert_eq!(spaced_number("0120123456"), "０１２０１２３４５６");
    }
}

//! Exporting the report as G-MIS's export dialog offers it: 「詳細のみ」 (a CSV of
//! the detail rows, Shift-JIS or UTF-8) and 「フォーマット済みレポート」 (an Excel
//! workbook with title lines, group headings, subtotals and the grand total).
//!
//! Both read back through the importers ([`crate::formats::import_any`]) as the same
//! rows. The file is written to a temporary name beside it and renamed, so a failed
//! export never leaves a half-written file under the name asked for.

pub mod clean;
pub mod csv;
pub mod registration;
mod workbook;

use std::path::{Path, PathBuf};

use crate::model::{time, JstDateTime, Report, ReportRow};
use crate::view::{View, ViewDescription, ViewSpec};

use self::csv::{Lost, OutputEncoding};

/// G-MIS's 「エクスポートビュー」.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportView {
    /// 「詳細のみ」: the detail rows as CSV, what bedboard and other systems import.
    #[default]
    Details,
    /// 「フォーマット済みレポート」: an Excel workbook (.xlsx) laid out as the report.
    Formatted,
}

crate::text::names::named!(ExportView {
    Details => "details",
    Formatted => "formatted",
});

impl ExportView {
    pub fn label(self) -> &'static str {
        match self {
            ExportView::Details => "詳細のみ",
            ExportView::Formatted => "フォーマット済みレポート",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportView::Details => "csv",
            ExportView::Formatted => "xlsx",
        }
    }

    /// The view a file name asks for: .csv 詳細のみ, .xlsx フォーマット済み; none for another name.
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        [ExportView::Details, ExportView::Formatted]
            .into_iter()
            .find(|view| view.extension() == extension)
    }

    /// The view to write `path` in: `asked`, else the one its name asks for,
    /// else 詳細のみ. A view the name contradicts (`--view formatted --out x.csv`)
    /// is an error in words, since the file would not open as its name says.
    pub fn for_path(path: &Path, asked: Option<Self>) -> Result<Self, String> {
        match (asked, Self::of_path(path)) {
            (Some(asked), Some(named)) if asked != named => Err(format!(
                "「{}」は .{} で書き出します。{} の名前は .{} にしてください",
                asked.label(),
                asked.extension(),
                crate::files::shown(path),
                asked.extension()
            )),
            (Some(asked), _) => Ok(asked),
            (None, named) => Ok(named.unwrap_or_default()),
        }
    }
}

/// The text encoding of a 「詳細のみ」 CSV.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportEncoding {
    /// Shift-JIS (Windows-31J / CP932), as G-MIS writes it.
    #[default]
    Sjis,
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM, which Excel needs to open UTF-8 as UTF-8.
    Utf8Bom,
}

crate::text::names::named!(ExportEncoding {
    Sjis => "sjis",
    Utf8 => "utf8",
    Utf8Bom => "utf8-bom",
});

impl ExportEncoding {
    pub fn label(self) -> &'static str {
        match self {
            ExportEncoding::Sjis => "Shift-JIS",
            ExportEncoding::Utf8 => "UTF-8",
            ExportEncoding::Utf8Bom => "UTF-8（BOM 付き）",
        }
    }

    fn output(self) -> OutputEncoding {
        match self {
            ExportEncoding::Sjis => OutputEncoding::ShiftJis,
            ExportEncoding::Utf8 => OutputEncoding::Utf8,
            ExportEncoding::Utf8Bom => OutputEncoding::Utf8Bom,
        }
    }
}

/// The lines above the table of a formatted report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportHeader {
    /// 「病床数(消防)」
    pub title: String,
    /// 消防本部名, from the operator profile.
    pub fire_department: Option<String>,
    /// When the data was fetched, shown as 「取得日時」 beside the data's own
    /// time (the newest 報告日時 of the rows, which the workbook finds itself).
    pub fetched_at: Option<JstDateTime>,
    /// Sort, filter and grouping in words ([`ViewDescription::parts`]), one line each.
    pub conditions: Vec<String>,
}

/// The title of G-MIS's report for fire departments.
pub const DEFAULT_TITLE: &str = "病床数(消防)";

impl ReportHeader {
    /// The default title and the conditions of `spec`; no 消防本部.
    /// `fetched_at`: when the data was fetched (none for a file read now).
    pub fn new(spec: &ViewSpec, fetched_at: Option<JstDateTime>) -> Self {
        Self {
            title: DEFAULT_TITLE.to_string(),
            fire_department: None,
            fetched_at,
            conditions: ViewDescription::of(spec).parts().into(),
        }
    }
}

/// What to export: the report as the view shows it.
pub struct ExportRequest<'a> {
    pub report: &'a Report,
    /// The rows in the order and groups shown on screen (scope, filter, sort and
    /// grouping applied), built from `report`.
    pub view: &'a View,
    pub spec: &'a ViewSpec,
    pub export_view: ExportView,
    /// For 「詳細のみ」; an .xlsx holds any character and ignores it.
    pub encoding: ExportEncoding,
    /// Refuse to write a CSV in which a character had to become 〓.
    pub strict: bool,
    /// For 「フォーマット済みレポート」.
    pub header: ReportHeader,
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    pub path: PathBuf,
    /// Detail rows written.
    pub rows: usize,
    /// Characters Shift-JIS could not hold, written as 〓: (the line of the
    /// file, the character). For a CSV the header is line 1 and a line break
    /// inside a field starts a line; for a workbook it is the sheet's row.
    pub replaced: Vec<(usize, char)>,
    /// Characters the file cannot hold, left out ([`clean`]): (line, character).
    pub dropped: Vec<(usize, char)>,
}

impl ExportSummary {
    /// 「/path/bedboard-20220201-1132.csv に 12 行を書き出しました」
    pub fn message(&self) -> String {
        format!(
            "{} に {} 行を書き出しました",
            crate::files::shown(&self.path),
            self.rows
        )
    }

    /// What the file does not hold as it was, in words:
    /// 「ファイルに入れられない文字 1 か所を除きました（3 行目「U+E0100」）」,
    /// 「Shift-JIS で表せない文字 2 か所を 〓 に置き換えました（2 行目「𠮷」、5 行目「🏥」）」.
    pub fn warning(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.dropped.is_empty() {
            parts.push(format!(
                "ファイルに入れられない文字 {} か所を除きました（{}）",
                self.dropped.len(),
                describe_places(&self.dropped)
            ));
        }
        if !self.replaced.is_empty() {
            parts.push(format!(
                "Shift-JIS で表せない文字 {} か所を 〓 に置き換えました（{}）",
                self.replaced.len(),
                describe_places(&self.replaced)
            ));
        }
        (!parts.is_empty()).then(|| parts.join("。"))
    }
}

/// How many replaced characters a message names; the rest are counted.
const PLACES_SHOWN: usize = 5;

/// 「2 行目「𠮷」、5 行目「🏥」…」 by the line of the file; a character that
/// cannot be seen (a variation selector, ESC) by its code point: 「3 行目「U+E0100」」.
fn describe_places(places: &[(usize, char)]) -> String {
    let mut parts: Vec<String> = places
        .iter()
        .take(PLACES_SHOWN)
        .map(|&(line, c)| format!("{line} 行目「{}」", crate::text::shown_char(c)))
        .collect();
    if places.len() > PLACES_SHOWN {
        parts.push("…".to_string());
    }
    parts.join("、")
}

/// Why an export wrote nothing. Messages are for the dispatcher, in Japanese.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `strict`, and Shift-JIS cannot hold some characters: (line of the file, character).
    #[error(
        "Shift-JIS で表せない文字が {} か所にあります（{}）。--strict のため書き出していません",
        .places.len(),
        describe_places(.places)
    )]
    Unmappable { places: Vec<(usize, char)> },
    /// More rows than an Excel sheet holds.
    #[error("行が多すぎて Excel のシートに収まりません（{rows} 行、上限は {limit} 行）。「詳細のみ」の CSV にしてください")]
    TooManyRows { rows: usize, limit: usize },
    #[error("Excel ファイルを作れません（{message}）")]
    Workbook { message: String },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] crate::files::WriteError),
}

/// Writes the export to `path`, exactly as given (propose a name with [`proposed_name`]):
/// 「詳細のみ」 as CSV in the request's encoding, 「フォーマット済みレポート」 as .xlsx.
///
/// Nothing is written when it fails: not the file, not a temporary one.
pub fn export(request: &ExportRequest, path: &Path) -> Result<ExportSummary, ExportError> {
    export_with_progress(request, path, &mut |_, _| {})
}

/// Rows between two progress reports of an export.
const PROGRESS_STEP: usize = 5_000;

/// [`export`], telling `progress` the rows done so far and the rows in all.
pub fn export_with_progress(
    request: &ExportRequest,
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportSummary, ExportError> {
    let (rows, lost) = match request.export_view {
        ExportView::Details => details_csv(request, path, progress)?,
        ExportView::Formatted => {
            let rows = shown_rows(request.report, request.view).count();
            progress(0, rows);
            let (bytes, dropped) = workbook::formatted(request)?;
            progress(rows, rows);
            if let Some(places) = refused(request, &dropped) {
                return Err(ExportError::Unmappable { places });
            }
            crate::files::atomic::write_file(path, &bytes)?;
            (rows, dropped)
        }
    };
    let (dropped, replaced): (Vec<Lost>, Vec<Lost>) = lost.into_iter().partition(|l| l.dropped);
    Ok(ExportSummary {
        path: path.to_path_buf(),
        rows,
        replaced: places(&replaced),
        dropped: places(&dropped),
    })
}

fn places(lost: &[Lost]) -> Vec<(usize, char)> {
    lost.iter().map(|l| (l.line, l.character)).collect()
}

/// With `--strict`, the characters replaced by 〓 that stop the export.
fn refused(request: &ExportRequest, lost: &[Lost]) -> Option<Vec<(usize, char)>> {
    let replaced: Vec<Lost> = lost.iter().filter(|l| !l.dropped).copied().collect();
    (request.strict && !replaced.is_empty()).then(|| places(&replaced))
}

/// `bedboard-YYYYMMDD-HHMM.csv` (or `.xlsx`) for a time, in JST.
pub fn proposed_name(at: &JstDateTime, view: ExportView) -> String {
    format!(
        "bedboard-{}.{}",
        at.with_timezone(&time::jst()).format("%Y%m%d-%H%M"),
        view.extension()
    )
}

/// `path` if no file is there, else the first free `name-2.csv`, `name-3.csv`…
/// beside it, so that a proposed name never replaces an earlier export.
pub fn free_path(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..u32::MAX)
        .map(|n| path.with_file_name(format!("{stem}-{n}{extension}")))
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| path.to_path_buf())
}

/// The view's rows in its order. A position the report does not hold (a view
/// built from another report) is skipped rather than trusted.
fn shown_rows<'r>(report: &'r Report, view: &'r View) -> impl Iterator<Item = &'r ReportRow> {
    view.order.iter().filter_map(|&i| report.rows.get(i))
}

/// The 「詳細のみ」 CSV, written to `path` a row at a time through a buffer:
/// the rows written and what the file could not hold. With `--strict` the
/// file is written whole first and removed if a character had to be replaced.
fn details_csv(
    request: &ExportRequest,
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(usize, Vec<Lost>), ExportError> {
    let rows = shown_rows(request.report, request.view).count();
    progress(0, rows);
    let mut done = 0;
    let counted = shown_rows(request.report, request.view).inspect(|_| {
        done += 1;
        if done % PROGRESS_STEP == 0 {
            progress(done, rows);
        }
    });
    let mut lost = Vec::new();
    let mut stopped = None;
    let written = crate::files::atomic::write_with(path, |file| {
        let buffer = std::io::BufWriter::with_capacity(1 << 16, file);
        let extra = &request.report.extra_columns;
        let output = request.encoding.output();
        let mut buffer = self::csv::write_csv_to(buffer, extra, counted, output, &mut lost)?;
        std::io::Write::flush(&mut buffer)?;
        stopped = refused(request, &lost);
        match stopped {
            // The temporary file is removed: nothing stands under `path`.
            Some(_) => Err(std::io::Error::other("--strict")),
            None => Ok(()),
        }
    });
    if let Some(places) = stopped {
        return Err(ExportError::Unmappable { places });
    }
    written?;
    progress(rows, rows);
    Ok((rows, lost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposed_names_use_jst() {
        let at = chrono::DateTime::parse_from_rfc3339("2022-02-01T02:32:00Z").unwrap();
        assert_eq!(
            proposed_name(&at, ExportView::Details),
            "bedboard-20220201-1132.csv"
        );
        assert_eq!(
            proposed_name(&at, ExportView::Formatted),
            "bedboard-20220201-1132.xlsx"
        );
    }

    #[test]
    fn the_header_words_the_view_as_the_dashboard_does() {
        let mut spec = ViewSpec::new(time::parse_datetime("2022/02/01 12:00").unwrap());
        spec.filter = crate::view::SearchQuery::new("千代田");
        spec.quick.free_only = true;
        spec.group = crate::view::Grouping::Prefecture;
        assert_eq!(
            ReportHeader::new(&spec, None).conditions,
            [
                "並べ替え: なし",
                "絞り込み: 「千代田」・空床あり",
                "グループ: 都道府県"
            ]
        );
    }

    #[test]
    fn places_are_named_and_cut() {
        let places: Vec<(usize, char)> = (1..=7).map(|i| (i, '𠮷')).collect();
        let text = describe_places(&places);
        assert!(text.starts_with("1 行目「𠮷」、2 行目「𠮷」"), "{text}");
        assert!(text.ends_with("、…"), "{text}");
        assert_eq!(describe_places(&[(1, '😀')]), "1 行目「😀」");
        assert_eq!(describe_places(&[(3, '\u{E0100}')]), "3 行目「U+E0100」");
        let err = ExportError::Unmappable {
            places: vec![(2, '𠮷'), (5, '🏥'), (9, '😀')],
        };
        assert_eq!(
            err.to_string(),
            "Shift-JIS で表せない文字が 3 か所にあります（2 行目「𠮷」、5 行目「🏥」、9 行目「😀」）。--strict のため書き出していません"
        );
    }
}

//! What changed between two snapshots: per-cell differences, new and gone
//! hospitals, a change log, and watch-list alerts. Pure; no terminal.

use std::collections::{BTreeSet, HashMap};

use crate::model::latest::latest_of;
use crate::model::{Column, HospitalCode, JstDateTime, Report, ReportRow};

/// The count columns whose changes are marked: those whose widest values
/// are measured with a report's figures, so a mark has room beside them.
pub const MARKED: [Column; 4] = crate::model::figures::RANGED;

/// How one hospital changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowChange {
    /// Not in the previous snapshot.
    pub new: bool,
    /// Differences of the marked columns that changed (new − old).
    pub deltas: Vec<(Column, i64)>,
}

impl RowChange {
    pub fn delta(&self, column: Column) -> Option<i64> {
        self.deltas
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, d)| *d)
    }
}

/// One line of the change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub at: JstDateTime,
    pub code: HospitalCode,
    pub name: String,
    /// 「即応病床 5→3（▾2）」「新規」「報告がなくなりました」
    pub text: String,
    /// An acknowledged watch alert (the text says whose), not a change in the data.
    pub acknowledged: bool,
}

/// The changes of the latest snapshot that changed anything.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub at: Option<JstDateTime>,
    pub rows: HashMap<HospitalCode, RowChange>,
    /// Hospitals in the previous snapshot and not in this one.
    pub gone: Vec<ReportRow>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.gone.is_empty()
    }

    pub fn of(&self, code: &HospitalCode) -> Option<&RowChange> {
        self.rows.get(code)
    }
}

/// ▴ / ▾ are narrow in every terminal (unlike ▲ ▼); `ascii` gives + / -.
pub fn mark(delta: i64, ascii: bool) -> String {
    match (delta.signum(), ascii) {
        (1, false) => format!("▴{delta}"),
        (-1, false) => format!("▾{}", -delta),
        (1, true) => format!("+{delta}"),
        (-1, true) => format!("-{}", -delta),
        _ => String::new(),
    }
}

fn show(value: Option<i64>) -> String {
    value.map_or("空欄".to_string(), |v| v.to_string())
}

/// Compares two snapshots by 医療機関コード.
pub fn diff(old: &Report, new: &Report, at: JstDateTime) -> (Changes, Vec<LogEntry>) {
    // A hospital listed on several days is compared by its latest row.
    let before: HashMap<&HospitalCode, &ReportRow> = latest_of(&old.rows)
        .map(|r| (&r.hospital_code, r))
        .collect();
    let now_codes: BTreeSet<&HospitalCode> = new.rows.iter().map(|r| &r.hospital_code).collect();
    let mut changes = Changes {
        at: Some(at),
        ..Changes::default()
    };
    let mut log = Vec::new();
    let entry = |row: &ReportRow, text: String| LogEntry {
        at,
        code: row.hospital_code,
        name: row.hospital_name.to_string(),
        text,
        acknowledged: false,
    };
    for row in latest_of(&new.rows) {
        let Some(previous) = before.get(&row.hospital_code) else {
            changes.rows.insert(
                row.hospital_code,
                RowChange {
                    new: true,
                    deltas: Vec::new(),
                },
            );
            log.push(entry(row, "新規".to_string()));
            continue;
        };
        let mut change = RowChange::default();
        let mut words = Vec::new();
        for column in MARKED {
            let (was, is) = (previous.get(column), row.get(column));
            if was == is {
                continue;
            }
            if let (Some(was), Some(is)) = (was, is) {
                change.deltas.push((column, is - was));
                words.push(format!("{column} {was}→{is}（{}）", mark(is - was, false)));
            } else {
                words.push(format!("{column} {}→{}", show(was), show(is)));
            }
        }
        if !words.is_empty() {
            log.push(entry(row, words.join("・")));
            changes.rows.insert(row.hospital_code, change);
        }
    }
    for row in latest_of(&old.rows) {
        if !now_codes.contains(&row.hospital_code) {
            log.push(entry(row, "報告がなくなりました".to_string()));
            changes.gone.push(row.clone());
        }
    }
    (changes, log)
}

/// A watched hospital whose 空床 fell to 0 or came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchAlert {
    pub code: HospitalCode,
    pub name: String,
    pub free: Option<i64>,
    /// True when it has just become full (or stopped reporting); false when beds came back.
    pub full: bool,
}

impl WatchAlert {
    pub fn text(&self) -> String {
        if self.full {
            format!("{} の空床が 0 になりました", self.name)
        } else {
            format!(
                "{} に空床が戻りました（空床 {}）",
                self.name,
                show(self.free)
            )
        }
    }
}

/// The latest row of each watched hospital.
fn watched_rows<'r>(
    report: &'r Report,
    watch: &BTreeSet<HospitalCode>,
) -> HashMap<HospitalCode, &'r ReportRow> {
    latest_of(&report.rows)
        .filter(|r| watch.contains(&r.hospital_code))
        .map(|r| (r.hospital_code, r))
        .collect()
}

/// Alerts for the watched hospitals between two snapshots.
pub fn watch_alerts(old: &Report, new: &Report, watch: &BTreeSet<HospitalCode>) -> Vec<WatchAlert> {
    let (old, new) = (watched_rows(old, watch), watched_rows(new, watch));
    let has_free = |rows: &HashMap<HospitalCode, &ReportRow>,
                    code: &HospitalCode|
     -> Option<(bool, Option<i64>, String)> {
        let row = rows.get(code)?;
        let free = row.free_beds();
        Some((
            free.is_some_and(|f| f > 0),
            free,
            row.hospital_name.to_string(),
        ))
    };
    watch
        .iter()
        .filter_map(|code| {
            let (was_free, _, old_name) = has_free(&old, code)?;
            let (is_free, free, name) = has_free(&new, code).unwrap_or((false, None, old_name));
            (was_free != is_free).then_some(WatchAlert {
                code: *code,
                name,
                free,
                full: !is_free,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;
    use crate::model::time::parse_datetime;

    fn report(rows: Vec<ReportRow>) -> Report {
        Report {
            extra_columns: vec![],
            rows,
        }
    }

    fn row(code: &str, ready: u32, inpatients: u32) -> ReportRow {
        let mut row = seed_row();
        row.hospital_code = HospitalCode::parse(code).unwrap();
        row.hospital_name = format!("病院{code}").into();
        row.ready = Some(ready);
        row.inpatients = Some(inpatients);
        row
    }

    #[test]
    fn cells_new_and_gone() {
        let at = parse_datetime("2022/02/01 12:00").unwrap();
        let old = report(vec![
            row("1310170043", 3, 1),
            row("1310114611", 2, 2),
            row("1310170092", 1, 0),
        ]);
        let new = report(vec![
            row("1310170043", 3, 3),
            row("1310114611", 2, 2),
            row("1310170019", 4, 0),
        ]);
        let (changes, log) = diff(&old, &new, at);
        let first = changes
            .of(&HospitalCode::parse("1310170043").unwrap())
            .unwrap();
        assert_eq!(first.delta(Column::Inpatients), Some(2));
        assert_eq!(first.delta(Column::Free), Some(-2));
        assert_eq!(first.delta(Column::Ready), None);
        assert!(changes
            .of(&HospitalCode::parse("1310114611").unwrap())
            .is_none());
        assert!(
            changes
                .of(&HospitalCode::parse("1310170019").unwrap())
                .unwrap()
                .new
        );
        assert_eq!(changes.gone.len(), 1);
        let texts: Vec<&str> = log.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "入院中 1→3（▴2）・空床 2→0（▾2）",
                "新規",
                "報告がなくなりました"
            ]
        );
    }

    #[test]
    fn marks_are_narrow_or_ascii() {
        assert_eq!(mark(2, false), "▴2");
        assert_eq!(mark(-3, false), "▾3");
        assert_eq!(mark(-3, true), "-3");
        assert_eq!(mark(0, true), "");
        use crate::text::width::{str_width, AmbiguousWidth};
        assert_eq!(
            str_width("▴▾", AmbiguousWidth::Wide),
            2,
            "▴▾ are not ambiguous"
        );
    }

    #[test]
    fn watched_hospitals_alert_when_full_and_when_beds_return() {
        let watched: BTreeSet<HospitalCode> = [HospitalCode::parse("1310170043").unwrap()].into();
        let free = report(vec![row("1310170043", 3, 1)]);
        let full = report(vec![row("1310170043", 3, 3)]);
        let alerts = watch_alerts(&free, &full, &watched);
        assert_eq!(alerts.len(), 1);
        assert!(alerts[0].full);
        assert_eq!(alerts[0].text(), "病院1310170043 の空床が 0 になりました");
        let back = watch_alerts(&full, &free, &watched);
        assert!(!back[0].full && back[0].text().contains("空床 2"));
        assert!(watch_alerts(&free, &free, &watched).is_empty());
        assert!(
            watch_alerts(&free, &report(vec![]), &watched)[0].full,
            "stopped reporting"
        );
    }

    /// Day `day` of 2022/01 for a hospital, reported that day.
    fn day(code: &str, day: u32, ready: u32, inpatients: u32) -> ReportRow {
        let mut row = row(code, ready, inpatients);
        row.record_date = chrono::NaiveDate::from_ymd_opt(2022, 1, day).unwrap();
        row.reported_at = parse_datetime(&format!("2022/01/{day:02} 10:00")).unwrap();
        row
    }

    #[test]
    fn hospitals_on_several_days_compare_by_their_latest_row() {
        let at = parse_datetime("2022/02/01 12:00").unwrap();
        let code = "1310170043";
        let old = report(vec![day(code, 2, 3, 1), day(code, 1, 9, 0)]);
        // A new day arrives; the older days are unchanged.
        let new = report(vec![
            day(code, 2, 3, 1),
            day(code, 1, 9, 0),
            day(code, 3, 3, 3),
        ]);
        let (changes, log) = diff(&old, &new, at);
        let change = changes.of(&HospitalCode::parse(code).unwrap()).unwrap();
        assert_eq!(change.delta(Column::Inpatients), Some(2));
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(diff(&new, &new, at).0.is_empty());

        let watched: BTreeSet<HospitalCode> = [HospitalCode::parse(code).unwrap()].into();
        let alerts = watch_alerts(&old, &new, &watched);
        assert_eq!(alerts.len(), 1, "the latest day is full");
        assert!(alerts[0].full);
    }
}

//! What `bedboard poll` writes to stderr: one line per poll outcome, in the status line's
//! words. On a terminal or into a file each line starts with the time; into the journal
//! (which stamps every line itself) it starts with a syslog priority instead, so
//! `journalctl -p warning` finds the failures.

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;

use crate::model::{time, JstDateTime};
use crate::poll::masters::MasterUpdate;
use crate::poll::poller::{FeedEvent, FeedSnapshot};
use crate::poll::role::PollerRole;

/// How important a line is, as journald reads the `<N>` before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    Warning = 4,
    Info = 6,
}

/// Where the lines go, and so how each is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// 「2026/12/01 15:00:05 」 before each line.
    Time,
    /// 「<4>」 before each line: journald adds the time.
    Priority,
}

impl Stamp {
    /// The journal when stderr is the stream systemd named in `JOURNAL_STREAM`
    /// (`device:inode`); the time otherwise (a terminal, a file, a pipe).
    pub fn for_stderr() -> Self {
        match std::env::var("JOURNAL_STREAM") {
            Ok(stream) if stderr_is(&stream) => Stamp::Priority,
            _ => Stamp::Time,
        }
    }
}

/// Whether stderr is the file `device:inode` names.
fn stderr_is(stream: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some((device, inode)) = stream.split_once(':') else {
        return false;
    };
    let Ok(stderr) = std::io::stderr().as_fd().try_clone_to_owned() else {
        return false;
    };
    let Ok(meta) = std::fs::File::from(stderr).metadata() else {
        return false;
    };
    device.parse() == Ok(meta.dev()) && inode.parse() == Ok(meta.ino())
}

/// Turns the poller's events into log lines, remembering who polls: what another
/// process fetched is said as its.
pub struct PollLog {
    stamp: Stamp,
    /// Who polls, when it is another process: 「bedboard poll（pid 1234）」.
    other: Option<String>,
    /// The last outcome was a failure: the retry's time is worth a line.
    failing: bool,
}

impl PollLog {
    pub fn new(stamp: Stamp) -> Self {
        Self {
            stamp,
            other: None,
            failing: false,
        }
    }

    /// The lines for one event, each with its priority (none for an event not logged).
    pub fn lines(&mut self, event: &FeedEvent) -> Vec<(Priority, String)> {
        use Priority::{Info, Warning};
        match event {
            FeedEvent::Snapshot(snapshot) => {
                self.failing = false;
                self.snapshot_lines(snapshot)
            }
            FeedEvent::Unchanged { .. } => {
                self.failing = false;
                vec![(Info, self.by_whom("変化なし"))]
            }
            FeedEvent::Failed { message, .. } => {
                self.failing = self.other.is_none();
                vec![(Warning, self.by_whom(&format!("取得失敗: {message}")))]
            }
            FeedEvent::NextPoll { at } if self.failing => {
                vec![(Info, format!("次回の取得: {}", clock(at)))]
            }
            FeedEvent::NextPoll { .. } => Vec::new(),
            FeedEvent::Notice(text) => vec![(Warning, text.clone())],
            FeedEvent::Masters(update) => master_lines(update),
            FeedEvent::Poller(role) => vec![(Info, self.role_line(role))],
            // Progress is for a screen; the outcome line follows when the load ends.
            FeedEvent::Loading(_) => Vec::new(),
        }
    }

    /// An outcome, marked as another process's when this one only follows.
    fn by_whom(&self, outcome: &str) -> String {
        match &self.other {
            Some(other) => format!("{other}の取得: {outcome}"),
            None => outcome.to_string(),
        }
    }

    fn snapshot_lines(&self, snapshot: &FeedSnapshot) -> Vec<(Priority, String)> {
        let rows = snapshot.report.rows.len();
        let first = if !snapshot.from_store {
            let excluded = match snapshot.out_of_scope {
                0 => String::new(),
                n => format!("（範囲外 {n} 件を除外）"),
            };
            format!("取得しました {rows} 件{excluded}")
        } else if self.other.is_some() {
            self.by_whom(&format!("取得しました {rows} 件"))
        } else {
            format!(
                "履歴ファイルの最新の報告: {rows} 件（{} 取得）",
                time::format_datetime(&snapshot.fetched_at)
            )
        };
        let mut lines = vec![(Priority::Info, first)];
        lines.extend(
            snapshot
                .problems
                .iter()
                .map(|problem| (Priority::Warning, format!("注意: {problem}"))),
        );
        lines
    }

    fn role_line(&mut self, role: &PollerRole) -> String {
        self.other = role.other_text();
        match (role, &self.other) {
            (PollerRole::ThisProcess, _) => "取得を担当します".to_string(),
            (_, Some(other)) => {
                format!("{other}が取得中のため待機します（その取得を履歴ファイルから表示します）")
            }
            _ => "取得中のプロセスがありません".to_string(),
        }
    }

    /// Writes the lines to stderr, each started as [`Stamp`] says and made safe on one
    /// line. Into the journal the text is UTF-8; elsewhere in the terminal's set.
    pub fn write(&self, lines: &[(Priority, String)]) {
        let mut text = String::new();
        for (priority, line) in lines {
            text.push_str(&self.line(*priority, line, time::now_jst()));
        }
        let bytes = match self.stamp {
            Stamp::Priority => text.into_bytes(),
            Stamp::Time => crate::cli::error::for_output(&text),
        };
        // Nowhere left to say it is not a reason to stop polling.
        let _ = std::io::stderr().write_all(&bytes);
    }

    /// One line as written, with its stamp and its end.
    pub fn line(&self, priority: Priority, line: &str, now: JstDateTime) -> String {
        let line = crate::text::sanitize(line);
        match self.stamp {
            Stamp::Time => format!("{} {line}\n", now.format("%Y/%m/%d %H:%M:%S")),
            Stamp::Priority => format!("<{}>{line}\n", priority as u8),
        }
    }
}

/// 「15:03」, or 「12/02 15:03」 on another day.
fn clock(at: &JstDateTime) -> String {
    if at.date_naive() == time::now_jst().date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%m/%d %H:%M").to_string()
    }
}

fn master_lines(update: &MasterUpdate) -> Vec<(Priority, String)> {
    let mut read = Vec::new();
    if let Some(master) = &update.hospitals {
        read.push(format!("医療機関 {} 件", master.len()));
    }
    if let Some(master) = &update.municipalities {
        read.push(format!("自治体 {} 件", master.len()));
    }
    let mut lines = Vec::new();
    if !read.is_empty() {
        lines.push((
            Priority::Info,
            format!("マスタを読み込みました: {}", read.join("・")),
        ));
    }
    lines.extend(
        update
            .problems
            .iter()
            .map(|problem| (Priority::Warning, format!("マスタ: {problem}"))),
    );
    lines
}

/// Whether a person reads stderr (then the start says more, e.g. how to stop).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poll::role::{service_name, Holder};
    use std::sync::Arc;

    fn snapshot(rows: usize, from_store: bool) -> FeedEvent {
        let mut report = crate::model::Report::default();
        let row = crate::demo::generator::demo_report(&time::now_jst()).rows[0].clone();
        report.rows = vec![row; rows];
        FeedEvent::Snapshot(Box::new(FeedSnapshot {
            report: Arc::new(report),
            fetched_at: time::parse_datetime("2026/12/01 14:00").unwrap(),
            source_label: "http://127.0.0.1/r.csv".into(),
            problems: vec!["1 行を読み飛ばしました".into()],
            out_of_scope: 2,
            from_store,
            stored: Some(true),
            figures: None,
        }))
    }

    fn texts(lines: Vec<(Priority, String)>) -> Vec<String> {
        lines.into_iter().map(|(_, text)| text).collect()
    }

    #[test]
    fn each_outcome_is_said_in_the_status_lines_words() {
        let mut log = PollLog::new(Stamp::Time);
        let at = time::now_jst();
        assert_eq!(
            texts(log.lines(&FeedEvent::Poller(PollerRole::ThisProcess))),
            ["取得を担当します"]
        );
        assert_eq!(
            texts(log.lines(&snapshot(3, false))),
            [
                "取得しました 3 件（範囲外 2 件を除外）",
                "注意: 1 行を読み飛ばしました"
            ]
        );
        assert_eq!(texts(log.lines(&FeedEvent::Unchanged { at })), ["変化なし"]);
        assert!(log.lines(&FeedEvent::NextPoll { at }).is_empty());
        let failed = FeedEvent::Failed {
            at,
            message: "接続できません（127.0.0.1:9）".into(),
        };
        assert_eq!(
            log.lines(&failed),
            [(
                Priority::Warning,
                "取得失敗: 接続できません（127.0.0.1:9）".to_string()
            )]
        );
        let retry = texts(log.lines(&FeedEvent::NextPoll { at }));
        assert_eq!(retry, [format!("次回の取得: {}", at.format("%H:%M"))]);
    }

    #[test]
    fn what_another_process_fetched_is_said_as_its() {
        let mut log = PollLog::new(Stamp::Time);
        let role = PollerRole::Other {
            holder: Holder::parse(&service_name("77@h")),
            same_host: true,
            last_success: None,
        };
        assert_eq!(
            texts(log.lines(&FeedEvent::Poller(role))),
            ["bedboard poll（pid 77）が取得中のため待機します（その取得を履歴ファイルから表示します）"]
        );
        let at = time::now_jst();
        assert_eq!(
            texts(log.lines(&FeedEvent::Unchanged { at })),
            ["bedboard poll（pid 77）の取得: 変化なし"]
        );
        assert_eq!(
            texts(log.lines(&snapshot(1, true)))[0],
            "bedboard poll（pid 77）の取得: 取得しました 1 件"
        );
    }

    #[test]
    fn lines_start_with_the_time_or_with_the_journals_priority() {
        let now = time::parse_datetime("2026/12/01 15:00:05").unwrap();
        let forged = "取得失敗: x\n2026/12/01 forged\x1b[2J";
        let timed = PollLog::new(Stamp::Time).line(Priority::Warning, forged, now);
        assert_eq!(
            timed,
            "2026/12/01 15:00:05 取得失敗: x 2026/12/01 forged?[2J\n"
        );
        let journal = PollLog::new(Stamp::Priority).line(Priority::Warning, "変化なし", now);
        assert_eq!(journal, "<4>変化なし\n");
    }
}

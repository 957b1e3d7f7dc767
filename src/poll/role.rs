//! Who polls the feed for the dashboards sharing a store, in the words the status line and
//! `bedboard status` use.

use crate::model::JstDateTime;

/// A lease holder's name, `pid@host`, as far as it can be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub host: Option<String>,
    /// The name as stored, for a holder written in another form.
    pub name: String,
}

impl Holder {
    pub fn parse(name: &str) -> Self {
        let (pid, host) = match name.split_once('@') {
            Some((pid, host)) => (pid.parse().ok(), Some(host).filter(|h| !h.is_empty())),
            None => (name.parse().ok(), None),
        };
        Self {
            pid,
            host: host.map(str::to_string),
            name: name.to_string(),
        }
    }

    /// 「pid 1234」, with 「（ホスト host）」 when the host is not `own_host` (or none is given).
    pub fn describe(&self, own_host: Option<&str>) -> String {
        let Some(pid) = self.pid else {
            return self.name.clone();
        };
        match &self.host {
            Some(host) if Some(host.as_str()) != own_host => format!("pid {pid}・ホスト {host}"),
            _ => format!("pid {pid}"),
        }
    }
}

/// Who polls the feed this dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PollerRole {
    /// This process: it holds the lease, or has no store to share.
    ThisProcess,
    /// Another bedboard on the same store; this one shows what it stores.
    Other {
        holder: Holder,
        /// Whether it runs on this host (the host is then not named).
        same_host: bool,
        last_success: Option<JstDateTime>,
    },
    /// Nobody holds a live lease.
    Nobody { last_success: Option<JstDateTime> },
}

impl PollerRole {
    /// For the status line: 「取得: この画面」, 「取得: 別の bedboard（pid 1234・最終成功 02:41）」
    /// or 「取得: なし（最終成功 02:41）」.
    pub fn status_text(&self) -> String {
        let hm = |at: &Option<JstDateTime>| match at {
            Some(at) => format!("最終成功 {}", at.format("%H:%M")),
            None => "成功なし".to_string(),
        };
        match self {
            PollerRole::ThisProcess => "取得: この画面".to_string(),
            PollerRole::Other {
                holder,
                same_host,
                last_success,
            } => {
                let own_host = same_host.then_some(holder.host.as_deref()).flatten();
                format!(
                    "取得: 別の bedboard（{}・{}）",
                    holder.describe(own_host),
                    hm(last_success)
                )
            }
            PollerRole::Nobody { last_success } => format!("取得: なし（{}）", hm(last_success)),
        }
    }

    /// For a narrow status line, beside 「最終取得」 which already says how old the
    /// last success is: 「取得: この画面」, 「取得: 別の bedboard（pid 1234）」, 「取得: なし」.
    pub fn short_text(&self) -> String {
        match self {
            PollerRole::ThisProcess => "取得: この画面".to_string(),
            PollerRole::Other {
                holder, same_host, ..
            } => {
                let own_host = same_host.then_some(holder.host.as_deref()).flatten();
                format!("取得: 別の bedboard（{}）", holder.describe(own_host))
            }
            PollerRole::Nobody { .. } => "取得: なし".to_string(),
        }
    }

    pub fn is_this_process(&self) -> bool {
        matches!(self, PollerRole::ThisProcess)
    }
}

/// The host part of a `pid@host` name.
pub fn host_of(name: &str) -> Option<&str> {
    name.split_once('@').map(|(_, host)| host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    #[test]
    fn holders_are_read_as_pid_and_host() {
        let holder = Holder::parse("1234@dispatch-01");
        assert_eq!(holder.pid, Some(1234));
        assert_eq!(holder.host.as_deref(), Some("dispatch-01"));
        assert_eq!(holder.describe(Some("dispatch-01")), "pid 1234");
        assert_eq!(holder.describe(None), "pid 1234・ホスト dispatch-01");
        assert_eq!(Holder::parse("test-x").describe(None), "test-x");
        assert_eq!(Holder::parse("77").describe(None), "pid 77");
    }

    #[test]
    fn each_poller_is_named_with_its_last_success() {
        let at = parse_datetime("2026/12/01 02:41").unwrap();
        assert_eq!(PollerRole::ThisProcess.status_text(), "取得: この画面");
        let other = PollerRole::Other {
            holder: Holder::parse("1234@a"),
            same_host: true,
            last_success: Some(at),
        };
        assert_eq!(
            other.status_text(),
            "取得: 別の bedboard（pid 1234・最終成功 02:41）"
        );
        let remote = PollerRole::Other {
            holder: Holder::parse("1234@b"),
            same_host: false,
            last_success: None,
        };
        assert_eq!(
            remote.status_text(),
            "取得: 別の bedboard（pid 1234・ホスト b・成功なし）"
        );
        assert_eq!(other.short_text(), "取得: 別の bedboard（pid 1234）");
        assert_eq!(
            remote.short_text(),
            "取得: 別の bedboard（pid 1234・ホスト b）"
        );
        assert_eq!(
            PollerRole::Nobody {
                last_success: Some(at)
            }
            .status_text(),
            "取得: なし（最終成功 02:41）"
        );
    }
}

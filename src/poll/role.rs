//! Who polls the feed for the dashboards sharing a store, in the words the status line and
//! `bedboard status` use.

use crate::model::JstDateTime;

/// What a `bedboard poll` service puts before its `pid@host` in the lease: a dashboard
/// hands the lease to it (see [`prefers_over`]).
pub const SERVICE_PREFIX: &str = "poll:";

/// The lease holder's name of a `bedboard poll` service with this `pid@host`.
pub fn service_name(pid_at_host: &str) -> String {
    format!("{SERVICE_PREFIX}{pid_at_host}")
}

/// Whether a lease holder's name is a `bedboard poll` service's.
pub fn is_service(name: &str) -> bool {
    name.starts_with(SERVICE_PREFIX)
}

/// Whether `claimant` may take a live lease from `holder`: a service takes it from a
/// dashboard, so the service polls whenever it runs and the dashboards follow it; between
/// two services, or two dashboards, the lease is kept until it lapses or is given up.
pub fn prefers_over(claimant: &str, holder: &str) -> bool {
    is_service(claimant) && !is_service(holder)
}

/// A lease holder's name, `pid@host` (`poll:pid@host` for a service), as far as it can
/// be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub host: Option<String>,
    /// A `bedboard poll` service rather than a dashboard.
    pub service: bool,
    /// The name as stored, for a holder written in another form.
    pub name: String,
}

impl Holder {
    pub fn parse(name: &str) -> Self {
        let service = is_service(name);
        let process = name.strip_prefix(SERVICE_PREFIX).unwrap_or(name);
        let (pid, host) = match process.split_once('@') {
            Some((pid, host)) => (pid.parse().ok(), Some(host).filter(|h| !h.is_empty())),
            None => (process.parse().ok(), None),
        };
        Self {
            pid,
            host: host.map(str::to_string),
            service,
            name: name.to_string(),
        }
    }

    /// 「pid 1234」, with 「・ホスト host」 when the host is not `own_host` (or none is
    /// given); 「poll・pid 1234」 for a service, so 「bedboard 」 before it names the command.
    pub fn describe(&self, own_host: Option<&str>) -> String {
        let process = self.process(own_host);
        if self.service {
            format!("poll・{process}")
        } else {
            process
        }
    }

    /// 「bedboard poll」 for the service, 「別の bedboard」 for another dashboard.
    pub fn program(&self) -> &'static str {
        if self.service {
            "bedboard poll"
        } else {
            "別の bedboard"
        }
    }

    /// 「pid 1234」 or 「pid 1234・ホスト host」, whatever the program.
    fn process(&self, own_host: Option<&str>) -> String {
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
                    "取得: {}（{}・{}）",
                    holder.program(),
                    holder.process(own_host),
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
                format!("取得: {}（{}）", holder.program(), holder.process(own_host))
            }
            PollerRole::Nobody { .. } => "取得: なし".to_string(),
        }
    }

    /// For `bedboard poll`'s log: who polls, when it is not this process.
    pub fn other_text(&self) -> Option<String> {
        match self {
            PollerRole::Other {
                holder, same_host, ..
            } => {
                let own_host = same_host.then_some(holder.host.as_deref()).flatten();
                Some(format!(
                    "{}（{}）",
                    holder.program(),
                    holder.process(own_host)
                ))
            }
            _ => None,
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
    fn a_service_is_named_as_the_poll_command_and_preferred_to_a_dashboard() {
        let name = service_name("1234@console");
        let holder = Holder::parse(&name);
        assert!(holder.service);
        assert_eq!(holder.pid, Some(1234));
        assert_eq!(holder.host.as_deref(), Some("console"));
        assert_eq!(host_of(&name), Some("console"));
        assert_eq!(holder.describe(None), "poll・pid 1234・ホスト console");
        let role = PollerRole::Other {
            holder,
            same_host: true,
            last_success: None,
        };
        assert_eq!(role.short_text(), "取得: bedboard poll（pid 1234）");
        assert_eq!(
            role.status_text(),
            "取得: bedboard poll（pid 1234・成功なし）"
        );
        assert_eq!(role.other_text().unwrap(), "bedboard poll（pid 1234）");
        assert!(!Holder::parse("1234@console").service);
        assert!(prefers_over(&name, "99@console"));
        assert!(!prefers_over(&name, &service_name("99@console")));
        assert!(!prefers_over("99@console", &name));
        assert!(!prefers_over("99@console", "98@console"));
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

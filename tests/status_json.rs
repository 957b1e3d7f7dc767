//! `bedboard status` for monitoring, through the real binary on stores written by the
//! test: each exit code (0 OK, 1 warning, 2 critical) and the JSON's keys and times.

mod store_seed;

use std::path::Path;
use std::process::Command;
use store_seed::store_with_seed;

use bedboard::model::time::now_jst;
use bedboard::model::JstDateTime;
use bedboard::store::{FetchRecord, Store};
use chrono::Duration;
use serde_json::Value;

struct Status {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn status(store: &Path, extra: &[&str]) -> Status {
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .arg("status")
        .arg("--store")
        .arg(store)
        .args(extra)
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", store.parent().unwrap())
        .env("LANG", "C.UTF-8")
        .output()
        .expect("the binary runs");
    Status {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn status_json(store: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let out = status(store, &args);
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}\n{}", out.stdout, out.stderr));
    (out.code, json)
}

fn kinds(json: &Value) -> Vec<&str> {
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect()
}

fn hold_lease(store: &Path, holder: &str, now: JstDateTime) {
    assert!(Store::open(store)
        .unwrap()
        .try_acquire_lease(holder, now, Duration::minutes(2))
        .unwrap());
}

/// `2026-12-01T09:30:00+09:00`.
fn is_iso_jst(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with("+09:00")
}

#[test]
fn a_poll_service_holding_the_lease_is_named_as_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(dir.path(), Some(now - Duration::minutes(30)), now);
    hold_lease(&store, "poll:812@console1", now);
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["poller"]["kind"], "service");
    assert_eq!(json["poller"]["pid"], 812);
    assert_eq!(json["poller"]["host"], "console1");
}

#[test]
fn fresh_data_with_a_poller_is_ok_and_the_json_says_everything() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(dir.path(), Some(now - Duration::minutes(30)), now);
    hold_lease(&store, "4242@console", now);
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["verdict"], "ok");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["problems"], Value::Array(vec![]));
    for key in [
        "checked_at",
        "newest_reported_at",
        "last_success",
        "poller_last_seen",
    ] {
        assert!(is_iso_jst(&json[key]), "{key}: {json:#}");
    }
    let newest =
        chrono::DateTime::parse_from_rfc3339(json["newest_reported_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        newest.timestamp() / 60,
        (now - Duration::minutes(30)).timestamp() / 60
    );
    assert_eq!(json["report"]["rows"], 12);
    assert_eq!(json["report"]["source"], "http://feed.example/r.csv");
    assert_eq!(json["poller"]["holder"], "4242@console");
    assert_eq!(json["poller"]["kind"], "dashboard");
    assert_eq!(json["poller"]["pid"], 4242);
    assert_eq!(json["poller"]["host"], "console");
    assert!(is_iso_jst(&json["poller"]["until"]), "{json:#}");
    assert_eq!(json["last_error"], Value::Null);
    assert_eq!(json["store"]["exists"], true);
    assert_eq!(json["store"]["path"], store.display().to_string());
    let size = json["store"]["size_bytes"].as_u64().unwrap();
    assert!(size >= std::fs::metadata(&store).unwrap().len(), "{size}");

    // The lines say the same, the size beside the file's name.
    let human = status(&store, &[]);
    assert_eq!(human.code, Some(0));
    let first = human.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("履歴ファイル: ") && first.ends_with("KiB）"),
        "{first}"
    );
    assert!(human
        .stdout
        .contains("取得中のプロセス: bedboard pid 4242・ホスト console"));
    assert_eq!(human.stdout.lines().last(), Some("状態: 正常"));
}

#[test]
fn stale_data_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(dir.path(), None, now);
    hold_lease(&store, "1@console", now);
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(json["verdict"], "warning");
    assert_eq!(kinds(&json), ["stale_reports"]);
    assert_eq!(json["problems"][0]["severity"], "warning");
    assert_eq!(
        json["problems"][0]["message"],
        "データが古くなっています（最新の報告日時が 24 時間より前）"
    );
    assert_eq!(json["newest_reported_at"], "2022-02-01T11:37:00+09:00");
}

#[test]
fn a_failing_feed_with_a_poller_is_a_warning_that_names_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(
        dir.path(),
        Some(now - Duration::minutes(20)),
        now - Duration::minutes(10),
    );
    let failed = FetchRecord::failed("http://feed.example/r.csv", now, "接続できません");
    Store::open(&store)
        .unwrap()
        .record_fetch(&failed, None)
        .unwrap();
    hold_lease(&store, "1@console", now);
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(kinds(&json), ["feed_dead"]);
    assert_eq!(json["last_error"]["message"], "接続できません");
    assert!(is_iso_jst(&json["last_error"]["at"]), "{json:#}");
}

#[test]
fn nobody_polling_for_longer_than_the_limit_is_critical() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(
        dir.path(),
        Some(now - Duration::minutes(61)),
        now - Duration::minutes(60),
    );
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(2), "{json:#}");
    assert_eq!(json["verdict"], "critical");
    assert_eq!(kinds(&json), ["feed_dead", "no_poller"]);
    assert_eq!(json["problems"][1]["severity"], "critical");
    assert_eq!(json["poller"], Value::Null);
    let human = status(&store, &[]);
    assert_eq!(human.code, Some(2));
    assert_eq!(
        human.stdout.lines().last().unwrap(),
        "状態: 取得が止まっています（最後の成功から 4 分以上）。取得するプロセスがありません（15 分以上）"
    );
    // A longer limit: only the warning is left.
    let (code, json) = status_json(&store, &["--critical-after", "90"]);
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(kinds(&json), ["feed_dead"]);
}

#[test]
fn a_poller_whose_lease_ran_out_lately_is_not_yet_missed() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(
        dir.path(),
        Some(now - Duration::minutes(40)),
        now - Duration::minutes(30),
    );
    // Its last fetch was half an hour ago, but it held the lease until five minutes ago.
    hold_lease(&store, "7@console", now - Duration::minutes(7));
    let (code, json) = status_json(&store, &[]);
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(kinds(&json), ["feed_dead"]);
    let seen =
        chrono::DateTime::parse_from_rfc3339(json["poller_last_seen"].as_str().unwrap()).unwrap();
    assert_eq!(
        seen.timestamp() / 60,
        (now - Duration::minutes(5)).timestamp() / 60
    );
    let (code, _) = status_json(&store, &["--critical-after", "4"]);
    assert_eq!(code, Some(2));
}

#[test]
fn no_store_and_an_unreadable_store_are_critical() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite3");
    let (code, json) = status_json(&missing, &[]);
    assert_eq!(code, Some(2), "{json:#}");
    assert_eq!(kinds(&json), ["no_store"]);
    assert_eq!(json["store"]["exists"], false);
    assert_eq!(json["store"]["size_bytes"], Value::Null);
    let human = status(&missing, &[]);
    assert_eq!(human.code, Some(2));
    assert!(human.stdout.is_empty());
    assert_eq!(
        human.stderr.trim_end(),
        format!("bedboard: 履歴ファイル {} がありません", missing.display())
    );

    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all, not at all, not at all").unwrap();
    let (code, json) = status_json(&junk, &[]);
    assert_eq!(code, Some(2), "{json:#}");
    assert_eq!(kinds(&json), ["unreadable_store"]);
    assert_eq!(json["verdict"], "critical");
}

#[test]
fn the_json_carries_no_control_character_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_jst();
    let store = store_with_seed(dir.path(), Some(now), now);
    let hostile = "\u{1b}]0;title\u{7}\u{9b}2J\u{202e}";
    let failed = FetchRecord::failed(
        &format!("http://feed.example/{hostile}"),
        now,
        &format!("列「{hostile}」"),
    );
    Store::open(&store)
        .unwrap()
        .record_fetch(&failed, None)
        .unwrap();
    hold_lease(&store, &format!("1@host{hostile}"), now);
    let out = status(&store, &["--json"]);
    assert!(
        !out.stdout
            .contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
        "{}",
        out.stdout
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["last_error"]["message"], "列「?]0;title??2J?」");
    assert_eq!(json["poller"]["host"], "host?]0;title??2J?");
}

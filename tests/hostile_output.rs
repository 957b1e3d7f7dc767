//! Text from a feed, a file name or the store never reaches stdout, stderr
//! or a file raw: `print`, `export`, `status`, the dashboard's fallback and
//! clap's own errors, through the real binary, with hostile input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HEADER: &str = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";

/// A window title (OSC … BEL), clear screen (CSI), a C1 CSI, NUL and a bidi override.
const HOSTILE: &str = "\x1b]0;title\x07\x1b[2J\u{9b}2J\0\u{202E}";

/// Without NUL, so the file is still read as text rather than refused as binary.
fn hostile_text() -> String {
    HOSTILE.replace('\0', "")
}

/// The byte sequences no output may hold, with their names.
const FORBIDDEN: &[(&[u8], &str)] = &[
    (b"\x1b", "ESC"),
    (b"\x07", "BEL"),
    (b"\0", "NUL"),
    ("\u{202E}".as_bytes(), "U+202E"),
];

/// Fails naming the first forbidden byte sequence in `bytes`.
fn assert_clean(bytes: &[u8], what: &str) {
    let shown = String::from_utf8_lossy(bytes);
    for (needle, name) in FORBIDDEN {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == *needle),
            "{name} in {what}:\n{}",
            shown.escape_debug()
        );
    }
    // C1 controls, U+0080–U+009F, are C2 80–C2 9F in UTF-8.
    assert!(
        !bytes
            .windows(2)
            .any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1])),
        "a C1 control in {what}:\n{}",
        shown.escape_debug()
    );
}

fn assert_output_clean(out: &Output, what: &str) {
    assert_clean(&out.stdout, &format!("stdout of {what}"));
    assert_clean(&out.stderr, &format!("stderr of {what}"));
}

/// `bedboard ARGS` with no config but the flags', and the log in `home`.
fn bedboard(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("HOME", home)
        .env("BEDBOARD_LOG", home.join("bedboard.log"))
        .output()
        .expect("the binary runs")
}

/// A report whose codes, names and header carry escapes; its file name too.
fn hostile_report(dir: &Path) -> PathBuf {
    let bad = hostile_text();
    let rows = [
        // Good codes, hostile names: accepted, the names shown.
        format!("東京都{bad},13,131016,千代田区{bad},1301,区中央部{bad},1310170043,病院{bad},2022/01/05,2022/02/01 11:32,2,1,1,x{bad}"),
        // Hostile codes: refused, and the refusal quotes them.
        format!("東京都,13,1310{bad},千代田区,1301,区中央部,13101{bad},病院2,2022/01/05,2022/02/01 11:32,2,1,1,y"),
        format!("東京都,1{bad},131016,千代田区,13{bad},区中央部,1310114611,病院3,2022/01/05{bad},2022/02/01 11:32,2{bad},1,1,z"),
    ];
    let path = dir.join(format!("report{bad}.csv"));
    std::fs::write(&path, format!("{HEADER},列{bad}\n{}\n", rows.join("\n"))).unwrap();
    path
}

#[test]
fn print_shows_hostile_rows_and_refusals_without_a_control_character() {
    let dir = tempfile::tempdir().unwrap();
    let source = hostile_report(dir.path());
    let out = bedboard(dir.path(), &["print", "--source", source.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_output_clean(&out, "print");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("レコード数 1 "), "{stdout}");
    assert!(
        stdout.contains("?]0;title?"),
        "the text is shown, neutralised: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("report?]0;title?"), "{stderr}");
}

#[test]
fn a_refused_file_with_nul_and_a_hostile_name_is_reported_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("junk{}.csv", hostile_text()));
    std::fs::write(
        &path,
        format!("{HEADER}\n{HOSTILE}\n{HOSTILE}\0{HOSTILE}\n"),
    )
    .unwrap();
    let out = bedboard(dir.path(), &["print", "--source", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_output_clean(&out, "print of a junk file");
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk?]0;title?"));
}

#[test]
fn the_dashboard_without_a_terminal_falls_back_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let source = hostile_report(dir.path());
    let out = bedboard(dir.path(), &["--source", source.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_output_clean(&out, "the dashboard's fallback");
    assert!(String::from_utf8_lossy(&out.stdout).contains("レコード数 1 "));
    if let Ok(log) = std::fs::read(dir.path().join("bedboard.log")) {
        assert_clean(&log, "the log");
    }
}

#[test]
fn export_names_its_file_and_invisible_replacements_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.csv");
    // 葛 with an ideographic variation selector: Shift-JIS holds 葛, not U+E0100.
    let row = "東京都,13,131016,千代田区,1301,区中央部,1310170043,葛\u{E0100}飾病院,2022/01/05,2022/02/01 11:32,2,1,1";
    std::fs::write(&source, format!("{HEADER}\n{row}\n")).unwrap();
    let target = dir.path().join(format!("out{}.csv", hostile_text()));
    let out = bedboard(
        dir.path(),
        &[
            "export",
            "--source",
            source.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_output_clean(&out, "export");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("out?]0;title?"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Line 2 of the written file: the header is line 1.
    assert!(stderr.contains("2 行目「U+E0100」"), "{stderr}");
    assert!(
        !stderr.contains('\u{E0100}'),
        "named, not printed: {stderr}"
    );

    // The same rows from the hostile report: its names reach the message only neutralised.
    let hostile = hostile_report(dir.path());
    let out = bedboard(
        dir.path(),
        &[
            "export",
            "--source",
            hostile.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
            "--strict",
        ],
    );
    assert_output_clean(&out, "export --strict of the hostile report");
}

#[test]
fn status_shows_a_hostile_error_source_and_holder_cleanly() {
    use bedboard::store::{FetchRecord, Store};
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir
        .path()
        .join(format!("history{}.sqlite3", hostile_text()));
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample/seed-tokyo.csv");
    let report = bedboard::formats::import_file(&seed, &Default::default())
        .unwrap()
        .report;
    let now = bedboard::model::time::now_jst();
    let source = format!("http://feed.example/{HOSTILE}");
    {
        let mut store = Store::open(&store_path).unwrap();
        let fetched = FetchRecord {
            source: source.clone(),
            fetched_at: now,
            content_hash: "00".into(),
            rows_accepted: report.rows.len(),
            rows_rejected: 0,
            rows_out_of_scope: 0,
            error: None,
        };
        store.record_fetch(&fetched, Some(&report)).unwrap();
        let failed = FetchRecord::failed(&source, now, &format!("列「{HOSTILE}」\n偽の行"));
        store.record_fetch(&failed, None).unwrap();
        let holder = format!("1@host{HOSTILE}");
        assert!(store
            .try_acquire_lease(&holder, now, chrono::Duration::hours(1))
            .unwrap());
    }
    let out = bedboard(
        dir.path(),
        &["status", "--store", store_path.to_str().unwrap()],
    );
    // The seed's reports are from 2022: old, whenever they were read.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_output_clean(&out, "status");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "one line each, none forged: {stdout}");
    assert!(lines[0].starts_with("履歴ファイル: ") && lines[0].contains("history?]0;title?"));
    assert!(
        lines[1].contains("取得元 http://feed.example/?]0;title?"),
        "{stdout}"
    );
    assert!(lines[3].contains("ホスト host?]0;title?"), "{stdout}");
    assert!(lines[4].contains("列「?]0;title?"), "{stdout}");
    assert!(lines[4].contains("偽の行"), "{stdout}");
}

#[test]
fn clap_errors_quote_the_argument_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // An argument cannot hold NUL.
    let bad = hostile_text();
    let bad = bad.as_str();
    let flag = format!("--{bad}");
    for args in [
        &["--format", bad][..],
        &[bad][..],
        &["print", "--sort", bad][..],
        &["print", &flag][..],
    ] {
        let out = bedboard(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_output_clean(&out, &format!("{args:?}"));
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("bedboard: "),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let help = bedboard(dir.path(), &["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("使い方"));
}

#[test]
fn the_registration_form_names_a_hostile_file_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[profile]\nprefecture = \"東京都\"\nfire_department = \"東京消防庁\"\nsection = \"指令管制課\"\n\
         person = \"消防 太郎\"\nemail = \"taro@example.lg.jp\"\nphone = \"03-0000-0000\"\n",
    )
    .unwrap();
    let form = dir.path().join(format!("form{}.csv", hostile_text()));
    let out = bedboard(
        dir.path(),
        &[
            "registration-form",
            "--config",
            config.to_str().unwrap(),
            "--out",
            form.to_str().unwrap(),
            "--reason",
            "救急搬送先の選定のため",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_output_clean(&out, "registration-form");
    assert!(String::from_utf8_lossy(&out.stdout).contains("form?]0;title?"));
}

//! `bedboard export` and `bedboard registration-form` through the real binary.

mod store_seed;

use std::process::{Command, Output};
use store_seed::store_with_seed;

fn bedboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("BEDBOARD_CONFIG")
        .output()
        .expect("the binary runs")
}

const HEADER: &str = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";

#[test]
fn export_writes_details_and_a_workbook_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    let out = bedboard(&[
        "export",
        "--source",
        "assets/sample/seed-tokyo.csv",
        "--out",
        csv.to_str().unwrap(),
        "--sort",
        "空床:desc",
        "--filter",
        "千代田",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("11 行を書き出しました"));
    let back = bedboard(&["print", "--source", csv.to_str().unwrap(), "--ascii"]);
    assert!(String::from_utf8_lossy(&back.stdout).starts_with("レコード数 11 "));

    let xlsx = dir.path().join("out.xlsx");
    let out = bedboard(&[
        "export",
        "--source",
        "assets/sample/seed-tokyo.csv",
        "--out",
        xlsx.to_str().unwrap(),
        "--view",
        "formatted",
        "--group",
        "prefecture",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = bedboard(&["print", "--source", xlsx.to_str().unwrap(), "--ascii"]);
    let text = String::from_utf8_lossy(&back.stdout);
    assert!(
        text.starts_with("レコード数 12  合計 確保病床 30  即応病床 24  入院中 18"),
        "{text}"
    );
}

#[test]
fn characters_shift_jis_cannot_hold_are_reported_and_strict_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.csv");
    let row = "東京都,13,131016,千代田区,1301,区中央部,1310170043,𠮷野病院,2022/01/05,2022/02/01 11:32,2,1,1";
    std::fs::write(&source, format!("{HEADER}\n{row}\n")).unwrap();
    let out_path = dir.path().join("out.csv");
    let args = [
        "export",
        "--source",
        source.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
    ];
    let strict = bedboard(&[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&strict.stderr).contains("𠮷"),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    assert!(!out_path.exists(), "nothing written under --strict");
    let lenient = bedboard(&args);
    assert!(lenient.status.success());
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    assert!(stderr.contains("〓") && stderr.contains("𠮷"), "{stderr}");
    assert!(out_path.exists());
}

#[test]
fn the_registration_form_is_the_seeds_row_in_cp932() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[profile]\nprefecture = \"東京都\"\nfire_department = \"東京消防庁\"\nsection = \"指令管制課\"\n\
         person = \"消防 太郎\"\nemail = \"taro@example.lg.jp\"\nphone = \"03-0000-0000\"\n",
    )
    .unwrap();
    let form = dir.path().join("form.csv");
    let out = bedboard(&[
        "registration-form",
        "--config",
        config.to_str().unwrap(),
        "--out",
        form.to_str().unwrap(),
        "--reason",
        "救急搬送先の選定のため",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&form).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert_eq!(
        text,
        "#,都道府県,消防本部名,担当部署名,担当者氏名,メールアドレス,電話番号,申請理由\r\n\
         1,東京都,東京消防庁,指令管制課,消防 太郎,taro@example.lg.jp,03-0000-0000,救急搬送先の選定のため\r\n"
    );
    std::fs::write(
        &config,
        "[profile]\nprefecture = \"東京都\"\nemail = \"nope\"\n",
    )
    .unwrap();
    let bad = bedboard(&[
        "registration-form",
        "--config",
        config.to_str().unwrap(),
        "--out",
        form.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("profile"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// `bedboard … | head -1`: the reader has gone before the output is written.
/// That is no crash: the command ends as it would have, without a panic.
#[test]
fn a_reader_that_has_gone_is_no_crash() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("history.sqlite3");
    drop(bedboard::store::Store::open(&store).unwrap());
    let out = dir.path().join("out.csv");
    let runs: [&[&str]; 3] = [
        &["print", "--source", "assets/sample/seed-tokyo.csv"],
        &["status", "--store", store.to_str().unwrap()],
        &[
            "export",
            "--source",
            "assets/sample/seed-tokyo.csv",
            "--out",
            out.to_str().unwrap(),
        ],
    ];
    for args in runs {
        let mut fds = [0; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just made by pipe(2) and are owned here alone.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(read);
        let output = Command::new(env!("CARGO_BIN_EXE_bedboard"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .env_remove("BEDBOARD_CONFIG")
            .stdout(write)
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
    }
}

/// `bedboard status` on a store written by the test: exit code and stdout.
fn status_of(store: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .arg("status")
        .arg("--store")
        .arg(store)
        .args(extra)
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", store.parent().unwrap())
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn status_judges_by_the_report_time_and_the_last_success() {
    use bedboard::model::time::now_jst;
    let now = now_jst();
    let minutes = chrono::Duration::minutes;

    let fresh = tempfile::tempdir().unwrap();
    let store = store_with_seed(fresh.path(), Some(now - minutes(30)), now);
    let (code, said) = status_of(&store, &[]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("最新の報告日時: ") && said.contains("（30分前）"),
        "{said}"
    );
    assert!(said.contains("最後に成功した取得: "), "{said}");
    assert!(said.contains("取得中のプロセス: なし"), "{said}");
    assert!(said.lines().last().unwrap() == "状態: 正常", "{said}");

    // The seed's 2022 reports, read just now: old all the same.
    let old = tempfile::tempdir().unwrap();
    let store = store_with_seed(old.path(), None, now);
    let (code, said) = status_of(&store, &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("最新の報告日時: 2022/02/01 11:37（"),
        "{said}"
    );
    assert!(
        said.lines().last().unwrap()
            == "状態: データが古くなっています（最新の報告日時が 24 時間より前）",
        "{said}"
    );

    // Fresh reports, but nothing fetched for an hour: at 60 s the feed counts as dead
    // after four minutes, at 1200 s it does not yet (nobody polling for an hour is
    // critical unless the limit is longer: tests/status_json.rs).
    let dead = tempfile::tempdir().unwrap();
    let store = store_with_seed(dead.path(), Some(now - minutes(61)), now - minutes(60));
    let (code, said) = status_of(&store, &["--critical-after", "120"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.lines().last().unwrap() == "状態: 取得が止まっています（最後の成功から 4 分以上）",
        "{said}"
    );
    let (code, said) = status_of(&store, &["--interval", "1200", "--critical-after", "120"]);
    assert_eq!(code, Some(0), "{said}");

    // No store at all.
    let (code, _) = status_of(&dead.path().join("none.sqlite3"), &[]);
    assert_eq!(code, Some(2));
}

//! `bedboard print` writes the same bytes as the first streaming version did,
//! on a file with every kind of cell: Japanese and half-width names, ambiguous
//! signs, controls and bidi overrides, blanks, flags, superseded rows, an extra
//! column, three prefectures. The expected outputs are in `tests/golden_print/`;
//! `BEDBOARD_UPDATE_GOLDEN=1 cargo test --test print_output` rewrites them
//! (read every diff before committing one).

use std::path::{Path, PathBuf};
use std::process::Command;

const VARIED: &str = "tests/fixtures/print-varied.csv";
const NOW: &str = "2026/12/01 12:00";

/// Each case: its file name, the terminal encoding, and the flags after `print --source`.
const CASES: &[(&str, &str, &[&str])] = &[
    ("plain", "utf8", &[]),
    ("width_80", "utf8", &["--width", "80"]),
    ("width_20", "utf8", &["--width", "20"]),
    (
        "width_120_wide",
        "utf8",
        &["--width", "120", "--ambiguous-width", "2"],
    ),
    ("ascii_200", "utf8", &["--ascii", "--width", "200"]),
    ("group_area", "utf8", &["--group", "area"]),
    (
        "group_prefecture_by_ready",
        "utf8",
        &["--group", "prefecture", "--sort", "即応病床:desc"],
    ),
    (
        "group_municipality_by_name_100",
        "utf8",
        &[
            "--group",
            "municipality",
            "--sort",
            "name",
            "--width",
            "100",
        ],
    ),
    (
        "all_rows_by_secured",
        "utf8",
        &["--all-rows", "--sort", "確保病床"],
    ),
    ("filter", "utf8", &["--filter", "ｸﾘﾆｯｸ"]),
    ("filter_nothing", "utf8", &["--filter", "該当なしの名前"]),
    (
        "tokyo_stale_6",
        "utf8",
        &["--prefecture", "東京都", "--stale-hours", "6"],
    ),
    ("sjis", "sjis", &["--width", "150"]),
    (
        "eucjp_grouped",
        "eucjp",
        &["--group", "area", "--width", "90"],
    ),
];

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden_print")
        .join(format!("{name}.txt"))
}

fn updating() -> bool {
    std::env::var("BEDBOARD_UPDATE_GOLDEN").is_ok_and(|v| v == "1")
}

fn printed(encoding: &str, flags: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["print", "--source", VARIED, "--now", NOW])
        .args(flags)
        .env_remove("NO_COLOR")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C.UTF-8")
        .env("BEDBOARD_TERMINAL_ENCODING", encoding)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{flags:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The first line where two outputs differ, for the failure message.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let lines = |bytes: &[u8]| -> Vec<String> {
        bytes
            .split(|&b| b == b'\n')
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    };
    let (want, got) = (lines(expected), lines(actual));
    let at = (0..want.len().max(got.len()))
        .find(|&i| want.get(i) != got.get(i))
        .unwrap_or(0);
    format!(
        "line {}:\n  expected |{}|\n  actual   |{}|",
        at + 1,
        want.get(at).map_or("(no line)", String::as_str),
        got.get(at).map_or("(no line)", String::as_str)
    )
}

#[test]
fn print_writes_the_same_bytes_in_every_layout() {
    let mut failures = Vec::new();
    for &(name, encoding, flags) in CASES {
        let actual = printed(encoding, flags);
        let path = golden_path(name);
        if updating() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected =
            std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        if expected != actual {
            failures.push(format!(
                "{name} {flags:?} differs from {}: {}",
                path.display(),
                first_difference(&expected, &actual)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_varied_file_has_what_the_comparison_relies_on() {
    // A comparison of outputs without these would not show a change in them.
    let plain = String::from_utf8(std::fs::read(golden_path("plain")).unwrap()).unwrap();
    for needed in [
        "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ",
        "ESC?[31m病院",
        "?逆向き病院",
        "即応>確保",
        "機関コード要確認",
        "過去の報告 7 件を除外",
        "総計（57 件）",
        "夜間は要連絡",
    ] {
        assert!(plain.contains(needed), "{needed} is not in the output");
    }
    let grouped = String::from_utf8(std::fs::read(golden_path("group_area")).unwrap()).unwrap();
    assert!(grouped.contains("小計"));
    let narrow = String::from_utf8(std::fs::read(golden_path("width_80")).unwrap()).unwrap();
    assert!(narrow.contains("表示しきれない列: "));
    let sjis = std::fs::read(golden_path("sjis")).unwrap();
    assert!(
        std::str::from_utf8(&sjis).is_err(),
        "the sjis case is not UTF-8"
    );
}

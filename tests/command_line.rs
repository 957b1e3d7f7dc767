//! The command line's own words, through the real binary: every error and
//! every help page in Japanese.

use std::process::{Command, Output};

fn bedboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("BEDBOARD_CONFIG")
        .env_remove("BEDBOARD_TERMINAL_ENCODING")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("the binary runs")
}

/// What an unusable command line says on stderr; it exits 2 and writes nothing on stdout.
fn refused(args: &[&str]) -> String {
    let out = bedboard(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty(), "{args:?}");
    String::from_utf8(out.stderr).expect("UTF-8")
}

/// clap's English, none of which may reach the user.
const ENGLISH: &[&str] = &[
    "error:",
    "Usage:",
    "Options:",
    "Commands:",
    "Arguments:",
    "tip:",
    "Possible values",
    "possible values",
    "[default:",
    "[env:",
    "Print help",
    "Print version",
    "For more information",
    "unexpected argument",
    "is not in",
    "invalid",
    "required",
];

fn assert_no_english(text: &str) {
    for english in ENGLISH {
        assert!(!text.contains(english), "{english:?} in\n{text}");
    }
}

#[test]
fn a_number_out_of_range_names_the_range() {
    let said = refused(&["--interval", "5"]);
    assert!(
        said.starts_with(
            "bedboard: --interval <SECS> の値「5」は使えません: 10 以上の整数を指定してください\n"
        ),
        "{said}"
    );
    let said = refused(&["print", "--ambiguous-width", "3"]);
    assert!(
        said.contains("1 から 2 までの整数を指定してください"),
        "{said}"
    );
    let said = refused(&["print", "--stale-hours", "abc"]);
    assert!(said.contains("1 以上の整数を指定してください"), "{said}");
    assert_no_english(&said);
}

#[test]
fn unknown_flags_and_commands_are_told_with_a_suggestion() {
    let said = refused(&["prnt"]);
    assert!(said.contains("知らないコマンドです: prnt"), "{said}");
    assert!(said.contains("print のことですか？"), "{said}");
    assert!(
        said.contains("使い方: bedboard [オプション] [コマンド]"),
        "{said}"
    );
    assert_no_english(&said);
    let said = refused(&["print", "--sourc", "x.csv"]);
    assert!(said.contains("知らないオプションです: --sourc"), "{said}");
    assert!(said.contains("--source のことですか？"), "{said}");
    assert_no_english(&said);
}

#[test]
fn a_value_not_in_the_list_lists_the_values() {
    let said = refused(&["--format", "xml"]);
    assert!(
        said.contains(
            "--format <FORMAT> の値「xml」は使えません。使える値: auto・csv・json・report"
        ),
        "{said}"
    );
    assert_no_english(&said);
    let said = refused(&["export"]);
    assert!(
        said.contains("必要なオプションがありません: --out <FILE>"),
        "{said}"
    );
    assert_no_english(&said);
}

#[test]
fn every_help_page_is_in_japanese() {
    for command in [
        &[][..],
        &["print"],
        &["export"],
        &["demo-feed"],
        &["registration-form"],
        &["status"],
        &["completions"],
    ] {
        for flag in ["--help", "-h"] {
            let mut args = command.to_vec();
            args.push(flag);
            let out = bedboard(&args);
            assert!(out.status.success(), "{args:?}");
            let help = String::from_utf8(out.stdout).expect("UTF-8");
            assert!(help.contains("使い方: bedboard"), "{args:?}\n{help}");
            assert!(help.contains("オプション:"), "{args:?}\n{help}");
            assert!(help.contains("ヘルプを表示する"), "{args:?}\n{help}");
            assert_no_english(&help);
        }
    }
    let out = bedboard(&["--version"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("bedboard {}\n", env!("CARGO_PKG_VERSION"))
    );
}

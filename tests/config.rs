//! Config files against the real binary.

use std::process::Command;

fn bedboard_with_config(text: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "--config",
            path.to_str().unwrap(),
            "--source",
            "assets/sample/seed-tokyo.csv",
        ])
        .env_remove("BEDBOARD_CONFIG")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_config_stops_with_the_key_and_line() {
    let (code, _, stderr) =
        bedboard_with_config("[display]\nascii = true\n\n[view]\ngroup = \"city\"\n");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(
            "config.toml:5: view.group: none・prefecture・area・municipality のいずれかです: city"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = bedboard_with_config("[display]\ncolour = \"red\"\n");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("config.toml:2: 設定ファイルの誤り") && stderr.contains("colour"),
        "{stderr}"
    );
}

#[test]
fn a_good_config_starts_and_without_a_terminal_prints_the_table() {
    let (code, stdout, stderr) = bedboard_with_config(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"),
        )
        .unwrap(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("レコード数 12 "), "{stdout}");
}

#[test]
fn a_missing_config_named_on_the_command_line_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .args(["--config", "/nonexistent/bedboard.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "設定ファイル /nonexistent/bedboard.toml を読めません（ファイルが見つかりません）"
    ));
}

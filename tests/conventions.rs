//! What an installed command line tool is expected to have: completions for the shells,
//! man pages, `--version`. The generated files in `assets/` are compared with what the
//! program generates now; after changing a flag or a help text, regenerate them with
//!
//! ```sh
//! BEDBOARD_UPDATE_ASSETS=1 cargo test --test conventions
//! git diff assets/man assets/completions
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bedboard::cli::manual::{completion_file_name, completion_script, man_pages, SHELLS};

const UPDATE_VARIABLE: &str = "BEDBOARD_UPDATE_ASSETS";
const UPDATE_COMMAND: &str = "BEDBOARD_UPDATE_ASSETS=1 cargo test --test conventions";

fn bedboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("BEDBOARD_CONFIG")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("the binary runs")
}

fn assets(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(folder)
}

/// Compares (or, when updating, writes) one generated file; returns what is wrong with it.
fn check_generated(path: &Path, generated: &[u8]) -> Option<String> {
    if std::env::var_os(UPDATE_VARIABLE).is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, generated).unwrap();
        return None;
    }
    match std::fs::read(path) {
        Ok(committed) if committed == generated => None,
        Ok(_) => Some(format!("{} is out of date", path.display())),
        Err(err) => Some(format!("{} cannot be read: {err}", path.display())),
    }
}

/// Files in `folder` that nothing generates any more (a subcommand that was removed).
fn leftovers(folder: &Path, generated: &[String]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !generated.contains(name))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn assert_current(folder: &Path, files: Vec<(String, Vec<u8>)>) {
    let mut problems: Vec<String> = files
        .iter()
        .filter_map(|(name, text)| check_generated(&folder.join(name), text))
        .collect();
    let names: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
    for extra in leftovers(folder, &names) {
        if std::env::var_os(UPDATE_VARIABLE).is_some() {
            std::fs::remove_file(folder.join(&extra)).unwrap();
        } else {
            problems.push(format!("{extra} in {} is not generated", folder.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate with: {UPDATE_COMMAND}",
        problems.join("\n")
    );
}

#[test]
fn the_committed_completions_are_current() {
    let files = SHELLS
        .iter()
        .map(|&shell| {
            (
                completion_file_name(shell).to_string(),
                completion_script(shell),
            )
        })
        .collect();
    assert_current(&assets("completions"), files);
}

#[test]
fn the_committed_man_pages_are_current() {
    let files = man_pages()
        .into_iter()
        .map(|page| (page.file_name, page.text))
        .collect();
    assert_current(&assets("man"), files);
}

fn completions(shell: &str) -> String {
    let out = bedboard(&["completions", shell]);
    assert!(out.status.success(), "{shell}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

const SUBCOMMANDS: [&str; 6] = [
    "print",
    "export",
    "demo-feed",
    "registration-form",
    "status",
    "completions",
];

#[test]
fn the_bash_completion_knows_the_commands_and_options_and_is_valid_bash() {
    let script = completions("bash");
    for word in SUBCOMMANDS {
        assert!(script.contains(word), "{word} missing");
    }
    for option in [
        "--source",
        "--store",
        "--interval",
        "--sort",
        "--json",
        "--out",
    ] {
        assert!(script.contains(option), "{option} missing");
    }
    // The shell values of `completions` itself are offered.
    assert!(script.contains("bash zsh fish"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bedboard.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn the_zsh_and_fish_completions_name_the_commands_in_japanese() {
    let zsh = completions("zsh");
    assert!(zsh.starts_with("#compdef bedboard"), "{zsh}");
    let fish = completions("fish");
    for script in [&zsh, &fish] {
        for word in SUBCOMMANDS {
            assert!(script.contains(word), "{word} missing from\n{script}");
        }
        // The descriptions are the help's, clap's own phrases included.
        assert!(script.contains("表を標準出力に書き出す"), "{script}");
        assert!(script.contains("ヘルプを表示する"), "{script}");
        assert!(!script.contains("Print help"), "{script}");
    }
}

#[test]
fn an_unknown_shell_is_refused_in_japanese() {
    let out = bedboard(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("「tcsh」は使えません"), "{said}");
}

#[test]
fn the_man_pages_describe_every_command_in_japanese() {
    let pages = man_pages();
    let names: Vec<&str> = pages.iter().map(|p| p.file_name.as_str()).collect();
    assert_eq!(names[0], "bedboard.1");
    for command in SUBCOMMANDS {
        assert!(
            names.contains(&format!("bedboard-{command}.1").as_str()),
            "{names:?}"
        );
    }
    assert!(!names.contains(&"bedboard-help.1"), "{names:?}");
    let main = String::from_utf8(pages[0].text.clone()).unwrap();
    assert!(main.starts_with(".ie \\n(.g .ds Aq"), "{main}");
    assert!(main.contains(".TH bedboard 1"), "{main}");
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "\"EXIT STATUS\"",
        "FILES",
    ] {
        assert!(
            main.contains(&format!(".SH {section}")),
            "{section} missing"
        );
    }
    assert!(main.contains("病床ダッシュボード"), "{main}");
    assert!(main.contains("bedboard\\-status\\fR(1)"), "{main}");
    let status = pages
        .iter()
        .find(|p| p.file_name == "bedboard-status.1")
        .unwrap();
    let status = String::from_utf8(status.text.clone()).unwrap();
    assert!(status.contains("\\-\\-json"), "{status}");
    assert!(status.contains("ヘルプを表示する"), "{status}");
    assert!(!status.contains("Print help"), "{status}");
}

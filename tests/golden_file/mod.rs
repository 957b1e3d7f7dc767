//! Golden screens: a drawn frame compared line by line with its file under
//! `tests/golden/`, rewritten when `BEDBOARD_UPDATE_GOLDEN=1`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bedboard::text::width::{str_width, AmbiguousWidth};

pub const UPDATE_VARIABLE: &str = "BEDBOARD_UPDATE_GOLDEN";

pub fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"))
}

pub fn updating() -> bool {
    std::env::var(UPDATE_VARIABLE).is_ok_and(|v| v == "1")
}

/// Compares a frame with its golden file; rewrites the file when updating.
pub fn compare_with_golden(name: &str, actual: &[String]) -> Result<(), String> {
    let path = golden_path(name);
    let text = actual.join("\n") + "\n";
    if updating() {
        std::fs::create_dir_all(path.parent().expect("tests/golden"))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|err| format!("{}: cannot write: {err}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|err| {
        format!(
            "{}: {err}; run with {UPDATE_VARIABLE}=1 to create it",
            path.display()
        )
    })?;
    let expected: Vec<&str> = expected
        .strip_suffix('\n')
        .unwrap_or(&expected)
        .split('\n')
        .collect();
    let diff = line_diff(&expected, actual);
    if diff.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} differs ({UPDATE_VARIABLE}=1 rewrites it):\n{}",
            path.display(),
            diff.join("\n")
        ))
    }
}

/// One entry per differing line: its number, then expected and actual between bars.
pub fn line_diff(expected: &[&str], actual: &[String]) -> Vec<String> {
    let count = expected.len().max(actual.len());
    (0..count)
        .filter_map(|i| {
            let want = expected.get(i).copied();
            let got = actual.get(i).map(String::as_str);
            (want != got).then(|| {
                let show =
                    |line: Option<&str>| line.map_or("(no line)".to_string(), |l| format!("|{l}|"));
                format!(
                    "  line {:>2}\n    expected {}\n    actual   {}",
                    i + 1,
                    show(want),
                    show(got)
                )
            })
        })
        .collect()
}

/// Each line must fill the screen exactly, measured as a terminal in that
/// ambiguous width measures it; a line that does not would shift on screen.
pub fn lines_off_the_screen_width(
    lines: &[String],
    width: u16,
    amb: AmbiguousWidth,
) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| str_width(line, amb) != usize::from(width))
        .map(|(i, line)| {
            format!(
                "line {} is {} cells wide in {amb:?}, not {width}: |{line}|",
                i + 1,
                str_width(line, amb)
            )
        })
        .collect()
}

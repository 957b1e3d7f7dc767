//! The folders are the architecture: every `crate::` path in a module must
//! point to a layer below it (or to itself), and the UI does no file or
//! database I/O. The README's architecture section draws the same table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module and its layer; a module may use only lower layers.
/// Modules on one layer are independent of each other.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("model", 1),
    ("files", 1),
    ("formats", 2),
    ("source", 2),
    ("geo", 2),
    ("store", 3),
    ("master", 3),
    ("poll", 4),
    ("view", 5),
    ("export", 6),
    ("demo", 7),
    ("config", 7),
    ("ui", 8),
    ("cli", 9),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to: `src/ui/draw.rs` → `ui`,
/// `src/config.rs` → `config`; none for the crate root and the binary.
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// Code lines without comments, so doc links do not count as imports.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let code = line.split("//").next().unwrap_or("");
        (!code.trim().is_empty()).then_some((i + 1, code))
    })
}

/// Every `crate::name` in a line of code.
fn crate_paths(code: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        let after = &rest[at + "crate::".len()..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && name_len > 0
        {
            found.push(&after[..name_len]);
        }
        rest = &after[name_len..];
    }
    found
}

fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
}

#[test]
fn every_import_points_down() {
    let mut wrong = Vec::new();
    for path in all_files() {
        let Some(module) = module_of(&path) else {
            continue;
        };
        let Some(own) = layer(&module) else {
            wrong.push(format!("{}: module {module} has no layer", path.display()));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, code) in code_lines(&text) {
            for target in crate_paths(code) {
                if target == module {
                    continue;
                }
                match layer(target) {
                    Some(theirs) if theirs < own => {}
                    Some(theirs) => wrong.push(format!(
                        "{}:{line}: {module} (layer {own}) uses {target} (layer {theirs})",
                        path.strip_prefix(src()).unwrap().display()
                    )),
                    None => wrong.push(format!(
                        "{}:{line}: {target} has no layer",
                        path.strip_prefix(src()).unwrap().display()
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_in_lib_has_a_layer() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect();
    assert!(modules.len() >= LAYERS.len());
    for module in modules {
        assert!(layer(module).is_some(), "{module} has no layer");
    }
}

/// What opening a file or a database looks like in code.
const IO_CALLS: &[&str] = &[
    "std::fs",
    "tokio::fs",
    "File::",
    "OpenOptions",
    "rusqlite",
    "crate::store",
    "crate::files",
    "read_to_string",
    "create_dir",
];

#[test]
fn the_ui_does_no_file_or_database_io() {
    let mut found = Vec::new();
    for path in all_files() {
        if module_of(&path).as_deref() != Some("ui") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests at the bottom of a file may use temp files.
        let body = text.split("#[cfg(test)]").next().unwrap_or("");
        for (line, code) in code_lines(body) {
            for call in IO_CALLS {
                if code.contains(call) {
                    found.push(format!(
                        "{}:{line}: {}",
                        path.strip_prefix(src()).unwrap().display(),
                        code.trim()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "I/O under src/ui/:\n{}", found.join("\n"));
}

/// Whether a file may name clap: the command line and the binary only.
fn may_use_clap(path: &Path) -> bool {
    let relative = path.strip_prefix(src()).unwrap();
    relative.starts_with("cli") || relative == Path::new("main.rs")
}

#[test]
fn clap_lives_only_in_the_cli() {
    let mut found = Vec::new();
    for path in all_files().iter().filter(|p| !may_use_clap(p)) {
        let text = std::fs::read_to_string(path).unwrap();
        for (line, code) in code_lines(&text) {
            if code.contains("clap::") || code.contains("use clap") {
                found.push(format!(
                    "{}:{line}: {}",
                    path.strip_prefix(src()).unwrap().display(),
                    code.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "clap outside src/cli/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_themselves_find_what_they_look_for() {
    assert_eq!(
        crate_paths("use crate::store::Store; x::crate::no; crate::ui::draw"),
        ["store", "ui"]
    );
    assert_eq!(
        code_lines("/// [`crate::store`]\nlet a = 1; // crate::ui\n")
            .map(|(_, c)| c.trim())
            .collect::<Vec<_>>(),
        ["let a = 1;"]
    );
    assert!(may_use_clap(&src().join("cli").join("args.rs")));
    assert!(may_use_clap(&src().join("main.rs")));
    assert!(!may_use_clap(&src().join("config.rs")));
    assert!(!may_use_clap(&src().join("client").join("x.rs")));
    let by_module: BTreeMap<_, _> = all_files()
        .iter()
        .filter_map(|p| module_of(p))
        .map(|m| (m, ()))
        .collect();
    for (module, _) in LAYERS {
        assert!(by_module.contains_key(*module), "no files for {module}");
    }
}

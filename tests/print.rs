//! `bedboard print` through the real binary.

mod large_csv;

use std::process::{Command, Output};

use bedboard::text::width::{str_width, AmbiguousWidth};

const SEED: &str = "assets/sample/seed-tokyo.csv";
const NOW: &str = "2022/02/02 09:00";

fn bedboard(args: &[&str]) -> Output {
    bedboard_in(args, "C.UTF-8")
}

/// The binary in the locale `LANG=lang`.
fn bedboard_in(args: &[&str], lang: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("BEDBOARD_TERMINAL_ENCODING")
        // `print` reads the config for its size cap: never the tester's own.
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent/bedboard-tests")
        .env("LANG", lang)
        .output()
        .expect("the binary runs")
}

fn print(args: &[&str]) -> String {
    let mut all = vec!["print"];
    all.extend_from_slice(args);
    if !args.contains(&"--now") {
        all.extend(["--now", NOW]);
    }
    let out = bedboard(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Display columns at which each separator of a table line starts, as a
/// terminal with the given ambiguous width would place them.
fn separator_columns(line: &str, separator: char, amb: AmbiguousWidth) -> Vec<usize> {
    line.char_indices()
        .filter(|(_, c)| *c == separator)
        .map(|(i, _)| str_width(&line[..i], amb))
        .collect()
}

/// Every table line (header, rows, totals) has its separators in the same cells.
fn assert_aligned(text: &str, separator: char, amb: AmbiguousWidth) {
    let table: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(&format!(" {separator} ")))
        .collect();
    assert!(table.len() > 3, "no table in\n{text}");
    let expected = separator_columns(table[0], separator, amb);
    for line in &table {
        let found = separator_columns(line, separator, amb);
        // Trailing blank cells are trimmed, so a line may end early.
        assert_eq!(
            found[..],
            expected[..found.len()],
            "misaligned in {amb:?}:\n{line}\n{}",
            table[0]
        );
    }
}

#[test]
fn seed_sample_shows_its_count_and_totals() {
    let text = print(&["--source", SEED]);
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "レコード数 12  合計 確保病床 30  即応病床 24  入院中 18  空床 6  （空床あり 6 施設）"
    );
    assert!(text.contains("東京都 病院16"));
    let total = text
        .lines()
        .find(|l| l.starts_with("総計（12 件）"))
        .expect("a grand total row");
    let numbers: Vec<&str> = total
        .split('│')
        .map(str::trim)
        .filter(|c| c.parse::<u32>().is_ok())
        .collect();
    assert_eq!(numbers, ["30", "24", "18", "6"]);
}

#[test]
fn columns_align_in_both_ambiguous_widths_and_in_ascii() {
    let narrow = print(&["--source", SEED, "--group", "prefecture"]);
    assert_aligned(&narrow, '│', AmbiguousWidth::Narrow);
    let wide = print(&["--source", SEED, "--ambiguous-width", "2"]);
    assert!(
        !wide.contains('│'),
        "box drawing is ambiguous: ASCII in wide mode"
    );
    assert_aligned(&wide, '|', AmbiguousWidth::Wide);
    let ascii = print(&["--source", SEED, "--ascii"]);
    assert!(ascii.lines().skip(2).all(|l| !l.contains(['│', '─', '┼'])));
    assert_aligned(&ascii, '|', AmbiguousWidth::Narrow);
}

#[test]
fn awkward_names_align_in_both_modes() {
    let file = "tests/fixtures/cp932-extensions.csv";
    for (amb, flag) in [(AmbiguousWidth::Narrow, "1"), (AmbiguousWidth::Wide, "2")] {
        let text = print(&["--source", file, "--ambiguous-width", flag, "--ascii"]);
        assert!(text.contains("①髙﨑会 ㈱ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"), "{text}");
        assert_aligned(&text, '|', amb);
    }
}

#[test]
fn a_narrow_width_cuts_names_with_a_mark_but_never_numbers() {
    let text = print(&[
        "--source",
        "tests/fixtures/cp932-extensions.csv",
        "--width",
        "70",
        "--ascii",
    ]);
    for line in text.lines().skip(2) {
        if !line.starts_with("表示しきれない列") {
            assert!(
                str_width(line, AmbiguousWidth::Narrow) <= 70,
                "too wide: {line}"
            );
        }
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("医療法人社団①") && l.contains('~')),
        "a cut is marked:\n{text}"
    );
    assert!(
        text.contains("表示しきれない列: 市区町村、"),
        "left-out columns are named:\n{text}"
    );
    assert!(!text.contains('#'), "numbers fit:\n{text}");
    let total = text
        .lines()
        .find(|l| l.starts_with("総計（2 件）"))
        .unwrap();
    assert!(total.contains(" 7 ") && total.contains(" 6 "), "{total}");
    assert_aligned(&text, '|', AmbiguousWidth::Narrow);
}

#[test]
fn sort_group_and_filter() {
    let text = print(&["--source", SEED, "--sort", "空床:desc", "--ascii"]);
    let frees: Vec<i64> = text
        .lines()
        .filter(|l| l.starts_with("東京都"))
        .map(|l| l.split('|').nth(4).unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(frees, [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);

    let grouped = print(&["--source", SEED, "--group", "municipality", "--ascii"]);
    assert!(
        grouped.contains("\n千代田区 (11)\n") && grouped.contains("\n中央区 (1)\n"),
        "{grouped}"
    );
    assert_eq!(
        grouped.lines().filter(|l| l.starts_with("小計（")).count(),
        2
    );

    let filtered = print(&["--source", SEED, "--filter", "ちゅうおうく", "--ascii"]);
    assert!(
        filtered.contains("レコード数 0 / 12"),
        "hiragana does not match kanji:\n{filtered}"
    );
    let filtered = print(&["--source", SEED, "--filter", "病院１６", "--ascii"]);
    assert!(filtered.contains("レコード数 1 / 12"), "{filtered}");
    assert!(filtered.contains("東京都 病院16"));
    assert!(
        filtered.contains("並べ替え: なし  絞り込み: 「病院１６」  グループ: なし"),
        "the dashboard header's wording:\n{filtered}"
    );
}

#[test]
fn english_aliases_and_bad_sort_columns() {
    let text = print(&["--source", SEED, "--sort", "free:desc"]);
    assert!(text.contains("並べ替え: 空床 降順"));
    let out = bedboard(&["print", "--source", SEED, "--sort", "beds"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("列「beds」はありません"));
}

#[test]
fn unusable_input_exits_2_with_the_reason_on_stderr() {
    for (file, reason) in [
        (
            "tests/fixtures/missing-column.csv",
            "必須の列がありません: 即応病床",
        ),
        ("tests/fixtures/binary.dat", "バイナリファイル"),
        ("tests/fixtures/nope.csv", "ファイルが見つかりません"),
    ] {
        let out = bedboard(&["print", "--source", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason) && stderr.contains(file), "{stderr}");
    }
}

/// A G-MIS file of a little over 1 MiB (1.1 MiB shown), and a config with
/// `[feed] max_mib = N` for each N asked for.
fn just_over_a_mib(dir: &std::path::Path) -> String {
    let path = file_with_extra_columns(dir, 10_000, 0);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!((1_048_577..1_153_433).contains(&size), "{size} bytes");
    path
}

fn config_with_cap(dir: &std::path::Path, mib: u32) -> String {
    let path = dir.join(format!("cap{mib}.toml"));
    std::fs::write(&path, format!("[feed]\nmax_mib = {mib}\n")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_file_over_the_cap_is_refused_with_its_size_and_how_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = just_over_a_mib(dir.path());
    let one = config_with_cap(dir.path(), 1);
    for command in ["print", "export"] {
        let out_file = dir.path().join("out.csv");
        let mut args = vec![command, "--source", &path, "--config", &one];
        if command == "export" {
            args.extend(["--out", out_file.to_str().unwrap()]);
        }
        let out = bedboard(&args);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(out.stdout.is_empty());
        assert!(!out_file.exists(), "nothing is written");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&format!(
                "{path}: ファイルが大きすぎます（1.1 MiB、上限 1 MiB）。--max-mib 2 か、設定ファイルの [feed] max_mib = 2 で上限を上げてください"
            )),
            "{command}: {said}"
        );
    }
}

#[test]
fn the_cap_comes_from_the_flag_then_the_config_then_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = just_over_a_mib(dir.path());
    let (one, two) = (
        config_with_cap(dir.path(), 1),
        config_with_cap(dir.path(), 2),
    );
    let printed = |extra: &[&str]| {
        let mut args = vec!["print", "--source", &path, "--now", NOW];
        args.extend_from_slice(extra);
        let out = bedboard(&args);
        let total = String::from_utf8_lossy(&out.stdout).contains("総計（10000 件）");
        assert_eq!(out.status.success(), total, "{extra:?}");
        total
    };
    // The default cap (64 MiB) reads it; the config's or the flag's 1 MiB do not.
    assert!(printed(&[]));
    assert!(!printed(&["--config", &one]));
    assert!(printed(&["--config", &two]));
    assert!(!printed(&["--max-mib", "1"]));
    // The flag wins over the config, both ways.
    assert!(printed(&["--config", &one, "--max-mib", "2"]));
    assert!(!printed(&["--config", &two, "--max-mib", "1"]));
    let out = bedboard(&["print", "--source", &path, "--max-mib", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 から 1024 までの整数"));
    // Export takes the same cap.
    let out_file = dir.path().join("out.csv");
    let out = bedboard(&[
        "export",
        "--source",
        &path,
        "--config",
        &one,
        "--max-mib",
        "2",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_file.exists());
}

#[test]
fn a_file_beyond_the_largest_cap_says_so() {
    // A sparse file: its size is what the message reports, nothing is read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1025 * 1024 * 1024 + 1).unwrap();
    let path = path.to_str().unwrap();
    let out = bedboard(&["print", "--source", path, "--max-mib", "1024"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "ファイルが大きすぎます（1025.1 MiB、上限 1024 MiB）。読み込める上限は 1024 MiB です"
        ),
        "{said}"
    );
}

#[test]
fn bad_rows_are_shown_on_stderr_and_the_good_rows_printed() {
    let out = bedboard(&[
        "print",
        "--source",
        "tests/fixtures/bad-rows.csv",
        "--now",
        NOW,
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("レコード数 2 "), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad-rows.csv:3: 列「即応病床」: 数値ではありません（abc）"),
        "{stderr}"
    );
    assert!(stderr.contains("4 行を取り込めませんでした"), "{stderr}");
}

#[test]
fn flags_are_shown_as_words() {
    let text = print(&["--source", SEED]);
    let first = text.lines().find(|l| l.contains("1310170018")).unwrap();
    assert!(first.contains("機関コード要確認"), "{first}");
    let text = print(&["--source", SEED, "--now", "2022/02/05 09:00"]);
    let first = text.lines().find(|l| l.contains("1310170018")).unwrap();
    assert!(first.contains("古い"), "stale after 24 hours: {first}");
}

/// The dashboard with stdout on a pipe, so it falls back to the plain table;
/// no config is read but the one the flags name.
fn dashboard_without_terminal(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("BEDBOARD_CONFIG")
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .output()
        .expect("the binary runs")
}

fn copy_dated(from: &str, to: &std::path::Path, age: std::time::Duration) {
    std::fs::copy(from, to).unwrap();
    let file = std::fs::File::options().write(true).open(to).unwrap();
    file.set_modified(std::time::SystemTime::now() - age)
        .unwrap();
}

#[test]
fn print_reads_every_format_the_dashboard_reads() {
    for source in [
        "tests/fixtures/json/seed-tokyo-rows.json",
        "tests/fixtures/json/seed-tokyo-report-tabular.json",
        SEED,
    ] {
        let text = print(&["--source", source]);
        assert!(text.starts_with("レコード数 12 "), "{source}: {text}");
        assert!(text.lines().nth(1).unwrap().contains(source), "{text}");
    }
}

#[test]
fn without_a_terminal_a_folder_shows_its_newest_complete_export() {
    let dir = tempfile::tempdir().unwrap();
    let hour = std::time::Duration::from_secs(3600);
    copy_dated(SEED, &dir.path().join("older.csv"), 2 * hour);
    let newest = dir.path().join("newer.json");
    copy_dated("tests/fixtures/json/seed-tokyo-rows.json", &newest, hour);
    let out = dashboard_without_terminal(&["--source", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("レコード数 12 "), "{stdout}");
    let source_line = stdout.lines().nth(1).unwrap();
    assert!(
        source_line.contains(&format!("{}（UTF-8）", newest.display())),
        "{source_line}"
    );
    let empty = tempfile::tempdir().unwrap();
    let out = dashboard_without_terminal(&["--source", empty.path().to_str().unwrap()]);
    assert_fails_saying(&out, 2, "にまだエクスポートがありません");
}

/// The command stopped with `code`, printed nothing and said `reason` on stderr.
fn assert_fails_saying(out: &Output, code: i32, reason: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains(reason), "{stderr}");
}

#[test]
fn without_a_terminal_prefecture_and_encoding_still_apply() {
    let out = dashboard_without_terminal(&["--source", SEED, "--prefecture", "神奈川"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("レコード数 0 "));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("bedboard: 範囲外（神奈川県 以外）の 12 行を除きました"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = dashboard_without_terminal(&["--source", SEED, "--encoding", "utf8"]);
    assert_fails_saying(&out, 2, "見出し行を UTF-8 として読めません");
}

#[test]
fn without_a_terminal_a_url_is_fetched_once_or_the_failure_is_said() {
    use bedboard::demo::server::{DemoFeed, DemoFeedOptions};
    let feed = DemoFeed::start(DemoFeedOptions {
        addr: "127.0.0.1:0".into(),
        change_every: std::time::Duration::from_secs(3600),
        basic_auth: None,
    })
    .unwrap();
    let url = feed.url("/report.csv");
    let out = dashboard_without_terminal(&["--source", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("レコード数 "), "{stdout}");
    assert!(
        stdout
            .lines()
            .nth(1)
            .unwrap()
            .contains(&format!("{url}（Shift-JIS）")),
        "{stdout}"
    );

    // A port nobody listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/report.csv", closed.local_addr().unwrap());
    drop(closed);
    let out = dashboard_without_terminal(&["--source", &url]);
    assert_fails_saying(
        &out,
        3,
        &format!("bedboard: {url} から取得できません: 接続できません"),
    );
}

/// The table and the messages are written in the locale's character set,
/// with ASCII separators (the usual ones are in neither Japanese set).
#[test]
fn a_japanese_legacy_locale_reads_the_table_and_the_messages() {
    let out = bedboard_in(&["print", "--source", SEED, "--now", NOW], "ja_JP.SJIS");
    assert!(out.status.success());
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&out.stdout);
    assert!(!had_errors, "every byte is Shift_JIS");
    assert!(text.contains("レコード数 12  合計 確保病床 30"), "{text}");
    assert_aligned(&text, '|', AmbiguousWidth::Narrow);
    let out = bedboard_in(&["print", "--source", "no-such-file.csv"], "ja_JP.eucJP");
    let (said, had_errors) = encoding_rs::EUC_JP.decode_without_bom_handling(&out.stderr);
    assert!(!had_errors);
    assert!(said.contains("ファイルが見つかりません"), "{said}");
    let out = bedboard_in(&["print", "--source", SEED, "--now", NOW], "ja_JP.UTF-8");
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("合計 確保病床 30"));
}

/// A G-MIS file with `extra` columns of its own after the known ones.
fn file_with_extra_columns(dir: &std::path::Path, rows: usize, extra: usize) -> String {
    let mut text = String::from(
        "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中",
    );
    for j in 0..extra {
        text.push_str(&format!(",追加{j}"));
    }
    text.push('\n');
    for i in 0..rows {
        text.push_str(&format!(
            "東京都,13,131016,千代田区,1301,区中央部,13101{i:05},病院{i},2022/02/01,2022/02/01 11:32,20,10,5"
        ));
        for j in 0..extra {
            text.push_str(&format!(",{}", (i + j) % 1000));
        }
        text.push('\n');
    }
    let path = dir.join("wide.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_hundred_thousand_columns_fit_into_a_width() {
    // Fitting them took a minute when each cell given up recounted every column.
    let dir = tempfile::tempdir().unwrap();
    let path = file_with_extra_columns(dir.path(), 3, 100_000);
    let out = print(&["--source", &path, "--width", "200"]);
    let hidden = out
        .lines()
        .find(|l| l.starts_with("表示しきれない列: "))
        .expect("the columns left out are named");
    assert!(hidden.ends_with("追加99999（--width を広げると表示します）"));
    let rows = out.lines().filter(|l| l.starts_with("病院")).count();
    assert_eq!(rows, 3);
    assert!(out.lines().any(|l| l.starts_with("総計（3 件）")));
    for line in out.lines().filter(|l| l.contains(" │ ")) {
        assert!(str_width(line, AmbiguousWidth::Narrow) <= 200, "{line}");
    }
}

#[test]
fn rows_stream_in_the_order_of_the_view_with_the_total_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with_extra_columns(dir.path(), 2_000, 1);
    let out = print(&["--source", &path, "--sort", "name:desc"]);
    let names: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("病院"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(names.len(), 2_000);
    assert_eq!(names[0], "病院999");
    assert!(
        names.windows(2).all(|w| w[0] >= w[1]),
        "sorted by name, descending"
    );
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("総計（2000 件）"), "{last}");
    // Every row is as wide as the header: widths come from the whole body.
    let widths: std::collections::HashSet<usize> = out
        .lines()
        .filter(|l| l.contains(" │ "))
        .map(|l| separator_columns(l, '│', AmbiguousWidth::Narrow).len())
        .collect();
    assert_eq!(widths.len(), 1);
}

#[test]
fn a_large_file_is_printed_whole_with_its_lines_numbered_as_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 80_000;
    let path = dir.path().join("large.csv");
    std::fs::write(&path, large_csv::large_csv(rows, 70_000, 41_000, 0)).unwrap();
    let out = bedboard(&["print", "--source", path.to_str().unwrap(), "--now", NOW]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let good = rows - 1;
    assert!(
        stdout.starts_with(&format!("レコード数 {good} ")),
        "{}",
        &stdout[..200]
    );
    assert!(stdout.contains("大きな病院79999"), "the last row is there");
    // The header is line 1, row i is line i + 2, and the quoted line break adds one after row 41,000.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("large.csv:70003: 列「即応病床」: 数値ではありません（abc）"),
        "{stderr}"
    );
    assert!(stderr.contains("1 行を取り込めませんでした"), "{stderr}");
}

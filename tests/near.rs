//! `print --near` and `export --near` through the real binary: distances from
//! the shipped municipality table, the masters' own points, and the errors.

use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2022/02/02 09:00";
const HEADER: &str = "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中";

/// A report of three hospitals: two in 千代田区, one in 中央区.
fn write_report(dir: &Path) -> String {
    let rows = [
        "東京都,13,131016,千代田区,1301,区中央部,1310170018,神田病院,2022/01/05,2022/02/01 11:32,3,2,1",
        "東京都,13,131024,中央区,1301,区中央部,1310270017,築地病院,2022/01/05,2022/02/01 11:32,4,4,1",
        "東京都,13,131016,千代田区,1301,区中央部,1310170043,番町病院,2022/01/05,2022/02/01 11:32,2,1,1",
    ];
    let path = dir.join("report.csv");
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path.display().to_string()
}

fn bedboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bedboard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("BEDBOARD_TERMINAL_ENCODING")
        .output()
        .expect("the binary runs")
}

fn print_near(report: &str, place: &str, extra: &[&str]) -> String {
    let mut args = vec!["print", "--source", report, "--now", NOW, "--near", place];
    args.extend_from_slice(extra);
    let out = bedboard(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The representative point of a code, read from the shipped table here (not by bedboard).
fn table_point(code: &str) -> (f64, f64) {
    let table = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/municipality-codes-localgovjp.csv"),
    )
    .unwrap();
    let line = table
        .lines()
        .find(|l| l.ends_with(&format!(",{code}")))
        .unwrap();
    let fields: Vec<&str> = line.split(',').collect();
    (fields[5].parse().unwrap(), fields[6].parse().unwrap())
}

/// Haversine with R = 6371 km, written out again for the test.
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dp = p2 - p1;
    let dl = (b.1 - a.1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The data lines of the table (after the rule), as their cells.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip_while(|l| !l.contains("─┼─"))
        .skip(1)
        .map(|l| l.split(" │ ").map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn print_near_ranks_by_the_distance_between_municipality_points() {
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    let text = print_near(&report, "千代田区", &[]);
    assert!(
        text.starts_with("搬送先候補  起点: 千代田区（役所付近）  3 件\n"),
        "{text}"
    );
    assert!(text.contains("並べ替え: 距離 昇順"), "{text}");
    assert!(text.contains("約: 概算"), "{text}");
    let expected = km(table_point("131016"), table_point("131024"));
    let rows = rows(&text);
    let names: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["神田病院", "番町病院", "築地病院"]);
    assert_eq!(rows[0][0], "約0.0");
    assert_eq!(rows[2][0], format!("約{expected:.1}"));
    assert_eq!(rows[2][1], "南東");
}

#[test]
fn the_masters_points_come_before_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    // 番町病院 has its own point, 1 degree of latitude north of 千代田区's office.
    let (lat, lng) = table_point("131016");
    let master = dir.path().join("master.csv");
    std::fs::write(
        &master,
        format!(
            "医療機関コード,医療機関名,電話番号（代表）,電話番号（夜間・救急）,緯度,経度\n\
             1310170043,番町病院,03-1111-2222,03-3333-4444,{},{lng}\n\
             1310170018,神田病院,03-5555-6666,,,\n",
            lat + 1.0
        ),
    )
    .unwrap();
    // The 自治体マスタ moves 中央区's point onto 千代田区's.
    let municipalities = dir.path().join("municipalities.csv");
    std::fs::write(
        &municipalities,
        format!("全国地方公共団体コード,市区町村,緯度,経度\n131024,中央区,{lat},{lng}\n"),
    )
    .unwrap();
    let text = print_near(
        &report,
        "131016",
        &[
            "--master",
            master.to_str().unwrap(),
            "--municipalities",
            municipalities.to_str().unwrap(),
        ],
    );
    let rows = rows(&text);
    let banchō = rows.iter().find(|r| r[2] == "番町病院").unwrap();
    assert_eq!(
        banchō[0],
        format!("{:.1}", km((lat, lng), (lat + 1.0, lng)))
    );
    assert_eq!(banchō[1], "北");
    assert_eq!(banchō[5], "03-3333-4444");
    let kanda = rows.iter().find(|r| r[2] == "神田病院").unwrap();
    assert_eq!(kanda[5], "03-5555-6666（代表）");
    let tsukiji = rows.iter().find(|r| r[2] == "築地病院").unwrap();
    assert_eq!(tsukiji[0], "約0.0");
    assert_eq!(rows.last().unwrap()[2], "番町病院");
}

#[test]
fn origins_by_point_address_and_kana() {
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    let point = table_point("131024");
    let text = print_near(&report, &format!("{},{}", point.0, point.1), &[]);
    assert!(text.contains("起点: 35.6"), "{text}");
    assert_eq!(rows(&text)[0][2], "築地病院");
    let text = print_near(&report, "千代田区神田駿河台2", &[]);
    assert!(text.contains("起点: 千代田区（役所付近）"), "{text}");
    let text = print_near(&report, "東京都中央区築地1丁目", &[]);
    assert!(text.contains("起点: 中央区（役所付近）"), "{text}");
    let text = print_near(&report, "ちよだ", &[]);
    assert!(text.contains("起点: 千代田区（役所付近）"), "{text}");
    let text = print_near(&report, "千代田区", &["--sort", "距離:desc"]);
    assert_eq!(rows(&text)[0][2], "築地病院");
}

#[test]
fn an_unknown_or_ambiguous_place_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    let out = bedboard(&["print", "--source", &report, "--near", "どこでもない町"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("場所「どこでもない町」が見つかりません"),
        "{stderr}"
    );
    let out = bedboard(&["print", "--source", &report, "--near", "伊達市"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("北海道伊達市、福島県伊達市"), "{stderr}");
    let out = bedboard(&["print", "--source", &report, "--sort", "距離"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn export_near_adds_the_distance_columns_in_distance_order() {
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    let out_path = dir.path().join("near.csv");
    let out = bedboard(&[
        "export",
        "--source",
        &report,
        "--now",
        NOW,
        "--out",
        out_path.to_str().unwrap(),
        "--encoding",
        "utf8",
        "--near",
        "中央区",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&out_path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with(",距離(km),方向,位置"), "{}", lines[0]);
    assert!(
        lines[1].contains("築地病院") && lines[1].ends_with(",0.0,,概算"),
        "{csv}"
    );
    let expected = km(table_point("131016"), table_point("131024"));
    assert!(
        lines[2].ends_with(&format!(",{expected:.1},北西,概算")),
        "{csv}"
    );
    // The export reads back, the distance columns kept as columns of the file.
    let back = bedboard(&[
        "print",
        "--source",
        out_path.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert!(back.status.success());
    assert!(String::from_utf8_lossy(&back.stdout).contains("距離(km)"));
}

//! The masters (医療機関マスタ, 自治体マスタ): import, cross-checks against a report, and the
//! operator profile with its registration form.

use std::path::PathBuf;
use std::process::Command;

use bedboard::demo::generator::{self as demo, demo_master_csv, MASTER_COLUMNS};
use bedboard::export::registration::write_registration_form;
use bedboard::formats::gmis_csv;
use bedboard::formats::{DetectedEncoding, ImportErrorKind, ImportOptions, Numbering};
use bedboard::master::{
    cross_check, dial_string, import_hospital_master, import_hospital_master_file,
    import_municipality_master_file, FindingKind, HospitalMaster, MasterImport, MunicipalityMaster,
    OperatorProfile, Side,
};
use bedboard::model::{HospitalCode, MunicipalityCode, Report};

fn path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if name.starts_with("assets/") {
        dir.join(name)
    } else {
        dir.join("tests/fixtures/master").join(name)
    }
}

fn hospitals(name: &str) -> MasterImport<HospitalMaster> {
    import_hospital_master_file(&path(name), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn municipalities(name: &str) -> MasterImport<MunicipalityMaster> {
    import_municipality_master_file(&path(name), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn report(name: &str) -> Report {
    let options = ImportOptions {
        source_name: name.to_string(),
        ..Default::default()
    };
    let bytes = std::fs::read(path(name)).unwrap();
    let import = gmis_csv::import_bytes(&bytes, &options).unwrap();
    assert!(import.problems.is_empty(), "{:?}", import.messages());
    import.report
}

fn code(text: &str) -> HospitalCode {
    HospitalCode::parse(text).unwrap()
}

#[test]
fn the_demo_master_imports_whole() {
    let options = ImportOptions {
        source_name: "demo".to_string(),
        ..Default::default()
    };
    let import = import_hospital_master(demo_master_csv().as_bytes(), &options).unwrap();
    assert!(import.is_clean(), "{:?}", import.messages());
    assert_eq!(import.master.len(), demo::HOSPITAL_COUNT);
    assert_eq!(import.master.len(), 500);
    assert_eq!(import.encoding, DetectedEncoding::Utf8);
    assert!(
        import.master.extra_columns().is_empty(),
        "every demo column is known: {:?} of {MASTER_COLUMNS:?}",
        import.master.extra_columns()
    );

    let first = &import.master.records()[0];
    assert_eq!(first.code.as_str(), "1310106542");
    assert_eq!(first.name, "医療法人社団和光会 加藤内科病院");
    assert_eq!(first.facility_type, "病院");
    assert_eq!(first.municipality_code.unwrap().as_str(), "131016");
    assert_eq!(first.area_code.unwrap().as_str(), "1301");
    assert_eq!(first.area_name, "区中央部");
    assert_eq!(first.phone_main.as_deref(), Some("03-0106-1616"));
    assert_eq!(first.phone_night.as_deref(), Some("03-0558-2852"));
    assert_eq!(first.phones()[0], ("夜間・救急", "03-0558-2852"));
    assert_eq!(first.contact, "救急外来 松本");
    assert_eq!(first.departments.len(), 7);
    assert_eq!(first.departments[0], "内科");
    assert_eq!(first.licensed_beds, Some(89));
    assert_eq!(first.latitude, Some(35.687432));
    assert_eq!(first.longitude, Some(139.742174));
    assert_eq!(import.master.get(&first.code), Some(first));

    // Clinics have no night line: none, not an empty string.
    assert!(import
        .master
        .records()
        .iter()
        .any(|r| r.facility_type == "診療所" && r.phone_night.is_none()));

    // The committed asset (UTF-8 with BOM) is the same master.
    let asset = hospitals("assets/demo/master.csv");
    assert!(asset.is_clean(), "{:?}", asset.messages());
    assert_eq!(asset.encoding, DetectedEncoding::Utf8Bom);
    assert_eq!(asset.master, import.master);

    // The demo report and the demo master are about the same hospitals.
    let report = demo::demo_report(&demo::asset_base_time());
    let check = cross_check(&report, Some(&import.master), None);
    for kind in [
        FindingKind::NotInMaster,
        FindingKind::NoReport,
        FindingKind::NameDiffers,
        FindingKind::AreaDiffers,
        FindingKind::MunicipalityCheckDigit,
    ] {
        assert_eq!(check.count(kind), 0, "{kind:?}: {:?}", check.findings());
    }
}

#[test]
fn a_cp932_master_with_nec_and_ibm_characters() {
    let import = hospitals("cp932-nec-ibm.csv");
    assert_eq!(import.encoding, DetectedEncoding::ShiftJis);
    assert!(import.is_clean(), "{:?}", import.messages());
    let records = import.master.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].name, "医療法人社団①髙﨑会 ㈱ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ");
    assert_eq!(records[0].address, "千代田区神田①丁目２番３号");
    assert_eq!(records[0].contact, "事務 髙橋");
    assert_eq!(records[0].phone_main.as_deref(), Some("03-1234-5678"));
    assert_eq!(records[0].phone_night, None);
    assert_eq!(records[0].licensed_beds, Some(19), "full-width digits");
    assert_eq!(records[0].departments, ["内科", "小児科"]);
    assert_eq!(&*records[0].extra, ["№12 ≒ 旧館"]);
    assert_eq!(import.master.extra_columns(), ["備考"]);

    assert_eq!(records[1].name, "Ⅱ号館 ※東京德洲会病院");
    assert_eq!(records[1].address, "中央区築地ⅰ－１");
    assert_eq!(records[1].contact, "救急外来 﨑山");
    assert_eq!(records[1].phone_main.as_deref(), Some("03-3541-5151"));
    assert_eq!(records[1].phone_night.as_deref(), Some("03-3541-5199"));
    assert_eq!(
        dial_string(records[1].phone_night.as_deref().unwrap()),
        "0335415199"
    );
    assert_eq!(
        records[1].departments,
        ["内科", "外科", "整形外科", "内分泌・代謝内科"]
    );
    assert_eq!(&*records[1].extra, ["“救急”指定"]);
}

#[test]
fn bad_rows_are_reported_with_their_line_and_counted() {
    let import = hospitals("bad-rows.csv");
    let file = path("bad-rows.csv").display().to_string();
    let messages: Vec<String> = import
        .messages()
        .into_iter()
        .map(|m| m.replace(&file, "bad-rows.csv"))
        .collect();
    assert_eq!(
        messages,
        [
            "bad-rows.csv:3: 列「医療機関コード」: 10桁の数字ではありません（131017004）（先頭の 0 が消えていませんか）",
            "bad-rows.csv:4: 列「許可病床数」: 数値ではありません（多数）（空欄として取り込みました）",
            "bad-rows.csv:5: 列の数が足りません（見出しは 6 列、この行は 2 列）",
            "bad-rows.csv:6: 列「医療機関コード」: 医療機関コード 1310170043 は 2 行目にもあります（先の行を使い、この行は取り込みません）",
            "bad-rows.csv:7: 列「医療機関名」: 空欄です",
            "bad-rows.csv:8: 列「許可病床数」: 負の数は使えません（-3）（空欄として取り込みました）",
            "bad-rows.csv:8: 列「緯度」: 緯度は -90〜90 の範囲です（135.68）（空欄として取り込みました）",
            "bad-rows.csv:8: 列「経度」: 経度として読めません（東経）（空欄として取り込みました）",
            "bad-rows.csv: 4 行を取り込めませんでした（上記）",
            "bad-rows.csv: 2 行は読めない欄を空欄にして取り込みました（上記）",
        ]
    );
    assert_eq!(import.rejected_rows, 4);
    assert_eq!(import.partial_rows, 2);
    assert_eq!(import.numbering, Numbering::Line);
    assert!(!import.is_clean());
    let names: Vec<&str> = import
        .master
        .records()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["東京病院", "病床数誤り病院", "緯度誤り病院", "最後の病院"]
    );
    let partial = import.master.get(&code("1310170018")).unwrap();
    assert_eq!(
        (partial.licensed_beds, partial.latitude, partial.longitude),
        (None, None, None)
    );
    assert_eq!(partial.phone_main.as_deref(), Some("03-1111-7777"));
    let last = import.master.get(&code("1310106542")).unwrap();
    assert_eq!(last.licensed_beds, Some(1234));
    // The first of a repeated code is the one kept.
    assert_eq!(
        import.master.get(&code("1310170043")).unwrap().name,
        "東京病院"
    );
    // Total accounting: every data line is a record or a rejected row.
    assert_eq!(import.master.len() + import.rejected_rows, 8);
}

#[test]
fn a_footer_after_a_blank_line_is_not_data() {
    let import = hospitals("with-footer.csv");
    assert!(import.is_clean(), "{:?}", import.messages());
    assert_eq!(
        import.master.len(),
        2,
        "a record after a blank line is still data"
    );
    assert_eq!(
        import.footer,
        ["機密情報 — 取扱注意", "Copyright (c) 2026 厚生労働省"]
    );
}

#[test]
fn files_that_are_not_masters_are_refused_in_words() {
    let options = ImportOptions {
        source_name: "x.csv".to_string(),
        ..Default::default()
    };
    let cases: [(&[u8], &str); 5] = [
        (b"", "x.csv: ファイルが空です"),
        (b"PK\x03\x04zip", "x.csv: Excel ファイル（.xlsx）です"),
        (b"a\x00b", "x.csv: テキストではありません"),
        (
            "都道府県,医療機関コード,医療機関名,確保病床,即応病床,入院中\r\n".as_bytes(),
            "x.csv:1: 医療機関マスタではありません（病床数のレポートです",
        ),
        (
            "名前,住所\r\n".as_bytes(),
            "x.csv:1: 必須の列がありません: 医療機関コード",
        ),
    ];
    for (bytes, want) in cases {
        let err = import_hospital_master(bytes, &options).unwrap_err();
        assert!(err.to_string().starts_with(want), "{err} / {want}");
    }
    let err =
        import_hospital_master_file(&path("missing.csv"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err.kind, ImportErrorKind::Io { .. }));
    assert!(
        err.to_string().ends_with("ファイルが見つかりません"),
        "{err}"
    );
}

#[test]
fn the_reference_municipality_list_is_a_municipality_master() {
    let import = municipalities("municipality-codes-localgovjp.csv");
    assert!(import.is_clean(), "{:?}", import.messages());
    assert_eq!(import.encoding, DetectedEncoding::Utf8Bom);
    let master = &import.master;
    assert_eq!(master.len(), 1916);
    assert!(master.records().iter().all(|r| r.code.check_digit_ok()));
    assert_eq!(
        master.extra_columns(),
        ["pid", "cid", "citykana", "url", "phrase"]
    );
    // Its points are the 自治体マスタ's own 緯度・経度.
    let sapporo_point = master
        .get(&MunicipalityCode::parse("011002").unwrap())
        .map(|r| (r.latitude, r.longitude));
    assert_eq!(sapporo_point, Some((Some(43.06208877), Some(141.3543886))));
    let sapporo = master
        .get(&MunicipalityCode::parse("011002").unwrap())
        .unwrap();
    assert_eq!(
        (sapporo.prefecture.as_str(), sapporo.name.as_str()),
        ("北海道", "札幌市")
    );
    assert_eq!(sapporo.extra[2], "さっぽろし");
    let chiyoda = master
        .get(&MunicipalityCode::parse("131016").unwrap())
        .unwrap();
    assert_eq!(
        (chiyoda.prefecture.as_str(), chiyoda.name.as_str()),
        ("東京都", "千代田区")
    );
    assert_eq!(chiyoda.area_code, None);
    assert_eq!(
        master.position(&chiyoda.code).map(|i| &master.records()[i]),
        Some(chiyoda)
    );
}

#[test]
fn every_cross_check_kind_is_found() {
    let report = report("crosscheck-report.csv");
    let hospitals = hospitals("crosscheck-hospitals.csv");
    let municipalities = municipalities("crosscheck-municipalities.csv");
    assert!(hospitals.is_clean() && municipalities.is_clean());
    let check = cross_check(
        &report,
        Some(&hospitals.master),
        Some(&municipalities.master),
    );

    let counts: Vec<(FindingKind, usize)> = check.counts();
    assert_eq!(
        counts,
        [
            (FindingKind::NotInMaster, 1),
            (FindingKind::NoReport, 1),
            (FindingKind::NameDiffers, 1),
            (FindingKind::MunicipalityCheckDigit, 3),
            (FindingKind::MunicipalityUnknown, 4),
            (FindingKind::AreaDiffers, 1),
        ]
    );
    assert_eq!(check.total(), 11);
    assert_eq!(
        check.summary(),
        "照合: マスタ未登録 1・報告なし 1・名称不一致 1・自治体コード誤り 3・自治体マスタ未登録 4・医療圏不一致 1"
    );
    for kind in FindingKind::ALL {
        assert!(!kind.label().is_empty() && !kind.description().is_empty());
    }

    let messages = |code: &str| -> Vec<String> {
        check
            .for_hospital(&self::code(code))
            .iter()
            .map(|f| f.message.clone())
            .collect()
    };
    // Width and kana differences are not a different name; spaces neither.
    assert!(messages("1310170043").is_empty());
    assert!(messages("1310114611").is_empty());
    assert_eq!(
        messages("1310170092"),
        ["1310170092: 医療機関名が違います（レポート「中央病院」、マスタ「中央総合病院」）"]
    );
    assert_eq!(
        messages("1310270751"),
        ["1310270751: 二次医療圏が違います（レポート 1301 区中央部、マスタ 1302 区南部）"]
    );
    assert_eq!(
        messages("1310106542"),
        ["1310106542「未登録病院」が医療機関マスタにありません"]
    );
    assert_eq!(
        messages("1310106773"),
        [
            "1310106773: レポートの全国地方公共団体コード 131017 の検査数字が合いません（6 のはずです）",
            "1310106773: レポートの全国地方公共団体コード 131017 が自治体マスタにありません",
        ]
    );
    assert_eq!(
        check.kinds_for(&code("1310170050")),
        [FindingKind::MunicipalityUnknown]
    );
    assert_eq!(
        check.for_hospital(&code("1310170050")).len(),
        2,
        "report and master"
    );
    assert_eq!(
        check.kinds_for(&code("1310170019")),
        [
            FindingKind::NoReport,
            FindingKind::MunicipalityCheckDigit,
            FindingKind::MunicipalityUnknown
        ]
    );
    // Another prefecture's hospital is out of the report's scope: not "no report".
    assert!(check.for_hospital(&code("2710100013")).is_empty());
    // A municipality master record of its own, with no hospital.
    let own: Vec<_> = check
        .findings()
        .iter()
        .filter(|f| matches!(f.side, Side::MunicipalityMaster(_)))
        .collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].hospital, None);
    assert_eq!(own[0].municipality.unwrap().as_str(), "131049");
    assert_eq!(
        own[0].message,
        "自治体マスタの全国地方公共団体コード 131049 の検査数字が合いません（1 のはずです）"
    );
    let mut with_findings: Vec<&str> = check.hospitals().map(HospitalCode::as_str).collect();
    with_findings.sort();
    assert_eq!(
        with_findings,
        [
            "1310106542",
            "1310106773",
            "1310170019",
            "1310170050",
            "1310170092",
            "1310270751"
        ]
    );

    // Without masters, only check digits can be looked at.
    let alone = cross_check(&report, None, None);
    assert_eq!(alone.counts(), [(FindingKind::MunicipalityCheckDigit, 1)]);
    assert!(!alone.with_hospital_master && !alone.with_municipality_master);
    let clean = cross_check(&Report::default(), None, None);
    assert!(clean.is_empty());
    assert_eq!(clean.summary(), "照合: 不一致なし");
}

fn profile() -> OperatorProfile {
    toml::from_str(
        r#"
        prefecture = "東京"
        fire_department = "東京消防庁"
        section = "救急部 救急医務課"
        person = "髙橋 一郎"
        email = "ichiro.takahashi@example.lg.jp"
        phone = "03-3212-2111"
        "#,
    )
    .unwrap()
}

#[test]
fn the_profile_comes_from_a_config_table_and_is_validated() {
    let profile = profile();
    assert_eq!(profile.validate(), Ok(()));
    assert_eq!(profile.prefecture_name(), Some("東京都"));

    let unknown = toml::from_str::<OperatorProfile>("name = \"x\"").unwrap_err();
    assert!(unknown.to_string().contains("unknown field"), "{unknown}");

    let bad = OperatorProfile {
        prefecture: "トウキョウ".into(),
        fire_department: "03-1234-5678".into(),
        section: String::new(),
        person: "山田".into(),
        email: "yamada@localhost".into(),
        phone: "03-1234-567８".into(),
    };
    assert_eq!(
        bad.validate().unwrap_err(),
        [
            "担当部署名（section）: 空です",
            "都道府県（prefecture）: 「トウキョウ」は都道府県名ではありません（例: 東京都、北海道、13）",
            "消防本部名（fire_department）: 「03-1234-5678」は消防本部の名前に見えません（例: 〇〇市消防局、〇〇消防本部、〇〇広域消防組合）",
            "メールアドレス（email）: 「yamada@localhost」は@ の後がドメイン名の形になっていません（例: taro@example.lg.jp）",
            "電話番号（phone）: 「03-1234-567８」は全角です。半角の数字とハイフンで書いてください（例: 03-1234-5678）",
        ]
    );
}

/// Reads a CP932 CSV with Python's csv module; none (and a note) without python3.
fn python_rows(file: &std::path::Path) -> Option<Vec<Vec<String>>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding='cp932') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f))))\n";
    let output = match Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
    {
        Ok(output) => output,
        Err(err) => {
            eprintln!(
                "python3 is not available ({err}): the round trip through Python's csv is skipped"
            );
            return None;
        }
    };
    assert!(
        output.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

#[test]
fn the_registration_form_round_trips_through_python_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("登録.csv");
    let reason = "救急搬送時の受入可能医療機関の確認のため, \"G-MIS\" を利用";
    write_registration_form(&file, &profile(), reason).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.ends_with(b"\r\n"));
    assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 2);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    let Some(rows) = python_rows(&file) else {
        return;
    };
    assert_eq!(
        rows,
        [
            vec![
                "#",
                "都道府県",
                "消防本部名",
                "担当部署名",
                "担当者氏名",
                "メールアドレス",
                "電話番号",
                "申請理由"
            ],
            vec![
                "1",
                "東京都",
                "東京消防庁",
                "救急部 救急医務課",
                "髙橋 一郎",
                "ichiro.takahashi@example.lg.jp",
                "03-3212-2111",
                reason,
            ],
        ]
    );
}

#[test]
fn the_registration_form_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut profile = profile();
    profile.person = "𠮷田 太郎".into();
    let file = dir.path().join("form.csv");
    let err = write_registration_form(&file, &profile, "").unwrap_err();
    assert!(
        err.contains("Shift-JIS で書けない文字があります: 「𠮷」"),
        "{err}"
    );
    assert!(!file.exists());

    let err = write_registration_form(
        &dir.path().join("no/such/dir/form.csv"),
        &self::profile(),
        "",
    )
    .unwrap_err();
    assert!(err.ends_with("書き込み先のフォルダがありません"), "{err}");
    let err = write_registration_form(dir.path(), &self::profile(), "").unwrap_err();
    assert!(
        err.ends_with("フォルダです（ファイル名を指定してください）"),
        "{err}"
    );

    profile.email = "not-a-mail".into();
    let err = write_registration_form(&file, &profile, "").unwrap_err();
    assert!(err.starts_with("登録情報に誤りがあります"), "{err}");
    assert!(err.contains("メールアドレス（email）"), "{err}");
}

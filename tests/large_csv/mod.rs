//! A G-MIS export larger than the size from which files are read in blocks.

/// `rows` rows of 「詳細のみ」, one whose 即応病床 is not a number (row `bad`)
/// and one whose quoted name spans a line (row `quoted`); `ready` is added to
/// every 即応病床, so two files can differ in every row.
pub fn large_csv(rows: usize, bad: usize, quoted: usize, ready: usize) -> String {
    let mut text = String::from(
        "都道府県,都道府県番号,全国地方公共団体コード,市区町村,二次医療圏番号,二次医療圏名,\
         医療機関コード,医療機関名,実績日,報告日時,確保病床,即応病床,入院中\r\n",
    );
    for i in 0..rows {
        let name = if i == quoted {
            "\"改行の\r\nある病院\"".to_string()
        } else {
            format!("大きな病院{i}")
        };
        let ready = if i == bad {
            "abc".to_string()
        } else {
            (i % 9 + ready).to_string()
        };
        text.push_str(&format!(
            "東京都,13,131016,千代田区,1301,区中央部,13{i:08},{name},2022/01/05,2022/02/01 11:32,99,{ready},1\r\n"
        ));
    }
    assert!(
        text.len() > 8 * 1024 * 1024,
        "read in blocks: {}",
        text.len()
    );
    text
}

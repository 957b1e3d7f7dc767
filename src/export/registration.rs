//! The seed's registration form (別添1「消防ユーザ登録情報」) for the operator
//! profile: one CP932 CSV row under the seed's header, written atomically.

use std::path::Path;

use crate::export::csv::neutralize_formula;
use crate::files::{atomic, shown, WriteError};
use crate::formats::encoding::encode_sjis;
use crate::master::OperatorProfile;

/// The registration form's header row, as the seed prints it.
pub const REGISTRATION_FORM_HEADER: [&str; 8] = [
    "#",
    "都道府県",
    "消防本部名",
    "担当部署名",
    "担当者氏名",
    "メールアドレス",
    "電話番号",
    "申請理由",
];

/// The registration form as the seed shows it: its header row and one row for this
/// profile, in CP932 with CRLF, quoted where needed, fields that would start a
/// formula neutralised. Returns the bytes and each character CP932 cannot hold
/// (written as 〓).
pub fn registration_form_csv(profile: &OperatorProfile, reason: &str) -> (Vec<u8>, Vec<char>) {
    let prefecture = profile
        .prefecture_name()
        .map(str::to_string)
        .unwrap_or_else(|| profile.prefecture.trim().to_string());
    let row = [
        "1".to_string(),
        prefecture,
        profile.fire_department.trim().to_string(),
        profile.section.trim().to_string(),
        profile.person.trim().to_string(),
        profile.email.trim().to_string(),
        profile.phone.trim().to_string(),
        reason.trim().to_string(),
    ];
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut lost = Vec::new();
    let header = REGISTRATION_FORM_HEADER.map(str::to_string);
    for record in [header, row] {
        let encoded: Vec<Vec<u8>> = record
            .iter()
            .map(|field| {
                let field = crate::text::sanitize(field);
                let field = neutralize_formula(&field);
                let (bytes, missing) = encode_sjis(&field);
                lost.extend(missing);
                bytes.into_owned()
            })
            .collect();
        writer
            .write_record(&encoded)
            .expect("writing to memory cannot fail");
    }
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    (bytes, lost)
}

/// Writes [`registration_form_csv`] to `path` through the atomic writer, so a
/// reader never sees half a file. Characters CP932 cannot hold are an error (the
/// form goes to the ministry as it is), as is an invalid profile.
pub fn write_registration_form(
    path: &Path,
    profile: &OperatorProfile,
    reason: &str,
) -> Result<(), String> {
    let shown_path = shown(path);
    if let Err(problems) = profile.validate() {
        return Err(format!(
            "登録情報に誤りがあります（設定ファイルを直してください）:\n{}",
            problems.join("\n")
        ));
    }
    let (bytes, lost) = registration_form_csv(profile, reason);
    if !lost.is_empty() {
        let chars: String = lost.iter().map(|c| format!("「{c}」")).collect();
        return Err(format!(
            "{shown_path}: Shift-JIS で書けない文字があります: {chars}（別の字に置き換えてください）"
        ));
    }
    if path.is_dir() {
        return Err(format!(
            "{shown_path}: フォルダです（ファイル名を指定してください）"
        ));
    }
    atomic::write_file(path, &bytes).map_err(|err| format!("{shown_path}: {}", why(&err)))
}

/// Why the form was not written, after the file's name.
fn why(err: &WriteError) -> String {
    match err {
        WriteError::FolderMissing { .. } => "書き込み先のフォルダがありません".to_string(),
        WriteError::IsAFolder { .. } => "フォルダです（ファイル名を指定してください）".to_string(),
        WriteError::PermissionDenied { .. } => "書き込む権限がありません".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> OperatorProfile {
        OperatorProfile {
            prefecture: "東京".into(),
            fire_department: "東京消防庁".into(),
            section: "指令課".into(),
            person: "髙橋 𠮷男".into(),
            email: "taro@example.lg.jp".into(),
            phone: "03-1234-5678".into(),
        }
    }

    #[test]
    fn the_form_is_cp932_with_the_seed_header() {
        let (bytes, lost) = registration_form_csv(&profile(), "=救急搬送の受入れ調整のため");
        assert_eq!(lost, vec!['𠮷']);
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!bad);
        assert_eq!(
            text,
            "#,都道府県,消防本部名,担当部署名,担当者氏名,メールアドレス,電話番号,申請理由\r\n\
             1,東京都,東京消防庁,指令課,髙橋 〓男,taro@example.lg.jp,03-1234-5678,'=救急搬送の受入れ調整のため\r\n"
        );
    }

    #[test]
    fn the_form_replaces_an_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("form.csv");
        std::fs::write(&path, b"old").unwrap();
        let mut profile = profile();
        profile.person = "消防 太郎".into();
        write_registration_form(&path, &profile, "救急搬送のため").unwrap();
        let (expected, _) = registration_form_csv(&profile, "救急搬送のため");
        assert_eq!(std::fs::read(&path).unwrap(), expected);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["form.csv"]);
    }
}

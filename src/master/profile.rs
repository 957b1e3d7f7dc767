//! The operator profile: who runs this console, as the seed's registration form
//! (別添1「消防ユーザ登録情報」) asks for it, and its checks. The form itself is
//! written by `crate::export::registration`.

use serde::Deserialize;

use crate::model::PrefectureNumber;

/// The fire department and the person this console belongs to. In the config:
///
/// ```toml
/// prefecture = "東京都"
/// fire_department = "東京消防庁"
/// section = "指令課"
/// person = "消防 太郎"
/// email = "taro@example.lg.jp"
/// phone = "03-1234-5678"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorProfile {
    /// 都道府県
    pub prefecture: String,
    /// 消防本部名
    pub fire_department: String,
    /// 担当部署名
    pub section: String,
    /// 担当者氏名
    pub person: String,
    /// メールアドレス
    pub email: String,
    /// 電話番号
    pub phone: String,
}

/// Endings of the names fire departments go by: 〇〇消防本部, 〇〇市消防局,
/// 東京消防庁, 〇〇広域消防組合, 〇〇行政事務組合, 〇〇広域連合.
const FIRE_DEPARTMENT_ENDINGS: [&str; 6] =
    ["消防本部", "消防局", "消防庁", "組合", "広域連合", "消防部"];

impl OperatorProfile {
    /// The prefecture's full name (「東京」→「東京都」), when it is one of the 47.
    pub fn prefecture_name(&self) -> Option<&'static str> {
        PrefectureNumber::find(&self.prefecture).map(PrefectureNumber::name)
    }

    /// For the status line: 「東京消防庁 指令課 消防 太郎」.
    pub fn status_text(&self) -> String {
        [&self.fire_department, &self.section, &self.person]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every problem, one message each, naming the field as the form does and as the
    /// config spells it: 「メールアドレス（email）: …」.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut problem = |label: &str, key: &str, message: String| {
            problems.push(format!("{label}（{key}）: {message}"));
        };
        let fields = [
            ("都道府県", "prefecture", &self.prefecture),
            ("消防本部名", "fire_department", &self.fire_department),
            ("担当部署名", "section", &self.section),
            ("担当者氏名", "person", &self.person),
            ("メールアドレス", "email", &self.email),
            ("電話番号", "phone", &self.phone),
        ];
        for (label, key, value) in fields {
            if value.trim().is_empty() {
                problem(label, key, "空です".to_string());
            } else if value.chars().any(char::is_control) {
                problem(label, key, "改行や制御文字は使えません".to_string());
            } else if value.chars().count() > 100 {
                problem(label, key, "長すぎます（100 文字まで）".to_string());
            }
        }

        let prefecture = self.prefecture.trim();
        if !prefecture.is_empty() && PrefectureNumber::find(prefecture).is_none() {
            problem(
                "都道府県",
                "prefecture",
                format!("「{prefecture}」は都道府県名ではありません（例: 東京都、北海道、13）"),
            );
        }

        let department = self.fire_department.trim();
        if !department.is_empty() && !looks_like_fire_department(department) {
            problem(
                "消防本部名",
                "fire_department",
                format!(
                    "「{department}」は消防本部の名前に見えません（例: 〇〇市消防局、〇〇消防本部、〇〇広域消防組合）"
                ),
            );
        }

        let email = self.email.trim();
        if !email.is_empty() {
            if let Err(why) = check_email(email) {
                problem(
                    "メールアドレス",
                    "email",
                    format!("「{email}」は{why}（例: taro@example.lg.jp）"),
                );
            }
        }

        let phone = self.phone.trim();
        if !phone.is_empty() {
            if let Err(why) = check_phone(phone) {
                problem(
                    "電話番号",
                    "phone",
                    format!("「{phone}」は{why}（例: 03-1234-5678）"),
                );
            }
        }

        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Lenient: the usual endings, or 消防 anywhere (〇〇消防本部指令センター). A mail
/// address, a phone number or a bare place name is flagged.
fn looks_like_fire_department(name: &str) -> bool {
    let name: String = name.split_whitespace().collect();
    if name.contains('@') || name.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return false;
    }
    name.contains("消防") || FIRE_DEPARTMENT_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// The shape of a mail address: local@domain.tld in ASCII, no blanks.
fn check_email(email: &str) -> Result<(), &'static str> {
    if !email.is_ascii() {
        return Err("全角文字を含んでいます。半角で書いてください");
    }
    if email.chars().any(|c| c.is_ascii_whitespace()) {
        return Err("空白を含んでいます");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("@ がありません");
    };
    if domain.contains('@') {
        return Err("@ が二つ以上あります");
    }
    if local.is_empty() {
        return Err("@ の前が空です");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err("@ の後がドメイン名の形になっていません");
    }
    let domain_ok = labels
        .iter()
        .all(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    if !domain_ok || !local_ok {
        return Err("メールアドレスに使えない文字を含んでいます");
    }
    Ok(())
}

/// Half-width digits and hyphens, 10 or 11 digits starting with 0.
fn check_phone(phone: &str) -> Result<(), &'static str> {
    if phone
        .chars()
        .any(|c| ('０'..='９').contains(&c) || c == '－')
    {
        return Err("全角です。半角の数字とハイフンで書いてください");
    }
    if !phone.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return Err("数字とハイフン以外を含んでいます");
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.starts_with('0') || !(10..=11).contains(&digits) {
        return Err("電話番号の形ではありません（0 で始まる 10 桁か 11 桁）");
    }
    if phone.starts_with('-') || phone.ends_with('-') || phone.contains("--") {
        return Err("ハイフンの位置が正しくありません");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> OperatorProfile {
        OperatorProfile {
            prefecture: "東京都".into(),
            fire_department: "東京消防庁".into(),
            section: "指令課".into(),
            person: "消防 太郎".into(),
            email: "taro@example.lg.jp".into(),
            phone: "03-1234-5678".into(),
        }
    }

    #[test]
    fn a_good_profile_passes() {
        assert_eq!(good().validate(), Ok(()));
        for name in [
            "横浜市消防局",
            "比企広域消防本部",
            "〇〇地区広域行政事務組合",
            "〇〇広域連合",
            "千葉市消防局 指令課",
        ] {
            assert!(looks_like_fire_department(name), "{name}");
        }
        assert_eq!(good().status_text(), "東京消防庁 指令課 消防 太郎");
    }

    #[test]
    fn each_field_is_checked() {
        type Spoil = fn(&mut OperatorProfile);
        let cases: [(Spoil, &str); 9] = [
            (
                |p| p.prefecture = "東京県".into(),
                "都道府県（prefecture）: 「東京県」は都道府県名ではありません",
            ),
            (
                |p| p.fire_department = "新宿区".into(),
                "消防本部名（fire_department）: 「新宿区」は消防本部の名前に見えません",
            ),
            (
                |p| p.fire_department = "fire@example.jp".into(),
                "消防本部名（fire_department）",
            ),
            (|p| p.section = " ".into(), "担当部署名（section）: 空です"),
            (
                |p| p.person = "太郎\n".into(),
                "担当者氏名（person）: 改行や制御文字は使えません",
            ),
            (
                |p| p.email = "taro.example.jp".into(),
                "メールアドレス（email）: 「taro.example.jp」は@ がありません",
            ),
            (
                |p| p.email = "taro＠example.jp".into(),
                "全角文字を含んでいます",
            ),
            (
                |p| p.phone = "０３－１２３４－５６７８".into(),
                "電話番号（phone）: 「０３－１２３４－５６７８」は全角です",
            ),
            (|p| p.phone = "03-1234".into(), "電話番号の形ではありません"),
        ];
        for (spoil, want) in cases {
            let mut profile = good();
            spoil(&mut profile);
            let problems = profile.validate().unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].contains(want), "{problems:?} lacks {want}");
        }
        let empty = OperatorProfile::default().validate().unwrap_err();
        assert_eq!(empty.len(), 6, "{empty:?}");
    }
}

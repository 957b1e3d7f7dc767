//! The code types of a G-MIS report: they keep leading zeros and know their check digits.

use std::fmt;

/// Why a code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{expected}桁の数字ではありません（{found}）")]
    NotDigits { expected: usize, found: String },
    #[error("都道府県番号は 01〜47 です（{0}）")]
    PrefectureOutOfRange(String),
}

/// Parses exactly `N` ASCII digits (surrounding blanks are ignored).
fn digits<const N: usize>(bytes: &[u8]) -> Result<[u8; N], CodeError> {
    let bytes = bytes.trim_ascii();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(CodeError::NotDigits {
            expected: N,
            found: String::from_utf8_lossy(bytes).chars().take(20).collect(),
        });
    }
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    Ok(out)
}

fn as_str(bytes: &[u8]) -> &str {
    // Only ever built from ASCII digits.
    std::str::from_utf8(bytes).unwrap_or("")
}

fn digit(b: u8) -> u32 {
    u32::from(b - b'0')
}

macro_rules! digit_code {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name([u8; $len]);

        impl $name {
            pub const LEN: usize = $len;

            pub fn parse(text: &str) -> Result<Self, CodeError> {
                Self::parse_bytes(text.as_bytes())
            }

            /// Reads the code straight from a file's bytes.
            pub fn parse_bytes(bytes: &[u8]) -> Result<Self, CodeError> {
                digits::<$len>(bytes).map(Self)
            }

            pub fn as_str(&self) -> &str {
                as_str(&self.0)
            }

            /// The digits as a number (leading zeros count for nothing).
            pub fn number(&self) -> u64 {
                self.0.iter().fold(0, |n, &d| n * 10 + u64::from(digit(d)))
            }

            /// The two-digit prefecture number the code starts with.
            pub fn prefecture_digits(&self) -> u8 {
                (self.0[0] - b'0') * 10 + (self.0[1] - b'0')
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }
    };
}

digit_code!(
    /// 医療機関コード: 都道府県 2 + 点数表 1 + 郡市区 2 + 番号 4 + check 1.
    HospitalCode,
    10
);
digit_code!(
    /// 全国地方公共団体コード: 5 digits and a mod-11 check digit.
    MunicipalityCode,
    6
);
digit_code!(
    /// 二次医療圏番号: prefecture 2 + serial 2 (1301 = 区中央部).
    AreaCode,
    4
);

impl HospitalCode {
    /// The check digit the body calls for. The Luhn sum covers the 6 local digits
    /// in 埼玉・千葉・東京・神奈川 and the 9 digits before the check elsewhere
    /// (see reference/NOTES.md); a mismatch is only a warning.
    pub fn expected_check_digit(&self) -> u8 {
        let body = if (11..=14).contains(&self.prefecture_digits()) {
            &self.0[3..9]
        } else {
            &self.0[0..9]
        };
        luhn_check_digit(body)
    }

    pub fn check_digit_ok(&self) -> bool {
        self.expected_check_digit() == self.0[9] - b'0'
    }
}

/// Luhn check digit of ASCII digits: weights 2,1,2,… from the rightmost digit,
/// digits of the products summed.
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = digit(b) * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl MunicipalityCode {
    /// (11 − (6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5) mod 11) mod 10.
    pub fn expected_check_digit(&self) -> u8 {
        municipality_check_digit(&self.0[..5])
    }

    pub fn check_digit_ok(&self) -> bool {
        self.expected_check_digit() == self.0[5] - b'0'
    }
}

/// The check digit of the first five digits of a 全国地方公共団体コード.
pub fn municipality_check_digit(first5: &[u8]) -> u8 {
    let sum: u32 = first5
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(&b, w)| digit(b) * w)
        .sum();
    ((11 - sum % 11) % 10) as u8
}

/// 都道府県番号 01–47.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PrefectureNumber(u8);

impl PrefectureNumber {
    /// Accepts "13", "01" and "1" (spreadsheets drop the zero).
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let text = text.trim();
        let ok = !text.is_empty() && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit());
        match text.parse::<u8>() {
            Ok(n) if ok && (1..=47).contains(&n) => Ok(Self(n)),
            _ => Err(CodeError::PrefectureOutOfRange(
                text.chars().take(20).collect(),
            )),
        }
    }

    /// [`PrefectureNumber::parse`] on a file's bytes; one or two digits need no decoding.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, CodeError> {
        let number = match *bytes {
            [one @ b'0'..=b'9'] => Some(one - b'0'),
            [tens @ b'0'..=b'9', ones @ b'0'..=b'9'] => Some((tens - b'0') * 10 + ones - b'0'),
            _ => None,
        };
        match number.and_then(Self::new) {
            Some(number) => Ok(number),
            None => Self::parse(&String::from_utf8_lossy(bytes)),
        }
    }

    pub fn new(n: u8) -> Option<Self> {
        (1..=47).contains(&n).then_some(Self(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for PrefectureNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{:02}", self.0))
    }
}

/// The 47 prefectures in 都道府県番号 order.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

impl PrefectureNumber {
    pub fn name(self) -> &'static str {
        PREFECTURES[usize::from(self.0) - 1]
    }

    /// Finds a prefecture by number ("13"), full name ("東京都") or short name ("東京").
    pub fn find(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(n) = Self::parse(text) {
            return Some(n);
        }
        PREFECTURES
            .iter()
            .position(|name| {
                *name == text || name.trim_end_matches(['都', '道', '府', '県']) == text
            })
            .map(|i| Self(i as u8 + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_check_digits_from_the_glossary() {
        assert!(MunicipalityCode::parse("131016").unwrap().check_digit_ok());
        assert!(MunicipalityCode::parse("131024").unwrap().check_digit_ok());
        assert!(MunicipalityCode::parse("011002").unwrap().check_digit_ok());
        assert!(!MunicipalityCode::parse("131017").unwrap().check_digit_ok());
    }

    #[test]
    fn hospital_check_digits_from_the_notes() {
        for ok in ["1310170043", "1310114611", "1310170092"] {
            assert!(HospitalCode::parse(ok).unwrap().check_digit_ok(), "{ok}");
        }
        let seed = HospitalCode::parse("1310170018").unwrap();
        assert!(!seed.check_digit_ok());
        assert_eq!(seed.expected_check_digit(), 9);
    }

    #[test]
    fn codes_keep_leading_zeros() {
        let code = MunicipalityCode::parse("011002").unwrap();
        assert_eq!(code.to_string(), "011002");
        assert_eq!(code.prefecture_digits(), 1);
        assert!(MunicipalityCode::parse("11002").is_err());
        assert!(HospitalCode::parse("13101700１8").is_err());
        assert!(AreaCode::parse(" 1301 ").is_ok());
    }

    #[test]
    fn prefecture_numbers() {
        assert_eq!(PrefectureNumber::parse("01").unwrap().to_string(), "01");
        assert_eq!(PrefectureNumber::parse("1").unwrap().get(), 1);
        assert!(PrefectureNumber::parse("48").is_err());
        assert!(PrefectureNumber::parse("00").is_err());
        assert!(PrefectureNumber::parse("+1").is_err());
        for text in [
            "01",
            "1",
            "13",
            "47",
            "48",
            "00",
            "0",
            "+1",
            " 13 ",
            "１３",
            "",
            "130",
            "\u{3000}7",
        ] {
            let (bytes, text_read) = (
                PrefectureNumber::parse_bytes(text.as_bytes()),
                PrefectureNumber::parse(text),
            );
            assert_eq!(bytes, text_read, "{text:?}");
        }
        assert_eq!(PrefectureNumber::find("東京").unwrap().get(), 13);
        assert_eq!(PrefectureNumber::find("北海道").unwrap().get(), 1);
        assert_eq!(PrefectureNumber::find("13").unwrap().name(), "東京都");
    }
}

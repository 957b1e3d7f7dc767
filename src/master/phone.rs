//! Phone numbers as masters write them, for reading aloud and for dialling.

/// A phone number for display: half-width digits and hyphens only.
///
/// Full-width digits become half-width; the dashes people type (－ ‐ − ― ー)
/// become hyphens; brackets and blanks between digit groups become hyphens
/// (「(03)1234-5678」 → 「03-1234-5678」); +81 becomes the leading 0. Text before
/// the first digit (「TEL:」「代表 」) is dropped, and the number ends where other
/// text begins (「内線 123」「（平日のみ）」), so what is left can be dialled.
/// None when there is no digit at all (「なし」「-」, blank).
pub fn normalize_phone(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut pending_hyphen = false;
    let mut chars = text.chars().map(halfwidth).peekable();
    // Skip what precedes the number, remembering a + just before it.
    let mut plus = false;
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            break;
        }
        plus = c == '+';
        chars.next();
    }
    for c in chars {
        match c {
            '0'..='9' => {
                if pending_hyphen && !out.is_empty() {
                    out.push('-');
                }
                pending_hyphen = false;
                out.push(c);
            }
            '-' | '(' | ')' | ' ' | '\u{3000}' | '\t' => pending_hyphen = true,
            _ => break,
        }
    }
    if out.is_empty() {
        return None;
    }
    if plus {
        if let Some(rest) = out.strip_prefix("81") {
            out = format!("0{}", rest.trim_start_matches('-'));
        }
    }
    Some(out)
}

/// Digits only, for copying into a phone: 「03-1234-5678」 → 「0312345678」.
pub fn dial_string(text: &str) -> String {
    normalize_phone(text)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' | '（' | '）' | '＋' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' => '-',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_digits_and_hyphens() {
        let cases = [
            ("03-1234-5678", "03-1234-5678"),
            ("０３－１２３４－５６７８", "03-1234-5678"),
            ("03ー1234ー5678", "03-1234-5678"),
            ("(03)1234-5678", "03-1234-5678"),
            ("03(1234)5678", "03-1234-5678"),
            ("TEL: 03 1234 5678", "03-1234-5678"),
            ("03-1234-5678 内線 123", "03-1234-5678"),
            ("03-1234-5678（平日のみ）", "03-1234-5678"),
            ("+81-3-1234-5678", "03-1234-5678"),
            ("+81 90 1234 5678", "090-1234-5678"),
            ("0312345678", "0312345678"),
            ("03--1234-5678-", "03-1234-5678"),
        ];
        for (text, want) in cases {
            assert_eq!(normalize_phone(text).as_deref(), Some(want), "{text}");
        }
        for none in ["", "-", "なし", "　"] {
            assert_eq!(normalize_phone(none), None, "{none:?}");
        }
    }

    #[test]
    fn dial_strings_are_digits_only() {
        assert_eq!(dial_string("０３－１２３４－５６７８"), "0312345678");
        assert_eq!(dial_string("+81-3-1234-5678"), "0312345678");
        assert_eq!(dial_string("なし"), "");
    }
}

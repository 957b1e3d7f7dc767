//! The normalised form that search compares: width, kana and case folded,
//! whitespace dropped (see [`crate::view::search`]).

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Normalised form used on both sides of a comparison.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        if !c.is_whitespace() {
            out.extend(fold_char(c));
        }
    }
    out
}

/// Kana and case folding of one NFKC character.
fn fold_char(c: char) -> impl Iterator<Item = char> {
    to_katakana(c).to_lowercase()
}

fn to_katakana(c: char) -> char {
    match c {
        // ぁ..ゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
        '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' => {
            char::from_u32(c as u32 + 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

/// True if [`normalize`] would return `s` unchanged, so the haystack can be
/// searched in place: most hospital names are plain kanji and katakana.
pub fn is_normalized(s: &str) -> bool {
    s.chars()
        .all(|c| !c.is_whitespace() && fold_char(c).eq(std::iter::once(c)))
        && is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

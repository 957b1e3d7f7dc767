//! Search normalisation for `--filter` and the dashboard's incremental search.
//!
//! Both the query and every haystack go through [`normalize`], which ignores
//! the differences a dispatcher should not have to type exactly:
//! - full/half width (ＡＢＣ = ABC, ｶﾀｶﾅ = カタカナ, ｸﾞ = グ), by NFKC;
//! - hiragana/katakana (びょういん = ビョウイン), by folding to katakana;
//! - Latin case;
//! - whitespace, which is dropped entirely: G-MIS names are spaced
//!   inconsistently (「医療法人社団　○○会　××病院」 vs 「××病院」), so
//!   「東京 病院」 must find 「東京病院」 and the other way round.

use crate::text::normalize::{is_normalized, normalize};

/// A compiled query: normalised once, matched against many haystacks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// As typed, for display.
    text: String,
    /// [`normalize`]d; empty matches everything.
    needle: String,
}

impl SearchQuery {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            needle: normalize(text),
        }
    }

    /// True if the query matches everything (nothing but whitespace typed).
    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// The original text as typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True if the normalised needle occurs in the normalised haystack.
    pub fn matches(&self, haystack: &str) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        // This runs over every row on every keystroke, so avoid allocating
        // whenever the haystack needs no normalising (codes, plain names).
        if haystack.is_ascii() {
            return self.needle.is_ascii() && ascii_contains(haystack, &self.needle);
        }
        if is_normalized(haystack) {
            return haystack.contains(&self.needle);
        }
        normalize(haystack).contains(&self.needle)
    }

    /// True if it occurs in any of them (name, codes, municipality, area...).
    pub fn matches_any<'a>(&self, haystacks: impl IntoIterator<Item = &'a str>) -> bool {
        self.is_empty() || haystacks.into_iter().any(|h| self.matches(h))
    }
}

/// [`normalize`] restricted to ASCII is just dropping whitespace and
/// lowercasing, so compare byte by byte instead of building a copy.
fn ascii_contains(haystack: &str, needle: &str) -> bool {
    let hay = haystack.as_bytes();
    if !hay.iter().any(|b| b.is_ascii_uppercase() || is_space(*b)) {
        return haystack.contains(needle);
    }
    let folded = |from: usize| {
        hay[from..]
            .iter()
            .filter(|b| !is_space(**b))
            .map(u8::to_ascii_lowercase)
    };
    let needle = needle.as_bytes();
    (0..hay.len())
        .filter(|&i| !is_space(hay[i]))
        .any(|i| folded(i).take(needle.len()).eq(needle.iter().copied()))
}

/// ASCII whitespace as `char::is_whitespace` sees it (includes VT, unlike
/// `u8::is_ascii_whitespace`), to agree with [`normalize`].
fn is_space(b: u8) -> bool {
    char::from(b).is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, haystack: &str) -> bool {
        SearchQuery::new(query).matches(haystack)
    }

    #[test]
    fn normalize_folds_width_kana_case_and_space() {
        assert_eq!(normalize("ＡＢＣ"), "abc");
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(normalize("ｸﾞﾘｰﾝ"), "グリーン");
        assert_eq!(normalize("びょういん"), "ビョウイン");
        assert_eq!(normalize("ゔゝ"), "ヴヽ");
        assert_eq!(normalize(" 東京\u{3000}病院\t"), "東京病院");
        assert_eq!(normalize("Ｓｔ. Luke"), "st.luke");
    }

    #[test]
    fn width_differences_are_ignored() {
        assert!(finds("ABC", "ＡＢＣ病院"));
        assert!(finds("ＡＢＣ", "abc clinic"));
        assert!(finds("ｶﾀｶﾅ", "カタカナ"));
        assert!(finds("ｸﾞ", "グリーン鶴坂クリニック"));
        assert!(finds("グリーン", "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"));
        assert!(finds("ﾄｳｷｮｳ", "トウキョウ"));
        assert!(finds("１３１０", "1310170018"));
    }

    #[test]
    fn kana_differences_are_ignored() {
        assert!(finds("びょういん", "ビョウイン"));
        assert!(finds("ビョウイン", "さくらびょういん"));
        assert!(finds("とうきょう", "トウキョウ"));
        assert!(!finds("びょういん", "病院"));
        // Dakuten still matter.
        assert!(!finds("カ", "ガ"));
    }

    #[test]
    fn case_and_space_differences_are_ignored() {
        assert!(finds("ntt", "NTT東日本関東病院"));
        assert!(finds("NTT", "ntt"));
        assert!(finds("st. luke", "St.Luke's"));
        assert!(!finds("st. luke", "St. Mary"));
        assert!(finds("東京 病院", "東京病院"));
        assert!(finds("東京病院", "東京\u{3000}病院"));
        assert!(finds("ab", "A  B"));
        assert!(finds("a b", "xAB"));
        assert!(!finds("ab", "A  C"));
    }

    #[test]
    fn ascii_haystack_against_non_ascii_needle() {
        assert!(!finds("病院", "1310170018"));
        assert!(finds("ｸﾘﾆｯｸ", "ｸﾘﾆｯｸ"));
    }

    #[test]
    fn empty_query_matches_everything() {
        for text in ["", " ", "\u{3000}"] {
            let q = SearchQuery::new(text);
            assert!(q.is_empty());
            assert!(q.matches(""));
            assert!(q.matches("東京都"));
            assert!(q.matches_any([]));
        }
        assert!(SearchQuery::default().matches("x"));
        assert!(!SearchQuery::new("x").is_empty());
    }

    #[test]
    fn matches_any_checks_every_haystack() {
        let q = SearchQuery::new("千代田");
        assert!(q.matches_any(["東京病院", "1310170018", "千代田区"]));
        assert!(!q.matches_any(["東京病院", "1310170018", "中央区"]));
    }

    #[test]
    fn as_str_is_the_text_as_typed() {
        assert_eq!(SearchQuery::new("ｶﾀ ｶﾅ").as_str(), "ｶﾀ ｶﾅ");
    }

    #[test]
    fn fast_paths_agree_with_normalize() {
        let haystacks = [
            "東京都立広尾病院",
            "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ",
            "さくら病院",
            "NTT東日本 関東病院",
            "St. Luke's International",
            "abc\u{b}def",
            "1310170018",
            "Ωmega",
        ];
        let queries = [
            "病院",
            "ﾋﾞｮｳｲﾝ",
            "ntt",
            "s t",
            "'S I",
            "cd",
            "1701",
            "ω",
            "く",
        ];
        for h in haystacks {
            for q in queries {
                let slow = normalize(h).contains(&normalize(q));
                assert_eq!(finds(q, h), slow, "{q:?} in {h:?}");
            }
        }
    }
}

//! The character set the user's terminal reads: UTF-8, or one of the two
//! Japanese legacy sets an old host, TeraTerm set to SJIS or `luit` expect.
//!
//! The choice comes from the locale as the C library reads it (LC_ALL, then
//! LC_CTYPE, then LANG). A character the set lacks becomes one mark of the
//! same display width, so columns stay where the width module put them.

use encoding_rs::{Encoding, EUC_JP, SHIFT_JIS};
use unicode_segmentation::UnicodeSegmentation;

use super::width::{grapheme_width, AmbiguousWidth};

/// What the terminal decodes the bytes it is sent as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TerminalCharset {
    #[default]
    Utf8,
    /// Shift_JIS as Windows writes it (CP932): SJIS, Shift_JIS, PCK locales.
    Cp932,
    EucJp,
}

/// `--terminal-encoding`: a set, or the locale's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CharsetChoice {
    #[default]
    Auto,
    Utf8,
    Sjis,
    EucJp,
}

super::names::named!(CharsetChoice {
    Auto => "auto",
    Utf8 => "utf8",
    Sjis => "sjis",
    EucJp => "eucjp",
});

/// Stands in for a wide character the set lacks: 〓 (geta), as JIS text marks one.
const WIDE_MARK: &str = "〓";
/// Stands in for a narrow character the set lacks.
const NARROW_MARK: &str = "?";

impl CharsetChoice {
    /// The set to write: the one chosen, or the locale's for `auto`.
    pub fn resolve(self, locale: &Locale) -> TerminalCharset {
        match self {
            Self::Auto => locale.charset(),
            Self::Utf8 => TerminalCharset::Utf8,
            Self::Sjis => TerminalCharset::Cp932,
            Self::EucJp => TerminalCharset::EucJp,
        }
    }
}

/// The locale variables that name the character set, as read at start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Locale {
    pub lc_all: Option<String>,
    pub lc_ctype: Option<String>,
    pub lang: Option<String>,
}

impl Locale {
    /// This process's locale variables.
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok();
        Self {
            lc_all: var("LC_ALL"),
            lc_ctype: var("LC_CTYPE"),
            lang: var("LANG"),
        }
    }

    /// The variable that decides, as setlocale(3) takes them: the first set and non-empty.
    pub fn effective(&self) -> Option<&str> {
        [&self.lc_all, &self.lc_ctype, &self.lang]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|value| !value.is_empty())
    }

    /// The set its codeset names (`ja_JP.SJIS`, `ja_JP.eucJP@euro`); UTF-8 for anything else.
    pub fn charset(&self) -> TerminalCharset {
        let Some(locale) = self.effective() else {
            return TerminalCharset::Utf8;
        };
        let codeset = locale
            .split_once('.')
            .map_or("", |(_, rest)| rest.split('@').next().unwrap_or(""));
        let key: String = codeset
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "sjis" | "shiftjis" | "cp932" | "pck" | "windows31j" | "mskanji" => {
                TerminalCharset::Cp932
            }
            "eucjp" | "ujis" | "eucjpms" => TerminalCharset::EucJp,
            _ => TerminalCharset::Utf8,
        }
    }
}

impl TerminalCharset {
    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Self::Utf8 => None,
            Self::Cp932 => Some(SHIFT_JIS),
            Self::EucJp => Some(EUC_JP),
        }
    }

    pub fn is_utf8(self) -> bool {
        self == Self::Utf8
    }

    /// How the log and the help name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Cp932 => "Shift_JIS（CP932）",
            Self::EucJp => "EUC-JP",
        }
    }

    /// Appends `text` in this set. Each grapheme the set cannot write becomes
    /// one mark as wide as the grapheme is measured, so nothing after it moves.
    pub fn encode_into(self, text: &str, amb: AmbiguousWidth, out: &mut Vec<u8>) {
        let Some(encoding) = self.encoding() else {
            out.extend_from_slice(text.as_bytes());
            return;
        };
        for run in ascii_runs(text) {
            match run {
                Run::Ascii(ascii) => out.extend_from_slice(ascii.as_bytes()),
                Run::Other(other) => {
                    for grapheme in other.graphemes(true) {
                        encode_grapheme(encoding, grapheme, amb, out);
                    }
                }
            }
        }
    }

    /// `text` in this set, as a new buffer.
    pub fn encode(self, text: &str, amb: AmbiguousWidth) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        self.encode_into(text, amb, &mut out);
        out
    }
}

fn encode_grapheme(
    encoding: &'static Encoding,
    grapheme: &str,
    amb: AmbiguousWidth,
    out: &mut Vec<u8>,
) {
    let (bytes, _, unmappable) = encoding.encode(grapheme);
    if !unmappable {
        out.extend_from_slice(&bytes);
        return;
    }
    let cells = grapheme_width(grapheme, amb);
    for _ in 0..cells / 2 {
        out.extend_from_slice(&encoding.encode(WIDE_MARK).0);
    }
    if cells % 2 == 1 {
        out.extend_from_slice(NARROW_MARK.as_bytes());
    }
}

/// Escape sequences and plain ASCII pass through untouched, which is nearly
/// all of a frame; only the rest is cut into graphemes.
enum Run<'a> {
    Ascii(&'a str),
    Other(&'a str),
}

fn ascii_runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let ascii = rest.bytes().take_while(u8::is_ascii).count();
        let len = if ascii > 0 {
            ascii
        } else {
            rest.bytes().take_while(|b| !b.is_ascii()).count()
        };
        let (run, tail) = rest.split_at(len);
        rest = tail;
        Some(if ascii > 0 {
            Run::Ascii(run)
        } else {
            Run::Other(run)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale(lc_all: &str, lc_ctype: &str, lang: &str) -> Locale {
        // Empty stands for a variable that is set but empty: it does not decide.
        let some = |s: &str| Some(s.to_string());
        Locale {
            lc_all: some(lc_all),
            lc_ctype: some(lc_ctype),
            lang: some(lang),
        }
    }

    #[test]
    fn the_locale_names_the_set_in_any_spelling() {
        for (name, set) in [
            ("ja_JP.SJIS", TerminalCharset::Cp932),
            ("ja_JP.Shift_JIS", TerminalCharset::Cp932),
            ("ja_JP.CP932", TerminalCharset::Cp932),
            ("ja_JP.PCK", TerminalCharset::Cp932),
            ("ja_JP.eucJP", TerminalCharset::EucJp),
            ("ja_JP.EUC-JP", TerminalCharset::EucJp),
            ("ja_JP.ujis", TerminalCharset::EucJp),
            ("ja_JP.eucjp@euro", TerminalCharset::EucJp),
            ("ja_JP.UTF-8", TerminalCharset::Utf8),
            ("C", TerminalCharset::Utf8),
            ("POSIX", TerminalCharset::Utf8),
            ("ja_JP", TerminalCharset::Utf8),
        ] {
            assert_eq!(locale("", "", name).charset(), set, "{name}");
        }
    }

    #[test]
    fn lc_all_then_lc_ctype_then_lang_and_empty_ones_are_skipped() {
        assert_eq!(
            locale("ja_JP.SJIS", "ja_JP.UTF-8", "ja_JP.eucJP").charset(),
            TerminalCharset::Cp932
        );
        assert_eq!(
            locale("", "ja_JP.eucJP", "ja_JP.SJIS").charset(),
            TerminalCharset::EucJp
        );
        assert_eq!(
            locale("", "", "ja_JP.SJIS").charset(),
            TerminalCharset::Cp932
        );
        assert_eq!(Locale::default().charset(), TerminalCharset::Utf8);
    }

    #[test]
    fn a_choice_other_than_auto_overrides_the_locale() {
        let sjis = locale("", "", "ja_JP.SJIS");
        assert_eq!(CharsetChoice::Auto.resolve(&sjis), TerminalCharset::Cp932);
        assert_eq!(CharsetChoice::Utf8.resolve(&sjis), TerminalCharset::Utf8);
        assert_eq!(
            CharsetChoice::EucJp.resolve(&Locale::default()),
            TerminalCharset::EucJp
        );
    }

    #[test]
    fn japanese_and_escapes_are_written_in_the_set() {
        let amb = AmbiguousWidth::Narrow;
        let text = "\x1b[1;1H確保病床 ｸﾞﾘｰﾝ①";
        let sjis = TerminalCharset::Cp932.encode(text, amb);
        assert_eq!(SHIFT_JIS.decode_without_bom_handling(&sjis).0, text);
        assert!(sjis.starts_with(b"\x1b[1;1H\x8a\x6d"), "{sjis:x?}");
        let euc = TerminalCharset::EucJp.encode(text, amb);
        assert_eq!(EUC_JP.decode_without_bom_handling(&euc).0, text);
        assert_eq!(TerminalCharset::Utf8.encode(text, amb), text.as_bytes());
    }

    #[test]
    fn a_character_the_set_lacks_becomes_one_mark_of_its_width() {
        let amb = AmbiguousWidth::Narrow;
        // 𠮷 (wide, outside CP932), é (narrow, outside CP932), 葛 + U+E0100 (one wide grapheme).
        let sjis = TerminalCharset::Cp932.encode("a𠮷béc葛\u{E0100}d", amb);
        assert_eq!(SHIFT_JIS.decode_without_bom_handling(&sjis).0, "a〓b?c〓d");
        // ⡇ (Braille, narrow everywhere) is not in EUC-JP either.
        let euc = TerminalCharset::EucJp.encode("x⡇y", amb);
        assert_eq!(EUC_JP.decode_without_bom_handling(&euc).0, "x?y");
    }

    #[test]
    fn the_mark_follows_the_ambiguous_width() {
        // ⓐ is ambiguous and outside CP932: one cell or two, as the screen counts it.
        let narrow = TerminalCharset::Cp932.encode("ⓐ|", AmbiguousWidth::Narrow);
        assert_eq!(SHIFT_JIS.decode_without_bom_handling(&narrow).0, "?|");
        let wide = TerminalCharset::Cp932.encode("ⓐ|", AmbiguousWidth::Wide);
        assert_eq!(SHIFT_JIS.decode_without_bom_handling(&wide).0, "〓|");
    }
}

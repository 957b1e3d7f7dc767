//! What a spreadsheet file cannot hold, taken out of an export's text: C0
//! control characters other than tab and line breaks (ESC among them) always,
//! and for Shift-JIS the default-ignorable characters (variation selectors,
//! zero-width joiners, bidi marks), which CP932 has no code for and which only
//! change how the character before them looks. Everything else stays as it was.

use std::borrow::Cow;

/// A C0 control other than tab, LF and CR: no spreadsheet holds it.
pub fn is_unholdable_control(c: char) -> bool {
    c < ' ' && !matches!(c, '\t' | '\n' | '\r')
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt).
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// `text` without what the file cannot hold (`also_ignorable`: the
/// default-ignorable characters too), and each character left out.
pub fn clean(text: &str, also_ignorable: bool) -> (Cow<'_, str>, Vec<char>) {
    let drop = |c: char| is_unholdable_control(c) || (also_ignorable && is_default_ignorable(c));
    if !text.chars().any(drop) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let dropped = text.chars().filter(|&c| drop(c)).collect();
    (
        Cow::Owned(text.chars().filter(|&c| !drop(c)).collect()),
        dropped,
    )
}

/// The text in pieces, each ending after a line break (CRLF, LF or a lone CR)
/// but the last: piece `k` stands `k` lines below the first.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        let bytes = text.as_bytes();
        match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            None => {
                rest = None;
                Some(text)
            }
            Some(i) => {
                let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                rest = Some(&text[end..]);
                Some(&text[..end])
            }
        }
    })
}

/// Line breaks in `text`, as [`lines`] counts them.
pub fn line_breaks(text: &str) -> usize {
    lines(text).count() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_go_and_line_breaks_and_tabs_stay() {
        let (text, dropped) = clean("東京\x1b[31m\t病院\r\n二行目\0", false);
        assert_eq!(text, "東京[31m\t病院\r\n二行目");
        assert_eq!(dropped, ['\x1b', '\0']);
        assert!(matches!(clean("葛\u{E0100}飾", false).0, Cow::Borrowed(_)));
    }

    #[test]
    fn ignorables_go_only_when_asked() {
        let (text, dropped) = clean("葛\u{E0100}飾\u{FE0F}\u{200D}病院", true);
        assert_eq!(text, "葛飾病院");
        assert_eq!(dropped, ['\u{E0100}', '\u{FE0F}', '\u{200D}']);
        assert!(!is_default_ignorable('〓') && !is_default_ignorable('　'));
    }

    #[test]
    fn lines_end_after_each_break() {
        let pieces: Vec<&str> = lines("a\r\nb\nc\rd").collect();
        assert_eq!(pieces, ["a\r\n", "b\n", "c\r", "d"]);
        assert_eq!(line_breaks("a\r\nb\nc\rd"), 3);
        assert_eq!(line_breaks("a\n"), 1);
        assert_eq!(line_breaks(""), 0);
    }
}

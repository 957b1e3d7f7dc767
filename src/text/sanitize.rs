//! Text from a feed, made safe for a terminal.

use std::borrow::Cow;

/// Neutralises text from a feed before it can reach a terminal: line breaks
/// and tabs become spaces, other control characters (ESC among them) and
/// bidirectional overrides become '?'.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() || is_bidi_control(c);
    // Every character to replace starts with one of these bytes (C0 and DEL,
    // C1 as 0xC2, the bidi controls as 0xE2); most text has none of them.
    let suspect = |b: &u8| *b < 0x20 || *b == 0x7F || *b == 0xC2 || *b == 0xE2;
    if !text.as_bytes().iter().any(suspect) || !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if bad(c) => '?',
                c => c,
            })
            .collect(),
    )
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralises_escapes() {
        assert_eq!(sanitize("東京\x1b[31m病院"), "東京?[31m病院");
        assert_eq!(sanitize("a\r\nb\tc"), "a  b c");
        assert_eq!(sanitize("\u{202E}abc"), "?abc");
        assert_eq!(sanitize("\u{9b}2J"), "?2J");
        assert!(matches!(sanitize("ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ"), Cow::Borrowed(_)));
    }
}

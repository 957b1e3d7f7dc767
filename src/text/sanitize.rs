//! Text from a feed, made safe for a terminal, a log line or a message.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// Neutralises text from a feed before it can reach a terminal: line breaks
/// and tabs become spaces, other control characters (ESC among them) and
/// bidirectional overrides become '?'.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    neutralise(text, ' ')
}

/// [`sanitize`] for text of several lines (a message on stderr, the plain
/// table): '\n' is kept, so a line stays a line; everything else as there.
pub fn sanitize_lines(text: &str) -> Cow<'_, str> {
    neutralise(text, '\n')
}

/// The text with control and bidi characters replaced; `newline` is what '\n' becomes.
fn neutralise(text: &str, newline: char) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != newline) || is_bidi_control(c);
    // Every character to replace starts with one of these bytes (C0 and DEL,
    // C1 as 0xC2, the bidi controls as 0xE2 0x80 or 0xE2 0x81); most text has
    // none of them. Box drawing and ① start with 0xE2 too, but not with
    // those pairs, so a table line is not decoded for nothing.
    if !has_suspect_bytes(text.as_bytes()) || !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' => newline,
                '\t' | '\r' => ' ',
                c if bad(c) => '?',
                c => c,
            })
            .collect(),
    )
}

/// One character for a message: itself when it can be seen, else its code
/// point (`U+E0100`), so a variation selector, a zero-width space or a
/// control is named rather than printed invisibly or raw.
pub fn shown_char(c: char) -> String {
    let invisible = c.is_control()
        || c.is_whitespace()
        || is_bidi_control(c)
        || c.width().is_none_or(|w| w == 0);
    if invisible {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// Whether `bytes` has a byte a character to replace starts with: a byte
/// below 0x20, 0x7F or 0xC2, or a 0xE2 followed by 0x80 or 0x81. Looked for
/// [`LANES`] bytes at a time, each with the byte after it, in a loop with no
/// branch that the compiler turns into a few vector instructions: a clean table
/// line (the common case, every line of `print`) costs a fraction of a cycle a
/// byte. The last few are looked at one by one.
fn has_suspect_bytes(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(window) = bytes.get(at..at + LANES + 1) {
        let Ok(window) = <&[u8; LANES + 1]>::try_from(window) else {
            break;
        };
        let mut found = 0u8;
        for i in 0..LANES {
            let (byte, next) = (window[i], window[i + 1]);
            let bidi = u8::from(byte == 0xE2) & u8::from(next & 0xFE == 0x80);
            found |= u8::from(byte < 0x20) | u8::from(byte == 0x7F) | u8::from(byte == 0xC2) | bidi;
        }
        if found != 0 {
            return true;
        }
        at += LANES;
    }
    has_suspect_bytes_one_by_one(&bytes[at..])
}

/// Bytes [`has_suspect_bytes`] looks at in one go.
const LANES: usize = 32;

/// The scan of [`has_suspect_bytes`] a byte at a time: the lead bytes,
/// then a look at the byte after each 0xE2.
fn has_suspect_bytes_one_by_one(bytes: &[u8]) -> bool {
    let lead = |b: &u8| *b < 0x20 || *b == 0x7F || *b == 0xC2 || *b == 0xE2;
    let mut from = 0;
    while let Some(at) = bytes[from..].iter().position(lead).map(|p| from + p) {
        if bytes[at] != 0xE2 || matches!(bytes.get(at + 1), Some(0x80 | 0x81)) {
            return true;
        }
        from = at + 1;
    }
    false
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

    #[test]
    fn every_bidi_control_is_caught_beside_box_drawing() {
        let bidi = [
            '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
        ];
        for c in bidi {
            assert_eq!(sanitize(&format!("│{c}─")), "│?─", "{c:?}");
            assert_eq!(sanitize(&format!("{c}")), "?", "{c:?}");
        }
        // Text of 0xE2 lead bytes that are not bidi controls stays borrowed.
        assert!(matches!(sanitize("─┼─│①※ ‐"), Cow::Borrowed(_)));
        assert!(!has_suspect_bytes("東京 │ ① ─".as_bytes()));
        assert!(!has_suspect_bytes(&[0xE2]));
        assert!(has_suspect_bytes(&[0xE2, 0x80]));
    }

    #[test]
    fn the_word_scan_finds_what_the_byte_scan_finds() {
        // Every suspect byte and pair at every position of lines of 1 to 40
        // bytes, among clean bytes that share their bits (0xE2 0x94, 0x82).
        let suspects: [&[u8]; 8] = [
            &[0x00],
            &[0x1F],
            &[0x7F],
            &[0xC2],
            &[0xE2, 0x80],
            &[0xE2, 0x81],
            &[0x0A],
            &[0x1B],
        ];
        let clean: [&[u8]; 6] = [
            b"a",
            b" ",
            &[0xE2, 0x94, 0x82],
            &[0xE2, 0x82],
            &[0x80],
            &[0xE3],
        ];
        for len in 1..40 {
            for (k, fill) in clean.iter().enumerate() {
                let mut line: Vec<u8> = fill.iter().copied().cycle().take(len).collect();
                line.extend(clean[(k + 1) % clean.len()]);
                assert_eq!(
                    has_suspect_bytes(&line),
                    has_suspect_bytes_one_by_one(&line),
                    "{line:02X?}"
                );
                for suspect in suspects {
                    for at in 0..=line.len() {
                        let mut with = line.clone();
                        with.splice(at..at, suspect.iter().copied());
                        assert!(has_suspect_bytes(&with), "{with:02X?}");
                        assert!(has_suspect_bytes_one_by_one(&with), "{with:02X?}");
                    }
                }
            }
        }
        // Random lines of the bytes that matter.
        let mut rng = fastrand::Rng::with_seed(13);
        let bytes = [
            0x00, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0x81, 0x82, 0xC2, 0xC3, 0xE2, 0xE3,
        ];
        for _ in 0..20_000 {
            // Short and long (across the lanes looked at at once), dense and sparse.
            let density = rng.u8(2..80);
            let line: Vec<u8> = (0..rng.usize(0..150))
                .map(|_| {
                    if rng.u8(0..density) == 0 {
                        bytes[rng.usize(0..bytes.len())]
                    } else {
                        b'a'
                    }
                })
                .collect();
            assert_eq!(
                has_suspect_bytes(&line),
                has_suspect_bytes_one_by_one(&line),
                "{line:02X?}"
            );
        }
        // A 0xE2 that ends the text, or is followed by something else, is clean.
        for len in 0..20 {
            let mut line = vec![b'x'; len];
            line.push(0xE2);
            assert!(!has_suspect_bytes(&line));
            line.push(0x82);
            assert!(!has_suspect_bytes(&line));
        }
    }

    #[test]
    fn lines_are_kept_but_nothing_else() {
        assert_eq!(
            sanitize_lines("誤り:\n  東京\x1b]0;x\x07病院\r\n\u{202E}\0\u{9b}\u{7f}"),
            "誤り:\n  東京?]0;x?病院 \n????"
        );
        assert!(matches!(
            sanitize_lines("一行目\n二行目\n"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn invisible_characters_are_named_by_code_point() {
        assert_eq!(shown_char('𠮷'), "𠮷");
        assert_eq!(shown_char('🏥'), "🏥");
        assert_eq!(shown_char('\u{E0100}'), "U+E0100");
        assert_eq!(shown_char('\u{FE0F}'), "U+FE0F");
        assert_eq!(shown_char('\u{200B}'), "U+200B");
        assert_eq!(shown_char('\u{A0}'), "U+00A0");
        assert_eq!(shown_char('\u{1b}'), "U+001B");
        assert_eq!(shown_char('\u{9b}'), "U+009B");
        assert_eq!(shown_char('\u{202E}'), "U+202E");
    }
}

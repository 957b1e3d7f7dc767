//! Text encodings of G-MIS exports: Shift-JIS as Windows writes it (CP932) and UTF-8.

use std::borrow::Cow;

/// What the user asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EncodingChoice {
    /// Detect: a UTF-8 BOM or valid UTF-8 is UTF-8, anything else Shift-JIS.
    #[default]
    Auto,
    /// Shift-JIS (Windows-31J / CP932, with the NEC and IBM extensions).
    Sjis,
    /// UTF-8, with or without BOM.
    Utf8,
}

crate::text::names::named!(EncodingChoice {
    Auto => "auto",
    Sjis => "sjis",
    Utf8 => "utf8",
});

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectedEncoding {
    ShiftJis,
    Utf8,
    Utf8Bom,
}

impl DetectedEncoding {
    pub fn label(self) -> &'static str {
        match self {
            DetectedEncoding::ShiftJis => "Shift-JIS",
            DetectedEncoding::Utf8 => "UTF-8",
            DetectedEncoding::Utf8Bom => "UTF-8 (BOM)",
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decides the encoding and returns the bytes after any BOM.
pub fn detect(bytes: &[u8], choice: EncodingChoice) -> (DetectedEncoding, &[u8]) {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        if choice != EncodingChoice::Sjis {
            return (DetectedEncoding::Utf8Bom, rest);
        }
    }
    let encoding = match choice {
        EncodingChoice::Sjis => DetectedEncoding::ShiftJis,
        EncodingChoice::Utf8 => DetectedEncoding::Utf8,
        EncodingChoice::Auto if is_utf8(bytes) => DetectedEncoding::Utf8,
        EncodingChoice::Auto => DetectedEncoding::ShiftJis,
    };
    (encoding, bytes)
}

/// Whether the bytes are valid UTF-8. A whole body is checked before it is
/// parsed: the vectorised check takes a fraction of the standard one's time.
pub fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
}

/// Whether every byte of a body read as `encoding` was checked to be UTF-8:
/// detection (`EncodingChoice::Auto`) checks all of what it finds to be
/// UTF-8 without a BOM; a chosen encoding or a BOM is taken at its word.
pub fn checked_as_utf8(encoding: DetectedEncoding, choice: EncodingChoice) -> bool {
    encoding == DetectedEncoding::Utf8 && choice == EncodingChoice::Auto
}

/// A field of a body already found to be UTF-8, without checking it again.
///
/// # Safety
/// `bytes` must be valid UTF-8: a field the csv reader took from a body that
/// [`is_utf8`] accepted is, since the reader cuts and unquotes only at ASCII
/// bytes (commas, quotes, line breaks), never inside a character.
pub unsafe fn checked_utf8_field(bytes: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    // SAFETY: valid UTF-8, as the caller promises.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// Decodes one field; none if its bytes are not valid in the encoding.
/// ASCII comes back borrowed, so codes and numbers cost no copy.
pub fn decode(bytes: &[u8], encoding: DetectedEncoding) -> Option<Cow<'_, str>> {
    match encoding {
        DetectedEncoding::Utf8 | DetectedEncoding::Utf8Bom => {
            simdutf8::basic::from_utf8(bytes).ok().map(Cow::Borrowed)
        }
        DetectedEncoding::ShiftJis if bytes.is_ascii() => {
            // ASCII is the same in both; checked to avoid the decoder's setup.
            std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
        }
        DetectedEncoding::ShiftJis => {
            encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
        }
    }
}

/// Decodes Shift-JIS into `out` (cleared first); false if the bytes are not
/// valid Shift-JIS. Reusing `out` spares an allocation per field.
pub fn decode_sjis_into(bytes: &[u8], out: &mut String) -> bool {
    out.clear();
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let Some(needed) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
        return false;
    };
    out.reserve(needed);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, out, true);
    matches!(result, encoding_rs::DecoderResult::InputEmpty)
}

/// The stand-in G-MIS and Excel use for a character Shift-JIS cannot hold.
pub const GETA: char = '〓';

/// Encodes text as CP932. Characters it cannot hold become 〓 and are returned.
pub fn encode_sjis(text: &str) -> (Cow<'_, [u8]>, Vec<char>) {
    if text.is_ascii() {
        return (Cow::Borrowed(text.as_bytes()), Vec::new());
    }
    let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut unmappable = Vec::new();
    let mut rest = text;
    loop {
        let needed = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len() * 2 + 8);
        out.reserve(needed);
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::OutputFull => continue,
            encoding_rs::EncoderResult::Unmappable(c) => {
                unmappable.push(c);
                out.extend_from_slice(&[0x81, 0xAC]); // 〓 in CP932
            }
        }
    }
    (Cow::Owned(out), unmappable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bom_utf8_and_sjis() {
        assert_eq!(
            detect(b"\xEF\xBB\xBFa", EncodingChoice::Auto).0,
            DetectedEncoding::Utf8Bom
        );
        assert_eq!(
            detect("東京".as_bytes(), EncodingChoice::Auto).0,
            DetectedEncoding::Utf8
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("東京");
        assert_eq!(
            detect(&sjis, EncodingChoice::Auto).0,
            DetectedEncoding::ShiftJis
        );
        assert_eq!(
            detect(b"abc", EncodingChoice::Sjis).0,
            DetectedEncoding::ShiftJis
        );
    }

    #[test]
    fn one_bad_byte_late_in_a_long_body_is_not_utf8() {
        let mut body = "東京都,病院,1\r\n".repeat(100_000).into_bytes();
        assert_eq!(
            detect(&body, EncodingChoice::Auto).0,
            DetectedEncoding::Utf8
        );
        let near_end = body.len() - 3;
        body[near_end] = 0x82;
        assert_eq!(
            detect(&body, EncodingChoice::Auto).0,
            DetectedEncoding::ShiftJis
        );
        assert!(!is_utf8(&body));
        assert!(is_utf8(b""));
    }

    #[test]
    fn cp932_extensions_round_trip() {
        for text in ["①㈱髙﨑", "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ", "Ⅱ※○～－"] {
            let (bytes, lost) = encode_sjis(text);
            assert!(lost.is_empty(), "{text}: {lost:?}");
            assert_eq!(decode(&bytes, DetectedEncoding::ShiftJis).unwrap(), text);
        }
    }

    #[test]
    fn unmappable_characters_become_geta_and_are_reported() {
        let (bytes, lost) = encode_sjis("𠮷野家🏥");
        assert_eq!(lost, vec!['𠮷', '🏥']);
        assert_eq!(
            decode(&bytes, DetectedEncoding::ShiftJis).unwrap(),
            "〓野家〓"
        );
    }

    #[test]
    fn shift_jis_decoded_into_a_buffer_reads_as_decode_reads_it() {
        let mut buffer = String::from("前の値");
        for text in ["東京都", "①㈱髙﨑", "ｸﾞﾘｰﾝ", "abc", ""] {
            let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
            assert!(decode_sjis_into(&bytes, &mut buffer), "{text}");
            assert_eq!(buffer, text);
        }
        assert!(!decode_sjis_into(b"\x82", &mut buffer));
        assert!(!decode_sjis_into(b"ab\x82\xff", &mut buffer));
    }

    #[test]
    fn invalid_bytes_are_refused_not_replaced() {
        assert!(decode(b"\x82", DetectedEncoding::ShiftJis).is_none());
        assert!(decode(b"\xff\xfe", DetectedEncoding::Utf8).is_none());
    }
}

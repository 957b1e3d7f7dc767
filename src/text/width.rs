//! Display width of text in terminal cells, and fitting text into columns.
//!
//! Every renderer measures through this module so that all of them agree on
//! one width per grapheme cluster. Text is measured per extended grapheme
//! cluster, so a cut never separates a base character from its combining
//! marks, variation selectors or emoji ZWJ partners.
//!
//! East Asian *ambiguous* characters (box drawing, ①, ※, ○, Ⅱ, α, é, …) are
//! one cell in most terminals but two in TeraTerm's Japanese preset and
//! PuTTY's CJK mode; [`AmbiguousWidth`] says which the user's terminal does.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// How wide the user's terminal draws East Asian ambiguous characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AmbiguousWidth {
    #[default]
    Narrow,
    Wide,
}

impl AmbiguousWidth {
    /// From a cell count as the user writes it (`--ambiguous-width 2`).
    pub fn from_cells(n: u8) -> Option<Self> {
        match n {
            1 => Some(AmbiguousWidth::Narrow),
            2 => Some(AmbiguousWidth::Wide),
            _ => None,
        }
    }

    /// Cells one ambiguous character takes.
    pub fn cells(self) -> usize {
        match self {
            AmbiguousWidth::Narrow => 1,
            AmbiguousWidth::Wide => 2,
        }
    }
}

/// Marks a cut: one cell in both modes (ASCII).
pub const CUT_MARK: char = '~';

/// Shown instead of a number that does not fit (never drop digits).
pub const OVERFLOW_MARK: char = '#';

/// How text sits in a column wider than the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// Display cells of `s`; control characters count as zero.
pub fn str_width(s: &str, amb: AmbiguousWidth) -> usize {
    if s.is_ascii() {
        return ascii_cells(s);
    }
    simple_width(s).unwrap_or_else(|| clustered_width(s, amb))
}

/// Cells of ASCII text: its printable characters.
fn ascii_cells(s: &str) -> usize {
    s.bytes().filter(|&b| ascii_width(b) == 1).count()
}

/// [`str_width`] with ambiguous characters narrow and wide, in that order:
/// one measure for text whose width does not depend on them, as nearly all does.
pub fn str_widths(s: &str) -> [usize; 2] {
    let simple = if s.is_ascii() {
        Some(ascii_cells(s))
    } else {
        simple_width(s)
    };
    match simple {
        Some(cells) => [cells, cells],
        None => [AmbiguousWidth::Narrow, AmbiguousWidth::Wide].map(|amb| clustered_width(s, amb)),
    }
}

/// [`str_width`] by grapheme clusters, whatever the text: the rule every
/// faster path must agree with.
fn clustered_width(s: &str, amb: AmbiguousWidth) -> usize {
    s.graphemes(true).map(|g| grapheme_width(g, amb)).sum()
}

/// The width of text made only of characters whose widths simply add up
/// (printable ASCII, kana, kanji, fullwidth and halfwidth forms): the same
/// in both ambiguous modes, and no cluster of them is drawn at another
/// width. None when any other character is in it.
fn simple_width(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let (mut cells, mut at) = (0, 0);
    while let Some(&lead) = bytes.get(at) {
        // Printable ASCII, and U+5000–U+9FFF (every character whose UTF-8
        // starts with E5–E9, all of them kanji) are told by their first byte.
        let (width, len) = match lead {
            b' '..=b'~' => (1, 1),
            0xE5..=0xE9 => (2, 3),
            _ => {
                let c = s[at..].chars().next()?;
                (simple_char_width(c)?, c.len_utf8())
            }
        };
        cells += width;
        at += len;
    }
    Some(cells)
}

/// Cells of a character of [`simple_width`]'s set; none outside it.
fn simple_char_width(c: char) -> Option<usize> {
    match c {
        ' '..='~' | '\u{FF61}'..='\u{FF9F}' | '\u{FFE8}'..='\u{FFEE}' => Some(1),
        // Not U+302A–U+302F or U+3099–U+309A: combining marks.
        '\u{3000}'..='\u{3029}'
        | '\u{3030}'..='\u{303E}'
        | '\u{3041}'..='\u{3096}'
        | '\u{309B}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}' => Some(2),
        _ => None,
    }
}

/// Widths of text measured more than once: the first measure of each
/// distinct string that needs grapheme segmentation is kept (up to a bound,
/// so a million distinct names cannot grow it without end); ASCII and the
/// simple kana and kanji text are measured directly, which is as fast as a
/// look-up. Same results as [`str_width`].
#[derive(Debug)]
pub struct WidthCache<'a> {
    amb: AmbiguousWidth,
    clustered: std::collections::HashMap<&'a str, usize>,
}

impl<'a> WidthCache<'a> {
    /// Strings kept at most; beyond, they are measured each time.
    const CAPACITY: usize = 1 << 16;

    pub fn new(amb: AmbiguousWidth) -> Self {
        Self {
            amb,
            clustered: std::collections::HashMap::new(),
        }
    }

    /// [`str_width`] of `s`.
    pub fn width(&mut self, s: &'a str) -> usize {
        if s.is_ascii() {
            return str_width(s, self.amb);
        }
        if let Some(w) = simple_width(s) {
            return w;
        }
        if let Some(&w) = self.clustered.get(s) {
            return w;
        }
        let w = clustered_width(s, self.amb);
        if self.clustered.len() < Self::CAPACITY {
            self.clustered.insert(s, w);
        }
        w
    }
}

/// Display cells of one grapheme cluster; control characters count as zero.
pub fn grapheme_width(g: &str, amb: AmbiguousWidth) -> usize {
    // unicode-width 0.2 gives controls one cell; they never reach the
    // screen as such (sanitising replaces them), so they take no room here.
    if g.chars().any(char::is_control) {
        return 0;
    }
    match amb {
        AmbiguousWidth::Narrow => g.width(),
        // width_cjk keeps ambiguous *letters* narrow (unicode-width #52), but
        // TeraTerm and PuTTY draw every ambiguous character wide.
        AmbiguousWidth::Wide => {
            g.width_cjk() + g.chars().filter(|&c| is_ambiguous_letter(c)).count()
        }
    }
}

/// At most `max` cells; if cut, ends with [`CUT_MARK`] (unless `max` is 0,
/// which leaves no room even for the mark). Never splits a grapheme cluster.
/// Borrowed when it fits.
pub fn truncate(s: &str, max: usize, amb: AmbiguousWidth) -> Cow<'_, str> {
    match measure(s, max, amb) {
        Measure::Fits(_) => Cow::Borrowed(s),
        Measure::Cut { .. } if max == 0 => Cow::Owned(String::new()),
        Measure::Cut { end, .. } => {
            let mut out = String::with_capacity(end + 1);
            out.push_str(&s[..end]);
            out.push(CUT_MARK);
            Cow::Owned(out)
        }
    }
}

/// Exactly `width` cells: truncated (with mark) if too wide, padded with
/// spaces otherwise. When a wide character would straddle the edge, a space
/// fills the leftover cell.
pub fn fit(s: &str, width: usize, align: Align, amb: AmbiguousWidth) -> String {
    let mut out = String::with_capacity(s.len().max(width) + 1);
    push_fit(&mut out, s, width, align, amb);
    out
}

/// [`fit`], appended to `out` so a renderer can reuse one buffer per frame.
pub fn push_fit(out: &mut String, s: &str, width: usize, align: Align, amb: AmbiguousWidth) {
    let (text, text_width, mark) = match measure(s, width, amb) {
        Measure::Fits(w) => (s, w, false),
        Measure::Cut { .. } if width == 0 => ("", 0, false),
        Measure::Cut { end, width: w } => (&s[..end], w + 1, true),
    };
    let pad = width - text_width;
    let before = match align {
        Align::Left => 0,
        Align::Right => pad,
        Align::Center => pad / 2,
    };
    push_spaces(out, before);
    out.push_str(text);
    if mark {
        out.push(CUT_MARK);
    }
    push_spaces(out, pad - before);
}

/// Right-aligned number text in exactly `width` cells; if it does not fit,
/// `width` [`OVERFLOW_MARK`]s, because a number with digits dropped reads as
/// a different number. Number text is expected to be ASCII (digits, sign,
/// `.`, `,`, `%`), which is the same width in both ambiguous modes.
pub fn fit_number(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(width);
    push_fit_number(&mut out, s, width);
    out
}

/// [`fit_number`], appended to `out`.
pub fn push_fit_number(out: &mut String, s: &str, width: usize) {
    let w = str_width(s, AmbiguousWidth::Narrow);
    if w > width {
        out.extend(std::iter::repeat_n(OVERFLOW_MARK, width));
    } else {
        push_spaces(out, width - w);
        out.push_str(s);
    }
}

/// Splits `s` into lines of at most `width` cells, at grapheme boundaries;
/// for column headers narrower than their name. A grapheme wider than
/// `width` gets a line of its own.
pub fn wrap(s: &str, width: usize, amb: AmbiguousWidth) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g, amb);
        if used + w > width && used > 0 {
            lines.push(String::new());
            used = 0;
        }
        lines.last_mut().expect("never empty").push_str(g);
        used += w;
    }
    lines
}

/// Appends `n` spaces.
pub fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The result of measuring a string against a number of cells.
enum Measure {
    /// All of it fits; its width.
    Fits(usize),
    /// It does not fit: `s[..end]` is the longest grapheme-aligned prefix that
    /// leaves one cell for the mark, and `width` is that prefix's width.
    Cut { end: usize, width: usize },
}

fn measure(s: &str, max: usize, amb: AmbiguousWidth) -> Measure {
    if s.is_ascii() {
        // Every ASCII byte is its own grapheme except CR LF, and both of
        // those are zero-width controls, so cutting between them is harmless.
        scan(s.bytes().map(ascii_width).enumerate(), max)
    } else if let Some(cells) = simple_width(s) {
        if cells <= max {
            return Measure::Fits(cells);
        }
        scan(simple_clusters(s), max)
    } else {
        measure_clustered(s, max, amb)
    }
}

/// [`measure`] by grapheme clusters, whatever the text.
fn measure_clustered(s: &str, max: usize, amb: AmbiguousWidth) -> Measure {
    let cells = s
        .grapheme_indices(true)
        .map(|(i, g)| (i, grapheme_width(g, amb)));
    scan(cells, max)
}

/// `(byte offset, width)` of each cluster of text of [`simple_width`]'s
/// set: each character is one, except that the halfwidth voiced marks ﾞ
/// and ﾟ belong to the character before them (they extend it, as in ｸﾞ).
fn simple_clusters(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = s.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, c) = chars.next()?;
        let mut cells = simple_char_width(c).unwrap_or(0);
        while let Some(&(_, mark)) = chars.peek() {
            if !matches!(mark, '\u{FF9E}' | '\u{FF9F}') {
                break;
            }
            cells += simple_char_width(mark).unwrap_or(0);
            chars.next();
        }
        Some((start, cells))
    })
}

/// One pass over `(byte offset, width)` per grapheme, stopping as soon as the
/// text is known to be too wide: renderers measure long strings every frame.
fn scan(cells: impl Iterator<Item = (usize, usize)>, max: usize) -> Measure {
    let budget = max.saturating_sub(1);
    let mut total = 0;
    let mut kept = (0, 0);
    for (start, w) in cells {
        if total <= budget {
            kept = (start, total);
        }
        total += w;
        if total > max {
            return Measure::Cut {
                end: kept.0,
                width: kept.1,
            };
        }
    }
    Measure::Fits(total)
}

fn ascii_width(b: u8) -> usize {
    usize::from(!b.is_ascii_control())
}

/// East_Asian_Width=Ambiguous characters that are letters or modifier
/// symbols (Latin-1 letters, Greek, Cyrillic, …): the ones width_cjk counts
/// as one cell. Generated from the UCD; sorted, inclusive ranges.
const AMBIGUOUS_LETTERS: &[(char, char)] = &[
    ('\u{00A8}', '\u{00A8}'),
    ('\u{00AA}', '\u{00AA}'),
    ('\u{00B4}', '\u{00B4}'),
    ('\u{00B8}', '\u{00B8}'),
    ('\u{00BA}', '\u{00BA}'),
    ('\u{00C6}', '\u{00C6}'),
    ('\u{00D0}', '\u{00D0}'),
    ('\u{00D8}', '\u{00D8}'),
    ('\u{00DE}', '\u{00E1}'),
    ('\u{00E6}', '\u{00E6}'),
    ('\u{00E8}', '\u{00EA}'),
    ('\u{00EC}', '\u{00ED}'),
    ('\u{00F0}', '\u{00F0}'),
    ('\u{00F2}', '\u{00F3}'),
    ('\u{00F8}', '\u{00FA}'),
    ('\u{00FC}', '\u{00FC}'),
    ('\u{00FE}', '\u{00FE}'),
    ('\u{0101}', '\u{0101}'),
    ('\u{0111}', '\u{0111}'),
    ('\u{0113}', '\u{0113}'),
    ('\u{011B}', '\u{011B}'),
    ('\u{0126}', '\u{0127}'),
    ('\u{012B}', '\u{012B}'),
    ('\u{0131}', '\u{0133}'),
    ('\u{0138}', '\u{0138}'),
    ('\u{013F}', '\u{0142}'),
    ('\u{0144}', '\u{0144}'),
    ('\u{0148}', '\u{014B}'),
    ('\u{014D}', '\u{014D}'),
    ('\u{0152}', '\u{0153}'),
    ('\u{0166}', '\u{0167}'),
    ('\u{016B}', '\u{016B}'),
    ('\u{01CE}', '\u{01CE}'),
    ('\u{01D0}', '\u{01D0}'),
    ('\u{01D2}', '\u{01D2}'),
    ('\u{01D4}', '\u{01D4}'),
    ('\u{01D6}', '\u{01D6}'),
    ('\u{01D8}', '\u{01D8}'),
    ('\u{01DA}', '\u{01DA}'),
    ('\u{01DC}', '\u{01DC}'),
    ('\u{0251}', '\u{0251}'),
    ('\u{0261}', '\u{0261}'),
    ('\u{02C4}', '\u{02C4}'),
    ('\u{02C7}', '\u{02C7}'),
    ('\u{02C9}', '\u{02CB}'),
    ('\u{02CD}', '\u{02CD}'),
    ('\u{02D0}', '\u{02D0}'),
    ('\u{02D8}', '\u{02DB}'),
    ('\u{02DD}', '\u{02DD}'),
    ('\u{02DF}', '\u{02DF}'),
    ('\u{0391}', '\u{03A1}'),
    ('\u{03A3}', '\u{03A9}'),
    ('\u{03B1}', '\u{03C1}'),
    ('\u{03C3}', '\u{03C9}'),
    ('\u{0401}', '\u{0401}'),
    ('\u{0410}', '\u{044F}'),
    ('\u{0451}', '\u{0451}'),
    ('\u{207F}', '\u{207F}'),
    ('\u{2113}', '\u{2113}'),
    ('\u{2126}', '\u{2126}'),
    ('\u{212B}', '\u{212B}'),
];

fn is_ambiguous_letter(c: char) -> bool {
    // Most text is ASCII or CJK, outside the table: skip the search.
    if !('\u{00A8}'..='\u{212B}').contains(&c) {
        return false;
    }
    AMBIGUOUS_LETTERS
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const N: AmbiguousWidth = AmbiguousWidth::Narrow;
    const W: AmbiguousWidth = AmbiguousWidth::Wide;
    const MODES: [AmbiguousWidth; 2] = [N, W];
    const ALIGNS: [Align; 3] = [Align::Left, Align::Right, Align::Center];

    /// Pieces that exercise every width rule; none contains CUT_MARK.
    const PIECES: &[&str] = &[
        "a",
        "Z9",
        " ",
        "東",
        "京都",
        "ｸﾞ",
        "ﾘｰﾝ",
        "①",
        "※",
        "○",
        "Ⅱ",
        "α",
        "é",
        "─│┌",
        "🏥",
        "e\u{301}",
        "葛\u{E0100}",
        "👨\u{200D}👩\u{200D}👧",
        "\u{1b}",
        "\u{301}",
        "病院",
    ];

    #[test]
    fn ambiguous_width_from_cells() {
        assert_eq!(AmbiguousWidth::from_cells(1), Some(N));
        assert_eq!(AmbiguousWidth::from_cells(2), Some(W));
        assert_eq!(AmbiguousWidth::from_cells(0), None);
        assert_eq!(AmbiguousWidth::from_cells(3), None);
        assert_eq!(N.cells(), 1);
        assert_eq!(W.cells(), 2);
        assert_eq!(AmbiguousWidth::default(), N);
    }

    #[test]
    fn kanji_are_two_cells() {
        for amb in MODES {
            assert_eq!(str_width("東京都", amb), 6);
        }
    }

    #[test]
    fn halfwidth_katakana_with_separate_dakuten() {
        // ｸﾞﾘｰﾝ: ｸ ﾞ ﾘ ｰ ﾝ = 5, 鶴坂 = 4, ｸﾘﾆｯｸ = 5.
        for amb in MODES {
            assert_eq!(str_width("ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ", amb), 14);
            assert_eq!(grapheme_width("ｸﾞ", amb), 2);
        }
    }

    #[test]
    fn ambiguous_characters_follow_the_mode() {
        for c in ["①", "※", "○", "Ⅱ", "α", "─", "│", "┌", "é", "Д"] {
            assert_eq!(str_width(c, N), 1, "{c} narrow");
            assert_eq!(str_width(c, W), 2, "{c} wide");
        }
        assert_eq!(str_width("①※○Ⅱα", N), 5);
        assert_eq!(str_width("①※○Ⅱα", W), 10);
        // Unambiguous text does not change with the mode.
        assert_eq!(str_width("abc東", W), 5);
    }

    #[test]
    fn ambiguous_letter_table_is_sorted() {
        assert!(AMBIGUOUS_LETTERS.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(AMBIGUOUS_LETTERS.iter().all(|&(lo, hi)| lo <= hi));
        assert!(!is_ambiguous_letter('\u{03A2}'));
        assert!(!is_ambiguous_letter('a'));
        // The table only adds the cell width_cjk leaves out; a character it
        // already counts wide would be counted three cells.
        for &(lo, hi) in AMBIGUOUS_LETTERS {
            for c in lo..=hi {
                assert!(is_ambiguous_letter(c));
                assert_eq!(c.to_string().width_cjk(), 1, "{c:?}");
            }
        }
    }

    #[test]
    fn emoji_combining_marks_and_selectors() {
        for amb in MODES {
            assert_eq!(str_width("🏥", amb), 2);
            assert_eq!(str_width("e\u{301}", amb), 1);
            assert_eq!(str_width("葛\u{E0100}", amb), 2);
            assert_eq!(str_width("👨\u{200D}👩\u{200D}👧", amb), 2);
        }
    }

    #[test]
    fn controls_take_no_cells() {
        assert_eq!(str_width("a\x1bb\r\n", N), 2);
        assert_eq!(str_width("東\u{7f}", W), 2);
        assert_eq!(grapheme_width("\r\n", N), 0);
    }

    #[test]
    fn truncate_borrows_when_it_fits() {
        assert!(matches!(truncate("東京都", 6, N), Cow::Borrowed("東京都")));
        assert!(matches!(truncate("", 0, N), Cow::Borrowed("")));
        assert!(matches!(truncate("abc", 3, W), Cow::Borrowed("abc")));
    }

    #[test]
    fn truncate_in_the_middle_of_a_wide_char() {
        assert_eq!(truncate("東京都病院", 5, N), "東京~");
        assert_eq!(truncate("東京都病院", 6, N), "東京~");
        assert_eq!(truncate("東京都病院", 7, N), "東京都~");
        assert_eq!(fit("東京都病院", 5, Align::Left, N), "東京~");
        assert_eq!(fit("東京都病院", 6, Align::Left, N), "東京~ ");
        assert_eq!(fit("東京都病院", 6, Align::Right, N), " 東京~");
        assert_eq!(truncate("東京都病院", 1, N), "~");
        assert_eq!(truncate("東京都病院", 0, N), "");
    }

    #[test]
    fn truncate_keeps_clusters_whole() {
        assert_eq!(truncate("葛\u{E0100}葛\u{E0100}", 3, N), "葛\u{E0100}~");
        assert_eq!(truncate("葛\u{E0100}x", 2, N), "~");
        assert_eq!(truncate("e\u{301}e\u{301}x", 2, N), "e\u{301}~");
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(truncate(&family.repeat(2), 3, N), format!("{family}~"));
        // ｸﾞ is one cluster, so it goes whole or not at all.
        assert_eq!(truncate("ｸﾞﾘｰﾝ", 4, N), "ｸﾞﾘ~");
        assert_eq!(truncate("ｸﾞﾘｰﾝ", 2, N), "~");
    }

    #[test]
    fn truncate_depends_on_the_mode() {
        assert_eq!(truncate("①②③", 3, N), "①②③");
        assert_eq!(truncate("①②③", 3, W), "①~");
        assert_eq!(truncate("αβγ", 4, W), "α~");
    }

    #[test]
    fn fit_pads_by_alignment() {
        assert_eq!(fit("ab", 5, Align::Left, N), "ab   ");
        assert_eq!(fit("ab", 5, Align::Right, N), "   ab");
        assert_eq!(fit("ab", 5, Align::Center, N), " ab  ");
        assert_eq!(fit("※", 3, Align::Right, W), " ※");
        assert_eq!(fit("※", 3, Align::Right, N), "  ※");
        assert_eq!(fit("abc", 0, Align::Left, N), "");
        let mut out = String::from("|");
        push_fit(&mut out, "東京", 5, Align::Left, N);
        out.push('|');
        assert_eq!(out, "|東京 |");
    }

    #[test]
    fn every_piece_fits_exactly_at_every_width() {
        for &a in PIECES {
            for &b in PIECES {
                let s = format!("{a}{b}{a}");
                for amb in MODES {
                    for width in 0..12 {
                        check_fit(&s, width, amb);
                    }
                }
            }
        }
    }

    #[test]
    fn fit_number_right_aligns() {
        assert_eq!(fit_number("123", 5), "  123");
        assert_eq!(fit_number("-12", 3), "-12");
        assert_eq!(fit_number("85%", 4), " 85%");
        assert_eq!(fit_number("", 2), "  ");
    }

    #[test]
    fn fit_number_never_drops_digits() {
        assert_eq!(fit_number("12345", 3), "###");
        assert_eq!(fit_number("100", 2), "##");
        assert_eq!(fit_number("7", 0), "");
        for n in [0u64, 7, 42, 999, 1000, 123_456_789] {
            let s = n.to_string();
            for width in 0..12 {
                let out = fit_number(&s, width);
                assert_eq!(str_width(&out, N), width);
                let shown = out.trim_start();
                assert!(
                    shown == s || out.chars().all(|c| c == OVERFLOW_MARK),
                    "{out:?}"
                );
            }
        }
    }

    /// The invariants of `truncate` and `fit`, for one string and width.
    fn check_fit(s: &str, width: usize, amb: AmbiguousWidth) {
        let cut = truncate(s, width, amb);
        let fits = str_width(s, amb) <= width;
        assert_eq!(matches!(cut, Cow::Borrowed(_)), fits, "{s:?} at {width}");
        assert_eq!(
            cut.ends_with(CUT_MARK),
            !fits && width > 0,
            "{s:?} at {width}"
        );
        assert!(str_width(&cut, amb) <= width, "{s:?} at {width}");
        // What is kept is whole clusters from the start of `s`.
        let body = cut.strip_suffix(CUT_MARK).unwrap_or(&cut);
        assert!(s.starts_with(body));
        assert!(s.grapheme_indices(true).any(|(i, _)| i == body.len()) || body == s);
        for align in ALIGNS {
            let out = fit(s, width, align, amb);
            assert_eq!(
                str_width(&out, amb),
                width,
                "{s:?} {align:?} {amb:?} -> {out:?}"
            );
            assert!(out.contains(body));
        }
    }

    proptest! {
        #[test]
        fn fit_is_always_exactly_width(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..10),
            width in 0usize..30,
            wide in any::<bool>(),
        ) {
            let amb = if wide { W } else { N };
            check_fit(&pieces.concat(), width, amb);
        }
    }

    /// Characters at the edges of the simple set and the clusters around it.
    const NEIGHBOURS: &[char] = &[
        'a',
        '~',
        ' ',
        '\u{7f}',
        '\u{1b}',
        '\u{3000}',
        '、',
        '\u{3029}',
        '\u{302A}',
        '\u{302F}',
        '\u{3030}',
        '\u{303E}',
        '\u{303F}',
        'ぁ',
        'ゖ',
        '\u{3099}',
        '\u{309A}',
        '゛',
        'ヿ',
        '㐀',
        '一',
        '鿿',
        '豈',
        '﨑',
        '髙',
        '！',
        '｠',
        '｡',
        'ｸ',
        'ﾞ',
        'ﾟ',
        '￠',
        '￦',
        '￨',
        '￮',
        '①',
        '※',
        'α',
        'é',
        '\u{301}',
        '\u{200D}',
        '\u{FE0F}',
        '\u{E0100}',
        '🏥',
        '👨',
        '\u{FFEF}',
        '\u{1100}',
        '\u{1161}',
        '가',
    ];

    #[test]
    fn simple_characters_measure_as_their_clusters() {
        let ranges = [
            ('\u{20}', '\u{7E}'),
            ('\u{3000}', '\u{30FF}'),
            ('\u{3400}', '\u{4DBF}'),
            ('\u{4E00}', '\u{9FFF}'),
            ('\u{F900}', '\u{FAFF}'),
            ('\u{FF01}', '\u{FFEE}'),
        ];
        for (lo, hi) in ranges {
            for (i, c) in (lo..=hi).enumerate() {
                let Some(w) = simple_char_width(c) else {
                    continue;
                };
                for amb in MODES {
                    let one = c.to_string();
                    assert_eq!(w, clustered_width(&one, amb), "{c:?} {amb:?}");
                    // Next to any neighbour, the widths still add up (a
                    // sample of the big blocks, every character of the small).
                    if i % 31 != 0 && hi > '\u{30FF}' && hi < '\u{FF01}' {
                        continue;
                    }
                    for &n in NEIGHBOURS {
                        for pair in [format!("{c}{n}"), format!("{n}{c}")] {
                            let expected = clustered_width(&pair, amb);
                            if let Some(fast) = simple_width(&pair) {
                                assert_eq!(fast, expected, "{pair:?} {amb:?}");
                            }
                            assert_eq!(str_width(&pair, amb), expected, "{pair:?} {amb:?}");
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn simple_text_is_cut_where_its_clusters_are(
            chars in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(&['a', ' ', 'ｸ', 'ﾞ', 'ﾟ', 'ｰ', '東', 'あ', '゛', '！', '￨'][..]),
                    prop::char::range('\u{FF61}', '\u{FF9F}'),
                    prop::char::range('\u{3041}', '\u{3096}'),
                ],
                0..12,
            ),
            max in 0usize..20,
        ) {
            let s: String = chars.into_iter().collect();
            prop_assume!(simple_width(&s).is_some());
            let cut = |m: Measure| match m {
                Measure::Fits(w) => (true, w, s.len()),
                Measure::Cut { end, width } => (false, width, end),
            };
            for amb in MODES {
                prop_assert_eq!(cut(measure(&s, max, amb)), cut(measure_clustered(&s, max, amb)));
            }
        }
    }

    #[test]
    fn the_first_byte_rule_gives_each_characters_own_width() {
        let by_chars = |s: &str| s.chars().map(simple_char_width).sum::<Option<usize>>();
        let chars = (0x20u32..0x3000)
            .step_by(7)
            .chain(0x3000..0xA000)
            .chain(0xF900..0x10000);
        for c in chars.filter_map(char::from_u32) {
            let s = format!("a{c}東");
            assert_eq!(simple_width(&s), by_chars(&s), "U+{:04X}", c as u32);
            if let Some(width) = simple_width(&s) {
                for amb in MODES {
                    assert_eq!(width, clustered_width(&s, amb), "U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn the_cache_gives_the_same_widths() {
        let texts = [
            "医療法人社団①髙﨑会 ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ",
            "ｸﾞﾘｰﾝ鶴坂ｸﾘﾆｯｸ",
            "Ⅱ号館 ※東京病院",
            "abc",
            "東京都",
            "é\u{301}",
        ];
        for amb in MODES {
            let mut cache = WidthCache::new(amb);
            for _ in 0..2 {
                for text in texts {
                    assert_eq!(cache.width(text), clustered_width(text, amb), "{text}");
                }
            }
        }
        assert_eq!(WidthCache::new(N).width("①※"), 2);
        assert_eq!(WidthCache::new(W).width("①※"), 4);
    }

    proptest! {
        #[test]
        fn the_fast_paths_equal_the_clustered_width(
            chars in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(NEIGHBOURS),
                    prop::char::range('\u{3000}', '\u{30FF}'),
                    prop::char::range('\u{4E00}', '\u{9FFF}'),
                    prop::char::range('\u{FF00}', '\u{FFEF}'),
                    prop::char::range('\u{0}', '\u{2FF}'),
                    any::<char>(),
                ],
                0..16,
            ),
            wide in any::<bool>(),
        ) {
            let amb = if wide { W } else { N };
            let s: String = chars.into_iter().collect();
            let expected = clustered_width(&s, amb);
            prop_assert_eq!(str_width(&s, amb), expected);
            prop_assert_eq!(WidthCache::new(amb).width(&s), expected);
        }
    }

    #[test]
    fn wrap_splits_headers_by_cells() {
        assert_eq!(
            wrap("確保病床", 4, AmbiguousWidth::Narrow),
            ["確保", "病床"]
        );
        assert_eq!(
            wrap("全国地方公共団体コード", 6, AmbiguousWidth::Narrow),
            ["全国地", "方公共", "団体コ", "ード"]
        );
        assert_eq!(wrap("ｸﾞﾘｰﾝ", 2, AmbiguousWidth::Narrow), ["ｸﾞ", "ﾘｰ", "ﾝ"]);
        assert_eq!(wrap("①②", 2, AmbiguousWidth::Wide), ["①", "②"]);
        assert_eq!(wrap("東", 1, AmbiguousWidth::Narrow), ["東"]);
        assert_eq!(wrap("", 3, AmbiguousWidth::Narrow), [""]);
    }
}

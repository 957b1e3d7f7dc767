//! HTML in report labels.

/// Label text without its HTML: `<br>` becomes a space, other tags are dropped,
/// and `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;` and numeric references are
/// unescaped. A `<` or `&` that starts no tag or reference is kept.
pub fn strip_html(text: &str) -> String {
    if !text.contains(['<', '&']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let found = if rest.starts_with('<') {
            html_tag(rest).map(|(len, is_br)| (len, is_br.then_some(' ')))
        } else {
            html_entity(rest).map(|(len, c)| (len, Some(c)))
        };
        match found {
            Some((len, replacement)) => {
                out.extend(replacement);
                rest = &rest[len..];
            }
            None => {
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A tag at the start of `text`: its length and whether it is a line break.
fn html_tag(text: &str) -> Option<(usize, bool)> {
    let inner = text.strip_prefix('<')?;
    let name_part = inner.strip_prefix('/').unwrap_or(inner);
    if !name_part.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = inner.find(['>', '<'])?;
    if inner.as_bytes()[end] != b'>' {
        return None;
    }
    let name: String = name_part
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    Some((end + 2, name.eq_ignore_ascii_case("br")))
}

/// A character reference at the start of `text`: its length and the character.
fn html_entity(text: &str) -> Option<(usize, char)> {
    let end = text[..text.len().min(12)].find(';')?;
    let name = &text[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((end + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_removed_from_labels() {
        assert_eq!(strip_html("a<br>b<BR/>c<br />d"), "a b c d");
        assert_eq!(strip_html("<b>太字</b> &amp; &lt;x&gt;"), "太字 & <x>");
        assert_eq!(
            strip_html("&quot;q&quot; &#39;s&#39; &#x41;"),
            "\"q\" 's' A"
        );
        assert_eq!(strip_html("United Oil & Gas"), "United Oil & Gas");
        assert_eq!(strip_html("a < b > c"), "a < b > c");
        assert_eq!(strip_html("<"), "<");
        assert_eq!(strip_html("&#99999999;"), "&#99999999;");
        assert_eq!(strip_html("<a href=\"x\">リンク"), "リンク");
    }
}

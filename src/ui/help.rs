//! The `?` key list: every key as bound now, every view the view key cycles
//! through, and the keys that cannot be re-bound. Laid out in as many columns
//! as the screen holds; what does not fit scrolls, and the frame says so.

use ratatui::layout::Rect;
use unicode_segmentation::UnicodeSegmentation;

use super::keymap::{Action, KeyMap, FIXED_KEYS};
use super::painter::{centered, Painter};
use super::theme::Theme;
use super::view_model::ViewKind;
use crate::text::width::{self, Align, AmbiguousWidth};

/// The narrowest column worth a second one beside it.
const MIN_COLUMN_WIDTH: usize = 56;
/// At most this many cells for the keys of one entry.
const MAX_KEY_WIDTH: usize = 20;

/// One entry of the list: a heading, or keys and what they do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpEntry {
    Heading(String),
    Keys { keys: String, what: String },
}

/// One screen line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpLine {
    Heading(String),
    /// Keys (empty on a wrapped line's continuation) and text.
    Keys {
        keys: String,
        text: String,
    },
}

impl HelpLine {
    fn continues(&self) -> bool {
        matches!(self, HelpLine::Keys { keys, .. } if keys.is_empty())
    }
}

/// Every entry of the list, from the key map in force.
pub fn entries(keys: &KeyMap) -> Vec<HelpEntry> {
    let mut out = vec![HelpEntry::Heading(
        "一覧の操作（設定ファイルの [keys] で変えられます）".to_string(),
    )];
    for (action, keys, what) in keys.help_entries() {
        let what = match action {
            Action::NextView => format!("{what}: {}", view_cycle()),
            _ => what.to_string(),
        };
        out.push(HelpEntry::Keys { keys, what });
    }
    for (place, fixed) in FIXED_KEYS {
        out.push(HelpEntry::Heading((*place).to_string()));
        for (keys, what) in *fixed {
            out.push(HelpEntry::Keys {
                keys: (*keys).to_string(),
                what: (*what).to_string(),
            });
        }
    }
    out
}

/// 「病床一覧 → 二次医療圏別 → … → 自治体マスタ」: every view, in the order the key shows them.
pub fn view_cycle() -> String {
    let mut labels = vec![ViewKind::Rows.label()];
    let mut kind = ViewKind::Rows.next();
    while kind != ViewKind::Rows {
        labels.push(kind.label());
        kind = kind.next();
    }
    labels.join(" → ")
}

/// The entries as lines of one column `width` cells wide, keys in `key_width`.
pub fn lines(
    entries: &[HelpEntry],
    width: usize,
    key_width: usize,
    amb: AmbiguousWidth,
) -> Vec<HelpLine> {
    let text_width = width.saturating_sub(key_width + 1).max(1);
    let mut out = Vec::new();
    for entry in entries {
        match entry {
            HelpEntry::Heading(text) => out.push(HelpLine::Heading(text.clone())),
            HelpEntry::Keys { keys, what } => {
                for (i, text) in wrap_words(what, text_width, amb).into_iter().enumerate() {
                    let keys = if i == 0 { keys.clone() } else { String::new() };
                    out.push(HelpLine::Keys { keys, text });
                }
            }
        }
    }
    out
}

/// Wraps at a space, after 「・」「、」「）」「:」 or before 「（」 where it can, else anywhere.
pub(super) fn wrap_words(text: &str, width: usize, amb: AmbiguousWidth) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    // Where the line may break: the byte length and cell width up to there.
    let mut last_break: Option<(usize, usize)> = None;
    for g in text.graphemes(true) {
        let w = width::grapheme_width(g, amb);
        if used + w > width && used > 0 {
            let (at, at_width) = last_break.unwrap_or((line.len(), used));
            let rest = line.split_off(at);
            lines.push(line.trim_end().to_string());
            line = rest.trim_start().to_string();
            used -= at_width;
            if line.is_empty() {
                used = 0;
            }
            last_break = None;
        }
        if g == "（" && used > 0 {
            last_break = Some((line.len(), used));
        }
        line.push_str(g);
        used += w;
        if matches!(g, " " | "・" | "、" | "）" | ":" | "/") {
            last_break = Some((line.len(), used));
        }
    }
    lines.push(line);
    lines
}

/// Splits lines into `columns` columns of nearly equal length; a column never
/// starts with a wrapped entry's continuation.
pub fn split_columns(lines: Vec<HelpLine>, columns: usize) -> Vec<Vec<HelpLine>> {
    let per = lines.len().div_ceil(columns.max(1)).max(1);
    let mut out: Vec<Vec<HelpLine>> = vec![Vec::new()];
    for line in lines {
        let full = out.last().is_some_and(|c| c.len() >= per);
        if full && !line.continues() && out.len() < columns {
            out.push(Vec::new());
        }
        out.last_mut().expect("never empty").push(line);
    }
    out
}

/// Draws the list over `area`; `scroll` is clamped to what there is to see and
/// written back.
///
/// `display` says how the screen is drawn (the ambiguous width and the
/// character set, and how each was chosen); it ends the list when given.
pub fn draw(
    p: &mut Painter,
    keys: &KeyMap,
    display: &str,
    scroll: &mut usize,
    theme: &Theme,
    area: Rect,
) {
    let mut entries = entries(keys);
    if !display.is_empty() {
        entries.push(HelpEntry::Heading("この端末での表示".to_string()));
        entries.push(HelpEntry::Keys {
            keys: "表示".to_string(),
            what: display.to_string(),
        });
    }
    let inner = usize::from(area.width.saturating_sub(4));
    let columns = (inner / MIN_COLUMN_WIDTH).clamp(1, 3);
    let column_width = inner / columns;
    let key_width = entries
        .iter()
        .filter_map(|e| match e {
            HelpEntry::Keys { keys, .. } => Some(width::str_width(keys, p.amb)),
            HelpEntry::Heading(_) => None,
        })
        .max()
        .unwrap_or(0)
        .min(MAX_KEY_WIDTH);
    let lines = lines(&entries, column_width.saturating_sub(2), key_width, p.amb);
    let columns = split_columns(lines, columns);
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0);
    let room = usize::from(area.height.saturating_sub(2)).max(1);
    let shown = tallest.min(room);
    *scroll = (*scroll).min(tallest - shown);
    let width = if columns.len() == 1 {
        area.width
    } else {
        (columns.len() * column_width + 4).min(usize::from(area.width)) as u16
    };
    let rect = centered(area, width, shown as u16 + 2);
    p.frame(rect, "キー一覧（Esc で閉じる）", theme.popup);
    let heading = theme.column_header.patch(theme.popup);
    for (c, column) in columns.iter().enumerate() {
        let x = rect.x + 2 + (c * column_width) as u16;
        let right = (x + column_width as u16).min(rect.right() - 1);
        for (row, line) in column.iter().skip(*scroll).take(shown).enumerate() {
            let y = rect.y + 1 + row as u16;
            match line {
                HelpLine::Heading(text) => {
                    p.cell(x, y, right - x, text, Align::Left, heading);
                }
                HelpLine::Keys { keys, text } => {
                    p.cell(x, y, key_width as u16, keys, Align::Left, theme.popup);
                    let text_x = x + key_width as u16 + 1;
                    p.cell(
                        text_x,
                        y,
                        right.saturating_sub(text_x),
                        text,
                        Align::Left,
                        theme.popup,
                    );
                }
            }
        }
    }
    if shown < tallest {
        let down = keys.first_key(Action::Down);
        let up = keys.first_key(Action::Up);
        let note = format!(
            " {}-{} / {} 行  {down} {up} でスクロール ",
            *scroll + 1,
            *scroll + shown,
            tallest,
        );
        let note_width = width::str_width(&note, p.amb) as u16;
        let x = rect.right().saturating_sub(note_width + 2).max(rect.x + 1);
        p.put(x, rect.bottom() - 1, rect.right() - 1, &note, theme.popup);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_view_line_names_every_view_the_key_cycles_through() {
        assert_eq!(
            view_cycle(),
            "病床一覧 → 二次医療圏別 → 市区町村別 → 変更履歴 → 医療機関マスタ → 自治体マスタ"
        );
        let entries = entries(&KeyMap::default());
        assert!(entries.contains(&HelpEntry::Keys {
            keys: "Tab".into(),
            what: format!("表示を切り替える: {}", view_cycle()),
        }));
    }

    #[test]
    fn a_re_bound_key_shows_as_bound() {
        let overrides = BTreeMap::from([("help".to_string(), vec!["F1".to_string()])]);
        let entries = entries(&KeyMap::with_overrides(&overrides).unwrap());
        assert!(entries.contains(&HelpEntry::Keys {
            keys: "F1".into(),
            what: "このキー一覧".into(),
        }));
        assert!(!entries
            .iter()
            .any(|e| matches!(e, HelpEntry::Keys { keys, .. } if keys == "?")));
    }

    #[test]
    fn long_text_wraps_between_words_and_columns_start_with_an_entry() {
        let amb = AmbiguousWidth::Narrow;
        assert_eq!(
            wrap_words("選んだ病院を監視する・外す", 24, amb),
            ["選んだ病院を監視する・", "外す"]
        );
        assert_eq!(wrap_words("短い", 14, amb), ["短い"]);
        let entries = vec![
            HelpEntry::Heading("見出し".into()),
            HelpEntry::Keys {
                keys: "a".into(),
                what: "一二三四五・六七八九十".into(),
            },
            HelpEntry::Keys {
                keys: "b".into(),
                what: "短い".into(),
            },
        ];
        let lines = lines(&entries, 18, 3, amb);
        assert_eq!(lines.len(), 4, "{lines:?}");
        let columns = split_columns(lines, 2);
        assert_eq!(columns.len(), 2);
        assert!(columns.iter().all(|c| !c[0].continues()), "{columns:?}");
        assert_eq!(columns[0].len(), 3, "the wrapped entry stays together");
    }
}

//! Lays whole items on a few lines, as the header and the status line show
//! them: an item is never cut. One that does not fit goes to the next line;
//! with no line left, it and every item after it (the less important ones)
//! are left out, and the last line ends with the width module's cut mark.

use crate::text::width::{self, AmbiguousWidth, CUT_MARK};

/// Spaces between two items on a line.
const GAP: &str = "  ";

/// What to do with an item wider than a whole line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Long {
    /// Leave it out (with the items after it).
    Hide,
    /// Wrap it onto lines of its own, as long as lines are left.
    Wrap,
}

/// Items laid on lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    pub lines: Vec<String>,
    /// Items left out.
    pub hidden: usize,
}

/// Lays `items` (most important first) on at most `max_lines` lines of `width` cells.
pub fn flow(
    items: &[String],
    width: usize,
    max_lines: usize,
    long: Long,
    amb: AmbiguousWidth,
) -> Flow {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut placed = 0;
    for item in items {
        if !place(&mut lines, item, width, max_lines, long, amb) {
            break;
        }
        placed += 1;
    }
    let mut hidden = items.len() - placed;
    if hidden > 0 && width > 0 && max_lines > 0 {
        hidden += make_room_for_mark(&mut lines, width, max_lines, amb);
    }
    let mut lines: Vec<String> = lines.iter().map(|line| line.join(GAP)).collect();
    if hidden > 0 && width > 0 && max_lines > 0 {
        match lines.last_mut() {
            Some(last) if !last.is_empty() => {
                last.push_str(GAP);
                last.push(CUT_MARK);
            }
            Some(last) => last.push(CUT_MARK),
            None => lines.push(CUT_MARK.to_string()),
        }
    }
    Flow { lines, hidden }
}

/// Puts one item on the current line, a new line, or (wrapped) new lines; false
/// when it does not fit in the lines left.
fn place(
    lines: &mut Vec<Vec<String>>,
    item: &str,
    width: usize,
    max_lines: usize,
    long: Long,
    amb: AmbiguousWidth,
) -> bool {
    let item_width = width::str_width(item, amb);
    if let Some(last) = lines.last_mut() {
        if line_width(last, amb) + GAP.len() + item_width <= width {
            last.push(item.to_string());
            return true;
        }
    }
    let lines_left = max_lines.saturating_sub(lines.len());
    if item_width <= width && lines_left > 0 {
        lines.push(vec![item.to_string()]);
        return true;
    }
    if long == Long::Wrap && item_width > width && width > 0 {
        let pieces = width::wrap(item, width, amb);
        if pieces.len() <= lines_left {
            lines.extend(pieces.into_iter().map(|piece| vec![piece]));
            return true;
        }
    }
    false
}

/// Leaves items out of the last line until the mark fits after them; how many.
fn make_room_for_mark(
    lines: &mut Vec<Vec<String>>,
    width: usize,
    max_lines: usize,
    amb: AmbiguousWidth,
) -> usize {
    let mark_room = GAP.len() + 1;
    if lines
        .last()
        .is_some_and(|last| line_width(last, amb) + mark_room <= width)
    {
        return 0;
    }
    if lines.len() < max_lines {
        // A line of its own for the mark.
        lines.push(Vec::new());
        return 0;
    }
    let mut dropped = 0;
    while let Some(last) = lines.last_mut() {
        if last.is_empty() || line_width(last, amb) + mark_room <= width {
            break;
        }
        last.pop();
        dropped += 1;
    }
    dropped
}

fn line_width(items: &[String], amb: AmbiguousWidth) -> usize {
    let text: usize = items.iter().map(|item| width::str_width(item, amb)).sum();
    text + GAP.len() * items.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NARROW: AmbiguousWidth = AmbiguousWidth::Narrow;

    fn items(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn items_that_fit_share_a_line() {
        let flow = flow(&items(&["確保 1", "即応 2"]), 20, 2, Long::Hide, NARROW);
        assert_eq!(flow.lines, ["確保 1  即応 2"]);
        assert_eq!(flow.hidden, 0);
    }

    #[test]
    fn an_item_that_does_not_fit_starts_the_next_line_whole() {
        let flow = flow(&items(&["aaaa", "bbbb", "cccc"]), 10, 2, Long::Hide, NARROW);
        assert_eq!(flow.lines, ["aaaa  bbbb", "cccc"]);
    }

    #[test]
    fn with_no_line_left_the_rest_is_left_out_and_marked() {
        let flow = flow(&items(&["aaaa", "bbbb", "cccc"]), 10, 1, Long::Hide, NARROW);
        // The mark needs room too: bbbb gives way to it.
        assert_eq!(flow.lines, ["aaaa  ~"]);
        assert_eq!(flow.hidden, 2);
    }

    #[test]
    fn an_item_wider_than_a_line_is_left_out_or_wrapped() {
        let hidden = flow(&items(&["a", "0123456789"]), 6, 3, Long::Hide, NARROW);
        assert_eq!(hidden.lines, ["a  ~"]);
        assert_eq!(hidden.hidden, 1);
        let wrapped = flow(&items(&["a", "0123456789"]), 6, 3, Long::Wrap, NARROW);
        assert_eq!(wrapped.lines, ["a", "012345", "6789"]);
        assert_eq!(wrapped.hidden, 0);
    }

    #[test]
    fn less_important_items_go_even_if_a_later_one_would_fit() {
        let flow = flow(&items(&["aaaa", "bbbbbbbb", "c"]), 8, 1, Long::Hide, NARROW);
        assert_eq!(flow.lines, ["aaaa  ~"]);
        assert_eq!(flow.hidden, 2);
    }

    #[test]
    fn widths_are_measured_in_the_terminals_ambiguous_width() {
        // ○ is ambiguous: one cell narrow, two wide.
        let texts = items(&["○○○", "○○○"]);
        assert_eq!(flow(&texts, 9, 1, Long::Hide, NARROW).lines, ["○○○  ○○○"]);
        let wide = flow(&texts, 9, 1, Long::Hide, AmbiguousWidth::Wide);
        assert_eq!(wide.lines, ["○○○  ~"]);
    }

    #[test]
    fn no_room_at_all_shows_nothing() {
        assert_eq!(
            flow(&items(&["a"]), 0, 1, Long::Hide, NARROW).lines,
            Vec::<String>::new()
        );
        assert_eq!(
            flow(&items(&["a"]), 5, 0, Long::Hide, NARROW).lines,
            Vec::<String>::new()
        );
    }
}

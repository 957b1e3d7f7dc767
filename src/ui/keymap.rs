//! One key map: keys become actions; nothing else looks at key codes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything the user can ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    NextSortColumn,
    ReverseSort,
    StartSearch,
    NextMatch,
    PreviousMatch,
    ToggleFilterMode,
    ToggleFreeOnly,
    ToggleStaleOnly,
    ToggleFlaggedOnly,
    NextGrouping,
    ToggleRowCounts,
    ToggleDetailRows,
    ToggleSubtotals,
    ToggleGrandTotal,
    ToggleChart,
    Open,
    Back,
    Help,
    Reload,
    Quit,
    Confirm,
    Cancel,
    /// Typing into the search prompt.
    Input(char),
    DeleteChar,
    Submit,
}

/// What the keys mean depends on what is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Table,
    Search,
    Popup,
    ConfirmQuit,
}

/// Key, description: the list `?` shows. Kept beside the map so they agree.
pub const HELP: &[(&str, &str)] = &[
    ("↑↓ / j k", "1 行移動"),
    ("PgUp PgDn", "1 画面移動"),
    ("Home End / g G", "先頭・末尾"),
    ("← → / h l", "列を左右にスクロール（医療機関名は固定）"),
    ("s / S", "並べ替える列を次へ / 昇順・降順を反転"),
    ("/", "検索（全角半角・かなカナを区別しない）"),
    ("n / N", "次・前の一致へ"),
    ("f", "絞り込みモード（一致しない行を隠す）"),
    ("1 / 2 / 3", "空床ありのみ / 古い報告のみ / 要確認のみ"),
    ("v", "グループ: なし → 都道府県 → 二次医療圏 → 市区町村"),
    ("c / d / t / T", "行数 / 詳細行 / 小計 / 総計 の表示切替"),
    ("b", "グラフの表示切替"),
    ("Enter", "選んだ医療機関の詳細"),
    ("Esc", "戻る・取り消す"),
    ("r", "データを読み直す"),
    ("?", "このキー一覧"),
    ("q", "終了（確認あり）"),
];

pub fn action(key: KeyEvent, mode: Mode) -> Option<Action> {
    use Action::*;
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Quit);
    }
    match mode {
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y' | 'Y') => Some(Confirm),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Cancel),
            _ => None,
        },
        Mode::Popup => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => Some(Back),
            _ => None,
        },
        Mode::Search => match key.code {
            KeyCode::Esc => Some(Cancel),
            KeyCode::Enter => Some(Submit),
            KeyCode::Backspace => Some(DeleteChar),
            KeyCode::Char(c) => Some(Input(c)),
            _ => None,
        },
        Mode::Table => table_action(key.code),
    }
}

fn table_action(code: KeyCode) -> Option<Action> {
    use Action::*;
    Some(match code {
        KeyCode::Up | KeyCode::Char('k') => Up,
        KeyCode::Down | KeyCode::Char('j') => Down,
        KeyCode::PageUp => PageUp,
        KeyCode::PageDown | KeyCode::Char(' ') => PageDown,
        KeyCode::Home | KeyCode::Char('g') => Top,
        KeyCode::End | KeyCode::Char('G') => Bottom,
        KeyCode::Left | KeyCode::Char('h') => Left,
        KeyCode::Right | KeyCode::Char('l') => Right,
        KeyCode::Char('s') => NextSortColumn,
        KeyCode::Char('S') => ReverseSort,
        KeyCode::Char('/') => StartSearch,
        KeyCode::Char('n') => NextMatch,
        KeyCode::Char('N') => PreviousMatch,
        KeyCode::Char('f') => ToggleFilterMode,
        KeyCode::Char('1') => ToggleFreeOnly,
        KeyCode::Char('2') => ToggleStaleOnly,
        KeyCode::Char('3') => ToggleFlaggedOnly,
        KeyCode::Char('v') => NextGrouping,
        KeyCode::Char('c') => ToggleRowCounts,
        KeyCode::Char('d') => ToggleDetailRows,
        KeyCode::Char('t') => ToggleSubtotals,
        KeyCode::Char('T') => ToggleGrandTotal,
        KeyCode::Char('b') => ToggleChart,
        KeyCode::Enter => Open,
        KeyCode::Esc => Back,
        KeyCode::Char('?') => Help,
        KeyCode::Char('r') => Reload,
        KeyCode::Char('q') => Quit,
        _ => return None,
    })
}

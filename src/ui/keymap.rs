//! One key map: keys become actions; nothing else looks at key codes.
//! The table's keys can be re-bound in the config file (`[keys]`).

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything the user can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    NextView,
    NextSortColumn,
    ReverseSort,
    StartSearch,
    NextMatch,
    PreviousMatch,
    ToggleFilterMode,
    ToggleFreeOnly,
    ToggleStaleOnly,
    ToggleFlaggedOnly,
    ToggleAllRows,
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
    SaveView,
    ToggleWatch,
    Acknowledge,
    Export,
    CopyPhone,
    NextPhone,
    /// 搬送先候補: type the origin.
    StartNear,
    /// Tab in the origin's input line: the next completion.
    Complete,
    /// The map of 搬送先候補 instead of the list (on a narrow screen).
    ToggleMap,
    ZoomIn,
    ZoomOut,
    /// A key for an open dialog, which reads keys itself.
    DialogKey(KeyEvent),
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
    /// The export dialog.
    Export,
    /// The hospital page.
    Page,
    /// The origin of 搬送先候補 being typed.
    NearInput,
    /// The 搬送先候補 screen.
    Near,
}

/// The table's actions: the name used in the config file, the default keys,
/// and what `?` says of it.
const BINDINGS: &[(Action, &str, &[&str], &str)] = &[
    (Action::Up, "up", &["up", "k"], "1 行上へ"),
    (Action::Down, "down", &["down", "j"], "1 行下へ"),
    (Action::PageUp, "page_up", &["pageup"], "1 画面上へ"),
    (
        Action::PageDown,
        "page_down",
        &["pagedown", "space"],
        "1 画面下へ",
    ),
    (Action::Top, "top", &["home", "g"], "先頭へ"),
    (Action::Bottom, "bottom", &["end", "G"], "末尾へ"),
    (
        Action::Left,
        "left",
        &["left", "h"],
        "列を左へ（医療機関名は固定）",
    ),
    (Action::Right, "right", &["right", "l"], "列を右へ"),
    (Action::NextView, "next_view", &["tab"], "表示を切り替える"),
    (
        Action::NextSortColumn,
        "next_sort",
        &["s"],
        "並べ替える列を次へ",
    ),
    (
        Action::ReverseSort,
        "reverse_sort",
        &["S"],
        "昇順・降順を反転",
    ),
    (
        Action::StartSearch,
        "search",
        &["/"],
        "検索（表記ゆれを無視）",
    ),
    (Action::NextMatch, "next_match", &["n"], "次の一致へ"),
    (
        Action::PreviousMatch,
        "previous_match",
        &["N"],
        "前の一致へ",
    ),
    (
        Action::ToggleFilterMode,
        "filter_mode",
        &["f"],
        "絞り込み（一致しない行を隠す）",
    ),
    (Action::ToggleFreeOnly, "free_only", &["1"], "空床ありのみ"),
    (
        Action::ToggleStaleOnly,
        "stale_only",
        &["2"],
        "古い報告のみ",
    ),
    (
        Action::ToggleFlaggedOnly,
        "flagged_only",
        &["3"],
        "要確認のみ",
    ),
    (
        Action::ToggleAllRows,
        "all_rows",
        &["4"],
        "過去の報告の表示切替",
    ),
    (
        Action::NextGrouping,
        "grouping",
        &["v"],
        "グループ: 県→医療圏→市区町村",
    ),
    (
        Action::ToggleRowCounts,
        "row_counts",
        &["c"],
        "行数の表示切替",
    ),
    (
        Action::ToggleDetailRows,
        "detail_rows",
        &["d"],
        "詳細行の表示切替",
    ),
    (
        Action::ToggleSubtotals,
        "subtotals",
        &["t"],
        "小計の表示切替",
    ),
    (
        Action::ToggleGrandTotal,
        "grand_total",
        &["T"],
        "総計の表示切替",
    ),
    (Action::ToggleChart, "chart", &["b"], "グラフの表示切替"),
    (Action::Open, "open", &["enter"], "選んだ行を開く"),
    (Action::Back, "back", &["esc"], "戻る・検索を消す"),
    (Action::Reload, "reload", &["r"], "今すぐ取得する・読み直す"),
    (
        Action::ToggleWatch,
        "watch",
        &["a"],
        "選んだ病院を監視する・外す",
    ),
    (
        Action::Acknowledge,
        "acknowledge",
        &["x"],
        "警報を確認して消す",
    ),
    (
        Action::SaveView,
        "save_view",
        &["w"],
        "今の表示を既定として保存",
    ),
    (Action::Export, "export", &["e"], "書き出す（CSV・Excel）"),
    (
        Action::StartNear,
        "near",
        &["p"],
        "近くの病院（搬送先候補。起点を入力）",
    ),
    (Action::Help, "help", &["?"], "このキー一覧"),
    (Action::Quit, "quit", &["q"], "終了（確認あり）"),
];

/// The table's moves that also scroll a popup.
pub const SCROLLS: [Action; 6] = [
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Top,
    Action::Bottom,
];

/// The table's actions that also work on the 搬送先候補 screen.
const NEAR_KEYS: [Action; 9] = [
    Action::Open,
    Action::Back,
    Action::ToggleFreeOnly,
    Action::NextSortColumn,
    Action::ReverseSort,
    Action::StartNear,
    Action::Help,
    Action::Quit,
    Action::Reload,
];

/// Keys that cannot be re-bound, by where they work, for `?`: (where, [(keys, what)]).
/// They must match [`KeyMap::action`].
pub const FIXED_KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "病院のページ",
        &[
            ("c", "選んだ電話番号を端末へ送る（OSC 52）"),
            ("Tab / Down / Up", "電話番号を選ぶ"),
            ("Esc / Enter / q", "元の行へ戻る"),
        ],
    ),
    (
        "検索の入力中",
        &[
            ("Enter", "決定"),
            ("Esc", "取り消す"),
            ("Backspace", "1 文字消す"),
        ],
    ),
    (
        "搬送先候補",
        &[
            ("Up Down / j k", "病院を選ぶ（一覧と地図で同じ病院）"),
            ("Enter / Esc", "病院のページ / 病床一覧へ戻る"),
            ("1", "空床ありのみ / すべて（最初は空床ありのみ）"),
            ("m", "地図 / 一覧（広い画面では並べて表示）"),
            ("+ / -", "地図を拡大 / 縮小"),
            ("s / S", "並べ替え: 距離 → 空床 → 経過 / 向きを反転"),
            ("p", "起点を入力し直す"),
        ],
    ),
    (
        "起点の入力",
        &[
            ("Tab", "補完（続けて押すと次の候補）"),
            ("Enter / Esc", "決定 / やめる"),
        ],
    ),
    ("終了の確認", &[("y / n / Esc", "終了する / 続ける")]),
    (
        "このキー一覧",
        &[(
            "Esc / Enter / q / ?",
            "閉じる（一覧の移動キーでスクロール）",
        )],
    ),
    ("どこでも", &[("Ctrl-c", "終了（確認あり）")]),
];

/// A key with its modifiers, as the config file names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl Key {
    fn from_event(event: KeyEvent) -> Self {
        // Shift is part of the character ('G', '?'), not a modifier to match.
        let modifiers = match event.code {
            KeyCode::Char(_) => event.modifiers - KeyModifiers::SHIFT,
            _ => event.modifiers,
        };
        Self {
            code: event.code,
            modifiers,
        }
    }

    /// Reads "q", "G", "ctrl-c", "enter", "pagedown", "f5", "space".
    pub fn parse(text: &str) -> Result<Self, String> {
        let (modifiers, name) = match text.strip_prefix("ctrl-") {
            Some(rest) => (KeyModifiers::CONTROL, rest),
            None => (KeyModifiers::NONE, text),
        };
        let code = match name.to_ascii_lowercase().as_str() {
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("キーの名前が分かりません: {text}")),
            },
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                    _ => return Err(format!("キーの名前が分かりません: {text}")),
                }
            }
        };
        Ok(Self { code, modifiers })
    }

    /// How `?` shows the key.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Up => "Up".to_string(),
            KeyCode::Down => "Down".to_string(),
            KeyCode::Left => "Left".to_string(),
            KeyCode::Right => "Right".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// The table's keys, defaults overridden by the config file.
#[derive(Clone, Debug)]
pub struct KeyMap {
    keys: HashMap<Key, Action>,
    /// Keys of each action in `BINDINGS` order, for the help.
    bound: Vec<(Action, Vec<Key>)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        Self::with_overrides(&BTreeMap::new()).expect("the default keys are valid")
    }
}

impl KeyMap {
    /// The defaults, with the keys of each action named in `overrides`
    /// replaced. An unknown action, a bad key name or a key bound twice is an error.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        for name in overrides.keys() {
            if !BINDINGS.iter().any(|(_, n, _, _)| n == name) {
                let known: Vec<&str> = BINDINGS.iter().map(|(_, n, _, _)| *n).collect();
                return Err(format!(
                    "操作「{name}」はありません（{}）",
                    known.join(", ")
                ));
            }
        }
        let mut keys = HashMap::new();
        let mut bound = Vec::new();
        for (action, name, defaults, _) in BINDINGS {
            let names: Vec<String> = match overrides.get(*name) {
                Some(list) => list.clone(),
                None => defaults.iter().map(|k| k.to_string()).collect(),
            };
            let mut list = Vec::new();
            for key_name in &names {
                let key = Key::parse(key_name).map_err(|e| format!("{name}: {e}"))?;
                if let Some(other) = keys.insert(key, *action) {
                    let other = BINDINGS.iter().find(|b| b.0 == other).map_or("", |b| b.1);
                    return Err(format!(
                        "キー {key_name} が「{other}」と「{name}」の両方に割り当てられています"
                    ));
                }
                list.push(key);
            }
            bound.push((*action, list));
        }
        Ok(Self { keys, bound })
    }

    /// The key map a config asks for; an error names the config's `[keys]` line.
    pub fn for_config(keys: &crate::config::KeyOverrides) -> Result<Self, String> {
        Self::with_overrides(&keys.by_action).map_err(|message| match &keys.place {
            Some(place) => format!("{place}: {message}"),
            None => message,
        })
    }

    pub fn action(&self, event: KeyEvent, mode: Mode) -> Option<Action> {
        use Action::*;
        if event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c') {
            return Some(Quit);
        }
        match mode {
            Mode::ConfirmQuit => match event.code {
                KeyCode::Char('y' | 'Y') => Some(Confirm),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Cancel),
                _ => None,
            },
            // A popup closes on its keys and scrolls with the table's moves.
            Mode::Popup => match event.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => Some(Back),
                _ => self
                    .keys
                    .get(&Key::from_event(event))
                    .copied()
                    .filter(|a| SCROLLS.contains(a)),
            },
            Mode::Search => match event.code {
                KeyCode::Esc => Some(Cancel),
                KeyCode::Enter => Some(Submit),
                KeyCode::Backspace => Some(DeleteChar),
                KeyCode::Char(c) => Some(Input(c)),
                _ => None,
            },
            Mode::Export => Some(DialogKey(event)),
            Mode::Page => match event.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => Some(Back),
                KeyCode::Char('c') => Some(CopyPhone),
                KeyCode::Tab | KeyCode::Down | KeyCode::Up => Some(NextPhone),
                _ => None,
            },
            Mode::NearInput => match event.code {
                KeyCode::Esc => Some(Cancel),
                KeyCode::Enter => Some(Submit),
                KeyCode::Backspace => Some(DeleteChar),
                KeyCode::Tab => Some(Complete),
                KeyCode::Char(c) => Some(Input(c)),
                _ => None,
            },
            Mode::Near => match event.code {
                KeyCode::Char('m') => Some(ToggleMap),
                KeyCode::Char('+' | '=') => Some(ZoomIn),
                KeyCode::Char('-') => Some(ZoomOut),
                _ => self
                    .keys
                    .get(&Key::from_event(event))
                    .copied()
                    .filter(|a| SCROLLS.contains(a) || NEAR_KEYS.contains(a)),
            },
            Mode::Table => self.keys.get(&Key::from_event(event)).copied(),
        }
    }

    /// (keys, description) for every table action, as bound now.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        self.help_entries()
            .into_iter()
            .map(|(_, keys, what)| (keys, what))
            .collect()
    }

    /// [`KeyMap::help`] with the action of each entry.
    pub fn help_entries(&self) -> Vec<(Action, String, &'static str)> {
        self.bound
            .iter()
            .zip(BINDINGS)
            .map(|((action, keys), (_, _, _, what))| {
                let labels: Vec<String> = keys.iter().map(Key::label).collect();
                (*action, labels.join(" / "), *what)
            })
            .collect()
    }

    /// The first key bound to an action, for hints such as 「?:キー一覧」.
    pub fn first_key(&self, action: Action) -> String {
        self.bound
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, keys)| keys.first())
            .map_or_else(|| "-".to_string(), Key::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_key_error_names_its_line() {
        let config = crate::config::parse(
            "[keys]\njump = \"x\"\n",
            std::path::Path::new("config.toml"),
        )
        .unwrap();
        let err = KeyMap::for_config(&config.keys).unwrap_err();
        assert!(
            err.starts_with("config.toml:2: keys: 操作「jump」はありません"),
            "{err}"
        );
        let config = crate::config::parse(
            "[keys]\nhelp = \"F1\"\n",
            std::path::Path::new("config.toml"),
        )
        .unwrap();
        let map = KeyMap::for_config(&config.keys).unwrap();
        assert_eq!(map.first_key(Action::Help), "F1");
    }

    fn press(map: &KeyMap, code: KeyCode, modifiers: KeyModifiers) -> Option<Action> {
        map.action(KeyEvent::new(code, modifiers), Mode::Table)
    }

    #[test]
    fn defaults_and_shifted_characters() {
        let map = KeyMap::default();
        assert_eq!(
            press(&map, KeyCode::Char('j'), KeyModifiers::NONE),
            Some(Action::Down)
        );
        assert_eq!(
            press(&map, KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Action::Bottom)
        );
        assert_eq!(
            press(&map, KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Action::Quit)
        );
        assert_eq!(press(&map, KeyCode::Char('z'), KeyModifiers::NONE), None);
    }

    #[test]
    fn a_popup_scrolls_with_the_tables_moves() {
        let map = KeyMap::default();
        let popup = |code| map.action(KeyEvent::new(code, KeyModifiers::NONE), Mode::Popup);
        assert_eq!(popup(KeyCode::Char('j')), Some(Action::Down));
        assert_eq!(popup(KeyCode::PageDown), Some(Action::PageDown));
        assert_eq!(popup(KeyCode::Char('G')), Some(Action::Bottom));
        assert_eq!(popup(KeyCode::Char('s')), None);
        assert_eq!(popup(KeyCode::Esc), Some(Action::Back));
    }

    #[test]
    fn the_fixed_keys_do_what_the_help_says() {
        let map = KeyMap::default();
        let act = |code, mode| map.action(KeyEvent::new(code, KeyModifiers::NONE), mode);
        assert_eq!(act(KeyCode::Char('c'), Mode::Page), Some(Action::CopyPhone));
        for code in [KeyCode::Tab, KeyCode::Down, KeyCode::Up] {
            assert_eq!(act(code, Mode::Page), Some(Action::NextPhone));
        }
        for code in [KeyCode::Esc, KeyCode::Enter, KeyCode::Char('q')] {
            assert_eq!(act(code, Mode::Page), Some(Action::Back));
        }
        assert_eq!(
            act(KeyCode::Backspace, Mode::Search),
            Some(Action::DeleteChar)
        );
        assert_eq!(act(KeyCode::Esc, Mode::ConfirmQuit), Some(Action::Cancel));
        assert_eq!(act(KeyCode::Char('?'), Mode::Popup), Some(Action::Back));
        let place = |name: &str| FIXED_KEYS.iter().any(|(p, _)| *p == name);
        assert!(place("病院のページ") && place("検索の入力中") && place("終了の確認"));
    }

    #[test]
    fn overrides_replace_an_actions_keys() {
        let overrides = BTreeMap::from([(
            "quit".to_string(),
            vec!["ctrl-q".to_string(), "F10".to_string()],
        )]);
        let map = KeyMap::with_overrides(&overrides).unwrap();
        assert_eq!(press(&map, KeyCode::Char('q'), KeyModifiers::NONE), None);
        assert_eq!(
            press(&map, KeyCode::Char('q'), KeyModifiers::CONTROL),
            Some(Action::Quit)
        );
        assert_eq!(
            press(&map, KeyCode::F(10), KeyModifiers::NONE),
            Some(Action::Quit)
        );
        assert!(map.help().iter().any(|(keys, _)| keys == "Ctrl-q / F10"));
        assert_eq!(map.first_key(Action::Quit), "Ctrl-q");
    }

    #[test]
    fn bad_overrides_are_errors_that_name_them() {
        let bad = |action: &str, key: &str| {
            KeyMap::with_overrides(&BTreeMap::from([(
                action.to_string(),
                vec![key.to_string()],
            )]))
            .unwrap_err()
        };
        assert!(bad("jump", "x").contains("操作「jump」はありません"));
        assert!(bad("quit", "hyper-x").contains("quit: キーの名前が分かりません: hyper-x"));
        assert!(bad("quit", "j").contains("「down」と「quit」"));
    }
}

//! clap's words in Japanese: its errors, told from their kind and context,
//! and the headings and fixed phrases of its help.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// Why the command line cannot be used, in Japanese, with the usage line.
pub fn error_text(err: &clap::Error) -> String {
    let mut lines = vec![first_line(err)];
    if let Some(suggestion) = suggestion(err) {
        lines.push(format!("  {suggestion} のことですか？"));
    }
    if let Some(usage) = context(err, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        lines.push(String::new());
        lines.push(help_text(&format!("使い方: {usage}")));
    }
    lines.push(String::new());
    lines.push("詳しくは --help を付けて実行してください。".to_string());
    lines.join("\n")
}

fn first_line(err: &clap::Error) -> String {
    let arg = context(err, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(err, ContextKind::InvalidValue).unwrap_or_default();
    match err.kind() {
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} に値を指定してください"),
        ErrorKind::InvalidValue => {
            let valid = context(err, ContextKind::ValidValue)
                .map(|v| format!("。使える値: {v}"))
                .unwrap_or_default();
            format!("{arg} の値「{value}」は使えません{valid}")
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(err)
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!("{arg} の値「{value}」は使えません{reason}")
        }
        ErrorKind::UnknownArgument => format!("知らないオプションです: {arg}"),
        ErrorKind::InvalidSubcommand => {
            let name = context(err, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("知らないコマンドです: {name}")
        }
        ErrorKind::NoEquals => format!("{arg} には = に続けて値を書いてください"),
        ErrorKind::TooManyValues => format!("{arg} の値が多すぎます: {value}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} の値の数が違います")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(err, ContextKind::PriorArg).unwrap_or_default();
            format!("{arg} と {prior} は一緒に使えません")
        }
        ErrorKind::MissingRequiredArgument => format!("必要なオプションがありません: {arg}"),
        ErrorKind::MissingSubcommand => "コマンドを指定してください".to_string(),
        ErrorKind::InvalidUtf8 => "UTF-8 として読めない引数があります".to_string(),
        _ => "コマンドラインを読めません".to_string(),
    }
}

fn suggestion(err: &clap::Error) -> Option<String> {
    [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .find_map(|kind| context(err, kind))
}

/// A context value as one line: lists joined with 「・」.
fn context(err: &clap::Error, kind: ContextKind) -> Option<String> {
    let text = match err.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join("・"),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("・"),
        ContextValue::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(text)
}

/// clap's fixed help phrases and their Japanese, longest first where one
/// contains another.
const HELP_PHRASES: &[(&str, &str)] = &[
    (
        "Print this message or the help of the given subcommand(s)",
        "このヘルプか、指定したコマンドのヘルプを表示する",
    ),
    (
        "Print help (see a summary with '-h')",
        "ヘルプを表示する（-h で要約）",
    ),
    (
        "Print help (see more with '--help')",
        "ヘルプを表示する（--help で詳しく）",
    ),
    ("Print help", "ヘルプを表示する"),
    ("Print version", "バージョンを表示する"),
    ("Usage:", "使い方:"),
    ("Commands:", "コマンド:"),
    ("Options:", "オプション:"),
    ("Arguments:", "引数:"),
    ("Possible values:", "使える値:"),
    ("[possible values: ", "[使える値: "),
    ("[default: ", "[既定: "),
    ("[env: ", "[環境変数: "),
    ("[aliases: ", "[別名: "),
    ("[OPTIONS]", "[オプション]"),
    ("[COMMAND]", "[コマンド]"),
    ("<COMMAND>", "<コマンド>"),
];

/// Help as clap wrote it, with its own words in Japanese.
pub fn help_text(help: &str) -> String {
    HELP_PHRASES
        .iter()
        .fold(help.to_string(), |text, (english, japanese)| {
            text.replace(english, japanese)
        })
}

/// A whole number from `min` to `max`, refused with the range in Japanese
/// (clap's own range check says 「5 is not in 10..18446744073709551615」).
pub fn whole_number<T: TryFrom<u64>>(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text| {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| range_text(min, max))
    }
}

/// A whole number of at least `min` that the type holds.
pub fn at_least<T: TryFrom<u64>>(
    min: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    whole_number(min, u64::MAX)
}

fn range_text(min: u64, max: u64) -> String {
    if max == u64::MAX {
        format!("{min} 以上の整数を指定してください")
    } else {
        format!("{min} から {max} までの整数を指定してください")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_said_in_japanese() {
        let interval = at_least::<u64>(10);
        assert_eq!(interval("60"), Ok(60));
        assert_eq!(
            interval("5").unwrap_err(),
            "10 以上の整数を指定してください"
        );
        assert_eq!(
            interval("-1").unwrap_err(),
            "10 以上の整数を指定してください"
        );
        let width = whole_number::<u8>(1, 2);
        assert_eq!(width("2"), Ok(2));
        assert_eq!(
            width("3").unwrap_err(),
            "1 から 2 までの整数を指定してください"
        );
        // Within the range but not within the type.
        let small = whole_number::<u8>(1, 1000);
        assert!(small("300").is_err());
    }

    #[test]
    fn help_headings_are_japanese() {
        let help =
            "Usage: bedboard [OPTIONS]\n\nOptions:\n  -h, --help  Print help\n  [default: none]\n";
        assert_eq!(
            help_text(help),
            "使い方: bedboard [オプション]\n\nオプション:\n  -h, --help  ヘルプを表示する\n  [既定: none]\n"
        );
    }
}

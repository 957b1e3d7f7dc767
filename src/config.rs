//! The config file: display options, the saved default view, and key bindings.
//! Unknown keys and bad values are errors that name the key and the line.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use std::time::Duration;

use crate::formats::{EncodingChoice, FeedFormat};
use crate::master::OperatorProfile;
use crate::model::PrefectureNumber;
use crate::source::http::Auth;
use crate::text::charset::CharsetChoice;
use crate::text::names::Named;
use crate::text::width::AmbiguousWidth;
use crate::view::{Grouping, SortKey};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    display: RawDisplay,
    view: RawView,
    keys: BTreeMap<String, Spanned<KeyList>>,
    watch: RawWatch,
    feed: RawFeed,
    scope: RawScope,
    store: RawStore,
    export: RawExport,
    master: RawMaster,
    profile: Option<Spanned<OperatorProfile>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawMaster {
    hospitals: Option<String>,
    municipalities: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawExport {
    folder: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawFeed {
    source: Option<String>,
    format: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    interval_secs: Option<Spanned<i64>>,
    timeout_secs: Option<Spanned<i64>>,
    max_mib: Option<Spanned<i64>>,
    extra_ca: Option<PathBuf>,
    /// `[feed.auth]`: `kind` picks the fields that must be there.
    auth: Option<Spanned<Auth>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawScope {
    prefecture: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStore {
    path: Option<PathBuf>,
    retention_days: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawWatch {
    hospitals: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDisplay {
    ambiguous_width: Option<Spanned<String>>,
    terminal_encoding: Option<Spanned<String>>,
    ascii: Option<bool>,
    no_color: Option<bool>,
    theme: Option<Spanned<String>>,
    stale_hours: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawView {
    sort: Option<Spanned<String>>,
    group: Option<Spanned<String>>,
    filter: Option<String>,
    free_only: Option<bool>,
    stale_only: Option<bool>,
    flagged_only: Option<bool>,
    chart: Option<bool>,
}

/// One key or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

/// How wide ambiguous characters are: fixed, or asked of the terminal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AmbiguousChoice {
    Fixed(AmbiguousWidth),
    #[default]
    Auto,
}

impl AmbiguousChoice {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "1" | "narrow" => Ok(Self::Fixed(AmbiguousWidth::Narrow)),
            "2" | "wide" => Ok(Self::Fixed(AmbiguousWidth::Wide)),
            "auto" => Ok(Self::Auto),
            other => Err(format!(
                "narrow・wide・auto（または 1・2）のいずれかです: {other}"
            )),
        }
    }
}

/// The default view saved with `w` and restored at start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavedView {
    pub sort: Option<SortKey>,
    pub group: Grouping,
    /// Search text applied as a filter.
    pub filter: String,
    pub free_only: bool,
    pub stale_only: bool,
    pub flagged_only: bool,
    pub chart: bool,
    /// 医療機関コード of the watched hospitals (`[watch] hospitals`).
    pub watch: Vec<String>,
}

/// `[feed]`: where data comes from and how it is fetched.
#[derive(Clone, Debug)]
pub struct FeedConfig {
    /// A URL, a file or a folder; none means the built-in demo feed.
    pub source: Option<String>,
    pub format: FeedFormat,
    pub encoding: EncodingChoice,
    pub interval: Duration,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub extra_ca: Option<PathBuf>,
    pub auth: Auth,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            source: None,
            format: FeedFormat::Auto,
            encoding: EncodingChoice::Auto,
            interval: DEFAULT_INTERVAL,
            timeout: crate::source::http::DEFAULT_TIMEOUT,
            max_bytes: crate::source::http::DEFAULT_MAX_BYTES,
            extra_ca: None,
            auth: Auth::None,
        }
    }
}

/// Polls come every minute by default, and never more often than every 10 s
/// ([`INTERVAL_SECS`]).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
pub const DEFAULT_RETENTION_DAYS: u32 = 400;

/// The allowed values of every number in the config. Beyond them a value is a typo, and
/// it would overflow a time (a lease already expired, a next poll in another century).
pub const INTERVAL_SECS: RangeInclusive<i64> = 10..=86_400;
pub const TIMEOUT_SECS: RangeInclusive<i64> = 1..=600;
pub const MAX_MIB: RangeInclusive<i64> = 1..=1024;
pub const RETENTION_DAYS: RangeInclusive<i64> = 1..=3650;
pub const STALE_HOURS: RangeInclusive<i64> = 1..=720;

/// A checked config.
#[derive(Clone, Debug)]
pub struct Config {
    pub feed: FeedConfig,
    /// Only this prefecture's rows are shown and stored.
    pub prefecture: Option<PrefectureNumber>,
    pub store_path: Option<PathBuf>,
    pub retention_days: u32,
    /// Where the export dialog proposes files (`[export] folder`).
    pub export_folder: Option<PathBuf>,
    /// 医療機関マスタ and 自治体マスタ (`[master]`): a path or a URL.
    pub hospital_master: Option<String>,
    pub municipality_master: Option<String>,
    /// The operator profile (`[profile]`), checked.
    pub profile: Option<OperatorProfile>,
    /// The file it came from, or where `w` saves when there was none.
    pub path: Option<PathBuf>,
    pub ambiguous_width: Option<AmbiguousChoice>,
    /// `[display] terminal_encoding`: the terminal's character set, or `auto` (the locale's).
    pub terminal_encoding: Option<CharsetChoice>,
    pub ascii: bool,
    pub no_color: bool,
    pub theme: Option<ThemeKind>,
    pub stale_hours: Option<u32>,
    pub view: SavedView,
    /// `[keys]` as written; the dashboard builds its key map from it.
    pub keys: KeyOverrides,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            feed: FeedConfig::default(),
            prefecture: None,
            store_path: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            export_folder: None,
            hospital_master: None,
            municipality_master: None,
            profile: None,
            path: None,
            ambiguous_width: None,
            terminal_encoding: None,
            ascii: false,
            no_color: false,
            theme: None,
            stale_hours: None,
            view: SavedView {
                chart: true,
                ..SavedView::default()
            },
            keys: KeyOverrides::default(),
        }
    }
}

/// Which palette the dashboard draws with (`[display] theme`, `--theme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeKind {
    /// 256 colours, readable on a dark console
    #[default]
    Default,
    /// The 16 basic colours only
    Basic,
    /// High contrast for a wall display
    HighContrast,
    /// No colour at all (NO_COLOR): bold and reverse only
    Mono,
}

crate::text::names::named!(ThemeKind {
    Default => "default",
    Basic => "basic",
    HighContrast => "high-contrast",
    Mono => "mono",
});

/// `[keys]` as written: action names and the keys for each. The UI checks
/// them when it builds its key map, naming `place` in its message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyOverrides {
    pub by_action: BTreeMap<String, Vec<String>>,
    /// `file:line: keys`, where the section starts.
    pub place: Option<String>,
}

/// Why the config could not be read, checked or saved: the file, and where
/// known the line and the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub kind: ConfigErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The file could not be read (the reason as the files layer words it).
    Unreadable(String),
    /// Not TOML, an unknown key or a value of the wrong type.
    Syntax(String),
    /// A value of the right type that is not allowed.
    Invalid { key: String, message: String },
    /// Saving failed at `step` (読み込み, 書き込み, …).
    Unsaved { step: &'static str, detail: String },
}

impl ConfigError {
    /// The key the error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match &self.kind {
            ConfigErrorKind::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }

    /// `file:line`, or the file alone when there is no line.
    fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.display();
        match &self.kind {
            ConfigErrorKind::Unreadable(reason) => {
                write!(f, "設定ファイル {file} を読めません（{reason}）")
            }
            ConfigErrorKind::Syntax(message) => {
                write!(f, "{}: 設定ファイルの誤り: {message}", self.place())
            }
            ConfigErrorKind::Invalid { key, message } => {
                write!(f, "{}: {key}: {message}", self.place())
            }
            ConfigErrorKind::Unsaved { step, detail } => {
                write!(f, "{file} に保存できません（{step}: {detail}）")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Where the config is looked for: `--config`, then `$BEDBOARD_CONFIG`, then
/// the user's config directory. The first two must exist; the last may not.
pub fn locate(flag: Option<&Path>) -> (PathBuf, bool) {
    if let Some(path) = flag {
        return (path.to_path_buf(), true);
    }
    if let Some(path) = std::env::var_os("BEDBOARD_CONFIG").filter(|p| !p.is_empty()) {
        return (PathBuf::from(path), true);
    }
    (user_config_path(), false)
}

/// `$XDG_CONFIG_HOME/bedboard/config.toml`, else `~/.config/bedboard/config.toml`.
pub fn user_config_path() -> PathBuf {
    user_dir("XDG_CONFIG_HOME", ".config").join("config.toml")
}

/// bedboard's folder under an XDG base directory: `$variable/bedboard`, else
/// `~/{under_home}/bedboard`, else `./bedboard` when there is no home either.
pub fn user_dir(variable: &str, under_home: &str) -> PathBuf {
    std::env::var_os(variable)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(under_home)))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("bedboard")
}

/// Loads the config the flag, the environment or the user's directory names.
pub fn load(flag: Option<&Path>) -> Result<Config, ConfigError> {
    let (path, required) = locate(flag);
    match crate::files::read::read_text(&path, crate::files::read::CONFIG_MAX_BYTES) {
        Ok(text) => parse(&text, &path),
        Err(err) if err.is_not_found() && !required => Ok(Config {
            path: Some(path),
            ..Config::default()
        }),
        Err(err) => Err(ConfigError {
            file: path,
            line: None,
            kind: ConfigErrorKind::Unreadable(err.reason()),
        }),
    }
}

/// Parses and checks config text; `path` is for messages.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let at =
        |span: std::ops::Range<usize>| format!("{}:{}", path.display(), line_of(text, span.start));
    let raw: RawConfig = toml::from_str(text).map_err(|err| ConfigError {
        file: path.to_path_buf(),
        line: err.span().map(|span| line_of(text, span.start)),
        kind: ConfigErrorKind::Syntax(err.message().trim().to_string()),
    })?;
    let check = |span: std::ops::Range<usize>, key: &str, message: String| ConfigError {
        file: path.to_path_buf(),
        line: Some(line_of(text, span.start)),
        kind: ConfigErrorKind::Invalid {
            key: key.to_string(),
            message,
        },
    };

    let ambiguous_width = match raw.display.ambiguous_width {
        Some(v) => Some(
            AmbiguousChoice::parse(v.get_ref())
                .map_err(|e| check(v.span(), "display.ambiguous_width", e))?,
        ),
        None => None,
    };
    let terminal_encoding = match raw.display.terminal_encoding {
        Some(v) => Some(named(&v, "display.terminal_encoding", &check)?),
        None => None,
    };
    let theme = match raw.display.theme {
        Some(v) => Some(named(&v, "display.theme", &check)?),
        None => None,
    };
    let stale_hours = match raw.display.stale_hours {
        Some(v) => Some(in_range(&v, "display.stale_hours", STALE_HOURS, &check)? as u32),
        None => None,
    };
    let sort = match raw.view.sort {
        Some(v) => Some(SortKey::parse(v.get_ref()).map_err(|e| check(v.span(), "view.sort", e))?),
        None => None,
    };
    let group = match raw.view.group {
        Some(v) => named(&v, "view.group", &check)?,
        None => Grouping::None,
    };
    let mut overrides = BTreeMap::new();
    let mut first_key_span = None;
    for (action, keys) in &raw.keys {
        first_key_span.get_or_insert(keys.span());
        let list = match keys.get_ref() {
            KeyList::One(key) => vec![key.clone()],
            KeyList::Many(keys) => keys.clone(),
        };
        overrides.insert(action.clone(), list);
    }
    let mut watch = Vec::new();
    for code in &raw.watch.hospitals {
        let parsed = crate::model::HospitalCode::parse(code.get_ref())
            .map_err(|e| check(code.span(), "watch.hospitals", e.to_string()))?;
        watch.push(parsed.to_string());
    }
    let keys = KeyOverrides {
        by_action: overrides,
        place: first_key_span.map(|span| format!("{}: keys", at(span))),
    };

    let feed = feed_config(raw.feed, &check)?;
    let profile = match raw.profile {
        Some(v) => {
            let span = v.span();
            let profile = v.into_inner();
            profile
                .validate()
                .map_err(|problems| check(span, "profile", problems.join("／")))?;
            Some(profile)
        }
        None => None,
    };
    let prefecture = match raw.scope.prefecture {
        Some(v) => {
            let text = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => format!("{n:02}"),
                other => other.to_string(),
            };
            Some(PrefectureNumber::find(&text).ok_or_else(|| {
                check(
                    v.span(),
                    "scope.prefecture",
                    format!("都道府県名か番号（01〜47）です: {text}"),
                )
            })?)
        }
        None => None,
    };
    let retention_days = match raw.store.retention_days {
        Some(v) => in_range(&v, "store.retention_days", RETENTION_DAYS, &check)? as u32,
        None => DEFAULT_RETENTION_DAYS,
    };

    Ok(Config {
        feed,
        prefecture,
        store_path: raw.store.path,
        retention_days,
        export_folder: raw.export.folder,
        hospital_master: raw.master.hospitals,
        municipality_master: raw.master.municipalities,
        profile,
        path: Some(path.to_path_buf()),
        ambiguous_width,
        terminal_encoding,
        ascii: raw.display.ascii.unwrap_or(false),
        no_color: raw.display.no_color.unwrap_or(false),
        theme,
        stale_hours,
        view: SavedView {
            sort,
            group,
            filter: raw.view.filter.unwrap_or_default(),
            free_only: raw.view.free_only.unwrap_or(false),
            stale_only: raw.view.stale_only.unwrap_or(false),
            flagged_only: raw.view.flagged_only.unwrap_or(false),
            chart: raw.view.chart.unwrap_or(true),
            watch,
        },
        keys,
    })
}

type Check<'a> = dyn Fn(std::ops::Range<usize>, &str, String) -> ConfigError + 'a;

/// One of a closed set of names, in any case; the message lists them all.
fn named<T: Named>(value: &Spanned<String>, key: &str, check: &Check) -> Result<T, ConfigError> {
    T::from_name(value.get_ref()).ok_or_else(|| {
        check(
            value.span(),
            key,
            format!("{} のいずれかです: {}", T::choices(), value.get_ref()),
        )
    })
}

/// A whole number within `range`; the message gives the range.
fn in_range(
    value: &Spanned<i64>,
    key: &str,
    range: RangeInclusive<i64>,
    check: &Check,
) -> Result<u64, ConfigError> {
    let number = *value.get_ref();
    match u64::try_from(number) {
        Ok(within) if range.contains(&number) => Ok(within),
        _ => Err(check(
            value.span(),
            key,
            format!(
                "{} 以上 {} 以下の整数を指定してください",
                range.start(),
                range.end()
            ),
        )),
    }
}

fn feed_config(raw: RawFeed, check: &Check) -> Result<FeedConfig, ConfigError> {
    let defaults = FeedConfig::default();
    let format = match raw.format {
        Some(v) => named(&v, "feed.format", check)?,
        None => defaults.format,
    };
    let encoding = match raw.encoding {
        Some(v) => named(&v, "feed.encoding", check)?,
        None => defaults.encoding,
    };
    let interval = match raw.interval_secs {
        Some(v) => Duration::from_secs(in_range(&v, "feed.interval_secs", INTERVAL_SECS, check)?),
        None => defaults.interval,
    };
    let timeout = match raw.timeout_secs {
        Some(v) => Duration::from_secs(in_range(&v, "feed.timeout_secs", TIMEOUT_SECS, check)?),
        None => defaults.timeout,
    };
    let max_bytes = match raw.max_mib {
        Some(v) => in_range(&v, "feed.max_mib", MAX_MIB, check)? * 1024 * 1024,
        None => defaults.max_bytes,
    };
    let auth = raw.auth.map_or(Auth::None, Spanned::into_inner);
    Ok(FeedConfig {
        source: raw.source.filter(|s| !s.trim().is_empty()),
        format,
        encoding,
        interval,
        timeout,
        max_bytes,
        extra_ca: raw.extra_ca,
        auth,
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Writes `view` as the `[view]` table of the config file, keeping every
/// other line and comment; the file is replaced in one step, never half-written.
pub fn save_view(path: &Path, view: &SavedView) -> Result<(), ConfigError> {
    let fail = |step: &'static str, err: &dyn std::fmt::Display| ConfigError {
        file: path.to_path_buf(),
        line: None,
        kind: ConfigErrorKind::Unsaved {
            step,
            detail: err.to_string(),
        },
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(fail("読み込み", &crate::files::io_error_text(&err))),
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| fail("設定ファイルの誤り", &e))?;
    let mut table = toml_edit::Table::new();
    if let Some(sort) = view.sort {
        let direction = match sort.direction {
            crate::view::SortDirection::Ascending => "asc",
            crate::view::SortDirection::Descending => "desc",
        };
        table["sort"] = toml_edit::value(format!("{}:{direction}", sort.column.name()));
    }
    table["group"] = toml_edit::value(view.group.name());
    table["filter"] = toml_edit::value(view.filter.clone());
    table["free_only"] = toml_edit::value(view.free_only);
    table["stale_only"] = toml_edit::value(view.stale_only);
    table["flagged_only"] = toml_edit::value(view.flagged_only);
    table["chart"] = toml_edit::value(view.chart);
    doc["view"] = toml_edit::Item::Table(table);
    let mut watch = toml_edit::Table::new();
    watch["hospitals"] = toml_edit::value(view.watch.iter().collect::<toml_edit::Array>());
    doc["watch"] = toml_edit::Item::Table(watch);

    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| fail("フォルダ作成", &crate::files::io_error_text(&e)))?;
    let temp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config.toml")
    ));
    std::fs::write(&temp, doc.to_string())
        .map_err(|e| fail("書き込み", &crate::files::io_error_text(&e)))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail("置き換え", &crate::files::io_error_text(&e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Column;
    use crate::view::SortDirection;

    fn parse_str(text: &str) -> Result<Config, String> {
        parse(text, Path::new("config.toml")).map_err(|e| e.to_string())
    }

    /// Each text fails with exactly its message.
    fn assert_errors(cases: &[(&str, &str)]) {
        for (text, message) in cases {
            assert_eq!(parse_str(text).unwrap_err(), *message, "{text}");
        }
    }

    #[test]
    fn the_example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let config = load(Some(&path)).unwrap();
        assert_eq!(config.ambiguous_width, Some(AmbiguousChoice::Auto));
        assert_eq!(config.stale_hours, Some(24));
    }

    #[test]
    fn feed_scope_and_store() {
        let config = parse_str(
            "[feed]\nsource = \"https://x.example/r.csv\"\nformat = \"report\"\ninterval_secs = 30\n\
             [feed.auth]\nkind = \"basic\"\nusername = \"u\"\npassword = { env = \"PW\" }\n\
             [scope]\nprefecture = 13\n[store]\npath = \"/tmp/h.sqlite3\"\nretention_days = 30\n",
        )
        .unwrap();
        assert_eq!(
            config.feed.source.as_deref(),
            Some("https://x.example/r.csv")
        );
        assert_eq!(config.feed.format, FeedFormat::Report);
        assert_eq!(config.feed.interval, Duration::from_secs(30));
        assert!(matches!(config.feed.auth, Auth::Basic { ref username, .. } if username == "u"));
        assert_eq!(config.prefecture.unwrap().name(), "東京都");
        assert_eq!(config.retention_days, 30);
        let by_name = parse_str("[scope]\nprefecture = \"神奈川\"\n").unwrap();
        assert_eq!(by_name.prefecture.unwrap().get(), 14);
        let err = parse_str("[scope]\nprefecture = \"東京府\"\n").unwrap_err();
        assert!(err.starts_with("config.toml:2: scope.prefecture:"), "{err}");
        let err = parse_str("[feed.auth]\nkind = \"basic\"\nusername = \"u\"\n").unwrap_err();
        assert!(err.contains("password"), "a missing field is named: {err}");
    }

    #[test]
    fn every_number_has_a_range_named_in_its_message() {
        let cases = [
            ("feed", "interval_secs", INTERVAL_SECS),
            ("feed", "timeout_secs", TIMEOUT_SECS),
            ("feed", "max_mib", MAX_MIB),
            ("store", "retention_days", RETENTION_DAYS),
            ("display", "stale_hours", STALE_HOURS),
        ];
        for (section, key, range) in cases {
            let (low, high) = (*range.start(), *range.end());
            let message = format!(
                "config.toml:3: {section}.{key}: {low} 以上 {high} 以下の整数を指定してください"
            );
            for bad in [low - 1, high + 1, -1, 1_000_000_000_000_000_000] {
                let text = format!("[{section}]\n\n{key} = {bad}\n");
                assert_eq!(parse_str(&text).unwrap_err(), message, "{text}");
            }
            for good in [low, high] {
                let text = format!("[{section}]\n{key} = {good}\n");
                assert!(parse_str(&text).is_ok(), "{text}");
            }
        }
        let widest = parse_str(
            "[feed]\ninterval_secs = 86400\ntimeout_secs = 600\nmax_mib = 1024\n\
             [store]\nretention_days = 3650\n[display]\nstale_hours = 720\n",
        )
        .unwrap();
        assert_eq!(widest.feed.interval, Duration::from_secs(86_400));
        assert_eq!(widest.feed.timeout, Duration::from_secs(600));
        assert_eq!(widest.feed.max_bytes, 1024 * 1024 * 1024);
        assert_eq!(widest.retention_days, 3650);
        assert_eq!(widest.stale_hours, Some(720));
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = parse_str("").unwrap();
        assert_eq!(config.ambiguous_width, None);
        assert!(config.view.chart);
        assert_eq!(config.view.sort, None);
    }

    #[test]
    fn every_section_reads() {
        let config = parse_str(
            "[display]\nambiguous_width = \"wide\"\nascii = true\ntheme = \"high-contrast\"\nstale_hours = 6\n\
             [view]\nsort = \"空床:desc\"\ngroup = \"area\"\nfree_only = true\nchart = false\n\
             [keys]\nquit = [\"ctrl-q\"]\nhelp = \"F1\"\n",
        )
        .unwrap();
        assert_eq!(
            config.ambiguous_width,
            Some(AmbiguousChoice::Fixed(AmbiguousWidth::Wide))
        );
        assert!(config.ascii);
        assert_eq!(config.theme, Some(ThemeKind::HighContrast));
        assert_eq!(config.stale_hours, Some(6));
        assert_eq!(
            config.view.sort,
            Some(SortKey {
                column: Column::Free,
                direction: SortDirection::Descending
            })
        );
        assert_eq!(config.view.group, Grouping::Area);
        assert!(config.view.free_only && !config.view.chart);
        assert_eq!(config.keys.by_action["help"], ["F1"]);
    }

    #[test]
    fn errors_name_the_key_and_the_line() {
        let err = parse_str("[display]\nascii = true\ncolour = 3\n").unwrap_err();
        assert!(
            err.starts_with("config.toml:3: 設定ファイルの誤り"),
            "{err}"
        );
        assert!(err.contains("colour"), "{err}");
        let err = parse_str("[view]\n\nsort = \"beds\"\n").unwrap_err();
        assert_eq!(err, "config.toml:3: view.sort: 列「beds」はありません");
        let typed = parse("[view]\n\nsort = \"beds\"\n", Path::new("config.toml")).unwrap_err();
        assert_eq!(
            (typed.line, typed.key(), typed.file.as_path()),
            (Some(3), Some("view.sort"), Path::new("config.toml"))
        );
        assert_errors(&[
            (
                "[display]\ntheme = \"neon\"\n",
                "config.toml:2: display.theme: default・basic・high-contrast・mono のいずれかです: neon",
            ),
            (
                "[view]\ngroup = \"city\"\n",
                "config.toml:2: view.group: none・prefecture・area・municipality のいずれかです: city",
            ),
            (
                "[feed]\nencoding = \"latin1\"\nformat = \"CSV\"\n",
                "config.toml:2: feed.encoding: auto・sjis・utf8 のいずれかです: latin1",
            ),
        ]);
        let any_case =
            parse_str("[display]\ntheme = \"HIGH-CONTRAST\"\n[feed]\nformat = \"Report\"\n")
                .unwrap();
        assert_eq!(any_case.theme, Some(ThemeKind::HighContrast));
        assert_eq!(any_case.feed.format, FeedFormat::Report);
        let sjis = parse_str("[display]\nterminal_encoding = \"SJIS\"\n").unwrap();
        assert_eq!(sjis.terminal_encoding, Some(CharsetChoice::Sjis));
        let err = parse_str("[display]\nterminal_encoding = \"latin1\"\n").unwrap_err();
        assert!(
            err.contains(
                "display.terminal_encoding: auto・utf8・sjis・eucjp のいずれかです: latin1"
            ),
            "{err}"
        );
        let err = parse_str("[display]\nambiguous_width = \"3\"\n").unwrap_err();
        assert!(
            err.starts_with("config.toml:2: display.ambiguous_width:"),
            "{err}"
        );
        let err = parse_str("[display]\nstale_hours = \"x\"\n").unwrap_err();
        assert!(
            err.starts_with("config.toml:2: 設定ファイルの誤り"),
            "{err}"
        );
        let err = parse_str("[watch]\nhospitals = [\"1310170043\",\n  \"131017\"]\n").unwrap_err();
        assert!(
            err.starts_with("config.toml:3: watch.hospitals: 10桁の数字ではありません"),
            "{err}"
        );
    }

    #[test]
    fn saving_the_view_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "# 指令センター用\n[display]\nascii = true # 罫線\n\n[view]\ngroup = \"none\"\n",
        )
        .unwrap();
        let view = SavedView {
            sort: Some(SortKey {
                column: Column::Free,
                direction: SortDirection::Descending,
            }),
            group: Grouping::Municipality,
            filter: "中央".into(),
            free_only: true,
            chart: false,
            watch: vec!["1310170043".into()],
            ..SavedView::default()
        };
        save_view(&path, &view).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# 指令センター用\n[display]\nascii = true # 罫線\n"),
            "{text}"
        );
        let config = parse(&text, &path).unwrap();
        assert_eq!(config.view, view);
        assert!(config.ascii);
    }

    #[test]
    fn saving_into_a_missing_folder_creates_it_and_a_read_only_one_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("config.toml");
        save_view(&path, &SavedView::default()).unwrap();
        assert!(path.exists());
        let blocked = dir.path().join("file-not-folder");
        std::fs::write(&blocked, "").unwrap();
        let err = save_view(&blocked.join("config.toml"), &SavedView::default()).unwrap_err();
        assert!(
            matches!(err.kind, ConfigErrorKind::Unsaved { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("に保存できません"), "{err}");
    }
}

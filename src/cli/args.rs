//! What each subcommand takes: the clap types live here and nowhere below the CLI.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use super::clap_text::{at_least, whole_number};
use crate::config::AmbiguousChoice;
use crate::export::{ExportEncoding, ExportView};
use crate::formats::{EncodingChoice, FeedFormat};
use crate::model::PrefectureNumber;
use crate::model::{column, time, JstDateTime};
use crate::text::charset::CharsetChoice;
use crate::text::width::AmbiguousWidth;
use crate::text::Named;
use crate::ui::plain::PlainOptions;
use crate::ui::theme::ThemeKind;
use crate::view::{Grouping, SearchQuery, SortDirection, SortKey, ViewSpec};

/// A value given by its [`Named`] name: the names are the possible values
/// that help and clap's errors list.
pub fn named<T: Named + Send + Sync>() -> impl TypedValueParser<Value = T> {
    parser_of::<T>(T::names().map(PossibleValue::new))
}

/// [`named`], with each value's Japanese label as its help.
pub fn described<T: Named + Send + Sync>(
    label: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    parser_of::<T>(
        T::ALL
            .iter()
            .map(move |&(value, name)| PossibleValue::new(name).help(label(value))),
    )
}

fn parser_of<T: Named + Send + Sync>(
    values: impl Iterator<Item = PossibleValue>,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(values)
        .try_map(|name| T::from_name(&name).ok_or("not one of the possible values"))
}

#[derive(Debug, Parser)]
#[command(
    name = "bedboard",
    version,
    about = "病床ダッシュボード — G-MIS「地域病床見える化」の病床報告を端末に表示します"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// The full-screen dashboard (no subcommand).
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// 取得元: URL（http/https）、G-MIS「詳細のみ」のファイル、またはドロップフォルダ。
    /// 省略時は設定ファイルの [feed] source、それもなければ内蔵のデモ用フィード
    #[arg(long, value_name = "URL|FILE|DIR")]
    pub source: Option<String>,

    #[command(flatten)]
    pub config: ConfigFlag,

    /// 取得の間隔（秒、10 以上。既定 60）
    #[arg(long, value_name = "SECS", value_parser = at_least::<u64>(10))]
    pub interval: Option<u64>,

    /// 履歴ファイル（SQLite）。既定は URL とフォルダなら ~/.local/share/bedboard/history.sqlite3
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// この都道府県の行だけを表示・保存する（名前か番号）
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_prefecture)]
    pub prefecture: Option<PrefectureNumber>,

    /// 取得するデータの形式
    #[arg(long, value_parser = described(FeedFormat::label))]
    pub format: Option<FeedFormat>,

    /// 医療機関マスタ（CSV のパスか URL）
    #[arg(long, value_name = "PATH|URL")]
    pub master: Option<String>,

    /// 自治体マスタ（CSV のパスか URL）
    #[arg(long, value_name = "PATH|URL")]
    pub municipalities: Option<String>,

    /// 曖昧幅文字の幅: narrow（1）| wide（2）| auto（端末に問い合わせる。既定）
    #[arg(long, value_name = "narrow|wide|auto", env = "BEDBOARD_AMBIGUOUS_WIDTH", value_parser = AmbiguousChoice::parse)]
    pub ambiguous_width: Option<AmbiguousChoice>,

    /// 端末の文字コード: auto（ロケールから。既定）| utf8 | sjis | eucjp
    #[arg(long, env = super::error::TERMINAL_ENCODING_VAR, value_parser = named::<CharsetChoice>())]
    pub terminal_encoding: Option<CharsetChoice>,

    /// 罫線を ASCII で描く
    #[arg(long)]
    pub ascii: bool,

    /// 色を使わない（環境変数 NO_COLOR でも同じ）
    #[arg(long)]
    pub no_color: bool,

    /// 配色（既定: 256 色の端末なら default、それ以外は basic）
    #[arg(long, value_parser = named::<ThemeKind>())]
    pub theme: Option<ThemeKind>,

    /// この時間（時間単位）より古い報告を「古い」とする（既定 24）
    #[arg(long, value_name = "HOURS", value_parser = at_least::<u32>(1))]
    pub stale_hours: Option<u32>,

    /// 入力の文字コード（既定 auto）
    #[arg(long, value_parser = named::<EncodingChoice>())]
    pub encoding: Option<EncodingChoice>,
}

/// `--config`, for every command that reads the config file.
#[derive(Debug, Args, Clone)]
pub struct ConfigFlag {
    /// 設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）
    #[arg(id = "config", long = "config", value_name = "PATH")]
    pub path: Option<PathBuf>,
}

fn parse_prefecture(text: &str) -> Result<PrefectureNumber, String> {
    PrefectureNumber::find(text).ok_or_else(|| format!("都道府県名か番号（01〜47）です: {text}"))
}

/// `bedboard export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// G-MIS「詳細のみ」CSV・JSON・.xlsx のパスか、ドロップフォルダ（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    /// 書き出すファイル
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// details（詳細のみ、CSV）| formatted（フォーマット済みレポート、.xlsx）。省略時は --out の拡張子で決める（.xlsx なら formatted、それ以外は details）
    #[arg(long, value_parser = described(ExportView::label))]
    pub view: Option<ExportView>,

    /// CSV の文字コード: sjis（既定、G-MIS と同じ）| utf8 | utf8-bom（Excel で UTF-8 を開くとき）
    #[arg(long, value_parser = described(ExportEncoding::label), default_value = ExportEncoding::Sjis.name())]
    pub encoding: ExportEncoding,

    /// Shift-JIS で表せない文字があれば書き出さずにエラーにする（既定は〓に置き換えて報告）
    #[arg(long)]
    pub strict: bool,

    /// 入力の文字コード
    #[arg(long, value_parser = named::<EncodingChoice>(), default_value = EncodingChoice::Auto.name())]
    pub input_encoding: EncodingChoice,

    #[command(flatten)]
    pub limit: ReadLimitArgs,

    #[command(flatten)]
    pub view_args: ViewArgs,
}

/// How large a source file `print` and `export` read: `--max-mib`, else the
/// config's `[feed] max_mib`, else the default.
#[derive(Debug, Args, Clone)]
pub struct ReadLimitArgs {
    #[command(flatten)]
    pub config: ConfigFlag,

    /// 読み込むファイルの上限（MiB、1〜1024）。省略時は設定ファイルの [feed] max_mib、なければ 64
    #[arg(long, value_name = "N", value_parser = max_mib())]
    pub max_mib: Option<u64>,
}

/// `--max-mib`: the range the config allows for `[feed] max_mib`.
fn max_mib() -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync + 'static {
    let range = crate::config::MAX_MIB;
    whole_number::<u64>(*range.start() as u64, *range.end() as u64)
}

impl ReadLimitArgs {
    /// The cap in bytes: the flag wins over the config's.
    pub fn max_bytes(&self, config: &crate::config::Config) -> u64 {
        self.max_mib
            .map_or(config.feed.max_bytes, |mib| mib * 1024 * 1024)
    }
}

/// `bedboard demo-feed`
#[derive(Debug, Args)]
pub struct DemoFeedArgs {
    /// 待ち受けるアドレス
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: String,

    /// 数件の病院の数値を変える間隔（秒）
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = at_least::<u64>(1))]
    pub change_every: u64,

    /// 基本認証を求める（USER:PASSWORD。パスワードは環境変数 BEDBOARD_DEMO_PASSWORD でも可）
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

/// `bedboard registration-form`
#[derive(Debug, Args)]
pub struct RegistrationFormArgs {
    /// 書き出すファイル
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// 申請理由
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,

    #[command(flatten)]
    pub config: ConfigFlag,
}

/// `bedboard poll`: the dashboard's poller without a screen, for a service.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// 取得元: URL（http/https）、G-MIS「詳細のみ」のファイル、またはドロップフォルダ。
    /// 省略時は設定ファイルの [feed] source、それもなければ内蔵のデモ用フィード（試用向け）
    #[arg(long, value_name = "URL|FILE|DIR")]
    pub source: Option<String>,

    #[command(flatten)]
    pub config: ConfigFlag,

    /// 取得の間隔（秒、10 以上。既定は設定ファイルの値、なければ 60）
    #[arg(long, value_name = "SECS", value_parser = at_least::<u64>(10))]
    pub interval: Option<u64>,

    /// 履歴ファイル（SQLite）。既定は設定ファイルの [store] path、なければ ~/.local/share/bedboard/history.sqlite3
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// この都道府県の行だけを保存する（名前か番号）
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_prefecture)]
    pub prefecture: Option<PrefectureNumber>,

    /// 取得するデータの形式
    #[arg(long, value_parser = described(FeedFormat::label))]
    pub format: Option<FeedFormat>,

    /// 入力の文字コード（既定 auto）
    #[arg(long, value_parser = named::<EncodingChoice>())]
    pub encoding: Option<EncodingChoice>,

    /// 医療機関マスタ（CSV のパスか URL）
    #[arg(long, value_name = "PATH|URL")]
    pub master: Option<String>,

    /// 自治体マスタ（CSV のパスか URL）
    #[arg(long, value_name = "PATH|URL")]
    pub municipalities: Option<String>,
}

/// `bedboard status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigFlag,

    /// 履歴ファイル（既定は設定ファイルの [store] path、なければ ~/.local/share/bedboard/history.sqlite3）
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// ダッシュボードの取得の間隔（秒。既定は設定ファイルの値）。この 4 倍の間成功していなければ取得が止まったとみなす
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(10..))]
    pub interval: Option<u64>,

    /// 監視システム向けに JSON で書き出す（キーは英語、時刻は ISO 8601・+09:00）
    #[arg(long)]
    pub json: bool,

    /// 取得するプロセス（ダッシュボードか bedboard poll）のない状態がこの時間（分）を超えたら危険（終了コード 2）とする
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = at_least::<u32>(1))]
    pub critical_after: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 表を標準出力に書き出す（ダム端末・cron・メール向け）
    Print(PrintArgs),
    /// 書き出す: 「詳細のみ」CSV（Shift-JIS・UTF-8）か「フォーマット済みレポート」（.xlsx）
    Export(ExportArgs),
    /// デモ用のフィードを HTTP で配信する（数秒ごとに数件の数値が変わる）
    DemoFeed(DemoFeedArgs),
    /// 別添1「消防ユーザ登録情報」の行を設定ファイルの [profile] から CP932 の CSV に書く
    RegistrationForm(RegistrationFormArgs),
    /// 履歴ファイルの状態を表示する（監視用。終了コード 0 正常・1 警告・2 危険）
    Status(StatusArgs),
    /// 画面なしで取得し続ける（常駐用。同じ履歴ファイルのダッシュボードはこの取得を表示する）
    Poll(PollArgs),
    /// シェルの補完スクリプトを標準出力に書き出す（bash・zsh・fish）
    Completions(CompletionsArgs),
}

/// `bedboard completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// 補完スクリプトを使うシェル
    #[arg(value_name = "SHELL", value_parser = parse_shell())]
    pub shell: clap_complete::Shell,
}

fn parse_shell() -> impl TypedValueParser<Value = clap_complete::Shell> {
    PossibleValuesParser::new(["bash", "zsh", "fish"])
        .try_map(|name| name.parse::<clap_complete::Shell>())
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// G-MIS「詳細のみ」CSV・JSON・.xlsx のパスか、ドロップフォルダ（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    #[command(flatten)]
    pub limit: ReadLimitArgs,

    #[command(flatten)]
    pub table: TableArgs,
}

/// Which rows, in which order: shared by `print` and `export`.
#[derive(Debug, Args, Clone)]
pub struct ViewArgs {
    /// 並べ替える列と向き: COLUMN[:asc|:desc]。COLUMN は列名か英字の別名
    #[arg(long, value_name = "COLUMN[:asc|:desc]", value_parser = parse_sort, long_help = sort_help())]
    pub sort: Option<SortChoice>,

    /// グループ化: none | prefecture（都道府県）| area（二次医療圏）| municipality（市区町村）
    #[arg(long, value_parser = described(Grouping::label), default_value = Grouping::None.name())]
    pub group: Grouping,

    /// 絞り込み（医療機関名・コード・市区町村・二次医療圏。全角半角・ひらがなカタカナ・大文字小文字を区別しない）
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

    /// この都道府県の行だけ（名前か番号）。他の行は件数だけ数えて除く
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_prefecture)]
    pub prefecture: Option<PrefectureNumber>,

    /// この時刻（JST, 例 "2022/02/01 12:00"）を現在として経過・古さを判定する
    #[arg(long, value_name = "DATETIME", value_parser = parse_now)]
    pub now: Option<JstDateTime>,

    /// この時間（時間単位）より古い報告を「古い」とする
    #[arg(long, value_name = "HOURS", default_value_t = 24, value_parser = at_least::<u32>(1))]
    pub stale_hours: u32,

    /// 同じ医療機関の過去の報告（別の日の行）も含める（既定は病院ごとに最新の行のみ）
    #[arg(long)]
    pub all_rows: bool,

    #[command(flatten)]
    pub near: NearArgs,
}

/// `--near`: the hospitals nearest a place, and the masters that place them.
#[derive(Debug, Args, Clone, Default)]
pub struct NearArgs {
    /// 搬送先候補: この場所から近い順に並べ、距離・方向の列を加える（市区町村名・かな、全国地方公共団体コード、市区町村で始まる住所、「緯度,経度」）
    #[arg(long, value_name = "PLACE")]
    pub near: Option<String>,

    /// 医療機関マスタ（緯度・経度と電話番号。CSV のパス）
    #[arg(long, value_name = "FILE")]
    pub master: Option<PathBuf>,

    /// 自治体マスタ（市区町村の緯度・経度があれば内蔵の一覧より優先。CSV のパス）
    #[arg(long, value_name = "FILE")]
    pub municipalities: Option<PathBuf>,
}

/// `--sort`: a column of the report, or 距離 (with `--near`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortChoice {
    Column(SortKey),
    Distance(SortDirection),
}

/// Options of the plain-text table.
#[derive(Debug, Args, Clone)]
pub struct TableArgs {
    #[command(flatten)]
    pub view: ViewArgs,

    /// 表示幅（セル数）。省略時は端末の幅、端末でなければ制限なし
    #[arg(long, value_name = "N", value_parser = at_least::<u16>(20))]
    pub width: Option<u16>,

    /// 曖昧幅文字（①※○Ⅱ─ など）の幅: 1 または 2
    #[arg(long, value_name = "1|2", default_value_t = 1, value_parser = whole_number::<u8>(1, 2))]
    pub ambiguous_width: u8,

    /// 罫線を ASCII で描く
    #[arg(long)]
    pub ascii: bool,

    /// 入力の文字コード
    #[arg(long, value_parser = named::<EncodingChoice>(), default_value = EncodingChoice::Auto.name())]
    pub encoding: EncodingChoice,
}

fn parse_sort(text: &str) -> Result<SortChoice, String> {
    let (name, direction) = match text.rsplit_once(':') {
        Some((name, "asc")) => (name, SortDirection::Ascending),
        Some((name, "desc")) => (name, SortDirection::Descending),
        _ => (text, SortDirection::Ascending),
    };
    if matches!(name.trim(), "距離" | "distance") {
        return Ok(SortChoice::Distance(direction));
    }
    SortKey::parse(text).map(SortChoice::Column)
}

fn parse_now(text: &str) -> Result<JstDateTime, String> {
    time::parse_datetime(text).ok_or_else(|| format!("日時として読めません: {text}"))
}

fn sort_help() -> String {
    format!(
        "並べ替える列と向き: COLUMN[:asc|:desc]（既定は asc）。数値は数値として、空欄は常に最後。\n列名（別名）: {}、距離 (distance、--near のとき)",
        column::sort_column_help()
    )
}

impl ViewArgs {
    pub fn view_spec(&self) -> ViewSpec {
        let mut spec = ViewSpec::new(self.now.unwrap_or_else(time::now_jst));
        spec.sort = match self.sort {
            Some(SortChoice::Column(key)) => Some(key),
            _ => None,
        };
        spec.group = self.group;
        spec.filter = SearchQuery::new(self.filter.as_deref().unwrap_or(""));
        spec.stale_after = chrono::Duration::hours(i64::from(self.stale_hours));
        spec.all_rows = self.all_rows;
        spec
    }
}

impl TableArgs {
    pub fn plain_options(&self, terminal_width: Option<usize>) -> PlainOptions {
        PlainOptions {
            width: self.width.map(usize::from).or(terminal_width),
            ambiguous: AmbiguousWidth::from_cells(self.ambiguous_width).unwrap_or_default(),
            ascii: self.ascii,
        }
    }
}

impl TableArgs {
    /// The table as `print` draws it when no option is given.
    pub fn defaults() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            table: TableArgs,
        }
        Defaults::parse_from(["bedboard"]).table
    }
}

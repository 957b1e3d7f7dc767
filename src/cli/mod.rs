//! Command-line interface: what each subcommand takes, and running them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub mod dashboard;
pub mod effects;

use clap::{Args, Parser, Subcommand};

use crate::config::AmbiguousChoice;
use crate::formats::FeedFormat;
use crate::formats::{EncodingChoice, ImportOptions};
use crate::model::PrefectureNumber;
use crate::model::{column, time, JstDateTime};
use crate::text::width::AmbiguousWidth;
use crate::ui::plain::{self, PlainOptions};
use crate::ui::theme::ThemeKind;
use crate::view::{Grouping, SearchQuery, SortKey, View, ViewSpec};

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

    /// 設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// 取得の間隔（秒、10 以上。既定 60）
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(10..))]
    pub interval: Option<u64>,

    /// 履歴ファイル（SQLite）。既定は URL とフォルダなら ~/.local/share/bedboard/history.sqlite3
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// この都道府県の行だけを表示・保存する（名前か番号）
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_prefecture)]
    pub prefecture: Option<PrefectureNumber>,

    /// 取得するデータの形式
    #[arg(long, value_enum)]
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

    /// 罫線を ASCII で描く
    #[arg(long)]
    pub ascii: bool,

    /// 色を使わない（環境変数 NO_COLOR でも同じ）
    #[arg(long)]
    pub no_color: bool,

    /// 配色（既定: 256 色の端末なら default、それ以外は basic）
    #[arg(long, value_enum)]
    pub theme: Option<ThemeKind>,

    /// この時間（時間単位）より古い報告を「古い」とする（既定 24）
    #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..))]
    pub stale_hours: Option<u32>,

    /// 入力の文字コード（既定 auto）
    #[arg(long, value_enum)]
    pub encoding: Option<EncodingChoice>,
}

fn parse_prefecture(text: &str) -> Result<PrefectureNumber, String> {
    PrefectureNumber::find(text).ok_or_else(|| format!("都道府県名か番号（01〜47）です: {text}"))
}

/// `bedboard export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// G-MIS「詳細のみ」CSV・JSON・.xlsx のパス（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    /// 書き出すファイル
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// details（詳細のみ、CSV）| formatted（フォーマット済みレポート、.xlsx）
    #[arg(long, value_enum, default_value_t = crate::export::ExportView::Details)]
    pub view: crate::export::ExportView,

    /// CSV の文字コード: sjis（既定、G-MIS と同じ）| utf8 | utf8-bom（Excel で UTF-8 を開くとき）
    #[arg(long, value_enum, default_value_t = crate::export::ExportEncoding::Sjis)]
    pub encoding: crate::export::ExportEncoding,

    /// Shift-JIS で表せない文字があれば書き出さずにエラーにする（既定は〓に置き換えて報告）
    #[arg(long)]
    pub strict: bool,

    /// 入力の文字コード
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    pub input_encoding: EncodingChoice,

    #[command(flatten)]
    pub view_args: ViewArgs,
}

/// `bedboard demo-feed`
#[derive(Debug, Args)]
pub struct DemoFeedArgs {
    /// 待ち受けるアドレス
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: String,

    /// 数件の病院の数値を変える間隔（秒）
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
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

    /// 設定ファイル
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// `bedboard status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// 設定ファイル
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// 履歴ファイル（既定は設定ファイルの [store] path、なければ ~/.local/share/bedboard/history.sqlite3）
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
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
    /// 履歴ファイルの状態を表示する（監視用。データが古ければ終了コード 1）
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// G-MIS「詳細のみ」CSV のパス（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    #[command(flatten)]
    pub table: TableArgs,
}

/// Which rows, in which order: shared by `print` and `export`.
#[derive(Debug, Args, Clone)]
pub struct ViewArgs {
    /// 並べ替える列と向き: COLUMN[:asc|:desc]。COLUMN は列名か英字の別名
    #[arg(long, value_name = "COLUMN[:asc|:desc]", value_parser = parse_sort, long_help = sort_help())]
    pub sort: Option<SortKey>,

    /// グループ化: none | prefecture（都道府県）| area（二次医療圏）| municipality（市区町村）
    #[arg(long, value_enum, default_value_t = Grouping::None)]
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
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub stale_hours: u32,
}

/// Options of the plain-text table.
#[derive(Debug, Args, Clone)]
pub struct TableArgs {
    #[command(flatten)]
    pub view: ViewArgs,

    /// 表示幅（セル数）。省略時は端末の幅、端末でなければ制限なし
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,

    /// 曖昧幅文字（①※○Ⅱ─ など）の幅: 1 または 2
    #[arg(long, value_name = "1|2", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub ambiguous_width: u8,

    /// 罫線を ASCII で描く
    #[arg(long)]
    pub ascii: bool,

    /// 入力の文字コード
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    pub encoding: EncodingChoice,
}

fn parse_sort(text: &str) -> Result<SortKey, String> {
    SortKey::parse(text)
}

fn parse_now(text: &str) -> Result<JstDateTime, String> {
    time::parse_datetime(text).ok_or_else(|| format!("日時として読めません: {text}"))
}

fn sort_help() -> String {
    format!(
        "並べ替える列と向き: COLUMN[:asc|:desc]（既定は asc）。数値は数値として、空欄は常に最後。\n列名（別名）: {}",
        column::sort_column_help()
    )
}

impl ViewArgs {
    pub fn view_spec(&self) -> ViewSpec {
        let mut spec = ViewSpec::new(self.now.unwrap_or_else(time::now_jst));
        spec.sort = self.sort;
        spec.group = self.group;
        spec.filter = SearchQuery::new(self.filter.as_deref().unwrap_or(""));
        spec.stale_after = chrono::Duration::hours(i64::from(self.stale_hours));
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

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Print(args)) => print(&args),
        Some(Command::Export(args)) => export(&args),
        Some(Command::DemoFeed(args)) => demo_feed(&args),
        Some(Command::RegistrationForm(args)) => registration_form(&args),
        Some(Command::Status(args)) => status(&args),
        None => dashboard(&cli.dashboard),
    }
}

/// Drops other prefectures' rows, saying how many.
fn scoped(
    (mut report, label, mut messages): (crate::model::Report, String, Vec<String>),
    prefecture: Option<PrefectureNumber>,
) -> (crate::model::Report, String, Vec<String>) {
    if let Some(pref) = prefecture {
        let before = report.rows.len();
        report.rows.retain(|row| row.prefecture_no == pref);
        let dropped = before - report.rows.len();
        if dropped > 0 {
            messages.push(format!(
                "範囲外（{} 以外）の {dropped} 行を除きました",
                pref.name()
            ));
        }
    }
    (report, label, messages)
}

/// Reads the source, or makes the demo data; the label says which.
fn load(
    source: Option<&PathBuf>,
    encoding: EncodingChoice,
    now: &JstDateTime,
) -> Result<(crate::model::Report, String, Vec<String>), String> {
    match source {
        Some(path) => {
            let options = ImportOptions {
                encoding,
                source_name: path.display().to_string(),
            };
            let import = crate::formats::import_file(path, &options).map_err(|e| e.to_string())?;
            let label = format!("{}（{}）", import.source_name, import.encoding.label());
            let messages = import.messages();
            Ok((import.report, label, messages))
        }
        None => Ok((
            crate::demo::generator::demo_report(now),
            "デモデータ".to_string(),
            Vec::new(),
        )),
    }
}

fn dashboard(args: &DashboardArgs) -> ExitCode {
    use std::io::IsTerminal;
    let config = match crate::config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    if let Err(err) = crate::ui::keymap::KeyMap::for_config(&config.keys) {
        eprintln!("bedboard: {err}");
        return ExitCode::from(EXIT_UNUSABLE_INPUT);
    }
    let source = args.source.clone().or_else(|| config.feed.source.clone());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !std::io::stdout().is_terminal() || dumb {
        // No screen to draw on: the plain table is the dashboard's fallback.
        return print(&PrintArgs {
            source: source.map(PathBuf::from),
            table: TableArgs::defaults(),
        });
    }
    let store = crate::cli::dashboard::store_for(source.as_deref(), args.store.as_deref(), &config);
    let settings = crate::cli::dashboard::Settings {
        source,
        store,
        prefecture: args.prefecture.or(config.prefecture),
        interval: args
            .interval
            .map_or(config.feed.interval, std::time::Duration::from_secs),
        stale_hours: args.stale_hours.or(config.stale_hours).unwrap_or(24),
        config,
    };
    let display = crate::cli::dashboard::DisplayChoice {
        ambiguous: args.ambiguous_width,
        ascii: args.ascii,
        no_color: args.no_color,
        theme: args.theme,
    };
    let encoding = args.encoding.unwrap_or(settings.config.feed.encoding);
    let mut settings = settings;
    if let Some(format) = args.format {
        settings.config.feed.format = format;
    }
    let masters = crate::cli::dashboard::MasterFiles {
        hospitals: args
            .master
            .clone()
            .or_else(|| settings.config.hospital_master.clone()),
        municipalities: args
            .municipalities
            .clone()
            .or_else(|| settings.config.municipality_master.clone()),
    };
    crate::cli::dashboard::dashboard(settings, display, encoding, masters)
}

fn export(args: &ExportArgs) -> ExitCode {
    let spec = args.view_args.view_spec();
    let loaded = match &args.source {
        // Any format bedboard reads: CSV, JSON, or a workbook.
        Some(path) => std::fs::read(path)
            .map_err(|e| format!("{}: {}", path.display(), crate::files::io_error_text(&e)))
            .and_then(|bytes| {
                let options = ImportOptions {
                    encoding: args.input_encoding,
                    source_name: path.display().to_string(),
                };
                crate::formats::import_any(&bytes, FeedFormat::Auto, &options)
                    .map_err(|e| e.to_string())
            })
            .map(|import| {
                let messages = import.messages();
                (import.report, import.source_name, messages)
            }),
        None => load(None, args.input_encoding, &spec.now),
    };
    let (report, _, messages) = match loaded {
        Ok(loaded) => scoped(loaded, args.view_args.prefecture),
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    for message in &messages {
        eprintln!("bedboard: {message}");
    }
    let view = View::build(&report, &spec);
    let request = crate::export::ExportRequest {
        report: &report,
        view: &view,
        spec: &spec,
        export_view: args.view,
        encoding: args.encoding,
        strict: args.strict,
        header: crate::export::ReportHeader::new(&spec, Some(spec.now)),
    };
    match crate::export::export(&request, &args.out) {
        Ok(summary) => {
            println!("{}", summary.message());
            if let Some(warning) = summary.warning() {
                eprintln!("bedboard: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bedboard: {err}");
            ExitCode::from(EXIT_UNUSABLE_INPUT)
        }
    }
}

fn registration_form(args: &RegistrationFormArgs) -> ExitCode {
    let config = match crate::config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    let Some(profile) = &config.profile else {
        eprintln!("bedboard: 設定ファイルに [profile]（都道府県・消防本部名・担当部署名・担当者氏名・メールアドレス・電話番号）がありません");
        return ExitCode::from(EXIT_UNUSABLE_INPUT);
    };
    match crate::export::registration::write_registration_form(&args.out, profile, &args.reason) {
        Ok(()) => {
            println!("{} に書き出しました", args.out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bedboard: {err}");
            ExitCode::from(EXIT_UNUSABLE_INPUT)
        }
    }
}

fn demo_feed(args: &DemoFeedArgs) -> ExitCode {
    let basic_auth = match &args.user {
        None => None,
        Some(user) => match std::env::var("BEDBOARD_DEMO_PASSWORD") {
            Ok(password) if !password.is_empty() => Some((user.clone(), password)),
            _ => {
                eprintln!("bedboard: --user には環境変数 BEDBOARD_DEMO_PASSWORD でパスワードを渡してください");
                return ExitCode::from(EXIT_UNUSABLE_INPUT);
            }
        },
    };
    let options = crate::demo::server::DemoFeedOptions {
        addr: args.addr.clone(),
        change_every: std::time::Duration::from_secs(args.change_every),
        basic_auth,
    };
    match crate::demo::server::run_forever(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bedboard: デモ用フィードを起動できません（{err}）");
            ExitCode::FAILURE
        }
    }
}

/// Exit code of `status` when the data is older than the stale age.
const EXIT_STALE: u8 = 1;

fn status(args: &StatusArgs) -> ExitCode {
    let config = match crate::config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    let path = args
        .store
        .clone()
        .or_else(|| config.store_path.clone())
        .unwrap_or_else(crate::cli::dashboard::default_store_path);
    if !path.exists() {
        eprintln!("bedboard: 履歴ファイル {} がありません", path.display());
        return ExitCode::from(EXIT_UNUSABLE_INPUT);
    }
    let store = match crate::store::Store::open_read_only(&path) {
        Ok(store) => store,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    let now = time::now_jst();
    let stale_after = chrono::Duration::hours(i64::from(config.stale_hours.unwrap_or(24)));
    println!("履歴ファイル: {}", path.display());
    let snapshot = store.latest_snapshot().ok().flatten();
    let fresh = match &snapshot {
        Some(s) => {
            let age = now.signed_duration_since(s.fetched_at);
            println!(
                "最新のデータ: {}（{}）・{} 件・取得元 {}",
                time::format_datetime(&s.fetched_at),
                time::format_age(age),
                s.report.rows.len(),
                s.source
            );
            age <= stale_after
        }
        None => {
            println!("最新のデータ: なし");
            false
        }
    };
    match store.lease() {
        Ok(Some((holder, until))) if until > now => {
            println!(
                "取得中のプロセス: {holder}（{} まで）",
                time::format_datetime(&until)
            )
        }
        _ => println!("取得中のプロセス: なし"),
    }
    match store.last_error() {
        Ok(Some((at, message))) => println!(
            "最後のエラー: {}（{}）",
            message,
            time::format_datetime(&at)
        ),
        _ => println!("最後のエラー: なし"),
    }
    if fresh {
        ExitCode::SUCCESS
    } else {
        println!(
            "状態: データが古くなっています（{} 時間より前）",
            stale_after.num_hours()
        );
        ExitCode::from(EXIT_STALE)
    }
}

impl TableArgs {
    fn defaults() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            table: TableArgs,
        }
        Defaults::parse_from(["bedboard"]).table
    }
}

/// Exit code for input that cannot be used.
const EXIT_UNUSABLE_INPUT: u8 = 2;

fn print(args: &PrintArgs) -> ExitCode {
    let spec = args.table.view.view_spec();
    let loaded = load(args.source.as_ref(), args.table.encoding, &spec.now)
        .map(|loaded| scoped(loaded, args.table.view.prefecture));
    let (report, source_label, messages) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    for message in &messages {
        eprintln!("bedboard: {message}");
    }
    let view = View::build(&report, &spec);
    let terminal_width = plain::stdout_terminal_width();
    let text = plain::render(
        &report,
        &view,
        &spec,
        &source_label,
        &args.table.plain_options(terminal_width),
    );
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bedboard: 書き出せません（{err}）");
            ExitCode::FAILURE
        }
    }
}

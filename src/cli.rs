//! Command-line interface: what each subcommand takes, and running them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::AmbiguousChoice;
use crate::feed::{self, EncodingChoice, ImportOptions};
use crate::model::{column, time, JstDateTime};
use crate::ui::app::{App, DisplayOptions};
use crate::ui::plain::{self, PlainOptions};
use crate::ui::theme::ThemeKind;
use crate::view::{Grouping, SearchQuery, SortKey, View, ViewSpec};
use crate::width::AmbiguousWidth;

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
    /// G-MIS「詳細のみ」CSV のパス（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    /// 設定ファイル（既定: $BEDBOARD_CONFIG、なければ ~/.config/bedboard/config.toml）
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// 曖昧幅文字の幅: narrow（1）| wide（2）| auto（端末に問い合わせる。既定）
    #[arg(long, value_name = "narrow|wide|auto", env = "BEDBOARD_AMBIGUOUS_WIDTH", value_parser = AmbiguousChoice::parse)]
    pub ambiguous_width: Option<AmbiguousChoice>,

    /// 罫線を ASCII で描く
    #[arg(long)]
    pub ascii: bool,

    /// 色を使わない（環境変数 NO_COLOR でも同じ）
    #[arg(long)]
    pub no_color: bool,

    /// 配色（既定 default）
    #[arg(long, value_enum)]
    pub theme: Option<ThemeKind>,

    /// この時間（時間単位）より古い報告を「古い」とする（既定 24）
    #[arg(long, value_name = "HOURS", value_parser = clap::value_parser!(u32).range(1..))]
    pub stale_hours: Option<u32>,

    /// 入力の文字コード
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    pub encoding: EncodingChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 表を標準出力に書き出す（ダム端末・cron・メール向け）
    Print(PrintArgs),
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    /// G-MIS「詳細のみ」CSV のパス（省略時は内蔵のデモデータ）
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,

    #[command(flatten)]
    pub table: TableArgs,
}

/// Options shared by everything that shows a table.
#[derive(Debug, Args, Clone)]
pub struct TableArgs {
    /// 並べ替える列と向き: COLUMN[:asc|:desc]。COLUMN は列名か英字の別名
    #[arg(long, value_name = "COLUMN[:asc|:desc]", value_parser = parse_sort, long_help = sort_help())]
    pub sort: Option<SortKey>,

    /// グループ化: none | prefecture（都道府県）| area（二次医療圏）| municipality（市区町村）
    #[arg(long, value_enum, default_value_t = Grouping::None)]
    pub group: Grouping,

    /// 絞り込み（医療機関名・コード・市区町村・二次医療圏。全角半角・ひらがなカタカナ・大文字小文字を区別しない）
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

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

    /// この時刻（JST, 例 "2022/02/01 12:00"）を現在として経過・古さを判定する
    #[arg(long, value_name = "DATETIME", value_parser = parse_now)]
    pub now: Option<JstDateTime>,

    /// この時間（時間単位）より古い報告を「古い」とする
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub stale_hours: u32,
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

impl TableArgs {
    pub fn view_spec(&self) -> ViewSpec {
        let mut spec = ViewSpec::new(self.now.unwrap_or_else(time::now_jst));
        spec.sort = self.sort;
        spec.group = self.group;
        spec.filter = SearchQuery::new(self.filter.as_deref().unwrap_or(""));
        spec.stale_after = chrono::Duration::hours(i64::from(self.stale_hours));
        spec
    }

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
        None => dashboard(&cli.dashboard),
    }
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
            let import = feed::import_file(path, &options).map_err(|e| e.to_string())?;
            let label = format!("{}（{}）", import.source_name, import.encoding.label());
            let messages = import.messages();
            Ok((import.report, label, messages))
        }
        None => Ok((
            feed::demo::demo_report(now),
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
    let now = time::now_jst();
    let (report, label, messages) = match load(args.source.as_ref(), args.encoding, &now) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("bedboard: {err}");
            return ExitCode::from(EXIT_UNUSABLE_INPUT);
        }
    };
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !std::io::stdout().is_terminal() || dumb {
        // No screen to draw on: the plain table is the dashboard's fallback.
        return print(&PrintArgs {
            source: args.source.clone(),
            table: TableArgs::defaults(),
        });
    }
    // Flags win over the config file, which wins over the defaults.
    let no_color = args.no_color
        || config.no_color
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut spec = ViewSpec::new(now);
    let stale_hours = args.stale_hours.or(config.stale_hours).unwrap_or(24);
    spec.stale_after = chrono::Duration::hours(i64::from(stale_hours));
    let mut term = match crate::ui::terminal::enter() {
        Ok(term) => term,
        Err(err) => {
            crate::ui::terminal::restore();
            eprintln!("bedboard: 端末を準備できません（{err}）");
            return ExitCode::FAILURE;
        }
    };
    let ambiguous = match args
        .ambiguous_width
        .or(config.ambiguous_width)
        .unwrap_or_default()
    {
        AmbiguousChoice::Fixed(width) => width,
        AmbiguousChoice::Auto => crate::ui::terminal::probe_ambiguous_width(),
    };
    let options = DisplayOptions {
        ambiguous,
        ascii: args.ascii || config.ascii,
        theme: if no_color {
            ThemeKind::Mono
        } else {
            args.theme
                .or(config.theme)
                .unwrap_or_else(ThemeKind::for_terminal)
        },
    };
    let mut app = App::new(report, label, args.source.is_none(), options, spec);
    app.keys = config.keys.clone();
    app.config_path = config.path.clone();
    app.apply_view(&config.view);
    if let Some(path) = args.source.clone() {
        let encoding = args.encoding;
        app.reloader = Some(Box::new(move || {
            let (report, _, problems) = load(Some(&path), encoding, &time::now_jst())?;
            Ok((report, problems))
        }));
    }
    if let Some(first) = messages.first() {
        app.message = Some(match messages.len() {
            1 => first.clone(),
            n => format!("{first}（ほか {} 件）", n - 1),
        });
    }
    let result = crate::ui::terminal::run(&mut term, &mut app);
    crate::ui::terminal::restore();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bedboard: {err}");
            ExitCode::FAILURE
        }
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
    let spec = args.table.view_spec();
    let (report, source_label, messages) = match &args.source {
        Some(path) => {
            let options = ImportOptions {
                encoding: args.table.encoding,
                source_name: path.display().to_string(),
            };
            match feed::import_file(path, &options) {
                Ok(import) => {
                    let label = format!("{}（{}）", import.source_name, import.encoding.label());
                    let messages = import.messages();
                    (import.report, label, messages)
                }
                Err(err) => {
                    eprintln!("bedboard: {err}");
                    return ExitCode::from(EXIT_UNUSABLE_INPUT);
                }
            }
        }
        None => (
            feed::demo::demo_report(&spec.now),
            "デモデータ".to_string(),
            Vec::new(),
        ),
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

//! Running each subcommand. Each returns an [`Outcome`]; `cli::run` tells the
//! user why one stopped.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::args::{
    CompletionsArgs, DashboardArgs, DemoFeedArgs, ExportArgs, PrintArgs, ReadLimitArgs,
    RegistrationFormArgs, TableArgs,
};
use crate::cli::dashboard::{self, DisplayChoice, MasterFiles, Settings};
use crate::cli::error::{say, tell, CommandError, Outcome};
use crate::cli::input::{self, Reading};
use crate::config::AmbiguousChoice;
use crate::formats::FeedFormat;
use crate::poll::poller::Origin;
use crate::ui::plain;
use crate::view::View;

/// The dashboard, or the plain table when there is no screen to draw on.
pub fn dashboard(args: &DashboardArgs) -> Outcome {
    let config = crate::config::load(args.config.path.as_deref())?;
    crate::ui::keymap::KeyMap::for_config(&config.keys).map_err(CommandError::Keys)?;
    let source = args.source.clone().or_else(|| config.feed.source.clone());
    let encoding = args.encoding.unwrap_or(config.feed.encoding);
    let format = args.format.unwrap_or(config.feed.format);
    let prefecture = args.prefecture.or(config.prefecture);
    let stale_hours = args.stale_hours.or(config.stale_hours).unwrap_or(24);
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !std::io::stdout().is_terminal() || dumb {
        // No screen to draw on: the plain table of the same source is the fallback.
        let mut table = TableArgs::defaults();
        table.encoding = encoding;
        table.view.prefecture = prefecture;
        table.view.stale_hours = stale_hours;
        table.ascii = args.ascii || config.ascii;
        if let Some(AmbiguousChoice::Fixed(width)) = args.ambiguous_width.or(config.ambiguous_width)
        {
            table.ambiguous_width = width.cells() as u8;
        }
        let origin = source.as_deref().map(|s| dashboard::origin_for(s, &config));
        return print_table(origin.as_ref(), format, config.feed.max_bytes, &table);
    }
    let store = dashboard::store_for(source.as_deref(), args.store.as_deref(), &config);
    let masters = MasterFiles::chosen(&args.master, &args.municipalities, &config);
    let mut config = config;
    config.feed.format = format;
    let settings = Settings {
        source,
        store,
        prefecture,
        interval: args
            .interval
            .map_or(config.feed.interval, std::time::Duration::from_secs),
        stale_hours,
        config,
    };
    let display = DisplayChoice {
        ambiguous: args.ambiguous_width,
        charset: args.terminal_encoding,
        ascii: args.ascii,
        no_color: args.no_color,
        theme: args.theme,
    };
    dashboard::dashboard(settings, display, encoding, masters)
}

pub fn print(args: &PrintArgs) -> Outcome {
    let origin = args.source.as_deref().map(input::path_origin);
    crate::cli::near::check_sort(&args.table.view)?;
    let max_bytes = max_bytes(&args.limit)?;
    print_table(origin.as_ref(), FeedFormat::Auto, max_bytes, &args.table)
}

/// The cap on the source file: `--max-mib`, else the config's. The config is
/// read only when the flag does not decide, so a broken config does not stop
/// a command line that says everything itself.
fn max_bytes(limit: &ReadLimitArgs) -> Result<u64, CommandError> {
    if let (Some(mib), None) = (limit.max_mib, &limit.config.path) {
        return Ok(mib * 1024 * 1024);
    }
    let config = crate::config::load(limit.config.path.as_deref())?;
    Ok(limit.max_bytes(&config))
}

/// Reads the source once and writes the plain table to stdout.
fn print_table(
    origin: Option<&Origin>,
    format: FeedFormat,
    max_bytes: u64,
    table: &TableArgs,
) -> Outcome {
    let spec = table.view.view_spec();
    let reading = Reading {
        format,
        encoding: table.encoding,
        prefecture: table.view.prefecture,
        max_bytes,
    };
    let loaded = input::load(origin, reading, &spec.now)?;
    for message in &loaded.messages {
        say(message);
    }
    let view = View::build(&loaded.report, &spec);
    let charset = crate::cli::error::output_charset();
    let mut options = table.plain_options(plain::stdout_terminal_width());
    // The separators' glyphs are in neither Japanese set.
    options.ascii |= !charset.is_utf8();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut bytes = Vec::new();
    // Each line goes out as it is laid out (the cells are sanitised as they are
    // laid out; this is the last guard before the terminal, for any text that
    // was not), so a million rows never sit in memory as text.
    let mut write_line = |line: &str| {
        let line = crate::text::sanitize_lines(line);
        bytes.clear();
        charset.encode_into(&line, options.ambiguous, &mut bytes);
        bytes.push(b'\n');
        out.write_all(&bytes)
    };
    let written = match &table.view.near.near {
        Some(place) => {
            let demo = origin.is_none();
            let text =
                crate::cli::near::render_print(&loaded, &table.view, place, &spec, &options, demo)?;
            text.lines().try_for_each(&mut write_line)
        }
        None => plain::Table {
            report: &loaded.report,
            view: &view,
            spec: &spec,
            source: &loaded.label,
            options: &options,
        }
        .write(&mut write_line),
    };
    let written = written.and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`| head`) is not an error worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(CommandError::Failed(format!("書き出せません（{err}）"))),
    }
}

pub fn export(args: &ExportArgs) -> Outcome {
    let export_view = crate::export::ExportView::for_path(&args.out, args.view)
        .map_err(CommandError::Unusable)?;
    crate::cli::near::check_sort(&args.view_args)?;
    let spec = args.view_args.view_spec();
    let origin = args.source.as_deref().map(input::path_origin);
    let reading = Reading {
        format: FeedFormat::Auto,
        encoding: args.input_encoding,
        prefecture: args.view_args.prefecture,
        max_bytes: max_bytes(&args.limit)?,
    };
    let loaded = input::load(origin.as_ref(), reading, &spec.now)?;
    for message in &loaded.messages {
        say(message);
    }
    let (report, view) = match &args.view_args.near.near {
        Some(place) => {
            let demo = origin.is_none();
            crate::cli::near::export_view(&loaded.report, &args.view_args, place, &spec, demo)?
        }
        None => {
            let view = View::build(&loaded.report, &spec);
            (loaded.report, view)
        }
    };
    let request = crate::export::ExportRequest {
        report: &report,
        view: &view,
        spec: &spec,
        export_view,
        encoding: args.encoding,
        strict: args.strict,
        // A file read now: its data time is its newest 報告日時, no fetch time.
        header: crate::export::ReportHeader::new(&spec, None),
    };
    let summary = crate::export::export(&request, &args.out)?;
    tell(&summary.message());
    if let Some(warning) = summary.warning() {
        say(&warning);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn registration_form(args: &RegistrationFormArgs) -> Outcome {
    let config = crate::config::load(args.config.path.as_deref())?;
    let Some(profile) = &config.profile else {
        return Err(CommandError::Unusable(
            "設定ファイルに [profile]（都道府県・消防本部名・担当部署名・担当者氏名・メールアドレス・電話番号）がありません".to_string(),
        ));
    };
    crate::export::registration::write_registration_form(&args.out, profile, &args.reason)
        .map_err(CommandError::Unusable)?;
    tell(&format!("{} に書き出しました", args.out.display()));
    Ok(ExitCode::SUCCESS)
}

/// The completion script for one shell, on stdout.
pub fn completions(args: &CompletionsArgs) -> Outcome {
    let script = crate::cli::manual::completion_script(args.shell);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|_| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(CommandError::Failed(format!("書き出せません（{err}）"))),
    }
}

pub fn demo_feed(args: &DemoFeedArgs) -> Outcome {
    let basic_auth = match &args.user {
        None => None,
        Some(user) => match std::env::var("BEDBOARD_DEMO_PASSWORD") {
            Ok(password) if !password.is_empty() => Some((user.clone(), password)),
            _ => {
                return Err(CommandError::Unusable(
                    "--user には環境変数 BEDBOARD_DEMO_PASSWORD でパスワードを渡してください"
                        .to_string(),
                ))
            }
        },
    };
    let options = crate::demo::server::DemoFeedOptions {
        addr: args.addr.clone(),
        change_every: std::time::Duration::from_secs(args.change_every),
        basic_auth,
    };
    crate::demo::server::run_forever(options)
        .map_err(|err| CommandError::Failed(format!("デモ用フィードを起動できません（{err}）")))?;
    Ok(ExitCode::SUCCESS)
}

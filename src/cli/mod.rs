//! Command-line interface: what each subcommand takes ([`args`]), running
//! them, and the one place that reports why one stopped.

pub mod args;
mod clap_text;
mod commands;
pub mod dashboard;
pub mod effects;
pub mod error;
mod input;
pub mod log;
pub mod manual;
mod near;
mod poll_log;
mod poll_service;
pub mod status;
pub mod watch;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};
pub use error::CommandError;

/// Runs the command line and returns the process exit code; a command that
/// stops says why on stderr, here and nowhere else.
pub fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Some(Command::Print(args)) => commands::print(&args),
        Some(Command::Export(args)) => commands::export(&args),
        Some(Command::DemoFeed(args)) => commands::demo_feed(&args),
        Some(Command::RegistrationForm(args)) => commands::registration_form(&args),
        Some(Command::Status(args)) => status::status(&args),
        Some(Command::Poll(args)) => poll_service::poll(&args),
        Some(Command::Completions(args)) => commands::completions(&args),
        None => commands::dashboard(&cli.dashboard),
    };
    error::finish(outcome)
}

/// Reads the command line and runs it. A flag clap cannot use is reported
/// here rather than by clap: in Japanese, and made safe for the terminal like
/// every other message, since it quotes the argument.
pub fn main() -> ExitCode {
    crate::model::memory::return_large_blocks();
    match Cli::try_parse() {
        Ok(cli) => run(cli),
        // --help and --version, which clap hands back as errors.
        Err(err) if !err.use_stderr() => {
            let mut text = clap_text::help_text(&err.render().to_string());
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &error::for_output(&text));
            ExitCode::SUCCESS
        }
        Err(err) => {
            error::say(&clap_text::error_text(&err));
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(error::EXIT_UNUSABLE_INPUT))
        }
    }
}

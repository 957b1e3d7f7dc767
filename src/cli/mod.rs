//! Command-line interface: what each subcommand takes ([`args`]), running
//! them, and the one place that reports why one stopped.

pub mod args;
mod commands;
pub mod dashboard;
pub mod effects;
pub mod error;
mod input;
mod log;
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
        Some(Command::Status(args)) => commands::status(&args),
        None => commands::dashboard(&cli.dashboard),
    };
    error::finish(outcome)
}

/// Reads the command line and runs it. A flag clap cannot use is reported
/// here rather than by clap, because its message quotes the argument: that
/// text is made safe for the terminal like every other message.
pub fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            eprint!("{}", crate::text::sanitize_lines(&err.render().to_string()));
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(error::EXIT_UNUSABLE_INPUT))
        }
    }
}

//! Command-line interface: what each subcommand takes ([`args`]), running
//! them, and the one place that reports why one stopped.

pub mod args;
mod commands;
pub mod dashboard;
pub mod effects;
pub mod error;
mod input;

use std::process::ExitCode;

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

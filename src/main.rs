use clap::Parser;

fn main() -> std::process::ExitCode {
    bedboard::cli::run(bedboard::cli::Cli::parse())
}

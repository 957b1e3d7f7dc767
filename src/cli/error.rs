//! Why a command stopped, the exit code for each reason, and the one place
//! that tells the user.

use std::process::ExitCode;
use std::sync::OnceLock;

use crate::config::ConfigError;
use crate::export::ExportError;
use crate::formats::ImportError;
use crate::source::http::FetchError;
use crate::store::StoreError;
use crate::text::charset::{CharsetChoice, Locale, TerminalCharset};
use crate::text::width::AmbiguousWidth;
use crate::text::{sanitize, sanitize_lines, Named};

/// Exit code for input that cannot be used: a config, a source, a flag.
pub const EXIT_UNUSABLE_INPUT: u8 = 2;
/// Exit code when a URL source could not be fetched (try again later).
pub const EXIT_UNREACHABLE: u8 = 3;
/// Exit code when the command itself failed (the terminal, the output).
pub const EXIT_FAILED: u8 = 1;

/// A command that could not do its work. Messages are for the dispatcher, in Japanese.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The `[keys]` of the config name an action or a key that does not exist.
    #[error("{0}")]
    Keys(String),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other input that cannot be used: a missing file, an empty folder, a flag without its value.
    #[error("{0}")]
    Unusable(String),
    /// A URL source that did not answer with a report.
    #[error("{url} から取得できません: {error}")]
    Unreachable { url: String, error: FetchError },
    /// The command started but could not finish (the terminal, the output, a server).
    #[error("{0}")]
    Failed(String),
}

impl CommandError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_)
            | Self::Keys(_)
            | Self::Import(_)
            | Self::Export(_)
            | Self::Store(_)
            | Self::Unusable(_) => EXIT_UNUSABLE_INPUT,
            Self::Unreachable { .. } => EXIT_UNREACHABLE,
            Self::Failed(_) => EXIT_FAILED,
        }
    }
}

/// What a command ends with: its exit code, or why it stopped.
pub type Outcome = Result<ExitCode, CommandError>;

/// The exit code, after telling the user why the command stopped.
pub fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(err) => {
            say(&err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}

/// Names the terminal's character set for every command (`--terminal-encoding` too).
pub const TERMINAL_ENCODING_VAR: &str = "BEDBOARD_TERMINAL_ENCODING";

/// The character set of what the commands write for the user to read:
/// `BEDBOARD_TERMINAL_ENCODING`, else the locale's (as the dashboard chooses).
pub fn output_charset() -> TerminalCharset {
    static CHARSET: OnceLock<TerminalCharset> = OnceLock::new();
    *CHARSET.get_or_init(|| {
        std::env::var(TERMINAL_ENCODING_VAR)
            .ok()
            .and_then(|name| CharsetChoice::from_name(&name))
            .unwrap_or_default()
            .resolve(&Locale::from_env())
    })
}

/// `text` as the user's terminal reads it.
pub fn for_output(text: &str) -> Vec<u8> {
    output_charset().encode(text, AmbiguousWidth::Narrow)
}

/// One message on stderr as `bedboard: …`. It may quote a feed or a file,
/// so each line is made safe for the terminal; line breaks are kept.
pub fn say(message: &str) {
    use std::io::Write;
    let line = format!("bedboard: {}\n", sanitize_lines(message));
    // Nowhere left to say it (a closed stderr) is not worth a panic.
    let _ = std::io::stderr().write_all(&for_output(&line));
}

/// One line on stdout (a result, a `status` line). It may quote a feed, a
/// file name or the store, so it is made safe for the terminal on one line.
pub fn tell(line: &str) {
    use std::io::Write;
    // A reader that has gone (`bedboard status | head -1`) wants no more lines.
    let line = format!("{}\n", sanitize(line));
    let _ = std::io::stdout().write_all(&for_output(&line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_lines_but_lose_escapes() {
        assert_eq!(
            sanitize_lines("誤り:\n  東京\x1b[2J病院\n  \u{202E}x"),
            "誤り:\n  東京?[2J病院\n  ?x"
        );
    }

    #[test]
    fn each_kind_has_its_exit_code() {
        assert_eq!(CommandError::Unusable("x".into()).exit_code(), 2);
        assert_eq!(CommandError::Failed("x".into()).exit_code(), 1);
        let unreachable = CommandError::Unreachable {
            url: "http://127.0.0.1:9/r.csv".into(),
            error: FetchError::Truncated,
        };
        assert_eq!(unreachable.exit_code(), 3);
        assert_eq!(
            unreachable.to_string(),
            "http://127.0.0.1:9/r.csv から取得できません: 応答が途中で切れました"
        );
    }
}

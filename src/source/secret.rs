//! Feed credentials: where they come from, and a value that never prints itself.
//!
//! A secret comes from an environment variable, from a file that only its owner can read
//! (a group- or world-readable one is refused, as ssh refuses a private key), or from the
//! output of a command such as `pass show gmis`. No error text, Debug output or log line
//! made here holds the secret's value.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// How long a secret command may run before it is killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The most a secret file or a secret command's output may hold.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// What a secret prints as.
const MASK: &str = "********";

/// A secret's value: Debug and Display print 「********」; only `expose()` gives the text.
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }

    /// The secret's text, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocation is freed.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// Where a secret comes from, as written in the config:
/// `password = { env = "GMIS_PASSWORD" }`, `{ file = "/etc/bedboard/pw" }` or
/// `{ command = "pass show gmis" }`.
#[derive(Clone, Debug, serde::Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    /// An environment variable, taken as it is.
    Env(String),
    /// A file only its owner may read or write; one line end at its end is dropped.
    File(PathBuf),
    /// A command run by `sh -c`; the first line of its output, without the line end.
    Command(String),
}

/// Why a secret could not be had. The text names where it was looked for, never its value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("環境変数 {name} が設定されていません")]
    EnvMissing { name: String },
    #[error("環境変数 {name} が空です")]
    EnvEmpty { name: String },
    #[error("環境変数 {name} に使えない文字が含まれています（UTF-8 ではありません）")]
    EnvNotUnicode { name: String },
    #[error("{path} は他のユーザーも読めるため使えません（{mode:04o}）。chmod 600 {path} としてください")]
    FileTooOpen { path: String, mode: u32 },
    #[error("パスワードファイル {path} が見つかりません")]
    FileMissing { path: String },
    #[error("パスワードファイル {path} を読めません（{reason}）")]
    FileUnreadable { path: String, reason: String },
    #[error("パスワードファイル {path} が空です")]
    FileEmpty { path: String },
    #[error("パスワードファイル {path} が大きすぎます（パスワードのファイルではないようです）")]
    FileTooLarge { path: String },
    #[error("パスワードファイル {path} に使えない文字が含まれています（UTF-8 ではありません）")]
    FileNotUnicode { path: String },
    #[error("パスワード取得コマンド{program}を実行できません（{reason}）")]
    CommandSpawn { program: String, reason: String },
    #[error("パスワード取得コマンド{program}が失敗しました（終了コード {code}）")]
    CommandFailed { program: String, code: i32 },
    #[error("パスワード取得コマンド{program}がシグナル {signal} で終了しました")]
    CommandKilled { program: String, signal: i32 },
    #[error("パスワード取得コマンド{program}が {secs} 秒たっても終わらないため止めました")]
    CommandTimeout { program: String, secs: u64 },
    #[error("パスワード取得コマンド{program}が何も出力しませんでした")]
    CommandEmpty { program: String },
    #[error("パスワード取得コマンド{program}の出力に使えない文字が含まれています（UTF-8 ではありません）")]
    CommandNotUnicode { program: String },
    #[error("パスワード取得コマンド{program}の出力が大きすぎます")]
    CommandTooLarge { program: String },
}

impl SecretSource {
    /// Reads the secret now. This blocks (a file, a command that may take seconds): async
    /// code calls it on a blocking thread.
    pub fn resolve(&self) -> Result<Secret, SecretError> {
        self.resolve_with_timeout(COMMAND_TIMEOUT)
    }

    /// Reads the secret now; a command is killed after `timeout`.
    pub fn resolve_with_timeout(&self, timeout: Duration) -> Result<Secret, SecretError> {
        match self {
            SecretSource::Env(name) => from_env(name),
            SecretSource::File(path) => from_file(path),
            SecretSource::Command(command) => from_command(command, timeout),
        }
    }

    /// Whether reading the secret again may give another value (a rotated file, a token
    /// helper), so that a rejected credential is worth one more try.
    pub fn may_change(&self) -> bool {
        !matches!(self, SecretSource::Env(_))
    }
}

fn from_env(name: &str) -> Result<Secret, SecretError> {
    match std::env::var(name) {
        Ok(value) if value.is_empty() => Err(SecretError::EnvEmpty {
            name: name.to_string(),
        }),
        Ok(value) => Ok(Secret::new(value)),
        Err(std::env::VarError::NotPresent) => Err(SecretError::EnvMissing {
            name: name.to_string(),
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(SecretError::EnvNotUnicode {
            name: name.to_string(),
        }),
    }
}

fn from_file(path: &Path) -> Result<Secret, SecretError> {
    let shown = path.display().to_string();
    let unreadable = |err: std::io::Error| match err.kind() {
        std::io::ErrorKind::NotFound => SecretError::FileMissing {
            path: shown.clone(),
        },
        _ => SecretError::FileUnreadable {
            path: shown.clone(),
            reason: crate::files::io_error_text(&err),
        },
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    // The mode of the file actually opened (a symlink is followed, as ssh does).
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(SecretError::FileUnreadable {
            path: shown,
            reason: "フォルダです（ファイルを指定してください）".to_string(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretError::FileTooOpen { path: shown, mode });
        }
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_SECRET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_SECRET_BYTES {
        wipe(&mut bytes);
        return Err(SecretError::FileTooLarge { path: shown });
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            wipe(&mut err.into_bytes());
            return Err(SecretError::FileNotUnicode { path: shown });
        }
    };
    trim_line_end(&mut text);
    let secret = Secret::new(text);
    if secret.expose().is_empty() {
        return Err(SecretError::FileEmpty { path: shown });
    }
    Ok(secret)
}

/// Drops the line end(s) at the end of a secret's text.
fn trim_line_end(text: &mut String) {
    while text.ends_with('\n') || text.ends_with('\r') {
        text.pop();
    }
}

fn wipe(bytes: &mut [u8]) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(bytes);
}

/// How a command is named in an error: its first word only, since the rest of a command
/// line may hold a secret (`sh -c 'echo hunter2'`). Nothing if even that word looks like
/// an assignment (`PW=... cmd`).
fn program_label(command: &str) -> String {
    match command.split_whitespace().next() {
        Some(word) if !word.contains('=') && word.chars().count() <= 60 => {
            format!("（{word}）")
        }
        _ => String::new(),
    }
}

fn from_command(command: &str, timeout: Duration) -> Result<Secret, SecretError> {
    let program = program_label(command);
    let spawn_error = |err: std::io::Error| SecretError::CommandSpawn {
        program: program.clone(),
        reason: crate::files::io_error_text(&err),
    };
    // A runtime of its own, on a thread of its own (the caller may be anywhere), awaits the
    // command's end, its output and the deadline together, so nothing polls.
    let run = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
                    .block_on(run_command(command, timeout))
            })
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("実行が中断されました")))
    });
    let (status, mut output) = match run {
        Ok(Some(ended)) => ended,
        Ok(None) => {
            return Err(SecretError::CommandTimeout {
                program,
                secs: timeout.as_secs().max(1),
            })
        }
        Err(err) => return Err(spawn_error(err)),
    };

    if !status.success() {
        // Only the exit status is told: the output may hold the secret.
        wipe(&mut output);
        return Err(match status.code() {
            Some(code) => SecretError::CommandFailed { program, code },
            None => SecretError::CommandKilled {
                program,
                signal: exit_signal(&status),
            },
        });
    }
    if output.len() as u64 > MAX_SECRET_BYTES {
        wipe(&mut output);
        return Err(SecretError::CommandTooLarge { program });
    }
    let text = match String::from_utf8(output) {
        Ok(text) => text,
        Err(err) => {
            wipe(&mut err.into_bytes());
            return Err(SecretError::CommandNotUnicode { program });
        }
    };
    let text = Secret::new(text);
    // The first line, as `pass show` prints the password there.
    let first = text
        .expose()
        .split('\n')
        .next()
        .unwrap_or("")
        .trim_end_matches('\r');
    if first.is_empty() {
        return Err(SecretError::CommandEmpty { program });
    }
    Ok(Secret::new(first.to_string()))
}

/// Runs `sh -c command` with the output piped; none if it has not ended, and closed its
/// output, within `timeout` (it is then killed). A process it started that still holds
/// the output counts as not ended.
async fn run_command(
    command: &str,
    timeout: Duration,
) -> std::io::Result<Option<(std::process::ExitStatus, Vec<u8>)>> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // The command's own messages must not reach the dashboard's screen, and
        // could hold the secret: they are dropped.
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdout = child
        .stdout
        .take()
        .expect("stdout was piped")
        .take(MAX_SECRET_BYTES + 1);
    let mut output = Vec::new();
    let ended = async {
        // Read while waiting, so that a full pipe cannot stall the command.
        let (read, status) = tokio::join!(stdout.read_to_end(&mut output), child.wait());
        read.and(status)
    };
    let ended = tokio::time::timeout(timeout, ended).await;
    match ended {
        Ok(status) => Ok(Some((status?, output))),
        Err(_) => {
            let _ = child.kill().await;
            wipe(&mut output);
            Ok(None)
        }
    }
}

#[cfg(unix)]
fn exit_signal(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

#[cfg(not(unix))]
fn exit_signal(_status: &std::process::ExitStatus) -> i32 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_itself() {
        let secret = Secret::new("hunter2".to_string());
        assert_eq!(format!("{secret}"), MASK);
        assert_eq!(format!("{secret:?}"), MASK);
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn program_label_shows_only_the_first_word() {
        assert_eq!(program_label("pass show gmis"), "（pass）");
        assert_eq!(program_label("echo hunter2"), "（echo）");
        assert_eq!(program_label("PW=hunter2 helper"), "");
        assert_eq!(program_label(""), "");
    }

    #[test]
    fn line_ends_are_trimmed() {
        let mut text = "pw\r\n".to_string();
        trim_line_end(&mut text);
        assert_eq!(text, "pw");
        let mut text = "p w ".to_string();
        trim_line_end(&mut text);
        assert_eq!(text, "p w ");
    }
}

//! The documents generated from the command line itself: shell completions and man pages.
//! Both read the same clap command as `--help`, with clap's own words in Japanese, so
//! they cannot drift from the flags the program takes.

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::args::Cli;
use super::clap_text::help_text;

/// The command as the documents describe it: clap's generated help texts
/// (「Print help」, the `help` subcommand) in Japanese, as `--help` shows them.
pub fn documented_command() -> Command {
    built_in_japanese(Cli::command())
}

fn built_in_japanese(mut command: Command) -> Command {
    command.build();
    in_japanese(command)
}

fn in_japanese(mut command: Command) -> Command {
    if let Some(about) = command.get_about() {
        let about = help_text(&about.to_string());
        command = command.about(about);
    }
    let ids: Vec<clap::Id> = command
        .get_arguments()
        .map(|arg| arg.get_id().clone())
        .collect();
    for id in ids {
        command = command.mut_arg(id, |mut arg| {
            if let Some(help) = arg.get_help() {
                let help = help_text(&help.to_string());
                arg = arg.help(help);
            }
            if let Some(help) = arg.get_long_help() {
                let help = help_text(&help.to_string());
                arg = arg.long_help(help);
            }
            arg
        });
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, in_japanese);
    }
    command
}

/// The shells `bedboard completions` writes for.
pub const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut command = documented_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "bedboard", &mut script);
    script
}

/// Where a distribution installs the script for `shell`, relative to `assets/completions/`
/// in the source tree: the file names the shells look for.
pub fn completion_file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Zsh => "_bedboard",
        Shell::Fish => "bedboard.fish",
        _ => "bedboard.bash",
    }
}

/// One man page: its file name (`bedboard.1`, `bedboard-print.1`) and its roff text.
pub struct ManPage {
    pub file_name: String,
    pub text: Vec<u8>,
}

/// `bedboard.1` and one page per subcommand. No date is written, so the pages change only
/// when the command line does.
pub fn man_pages() -> Vec<ManPage> {
    // A page is the help of its command: `bedboard help print` needs none.
    let command = built_in_japanese(Cli::command().disable_help_subcommand(true));
    let subcommand_pages: Vec<ManPage> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| page_of(sub.clone(), ""))
        .collect();
    let see_also: Vec<String> = subcommand_pages
        .iter()
        .filter_map(|page| page.file_name.strip_suffix(".1"))
        .map(|name| format!("\\fB{}\\fR(1)", name.replace('-', "\\-")))
        .collect();
    let main_sections = format!(
        "{MAIN_PAGE_SECTIONS}.SH \"SEE ALSO\"\n{}\n",
        see_also.join(", ")
    );
    let mut pages = vec![page_of(command, &main_sections)];
    pages.extend(subcommand_pages);
    pages
}

fn page_of(command: Command, extra_roff: &str) -> ManPage {
    let man = clap_mangen::Man::new(command)
        .manual("bedboard")
        .source(concat!("bedboard ", env!("CARGO_PKG_VERSION")));
    let mut text = Vec::new();
    // Rendering into memory cannot fail.
    let _ = man.render(&mut text);
    // clap_mangen's own words around the values, as the help says them.
    let text = help_text(&String::from_utf8_lossy(&text))
        .replace("\\fIsubcommands\\fR", "\\fIコマンド\\fR");
    ManPage {
        file_name: man.get_filename(),
        text: format!("{}{extra_roff}", with_japanese_lines(&text)).into_bytes(),
    }
}

/// After the title: groff's Japanese rules, so lines break between kana and kanji (groff
/// alone breaks only at spaces), left-aligned and unhyphenated, as Japanese text is set.
fn with_japanese_lines(roff: &str) -> String {
    const JAPANESE: &str = ".if \\n(.g .mso ja.tmac\n.nh\n.ad l\n";
    match roff
        .find("\n.TH ")
        .and_then(|at| roff[at + 1..].find('\n').map(|end| at + end + 2))
    {
        Some(after_title) => format!("{}{JAPANESE}{}", &roff[..after_title], &roff[after_title..]),
        None => roff.to_string(),
    }
}

/// What `bedboard.1` says beyond the flags: the exit codes, the files and the variables.
const MAIN_PAGE_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
正常に終わった。\fBstatus\fR では、データが新しく取得も続いている。
.TP
\fB1\fR
コマンドが失敗した（端末・出力）。\fBstatus\fR では警告: 報告日時が古いか、取得が失敗し続けている。
.TP
\fB2\fR
使えない入力（設定ファイル・取得元・オプション）。\fBstatus\fR では危険: 履歴ファイルがない・読めない、または取得するプロセスのない状態が \fB\-\-critical\-after\fR 分（既定 15）を超えた。
.TP
\fB3\fR
URL の取得元から取得できない（あとで試してください）。
.SH FILES
.TP
\fI~/.config/bedboard/config.toml\fR
設定ファイル（\fB$BEDBOARD_CONFIG\fR、\fB$XDG_CONFIG_HOME\fR でも変えられる）。例は \fI/usr/share/doc/bedboard/config.example.toml\fR。
.TP
\fI~/.local/share/bedboard/history.sqlite3\fR
履歴ファイル（SQLite）。URL とフォルダの取得元の既定。
.TP
\fI~/.local/state/bedboard/bedboard.log\fR
ログ（\fB$BEDBOARD_LOG\fR で変えられる）。日ごとに \fIbedboard.log.YYYY\-MM\-DD\fR に移し、7 日分を残す。
.SH ENVIRONMENT
.TP
\fBBEDBOARD_CONFIG\fR
設定ファイルのパス。
.TP
\fBBEDBOARD_LOG\fR
ログファイルのパス。
.TP
\fBBEDBOARD_AMBIGUOUS_WIDTH\fR
曖昧幅文字の幅（narrow・wide・auto）。
.TP
\fBBEDBOARD_TERMINAL_ENCODING\fR
端末の文字コード（auto・utf8・sjis・eucjp）。
.TP
\fBNO_COLOR\fR
設定されていれば色を使わない。
"#;

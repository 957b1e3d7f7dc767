//! Starting the dashboard: settings from flags and config, the feed, the
//! store, and the terminal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::effects::Effects;
use crate::cli::error::{CommandError, Outcome};
use crate::config::{AmbiguousChoice, Config};
use crate::demo::server::{DemoFeed, DemoFeedOptions};
use crate::files::ReadError;
use crate::model::{time, PrefectureNumber, Report};
use crate::poll::masters::MasterSource;
use crate::poll::poller::{self, Origin, PollerConfig};
use crate::source::http::HttpOptions;
use crate::store::MasterKind;
use crate::text::charset::{CharsetChoice, Locale, TerminalCharset};
use crate::text::width::AmbiguousWidth;
use crate::ui::app::{App, DisplayOptions};
use crate::ui::terminal::{self, Ending, ProbeAnswer};
use crate::ui::theme::ThemeKind;
use crate::view::changes::LogEntry;
use crate::view::ViewSpec;

/// The dashboard's settings after flags, config and defaults are weighed.
pub struct Settings {
    pub config: Config,
    /// `--source`, else `[feed] source`; none is the demo feed.
    pub source: Option<String>,
    pub store: Option<PathBuf>,
    pub prefecture: Option<PrefectureNumber>,
    pub interval: Duration,
    pub stale_hours: u32,
}

/// `$XDG_DATA_HOME/bedboard/history.sqlite3`, else `~/.local/share/bedboard/history.sqlite3`.
pub fn default_store_path() -> PathBuf {
    crate::config::user_dir("XDG_DATA_HOME", ".local/share").join("history.sqlite3")
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// Where the history is kept: the flag, the config, or — for a URL or a
/// drop folder — the user's data folder. A single file opened for a look is
/// not recorded unless a store is named; the demo never is.
pub fn store_for(source: Option<&str>, flag: Option<&Path>, config: &Config) -> Option<PathBuf> {
    if let Some(path) = flag
        .map(Path::to_path_buf)
        .or_else(|| config.store_path.clone())
    {
        return Some(path);
    }
    match source {
        Some(s) if is_url(s) || Path::new(s).is_dir() => Some(default_store_path()),
        _ => None,
    }
}

/// `$BEDBOARD_LOG`, else `$XDG_STATE_HOME/bedboard/bedboard.log`
/// (`~/.local/state/bedboard/bedboard.log`).
pub fn log_path() -> PathBuf {
    if let Some(path) = std::env::var_os("BEDBOARD_LOG").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    crate::config::user_dir("XDG_STATE_HOME", ".local/state").join("bedboard.log")
}

/// Sends log lines to a file (never to the screen the dashboard draws on),
/// each made safe as the screen's text is, one file a day and a week kept.
/// A log that cannot be opened is not a reason to stop.
fn start_logging() {
    use crate::cli::log::{DailyLog, JapanTime, SanitizedLog, KEPT_DAYS};
    let path = log_path();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = DailyLog::open(&path, KEPT_DAYS) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(SanitizedLog::new(file))
        .with_timer(JapanTime)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

/// `pid@host`, to name the process that polls.
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string());
    format!("{}@{host}", std::process::id())
}

/// Where the dashboard reads `source` from: a URL with the `[feed]` settings, a folder or a file.
pub fn origin_for(source: &str, config: &Config) -> Origin {
    if is_url(source) {
        let feed = &config.feed;
        let mut options = HttpOptions::new(source);
        options.timeout = feed.timeout;
        options.max_bytes = feed.max_bytes;
        options.extra_ca = feed.extra_ca.clone();
        options.auth = feed.auth.clone();
        return Origin::Http(Box::new(options));
    }
    let path = PathBuf::from(source);
    if path.is_dir() {
        Origin::Dir(path)
    } else {
        Origin::File(path)
    }
}

/// A file source is looked at before the terminal is taken: a terminal (`/dev/stdin`)
/// would take the keyboard, a device or a FIFO would never end, a file over the cap would
/// fill the memory. A file not there yet is the dashboard's to report and wait for.
pub fn check_file_source(origin: &Origin, max_bytes: u64) -> Result<(), CommandError> {
    let Origin::File(path) = origin else {
        return Ok(());
    };
    match crate::files::check_regular(path, max_bytes) {
        Err(err @ (ReadError::NotRegular { .. } | ReadError::TooBig { .. })) => {
            Err(CommandError::Unusable(err.to_string()))
        }
        _ => Ok(()),
    }
}

/// Runs the full-screen dashboard until the user quits.
pub fn dashboard(
    settings: Settings,
    display: DisplayChoice,
    encoding: crate::formats::EncodingChoice,
    masters: MasterFiles,
) -> Outcome {
    let Settings {
        config,
        source,
        store,
        prefecture,
        interval,
        stale_hours,
    } = settings;
    start_logging();
    // The demo feed is a real HTTP server on a free loopback port, so the
    // demo exercises the same path as a real feed.
    let mut demo: Option<DemoFeed> = None;
    let (origin, is_demo) = match source.as_deref() {
        Some(source) => (origin_for(source, &config), false),
        None => match DemoFeed::start(DemoFeedOptions {
            addr: "127.0.0.1:0".into(),
            ..DemoFeedOptions::default()
        }) {
            Ok(feed) => {
                let origin = Origin::Http(Box::new(HttpOptions::new(feed.url("/report.csv"))));
                demo = Some(feed);
                (origin, true)
            }
            Err(err) => {
                return Err(CommandError::Failed(format!(
                    "デモ用のフィードを起動できません（{err}）"
                )))
            }
        },
    };
    check_file_source(&origin, config.feed.max_bytes)?;
    // The demo keeps its history in a file of its own for the session, so
    // the hospital page has something to draw; it is removed at the end.
    let demo_store = (is_demo && store.is_none()).then(|| {
        std::env::temp_dir().join(format!("bedboard-demo-{}.sqlite3", std::process::id()))
    });
    // Weeks of generated history, written while the terminal is set up and
    // before the poller opens the file.
    let demo_history = match (&demo_store, &demo) {
        (Some(path), Some(feed)) => Some(DemoHistoryWriter::start(path, feed.started_at())),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CommandError::Failed(err.to_string()))?;
    let now = time::now_jst();
    let mut spec = ViewSpec::new(now);
    spec.stale_after = chrono::Duration::hours(i64::from(stale_hours));
    let charset = display
        .charset
        .or(config.terminal_encoding)
        .unwrap_or_default()
        .resolve(&Locale::from_env());
    let unprepared = |err: std::io::Error| {
        terminal::restore();
        CommandError::Failed(format!("端末を準備できません（{err}）"))
    };
    terminal::enter().map_err(unprepared)?;
    let width = ambiguous_width(&display, &config, charset);
    let ambiguous = width.amb;
    let mut term = terminal::screen(charset, ambiguous).map_err(unprepared)?;
    let no_color = display.no_color
        || config.no_color
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let options = DisplayOptions {
        ambiguous,
        // Braille and the small triangles are in neither Japanese set.
        ascii: display.ascii || config.ascii || !charset.is_utf8(),
        theme: if no_color {
            ThemeKind::Mono
        } else {
            display
                .theme
                .or(config.theme)
                .unwrap_or_else(crate::ui::theme::for_terminal)
        },
    };
    let store = store.or_else(|| demo_store.clone());
    let label = if is_demo {
        "デモ用フィード".to_string()
    } else {
        origin.label()
    };
    let mut app = App::new(Report::default(), label, is_demo, options, spec);
    // The probe may have waited seconds since the view's clock was read.
    app.set_now(time::now_jst());
    // Checked by the command before the terminal was taken.
    app.keys = crate::ui::keymap::KeyMap::for_config(&config.keys).unwrap_or_default();
    app.config_path = config.path.clone();
    if let Some(warning) = width.warning {
        app.notify_in_turn(warning);
    }
    app.display_note = width.note;
    if let Some(folder) = &config.export_folder {
        app.export_folder = folder.clone();
    }
    app.apply_view(&config.view);
    if let Some(writing) = demo_history {
        app.change_log = writing.finish().into();
    }
    app.feed.live = true;
    app.store_path = store.clone();
    app.operator = crate::cli::watch::operator_name();
    app.profile = config.profile.clone();
    if is_demo && masters.hospitals.is_none() && masters.municipalities.is_none() {
        load_demo_masters(&mut app);
    }
    let feed_http = match &origin {
        Origin::Http(options) => Some((**options).clone()),
        _ => None,
    };
    let poller_config = PollerConfig {
        origin,
        format: config.feed.format,
        encoding: if is_demo {
            crate::formats::EncodingChoice::Auto
        } else {
            encoding
        },
        interval: if is_demo {
            Duration::from_secs(10)
        } else {
            interval
        },
        prefecture,
        store,
        retention: chrono::Duration::days(i64::from(config.retention_days)),
        holder: holder_name(),
        masters: masters.sources(feed_http.as_ref()),
        max_bytes: config.feed.max_bytes,
    };
    let result = runtime.block_on(async {
        // One store thread serves the poller and the watch list.
        let shared = match &app.store_path.clone() {
            Some(path) => crate::cli::watch::open_store(&mut app, path).await,
            None => None,
        };
        let mut handle = match &shared {
            Some(store) => poller::start_with_store(poller_config, store.clone()),
            None => poller::start(poller_config),
        };
        let mut effects = Effects::new(Some(handle.poll_now.clone()));
        if let Some(store) = shared {
            effects = effects.with_store(store);
        }
        let events = handle.take_events();
        let result = terminal::run(&mut term, &mut app, Some(events), &effects).await;
        // Every way out of the dashboard comes here (q, Ctrl-C, SIGTERM,
        // SIGHUP): the lease is freed for the next dashboard, the WAL
        // checkpointed and the store's file closed before the process ends.
        handle.shutdown().await;
        result
    });
    terminal::restore();
    drop(demo);
    // Only now that the store's thread has closed it.
    if let Some(path) = demo_store {
        crate::store::remove_files(&path);
    }
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result.map_err(|err| CommandError::Failed(err.to_string()))? {
        Ending::Quit => Ok(ExitCode::SUCCESS),
        // As a process killed by the signal would report it.
        Ending::Signal(signal) => Ok(ExitCode::from(128u8.saturating_add(signal as u8))),
    }
}

/// The ambiguous width chosen, and how.
struct WidthChoice {
    amb: AmbiguousWidth,
    /// How it was chosen, with the character set: the log has it and the help shows it.
    note: String,
    /// For the screen, when the terminal did not answer.
    warning: Option<String>,
}

/// The ambiguous width to draw with. A terminal that does not answer is drawn
/// narrow, except one in a Japanese legacy set: those draw every double-byte
/// character, ambiguous ones too, two cells wide.
fn ambiguous_width(
    display: &DisplayChoice,
    config: &Config,
    charset: TerminalCharset,
) -> WidthChoice {
    let chosen = display
        .ambiguous
        .or(config.ambiguous_width)
        .unwrap_or_default();
    let fallback = fallback_width(charset);
    let (amb, why, warning) = match chosen {
        AmbiguousChoice::Fixed(amb) => (amb, "指定".to_string(), None),
        AmbiguousChoice::Auto => match terminal::probe_ambiguous_width(charset) {
            answer @ ProbeAnswer::Cells(n) => match answer.width() {
                Some(amb) => (amb, "端末に確認".to_string(), None),
                None => (fallback, format!("端末の答え {n} は使えないため既定"), None),
            },
            ProbeAnswer::Silent => (
                fallback,
                format!(
                    "端末が {} 秒以内に答えなかったため既定",
                    terminal::PROBE_WAIT.as_secs()
                ),
                Some(format!(
                    "端末が文字幅の問い合わせに答えませんでした。曖昧幅 {} セルで描きます（--ambiguous-width で変えられます）",
                    fallback.cells()
                )),
            ),
        },
    };
    let note = format!(
        "曖昧幅 {} セル（{why}）・文字コード {}",
        amb.cells(),
        charset.label()
    );
    tracing::info!("表示: {note}");
    WidthChoice { amb, note, warning }
}

fn fallback_width(charset: TerminalCharset) -> AmbiguousWidth {
    if charset.is_utf8() {
        AmbiguousWidth::Narrow
    } else {
        AmbiguousWidth::Wide
    }
}

/// Masters named on the command line or in the config: a path or a URL.
#[derive(Clone, Debug, Default)]
pub struct MasterFiles {
    pub hospitals: Option<String>,
    pub municipalities: Option<String>,
}

impl MasterFiles {
    /// The flags where given, else the config's masters.
    pub fn chosen(
        hospitals: &Option<String>,
        municipalities: &Option<String>,
        config: &Config,
    ) -> Self {
        Self {
            hospitals: hospitals.clone().or_else(|| config.hospital_master.clone()),
            municipalities: municipalities
                .clone()
                .or_else(|| config.municipality_master.clone()),
        }
    }

    /// The sources to read at start; URLs are fetched like the feed.
    pub fn sources(&self, feed: Option<&HttpOptions>) -> Vec<(MasterKind, MasterSource)> {
        [
            (MasterKind::Hospital, &self.hospitals),
            (MasterKind::Municipality, &self.municipalities),
        ]
        .into_iter()
        .filter_map(|(kind, text)| Some((kind, MasterSource::from_text(text.as_deref()?, feed))))
        .collect()
    }
}

/// The demo's history being written on a thread of its own. Dropped unfinished (the
/// dashboard gave up before it started), it waits for the thread and removes the file.
struct DemoHistoryWriter {
    thread: Option<std::thread::JoinHandle<Vec<LogEntry>>>,
    path: PathBuf,
}

impl DemoHistoryWriter {
    fn start(path: &Path, feed_started: crate::model::JstDateTime) -> Self {
        let owned = path.to_path_buf();
        let thread = std::thread::spawn(move || seed_demo_history(&owned, &feed_started));
        Self {
            thread: Some(thread),
            path: path.to_path_buf(),
        }
    }

    /// Waits for the history; its change log, newest first.
    fn finish(mut self) -> Vec<LogEntry> {
        self.thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for DemoHistoryWriter {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
            crate::store::remove_files(&self.path);
        }
    }
}

/// Writes the demo's generated history (a few weeks up to the feed's start) into the
/// demo's own store and returns the change log it makes. A store that cannot be
/// written costs the demo its history, nothing else.
fn seed_demo_history(path: &Path, feed_started: &crate::model::JstDateTime) -> Vec<LogEntry> {
    use crate::demo::history::{demo_history, history_end, write_demo_history, DEMO_HISTORY_DAYS};
    let started = std::time::Instant::now();
    // A file left by an earlier run that had the same process id is not this session's.
    crate::store::remove_files(path);
    let history = demo_history(&history_end(feed_started), DEMO_HISTORY_DAYS);
    let written = crate::store::Store::open(path)
        .and_then(|mut store| write_demo_history(&mut store, &history));
    match written {
        Ok(log) => {
            tracing::info!(
                days = DEMO_HISTORY_DAYS,
                millis = started.elapsed().as_millis() as u64,
                "demo history written"
            );
            log
        }
        Err(err) => {
            tracing::warn!(error = %err, "demo history not written");
            Vec::new()
        }
    }
}

/// The demo's own masters: its hospitals, and Tokyo's municipalities with their areas.
fn load_demo_masters(app: &mut App) {
    let (hospitals, municipalities) = crate::demo::generator::demo_masters();
    app.set_masters(hospitals, Some(municipalities), time::now_jst());
}

/// Display choices from the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct DisplayChoice {
    pub ambiguous: Option<AmbiguousChoice>,
    pub charset: Option<CharsetChoice>,
    pub ascii: bool,
    pub no_color: bool,
    pub theme: Option<ThemeKind>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::generator::demo_report;
    use crate::demo::history::history_end;

    #[test]
    fn the_demo_store_starts_with_weeks_of_history_ending_at_the_feeds_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bedboard-demo.sqlite3");
        // A file an earlier run left under the same name is not this session's.
        std::fs::write(&path, b"left over").unwrap();
        let started = time::parse_datetime("2026/11/01 09:00:27").unwrap();
        let log = seed_demo_history(&path, &started);
        assert!(!log.is_empty(), "the change log has the history's changes");
        let store = crate::store::Store::open(&path).unwrap();
        assert_eq!(
            store.recovered_from(),
            None,
            "the old file was removed, not recovered"
        );
        let latest = store.latest_snapshot().unwrap().unwrap();
        assert_eq!(latest.report, demo_report(&started));
        assert_eq!(latest.fetched_at, history_end(&started));
        let code = latest.report.rows[0].hospital_code;
        let month_ago = started - chrono::Duration::days(30);
        let versions = store.hospital_history(&code, month_ago).unwrap();
        assert!(
            started - versions[0].0 >= chrono::Duration::days(20),
            "weeks of history: {:?}",
            versions.first().map(|v| v.0)
        );
    }
}

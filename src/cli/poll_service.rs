//! `bedboard poll`: the dashboard's poller without a screen, for a service. It polls into
//! the store under the same lease as the dashboards, which then follow it; it logs each
//! outcome to stderr and stops cleanly on SIGTERM, SIGINT or SIGHUP.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::args::PollArgs;
use crate::cli::dashboard::{self, MasterFiles};
use crate::cli::error::{CommandError, Outcome};
use crate::cli::poll_log::{stderr_is_terminal, PollLog, Priority, Stamp};
use crate::config::Config;
use crate::demo::server::{DemoFeed, DemoFeedOptions};
use crate::poll::poller::{self, Origin, PollerConfig};
use crate::poll::role::service_name;
use crate::source::http::HttpOptions;
use crate::store::StoreHandle;

/// The signals that stop the service; each ends it as a clean stop (exit 0).
const STOP_SIGNALS: [(libc::c_int, &str); 3] = [
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGHUP, "SIGHUP"),
];

/// The demo's interval when none is given: it changes every few seconds.
const DEMO_INTERVAL: Duration = Duration::from_secs(10);

/// What the service polls and where it keeps it, after flags, config and defaults.
struct Service {
    origin: Origin,
    store: PathBuf,
    /// Where the store's path came from, for the first line: 「既定」, 「デモ用・終了時に削除」.
    store_note: Option<&'static str>,
    /// A temporary store of the demo's, removed at the end.
    demo_store: bool,
    poller: PollerConfig,
}

pub fn poll(args: &PollArgs) -> Outcome {
    let config = crate::config::load(args.config.path.as_deref())?;
    let log = PollLog::new(Stamp::for_stderr());
    // Taken before anything else: a stop asked during the start is still a clean one.
    let stop = stop_signals()?;
    let source = args.source.clone().or_else(|| config.feed.source.clone());
    let demo = match &source {
        Some(_) => None,
        None => Some(start_demo()?),
    };
    let service = settle(args, config, source.as_deref(), demo.as_ref())?;
    if demo.is_some() {
        log.write(&[(
            Priority::Warning,
            "取得元の指定がないため、内蔵のデモ用フィードを取得します（試用向け。本番では --source か設定ファイルの [feed] source を指定してください）".to_string(),
        )]);
    }
    log.write(&[(Priority::Info, start_line(&service))]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| CommandError::Failed(err.to_string()))?;
    let store = service.store.clone();
    let demo_store = service.demo_store;
    let ended = runtime.block_on(run(service, log, stop));
    drop(demo);
    if demo_store {
        // Only now that the store's thread has closed it.
        crate::store::remove_files(&store);
    }
    runtime.shutdown_timeout(Duration::from_millis(200));
    ended
}

/// Weighs the flags, the config and the defaults as the dashboard does. Every source is
/// recorded: with no store named, the dashboard's default one (the demo's own
/// temporary file).
fn settle(
    args: &PollArgs,
    config: Config,
    source: Option<&str>,
    demo: Option<&DemoFeed>,
) -> Result<Service, CommandError> {
    let origin = match (source, demo) {
        (Some(source), _) => dashboard::origin_for(source, &config),
        (None, Some(feed)) => Origin::Http(Box::new(HttpOptions::new(feed.url("/report.csv")))),
        (None, None) => {
            return Err(CommandError::Unusable(
                "取得元がありません（--source）".to_string(),
            ))
        }
    };
    dashboard::check_file_source(&origin, config.feed.max_bytes)?;
    let named = args.store.clone().or_else(|| config.store_path.clone());
    let (store, store_note, demo_store) = match named {
        Some(path) => (path, None, false),
        None if demo.is_some() => (
            std::env::temp_dir().join(format!("bedboard-demo-poll-{}.sqlite3", std::process::id())),
            Some("デモ用・終了時に削除"),
            true,
        ),
        None => (dashboard::default_store_path(), Some("既定"), false),
    };
    let masters = MasterFiles::chosen(&args.master, &args.municipalities, &config);
    let feed_http = match &origin {
        Origin::Http(options) => Some((**options).clone()),
        _ => None,
    };
    let interval = match (args.interval, demo) {
        (Some(secs), _) => Duration::from_secs(secs),
        (None, Some(_)) => DEMO_INTERVAL,
        (None, None) => config.feed.interval,
    };
    let poller = PollerConfig {
        origin: origin.clone(),
        format: args.format.unwrap_or(config.feed.format),
        encoding: args.encoding.unwrap_or(config.feed.encoding),
        interval,
        prefecture: args.prefecture.or(config.prefecture),
        store: Some(store.clone()),
        retention: chrono::Duration::days(i64::from(config.retention_days)),
        holder: service_name(&dashboard::holder_name()),
        masters: masters.sources(feed_http.as_ref()),
        max_bytes: config.feed.max_bytes,
    };
    Ok(Service {
        origin,
        store,
        store_note,
        demo_store,
        poller,
    })
}

/// 「bedboard poll を開始します（pid 1234）: 取得元 …・履歴ファイル …（既定）・間隔 60 秒」
fn start_line(service: &Service) -> String {
    let note = service
        .store_note
        .map_or(String::new(), |note| format!("（{note}）"));
    let mut line = format!(
        "bedboard poll を開始します（pid {}）: 取得元 {}・履歴ファイル {}{note}・間隔 {} 秒",
        std::process::id(),
        service.origin.label(),
        service.store.display(),
        service.poller.interval.as_secs()
    );
    if stderr_is_terminal() {
        line.push_str("。Ctrl-C で止めます");
    }
    line
}

fn start_demo() -> Result<DemoFeed, CommandError> {
    DemoFeed::start(DemoFeedOptions {
        addr: "127.0.0.1:0".into(),
        ..DemoFeedOptions::default()
    })
    .map_err(|err| CommandError::Failed(format!("デモ用のフィードを起動できません（{err}）")))
}

/// The first stop signal, as its name, on a thread of its own.
fn stop_signals() -> Result<tokio::sync::oneshot::Receiver<&'static str>, CommandError> {
    let mut signals =
        signal_hook::iterator::Signals::new(STOP_SIGNALS.map(|(number, _)| number))
            .map_err(|err| CommandError::Failed(format!("シグナルを受けられません（{err}）")))?;
    let (stopped, stop) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        if let Some(number) = signals.forever().next() {
            let name = STOP_SIGNALS
                .iter()
                .find(|(n, _)| *n == number)
                .map_or("signal", |(_, name)| name);
            let _ = stopped.send(name);
        }
    });
    Ok(stop)
}

/// Polls until a stop signal, logging each event; then gives the lease up, checkpoints
/// and closes the store.
async fn run(
    service: Service,
    mut log: PollLog,
    mut stop: tokio::sync::oneshot::Receiver<&'static str>,
) -> Outcome {
    // Opened here rather than by the poller: a store that cannot be opened stops the
    // service (and systemd starts it again) instead of polling into nothing.
    let store = StoreHandle::open(&service.store).await?;
    if let Some(moved) = store.recovered_from() {
        log.write(&[(
            Priority::Warning,
            format!(
                "履歴ファイルが壊れていたため {} に退避し、新しく作りました",
                moved.display()
            ),
        )]);
    }
    let mut handle = poller::start_with_store(service.poller, store);
    let mut events = handle.take_events();
    let signal = loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => {
                    let lines = log.lines(&event);
                    log.write(&lines);
                }
                None => break None,
            },
            signal = &mut stop => break Some(signal.unwrap_or("signal")),
        }
    };
    if let Some(signal) = signal {
        log.write(&[(Priority::Info, format!("{signal} を受けたため終了します"))]);
    }
    handle.shutdown().await;
    match signal {
        Some(_) => {
            log.write(&[(
                Priority::Info,
                "取得を止め、履歴ファイルを閉じました".to_string(),
            )]);
            Ok(ExitCode::SUCCESS)
        }
        None => Err(CommandError::Failed(
            "取得が予期せず止まりました".to_string(),
        )),
    }
}

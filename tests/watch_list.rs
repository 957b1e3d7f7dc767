//! The watch list and acknowledgements live in the store: two dashboard lifetimes on one
//! history file in a temporary folder, each an App with the effect runner and the store's
//! thread the dashboard uses.

use std::path::{Path, PathBuf};

use bedboard::cli::effects::Effects;
use bedboard::cli::watch;
use bedboard::formats::{self, ImportOptions};
use bedboard::model::time::parse_datetime;
use bedboard::model::HospitalCode;
use bedboard::store::{Store, StoreHandle};
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions, Effect};
use bedboard::ui::draw;
use bedboard::ui::effect::EffectRunner;
use bedboard::ui::painter::row_text;
use bedboard::ui::theme::ThemeKind;
use bedboard::ui::view_model::ViewKind;
use bedboard::view::changes::WatchAlert;
use bedboard::view::ViewSpec;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SEED: &str = "assets/sample/seed-tokyo.csv";

/// The seed report at 12:00 on its day, keeping its history in `store`.
fn app(store: &Path) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let import = formats::import_file(&path, &ImportOptions::default()).unwrap();
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let spec = ViewSpec::new(parse_datetime("2022/02/01 12:00").unwrap());
    let mut app = App::new(import.report, SEED.to_string(), false, options, spec);
    app.store_path = Some(store.to_path_buf());
    app.operator = "ops@console1".to_string();
    app
}

/// One dashboard lifetime: the store opened as the dashboard opens it, and closed at the end.
struct Dashboard {
    app: App,
    store: StoreHandle,
    effects: Effects,
}

impl Dashboard {
    async fn start(path: &Path, configured_watch: &[HospitalCode]) -> Self {
        let mut app = app(path);
        app.watch = configured_watch.iter().copied().collect();
        let store = watch::open_store(&mut app, path)
            .await
            .expect("the store opens");
        let effects = Effects::default().with_store(store.clone());
        Dashboard {
            app,
            store,
            effects,
        }
    }

    /// Presses a key and does its effects as the event loop does, answers included.
    async fn press(&mut self, c: char) {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let action = self
            .app
            .keys
            .action(key, self.app.mode)
            .expect("a bound key");
        let effects = self.app.update(action);
        self.settle(effects).await;
    }

    async fn settle(&mut self, effects: Vec<Effect>) {
        let (reply, mut replies) = tokio::sync::mpsc::unbounded_channel();
        let mut asked = 0;
        for effect in effects {
            asked += 1;
            self.effects.run(effect, reply.clone());
        }
        for _ in 0..asked {
            let msg = replies.recv().await.expect("an answer");
            assert!(self.app.on_message(msg).is_empty());
        }
    }

    fn screen(&mut self) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
        terminal
            .draw(|frame| draw::draw(frame, &mut self.app))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        (0..24).map(|y| row_text(&buffer, y)).collect()
    }

    /// Quits without `w`: the store's thread finishes what was asked and closes the file.
    async fn quit(self) {
        self.store.close().await;
    }
}

fn selected_code(app: &App) -> HospitalCode {
    let row = app.selected_row().expect("a hospital row is selected");
    app.report().rows[row].hospital_code
}

fn history(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("history.sqlite3")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_set_with_a_survives_a_restart_without_w() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(&dir);
    let mut first = Dashboard::start(&path, &[]).await;
    first.app.update(bedboard::ui::keymap::Action::Down);
    let code = selected_code(&first.app);
    first.press('a').await;
    let message = first.app.notice_text().unwrap().to_string();
    assert!(message.contains("を監視します"), "{message}");
    assert!(
        !message.contains("w で保存"),
        "nothing is left to save: {message}"
    );
    first.quit().await;

    let mut second = Dashboard::start(&path, &[]).await;
    assert_eq!(second.app.watch, [code].into());
    let screen = second.screen().join("\n");
    assert!(screen.contains("監視中"), "状態 says so:\n{screen}");

    // Taken off again, it stays off.
    second.app.update(bedboard::ui::keymap::Action::Down);
    assert_eq!(selected_code(&second.app), code);
    second.press('a').await;
    second.quit().await;
    let third = Dashboard::start(&path, &[]).await;
    assert!(third.app.watch.is_empty());
    third.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_list_seeds_only_a_store_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(&dir);
    let configured = HospitalCode::parse("1310100016").unwrap();
    let first = Dashboard::start(&path, &[configured]).await;
    assert_eq!(first.app.watch, [configured].into());
    first.quit().await;
    let saved = Store::open(&path).unwrap().watch_list().unwrap();
    assert_eq!(saved, Some([configured].into()), "seeded at start");

    // The list the dashboard keeps wins over the config from now on.
    let mut second = Dashboard::start(&path, &[configured]).await;
    second.app.watch.clear();
    let effects = vec![Effect::SetWatched {
        code: configured,
        watched: false,
        at: *second.app.now(),
    }];
    second.settle(effects).await;
    second.quit().await;
    let third = Dashboard::start(&path, &[configured]).await;
    assert!(third.app.watch.is_empty());
    third.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledgement_shows_in_the_change_log_with_who_and_when_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(&dir);
    let mut first = Dashboard::start(&path, &[]).await;
    let code = first.app.report().rows[0].hospital_code;
    let name = first.app.report().rows[0].hospital_name.to_string();
    first.app.alerts.push(WatchAlert {
        code,
        name: name.clone(),
        free: Some(0),
        full: true,
    });
    first.press('x').await;
    assert!(first.app.alerts.is_empty());
    let expected = format!("02/01 12:00 確認: {name} 空床 0 — 確認者 ops@console1");
    first.app.kind = ViewKind::ChangeLog;
    let screen = first.screen();
    assert!(
        screen.iter().any(|line| line.contains(&expected)),
        "{expected}\n{}",
        screen.join("\n")
    );
    first.quit().await;

    let mut second = Dashboard::start(&path, &[]).await;
    second.app.kind = ViewKind::ChangeLog;
    let screen = second.screen();
    assert!(
        screen.iter().any(|line| line.contains(&expected)),
        "kept in the store:\n{}",
        screen.join("\n")
    );
    second.quit().await;
    let kept = Store::open(&path)
        .unwrap()
        .acknowledgements_since(parse_datetime("2022/02/01 00:00").unwrap())
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].by, "ops@console1");
    assert_eq!(kept[0].at, parse_datetime("2022/02/01 12:00").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dashboards_on_one_store_add_to_the_list_not_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = history(&dir);
    let mut first = Dashboard::start(&path, &[]).await;
    let mut second = Dashboard::start(&path, &[]).await;
    first.press('a').await;
    let first_code = selected_code(&first.app);
    second.app.update(bedboard::ui::keymap::Action::Down);
    second.press('a').await;
    let second_code = selected_code(&second.app);
    assert_ne!(first_code, second_code);
    first.quit().await;
    second.quit().await;
    let next = Dashboard::start(&path, &[]).await;
    assert_eq!(next.app.watch, [first_code, second_code].into());
    next.quit().await;
}

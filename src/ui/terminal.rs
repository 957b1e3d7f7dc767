//! The terminal: raw mode and the alternate screen, restored on every way out
//! (quit, panic, SIGTERM, SIGHUP when an SSH connection drops), and the event loop.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::style::{Attribute, SetAttribute};
use crossterm::{cursor, execute, terminal};
use futures::StreamExt;
use ratatui::Terminal;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::Notify;

use super::app::App;
use super::backend::TrackingBackend;
use super::charset_writer::CharsetWriter;
use super::draw;
use super::effect::{Effect, EffectRunner, Msg};
use super::row_bytes::Erase;
use crate::poll::poller::FeedEvent;
use crate::text::charset::TerminalCharset;
use crate::text::width::AmbiguousWidth;

pub type Term = Terminal<TrackingBackend<CharsetWriter<Stdout>>>;

/// Takes the terminal: raw mode and the alternate screen, with the hooks that give it back.
pub fn enter() -> io::Result<()> {
    install_panic_hook();
    install_signal_handler();
    terminal::enable_raw_mode()?;
    execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)
}

/// The screen to draw on, written in the terminal's character set; `amb`
/// measures the marks for characters the set lacks.
pub fn screen(charset: TerminalCharset, amb: AmbiguousWidth) -> io::Result<Term> {
    let term = std::env::var("TERM").unwrap_or_default();
    let writer = CharsetWriter::new(io::stdout(), charset, amb);
    Terminal::new(TrackingBackend::new(writer).erasing(erase_for(&term)))
}

/// Which backgrounds a terminal named `term` (TERM) erases in, judged as
/// ncurses judges from terminfo's `bce`: the families whose entries have it
/// (xterm and what calls itself xterm: VTE, TeraTerm, Windows Terminal;
/// PuTTY, rxvt, Konsole, the Linux console...) erase in the pen's
/// background. screen's and tmux's entries lack it (GNU screen does not by
/// default), and so does anything not known: there only the default
/// background is erased, and coloured blanks are written.
pub fn erase_for(term: &str) -> Erase {
    const BCE: &[&str] = &[
        "xterm",
        "vte",
        "gnome",
        "konsole",
        "putty",
        "rxvt",
        "linux",
        "alacritty",
        "foot",
        "wezterm",
        "mintty",
        "ms-terminal",
        "contour",
    ];
    if BCE.iter().any(|family| term.starts_with(family)) {
        Erase::InPenColour
    } else {
        Erase::DefaultOnly
    }
}

/// Leaves raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    // The pen of the last frame is not left to the shell.
    let _ = execute!(
        io::stdout(),
        SetAttribute(Attribute::Reset),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = io::stdout().flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// A signal that asks the dashboard to end, for the event loop to see.
struct Shutdown {
    signal: AtomicI32,
    asked: Notify,
}

fn shutdown() -> &'static Shutdown {
    static SHUTDOWN: OnceLock<Shutdown> = OnceLock::new();
    SHUTDOWN.get_or_init(|| Shutdown {
        signal: AtomicI32::new(0),
        asked: Notify::new(),
    })
}

/// SIGTERM, SIGHUP (an SSH connection dropped) and SIGINT end the event loop
/// the way `q` does, so the caller's shutdown runs. A signal that comes
/// before the loop waits is kept until it does.
fn install_signal_handler() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let shutdown = shutdown();
            shutdown.signal.store(signal, Ordering::SeqCst);
            shutdown.asked.notify_one();
        }
    });
}

/// Why the event loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The user quit (or the terminal's input ended).
    Quit,
    /// This signal asked the dashboard to end.
    Signal(i32),
}

/// How long the terminal may take to say where its cursor is: long enough for
/// an SSH link with a round trip of a few seconds. An answer ends it at once.
pub const PROBE_WAIT: Duration = Duration::from_secs(6);

/// What the terminal said when asked how wide it draws an ambiguous character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// The cursor moved this many cells past one ambiguous character.
    Cells(u16),
    /// No answer within [`PROBE_WAIT`].
    Silent,
}

impl ProbeAnswer {
    /// The width the answer means; `None` when it means nothing.
    pub fn width(self) -> Option<AmbiguousWidth> {
        match self {
            Self::Cells(1) => Some(AmbiguousWidth::Narrow),
            Self::Cells(2) => Some(AmbiguousWidth::Wide),
            _ => None,
        }
    }
}

/// Asks the terminal how wide it draws an ambiguous character: print one (in
/// the terminal's own set), ask for the cursor column, and wait for the
/// answer up to [`PROBE_WAIT`]. The question is asked again every two
/// seconds (crossterm's wait); an answer that comes after the dashboard has
/// started is taken by crossterm's reader as a cursor report, never as keys.
pub fn probe_ambiguous_width(charset: TerminalCharset) -> ProbeAnswer {
    let mut out = io::stdout();
    let mut ask = || -> io::Result<()> {
        execute!(
            out,
            terminal::Clear(terminal::ClearType::All),
            cursor::MoveTo(0, 1)
        )?;
        out.write_all(&charset.encode("端末の文字幅を確認しています…", AmbiguousWidth::Narrow))?;
        execute!(out, cursor::MoveTo(0, 0))?;
        // ○, East Asian ambiguous, and in both Japanese sets.
        out.write_all(&charset.encode("\u{25CB}", AmbiguousWidth::Narrow))?;
        out.flush()
    };
    let started = std::time::Instant::now();
    let mut answer = ProbeAnswer::Silent;
    if ask().is_ok() {
        while started.elapsed() < PROBE_WAIT {
            if let Ok((column, _)) = cursor::position() {
                answer = ProbeAnswer::Cells(column);
                break;
            }
        }
    }
    // The first frame is drawn on a clean screen.
    let _ = execute!(
        out,
        terminal::Clear(terminal::ClearType::All),
        cursor::MoveTo(0, 0)
    );
    answer
}

/// The event loop: one task that waits for a key, a resize, the feed, the
/// answer to an effect, a view prepared in the background, a signal, the
/// minute when ages change or the end of a notice, and draws only when
/// something changed. Effects go to `runner`, except those that only write
/// to the terminal.
pub async fn run(
    term: &mut Term,
    app: &mut App,
    mut feed: Option<UnboundedReceiver<FeedEvent>>,
    runner: &dyn EffectRunner,
) -> io::Result<Ending> {
    let mut events = EventStream::new();
    let (reply, mut replies) = mpsc::unbounded_channel::<Msg>();
    let shutdown = shutdown();
    loop {
        if app.dirty {
            term.draw(|frame| draw::draw(frame, app))?;
            app.dirty = false;
        }
        if app.should_quit {
            return Ok(Ending::Quit);
        }
        let wait = app.until_next_change();
        let effects = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    woke(app);
                    on_terminal_event(app, event)
                }
                Some(Err(err)) => return Err(err),
                None => return Ok(Ending::Quit),
            },
            event = next_feed_event(&mut feed) => match event {
                Some(event) => {
                    woke(app);
                    app.on_feed(event)
                }
                // The poller has stopped: keep showing what we have.
                None => {
                    feed = None;
                    Vec::new()
                }
            },
            Some(msg) = replies.recv() => {
                woke(app);
                app.on_message(msg)
            }
            ready = app.next_view() => {
                // Taken before the clock moves: a new minute would start a newer view.
                app.on_view(ready);
                woke(app);
                Vec::new()
            }
            _ = shutdown.asked.notified() => {
                return Ok(Ending::Signal(shutdown.signal.load(Ordering::SeqCst)));
            }
            _ = tokio::time::sleep(wait) => {
                woke(app);
                app.dirty = true;
                Vec::new()
            }
        };
        for effect in effects {
            perform(effect, runner, &reply)?;
        }
    }
}

/// The clock is read at every wake-up, so a notice is timed from when it was
/// posted and gives way on time.
fn woke(app: &mut App) {
    app.set_now(crate::model::time::now_jst());
}

/// Writes the terminal's own effects; hands the rest to the runner.
fn perform(
    effect: Effect,
    runner: &dyn EffectRunner,
    reply: &UnboundedSender<Msg>,
) -> io::Result<()> {
    let mut out = io::stdout();
    match effect {
        Effect::Copy(text) => {
            // OSC 52: the terminal puts the text on the clipboard of the
            // machine in front of the user, over SSH too.
            write!(
                out,
                "\x1b]52;c;{}\x07",
                crate::text::base64(text.as_bytes())
            )?;
            out.flush()
        }
        Effect::Bell => {
            // The terminal's own bell: a sound, or a flash on a silent console.
            out.write_all(b"\x07")?;
            out.flush()
        }
        other => {
            runner.run(other, reply.clone());
            Ok(())
        }
    }
}

fn on_terminal_event(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            match app.keys.action(key, app.mode) {
                Some(action) => app.update(action),
                None => Vec::new(),
            }
        }
        Event::Resize(..) => {
            app.dirty = true;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

async fn next_feed_event(feed: &mut Option<UnboundedReceiver<FeedEvent>>) -> Option<FeedEvent> {
    match feed {
        Some(feed) => feed.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_erased_only_where_the_terminal_family_does_it() {
        for term in ["xterm-256color", "xterm", "vte-256color", "putty", "linux"] {
            assert_eq!(erase_for(term), Erase::InPenColour, "{term}");
        }
        for term in ["screen-256color", "tmux-256color", "dumb", "vt100", ""] {
            assert_eq!(erase_for(term), Erase::DefaultOnly, "{term}");
        }
    }
}

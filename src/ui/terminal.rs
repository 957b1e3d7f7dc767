//! The terminal: raw mode and the alternate screen, restored on every way out
//! (quit, panic, SIGTERM, SIGHUP when an SSH connection drops).

use std::io::{self, Stdout, Write};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::{cursor, execute, terminal};
use futures::StreamExt;
use ratatui::Terminal;
use tokio::sync::mpsc::UnboundedReceiver;

use super::app::App;
use super::backend::TrackingBackend;
use super::draw;
use crate::poll::poller::FeedEvent;
use crate::text::width::AmbiguousWidth;

pub type Term = Terminal<TrackingBackend<Stdout>>;

pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    install_signal_handler();
    terminal::enable_raw_mode()?;
    execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
    Terminal::new(TrackingBackend::new(io::stdout()))
}

/// Leaves raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
    let _ = io::stdout().flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

fn install_signal_handler() {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            restore();
            std::process::exit(128 + signal);
        }
    });
}

/// Asks the terminal how wide it draws an ambiguous character: print one,
/// read the cursor column. No answer (a dumb pipe, a slow link) means narrow.
pub fn probe_ambiguous_width() -> AmbiguousWidth {
    let mut out = io::stdout();
    let mut probe = || -> io::Result<u16> {
        execute!(out, cursor::MoveTo(0, 0))?;
        write!(out, "\u{25CB}")?; // ○, East Asian ambiguous
        out.flush()?;
        Ok(cursor::position()?.0)
    };
    let column = probe();
    let _ = execute!(
        out,
        cursor::MoveTo(0, 0),
        terminal::Clear(terminal::ClearType::CurrentLine)
    );
    match column {
        Ok(2) => AmbiguousWidth::Wide,
        _ => AmbiguousWidth::Narrow,
    }
}

/// The event loop: one task that waits for a key, a resize, the feed, a
/// finished background sort, or the minute when ages change, and draws only
/// when something changed.
pub async fn run(
    term: &mut Term,
    app: &mut App,
    mut feed: Option<UnboundedReceiver<FeedEvent>>,
) -> io::Result<()> {
    let mut events = EventStream::new();
    loop {
        if app.dirty {
            term.draw(|frame| draw::draw(frame, app))?;
            app.dirty = false;
            if let Some(text) = app.clipboard.take() {
                // OSC 52: the terminal puts the text on the clipboard of the
                // machine in front of the user, over SSH too.
                write!(io::stdout(), "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
                io::stdout().flush()?;
            }
            if std::mem::take(&mut app.bell) {
                // The terminal's own bell: a sound, or a flash on a silent console.
                io::stdout().write_all(b"\x07")?;
                io::stdout().flush()?;
            }
        }
        if app.should_quit {
            return Ok(());
        }
        // While a sort runs in the background, look for its result often.
        let wait = if app.is_pending() {
            Duration::from_millis(30)
        } else {
            app.until_next_minute()
        };
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => on_terminal_event(app, event),
                Some(Err(err)) => return Err(err),
                None => return Ok(()),
            },
            event = next_feed_event(&mut feed) => match event {
                Some(event) => app.on_feed(event),
                // The poller has stopped: keep showing what we have.
                None => feed = None,
            },
            _ = tokio::time::sleep(wait) => {
                if !app.poll_worker() {
                    app.set_now(crate::model::time::now_jst());
                    app.dirty = true;
                }
            }
        }
        app.poll_worker();
    }
}

/// Standard base64, for OSC 52.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn on_terminal_event(app: &mut App, event: Event) {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if let Some(action) = app.keys.action(key, app.mode) {
                app.update(action);
            }
        }
        Event::Resize(..) => app.dirty = true,
        _ => {}
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
    #[test]
    fn base64_as_rfc_4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"0312345678"), "MDMxMjM0NTY3OA==");
    }
}

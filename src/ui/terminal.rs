//! The terminal: raw mode and the alternate screen, restored on every way out
//! (quit, panic, SIGTERM, SIGHUP when an SSH connection drops).

use std::io::{self, Stdout, Write};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;

use super::app::App;
use super::backend::TrackingBackend;
use super::draw;
use crate::width::AmbiguousWidth;

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

/// The event loop: draw only when something changed, sleep until a key, a
/// resize, a finished background sort, or the minute when ages change.
pub fn run(term: &mut Term, app: &mut App) -> io::Result<()> {
    loop {
        if app.dirty {
            term.draw(|frame| draw::draw(frame, app))?;
            app.dirty = false;
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
        if event::poll(wait)? {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    if let Some(action) = app.keys.action(key, app.mode) {
                        app.update(action);
                    }
                }
                Event::Resize(..) => app.dirty = true,
                _ => {}
            }
        } else if !app.poll_worker() {
            app.set_now(crate::model::time::now_jst());
            app.dirty = true;
        }
        app.poll_worker();
    }
}

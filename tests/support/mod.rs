//! Shared by the tests that drive a real poller into a dashboard.

use bedboard::model::time::now_jst;
use bedboard::model::Report;
use bedboard::text::width::AmbiguousWidth;
use bedboard::ui::app::{App, DisplayOptions};
use bedboard::ui::theme::ThemeKind;
use bedboard::view::ViewSpec;

/// An empty dashboard on a live feed, drawn narrow and without colour.
pub fn live_app() -> App {
    let options = DisplayOptions {
        ambiguous: AmbiguousWidth::Narrow,
        ascii: false,
        theme: ThemeKind::Mono,
    };
    let mut app = App::new(
        Report::default(),
        "test".into(),
        false,
        options,
        ViewSpec::new(now_jst()),
    );
    app.feed.live = true;
    app
}

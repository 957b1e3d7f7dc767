//! Text helpers at the bottom of every layer: terminal-safe text, the
//! normalised form search compares, label HTML, display width, and the
//! small encodings (base64, hex) that several layers need.

pub mod charset;
pub mod codec;
pub mod html;
pub mod names;
pub mod normalize;
pub mod sanitize;
pub mod width;

pub use codec::{base64, hex};
pub use html::strip_html;
pub use names::Named;
pub use sanitize::{sanitize, sanitize_lines, shown_char};

//! What the user sees: the full-screen dashboard and the plain-text table for `print`.

pub mod app;
pub mod backend;
pub mod draw;
pub mod keymap;
pub mod painter;
pub mod plain;
pub mod terminal;
pub mod theme;

//! What the user sees: the full-screen dashboard and the plain-text table for `print`.

pub mod app;
pub mod backend;
pub mod chart;
pub mod draw;
pub mod export_dialog;
pub mod hospital_page;
pub mod keymap;
pub mod master_view;
pub mod painter;
pub mod plain;
pub mod terminal;
pub mod theme;

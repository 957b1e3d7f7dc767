//! What the user sees: the full-screen dashboard and the plain-text table for `print`.

pub mod app;
pub mod backend;
pub mod chart;
pub mod draw;
pub mod effect;
pub mod export_dialog;
mod feed_merge;
pub mod help;
pub mod hospital_page;
pub mod keymap;
pub mod latest_job;
mod master_filter;
pub mod master_view;
pub mod painter;
pub mod plain;
mod preparation;
pub mod table_layout;
pub mod terminal;
pub mod theme;
mod update;
pub mod view_model;

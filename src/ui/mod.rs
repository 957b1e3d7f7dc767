//! What the user sees: the full-screen dashboard and the plain-text table for `print`.

pub mod app;
pub mod backend;
pub mod charset_writer;
pub mod chart;
pub mod draw;
pub mod effect;
pub mod export_dialog;
pub mod feed_health;
mod feed_merge;
pub mod flow;
pub mod header;
pub mod hospital_page;
pub mod keymap;
pub mod latest_job;
mod master_filter;
pub mod master_view;
pub mod notice;
pub mod painter;
pub mod plain;
mod preparation;
pub mod status_line;
pub mod table_layout;
pub mod terminal;
pub mod theme;
mod update;
pub mod view_model;
mod watching;

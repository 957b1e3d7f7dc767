//! bedboard: a terminal dashboard of hospital bed reports (G-MIS「地域病床見える化」).

pub mod cli;
pub mod config;
pub mod demo;
pub mod export;
pub mod files;
pub mod formats;
pub mod geo;
pub mod master;
pub mod model;
pub mod poll;
pub mod source;
pub mod store;
pub mod text;
pub mod ui;
pub mod view;

//! bedboard: a terminal dashboard of hospital bed reports (G-MIS「地域病床見える化」).
//!
//! Data flows feed → model → view → ui; `width` is shared by every renderer.

pub mod cli;
pub mod config;
pub mod effects;
pub mod export;
pub mod feed;
pub mod master;
pub mod model;
pub mod start;
pub mod store;
pub mod ui;
pub mod view;
pub mod width;

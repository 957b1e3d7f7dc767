//! The built-in demo: a generated prefecture of hospitals and a real HTTP
//! server on loopback that serves it as a live feed.

mod assets;
pub mod generator;
pub mod history;
mod hospitals;
mod master_csv;
mod names;
mod places;
mod report;
mod rng;
pub mod server;

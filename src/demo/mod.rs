//! The built-in demo: a generated prefecture of hospitals and a real HTTP
//! server on loopback that serves it as a live feed.

pub mod generator;
pub mod server;

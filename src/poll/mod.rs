//! Polling a source into the store and the dashboard, and keeping the
//! masters in step: the layer that uses both formats and the store.

pub mod error;
pub mod health;
pub mod loading;
pub mod masters;
pub mod poller;
pub mod role;

pub use error::PollError;

//! Where report bytes come from: HTTP(S) with auth and backoff, the drop
//! folder, and the secrets a feed needs.

mod auth;
pub mod backoff;
mod body;
mod ca;
pub mod dropdir;
pub mod fetch_error;
pub mod http;
pub mod redact;
pub mod secret;

//! Where report bytes come from: HTTP(S) with auth and backoff, the drop
//! folder, and the secrets a feed needs.

pub mod dropdir;
pub mod http;
pub mod secret;

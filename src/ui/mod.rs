//! What the user sees: the plain-text table for `print`.

pub mod plain;

//! The SQLite history of every accepted fetch. (being written)

//! Banking: bank accounts, statements, matching and reconciliation, in accounting words.

pub mod matching;

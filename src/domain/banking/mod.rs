//! Banking: the firm's bank accounts, the statements imported into them, and the reconciliation
//! sessions that sign an account off up to a statement date. Matching statement lines to the
//! books is `matching` (a pure engine); this area keeps the records it works on.

pub mod accounts;
pub mod error;
pub mod matching;
#[cfg(test)]
mod memory;
pub mod reconciliation;
pub mod rules;
pub mod statements;
#[cfg(test)]
mod tests;

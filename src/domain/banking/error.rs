//! Why a banking operation was refused, in the words a bookkeeper uses.

use crate::domain::FieldErrors;

/// Why a bank account, an import, a statement line or a reconciliation could not be found or
/// changed. `E` is the store's own failure.
#[derive(Debug, thiserror::Error)]
pub enum BankingError<E: std::error::Error + 'static> {
    #[error("invalid: {0}")]
    Invalid(FieldErrors),
    #[error("no such bank account, statement line or reconciliation")]
    NotFound,
    #[error("This bank account is archived: reactivate it before importing or reconciling.")]
    Archived,
    /// A statement the file carries but the account cannot take; `row` is where it says so
    /// (0: the file as a whole).
    #[error("line {row}: {field}: {message}")]
    Statement {
        row: usize,
        field: &'static str,
        message: String,
    },
    #[error("This reconciliation is {found}; only a {expected} one can be {verb}.")]
    WrongState {
        found: &'static str,
        expected: &'static str,
        verb: &'static str,
    },
    #[error(
        "The closing balance {closing} does not equal the book balance of the reconciled lines {book} (difference {difference})."
    )]
    BalanceMismatch {
        closing: String,
        book: String,
        difference: String,
    },
    #[error("A reconciliation must be approved by someone other than who created or submitted it.")]
    SelfApproval,
    #[error("This bank account already has an open reconciliation; submit, approve or reopen it first.")]
    OpenSession,
    #[error("Only the latest approved reconciliation of a bank account can be reopened.")]
    NotLatest,
    #[error("This statement line is reconciled: reopen its reconciliation before changing it.")]
    Locked,
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> BankingError<E> {
    /// A refusal under one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        BankingError::Invalid(FieldErrors::single(field, message))
    }
}

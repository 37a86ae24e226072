//! Every domain error, turned into its API answer, in one place: field errors are a 400 under
//! their field, a refused state change a 400 under `non_field_errors`, a missing record a 404,
//! a broken invariant a 500. Each `match` is exhaustive, so a new variant must be mapped here.

use super::error::ApiError;
use crate::auth::AuthError;
use crate::domain::accounts::ChartError;
use crate::domain::banking::error::BankingError;
use crate::domain::budgets::{BudgetError, NotWholeMonths};
use crate::domain::capture::CaptureError;
use crate::domain::contacts::ContactError;
use crate::domain::delivery::DeliveryError;
use crate::domain::documents::DocumentError;
use crate::domain::exchange_rates::ExchangeRateError;
use crate::domain::files::FilesError;
use crate::domain::inventory::InventoryError;
use crate::domain::items::ItemError;
use crate::domain::ledger::LedgerError;
use crate::domain::purchases::PurchaseError;
use crate::domain::reports::Overflow;
use crate::domain::reports::consolidation::ConsolidationError;
use crate::domain::reports::financial::columns::ColumnsError;
use crate::domain::sales::SalesError;
use crate::domain::tax_returns::TaxReturnError;
use crate::domain::taxes::TaxError;
use crate::domain::tenants::{Refusal, TenantError};
use crate::provision::ProvisionError;
use crate::store::StoreError;

/// A refusal that concerns the request as a whole.
fn refused(message: impl ToString) -> ApiError {
    ApiError::field("non_field_errors", message.to_string())
}

/// A store failure while saving a record whose `field` is unique in its company. A conflict
/// there means two requests raced for one value and the unique index kept the second out: the
/// same answer the rules give when they see the value taken.
fn unique(e: StoreError, field: &str, message: &str) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::field(field, message),
        other => ApiError::from(other),
    }
}

/// Stock moves: a problem with one move is a 400 under `moves[i].<field>` (handlers that post
/// their own lines rename it first with `InventoryError::named`); changing the method of a
/// company with moves is a 409.
impl From<InventoryError<StoreError>> for ApiError {
    fn from(e: InventoryError<StoreError>) -> Self {
        match e {
            InventoryError::NotEnoughStock { .. }
            | InventoryError::NotAStockItem { .. }
            | InventoryError::InvalidMove { .. } => {
                ApiError::from(e.named(|index, field| format!("moves[{index}].{field}")))
            }
            InventoryError::Invalid(errors) => ApiError::Validation(errors),
            InventoryError::Conflict(m) => ApiError::Conflict(m),
            InventoryError::NotFound => ApiError::NotFound,
            InventoryError::Overflow => refused(e),
            InventoryError::Ledger(l) => ApiError::from(l),
            InventoryError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<LedgerError<StoreError>> for ApiError {
    fn from(e: LedgerError<StoreError>) -> Self {
        match e {
            LedgerError::Invalid(errors) => ApiError::Validation(errors),
            LedgerError::NotFound => ApiError::NotFound,
            LedgerError::PeriodClosed { .. } | LedgerError::TaxFiled { .. } => ApiError::field("date", e.to_string()),
            LedgerError::NotDraft(_)
            | LedgerError::NotPosted
            | LedgerError::AlreadyReversed
            | LedgerError::NeedsApproval
            | LedgerError::SelfApproval
            | LedgerError::EditorApproval
            | LedgerError::Period(_) => refused(e),
            LedgerError::Reconciled(_) => ApiError::Conflict(e.to_string()),
            LedgerError::ChainBroken(m) => ApiError::Internal(format!("ledger chain broken: {m}")),
            LedgerError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<BankingError<StoreError>> for ApiError {
    fn from(e: BankingError<StoreError>) -> Self {
        match e {
            BankingError::Invalid(errors) => ApiError::Validation(errors),
            BankingError::NotFound => ApiError::NotFound,
            // A file the account cannot take: a 400 on the upload, naming the file's line and field.
            BankingError::Statement { row: 0, field, message } => {
                ApiError::field("file", format!("{field}: {message}"))
            }
            BankingError::Statement { row, field, message } => {
                ApiError::field("file", format!("line {row}: {field}: {message}"))
            }
            BankingError::BalanceMismatch { .. } => ApiError::field("closing_balance", e.to_string()),
            BankingError::Archived
            | BankingError::WrongState { .. }
            | BankingError::SelfApproval
            | BankingError::OpenSession
            | BankingError::NotLatest
            | BankingError::Locked => refused(e),
            BankingError::Store(s) => unique(s, "iban", "A bank account with this IBAN already exists."),
        }
    }
}

impl From<ChartError<StoreError>> for ApiError {
    fn from(e: ChartError<StoreError>) -> Self {
        match e {
            ChartError::Invalid(errors) => ApiError::Validation(errors),
            ChartError::NotFound => ApiError::NotFound,
            ChartError::HasPostings | ChartError::HasChildren => refused(e),
            ChartError::Store(s) => unique(s, "code", "An account with this code already exists."),
        }
    }
}

impl From<ContactError<StoreError>> for ApiError {
    fn from(e: ContactError<StoreError>) -> Self {
        match e {
            ContactError::Invalid(errors) => ApiError::Validation(errors),
            ContactError::NotFound => ApiError::NotFound,
            // A balance is a sum over many documents, like a report's: refused by name, never
            // shown wrong.
            ContactError::Overflow => {
                tracing::warn!("a contact balance beyond the books' range");
                refused(e)
            }
            ContactError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<ItemError<StoreError>> for ApiError {
    fn from(e: ItemError<StoreError>) -> Self {
        match e {
            ItemError::Invalid(errors) => ApiError::Validation(errors),
            ItemError::NotFound => ApiError::NotFound,
            ItemError::Store(s) => unique(s, "code", "An item with this code already exists."),
        }
    }
}

impl From<TaxError<StoreError>> for ApiError {
    fn from(e: TaxError<StoreError>) -> Self {
        match e {
            TaxError::Invalid(errors) => ApiError::Validation(errors),
            TaxError::NotFound => ApiError::NotFound,
            TaxError::Store(s) => unique(s, "name", "A tax rate with this name already exists."),
        }
    }
}

impl From<BudgetError<StoreError>> for ApiError {
    fn from(e: BudgetError<StoreError>) -> Self {
        match e {
            BudgetError::Invalid(errors) => ApiError::Validation(errors),
            BudgetError::NotFound => ApiError::NotFound,
            BudgetError::Store(s) => unique(
                s,
                "name",
                "The company already has a budget of this name for this year.",
            ),
        }
    }
}

impl From<NotWholeMonths> for ApiError {
    fn from(e: NotWholeMonths) -> Self {
        ApiError::field("date_to", e.to_string())
    }
}

impl From<ExchangeRateError<StoreError>> for ApiError {
    fn from(e: ExchangeRateError<StoreError>) -> Self {
        match e {
            ExchangeRateError::Invalid(errors) => ApiError::Validation(errors),
            ExchangeRateError::NotFound => ApiError::NotFound,
            ExchangeRateError::NoRate { .. } => ApiError::field("date", e.to_string()),
            ExchangeRateError::Store(s) => {
                unique(s, "date", "The company already has a rate for this currency and date.")
            }
        }
    }
}

impl From<DeliveryError<StoreError>> for ApiError {
    fn from(e: DeliveryError<StoreError>) -> Self {
        match e {
            DeliveryError::Invalid(errors) => ApiError::Validation(errors),
            DeliveryError::NotIssued(_) => refused(e),
            DeliveryError::RateLimited { retry_after, .. } => ApiError::Throttled {
                detail: e.to_string(),
                retry_after,
            },
            DeliveryError::Contact(c) => ApiError::from(c),
            DeliveryError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<DocumentError<StoreError>> for ApiError {
    fn from(e: DocumentError<StoreError>) -> Self {
        match e {
            DocumentError::Invalid(errors) => ApiError::Validation(errors),
            DocumentError::NotFound => ApiError::NotFound,
            DocumentError::NotDraft(_) | DocumentError::State(_) => refused(e),
            // Stored amounts were checked when saved: sums of them that do not fit are a bug.
            DocumentError::Overflow => ApiError::Internal(e.to_string()),
            DocumentError::Ledger(l) => ApiError::from(l),
        }
    }
}

impl From<SalesError<StoreError>> for ApiError {
    fn from(e: SalesError<StoreError>) -> Self {
        match e {
            SalesError::Invalid(errors) => ApiError::Validation(errors),
            SalesError::NotFound => ApiError::NotFound,
            SalesError::State(_) => refused(e),
            SalesError::Expired(_) => ApiError::Conflict(e.to_string()),
            SalesError::Document(d) => issuing(d),
        }
    }
}

impl From<PurchaseError<StoreError>> for ApiError {
    fn from(e: PurchaseError<StoreError>) -> Self {
        match e {
            PurchaseError::Invalid(errors) => ApiError::Validation(errors),
            PurchaseError::NotFound => ApiError::NotFound,
            PurchaseError::State(_) | PurchaseError::Stock(_) => refused(e),
            PurchaseError::Overflow => ApiError::Internal(e.to_string()),
            PurchaseError::Document(d) => issuing(d),
        }
    }
}

/// A refused issue: a closed period concerns the document's `issue_date` (the date its entry
/// would post on), not a `date` of the request.
pub fn issuing(e: DocumentError<StoreError>) -> ApiError {
    match e {
        DocumentError::Ledger(l @ (LedgerError::PeriodClosed { .. } | LedgerError::TaxFiled { .. })) => {
            ApiError::field("issue_date", l.to_string())
        }
        other => ApiError::from(other),
    }
}

impl From<ProvisionError> for ApiError {
    fn from(e: ProvisionError) -> Self {
        match e {
            ProvisionError::Invalid(errors) => ApiError::Validation(errors),
            ProvisionError::Store(s) => ApiError::from(s),
            ProvisionError::Hash(m) => ApiError::Internal(m),
        }
    }
}

impl From<TenantError<StoreError>> for ApiError {
    fn from(e: TenantError<StoreError>) -> Self {
        match e {
            TenantError::Invalid(errors) => ApiError::Validation(errors),
            TenantError::NotFound => ApiError::NotFound,
            TenantError::Forbidden => ApiError::Auth(AuthError::Forbidden),
            TenantError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid(errors) => ApiError::Validation(errors),
            Refusal::Forbidden => ApiError::Auth(AuthError::Forbidden),
        }
    }
}

impl From<TaxReturnError<StoreError>> for ApiError {
    fn from(e: TaxReturnError<StoreError>) -> Self {
        match e {
            TaxReturnError::Invalid(errors) => ApiError::Validation(errors),
            TaxReturnError::UnknownLayout(_) => ApiError::field("layout", e.to_string()),
            TaxReturnError::AlreadyFiled { .. } => ApiError::field("date_from", e.to_string()),
            TaxReturnError::PeriodNotOver { .. } => ApiError::field("date_to", e.to_string()),
            TaxReturnError::NoSettlementAccount | TaxReturnError::Unreconciled { .. } => refused(e),
            TaxReturnError::Overflow(o) => ApiError::from(o),
            TaxReturnError::Ledger(l) => ApiError::from(l),
            TaxReturnError::Store(s) => ApiError::from(s),
        }
    }
}

/// A report (or a payment's unallocated rest) whose amounts add up beyond the books' range: it
/// is refused, naming what overflowed, rather than shown with a wrong number.
impl From<Overflow> for ApiError {
    fn from(e: Overflow) -> Self {
        tracing::warn!(what = e.0, "a sum beyond the books' range");
        refused(e)
    }
}

/// Columns of a statement that cannot be made: a 400 naming the parameter.
impl From<ColumnsError> for ApiError {
    fn from(e: ColumnsError) -> Self {
        let field = match e {
            ColumnsError::Order | ColumnsError::OutOfRange => "date_from",
            ColumnsError::TooMany => "compare",
        };
        ApiError::field(field, e.to_string())
    }
}

/// A consolidation that cannot be made: a 400 naming what to choose or to add.
impl From<ConsolidationError> for ApiError {
    fn from(e: ConsolidationError) -> Self {
        let field = match e {
            ConsolidationError::NoCompanies | ConsolidationError::ChartMismatch { .. } => "companies",
            ConsolidationError::NoRate { .. } => "parent",
            ConsolidationError::Overflow(_) => {
                tracing::warn!(error = %e, "a consolidation beyond the books' range");
                "non_field_errors"
            }
        };
        ApiError::field(field, e.to_string())
    }
}

impl From<crate::search::SearchError> for ApiError {
    fn from(e: crate::search::SearchError) -> Self {
        match e {
            crate::search::SearchError::Store(e) => ApiError::from(e),
            // The index is a cache the server keeps: a failure there is ours, not the caller's.
            crate::search::SearchError::Index(m) => ApiError::Internal(m),
        }
    }
}

impl From<CaptureError> for ApiError {
    fn from(e: CaptureError) -> Self {
        match e {
            CaptureError::Decided(_) => refused(e),
            CaptureError::Invalid(fields) => ApiError::Validation(fields),
        }
    }
}

/// Documents (files): a refused file by field, a too large one 413, a posted record's evidence 409.
impl From<FilesError> for ApiError {
    fn from(e: FilesError) -> Self {
        match e {
            FilesError::Refused(m) => ApiError::field("file", m),
            FilesError::TooLarge { .. } => ApiError::PayloadTooLarge,
            e @ FilesError::OverQuota { .. } => ApiError::field("file", e.to_string()),
            e @ FilesError::Posted(_) => ApiError::Conflict(e.to_string()),
            FilesError::NotFound => ApiError::NotFound,
        }
    }
}

#[cfg(test)]
#[path = "error_map_tests.rs"]
mod tests;

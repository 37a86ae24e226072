//! `/api/accounting/chart-of-accounts/`: the chart of accounts of the request's company. An
//! account with postings is never deleted and never changes type: it is deactivated.

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::perm;
use super::dto::AccountDto;
use super::error::ApiError;
use super::resource::{Deletable, Form, Records};
use crate::domain::FieldErrors;
use crate::domain::accounts::{self as chart, Account, AccountChanges};
use crate::domain::ledger::Ctx;
use crate::store::Tx;

/// An account as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `code`, `name`
/// and `type`; a `PATCH` changes only what it sends.
#[derive(Deserialize, ToSchema)]
#[schema(as = AccountInput)]
pub struct AccountBody {
    code: Option<String>,
    name: Option<String>,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    #[serde(rename = "type")]
    account_type: Option<String>,
    /// What later modules look accounts up by: `bank`, `receivable`, `tax`, …
    subtype: Option<String>,
    /// The parent account (same type), or `null` for a top-level account.
    #[serde(default, deserialize_with = "present")]
    parent: Option<Option<Uuid>>,
    /// Only for an account kept in a foreign currency.
    #[serde(default, deserialize_with = "present")]
    currency: Option<Option<String>>,
    /// Where the account's movements go in the cash flow statement: `operating`, `investing`,
    /// `financing` or `cash` (cash and cash equivalents); `null` for the default of its subtype.
    #[serde(default, deserialize_with = "present")]
    cash_flow: Option<Option<String>>,
    is_active: Option<bool>,
}

/// Serde reads the body whole: a value of the wrong type is a 400 before the rules run.
impl Form<AccountChanges> for AccountBody {
    type Raw = AccountBody;
    fn changes(b: AccountBody) -> Result<(AccountChanges, FieldErrors), ApiError> {
        let changes = AccountChanges {
            code: b.code,
            name: b.name,
            account_type: b.account_type,
            subtype: b.subtype,
            parent_id: b.parent,
            currency: b.currency,
            cash_flow: b.cash_flow,
            is_active: b.is_active,
        };
        Ok((changes, FieldErrors::default()))
    }
}

/// Tells `"field": null` (clear it) from a missing field (keep it): both would otherwise read
/// as `None`.
pub fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The chart of accounts, served by the generic handlers of `http::resource`.
pub type Accounts = Records<perm::ViewLedger, perm::EditLedger, Account, AccountDto, AccountBody>;

impl Deletable for Accounts {
    /// Deletes an account nobody has used yet; one with postings or children is refused.
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, account: Account) -> Result<(), ApiError> {
        Ok(chart::delete(tx, ctx, account)?)
    }
}

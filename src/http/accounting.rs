//! `/api/accounting/chart-of-accounts/`: the chart of accounts of the request's company. An
//! account with postings is never deleted and never changes type: it is deactivated.

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::perm;
use super::dto::AccountDto;
use super::error::ApiError;
use super::resource::{Deletable, Edit, Resource};
use crate::domain::accounts::{self as chart, Account, AccountChanges};
use crate::domain::ledger::Ctx;
use crate::store::list::{ListRequest, Page};
use crate::store::{Tx, accounts};

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
    #[schema(value_type = Option<Uuid>)]
    parent: Option<Option<Uuid>>,
    /// Only for an account kept in a foreign currency.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    currency: Option<Option<String>>,
    is_active: Option<bool>,
}

impl From<AccountBody> for AccountChanges {
    fn from(b: AccountBody) -> Self {
        AccountChanges {
            code: b.code,
            name: b.name,
            account_type: b.account_type,
            subtype: b.subtype,
            parent_id: b.parent,
            currency: b.currency,
            is_active: b.is_active,
        }
    }
}

/// Tells `"field": null` (clear it) from a missing field (keep it): both would otherwise read
/// as `None`.
pub fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The chart of accounts, served by the generic handlers of `http::resource`.
pub struct Accounts;

impl Resource for Accounts {
    type View = perm::ViewLedger;
    type Edit = perm::EditLedger;
    type Record = Account;
    type Dto = AccountDto;
    type Body = AccountBody;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<AccountDto>, ApiError> {
        Ok(accounts::page(tx, ctx.books.company_id, request)?.map(|a| AccountDto::from(&a)))
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<Account, ApiError> {
        Ok(chart::find(tx, ctx, id)?)
    }

    fn show(_: &mut Tx, _: &Ctx<'_>, account: Account) -> Result<AccountDto, ApiError> {
        Ok(AccountDto::from(&account))
    }

    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<Account>, body: AccountBody) -> Result<Account, ApiError> {
        Ok(chart::save(tx, ctx, edit.current, edit.how, body.into())?)
    }
}

impl Deletable for Accounts {
    /// Deletes an account nobody has used yet; one with postings or children is refused.
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, account: Account) -> Result<(), ApiError> {
        Ok(chart::delete(tx, ctx, account)?)
    }
}

//! `/api/banking/`: bank accounts (`mod.rs`, a `Resource` that shows each account's book
//! balance, last statement balance and unmatched lines), statement imports (`imports.rs`:
//! multipart upload, preview, commit; `jobs.rs`: a commit as a background job with progress),
//! statement lines (`lines.rs`) and reconciliation sessions
//! (`reconciliations.rs`). Bank accounts are archived, never deleted.

pub mod create;
pub mod imports;
pub mod jobs;
pub mod lines;
pub mod profile;
pub mod reconciliations;
pub mod rules;
pub mod suggestions;

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, InCompany, perm};
use super::error::{ApiError, Reply};
use super::fields::fields_body;
use super::resource::{Edit, Form, Resource};
use crate::domain::Kept;
use crate::domain::banking::accounts::{self, BankAccount, BankAccountChanges};
use crate::domain::books::Books;
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::store::Tx;
use crate::store::banking::{self as store, BankAccountView};
use crate::store::list::{ListRequest, Page, Paged};

fields_body! {
    /// A bank account as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name`
    /// and `account`; a `PATCH` changes only what it sends.
    #[schema(as = BankAccountInput)]
    pub struct BankAccountBody into BankAccountChanges {
        name: String = text,
        /// ISO 4217; by default the company's. It must be the GL account's, and is fixed once
        /// statement lines are imported.
        currency: String = text,
        /// Checked by its mod-97 digits; stored upper case without spaces. Unique in the company.
        iban: String = text,
        account_number: String = text,
        bic: String = text,
        bank_name: String = text,
        /// A decimal in the account's currency, as a string (`"1500.00"`).
        opening_balance: String = decimal,
        is_active: bool = boolean,
    }
    nullable {
        /// The GL account (subtype `bank`) the books keep this account's money in.
        account: Uuid = id,
        /// `YYYY-MM-DD`.
        opening_date: String = opt_text,
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = BankAccount)]
pub struct BankAccountDto {
    pub id: Uuid,
    /// The GL account.
    pub account: Uuid,
    pub name: String,
    pub currency: String,
    pub iban: String,
    pub account_number: String,
    pub bic: String,
    pub bank_name: String,
    /// In the account's currency.
    pub opening_balance: String,
    #[schema(required = true, format = Date)]
    pub opening_date: Option<String>,
    /// The closing balance of the last import that stated one, in the account's currency.
    #[schema(required = true)]
    pub statement_balance: Option<String>,
    #[schema(required = true, format = Date)]
    pub statement_date: Option<String>,
    /// The GL account's balance (debits less credits), in the company currency.
    pub book_balance: String,
    /// Statement lines not yet matched to the books.
    pub unreconciled_count: i64,
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

fn dto(v: &BankAccountView, books: &Books) -> BankAccountDto {
    let a = &v.account;
    let d = a.decimals();
    BankAccountDto {
        id: a.id,
        account: a.account_id,
        name: a.name.clone(),
        currency: a.currency.clone(),
        iban: a.iban.clone(),
        account_number: a.account_number.clone(),
        bic: a.bic.clone(),
        bank_name: a.bank_name.clone(),
        opening_balance: money::format(a.opening_balance, d),
        opening_date: a.opening_date.map(|d| d.to_string()),
        statement_balance: a.statement_balance.map(|b| money::format(b, d)),
        statement_date: a.statement_date.map(|d| d.to_string()),
        book_balance: money::format(v.book_balance, books.decimals),
        unreconciled_count: v.unreconciled,
        is_active: a.is_active,
        created_at: a.created_at.to_string(),
        updated_at: a.updated_at.to_string(),
    }
}

/// The company's bank accounts, with their balances.
pub struct BankAccounts;

impl Resource for BankAccounts {
    type View = perm::ViewLedger;
    type Edit = perm::EditLedger;
    type Record = BankAccount;
    type Dto = BankAccountDto;
    type Body = serde_json::Value;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<BankAccountDto>, ApiError> {
        Ok(BankAccountView::page(tx, ctx.books.company_id, request)?.map(|v| dto(&v, ctx.books)))
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<BankAccount, ApiError> {
        Ok(BankAccount::find(tx, ctx, id)?)
    }

    fn show(tx: &mut Tx, ctx: &Ctx<'_>, record: BankAccount) -> Result<BankAccountDto, ApiError> {
        Ok(dto(&store::view(tx, record)?, ctx.books))
    }

    fn save(
        tx: &mut Tx,
        ctx: &Ctx<'_>,
        edit: Edit<BankAccount>,
        body: serde_json::Value,
    ) -> Result<BankAccount, ApiError> {
        let (changes, errors) = BankAccountBody::changes(body)?;
        Ok(BankAccount::save(tx, ctx, edit.current, edit.how, changes, errors)?)
    }
}

/// `POST /api/banking/accounts/{id}/archive/`: the account stays, with its lines and sessions,
/// and takes no more imports.
pub async fn archive(c: InCompany<perm::EditLedger>, Id(id): Id) -> Reply<Json<BankAccountDto>> {
    c.change(move |tx, ctx| {
        let account = BankAccount::find(tx, ctx, id)?;
        let archived = accounts::archive(tx, ctx, account)?;
        Ok(dto(&store::view(tx, archived)?, ctx.books))
    })
    .await
    .map(Json)
}

/// The bank account `id` of the caller's company, for the handlers below it (404 otherwise).
pub(crate) fn account(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<BankAccount, ApiError> {
    Ok(BankAccount::find(tx, ctx, id)?)
}

//! Statement lines: an account's lines (`?status=unmatched|matched|reconciled|ignored`), and
//! what a bookkeeper does to one: match it to a posted journal entry, unmatch it, ignore it.
//! A reconciled line is locked until its session is reopened.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use crate::domain::banking::statements::{self, LineAction, LineStatus, StatementStore, StoredLine};
use crate::domain::money;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::conventions::ListQuery;
use crate::http::error::{ApiError, Reply};
use crate::store::banking as store;

#[derive(Serialize, ToSchema)]
#[schema(as = StatementLine)]
pub struct LineDto {
    pub id: Uuid,
    pub bank_account: Uuid,
    pub import: Uuid,
    #[schema(format = Date)]
    pub date: String,
    #[schema(required = true, format = Date)]
    pub value_date: Option<String>,
    /// In the account's currency; positive is money in.
    pub amount: String,
    pub currency: String,
    pub text: String,
    pub counterparty: String,
    pub counterparty_account: String,
    pub reference: String,
    #[schema(required = true)]
    pub bank_id: Option<String>,
    /// `unmatched`, `matched`, `reconciled` or `ignored`.
    pub status: &'static str,
    #[schema(required = true)]
    pub matched_kind: Option<String>,
    #[schema(required = true)]
    pub matched_id: Option<Uuid>,
    #[schema(required = true)]
    pub journal_entry: Option<Uuid>,
    #[schema(required = true)]
    pub reconciliation: Option<Uuid>,
}

pub fn line_dto(l: &StoredLine) -> LineDto {
    LineDto {
        id: l.id,
        bank_account: l.bank_account_id,
        import: l.import_id,
        date: l.date.to_string(),
        value_date: l.value_date.map(|d| d.to_string()),
        amount: money::format(l.amount, money::decimals(&l.currency)),
        currency: l.currency.clone(),
        text: l.text.clone(),
        counterparty: l.counterparty.clone(),
        counterparty_account: l.counterparty_account.clone(),
        reference: l.reference.clone(),
        bank_id: l.bank_id.clone(),
        status: l.status.as_str(),
        matched_kind: l.matched.as_ref().map(|m| m.0.clone()),
        matched_id: l.matched.as_ref().map(|m| m.1),
        journal_entry: l.journal_entry_id,
        reconciliation: l.reconciliation_id,
    }
}

/// `GET /api/banking/accounts/{id}/lines/`.
pub async fn list(c: InCompany<perm::ViewLedger>, Id(id): Id, q: ListQuery) -> Reply {
    let request = q.request.clone();
    if let Some((_, s)) = request.filters.iter().find(|(f, _)| f == "status")
        && LineStatus::parse(s).is_none()
    {
        return Err(ApiError::field(
            "status",
            "Choose unmatched, matched, reconciled or ignored.",
        ));
    }
    let page = c
        .read(move |tx, ctx| {
            let account = account(tx, ctx, id)?;
            Ok(store::lines(tx, ctx.books.company_id, account.id, &request)?)
        })
        .await?;
    Ok(q.render(page, |l| line_dto(&l)))
}

/// The body of `…/match/`.
#[derive(Deserialize, ToSchema)]
pub struct MatchBody {
    /// A posted journal entry that moves the bank's GL account by the line's amount.
    pub journal_entry: Option<String>,
}

async fn run(
    c: InCompany<perm::EditLedger>,
    id: Uuid,
    action: impl FnOnce() -> Result<LineAction, ApiError> + Send + 'static,
) -> Reply<Json<LineDto>> {
    c.change(move |tx, ctx| {
        let line = tx.find_line(ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
        let account = account(tx, ctx, line.bank_account_id)?;
        let action = action()?;
        let changed = statements::act_on_line(tx, ctx, &account, line, action)?;
        Ok(line_dto(&changed))
    })
    .await
    .map(Json)
}

/// `POST /api/banking/lines/{id}/match/` `{"journal_entry": id}`: the line is found before the
/// body is read.
pub async fn match_entry(
    c: InCompany<perm::EditLedger>,
    Id(id): Id,
    body: JsonBody<MatchBody>,
) -> Reply<Json<LineDto>> {
    run(c, id, move || {
        let text = body.parse()?.journal_entry.unwrap_or_default();
        let entry = Uuid::parse_str(text.trim())
            .map_err(|_| ApiError::field("journal_entry", "A journal entry's id is required."))?;
        Ok(LineAction::MatchEntry(entry))
    })
    .await
}

/// `POST /api/banking/lines/{id}/unmatch/`.
pub async fn unmatch(c: InCompany<perm::EditLedger>, Id(id): Id) -> Reply<Json<LineDto>> {
    run(c, id, || Ok(LineAction::Unmatch)).await
}

/// `POST /api/banking/lines/{id}/ignore/`.
pub async fn ignore(c: InCompany<perm::EditLedger>, Id(id): Id) -> Reply<Json<LineDto>> {
    run(c, id, || Ok(LineAction::Ignore)).await
}

//! `/api/banking/reconciliations/`: sessions that sign a bank account off up to a statement
//! date (create, submit, approve by a second person, reopen), and each one's report: the book
//! balance of the reconciled lines, the statement balance, the difference, the GL balance and the
//! outstanding lines by age.

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use super::lines::{LineDto, line_dto};
use crate::domain::banking::accounts::BankAccount;
use crate::domain::banking::error::BankingError;
use crate::domain::banking::reconciliation::{self, Reconciliation, ReconciliationStore};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::conventions::ListQuery;
use crate::http::error::{ApiError, Reply};
use crate::store::banking as store;
use crate::store::list::Paged;
use crate::store::{StoreError, Tx};

#[derive(Serialize, ToSchema)]
#[schema(as = Reconciliation)]
pub struct ReconciliationDto {
    pub id: Uuid,
    pub bank_account: Uuid,
    #[schema(format = Date)]
    pub statement_date: String,
    /// The statement's closing balance, in the account's currency.
    pub closing_balance: String,
    /// `draft`, `submitted` or `approved`.
    pub status: &'static str,
    pub created_by: Uuid,
    #[schema(required = true)]
    pub submitted_by: Option<Uuid>,
    #[schema(required = true, format = DateTime)]
    pub submitted_at: Option<String>,
    #[schema(required = true)]
    pub approved_by: Option<Uuid>,
    #[schema(required = true, format = DateTime)]
    pub approved_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

fn dto(r: &Reconciliation, decimals: u32) -> ReconciliationDto {
    ReconciliationDto {
        id: r.id,
        bank_account: r.bank_account_id,
        statement_date: r.statement_date.to_string(),
        closing_balance: money::format(r.closing_balance, decimals),
        status: r.status.as_str(),
        created_by: r.created_by,
        submitted_by: r.submitted_by,
        submitted_at: r.submitted_at.map(|t| t.to_string()),
        approved_by: r.approved_by,
        approved_at: r.approved_at.map(|t| t.to_string()),
        created_at: r.created_at.to_string(),
        updated_at: r.updated_at.to_string(),
    }
}

/// The body of a create.
#[derive(Deserialize, ToSchema)]
#[schema(as = ReconciliationCreate)]
pub struct CreateBody {
    pub bank_account: Option<String>,
    /// `YYYY-MM-DD`: the statement's date, the last day the session covers.
    pub statement_date: Option<String>,
    /// The statement's closing balance on that date, a decimal string in the account's currency.
    pub closing_balance: Option<String>,
}

/// A session of the caller's company with its bank account (404 for anything else).
fn session(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<(Reconciliation, BankAccount), ApiError> {
    let r = tx
        .find_reconciliation(ctx.books.company_id, id)?
        .ok_or(ApiError::NotFound)?;
    let a = account(tx, ctx, r.bank_account_id)?;
    Ok((r, a))
}

pub async fn list(c: InCompany<perm::ViewLedger>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = Reconciliation::page(tx, ctx.books.company_id, &request)?;
            let mut shown = Vec::with_capacity(page.items.len());
            for r in &page.items {
                let decimals = account(tx, ctx, r.bank_account_id)?.decimals();
                shown.push(dto(r, decimals));
            }
            Ok(crate::store::list::Page {
                count: page.count,
                items: shown,
            })
        })
        .await?;
    Ok(q.render(page, |d| d))
}

pub async fn create(c: InCompany<perm::EditLedger>, body: JsonBody<CreateBody>) -> Reply {
    let answer = c
        .change(move |tx, ctx| {
            let body = body.parse()?;
            let id = body
                .bank_account
                .as_deref()
                .map(|s| Uuid::parse_str(s.trim()))
                .transpose()
                .map_err(|_| ApiError::field("bank_account", "Not a valid UUID."))?
                .ok_or_else(|| ApiError::field("bank_account", "This field is required."))?;
            let account = account(tx, ctx, id).map_err(|e| match e {
                ApiError::NotFound => ApiError::field("bank_account", "Unknown bank account for this company."),
                other => other,
            })?;
            let made = reconciliation::create(
                tx,
                ctx,
                &account,
                body.statement_date.as_deref(),
                body.closing_balance.as_deref(),
            )?;
            Ok(dto(&made, account.decimals()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

pub async fn get(c: InCompany<perm::ViewLedger>, Id(id): Id) -> Reply<Json<ReconciliationDto>> {
    c.read(move |tx, ctx| {
        let (r, a) = session(tx, ctx, id)?;
        Ok(dto(&r, a.decimals()))
    })
    .await
    .map(Json)
}

type Step = fn(&mut Tx<'_>, &Ctx<'_>, &BankAccount, Reconciliation) -> Result<Reconciliation, BankingError<StoreError>>;

async fn step(
    c: InCompany<impl crate::http::permission::Permission>,
    id: Uuid,
    f: Step,
) -> Reply<Json<ReconciliationDto>> {
    c.change(move |tx, ctx| {
        let (r, a) = session(tx, ctx, id)?;
        let changed = f(tx, ctx, &a, r)?;
        Ok(dto(&changed, a.decimals()))
    })
    .await
    .map(Json)
}

/// `…/submit/`: the closing balance must equal the book balance of the reconciled lines.
pub async fn submit(c: InCompany<perm::EditLedger>, Id(id): Id) -> Reply<Json<ReconciliationDto>> {
    step(c, id, |tx, ctx, a, r| reconciliation::submit(tx, ctx, a, r)).await
}

/// `…/approve/`: by someone other than its creator and submitter when the company requires
/// entry approval; locks its lines.
pub async fn approve(c: InCompany<perm::ApproveEntries>, Id(id): Id) -> Reply<Json<ReconciliationDto>> {
    step(c, id, |tx, ctx, a, r| reconciliation::approve(tx, ctx, a, r)).await
}

/// `…/reopen/`: back to draft, its lines unlocked; audited.
pub async fn reopen(c: InCompany<perm::ApproveEntries>, Id(id): Id) -> Reply<Json<ReconciliationDto>> {
    step(c, id, |tx, ctx, a, r| reconciliation::reopen(tx, ctx, a, r)).await
}

#[derive(Serialize, ToSchema)]
pub struct OutstandingDto {
    pub line: LineDto,
    /// Days from the line's date to the statement date.
    pub age_days: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ReconciliationReport)]
pub struct ReportDto {
    pub reconciliation: ReconciliationDto,
    pub bank_account_name: String,
    pub currency: String,
    pub opening_balance: String,
    /// The matched and reconciled lines up to the statement date.
    pub reconciled_total: String,
    /// Opening balance + reconciled lines.
    pub book_balance: String,
    /// The statement's closing balance.
    pub statement_balance: String,
    /// Statement balance − book balance: the outstanding lines explain it.
    pub difference: String,
    /// The GL account's balance up to the statement date, in the company currency.
    pub gl_balance: String,
    pub outstanding_total: String,
    /// Unmatched lines up to the statement date, oldest first.
    pub outstanding: Vec<OutstandingDto>,
}

/// `GET /api/banking/reconciliations/{id}/report/`.
pub async fn report(c: InCompany<perm::ViewLedger>, Id(id): Id) -> Reply<Json<ReportDto>> {
    c.read(move |tx, ctx| {
        let (r, a) = session(tx, ctx, id)?;
        let d = a.decimals();
        let book = reconciliation::book_balance(tx, &a, r.statement_date)?;
        let outstanding = store::outstanding(tx, a.id, r.statement_date)?;
        let outstanding_total: i64 = outstanding.iter().map(|o| o.line.amount).fold(0, i64::saturating_add);
        let gl = store::gl_balance(tx, a.account_id, r.statement_date)?;
        Ok(ReportDto {
            bank_account_name: a.name.clone(),
            currency: a.currency.clone(),
            opening_balance: money::format(a.opening_balance, d),
            reconciled_total: money::format(book.saturating_sub(a.opening_balance), d),
            book_balance: money::format(book, d),
            statement_balance: money::format(r.closing_balance, d),
            difference: money::format(r.closing_balance.saturating_sub(book), d),
            gl_balance: money::format(gl, ctx.books.decimals),
            outstanding_total: money::format(outstanding_total, d),
            outstanding: outstanding
                .iter()
                .map(|o| OutstandingDto {
                    line: line_dto(&o.line),
                    age_days: o.age_days,
                })
                .collect(),
            reconciliation: dto(&r, d),
        })
    })
    .await
    .map(Json)
}

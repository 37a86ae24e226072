//! `/api/invoicing/payments/`: payments received and made, their allocations, voiding.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::books::{Access, in_books};
use super::books::{Idempotency, Write, write};
use super::conventions::{list_request, optional_date, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::documents::Payment;
use crate::domain::documents::payments::{self, AllocationInput, PaymentInput};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::roles::Action;
use crate::store::{Tx, documents};

#[derive(Deserialize, Serialize)]
pub struct AllocationBody {
    document: Option<Uuid>,
    amount: Option<String>,
}

#[derive(Deserialize, Serialize)]
pub struct PaymentBody {
    direction: Option<String>,
    contact: Option<Uuid>,
    date: Option<String>,
    amount: Option<String>,
    bank_account: Option<Uuid>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    allocations: Vec<AllocationBody>,
}

#[derive(Deserialize, Serialize)]
pub struct AllocateBody {
    #[serde(default)]
    allocations: Vec<AllocationBody>,
}

#[derive(Deserialize, Serialize, Default)]
pub struct VoidBody {
    date: Option<String>,
}

fn allocations(body: &[AllocationBody]) -> Vec<AllocationInput> {
    body.iter()
        .map(|a| AllocationInput {
            document: a.document,
            amount: a.amount.clone(),
        })
        .collect()
}

fn payment_json(tx: &mut Tx, ctx: &Ctx<'_>, p: &Payment, contact_name: &str) -> Result<serde_json::Value, ApiError> {
    let d = ctx.books.decimals;
    let allocs = crate::domain::documents::DocumentStore::allocations_from(tx, ctx.books.company_id, p.id)?;
    let allocated: i64 = allocs.iter().map(|a| a.amount).sum();
    Ok(json!({
        "id": p.id,
        "direction": p.direction.as_str(),
        "contact": p.contact_id,
        "contact_name": contact_name,
        "date": p.date.to_string(),
        "amount": money::format(p.amount, d),
        "bank_account": p.bank_account_id,
        "reference": p.reference,
        "status": if p.is_void { "void" } else { "posted" },
        "allocations": allocs.iter().map(|a| json!({"document": a.document_id, "amount": money::format(a.amount, d)})).collect::<Vec<_>>(),
        "unallocated": money::format(if p.is_void { 0 } else { p.amount.saturating_sub(allocated) }, d),
        "journal_entry": p.journal_entry_id,
        "void_entry": p.void_entry_id,
        "created_at": p.created_at.to_string(),
    }))
}

fn respond(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<String, ApiError> {
    let (p, name) = documents::get_payment(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
    Ok(payment_json(tx, ctx, &p, &name)?.to_string())
}

pub async fn list(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let page = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, _| {
            let page = documents::payment_page(tx, ctx.books.company_id, &query)?;
            let mut items = Vec::with_capacity(page.items.len());
            for (p, name) in &page.items {
                items.push(payment_json(tx, ctx, p, name)?);
            }
            Ok(crate::store::list::Page {
                count: page.count,
                items,
            })
        },
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |v| v))
}

pub async fn get(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let body = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, _| respond(tx, ctx, id),
    )
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    ApiJson(body): ApiJson<PaymentBody>,
) -> Result<Response, ApiError> {
    let input = PaymentInput {
        direction: body.direction.clone(),
        contact: body.contact,
        date: optional_date("date", body.date.as_deref())?,
        amount: body.amount.clone(),
        bank_account: body.bank_account,
        reference: body.reference.clone(),
        allocations: allocations(&body.allocations),
    };
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::IssueDocuments,
        idempotency,
        status: StatusCode::CREATED,
    };
    write(&app, w, move |tx, ctx| {
        let p = payments::record(tx, ctx, &input)?;
        respond(tx, ctx, p.id)
    })
    .await
}

pub async fn allocate(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AllocateBody>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let input = allocations(&body.allocations);
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::IssueDocuments,
        idempotency,
        status: StatusCode::OK,
    };
    write(&app, w, move |tx, ctx| {
        let p = payments::allocate(tx, ctx, id, &input)?;
        respond(tx, ctx, p.id)
    })
    .await
}

pub async fn void(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    // The body is optional: no body voids on the original date.
    let body: VoidBody = super::extract::optional_body(&raw)?;
    let date = optional_date("date", body.date.as_deref())?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::IssueDocuments,
        idempotency,
        status: StatusCode::OK,
    };
    write(&app, w, move |tx, ctx| {
        let p = payments::void(tx, ctx, id, date)?;
        respond(tx, ctx, p.id)
    })
    .await
}

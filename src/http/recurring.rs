//! `/api/invoicing/recurring-invoices/`: schedules that make invoices by themselves, and
//! `…/run/`, which makes the company's due invoices now (what the server's scheduler does every
//! few minutes).

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{list_request, optional_date, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::FieldErrors;
use crate::domain::documents::DocumentKind;
use crate::domain::documents::operations::MAX_LINES;
use crate::domain::documents::recurring::{self, Frequency, Recurring};
use crate::domain::roles::Action;
use crate::store::recurring as store;

#[derive(Deserialize)]
pub struct RecurringBody {
    name: Option<String>,
    contact: Option<Uuid>,
    frequency: Option<String>,
    every: Option<i64>,
    start_date: Option<String>,
    #[serde(default, deserialize_with = "super::accounting::present")]
    end_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::accounting::present")]
    payment_terms_days: Option<Option<i64>>,
    reference: Option<String>,
    notes: Option<String>,
    auto_issue: Option<bool>,
    is_active: Option<bool>,
    lines: Option<Vec<super::documents::LineBody>>,
}

fn json_of(r: &Recurring) -> serde_json::Value {
    json!({
        "id": r.id,
        "name": r.name,
        "contact": r.contact_id,
        "frequency": r.frequency.as_str(),
        "every": r.every,
        "start_date": r.start_date.to_string(),
        "end_date": r.end_date.map(|d| d.to_string()),
        "next_date": r.next_date.map(|d| d.to_string()),
        "payment_terms_days": r.payment_terms_days,
        "reference": r.reference,
        "notes": r.notes,
        "auto_issue": r.auto_issue,
        "is_active": r.is_active,
        "generated": r.generated,
        "lines": r.lines.iter().map(|l| json!({
            "item": l.item, "description": l.description, "quantity": l.quantity, "unit_price": l.unit_price,
            "discount_percent": l.discount_percent, "tax_rate": l.tax_rate, "account": l.account,
        })).collect::<Vec<_>>(),
        "created_at": r.created_at.to_string(),
        "updated_at": r.updated_at.to_string(),
    })
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
        move |tx, ctx, _| Ok(store::page(tx, ctx.books.company_id, &query)?),
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |r| json_of(&r)))
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
        move |tx, ctx, _| {
            let r = store::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            Ok(json_of(&r).to_string())
        },
    )
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn save(
    app: AppState,
    claims: crate::auth::jwt::Claims,
    company: Option<String>,
    id: Option<Uuid>,
    body: RecurringBody,
) -> Result<Response, ApiError> {
    let start = optional_date("start_date", body.start_date.as_deref())?;
    let end = match &body.end_date {
        Some(v) => Some(optional_date("end_date", v.as_deref())?),
        None => None,
    };
    let (status, out) = in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        move |tx, ctx, _| {
            let company_id = ctx.books.company_id;
            let existing = match id {
                Some(id) => Some(store::get(tx, company_id, id)?.ok_or(ApiError::NotFound)?),
                None => None,
            };
            let mut errors = FieldErrors::default();
            if existing.is_none() {
                for (f, missing) in [
                    ("name", body.name.is_none()),
                    ("contact", body.contact.is_none()),
                    ("frequency", body.frequency.is_none()),
                    ("lines", body.lines.is_none()),
                ] {
                    if missing {
                        errors.add(f, "This field is required.");
                    }
                }
            }
            let frequency = match body.frequency.as_deref() {
                Some(f) => Frequency::parse(f).or_else(|| {
                    errors.add("frequency", format!("\"{f}\" is not a valid choice."));
                    None
                }),
                None => existing.as_ref().map(|e| e.frequency),
            };
            if body.lines.as_ref().is_some_and(|l| l.len() > MAX_LINES) {
                errors.add("lines", format!("A document has at most {MAX_LINES} lines."));
            }
            errors.into_result()?;
            let now = crate::domain::ledger::chain::now();
            let today = ctx.today;
            let base = existing.clone();
            let start_date = start.or(base.as_ref().map(|b| b.start_date)).unwrap_or(today);
            let mut r = Recurring {
                id: base.as_ref().map_or_else(Uuid::now_v7, |b| b.id),
                company_id,
                name: body
                    .name
                    .clone()
                    .or(base.as_ref().map(|b| b.name.clone()))
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                contact_id: body.contact.or(base.as_ref().map(|b| b.contact_id)).unwrap_or_default(),
                frequency: frequency.unwrap_or(Frequency::Monthly),
                every: body.every.or(base.as_ref().map(|b| b.every)).unwrap_or(1),
                start_date,
                end_date: end.unwrap_or(base.as_ref().and_then(|b| b.end_date)),
                next_date: None,
                // `null` clears the schedule's terms (the customer's apply); absent keeps them.
                payment_terms_days: match body.payment_terms_days {
                    Some(v) => v,
                    None => base.as_ref().and_then(|b| b.payment_terms_days),
                },
                reference: body
                    .reference
                    .clone()
                    .or(base.as_ref().map(|b| b.reference.clone()))
                    .unwrap_or_default(),
                notes: body
                    .notes
                    .clone()
                    .or(base.as_ref().map(|b| b.notes.clone()))
                    .unwrap_or_default(),
                auto_issue: body.auto_issue.or(base.as_ref().map(|b| b.auto_issue)).unwrap_or(false),
                is_active: body.is_active.or(base.as_ref().map(|b| b.is_active)).unwrap_or(true),
                generated: base.as_ref().map_or(0, |b| b.generated),
                lines: match &body.lines {
                    Some(lines) => lines.iter().map(super::documents::line_input).collect(),
                    None => base.as_ref().map(|b| b.lines.clone()).unwrap_or_default(),
                },
                created_by: base.as_ref().map_or(ctx.actor, |b| b.created_by),
                created_at: base.as_ref().map_or(now, |b| b.created_at),
                updated_at: now,
            };
            recurring::check(&r)?;
            // The template must make a valid invoice: checked as a draft would be, then not kept.
            crate::domain::documents::operations::check_input(
                tx,
                ctx,
                DocumentKind::Invoice,
                &recurring::input_for(&r, r.start_date),
            )?;
            // The schedule restarts from its start date, skipping what it already made.
            r.next_date = recurring::nth_date(r.start_date, r.frequency, r.every, r.generated)
                .filter(|d| r.end_date.is_none_or(|end| *d <= end));
            match existing {
                Some(_) => store::update(tx, &r)?,
                None => store::insert(tx, &r)?,
            }
            Ok((
                if id.is_some() {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                },
                json_of(&r).to_string(),
            ))
        },
    )
    .await?;
    Ok((status, [(header::CONTENT_TYPE, "application/json")], out).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<RecurringBody>,
) -> Result<Response, ApiError> {
    save(app, claims, company, None, body).await
}

pub async fn update(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RecurringBody>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    save(app, claims, company, Some(id), body).await
}

/// Makes the company's due invoices now; `{"date": "YYYY-MM-DD"}` (optional) runs as of a date.
pub async fn run(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    #[derive(Deserialize, Default)]
    struct RunBody {
        date: Option<String>,
    }
    let body: RunBody = super::extract::optional_body(&raw)?;
    let date = optional_date("date", body.date.as_deref())?;
    let body = in_books(&app, claims, company, Action::IssueDocuments, Access::Write, move |tx, ctx, _company| {
        let date = date.unwrap_or(ctx.today);
        let mut made = Vec::new();
        for id in store::due(tx, ctx.books.company_id, date)? {
            for d in recurring::generate_due(tx, ctx, id, date)? {
                made.push(json!({"id": d.id, "number": d.number, "issue_date": d.issue_date.to_string(), "status": d.status.as_str()}));
            }
        }
        Ok(json!({"date": date.to_string(), "count": made.len(), "invoices": made}).to_string())
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

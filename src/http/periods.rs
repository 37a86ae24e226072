//! `/api/accounting/periods/`: fiscal-year and approval settings, closing (soft or hard),
//! reopening, the year-end close; and `/api/accounting/audit-log/`.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Response;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{list_request, optional_date, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs};
use super::journal::EntryDto;
use crate::app::AppState;
use crate::domain::ledger::{self, Books, LedgerStore, Settings};
use crate::domain::money;
use crate::domain::roles::Action;
use crate::store::reports;

#[derive(Serialize)]
pub struct SettingsDto {
    pub fiscal_year_start_month: i8,
    pub lock_date: Option<String>,
    pub hard_lock_date: Option<String>,
    pub approval_required: bool,
    pub approval_threshold: String,
    pub tax_rounding: &'static str,
}

fn dto(s: &Settings, books: &Books) -> SettingsDto {
    SettingsDto {
        fiscal_year_start_month: s.fiscal_year_start_month,
        lock_date: s.lock_date.map(|d| d.to_string()),
        hard_lock_date: s.hard_lock_date.map(|d| d.to_string()),
        approval_required: s.approval_required,
        approval_threshold: money::format(s.approval_threshold, books.decimals),
        tax_rounding: s.tax_rounding.as_str(),
    }
}

fn date(field: &str, v: &Option<String>) -> Result<Option<Date>, ApiError> {
    optional_date(field, v.as_deref())
}

pub async fn get(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
) -> Result<Json<SettingsDto>, ApiError> {
    in_books(&app, claims, company, Action::ViewLedger, Access::Read, |tx, ctx, _| {
        Ok(Json(dto(&tx.settings(ctx.books.company_id)?, ctx.books)))
    })
    .await
}

#[derive(Deserialize)]
pub struct SettingsBody {
    fiscal_year_start_month: Option<i64>,
    approval_required: Option<bool>,
    approval_threshold: Option<Value>,
    tax_rounding: Option<String>,
}

/// Changes the fiscal year start, the approval rules and how documents round tax (not the lock
/// dates: see close/reopen).
pub async fn update(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<SettingsBody>,
) -> Result<Json<SettingsDto>, ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::ClosePeriods,
        Access::Write,
        move |tx, ctx, _| {
            let mut s = tx.settings(ctx.books.company_id)?;
            if let Some(m) = body.fiscal_year_start_month {
                s.fiscal_year_start_month = i8::try_from(m)
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| ApiError::field("fiscal_year_start_month", "Enter a month from 1 to 12."))?;
            }
            if let Some(r) = body.approval_required {
                s.approval_required = r;
            }
            if let Some(t) = body.approval_threshold {
                let text = match t {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    _ => return Err(ApiError::field("approval_threshold", "A valid number is required.")),
                };
                s.approval_threshold = money::parse(&text)
                    .and_then(|d| money::to_minor(d, ctx.books.decimals))
                    .map_err(|e| ApiError::field("approval_threshold", e.to_string()))?;
                if s.approval_threshold < 0 {
                    return Err(ApiError::field(
                        "approval_threshold",
                        "Ensure this value is greater than or equal to 0.",
                    ));
                }
            }
            if let Some(r) = body.tax_rounding.as_deref() {
                s.tax_rounding = crate::domain::documents::Rounding::parse(r).ok_or_else(|| {
                    ApiError::field(
                        "tax_rounding",
                        format!("\"{r}\" is not a valid choice: line or document."),
                    )
                })?;
            }
            tx.save_settings(ctx.books.company_id, &s)?;
            Ok(Json(dto(&s, ctx.books)))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct CloseBody {
    date: Option<String>,
    #[serde(default)]
    hard: bool,
}

pub async fn close(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<SettingsDto>, ApiError> {
    let d = date("date", &body.date)?.ok_or_else(|| ApiError::field("date", "This field is required."))?;
    in_books(
        &app,
        claims,
        company,
        Action::ClosePeriods,
        Access::Write,
        move |tx, ctx, _| {
            let s = ledger::close_period(tx, ctx, d, body.hard)?;
            Ok(Json(dto(&s, ctx.books)))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ReopenBody {
    /// The new soft lock date (earlier than the current one); absent: no soft lock.
    date: Option<String>,
}

pub async fn reopen(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<ReopenBody>,
) -> Result<Json<SettingsDto>, ApiError> {
    let d = date("date", &body.date)?;
    in_books(
        &app,
        claims,
        company,
        Action::ClosePeriods,
        Access::Write,
        move |tx, ctx, _| {
            let s = ledger::reopen_period(tx, ctx, d)?;
            Ok(Json(dto(&s, ctx.books)))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct YearEndBody {
    date: Option<String>,
}

pub async fn year_end(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<YearEndBody>,
) -> Result<Json<Value>, ApiError> {
    let d = date("date", &body.date)?.ok_or_else(|| ApiError::field("date", "This field is required."))?;
    in_books(
        &app,
        claims,
        company,
        Action::ClosePeriods,
        Access::Write,
        move |tx, ctx, _| {
            let entry = ledger::year_end_close(tx, ctx, d)?;
            let settings = tx.settings(ctx.books.company_id)?;
            Ok(Json(json!({
                "closing_entry": entry.map(|e| EntryDto::new(&e, ctx.books)),
                "settings": dto(&settings, ctx.books),
            })))
        },
    )
    .await
}

#[derive(Serialize)]
pub struct AuditDto {
    pub id: Uuid,
    pub actor: Option<Uuid>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub changes: Value,
    pub created_at: String,
}

pub async fn audit_log(
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
        Action::ViewLedger,
        Access::Read,
        move |tx, ctx, _| reports::audit_page(tx, ctx.books.company_id, &query).map_err(ApiError::from),
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |r| AuditDto {
        id: r.id,
        actor: r.actor_id,
        action: r.action,
        object_type: r.object_type,
        object_id: r.object_id,
        changes: serde_json::from_str(&r.detail).unwrap_or(Value::Null),
        created_at: r.created_at,
    }))
}

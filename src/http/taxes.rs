//! `/api/accounting/tax-rates/`: the company's tax rates. Reading needs `documents.view`;
//! creating and changing a rate needs `documents.issue`, since rates decide what documents post.
//! Rates are archived (`is_active: false`), never deleted.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::contacts::{AuditFields, Fields, audit, fetch_account, lookup, now};
use super::conventions::{list_request, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::accounts::AccountType;
use crate::domain::roles::Action;
use crate::domain::taxes::{self as rules, TaxRate, TaxRateInput, format_percent, parse_percent};
use crate::store::{StoreError, taxes};

#[derive(Serialize)]
pub struct TaxRateDto {
    pub id: Uuid,
    pub name: String,
    pub kind: &'static str,
    /// A percentage, as a decimal string without trailing zeros: `"20"`, `"7.5"`.
    pub rate: String,
    pub is_inclusive: bool,
    pub sales_account: Uuid,
    pub purchase_account: Uuid,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&TaxRate> for TaxRateDto {
    fn from(t: &TaxRate) -> Self {
        TaxRateDto {
            id: t.id,
            name: t.name.clone(),
            kind: t.kind.as_str(),
            rate: format_percent(t.rate_ppm),
            is_inclusive: t.is_inclusive,
            sales_account: t.sales_account_id,
            purchase_account: t.purchase_account_id,
            is_active: t.is_active,
            created_at: t.created_at.to_string(),
            updated_at: t.updated_at.to_string(),
        }
    }
}

fn tax_rate_fields(t: &TaxRate) -> AuditFields {
    vec![
        ("name", t.name.clone()),
        ("kind", t.kind.as_str().to_owned()),
        ("rate", format_percent(t.rate_ppm)),
        ("is_inclusive", t.is_inclusive.to_string()),
        ("sales_account", t.sales_account_id.to_string()),
        ("purchase_account", t.purchase_account_id.to_string()),
        ("is_active", t.is_active.to_string()),
    ]
}

pub async fn list_tax_rates(
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
        move |tx, _, company| Ok(taxes::page(tx, company.id, &query)?),
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |t| TaxRateDto::from(&t)))
}

pub async fn get_tax_rate(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, _, company| {
            let rate = taxes::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(json!(TaxRateDto::from(&rate))))
        },
    )
    .await
}

/// Creates (`id` = `None`) or changes a tax rate. A new rate's accounts, when left out or
/// `null`, default to the company's `tax` liability (sales) and `tax` asset (purchases, else
/// the same liability); a stored rate's accounts cannot be cleared.
async fn save(
    app: AppState,
    claims: Claims,
    company: Option<String>,
    id: Option<Uuid>,
    body: Value,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        move |tx, ctx, company| {
            let existing = match id {
                Some(id) => Some(taxes::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?),
                None => None,
            };
            let mut body = Fields::new(body)?;
            let mut input = match &existing {
                Some(t) => TaxRateInput::from(t),
                None => {
                    body.require(&["name", "kind", "rate"]);
                    TaxRateInput {
                        name: String::new(),
                        kind: String::new(),
                        rate_ppm: 0,
                        is_inclusive: false,
                        sales_account_id: None,
                        purchase_account_id: None,
                        is_active: true,
                    }
                }
            };
            if let Some(v) = body.text("name") {
                input.name = v.trim().to_owned();
            }
            if let Some(v) = body.text("kind") {
                input.kind = v;
            }
            if let Some(text) = body.decimal("rate") {
                match parse_percent(&text) {
                    Ok(ppm) => input.rate_ppm = ppm,
                    Err(e) => body.error("rate", e.to_string()),
                }
            }
            if let Some(v) = body.boolean("is_inclusive") {
                input.is_inclusive = v;
            }
            if let Some(v) = body.boolean("is_active") {
                input.is_active = v;
            }
            let sales_set = body.id("sales_account");
            let purchase_set = body.id("purchase_account");
            if let Some(v) = sales_set {
                input.sales_account_id = v;
            }
            if let Some(v) = purchase_set {
                input.purchase_account_id = v;
            }
            if existing.is_none() {
                if input.sales_account_id.is_none() {
                    input.sales_account_id = taxes::default_account(tx, company.id, AccountType::Liability, "tax")?;
                }
                if input.purchase_account_id.is_none() {
                    input.purchase_account_id =
                        taxes::default_account(tx, company.id, AccountType::Asset, "tax")?.or(input.sales_account_id);
                }
            }
            let sales = fetch_account(tx, company.id, sales_set)?;
            let purchase = fetch_account(tx, company.id, purchase_set)?;
            let name_taken = taxes::name_taken(tx, company.id, &input.name, existing.as_ref().map(|t| t.id))?;
            let kind = body.finish(rules::check(&input, name_taken, lookup(&sales), lookup(&purchase)))?;
            let (Some(sales_account_id), Some(purchase_account_id)) =
                (input.sales_account_id, input.purchase_account_id)
            else {
                return Err(ApiError::Internal("tax rate accounts passed the check unset".into()));
            };
            let now = now();
            let rate = TaxRate {
                id: existing.as_ref().map_or_else(Uuid::now_v7, |t| t.id),
                company_id: company.id,
                name: input.name,
                kind,
                rate_ppm: input.rate_ppm,
                is_inclusive: input.is_inclusive,
                sales_account_id,
                purchase_account_id,
                is_active: input.is_active,
                created_at: existing.as_ref().map_or(now, |t| t.created_at),
                updated_at: now,
            };
            let written = match &existing {
                Some(_) => taxes::update(tx, &rate),
                None => taxes::insert(tx, &rate),
            };
            // Two requests racing for one name: the unique index refuses the second.
            written.map_err(|e| match e {
                StoreError::Conflict(_) => ApiError::field("name", "A tax rate with this name already exists."),
                other => ApiError::from(other),
            })?;
            audit(
                tx,
                ctx,
                "tax_rate",
                rate.id,
                existing.as_ref().map(tax_rate_fields),
                tax_rate_fields(&rate),
            )?;
            let status = if existing.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((status, Json(json!(TaxRateDto::from(&rate)))))
        },
    )
    .await
}

pub async fn create_tax_rate(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    save(app, claims, company, None, body).await
}

pub async fn update_tax_rate(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    save(app, claims, company, Some(id), body).await.map(|(_, j)| j)
}

//! `/api/inventory/items/`: the products and services a company sells and buys, with default
//! prices (in the company currency), accounts and tax rates. Codes are unique in a company
//! whatever their case. Items are archived (`is_active: false`), never deleted.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::contacts::{AuditFields, Fields, audit, fetch, fetch_account, lookup, now};
use super::conventions::{list_request, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::items::{self as rules, Item, ItemInput, ItemRefs, parse_price};
use crate::domain::money;
use crate::domain::roles::Action;
use crate::store::{StoreError, items, taxes};

#[derive(Serialize)]
pub struct ItemDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    pub kind: &'static str,
    pub unit: String,
    pub sale_price: String,
    pub purchase_price: String,
    pub income_account: Option<Uuid>,
    pub expense_account: Option<Uuid>,
    pub sales_tax_rate: Option<Uuid>,
    pub purchase_tax_rate: Option<Uuid>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl ItemDto {
    /// `decimals`: those of the company currency, which prices are kept in.
    pub fn new(i: &Item, decimals: u32) -> Self {
        ItemDto {
            id: i.id,
            code: i.code.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            kind: i.kind.as_str(),
            unit: i.unit.clone(),
            sale_price: money::format(i.sale_price, decimals),
            purchase_price: money::format(i.purchase_price, decimals),
            income_account: i.income_account_id,
            expense_account: i.expense_account_id,
            sales_tax_rate: i.sales_tax_rate_id,
            purchase_tax_rate: i.purchase_tax_rate_id,
            is_active: i.is_active,
            created_at: i.created_at.to_string(),
            updated_at: i.updated_at.to_string(),
        }
    }
}

fn item_fields(i: &Item) -> AuditFields {
    let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    vec![
        ("code", i.code.clone()),
        ("name", i.name.clone()),
        ("kind", i.kind.as_str().to_owned()),
        ("unit", i.unit.clone()),
        ("sale_price", i.sale_price.to_string()),
        ("purchase_price", i.purchase_price.to_string()),
        ("income_account", id(i.income_account_id)),
        ("expense_account", id(i.expense_account_id)),
        ("sales_tax_rate", id(i.sales_tax_rate_id)),
        ("purchase_tax_rate", id(i.purchase_tax_rate_id)),
        ("is_active", i.is_active.to_string()),
    ]
}

pub async fn list_items(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let (page, decimals) = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, company| Ok((items::page(tx, company.id, &query)?, ctx.books.decimals)),
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |i| ItemDto::new(&i, decimals)))
}

pub async fn get_item(
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
        move |tx, ctx, company| {
            let item = items::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(json!(ItemDto::new(&item, ctx.books.decimals))))
        },
    )
    .await
}

/// Creates (`id` = `None`) or changes an item.
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
        Action::EditDocuments,
        Access::Write,
        move |tx, ctx, company| {
            let existing = match id {
                Some(id) => Some(items::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?),
                None => None,
            };
            let decimals = ctx.books.decimals;
            let mut body = Fields::new(body)?;
            let mut input = existing.as_ref().map(ItemInput::from).unwrap_or_default();
            if existing.is_none() {
                body.require(&["code", "name"]);
            }
            for (field, target) in [
                ("code", &mut input.code),
                ("name", &mut input.name),
                ("description", &mut input.description),
                ("kind", &mut input.kind),
                ("unit", &mut input.unit),
            ] {
                if let Some(v) = body.text(field) {
                    *target = v;
                }
            }
            for (field, target) in [
                ("sale_price", &mut input.sale_price),
                ("purchase_price", &mut input.purchase_price),
            ] {
                if let Some(text) = body.decimal(field) {
                    match parse_price(&text, decimals) {
                        Ok(minor) => *target = minor,
                        Err(e) => body.error(field, e.to_string()),
                    }
                }
            }
            if let Some(v) = body.boolean("is_active") {
                input.is_active = v;
            }
            let income_set = body.id("income_account");
            let expense_set = body.id("expense_account");
            let sales_tax_set = body.id("sales_tax_rate");
            let purchase_tax_set = body.id("purchase_tax_rate");
            for (set, target) in [
                (income_set, &mut input.income_account_id),
                (expense_set, &mut input.expense_account_id),
                (sales_tax_set, &mut input.sales_tax_rate_id),
                (purchase_tax_set, &mut input.purchase_tax_rate_id),
            ] {
                if let Some(v) = set {
                    *target = v;
                }
            }
            input.normalize();
            let income = fetch_account(tx, company.id, income_set)?;
            let expense = fetch_account(tx, company.id, expense_set)?;
            let sales_tax = fetch(sales_tax_set, |id| taxes::get(tx, company.id, id))?;
            let purchase_tax = fetch(purchase_tax_set, |id| taxes::get(tx, company.id, id))?;
            let code_taken = items::code_taken(tx, company.id, &input.code, existing.as_ref().map(|i| i.id))?;
            let refs = ItemRefs {
                income_account: lookup(&income),
                expense_account: lookup(&expense),
                sales_tax_rate: lookup(&sales_tax),
                purchase_tax_rate: lookup(&purchase_tax),
            };
            let kind = body.finish(rules::check(&input, code_taken, refs))?;

            let item = input.into_item(kind, existing.as_ref(), company.id, now());
            let written = match &existing {
                Some(_) => items::update(tx, &item),
                None => items::insert(tx, &item),
            };
            // Two requests racing for one code: the unique index refuses the second.
            written.map_err(|e| match e {
                StoreError::Conflict(_) => ApiError::field("code", "An item with this code already exists."),
                other => ApiError::from(other),
            })?;
            audit(
                tx,
                ctx,
                "item",
                item.id,
                existing.as_ref().map(item_fields),
                item_fields(&item),
            )?;
            let status = if existing.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((status, Json(json!(ItemDto::new(&item, decimals)))))
        },
    )
    .await
}

pub async fn create_item(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    save(app, claims, company, None, body).await
}

pub async fn update_item(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    save(app, claims, company, Some(id), body).await.map(|(_, j)| j)
}

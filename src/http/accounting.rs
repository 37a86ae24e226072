//! `/api/accounting/chart-of-accounts/`: the chart of accounts of the request's company. An
//! account with postings is never deleted and never changes type: it is deactivated.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{list_request, render};
use super::dto::AccountDto;
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::FieldErrors;
use crate::domain::accounts::{self as chart, Account, AccountInput};
use crate::domain::ledger::{AuditRecord, Ctx, LedgerStore};
use crate::domain::roles::Action;
use crate::store::{Tx, accounts};

pub async fn list_accounts(
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
        move |tx, ctx, _| accounts::page(tx, ctx.books.company_id, &query).map_err(ApiError::from),
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |a| AccountDto::from(&a)))
}

pub async fn get_account(
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
        Action::ViewLedger,
        Access::Read,
        move |tx, ctx, _| {
            let account = accounts::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(json!(AccountDto::from(&account))))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct AccountBody {
    code: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    account_type: Option<String>,
    subtype: Option<String>,
    #[serde(default, deserialize_with = "present")]
    parent: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "present")]
    currency: Option<Option<String>>,
    is_active: Option<bool>,
}

/// Tells `"field": null` (clear it) from a missing field (keep it): both would otherwise read
/// as `None`.
pub fn present<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The parent and the parent's ancestors, walking up (bounded, in case of a damaged chart).
fn parent_chain(tx: &mut Tx, company: Uuid, parent: Option<Uuid>) -> Result<(Option<Account>, Vec<Uuid>), ApiError> {
    let Some(pid) = parent else {
        return Ok((None, Vec::new()));
    };
    let parent = accounts::get(tx, company, pid)?;
    let mut ancestors = Vec::new();
    let mut next = parent.as_ref().and_then(|p| p.parent_id);
    while let Some(id) = next {
        if ancestors.contains(&id) || ancestors.len() > 64 {
            break;
        }
        ancestors.push(id);
        next = accounts::parent_of(tx, id)?;
    }
    Ok((parent, ancestors))
}

async fn save_account(
    app: AppState,
    claims: crate::auth::jwt::Claims,
    company: Option<String>,
    id: Option<Uuid>,
    body: AccountBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::EditLedger,
        Access::Write,
        move |tx, ctx, company| {
            let existing = match id {
                Some(id) => {
                    let a = accounts::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?;
                    let used = accounts::has_postings(tx, id)?;
                    Some((a, used))
                }
                None => None,
            };
            let base = existing.as_ref().map(|(a, _)| a);
            let mut errors = FieldErrors::default();
            if base.is_none() {
                for (field, v) in [("code", &body.code), ("name", &body.name), ("type", &body.account_type)] {
                    if v.is_none() {
                        errors.add(field, "This field is required.");
                    }
                }
            }
            errors.into_result()?;
            let input = AccountInput {
                code: body
                    .code
                    .clone()
                    .or_else(|| base.map(|a| a.code.clone()))
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                name: body
                    .name
                    .clone()
                    .or_else(|| base.map(|a| a.name.clone()))
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                account_type: body
                    .account_type
                    .clone()
                    .or_else(|| base.map(|a| a.account_type.as_str().to_owned()))
                    .unwrap_or_default(),
                subtype: body
                    .subtype
                    .clone()
                    .or_else(|| base.map(|a| a.subtype.clone()))
                    .unwrap_or_default(),
                parent_id: body.parent.unwrap_or_else(|| base.and_then(|a| a.parent_id)),
                currency: body
                    .currency
                    .clone()
                    .unwrap_or_else(|| base.and_then(|a| a.currency.clone())),
                is_active: body.is_active.or_else(|| base.map(|a| a.is_active)).unwrap_or(true),
            };
            let (parent, ancestors) = parent_chain(tx, company.id, input.parent_id)?;
            let kind = chart::check(
                &input,
                existing.as_ref().map(|(a, u)| (a, *u)),
                parent.as_ref(),
                &ancestors,
            )?;
            let now = Timestamp::now();
            let account = Account {
                id: base.map_or_else(Uuid::now_v7, |a| a.id),
                company_id: company.id,
                code: input.code,
                name: input.name,
                account_type: kind,
                subtype: input.subtype,
                parent_id: input.parent_id,
                currency: input.currency,
                is_active: input.is_active,
                created_at: base.map_or(now, |a| a.created_at),
                updated_at: now,
            };
            let result = if base.is_some() {
                accounts::update(tx, &account)
            } else {
                accounts::insert(tx, &account)
            };
            result.map_err(|e| match e {
                crate::store::StoreError::Conflict(_) => {
                    ApiError::field("code", "An account with this code already exists.")
                }
                other => ApiError::from(other),
            })?;
            let action = if base.is_some() { "update" } else { "create" };
            audit_account(tx, ctx, action, &account, base)?;
            let status = if base.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((status, Json(json!(AccountDto::from(&account)))))
        },
    )
    .await
}

pub async fn create_account(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    save_account(app, claims, company, None, body).await
}

pub async fn update_account(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    save_account(app, claims, company, Some(id), body).await.map(|(_, j)| j)
}

/// Deletes an account nobody has used yet; one with postings or children is refused.
pub async fn delete_account(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    in_books(
        &app,
        claims,
        company,
        Action::EditLedger,
        Access::Write,
        move |tx, ctx, _| {
            let account = accounts::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            if accounts::has_postings(tx, id)? {
                return Err(ApiError::field(
                    "non_field_errors",
                    "This account has postings: deactivate it instead.",
                ));
            }
            if accounts::has_children(tx, id)? {
                return Err(ApiError::field(
                    "non_field_errors",
                    "This account has sub-accounts: move or delete them first.",
                ));
            }
            accounts::delete(tx, id)?;
            audit_account(tx, ctx, "delete", &account, None)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        },
    )
    .await
}

/// How the audit trail reads one field of an account.
type Field = fn(&Account) -> String;

/// Records a change of the chart in the company's audit trail.
fn audit_account(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    action: &'static str,
    account: &Account,
    before: Option<&Account>,
) -> Result<(), ApiError> {
    let show = |a: Option<&Account>, f: Field| a.map(f).unwrap_or_default();
    let fields: [(&str, Field); 5] = [
        ("code", |a| a.code.clone()),
        ("name", |a| a.name.clone()),
        ("type", |a| a.account_type.as_str().to_owned()),
        ("parent", |a| a.parent_id.map(|p| p.to_string()).unwrap_or_default()),
        ("is_active", |a| a.is_active.to_string()),
    ];
    let after = (action != "delete").then_some(account);
    let before = if action == "delete" { Some(account) } else { before };
    let changes = fields
        .iter()
        .map(|(name, f)| ((*name).to_owned(), show(before, *f), show(after, *f)))
        .filter(|(_, b, a)| b != a)
        .collect();
    let record = AuditRecord {
        company_id: ctx.books.company_id,
        actor: ctx.actor,
        action,
        object_type: "account",
        object_id: account.id,
        changes,
    };
    LedgerStore::audit(tx, &record)?;
    Ok(())
}

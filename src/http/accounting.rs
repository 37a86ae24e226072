//! `/api/accounting/`: the chart of accounts of the request's company.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::conventions::{list_request, render};
use super::dto::AccountDto;
use super::error::ApiError;
use super::extract::{Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::roles::Action;
use crate::store::accounts;

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
    let page = app
        .blocking(move |app| {
            let caller = app.caller(&claims)?;
            caller.require(Action::ViewLedger)?;
            app.store.tenant_read(caller.tenant()?, |tx| {
                let company = caller.company(tx, company.as_deref())?;
                accounts::page(tx, company.id, &query).map_err(ApiError::from)
            })
        })
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
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(Action::ViewLedger)?;
        let account = app.store.tenant_read(caller.tenant()?, |tx| {
            let company = caller.company(tx, company.as_deref())?;
            accounts::get(tx, company.id, id)?.ok_or(ApiError::NotFound)
        })?;
        Ok(Json(json!(AccountDto::from(&account))))
    })
    .await
}

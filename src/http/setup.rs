//! First-run setup: while no user exists, `POST /api/setup/` with the one-time token printed at
//! start creates the first firm, its company and its administrator.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{required, required_secret, signed_in};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::app::{App, AppState};
use crate::auth::AuthError;
use crate::auth::jwt::random_secret;
use crate::domain::FieldErrors;
use crate::domain::roles::Role;
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::provision::{self, NewFirm, NewUser};
use crate::store::platform;

const SETUP_TOKEN: &str = "setup_token";

/// Makes (or reuses) the one-time setup token when the server has no user yet.
/// Returns `None` once setup is done.
pub fn setup_token(app: &App) -> Result<Option<String>, ApiError> {
    if !app.needs_setup()? {
        return Ok(None);
    }
    app.store.platform_write(|tx| -> Result<Option<String>, ApiError> {
        if let Some(t) = platform::setting(tx, SETUP_TOKEN)? {
            return Ok(Some(t));
        }
        let token = random_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
        platform::set_setting(tx, SETUP_TOKEN, Some(&token))?;
        Ok(Some(token))
    })
}

pub async fn status(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    app.blocking(|app| Ok(Json(json!({ "setup_required": app.needs_setup()? }))))
        .await
}

#[derive(Deserialize)]
pub struct SetupBody {
    token: Option<String>,
    firm_name: Option<String>,
    company_name: Option<String>,
    currency: Option<String>,
    timezone: Option<String>,
    email: Option<String>,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

pub async fn create(
    State(app): State<AppState>,
    ApiJson(body): ApiJson<SetupBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut errors = FieldErrors::default();
    let token = required(&mut errors, "token", &body.token);
    let firm_name = required(&mut errors, "firm_name", &body.firm_name);
    let email = required(&mut errors, "email", &body.email);
    let password = required_secret(&mut errors, "password", &body.password);
    let first_name = required(&mut errors, "first_name", &body.first_name);
    let last_name = required(&mut errors, "last_name", &body.last_name);
    errors.into_result()?;
    let company_name = body
        .company_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| firm_name.clone());
    let firm = NewFirm {
        name: firm_name,
        domain: None,
        plan: Plan::Basic,
        company: CompanyDetails {
            name: company_name,
            currency: body.currency.unwrap_or_else(|| "USD".into()),
            timezone: body.timezone.unwrap_or_else(|| "UTC".into()),
            ..CompanyDetails::default()
        },
        chart: "general".into(),
        admin: Some(NewUser {
            email,
            password,
            first_name,
            last_name,
            role: Role::TenantAdmin,
            permissions: Vec::new(),
            all_companies: true,
            companies: Vec::new(),
            default_company_id: None,
            enforce_policy: true,
        }),
    };
    let body = app
        .hashing(move |app| {
            // Take the one-time token first, so concurrent setups cannot both pass; give it back
            // if the firm could not be created (a weak password must not lock the operator out).
            let taken = app.needs_setup()?
                && app
                    .store
                    .platform_write(|tx| platform::take_setting(tx, SETUP_TOKEN, &token))?;
            if !taken {
                return Err(AuthError::Forbidden.into());
            }
            match provision::create_firm(&app.store, firm, None) {
                Ok(created) => signed_in(app, created.admin),
                Err(e) => {
                    app.store
                        .platform_write(|tx| platform::set_setting(tx, SETUP_TOKEN, Some(&token)))?;
                    Err(e.into())
                }
            }
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

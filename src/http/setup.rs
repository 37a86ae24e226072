//! First-run setup: while no user exists, `POST /api/setup/` with the one-time token printed at
//! start creates the first firm, its company and its administrator.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AdminBody, SignedIn, required, signed_in};
use super::company::JsonBody;
use super::error::{ApiError, Reply};
use super::firm::Public;
use crate::app::App;
use crate::auth::AuthError;
use crate::auth::jwt::random_secret;
use crate::domain::FieldErrors;
use crate::domain::tenants::companies::{self, CompanyChanges};
use crate::provision::{self, NewFirm};
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

/// Whether first-run setup is still open.
#[derive(Serialize, ToSchema)]
#[schema(as = SetupStatus)]
pub struct SetupStatus {
    pub setup_required: bool,
}

pub async fn status(Public(app): Public) -> Reply<Json<SetupStatus>> {
    app.blocking(|app| {
        Ok(Json(SetupStatus {
            setup_required: app.needs_setup()?,
        }))
    })
    .await
}

#[derive(Deserialize, ToSchema)]
#[schema(as = SetupRequest)]
pub struct SetupBody {
    /// The one-time token `oasys serve` prints while no user exists.
    #[schema(value_type = String)]
    token: Option<String>,
    #[schema(value_type = String)]
    firm_name: Option<String>,
    /// Default: the firm's name.
    company_name: Option<String>,
    /// ISO 4217 (default `USD`).
    currency: Option<String>,
    /// IANA time zone (default `UTC`).
    timezone: Option<String>,
    #[serde(flatten)]
    admin: AdminBody,
}

pub async fn create(Public(app): Public, body: JsonBody<SetupBody>) -> Reply<(StatusCode, Json<SignedIn>)> {
    let body = body.parse()?;
    let mut errors = FieldErrors::default();
    let token = required(&mut errors, "token", &body.token);
    let firm_name = required(&mut errors, "firm_name", &body.firm_name);
    let admin = body.admin.read(&mut errors);
    errors.into_result()?;
    let company_name = body
        .company_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| firm_name.clone());
    let company = companies::new_details(CompanyChanges {
        name: Some(company_name),
        currency: body.currency,
        timezone: body.timezone,
        ..CompanyChanges::default()
    })?;
    let firm = NewFirm::with_admin(firm_name, company, admin);
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

//! `/api/auth/`: login, register, token refresh (rotating, with reuse detection), logout,
//! password change and the caller's own profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::dto::UserDto;
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, ClientIp};
use crate::app::{App, AppState};
use crate::auth::jwt::TokenType;
use crate::auth::{AuthError, password, scope};
use crate::domain::FieldErrors;
use crate::domain::roles::Role;
use crate::domain::tenants::{self, CompanyDetails, Plan, User, validate_profile};
use crate::provision::{self, NewFirm, NewUser};
use crate::store::audit;
use crate::store::platform::{self, RefreshUse};

/// Reads a required string field, adding DRF's message when it is missing or blank.
pub fn required(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> String {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => v.to_owned(),
        Some(_) => {
            errors.add(field, "This field may not be blank.");
            String::new()
        }
        None => {
            errors.add(field, "This field is required.");
            String::new()
        }
    }
}

/// Like [`required`], for passwords: refused when missing or empty, never trimmed (spaces are
/// part of a password).
pub fn required_secret(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> String {
    match value.as_deref() {
        Some(v) if !v.is_empty() => v.to_owned(),
        Some(_) => {
            errors.add(field, "This field may not be blank.");
            String::new()
        }
        None => {
            errors.add(field, "This field is required.");
            String::new()
        }
    }
}

#[derive(Deserialize)]
pub struct LoginBody {
    email: Option<String>,
    password: Option<String>,
}

pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = FieldErrors::default();
    let email = tenants::normalize_email(&required(&mut errors, "email", &body.email));
    let secret = required_secret(&mut errors, "password", &body.password);
    errors.into_result()?;
    // Counted and refused before any hashing, so floods cost nothing.
    let attempt = app
        .limiter
        .check(ip, &email)
        .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
    app.hashing(move |app| {
        let found = app.store.platform_read(|tx| platform::user_by_email(tx, &email))?;
        let user = match found {
            Some((user, hash)) => password::verify(&secret, &hash).then_some(user),
            None => {
                password::verify(&secret, &app.dummy_hash);
                None
            }
        };
        let Some(user) = user.filter(|u| u.is_active) else {
            tracing::info!(%email, "login failed");
            return Err(AuthError::InvalidCredentials.into());
        };
        if let Some(t) = user.tenant_id {
            let tenant = app.store.platform_read(|tx| platform::tenant(tx, t))?;
            if !tenant.is_some_and(|t| t.is_active) {
                return Err(AuthError::InvalidCredentials.into());
            }
        }
        let (user, tokens) = app.store.platform_write(|tx| -> Result<(User, Value), ApiError> {
            // Read again under the row lock: a deactivation, demotion or "log out everywhere"
            // that committed while the password was being checked must win over this login.
            platform::lock_user(tx, user.id)?;
            let mut user = platform::user(tx, user.id)?
                .filter(|u| u.is_active)
                .ok_or(AuthError::InvalidCredentials)?;
            let now = Timestamp::now();
            platform::set_last_login(tx, user.id, now)?;
            user.last_login = Some(now);
            audit::record(
                tx,
                provision::event(user.tenant_id, Some(user.id), "login", "user", user.id, &user.email),
            )?;
            let tokens = issue_pair(app, tx, &user, None)?;
            Ok((user, tokens))
        })?;
        attempt.succeeded();
        Ok(Json(
            json!({ "success": true, "user": UserDto::from(&user), "tokens": tokens }),
        ))
    })
    .await
}

/// Issues an access token and a refresh token; the refresh token joins `family`, or starts a
/// new family (a new login).
fn issue_pair(app: &App, tx: &mut crate::store::Tx, user: &User, family: Option<Uuid>) -> Result<Value, ApiError> {
    let now = Timestamp::now().as_second();
    let family = match family {
        Some(f) => f,
        None => {
            let f = Uuid::now_v7();
            platform::insert_refresh_family(tx, f, user.id, now)?;
            f
        }
    };
    let (access, _) = app
        .keys
        .issue(TokenType::Access, user.id, user.tenant_id, user.token_version, None)?;
    let (refresh, claims) = app.keys.issue(
        TokenType::Refresh,
        user.id,
        user.tenant_id,
        user.token_version,
        Some(family),
    )?;
    platform::insert_refresh_token(tx, &claims.jti, family, i64::try_from(claims.exp).unwrap_or(i64::MAX))?;
    Ok(json!({ "access": access, "refresh": refresh }))
}

#[derive(Deserialize)]
pub struct RegisterBody {
    email: Option<String>,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    firm_name: Option<String>,
}

pub async fn register(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !app.config.allow_registration {
        return Err(ApiError::Auth(AuthError::Forbidden));
    }
    let mut errors = FieldErrors::default();
    let email = required(&mut errors, "email", &body.email);
    let secret = required_secret(&mut errors, "password", &body.password);
    let first_name = required(&mut errors, "first_name", &body.first_name);
    let last_name = required(&mut errors, "last_name", &body.last_name);
    errors.into_result()?;
    let firm_name = body
        .firm_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{first_name} {last_name}"));
    let firm = NewFirm {
        name: firm_name.clone(),
        domain: None,
        plan: Plan::Basic,
        company: CompanyDetails {
            name: firm_name,
            currency: "USD".into(),
            timezone: "UTC".into(),
            ..CompanyDetails::default()
        },
        chart: "general".into(),
        admin: Some(NewUser {
            email,
            password: secret,
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
    // A refused registration counts as a failed sign-in of this client: asking which addresses
    // have accounts is as slow as guessing passwords.
    let attempt = app
        .limiter
        .check(ip, &tenants::normalize_email(&email_of(&firm)))
        .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
    let body = app
        .hashing(move |app| {
            let created = provision::create_firm(&app.store, firm, None)?;
            attempt.succeeded();
            signed_in(app, created.admin)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

fn email_of(firm: &NewFirm) -> String {
    firm.admin.as_ref().map(|a| a.email.clone()).unwrap_or_default()
}

/// The login response for a user just created.
pub fn signed_in(app: &App, user: Option<User>) -> Result<Value, ApiError> {
    let user = user.ok_or_else(|| ApiError::Internal("firm created without its administrator".into()))?;
    let tokens = app.store.platform_write(|tx| issue_pair(app, tx, &user, None))?;
    Ok(json!({ "success": true, "user": UserDto::from(&user), "tokens": tokens }))
}

#[derive(Deserialize)]
pub struct RefreshBody {
    refresh: Option<String>,
}

enum Refreshed {
    Tokens(Value),
    Replayed,
}

pub async fn refresh(
    State(app): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = FieldErrors::default();
    let token = required(&mut errors, "refresh", &body.refresh);
    errors.into_result()?;
    let claims = app
        .keys
        .verify(&token, TokenType::Refresh)
        .map_err(|_| AuthError::InvalidRefreshToken)?;
    let family = claims.fam.ok_or(AuthError::InvalidRefreshToken)?;
    app.blocking(move |app| {
        let outcome = app.store.platform_write(|tx| -> Result<Refreshed, ApiError> {
            let now = Timestamp::now().as_second();
            match platform::use_refresh_token(tx, &claims.jti, family, now)? {
                RefreshUse::Fresh => {}
                RefreshUse::Invalid => return Err(AuthError::InvalidRefreshToken.into()),
                RefreshUse::Reused => {
                    // A used token came back: someone holds a copy. End the whole family,
                    // and commit that before refusing.
                    platform::revoke_refresh_family(tx, family, now)?;
                    // The copy may have been used already: every access token dies too.
                    platform::bump_token_version(tx, claims.user_id)?;
                    return Ok(Refreshed::Replayed);
                }
            }
            let caller = scope::caller(tx, &claims).map_err(|_| AuthError::InvalidRefreshToken)?;
            Ok(Refreshed::Tokens(issue_pair(app, tx, &caller.user, Some(family))?))
        })?;
        match outcome {
            Refreshed::Tokens(tokens) => Ok(Json(tokens)),
            Refreshed::Replayed => {
                tracing::warn!(user_id = %claims.user_id, "refresh token reused; family revoked");
                Err(AuthError::InvalidRefreshToken.into())
            }
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct LogoutBody {
    refresh: Option<String>,
    /// Log out of every session: all refresh tokens and every access token stop working.
    #[serde(default)]
    everywhere: bool,
}

pub async fn logout(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    ApiJson(body): ApiJson<LogoutBody>,
) -> Result<Json<Value>, ApiError> {
    let refresh = match body.refresh.as_deref() {
        Some(t) => Some(
            app.keys
                .verify(t, TokenType::Refresh)
                .map_err(|_| ApiError::field("refresh", "Token is invalid or expired"))?,
        ),
        None => None,
    };
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let user = caller.user;
        app.store.platform_write(|tx| -> Result<(), ApiError> {
            let now = Timestamp::now().as_second();
            if let Some(family) = refresh.as_ref().filter(|r| r.user_id == user.id).and_then(|r| r.fam) {
                platform::revoke_refresh_family(tx, family, now)?;
            }
            if body.everywhere {
                platform::bump_token_version(tx, user.id)?;
                platform::revoke_user_refresh_families(tx, user.id, now)?;
            }
            audit::record(
                tx,
                provision::event(user.tenant_id, Some(user.id), "logout", "user", user.id, &user.email),
            )?;
            Ok(())
        })?;
        Ok(Json(json!({ "success": true, "detail": "Successfully logged out." })))
    })
    .await
}

pub async fn me(State(app): State<AppState>, Bearer(claims): Bearer) -> Result<Json<Value>, ApiError> {
    app.blocking(move |app| Ok(Json(json!(UserDto::from(&app.caller(&claims)?.user)))))
        .await
}

#[derive(Deserialize)]
pub struct MeBody {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    timezone: Option<String>,
    language: Option<String>,
    web3_wallet_address: Option<String>,
    date_format: Option<String>,
    negative_style: Option<String>,
    default_company: Option<Uuid>,
}

pub async fn update_me(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    ApiJson(body): ApiJson<MeBody>,
) -> Result<Json<Value>, ApiError> {
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        app.store.platform_write(|tx| -> Result<Json<Value>, ApiError> {
            // Changed from the row as it is now, under its lock: nothing an admin changed meanwhile
            // (role, access, activity) is written back from an older copy.
            platform::lock_user(tx, caller.user.id)?;
            let mut user = platform::user(tx, caller.user.id)?.ok_or(AuthError::InvalidToken)?;
            if let Some(v) = body.first_name {
                user.first_name = v.trim().to_owned();
            }
            if let Some(v) = body.last_name {
                user.last_name = v.trim().to_owned();
            }
            if let Some(v) = body.phone {
                user.profile.phone = v;
            }
            if let Some(v) = body.timezone {
                user.profile.timezone = v;
            }
            if let Some(v) = body.language {
                user.profile.language = v;
            }
            if let Some(v) = body.web3_wallet_address {
                user.profile.web3_wallet_address = v;
            }
            if let Some(v) = body.date_format {
                user.profile.date_format = v;
            }
            if let Some(v) = body.negative_style {
                user.profile.negative_style = v;
            }
            if let Some(c) = body.default_company {
                let known = app
                    .store
                    .tenant_read(caller.tenant()?, |t| crate::store::companies::get(t, c))?;
                if known.is_none() || !caller.may_see_company(c) {
                    return Err(ApiError::field(
                        "default_company",
                        "You do not have access to this company.",
                    ));
                }
                user.default_company_id = Some(c);
            }
            validate_profile(&user.profile)?;
            user.updated_at = Timestamp::now();
            platform::update_user(tx, &user)?;
            audit::record(
                tx,
                provision::event(user.tenant_id, Some(user.id), "update", "user", user.id, &user.email),
            )?;
            Ok(Json(json!(UserDto::from(&user))))
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct PasswordBody {
    old_password: Option<String>,
    new_password: Option<String>,
}

/// Changes the caller's password. Every existing token stops working; new ones are returned.
pub async fn change_password(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = FieldErrors::default();
    let old = required_secret(&mut errors, "old_password", &body.old_password);
    let new = required_secret(&mut errors, "new_password", &body.new_password);
    errors.into_result()?;
    app.hashing(move |app| {
        let caller = app.caller(&claims)?;
        // Throttled like sign-ins, on the same counters: a stolen token is no password oracle.
        let attempt = app
            .limiter
            .check(ip, &caller.user.email)
            .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
        let (_, hash) = app
            .store
            .platform_read(|tx| platform::user_by_email(tx, &caller.user.email))?
            .ok_or(AuthError::InvalidToken)?;
        if !password::verify(&old, &hash) {
            return Err(ApiError::field(
                "old_password",
                "Your old password was entered incorrectly.",
            ));
        }
        attempt.succeeded();
        provision::set_password(&app.store, &caller.user, &new, true, Some(caller.user.id)).map_err(ApiError::from)?;
        let user = app
            .store
            .platform_read(|tx| platform::user(tx, caller.user.id))?
            .ok_or(ApiError::NotFound)?;
        signed_in(app, Some(user))
    })
    .await
    .map(Json)
}

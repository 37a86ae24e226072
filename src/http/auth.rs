//! `/api/auth/`: login, register, token refresh (rotating, with reuse detection) and logout;
//! the caller's own profile and password are in `auth/me.rs`.

mod me;

pub use me::{MeBody, PasswordBody, change_password, me, update_me};

use axum::Json;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::JsonBody;
use super::error::{ApiError, Reply};
use super::extract::ClientIp;
use super::firm::{Public, Signed};
use super::tenants::users::UserDto;
use crate::app::App;
use crate::auth::jwt::TokenType;
use crate::auth::{AuthError, password, scope};
use crate::domain::FieldErrors;
use crate::domain::tenants::companies::{self, CompanyChanges};
use crate::domain::tenants::{self, NewUser, User};
use crate::provision::{self, NewFirm};
use crate::store::audit;
use crate::store::platform::{self, RefreshUse};

/// Reads a required string field, adding DRF's message when it is missing or blank.
pub fn required(errors: &mut FieldErrors, field: &str, value: &Option<String>) -> String {
    tenants::required_text(errors, field, value.as_deref())
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

/// An access token and a refresh token.
#[derive(Serialize, ToSchema)]
#[schema(as = Tokens)]
pub struct Tokens {
    /// Sent as `Authorization: Bearer …`.
    pub access: String,
    /// Single use: `POST /api/auth/token/refresh/` exchanges it for a new pair.
    pub refresh: String,
}

/// A signed-in user and their tokens.
#[derive(Serialize, ToSchema)]
#[schema(as = SignedIn)]
pub struct SignedIn {
    pub success: bool,
    pub user: UserDto,
    pub tokens: Tokens,
}

impl SignedIn {
    fn new(user: &User, tokens: Tokens) -> SignedIn {
        SignedIn {
            success: true,
            user: UserDto::from(user),
            tokens,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = LoggedOut)]
pub struct LoggedOut {
    pub success: bool,
    pub detail: &'static str,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = LoginRequest)]
pub struct LoginBody {
    #[schema(value_type = String)]
    email: Option<String>,
    #[schema(value_type = String)]
    password: Option<String>,
}

pub async fn login(Public(app): Public, ClientIp(ip): ClientIp, body: JsonBody<LoginBody>) -> Reply<Json<SignedIn>> {
    let body = body.parse()?;
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
        let (user, tokens) = app.store.platform_write(|tx| -> Result<(User, Tokens), ApiError> {
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
        Ok(Json(SignedIn::new(&user, tokens)))
    })
    .await
}

/// Issues an access token and a refresh token; the refresh token joins `family`, or starts a
/// new family (a new login).
fn issue_pair(app: &App, tx: &mut crate::store::Tx, user: &User, family: Option<Uuid>) -> Result<Tokens, ApiError> {
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
    Ok(Tokens { access, refresh })
}

/// The first administrator of a new firm, as registration and first-run setup send them.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewAdministrator)]
pub struct AdminBody {
    #[schema(value_type = String)]
    email: Option<String>,
    #[schema(value_type = String)]
    password: Option<String>,
    #[schema(value_type = String)]
    first_name: Option<String>,
    #[schema(value_type = String)]
    last_name: Option<String>,
}

impl AdminBody {
    /// The administrator to create; each missing or blank field is named in `errors`.
    pub fn read(&self, errors: &mut FieldErrors) -> NewUser {
        NewUser::administrator(
            required(errors, "email", &self.email),
            required_secret(errors, "password", &self.password),
            required(errors, "first_name", &self.first_name),
            required(errors, "last_name", &self.last_name),
        )
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(as = RegisterRequest)]
pub struct RegisterBody {
    #[serde(flatten)]
    admin: AdminBody,
    /// Default: the administrator's name.
    firm_name: Option<String>,
}

pub async fn register(
    Public(app): Public,
    ClientIp(ip): ClientIp,
    body: JsonBody<RegisterBody>,
) -> Reply<(StatusCode, Json<SignedIn>)> {
    if !app.config.allow_registration {
        return Err(ApiError::Auth(AuthError::Forbidden));
    }
    let body = body.parse()?;
    let mut errors = FieldErrors::default();
    let admin = body.admin.read(&mut errors);
    errors.into_result()?;
    let firm_name = body
        .firm_name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{} {}", admin.first_name, admin.last_name));
    let company = companies::new_details(CompanyChanges {
        name: Some(firm_name.clone()),
        ..CompanyChanges::default()
    })?;
    // A refused registration counts as a failed sign-in of this client: asking which addresses
    // have accounts is as slow as guessing passwords.
    let attempt = app
        .limiter
        .check(ip, &tenants::normalize_email(&admin.email))
        .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
    let firm = NewFirm::with_admin(firm_name, company, admin);
    let body = app
        .hashing(move |app| {
            let created = provision::create_firm(&app.store, firm, None)?;
            attempt.succeeded();
            signed_in(app, created.admin)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// The login response for a user just created (or whose tokens just ended).
pub fn signed_in(app: &App, user: Option<User>) -> Result<SignedIn, ApiError> {
    let user = user.ok_or_else(|| ApiError::Internal("firm created without its administrator".into()))?;
    let tokens = app.store.platform_write(|tx| issue_pair(app, tx, &user, None))?;
    Ok(SignedIn::new(&user, tokens))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = RefreshRequest)]
pub struct RefreshBody {
    #[schema(value_type = String)]
    refresh: Option<String>,
}

enum Refreshed {
    Tokens(Tokens),
    Replayed,
}

pub async fn refresh(Public(app): Public, body: JsonBody<RefreshBody>) -> Reply<Json<Tokens>> {
    let body = body.parse()?;
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

#[derive(Deserialize, ToSchema)]
#[schema(as = LogoutRequest)]
pub struct LogoutBody {
    /// The session's refresh token: its family ends.
    refresh: Option<String>,
    /// Log out of every session: all refresh tokens and every access token stop working.
    #[serde(default)]
    everywhere: bool,
}

pub async fn logout(c: Signed, body: JsonBody<LogoutBody>) -> Reply<Json<LoggedOut>> {
    let body = body.parse()?;
    c.blocking(move |app, caller| {
        let refresh = match body.refresh.as_deref() {
            Some(t) => Some(
                app.keys
                    .verify(t, TokenType::Refresh)
                    .map_err(|_| ApiError::field("refresh", "Token is invalid or expired"))?,
            ),
            None => None,
        };
        let user = &caller.user;
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
        Ok(Json(LoggedOut {
            success: true,
            detail: "Successfully logged out.",
        }))
    })
    .await
}

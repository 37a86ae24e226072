//! `/api/auth/me/` and `/api/auth/password/`: the signed-in user's own record, profile and
//! password.

use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{SignedIn, required_secret, signed_in};
use crate::auth::AuthError;
use crate::domain::FieldErrors;
use crate::domain::books;
use crate::domain::tenants::users::{self, ProfileChanges};
use crate::http::company::JsonBody;
use crate::http::error::{ApiError, Reply};
use crate::http::extract::ClientIp;
use crate::http::firm::Signed;
use crate::http::tenants::firm_companies;
use crate::http::tenants::users::UserDto;
use crate::provision;

pub async fn me(c: Signed) -> Json<UserDto> {
    Json(UserDto::from(&c.caller().user))
}

/// What a user changes of their own record; only what is sent.
#[derive(Deserialize, ToSchema)]
#[schema(as = MeUpdate)]
pub struct MeBody {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    /// IANA time zone.
    timezone: Option<String>,
    language: Option<String>,
    web3_wallet_address: Option<String>,
    /// `YYYY-MM-DD`, `DD/MM/YYYY`, `MM/DD/YYYY` or `DD.MM.YYYY`.
    date_format: Option<String>,
    /// `minus` or `parentheses`.
    negative_style: Option<String>,
    /// One of the firm's companies the user sees.
    default_company: Option<Uuid>,
}

impl From<MeBody> for ProfileChanges {
    fn from(b: MeBody) -> Self {
        ProfileChanges {
            first_name: b.first_name,
            last_name: b.last_name,
            phone: b.phone,
            timezone: b.timezone,
            language: b.language,
            web3_wallet_address: b.web3_wallet_address,
            date_format: b.date_format,
            negative_style: b.negative_style,
            default_company: b.default_company,
        }
    }
}

pub async fn update_me(c: Signed, body: JsonBody<MeBody>) -> Reply<Json<UserDto>> {
    let changes = ProfileChanges::from(body.parse()?);
    c.blocking(move |app, caller| {
        let known = match changes.default_company {
            Some(_) => firm_companies(app, caller)?,
            None => Vec::new(),
        };
        let user = app.store.platform_write(|tx| {
            Ok::<_, ApiError>(users::update_profile(tx, &caller.user, changes, &known, books::now())?)
        })?;
        Ok(Json(UserDto::from(&user)))
    })
    .await
}

#[derive(Deserialize, ToSchema)]
#[schema(as = PasswordChange)]
pub struct PasswordBody {
    #[schema(value_type = String)]
    old_password: Option<String>,
    #[schema(value_type = String)]
    new_password: Option<String>,
}

/// Changes the caller's password. Every existing token stops working; new ones are returned.
pub async fn change_password(c: Signed, ClientIp(ip): ClientIp, body: JsonBody<PasswordBody>) -> Reply<Json<SignedIn>> {
    let body = body.parse()?;
    let mut errors = FieldErrors::default();
    let old = required_secret(&mut errors, "old_password", &body.old_password);
    let new = required_secret(&mut errors, "new_password", &body.new_password);
    errors.into_result()?;
    c.hashing(move |app, caller| {
        // Throttled like sign-ins, on the same counters: a stolen token is no password oracle.
        let attempt = app
            .limiter
            .check(ip, &caller.user.email)
            .map_err(|retry_after| AuthError::RateLimited { retry_after })?;
        let user = provision::change_password(&app.store, &caller.user, &old, &new, || attempt.succeeded())?;
        signed_in(app, Some(user))
    })
    .await
    .map(Json)
}

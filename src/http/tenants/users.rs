//! `/api/tenants/users/`: the users of the caller's firm: invitations, changes of role and
//! access, activation. The rules are `domain::tenants::users`'.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};
use uuid::Uuid;

use super::firm_companies;
use crate::auth::jwt::random_secret;
use crate::domain::books;
use crate::domain::roles::{ALL_ROLES, Role};
use crate::domain::tenants::users::{self, UserChanges};
use crate::domain::tenants::{Profile, User};
use crate::http::accounting::present;
use crate::http::company::{Id, JsonBody, perm};
use crate::http::conventions::{ListQuery, Verb};
use crate::http::error::{ApiError, Reply};
use crate::http::firm::{Db, InFirm, Signed};
use crate::http::openapi::choice;
use crate::provision;
use crate::store::platform;

/// How a user's dates, numbers and time read in the web app.
#[derive(Serialize, ToSchema)]
#[schema(as = Profile)]
pub struct ProfileDto {
    pub phone: String,
    pub timezone: String,
    pub language: String,
    pub two_factor_enabled: bool,
    pub web3_wallet_address: String,
    pub date_format: String,
    pub negative_style: String,
}

impl From<&Profile> for ProfileDto {
    fn from(p: &Profile) -> Self {
        ProfileDto {
            phone: p.phone.clone(),
            timezone: p.timezone.clone(),
            language: p.language.clone(),
            two_factor_enabled: p.two_factor_enabled,
            web3_wallet_address: p.web3_wallet_address.clone(),
            date_format: p.date_format.clone(),
            negative_style: p.negative_style.clone(),
        }
    }
}

/// A user. `temporary_password` appears once, in the answer to an invitation without a
/// password.
#[derive(Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[schema(schema_with = roles)]
    pub role: &'static str,
    /// Extra permissions by name (`users.view`, `entries.post`, …), beyond the role's.
    pub permissions: Vec<String>,
    pub is_active: bool,
    /// The firm (`null` for the platform administrator).
    #[schema(required = true)]
    pub tenant: Option<Uuid>,
    #[schema(required = true)]
    pub default_company: Option<Uuid>,
    /// Whether the user sees every company of the firm, or only `companies`.
    pub all_companies: bool,
    pub companies: Vec<Uuid>,
    #[schema(required = true, format = DateTime)]
    pub last_login: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub profile: ProfileDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub temporary_password: Option<String>,
}

/// The roles, by name.
fn roles() -> RefOr<Schema> {
    choice(&ALL_ROLES.map(Role::as_str))
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            role: u.role.as_str(),
            permissions: u.permissions.clone(),
            is_active: u.is_active,
            tenant: u.tenant_id,
            default_company: u.default_company_id,
            all_companies: u.all_companies,
            companies: u.companies.clone(),
            last_login: u.last_login.map(|t| t.to_string()),
            created_at: u.created_at.to_string(),
            updated_at: u.updated_at.to_string(),
            profile: ProfileDto::from(&u.profile),
            temporary_password: None,
        }
    }
}

/// A user as an invitation, `PUT` or `PATCH` sends it. An invitation and a `PUT` need `email`
/// (which only the user changes, through `/api/auth/me/`); a `PATCH` changes only what it
/// sends.
#[derive(Deserialize, ToSchema)]
#[schema(as = UserInput)]
pub struct UserBody {
    email: Option<String>,
    /// Only on invitation; without one, a temporary password is made and returned once.
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// Default `staff`; never above the caller's own role.
    role: Option<String>,
    permissions: Option<Vec<String>>,
    is_active: Option<bool>,
    all_companies: Option<bool>,
    companies: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "present")]
    default_company: Option<Option<Uuid>>,
}

impl From<UserBody> for UserChanges {
    fn from(b: UserBody) -> Self {
        UserChanges {
            email: b.email,
            password: b.password,
            first_name: b.first_name,
            last_name: b.last_name,
            role: b.role,
            permissions: b.permissions,
            is_active: b.is_active,
            all_companies: b.all_companies,
            companies: b.companies,
            default_company: b.default_company,
        }
    }
}

pub async fn list(c: InFirm<perm::ViewUsers>, q: ListQuery) -> Reply {
    let dto = |u| UserDto::from(&u);
    c.page(
        Db::Platform,
        q,
        |tx, caller, rq| Ok(platform::users_page(tx, caller.tenant()?.tenant_id(), rq)?),
        dto,
    )
    .await
}

/// Invites a user into the caller's firm. Without a `password`, a temporary one is made and
/// returned once, in `temporary_password`.
pub async fn create(c: InFirm<perm::ManageUsers>, body: JsonBody<UserBody>) -> Reply<(StatusCode, Json<UserDto>)> {
    let changes = UserChanges::from(body.parse()?);
    c.hashing(move |app, caller| {
        let known = firm_companies(app, caller)?;
        let new = users::invite(&caller.user, changes, &known, temporary_password()?)?;
        let tenant = Some(caller.tenant()?.tenant_id());
        let user = provision::create_user(&app.store, tenant, &new, Some(caller.user.id))?;
        let temporary_password = (!new.enforce_policy).then_some(new.password);
        Ok((
            StatusCode::CREATED,
            Json(UserDto {
                temporary_password,
                ..UserDto::from(&user)
            }),
        ))
    })
    .await
}

/// A password for an invitation that sent none: 32 random characters in two groups.
fn temporary_password() -> Result<String, ApiError> {
    let t = random_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    match (t.get(..16), t.get(16..32)) {
        (Some(a), Some(b)) => Ok(format!("{a}-{b}")),
        _ => Err(ApiError::Internal("the random secret is too short".into())),
    }
}

/// Anyone reads their own record; others need `users.view`.
pub async fn get(c: Signed, Id(id): Id) -> Reply<Json<UserDto>> {
    c.platform_read(move |tx, caller| Ok(Json(UserDto::from(&users::find(tx, &caller.user, id)?))))
        .await
}

/// `PATCH` (only what the body sends changes) or `PUT` (`email` is required, and must stay the
/// user's, as on invitation). The user is looked up (and locked) before the body is read: one
/// the caller cannot see or reach is a 404 whatever the body.
pub async fn change<V: Verb>(
    c: InFirm<perm::ManageUsers>,
    Id(id): Id,
    body: JsonBody<UserBody>,
) -> Reply<Json<UserDto>> {
    c.blocking(move |app, caller| {
        let known = firm_companies(app, caller)?;
        let actor = &caller.user;
        let user = app.store.platform_write(|tx| {
            users::change(tx, actor, id, "update", books::now(), |user| {
                Ok::<_, ApiError>(users::apply_changes(
                    actor,
                    user,
                    body.parse()?.into(),
                    &known,
                    V::CHANGE,
                )?)
            })
        })?;
        Ok(Json(UserDto::from(&user)))
    })
    .await
}

pub async fn deactivate(c: InFirm<perm::ManageUsers>, id: Id) -> Reply<Json<UserDto>> {
    set_active(c, id, false).await
}

pub async fn activate(c: InFirm<perm::ManageUsers>, id: Id) -> Reply<Json<UserDto>> {
    set_active(c, id, true).await
}

/// Deactivation ends every token the user holds; nobody deactivates themselves.
async fn set_active(c: InFirm<perm::ManageUsers>, Id(id): Id, active: bool) -> Reply<Json<UserDto>> {
    let action = if active { "activate" } else { "deactivate" };
    c.platform_write(move |tx, caller| {
        let actor = &caller.user;
        let user = users::change(tx, actor, id, action, books::now(), |user| {
            Ok::<_, ApiError>(users::set_active(actor, user, active)?)
        })?;
        Ok(Json(UserDto::from(&user)))
    })
    .await
}

//! `/api/tenants/`: the caller's firm, its companies and its users, with the role checks.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::required;
use super::conventions::{list_request, render};
use super::dto::{CompanyDto, TenantDto, UserDto};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, QueryPairs, parse_id};
use crate::app::AppState;
use crate::auth::AuthError;
use crate::auth::jwt::random_secret;
use crate::auth::scope::Caller;
use crate::domain::FieldErrors;
use crate::domain::roles::{self, Action, Role};
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::provision::{self, NewUser};
use crate::store::audit;
use crate::store::list::{FilterKind, ListRequest, ListSpec, Page, list};
use crate::store::{companies, platform};

// ---------------------------------------------------------------- the firm

pub async fn list_tenants(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let page = app
        .blocking(move |app| {
            let caller = app.caller(&claims)?;
            caller.require(Action::ViewFirm)?;
            let all = app.store.platform_read(platform::tenants)?;
            let visible: Vec<_> = all
                .into_iter()
                .filter(|t| caller.user.role == Role::PlatformAdmin || Some(t.id) == caller.user.tenant_id)
                .collect();
            paginate(visible, &query)
        })
        .await?;
    Ok(render(&uri, &headers, &req, page, |t| TenantDto::from(&t)))
}

/// Pages an already-filtered, short list in memory (the firms a caller can see).
fn paginate<T>(items: Vec<T>, req: &ListRequest) -> Result<Page<T>, ApiError> {
    let count = items.len() as u64;
    let pages = count.div_ceil(req.page_size).max(1);
    if req.page == 0 || req.page > pages {
        return Err(ApiError::NotFound);
    }
    let skip = usize::try_from((req.page - 1) * req.page_size).unwrap_or(usize::MAX);
    let take = usize::try_from(req.page_size).unwrap_or(usize::MAX);
    Ok(Page {
        count,
        items: items.into_iter().skip(skip).take(take).collect(),
    })
}

pub async fn get_tenant(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(Action::ViewFirm)?;
        if caller.user.role != Role::PlatformAdmin && caller.user.tenant_id != Some(id) {
            return Err(ApiError::NotFound);
        }
        let tenant = app
            .store
            .platform_read(|tx| platform::tenant(tx, id))?
            .ok_or(ApiError::NotFound)?;
        Ok(Json(json!(TenantDto::from(&tenant))))
    })
    .await
}

#[derive(Deserialize)]
pub struct TenantPatch {
    name: Option<String>,
    #[serde(default, deserialize_with = "super::accounting::present")]
    domain: Option<Option<String>>,
    plan: Option<String>,
    is_active: Option<bool>,
}

pub async fn update_tenant(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TenantPatch>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let platform_admin = caller.user.role == Role::PlatformAdmin;
        if !platform_admin && caller.user.tenant_id != Some(id) {
            return Err(ApiError::NotFound);
        }
        caller.require(Action::ManageFirm)?;
        let mut tenant = app
            .store
            .platform_read(|tx| platform::tenant(tx, id))?
            .ok_or(ApiError::NotFound)?;
        let mut errors = FieldErrors::default();
        if let Some(name) = body.name {
            if name.trim().is_empty() {
                errors.add("name", "This field may not be blank.");
            }
            tenant.name = name.trim().to_owned();
        }
        if let Some(domain) = body.domain {
            tenant.domain = domain.filter(|d| !d.trim().is_empty());
        }
        // The plan and the firm's active flag belong to the platform operator.
        if body.plan.is_some() || body.is_active.is_some() {
            if !platform_admin {
                return Err(AuthError::Forbidden.into());
            }
            if let Some(plan) = body.plan {
                match Plan::parse(&plan) {
                    Some(p) => tenant.plan = p,
                    None => errors.add("plan", format!("\"{plan}\" is not a valid choice.")),
                }
            }
            if let Some(active) = body.is_active {
                tenant.is_active = active;
            }
        }
        errors.into_result()?;
        tenant.updated_at = Timestamp::now();
        app.store.platform_write(|tx| -> Result<(), ApiError> {
            platform::update_tenant(tx, &tenant)?;
            audit::record(
                tx,
                provision::event(Some(id), Some(caller.user.id), "update", "tenant", id, &tenant.name),
            )?;
            Ok(())
        })?;
        Ok(Json(json!(TenantDto::from(&tenant))))
    })
    .await
}

// ---------------------------------------------------------------- companies

pub async fn list_companies(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let (tenant, page) = app
        .blocking(move |app| {
            let caller = app.caller(&claims)?;
            let scope = caller.tenant()?;
            let page = app.store.tenant_read(scope, |tx| {
                companies::page(tx, caller.visible_companies(), &query).map_err(ApiError::from)
            })?;
            Ok((scope.tenant_id(), page))
        })
        .await?;
    Ok(render(&uri, &headers, &req, page, |c| CompanyDto::new(&c, tenant)))
}

#[derive(Deserialize, Default)]
pub struct CompanyBody {
    name: Option<String>,
    tax_id: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    currency: Option<String>,
    timezone: Option<String>,
    is_active: Option<bool>,
    /// Chart of accounts template for a new company (default `general`).
    chart: Option<String>,
}

pub async fn create_company(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    ApiJson(body): ApiJson<CompanyBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut errors = FieldErrors::default();
    let name = required(&mut errors, "name", &body.name);
    errors.into_result()?;
    let details = CompanyDetails {
        name,
        tax_id: body.tax_id.unwrap_or_default(),
        address: body.address.unwrap_or_default(),
        phone: body.phone.unwrap_or_default(),
        email: body.email.unwrap_or_default(),
        currency: body.currency.unwrap_or_else(|| "USD".into()),
        timezone: body.timezone.unwrap_or_else(|| "UTC".into()),
    };
    let chart = body.chart.unwrap_or_else(|| "general".into());
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(Action::ManageCompanies)?;
        let scope = caller.tenant()?;
        let company = provision::create_company(&app.store, scope, &details, &chart, Some(caller.user.id))?;
        Ok((
            StatusCode::CREATED,
            Json(json!(CompanyDto::new(&company, scope.tenant_id()))),
        ))
    })
    .await
}

pub async fn get_company(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let scope = caller.tenant()?;
        let company = app
            .store
            .tenant_read(scope, |tx| caller.company(tx, Some(&id.to_string())))?;
        Ok(Json(json!(CompanyDto::new(&company, scope.tenant_id()))))
    })
    .await
}

pub async fn update_company(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompanyBody>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let scope = caller.tenant()?;
        let user_id = caller.user.id;
        let tenant_id = scope.tenant_id();
        let company = app.store.tenant_write(scope, |tx| -> Result<_, ApiError> {
            let mut company = caller.company(tx, Some(&id.to_string()))?;
            caller.require(Action::ManageCompanies)?;
            let mut details = CompanyDetails {
                name: body.name.unwrap_or(company.name.clone()),
                tax_id: body.tax_id.unwrap_or(company.tax_id.clone()),
                address: body.address.unwrap_or(company.address.clone()),
                phone: body.phone.unwrap_or(company.phone.clone()),
                email: body.email.unwrap_or(company.email.clone()),
                currency: body.currency.unwrap_or(company.currency.clone()),
                timezone: body.timezone.unwrap_or(company.timezone.clone()),
            };
            details.name = details.name.trim().to_owned();
            details.validate()?;
            company.name = details.name;
            company.tax_id = details.tax_id;
            company.address = details.address;
            company.phone = details.phone;
            company.email = details.email;
            // Amounts are kept in minor units of the currency: changing it would rescale every
            // posted amount (cents would become yen). Only a company without entries may change.
            if details.currency != company.currency && companies::has_entries(tx, company.id)? {
                return Err(ApiError::field(
                    "currency",
                    "This company has journal entries: its currency cannot change.",
                ));
            }
            company.currency = details.currency;
            company.timezone = details.timezone;
            if let Some(active) = body.is_active {
                company.is_active = active;
            }
            company.updated_at = Timestamp::now();
            companies::update(tx, &company)?;
            audit::record(
                tx,
                provision::event(
                    Some(tenant_id),
                    Some(user_id),
                    "update",
                    "company",
                    company.id,
                    &company.name,
                ),
            )?;
            Ok(company)
        })?;
        Ok(Json(json!(CompanyDto::new(&company, tenant_id))))
    })
    .await
}

// ---------------------------------------------------------------- users

const USERS: ListSpec = ListSpec {
    columns: platform::USER_COLUMNS,
    from: "users",
    filters: &[
        ("role", "role = ?", FilterKind::Text),
        ("is_active", "is_active = ?", FilterKind::Bool),
    ],
    search: &["email", "first_name", "last_name"],
    ordering: &[
        ("email", "email"),
        ("last_name", "last_name"),
        ("first_name", "first_name"),
        ("role", "role"),
        ("created_at", "created_at"),
    ],
    tie_breaker: "id",
    default_ordering: "email",
};

pub async fn list_users(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let query = req.clone();
    let page = app
        .blocking(move |app| {
            let caller = app.caller(&claims)?;
            caller.require(Action::ViewUsers)?;
            let tenant = caller.tenant()?.tenant_id();
            app.store.platform_read(|tx| -> Result<_, ApiError> {
                let mut page = list(
                    tx,
                    &USERS,
                    ("tenant_id = $1", vec![tenant.into()]),
                    &query,
                    platform::user_from_row,
                )?;
                for user in page.items.iter_mut().filter(|u| !u.all_companies) {
                    user.companies = platform::user_companies(tx, user.id)?;
                }
                Ok(page)
            })
        })
        .await?;
    Ok(render(&uri, &headers, &req, page, |u| UserDto::from(&u)))
}

#[derive(Deserialize, Default)]
pub struct UserBody {
    email: Option<String>,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    role: Option<String>,
    permissions: Option<Vec<String>>,
    is_active: Option<bool>,
    all_companies: Option<bool>,
    companies: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "super::accounting::present")]
    default_company: Option<Option<Uuid>>,
}

fn parse_role(errors: &mut FieldErrors, raw: &str) -> Option<Role> {
    match raw.parse::<Role>() {
        Ok(r) => Some(r),
        Err(message) => {
            errors.add("role", message);
            None
        }
    }
}

/// Extra permissions must be known actions, and nobody grants an action they may not do
/// themselves. Permissions the user already holds (`kept`) may stay.
fn check_permissions(
    errors: &mut FieldErrors,
    caller: &Caller,
    permissions: &[String],
    kept: &[String],
) -> Result<(), AuthError> {
    for p in permissions {
        match Action::parse(p) {
            None => errors.add("permissions", format!("\"{p}\" is not a known permission.")),
            Some(action) if !kept.contains(p) => caller.require(action)?,
            Some(_) => {}
        }
    }
    Ok(())
}

/// A default company must be one of the firm's companies that the user will see.
fn check_default_company(
    errors: &mut FieldErrors,
    known: &[crate::domain::tenants::Company],
    default: Option<Uuid>,
    sees: impl Fn(Uuid) -> bool,
) {
    if let Some(d) = default
        && (!known.iter().any(|k| k.id == d) || !sees(d))
    {
        errors.add("default_company", "Unknown company.");
    }
}

/// A company-limited administrator manages only users who live entirely in their companies;
/// other users of the firm answer 404, as if absent.
fn within_reach(caller: &Caller, user: &crate::domain::tenants::User) -> bool {
    match caller.visible_companies() {
        None => true,
        Some(ids) => !user.all_companies && user.companies.iter().all(|c| ids.contains(c)),
    }
}

/// Invites a user into the caller's firm. Without a `password`, a temporary one is made and
/// returned once, in `temporary_password`.
pub async fn create_user(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    app.hashing(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(Action::ManageUsers)?;
        let scope = caller.tenant()?;
        let mut errors = FieldErrors::default();
        let email = required(&mut errors, "email", &body.email);
        let role = parse_role(&mut errors, body.role.as_deref().unwrap_or("staff"));
        let permissions = body.permissions.unwrap_or_default();
        check_permissions(&mut errors, &caller, &permissions, &[])?;
        let companies = body.companies.unwrap_or_default();
        let known = app.store.tenant_read(scope, companies::all)?;
        if companies
            .iter()
            .any(|c| !known.iter().any(|k| k.id == *c) || !caller.may_see_company(*c))
        {
            errors.add("companies", "Unknown company.");
        }
        errors.into_result()?;
        let role = role.ok_or_else(|| ApiError::field("role", "This field is required."))?;
        if !roles::can_assign(caller.user.role, role) {
            return Err(AuthError::Forbidden.into());
        }
        let (password, temporary) = match body.password.filter(|p| !p.is_empty()) {
            Some(p) => (p, None),
            None => {
                let t = random_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
                let t = format!("{}-{}", &t[..16], &t[16..32]);
                (t.clone(), Some(t))
            }
        };
        let all_companies = body.all_companies.unwrap_or(companies.is_empty()) && caller.visible_companies().is_none();
        let default_company_id = body.default_company.flatten().or_else(|| companies.first().copied());
        let mut errors = FieldErrors::default();
        check_default_company(&mut errors, &known, default_company_id, |c| {
            all_companies || companies.contains(&c)
        });
        errors.into_result()?;
        let new = NewUser {
            email,
            password,
            first_name: body.first_name.unwrap_or_default(),
            last_name: body.last_name.unwrap_or_default(),
            role,
            permissions,
            all_companies,
            companies: if all_companies { Vec::new() } else { companies },
            default_company_id,
            enforce_policy: temporary.is_none(),
        };
        let user = provision::create_user(&app.store, Some(scope.tenant_id()), &new, Some(caller.user.id))?;
        let mut body = json!(UserDto::from(&user));
        if let (Some(t), Some(obj)) = (temporary, body.as_object_mut()) {
            obj.insert("temporary_password".into(), Value::String(t));
        }
        Ok((StatusCode::CREATED, Json(body)))
    })
    .await
}

/// A user of the caller's own firm, or 404.
fn firm_user(
    app: &crate::app::App,
    caller: &crate::auth::scope::Caller,
    id: Uuid,
) -> Result<crate::domain::tenants::User, ApiError> {
    let tenant = caller.tenant()?.tenant_id();
    app.store
        .platform_read(|tx| platform::user(tx, id))?
        .filter(|u| u.tenant_id == Some(tenant))
        .ok_or(ApiError::NotFound)
}

pub async fn get_user(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let user = firm_user(app, &caller, id)?;
        if user.id != caller.user.id {
            caller.require(Action::ViewUsers)?;
        }
        Ok(Json(json!(UserDto::from(&user))))
    })
    .await
}

pub async fn update_user(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let known = app.store.tenant_read(caller.tenant()?, companies::all)?;
        let user = change_user(app, &caller, id, "update", |user| {
            let own = user.id == caller.user.id;
            let mut errors = FieldErrors::default();
            if body.email.is_some() || body.password.is_some() {
                errors.add(
                    "non_field_errors",
                    "E-mail and password are changed by the user (PATCH /api/auth/me/, POST /api/auth/password/).",
                );
            }
            if let Some(raw) = body.role.as_deref()
                && let Some(role) = parse_role(&mut errors, raw)
            {
                if role != user.role && (own || !roles::can_assign(caller.user.role, role)) {
                    return Err(AuthError::Forbidden.into());
                }
                user.role = role;
            }
            if let Some(p) = body.permissions {
                check_permissions(&mut errors, &caller, &p, &user.permissions)?;
                if own && p != user.permissions {
                    return Err(AuthError::Forbidden.into());
                }
                user.permissions = p;
            }
            if let Some(active) = body.is_active {
                if own && !active {
                    errors.add("is_active", "You cannot deactivate yourself.");
                }
                user.is_active = active;
            }
            if let Some(v) = body.first_name {
                user.first_name = v.trim().to_owned();
            }
            if let Some(v) = body.last_name {
                user.last_name = v.trim().to_owned();
            }
            if let Some(list) = body.companies {
                if list
                    .iter()
                    .any(|c| !known.iter().any(|k| k.id == *c) || !caller.may_see_company(*c))
                {
                    errors.add("companies", "Unknown company.");
                }
                user.companies = list;
            }
            if let Some(all) = body.all_companies {
                if all && caller.visible_companies().is_some() {
                    return Err(AuthError::Forbidden.into());
                }
                user.all_companies = all;
            }
            if user.all_companies {
                user.companies.clear();
            }
            if let Some(d) = body.default_company {
                user.default_company_id = d;
            }
            let (all, list) = (user.all_companies, user.companies.clone());
            check_default_company(&mut errors, &known, user.default_company_id, |c| {
                all || list.contains(&c)
            });
            errors.into_result().map_err(ApiError::from)
        })?;
        Ok(Json(json!(UserDto::from(&user))))
    })
    .await
}

/// Changes one user of the caller's firm in one transaction, from the row as it is now (locked):
/// nothing a concurrent request changed is written back from an older copy. Deactivation ends
/// every token the user holds.
fn change_user(
    app: &crate::app::App,
    caller: &Caller,
    id: Uuid,
    action: &str,
    change: impl FnOnce(&mut crate::domain::tenants::User) -> Result<(), ApiError>,
) -> Result<crate::domain::tenants::User, ApiError> {
    let tenant = caller.tenant()?.tenant_id();
    app.store.platform_write(|tx| {
        platform::lock_user(tx, id)?;
        let mut user = platform::user(tx, id)?
            .filter(|u| u.tenant_id == Some(tenant) && within_reach(caller, u))
            .ok_or(ApiError::NotFound)?;
        caller.require(Action::ManageUsers)?;
        // Nobody manages someone above them.
        if !roles::can_assign(caller.user.role, user.role) {
            return Err(AuthError::Forbidden.into());
        }
        let was_active = user.is_active;
        change(&mut user)?;
        user.updated_at = Timestamp::now();
        platform::update_user(tx, &user)?;
        if was_active && !user.is_active {
            platform::bump_token_version(tx, user.id)?;
            platform::revoke_user_refresh_families(tx, user.id, Timestamp::now().as_second())?;
        }
        audit::record(
            tx,
            provision::event(
                user.tenant_id,
                Some(caller.user.id),
                action,
                "user",
                user.id,
                &user.email,
            ),
        )?;
        Ok(user)
    })
}

async fn set_active(
    app: AppState,
    claims: crate::auth::jwt::Claims,
    id: String,
    active: bool,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        let action = if active { "activate" } else { "deactivate" };
        let user = change_user(app, &caller, id, action, |user| {
            if user.id == caller.user.id {
                return Err(ApiError::field("is_active", "You cannot deactivate yourself."));
            }
            user.is_active = active;
            Ok(())
        })?;
        Ok(Json(json!(UserDto::from(&user))))
    })
    .await
}

pub async fn deactivate_user(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_active(app, claims, id, false).await
}

pub async fn activate_user(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_active(app, claims, id, true).await
}

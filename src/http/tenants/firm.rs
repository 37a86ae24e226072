//! `/api/tenants/` and `/api/tenants/{id}/`: the caller's firm (every firm for the platform
//! administrator). Another firm's id is a 404.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};
use uuid::Uuid;

use crate::domain::books;
use crate::domain::tenants::firm::{self, TenantChanges};
use crate::domain::tenants::{Plan, Tenant};
use crate::http::accounting::present;
use crate::http::company::{Id, JsonBody, perm};
use crate::http::conventions::ListQuery;
use crate::http::error::Reply;
use crate::http::firm::{Db, InFirm};
use crate::http::openapi::choice;
use crate::store::platform;

/// A firm.
#[derive(Serialize, ToSchema)]
#[schema(as = Tenant)]
pub struct TenantDto {
    pub id: Uuid,
    pub name: String,
    #[schema(required = true)]
    pub domain: Option<String>,
    #[schema(schema_with = plans)]
    pub plan: &'static str,
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// The plans, by name.
fn plans() -> RefOr<Schema> {
    choice(&Plan::ALL.map(Plan::as_str))
}

impl From<&Tenant> for TenantDto {
    fn from(t: &Tenant) -> Self {
        TenantDto {
            id: t.id,
            name: t.name.clone(),
            domain: t.domain.clone(),
            plan: t.plan.as_str(),
            is_active: t.is_active,
            created_at: t.created_at.to_string(),
            updated_at: t.updated_at.to_string(),
        }
    }
}

/// What `PATCH` changes; `plan` and `is_active` only by the platform administrator.
#[derive(Deserialize, ToSchema)]
#[schema(as = TenantUpdate)]
pub struct TenantBody {
    name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    domain: Option<Option<String>>,
    plan: Option<String>,
    is_active: Option<bool>,
}

impl From<TenantBody> for TenantChanges {
    fn from(b: TenantBody) -> Self {
        TenantChanges {
            name: b.name,
            domain: b.domain,
            plan: b.plan,
            is_active: b.is_active,
        }
    }
}

pub async fn list(c: InFirm<perm::ViewFirm>, q: ListQuery) -> Reply {
    let dto = |t| TenantDto::from(&t);
    c.page(
        Db::Platform,
        q,
        |tx, caller, rq| Ok(platform::tenants_page(tx, firm::seen(&caller.user), rq)?),
        dto,
    )
    .await
}

pub async fn get(c: InFirm<perm::ViewFirm>, Id(id): Id) -> Reply<Json<TenantDto>> {
    c.platform_read(move |tx, caller| Ok(TenantDto::from(&firm::find(tx, &caller.user, id)?)))
        .await
        .map(Json)
}

pub async fn update(c: InFirm<perm::ManageFirm>, Id(id): Id, body: JsonBody<TenantBody>) -> Reply<Json<TenantDto>> {
    c.platform_write(move |tx, caller| {
        let tenant = firm::find(tx, &caller.user, id)?;
        let tenant = firm::update(tx, &caller.user, tenant, body.parse()?.into(), books::now())?;
        Ok(TenantDto::from(&tenant))
    })
    .await
    .map(Json)
}

//! `/api/tenants/companies/`: the companies of the caller's firm that they may see. A new one
//! gets its chart of accounts; a company with journal entries keeps its currency.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::scope::Caller;
use crate::domain::books;
use crate::domain::tenants::Company;
use crate::domain::tenants::companies::{self, CompanyChanges, DEFAULT_CHART};
use crate::http::company::{Id, JsonBody, perm};
use crate::http::conventions::{ListQuery, Verb};
use crate::http::error::Reply;
use crate::http::firm::{Db, InFirm, Signed};
use crate::provision;
use crate::store::list::ListRequest;
use crate::store::{Tx, companies as store};

/// A company of the firm.
#[derive(Serialize, ToSchema)]
#[schema(as = Company)]
pub struct CompanyDto {
    pub id: Uuid,
    /// The firm.
    pub tenant: Uuid,
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// ISO 4217; fixed once the company has journal entries.
    pub currency: String,
    /// IANA time zone: the company's "today".
    pub timezone: String,
    /// A deactivated company's books can be read, not changed.
    pub is_active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl CompanyDto {
    pub fn new(c: &Company, tenant: Uuid) -> Self {
        CompanyDto {
            id: c.id,
            tenant,
            name: c.name.clone(),
            tax_id: c.tax_id.clone(),
            address: c.address.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            currency: c.currency.clone(),
            timezone: c.timezone.clone(),
            is_active: c.is_active,
            created_at: c.created_at.to_string(),
            updated_at: c.updated_at.to_string(),
        }
    }
}

/// A company as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name`; a
/// `PATCH` changes only what it sends.
#[derive(Deserialize, ToSchema)]
#[schema(as = CompanyInput)]
pub struct CompanyBody {
    name: Option<String>,
    tax_id: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    /// ISO 4217 (default `USD`).
    currency: Option<String>,
    /// IANA time zone (default `UTC`).
    timezone: Option<String>,
    is_active: Option<bool>,
    /// The chart of accounts template of a new company (default `general`).
    chart: Option<String>,
}

impl From<CompanyBody> for CompanyChanges {
    fn from(b: CompanyBody) -> Self {
        CompanyChanges {
            name: b.name,
            tax_id: b.tax_id,
            address: b.address,
            phone: b.phone,
            email: b.email,
            currency: b.currency,
            timezone: b.timezone,
            is_active: b.is_active,
        }
    }
}

pub async fn list(c: Signed, q: ListQuery) -> Reply {
    let companies = |tx: &mut Tx, caller: &Caller, rq: &ListRequest| {
        let tenant = caller.tenant()?.tenant_id();
        Ok(store::page(tx, caller.visible_companies(), rq)?.map(|company| CompanyDto::new(&company, tenant)))
    };
    c.page(Db::Firm, q, companies, |dto| dto).await
}

pub async fn create(
    c: InFirm<perm::ManageCompanies>,
    body: JsonBody<CompanyBody>,
) -> Reply<(StatusCode, Json<CompanyDto>)> {
    let mut body = body.parse()?;
    let chart = body.chart.take().unwrap_or_else(|| DEFAULT_CHART.into());
    let details = companies::new_details(body.into())?;
    c.tenant_write(move |tx, caller| {
        let tenant = caller.tenant()?.tenant_id();
        let company = provision::add_company(tx, &details, &chart, Some(caller.user.id), tenant)?;
        Ok((StatusCode::CREATED, Json(CompanyDto::new(&company, tenant))))
    })
    .await
}

pub async fn get(c: Signed, Id(id): Id) -> Reply<Json<CompanyDto>> {
    c.tenant_read(move |tx, caller| {
        let company = companies::find(tx, &caller.user, id)?;
        Ok(Json(CompanyDto::new(&company, caller.tenant()?.tenant_id())))
    })
    .await
}

/// `PATCH` (only what the body sends changes) or `PUT` (`name` is required, as on create).
/// The company is looked up before the body is read: one the caller cannot see is a 404
/// whatever the body.
pub async fn change<V: Verb>(
    c: InFirm<perm::ManageCompanies>,
    Id(id): Id,
    body: JsonBody<CompanyBody>,
) -> Reply<Json<CompanyDto>> {
    c.tenant_write(move |tx, caller| {
        let current = companies::find(tx, &caller.user, id)?;
        let company = companies::update(tx, &caller.user, current, V::CHANGE, body.parse()?.into(), books::now())?;
        Ok(Json(CompanyDto::new(&company, caller.tenant()?.tenant_id())))
    })
    .await
}

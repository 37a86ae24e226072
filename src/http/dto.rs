//! The API's JSON shapes (the seed's field names), built from domain types. The domain never
//! derives `Serialize`: renaming a domain field cannot change the contract.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::accounts::Account;
use crate::domain::tenants::{Company, Tenant, User};

#[derive(Serialize)]
pub struct ProfileDto {
    pub phone: String,
    pub timezone: String,
    pub language: String,
    pub two_factor_enabled: bool,
    pub web3_wallet_address: String,
    pub date_format: String,
    pub negative_style: String,
}

#[derive(Serialize)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: &'static str,
    pub permissions: Vec<String>,
    pub is_active: bool,
    pub tenant: Option<Uuid>,
    pub default_company: Option<Uuid>,
    pub all_companies: bool,
    pub companies: Vec<Uuid>,
    pub last_login: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub profile: ProfileDto,
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
            profile: ProfileDto {
                phone: u.profile.phone.clone(),
                timezone: u.profile.timezone.clone(),
                language: u.profile.language.clone(),
                two_factor_enabled: u.profile.two_factor_enabled,
                web3_wallet_address: u.profile.web3_wallet_address.clone(),
                date_format: u.profile.date_format.clone(),
                negative_style: u.profile.negative_style.clone(),
            },
        }
    }
}

#[derive(Serialize)]
pub struct TenantDto {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub plan: &'static str,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
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

#[derive(Serialize)]
pub struct CompanyDto {
    pub id: Uuid,
    pub tenant: Uuid,
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub currency: String,
    pub timezone: String,
    pub is_active: bool,
    pub created_at: String,
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

#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountDto {
    pub id: Uuid,
    pub company: Uuid,
    pub code: String,
    pub name: String,
    /// `asset`, `liability`, `equity`, `revenue` or `expense`.
    #[serde(rename = "type")]
    pub account_type: &'static str,
    pub subtype: String,
    pub parent: Option<Uuid>,
    pub currency: Option<String>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Account> for AccountDto {
    fn from(a: &Account) -> Self {
        AccountDto {
            id: a.id,
            company: a.company_id,
            code: a.code.clone(),
            name: a.name.clone(),
            account_type: a.account_type.as_str(),
            subtype: a.subtype.clone(),
            parent: a.parent_id,
            currency: a.currency.clone(),
            is_active: a.is_active,
            created_at: a.created_at.to_string(),
            updated_at: a.updated_at.to_string(),
        }
    }
}

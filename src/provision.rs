//! Creating firms, companies and users: the steps that span the platform database and a
//! firm's own storage, shared by registration, first-run setup, the demo and the CLI.

use jiff::Timestamp;
use uuid::Uuid;

use crate::auth::password;
use crate::auth::scope::TenantScope;
use crate::domain::FieldErrors;
use crate::domain::accounts::{self, TemplateError};
use crate::domain::tenants::{self, Company, CompanyDetails, Plan, Profile, Tenant, User};
use crate::store::audit::{self, AuditEvent};
use crate::store::{Store, StoreError, Tx, accounts as account_store, companies, platform};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<FieldErrors> for ProvisionError {
    fn from(e: FieldErrors) -> Self {
        ProvisionError::Invalid(e)
    }
}

impl From<TemplateError> for ProvisionError {
    fn from(e: TemplateError) -> Self {
        ProvisionError::Invalid(FieldErrors::single("chart", e.to_string()))
    }
}

pub use crate::domain::tenants::NewUser;

pub struct NewFirm {
    pub name: String,
    pub domain: Option<String>,
    pub plan: Plan,
    pub company: CompanyDetails,
    pub chart: String,
    pub admin: Option<NewUser>,
}

impl NewFirm {
    /// A firm as registration and first-run setup make it: the basic plan, one company with the
    /// default chart of accounts, and its administrator.
    pub fn with_admin(name: String, company: CompanyDetails, admin: NewUser) -> NewFirm {
        NewFirm {
            name,
            domain: None,
            plan: Plan::Basic,
            company,
            chart: tenants::companies::DEFAULT_CHART.into(),
            admin: Some(admin),
        }
    }
}

pub struct Firm {
    pub tenant: Tenant,
    pub company: Company,
    pub admin: Option<User>,
}

/// Creates a firm: its storage, its default company with a chart of accounts, and optionally
/// its first administrator. Blocking.
pub fn create_firm(store: &Store, firm: NewFirm, actor: Option<Uuid>) -> Result<Firm, ProvisionError> {
    let mut errors = FieldErrors::default();
    if firm.name.trim().is_empty() {
        errors.add("firm_name", "This field may not be blank.");
    }
    if let Err(e) = firm.company.validate() {
        for (k, v) in e.0 {
            for m in v {
                errors.add(&k, m);
            }
        }
    }
    let admin_hash = match &firm.admin {
        Some(admin) => {
            check_new_user(store, admin, &mut errors)?;
            errors.clone().into_result()?;
            Some(password::hash(&admin.password).map_err(|e| ProvisionError::Hash(e.to_string()))?)
        }
        None => None,
    };
    errors.into_result()?;
    let now = Timestamp::now();
    let tenant = Tenant {
        id: Uuid::now_v7(),
        name: firm.name.trim().to_owned(),
        domain: firm.domain.filter(|d| !d.trim().is_empty()),
        plan: firm.plan,
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    store.create_tenant_storage(tenant.id)?;
    let scope = TenantScope::operator(tenant.id);
    let company = store.tenant_write(&scope, |tx| {
        insert_company(tx, &firm.company, &firm.chart, actor, tenant.id)
    })?;
    let admin = store.platform_write(|tx| -> Result<Option<User>, ProvisionError> {
        platform::insert_tenant(tx, &tenant)?;
        audit::record(
            tx,
            event(Some(tenant.id), actor, "create", "tenant", tenant.id, &tenant.name),
        )?;
        match (&firm.admin, &admin_hash) {
            (Some(new), Some(hash)) => {
                let mut user = user_from(new, Some(tenant.id), now);
                user.default_company_id = Some(company.id);
                platform::insert_user(tx, &user, hash)?;
                audit::record(
                    tx,
                    event(Some(tenant.id), actor, "create", "user", user.id, &user.email),
                )?;
                Ok(Some(user))
            }
            _ => Ok(None),
        }
    })?;
    Ok(Firm { tenant, company, admin })
}

/// Creates a company in a firm, with its chart of accounts from `chart`. Blocking.
pub fn create_company(
    store: &Store,
    scope: &TenantScope,
    details: &CompanyDetails,
    chart: &str,
    actor: Option<Uuid>,
) -> Result<Company, ProvisionError> {
    let tenant_id = scope.tenant_id();
    store.tenant_write(scope, |tx| add_company(tx, details, chart, actor, tenant_id))
}

/// Checks `details` and creates the company, with its chart of accounts from `chart`, in the
/// caller's transaction on the firm's database.
pub fn add_company(
    tx: &mut Tx,
    details: &CompanyDetails,
    chart: &str,
    actor: Option<Uuid>,
    tenant_id: Uuid,
) -> Result<Company, ProvisionError> {
    details.validate()?;
    insert_company(tx, details, chart, actor, tenant_id)
}

fn insert_company(
    tx: &mut Tx,
    details: &CompanyDetails,
    chart: &str,
    actor: Option<Uuid>,
    tenant_id: Uuid,
) -> Result<Company, ProvisionError> {
    let now = Timestamp::now();
    let company = Company {
        id: Uuid::now_v7(),
        name: details.name.trim().to_owned(),
        tax_id: details.tax_id.clone(),
        address: details.address.clone(),
        phone: details.phone.clone(),
        email: details.email.clone(),
        currency: details.currency.clone(),
        timezone: details.timezone.clone(),
        is_active: true,
        created_at: now,
        updated_at: now,
    };
    companies::insert(tx, &company)?;
    for account in accounts::from_template(chart, company.id, now)? {
        account_store::insert(tx, &account)?;
    }
    audit::record(
        tx,
        event(Some(tenant_id), actor, "create", "company", company.id, &company.name),
    )?;
    Ok(company)
}

/// Creates a user in a firm (or a platform administrator when `tenant_id` is `None`). Blocking.
pub fn create_user(
    store: &Store,
    tenant_id: Option<Uuid>,
    new: &NewUser,
    actor: Option<Uuid>,
) -> Result<User, ProvisionError> {
    let mut errors = FieldErrors::default();
    check_new_user(store, new, &mut errors)?;
    errors.into_result()?;
    let hash = password::hash(&new.password).map_err(|e| ProvisionError::Hash(e.to_string()))?;
    let user = user_from(new, tenant_id, Timestamp::now());
    store.platform_write(|tx| -> Result<(), ProvisionError> {
        platform::insert_user(tx, &user, &hash)?;
        audit::record(tx, event(tenant_id, actor, "create", "user", user.id, &user.email))?;
        Ok(())
    })?;
    Ok(user)
}

/// Hashes and stores a new password; every token issued before stops working. Blocking.
pub fn set_password(
    store: &Store,
    user: &User,
    new_password: &str,
    enforce_policy: bool,
    actor: Option<Uuid>,
) -> Result<(), ProvisionError> {
    if enforce_policy {
        let reasons = crate::domain::password::check(new_password, &[&user.email, &user.first_name, &user.last_name]);
        if !reasons.is_empty() {
            let mut errors = FieldErrors::default();
            for r in reasons {
                errors.add("new_password", r);
            }
            return Err(errors.into());
        }
    }
    let hash = password::hash(new_password).map_err(|e| ProvisionError::Hash(e.to_string()))?;
    store.platform_write(|tx| -> Result<(), ProvisionError> {
        platform::set_password(tx, user.id, &hash, Timestamp::now())?;
        platform::revoke_user_refresh_families(tx, user.id, Timestamp::now().as_second())?;
        audit::record(
            tx,
            event(user.tenant_id, actor, "set_password", "user", user.id, &user.email),
        )?;
        Ok(())
    })
}

/// The refusal of an address that already has an account. It does not say so: registration is
/// open to anyone, and "already exists" would tell them who has an account here (the answer
/// still differs from a success; the sign-in limiter makes asking slow, `docs/security.md`).
pub const EMAIL_UNAVAILABLE: &str = "This email address cannot be registered. If it is yours, sign in instead.";

/// Changes a user's own password: the current one must match (then `matched` is called, before
/// the new one is checked: the sign-in limiter forgives the attempt). Every token issued before
/// stops working. Returns the user as now stored. Blocking.
pub fn change_password(
    store: &Store,
    user: &User,
    old: &str,
    new: &str,
    matched: impl FnOnce(),
) -> Result<User, ProvisionError> {
    let (_, hash) = store
        .platform_read(|tx| platform::user_by_email(tx, &user.email))?
        .ok_or(StoreError::NotFound)?;
    if !password::verify(old, &hash) {
        return Err(FieldErrors::single("old_password", "Your old password was entered incorrectly.").into());
    }
    matched();
    set_password(store, user, new, true, Some(user.id))?;
    Ok(store
        .platform_read(|tx| platform::user(tx, user.id))?
        .ok_or(StoreError::NotFound)?)
}

fn check_new_user(store: &Store, new: &NewUser, errors: &mut FieldErrors) -> Result<(), StoreError> {
    let email = tenants::normalize_email(&new.email);
    if !tenants::is_email(&email) {
        errors.add("email", "Enter a valid email address.");
    } else if store.platform_read(|tx| platform::user_by_email(tx, &email))?.is_some() {
        errors.add("email", EMAIL_UNAVAILABLE);
    }
    if new.enforce_policy {
        for reason in crate::domain::password::check(&new.password, &[&email, &new.first_name, &new.last_name]) {
            errors.add("password", reason);
        }
    }
    Ok(())
}

fn user_from(new: &NewUser, tenant_id: Option<Uuid>, now: Timestamp) -> User {
    User {
        id: Uuid::now_v7(),
        tenant_id,
        email: tenants::normalize_email(&new.email),
        first_name: new.first_name.trim().to_owned(),
        last_name: new.last_name.trim().to_owned(),
        role: new.role,
        permissions: new.permissions.clone(),
        is_active: true,
        default_company_id: new.default_company_id,
        all_companies: new.all_companies,
        companies: new.companies.clone(),
        token_version: 0,
        last_login: None,
        profile: Profile {
            phone: String::new(),
            timezone: "UTC".into(),
            language: "en".into(),
            two_factor_enabled: false,
            web3_wallet_address: String::new(),
            date_format: "YYYY-MM-DD".into(),
            negative_style: "minus".into(),
        },
        created_at: now,
        updated_at: now,
    }
}

pub fn event<'a>(
    tenant_id: Option<Uuid>,
    actor: Option<Uuid>,
    action: &'a str,
    object_type: &'a str,
    id: Uuid,
    label: &str,
) -> AuditEvent<'a> {
    AuditEvent {
        tenant_id,
        actor_id: actor,
        action,
        object_type,
        object_id: Some(id),
        detail: serde_json::json!({ "label": label }),
    }
}

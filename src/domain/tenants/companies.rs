//! A firm's companies: what a new one starts with, who sees which, and changing their details.
//! A company's currency is fixed once it has journal entries.

use jiff::Timestamp;
use uuid::Uuid;

use super::{Company, CompanyDetails, Event, EventLog, TenantError, TenantResult, User, required_text};
use crate::domain::{Change, FieldErrors};

/// The chart of accounts a new company gets unless the request names another.
pub const DEFAULT_CHART: &str = "general";

/// What the company operations need from storage (the firm's database).
pub trait CompanyStore: EventLog {
    fn company(&mut self, id: Uuid) -> Result<Option<Company>, Self::Error>;
    /// Whether the company has any journal entry, draft or posted.
    fn has_entries(&mut self, id: Uuid) -> Result<bool, Self::Error>;
    fn update_company(&mut self, company: &Company) -> Result<(), Self::Error>;
}

/// What a request sets; `None` leaves a field as it is (or, for a new company, at its default).
#[derive(Debug, Clone, Default)]
pub struct CompanyChanges {
    pub name: Option<String>,
    pub tax_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub is_active: Option<bool>,
}

/// The details of a new company: a `name` is required; USD and UTC unless given. Checked in
/// full when the company is created (`provision`).
pub fn new_details(changes: CompanyChanges) -> Result<CompanyDetails, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", changes.name.as_deref());
    errors.into_result()?;
    Ok(CompanyDetails {
        name,
        tax_id: changes.tax_id.unwrap_or_default(),
        address: changes.address.unwrap_or_default(),
        phone: changes.phone.unwrap_or_default(),
        email: changes.email.unwrap_or_default(),
        currency: changes.currency.unwrap_or_else(|| "USD".into()),
        timezone: changes.timezone.unwrap_or_else(|| "UTC".into()),
    })
}

/// The company `id`, if `actor` may see it.
pub fn find<S: CompanyStore>(store: &mut S, actor: &User, id: Uuid) -> TenantResult<Company, S> {
    if !actor.may_see_company(id) {
        return Err(TenantError::NotFound);
    }
    store
        .company(id)
        .map_err(TenantError::Store)?
        .ok_or(TenantError::NotFound)
}

/// Changes a company's details (`PATCH`: what is sent; `PUT`: `name` required, as on create)
/// and records it in the event log.
pub fn update<S: CompanyStore>(
    store: &mut S,
    actor: &User,
    mut company: Company,
    how: Change,
    changes: CompanyChanges,
    now: Timestamp,
) -> TenantResult<Company, S> {
    if how.requires_all() && changes.name.is_none() {
        return Err(FieldErrors::single("name", "This field is required.").into());
    }
    let keep = |new: Option<String>, old: &String| new.unwrap_or_else(|| old.clone());
    let details = CompanyDetails {
        name: keep(changes.name, &company.name).trim().to_owned(),
        tax_id: keep(changes.tax_id, &company.tax_id),
        address: keep(changes.address, &company.address),
        phone: keep(changes.phone, &company.phone),
        email: keep(changes.email, &company.email),
        currency: keep(changes.currency, &company.currency),
        timezone: keep(changes.timezone, &company.timezone),
    };
    details.validate()?;
    // Amounts are kept in minor units of the currency: changing it would rescale every posted
    // amount (cents would become yen). Only a company without entries may change it.
    if details.currency != company.currency && store.has_entries(company.id).map_err(TenantError::Store)? {
        return Err(FieldErrors::single(
            "currency",
            "This company has journal entries: its currency cannot change.",
        )
        .into());
    }
    company.name = details.name;
    company.tax_id = details.tax_id;
    company.address = details.address;
    company.phone = details.phone;
    company.email = details.email;
    company.currency = details.currency;
    company.timezone = details.timezone;
    if let Some(active) = changes.is_active {
        company.is_active = active;
    }
    company.updated_at = now;
    store.update_company(&company).map_err(TenantError::Store)?;
    store
        .record_event(&Event {
            tenant_id: actor.tenant_id,
            actor: Some(actor.id),
            action: "update",
            object_type: "company",
            object_id: company.id,
            label: company.name.clone(),
        })
        .map_err(TenantError::Store)?;
    Ok(company)
}

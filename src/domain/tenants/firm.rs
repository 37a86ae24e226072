//! The firm itself: who sees it, and renaming it. Its plan and whether it is active belong to
//! the platform operator.

use jiff::Timestamp;
use uuid::Uuid;

use super::{Event, EventLog, Plan, Tenant, TenantError, TenantResult, User};
use crate::domain::FieldErrors;
use crate::domain::roles::Role;

/// What the firm's operations need from storage (the platform database).
pub trait FirmStore: EventLog {
    fn tenant(&mut self, id: Uuid) -> Result<Option<Tenant>, Self::Error>;
    fn update_tenant(&mut self, tenant: &Tenant) -> Result<(), Self::Error>;
}

/// What a request sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TenantChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub domain: Option<Option<String>>,
    pub plan: Option<String>,
    pub is_active: Option<bool>,
}

/// Whether `actor` sees firm `id`: their own, or any for the platform administrator.
pub fn sees(actor: &User, id: Uuid) -> bool {
    actor.role == Role::PlatformAdmin || actor.tenant_id == Some(id)
}

/// The firms `actor` sees, as a list filter: `None` for every firm (the platform
/// administrator), else their own (the nil id, which names no firm, for a user of none).
pub fn seen(actor: &User) -> Option<Uuid> {
    if actor.role == Role::PlatformAdmin {
        None
    } else {
        Some(actor.tenant_id.unwrap_or(Uuid::nil()))
    }
}

/// The firm `id`, if `actor` sees it.
pub fn find<S: FirmStore>(store: &mut S, actor: &User, id: Uuid) -> TenantResult<Tenant, S> {
    if !sees(actor, id) {
        return Err(TenantError::NotFound);
    }
    store
        .tenant(id)
        .map_err(TenantError::Store)?
        .ok_or(TenantError::NotFound)
}

/// Renames the firm or changes its domain; the plan and activity only for the platform
/// administrator. Recorded in the event log.
pub fn update<S: FirmStore>(
    store: &mut S,
    actor: &User,
    mut tenant: Tenant,
    changes: TenantChanges,
    now: Timestamp,
) -> TenantResult<Tenant, S> {
    let mut errors = FieldErrors::default();
    if let Some(name) = changes.name {
        if name.trim().is_empty() {
            errors.add("name", "This field may not be blank.");
        }
        tenant.name = name.trim().to_owned();
    }
    if let Some(domain) = changes.domain {
        tenant.domain = domain.filter(|d| !d.trim().is_empty());
    }
    if changes.plan.is_some() || changes.is_active.is_some() {
        if actor.role != Role::PlatformAdmin {
            return Err(TenantError::Forbidden);
        }
        if let Some(plan) = changes.plan {
            match Plan::parse(&plan) {
                Some(p) => tenant.plan = p,
                None => errors.add("plan", format!("\"{plan}\" is not a valid choice.")),
            }
        }
        if let Some(active) = changes.is_active {
            tenant.is_active = active;
        }
    }
    errors.into_result()?;
    tenant.updated_at = now;
    store.update_tenant(&tenant).map_err(TenantError::Store)?;
    store
        .record_event(&Event {
            tenant_id: Some(tenant.id),
            actor: Some(actor.id),
            action: "update",
            object_type: "tenant",
            object_id: tenant.id,
            label: tenant.name.clone(),
        })
        .map_err(TenantError::Store)?;
    Ok(tenant)
}

//! The key to one firm's data. [`Store::tenant_read`](crate::store::Store::tenant_read) and
//! `tenant_write` take a [`TenantScope`]; `auth::scope` makes one from a checked token, and
//! [`TenantScope::operator`] makes one for the CLI, first-run setup and tests. It lives below both
//! the store and authentication, so that neither depends on the other for it.

use uuid::Uuid;

/// Access to one firm's data.
#[derive(Debug, Clone)]
pub struct TenantScope {
    tenant_id: Uuid,
}

impl TenantScope {
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// For the CLI, first-run setup and tests, which act as the machine's operator rather than
    /// as a signed-in user. Public so integration tests can reach the store as the CLI does;
    /// HTTP handlers never call it.
    pub fn operator(tenant_id: Uuid) -> TenantScope {
        TenantScope { tenant_id }
    }

    /// For `auth::scope::caller` alone, once the token and the user behind it are checked.
    pub(crate) fn checked(tenant_id: Uuid) -> TenantScope {
        TenantScope { tenant_id }
    }
}

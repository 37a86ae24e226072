//! The tenancy boundary. A [`TenantScope`] is the only key to a firm's data, and it is made
//! here, from a verified token and the user's current state — or, for the CLI, by the machine's
//! operator. Handlers never build one from request input.

use uuid::Uuid;

use super::AuthError;
use super::jwt::Claims;
use crate::domain::roles::Action;
use crate::domain::tenants::{Company, User};
use crate::store::{Tx, companies, platform};
pub use crate::tenancy::TenantScope;

/// The signed-in user behind a request, checked against the database.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    scope: Option<TenantScope>,
}

/// Loads the token's user and refuses the token if the user is gone or inactive, if their firm is
/// inactive, or if the token predates a password change or "log out everywhere".
pub fn caller(tx: &mut Tx, claims: &Claims) -> Result<Caller, AuthError> {
    let user = platform::user(tx, claims.user_id)?.ok_or(AuthError::InvalidToken)?;
    if !user.is_active {
        return Err(AuthError::Inactive);
    }
    if user.token_version != claims.ver || user.tenant_id != claims.tenant_id {
        return Err(AuthError::InvalidToken);
    }
    let scope = match user.tenant_id {
        Some(tenant_id) => {
            if !platform::tenant_is_active(tx, tenant_id)? {
                return Err(AuthError::Inactive);
            }
            Some(TenantScope::checked(tenant_id))
        }
        None => None,
    };
    Ok(Caller { user, scope })
}

impl Caller {
    #[cfg(test)]
    pub(super) fn new(user: User, scope: Option<TenantScope>) -> Caller {
        Caller { user, scope }
    }

    /// Refuses with 403 unless the permission matrix (or the user's extra permissions) allow it.
    pub fn require(&self, action: Action) -> Result<(), AuthError> {
        if self.user.can(action) {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }

    /// The caller's firm. A platform administrator without a firm has no tenant data to reach.
    pub fn tenant(&self) -> Result<&TenantScope, AuthError> {
        self.scope.as_ref().ok_or(AuthError::NoSuchCompany)
    }

    /// `None` when the user sees every company of the firm; else the companies they may see.
    pub fn visible_companies(&self) -> Option<&[Uuid]> {
        self.user.visible_companies()
    }

    pub fn may_see_company(&self, id: Uuid) -> bool {
        self.user.may_see_company(id)
    }

    /// The company a request works in: the `X-Company-Id` header when given, else the user's
    /// default company, else the first company they may see. Unknown or not visible → 404.
    /// `tx` must be a transaction on the caller's own tenant.
    pub fn company(&self, tx: &mut Tx, requested: Option<&str>) -> Result<Company, AuthError> {
        let id = match requested {
            Some(raw) => Some(Uuid::parse_str(raw.trim()).map_err(|_| AuthError::NoSuchCompany)?),
            None => self.user.default_company_id.filter(|id| self.may_see_company(*id)),
        };
        let company = match id {
            Some(id) if self.may_see_company(id) => companies::get(tx, id)?,
            Some(_) => None,
            None => companies::all(tx)?.into_iter().find(|c| self.may_see_company(c.id)),
        };
        company.ok_or(AuthError::NoSuchCompany)
    }
}

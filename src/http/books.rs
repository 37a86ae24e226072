//! The company a request works in. Every business handler runs its store work through
//! [`in_books`]: the caller is re-checked, the permission matrix consulted, the company resolved
//! (`X-Company-Id` or the default, 404 when not the caller's), all in one transaction.

use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::ledger::{Books, Ctx};
use crate::domain::roles::Action;
use crate::domain::tenants::Company;
use crate::http::error::ApiError;
use crate::store::Tx;

/// Whether the work only reads (a read transaction) or writes (the company's write lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Runs `op` for the caller in their company, under `action`, in one transaction.
pub async fn in_books<T: Send + 'static>(
    app: &AppState,
    claims: Claims,
    company: Option<String>,
    action: Action,
    access: Access,
    op: impl FnOnce(&mut Tx, &Ctx<'_>, &Company) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(action)?;
        let work = |tx: &mut Tx| -> Result<T, ApiError> {
            let company = caller.company(tx, company.as_deref())?;
            // A deactivated company keeps its books readable and closed to changes.
            if access == Access::Write && !company.is_active {
                return Err(ApiError::field(
                    "non_field_errors",
                    "This company is deactivated: its books can be read, not changed.",
                ));
            }
            let books = Books::of(&company);
            let now = crate::domain::books::now();
            let ctx = Ctx {
                books: &books,
                company: &company,
                actor: caller.user.id,
                checkpoint_key: &app.checkpoint_key,
                today: company.today(now),
                now,
            };
            op(tx, &ctx, &company)
        };
        match access {
            Access::Read => app.store.tenant_read(caller.tenant()?, work),
            Access::Write => app.store.tenant_write(caller.tenant()?, work),
        }
    })
    .await
}

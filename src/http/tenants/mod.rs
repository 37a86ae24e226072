//! `/api/tenants/`: the caller's firm (`firm.rs`), its companies (`companies.rs`) and its users
//! (`users.rs`), over the use cases of `domain::tenants`.

pub mod companies;
pub mod firm;
pub mod users;

use uuid::Uuid;

use super::error::ApiError;
use crate::app::App;
use crate::auth::scope::Caller;
use crate::store::companies as company_store;

/// The ids of the caller's firm's companies, for the rules that check a company reference
/// (404 for a caller without a firm).
pub fn firm_companies(app: &App, caller: &Caller) -> Result<Vec<Uuid>, ApiError> {
    Ok(app.store.tenant_read(caller.tenant()?, company_store::ids)?)
}

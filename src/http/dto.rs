//! The API's JSON shapes (the seed's field names), built from domain types. The domain never
//! derives `Serialize`: renaming a domain field cannot change the contract. Most areas keep
//! theirs next to their handlers (`tenants/users.rs`' `UserDto`, …).

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::resource::Shows;
use crate::domain::accounts::Account;
use crate::domain::books::Books;

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
    /// The cash flow class: `operating`, `investing`, `financing` or `cash`.
    pub cash_flow: &'static str,
    /// Whether `cash_flow` was chosen for this account (else it is its subtype's default).
    pub cash_flow_chosen: bool,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Shows<Account> for AccountDto {
    fn show(a: &Account, _: &Books) -> Self {
        AccountDto {
            id: a.id,
            company: a.company_id,
            code: a.code.clone(),
            name: a.name.clone(),
            account_type: a.account_type.as_str(),
            subtype: a.subtype.clone(),
            parent: a.parent_id,
            currency: a.currency.clone(),
            cash_flow: a.cash_flow_class().as_str(),
            cash_flow_chosen: a.cash_flow.is_some(),
            is_active: a.is_active,
            created_at: a.created_at.to_string(),
            updated_at: a.updated_at.to_string(),
        }
    }
}

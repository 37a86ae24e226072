//! The chart of accounts, in the tenant database.

use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::accounts::{Account, AccountType, CashFlow, ChartStore};
use crate::params;

pub(super) const COLUMNS: &str =
    "id, company_id, code, name, type, subtype, parent_id, currency, is_active, created_at, updated_at, cash_flow";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "accounts",
    filters: &[
        ("type", "type = ?", FilterKind::Text),
        ("subtype", "subtype = ?", FilterKind::Text),
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("parent", "parent_id = ?", FilterKind::Uuid),
    ],
    search: &["code", "name"],
    ordering: &[
        ("code", "code"),
        ("name", "name"),
        ("type", "type"),
        ("created_at", "created_at"),
    ],
    tie_breaker: "id",
    default_ordering: "code",
};

pub fn from_row(r: &Row) -> Result<Account, StoreError> {
    let kind = r.text(4)?;
    Ok(Account {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        code: r.text(2)?,
        name: r.text(3)?,
        account_type: AccountType::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown account type {kind:?}")))?,
        subtype: r.text(5)?,
        parent_id: r.opt_uuid(6)?,
        currency: r.opt_text(7)?,
        is_active: r.bool(8)?,
        created_at: parse_ts(&r.text(9)?)?,
        updated_at: parse_ts(&r.text(10)?)?,
        cash_flow: match r.opt_text(11)? {
            None => None,
            Some(c) => {
                Some(CashFlow::parse(&c).ok_or_else(|| StoreError::Corrupt(format!("unknown cash flow class {c:?}")))?)
            }
        },
    })
}

impl Paged for Account {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Account>, ListError> {
        list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)
    }
}

pub fn get(tx: &mut Tx, company_id: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM accounts WHERE company_id = $1 AND id = $2"),
        params![company_id, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Every account of the company, in no particular order.
pub fn all(tx: &mut Tx, company_id: Uuid) -> Result<Vec<Account>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM accounts WHERE company_id = $1"),
        params![company_id],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// Inserts an account. One with no chosen cash flow class leaves the column out (it defaults to
/// NULL), so a company can be written into a firm still at a schema before V14, as the tests of
/// migrating a firm that is behind do.
pub fn insert(tx: &mut Tx, a: &Account) -> Result<(), StoreError> {
    let mut values: Vec<Value> = crate::values![
        a.id,
        a.company_id,
        &a.code,
        &a.name,
        a.account_type.as_str(),
        &a.subtype,
        a.parent_id,
        a.currency.clone(),
        a.is_active,
        ts(a.created_at),
        ts(a.updated_at)
    ]
    .into();
    let columns = match a.cash_flow {
        Some(c) => {
            values.push(c.as_str().into());
            COLUMNS
        }
        None => COLUMNS.trim_end_matches(", cash_flow"),
    };
    let marks: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
    tx.execute(
        &format!("INSERT INTO accounts ({columns}) VALUES ({})", marks.join(", ")),
        &values,
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, a: &Account) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE accounts SET code = $2, name = $3, type = $4, subtype = $5, parent_id = $6, currency = $7, \
         is_active = $8, updated_at = $9, cash_flow = $10 WHERE id = $1",
        params![
            a.id,
            &a.code,
            &a.name,
            a.account_type.as_str(),
            &a.subtype,
            a.parent_id,
            a.currency.clone(),
            a.is_active,
            ts(a.updated_at),
            a.cash_flow.map(CashFlow::as_str)
        ],
    )?;
    Ok(())
}

/// Whether any journal line (draft or posted) uses the account.
pub fn has_postings(tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt("SELECT 1 FROM journal_lines WHERE account_id = $1 LIMIT 1", params![id])?
        .is_some())
}

/// Deletes an account (one without postings or sub-accounts) and its budget amounts.
pub fn delete(tx: &mut Tx, id: Uuid) -> Result<(), StoreError> {
    tx.execute("DELETE FROM budget_amounts WHERE account_id = $1", params![id])?;
    tx.execute("DELETE FROM accounts WHERE id = $1", params![id])?;
    Ok(())
}

/// The company's accounts by id, for walking up parents.
pub fn parent_of(tx: &mut Tx, id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(tx
        .query_opt("SELECT parent_id FROM accounts WHERE id = $1", params![id])?
        .map(|r| r.opt_uuid(0))
        .transpose()?
        .flatten())
}

pub fn has_children(tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt("SELECT 1 FROM accounts WHERE parent_id = $1 LIMIT 1", params![id])?
        .is_some())
}

/// Whether another account of the company has this code.
pub fn code_taken(tx: &mut Tx, company_id: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM accounts WHERE company_id = $1 AND code = $2",
            params![company_id, code],
        )?
        .map(|r| r.uuid(0))
        .transpose()?
        .is_some_and(|id| Some(id) != except))
}

impl ChartStore for Tx<'_> {
    fn chart_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
        get(self, company, id)
    }

    fn parent_of(&mut self, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        parent_of(self, id)
    }

    fn has_postings(&mut self, id: Uuid) -> Result<bool, StoreError> {
        has_postings(self, id)
    }

    fn has_children(&mut self, id: Uuid) -> Result<bool, StoreError> {
        has_children(self, id)
    }

    fn code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        code_taken(self, company, code, except)
    }

    fn insert_account(&mut self, account: &Account) -> Result<(), StoreError> {
        insert(self, account)
    }

    fn update_account(&mut self, account: &Account) -> Result<(), StoreError> {
        update(self, account)
    }

    fn delete_account(&mut self, id: Uuid) -> Result<(), StoreError> {
        delete(self, id)
    }
}

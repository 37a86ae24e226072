//! A firm's companies, in the tenant database.

use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::tenants::Company;
use crate::domain::tenants::companies::CompanyStore;
use crate::params;

const COLUMNS: &str = "id, name, tax_id, address, phone, email, currency, timezone, is_active, created_at, updated_at";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "companies",
    filters: &[
        ("currency", "currency = ?", FilterKind::Text),
        ("is_active", "is_active = ?", FilterKind::Bool),
    ],
    search: &["name", "tax_id", "email"],
    ordering: &[("name", "name"), ("created_at", "created_at"), ("currency", "currency")],
    tie_breaker: "id",
    default_ordering: "name",
};

fn from_row(r: &Row) -> Result<Company, StoreError> {
    Ok(Company {
        id: r.uuid(0)?,
        name: r.text(1)?,
        tax_id: r.text(2)?,
        address: r.text(3)?,
        phone: r.text(4)?,
        email: r.text(5)?,
        currency: r.text(6)?,
        timezone: r.text(7)?,
        is_active: r.bool(8)?,
        created_at: parse_ts(&r.text(9)?)?,
        updated_at: parse_ts(&r.text(10)?)?,
    })
}

pub fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Company>, StoreError> {
    tx.query_opt(&format!("SELECT {COLUMNS} FROM companies WHERE id = $1"), params![id])?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub fn all(tx: &mut Tx) -> Result<Vec<Company>, StoreError> {
    tx.query(&format!("SELECT {COLUMNS} FROM companies ORDER BY name, id"), &[])?
        .iter()
        .map(from_row)
        .collect()
}

/// The ids of the firm's companies.
pub fn ids(tx: &mut Tx) -> Result<Vec<Uuid>, StoreError> {
    tx.query("SELECT id FROM companies ORDER BY id", &[])?
        .iter()
        .map(|r| r.uuid(0))
        .collect()
}

/// A page of companies, limited to `only` when the user may see only some.
pub fn page(tx: &mut Tx, only: Option<&[Uuid]>, req: &ListRequest) -> Result<Page<Company>, ListError> {
    let scope = match only {
        None => ("1 = 1".to_owned(), Vec::new()),
        Some([]) => ("1 = 0".to_owned(), Vec::new()),
        Some(ids) => {
            let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            (
                format!("id IN ({})", marks.join(", ")),
                ids.iter().map(Value::from).collect(),
            )
        }
    };
    list(tx, &LIST, (&scope.0, scope.1), req, from_row)
}

pub fn insert(tx: &mut Tx, c: &Company) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO companies ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
        params![
            c.id,
            &c.name,
            &c.tax_id,
            &c.address,
            &c.phone,
            &c.email,
            &c.currency,
            &c.timezone,
            c.is_active,
            ts(c.created_at),
            ts(c.updated_at)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, c: &Company) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE companies SET name = $2, tax_id = $3, address = $4, phone = $5, email = $6, currency = $7, \
         timezone = $8, is_active = $9, updated_at = $10 WHERE id = $1",
        params![
            c.id,
            &c.name,
            &c.tax_id,
            &c.address,
            &c.phone,
            &c.email,
            &c.currency,
            &c.timezone,
            c.is_active,
            ts(c.updated_at)
        ],
    )?;
    Ok(())
}

/// Whether the company has any journal entry, draft or posted.
pub fn has_entries(tx: &mut Tx, id: Uuid) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM journal_entries WHERE company_id = $1 LIMIT 1",
            params![id],
        )?
        .is_some())
}

impl CompanyStore for Tx<'_> {
    fn company(&mut self, id: Uuid) -> Result<Option<Company>, StoreError> {
        get(self, id)
    }

    fn has_entries(&mut self, id: Uuid) -> Result<bool, StoreError> {
        has_entries(self, id)
    }

    fn update_company(&mut self, c: &Company) -> Result<(), StoreError> {
        update(self, c)
    }
}

//! Tax rates, in the tenant database. A rate is stored as integer parts per million
//! (`rate_ppm`), never as a float or a decimal string.

use uuid::Uuid;

use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::domain::accounts::AccountType;
use crate::domain::taxes::{TaxKind, TaxRate, TaxStore};
use crate::params;

pub(super) const COLUMNS: &str = "id, company_id, name, kind, rate_ppm, is_inclusive, sales_account_id, purchase_account_id, \
     is_active, created_at, updated_at";

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "tax_rates",
    filters: &[
        ("is_active", "is_active = ?", FilterKind::Bool),
        ("kind", "kind = ?", FilterKind::Text),
        ("is_inclusive", "is_inclusive = ?", FilterKind::Bool),
    ],
    search: &["name"],
    ordering: &[("name", "name"), ("rate", "rate_ppm"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "name",
};

pub fn from_row(r: &Row) -> Result<TaxRate, StoreError> {
    let kind = r.text(3)?;
    Ok(TaxRate {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        name: r.text(2)?,
        kind: TaxKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown tax kind {kind:?}")))?,
        rate_ppm: r.int(4)?,
        is_inclusive: r.bool(5)?,
        sales_account_id: r.uuid(6)?,
        purchase_account_id: r.uuid(7)?,
        is_active: r.bool(8)?,
        created_at: parse_ts(&r.text(9)?)?,
        updated_at: parse_ts(&r.text(10)?)?,
    })
}

impl Paged for TaxRate {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<TaxRate>, ListError> {
        list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)
    }
}

pub fn get(tx: &mut Tx, company_id: Uuid, id: Uuid) -> Result<Option<TaxRate>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM tax_rates WHERE company_id = $1 AND id = $2"),
        params![company_id, id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Whether another rate of the company (not `except`) already has this name.
pub fn name_taken(tx: &mut Tx, company_id: Uuid, name: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM tax_rates WHERE company_id = $1 AND name = $2 AND id <> $3",
            params![company_id, name, except.unwrap_or_else(Uuid::nil)],
        )?
        .is_some())
}

/// The company's first active account (by code) of this type and subtype: where a new rate's
/// tax goes when the request does not say (the `tax` accounts of the chart templates).
pub fn default_account(
    tx: &mut Tx,
    company_id: Uuid,
    account_type: AccountType,
    subtype: &str,
) -> Result<Option<Uuid>, StoreError> {
    tx.query_opt(
        "SELECT id FROM accounts WHERE company_id = $1 AND type = $2 AND subtype = $3 AND is_active = $4 \
         ORDER BY code LIMIT 1",
        params![company_id, account_type.as_str(), subtype, true],
    )?
    .map(|r| r.uuid(0))
    .transpose()
}

pub fn insert(tx: &mut Tx, t: &TaxRate) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO tax_rates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
        params![
            t.id,
            t.company_id,
            &t.name,
            t.kind.as_str(),
            t.rate_ppm,
            t.is_inclusive,
            t.sales_account_id,
            t.purchase_account_id,
            t.is_active,
            ts(t.created_at),
            ts(t.updated_at)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &mut Tx, t: &TaxRate) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE tax_rates SET name = $3, kind = $4, rate_ppm = $5, is_inclusive = $6, sales_account_id = $7, \
         purchase_account_id = $8, is_active = $9, updated_at = $10 WHERE company_id = $1 AND id = $2",
        params![
            t.company_id,
            t.id,
            &t.name,
            t.kind.as_str(),
            t.rate_ppm,
            t.is_inclusive,
            t.sales_account_id,
            t.purchase_account_id,
            t.is_active,
            ts(t.updated_at)
        ],
    )?;
    Ok(())
}

impl TaxStore for Tx<'_> {
    fn default_tax_account(
        &mut self,
        company: Uuid,
        account_type: AccountType,
        subtype: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        default_account(self, company, account_type, subtype)
    }

    fn tax_name_taken(&mut self, company: Uuid, name: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        name_taken(self, company, name, except)
    }

    fn insert_tax_rate(&mut self, rate: &TaxRate) -> Result<(), StoreError> {
        insert(self, rate)
    }

    fn update_tax_rate(&mut self, rate: &TaxRate) -> Result<(), StoreError> {
        update(self, rate)
    }
}

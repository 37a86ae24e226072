//! Cheap counts for `/metrics`: firms by status from the platform database, and per firm its
//! posted entries (the sum of its gap-free journal counters, one row per company) and documents.

use uuid::Uuid;

use super::{StoreError, Tx};

/// Firms in the platform database: (active, inactive).
pub fn tenants_by_status(tx: &mut Tx) -> Result<(i64, i64), StoreError> {
    let row = tx.query_one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) FROM tenants",
        &[],
    )?;
    let (all, active) = (row.int(0)?, row.int(1)?);
    Ok((active, all - active))
}

/// The ids of the active firms, oldest first, at most `limit` of them.
pub fn active_tenant_ids(tx: &mut Tx, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    tx.query(
        "SELECT id FROM tenants WHERE is_active ORDER BY created_at LIMIT $1",
        &[limit.into()],
    )?
    .iter()
    .map(|r| r.uuid(0))
    .collect()
}

/// One firm's size, read in its own database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenantSize {
    /// Posted journal entries: the journal counters hold the last number given per company.
    pub posted_entries: i64,
    /// Invoices, credit notes, bills and vendor credits in any status.
    pub documents: i64,
}

pub fn tenant_size(tx: &mut Tx) -> Result<TenantSize, StoreError> {
    let posted_entries = tx
        .query_one(
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM counters WHERE name = 'journal'",
            &[],
        )?
        .int(0)?;
    let documents = tx.query_one("SELECT COUNT(*) FROM documents", &[])?.int(0)?;
    Ok(TenantSize {
        posted_entries,
        documents,
    })
}

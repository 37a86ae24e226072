//! An item's other units (`item_units`, schema 22): `box` = 12 pcs is a factor of 12000
//! thousandths of the base unit.

use uuid::Uuid;

use super::{StoreError, Tx};
use crate::params;

/// The factor of `unit` for the item: 1000 for its base unit (whatever its case), the stored
/// factor for another unit, `None` for a unit it does not have.
pub fn factor(tx: &mut Tx, company: Uuid, item: Uuid, unit: &str) -> Result<Option<i64>, StoreError> {
    let Some(base) = tx.query_opt(
        "SELECT unit FROM items WHERE company_id = $1 AND id = $2",
        params![company, item],
    )?
    else {
        return Ok(None);
    };
    if base.text(0)?.trim().eq_ignore_ascii_case(unit) {
        return Ok(Some(1000));
    }
    tx.query_opt(
        "SELECT factor FROM item_units WHERE company_id = $1 AND item_id = $2 AND unit = $3",
        params![company, item, unit],
    )?
    .map(|r| r.int(0))
    .transpose()
}

/// The item's other units, by name: (unit, factor).
pub fn units(tx: &mut Tx, company: Uuid, item: Uuid) -> Result<Vec<(String, i64)>, StoreError> {
    tx.query(
        "SELECT unit, factor FROM item_units WHERE company_id = $1 AND item_id = $2 ORDER BY unit",
        params![company, item],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.int(1)?)))
    .collect()
}

/// Replaces the item's other units.
pub fn replace(tx: &mut Tx, company: Uuid, item: Uuid, units: &[(String, i64)]) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM item_units WHERE company_id = $1 AND item_id = $2",
        params![company, item],
    )?;
    for (unit, factor) in units {
        tx.execute(
            "INSERT INTO item_units (company_id, item_id, unit, factor) VALUES ($1, $2, $3, $4)",
            params![company, item, unit, *factor],
        )?;
    }
    Ok(())
}

//! The inventory lists as the API pages them: warehouses and stock moves, with their filters.

use uuid::Uuid;

use super::inventory::{MOVE_COLUMNS, WAREHOUSE_COLUMNS, move_from_row, warehouse_from_row};
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::{StoreError, Tx};
use crate::domain::inventory::{StockMove, Warehouse};
use crate::params;

pub const WAREHOUSES: ListSpec = ListSpec {
    columns: WAREHOUSE_COLUMNS,
    from: "warehouses",
    filters: &[("is_active", "is_active = ?", FilterKind::Bool)],
    search: &["code", "name", "address"],
    ordering: &[("code", "code_key"), ("name", "name"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "code",
};

pub const MOVES: ListSpec = ListSpec {
    columns: MOVE_COLUMNS,
    from: "stock_moves",
    filters: &[
        ("item", "item_id = ?", FilterKind::Uuid),
        ("warehouse", "warehouse_id = ?", FilterKind::Uuid),
        ("kind", "kind = ?", FilterKind::Text),
        ("date", "date = ?", FilterKind::Date),
        ("date_from", "date >= ?", FilterKind::Date),
        ("date_to", "date <= ?", FilterKind::Date),
        ("source_kind", "source_kind = ?", FilterKind::Text),
        ("source_id", "source_id = ?", FilterKind::Uuid),
        ("lot", "lot = ?", FilterKind::Text),
        ("transfer_id", "transfer_id = ?", FilterKind::Uuid),
    ],
    search: &["memo", "lot"],
    ordering: &[("date", "date"), ("seq", "seq"), ("created_at", "created_at")],
    tie_breaker: "seq",
    default_ordering: "-date",
};

impl Paged for Warehouse {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Warehouse>, ListError> {
        list(
            tx,
            &WAREHOUSES,
            ("company_id = $1", vec![company.into()]),
            request,
            warehouse_from_row,
        )
    }
}

impl Paged for StockMove {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<StockMove>, ListError> {
        list(
            tx,
            &MOVES,
            ("company_id = $1", vec![company.into()]),
            request,
            move_from_row,
        )
    }
}

/// Whether a warehouse already has a location with this code.
pub fn location_code_taken(tx: &mut Tx, warehouse: Uuid, code: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT id FROM warehouse_locations WHERE warehouse_id = $1 AND code = $2",
            params![warehouse, code],
        )?
        .is_some())
}

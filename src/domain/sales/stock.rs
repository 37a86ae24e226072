//! The one place the sales flow calls the inventory engine: goods out of a warehouse for a
//! delivery, valued and posted (Dr cost of goods sold / Cr inventory) by
//! [`inventory::post_moves`] in the request's transaction; which items keep stock; the company's
//! default warehouse and its `invoice_creates_delivery` setting.

use jiff::civil::Date;
use uuid::Uuid;

use super::{Result, SalesDb, SalesError, SalesStore};
use crate::domain::documents::DocumentError;
use crate::domain::inventory::{self, InventoryError, MoveInput, MoveKind, MoveSource};
use crate::domain::items::ItemKind;
use crate::domain::ledger::{Ctx, LedgerError};

/// One line of goods out.
#[derive(Debug, Clone)]
pub struct Out {
    pub item: Uuid,
    pub warehouse: Uuid,
    /// Thousandths of the item's base unit, above 0.
    pub quantity: i64,
    /// The delivery's line.
    pub line: i64,
}

/// An engine error as the sales flow's; `field(index)` names the caller's line of move `index`.
fn from_engine<E: std::error::Error + 'static>(e: InventoryError<E>, field: &dyn Fn(usize) -> String) -> SalesError<E> {
    match e.named(|index, name| {
        let f = field(index);
        // The caller names the line's quantity; an item or warehouse problem is that line's too.
        match f.rsplit_once('.') {
            Some((line, _)) if name != "quantity" => format!("{line}.{name}"),
            _ => f,
        }
    }) {
        InventoryError::Invalid(f) => SalesError::Invalid(f),
        InventoryError::Ledger(l) => SalesError::Document(DocumentError::Ledger(l)),
        InventoryError::Store(s) => SalesError::Document(DocumentError::Ledger(LedgerError::Store(s))),
        other => SalesError::State(other.to_string()),
    }
}

/// Takes the goods out for the delivery `source` dated `date`; answers each line's stock move.
/// Not enough stock (negatives off) is a field error under `field(k)` for line `k`.
pub fn take_out<S: SalesStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (date, source): (Date, Uuid),
    outs: &[Out],
    field: &dyn Fn(usize) -> String,
) -> Result<Vec<Option<Uuid>>, S> {
    let moves: Vec<MoveInput> = outs
        .iter()
        .map(|o| MoveInput {
            kind: MoveKind::Delivery,
            date,
            item_id: o.item,
            warehouse_id: o.warehouse,
            location_id: None,
            quantity: o.quantity,
            unit_cost: None,
            value: None,
            counter_account_id: None,
            lot: None,
            to_warehouse_id: None,
            source: Some(MoveSource {
                kind: "delivery".into(),
                id: source,
                line: Some(o.line),
            }),
            memo: String::new(),
        })
        .collect();
    let posted = inventory::post_moves(store, ctx, &moves).map_err(|e| from_engine(e, field))?;
    // One move per line, in order (a delivery is never a transfer).
    Ok(outs
        .iter()
        .enumerate()
        .map(|(k, _)| posted.get(k).map(|m| m.id))
        .collect())
}

/// Whether the item keeps stock (kind `stock`): only those lines are delivered.
pub fn is_stock<S: SalesStore>(store: &mut S, company: Uuid, item: Uuid) -> Result<bool, S> {
    Ok(store
        .stock_item(company, item)
        .db()?
        .is_some_and(|i| i.kind == ItemKind::Stock))
}

/// Whether `warehouse` is an active warehouse of the company.
pub fn warehouse_ok<S: SalesStore>(store: &mut S, company: Uuid, warehouse: Uuid) -> Result<bool, S> {
    Ok(store.warehouse(company, warehouse).db()?.is_some_and(|w| w.is_active))
}

/// The company's default warehouse and whether issuing an invoice delivers its stock lines
/// (the inventory settings, made on first use).
pub fn defaults<S: SalesStore>(store: &mut S, ctx: &Ctx<'_>) -> Result<(Uuid, bool), S> {
    let s = inventory::settings(store, ctx).map_err(|e| from_engine(e, &|_| "non_field_errors".to_owned()))?;
    Ok((s.default_warehouse_id, s.invoice_creates_delivery))
}

//! Draft purchase orders from the stock items at or below their reorder point (on hand plus
//! what is still to come on draft and confirmed orders). One draft per vendor: the item's
//! preferred vendor when the item names one, else the vendor it was last ordered from, else the
//! vendor the request gives; an item with none is left out and said so.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{Order, OrderInput, PurDb, PurchaseStore, Result, quantity_text};
use crate::domain::documents::LineInput;
use crate::domain::ledger::Ctx;

/// An item the inventory side finds at or below its reorder point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReorderItem {
    pub item_id: Uuid,
    pub name: String,
    /// Thousandths: on hand in every warehouse, still to come on orders, the point, the quantity.
    pub on_hand: i64,
    pub on_order: i64,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    pub preferred_vendor: Option<Uuid>,
}

/// What a reorder run made and left out.
#[derive(Debug, Clone, Default)]
pub struct ReorderResult {
    pub orders: Vec<Order>,
    /// Items with no vendor to order from.
    pub skipped: Vec<ReorderItem>,
}

/// Makes the draft orders.
pub fn draft_orders<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    vendor: Option<Uuid>,
    warehouse: Option<Uuid>,
) -> Result<ReorderResult, S> {
    let company = ctx.books.company_id;
    let candidates = store.reorder_candidates(company).db()?;
    let mut by_vendor: BTreeMap<Uuid, Vec<(ReorderItem, i64)>> = BTreeMap::new();
    let mut result = ReorderResult::default();
    for c in candidates {
        if c.on_hand + c.on_order > c.reorder_point {
            continue;
        }
        let chosen = match c.preferred_vendor {
            Some(v) => Some(v),
            None => store.last_vendor_of(company, c.item_id).db()?.or(vendor),
        };
        let quantity = if c.reorder_quantity > 0 {
            c.reorder_quantity
        } else {
            (c.reorder_point - c.on_hand - c.on_order).max(1000)
        };
        match chosen {
            Some(v) => by_vendor.entry(v).or_default().push((c, quantity)),
            None => result.skipped.push(c),
        }
    }
    for (vendor, items) in by_vendor {
        let input = OrderInput {
            vendor: Some(vendor),
            warehouse,
            reference: "Reorder".into(),
            lines: items
                .iter()
                .map(|(c, q)| LineInput {
                    item: Some(c.item_id),
                    quantity: Some(quantity_text(*q)),
                    ..LineInput::default()
                })
                .collect(),
            ..OrderInput::default()
        };
        result.orders.push(super::orders::create(store, ctx, &input)?);
    }
    Ok(result)
}

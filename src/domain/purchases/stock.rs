//! The one place purchases reach the inventory engine (`domain::inventory`): goods received
//! (receipt moves valued at the order's price: Dr Inventory / Cr GRNI), landed costs
//! (`apply_landed_cost`: Dr Inventory for what is on hand, COGS for what was delivered / Cr the
//! bill's account), and the accounts a bill's match posts to (GRNI, the item's price
//! difference). Everything else in purchases calls these.

use jiff::civil::Date;
use uuid::Uuid;

use super::{PurchaseError, Result};
use crate::domain::inventory::{
    self, InventoryError, InventoryStore, LandedCostInput, LandedCostSpread, MoveInput, MoveKind, MoveSource,
};
use crate::domain::items::ItemKind;
use crate::domain::ledger::Ctx;

/// The accounts a stock item's purchases post to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockAccounts {
    pub inventory: Uuid,
    pub grni: Uuid,
    pub price_difference: Uuid,
}

/// What purchases read from the inventory side beside the engine's own store.
pub trait PurchaseStockStore: InventoryStore {
    /// The stock items with a reorder point, with what is on hand and still to come.
    fn reorder_candidates(
        &mut self,
        company: Uuid,
    ) -> std::result::Result<Vec<super::reorder::ReorderItem>, Self::Error>;
}

/// The engine's refusal, its move index named the caller's way (`lines[2].quantity`).
pub(super) fn refused<E: std::error::Error + 'static>(
    e: InventoryError<E>,
    name: impl Fn(usize, &str) -> String,
) -> PurchaseError<E> {
    match e.named(name) {
        InventoryError::Invalid(f) => PurchaseError::Invalid(f),
        InventoryError::NotFound => PurchaseError::NotFound,
        InventoryError::Ledger(l) => PurchaseError::from(l),
        InventoryError::Store(s) => PurchaseError::from(crate::domain::ledger::LedgerError::Store(s)),
        InventoryError::Overflow => PurchaseError::Overflow,
        other => PurchaseError::Stock(other.to_string()),
    }
}

/// Goods received on one receipt line.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub line_no: i64,
    /// The request's line it comes from, to name errors.
    pub index: Option<usize>,
    pub item: Uuid,
    pub quantity: i64,
    pub value: i64,
}

/// The accounts of a stock item, or `None` for anything else (no such item, a service, a
/// non-stock product). Makes the company's inventory settings on first use.
pub(super) fn accounts<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    item: Uuid,
) -> Result<Option<StockAccounts>, S> {
    let company = ctx.books.company_id;
    let Some(it) = store
        .stock_item(company, item)
        .map_err(|e| refused(InventoryError::Store(e), |_, f| f.to_owned()))?
    else {
        return Ok(None);
    };
    if it.kind != ItemKind::Stock {
        return Ok(None);
    }
    let s = inventory::settings(store, ctx).map_err(|e| refused(e, |_, f| f.to_owned()))?;
    Ok(Some(StockAccounts {
        inventory: s.inventory_account(&it),
        grni: s.grni_account_id,
        price_difference: s.price_difference_account(&it),
    }))
}

/// The warehouse goods go to: the one given, else the company's default.
pub(super) fn warehouse<S: super::PurchaseStore>(store: &mut S, ctx: &Ctx<'_>, given: Option<Uuid>) -> Result<Uuid, S> {
    match given {
        Some(w) => Ok(w),
        None => Ok(inventory::settings(store, ctx)
            .map_err(|e| refused(e, |_, f| f.to_owned()))?
            .default_warehouse_id),
    }
}

/// Posts the receipt's stock lines through the engine (one entry); answers the entry and each
/// line's move, in order.
pub(super) fn receive<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (receipt, number, date, warehouse): (Uuid, &str, Date, Uuid),
    lines: &[Received],
) -> Result<(Option<Uuid>, Vec<Option<Uuid>>), S> {
    if lines.is_empty() {
        return Ok((None, Vec::new()));
    }
    let moves: Vec<MoveInput> = lines
        .iter()
        .map(|l| MoveInput {
            value: Some(l.value),
            source: Some(MoveSource {
                kind: "receipt".into(),
                id: receipt,
                line: Some(l.line_no),
            }),
            memo: number.to_owned(),
            ..MoveInput::new(MoveKind::Receipt, date, l.item, warehouse, l.quantity)
        })
        .collect();
    let posted = inventory::post_moves(store, ctx, &moves).map_err(|e| {
        refused(e, |i, field| match (field, lines.get(i).and_then(|l| l.index)) {
            ("warehouse", _) => "warehouse".to_owned(),
            (f, Some(index)) => format!("lines[{index}].{f}"),
            (_, None) => "lines".to_owned(),
        })
    })?;
    let entry = posted.iter().find_map(|m| m.journal_entry_id);
    let ids = lines
        .iter()
        .enumerate()
        .map(|(i, _)| posted.get(i).map(|m| m.id))
        .collect();
    Ok((entry, ids))
}

/// A landed cost's entry and each receipt move's share.
pub(super) type Landed = (Option<Uuid>, Vec<(Uuid, i64)>);

/// Spreads a landed cost over receipt moves through the engine; answers the entry and each
/// receipt move's share.
pub(super) fn landed<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (reference, date, account, by_value): (&str, Date, Uuid, bool),
    (bill, receipts, amount): (Uuid, &[Uuid], i64),
) -> Result<Landed, S> {
    let moves = inventory::apply_landed_cost(
        store,
        ctx,
        LandedCostInput {
            date,
            receipts: receipts.to_vec(),
            amount,
            spread: if by_value {
                LandedCostSpread::ByValue
            } else {
                LandedCostSpread::ByQuantity
            },
            counter_account_id: account,
            source: Some(MoveSource {
                kind: "bill".into(),
                id: bill,
                line: None,
            }),
            memo: format!("Landed cost {reference}"),
        },
    )
    .map_err(|e| {
        refused(e, |_, f| {
            if f == "date" {
                "date".into()
            } else {
                format!("receipt.{f}")
            }
        })
    })?;
    let entry = moves.iter().find_map(|m| m.journal_entry_id);
    let shares = moves
        .iter()
        .filter(|m| m.kind == MoveKind::LandedCost)
        .filter_map(|m| Some((m.adjusts_id?, m.amount.unwrap_or(m.value))))
        .collect();
    Ok((entry, shares))
}

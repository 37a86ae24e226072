//! The one place purchases reach the inventory engine: goods received (Dr Inventory / Cr GRNI at
//! the order's price), landed costs (Dr Inventory / Cr the bill's account), and the accounts a
//! bill's match posts to (GRNI, price difference). Everything else in purchases calls these.

use jiff::civil::Date;
use uuid::Uuid;

use super::{PurDb, PurchaseError, Result};
use crate::domain::ledger::{self, Ctx, EntryInput, LedgerStore, LineInput as EntryLine};
use crate::domain::money;

/// The accounts a stock item's purchases post to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockAccounts {
    pub inventory: Uuid,
    pub grni: Uuid,
    pub price_difference: Uuid,
}

/// What purchases read from the inventory side.
pub trait PurchaseStockStore: LedgerStore {
    /// Whether `item` is kept in stock, and the accounts its purchases post to (`None`: not a
    /// stock item, or no such item).
    fn stock_accounts(&mut self, company: Uuid, item: Uuid) -> std::result::Result<Option<StockAccounts>, Self::Error>;
    /// The stock items with a reorder point, with what is on hand and still to come.
    fn reorder_candidates(
        &mut self,
        company: Uuid,
    ) -> std::result::Result<Vec<super::reorder::ReorderItem>, Self::Error>;
}

/// Goods received on one receipt line.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub line_no: i64,
    pub item: Uuid,
    pub quantity: i64,
    pub value: i64,
}

/// The accounts of a stock item, or `None` for anything else.
pub(super) fn accounts<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    item: Uuid,
) -> Result<Option<StockAccounts>, S> {
    store.stock_accounts(ctx.books.company_id, item).db()
}

/// Posts the receipt's stock lines in one entry; answers the entry and each line's move.
pub(super) fn receive<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (number, date, _warehouse): (&str, Date, Option<Uuid>),
    lines: &[Received],
) -> Result<(Option<Uuid>, Vec<Option<Uuid>>), S> {
    if lines.is_empty() {
        return Ok((None, Vec::new()));
    }
    let fmt = |v: i64| Some(money::format(v, ctx.books.decimals));
    let mut entry_lines = Vec::new();
    for l in lines {
        if l.value == 0 {
            continue;
        }
        let a = accounts(store, ctx, l.item)?.ok_or_else(|| PurchaseError::Stock("not a stock item".into()))?;
        entry_lines.push(EntryLine {
            account_id: Some(a.inventory),
            description: format!("{number} line {} × {}", l.line_no, super::quantity_text(l.quantity)),
            debit: fmt(l.value),
            ..EntryLine::default()
        });
        entry_lines.push(EntryLine {
            account_id: Some(a.grni),
            description: format!("{number} line {}", l.line_no),
            credit: fmt(l.value),
            ..EntryLine::default()
        });
    }
    if entry_lines.is_empty() {
        return Ok((None, lines.iter().map(|_| None).collect()));
    }
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: number.to_owned(),
            description: format!("Goods received {number}"),
            lines: entry_lines,
        },
    )?;
    Ok((Some(entry.id), lines.iter().map(|_| None).collect()))
}

/// Spreads a landed cost (`shares` per receipt line, already divided) onto the received goods
/// against `account`; answers the entry.
pub(super) fn landed<S: super::PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (reference, date, account): (&str, Date, Uuid),
    shares: &[(Uuid, i64)],
) -> Result<Option<Uuid>, S> {
    let fmt = |v: i64| Some(money::format(v, ctx.books.decimals));
    let mut lines = Vec::new();
    let mut total = 0i64;
    for (item, amount) in shares {
        if *amount == 0 {
            continue;
        }
        let a = accounts(store, ctx, *item)?.ok_or_else(|| PurchaseError::Stock("not a stock item".into()))?;
        total = total.checked_add(*amount).ok_or(PurchaseError::Overflow)?;
        lines.push(EntryLine {
            account_id: Some(a.inventory),
            description: format!("Landed cost {reference}"),
            debit: fmt(*amount),
            ..EntryLine::default()
        });
    }
    if total == 0 {
        return Ok(None);
    }
    lines.push(EntryLine {
        account_id: Some(account),
        description: format!("Landed cost {reference}"),
        credit: fmt(total),
        ..EntryLine::default()
    });
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: reference.to_owned(),
            description: format!("Landed cost {reference}"),
            lines,
        },
    )?;
    Ok(Some(entry.id))
}

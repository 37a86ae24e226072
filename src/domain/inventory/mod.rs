//! Inventory: stock items in warehouses, the stock moves that are the only way stock changes, their
//! valuation (FIFO layers or a moving average, per item and warehouse) and their postings to the
//! ledger in the same transaction (perpetual inventory).
//!
//! Quantities are `i64` thousandths of the item's base unit (1.5 pcs = 1500); values are `i64`
//! minor units of the company currency. A move's `quantity` and `value` are signed effects on
//! stock, so what is on hand as of a date is the sum of the moves dated on or before it. The rules
//! and two worked examples: `docs/inventory.md`.
//!
//! `post.rs` posts moves ([`post_moves`]) and landed costs ([`apply_landed_cost`]);
//! `valuation.rs` is the pure valuation state; `replay.rs` revalues the later moves of an item in
//! a warehouse when a move is back-dated; `settings.rs` is the company's settings (made on first
//! use, with their accounts and a main warehouse), warehouses and locations.

mod counts;
mod post;
mod replay;
pub mod settings;
pub mod valuation;
pub mod warehouses;

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::FieldErrors;
use super::accounts::Account;
use super::items::ItemKind;
use super::ledger::{LedgerError, LedgerStore};

pub use counts::{CountInput, CountLine, post_count};
pub use post::{LandedCostInput, LandedCostSpread, apply_landed_cost, post_moves};
pub use settings::{Method, settings};
pub use valuation::Layer;

/// What happened to stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveKind {
    /// Goods in from a vendor (Dr inventory / Cr goods received not invoiced).
    Receipt,
    /// Goods out to a customer (Dr cost of goods sold / Cr inventory).
    Delivery,
    TransferOut,
    TransferIn,
    /// A correction (a count): in or out, against the adjustment account.
    Adjustment,
    /// A customer returns goods.
    ReturnIn,
    /// Goods go back to the vendor.
    ReturnOut,
    /// A cost added to a receipt after it (freight, duty): quantity 0.
    LandedCost,
    /// A back-dated move's correction of a later move's value: quantity 0.
    Revaluation,
}

impl MoveKind {
    pub const ALL: [MoveKind; 9] = [
        MoveKind::Receipt,
        MoveKind::Delivery,
        MoveKind::TransferOut,
        MoveKind::TransferIn,
        MoveKind::Adjustment,
        MoveKind::ReturnIn,
        MoveKind::ReturnOut,
        MoveKind::LandedCost,
        MoveKind::Revaluation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Receipt => "receipt",
            MoveKind::Delivery => "delivery",
            MoveKind::TransferOut => "transfer_out",
            MoveKind::TransferIn => "transfer_in",
            MoveKind::Adjustment => "adjustment",
            MoveKind::ReturnIn => "return_in",
            MoveKind::ReturnOut => "return_out",
            MoveKind::LandedCost => "landed_cost",
            MoveKind::Revaluation => "revaluation",
        }
    }

    pub fn parse(s: &str) -> Option<MoveKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a move of this kind takes goods out (its quantity is stored negative). An
    /// adjustment's sign is its own.
    pub fn is_out(self) -> bool {
        matches!(self, MoveKind::Delivery | MoveKind::TransferOut | MoveKind::ReturnOut)
    }
}

/// The document (and its line) that caused a move: `delivery`, `receipt`, `invoice`, `bill`,
/// `count`, `manual`…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveSource {
    pub kind: String,
    pub id: Uuid,
    pub line: Option<i64>,
}

/// A move as a caller asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveInput {
    /// `Receipt`, `Delivery`, `Adjustment`, `ReturnIn`, `ReturnOut` or `TransferOut` (a transfer:
    /// with `to_warehouse_id`, it makes both moves). `LandedCost` goes through
    /// [`apply_landed_cost`]; `TransferIn` and `Revaluation` are made by the engine.
    pub kind: MoveKind,
    pub date: Date,
    pub item_id: Uuid,
    pub warehouse_id: Uuid,
    pub location_id: Option<Uuid>,
    /// Thousandths of the base unit, positive: the kind gives the sign. An adjustment is signed
    /// (negative takes stock out).
    pub quantity: i64,
    /// Minor units per base unit (receipts, returns in, adjustments in): the value is
    /// `round_half_even(quantity × unit_cost / 1000)`. With neither this nor `value`, the
    /// current cost.
    pub unit_cost: Option<i64>,
    /// The exact total value instead of a unit cost.
    pub value: Option<i64>,
    /// What the value is posted against: receipt → goods received not invoiced, delivery →
    /// the item's cost of goods sold, adjustment → the adjustment account, return in → cost of
    /// goods sold, return out → goods received not invoiced, by default.
    pub counter_account_id: Option<Uuid>,
    pub lot: Option<String>,
    pub to_warehouse_id: Option<Uuid>,
    pub source: Option<MoveSource>,
    pub memo: String,
}

impl MoveInput {
    /// A move of `kind` with nothing optional set.
    pub fn new(kind: MoveKind, date: Date, item_id: Uuid, warehouse_id: Uuid, quantity: i64) -> MoveInput {
        MoveInput {
            kind,
            date,
            item_id,
            warehouse_id,
            location_id: None,
            quantity,
            unit_cost: None,
            value: None,
            counter_account_id: None,
            lot: None,
            to_warehouse_id: None,
            source: None,
            memo: String::new(),
        }
    }
}

/// A move as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    pub id: Uuid,
    pub company_id: Uuid,
    pub kind: MoveKind,
    pub date: Date,
    /// Orders the moves of a company (and so of an item in a warehouse on one date).
    pub seq: i64,
    pub item_id: Uuid,
    pub warehouse_id: Uuid,
    pub location_id: Option<Uuid>,
    /// Signed: in > 0, out < 0.
    pub quantity: i64,
    /// Signed effect on the stock's value when it was posted.
    pub value: i64,
    /// What later revaluation moves added to `value` (the move's cost is `value + revalued`).
    pub revalued: i64,
    /// A landed cost: the whole amount (`value` is the share still on hand).
    pub amount: Option<i64>,
    /// A revaluation: the move it corrects; a landed cost: the receipt it adds to.
    pub adjusts_id: Option<Uuid>,
    pub counter_account_id: Option<Uuid>,
    pub lot: Option<String>,
    pub source: Option<MoveSource>,
    /// Both moves of a transfer share it.
    pub transfer_id: Option<Uuid>,
    pub journal_entry_id: Option<Uuid>,
    pub memo: String,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

impl StockMove {
    /// The move's cost now: its value and what revaluations added.
    pub fn cost(&self) -> i64 {
        self.value + self.revalued
    }
}

/// Lot or serial tracking of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    None,
    Lot,
    /// One serial number per unit: each move of it is 1 unit (1000).
    Serial,
}

impl Tracking {
    pub fn as_str(self) -> &'static str {
        match self {
            Tracking::None => "none",
            Tracking::Lot => "lot",
            Tracking::Serial => "serial",
        }
    }

    pub fn parse(s: &str) -> Option<Tracking> {
        [Tracking::None, Tracking::Lot, Tracking::Serial]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// What the engine reads of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockItem {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: ItemKind,
    pub unit: String,
    /// Minor units per base unit: the cost of stock taken when nothing in stock gives one.
    pub purchase_price: i64,
    pub tracking: Tracking,
    pub inventory_account_id: Option<Uuid>,
    pub cogs_account_id: Option<Uuid>,
    pub price_difference_account_id: Option<Uuid>,
}

/// A company's inventory settings (one row, made on first use by [`settings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySettings {
    pub company_id: Uuid,
    pub method: Method,
    pub allow_negative: bool,
    /// Invoicing a stock item without a delivery makes the delivery.
    pub invoice_creates_delivery: bool,
    pub inventory_account_id: Uuid,
    pub cogs_account_id: Uuid,
    pub grni_account_id: Uuid,
    pub adjustment_account_id: Uuid,
    pub price_difference_account_id: Uuid,
    pub default_warehouse_id: Uuid,
    pub updated_at: Timestamp,
}

impl InventorySettings {
    pub fn inventory_account(&self, item: &StockItem) -> Uuid {
        item.inventory_account_id.unwrap_or(self.inventory_account_id)
    }

    pub fn cogs_account(&self, item: &StockItem) -> Uuid {
        item.cogs_account_id.unwrap_or(self.cogs_account_id)
    }

    pub fn price_difference_account(&self, item: &StockItem) -> Uuid {
        item.price_difference_account_id
            .unwrap_or(self.price_difference_account_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warehouse {
    pub id: Uuid,
    pub company_id: Uuid,
    pub code: String,
    pub name: String,
    pub address: String,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub id: Uuid,
    pub company_id: Uuid,
    pub warehouse_id: Uuid,
    pub code: String,
    pub name: String,
    pub created_at: Timestamp,
}

/// Current totals of an item in a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub quantity: i64,
    pub value: i64,
    /// The latest move's date: a move dated before it is back-dated.
    pub last_date: Date,
}

/// What the engine needs from storage, on top of the ledger's. One implementation for both
/// backends.
pub trait InventoryStore: LedgerStore {
    fn inventory_settings(&mut self, company: Uuid) -> Result<Option<InventorySettings>, Self::Error>;
    fn insert_inventory_settings(&mut self, settings: &InventorySettings) -> Result<(), Self::Error>;
    fn update_inventory_settings(&mut self, settings: &InventorySettings) -> Result<(), Self::Error>;
    fn account_code_taken(&mut self, company: Uuid, code: &str) -> Result<bool, Self::Error>;
    fn create_account(&mut self, account: &Account) -> Result<(), Self::Error>;
    fn stock_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<StockItem>, Self::Error>;
    fn warehouse(&mut self, company: Uuid, id: Uuid) -> Result<Option<Warehouse>, Self::Error>;
    /// Whether another warehouse of the company (not `except`) has this code, whatever its case.
    fn warehouse_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    fn insert_warehouse(&mut self, warehouse: &Warehouse) -> Result<(), Self::Error>;
    fn update_warehouse(&mut self, warehouse: &Warehouse) -> Result<(), Self::Error>;
    fn location(&mut self, company: Uuid, id: Uuid) -> Result<Option<Location>, Self::Error>;
    fn insert_location(&mut self, location: &Location) -> Result<(), Self::Error>;
    /// Takes `count` move numbers and answers the first; holds the company's inventory lock
    /// until commit (postings of one company queue here).
    fn take_seq(&mut self, company: Uuid, count: i64) -> Result<i64, Self::Error>;
    fn has_moves(&mut self, company: Uuid) -> Result<bool, Self::Error>;
    fn stock_level(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Option<Level>, Self::Error>;
    fn save_stock_level(
        &mut self,
        company: Uuid,
        item: Uuid,
        warehouse: Uuid,
        level: &Level,
    ) -> Result<(), Self::Error>;
    /// The FIFO layers in stock, oldest first.
    fn layers(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Vec<Layer>, Self::Error>;
    fn replace_layers(
        &mut self,
        company: Uuid,
        item: Uuid,
        warehouse: Uuid,
        layers: &[Layer],
    ) -> Result<(), Self::Error>;
    fn insert_moves(&mut self, moves: &[StockMove]) -> Result<(), Self::Error>;
    fn stock_move(&mut self, company: Uuid, id: Uuid) -> Result<Option<StockMove>, Self::Error>;
    /// Every move of an item in a warehouse but revaluations, in (date, seq) order: one query. What
    /// valuation needs only: `journal_entry_id`, `memo`, `created_by` and `created_at` are not read.
    fn moves_of(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Vec<StockMove>, Self::Error>;
    /// Quantity on hand of an item in a warehouse as of a date (its moves dated on or before it).
    fn on_hand_as_of(&mut self, company: Uuid, item: Uuid, warehouse: Uuid, date: Date) -> Result<i64, Self::Error>;
    /// The transfer in of a transfer.
    fn transfer_in_of(&mut self, company: Uuid, transfer: Uuid) -> Result<Option<StockMove>, Self::Error>;
    /// Adds to the `revalued` of moves: `(move, amount)`.
    fn add_revalued(&mut self, company: Uuid, changes: &[(Uuid, i64)]) -> Result<(), Self::Error>;
}

/// Why moves (or settings) were refused. `index` is the position of the move in the caller's
/// list: callers name their own line from it (`lines[3].quantity`).
#[derive(Debug, thiserror::Error)]
pub enum InventoryError<E: std::error::Error + 'static> {
    #[error("not enough stock for move {index}: {on_hand} on hand, {wanted} wanted")]
    NotEnoughStock {
        index: usize,
        item: Uuid,
        warehouse: Uuid,
        /// Thousandths of the base unit.
        on_hand: i64,
        wanted: i64,
    },
    #[error("move {index}: the item does not keep stock")]
    NotAStockItem { index: usize },
    /// One field of one move: `field` is the input's name (`quantity`, `warehouse`, `lot`…).
    #[error("move {index}: {field}: {message}")]
    InvalidMove {
        index: usize,
        field: &'static str,
        message: String,
    },
    #[error("invalid: {0}")]
    Invalid(FieldErrors),
    /// A state the request cannot change (the method of a company with moves).
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("a value beyond what the books can hold")]
    Overflow,
    #[error(transparent)]
    Ledger(LedgerError<E>),
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> From<LedgerError<E>> for InventoryError<E> {
    fn from(e: LedgerError<E>) -> Self {
        match e {
            LedgerError::Store(e) => InventoryError::Store(e),
            e => InventoryError::Ledger(e),
        }
    }
}

impl<E: std::error::Error + 'static> InventoryError<E> {
    /// The error as field errors named the caller's way: `name(index, field)` →
    /// `lines[3].quantity`. Errors that are not about one move stay as they are.
    pub fn named(self, name: impl Fn(usize, &str) -> String) -> Self {
        let one = |index: usize, field: &str, message: String| {
            InventoryError::Invalid(FieldErrors::single(&name(index, field), message))
        };
        match self {
            InventoryError::NotEnoughStock {
                index, on_hand, wanted, ..
            } => one(
                index,
                "quantity",
                format!(
                    "Not enough stock: {} on hand, {} wanted.",
                    quantity_text(on_hand),
                    quantity_text(wanted)
                ),
            ),
            InventoryError::NotAStockItem { index } => one(
                index,
                "item",
                "This item does not keep stock (its kind is not \"stock\").".into(),
            ),
            InventoryError::InvalidMove { index, field, message } => one(index, field, message),
            e => e,
        }
    }
}

pub(crate) trait InvDb<T, E: std::error::Error + 'static> {
    fn db(self) -> Result<T, InventoryError<E>>;
}

impl<T, E: std::error::Error + 'static> InvDb<T, E> for Result<T, E> {
    fn db(self) -> Result<T, InventoryError<E>> {
        self.map_err(InventoryError::Store)
    }
}

/// Thousandths as a decimal: 1500 → "1.5", 2000 → "2".
pub fn quantity_text(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let abs = milli.unsigned_abs();
    let (whole, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// A decimal quantity as text → thousandths; more than 3 decimals, a sign or anything else is
/// refused with the reason.
pub fn parse_quantity(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("A valid number is required.".into());
    }
    if frac.len() > 3 {
        return Err("Ensure that there are no more than 3 decimal places.".into());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "This quantity is too large.".to_owned())?
    };
    let frac: i64 = format!("{frac:0<3}").parse().unwrap_or(0);
    let milli = whole
        .checked_mul(1000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| "This quantity is too large.".to_owned())?;
    Ok(if neg { -milli } else { milli })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_thousandths() {
        assert_eq!(parse_quantity("1.5"), Ok(1500));
        assert_eq!(parse_quantity("12"), Ok(12_000));
        assert_eq!(parse_quantity("-0.001"), Ok(-1));
        assert!(parse_quantity("1.0001").is_err());
        assert!(parse_quantity("abc").is_err());
        assert!(parse_quantity("").is_err());
        assert_eq!(quantity_text(1500), "1.5");
        assert_eq!(quantity_text(-2000), "-2");
        assert_eq!(quantity_text(1), "0.001");
    }
}

//! The purchase flow: purchase orders, receipts of goods against them, bills matched to what was
//! ordered and received (the three-way match, price differences posted to the price-difference
//! account), landed costs from a bill spread over a receipt's lines, and draft orders from the
//! items below their reorder point. Stock and its value change only through the inventory
//! engine (`stock.rs` is the one place that calls it); bills are the documents area's bills.

pub mod bills;
pub mod landed;
pub mod orders;
pub mod receipts;
pub mod reorder;
mod stock;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::FieldErrors;
use super::documents::{DocumentError, DocumentStore, LineInput};
use super::ledger::LedgerError;
pub use stock::{PurchaseStockStore, StockAccounts};

/// Where a purchase order stands. `draft` → `confirmed` (may be received) → `partially_received`
/// → `received` → `billed` (everything ordered received and billed) follow from the quantities;
/// `closed` (by hand: nothing more will come) and `cancelled` (only before anything was
/// received) take no more receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Draft,
    Confirmed,
    PartiallyReceived,
    Received,
    Billed,
    Closed,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Draft,
        OrderStatus::Confirmed,
        OrderStatus::PartiallyReceived,
        OrderStatus::Received,
        OrderStatus::Billed,
        OrderStatus::Closed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::PartiallyReceived => "partially_received",
            OrderStatus::Received => "received",
            OrderStatus::Billed => "billed",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Confirmed and not closed, cancelled or wholly received: goods may still arrive.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::Confirmed | OrderStatus::PartiallyReceived | OrderStatus::Received | OrderStatus::Billed
        )
    }
}

/// One line of a purchase order, with what was received and billed against it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub line_no: i64,
    pub item_id: Option<Uuid>,
    pub description: String,
    /// Thousandths of the item's base unit.
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_percent: Decimal,
    pub tax_rate_id: Option<Uuid>,
    pub account_id: Uuid,
    pub net_amount: i64,
    pub tax_amount: i64,
    /// Received on receipts (thousandths).
    pub received: i64,
    /// Billed on bills that are not void (thousandths).
    pub billed: i64,
}

impl OrderLine {
    pub fn remaining_to_receive(&self) -> i64 {
        self.quantity.saturating_sub(self.received).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: Uuid,
    pub company_id: Uuid,
    /// `PO-2026-0001`.
    pub number: String,
    pub status: OrderStatus,
    pub vendor_id: Uuid,
    pub order_date: Date,
    pub expected_date: Option<Date>,
    /// Where the goods go by default.
    pub warehouse_id: Option<Uuid>,
    pub reference: String,
    pub notes: String,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
    pub lines: Vec<OrderLine>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Order {
    pub fn line(&self, line_no: i64) -> Option<&OrderLine> {
        self.lines.iter().find(|l| l.line_no == line_no)
    }

    /// The status the quantities give an open order.
    pub fn status_from_quantities(&self) -> OrderStatus {
        let received_any = self.lines.iter().any(|l| l.received > 0);
        let received_all = self.lines.iter().all(|l| l.received >= l.quantity);
        let billed_all = self.lines.iter().all(|l| l.billed >= l.quantity);
        if received_all && billed_all {
            OrderStatus::Billed
        } else if received_all {
            OrderStatus::Received
        } else if received_any {
            OrderStatus::PartiallyReceived
        } else {
            OrderStatus::Confirmed
        }
    }
}

/// A purchase order as a request sends it.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub vendor: Option<Uuid>,
    pub order_date: Option<Date>,
    pub expected_date: Option<Date>,
    pub warehouse: Option<Uuid>,
    pub reference: String,
    pub notes: String,
    /// The lines as a bill's lines are typed (item, description, quantity, unit price,
    /// discount, tax rate, account); quantities at most 3 decimals.
    pub lines: Vec<LineInput>,
    /// Confirm at once (else a draft).
    pub confirm: bool,
}

/// One line of a receipt: goods received against an order line, valued at the order's price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub line_no: i64,
    pub order_line_no: i64,
    pub item_id: Option<Uuid>,
    /// Thousandths of the item's base unit.
    pub quantity: i64,
    /// At the order's net price (minor units); what GRNI was credited with.
    pub value: i64,
    /// The inventory engine's move (none for a line that is not a stock item).
    pub stock_move_id: Option<Uuid>,
    /// Billed on bills that are not void (thousandths), and the receipt value those took.
    pub billed: i64,
    pub billed_value: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: Uuid,
    pub company_id: Uuid,
    pub order_id: Uuid,
    /// `GR-2026-0001`.
    pub number: String,
    pub date: Date,
    pub warehouse_id: Option<Uuid>,
    pub reference: String,
    pub journal_entry_id: Option<Uuid>,
    pub lines: Vec<ReceiptLine>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

/// A bill line's link to the order and receipt line it bills: the three-way match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLink {
    pub bill_id: Uuid,
    pub bill_line_no: i64,
    pub order_id: Uuid,
    pub order_line_no: i64,
    pub receipt_id: Option<Uuid>,
    pub receipt_line_no: Option<i64>,
    pub quantity: i64,
    /// The received value of what this line bills: GRNI is debited with it.
    pub receipt_value: i64,
    /// The bill line's net amount less `receipt_value`: posted to the price-difference account.
    pub price_difference: i64,
    pub grni_account_id: Option<Uuid>,
    pub price_difference_account_id: Option<Uuid>,
}

/// A landed cost (freight, duty) taken from a bill and spread over a receipt's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandedCost {
    pub id: Uuid,
    pub company_id: Uuid,
    pub bill_id: Uuid,
    pub receipt_id: Uuid,
    /// `value` or `quantity`.
    pub basis: &'static str,
    pub amount: i64,
    /// Credited: the bill's account the cost was first debited to.
    pub account_id: Uuid,
    pub date: Date,
    pub journal_entry_id: Option<Uuid>,
    /// (receipt line, share) for every line that took a part.
    pub lines: Vec<(i64, i64)>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

/// What purchases need from storage, beside the documents' and the inventory engine's.
pub trait PurchaseStore: DocumentStore + PurchaseStockStore {
    /// The order with its lines and what was received and billed on each.
    fn order(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Order>, Self::Error>;
    /// Locks one order until commit: two receipts never both take its last remaining quantity.
    fn lock_order(&mut self, company: Uuid, id: Uuid) -> std::result::Result<(), Self::Error>;
    fn insert_order(&mut self, order: &Order) -> std::result::Result<(), Self::Error>;
    /// Saves the header and replaces the lines.
    fn update_order(&mut self, order: &Order) -> std::result::Result<(), Self::Error>;
    fn delete_order(&mut self, company: Uuid, id: Uuid) -> std::result::Result<(), Self::Error>;
    fn receipt(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Receipt>, Self::Error>;
    /// The receipts of an order, oldest first.
    fn receipts_of(&mut self, company: Uuid, order: Uuid) -> std::result::Result<Vec<Receipt>, Self::Error>;
    fn insert_receipt(&mut self, receipt: &Receipt) -> std::result::Result<(), Self::Error>;
    fn insert_bill_links(&mut self, company: Uuid, links: &[BillLink]) -> std::result::Result<(), Self::Error>;
    fn bill_links(&mut self, company: Uuid, bill: Uuid) -> std::result::Result<Vec<BillLink>, Self::Error>;
    fn insert_landed_cost(&mut self, cost: &LandedCost) -> std::result::Result<(), Self::Error>;
    /// What landed costs already took from a bill.
    fn landed_from_bill(&mut self, company: Uuid, bill: Uuid) -> std::result::Result<i64, Self::Error>;
    /// The vendor `item` was last ordered from (confirmed orders, newest order date first).
    fn last_vendor_of(&mut self, company: Uuid, item: Uuid) -> std::result::Result<Option<Uuid>, Self::Error>;
}

/// Why a purchase operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum PurchaseError<E: std::error::Error + 'static> {
    #[error("invalid purchase: {0}")]
    Invalid(FieldErrors),
    #[error("no such purchase order or receipt")]
    NotFound,
    #[error("{0}")]
    State(String),
    #[error("The amounts are too large to add up.")]
    Overflow,
    #[error(transparent)]
    Document(DocumentError<E>),
    #[error("{0}")]
    Stock(String),
}

impl<E: std::error::Error + 'static> From<FieldErrors> for PurchaseError<E> {
    fn from(e: FieldErrors) -> Self {
        PurchaseError::Invalid(e)
    }
}

impl<E: std::error::Error + 'static> From<DocumentError<E>> for PurchaseError<E> {
    fn from(e: DocumentError<E>) -> Self {
        match e {
            DocumentError::Invalid(f) => PurchaseError::Invalid(f),
            DocumentError::NotFound => PurchaseError::NotFound,
            other => PurchaseError::Document(other),
        }
    }
}

impl<E: std::error::Error + 'static> From<LedgerError<E>> for PurchaseError<E> {
    fn from(e: LedgerError<E>) -> Self {
        PurchaseError::from(DocumentError::from(e))
    }
}

type Result<T, S> = std::result::Result<T, PurchaseError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// `store_call().db()?` for purchases.
trait PurDb<T, E: std::error::Error + 'static> {
    fn db(self) -> std::result::Result<T, PurchaseError<E>>;
}

impl<T, E: std::error::Error + 'static> PurDb<T, E> for std::result::Result<T, E> {
    fn db(self) -> std::result::Result<T, PurchaseError<E>> {
        self.map_err(|e| PurchaseError::Document(DocumentError::Ledger(LedgerError::Store(e))))
    }
}

/// A quantity as typed (`"1.5"`) → thousandths (1500), by the inventory's rule; more than 3
/// decimals, zero or less, or too large is `None`.
pub fn parse_quantity(text: &str) -> Option<i64> {
    super::inventory::parse_quantity(text).ok().filter(|q| *q > 0)
}

/// A decimal quantity → thousandths, when it has at most 3 decimals and is above zero.
pub fn quantity_milli(d: Decimal) -> Option<i64> {
    if d <= Decimal::ZERO || d.normalize().scale() > 3 {
        return None;
    }
    let m = d.checked_mul(Decimal::from(1000))?;
    i64::try_from(m.normalize())
        .ok()
        .filter(|v| *v > 0 && *v < 1_000_000_000_000)
}

/// Thousandths → the decimal text a document line takes (`1500` → `"1.5"`).
pub use super::inventory::quantity_text;

/// `value × part / whole`, rounded half to even, in i128 (the contract's rule for taking part of
/// a value); `None` when `whole` is zero or the result does not fit.
pub fn share(value: i64, part: i64, whole: i64) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    let n = i128::from(value) * i128::from(part);
    let d = i128::from(whole);
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    let twice = 2 * r;
    let q = if twice > d || (twice == d && q % 2 != 0) {
        q + 1
    } else {
        q
    };
    i64::try_from(q).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_thousandths() {
        assert_eq!(parse_quantity("1.5"), Some(1500));
        assert_eq!(parse_quantity("2"), Some(2000));
        assert_eq!(parse_quantity("0.001"), Some(1));
        assert_eq!(parse_quantity("0.0001"), None);
        assert_eq!(parse_quantity("0"), None);
        assert_eq!(parse_quantity("-1"), None);
        assert_eq!(quantity_text(1500), "1.5");
        assert_eq!(quantity_text(2000), "2");
    }

    #[test]
    fn shares_round_half_to_even() {
        assert_eq!(share(100, 1, 3), Some(33));
        assert_eq!(share(5, 1, 2), Some(2));
        assert_eq!(share(7, 1, 2), Some(4));
        assert_eq!(share(-5, 1, 2), Some(-2));
        assert_eq!(share(1000, 0, 3), Some(0));
        assert_eq!(share(1, 1, 0), None);
    }
}

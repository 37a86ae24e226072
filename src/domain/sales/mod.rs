//! The sales flow: quotes → sales orders → deliveries → invoices. A quote and an order are one
//! [`SalesDocument`] with a [`SalesKind`]; their lines are computed by the documents' own line
//! calculation, so the invoice made from them has the same prices and taxes. Each order line
//! keeps what was delivered and invoiced of it (thousandths of the quantity); a delivery takes
//! the goods out of stock through the inventory engine (`stock.rs`); an invoice of a stock item
//! that no delivery covers makes its delivery when it is issued ([`on_issue`]).
//! Rules and statuses: `docs/sales.md`.

mod create;
mod deliver;
mod invoice;
pub mod stock;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

pub use create::{SalesInput, cancel, convert, create, decline, find, find_delivery};
pub use deliver::{DeliverInput, LinePick, deliver};
pub use invoice::{InvoiceInput, invoice_delivery, invoice_order, on_issue};

use super::FieldErrors;
use super::documents::{DocumentError, DocumentStore};
use super::inventory::InventoryStore;
use super::ledger::LedgerError;

/// A quote or a sales order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SalesKind {
    Quote,
    Order,
}

impl SalesKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SalesKind::Quote => "quote",
            SalesKind::Order => "order",
        }
    }

    pub fn parse(s: &str) -> Option<SalesKind> {
        [SalesKind::Quote, SalesKind::Order]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// Number series prefix: `QUO-2026-0001`, `SO-2026-0001`.
    pub fn prefix(self) -> &'static str {
        match self {
            SalesKind::Quote => "QUO",
            SalesKind::Order => "SO",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            SalesKind::Quote => "quote",
            SalesKind::Order => "sales order",
        }
    }
}

/// Quote: `Open` → `Converted` | `Declined` (an open quote past its date shows as expired).
/// Order: `Open` → `PartiallyDelivered` → `Delivered` → `Invoiced`, or `Cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SalesStatus {
    Open,
    Converted,
    Declined,
    PartiallyDelivered,
    Delivered,
    Invoiced,
    Cancelled,
}

impl SalesStatus {
    pub const ALL: [SalesStatus; 7] = [
        SalesStatus::Open,
        SalesStatus::Converted,
        SalesStatus::Declined,
        SalesStatus::PartiallyDelivered,
        SalesStatus::Delivered,
        SalesStatus::Invoiced,
        SalesStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SalesStatus::Open => "open",
            SalesStatus::Converted => "converted",
            SalesStatus::Declined => "declined",
            SalesStatus::PartiallyDelivered => "partially_delivered",
            SalesStatus::Delivered => "delivered",
            SalesStatus::Invoiced => "invoiced",
            SalesStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<SalesStatus> {
        SalesStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One line of a quote or order, with its calculated amounts (minor units) and progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesLine {
    pub line_no: i64,
    pub item_id: Option<Uuid>,
    pub description: String,
    pub quantity: Decimal,
    /// `quantity` in thousandths.
    pub quantity_milli: i64,
    pub unit_price: i64,
    pub discount_percent: Decimal,
    pub tax_rate_id: Option<Uuid>,
    pub account_id: Uuid,
    pub net_amount: i64,
    pub tax_amount: i64,
    pub delivered_milli: i64,
    pub invoiced_milli: i64,
}

impl SalesLine {
    pub fn to_deliver(&self) -> i64 {
        self.quantity_milli.saturating_sub(self.delivered_milli).max(0)
    }

    pub fn to_invoice(&self) -> i64 {
        self.quantity_milli.saturating_sub(self.invoiced_milli).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesDocument {
    pub id: Uuid,
    pub company_id: Uuid,
    pub kind: SalesKind,
    pub status: SalesStatus,
    pub number: String,
    pub contact_id: Uuid,
    pub date: Date,
    /// Quotes: the last day the quote can be accepted.
    pub valid_until: Option<Date>,
    pub currency: String,
    pub reference: String,
    pub notes: String,
    pub lines: Vec<SalesLine>,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
    /// Orders: the quote converted into it.
    pub quote_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SalesDocument {
    /// An open quote past its `valid_until` on `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.kind == SalesKind::Quote && self.status == SalesStatus::Open && self.valid_until.is_some_and(|d| d < today)
    }

    pub fn line(&self, line_no: i64) -> Option<&SalesLine> {
        self.lines.iter().find(|l| l.line_no == line_no)
    }
}

/// Goods sent to a customer: from an order, or made when an invoice was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub company_id: Uuid,
    /// `DN-2026-0001`.
    pub number: String,
    pub contact_id: Uuid,
    pub date: Date,
    pub order_id: Option<Uuid>,
    /// The invoice whose issue made this delivery.
    pub invoice_id: Option<Uuid>,
    pub notes: String,
    pub lines: Vec<DeliveryLine>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLine {
    pub line_no: i64,
    pub order_line_no: Option<i64>,
    pub item_id: Uuid,
    pub description: String,
    pub quantity_milli: i64,
    pub invoiced_milli: i64,
    pub warehouse_id: Option<Uuid>,
    pub stock_move_id: Option<Uuid>,
}

/// Part of an invoice line: what it invoiced of an order line and/or a delivery line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLink {
    pub invoice_id: Uuid,
    pub invoice_line_no: i64,
    pub link_no: i64,
    pub order_id: Option<Uuid>,
    pub order_line_no: Option<i64>,
    pub delivery_id: Option<Uuid>,
    pub delivery_line_no: Option<i64>,
    pub quantity_milli: i64,
}

/// What the sales flow needs from storage, on top of documents (and the inventory engine's).
pub trait SalesStore: DocumentStore + InventoryStore {
    fn sales_document(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<SalesDocument>, Self::Error>;
    /// Locks one quote or order until commit: two deliveries never both take its last units.
    fn lock_sales_document(&mut self, company: Uuid, id: Uuid) -> std::result::Result<(), Self::Error>;
    fn insert_sales_document(&mut self, doc: &SalesDocument) -> std::result::Result<(), Self::Error>;
    /// Saves the header's status and time.
    fn update_sales_status(&mut self, doc: &SalesDocument) -> std::result::Result<(), Self::Error>;
    /// Adds to what was delivered and invoiced of an order line.
    fn add_line_progress(
        &mut self,
        order: Uuid,
        line_no: i64,
        delivered: i64,
        invoiced: i64,
    ) -> std::result::Result<(), Self::Error>;
    fn delivery(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Delivery>, Self::Error>;
    fn insert_delivery(&mut self, delivery: &Delivery) -> std::result::Result<(), Self::Error>;
    /// The delivery lines of an order's line, oldest first, with their delivery's id.
    fn order_deliveries(
        &mut self,
        company: Uuid,
        order: Uuid,
    ) -> std::result::Result<Vec<(Uuid, DeliveryLine)>, Self::Error>;
    fn add_delivery_invoiced(
        &mut self,
        delivery: Uuid,
        line_no: i64,
        invoiced: i64,
    ) -> std::result::Result<(), Self::Error>;
    fn invoice_links(&mut self, company: Uuid, invoice: Uuid) -> std::result::Result<Vec<InvoiceLink>, Self::Error>;
    fn insert_invoice_link(&mut self, company: Uuid, link: &InvoiceLink) -> std::result::Result<(), Self::Error>;
    fn delete_invoice_link(
        &mut self,
        company: Uuid,
        invoice: Uuid,
        line_no: i64,
        link_no: i64,
    ) -> std::result::Result<(), Self::Error>;
}

/// Why a sales operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum SalesError<E: std::error::Error + 'static> {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("no such quote, order or delivery")]
    NotFound,
    /// A state that refuses the action (a converted quote, a cancelled order): a 400.
    #[error("{0}")]
    State(String),
    /// A quote past its date: a 409.
    #[error("This quote expired on {0}: it can no longer be converted. Make a new quote.")]
    Expired(Date),
    #[error(transparent)]
    Document(DocumentError<E>),
}

impl<E: std::error::Error + 'static> From<FieldErrors> for SalesError<E> {
    fn from(e: FieldErrors) -> Self {
        SalesError::Invalid(e)
    }
}

impl<E: std::error::Error + 'static> From<DocumentError<E>> for SalesError<E> {
    fn from(e: DocumentError<E>) -> Self {
        match e {
            DocumentError::Invalid(f) => SalesError::Invalid(f),
            other => SalesError::Document(other),
        }
    }
}

impl<E: std::error::Error + 'static> From<SalesError<E>> for DocumentError<E> {
    fn from(e: SalesError<E>) -> Self {
        match e {
            SalesError::Invalid(f) => DocumentError::Invalid(f),
            SalesError::NotFound => DocumentError::NotFound,
            SalesError::State(s) => DocumentError::State(s),
            SalesError::Expired(_) => DocumentError::State(e.to_string()),
            SalesError::Document(d) => d,
        }
    }
}

/// `store_call().db()?` for sales.
pub(crate) trait SalesDb<T, E: std::error::Error + 'static> {
    fn db(self) -> std::result::Result<T, SalesError<E>>;
}

impl<T, E: std::error::Error + 'static> SalesDb<T, E> for std::result::Result<T, E> {
    fn db(self) -> std::result::Result<T, SalesError<E>> {
        self.map_err(|e| SalesError::Document(DocumentError::Ledger(LedgerError::Store(e))))
    }
}

type Result<T, S> = std::result::Result<T, SalesError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// A decimal quantity in thousandths, if it has at most 3 decimals and fits.
pub fn to_milli(q: Decimal) -> Option<i64> {
    let m = q.checked_mul(Decimal::from(1000))?;
    if !m.fract().is_zero() {
        return None;
    }
    i64::try_from(m).ok()
}

/// Thousandths as a decimal quantity (`1500` → `1.5`).
pub fn from_milli(m: i64) -> Decimal {
    Decimal::new(m, 3).normalize()
}

/// A typed quantity (`"2.5"`): above 0, at most 3 decimals, in thousandths.
pub fn parse_quantity(text: &str) -> Option<i64> {
    let q = crate::domain::money::parse(text).ok()?;
    if q <= Decimal::ZERO {
        return None;
    }
    to_milli(q).filter(|m| *m < 1_000_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_thousandths_with_at_most_three_decimals() {
        assert_eq!(parse_quantity("1.5"), Some(1500));
        assert_eq!(parse_quantity("2"), Some(2000));
        assert_eq!(parse_quantity("0.001"), Some(1));
        assert_eq!(parse_quantity("0.0005"), None);
        assert_eq!(parse_quantity("0"), None);
        assert_eq!(parse_quantity("-1"), None);
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(from_milli(1500).to_string(), "1.5");
        assert_eq!(from_milli(2000).to_string(), "2");
    }
}

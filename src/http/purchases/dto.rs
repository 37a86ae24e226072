//! How the API shows purchases: orders with their lines' received, billed and remaining
//! quantities, receipts, a bill's three-way match, landed costs, and what a reorder run made.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::books::Books;
use crate::domain::money;
use crate::domain::purchases::bills::MatchRow;
use crate::domain::purchases::reorder::ReorderItem;
use crate::domain::purchases::{LandedCost, Order, OrderLine, Receipt, quantity_text};

fn q(milli: i64) -> String {
    quantity_text(milli)
}

#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseOrderLine)]
pub struct OrderLineDto {
    /// The line's number (from 1): receipts and bills name it.
    pub line: i64,
    pub item: Option<Uuid>,
    pub description: String,
    /// Decimal strings of the item's unit (at most 3 decimals).
    pub quantity: String,
    pub unit_price: String,
    pub discount_percent: String,
    pub tax_rate: Option<Uuid>,
    pub account: Uuid,
    pub net_amount: String,
    pub tax_amount: String,
    pub received: String,
    pub billed: String,
    /// Ordered less received.
    pub remaining_to_receive: String,
    /// Received less billed.
    pub remaining_to_bill: String,
}

fn line_dto(l: &OrderLine, d: u32) -> OrderLineDto {
    OrderLineDto {
        line: l.line_no,
        item: l.item_id,
        description: l.description.clone(),
        quantity: q(l.quantity),
        unit_price: money::format(l.unit_price, d),
        discount_percent: l.discount_percent.to_string(),
        tax_rate: l.tax_rate_id,
        account: l.account_id,
        net_amount: money::format(l.net_amount, d),
        tax_amount: money::format(l.tax_amount, d),
        received: q(l.received),
        billed: q(l.billed),
        remaining_to_receive: q(l.remaining_to_receive()),
        remaining_to_bill: q((l.received - l.billed).max(0)),
    }
}

/// A purchase order: in full (with lines, receipts and bills) or as a row of the list (no lines).
#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseOrder)]
pub struct OrderDto {
    pub id: Uuid,
    /// `PO-2026-0001`.
    pub number: String,
    /// `draft`, `confirmed`, `partially_received`, `received`, `billed`, `closed`, `cancelled`.
    pub status: &'static str,
    pub vendor: Uuid,
    pub vendor_name: String,
    #[schema(format = Date)]
    pub order_date: String,
    #[schema(format = Date)]
    pub expected_date: Option<String>,
    pub warehouse: Option<Uuid>,
    pub reference: String,
    pub notes: String,
    pub currency: String,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    pub lines: Vec<OrderLineDto>,
    /// The order's receipts (full answer only).
    pub receipts: Vec<ReceiptRowDto>,
    /// The bills that bill it (full answer only).
    pub bills: Vec<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

pub fn order_dto(
    o: &Order,
    vendor_name: &str,
    books: &Books,
    receipts: Vec<ReceiptRowDto>,
    bills: Vec<Uuid>,
) -> OrderDto {
    let d = books.decimals;
    OrderDto {
        id: o.id,
        number: o.number.clone(),
        status: o.status.as_str(),
        vendor: o.vendor_id,
        vendor_name: vendor_name.to_owned(),
        order_date: o.order_date.to_string(),
        expected_date: o.expected_date.map(|x| x.to_string()),
        warehouse: o.warehouse_id,
        reference: o.reference.clone(),
        notes: o.notes.clone(),
        currency: books.currency.clone(),
        subtotal: money::format(o.subtotal, d),
        tax_total: money::format(o.tax_total, d),
        total: money::format(o.total, d),
        lines: o.lines.iter().map(|l| line_dto(l, d)).collect(),
        receipts,
        bills,
        created_at: o.created_at.to_string(),
        updated_at: o.updated_at.to_string(),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseReceiptLine)]
pub struct ReceiptLineDto {
    pub line: i64,
    /// The order's line it receives.
    pub order_line: i64,
    pub item: Option<Uuid>,
    pub description: String,
    pub quantity: String,
    /// At the order's net price: what GRNI was credited with.
    pub value: String,
    pub billed: String,
    pub remaining_to_bill: String,
    /// The inventory engine's move (none for a line that is not a stock item).
    pub stock_move: Option<Uuid>,
}

/// A receipt; the list's rows carry no lines.
#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseReceipt)]
pub struct ReceiptRowDto {
    pub id: Uuid,
    /// `GR-2026-0001`.
    pub number: String,
    pub order: Uuid,
    pub order_number: String,
    pub vendor_name: String,
    #[schema(format = Date)]
    pub date: String,
    pub warehouse: Option<Uuid>,
    pub reference: String,
    /// Dr Inventory / Cr GRNI.
    pub journal_entry: Option<Uuid>,
    pub value: String,
    pub lines: Vec<ReceiptLineDto>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn receipt_dto(
    r: &Receipt,
    order: Option<&Order>,
    order_number: &str,
    vendor: &str,
    books: &Books,
) -> ReceiptRowDto {
    let d = books.decimals;
    ReceiptRowDto {
        id: r.id,
        number: r.number.clone(),
        order: r.order_id,
        order_number: order_number.to_owned(),
        vendor_name: vendor.to_owned(),
        date: r.date.to_string(),
        warehouse: r.warehouse_id,
        reference: r.reference.clone(),
        journal_entry: r.journal_entry_id,
        value: money::format(r.lines.iter().map(|l| l.value).sum(), d),
        lines: r
            .lines
            .iter()
            .map(|l| ReceiptLineDto {
                line: l.line_no,
                order_line: l.order_line_no,
                item: l.item_id,
                description: order
                    .and_then(|o| o.line(l.order_line_no))
                    .map(|ol| ol.description.clone())
                    .unwrap_or_default(),
                quantity: q(l.quantity),
                value: money::format(l.value, d),
                billed: q(l.billed),
                remaining_to_bill: q((l.quantity - l.billed).max(0)),
                stock_move: l.stock_move_id,
            })
            .collect(),
        created_at: r.created_at.to_string(),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseMatchLine)]
pub struct MatchLineDto {
    pub bill_line: i64,
    pub description: String,
    pub order: Uuid,
    pub order_number: String,
    pub order_line: i64,
    pub receipt: Option<Uuid>,
    pub receipt_number: Option<String>,
    pub receipt_line: Option<i64>,
    /// On the order line: ordered, received, billed (all bills).
    pub ordered: String,
    pub received: String,
    pub billed: String,
    /// This bill line's quantity.
    pub quantity: String,
    pub order_unit_price: String,
    pub bill_unit_price: String,
    pub bill_net: String,
    /// The received value of what this line bills (GRNI debited).
    pub receipt_value: String,
    /// `bill_net - receipt_value`, posted to the price-difference account.
    pub price_difference: String,
    /// Whether the price differs from the order's (a difference to look at).
    pub flagged: bool,
}

/// A bill's three-way match.
#[derive(Serialize, ToSchema)]
#[schema(as = PurchaseBillMatch)]
pub struct MatchDto {
    pub bill: Uuid,
    pub number: Option<String>,
    pub status: &'static str,
    pub lines: Vec<MatchLineDto>,
    pub price_difference: String,
}

pub fn match_dto(doc: &crate::domain::documents::Document, rows: &[MatchRow], books: &Books) -> MatchDto {
    let d = books.decimals;
    MatchDto {
        bill: doc.id,
        number: doc.number.clone(),
        status: doc.status.as_str(),
        price_difference: money::format(rows.iter().map(|r| r.price_difference).sum(), d),
        lines: rows
            .iter()
            .map(|r| MatchLineDto {
                bill_line: r.bill_line_no,
                description: r.description.clone(),
                order: r.order_id,
                order_number: r.order_number.clone(),
                order_line: r.order_line_no,
                receipt: r.receipt_id,
                receipt_number: r.receipt_number.clone(),
                receipt_line: r.receipt_line_no,
                ordered: q(r.ordered),
                received: q(r.received),
                billed: q(r.billed_on_order),
                quantity: q(r.quantity),
                order_unit_price: money::format(r.order_unit_price, d),
                bill_unit_price: money::format(r.bill_unit_price, d),
                bill_net: money::format(r.bill_net, d),
                receipt_value: money::format(r.receipt_value, d),
                price_difference: money::format(r.price_difference, d),
                flagged: r.price_difference != 0 || r.bill_unit_price != r.order_unit_price,
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = LandedCostLine)]
pub struct LandedLineDto {
    pub receipt_line: i64,
    pub amount: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = LandedCost)]
pub struct LandedDto {
    pub id: Uuid,
    pub bill: Uuid,
    pub receipt: Uuid,
    /// `value` or `quantity`.
    pub basis: &'static str,
    pub amount: String,
    pub account: Uuid,
    #[schema(format = Date)]
    pub date: String,
    pub journal_entry: Option<Uuid>,
    pub lines: Vec<LandedLineDto>,
}

pub fn landed_dto(c: &LandedCost, books: &Books) -> LandedDto {
    LandedDto {
        id: c.id,
        bill: c.bill_id,
        receipt: c.receipt_id,
        basis: c.basis,
        amount: money::format(c.amount, books.decimals),
        account: c.account_id,
        date: c.date.to_string(),
        journal_entry: c.journal_entry_id,
        lines: c
            .lines
            .iter()
            .map(|(l, a)| LandedLineDto {
                receipt_line: *l,
                amount: money::format(*a, books.decimals),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = ReorderSkipped)]
pub struct SkippedDto {
    pub item: Uuid,
    pub name: String,
    pub on_hand: String,
    pub reorder_point: String,
    /// Why it has no order.
    pub reason: String,
}

/// What a reorder run made: one draft per vendor, and the items it could not order.
#[derive(Serialize, ToSchema)]
#[schema(as = ReorderResult)]
pub struct ReorderDto {
    pub orders: Vec<OrderDto>,
    pub skipped: Vec<SkippedDto>,
}

pub fn skipped_dto(i: &ReorderItem) -> SkippedDto {
    SkippedDto {
        item: i.item_id,
        name: i.name.clone(),
        on_hand: q(i.on_hand),
        reorder_point: q(i.reorder_point),
        reason: "No preferred vendor, no earlier order and no vendor in the request.".into(),
    }
}

//! How the API shows quotes, sales orders and deliveries, and the bodies it takes for them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::money;
use crate::domain::sales::{Delivery, SalesDocument, from_milli};
use crate::http::documents::LineBody;
use crate::store::sales::Linked;

/// A document this one is linked to.
#[derive(Serialize, ToSchema)]
#[schema(as = SalesLink)]
pub struct LinkDto {
    /// `quote`, `order`, `delivery` or `invoice`.
    pub kind: &'static str,
    pub id: Uuid,
    pub number: String,
}

impl LinkDto {
    pub fn new(l: Linked) -> LinkDto {
        LinkDto {
            kind: l.kind,
            id: l.id,
            number: l.number,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = SalesLine)]
pub struct SalesLineDto {
    /// The line's number (from 1): deliveries and invoices name it.
    pub line: i64,
    pub item: Option<Uuid>,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Percent.
    pub discount_percent: String,
    pub tax_rate: Option<Uuid>,
    pub account: Uuid,
    /// Without tax.
    pub net_amount: String,
    pub tax_amount: String,
    /// Whether the line's item is kept in stock (it is delivered).
    pub is_stock: bool,
    pub delivered: String,
    pub invoiced: String,
    /// What is left to deliver (stock lines) and to invoice.
    pub to_deliver: String,
    pub to_invoice: String,
}

/// A quote or a sales order.
#[derive(Serialize, ToSchema)]
#[schema(as = SalesDocument)]
pub struct SalesDto {
    pub id: Uuid,
    /// `quote` or `order`.
    pub kind: &'static str,
    /// Quote: `open`, `converted`, `declined`. Order: `open`, `partially_delivered`,
    /// `delivered`, `invoiced`, `cancelled`.
    pub status: &'static str,
    /// An open quote past `valid_until`: it no longer converts.
    pub expired: bool,
    /// `QUO-2026-0001`, `SO-2026-0001`.
    pub number: String,
    pub contact: Uuid,
    pub contact_name: String,
    #[schema(format = Date)]
    pub date: String,
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    pub currency: String,
    pub reference: String,
    pub notes: String,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    /// Orders: the quote converted into it.
    pub quote: Option<Uuid>,
    pub lines: Vec<SalesLineDto>,
    /// The quote, orders, deliveries and invoices linked to it.
    pub links: Vec<LinkDto>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A quote or an order as a row of a list (no lines, no links).
#[derive(Serialize, ToSchema)]
#[schema(as = SalesDocumentRow)]
pub struct SalesRow {
    pub id: Uuid,
    pub kind: &'static str,
    pub status: &'static str,
    pub expired: bool,
    pub number: String,
    pub contact: Uuid,
    pub contact_name: String,
    #[schema(format = Date)]
    pub date: String,
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    pub currency: String,
    pub reference: String,
    pub total: String,
}

impl SalesRow {
    pub fn new(d: &SalesDocument, contact_name: String, today: jiff::civil::Date) -> SalesRow {
        let decimals = money::decimals(&d.currency);
        SalesRow {
            id: d.id,
            kind: d.kind.as_str(),
            status: d.status.as_str(),
            expired: d.is_expired(today),
            number: d.number.clone(),
            contact: d.contact_id,
            contact_name,
            date: d.date.to_string(),
            valid_until: d.valid_until.map(|v| v.to_string()),
            currency: d.currency.clone(),
            reference: d.reference.clone(),
            total: money::format(d.total, decimals),
        }
    }
}

impl SalesDto {
    pub fn new(
        d: &SalesDocument,
        contact_name: String,
        today: jiff::civil::Date,
        stock: &[bool],
        links: Vec<Linked>,
    ) -> SalesDto {
        let decimals = money::decimals(&d.currency);
        let m = |v: i64| money::format(v, decimals);
        SalesDto {
            id: d.id,
            kind: d.kind.as_str(),
            status: d.status.as_str(),
            expired: d.is_expired(today),
            number: d.number.clone(),
            contact: d.contact_id,
            contact_name,
            date: d.date.to_string(),
            valid_until: d.valid_until.map(|v| v.to_string()),
            currency: d.currency.clone(),
            reference: d.reference.clone(),
            notes: d.notes.clone(),
            subtotal: m(d.subtotal),
            tax_total: m(d.tax_total),
            total: m(d.total),
            quote: d.quote_id,
            lines: d
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let is_stock = stock.get(i).copied().unwrap_or(false);
                    SalesLineDto {
                        line: l.line_no,
                        item: l.item_id,
                        description: l.description.clone(),
                        quantity: l.quantity.to_string(),
                        unit_price: m(l.unit_price),
                        discount_percent: l.discount_percent.to_string(),
                        tax_rate: l.tax_rate_id,
                        account: l.account_id,
                        net_amount: m(l.net_amount),
                        tax_amount: m(l.tax_amount),
                        is_stock,
                        delivered: from_milli(l.delivered_milli).to_string(),
                        invoiced: from_milli(l.invoiced_milli).to_string(),
                        to_deliver: from_milli(if is_stock { l.to_deliver() } else { 0 }).to_string(),
                        to_invoice: from_milli(l.to_invoice()).to_string(),
                    }
                })
                .collect(),
            links: links.into_iter().map(LinkDto::new).collect(),
            created_at: d.created_at.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = DeliveryLine)]
pub struct DeliveryLineDto {
    pub line: i64,
    /// The order's line it delivered.
    pub order_line: Option<i64>,
    pub item: Uuid,
    pub description: String,
    pub quantity: String,
    pub invoiced: String,
    pub to_invoice: String,
    pub warehouse: Option<Uuid>,
    /// The stock move that took the goods out.
    pub stock_move: Option<Uuid>,
}

/// A delivery (delivery note).
#[derive(Serialize, ToSchema)]
#[schema(as = SalesDelivery)]
pub struct DeliveryDto {
    pub id: Uuid,
    /// `DN-2026-0001`.
    pub number: String,
    pub contact: Uuid,
    pub contact_name: String,
    #[schema(format = Date)]
    pub date: String,
    /// The order it delivered from.
    pub order: Option<Uuid>,
    /// The invoice whose issue made it.
    pub invoice: Option<Uuid>,
    pub notes: String,
    pub lines: Vec<DeliveryLineDto>,
    pub links: Vec<LinkDto>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl DeliveryDto {
    pub fn new(d: &Delivery, contact_name: String, links: Vec<Linked>) -> DeliveryDto {
        DeliveryDto {
            id: d.id,
            number: d.number.clone(),
            contact: d.contact_id,
            contact_name,
            date: d.date.to_string(),
            order: d.order_id,
            invoice: d.invoice_id,
            notes: d.notes.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| DeliveryLineDto {
                    line: l.line_no,
                    order_line: l.order_line_no,
                    item: l.item_id,
                    description: l.description.clone(),
                    quantity: from_milli(l.quantity_milli).to_string(),
                    invoiced: from_milli(l.invoiced_milli).to_string(),
                    to_invoice: from_milli((l.quantity_milli - l.invoiced_milli).max(0)).to_string(),
                    warehouse: l.warehouse_id,
                    stock_move: l.stock_move_id,
                })
                .collect(),
            links: links.into_iter().map(LinkDto::new).collect(),
            created_at: d.created_at.to_string(),
        }
    }
}

/// A delivery as a row of a list.
#[derive(Serialize, ToSchema)]
#[schema(as = SalesDeliveryRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub number: String,
    pub contact: Uuid,
    pub contact_name: String,
    #[schema(format = Date)]
    pub date: String,
    pub order: Option<Uuid>,
    pub invoice: Option<Uuid>,
}

impl DeliveryRow {
    pub fn new(d: &Delivery, contact_name: String) -> DeliveryRow {
        DeliveryRow {
            id: d.id,
            number: d.number.clone(),
            contact: d.contact_id,
            contact_name,
            date: d.date.to_string(),
            order: d.order_id,
            invoice: d.invoice_id,
        }
    }
}

/// A quote or an order as a create sends it.
#[derive(Deserialize, ToSchema)]
#[schema(as = SalesDocumentInput)]
pub struct SalesBody {
    /// A customer of the company.
    pub contact: Option<Uuid>,
    /// `YYYY-MM-DD`; by default the company's today.
    #[schema(format = Date)]
    pub date: Option<String>,
    /// Quotes only: the last day it can be accepted; by default 30 days after `date`.
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// ISO 4217; by default the company currency.
    pub currency: Option<String>,
    pub reference: Option<String>,
    pub notes: Option<String>,
    /// At least one; quantities with at most 3 decimals. Left out, `description`, `unit_price`,
    /// `tax_rate` and `account` come from the item, then the customer, as on an invoice.
    pub lines: Option<Vec<LineBody>>,
}

/// A date for a conversion (`…/convert/`, `…/invoice/` of a delivery).
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = SalesDateInput)]
pub struct DateBody {
    /// `YYYY-MM-DD`; by default the company's today.
    #[schema(format = Date)]
    pub date: Option<String>,
}

/// An order line and how much of it.
#[derive(Deserialize, ToSchema)]
#[schema(as = SalesLinePick)]
pub struct PickBody {
    /// The order's line number (`line` of the order's lines).
    pub line: Option<i64>,
    /// Decimal string, at most 3 decimals; by default all that is left.
    pub quantity: Option<String>,
}

/// What to deliver from an order.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = SalesDeliverInput)]
pub struct DeliverBody {
    #[schema(format = Date)]
    pub date: Option<String>,
    /// By default the company's first active warehouse.
    pub warehouse: Option<Uuid>,
    pub notes: Option<String>,
    /// By default everything left to deliver on every stock line.
    pub lines: Option<Vec<PickBody>>,
}

/// What to invoice of an order.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = SalesInvoiceInput)]
pub struct InvoiceBody {
    /// The invoice's issue date; by default the company's today.
    #[schema(format = Date)]
    pub date: Option<String>,
    /// By default everything left to invoice.
    pub lines: Option<Vec<PickBody>>,
}

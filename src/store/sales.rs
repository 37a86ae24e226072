//! Quotes, sales orders, deliveries and the links of invoice lines as stored (schema 23): their
//! rows, `SalesStore` for both backends, and the lists the API pages.

use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::sales::{
    Delivery, DeliveryLine, InvoiceLink, SalesDocument, SalesKind, SalesLine, SalesStatus, SalesStore,
};
use crate::params;

const SALES_COLUMNS: &str = "s.id, s.company_id, s.kind, s.status, s.number, s.contact_id, s.date, s.valid_until, \
    s.currency, s.reference, s.notes, s.subtotal, s.tax_total, s.total, s.quote_id, s.created_by, s.created_at, \
    s.updated_at, c.name";
const SALES_FROM: &str = "sales_documents s JOIN contacts c ON c.id = s.contact_id";

fn dec(s: &str) -> Result<Decimal, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{s:?} is not a decimal")))
}

fn opt_date(v: Option<String>) -> Result<Option<Date>, StoreError> {
    v.as_deref().map(parse_date).transpose()
}

/// A quote or order header (lines empty) and its contact's name.
fn sales_from_row(r: &Row) -> Result<(SalesDocument, String), StoreError> {
    let kind = r.text(2)?;
    let status = r.text(3)?;
    Ok((
        SalesDocument {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            kind: SalesKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown kind {kind:?}")))?,
            status: SalesStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
            number: r.text(4)?,
            contact_id: r.uuid(5)?,
            date: parse_date(&r.text(6)?)?,
            valid_until: opt_date(r.opt_text(7)?)?,
            currency: r.text(8)?,
            reference: r.text(9)?,
            notes: r.text(10)?,
            lines: Vec::new(),
            subtotal: r.int(11)?,
            tax_total: r.int(12)?,
            total: r.int(13)?,
            quote_id: r.opt_uuid(14)?,
            created_by: r.uuid(15)?,
            created_at: parse_ts(&r.text(16)?)?,
            updated_at: parse_ts(&r.text(17)?)?,
        },
        r.text(18)?,
    ))
}

/// A quote or order with its lines and its contact's name.
pub fn get(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(SalesDocument, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {SALES_COLUMNS} FROM {SALES_FROM} WHERE s.company_id = $1 AND s.id = $2"),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let (mut doc, name) = sales_from_row(&row)?;
    doc.lines = tx
        .query(
            "SELECT line_no, item_id, description, quantity, quantity_milli, unit_price, discount_percent, tax_rate_id, \
             account_id, net_amount, tax_amount, delivered_milli, invoiced_milli \
             FROM sales_document_lines WHERE sales_document_id = $1 ORDER BY line_no",
            params![id],
        )?
        .iter()
        .map(|r| {
            Ok(SalesLine {
                line_no: r.int(0)?,
                item_id: r.opt_uuid(1)?,
                description: r.text(2)?,
                quantity: dec(&r.text(3)?)?,
                quantity_milli: r.int(4)?,
                unit_price: r.int(5)?,
                discount_percent: dec(&r.text(6)?)?,
                tax_rate_id: r.opt_uuid(7)?,
                account_id: r.uuid(8)?,
                net_amount: r.int(9)?,
                tax_amount: r.int(10)?,
                delivered_milli: r.int(11)?,
                invoiced_milli: r.int(12)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some((doc, name)))
}

pub const SALES_LIST: ListSpec = ListSpec {
    columns: SALES_COLUMNS,
    from: SALES_FROM,
    filters: &[
        ("status", "s.status = ?", FilterKind::Text),
        ("contact", "s.contact_id = ?", FilterKind::Uuid),
        ("date_from", "s.date >= ?", FilterKind::Date),
        ("date_to", "s.date <= ?", FilterKind::Date),
    ],
    search: &["s.number", "s.reference", "c.name"],
    ordering: &[
        ("date", "s.date"),
        ("number", "s.number"),
        ("total", "s.total"),
        ("created_at", "s.created_at"),
    ],
    tie_breaker: "s.id",
    default_ordering: "-date",
};

/// A page of the company's quotes or orders (headers and contact names).
pub fn page(
    tx: &mut Tx,
    company: Uuid,
    kind: SalesKind,
    req: &ListRequest,
) -> Result<Page<(SalesDocument, String)>, ListError> {
    list(
        tx,
        &SALES_LIST,
        (
            "s.company_id = $1 AND s.kind = $2",
            vec![company.into(), kind.as_str().into()],
        ),
        req,
        sales_from_row,
    )
}

const DELIVERY_COLUMNS: &str = "d.id, d.company_id, d.number, d.contact_id, d.date, d.order_id, d.invoice_id, d.notes, d.created_by, d.created_at, c.name";
const DELIVERY_FROM: &str = "sales_deliveries d JOIN contacts c ON c.id = d.contact_id";

fn delivery_from_row(r: &Row) -> Result<(Delivery, String), StoreError> {
    Ok((
        Delivery {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            number: r.text(2)?,
            contact_id: r.uuid(3)?,
            date: parse_date(&r.text(4)?)?,
            order_id: r.opt_uuid(5)?,
            invoice_id: r.opt_uuid(6)?,
            notes: r.text(7)?,
            lines: Vec::new(),
            created_by: r.uuid(8)?,
            created_at: parse_ts(&r.text(9)?)?,
        },
        r.text(10)?,
    ))
}

const DELIVERY_LINE_COLUMNS: &str =
    "line_no, order_line_no, item_id, description, quantity_milli, invoiced_milli, warehouse_id, stock_move_id";

fn delivery_line_from_row(r: &Row, at: usize) -> Result<DeliveryLine, StoreError> {
    Ok(DeliveryLine {
        line_no: r.int(at)?,
        order_line_no: r.opt_int(at + 1)?,
        item_id: r.uuid(at + 2)?,
        description: r.text(at + 3)?,
        quantity_milli: r.int(at + 4)?,
        invoiced_milli: r.int(at + 5)?,
        warehouse_id: r.opt_uuid(at + 6)?,
        stock_move_id: r.opt_uuid(at + 7)?,
    })
}

/// A delivery with its lines and its contact's name.
pub fn get_delivery(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(Delivery, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM} WHERE d.company_id = $1 AND d.id = $2"),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let (mut d, name) = delivery_from_row(&row)?;
    d.lines = tx
        .query(
            &format!(
                "SELECT {DELIVERY_LINE_COLUMNS} FROM sales_delivery_lines WHERE delivery_id = $1 ORDER BY line_no"
            ),
            params![id],
        )?
        .iter()
        .map(|r| delivery_line_from_row(r, 0))
        .collect::<Result<_, StoreError>>()?;
    Ok(Some((d, name)))
}

pub const DELIVERY_LIST: ListSpec = ListSpec {
    columns: DELIVERY_COLUMNS,
    from: DELIVERY_FROM,
    filters: &[
        ("contact", "d.contact_id = ?", FilterKind::Uuid),
        ("order", "d.order_id = ?", FilterKind::Uuid),
        ("invoice", "d.invoice_id = ?", FilterKind::Uuid),
        ("date_from", "d.date >= ?", FilterKind::Date),
        ("date_to", "d.date <= ?", FilterKind::Date),
    ],
    search: &["d.number", "c.name"],
    ordering: &[
        ("date", "d.date"),
        ("number", "d.number"),
        ("created_at", "d.created_at"),
    ],
    tie_breaker: "d.id",
    default_ordering: "-date",
};

pub fn delivery_page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<(Delivery, String)>, ListError> {
    list(
        tx,
        &DELIVERY_LIST,
        ("d.company_id = $1", vec![company.into()]),
        req,
        delivery_from_row,
    )
}

/// A document another one links to, as a page shows it.
#[derive(Debug, Clone)]
pub struct Linked {
    /// `quote`, `order`, `delivery`, `invoice`.
    pub kind: &'static str,
    pub id: Uuid,
    pub number: String,
}

/// What a quote, an order, a delivery or an invoice is linked to, each once, by kind then number.
pub fn links_of(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Vec<Linked>, StoreError> {
    let rows = tx.query(
        "SELECT 'order', id, number FROM sales_documents WHERE company_id = $1 AND quote_id = $2 \
         UNION SELECT 'quote', q.id, q.number FROM sales_documents o JOIN sales_documents q ON q.id = o.quote_id \
           WHERE o.company_id = $1 AND o.id = $2 \
         UNION SELECT 'delivery', id, number FROM sales_deliveries WHERE company_id = $1 AND (order_id = $2 OR invoice_id = $2) \
         UNION SELECT 'order', o.id, o.number FROM sales_deliveries d JOIN sales_documents o ON o.id = d.order_id \
           WHERE d.company_id = $1 AND d.id = $2 \
         UNION SELECT 'invoice', i.id, COALESCE(i.number, '') FROM sales_deliveries d JOIN documents i ON i.id = d.invoice_id \
           WHERE d.company_id = $1 AND d.id = $2 \
         UNION SELECT 'invoice', i.id, COALESCE(i.number, '') FROM sales_invoice_links l JOIN documents i ON i.id = l.invoice_id \
           WHERE l.company_id = $1 AND (l.order_id = $2 OR l.delivery_id = $2) \
         UNION SELECT 'order', o.id, o.number FROM sales_invoice_links l JOIN sales_documents o ON o.id = l.order_id \
           WHERE l.company_id = $1 AND l.invoice_id = $2 \
         UNION SELECT 'delivery', d.id, d.number FROM sales_invoice_links l JOIN sales_deliveries d ON d.id = l.delivery_id \
           WHERE l.company_id = $1 AND l.invoice_id = $2",
        params![company, id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = match r.text(0)?.as_str() {
            "quote" => "quote",
            "order" => "order",
            "delivery" => "delivery",
            _ => "invoice",
        };
        out.push(Linked {
            kind,
            id: r.uuid(1)?,
            number: r.text(2)?,
        });
    }
    out.sort_by(|a, b| (a.kind, &a.number).cmp(&(b.kind, &b.number)));
    Ok(out)
}

/// The names of items, for pages that show them.
pub fn item_name(tx: &mut Tx, company: Uuid, item: Uuid) -> Result<String, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT name FROM items WHERE company_id = $1 AND id = $2",
            params![company, item],
        )?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_default())
}

fn line_values(d: &SalesDocument) -> Vec<Value> {
    let mut values = Vec::with_capacity(d.lines.len() * 14);
    for l in &d.lines {
        values.extend(crate::values![
            d.id,
            l.line_no,
            l.item_id,
            l.description.as_str(),
            l.quantity.to_string(),
            l.quantity_milli,
            l.unit_price,
            l.discount_percent.to_string(),
            l.tax_rate_id,
            l.account_id,
            l.net_amount,
            l.tax_amount,
            l.delivered_milli,
            l.invoiced_milli
        ]);
    }
    values
}

impl SalesStore for Tx<'_> {
    fn sales_document(&mut self, company: Uuid, id: Uuid) -> Result<Option<SalesDocument>, StoreError> {
        Ok(get(self, company, id)?.map(|(d, _)| d))
    }

    fn lock_sales_document(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sales_documents SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn insert_sales_document(&mut self, d: &SalesDocument) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sales_documents (id, company_id, kind, status, number, contact_id, date, valid_until, currency, \
             reference, notes, subtotal, tax_total, total, quote_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            params![
                d.id,
                d.company_id,
                d.kind.as_str(),
                d.status.as_str(),
                d.number.as_str(),
                d.contact_id,
                d.date.to_string(),
                d.valid_until.map(|v| v.to_string()),
                d.currency.as_str(),
                d.reference.as_str(),
                d.notes.as_str(),
                d.subtotal,
                d.tax_total,
                d.total,
                d.quote_id,
                d.created_by,
                ts(d.created_at),
                ts(d.updated_at)
            ],
        )?;
        self.insert_many(
            "INSERT INTO sales_document_lines (sales_document_id, line_no, item_id, description, quantity, quantity_milli, \
             unit_price, discount_percent, tax_rate_id, account_id, net_amount, tax_amount, delivered_milli, invoiced_milli)",
            14,
            &line_values(d),
        )
    }

    fn update_sales_status(&mut self, d: &SalesDocument) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sales_documents SET status = $3, updated_at = $4 WHERE company_id = $1 AND id = $2",
            params![d.company_id, d.id, d.status.as_str(), ts(d.updated_at)],
        )?;
        Ok(())
    }

    fn add_line_progress(
        &mut self,
        order: Uuid,
        line_no: i64,
        delivered: i64,
        invoiced: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sales_document_lines SET delivered_milli = delivered_milli + $3, invoiced_milli = invoiced_milli + $4 \
             WHERE sales_document_id = $1 AND line_no = $2",
            params![order, line_no, delivered, invoiced],
        )?;
        Ok(())
    }

    fn delivery(&mut self, company: Uuid, id: Uuid) -> Result<Option<Delivery>, StoreError> {
        Ok(get_delivery(self, company, id)?.map(|(d, _)| d))
    }

    fn insert_delivery(&mut self, d: &Delivery) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sales_deliveries (id, company_id, number, contact_id, date, order_id, invoice_id, notes, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                d.id,
                d.company_id,
                d.number.as_str(),
                d.contact_id,
                d.date.to_string(),
                d.order_id,
                d.invoice_id,
                d.notes.as_str(),
                d.created_by,
                ts(d.created_at)
            ],
        )?;
        let mut values: Vec<Value> = Vec::with_capacity(d.lines.len() * 9);
        for l in &d.lines {
            values.extend(crate::values![
                d.id,
                l.line_no,
                l.order_line_no,
                l.item_id,
                l.description.as_str(),
                l.quantity_milli,
                l.invoiced_milli,
                l.warehouse_id,
                l.stock_move_id
            ]);
        }
        self.insert_many(
            "INSERT INTO sales_delivery_lines (delivery_id, line_no, order_line_no, item_id, description, quantity_milli, \
             invoiced_milli, warehouse_id, stock_move_id)",
            9,
            &values,
        )
    }

    fn order_deliveries(&mut self, company: Uuid, order: Uuid) -> Result<Vec<(Uuid, DeliveryLine)>, StoreError> {
        self.query(
            &format!(
                "SELECT d.id, {} FROM sales_deliveries d JOIN sales_delivery_lines l ON l.delivery_id = d.id \
                 WHERE d.company_id = $1 AND d.order_id = $2 ORDER BY d.date, d.number, l.line_no",
                DELIVERY_LINE_COLUMNS
                    .split(", ")
                    .map(|c| format!("l.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            params![company, order],
        )?
        .iter()
        .map(|r| Ok((r.uuid(0)?, delivery_line_from_row(r, 1)?)))
        .collect()
    }

    fn add_delivery_invoiced(&mut self, delivery: Uuid, line_no: i64, invoiced: i64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sales_delivery_lines SET invoiced_milli = invoiced_milli + $3 WHERE delivery_id = $1 AND line_no = $2",
            params![delivery, line_no, invoiced],
        )?;
        Ok(())
    }

    fn invoice_links(&mut self, company: Uuid, invoice: Uuid) -> Result<Vec<InvoiceLink>, StoreError> {
        self.query(
            "SELECT invoice_id, invoice_line_no, link_no, order_id, order_line_no, delivery_id, delivery_line_no, \
             quantity_milli FROM sales_invoice_links WHERE company_id = $1 AND invoice_id = $2 \
             ORDER BY invoice_line_no, link_no",
            params![company, invoice],
        )?
        .iter()
        .map(|r| {
            Ok(InvoiceLink {
                invoice_id: r.uuid(0)?,
                invoice_line_no: r.int(1)?,
                link_no: r.int(2)?,
                order_id: r.opt_uuid(3)?,
                order_line_no: r.opt_int(4)?,
                delivery_id: r.opt_uuid(5)?,
                delivery_line_no: r.opt_int(6)?,
                quantity_milli: r.int(7)?,
            })
        })
        .collect()
    }

    fn insert_invoice_link(&mut self, company: Uuid, l: &InvoiceLink) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sales_invoice_links (company_id, invoice_id, invoice_line_no, link_no, order_id, order_line_no, \
             delivery_id, delivery_line_no, quantity_milli) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            params![
                company,
                l.invoice_id,
                l.invoice_line_no,
                l.link_no,
                l.order_id,
                l.order_line_no,
                l.delivery_id,
                l.delivery_line_no,
                l.quantity_milli
            ],
        )?;
        Ok(())
    }

    fn delete_invoice_link(
        &mut self,
        company: Uuid,
        invoice: Uuid,
        line_no: i64,
        link_no: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM sales_invoice_links WHERE company_id = $1 AND invoice_id = $2 AND invoice_line_no = $3 \
             AND link_no = $4",
            params![company, invoice, line_no, link_no],
        )?;
        Ok(())
    }
}

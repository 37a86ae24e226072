//! The purchase flow as stored (schema 24): purchase orders and lines, receipts and lines, bill
//! lines' links to them, landed costs; what was received and billed is summed from the receipt
//! lines and from the links of bills that are not void, never kept twice. `PurchaseStore` and
//! the inventory reads purchases make (`PurchaseStockStore`) for both backends.

use std::collections::HashMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::documents::MatchedLine;
use crate::domain::purchases::reorder::ReorderItem;
use crate::domain::purchases::{
    BillLink, LandedCost, Order, OrderLine, OrderStatus, PurchaseError, PurchaseStockStore, PurchaseStore, Receipt,
    ReceiptLine,
};
use crate::params;

fn opt(u: Option<Uuid>) -> Value {
    u.map_or(Value::Null, Value::from)
}

fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

const ORDER_COLUMNS: &str = "o.id, o.company_id, o.number, o.status, o.vendor_id, o.order_date, o.expected_date, \
    o.warehouse_id, o.reference, o.notes, o.subtotal, o.tax_total, o.total, o.created_by, o.created_at, o.updated_at, c.name";

pub const ORDER_LIST: ListSpec = ListSpec {
    columns: ORDER_COLUMNS,
    from: "purchase_orders o JOIN contacts c ON c.id = o.vendor_id",
    filters: &[
        ("status", "o.status = ?", FilterKind::Text),
        ("vendor", "o.vendor_id = ?", FilterKind::Uuid),
        ("date_from", "o.order_date >= ?", FilterKind::Date),
        ("date_to", "o.order_date <= ?", FilterKind::Date),
    ],
    search: &["o.number", "o.reference", "c.name"],
    ordering: &[
        ("order_date", "o.order_date"),
        ("number", "o.number"),
        ("total", "o.total"),
        ("created_at", "o.created_at"),
    ],
    tie_breaker: "o.id",
    default_ordering: "-order_date",
};

/// An order's header (lines empty) and its vendor's name.
fn order_from_row(r: &Row) -> Result<(Order, String), StoreError> {
    let status = r.text(3)?;
    Ok((
        Order {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            number: r.text(2)?,
            status: OrderStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
            vendor_id: r.uuid(4)?,
            order_date: parse_date(&r.text(5)?)?,
            expected_date: r.opt_text(6)?.as_deref().map(parse_date).transpose()?,
            warehouse_id: r.opt_uuid(7)?,
            reference: r.text(8)?,
            notes: r.text(9)?,
            subtotal: r.int(10)?,
            tax_total: r.int(11)?,
            total: r.int(12)?,
            lines: Vec::new(),
            created_by: r.uuid(13)?,
            created_at: parse_ts(&r.text(14)?)?,
            updated_at: parse_ts(&r.text(15)?)?,
        },
        r.text(16)?,
    ))
}

/// A page of the company's orders (headers, with the vendor's name).
pub fn order_page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<(Order, String)>, ListError> {
    list(
        tx,
        &ORDER_LIST,
        ("o.company_id = $1", vec![company.into()]),
        req,
        order_from_row,
    )
}

/// The order with its lines and the vendor's name.
pub fn order_named(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(Order, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!(
            "SELECT {ORDER_COLUMNS} FROM purchase_orders o JOIN contacts c ON c.id = o.vendor_id \
             WHERE o.company_id = $1 AND o.id = $2"
        ),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let (mut order, name) = order_from_row(&row)?;
    order.lines = order_lines(tx, id)?;
    Ok(Some((order, name)))
}

fn dec(s: &str) -> Result<Decimal, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{s:?} is not a decimal")))
}

fn order_lines(tx: &mut Tx, order: Uuid) -> Result<Vec<OrderLine>, StoreError> {
    let mut received: HashMap<i64, i64> = HashMap::new();
    for r in tx.query(
        "SELECT l.order_line_no, SUM(l.quantity_milli) FROM purchase_receipt_lines l \
         JOIN purchase_receipts r ON r.id = l.receipt_id WHERE r.order_id = $1 GROUP BY l.order_line_no",
        params![order],
    )? {
        received.insert(r.int(0)?, r.int(1)?);
    }
    let mut billed: HashMap<i64, i64> = HashMap::new();
    for r in tx.query(
        "SELECT b.order_line_no, SUM(b.quantity_milli) FROM purchase_bill_lines b \
         JOIN documents d ON d.id = b.bill_id WHERE b.order_id = $1 AND d.status <> 'void' GROUP BY b.order_line_no",
        params![order],
    )? {
        billed.insert(r.int(0)?, r.int(1)?);
    }
    tx.query(
        "SELECT line_no, item_id, description, quantity_milli, unit_price, discount_percent, tax_rate_id, account_id, \
         net_amount, tax_amount FROM purchase_order_lines WHERE order_id = $1 ORDER BY line_no",
        params![order],
    )?
    .iter()
    .map(|r| {
        let line_no = r.int(0)?;
        Ok(OrderLine {
            line_no,
            item_id: r.opt_uuid(1)?,
            description: r.text(2)?,
            quantity: r.int(3)?,
            unit_price: r.int(4)?,
            discount_percent: dec(&r.text(5)?)?,
            tax_rate_id: r.opt_uuid(6)?,
            account_id: r.uuid(7)?,
            net_amount: r.int(8)?,
            tax_amount: r.int(9)?,
            received: received.get(&line_no).copied().unwrap_or(0),
            billed: billed.get(&line_no).copied().unwrap_or(0),
        })
    })
    .collect()
}

const RECEIPT_COLUMNS: &str = "r.id, r.company_id, r.order_id, r.number, r.receipt_date, r.warehouse_id, r.reference, \
    r.journal_entry_id, r.created_by, r.created_at, o.number, c.name";
const RECEIPT_FROM: &str =
    "purchase_receipts r JOIN purchase_orders o ON o.id = r.order_id JOIN contacts c ON c.id = o.vendor_id";

pub const RECEIPT_LIST: ListSpec = ListSpec {
    columns: RECEIPT_COLUMNS,
    from: RECEIPT_FROM,
    filters: &[
        ("order", "r.order_id = ?", FilterKind::Uuid),
        ("vendor", "o.vendor_id = ?", FilterKind::Uuid),
        ("date_from", "r.receipt_date >= ?", FilterKind::Date),
        ("date_to", "r.receipt_date <= ?", FilterKind::Date),
    ],
    search: &["r.number", "r.reference", "o.number", "c.name"],
    ordering: &[
        ("date", "r.receipt_date"),
        ("number", "r.number"),
        ("created_at", "r.created_at"),
    ],
    tie_breaker: "r.id",
    default_ordering: "-date",
};

/// A receipt's header (lines empty), its order's number and the vendor's name.
fn receipt_from_row(r: &Row) -> Result<(Receipt, String, String), StoreError> {
    Ok((
        Receipt {
            id: r.uuid(0)?,
            company_id: r.uuid(1)?,
            order_id: r.uuid(2)?,
            number: r.text(3)?,
            date: parse_date(&r.text(4)?)?,
            warehouse_id: r.opt_uuid(5)?,
            reference: r.text(6)?,
            journal_entry_id: r.opt_uuid(7)?,
            lines: Vec::new(),
            created_by: r.uuid(8)?,
            created_at: parse_ts(&r.text(9)?)?,
        },
        r.text(10)?,
        r.text(11)?,
    ))
}

pub fn receipt_page(
    tx: &mut Tx,
    company: Uuid,
    req: &ListRequest,
) -> Result<Page<(Receipt, String, String)>, ListError> {
    list(
        tx,
        &RECEIPT_LIST,
        ("r.company_id = $1", vec![company.into()]),
        req,
        receipt_from_row,
    )
}

/// The receipt with its lines, its order's number and the vendor's name.
pub fn receipt_named(tx: &mut Tx, company: Uuid, id: Uuid) -> Result<Option<(Receipt, String, String)>, StoreError> {
    let Some(row) = tx.query_opt(
        &format!("SELECT {RECEIPT_COLUMNS} FROM {RECEIPT_FROM} WHERE r.company_id = $1 AND r.id = $2"),
        params![company, id],
    )?
    else {
        return Ok(None);
    };
    let (mut receipt, order, vendor) = receipt_from_row(&row)?;
    receipt.lines = receipt_lines(tx, id)?;
    Ok(Some((receipt, order, vendor)))
}

fn receipt_lines(tx: &mut Tx, receipt: Uuid) -> Result<Vec<ReceiptLine>, StoreError> {
    let mut billed: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in tx.query(
        "SELECT b.receipt_line_no, SUM(b.quantity_milli), SUM(b.receipt_value) FROM purchase_bill_lines b \
         JOIN documents d ON d.id = b.bill_id WHERE b.receipt_id = $1 AND d.status <> 'void' GROUP BY b.receipt_line_no",
        params![receipt],
    )? {
        billed.insert(r.int(0)?, (r.int(1)?, r.int(2)?));
    }
    tx.query(
        "SELECT line_no, order_line_no, item_id, quantity_milli, value, stock_move_id FROM purchase_receipt_lines \
         WHERE receipt_id = $1 ORDER BY line_no",
        params![receipt],
    )?
    .iter()
    .map(|r| {
        let line_no = r.int(0)?;
        let (b, bv) = billed.get(&line_no).copied().unwrap_or((0, 0));
        Ok(ReceiptLine {
            line_no,
            order_line_no: r.int(1)?,
            item_id: r.opt_uuid(2)?,
            quantity: r.int(3)?,
            value: r.int(4)?,
            stock_move_id: r.opt_uuid(5)?,
            billed: b,
            billed_value: bv,
        })
    })
    .collect()
}

/// The bills of an order (ids), for its page.
pub fn bills_of_order(tx: &mut Tx, company: Uuid, order: Uuid) -> Result<Vec<Uuid>, StoreError> {
    tx.query(
        "SELECT DISTINCT b.bill_id FROM purchase_bill_lines b JOIN documents d ON d.id = b.bill_id \
         WHERE d.company_id = $1 AND b.order_id = $2 ORDER BY b.bill_id",
        params![company, order],
    )?
    .iter()
    .map(|r| r.uuid(0))
    .collect()
}

fn link_from_row(r: &Row) -> Result<BillLink, StoreError> {
    Ok(BillLink {
        bill_id: r.uuid(0)?,
        bill_line_no: r.int(1)?,
        order_id: r.uuid(2)?,
        order_line_no: r.int(3)?,
        receipt_id: r.opt_uuid(4)?,
        receipt_line_no: r.opt_int(5)?,
        quantity: r.int(6)?,
        receipt_value: r.int(7)?,
        price_difference: r.int(8)?,
        grni_account_id: r.opt_uuid(9)?,
        price_difference_account_id: r.opt_uuid(10)?,
    })
}

/// The matched lines of a bill, for the documents' issue.
pub fn matched_lines(tx: &mut Tx, company: Uuid, bill: Uuid) -> Result<Vec<MatchedLine>, StoreError> {
    Ok(tx
        .bill_links(company, bill)?
        .into_iter()
        .filter_map(|l| {
            Some(MatchedLine {
                line_no: l.bill_line_no,
                grni_account_id: l.grni_account_id?,
                receipt_value: l.receipt_value,
                price_difference_account_id: l.price_difference_account_id?,
            })
        })
        .collect())
}

impl PurchaseStore for Tx<'_> {
    fn order(&mut self, company: Uuid, id: Uuid) -> Result<Option<Order>, StoreError> {
        Ok(order_named(self, company, id)?.map(|(o, _)| o))
    }

    fn lock_order(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE purchase_orders SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn insert_order(&mut self, o: &Order) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO purchase_orders (id, company_id, number, status, vendor_id, order_date, expected_date, \
             warehouse_id, reference, notes, subtotal, tax_total, total, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            params![
                o.id,
                o.company_id,
                o.number.as_str(),
                o.status.as_str(),
                o.vendor_id,
                o.order_date.to_string(),
                o.expected_date.map_or(Value::Null, |d| Value::from(d.to_string())),
                opt(o.warehouse_id),
                o.reference.as_str(),
                o.notes.as_str(),
                o.subtotal,
                o.tax_total,
                o.total,
                o.created_by,
                ts(o.created_at),
                ts(o.updated_at)
            ],
        )?;
        insert_order_lines(self, o)
    }

    fn update_order(&mut self, o: &Order) -> Result<(), StoreError> {
        self.execute(
            "UPDATE purchase_orders SET status = $3, vendor_id = $4, order_date = $5, expected_date = $6, \
             warehouse_id = $7, reference = $8, notes = $9, subtotal = $10, tax_total = $11, total = $12, \
             updated_at = $13 WHERE company_id = $1 AND id = $2",
            params![
                o.company_id,
                o.id,
                o.status.as_str(),
                o.vendor_id,
                o.order_date.to_string(),
                o.expected_date.map_or(Value::Null, |d| Value::from(d.to_string())),
                opt(o.warehouse_id),
                o.reference.as_str(),
                o.notes.as_str(),
                o.subtotal,
                o.tax_total,
                o.total,
                ts(o.updated_at)
            ],
        )?;
        self.execute("DELETE FROM purchase_order_lines WHERE order_id = $1", params![o.id])?;
        insert_order_lines(self, o)
    }

    fn delete_order(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM purchase_order_lines WHERE order_id IN \
             (SELECT id FROM purchase_orders WHERE company_id = $1 AND id = $2)",
            params![company, id],
        )?;
        self.execute(
            "DELETE FROM purchase_orders WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn receipt(&mut self, company: Uuid, id: Uuid) -> Result<Option<Receipt>, StoreError> {
        Ok(receipt_named(self, company, id)?.map(|(r, _, _)| r))
    }

    fn receipts_of(&mut self, company: Uuid, order: Uuid) -> Result<Vec<Receipt>, StoreError> {
        let ids: Vec<Uuid> = self
            .query(
                "SELECT id FROM purchase_receipts WHERE company_id = $1 AND order_id = $2 \
                 ORDER BY receipt_date, created_at, id",
                params![company, order],
            )?
            .iter()
            .map(|r| r.uuid(0))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.receipt(company, id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn insert_receipt(&mut self, r: &Receipt) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO purchase_receipts (id, company_id, order_id, number, receipt_date, warehouse_id, reference, \
             journal_entry_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                r.id,
                r.company_id,
                r.order_id,
                r.number.as_str(),
                r.date.to_string(),
                opt(r.warehouse_id),
                r.reference.as_str(),
                opt(r.journal_entry_id),
                r.created_by,
                ts(r.created_at)
            ],
        )?;
        for l in &r.lines {
            self.execute(
                "INSERT INTO purchase_receipt_lines (receipt_id, line_no, order_line_no, item_id, quantity_milli, \
                 value, stock_move_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![
                    r.id,
                    l.line_no,
                    l.order_line_no,
                    opt(l.item_id),
                    l.quantity,
                    l.value,
                    opt(l.stock_move_id)
                ],
            )?;
        }
        Ok(())
    }

    fn insert_bill_links(&mut self, _company: Uuid, links: &[BillLink]) -> Result<(), StoreError> {
        for l in links {
            self.execute(
                "INSERT INTO purchase_bill_lines (bill_id, bill_line_no, order_id, order_line_no, receipt_id, \
                 receipt_line_no, quantity_milli, receipt_value, price_difference, grni_account_id, \
                 price_difference_account_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                params![
                    l.bill_id,
                    l.bill_line_no,
                    l.order_id,
                    l.order_line_no,
                    opt(l.receipt_id),
                    opt_int(l.receipt_line_no),
                    l.quantity,
                    l.receipt_value,
                    l.price_difference,
                    opt(l.grni_account_id),
                    opt(l.price_difference_account_id)
                ],
            )?;
        }
        Ok(())
    }

    fn bill_links(&mut self, company: Uuid, bill: Uuid) -> Result<Vec<BillLink>, StoreError> {
        self.query(
            "SELECT b.bill_id, b.bill_line_no, b.order_id, b.order_line_no, b.receipt_id, b.receipt_line_no, \
             b.quantity_milli, b.receipt_value, b.price_difference, b.grni_account_id, b.price_difference_account_id \
             FROM purchase_bill_lines b JOIN documents d ON d.id = b.bill_id \
             WHERE d.company_id = $1 AND b.bill_id = $2 ORDER BY b.bill_line_no",
            params![company, bill],
        )?
        .iter()
        .map(link_from_row)
        .collect()
    }

    fn insert_landed_cost(&mut self, c: &LandedCost) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO purchase_landed_costs (id, company_id, bill_id, receipt_id, basis, amount, account_id, \
             landed_date, journal_entry_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            params![
                c.id,
                c.company_id,
                c.bill_id,
                c.receipt_id,
                c.basis,
                c.amount,
                c.account_id,
                c.date.to_string(),
                opt(c.journal_entry_id),
                c.created_by,
                ts(c.created_at)
            ],
        )?;
        for (line, amount) in &c.lines {
            self.execute(
                "INSERT INTO purchase_landed_cost_lines (landed_cost_id, receipt_line_no, amount) VALUES ($1, $2, $3)",
                params![c.id, *line, *amount],
            )?;
        }
        Ok(())
    }

    fn landed_from_bill(&mut self, company: Uuid, bill: Uuid) -> Result<i64, StoreError> {
        let r = self.query_one(
            "SELECT COALESCE(SUM(amount), 0) FROM purchase_landed_costs WHERE company_id = $1 AND bill_id = $2",
            params![company, bill],
        )?;
        r.int(0)
    }

    fn last_vendor_of(&mut self, company: Uuid, item: Uuid) -> Result<Option<Uuid>, StoreError> {
        self.query_opt(
            "SELECT o.vendor_id FROM purchase_orders o JOIN purchase_order_lines l ON l.order_id = o.id \
             WHERE o.company_id = $1 AND l.item_id = $2 AND o.status <> 'draft' AND o.status <> 'cancelled' \
             ORDER BY o.order_date DESC, o.created_at DESC LIMIT 1",
            params![company, item],
        )?
        .map(|r| r.uuid(0))
        .transpose()
    }
}

fn insert_order_lines(tx: &mut Tx, o: &Order) -> Result<(), StoreError> {
    for l in &o.lines {
        tx.execute(
            "INSERT INTO purchase_order_lines (order_id, line_no, item_id, description, quantity_milli, unit_price, \
             discount_percent, tax_rate_id, account_id, net_amount, tax_amount) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            params![
                o.id,
                l.line_no,
                opt(l.item_id),
                l.description.as_str(),
                l.quantity,
                l.unit_price,
                l.discount_percent.to_string(),
                opt(l.tax_rate_id),
                l.account_id,
                l.net_amount,
                l.tax_amount
            ],
        )?;
    }
    Ok(())
}

/// The stock items with a reorder point: on hand in every warehouse (`stock_levels`) and what
/// is still to come on draft, confirmed and partially received orders (ordered less received).
impl PurchaseStockStore for Tx<'_> {
    fn reorder_candidates(&mut self, company: Uuid) -> Result<Vec<ReorderItem>, StoreError> {
        let open = "o.status IN ('draft', 'confirmed', 'partially_received')";
        self.query(
            &format!(
                "SELECT i.id, i.name, i.reorder_point, COALESCE(i.reorder_quantity, 0), \
                 COALESCE((SELECT SUM(l.quantity) FROM stock_levels l WHERE l.company_id = i.company_id AND l.item_id = i.id), 0), \
                 COALESCE((SELECT SUM(pl.quantity_milli) FROM purchase_order_lines pl JOIN purchase_orders o ON o.id = pl.order_id \
                   WHERE o.company_id = i.company_id AND pl.item_id = i.id AND {open}), 0), \
                 COALESCE((SELECT SUM(rl.quantity_milli) FROM purchase_receipt_lines rl JOIN purchase_receipts r ON r.id = rl.receipt_id \
                   JOIN purchase_orders o ON o.id = r.order_id WHERE o.company_id = i.company_id AND rl.item_id = i.id AND {open}), 0) \
                 FROM items i WHERE i.company_id = $1 AND i.kind = 'stock' AND i.is_active = $2 AND i.reorder_point IS NOT NULL \
                 ORDER BY i.code, i.id"
            ),
            params![company, true],
        )?
        .iter()
        .map(|r| {
            Ok(ReorderItem {
                item_id: r.uuid(0)?,
                name: r.text(1)?,
                reorder_point: r.int(2)?,
                reorder_quantity: r.int(3)?,
                on_hand: r.int(4)?,
                on_order: r.int(5)? - r.int(6)?,
                preferred_vendor: None,
            })
        })
        .collect()
    }
}

/// A store failure inside a purchase operation (what `Store::tenant_write` needs of its error).
impl From<StoreError> for PurchaseError<StoreError> {
    fn from(e: StoreError) -> Self {
        PurchaseError::from(crate::domain::ledger::LedgerError::Store(e))
    }
}

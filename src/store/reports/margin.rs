//! The rows of the gross margin (issue 19): what each stock item earned from each customer and
//! what the goods cost. Revenue is the net amount of the lines of stock items on invoices (less
//! credit notes) issued in the period, in the company currency; the cost of goods sold is the
//! value of the stock moves linked to those invoices: moves whose source is the invoice or
//! credit note itself, and the delivery moves an invoice line invoiced through
//! `sales_invoice_links` (the sales flow's table), each for the part of the delivery line the
//! invoice took. A move's cost includes what back-dated revaluations later added to it
//! (`revalued`); the part of a landed cost that went straight to cost of goods sold is not
//! attributed to a sale.

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::exchange_rates::convert::to_company;
use crate::domain::money;
use crate::domain::reports::inventory::{Sale, share};
use crate::domain::reports::{Overflow, add};
use crate::params;
use crate::store::{StoreError, Tx};

/// The invoices and credit notes of the period that count: issued (not drafts, not void).
const DOCUMENTS: &str = "d.company_id = $1 AND d.kind IN ('invoice', 'credit_note') \
     AND d.status NOT IN ('draft', 'void') AND d.issue_date >= $2 AND d.issue_date <= $3";

/// Revenue and cost per (item, customer) over the period, in the company's currency.
pub fn sales(
    tx: &mut Tx,
    company: Uuid,
    currency: &str,
    decimals: u32,
    from: Date,
    to: Date,
) -> Result<Vec<Sale>, StoreError> {
    let p = params![company, from.to_string(), to.to_string()];
    let mut out: Vec<Sale> = Vec::new();
    let mut put = |item: Uuid, customer: Uuid, revenue: i64, cogs: i64| -> Result<(), Overflow> {
        match out.iter_mut().find(|s| s.item_id == item && s.customer_id == customer) {
            Some(s) => {
                s.revenue = add(s.revenue, revenue, "revenue")?;
                s.cogs = add(s.cogs, cogs, "costs of goods sold")?;
            }
            None => out.push(Sale {
                item_id: item,
                customer_id: customer,
                revenue,
                cogs,
            }),
        }
        Ok(())
    };
    let corrupt = |e: Overflow| StoreError::Corrupt(e.to_string());
    // Revenue, per document currency and rate (converted once per group, half away from zero).
    let revenue = tx.query(
        &format!(
            "SELECT dl.item_id, d.contact_id, d.currency, d.exchange_rate_e12, \
                    SUM(CASE WHEN d.kind = 'invoice' THEN dl.net_amount ELSE -dl.net_amount END) \
             FROM document_lines dl, items i, documents d \
             WHERE {DOCUMENTS} AND d.id = dl.document_id AND i.id = dl.item_id AND i.kind = 'stock' \
             GROUP BY dl.item_id, d.contact_id, d.currency, d.exchange_rate_e12"
        ),
        p,
    )?;
    for r in &revenue {
        let amount = r.int(4)?;
        let doc_currency = r.text(2)?;
        let amount = match r.opt_int(3)? {
            Some(rate) if doc_currency != currency => {
                to_company(amount, money::decimals(&doc_currency), rate, decimals)
                    .map_err(|e| StoreError::Corrupt(format!("revenue in {doc_currency}: {e}")))?
            }
            _ => amount,
        };
        put(r.uuid(0)?, r.uuid(1)?, amount, 0).map_err(corrupt)?;
    }
    // Moves made by the invoice or credit note itself: their whole value.
    let direct = tx.query(
        &format!(
            "SELECT m.item_id, d.contact_id, SUM(m.value + m.revalued) FROM stock_moves m, documents d \
             WHERE {DOCUMENTS} AND m.company_id = $1 AND m.source_kind IN ('invoice', 'credit_note') AND m.source_id = d.id \
             AND m.kind <> 'revaluation' \
             GROUP BY m.item_id, d.contact_id"
        ),
        p,
    )?;
    for r in &direct {
        let value = r.int(2)?;
        put(r.uuid(0)?, r.uuid(1)?, 0, value.checked_neg().unwrap_or(i64::MAX)).map_err(corrupt)?;
    }
    // Delivery moves an invoice line invoiced: the part of the delivery line it took.
    let linked = tx.query(
        &format!(
            "SELECT m.item_id, d.contact_id, m.value + m.revalued, m.quantity, k.quantity_milli \
             FROM sales_invoice_links k \
             JOIN sales_delivery_lines sl ON sl.delivery_id = k.delivery_id AND sl.line_no = k.delivery_line_no \
             JOIN stock_moves m ON m.id = sl.stock_move_id \
             JOIN documents d ON d.id = k.invoice_id \
             WHERE {DOCUMENTS} AND k.company_id = $1 AND d.kind = 'invoice'"
        ),
        p,
    )?;
    for r in &linked {
        let (value, quantity, taken) = (r.int(2)?, r.int(3)?, r.int(4)?);
        let cost = share(value, quantity, taken);
        put(r.uuid(0)?, r.uuid(1)?, 0, cost.checked_neg().unwrap_or(i64::MAX)).map_err(corrupt)?;
    }
    Ok(out)
}

/// Names of items (code, name) and contacts (name) for the report's rows.
pub fn names(
    tx: &mut Tx,
    company: Uuid,
    table: &'static str,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..=ids.len() + 1).map(|i| format!("${i}")).collect();
    let code = if table == "items" { "code" } else { "''" };
    let mut params = vec![company.into()];
    params.extend(ids.iter().map(|id| crate::store::sql::Value::from(*id)));
    tx.query(
        &format!(
            "SELECT id, {code}, name FROM {table} WHERE company_id = $1 AND id IN ({})",
            marks.join(", ")
        ),
        &params,
    )?
    .iter()
    .map(|r| Ok((r.uuid(0)?, r.text(1)?, r.text(2)?)))
    .collect()
}

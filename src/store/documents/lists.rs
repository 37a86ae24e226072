//! What the API and the reports read about documents and payments: their lists, the
//! allocations made to a document, duplicate vendor references, tax rate names, the open items
//! the ageing reports and statements read (allocations counted as of their source's date),
//! contact balances, and customer statements.

use uuid::Uuid;

use super::{DOC_COLUMNS, DOC_FROM, PAY_COLUMNS, PAY_FROM, allocation_from_row, document_from_row, payment_from_row};
use crate::domain::documents::{Allocation, Document, DocumentKind, Payment};
use crate::params;
use crate::store::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use crate::store::{StoreError, Tx};

pub const DOCUMENT_LIST: ListSpec = ListSpec {
    columns: DOC_COLUMNS,
    from: DOC_FROM,
    filters: &[
        ("status", "d.status = ?", FilterKind::Text),
        ("contact", "d.contact_id = ?", FilterKind::Uuid),
        ("date_from", "d.issue_date >= ?", FilterKind::Date),
        ("date_to", "d.issue_date <= ?", FilterKind::Date),
        ("due_before", "d.due_date < ?", FilterKind::Date),
        ("recurring", "d.recurring_id = ?", FilterKind::Uuid),
        (
            "open",
            "(d.status IN ('issued', 'partially_paid')) = ?",
            FilterKind::Bool,
        ),
    ],
    search: &["d.number", "d.reference", "c.name"],
    ordering: &[
        ("issue_date", "d.issue_date"),
        ("due_date", "d.due_date"),
        ("number", "d.number"),
        ("total", "d.total"),
        ("balance_due", "(d.total - d.amount_paid)"),
        ("created_at", "d.created_at"),
    ],
    tie_breaker: "d.id",
    default_ordering: "-issue_date",
};
pub fn page(
    tx: &mut Tx,
    company: Uuid,
    kind: DocumentKind,
    req: &ListRequest,
) -> Result<Page<(Document, String)>, ListError> {
    list(
        tx,
        &DOCUMENT_LIST,
        (
            "d.company_id = $1 AND d.kind = $2",
            vec![company.into(), kind.as_str().into()],
        ),
        req,
        document_from_row,
    )
}
/// Whether another live bill of the vendor carries the same reference (the vendor's number).
pub fn duplicate_reference(tx: &mut Tx, doc: &Document) -> Result<bool, StoreError> {
    if doc.reference.is_empty() || doc.kind.is_sales() {
        return Ok(false);
    }
    Ok(tx
        .query_opt(
            "SELECT 1 FROM documents WHERE company_id = $1 AND kind = $2 AND contact_id = $3 AND LOWER(reference) = LOWER($4) \
             AND id <> $5 AND status <> 'void' LIMIT 1",
            params![doc.company_id, doc.kind.as_str(), doc.contact_id, doc.reference.as_str(), doc.id],
        )?
        .is_some())
}

pub const PAYMENT_LIST: ListSpec = ListSpec {
    columns: PAY_COLUMNS,
    from: PAY_FROM,
    filters: &[
        ("direction", "p.direction = ?", FilterKind::Text),
        ("contact", "p.contact_id = ?", FilterKind::Uuid),
        ("date_from", "p.date >= ?", FilterKind::Date),
        ("date_to", "p.date <= ?", FilterKind::Date),
        ("is_void", "p.is_void = ?", FilterKind::Bool),
    ],
    search: &["p.reference", "c.name"],
    ordering: &[
        ("date", "p.date"),
        ("amount", "p.amount"),
        ("created_at", "p.created_at"),
    ],
    tie_breaker: "p.id",
    default_ordering: "-date",
};
pub fn payment_page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<(Payment, String)>, ListError> {
    list(
        tx,
        &PAYMENT_LIST,
        ("p.company_id = $1", vec![company.into()]),
        req,
        payment_from_row,
    )
}
/// Allocations made to a document (payments and credits applied to it).
pub fn allocations_to(tx: &mut Tx, company: Uuid, document: Uuid) -> Result<Vec<Allocation>, StoreError> {
    tx.query(
        "SELECT id, company_id, source_id, document_id, amount, created_at FROM allocations \
         WHERE company_id = $1 AND document_id = $2 ORDER BY created_at, id",
        params![company, document],
    )?
    .iter()
    .map(allocation_from_row)
    .collect()
}

/// What the company's customers (`sales`) or vendors owe or are owed, per contact: open
/// documents and unapplied credits and payments as of a date, aged by days past the due date
/// (credits and payments by their own date). Rows: (contact, name, due date, open amount), with
/// credits negative.
pub fn open_items(
    tx: &mut Tx,
    company: Uuid,
    sales: bool,
    as_of: &str,
) -> Result<Vec<(Uuid, String, String, i64)>, StoreError> {
    let (doc_kind, credit_kind, direction) = if sales {
        ("invoice", "credit_note", "received")
    } else {
        ("bill", "vendor_credit", "made")
    };
    // Allocations count as of their source's date: a payment's date, a credit's issue date.
    // Inner aliases differ from the outer `d` and `p`: the subquery must see the outer row.
    let applied = "COALESCE((SELECT SUM(a.amount) FROM allocations a LEFT JOIN payments ap ON ap.id = a.source_id \
        LEFT JOIN documents ad ON ad.id = a.source_id WHERE a.company_id = $1 AND {col} = {id} \
        AND COALESCE(ap.date, ad.issue_date) <= $2), 0)";
    let to_doc = applied.replace("{col}", "a.document_id").replace("{id}", "d.id");
    let from_doc = applied.replace("{col}", "a.source_id").replace("{id}", "d.id");
    let from_pay = applied.replace("{col}", "a.source_id").replace("{id}", "p.id");
    let sql = format!(
        "SELECT d.contact_id, c.name, d.due_date, d.total - {to_doc} FROM documents d JOIN contacts c ON c.id = d.contact_id \
         WHERE d.company_id = $1 AND d.kind = $3 AND d.status NOT IN ('draft', 'void') AND d.issue_date <= $2 \
         UNION ALL \
         SELECT d.contact_id, c.name, d.issue_date, -(d.total - {from_doc}) FROM documents d JOIN contacts c ON c.id = d.contact_id \
         WHERE d.company_id = $1 AND d.kind = $4 AND d.status NOT IN ('draft', 'void') AND d.issue_date <= $2 \
         UNION ALL \
         SELECT p.contact_id, c.name, p.date, -(p.amount - {from_pay}) FROM payments p JOIN contacts c ON c.id = p.contact_id \
         WHERE p.company_id = $1 AND p.direction = $5 AND p.is_void = $6 AND p.date <= $2"
    );
    tx.query(&sql, params![company, as_of, doc_kind, credit_kind, direction, false])?
        .iter()
        .map(|r| Ok((r.uuid(0)?, r.text(1)?, r.text(2)?, r.int(3)?)))
        .filter(|r: &Result<(Uuid, String, String, i64), StoreError>| !matches!(r, Ok((_, _, _, 0))))
        .collect()
}

/// One movement on a customer's statement.
pub struct StatementLine {
    pub date: String,
    /// The document's number, or the payment's reference.
    pub document: String,
    pub description: String,
    pub debit: i64,
    pub credit: i64,
}

/// A customer's movements for a statement: invoices (charges), credit notes and payments
/// (credits), void ones left out, by date. Returns the balance before `from` and the rows from
/// `from` to `to`.
pub fn statement(
    tx: &mut Tx,
    company: Uuid,
    contact: Uuid,
    from: &str,
    to: &str,
) -> Result<(i64, Vec<StatementLine>), StoreError> {
    let sql = "SELECT issue_date, COALESCE(number, ''), kind, total, 0 AS seq FROM documents \
         WHERE company_id = $1 AND contact_id = $2 AND kind IN ('invoice', 'credit_note') \
         AND status NOT IN ('draft', 'void') AND issue_date <= $3 \
         UNION ALL \
         SELECT date, reference, 'payment', amount, 1 FROM payments \
         WHERE company_id = $1 AND contact_id = $2 AND direction = 'received' AND is_void = $4 AND date <= $3 \
         ORDER BY 1, 5, 2";
    let mut opening = 0i64;
    let mut rows = Vec::new();
    for r in tx.query(sql, params![company, contact, to, false])? {
        let date = r.text(0)?;
        let kind = r.text(2)?;
        let amount = r.int(3)?;
        let (debit, credit, what) = match kind.as_str() {
            "invoice" => (amount, 0, "Invoice"),
            "credit_note" => (0, amount, "Credit note"),
            _ => (0, amount, "Payment received"),
        };
        if date.as_str() < from {
            opening = opening.saturating_add(debit).saturating_sub(credit);
        } else {
            rows.push(StatementLine {
                date,
                document: r.text(1)?,
                description: what.to_owned(),
                debit,
                credit,
            });
        }
    }
    Ok((opening, rows))
}

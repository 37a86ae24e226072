//! What the API reads about documents and payments: their lists, the allocations made to a
//! document, duplicate vendor references and tax rate names. (The open items and statement rows
//! the reports read are in `store::reports`; contact balances in `store::contacts`.)

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
        "SELECT id, company_id, source_id, document_id, amount, created_at, date, ended_on, exchange_entry_id, \
         carried_document, carried_source \
         FROM allocations \
         WHERE company_id = $1 AND document_id = $2 AND ended_on IS NULL ORDER BY created_at, id",
        params![company, document],
    )?
    .iter()
    .map(allocation_from_row)
    .collect()
}

/// What posted the entry `entry`, if a document or a payment did: `"invoice INV-2026-0001"`,
/// `"payment BACS 123"`. Such an entry is reversed by voiding its owner, never by hand.
pub fn entry_owner(tx: &mut Tx, company: Uuid, entry: Uuid) -> Result<Option<String>, StoreError> {
    let row = tx.query_opt(
        "SELECT kind, COALESCE(number, '') FROM documents WHERE company_id = $1 AND journal_entry_id = $2 \
         UNION ALL SELECT 'payment', reference FROM payments WHERE company_id = $1 AND journal_entry_id = $2 \
         UNION ALL SELECT 'exchange', '' FROM allocations WHERE company_id = $1 AND exchange_entry_id = $2 \
         UNION ALL SELECT 'revaluation', date FROM revaluation_runs \
         WHERE company_id = $1 AND (journal_entry_id = $2 OR reversal_entry_id = $2)",
        params![company, entry],
    )?;
    row.map(|r| {
        let kind = r.text(0)?;
        let noun = match kind.as_str() {
            "exchange" => "the exchange difference of a payment",
            "revaluation" => "the revaluation run of",
            k => DocumentKind::parse(k).map_or("payment", DocumentKind::noun),
        };
        Ok(format!("{noun} {}", r.text(1)?).trim().to_owned())
    })
    .transpose()
}

//! Read models: the journal list and the audit trail here; the rows of the reports in
//! `balances.rs` (trial balance, general ledger) and `receivables.rs` (open items, statements).
//! The reports' arithmetic is the domain's (`domain::reports`).

mod balances;
pub mod consolidation;
pub mod financial;
pub mod inventory;
mod inventory_as_of;
#[cfg(test)]
mod inventory_tests;
pub mod margin;
mod receivables;

pub use balances::{balance_before, ledger_lines, trial_balance};
pub use receivables::{open_items, statement_movements};

use std::collections::HashMap;

use uuid::Uuid;

use super::ledger::{ENTRY_COLUMNS, entry_from_row};
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::{Tx, Value};
use crate::domain::ledger::{JournalEntry, Line};

pub const JOURNAL: ListSpec = ListSpec {
    columns: ENTRY_COLUMNS,
    from: "journal_entries",
    filters: &[
        ("status", "status = ?", FilterKind::Text),
        ("date", "date = ?", FilterKind::Date),
        ("date_from", "date >= ?", FilterKind::Date),
        ("date_to", "date <= ?", FilterKind::Date),
        ("number", "number = ?", FilterKind::Int),
        ("reference", "reference = ?", FilterKind::Text),
        (
            "account",
            "id IN (SELECT entry_id FROM journal_lines WHERE account_id = ?)",
            FilterKind::Uuid,
        ),
        // Amounts arrive here already in minor units (the handler converts them).
        ("amount_min", "total >= ?", FilterKind::Int),
        ("amount_max", "total <= ?", FilterKind::Int),
        ("created_by", "created_by = ?", FilterKind::Uuid),
    ],
    search: &["reference", "description"],
    ordering: &[
        ("date", "date"),
        ("number", "number"),
        ("reference", "reference"),
        ("total", "total"),
        ("created_at", "created_at"),
        ("status", "status"),
    ],
    tie_breaker: "id",
    default_ordering: "-date,-number",
};

/// A page of journal entries with their lines (one query for all the page's lines).
pub fn journal_page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<JournalEntry>, ListError> {
    let mut page = list(
        tx,
        &JOURNAL,
        ("company_id = $1", vec![company.into()]),
        req,
        entry_from_row,
    )?;
    if page.items.is_empty() {
        return Ok(page);
    }
    let marks: Vec<String> = (1..=page.items.len()).map(|i| format!("${i}")).collect();
    let ids: Vec<Value> = page.items.iter().map(|e| e.id.into()).collect();
    let rows = tx.query(
        &format!(
            "SELECT entry_id, line_no, account_id, description, debit, credit, currency, amount_currency, exchange_rate \
             FROM journal_lines WHERE entry_id IN ({}) ORDER BY entry_id, line_no",
            marks.join(", ")
        ),
        &ids,
    )?;
    let mut by_entry: HashMap<Uuid, Vec<Line>> = HashMap::new();
    for r in &rows {
        by_entry.entry(r.uuid(0)?).or_default().push(Line {
            line_no: r.int(1)?,
            account_id: r.uuid(2)?,
            description: r.text(3)?,
            debit: r.int(4)?,
            credit: r.int(5)?,
            currency: r.opt_text(6)?,
            amount_currency: r.opt_int(7)?,
            exchange_rate: r.opt_text(8)?,
        });
    }
    for e in &mut page.items {
        e.lines = by_entry.remove(&e.id).unwrap_or_default();
    }
    Ok(page)
}

pub struct AuditRow {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub detail: String,
    pub created_at: String,
}

pub const AUDIT: ListSpec = ListSpec {
    columns: "id, actor_id, action, object_type, object_id, detail, created_at",
    from: "audit_log",
    filters: &[
        ("action", "action = ?", FilterKind::Text),
        ("object_type", "object_type = ?", FilterKind::Text),
        ("object_id", "object_id = ?", FilterKind::Uuid),
        ("actor", "actor_id = ?", FilterKind::Uuid),
        // Everything about one entry: its own records, and the bulk posting's record whose range of
        // numbers covers it.
        (
            "entry",
            "(object_id = ? OR id IN (SELECT r.id FROM audit_log r JOIN journal_entries e \
             ON e.company_id = r.company_id WHERE e.id = ? AND r.last_number >= e.number \
             AND r.first_number <= e.number AND r.action = 'post'))",
            FilterKind::Uuid,
        ),
    ],
    search: &["action", "object_type"],
    ordering: &[("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "-created_at",
};

pub fn audit_page(tx: &mut Tx, company: Uuid, req: &ListRequest) -> Result<Page<AuditRow>, ListError> {
    list(tx, &AUDIT, ("company_id = $1", vec![company.into()]), req, |r| {
        Ok(AuditRow {
            id: r.uuid(0)?,
            actor_id: r.opt_uuid(1)?,
            action: r.text(2)?,
            object_type: r.text(3)?,
            object_id: r.opt_uuid(4)?,
            detail: r.text(5)?,
            created_at: r.text(6)?,
        })
    })
}

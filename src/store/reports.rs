//! Read models over the ledger: the journal list, the trial balance from the maintained daily
//! balances (O(accounts × days), never O(lines)), the general ledger, the audit trail.

use std::collections::HashMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::{ENTRY_COLUMNS, entry_from_row};
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, list};
use super::{StoreError, Tx, Value};
use crate::domain::ledger::{JournalEntry, Line};
use crate::params;

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

/// One row of the trial balance: an account's posted totals as of a date.
pub struct BalanceRow {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub debit: i64,
    pub credit: i64,
}

/// Posted debit and credit totals per account, as of a date, from the daily balances.
pub fn trial_balance(tx: &mut Tx, company: Uuid, as_of: Date) -> Result<Vec<BalanceRow>, StoreError> {
    tx.query(
        "SELECT a.id, a.code, a.name, a.type, t.debit, t.credit FROM accounts a JOIN \
         (SELECT b.account_id, SUM(b.debit) AS debit, SUM(b.credit) AS credit FROM account_balances b \
          WHERE b.account_id IN (SELECT id FROM accounts WHERE company_id = $1) AND b.date <= $2 \
          GROUP BY b.account_id) t ON t.account_id = a.id \
         ORDER BY a.code",
        params![company, as_of.to_string()],
    )?
    .iter()
    .map(|r| {
        Ok(BalanceRow {
            account_id: r.uuid(0)?,
            code: r.text(1)?,
            name: r.text(2)?,
            account_type: r.text(3)?,
            debit: r.int(4)?,
            credit: r.int(5)?,
        })
    })
    .collect()
}

/// Debit minus credit of one account, posted strictly before `date`.
pub fn balance_before(tx: &mut Tx, account: Uuid, date: Date) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COALESCE(SUM(debit), 0) - COALESCE(SUM(credit), 0) FROM account_balances WHERE account_id = $1 AND date < $2",
        params![account, date.to_string()],
    )?
    .int(0)
}

pub struct LedgerLine {
    pub entry_id: Uuid,
    pub number: Option<i64>,
    pub date: Date,
    pub reference: String,
    pub description: String,
    pub debit: i64,
    pub credit: i64,
}

/// The account's posted lines in a date range, in posting order, one page of them, with the
/// count of all and the net movement of the lines before the page (for the running balance).
/// All three walk the `journal_lines_ledger` index alone (it covers every column they read); only
/// the page's rows are then looked up in the lines and the entries.
pub fn ledger_lines(
    tx: &mut Tx,
    account: Uuid,
    from: Date,
    to: Date,
    offset: u64,
    limit: u64,
) -> Result<(u64, i64, Vec<LedgerLine>), StoreError> {
    let scope = "FROM journal_lines l WHERE l.account_id = $1 AND l.posted_date >= $2 AND l.posted_date <= $3";
    let p = params![account, from.to_string(), to.to_string()];
    let count = tx.query_one(&format!("SELECT COUNT(*) {scope}"), p)?.int(0)?;
    let before = if offset == 0 {
        0
    } else {
        tx.query_one(
            &format!(
                "SELECT COALESCE(SUM(d), 0) FROM (SELECT l.debit - l.credit AS d {scope} \
                 ORDER BY l.posted_date, l.posted_number, l.line_no LIMIT {offset}) x"
            ),
            p,
        )?
        .int(0)?
    };
    let rows = tx.query(
        &format!(
            "SELECT e.id, e.number, e.date, e.reference, d.description, e.description, p.debit, p.credit \
             FROM (SELECT l.entry_id, l.line_no, l.debit, l.credit, l.posted_date, l.posted_number {scope} \
                   ORDER BY l.posted_date, l.posted_number, l.line_no LIMIT {limit} OFFSET {offset}) p \
             JOIN journal_lines d ON d.entry_id = p.entry_id AND d.line_no = p.line_no \
             JOIN journal_entries e ON e.id = p.entry_id \
             ORDER BY p.posted_date, p.posted_number, p.line_no"
        ),
        p,
    )?;
    let lines = rows
        .iter()
        .map(|r| {
            let line_description = r.text(4)?;
            Ok(LedgerLine {
                entry_id: r.uuid(0)?,
                number: r.opt_int(1)?,
                date: super::ledger::parse_date(&r.text(2)?)?,
                reference: r.text(3)?,
                description: if line_description.is_empty() {
                    r.text(5)?
                } else {
                    line_description
                },
                debit: r.int(6)?,
                credit: r.int(7)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((u64::try_from(count).unwrap_or(0), before, lines))
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

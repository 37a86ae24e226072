//! Reconciliation sessions: `impl ReconciliationStore for Tx`, their list, and the report's
//! outstanding items.

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::banking::reconciliation::{Reconciliation, ReconciliationStatus, ReconciliationStore};
use crate::domain::banking::statements::StoredLine;
use crate::domain::ledger::LedgerStore;
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use crate::store::platform::{parse_ts, ts};
use crate::store::{Row, StoreError, Tx};

const COLUMNS: &str = "id, company_id, bank_account_id, statement_date, closing_balance, status, created_by, \
     submitted_by, submitted_at, approved_by, approved_at, created_at, updated_at";

pub const RECONCILIATIONS: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "reconciliations",
    filters: &[
        ("status", "status = ?", FilterKind::Text),
        ("bank_account", "bank_account_id = ?", FilterKind::Uuid),
    ],
    search: &[],
    ordering: &[("statement_date", "statement_date"), ("created_at", "created_at")],
    tie_breaker: "id",
    default_ordering: "-statement_date",
};

fn opt_ts(r: &Row, i: usize) -> Result<Option<jiff::Timestamp>, StoreError> {
    r.opt_str(i)?.map(parse_ts).transpose()
}

pub fn reconciliation_from_row(r: &Row) -> Result<Reconciliation, StoreError> {
    let status = r.str(5)?;
    Ok(Reconciliation {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        bank_account_id: r.uuid(2)?,
        statement_date: parse_date(r.str(3)?)?,
        closing_balance: r.int(4)?,
        status: ReconciliationStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown reconciliation status {status:?}")))?,
        created_by: r.uuid(6)?,
        submitted_by: r.opt_uuid(7)?,
        submitted_at: opt_ts(r, 8)?,
        approved_by: r.opt_uuid(9)?,
        approved_at: opt_ts(r, 10)?,
        created_at: parse_ts(r.str(11)?)?,
        updated_at: parse_ts(r.str(12)?)?,
    })
}

impl Paged for Reconciliation {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<Self>, ListError> {
        list(
            tx,
            &RECONCILIATIONS,
            ("company_id = $1", vec![company.into()]),
            request,
            reconciliation_from_row,
        )
    }
}

/// A statement line not matched to the books by a statement date, with its age in days.
pub struct Outstanding {
    pub line: StoredLine,
    pub age_days: i64,
}

/// The account's unmatched lines up to `through`, oldest first.
pub fn outstanding(tx: &mut Tx, account: Uuid, through: Date) -> Result<Vec<Outstanding>, StoreError> {
    let rows = tx.query(
        &format!(
            "SELECT {} FROM statement_lines WHERE bank_account_id = $1 AND status = 'unmatched' AND date <= $2 \
             ORDER BY date, id LIMIT 10000",
            super::lines::LINE_COLUMNS
        ),
        params![account, through.to_string()],
    )?;
    rows.iter()
        .map(|r| {
            let line = super::line_from_row(r)?;
            let age_days = i64::from((through - line.date).get_days());
            Ok(Outstanding { line, age_days })
        })
        .collect()
}

impl ReconciliationStore for Tx<'_> {
    fn approval_required(&mut self, company: Uuid) -> Result<bool, StoreError> {
        Ok(self.settings(company)?.approval_required)
    }

    fn find_reconciliation(&mut self, company: Uuid, id: Uuid) -> Result<Option<Reconciliation>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM reconciliations WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .as_ref()
        .map(reconciliation_from_row)
        .transpose()
    }

    fn open_reconciliation(&mut self, account: Uuid) -> Result<Option<Uuid>, StoreError> {
        self.query_opt(
            "SELECT id FROM reconciliations WHERE bank_account_id = $1 AND status <> 'approved' LIMIT 1",
            params![account],
        )?
        .map(|r| r.uuid(0))
        .transpose()
    }

    fn latest_approved(&mut self, account: Uuid) -> Result<Option<Reconciliation>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM reconciliations WHERE bank_account_id = $1 AND status = 'approved' \
                 ORDER BY statement_date DESC, id DESC LIMIT 1"
            ),
            params![account],
        )?
        .as_ref()
        .map(reconciliation_from_row)
        .transpose()
    }

    fn reconciled_total(&mut self, account: Uuid, through: Date) -> Result<i64, StoreError> {
        self.query_opt(
            "SELECT COALESCE(SUM(amount), 0) FROM statement_lines WHERE bank_account_id = $1 AND date <= $2 \
             AND status IN ('matched', 'reconciled')",
            params![account, through.to_string()],
        )?
        .map(|r| r.int(0))
        .transpose()
        .map(Option::unwrap_or_default)
    }

    fn insert_reconciliation(&mut self, r: &Reconciliation) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO reconciliations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ),
            params![
                r.id,
                r.company_id,
                r.bank_account_id,
                r.statement_date.to_string(),
                r.closing_balance,
                r.status.as_str(),
                r.created_by,
                r.submitted_by,
                r.submitted_at.map(ts),
                r.approved_by,
                r.approved_at.map(ts),
                ts(r.created_at),
                ts(r.updated_at)
            ],
        )?;
        Ok(())
    }

    fn update_reconciliation(&mut self, r: &Reconciliation) -> Result<(), StoreError> {
        self.execute(
            "UPDATE reconciliations SET status = $3, submitted_by = $4, submitted_at = $5, approved_by = $6, \
             approved_at = $7, updated_at = $8 WHERE company_id = $1 AND id = $2",
            params![
                r.company_id,
                r.id,
                r.status.as_str(),
                r.submitted_by,
                r.submitted_at.map(ts),
                r.approved_by,
                r.approved_at.map(ts),
                ts(r.updated_at)
            ],
        )?;
        Ok(())
    }

    fn lock_lines(&mut self, account: Uuid, through: Date, session: Uuid) -> Result<u64, StoreError> {
        self.execute(
            "UPDATE statement_lines SET status = 'reconciled', reconciliation_id = $3 \
             WHERE bank_account_id = $1 AND date <= $2 AND status = 'matched'",
            params![account, through.to_string(), session],
        )
    }

    fn release_lines(&mut self, session: Uuid) -> Result<u64, StoreError> {
        self.execute(
            "UPDATE statement_lines SET status = 'matched', reconciliation_id = NULL WHERE reconciliation_id = $1",
            params![session],
        )
    }
}

/// The GL account's balance (debits less credits, company currency) up to `through`.
pub fn gl_balance(tx: &mut Tx, account: Uuid, through: Date) -> Result<i64, StoreError> {
    tx.query_opt(
        "SELECT COALESCE(SUM(debit - credit), 0) FROM account_balances WHERE account_id = $1 AND date <= $2",
        params![account, through.to_string()],
    )?
    .map(|r| r.int(0))
    .transpose()
    .map(Option::unwrap_or_default)
}

//! Revaluation runs as stored (`revaluation_runs`, schema 18) and the foreign-currency balances
//! a run revalues, summed from the posted journal lines: `RevaluationStore` for both backends.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx};
use crate::domain::revaluation::{Position, RevaluationStore, Run};
use crate::params;

const COLUMNS: &str = "id, company_id, date, journal_entry_id, reversal_entry_id, total, created_by, created_at";

fn from_row(r: &Row) -> Result<Run, StoreError> {
    Ok(Run {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        date: parse_date(&r.text(2)?)?,
        journal_entry_id: r.uuid(3)?,
        reversal_entry_id: r.uuid(4)?,
        total: r.int(5)?,
        created_by: r.uuid(6)?,
        created_at: parse_ts(&r.text(7)?)?,
    })
}

/// The company's runs, the latest date first.
pub fn runs(tx: &mut Tx, company: Uuid) -> Result<Vec<Run>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM revaluation_runs WHERE company_id = $1 ORDER BY date DESC"),
        params![company],
    )?
    .iter()
    .map(from_row)
    .collect()
}

impl RevaluationStore for Tx<'_> {
    fn foreign_positions(&mut self, company: Uuid, date: Date) -> Result<Vec<Position>, StoreError> {
        self.query(
            "SELECT l.account_id, a.code, a.name, a.subtype, l.currency, \
             SUM(CASE WHEN l.debit > 0 THEN l.amount_currency ELSE -l.amount_currency END), \
             SUM(l.debit - l.credit) \
             FROM journal_lines l JOIN accounts a ON a.id = l.account_id \
             WHERE a.company_id = $1 AND l.posted_date IS NOT NULL AND l.posted_date <= $2 \
             AND l.currency IS NOT NULL AND a.subtype IN ('receivable', 'payable', 'bank', 'cash') \
             GROUP BY l.account_id, a.code, a.name, a.subtype, l.currency \
             ORDER BY a.code, l.currency",
            params![company, date.to_string()],
        )?
        .iter()
        .map(|r| {
            Ok(Position {
                account_id: r.uuid(0)?,
                account_code: r.text(1)?,
                account_name: r.text(2)?,
                subtype: r.text(3)?,
                currency: r.text(4)?,
                foreign: r.int(5)?,
                carried: r.int(6)?,
            })
        })
        .collect()
    }

    fn revaluation_on(&mut self, company: Uuid, date: Date) -> Result<Option<Run>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM revaluation_runs WHERE company_id = $1 AND date = $2"),
            params![company, date.to_string()],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    fn insert_revaluation(&mut self, run: &Run) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO revaluation_runs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            params![
                run.id,
                run.company_id,
                run.date.to_string(),
                run.journal_entry_id,
                run.reversal_entry_id,
                run.total,
                run.created_by,
                ts(run.created_at)
            ],
        )?;
        Ok(())
    }
}

//! The rows of the ledger reports: the trial balance from the maintained daily balances
//! (O(accounts × days), never O(lines)) and the general ledger from the `journal_lines_ledger`
//! index.

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::reports::general_ledger::LedgerLine;
use crate::domain::reports::trial_balance::AccountTotals;
use crate::params;
use crate::store::ledger::parse_date;
use crate::store::{StoreError, Tx};

/// Posted debit and credit totals per account with postings, as of a date, by code.
pub fn trial_balance(tx: &mut Tx, company: Uuid, as_of: Date) -> Result<Vec<AccountTotals>, StoreError> {
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
        Ok(AccountTotals {
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
                date: parse_date(&r.text(2)?)?,
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

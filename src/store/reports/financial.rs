//! The rows of the financial statements: net balances per account summed from the maintained
//! daily balances (`account_balances`, O(accounts × days), never O(lines)), and the lines of the
//! year-end closing entries (a handful, found through the `journal_entries_year_end` index).

use jiff::civil::Date;
use uuid::Uuid;

use crate::domain::accounts::Account;
use crate::domain::reports::financial::{Balances, ChartAccount};
use crate::params;
use crate::store::{StoreError, Tx, Value};

/// Which accounts a sum reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accounts {
    All,
    /// Revenue and expense accounts only (the P&L).
    Result,
}

/// The company's accounts as the statements see them.
pub fn chart(tx: &mut Tx, company: Uuid) -> Result<Vec<ChartAccount>, StoreError> {
    Ok(crate::store::accounts::all(tx, company)?
        .into_iter()
        .map(chart_account)
        .collect())
}

/// An account as the statements see it.
pub fn chart_account(a: Account) -> ChartAccount {
    ChartAccount {
        cash_flow: a.cash_flow_class(),
        id: a.id,
        code: a.code,
        name: a.name,
        account_type: a.account_type,
        parent_id: a.parent_id,
    }
}

/// Net balance (debit minus credit) per account of the days `from` … `to` (`from` = `None`:
/// since the beginning).
pub fn net(tx: &mut Tx, company: Uuid, which: Accounts, from: Option<Date>, to: Date) -> Result<Balances, StoreError> {
    let kinds = match which {
        Accounts::All => "",
        Accounts::Result => " AND a.type IN ('revenue', 'expense')",
    };
    let mut p: Vec<Value> = vec![company.into(), to.to_string().into()];
    let since = match from {
        Some(f) => {
            p.push(f.to_string().into());
            " AND b.date >= $3"
        }
        None => "",
    };
    // One indexed sum per account (the primary key's range), not one sort of every day's row
    // by account: PostgreSQL sorts text ids by collation, slowly.
    tx.query(
        &format!(
            "SELECT a.id, (SELECT COALESCE(SUM(b.debit), 0) - COALESCE(SUM(b.credit), 0) \
             FROM account_balances b WHERE b.account_id = a.id AND b.date <= $2{since}) \
             FROM accounts a WHERE a.company_id = $1{kinds}"
        ),
        &p,
    )?
    .iter()
    .map(|r| Ok((r.uuid(0)?, r.int(1)?)))
    .collect()
}

/// Net balances the day before `date` (nothing before the first day of the calendar).
pub fn before(tx: &mut Tx, company: Uuid, which: Accounts, date: Date) -> Result<Balances, StoreError> {
    match date.yesterday() {
        Ok(d) => net(tx, company, which, None, d),
        Err(_) => Ok(Balances::new()),
    }
}

/// The lines, net per account, of the year-end closing entries dated `from` … `to`, and of the
/// reversals of closing entries dated then (a reversed close undoes itself in the P&L too).
pub fn closes(tx: &mut Tx, company: Uuid, from: Option<Date>, to: Date) -> Result<Balances, StoreError> {
    let in_range = |d: &str| from.is_none_or(|f| d >= f.to_string().as_str()) && d <= to.to_string().as_str();
    let closing = tx.query(
        "SELECT id, date, reversed_by_id FROM journal_entries WHERE company_id = $1 \
         AND reference LIKE 'YEAR-END-%' AND status = 'posted'",
        params![company],
    )?;
    let mut entries: Vec<Uuid> = Vec::new();
    for r in &closing {
        if in_range(&r.text(1)?) {
            entries.push(r.uuid(0)?);
        }
        if let Some(reversal) = r.opt_uuid(2)? {
            let dated = tx.query_opt(
                "SELECT date FROM journal_entries WHERE id = $1 AND status = 'posted'",
                params![reversal],
            )?;
            if let Some(d) = dated
                && in_range(&d.text(0)?)
            {
                entries.push(reversal);
            }
        }
    }
    let mut out = Balances::new();
    for entry in entries {
        for r in tx.query(
            "SELECT account_id, SUM(debit) - SUM(credit) FROM journal_lines WHERE entry_id = $1 GROUP BY account_id",
            params![entry],
        )? {
            let e = out.entry(r.uuid(0)?).or_insert(0);
            *e = e
                .checked_add(r.int(1)?)
                .ok_or_else(|| StoreError::Corrupt("closing entries beyond the books' range".into()))?;
        }
    }
    Ok(out)
}

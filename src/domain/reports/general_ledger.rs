//! The general ledger: one account's posted lines in a period, each with the running balance
//! (debit minus credit) from the opening balance on.

use jiff::civil::Date;
use uuid::Uuid;

use super::{Overflow, add, sub};

/// One posted line of the account, as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub entry_id: Uuid,
    pub number: Option<i64>,
    pub date: Date,
    pub reference: String,
    /// The line's own description, or the entry's when the line has none.
    pub description: String,
    pub debit: i64,
    pub credit: i64,
}

/// `lines` with the running balance after each, starting from `opening` plus `before` (the net
/// of the period's lines on earlier pages).
pub fn running(opening: i64, before: i64, lines: Vec<LedgerLine>) -> Result<Vec<(LedgerLine, i64)>, Overflow> {
    let mut balance = add(opening, before, "running balance")?;
    lines
        .into_iter()
        .map(|line| {
            let net = sub(line.debit, line.credit, "running balance")?;
            balance = add(balance, net, "running balance")?;
            Ok((line, balance))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn line(debit: i64, credit: i64) -> LedgerLine {
        LedgerLine {
            entry_id: Uuid::nil(),
            number: Some(1),
            date: date(2026, 1, 1),
            reference: String::new(),
            description: String::new(),
            debit,
            credit,
        }
    }

    #[test]
    fn the_balance_runs_from_the_opening_and_the_earlier_pages() {
        let rows = running(1000, -200, vec![line(50, 0), line(0, 900), line(5, 0)]).unwrap();
        let balances: Vec<i64> = rows.iter().map(|(_, b)| *b).collect();
        assert_eq!(balances, [850, -50, -45]);
    }

    #[test]
    fn a_balance_beyond_the_books_range_is_refused() {
        assert_eq!(running(i64::MAX, 0, vec![line(1, 0)]), Err(Overflow("running balance")));
        assert_eq!(running(i64::MAX, 1, vec![]), Err(Overflow("running balance")));
        assert_eq!(running(i64::MIN, 0, vec![line(0, 1)]), Err(Overflow("running balance")));
    }
}

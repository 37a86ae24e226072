//! The trial balance: each account's posted balance on its debit or credit side, and the two
//! totals, which agree whenever every posted entry balanced.

use uuid::Uuid;

use super::{Overflow, add, sub};

/// An account's posted debits and credits as of a date (what the store sums per account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTotals {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub debit: i64,
    pub credit: i64,
}

/// One account's line: its net balance, on the debit side (`credit` = 0) or the credit side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalanceRow {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub debit: i64,
    pub credit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub rows: Vec<TrialBalanceRow>,
    pub debit: i64,
    pub credit: i64,
}

/// Nets each account's totals onto one side and adds up both sides, in the order given.
pub fn trial_balance(accounts: Vec<AccountTotals>) -> Result<TrialBalance, Overflow> {
    let (mut debit_total, mut credit_total) = (0i64, 0i64);
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        let net = sub(a.debit, a.credit, "account balances")?;
        let (debit, credit) = if net >= 0 {
            (net, 0)
        } else {
            (0, net.checked_neg().ok_or(Overflow("account balances"))?)
        };
        debit_total = add(debit_total, debit, "debit balances")?;
        credit_total = add(credit_total, credit, "credit balances")?;
        rows.push(TrialBalanceRow {
            account_id: a.account_id,
            code: a.code,
            name: a.name,
            account_type: a.account_type,
            debit,
            credit,
        });
    }
    Ok(TrialBalance {
        rows,
        debit: debit_total,
        credit: credit_total,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn account(n: u128, debit: i64, credit: i64) -> AccountTotals {
        AccountTotals {
            account_id: Uuid::from_u128(n),
            code: format!("{n}"),
            name: format!("Account {n}"),
            account_type: "asset".into(),
            debit,
            credit,
        }
    }

    #[test]
    fn each_account_shows_on_one_side() {
        let tb = trial_balance(vec![account(1, 500, 200), account(2, 100, 400), account(3, 7, 7)]).unwrap();
        let sides: Vec<(i64, i64)> = tb.rows.iter().map(|r| (r.debit, r.credit)).collect();
        assert_eq!(sides, [(300, 0), (0, 300), (0, 0)]);
        assert_eq!((tb.debit, tb.credit), (300, 300));
    }

    #[test]
    fn totals_beyond_the_books_range_are_refused() {
        // Each account fits; the debit side does not.
        let accounts = vec![account(1, i64::MAX - 10, 0), account(2, 11, 0)];
        assert_eq!(trial_balance(accounts), Err(Overflow("debit balances")));
        let accounts = vec![account(1, 0, i64::MAX), account(2, 0, 1)];
        assert_eq!(trial_balance(accounts), Err(Overflow("credit balances")));
        // A net that does not fit in one account.
        assert_eq!(
            trial_balance(vec![account(1, -2, i64::MAX)]),
            Err(Overflow("account balances"))
        );
        // Right at the limit is exact.
        let tb = trial_balance(vec![account(1, i64::MAX, 0), account(2, 0, i64::MAX)]).unwrap();
        assert_eq!((tb.debit, tb.credit), (i64::MAX, i64::MAX));
    }

    /// Balanced postings: each `(debit account, credit account, amount)` is one entry.
    fn postings() -> impl Strategy<Value = Vec<(u128, u128, i64)>> {
        prop::collection::vec((0u128..8, 0u128..8, 1i64..1_000_000_000_000), 0..80)
    }

    proptest! {
        /// Whatever balanced entries were posted, the two sides of the trial balance agree,
        /// and each account's line is its net balance.
        #[test]
        fn debits_equal_credits_for_any_balanced_set(postings in postings()) {
            let mut totals = std::collections::BTreeMap::<u128, (i64, i64)>::new();
            for (dr, cr, amount) in &postings {
                totals.entry(*dr).or_default().0 += amount;
                totals.entry(*cr).or_default().1 += amount;
            }
            let accounts: Vec<AccountTotals> = totals.iter().map(|(n, (d, c))| account(*n, *d, *c)).collect();
            let tb = trial_balance(accounts).unwrap();
            prop_assert_eq!(tb.debit, tb.credit);
            for (row, (d, c)) in tb.rows.iter().zip(totals.values()) {
                prop_assert!(row.debit == 0 || row.credit == 0);
                prop_assert_eq!(row.debit - row.credit, d - c);
            }
        }
    }
}

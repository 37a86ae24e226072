//! The profit and loss against a budget: the budget's figures of each period beside the actual
//! ones, grouped by the same account tree with the same subtotals, and the variance.
//!
//! **Signs.** Actual and budget are in the statement's sign (revenue credit-positive, expenses
//! debit-positive, the net result profit-positive). The variance is actual − budget: positive is
//! *favourable* for revenue and the net result (more earned than planned) and *unfavourable* for
//! expenses (more spent than planned). The variance % is variance ÷ |budget| × 100, in tenths of
//! a percent rounded half away from zero; none where the budget is 0.

use super::{Balances, Column, Statement, profit_and_loss};
use crate::domain::reports::{Overflow, sub};

/// The profit and loss over `movements` with, for each column, the budget's net balances in
/// `budgets` (same order): each row's `amounts` holds the actual figures of the n columns, then
/// the budget's n. An account with a budget and no actuals is shown.
pub fn profit_and_loss_against(
    chart: &[super::ChartAccount],
    movements: &[(Column, Balances)],
    budgets: &[Balances],
) -> Result<Statement, Overflow> {
    let mut all: Vec<(Column, Balances)> = movements.to_vec();
    for (i, b) in budgets.iter().enumerate() {
        let column = movements.get(i).map(|(c, _)| *c).ok_or(Overflow("budget columns"))?;
        all.push((column, b.clone()));
    }
    let mut s = profit_and_loss(chart, &all)?;
    s.columns.truncate(movements.len());
    Ok(s)
}

/// actual − budget, checked.
pub fn variance(actual: i64, budget: i64) -> Result<i64, Overflow> {
    sub(actual, budget, "variance")
}

/// `variance ÷ |budget|` in tenths of a percent, rounded half away from zero; `None` for a
/// budget of 0.
pub fn variance_percent(variance: i64, budget: i64) -> Option<i64> {
    if budget == 0 {
        return None;
    }
    let n = i128::from(variance) * 1000;
    let d = i128::from(budget).abs();
    let (q, r) = (n / d, n % d);
    let q = if r.abs() * 2 >= d { q + n.signum() } else { q };
    i64::try_from(q).ok()
}

/// Tenths of a percent as text: `125` → `"12.5"`, `-3` → `"-0.3"`.
pub fn percent_text(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let a = tenths.unsigned_abs();
    format!("{sign}{}.{}", a / 10, a % 10)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn percentages_by_hand() {
        assert_eq!(variance_percent(25, 200), Some(125));
        assert_eq!(variance_percent(-25, 200), Some(-125));
        assert_eq!(variance_percent(1, 3), Some(333));
        assert_eq!(variance_percent(2, 3), Some(667));
        assert_eq!(variance_percent(-50, -200), Some(-250));
        assert_eq!(variance_percent(5, 0), None);
        assert_eq!(percent_text(125), "12.5");
        assert_eq!(percent_text(-3), "-0.3");
        assert_eq!(percent_text(0), "0.0");
    }

    proptest! {
        #[test]
        fn the_percentage_is_the_rounded_ratio(v in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            match variance_percent(v, b) {
                None => prop_assert_eq!(b, 0),
                Some(p) => {
                    // |p/1000 − v/|b|| ≤ 1/2000  ⇔  |2·p·|b| − 2000·v| ≤ |b|
                    let (p, v, b) = (i128::from(p), i128::from(v), i128::from(b).abs());
                    prop_assert!((2 * p * b - 2000 * v).abs() <= b);
                }
            }
        }
    }
}

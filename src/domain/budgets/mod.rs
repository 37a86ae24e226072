//! Budgets: per company and fiscal year, any number of them ("Original", "Revised"…, each name
//! once per year), with an amount per revenue or expense account and month. Entered by hand (the
//! grid, or single cells), pasted as text (`formats::budget_csv`, checked line by line here), or
//! copied from the previous fiscal year's actuals ± a percentage. The profit and loss compares
//! against one (`reports::financial::budget`).
//!
//! **Months:** month 1 is the first month of the budget's fiscal year, whose first day
//! (`start`) is fixed when the budget is made from the company's fiscal year start; `fiscal_year`
//! names the calendar year that day falls in.
//! **Sign:** amounts are in the statement's sign, integer minor units of the company currency:
//! revenue credit-positive (income as a positive number), expenses debit-positive (costs as a
//! positive number). Only revenue and expense accounts have budgets; any other is refused.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use uuid::Uuid;

use super::accounts::AccountType;
use super::reports::financial::Balances;

mod grid;
mod operations;
pub mod scale;
#[cfg(test)]
mod tests;

pub use grid::{
    Cell, Grid, GridLine, LineInput, PastePlan, Pasted, PastedLine, Problem, copy_from_actuals, grid, paste, patch,
    replace,
};
pub use operations::{BudgetChanges, BudgetError, BudgetStore, delete};

/// Months in a budget.
pub const MONTHS: usize = 12;
/// Twelve monthly amounts, month 1 first.
pub type Months = [i64; MONTHS];

/// The longest name and notes.
pub const MAX_NAME: usize = 100;
pub const MAX_NOTES: usize = 2000;

/// A budget: its name, fiscal year and notes (its amounts are [`BudgetLine`]s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    /// The calendar year the fiscal year starts in.
    pub fiscal_year: i16,
    /// The fiscal year's first day: month 1 starts here.
    pub start: Date,
    pub notes: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Budget {
    /// The first day of month `m` (0-based), if the calendar has it.
    pub fn month_start(&self, m: usize) -> Option<Date> {
        let m = i32::try_from(m).ok()?;
        self.start.checked_add(m.months()).ok()
    }

    /// The last day of the fiscal year.
    pub fn end(&self) -> Option<Date> {
        self.month_start(MONTHS)?.yesterday().ok()
    }
}

/// The first day of fiscal year `year` of a company whose fiscal year starts in `start_month`.
pub fn fiscal_start(year: i16, start_month: i8) -> Option<Date> {
    Date::new(year, start_month.clamp(1, 12), 1).ok()
}

/// One account's twelve amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub account: Uuid,
    pub amounts: Months,
}

/// Whether an account of this type may have a budget.
pub fn budgeted(t: AccountType) -> bool {
    matches!(t, AccountType::Revenue | AccountType::Expense)
}

/// The statement's sign of an account type: revenue is credit-positive (−1 × net debit).
fn sign(t: AccountType) -> i64 {
    if t == AccountType::Revenue { -1 } else { 1 }
}

/// A column of the profit and loss asked against a budget does not cover whole months.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "A budget comparison needs whole months: {from} – {to} cuts a month of the budget; start on the first and end on the last day of a month."
)]
pub struct NotWholeMonths {
    pub from: Date,
    pub to: Date,
}

/// The budget of the period `from` … `to` as net balances (debit minus credit) per account,
/// the shape the statements read: the months of the budget that lie in the period, whole.
/// Months of the budget outside the period count nothing; a budget month the period only cuts
/// is refused with [`NotWholeMonths`].
pub fn period_balances(
    budget: &Budget,
    lines: &[BudgetLine],
    types: &HashMap<Uuid, AccountType>,
    from: Date,
    to: Date,
) -> Result<Balances, NotWholeMonths> {
    let mut inside = [false; MONTHS];
    for (m, slot) in inside.iter_mut().enumerate() {
        let (Some(first), Some(next)) = (budget.month_start(m), budget.month_start(m + 1)) else {
            continue;
        };
        let Ok(last) = next.yesterday() else { continue };
        let overlaps = first <= to && last >= from;
        let whole = first >= from && last <= to;
        if overlaps && !whole {
            return Err(NotWholeMonths { from, to });
        }
        *slot = whole;
    }
    let mut out = Balances::new();
    for line in lines {
        let Some(t) = types.get(&line.account).copied().filter(|t| budgeted(*t)) else {
            continue;
        };
        let total = line
            .amounts
            .iter()
            .zip(inside)
            .filter(|(_, i)| *i)
            .try_fold(0i64, |a, (v, _)| a.checked_add(*v));
        // Twelve stored amounts of at most 15 digits each cannot overflow; checked all the same.
        if let Some(v) = total.and_then(|v| v.checked_mul(sign(t)))
            && v != 0
        {
            out.insert(line.account, v);
        }
    }
    Ok(out)
}

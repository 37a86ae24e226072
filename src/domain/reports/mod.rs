//! The reports' arithmetic, as pure functions over the rows the store reads: the trial balance,
//! the general ledger's running balance, ageing by days past due, and customer statements.
//!
//! They name no other part of the domain (documents and payments use the checked sums here).
//! Every sum is checked. Each stored amount fits in `i64` minor units, but a sum of them need
//! not: past ±9.2 × 10¹⁸ minor units a report is refused with [`Overflow`], never shown with a
//! clamped or wrapped number.

pub mod ageing;
pub mod consolidation;
pub mod financial;
pub mod general_ledger;
pub mod inventory;
pub mod statement;
pub mod trial_balance;

use jiff::civil::Date;

/// A sum beyond what the books' minor units can hold; names what was being added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("The {0} add up to more than the books can hold exactly: this report cannot be shown.")]
pub struct Overflow(pub &'static str);

/// `a + b`, or [`Overflow`] of `what`.
pub fn add(a: i64, b: i64, what: &'static str) -> Result<i64, Overflow> {
    a.checked_add(b).ok_or(Overflow(what))
}

/// `a − b`, or [`Overflow`] of `what`.
pub fn sub(a: i64, b: i64, what: &'static str) -> Result<i64, Overflow> {
    a.checked_sub(b).ok_or(Overflow(what))
}

/// The sum of `amounts`, or [`Overflow`] of `what`.
pub fn sum(amounts: impl IntoIterator<Item = i64>, what: &'static str) -> Result<i64, Overflow> {
    amounts.into_iter().try_fold(0i64, |total, a| add(total, a, what))
}

/// A report's period: `to` defaults to today, `from` to `start_of(to)`. `None` when `from` is
/// after `to`.
pub fn period(from: Option<Date>, to: Option<Date>, today: Date, start_of: fn(Date) -> Date) -> Option<(Date, Date)> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| start_of(to));
    (from <= to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn sums_are_exact_or_refused() {
        assert_eq!(sum([1, 2, -3, 40], "amounts"), Ok(40));
        assert_eq!(sum([i64::MAX, 1], "amounts"), Err(Overflow("amounts")));
        assert_eq!(sum([i64::MIN, -1], "amounts"), Err(Overflow("amounts")));
        // Order matters only for the intermediate sums, which must all fit.
        assert_eq!(sum([i64::MAX, -1, 1], "amounts"), Ok(i64::MAX));
        assert_eq!(sub(i64::MIN, 1, "balance"), Err(Overflow("balance")));
    }

    #[test]
    fn a_period_defaults_to_today_and_its_start() {
        let today = date(2026, 5, 17);
        assert_eq!(
            period(None, None, today, Date::first_of_month),
            Some((date(2026, 5, 1), today))
        );
        assert_eq!(
            period(None, Some(date(2025, 3, 3)), today, Date::first_of_year),
            Some((date(2025, 1, 1), date(2025, 3, 3)))
        );
        assert_eq!(period(Some(date(2026, 6, 1)), None, today, Date::first_of_month), None);
    }
}

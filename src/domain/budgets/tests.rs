//! The budget's months against a statement's periods.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::date;
use uuid::Uuid;

use super::*;

fn budget(start_month: i8) -> Budget {
    Budget {
        id: Uuid::nil(),
        company_id: Uuid::nil(),
        name: "Original".into(),
        fiscal_year: 2026,
        start: fiscal_start(2026, start_month).unwrap(),
        notes: String::new(),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

#[test]
fn a_period_takes_the_whole_months_inside_it_in_the_statement_sign() {
    let (sales, rent, cash) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let types = HashMap::from([
        (sales, AccountType::Revenue),
        (rent, AccountType::Expense),
        (cash, AccountType::Asset),
    ]);
    let months: Months = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200];
    let lines = vec![
        BudgetLine {
            account: sales,
            amounts: months,
        },
        BudgetLine {
            account: rent,
            amounts: [10; MONTHS],
        },
        BudgetLine {
            account: cash,
            amounts: [99; MONTHS],
        },
    ];
    let b = budget(1);
    let q1 = period_balances(&b, &lines, &types, date(2026, 1, 1), date(2026, 3, 31)).unwrap();
    assert_eq!(q1.get(&sales), Some(&-600), "revenue is credit: a negative net debit");
    assert_eq!(q1.get(&rent), Some(&30));
    assert_eq!(q1.get(&cash), None, "balance-sheet accounts have no budget");
    let year = period_balances(&b, &lines, &types, date(2026, 1, 1), date(2026, 12, 31)).unwrap();
    assert_eq!(year.get(&sales), Some(&-7800));
    // Outside the budget's year: nothing.
    let before = period_balances(&b, &lines, &types, date(2025, 1, 1), date(2025, 12, 31)).unwrap();
    assert!(before.is_empty());
    // A period wider than the budget's year takes all twelve months.
    let wide = period_balances(&b, &lines, &types, date(2025, 7, 1), date(2027, 6, 30)).unwrap();
    assert_eq!(wide.get(&rent), Some(&120));
    // A period that cuts a month is refused.
    assert!(period_balances(&b, &lines, &types, date(2026, 1, 1), date(2026, 3, 15)).is_err());
    assert!(period_balances(&b, &lines, &types, date(2026, 2, 10), date(2026, 2, 20)).is_err());
    // A fiscal year from July: month 1 is July 2026.
    let july = budget(7);
    let m1 = period_balances(&july, &lines, &types, date(2026, 7, 1), date(2026, 7, 31)).unwrap();
    assert_eq!(m1.get(&sales), Some(&-100));
    assert_eq!(july.end(), Some(date(2027, 6, 30)));
}

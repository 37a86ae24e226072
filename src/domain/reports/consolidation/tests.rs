//! Consolidation by hand (a EUR parent with a USD subsidiary) and its invariants over random
//! balanced books and rates: the balance sheet balances and the trial balance's debits equal
//! its credits, whatever the rates.

use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::domain::exchange_rates::convert::ONE;

/// A chart shared by code; `base` keeps each company's ids apart.
fn chart(base: u128) -> Vec<ChartAccount> {
    let acc = |n: u128, code: &str, t: AccountType, parent: Option<u128>| ChartAccount {
        id: Uuid::from_u128(base + n),
        code: code.into(),
        name: format!("Account {code}"),
        account_type: t,
        parent_id: parent.map(|p| Uuid::from_u128(base + p)),
        cash_flow: CashFlow::Operating,
    };
    vec![
        acc(1, "1000", AccountType::Asset, None),
        acc(2, "1020", AccountType::Asset, Some(1)),
        acc(3, "1400", AccountType::Asset, None),
        acc(4, "2400", AccountType::Liability, None),
        acc(5, "3100", AccountType::Equity, None),
        acc(6, "4100", AccountType::Revenue, None),
        acc(7, "6100", AccountType::Expense, None),
    ]
}

fn member(base: u128, name: &str, currency: &str) -> Member {
    Member {
        company: Uuid::from_u128(base),
        name: name.into(),
        currency: currency.into(),
        decimals: 2,
        chart: chart(base),
        // 1400 (receivable from) and 2400 (payable to) another company of the group.
        intercompany: [Uuid::from_u128(base + 3), Uuid::from_u128(base + 4)].into(),
    }
}

const PARENT: u128 = 0x1000;
const SUB: u128 = 0x2000;

fn balances(base: u128, nets: &[(u128, i64)]) -> Balances {
    nets.iter().map(|(n, v)| (Uuid::from_u128(base + n), *v)).collect()
}

fn rate(text: &str) -> i64 {
    crate::domain::exchange_rates::parse_rate(text).unwrap()
}

#[test]
fn a_usd_subsidiary_translates_at_closing_and_average_rates_into_a_reserve() {
    let members = [member(PARENT, "Parent GmbH", "EUR"), member(SUB, "Sub Inc", "USD")];
    let group = group(&members).unwrap();
    // Parent: bank 500.00 EUR against equity. Sub: bank 1,000.00 USD = equity 400.00 + revenue 600.00.
    let parent = balances(PARENT, &[(2, 50_000), (5, -50_000)]);
    let sub = balances(SUB, &[(2, 100_000), (5, -40_000), (6, -60_000)]);
    let one = Rates {
        closing: ONE,
        average: ONE,
    };
    let usd = Rates {
        closing: rate("0.90"),
        average: rate("0.95"),
    };
    let t_parent = group.translate(&members[0], &parent, one, 2).unwrap();
    let t_sub = group.translate(&members[1], &sub, usd, 2).unwrap();
    // Bank 1,000.00 × 0.90 = 900.00; equity 400.00 × 0.90 = 360.00; revenue 600.00 × 0.95 = 570.00.
    assert_eq!(t_sub.get(&Uuid::from_u128(PARENT + 2)), Some(&90_000));
    assert_eq!(t_sub.get(&Uuid::from_u128(PARENT + 5)), Some(&-36_000));
    assert_eq!(t_sub.get(&Uuid::from_u128(PARENT + 6)), Some(&-57_000));
    // 900.00 − 360.00 − 570.00 leaves 30.00 debit: the reserve is −30.00 in equity.
    assert_eq!(reserve(&t_sub), Ok(3_000));

    let combined = combine(&[t_parent.clone(), t_sub.clone()]).unwrap();
    let bs = balance_sheet(&group, date(2026, 12, 31), &combined).unwrap();
    assert_eq!(bs.line("total_assets"), Some(&[140_000][..]));
    assert_eq!(bs.line("current_earnings"), Some(&[57_000][..]));
    assert_eq!(bs.line("total_equity"), Some(&[140_000][..]));
    assert_eq!(bs.line("total_liabilities_and_equity"), Some(&[140_000][..]));
    let reserve_row = bs.rows.iter().find(|r| r.account == Some(RESERVE_ID)).unwrap();
    assert_eq!(reserve_row.amounts, vec![-3_000]);

    let tb = trial_balance(&group, &[t_parent, t_sub]).unwrap();
    assert_eq!((tb.debit, tb.credit), (143_000, 143_000));
    let last = tb.rows.last().unwrap();
    assert_eq!(
        (last.account, last.members.clone(), last.total),
        (RESERVE_ID, vec![0, 3_000], 3_000)
    );
}

#[test]
fn intercompany_accounts_are_listed_apart() {
    let members = [member(PARENT, "Parent GmbH", "EUR"), member(SUB, "Sub Inc", "EUR")];
    let group = group(&members).unwrap();
    // The parent lent 200.00 to the sub.
    let parent = balances(PARENT, &[(3, 20_000), (2, -20_000)]);
    let sub = balances(SUB, &[(2, 20_000), (4, -20_000)]);
    let one = Rates {
        closing: ONE,
        average: ONE,
    };
    let combined = combine(&[
        group.translate(&members[0], &parent, one, 2).unwrap(),
        group.translate(&members[1], &sub, one, 2).unwrap(),
    ])
    .unwrap();
    let bs = balance_sheet(&group, date(2026, 12, 31), &combined).unwrap();
    let at = bs.rows.iter().position(|r| r.key == "intercompany").unwrap();
    let listed: Vec<(&str, i64)> = bs.rows[at + 1..]
        .iter()
        .map(|r| (r.code.as_str(), r.amounts[0]))
        .collect();
    assert_eq!(listed, vec![("1400", 20_000), ("2400", 20_000)]);
    assert_eq!(bs.line("total_assets"), Some(&[20_000][..]));
}

#[test]
fn one_code_of_two_types_is_refused() {
    let mut sub = member(SUB, "Sub Inc", "USD");
    sub.chart[2].account_type = AccountType::Expense;
    let err = group(&[member(PARENT, "Parent GmbH", "EUR"), sub]).unwrap_err();
    assert!(matches!(err, ConsolidationError::ChartMismatch { ref code, .. } if code == "1400"));
    assert_eq!(group(&[]).unwrap_err(), ConsolidationError::NoCompanies);
}

#[test]
fn the_average_rate_rounds_half_up() {
    assert_eq!(average(&[]), None);
    assert_eq!(average(&[3, 4]), Some(4));
    assert_eq!(average(&[rate("1.10"), rate("1.08"), rate("1.09")]), Some(rate("1.09")));
}

/// Balanced books for one company: each step moves `amount` from one account to another.
fn arb_books() -> impl Strategy<Value = Vec<(u128, u128, i64)>> {
    prop::collection::vec((1u128..8, 1u128..8, 1i64..10_000_000), 0..12)
}

fn post(base: u128, steps: &[(u128, u128, i64)]) -> Balances {
    let mut b = Balances::new();
    for (debit, credit, amount) in steps {
        *b.entry(Uuid::from_u128(base + debit)).or_insert(0) += amount;
        *b.entry(Uuid::from_u128(base + credit)).or_insert(0) -= amount;
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the books and the rates, the consolidated balance sheet balances and the trial
    /// balance's debits equal its credits.
    #[test]
    fn the_consolidated_statements_balance(a in arb_books(), b in arb_books(), closing in 1i64..5_000_000_000_000, average in 1i64..5_000_000_000_000) {
        let members = [member(PARENT, "Parent GmbH", "EUR"), member(SUB, "Sub Inc", "USD")];
        let group = group(&members).unwrap();
        let one = Rates { closing: ONE, average: ONE };
        let t = [
            group.translate(&members[0], &post(PARENT, &a), one, 2).unwrap(),
            group.translate(&members[1], &post(SUB, &b), Rates { closing, average }, 2).unwrap(),
        ];
        let combined = combine(&t).unwrap();
        let bs = balance_sheet(&group, date(2026, 12, 31), &combined).unwrap();
        prop_assert_eq!(bs.line("total_assets"), bs.line("total_liabilities_and_equity"));
        let tb = trial_balance(&group, &t).unwrap();
        prop_assert_eq!(tb.debit, tb.credit);
        let pl = profit_and_loss(&group, date(2026, 1, 1), date(2026, 12, 31), &combined).unwrap();
        prop_assert_eq!(pl.line("net_result"), bs.line("current_earnings"));
    }
}

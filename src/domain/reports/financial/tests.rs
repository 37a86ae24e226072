//! The statements' invariants over random balanced postings on a small chart with a tree.

use jiff::civil::date;
use proptest::prelude::*;
use uuid::Uuid;

use super::statements::{CashPeriod, EquityPeriod, less};
use super::*;

fn acc(n: u128, code: &str, t: AccountType, parent: Option<u128>, cf: CashFlow) -> ChartAccount {
    ChartAccount {
        id: Uuid::from_u128(n),
        code: code.into(),
        name: format!("Account {code}"),
        account_type: t,
        parent_id: parent.map(Uuid::from_u128),
        cash_flow: cf,
    }
}

fn chart() -> Vec<ChartAccount> {
    use AccountType::*;
    use CashFlow::*;
    vec![
        acc(1, "1000", Asset, None, Operating),
        acc(2, "1020", Asset, Some(1), Cash),
        acc(3, "1100", Asset, Some(1), Operating),
        acc(4, "1510", Asset, None, Investing),
        acc(5, "2100", Liability, None, Operating),
        acc(6, "2500", Liability, None, Financing),
        acc(7, "3100", Equity, None, Financing),
        acc(8, "3200", Equity, None, Financing),
        acc(9, "4100", Revenue, None, Operating),
        acc(10, "6100", Expense, None, Operating),
        acc(11, "6000", Expense, None, Operating),
        acc(12, "6200", Expense, Some(11), Operating),
    ]
}

const RETAINED: u128 = 8;

fn post(b: &mut Balances, dr: u128, cr: u128, amount: i64) {
    *b.entry(Uuid::from_u128(dr)).or_insert(0) += amount;
    *b.entry(Uuid::from_u128(cr)).or_insert(0) -= amount;
}

/// A year-end close of `b`: every result account to zero against retained earnings.
fn close(chart: &[ChartAccount], b: &Balances) -> Balances {
    let mut lines = Balances::new();
    let mut total = 0;
    for a in chart
        .iter()
        .filter(|a| matches!(a.account_type, AccountType::Revenue | AccountType::Expense))
    {
        let v = b.get(&a.id).copied().unwrap_or(0);
        if v != 0 {
            lines.insert(a.id, -v);
            total += v;
        }
    }
    lines.insert(Uuid::from_u128(RETAINED), total);
    lines
}

fn add_all(a: &Balances, b: &Balances) -> Balances {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(*k).or_insert(0) += v;
    }
    out
}

fn col(from: Option<jiff::civil::Date>) -> Column {
    Column {
        from,
        to: date(2026, 12, 31),
    }
}

#[test]
fn the_tree_shows_subtotals_and_skips_empty_accounts() {
    let chart = chart();
    let mut b = Balances::new();
    post(&mut b, 2, 9, 1000);
    post(&mut b, 3, 9, 500);
    post(&mut b, 12, 2, 300);
    let bs = balance_sheet(&chart, &[(date(2026, 12, 31), b.clone())]).unwrap();
    let names: Vec<(&str, usize, &[i64])> = bs
        .rows
        .iter()
        .filter(|r| r.account.is_some())
        .map(|r| (r.name.as_str(), r.depth, r.amounts.as_slice()))
        .collect();
    assert_eq!(
        names,
        [
            ("Account 1000", 1, &[0][..]),
            ("Account 1020", 2, &[700][..]),
            ("Account 1100", 2, &[500][..]),
            ("Total Account 1000", 1, &[1200][..]),
        ]
    );
    assert_eq!(bs.line("current_earnings"), Some(&[1200][..]));
    assert_eq!(bs.line("total_assets"), bs.line("total_liabilities_and_equity"));
    let pl = profit_and_loss(&chart, &[(col(Some(date(2026, 1, 1))), b)]).unwrap();
    assert_eq!(pl.line("total_revenue"), Some(&[1500][..]));
    assert_eq!(pl.line("total_expenses"), Some(&[300][..]));
    assert_eq!(pl.line("net_result"), Some(&[1200][..]));
    assert!(
        pl.rows
            .iter()
            .any(|r| r.kind == RowKind::Subtotal && r.name == "Total Account 6000")
    );
}

fn postings() -> impl Strategy<Value = Vec<(u128, u128, i64)>> {
    prop::collection::vec((1u128..=12, 1u128..=12, 1i64..1_000_000_000), 0..60)
}

proptest! {
    /// Two periods of random postings, with a year-end close between them: the balance sheet
    /// balances at both dates, the P&L's result is the change in equity not from other
    /// movements, the cash flow's net change is the change in cash, and the close changes no
    /// total.
    #[test]
    fn statements_agree(first in postings(), second in postings(), closed in any::<bool>()) {
        let chart = chart();
        let mut year1 = Balances::new();
        for (dr, cr, a) in &first { post(&mut year1, *dr, *cr, *a); }
        let closes = if closed { close(&chart, &year1) } else { Balances::new() };
        let end1 = add_all(&year1, &closes);
        let mut year2 = Balances::new();
        for (dr, cr, a) in &second { post(&mut year2, *dr, *cr, *a); }
        let end2 = add_all(&end1, &year2);
        let d1 = date(2025, 12, 31);
        let bs = balance_sheet(&chart, &[(d1, end1.clone()), (date(2026, 12, 31), end2.clone())]).unwrap();
        prop_assert_eq!(bs.line("total_assets"), bs.line("total_liabilities_and_equity"));
        // The close moves the result into retained earnings and changes no total.
        let before = balance_sheet(&chart, &[(d1, year1.clone())]).unwrap();
        prop_assert_eq!(before.line("total_equity").map(|v| v[0]), bs.line("total_equity").map(|v| v[0]));

        // Year 2: P&L and equity.
        let pl = profit_and_loss(&chart, &[(col(Some(date(2026, 1, 1))), year2.clone())]).unwrap();
        let eq = equity_changes(&chart, &EquityPeriod {
            column: col(Some(date(2026, 1, 1))),
            opening: end1.clone(),
            closing: end2.clone(),
            movements: year2.clone(),
            closes: Balances::new(),
        }).unwrap();
        let total = eq.line("total_equity").unwrap();
        prop_assert_eq!(total[1], pl.line("net_result").unwrap()[0]);
        prop_assert_eq!(total[0] + total[1] + total[2] + total[3], total[4]);
        prop_assert_eq!(Some(total[4]), bs.line("total_equity").map(|v| v[1]));

        // Year 1 with its close: the P&L without the closing entry still shows the result,
        // which equals what the close moved into retained earnings.
        let moves1 = less(&end1, &closes).unwrap();
        let pl1 = profit_and_loss(&chart, &[(col(None), moves1)]).unwrap();
        if closed {
            prop_assert_eq!(pl1.line("net_result").unwrap()[0], -closes.get(&Uuid::from_u128(RETAINED)).copied().unwrap_or(0));
        }
        let eq1 = equity_changes(&chart, &EquityPeriod {
            column: col(None), opening: Balances::new(), closing: end1.clone(), movements: end1.clone(), closes: closes.clone(),
        }).unwrap();
        let t1 = eq1.line("total_equity").unwrap();
        prop_assert_eq!(t1[1], pl1.line("net_result").unwrap()[0]);
        prop_assert_eq!(t1[2], 0);

        // Cash flow of year 2.
        let cf = cash_flow(&chart, &[CashPeriod { column: col(Some(date(2026, 1, 1))), movements: year2.clone(), opening: end1.clone() }]).unwrap();
        let cash = |b: &Balances| b.get(&Uuid::from_u128(2)).copied().unwrap_or(0);
        prop_assert_eq!(cf.line("net_change").unwrap()[0], cash(&end2) - cash(&end1));
        prop_assert_eq!(cf.line("cash_closing").unwrap()[0], cash(&end2));
        prop_assert_eq!(cf.line("net_result").unwrap()[0], pl.line("net_result").unwrap()[0]);
    }
}

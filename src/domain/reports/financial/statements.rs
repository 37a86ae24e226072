//! The four statements, each from the balances the store summed per account and column.

use jiff::civil::Date;

use super::tree::{grouped, line, plus, section, signed};
use super::{Balances, ChartAccount, Column, RowKind, Statement};
use crate::domain::accounts::{AccountType, CashFlow};
use crate::domain::reports::{Overflow, sub, sum};

fn is(t: AccountType) -> impl Fn(&ChartAccount) -> bool {
    move |a| a.account_type == t
}

fn is_result(a: &ChartAccount) -> bool {
    matches!(a.account_type, AccountType::Revenue | AccountType::Expense)
}

fn on_balance_sheet(a: &ChartAccount) -> bool {
    !is_result(a)
}

/// The result (revenue minus expenses, credit-positive) in `b`: minus the sum of the revenue
/// and expense accounts' net debits.
fn result(chart: &[ChartAccount], b: &Balances) -> Result<i64, Overflow> {
    let net = sum(
        chart
            .iter()
            .filter(|a| is_result(a))
            .map(|a| b.get(&a.id).copied().unwrap_or(0)),
        "result",
    )?;
    signed(-1, net)
}

/// `a − b` per account: the movements without the year-end closing entries.
pub fn less(a: &Balances, b: &Balances) -> Result<Balances, Overflow> {
    let mut out = a.clone();
    for (id, v) in b {
        let e = out.entry(*id).or_insert(0);
        *e = sub(*e, *v, "account balances")?;
    }
    Ok(out)
}

/// The balance sheet as of each date: assets; liabilities; equity with the current earnings
/// (the result not yet closed into retained earnings); and liabilities plus equity.
/// `balances` are the net balances as of each date, every account.
pub fn balance_sheet(chart: &[ChartAccount], balances: &[(Date, Balances)]) -> Result<Statement, Overflow> {
    let cols: Vec<&Balances> = balances.iter().map(|(_, b)| b).collect();
    let mut rows = vec![section("assets", "Assets")];
    let assets = grouped(chart, is(AccountType::Asset), &cols, 1, 1, &mut rows)?;
    rows.push(line(RowKind::Total, "total_assets", "Total assets", 0, assets));
    rows.push(section("liabilities", "Liabilities"));
    let liabilities = grouped(chart, is(AccountType::Liability), &cols, -1, 1, &mut rows)?;
    rows.push(line(
        RowKind::Total,
        "total_liabilities",
        "Total liabilities",
        0,
        liabilities.clone(),
    ));
    rows.push(section("equity", "Equity"));
    let equity = grouped(chart, is(AccountType::Equity), &cols, -1, 1, &mut rows)?;
    let earnings = cols.iter().map(|b| result(chart, b)).collect::<Result<Vec<_>, _>>()?;
    rows.push(line(
        RowKind::Account,
        "current_earnings",
        "Current earnings",
        1,
        earnings.clone(),
    ));
    let equity = plus(&equity, &earnings, "equity")?;
    rows.push(line(RowKind::Total, "total_equity", "Total equity", 0, equity.clone()));
    let both = plus(&liabilities, &equity, "liabilities and equity")?;
    rows.push(line(
        RowKind::Total,
        "total_liabilities_and_equity",
        "Total liabilities and equity",
        0,
        both,
    ));
    Ok(Statement {
        columns: balances.iter().map(|(d, _)| Column { from: None, to: *d }).collect(),
        headings: Vec::new(),
        rows,
    })
}

/// Profit and loss for each period: revenue, expenses and the net result. `movements` are each
/// period's net movements without the year-end closing entries.
pub fn profit_and_loss(chart: &[ChartAccount], movements: &[(Column, Balances)]) -> Result<Statement, Overflow> {
    let cols: Vec<&Balances> = movements.iter().map(|(_, b)| b).collect();
    let mut rows = vec![section("revenue", "Revenue")];
    let revenue = grouped(chart, is(AccountType::Revenue), &cols, -1, 1, &mut rows)?;
    rows.push(line(
        RowKind::Total,
        "total_revenue",
        "Total revenue",
        0,
        revenue.clone(),
    ));
    rows.push(section("expenses", "Expenses"));
    let expenses = grouped(chart, is(AccountType::Expense), &cols, 1, 1, &mut rows)?;
    rows.push(line(
        RowKind::Total,
        "total_expenses",
        "Total expenses",
        0,
        expenses.clone(),
    ));
    let net = revenue
        .iter()
        .zip(&expenses)
        .map(|(r, e)| sub(*r, *e, "result"))
        .collect::<Result<Vec<_>, _>>()?;
    rows.push(line(RowKind::Total, "net_result", "Net result", 0, net));
    Ok(Statement {
        columns: movements.iter().map(|(c, _)| *c).collect(),
        headings: Vec::new(),
        rows,
    })
}

/// One period of the cash flow statement: the movements without the year-end closing entries,
/// and the balances the day before the period starts.
#[derive(Debug, Clone)]
pub struct CashPeriod {
    pub column: Column,
    pub movements: Balances,
    pub opening: Balances,
}

/// The cash flow statement, indirect method: the net result, then each balance-sheet account's
/// movement (its cash effect, credit-positive) under its class — operating, investing,
/// financing — and the net change in cash, which equals the cash accounts' own change.
pub fn cash_flow(chart: &[ChartAccount], periods: &[CashPeriod]) -> Result<Statement, Overflow> {
    let cols: Vec<&Balances> = periods.iter().map(|p| &p.movements).collect();
    let class = |c: CashFlow| move |a: &ChartAccount| on_balance_sheet(a) && a.cash_flow == c;
    let mut rows = vec![section("operating", "Operating activities")];
    let results = cols.iter().map(|b| result(chart, b)).collect::<Result<Vec<_>, _>>()?;
    rows.push(line(RowKind::Account, "net_result", "Net result", 1, results.clone()));
    let changes = grouped(chart, class(CashFlow::Operating), &cols, -1, 1, &mut rows)?;
    let operating = plus(&results, &changes, "operating cash flow")?;
    rows.push(line(
        RowKind::Total,
        "net_operating",
        "Net cash from operating activities",
        0,
        operating.clone(),
    ));
    rows.push(section("investing", "Investing activities"));
    let investing = grouped(chart, class(CashFlow::Investing), &cols, -1, 1, &mut rows)?;
    rows.push(line(
        RowKind::Total,
        "net_investing",
        "Net cash from investing activities",
        0,
        investing.clone(),
    ));
    rows.push(section("financing", "Financing activities"));
    let financing = grouped(chart, class(CashFlow::Financing), &cols, -1, 1, &mut rows)?;
    rows.push(line(
        RowKind::Total,
        "net_financing",
        "Net cash from financing activities",
        0,
        financing.clone(),
    ));
    let net = plus(&plus(&operating, &investing, "cash flow")?, &financing, "cash flow")?;
    rows.push(line(RowKind::Total, "net_change", "Net change in cash", 0, net));
    let cash = |b: &Balances| {
        sum(
            chart
                .iter()
                .filter(|a| on_balance_sheet(a) && a.cash_flow == CashFlow::Cash)
                .map(|a| b.get(&a.id).copied().unwrap_or(0)),
            "cash",
        )
    };
    let opening = periods
        .iter()
        .map(|p| cash(&p.opening))
        .collect::<Result<Vec<_>, _>>()?;
    let moved = cols.iter().map(|b| cash(b)).collect::<Result<Vec<_>, _>>()?;
    let closing = plus(&opening, &moved, "cash")?;
    rows.push(line(
        RowKind::Account,
        "cash_opening",
        "Cash at the beginning of the period",
        0,
        opening,
    ));
    rows.push(line(
        RowKind::Account,
        "cash_closing",
        "Cash at the end of the period",
        0,
        closing,
    ));
    Ok(Statement {
        columns: periods.iter().map(|p| p.column).collect(),
        headings: Vec::new(),
        rows,
    })
}

/// What the statement of changes in equity is built from, for one period.
#[derive(Debug, Clone)]
pub struct EquityPeriod {
    pub column: Column,
    /// Net balances the day before the period.
    pub opening: Balances,
    /// Net balances at its end.
    pub closing: Balances,
    /// The period's movements, closing entries included.
    pub movements: Balances,
    /// The year-end closing entries' lines in the period.
    pub closes: Balances,
}

/// The columns of the statement of changes in equity.
pub const EQUITY_HEADINGS: [&str; 5] = ["opening", "result", "year_end_close", "other", "closing"];

/// Changes in equity over a period: for each equity account and for the current earnings, the
/// opening balance, the period's result, what the year-end close moved, the other movements
/// (contributions, drawings, dividends…) and the closing balance; credit-positive.
pub fn equity_changes(chart: &[ChartAccount], p: &EquityPeriod) -> Result<Statement, Overflow> {
    let mut other = Balances::new();
    for a in chart.iter().filter(|a| a.account_type == AccountType::Equity) {
        let get = |b: &Balances| b.get(&a.id).copied().unwrap_or(0);
        other.insert(a.id, sub(get(&p.movements), get(&p.closes), "equity movements")?);
    }
    let none = Balances::new();
    let cols = [&p.opening, &none, &p.closes, &other, &p.closing];
    let mut rows = Vec::new();
    let accounts = grouped(chart, is(AccountType::Equity), &cols, -1, 0, &mut rows)?;
    let opening = result(chart, &p.opening)?;
    let closing = result(chart, &p.closing)?;
    let earned = result(chart, &less(&p.movements, &p.closes)?)?;
    let closed = result(chart, &p.closes)?;
    let rest = sub(
        sub(sub(closing, opening, "equity")?, earned, "equity")?,
        closed,
        "equity",
    )?;
    let earnings = vec![opening, earned, closed, rest, closing];
    rows.push(line(
        RowKind::Account,
        "current_earnings",
        "Current earnings",
        0,
        earnings.clone(),
    ));
    rows.push(line(
        RowKind::Total,
        "total_equity",
        "Total equity",
        0,
        plus(&accounts, &earnings, "equity")?,
    ));
    Ok(Statement {
        columns: vec![p.column],
        headings: EQUITY_HEADINGS.to_vec(),
        rows,
    })
}

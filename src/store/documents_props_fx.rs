//! The revaluation half of the documents property (`documents_props`): after every step, a
//! revaluation as of a far date at the closing rates of `CURRENCIES` is run and rolled back, and
//! each control account must then stand at exactly its open items — those in the company
//! currency as booked, those in each foreign currency revalued at its closing rate. It ties what
//! the revaluation reads (the ledger's foreign balances) to what the documents say is open.
//!
//! And the statements over the same books, in several currencies with their realised and
//! revalued differences (`check_statements`): between each two of the property's dates, the
//! balance sheet balances, the P&L's result is the change in equity (the books hold no owner's
//! transactions, so all of it is from operations), and the cash flow's net change is the change
//! in the cash and bank accounts.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};
use proptest::test_runner::TestCaseError;

use super::documents_props::{CURRENCIES, Fixture, KEY, fail};
use super::{Store, StoreError, reports};
use crate::domain::accounts::CashFlow;
use crate::domain::documents::DocumentError;
use crate::domain::exchange_rates::{convert, parse_rate};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::reports::ageing::Side;
use crate::domain::reports::financial::{self as fin, CashPeriod, Column, Statement};
use crate::domain::revaluation;
use crate::store::Tx;
use crate::store::reports::financial::{Accounts, chart, net};
use crate::tenancy::TenantScope;

/// Why the probe's transaction ended: always rolled back, carrying the check's verdict.
enum Probe {
    Checked(Result<(), TestCaseError>),
    Store(StoreError),
}

impl From<StoreError> for Probe {
    fn from(e: StoreError) -> Self {
        Probe::Store(e)
    }
}

pub(super) fn check_revaluation(store: &Store, scope: &TenantScope, f: &Fixture) -> Result<(), TestCaseError> {
    let outcome = store.tenant_write(scope, |tx| -> Result<(), Probe> {
        let verdict = (|| -> Result<(), TestCaseError> {
            let ctx = Ctx {
                books: &f.books,
                company: &f.company,
                actor: f.actor,
                checkpoint_key: KEY,
                today: f.company.today(jiff::Timestamp::now()),
                now: crate::domain::books::now(),
            };
            let far = date(2100, 1, 1);
            let closing: BTreeMap<String, i64> = CURRENCIES
                .iter()
                .filter(|(code, _, _)| *code != f.books.currency)
                .map(|(code, _, rate)| Ok(((*code).to_owned(), parse_rate(rate).map_err(|e| fail(e.to_string()))?)))
                .collect::<Result<_, TestCaseError>>()?;
            match revaluation::run(tx, &ctx, far, &closing) {
                // Nothing to revalue is a refusal before anything is written.
                Ok(_) | Err(DocumentError::Invalid(_)) => {}
                Err(e) => return Err(fail(format!("revaluation: {e}"))),
            }
            let tb = reports::trial_balance(tx, f.books.company_id, far)?;
            let net = |id| tb.iter().find(|r| r.account_id == id).map_or(0, |r| r.debit - r.credit);
            for (side, account, sign) in [(Side::Receivables, f.receivable, 1), (Side::Payables, f.payable, -1)] {
                let items = reports::open_items(tx, &f.books, side, far, None)?;
                let mut in_company = 0i64;
                let mut foreign: BTreeMap<&str, i64> = BTreeMap::new();
                for item in &items {
                    if item.currency == f.books.currency {
                        in_company += item.amount;
                    } else {
                        *foreign.entry(item.currency.as_str()).or_default() += item.amount_currency;
                    }
                }
                let mut expected = in_company;
                for (currency, amount) in &foreign {
                    let rate = closing.get(*currency).copied().ok_or_else(|| fail("no closing rate"))?;
                    expected += convert::to_company(*amount, money::decimals(currency), rate, f.books.decimals)
                        .map_err(|e| fail(e.to_string()))?;
                }
                if sign * net(account) != expected {
                    return Err(fail(format!(
                        "{side:?}: the control account after revaluation is {} but its open items revalued are {expected}: {items:?}",
                        sign * net(account)
                    )));
                }
            }
            Ok(())
        })();
        Err(Probe::Checked(verdict))
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(Probe::Checked(verdict)) => verdict,
        Err(Probe::Store(e)) => Err(fail(format!("store: {e}"))),
    }
}

/// The first amount of the row `key` of `s`.
fn line(s: &Statement, key: &str) -> Result<i64, TestCaseError> {
    s.line(key)
        .and_then(|a| a.first().copied())
        .ok_or_else(|| fail(format!("no {key} in the statement")))
}

pub(super) fn check_statements(tx: &mut Tx, f: &Fixture, dates: &[Date]) -> Result<(), TestCaseError> {
    let company = f.books.company_id;
    let chart = chart(tx, company)?;
    let cash: Vec<_> = chart
        .iter()
        .filter(|a| a.cash_flow == CashFlow::Cash)
        .map(|a| a.id)
        .collect();
    let over = |s: Result<Statement, crate::domain::reports::Overflow>| s.map_err(|e| fail(e.to_string()));
    for pair in dates.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let from = a.tomorrow().map_err(|e| fail(e.to_string()))?;
        let (at_a, at_b) = (
            net(tx, company, Accounts::All, None, a)?,
            net(tx, company, Accounts::All, None, b)?,
        );
        let sheet = over(fin::balance_sheet(&chart, &[(a, at_a.clone()), (b, at_b.clone())]))?;
        let (assets, both) = (
            sheet.line("total_assets").unwrap_or_default(),
            sheet.line("total_liabilities_and_equity").unwrap_or_default(),
        );
        if assets != both {
            return Err(fail(format!(
                "balance sheet as of {a} and {b}: assets {assets:?}, liabilities and equity {both:?}"
            )));
        }
        let equity = sheet.line("total_equity").ok_or_else(|| fail("no total_equity"))?;
        let column = Column {
            from: Some(from),
            to: b,
        };
        let moved = net(tx, company, Accounts::All, Some(from), b)?;
        let result = line(
            &over(fin::profit_and_loss(&chart, &[(column, moved.clone())]))?,
            "net_result",
        )?;
        if result != equity[1] - equity[0] {
            return Err(fail(format!(
                "P&L {from} – {b}: result {result}, but equity moved {} (from {} to {})",
                equity[1] - equity[0],
                equity[0],
                equity[1]
            )));
        }
        let flow = over(fin::cash_flow(
            &chart,
            &[CashPeriod {
                column,
                movements: moved,
                opening: at_a.clone(),
            }],
        ))?;
        let held = |b: &fin::Balances| cash.iter().map(|id| b.get(id).copied().unwrap_or(0)).sum::<i64>();
        let change = held(&at_b) - held(&at_a);
        if line(&flow, "net_change")? != change {
            return Err(fail(format!(
                "cash flow {from} – {b}: net change {}, but cash and bank moved {change}",
                line(&flow, "net_change")?
            )));
        }
    }
    Ok(())
}

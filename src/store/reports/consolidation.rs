//! What consolidation reads: each member company's chart with its intercompany accounts, and
//! the rates in the parent's exchange rates that translate a member's currency.

use jiff::civil::Date;

use crate::domain::exchange_rates::ExchangeRateStore;
use crate::domain::exchange_rates::convert::ONE;
use crate::domain::money;
use crate::domain::reports::consolidation::{self, INTERCOMPANY, Member, Rates};
use crate::domain::tenants::Company;
use crate::store::reports::financial::chart_account;
use crate::store::{StoreError, Tx, accounts};

/// `company` as a member of the group: its chart, its currency, its intercompany accounts.
pub fn member(tx: &mut Tx, company: &Company) -> Result<Member, StoreError> {
    let all = accounts::all(tx, company.id)?;
    let intercompany = all.iter().filter(|a| a.subtype == INTERCOMPANY).map(|a| a.id).collect();
    let chart = all.into_iter().map(chart_account).collect();
    Ok(Member {
        company: company.id,
        name: company.name.clone(),
        currency: company.currency.clone(),
        decimals: money::decimals(&company.currency),
        chart,
        intercompany,
    })
}

/// The rates translating `member` into `parent`'s currency for `from` … `to`: the closing rate
/// is the parent's latest on or before `to`, the average the mean of its rates dated in the
/// period (the closing rate when it has none there). `None`: the parent has no rate for the
/// member's currency by `to`.
pub fn rates(
    tx: &mut Tx,
    parent: &Company,
    member: &Company,
    from: Date,
    to: Date,
) -> Result<Option<Rates>, StoreError> {
    if member.currency == parent.currency {
        return Ok(Some(Rates {
            closing: ONE,
            average: ONE,
        }));
    }
    let Some(closing) = tx.latest_exchange_rate(parent.id, &member.currency, to)? else {
        return Ok(None);
    };
    let within: Vec<i64> = tx
        .exchange_rates_between(parent.id, from, to)?
        .into_iter()
        .filter(|r| r.currency == member.currency)
        .map(|r| r.rate)
        .collect();
    Ok(Some(Rates {
        closing: closing.rate,
        average: consolidation::average(&within).unwrap_or(closing.rate),
    }))
}

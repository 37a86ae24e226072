//! Every operation of the API, by area, in the order of the router in `http/mod.rs`. The router
//! and this list are compared by `tests/api/openapi.rs` (paths as registered, methods as
//! answered).

mod banking;
mod budgets;
mod capture;
mod contacts;
mod documents;
mod exchange_rates;
mod files;
mod inventory;
mod inventory_reports;
mod ledger;
mod payments;
mod platform;
mod purchases;
mod reports;
mod sales;
mod search;
mod tax_returns;

use super::ops::Op;

pub fn operations() -> Vec<Op> {
    [
        platform::operations(),
        ledger::ledger(),
        tax_returns::tax_returns(),
        contacts::contacts(),
        inventory::inventory(),
        inventory_reports::inventory_reports(),
        exchange_rates::exchange_rates(),
        budgets::budgets(),
        capture::capture(),
        documents::documents(),
        documents::delivery(),
        files::files(),
        payments::recurring_and_payments(),
        sales::sales(),
        purchases::purchases(),
        banking::banking(),
        reports::reports(),
        tax_returns::reports(),
        search::search(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

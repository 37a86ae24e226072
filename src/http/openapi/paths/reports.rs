//! Operations of the reports. A report that cannot be added up exactly (amounts beyond the
//! books' range) is a 400 under `non_field_errors`.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{Date, Id, Int};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::reports::{AgeingDto, GeneralLedgerDto, TrialBalanceDto};

#[rustfmt::skip]
pub fn reports() -> Vec<Op> {
    tagged("Reports", Company, [
        op("GET /api/reports/trial-balance/", "trialBalance", "Trial balance as of a date (default today)")
            .query("as_of", Date, false).ok(shape::<TrialBalanceDto>()),
        op("GET /api/reports/general-ledger/", "generalLedger", "One account's postings, paged")
            .about("`date_from` defaults to the start of `date_to`'s year; `date_to` to today.")
            .query("account", Id, true).query("date_from", Date, false).query("date_to", Date, false)
            .query("page", Int, false).query("page_size", Int, false).or(404, "No such page").ok(shape::<GeneralLedgerDto>()),
        op("GET /api/reports/aged-receivables/", "agedReceivables", "What customers owe, by age").query("as_of", Date, false)
            .ok(shape::<AgeingDto>()),
        op("GET /api/reports/aged-payables/", "agedPayables", "What the company owes vendors, by age").query("as_of", Date, false)
            .ok(shape::<AgeingDto>()),
    ])
}

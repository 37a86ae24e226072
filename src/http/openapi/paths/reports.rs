//! Operations of the reports. A report that cannot be added up exactly (amounts beyond the
//! books' range) is a 400 under `non_field_errors`.

use utoipa::openapi::path::HttpMethod::Get;

use super::super::ops::{Kind, Op, op, shape};
use crate::http::reports::{AgeingDto, GeneralLedgerDto, TrialBalanceDto};

pub fn reports() -> Vec<Op> {
    vec![
        op(
            Get,
            "/api/reports/trial-balance/",
            "trialBalance",
            "Reports",
            "Trial balance as of a date (default today)",
        )
        .query("as_of", Kind::Date, false)
        .ok(shape::<TrialBalanceDto>()),
        op(
            Get,
            "/api/reports/general-ledger/",
            "generalLedger",
            "Reports",
            "One account's postings, paged",
        )
        .about("`date_from` defaults to the start of `date_to`'s year; `date_to` to today.")
        .query("account", Kind::Id, true)
        .query("date_from", Kind::Date, false)
        .query("date_to", Kind::Date, false)
        .query("page", Kind::Int, false)
        .query("page_size", Kind::Int, false)
        .or(404, "No such page")
        .ok(shape::<GeneralLedgerDto>()),
        op(
            Get,
            "/api/reports/aged-receivables/",
            "agedReceivables",
            "Reports",
            "What customers owe, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(shape::<AgeingDto>()),
        op(
            Get,
            "/api/reports/aged-payables/",
            "agedPayables",
            "Reports",
            "What the company owes vendors, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(shape::<AgeingDto>()),
    ]
}

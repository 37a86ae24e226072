//! Operations of the reports.

use utoipa::openapi::path::HttpMethod::Get;

use super::super::ops::{Kind, Op, op};
use super::super::schemas::reference as r;

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
        .ok(r("TrialBalance")),
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
        .ok(r("GeneralLedger")),
        op(
            Get,
            "/api/reports/aged-receivables/",
            "agedReceivables",
            "Reports",
            "What customers owe, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(r("Ageing")),
        op(
            Get,
            "/api/reports/aged-payables/",
            "agedPayables",
            "Reports",
            "What the company owes vendors, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(r("Ageing")),
    ]
}

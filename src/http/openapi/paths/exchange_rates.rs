//! Operations of exchange rates: the records, the rate on a date, imports and fetching.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Date, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::exchange_rates::{ExchangeRateBody, ExchangeRateDto, ImportDto, RateOnDto, RatesUpload};
use crate::http::revaluation::{PlanDto, RevaluationBody, RunPostedDto, RunsDto};

pub fn exchange_rates() -> Vec<Op> {
    let records = crud::<ExchangeRateDto, ExchangeRateBody>(Crud {
        path: "/api/accounting/exchange-rates/",
        tag: "Exchange rates",
        delete: true,
        one: "ExchangeRate",
        many: "ExchangeRates",
        a: "an exchange rate",
        list: "Exchange rates, newest first",
        create: "ExchangeRateCreate",
        rules: Some(
            "Direct quotation: units of the company currency per one unit of `currency`, greater than 0, at most 12 \
             decimals. The currency must be an ISO 4217 code other than the company currency; one rate per currency \
             and date.",
        ),
        filters: &[
            ("currency", Text),
            ("source", Text),
            ("date", Date),
            ("date_from", Date),
            ("date_to", Date),
        ],
    });
    let rest = tagged(
        "Exchange rates",
        Company,
        [
            op(
                "GET /api/accounting/exchange-rates/on/",
                "exchangeRateOn",
                "The rate of a currency on a date",
            )
            .about(
                "The company's rate of the latest date on or before `date` (today when left out); `1` for the \
                    company currency. None: a 400 under `date`.",
            )
            .query("currency", Text, true)
            .query("date", Date, false)
            .ok(shape::<RateOnDto>()),
            op(
                "POST /api/accounting/exchange-rates/import/",
                "importExchangeRates",
                "Preview or import a rates file",
            )
            .about(
                "`multipart/form-data`. The ECB's euro reference rates (`eurofxref-hist.csv`, `eurofxref.csv`: \
                    units per euro, converted to the company's direct rates through the euro, rounded half away \
                    from zero to 12 decimals) or a `date,currency,rate` CSV. With `preview=true` the rates and what \
                    importing does to each are answered (200) and nothing is written; otherwise they are written \
                    in one transaction (201). A rate the company has with the same value is left alone: importing \
                    a file again adds nothing. A file that cannot be read is a 400 under `file` naming the row and \
                    column, and nothing is written.",
            )
            .multipart(shape::<RatesUpload>())
            .writes()
            .ok(shape::<ImportDto>())
            .created(shape::<ImportDto>()),
            op(
                "POST /api/accounting/exchange-rates/fetch/",
                "fetchExchangeRates",
                "Fetch rates from the configured source",
            )
            .about(
                "Off unless `exchange_rates.source_url` is set (a 400 then): the server reaches out to nothing by \
                    default. Imports the file as an import does (source `http`).",
            )
            .writes()
            .created(shape::<ImportDto>())
            .or(502, "The source failed or did not answer a rates file"),
        ],
    );
    let revaluation = tagged(
        "Exchange rates",
        Company,
        [
            op(
                "GET /api/accounting/revaluations/",
                "listRevaluations",
                "Revaluation runs",
            )
            .about("The company's period-end revaluation runs, the latest date first.")
            .ok(shape::<RunsDto>()),
            op(
                "POST /api/accounting/revaluations/",
                "runRevaluation",
                "Revalue foreign-currency balances as of a date",
            )
            .about(
                "For every receivable, payable, bank and cash account and every foreign currency on it: the balance \
                    at the closing rate (given in `rates`, else the company's latest on or before `date`) against \
                    what the ledger carries. Posts the differences against the exchange account on `date` and \
                    reverses them the next day (201). No rate for a currency is a 400 under `rates.<CURRENCY>` \
                    naming it and the date; a second run for a date, or nothing to revalue, a 400 under `date`.",
            )
            .optional(shape::<RevaluationBody>())
            .writes()
            .idempotent()
            .created(shape::<RunPostedDto>()),
            op(
                "POST /api/accounting/revaluations/preview/",
                "previewRevaluation",
                "What a revaluation as of a date would post",
            )
            .about("As a run, but nothing is written.")
            .optional(shape::<RevaluationBody>())
            .ok(shape::<PlanDto>()),
        ],
    );
    [records, rest, revaluation].into_iter().flatten().collect()
}

//! Operations of the reports. A report that cannot be added up exactly (amounts beyond the
//! books' range) is a 400 under `non_field_errors`.

use super::super::ops::Access::{Company, Firm};
use super::super::ops::Kind::{Date, Id, Int, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::reports::consolidation::{ConsolidatedDto, TrialBalanceDto as ConsolidatedTrialBalanceDto};
use crate::http::reports::{AgeingDto, GeneralLedgerDto, StatementDto, TrialBalanceDto};

#[rustfmt::skip]
pub fn reports() -> Vec<Op> {
    tagged("Reports", Company, [
        op("GET /api/reports/trial-balance/", "trialBalance", "Trial balance as of a date (default today)")
            .query("as_of", Date, false).report(shape::<TrialBalanceDto>()),
        op("GET /api/reports/general-ledger/", "generalLedger", "One account's postings, paged")
            .about("`date_from` defaults to the start of `date_to`'s year; `date_to` to today. With `format` (csv, xlsx, pdf) the whole period as one file: at most 100,000 lines (5,000 in a PDF), else a 400 under `format`.")
            .query("account", Id, true).query("date_from", Date, false).query("date_to", Date, false)
            .query("page", Int, false).query("page_size", Int, false).or(404, "No such page").report(shape::<GeneralLedgerDto>()),
        op("GET /api/reports/aged-receivables/", "agedReceivables", "What customers owe, by age").query("as_of", Date, false)
            .report(shape::<AgeingDto>()),
        op("GET /api/reports/aged-payables/", "agedPayables", "What the company owes vendors, by age").query("as_of", Date, false)
            .report(shape::<AgeingDto>()),
        op("GET /api/reports/balance-sheet/", "balanceSheet", "Balance sheet as of a date (default today)")
            .about("Assets, liabilities and equity grouped by the account tree, with the current earnings not yet closed. `compare`: `none` or `previous_year`. A bad date or choice is a 400.")
            .query("as_of", Date, false).query("compare", Text, false).report(shape::<StatementDto>()),
        op("GET /api/reports/profit-and-loss/", "profitAndLoss", "Profit and loss for a period, with comparison columns")
            .about("`date_to` defaults to today, `date_from` to the start of its fiscal year. `compare`: `none`, `previous_period`, `previous_year` or `months`; `periods`: more columns as `YYYY-MM-DD/YYYY-MM-DD,…`. At most 24 columns; `date_from` after `date_to` is a 400. Year-end closing entries are left out. `budget=<id>` adds, per row and column, the budget, the variance (actual − budget: positive is favourable for revenue and the net result, unfavourable for expenses) and the variance % of the budget (one decimal, null for a budget of 0); the exports carry them as columns. With a budget the period defaults to its fiscal year, every column must cover whole months (else a 400 under `date_to`), and an unknown budget is a 404.")
            .query("date_from", Date, false).query("date_to", Date, false).query("compare", Text, false).query("periods", Text, false)
            .query("budget", Id, false).report(shape::<StatementDto>()),
        op("GET /api/reports/cash-flow/", "cashFlow", "Cash flow statement (indirect method) for a period")
            .about("The net result, then each balance-sheet account's movement under its cash flow class (the account's `cash_flow`). Same parameters as the profit and loss.")
            .query("date_from", Date, false).query("date_to", Date, false).query("compare", Text, false).query("periods", Text, false)
            .report(shape::<StatementDto>()),
        op("GET /api/reports/equity-changes/", "equityChanges", "Changes in equity over a period")
            .about("Each equity account and the current earnings: opening balance, result, year-end close, other movements, closing balance.")
            .query("date_from", Date, false).query("date_to", Date, false).report(shape::<StatementDto>()),
    ])
    .into_iter()
    .chain(consolidated())
    .collect()
}

/// Above one company's books: the companies a user may see, as one.
#[rustfmt::skip]
fn consolidated() -> Vec<Op> {
    const ABOUT: &str = "`companies`: ids separated by commas (default: every active company the caller may see; at most 50); `parent`: the one whose currency presents the figures and whose exchange rates translate the others (default: the first). Balance-sheet accounts translate at the parent's closing rate, revenue and expenses at the mean of its rates in the period, the difference to a currency translation reserve; accounts combine by code; accounts of subtype `intercompany` are also listed apart. A company the caller may not see is a 404; a missing rate, or one code with two account types, is a 400.";
    tagged("Reports", Firm, [
        op("GET /api/reports/consolidated/trial-balance/", "consolidatedTrialBalance", "Consolidated trial balance as of a date")
            .about(ABOUT).query("companies", Text, false).query("parent", Id, false).query("as_of", Date, false)
            .or(404, "A company not found").report(shape::<ConsolidatedTrialBalanceDto>()),
        op("GET /api/reports/consolidated/balance-sheet/", "consolidatedBalanceSheet", "Consolidated balance sheet as of a date")
            .about(ABOUT).query("companies", Text, false).query("parent", Id, false).query("as_of", Date, false)
            .or(404, "A company not found").report(shape::<ConsolidatedDto>()),
        op("GET /api/reports/consolidated/profit-and-loss/", "consolidatedProfitAndLoss", "Consolidated profit and loss for a period")
            .about(ABOUT).query("companies", Text, false).query("parent", Id, false).query("date_from", Date, false).query("date_to", Date, false)
            .or(404, "A company not found").report(shape::<ConsolidatedDto>()),
    ])
}

//! `/api/reports/`: the trial balance and the general ledger, read from the ledger.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use jiff::civil::Date;
use serde::Serialize;
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{list_request, optional_date, page_link};
use super::error::ApiError;
use super::extract::{Bearer, CompanyHeader, QueryPairs};
use crate::app::AppState;
use crate::domain::money;
use crate::domain::roles::Action;
use crate::domain::tenants::Company;
use crate::store::{accounts, reports};

#[derive(Serialize)]
pub struct TrialBalanceRow {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: String,
    pub debit: String,
    pub credit: String,
}

#[derive(Serialize)]
pub struct Totals {
    pub debit: String,
    pub credit: String,
}

#[derive(Serialize)]
pub struct TrialBalance {
    pub as_of: String,
    pub currency: String,
    pub rows: Vec<TrialBalanceRow>,
    pub totals: Totals,
}

fn date_param(q: &[(String, String)], name: &str) -> Result<Option<Date>, ApiError> {
    optional_date(name, q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()))
}

/// Today in the company's time zone.
fn today(company: &Company) -> Date {
    let tz = jiff::tz::TimeZone::get(&company.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

pub async fn trial_balance(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    QueryPairs(q): QueryPairs,
) -> Result<Json<TrialBalance>, ApiError> {
    let as_of = date_param(&q, "as_of")?;
    in_books(
        &app,
        claims,
        company,
        Action::ViewReports,
        Access::Read,
        move |tx, ctx, company| {
            let books = ctx.books;
            let as_of = as_of.unwrap_or_else(|| today(company));
            let rows = reports::trial_balance(tx, company.id, as_of)?;
            let (mut debit_total, mut credit_total) = (0i64, 0i64);
            let rows = rows
                .into_iter()
                .map(|r| {
                    let net = r.debit - r.credit;
                    let (debit, credit) = if net >= 0 { (net, 0) } else { (0, -net) };
                    debit_total += debit;
                    credit_total += credit;
                    TrialBalanceRow {
                        account: r.account_id,
                        code: r.code,
                        name: r.name,
                        account_type: r.account_type,
                        debit: money::format(debit, books.decimals),
                        credit: money::format(credit, books.decimals),
                    }
                })
                .collect();
            Ok(Json(TrialBalance {
                as_of: as_of.to_string(),
                currency: books.currency.clone(),
                rows,
                totals: Totals {
                    debit: money::format(debit_total, books.decimals),
                    credit: money::format(credit_total, books.decimals),
                },
            }))
        },
    )
    .await
}

#[derive(Serialize)]
pub struct LedgerAccount {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: &'static str,
}

#[derive(Serialize)]
pub struct LedgerRow {
    pub entry: Uuid,
    pub number: Option<i64>,
    pub date: String,
    pub reference: String,
    pub description: String,
    pub debit: String,
    pub credit: String,
    /// Running balance, debit minus credit.
    pub balance: String,
}

#[derive(Serialize)]
pub struct GeneralLedger {
    pub account: LedgerAccount,
    pub currency: String,
    pub date_from: String,
    pub date_to: String,
    pub opening_balance: String,
    pub closing_balance: String,
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<LedgerRow>,
}

pub async fn general_ledger(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Json<GeneralLedger>, ApiError> {
    let req = list_request(&q)?;
    let account = match q.iter().find(|(k, _)| k == "account") {
        None => return Err(ApiError::field("account", "This field is required.")),
        Some((_, v)) => Uuid::parse_str(v).map_err(|_| ApiError::field("account", "Must be a valid UUID."))?,
    };
    let from = date_param(&q, "date_from")?;
    let to = date_param(&q, "date_to")?;
    in_books(
        &app,
        claims,
        company,
        Action::ViewReports,
        Access::Read,
        move |tx, ctx, company| {
            let books = ctx.books;
            let account = accounts::get(tx, company.id, account)?
                .ok_or_else(|| ApiError::field("account", "Unknown account for this company."))?;
            let to = to.unwrap_or_else(|| today(company));
            let from = from.unwrap_or_else(|| to.first_of_year());
            if from > to {
                return Err(ApiError::field("date_from", "date_from must not be after date_to."));
            }
            let opening = reports::balance_before(tx, account.id, from)?;
            let closing = match to.tomorrow() {
                Ok(next) => reports::balance_before(tx, account.id, next)?,
                Err(_) => reports::balance_before(tx, account.id, to)?,
            };
            let offset = (req.page.max(1) - 1).saturating_mul(req.page_size).min(i64::MAX as u64);
            let (count, before, lines) = reports::ledger_lines(tx, account.id, from, to, offset, req.page_size)?;
            let last = count.div_ceil(req.page_size).max(1);
            if req.page == 0 || req.page > last {
                return Err(ApiError::NotFound);
            }
            let mut running = opening + before;
            let results = lines
                .into_iter()
                .map(|l| {
                    running += l.debit - l.credit;
                    LedgerRow {
                        entry: l.entry_id,
                        number: l.number,
                        date: l.date.to_string(),
                        reference: l.reference,
                        description: l.description,
                        debit: money::format(l.debit, books.decimals),
                        credit: money::format(l.credit, books.decimals),
                        balance: money::format(running, books.decimals),
                    }
                })
                .collect();
            let link = |page: u64| page_link(&uri, &headers, page);
            Ok(Json(GeneralLedger {
                account: LedgerAccount {
                    id: account.id,
                    code: account.code,
                    name: account.name,
                    account_type: account.account_type.as_str(),
                },
                currency: books.currency.clone(),
                date_from: from.to_string(),
                date_to: to.to_string(),
                opening_balance: money::format(opening, books.decimals),
                closing_balance: money::format(closing, books.decimals),
                count,
                next: (req.page < last).then(|| link(req.page + 1)),
                previous: (req.page > 1).then(|| link(req.page - 1)),
                results,
            }))
        },
    )
    .await
}

//! `/api/reports/`: the trial balance, the general ledger, the aged receivables and payables,
//! and the financial statements (`financial.rs`).
//! The store reads the rows (`store::reports`), the domain adds them up (`domain::reports`),
//! these handlers only read the query and show the result. A report's default date is the
//! company's today (`ctx.today`).

pub mod consolidation;
mod dto;
pub mod export;
pub mod financial;
pub mod inventory;
pub mod margin;
mod sheets;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use uuid::Uuid;

pub use dto::{AgedDto, AgeingDto, BucketsDto, GeneralLedgerDto, LedgerAccount, LedgerRow, TrialBalanceDto};
pub use financial::StatementDto;

use super::company::{InCompany, perm};
use super::conventions::{ListQuery, markers, optional_date};
use super::error::{ApiError, Reply};
use super::extract::QueryPairs;
use crate::app::AppState;
use crate::domain::ledger::Ctx;
use crate::domain::reports::ageing::{self, Side};
use crate::domain::reports::{self, general_ledger, trial_balance};
use crate::store::list::ListRequest;
use crate::store::reports::{balance_before, ledger_lines, open_items};
use crate::store::{Tx, accounts};

/// A report's query string. Dates are checked as they are read: a bad one is a 400 naming it.
pub struct ReportQuery(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for ReportQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let QueryPairs(pairs) = QueryPairs::from_request_parts(parts, state).await?;
        Ok(ReportQuery(pairs))
    }
}

impl ReportQuery {
    /// The date parameter `name`, if given.
    pub fn date(&self, name: &str) -> Result<Option<Date>, ApiError> {
        date_param(&self.0, name)
    }

    /// The text parameter `name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        param(&self.0, name)
    }
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn date_param(pairs: &[(String, String)], name: &str) -> Result<Option<Date>, ApiError> {
    optional_date(name, param(pairs, name))
}

/// `GET …/trial-balance/?as_of=`: every account with postings as of the date (default today).
pub async fn trial_balance(State(app): State<AppState>, c: InCompany<perm::ViewReports>, q: ReportQuery) -> Reply {
    let format = export::Format::read(&q)?;
    let as_of = q.date("as_of")?;
    let answer = c
        .read(move |tx, ctx| {
            let as_of = as_of.unwrap_or(ctx.today);
            let totals = crate::store::reports::trial_balance(tx, ctx.books.company_id, as_of)?;
            let tb = TrialBalanceDto::new(as_of, trial_balance::trial_balance(totals)?, ctx.books);
            Ok((tb, export::Look::read(format, tx, ctx)?))
        })
        .await?;
    export::answer(&app, format, answer, TrialBalanceDto::sheet).await
}

/// Which side of the books an ageing route reads, bound at registration
/// (`reports::aged::<Receivables>`).
pub trait Aged: Send + Sync + 'static {
    const SIDE: Side;
}

markers!(Aged::SIDE: Side {
    /// `/api/reports/aged-receivables/`: what customers owe.
    Receivables = Side::Receivables;
    /// `/api/reports/aged-payables/`: what the company owes vendors.
    Payables = Side::Payables;
});

/// `GET …/aged-receivables/?as_of=&format=` (or payables): open amounts per contact by days past
/// due, as of the date (default today); as a file with `format`.
pub async fn aged<A: Aged>(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ReportQuery,
) -> Reply<Response> {
    let format = export::Format::read(&q)?;
    let as_of = q.date("as_of")?;
    let answer = c
        .read(move |tx, ctx| {
            let as_of = as_of.unwrap_or(ctx.today);
            let items = open_items(tx, ctx.books, A::SIDE, as_of, None)?;
            let dto = AgeingDto::new(ageing::age(&items, as_of)?, ctx.books)?;
            Ok(((dto, ctx.books.decimals), export::Look::read(format, tx, ctx)?))
        })
        .await?;
    let (title, slug) = match A::SIDE {
        Side::Receivables => ("Aged receivables", "aged-receivables"),
        Side::Payables => ("Aged payables", "aged-payables"),
    };
    let ((dto, decimals), look) = answer;
    export::answer(&app, format, (dto, look), |d| d.sheet(title, slug, decimals)).await
}

/// What `…/general-ledger/` was asked for.
struct LedgerQuery {
    account: Uuid,
    from: Option<Date>,
    to: Option<Date>,
    page: u64,
    page_size: u64,
}

impl LedgerQuery {
    fn read(request: &ListRequest) -> Result<LedgerQuery, ApiError> {
        let account = match param(&request.filters, "account") {
            None => return Err(ApiError::field("account", "This field is required.")),
            Some(v) => Uuid::parse_str(v).map_err(|_| ApiError::field("account", "Must be a valid UUID."))?,
        };
        Ok(LedgerQuery {
            account,
            from: date_param(&request.filters, "date_from")?,
            to: date_param(&request.filters, "date_to")?,
            page: request.page,
            page_size: request.page_size,
        })
    }
}

/// `GET …/general-ledger/?account=&date_from=&date_to=&format=`: one account's postings, a page
/// at a time. `date_to` defaults to today, `date_from` to the start of `date_to`'s year. With
/// `format` (csv, xlsx, pdf): the whole period as one file, up to [`LEDGER_EXPORT_LINES`] lines
/// ([`LEDGER_PDF_LINES`] in a PDF).
pub async fn general_ledger(
    State(app): State<AppState>,
    c: InCompany<perm::ViewReports>,
    q: ListQuery,
) -> Reply<Response> {
    let format = export::Format::parse(param(&q.request.filters, "format"))?;
    let mut query = LedgerQuery::read(&q.request)?;
    if format != export::Format::Json {
        let most = if format == export::Format::Pdf {
            LEDGER_PDF_LINES
        } else {
            LEDGER_EXPORT_LINES
        };
        let answer = c
            .read(move |tx, ctx| {
                query.page = 1;
                query.page_size = most;
                let (ledger, last) = ledger_page(tx, ctx, &query)?;
                if last > 1 {
                    return Err(ApiError::field(
                        "format",
                        format!(
                            "The period holds {} lines, more than one file takes ({most}): choose a shorter period{}.",
                            ledger.count,
                            if format == export::Format::Pdf {
                                ", or ask for xlsx or csv"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
                Ok(((ledger, ctx.books.decimals), export::Look::read(format, tx, ctx)?))
            })
            .await?;
        let ((ledger, decimals), look) = answer;
        return export::answer(&app, format, (ledger, look), |l| l.sheet(decimals)).await;
    }
    let (mut ledger, last) = c.read(move |tx, ctx| ledger_page(tx, ctx, &query)).await?;
    let page = q.request.page;
    ledger.next = (page < last).then(|| q.link(page + 1));
    ledger.previous = (page > 1).then(|| q.link(page - 1));
    Ok(Json(ledger).into_response())
}

/// The most lines a general ledger export holds (a spreadsheet of 100,000 rows is about 3 MB).
pub const LEDGER_EXPORT_LINES: u64 = 100_000;
/// The most lines of a general ledger PDF (about 100 pages).
pub const LEDGER_PDF_LINES: u64 = 5_000;

/// The page of the general ledger (without its links), and the number of the last page.
fn ledger_page(tx: &mut Tx, ctx: &Ctx<'_>, q: &LedgerQuery) -> Result<(GeneralLedgerDto, u64), ApiError> {
    let account = accounts::get(tx, ctx.books.company_id, q.account)?
        .ok_or_else(|| ApiError::field("account", "Unknown account for this company."))?;
    let (from, to) = reports::period(q.from, q.to, ctx.today, Date::first_of_year)
        .ok_or_else(|| ApiError::field("date_from", "date_from must not be after date_to."))?;
    let opening = balance_before(tx, account.id, from)?;
    // Everything up to the end of `to` (the last representable day has no day after it).
    let closing = balance_before(tx, account.id, to.tomorrow().unwrap_or(to))?;
    // A page whose first line lies beyond any count is past the last page.
    let offset = (q.page.max(1) - 1)
        .checked_mul(q.page_size)
        .filter(|o| i64::try_from(*o).is_ok())
        .ok_or(ApiError::NotFound)?;
    let (count, before, lines) = ledger_lines(tx, account.id, from, to, offset, q.page_size)?;
    let last = count.div_ceil(q.page_size).max(1);
    if q.page == 0 || q.page > last {
        return Err(ApiError::NotFound);
    }
    let d = ctx.books.decimals;
    let results = general_ledger::running(opening, before, lines)?
        .into_iter()
        .map(|row| LedgerRow::new(row, d))
        .collect();
    let ledger = GeneralLedgerDto {
        account: LedgerAccount::from(account),
        currency: ctx.books.currency.clone(),
        date_from: from.to_string(),
        date_to: to.to_string(),
        opening_balance: crate::domain::money::format(opening, d),
        closing_balance: crate::domain::money::format(closing, d),
        count,
        next: None,
        previous: None,
        results,
    };
    Ok((ledger, last))
}

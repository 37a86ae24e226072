//! `GET /api/sales/customers/{id}/statement/` (JSON) and `…/statement/pdf/`: what a customer was
//! charged and paid over a period (`date_from`, default the first of `date_to`'s month;
//! `date_to`, default today), the balance they owe, and how old it is.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, InCompany, perm};
use super::documents::print;
use super::error::{ApiError, Reply};
use super::reports::{BucketsDto, ReportQuery};
use crate::app::AppState;
use crate::domain::contacts::Contact;
use crate::domain::ledger::{Books, Ctx};
use crate::domain::money;
use crate::domain::reports::ageing::Side;
use crate::domain::reports::statement::{self, Statement};
use crate::domain::reports::{self, ageing::Buckets};
use crate::domain::tenants::Company;
use crate::pdf;
use crate::store::reports::{open_items, statement_movements};
use crate::store::{Tx, contacts};

/// One movement, with the balance after it.
#[derive(Serialize, ToSchema)]
pub struct StatementRow {
    /// The movement in its own currency, `debit − credit` (an exchange difference is in the
    /// company currency).
    amount_currency: String,
    balance: String,
    credit: String,
    /// The document's or payment's currency; `debit`, `credit` and `balance` are in the
    /// company currency, at the rate it was booked at.
    currency: String,
    #[schema(format = Date)]
    date: String,
    debit: String,
    /// `Invoice`, `Credit note` or `Payment received`.
    description: &'static str,
    /// The document's number, or the payment's reference.
    document: String,
}

/// A customer's statement: the balance brought forward, the period's movements, the balance
/// owed at its end and how old it is.
// Fields in alphabetical order: the order the API has always written them in.
#[derive(Serialize, ToSchema)]
#[schema(as = Statement)]
pub struct StatementDto {
    /// What is open at `date_to`, by days past due.
    ageing: BucketsDto,
    closing_balance: String,
    currency: String,
    /// The customer's name.
    customer: String,
    #[schema(format = Date)]
    date_from: String,
    #[schema(format = Date)]
    date_to: String,
    opening_balance: String,
    rows: Vec<StatementRow>,
}

impl StatementDto {
    fn new(s: &Statement, customer: String, books: &Books) -> StatementDto {
        let d = books.decimals;
        let m = |v: i64| money::format(v, d);
        StatementDto {
            ageing: BucketsDto::new(&s.ageing, d),
            closing_balance: m(s.closing),
            currency: books.currency.clone(),
            customer,
            date_from: s.from.to_string(),
            date_to: s.to.to_string(),
            opening_balance: m(s.opening),
            rows: s
                .lines
                .iter()
                .map(|l| StatementRow {
                    amount_currency: money::format(l.amount_currency, money::decimals(&l.currency)),
                    balance: m(l.balance),
                    credit: m(l.credit),
                    currency: l.currency.clone(),
                    date: l.date.to_string(),
                    debit: m(l.debit),
                    description: l.description,
                    document: l.document.clone(),
                })
                .collect(),
        }
    }
}

/// The customer `id` (a 404 before any question about the dates) and their statement for the
/// period the query asks.
fn build(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid, q: &ReportQuery) -> Result<(Contact, Statement), ApiError> {
    let customer = contacts::get(tx, ctx.books.company_id, id)?
        .filter(|c| c.is_customer)
        .ok_or(ApiError::NotFound)?;
    let (from, to) = reports::period(
        q.date("date_from")?,
        q.date("date_to")?,
        ctx.today,
        Date::first_of_month,
    )
    .ok_or_else(|| ApiError::field("date_from", "The start of the period is after its end."))?;
    let movements = statement_movements(tx, ctx.books, id, to)?;
    let open = open_items(tx, ctx.books, Side::Receivables, to, Some(id))?;
    Ok((customer, statement::statement(movements, from, to, &open)?))
}

pub async fn json(c: InCompany<perm::ViewDocuments>, Id(id): Id, q: ReportQuery) -> Reply<Json<StatementDto>> {
    c.read(move |tx, ctx| {
        let (customer, statement) = build(tx, ctx, id, &q)?;
        Ok(StatementDto::new(&statement, customer.name, ctx.books))
    })
    .await
    .map(Json)
}

pub async fn pdf(State(app): State<AppState>, c: InCompany<perm::ViewDocuments>, Id(id): Id, q: ReportQuery) -> Reply {
    let (doc, template) = c
        .read(move |tx, ctx| {
            let (customer, statement) = build(tx, ctx, id, &q)?;
            let (logo, template) = super::documents::print::firm_look(tx, ctx.company)?;
            Ok((pdf_document(ctx.company, logo, customer, &statement), template))
        })
        .await?;
    // Drawn outside the transaction: no reader is held while the PDF is laid out.
    let bytes = app
        .blocking(move |_| pdf::render(&doc, &template).map_err(|e| ApiError::Internal(e.to_string())))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"statement.pdf\""),
        ],
        bytes,
    )
        .into_response())
}

/// The statement as the PDF renderer takes it.
fn pdf_document(company: &Company, logo: Option<Vec<u8>>, customer: Contact, s: &Statement) -> pdf::Document {
    let Buckets([current, days_1_30, days_31_60, days_61_90, over_90]) = s.ageing;
    pdf::Document {
        kind: pdf::DocumentKind::Statement,
        company: print::company(company, logo),
        recipient: print::recipient(Some(&customer)),
        number: format!("{} – {}", s.from, s.to),
        issue_date: s.to,
        due_date: None,
        reference: None,
        currency: company.currency.clone(),
        statement: pdf::Statement {
            period_start: Some(s.from),
            opening_balance: s.opening,
            rows: s
                .lines
                .iter()
                .map(|l| pdf::StatementRow {
                    date: l.date,
                    document: l.document.clone(),
                    description: l.description.to_owned(),
                    debit: l.debit,
                    credit: l.credit,
                })
                .collect(),
            ageing: pdf::Ageing {
                current,
                days_1_30,
                days_31_60,
                days_61_90,
                over_90,
            },
        },
        ..pdf::Document::default()
    }
}

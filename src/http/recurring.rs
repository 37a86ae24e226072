//! `/api/invoicing/recurring-invoices/`: schedules that make invoices by themselves, and
//! `…/run/`, which makes the company's due invoices now (what the server's scheduler does every
//! few minutes).

use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::accounting::present;
use super::company::{InCompany, JsonBody, perm};
use super::conventions::optional_date;
use super::documents::{LineBody, line_input};
use super::error::{ApiError, Reply};
use super::journal::ReverseBody;
use super::resource::{Form, Records, Shows};
use crate::domain::FieldErrors;
use crate::domain::books::Books;
use crate::domain::documents::Document;
use crate::domain::documents::recurring::{self, Recurring, RecurringChanges};

/// A schedule as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name`,
/// `contact`, `frequency` and `lines`; a `PATCH` changes only what it sends.
#[derive(Deserialize, ToSchema)]
#[schema(as = RecurringInput)]
pub struct RecurringBody {
    name: Option<String>,
    contact: Option<Uuid>,
    /// `weekly`, `monthly`, `quarterly` or `yearly`.
    frequency: Option<String>,
    /// Every so many weeks, months, quarters or years: 1 to 12 (default 1).
    every: Option<i64>,
    /// `YYYY-MM-DD`; the company's today when a new schedule leaves it out.
    #[schema(format = Date)]
    start_date: Option<String>,
    /// `null` for a schedule without end.
    #[serde(default, deserialize_with = "present")]
    #[schema(format = Date)]
    end_date: Option<Option<String>>,
    /// `null`: the customer's terms apply.
    #[serde(default, deserialize_with = "present")]
    payment_terms_days: Option<Option<i64>>,
    reference: Option<String>,
    notes: Option<String>,
    /// Issue each invoice as it is made (otherwise it stays a draft).
    auto_issue: Option<bool>,
    is_active: Option<bool>,
    /// The template: the lines of each invoice, as an invoice takes them.
    lines: Option<Vec<LineBody>>,
}

impl Form<RecurringChanges> for RecurringBody {
    type Raw = RecurringBody;
    fn changes(body: RecurringBody) -> Result<(RecurringChanges, FieldErrors), ApiError> {
        let end_date = match body.end_date {
            Some(end) => Some(optional_date("end_date", end.as_deref())?),
            None => None,
        };
        let changes = RecurringChanges {
            name: body.name,
            contact: body.contact,
            frequency: body.frequency,
            every: body.every,
            start_date: optional_date("start_date", body.start_date.as_deref())?,
            end_date,
            payment_terms_days: body.payment_terms_days,
            reference: body.reference,
            notes: body.notes,
            auto_issue: body.auto_issue,
            is_active: body.is_active,
            lines: body.lines.map(|lines| lines.iter().map(line_input).collect()),
        };
        Ok((changes, FieldErrors::default()))
    }
}

/// A template line as the API shows it: as it was sent (amounts are worked out on each invoice).
#[derive(Serialize, ToSchema)]
#[schema(as = RecurringLine)]
pub struct RecurringLineDto {
    account: Option<Uuid>,
    description: String,
    discount_percent: Option<String>,
    item: Option<Uuid>,
    quantity: Option<String>,
    tax_rate: Option<Uuid>,
    unit_price: Option<String>,
}

/// A schedule as the API shows it.
// Fields in alphabetical order: the order the API has always written them in.
#[derive(Serialize, ToSchema)]
#[schema(as = Recurring)]
pub struct RecurringDto {
    auto_issue: bool,
    contact: Uuid,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = Date)]
    end_date: Option<String>,
    every: i64,
    /// `weekly`, `monthly`, `quarterly` or `yearly`.
    frequency: &'static str,
    /// Invoices made so far.
    generated: i64,
    id: Uuid,
    is_active: bool,
    lines: Vec<RecurringLineDto>,
    name: String,
    /// The next invoice's date; `null` once the schedule has ended.
    #[schema(format = Date)]
    next_date: Option<String>,
    notes: String,
    payment_terms_days: Option<i64>,
    reference: String,
    #[schema(format = Date)]
    start_date: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

impl Shows<Recurring> for RecurringDto {
    fn show(r: &Recurring, _: &Books) -> Self {
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        RecurringDto {
            auto_issue: r.auto_issue,
            contact: r.contact_id,
            created_at: r.created_at.to_string(),
            end_date: date(r.end_date),
            every: r.every,
            frequency: r.frequency.as_str(),
            generated: r.generated,
            id: r.id,
            is_active: r.is_active,
            lines: r
                .lines
                .iter()
                .map(|l| RecurringLineDto {
                    account: l.account,
                    description: l.description.clone(),
                    discount_percent: l.discount_percent.clone(),
                    item: l.item,
                    quantity: l.quantity.clone(),
                    tax_rate: l.tax_rate,
                    unit_price: l.unit_price.clone(),
                })
                .collect(),
            name: r.name.clone(),
            next_date: date(r.next_date),
            notes: r.notes.clone(),
            payment_terms_days: r.payment_terms_days,
            reference: r.reference.clone(),
            start_date: r.start_date.to_string(),
            updated_at: r.updated_at.to_string(),
        }
    }
}

/// An invoice a run made.
#[derive(Serialize, ToSchema)]
#[schema(as = RecurringRunInvoice)]
pub struct MadeDto {
    id: Uuid,
    #[schema(format = Date)]
    issue_date: String,
    /// `null` for a draft (a schedule that does not issue).
    number: Option<String>,
    status: &'static str,
}

/// What `…/run/` made.
#[derive(Serialize, ToSchema)]
#[schema(as = RecurringRun)]
pub struct RunDto {
    count: usize,
    #[schema(format = Date)]
    date: String,
    invoices: Vec<MadeDto>,
}

impl RunDto {
    fn new(date: Date, made: &[Document]) -> RunDto {
        RunDto {
            count: made.len(),
            date: date.to_string(),
            invoices: made
                .iter()
                .map(|d| MadeDto {
                    id: d.id,
                    issue_date: d.issue_date.to_string(),
                    number: d.number.clone(),
                    status: d.status.as_str(),
                })
                .collect(),
        }
    }
}

/// Recurring schedules, served by the generic handlers of `http::resource`.
pub type Recurrings = Records<perm::ViewDocuments, perm::IssueDocuments, Recurring, RecurringDto, RecurringBody>;

/// Makes the company's due invoices now; `{"date": "YYYY-MM-DD"}` (optional) runs as of a date.
pub async fn run(c: InCompany<perm::IssueDocuments>, mut body: JsonBody<ReverseBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let date = optional_date("date", body.parse_or_default()?.date.as_deref())?.unwrap_or(ctx.today);
        Ok(RunDto::new(date, &recurring::run_due(tx, ctx, date)?))
    })
    .await
}

//! How the API shows a journal entry and its lines.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::ledger::{Books, JournalEntry};
use crate::domain::money;

#[derive(Serialize, ToSchema)]
#[schema(as = JournalLine)]
pub struct LineDto {
    pub line_no: i64,
    pub account: Uuid,
    pub description: String,
    /// As entered: in `currency` when the line is in a foreign currency.
    pub debit_amount: String,
    pub credit_amount: String,
    pub currency: Option<String>,
    pub exchange_rate: Option<String>,
    /// In the company currency.
    pub base_debit: String,
    pub base_credit: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = JournalEntry)]
pub struct EntryDto {
    pub id: Uuid,
    pub company: Uuid,
    /// Gap-free per company, given when the entry is posted.
    pub number: Option<i64>,
    pub date: String,
    pub reference: String,
    pub description: String,
    /// `draft`, `approved`, `posted`, `cancelled` or `reversed`.
    pub status: &'static str,
    pub currency: String,
    pub total: String,
    pub created_by: Uuid,
    /// Who last changed the draft; they may not approve it.
    pub edited_by: Option<Uuid>,
    pub approved_by: Option<Uuid>,
    pub posted_by: Option<Uuid>,
    pub posted_at: Option<String>,
    pub reverses: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<LineDto>,
}

impl EntryDto {
    pub fn new(e: &JournalEntry, books: &Books) -> EntryDto {
        let d = books.decimals;
        EntryDto {
            id: e.id,
            company: e.company_id,
            number: e.number,
            date: e.date.to_string(),
            reference: e.reference.clone(),
            description: e.description.clone(),
            status: e.status.as_str(),
            currency: books.currency.clone(),
            total: money::format(e.total, d),
            created_by: e.created_by,
            edited_by: e.edited_by,
            approved_by: e.approved_by,
            posted_by: e.posted_by,
            posted_at: e.posted_at.map(|t| t.to_string()),
            reverses: e.reverses_id,
            reversed_by: e.reversed_by_id,
            created_at: e.created_at.to_string(),
            updated_at: e.updated_at.to_string(),
            lines: e
                .lines
                .iter()
                .map(|l| {
                    let (debit_amount, credit_amount) = l.as_entered(d);
                    LineDto {
                        line_no: l.line_no,
                        account: l.account_id,
                        description: l.description.clone(),
                        debit_amount,
                        credit_amount,
                        currency: l.currency.clone(),
                        exchange_rate: l.exchange_rate.clone(),
                        base_debit: money::format(l.debit, d),
                        base_credit: money::format(l.credit, d),
                    }
                })
                .collect(),
        }
    }
}

/// One entry of a bulk posting's answer.
#[derive(Serialize, ToSchema)]
#[schema(as = BulkPostedEntry)]
pub struct Posted {
    pub id: Uuid,
    pub number: i64,
}

/// The answer to a bulk posting: every entry, in the order sent.
#[derive(Serialize, ToSchema)]
#[schema(as = BulkResult)]
pub struct BulkPosted {
    pub count: usize,
    pub entries: Vec<Posted>,
}

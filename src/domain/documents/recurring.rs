//! Recurring invoices: a template and a schedule. Each due date makes one invoice (issued at once
//! when the schedule says so); the store's unique (schedule, date) key makes a second attempt for
//! the same date impossible, so a restart or a second server never bills twice.

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use uuid::Uuid;

use super::operations::{create_draft, issue};
use super::{DocDb, Document, DocumentError, DocumentInput, DocumentKind, DocumentStore, LineInput};
use crate::domain::FieldErrors;
use crate::domain::ledger::{AuditRecord, Ctx};

type Result<T, S> = std::result::Result<T, DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// Invoices one run makes per schedule at most: a long outage catches up over several runs.
pub const CATCH_UP_LIMIT: usize = 36;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        [
            Frequency::Weekly,
            Frequency::Monthly,
            Frequency::Quarterly,
            Frequency::Yearly,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub contact_id: Uuid,
    pub frequency: Frequency,
    /// Every `every` weeks/months/quarters/years.
    pub every: i64,
    pub start_date: Date,
    pub end_date: Option<Date>,
    /// The next invoice's date; `None` once the schedule has ended.
    pub next_date: Option<Date>,
    pub payment_terms_days: Option<i64>,
    pub reference: String,
    pub notes: String,
    pub auto_issue: bool,
    pub is_active: bool,
    pub generated: i64,
    pub lines: Vec<LineInput>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The `n`-th date of a schedule from its start. Counting from the start (not from the previous
/// date) keeps month ends: a schedule from 31 January runs 28/29 February, then 31 March.
pub fn nth_date(start: Date, frequency: Frequency, every: i64, n: i64) -> Option<Date> {
    let steps = every.checked_mul(n)?;
    let span = match frequency {
        Frequency::Weekly => steps.checked_mul(7)?.days(),
        Frequency::Monthly => steps.months(),
        Frequency::Quarterly => steps.checked_mul(3)?.months(),
        Frequency::Yearly => steps.years(),
    };
    start.checked_add(span).ok()
}

/// Checks a schedule's own fields (the template's lines are checked as a draft would be).
pub fn check(r: &Recurring) -> std::result::Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    if r.name.trim().is_empty() {
        e.add("name", "This field may not be blank.");
    }
    if !(1..=12).contains(&r.every) {
        e.add("every", "Ensure this value is between 1 and 12.");
    }
    if r.end_date.is_some_and(|end| end < r.start_date) {
        e.add("end_date", "The end date cannot be before the start date.");
    }
    if r.lines.is_empty() {
        e.add("lines", "A recurring invoice needs at least one line.");
    }
    e.into_result()
}

/// The template as a draft's input, dated `date`.
pub fn input_for(r: &Recurring, date: Date) -> DocumentInput {
    DocumentInput {
        contact: Some(r.contact_id),
        issue_date: Some(date),
        due_date: None,
        currency: None,
        reference: r.reference.clone(),
        notes: r.notes.clone(),
        payment_terms_days: r.payment_terms_days,
        credited_document: None,
        lines: r.lines.clone(),
    }
}

/// What recurring invoices need from storage.
pub trait RecurringStore: DocumentStore {
    /// Locks the schedule until commit (two schedulers never both generate its next date).
    fn lock_recurring(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Recurring>, Self::Error>;
    fn save_recurring_progress(&mut self, r: &Recurring) -> std::result::Result<(), Self::Error>;
    /// Marks a document as the schedule's invoice for `date`; refused by the store when that
    /// date already has one.
    fn link_recurring(&mut self, document: Uuid, recurring: Uuid, date: Date) -> std::result::Result<(), Self::Error>;
}

/// Makes every invoice of schedule `id` due on or before `today` (at most [`CATCH_UP_LIMIT`]),
/// each dated its own due date, in the caller's transaction.
pub fn generate_due<S: RecurringStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    today: Date,
) -> Result<Vec<Document>, S> {
    let Some(mut r) = store.lock_recurring(ctx.books.company_id, id).db()? else {
        return Err(DocumentError::NotFound);
    };
    let mut made = Vec::new();
    while r.is_active && made.len() < CATCH_UP_LIMIT {
        let Some(date) = r.next_date.filter(|d| *d <= today) else {
            break;
        };
        if r.end_date.is_some_and(|end| date > end) {
            r.next_date = None;
            break;
        }
        let draft = create_draft(store, ctx, DocumentKind::Invoice, &input_for(&r, date))?;
        store.link_recurring(draft.id, r.id, date).db()?;
        let doc = if r.auto_issue {
            issue(store, ctx, DocumentKind::Invoice, draft.id)?
        } else {
            draft
        };
        made.push(doc);
        r.generated = r.generated.saturating_add(1);
        r.next_date = nth_date(r.start_date, r.frequency, r.every, r.generated)
            .filter(|next| r.end_date.is_none_or(|end| *next <= end));
    }
    if !made.is_empty() || r.next_date.is_none() {
        r.updated_at = crate::domain::ledger::chain::now();
        store.save_recurring_progress(&r).db()?;
        store
            .audit(&AuditRecord {
                company_id: ctx.books.company_id,
                actor: ctx.actor,
                action: "generate",
                object_type: "recurring_invoice",
                object_id: r.id,
                changes: vec![("generated".into(), String::new(), made.len().to_string())],
            })
            .db()?;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn month_ends_are_kept_counting_from_the_start() {
        let start = date(2026, 1, 31);
        let dates: Vec<Date> = (0..4)
            .map(|n| nth_date(start, Frequency::Monthly, 1, n).unwrap())
            .collect();
        assert_eq!(
            dates,
            vec![
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30)
            ]
        );
        assert_eq!(nth_date(start, Frequency::Quarterly, 1, 1), Some(date(2026, 4, 30)));
        assert_eq!(
            nth_date(date(2024, 2, 29), Frequency::Yearly, 1, 1),
            Some(date(2025, 2, 28))
        );
        assert_eq!(nth_date(start, Frequency::Weekly, 2, 1), Some(date(2026, 2, 14)));
        assert_eq!(
            nth_date(start, Frequency::Weekly, 1, i64::MAX),
            None,
            "overflow is None, not a panic"
        );
    }
}

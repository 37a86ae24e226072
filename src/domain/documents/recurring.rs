//! Recurring invoices: a template and a schedule. Each due date makes one invoice (issued at once
//! when the schedule says so); the store's unique (schedule, date) key makes a second attempt for
//! the same date impossible, so a restart or a second server never bills twice.

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use uuid::Uuid;

use super::operations::{MAX_LINES, check_input, create_draft, issue};
use super::{DocDb, Document, DocumentError, DocumentInput, DocumentKind, DocumentStore, LineInput};
use crate::domain::audit::{self, AuditFields};
use crate::domain::ledger::{AuditRecord, Ctx};
use crate::domain::{Change, FieldErrors, Kept};

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
        exchange_rate: None,
        reference: r.reference.clone(),
        notes: r.notes.clone(),
        payment_terms_days: r.payment_terms_days,
        credited_document: None,
        lines: r.lines.clone(),
    }
}

/// What recurring invoices need from storage.
pub trait RecurringStore: DocumentStore {
    fn recurring(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Recurring>, Self::Error>;
    /// Saves a new schedule and its template lines.
    fn insert_recurring(&mut self, r: &Recurring) -> std::result::Result<(), Self::Error>;
    /// Saves a schedule and replaces its template lines.
    fn update_recurring(&mut self, r: &Recurring) -> std::result::Result<(), Self::Error>;
    /// Active schedules of the company with a next date on or before `date`, soonest first.
    fn due_recurring(&mut self, company: Uuid, date: Date) -> std::result::Result<Vec<Uuid>, Self::Error>;
    /// Locks the schedule until commit (two schedulers never both generate its next date).
    fn lock_recurring(&mut self, company: Uuid, id: Uuid) -> std::result::Result<Option<Recurring>, Self::Error>;
    fn save_recurring_progress(&mut self, r: &Recurring) -> std::result::Result<(), Self::Error>;
    /// Marks a document as the schedule's invoice for `date`; refused by the store when that
    /// date already has one.
    fn link_recurring(&mut self, document: Uuid, recurring: Uuid, date: Date) -> std::result::Result<(), Self::Error>;
}

/// What a request sets on a schedule; `None` keeps a field as it is (or, for a new schedule, at
/// its default). `end_date` and `payment_terms_days` may be set to `None` (cleared).
#[derive(Debug, Clone, Default)]
pub struct RecurringChanges {
    pub name: Option<String>,
    pub contact: Option<Uuid>,
    pub frequency: Option<String>,
    pub every: Option<i64>,
    pub start_date: Option<Date>,
    pub end_date: Option<Option<Date>>,
    pub payment_terms_days: Option<Option<i64>>,
    pub reference: Option<String>,
    pub notes: Option<String>,
    pub auto_issue: Option<bool>,
    pub is_active: Option<bool>,
    pub lines: Option<Vec<LineInput>>,
}

const REQUIRED: &str = "This field is required.";

impl<S: RecurringStore> Kept<S> for Recurring {
    type Changes = RecurringChanges;
    type Error = DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>;

    /// The schedule `id` of the context's company.
    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> std::result::Result<Recurring, Self::Error> {
        store
            .recurring(ctx.books.company_id, id)
            .db()?
            .ok_or(DocumentError::NotFound)
    }

    /// Sets up a schedule (`current` = `None`) or changes one. A create and a replace need `name`,
    /// `contact`, `frequency` and `lines`; the template must make a valid invoice (it is checked as
    /// a draft would be, then not kept). The schedule restarts from its start date, skipping the
    /// invoices it already made.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<Recurring>,
        how: Change,
        changes: RecurringChanges,
        mut errors: FieldErrors,
    ) -> std::result::Result<Recurring, Self::Error> {
        if how.requires_all() {
            for (field, missing) in [
                ("name", changes.name.is_none()),
                ("contact", changes.contact.is_none()),
                ("frequency", changes.frequency.is_none()),
                ("lines", changes.lines.is_none()),
            ] {
                if missing {
                    errors.add(field, REQUIRED);
                }
            }
        }
        let base = current.as_ref();
        let frequency = match changes.frequency.as_deref() {
            Some(f) => Frequency::parse(f).or_else(|| {
                errors.add("frequency", format!("\"{f}\" is not a valid choice."));
                None
            }),
            None => base.map(|b| b.frequency),
        };
        if changes.lines.as_ref().is_some_and(|l| l.len() > MAX_LINES) {
            errors.add("lines", format!("A document has at most {MAX_LINES} lines."));
        }
        errors.into_result()?;
        let (Some(frequency), Some(contact_id)) = (frequency, changes.contact.or(base.map(|b| b.contact_id))) else {
            return Err(FieldErrors::single("non_field_errors", "The schedule is incomplete.").into());
        };
        let keep =
            |new: Option<String>, old: fn(&Recurring) -> String| new.or_else(|| base.map(old)).unwrap_or_default();
        let now = ctx.now;
        let mut r = Recurring {
            id: base.map_or_else(Uuid::now_v7, |b| b.id),
            company_id: ctx.books.company_id,
            name: keep(changes.name, |b| b.name.clone()).trim().to_owned(),
            contact_id,
            frequency,
            every: changes.every.or(base.map(|b| b.every)).unwrap_or(1),
            start_date: changes.start_date.or(base.map(|b| b.start_date)).unwrap_or(ctx.today),
            end_date: changes.end_date.unwrap_or_else(|| base.and_then(|b| b.end_date)),
            next_date: None,
            // `null` clears the schedule's terms (the customer's apply); absent keeps them.
            payment_terms_days: changes
                .payment_terms_days
                .unwrap_or_else(|| base.and_then(|b| b.payment_terms_days)),
            reference: keep(changes.reference, |b| b.reference.clone()),
            notes: keep(changes.notes, |b| b.notes.clone()),
            auto_issue: changes.auto_issue.or(base.map(|b| b.auto_issue)).unwrap_or(false),
            is_active: changes.is_active.or(base.map(|b| b.is_active)).unwrap_or(true),
            generated: base.map_or(0, |b| b.generated),
            lines: changes
                .lines
                .or_else(|| base.map(|b| b.lines.clone()))
                .unwrap_or_default(),
            created_by: base.map_or(ctx.actor, |b| b.created_by),
            created_at: base.map_or(now, |b| b.created_at),
            updated_at: now,
        };
        check(&r)?;
        check_input(store, ctx, DocumentKind::Invoice, &input_for(&r, r.start_date))?;
        r.next_date = next_date(&r);
        match base {
            Some(_) => store.update_recurring(&r),
            None => store.insert_recurring(&r),
        }
        .db()?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("recurring_invoice", r.id),
            before.as_ref(),
            Some(&audit_fields(&r)),
        );
        store.audit(&record).db()?;
        Ok(r)
    }
}

/// The date of the schedule's next invoice, `None` once it has ended.
fn next_date(r: &Recurring) -> Option<Date> {
    nth_date(r.start_date, r.frequency, r.every, r.generated).filter(|d| r.end_date.is_none_or(|end| *d <= end))
}

/// How the audit trail reads a schedule.
fn audit_fields(r: &Recurring) -> AuditFields {
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    vec![
        ("name", r.name.clone()),
        ("contact", r.contact_id.to_string()),
        ("frequency", r.frequency.as_str().to_owned()),
        ("every", r.every.to_string()),
        ("start_date", r.start_date.to_string()),
        ("end_date", date(r.end_date)),
        ("auto_issue", r.auto_issue.to_string()),
        ("is_active", r.is_active.to_string()),
        ("lines", r.lines.len().to_string()),
    ]
}

/// Makes every invoice of the company's schedules due on or before `date`, in the caller's
/// transaction (the server's scheduler runs one transaction per schedule instead).
pub fn run_due<S: RecurringStore>(store: &mut S, ctx: &Ctx<'_>, date: Date) -> Result<Vec<Document>, S> {
    let mut made = Vec::new();
    for id in store.due_recurring(ctx.books.company_id, date).db()? {
        made.extend(generate_due(store, ctx, id, date)?);
    }
    Ok(made)
}

/// Makes every invoice of schedule `id` due on or before `as_of` (at most [`CATCH_UP_LIMIT`]),
/// each dated its own due date, in the caller's transaction.
pub fn generate_due<S: RecurringStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    as_of: Date,
) -> Result<Vec<Document>, S> {
    let Some(mut r) = store.lock_recurring(ctx.books.company_id, id).db()? else {
        return Err(DocumentError::NotFound);
    };
    let mut made = Vec::new();
    while r.is_active && made.len() < CATCH_UP_LIMIT {
        let Some(date) = r.next_date.filter(|d| *d <= as_of) else {
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
        r.generated = r
            .generated
            .checked_add(1)
            .ok_or_else(|| DocumentError::State("This schedule has made as many invoices as it can count.".into()))?;
        r.next_date = next_date(&r);
    }
    if !made.is_empty() || r.next_date.is_none() {
        r.updated_at = ctx.now;
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

//! Payments received from customers and made to vendors: posted to a bank or cash account and
//! allocated over open invoices or bills. What is not allocated stays as the contact's credit.

use jiff::civil::Date;
use uuid::Uuid;

use super::operations::apply;
use super::{Allocation, Direction, DocDb, DocumentError, DocumentKind, DocumentStore, Payment, foreign};
use crate::domain::FieldErrors;
use crate::domain::ledger::{self, AuditRecord, Ctx, EntryInput, LineInput as EntryLine};
use crate::domain::money;
use crate::domain::reports::{self, Overflow};

type Result<T, S> = std::result::Result<T, DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>>;

#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    pub direction: Option<String>,
    pub contact: Option<Uuid>,
    pub date: Option<Date>,
    pub amount: Option<String>,
    pub bank_account: Option<Uuid>,
    pub reference: String,
    pub allocations: Vec<AllocationInput>,
    /// The payment's currency (`None`: the company's); its documents must be in it.
    pub currency: Option<String>,
    /// The rate as typed; `None`: the rate of the payment's date.
    pub exchange_rate: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AllocationInput {
    pub document: Option<Uuid>,
    pub amount: Option<String>,
}

/// The document kind a payment in `direction` settles.
fn settles(direction: Direction) -> DocumentKind {
    match direction {
        Direction::Received => DocumentKind::Invoice,
        Direction::Made => DocumentKind::Bill,
    }
}

/// Records and posts a payment, then allocates it.
pub fn record<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, input: &PaymentInput) -> Result<Payment, S> {
    let company = ctx.books.company_id;
    let mut errors = FieldErrors::default();
    let direction = match input.direction.as_deref() {
        Some(d) => Direction::parse(d).or_else(|| {
            errors.add("direction", format!("\"{d}\" is not a valid choice."));
            None
        }),
        None => {
            errors.add("direction", "This field is required.");
            None
        }
    };
    let contact = match (input.contact, direction) {
        (None, _) => {
            errors.add("contact", "This field is required.");
            None
        }
        (Some(id), Some(dir)) => match store.contact(company, id).db()? {
            Some(c)
                if c.is_active
                    && (if dir == Direction::Received {
                        c.is_customer
                    } else {
                        c.is_vendor
                    }) =>
            {
                Some(c)
            }
            _ => {
                errors.add(
                    "contact",
                    if dir == Direction::Received {
                        "Choose an active customer."
                    } else {
                        "Choose an active vendor."
                    },
                );
                None
            }
        },
        (Some(_), None) => None,
    };
    let (currency, decimals, given) = foreign::currency_and_rate(
        input.currency.as_deref(),
        input.exchange_rate.as_deref(),
        ctx.books,
        "payment",
        &mut errors,
    );
    let amount = match input.amount.as_deref() {
        Some(t) => match money::parse(t).and_then(|d| money::to_minor(d, decimals)) {
            Ok(a) if a > 0 => Some(a),
            Ok(_) => {
                errors.add("amount", "Enter an amount above 0.");
                None
            }
            Err(e) => {
                errors.add("amount", e.to_string());
                None
            }
        },
        None => {
            errors.add("amount", "This field is required.");
            None
        }
    };
    let bank = match input.bank_account {
        Some(id) => match store.account(company, id).db()? {
            Some(a) if a.is_active && matches!(a.subtype.as_str(), "bank" | "cash") => Some(a),
            _ => {
                errors.add("bank_account", "Choose an active bank or cash account.");
                None
            }
        },
        None => {
            errors.add("bank_account", "This field is required.");
            None
        }
    };
    if input.reference.chars().count() > 100 {
        errors.add("reference", "Ensure this field has no more than 100 characters.");
    }
    errors.into_result()?;
    let (Some(direction), Some(contact), Some(amount), Some(bank)) = (direction, contact, amount, bank) else {
        return Err(FieldErrors::single("non_field_errors", "The payment is incomplete.").into());
    };
    let control_subtype = settles(direction).control_subtype();
    let control = store
        .account_by_subtype(company, control_subtype)
        .db()?
        .ok_or_else(|| {
            DocumentError::State(format!(
                "The chart of accounts has no active account of subtype \"{control_subtype}\": add one first."
            ))
        })?;
    let date = input.date.unwrap_or(ctx.today);
    let rate = foreign::rate_for(store, ctx, &currency, date, given)?;
    let (debit, credit) = match direction {
        Direction::Received => (bank.id, control.id),
        Direction::Made => (control.id, bank.id),
    };
    let what = if direction == Direction::Received {
        "Payment from"
    } else {
        "Payment to"
    };
    let lines = match rate {
        None => {
            let text = money::format(amount, ctx.books.decimals);
            vec![
                EntryLine {
                    account_id: Some(debit),
                    description: contact.name.clone(),
                    debit: Some(text.clone()),
                    ..EntryLine::default()
                },
                EntryLine {
                    account_id: Some(credit),
                    description: contact.name.clone(),
                    credit: Some(text),
                    ..EntryLine::default()
                },
            ]
        }
        Some(rate) => {
            let base = foreign::to_company(ctx, &currency, amount, rate)?;
            if base == 0 {
                return Err(
                    FieldErrors::single("amount", "This amount is worth nothing in the company currency.").into(),
                );
            }
            // The bank line is kept in the payment's currency only when the bank account is (a
            // bank account of the banking area in that currency): money in another currency paid
            // into a company-currency account arrives converted.
            let kept_in = store.bank_currency(company, bank.id).db()?;
            let sign = if direction == Direction::Received { 1 } else { -1 };
            let bank_line = if kept_in.as_deref() == Some(currency.as_str()) {
                foreign::line(bank.id, &contact.name, &currency, amount, rate, sign * base)
            } else {
                foreign::company_line(ctx, bank.id, &contact.name, sign * base)
            };
            let control_line = foreign::line(control.id, &contact.name, &currency, amount, rate, -sign * base);
            if direction == Direction::Received {
                vec![bank_line, control_line]
            } else {
                vec![control_line, bank_line]
            }
        }
    };
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: input.reference.trim().to_owned(),
            description: format!("{what} {}", contact.name),
            lines,
        },
    )?;
    let now = ctx.now;
    let payment = Payment {
        id: Uuid::now_v7(),
        company_id: company,
        direction,
        contact_id: contact.id,
        date,
        amount,
        bank_account_id: bank.id,
        reference: input.reference.trim().to_owned(),
        is_void: false,
        journal_entry_id: entry.id,
        void_entry_id: None,
        created_by: ctx.actor,
        created_at: now,
        updated_at: now,
        currency: Some(currency.clone()),
        exchange_rate: rate,
    };
    store.insert_payment(&payment).db()?;
    audit(
        store,
        ctx,
        "create",
        &payment,
        vec![("amount".into(), String::new(), money::format(amount, decimals))],
    )?;
    allocate_checked(store, ctx, &payment, 0, &input.allocations)?;
    Ok(payment)
}

/// Allocates more of a payment's unallocated amount (a customer's credit applied later).
pub fn allocate<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    allocations: &[AllocationInput],
) -> Result<Payment, S> {
    let company = ctx.books.company_id;
    store.lock_payment(company, id).db()?;
    let payment = store.payment(company, id).db()?.ok_or(DocumentError::NotFound)?;
    if payment.is_void {
        return Err(DocumentError::State("This payment is void.".into()));
    }
    let allocated = reports::sum(
        store.allocations_from(company, id).db()?.iter().map(|a| a.amount),
        "allocations",
    )
    .map_err(|e| DocumentError::State(e.to_string()))?;
    allocate_checked(store, ctx, &payment, allocated, allocations)?;
    Ok(payment)
}

/// What is left of a payment to allocate (nothing once it is void).
pub fn unallocated(payment: &Payment, allocations: &[Allocation]) -> std::result::Result<i64, Overflow> {
    if payment.is_void {
        return Ok(0);
    }
    let allocated = reports::sum(allocations.iter().map(|a| a.amount), "allocations")?;
    reports::sub(payment.amount, allocated, "allocations")
}

/// Checks every allocation (an open document of the payment's contact and side, within its
/// balance and within what is left of the payment) and applies them; all or none. `already`
/// (what was allocated before) and every amount are positive, so the differences below cannot
/// overflow; only the running total can, and then it exceeds any payment.
fn allocate_checked<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    payment: &Payment,
    already: i64,
    allocations: &[AllocationInput],
) -> Result<(), S> {
    let company = ctx.books.company_id;
    let currency = payment.currency_or(&ctx.books.currency).to_owned();
    let decimals = money::decimals(&currency);
    let mut errors = FieldErrors::default();
    let mut planned = Vec::new();
    // `None` once the allocations add up beyond any amount.
    let mut total = Some(already);
    for (i, a) in allocations.iter().enumerate() {
        let f = |n: &str| format!("allocations[{i}].{n}");
        let Some(doc_id) = a.document else {
            errors.add(&f("document"), "This field is required.");
            continue;
        };
        if planned.iter().any(|(d, _): &(super::Document, i64)| d.id == doc_id) {
            errors.add(&f("document"), "Each document appears once.");
            continue;
        }
        store.lock_document(company, doc_id).db()?;
        let doc = match store.document(company, doc_id).db()? {
            Some(d)
                if d.kind == settles(payment.direction) && d.contact_id == payment.contact_id && d.status.is_open() =>
            {
                d
            }
            _ => {
                errors.add(
                    &f("document"),
                    format!("Choose an open {} of this contact.", settles(payment.direction).noun()),
                );
                continue;
            }
        };
        if doc.currency != currency {
            errors.add(
                &f("document"),
                format!(
                    "{} is in {}; this payment is in {currency}. Allocate payments to documents in their own currency.",
                    doc.number.clone().unwrap_or_default(),
                    doc.currency
                ),
            );
            continue;
        }
        let amount = match a.amount.as_deref() {
            None => Some(doc.balance_due().min(total.map_or(0, |t| payment.amount - t))),
            Some(t) => match money::parse(t).and_then(|d| money::to_minor(d, decimals)) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.add(&f("amount"), e.to_string());
                    None
                }
            },
        };
        let Some(amount) = amount else { continue };
        if amount <= 0 {
            errors.add(&f("amount"), "Enter an amount above 0.");
            continue;
        }
        if amount > doc.balance_due() {
            errors.add(
                &f("amount"),
                format!(
                    "Only {} is due on {}.",
                    money::format(doc.balance_due(), decimals),
                    doc.number.clone().unwrap_or_default()
                ),
            );
            continue;
        }
        total = total.and_then(|t| t.checked_add(amount));
        planned.push((doc, amount));
    }
    if total.is_none_or(|t| t > payment.amount) {
        errors.add(
            "allocations",
            format!(
                "The allocations exceed the payment: {} left to allocate.",
                money::format(payment.amount - already, decimals)
            ),
        );
    }
    errors.into_result()?;
    let mut before = already;
    for (mut doc, amount) in planned {
        let from = foreign::Source {
            rate: payment.exchange_rate,
            before,
        };
        apply(store, ctx, (payment.id, payment.date), &from, &mut doc, amount)?;
        before = before.saturating_add(amount);
    }
    Ok(())
}

/// Voids a payment: its entry reversed on `date` (default: the payment date, never before it),
/// its allocations ended on that date (kept for reports as of earlier dates), the documents it
/// paid open again.
pub fn void<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, date: Option<Date>) -> Result<Payment, S> {
    let company = ctx.books.company_id;
    store.lock_payment(company, id).db()?;
    let mut payment = store.payment(company, id).db()?.ok_or(DocumentError::NotFound)?;
    if payment.is_void {
        return Err(DocumentError::State("This payment is already void.".into()));
    }
    let date = date.unwrap_or(payment.date);
    if date < payment.date {
        return Err(FieldErrors::single(
            "date",
            format!("A void cannot be dated before the payment ({}).", payment.date),
        )
        .into());
    }
    let reversal = ledger::reverse(store, ctx, payment.journal_entry_id, Some(date))?;
    for a in store.allocations_from(company, id).db()? {
        if let Some(exchange) = a.exchange_entry_id {
            // The realised difference goes with the payment that realised it: reversed on the
            // void's date, or on its own if the payment is voided before the allocation took
            // effect (a payment made before the invoice it was allocated to), so it never
            // stood at all.
            ledger::reverse(store, ctx, exchange, Some(date.max(a.date)))?;
        }
        store.lock_document(company, a.document_id).db()?;
        if let Some(mut doc) = store.document(company, a.document_id).db()? {
            // What was applied is part of what was paid: the difference cannot overflow.
            doc.amount_paid -= a.amount;
            doc.status = doc.settled_status();
            doc.updated_at = ctx.now;
            store.update_document(&doc).db()?;
        }
    }
    store.end_allocations_from(company, id, date).db()?;
    payment.is_void = true;
    payment.void_entry_id = Some(reversal.id);
    payment.updated_at = ctx.now;
    store.update_payment(&payment).db()?;
    audit(
        store,
        ctx,
        "void",
        &payment,
        vec![("status".into(), "posted".into(), "void".into())],
    )?;
    Ok(payment)
}

fn audit<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    p: &Payment,
    changes: Vec<(String, String, String)>,
) -> Result<(), S> {
    store
        .audit(&AuditRecord {
            company_id: ctx.books.company_id,
            actor: ctx.actor,
            action,
            object_type: "payment",
            object_id: p.id,
            changes,
        })
        .db()
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use jiff::civil::date;

    use super::*;

    fn payment(amount: i64, is_void: bool) -> Payment {
        Payment {
            id: Uuid::nil(),
            company_id: Uuid::nil(),
            direction: Direction::Received,
            contact_id: Uuid::nil(),
            date: date(2026, 3, 1),
            amount,
            bank_account_id: Uuid::nil(),
            reference: String::new(),
            is_void,
            journal_entry_id: Uuid::nil(),
            void_entry_id: None,
            created_by: Uuid::nil(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            currency: None,
            exchange_rate: None,
        }
    }

    fn allocated(amounts: &[i64]) -> Vec<Allocation> {
        amounts
            .iter()
            .map(|amount| Allocation {
                id: Uuid::nil(),
                company_id: Uuid::nil(),
                source_id: Uuid::nil(),
                document_id: Uuid::nil(),
                amount: *amount,
                date: date(2026, 3, 1),
                ended_on: None,
                created_at: Timestamp::UNIX_EPOCH,
                exchange_entry_id: None,
                carried: None,
            })
            .collect()
    }

    #[test]
    fn what_is_left_to_allocate_is_exact_or_refused() {
        assert_eq!(
            unallocated(&payment(110_000, false), &allocated(&[40_000, 60_000])),
            Ok(10_000)
        );
        assert_eq!(unallocated(&payment(110_000, true), &allocated(&[40_000])), Ok(0));
        assert_eq!(
            unallocated(&payment(5, false), &allocated(&[i64::MAX, 1])),
            Err(Overflow("allocations"))
        );
    }
}

//! Issuing and voiding. Issuing gives a draft the next gap-free number of its series and posts
//! its entry through the ledger (the control account against revenue or expense and tax); a
//! credit is applied to the document it corrects. Voiding reverses the entry; the number stays
//! used.

use std::collections::BTreeMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::build::contact_for;
use super::{Result, audit, draft, locked};
use crate::domain::FieldErrors;
use crate::domain::documents::{
    Allocation, DocDb, Document, DocumentError, DocumentKind, DocumentStatus, DocumentStore, foreign,
};
use crate::domain::ledger::{self, Ctx, EntryInput, LineInput as EntryLine};
use crate::domain::money;
/// Issues a draft: the next number of its series, its entry posted (receivable or payable against
/// revenue or expense and tax), and for a credit, the credited document's balance reduced.
pub fn issue<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<Document, S> {
    let company = ctx.books.company_id;
    let mut doc = draft(store, ctx, kind, id, "issued")?;
    if doc.total <= 0 {
        return Err(DocumentError::State(format!(
            "This {} totals zero: there is nothing to post.",
            kind.noun()
        )));
    }
    let mut errors = FieldErrors::default();
    let contact = contact_for(store, company, kind, Some(doc.contact_id), &mut errors)?;
    errors.into_result()?;
    let control = store
        .account_by_subtype(company, kind.control_subtype())
        .db()?
        .ok_or_else(|| {
            DocumentError::State(format!(
                "The chart of accounts has no active {} account (subtype \"{}\"): add one first.",
                if kind.is_sales() { "receivable" } else { "payable" },
                kind.control_subtype()
            ))
        })?;
    // Revenue/expense per account and tax per rate account.
    let mut amounts: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut add = |account: Uuid, amount: i64| -> Result<(), S> {
        let sum = amounts.entry(account).or_default();
        *sum = sum.checked_add(amount).ok_or(DocumentError::Overflow)?;
        Ok(())
    };
    let matched = if kind == DocumentKind::Bill {
        store.matched_lines(company, doc.id).db()?
    } else {
        Vec::new()
    };
    for l in &doc.lines {
        // A line billing goods received clears GRNI at their received value; the rest is a
        // price difference (purchases' three-way match).
        match matched.iter().find(|m| m.line_no == l.line_no) {
            Some(m) => {
                add(m.grni_account_id, m.receipt_value)?;
                add(
                    m.price_difference_account_id,
                    l.net_amount
                        .checked_sub(m.receipt_value)
                        .ok_or(DocumentError::Overflow)?,
                )?;
            }
            None => add(l.account_id, l.net_amount)?,
        }
        if l.tax_amount != 0 {
            let Some(rate_id) = l.tax_rate_id else { continue };
            let rate = store
                .tax_rate(company, rate_id)
                .db()?
                .ok_or_else(|| FieldErrors::single("lines", "A tax rate of this document no longer exists."))?;
            let account = if kind.is_sales() {
                rate.sales_account_id
            } else {
                rate.purchase_account_id
            };
            add(account, l.tax_amount)?;
        }
    }
    let year = doc.issue_date.year();
    let series = format!("{}-{year}", kind.prefix());
    let n = store.next_counter(company, &format!("doc:{series}")).db()?;
    let number = format!("{series}-{n:04}");
    // Invoices and vendor credits debit the control account; credit notes and bills credit it.
    let control_debit = matches!(kind, DocumentKind::Invoice | DocumentKind::VendorCredit);
    let name = contact.map(|c| c.name).unwrap_or_default();
    let control_text = format!("{number} {name}").trim().to_owned();
    let rate = foreign::rate_for(store, ctx, &doc.currency, doc.issue_date, doc.exchange_rate)?;
    let lines = match rate {
        None => {
            let fmt = |v: i64| Some(money::format(v, ctx.books.decimals));
            let mut lines = vec![EntryLine {
                account_id: Some(control.id),
                description: control_text,
                debit: if control_debit { fmt(doc.total) } else { None },
                credit: if control_debit { None } else { fmt(doc.total) },
                ..EntryLine::default()
            }];
            for (account, amount) in amounts {
                if amount == 0 {
                    continue;
                }
                // A price difference below the received value turns to the other side.
                let debit = control_debit == (amount < 0);
                let amount = amount.checked_abs().ok_or(DocumentError::Overflow)?;
                lines.push(EntryLine {
                    account_id: Some(account),
                    description: number.clone(),
                    debit: if debit { fmt(amount) } else { None },
                    credit: if debit { None } else { fmt(amount) },
                    ..EntryLine::default()
                });
            }
            lines
        }
        Some(rate) => foreign_lines(
            ctx,
            &doc,
            (control.id, &control_text),
            &number,
            &amounts,
            rate,
            control_debit,
        )?,
    };
    doc.exchange_rate = rate;
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(doc.issue_date),
            reference: number.clone(),
            description: format!("{} {number} {name}", capitalised(kind.noun()))
                .trim()
                .to_owned(),
            lines,
        },
    )?;
    let before = doc.clone();
    doc.number = Some(number);
    doc.journal_entry_id = Some(entry.id);
    doc.issued_at = Some(ctx.now);
    doc.updated_at = ctx.now;
    doc.status = DocumentStatus::Issued;
    if let Some(target) = doc.credited_document_id {
        store.lock_document(company, target).db()?;
        if let Some(mut credited) = store.document(company, target).db()?
            && credited.status.is_open()
        {
            let applied = doc.total.min(credited.balance_due());
            if applied > 0 {
                let from = foreign::Source {
                    rate: doc.exchange_rate,
                    before: 0,
                };
                apply(store, ctx, (doc.id, doc.issue_date), &from, &mut credited, applied)?;
                doc.amount_paid = applied;
            }
        }
    }
    doc.status = doc.settled_status();
    store.update_document(&doc).db()?;
    audit(store, ctx, "issue", Some(&before), Some(&doc))?;
    if kind == DocumentKind::Invoice {
        // Sales: the stock lines no delivery covers are delivered now (`domain::sales::on_issue`).
        store.invoice_issued(ctx, &doc)?;
    }
    Ok(doc)
}

/// Voids an issued document: its entry is reversed on `date` (default: the issue date) and the
/// number stays used. Paid or credited documents are refused: their payments go first. A void
/// dated before the document is refused: reports as of a date take the document from its issue
/// date to its void's, and a reversal before the original would be a receivable of no document.
pub fn void<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    date: Option<Date>,
) -> Result<Document, S> {
    let mut doc = locked(store, ctx, kind, id)?;
    match doc.status {
        DocumentStatus::Draft => return Err(DocumentError::State("A draft is deleted, not voided.".into())),
        DocumentStatus::Void => return Err(DocumentError::State(format!("This {} is already void.", kind.noun()))),
        _ => {}
    }
    if doc.amount_paid != 0 || !store.allocations_from(ctx.books.company_id, doc.id).db()?.is_empty() {
        return Err(DocumentError::State(format!(
            "This {} has payments or credits allocated: void or unallocate them first.",
            kind.noun()
        )));
    }
    let date = date.unwrap_or(doc.issue_date);
    if date < doc.issue_date {
        return Err(FieldErrors::single(
            "date",
            format!(
                "A void cannot be dated before the {} ({}).",
                kind.noun(),
                doc.issue_date
            ),
        )
        .into());
    }
    // A payment or credit that counted against it until a later date (then voided) means the
    // document stood until then: a void dated before would rewrite what the books said.
    if let Some(until) = store.settled_until(ctx.books.company_id, doc.id).db()?
        && date < until
    {
        return Err(FieldErrors::single(
            "date",
            format!(
                "This {} was paid or credited until {until}: a void cannot be dated before that.",
                kind.noun()
            ),
        )
        .into());
    }
    let entry = doc
        .journal_entry_id
        .ok_or_else(|| DocumentError::State("This document has no entry to reverse.".into()))?;
    let reversal = ledger::reverse(store, ctx, entry, Some(date))?;
    let before = doc.clone();
    doc.status = DocumentStatus::Void;
    doc.void_entry_id = Some(reversal.id);
    doc.updated_at = ctx.now;
    store.update_document(&doc).db()?;
    audit(store, ctx, "void", Some(&before), Some(&doc))?;
    Ok(doc)
}

/// Applies `amount` from a payment or credit (`source`: its id and date; `from`: its rate and
/// what was allocated from it before) to an open document, dated the later of the source's date
/// and the document's ([`Allocation::dated`]); at different rates, the realised exchange
/// difference is posted on that date.
pub(crate) fn apply<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    (source, source_date): (Uuid, Date),
    from: &foreign::Source,
    doc: &mut Document,
    amount: i64,
) -> Result<(), S> {
    let date = Allocation::dated(source_date, doc.issue_date);
    let realised = foreign::realise(store, ctx, doc, from, amount, date)?;
    store
        .insert_allocation(&Allocation {
            id: Uuid::now_v7(),
            company_id: ctx.books.company_id,
            source_id: source,
            document_id: doc.id,
            amount,
            date,
            ended_on: None,
            created_at: ctx.now,
            exchange_entry_id: realised.entry,
            carried: realised.carried,
        })
        .db()?;
    doc.amount_paid = doc
        .amount_paid
        .checked_add(amount)
        .ok_or_else(|| DocumentError::State("The amount is too large.".into()))?;
    doc.status = doc.settled_status();
    doc.updated_at = ctx.now;
    store.update_document(doc).db()
}

/// The entry's lines of a document in another currency: every amount converted at `rate`, the
/// control line as the document's total once, the cents its parts miss added to the largest
/// part (the first of the largest), so the entry balances and the control account carries
/// exactly `total × rate`.
fn foreign_lines<E: std::error::Error + 'static>(
    ctx: &Ctx<'_>,
    doc: &Document,
    (control, control_text): (Uuid, &str),
    number: &str,
    amounts: &BTreeMap<Uuid, i64>,
    rate: i64,
    control_debit: bool,
) -> std::result::Result<Vec<EntryLine>, DocumentError<E>> {
    let c = doc.currency.as_str();
    let sign = if control_debit { 1 } else { -1 };
    let total = foreign::to_company(ctx, c, doc.total, rate)?;
    if total == 0 {
        return Err(DocumentError::State(format!(
            "This {} is worth nothing in {} at this rate.",
            doc.kind.noun(),
            ctx.books.currency
        )));
    }
    let mut parts = Vec::with_capacity(amounts.len());
    let mut sum = 0i64;
    for (&account, &amount) in amounts {
        if amount == 0 {
            continue;
        }
        let base = foreign::to_company(ctx, c, amount, rate)?;
        sum = sum.checked_add(base).ok_or(DocumentError::Overflow)?;
        parts.push((account, amount, base));
    }
    let rest = total.checked_sub(sum).ok_or(DocumentError::Overflow)?;
    if let Some(largest) = parts
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.1.cmp(&b.1).then(j.cmp(i)))
        .map(|(i, _)| i)
        && let Some(part) = parts.get_mut(largest)
    {
        part.2 = part.2.checked_add(rest).ok_or(DocumentError::Overflow)?;
    }
    let mut lines = vec![foreign::line(control, control_text, c, doc.total, rate, sign * total)];
    for (account, amount, base) in parts {
        if base == 0 {
            // Too small to be worth a minor unit of the company currency.
            continue;
        }
        lines.push(foreign::line(account, number, c, amount, rate, -sign * base));
    }
    Ok(lines)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

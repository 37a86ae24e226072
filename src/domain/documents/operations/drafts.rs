//! Drafts: created, replaced (`PUT`: the document as a whole, as a create sends it), amended
//! (`PATCH`: only what the request sends changes) and deleted. Only a draft changes this way.

use uuid::Uuid;

use super::build::build;
use super::{Result, audit, draft};
use crate::domain::documents::{
    DocDb, Document, DocumentChanges, DocumentInput, DocumentKind, DocumentLine, DocumentStore, LineInput,
};
use crate::domain::exchange_rates::format_rate;
use crate::domain::ledger::Ctx;
use crate::domain::{Change, FieldErrors, money};

/// Checks an input as a draft of `kind` would be checked, without saving anything.
pub fn check_input<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    input: &DocumentInput,
) -> Result<(), S> {
    build(store, ctx, kind, input, None).map(|_| ())
}

/// The document an input makes, checked and computed, without saving it: purchase orders and
/// sales documents use a bill's or invoice's lines this way.
pub fn compute<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    input: &DocumentInput,
) -> Result<Document, S> {
    build(store, ctx, kind, input, None)
}

/// Saves a new draft.
pub fn create_draft<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    input: &DocumentInput,
) -> Result<Document, S> {
    let doc = build(store, ctx, kind, input, None)?;
    store.insert_document(&doc).db()?;
    audit(store, ctx, "create", None, Some(&doc))?;
    Ok(doc)
}

/// Creates a draft (`current` = `None`) or changes one, as `how` says: a create and a replace
/// need `contact` and `lines`; an update keeps what it does not send. Anything but a draft is
/// refused.
pub fn save<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    current: Option<Document>,
    how: Change,
    changes: DocumentChanges,
) -> Result<Document, S> {
    let before = match current {
        Some(c) => Some(draft(store, ctx, kind, c.id, "edited")?),
        None => None,
    };
    if how.requires_all() {
        let mut errors = FieldErrors::default();
        for (field, missing) in [
            ("contact", changes.contact.is_none()),
            ("lines", changes.lines.is_none()),
        ] {
            if missing {
                errors.add(field, "This field is required.");
            }
        }
        errors.into_result()?;
    }
    let Some(before) = before else {
        return create_draft(store, ctx, kind, &whole(changes));
    };
    let input = match how {
        Change::Update => amended(&before, changes, ctx.books.decimals),
        Change::Create | Change::Replace => whole(changes),
    };
    let doc = build(store, ctx, kind, &input, Some(&before))?;
    store.update_document(&doc).db()?;
    audit(store, ctx, "update", Some(&before), Some(&doc))?;
    Ok(doc)
}

/// Deletes a draft; its number was never taken, so nothing else changes.
pub fn delete_draft<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<(), S> {
    let doc = draft(store, ctx, kind, id, "deleted")?;
    store.delete_document(ctx.books.company_id, id).db()?;
    audit(store, ctx, "delete", Some(&doc), None)
}

/// A document as a whole: what the request leaves out takes its default.
fn whole(c: DocumentChanges) -> DocumentInput {
    DocumentInput {
        contact: c.contact,
        issue_date: c.issue_date,
        due_date: c.due_date.flatten(),
        currency: c.currency,
        exchange_rate: c.exchange_rate.flatten(),
        reference: c.reference.unwrap_or_default(),
        notes: c.notes.unwrap_or_default(),
        payment_terms_days: c.payment_terms_days.flatten(),
        credited_document: c.credited_document.flatten(),
        lines: c.lines.unwrap_or_default(),
    }
}

/// The draft with the request's changes: what the request leaves out stays as it is.
fn amended(d: &Document, c: DocumentChanges, _company_decimals: u32) -> DocumentInput {
    // Prices are typed in the document's currency.
    let decimals = money::decimals(&d.currency);
    // A new currency without a rate takes the rate of its date, not the old currency's.
    let exchange_rate = match (c.exchange_rate, &c.currency) {
        (Some(given), _) => given,
        (None, Some(_)) => None,
        (None, None) => d.exchange_rate.map(format_rate),
    };
    DocumentInput {
        exchange_rate,
        contact: c.contact.or(Some(d.contact_id)),
        issue_date: c.issue_date.or(Some(d.issue_date)),
        due_date: c.due_date.unwrap_or(Some(d.due_date)),
        currency: c.currency.or_else(|| Some(d.currency.clone())),
        reference: c.reference.unwrap_or_else(|| d.reference.clone()),
        notes: c.notes.unwrap_or_else(|| d.notes.clone()),
        payment_terms_days: c.payment_terms_days.unwrap_or(Some(d.payment_terms_days)),
        credited_document: c.credited_document.unwrap_or(d.credited_document_id),
        lines: c
            .lines
            .unwrap_or_else(|| d.lines.iter().map(|l| as_input(l, decimals)).collect()),
    }
}

/// A stored line as it would be typed, so a draft rebuilt from it comes out the same.
fn as_input(l: &DocumentLine, decimals: u32) -> LineInput {
    LineInput {
        item: l.item_id,
        description: l.description.clone(),
        quantity: Some(l.quantity.to_string()),
        unit_price: Some(money::format(l.unit_price, decimals)),
        discount_percent: Some(l.discount_percent.to_string()),
        tax_rate: l.tax_rate_id,
        account: Some(l.account_id),
    }
}

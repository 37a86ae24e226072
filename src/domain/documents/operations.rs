//! What happens to a document: drafted, edited, deleted, issued (numbered and posted), voided.
//! An issued document is never edited: it is voided (its entry reversed) or credited.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::tax::{self, LineIn, Rate};
use super::{
    Allocation, ContactRef, DocDb, Document, DocumentError, DocumentInput, DocumentKind, DocumentLine, DocumentStatus,
    DocumentStore, TaxRateRef,
};
use crate::domain::FieldErrors;
use crate::domain::ledger::{self, AuditRecord, Ctx, EntryInput, LineInput as EntryLine, chain};
use crate::domain::money;

type Result<T, S> = std::result::Result<T, DocumentError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// Lines one document may carry.
pub const MAX_LINES: usize = 500;

/// Checks a draft's input and computes its lines and totals. `existing` keeps the id, creator
/// and creation time of a draft being edited.
fn build<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    input: &DocumentInput,
    existing: Option<&Document>,
) -> Result<Document, S> {
    let company = ctx.books.company_id;
    let mut errors = FieldErrors::default();
    let contact = contact_for(store, company, kind, input.contact, &mut errors)?;
    let issue_date = input.issue_date.unwrap_or(ctx.today);
    let terms = input
        .payment_terms_days
        .or(contact.as_ref().map(|c| c.payment_terms_days))
        .unwrap_or(30);
    if !(0..=365).contains(&terms) {
        errors.add("payment_terms_days", "Ensure this value is between 0 and 365.");
    }
    let due_date = match input.due_date {
        Some(d) => d,
        None => issue_date.checked_add(terms.clamp(0, 365).days()).unwrap_or(issue_date),
    };
    if due_date < issue_date {
        errors.add("due_date", "The due date cannot be before the issue date.");
    }
    let currency = input.currency.clone().unwrap_or_else(|| ctx.books.currency.clone());
    if currency != ctx.books.currency {
        errors.add(
            "currency",
            format!(
                "Documents are kept in the company currency ({}) for now; other currencies are not supported yet.",
                ctx.books.currency
            ),
        );
    }
    if input.reference.chars().count() > 100 {
        errors.add("reference", "Ensure this field has no more than 100 characters.");
    }
    let credited = match (kind.credits(), input.credited_document) {
        (None, Some(_)) => {
            errors.add(
                "credited_document",
                format!("An {} does not credit another document.", kind.noun()),
            );
            None
        }
        (Some(target_kind), Some(id)) => match store.document(company, id).db()? {
            Some(d)
                if d.kind == target_kind
                    && Some(d.contact_id) == input.contact
                    && matches!(
                        d.status,
                        DocumentStatus::Issued | DocumentStatus::PartiallyPaid | DocumentStatus::Paid
                    ) =>
            {
                Some(d.id)
            }
            _ => {
                errors.add(
                    "credited_document",
                    format!("Choose an issued {} of the same contact.", target_kind.noun()),
                );
                None
            }
        },
        (_, None) => None,
    };
    if input.lines.is_empty() {
        errors.add("lines", "A document needs at least one line.");
    }
    if input.lines.len() > MAX_LINES {
        errors.add("lines", format!("A document has at most {MAX_LINES} lines."));
    }
    let rounding = store.tax_rounding(company).db()?;
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut calc_in = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let f = |name: &str| format!("lines[{i}].{name}");
        let item = match l.item {
            Some(id) => match store.item(company, id).db()? {
                Some(it) if it.is_active => Some(it),
                _ => {
                    errors.add(&f("item"), "Choose an active item of this company.");
                    None
                }
            },
            None => None,
        };
        let description = if l.description.trim().is_empty() {
            item.as_ref()
                .map(|it| {
                    if it.description.is_empty() {
                        it.name.clone()
                    } else {
                        it.description.clone()
                    }
                })
                .unwrap_or_default()
        } else {
            l.description.trim().to_owned()
        };
        if description.is_empty() {
            errors.add(&f("description"), "Describe the line or choose an item.");
        }
        let quantity = match l.quantity.as_deref().map(money::parse) {
            None => Some(Decimal::ONE),
            Some(Ok(q)) if q > Decimal::ZERO && q.normalize().scale() <= 6 && q < Decimal::from(1_000_000_000) => {
                Some(q)
            }
            Some(_) => {
                errors.add(&f("quantity"), "Enter a quantity above 0 with at most 6 decimals.");
                None
            }
        };
        let item_price = item.as_ref().map(|it| {
            if kind.is_sales() {
                it.sale_price
            } else {
                it.purchase_price
            }
        });
        let unit_price = match l.unit_price.as_deref() {
            Some(text) => match money::parse(text).and_then(|d| money::to_minor(d, ctx.books.decimals)) {
                Ok(p) if p >= 0 => Some(p),
                Ok(_) => {
                    errors.add(&f("unit_price"), money::MoneyError::Negative.to_string());
                    None
                }
                Err(e) => {
                    errors.add(&f("unit_price"), e.to_string());
                    None
                }
            },
            None if item_price.is_some() => item_price,
            None => {
                errors.add(&f("unit_price"), "This field is required.");
                None
            }
        };
        let discount = match l.discount_percent.as_deref().map(money::parse) {
            None => Some(Decimal::ZERO),
            Some(Ok(d)) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED && d.normalize().scale() <= 4 => Some(d),
            Some(_) => {
                errors.add(&f("discount_percent"), "Enter a percentage from 0 to 100.");
                None
            }
        };
        let rate_id = l.tax_rate.or_else(|| {
            item.as_ref().and_then(|it| {
                if kind.is_sales() {
                    it.sales_tax_rate_id
                } else {
                    it.purchase_tax_rate_id
                }
            })
        });
        let rate = match rate_id {
            Some(id) => match store.tax_rate(company, id).db()? {
                Some(r) if r.is_active => Some(r),
                _ => {
                    errors.add(&f("tax_rate"), "Choose an active tax rate of this company.");
                    None
                }
            },
            None => None,
        };
        let account_id = l
            .account
            .or_else(|| {
                item.as_ref().and_then(|it| {
                    if kind.is_sales() {
                        it.income_account_id
                    } else {
                        it.expense_account_id
                    }
                })
            })
            .or_else(|| {
                contact.as_ref().and_then(|c| {
                    if kind.is_sales() {
                        c.revenue_account_id
                    } else {
                        c.expense_account_id
                    }
                })
            });
        let account_id = match account_id {
            Some(id) => match store.account(company, id).db()? {
                Some(a) if a.is_active && !matches!(a.subtype.as_str(), "receivable" | "payable") => Some(id),
                Some(a) if a.is_active => {
                    errors.add(&f("account"), "Lines post to income, expense or asset accounts, not to the receivable or payable control account.");
                    let _ = a;
                    None
                }
                _ => {
                    errors.add(&f("account"), "Choose an active account of this company.");
                    None
                }
            },
            None => {
                errors.add(
                    &f("account"),
                    "This field is required (or set a default account on the item or the contact).",
                );
                None
            }
        };
        if let (Some(q), Some(p), Some(d), Some(a)) = (quantity, unit_price, discount, account_id) {
            calc_in.push(LineIn {
                quantity: q,
                unit_price: p,
                discount_percent: d,
                rate: rate.as_ref().map(rate_of),
            });
            lines.push(DocumentLine {
                line_no: i64::try_from(i + 1).unwrap_or(i64::MAX),
                item_id: item.map(|it| it.id),
                description,
                quantity: q.normalize(),
                unit_price: p,
                discount_percent: d.normalize(),
                tax_rate_id: rate.map(|r| r.id),
                account_id: a,
                net_amount: 0,
                tax_amount: 0,
            });
        }
    }
    errors.into_result()?;
    let calc = tax::calculate(&calc_in, rounding).map_err(|e| FieldErrors::single("lines", e.to_string()))?;
    for (line, out) in lines.iter_mut().zip(&calc.lines) {
        line.net_amount = out.net;
        line.tax_amount = out.tax;
    }
    let now = chain::now();
    Ok(Document {
        id: existing.map_or_else(Uuid::now_v7, |d| d.id),
        company_id: company,
        kind,
        status: DocumentStatus::Draft,
        number: None,
        contact_id: contact.map_or(Uuid::nil(), |c| c.id),
        issue_date,
        due_date,
        currency,
        reference: input.reference.trim().to_owned(),
        notes: input.notes.clone(),
        payment_terms_days: terms,
        credited_document_id: credited,
        lines,
        subtotal: calc.subtotal,
        tax_total: calc.tax_total,
        total: calc.total,
        amount_paid: 0,
        journal_entry_id: None,
        void_entry_id: None,
        issued_at: None,
        created_by: existing.map_or(ctx.actor, |d| d.created_by),
        created_at: existing.map_or(now, |d| d.created_at),
        updated_at: now,
    })
}

fn rate_of(r: &TaxRateRef) -> Rate {
    Rate {
        id: r.id,
        ppm: r.rate_ppm,
        inclusive: r.is_inclusive,
    }
}

/// The contact, if it exists, is active and is on the document's side (customer or vendor).
fn contact_for<S: DocumentStore>(
    store: &mut S,
    company: Uuid,
    kind: DocumentKind,
    id: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<Option<ContactRef>, S> {
    let Some(id) = id else {
        errors.add("contact", "This field is required.");
        return Ok(None);
    };
    let side = if kind.is_sales() { "customer" } else { "vendor" };
    match store.contact(company, id).db()? {
        Some(c) if c.is_active && (if kind.is_sales() { c.is_customer } else { c.is_vendor }) => Ok(Some(c)),
        Some(c) if !c.is_active => {
            errors.add("contact", "This contact is archived.");
            Ok(None)
        }
        _ => {
            errors.add("contact", format!("Choose a {side} of this company."));
            Ok(None)
        }
    }
}

/// Checks an input as a draft of `kind` would be checked, without saving anything.
pub fn check_input<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    input: &DocumentInput,
) -> Result<(), S> {
    build(store, ctx, kind, input, None).map(|_| ())
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
    audit(
        store,
        ctx,
        "create",
        &doc,
        vec![("status".into(), String::new(), "draft".into())],
    )?;
    Ok(doc)
}

/// A draft of `kind`, locked; anything else is refused as `verb` ("edited", "issued", …).
fn draft<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    verb: &'static str,
) -> Result<Document, S> {
    let doc = locked(store, ctx, kind, id)?;
    if doc.status != DocumentStatus::Draft {
        return Err(DocumentError::NotDraft(verb));
    }
    Ok(doc)
}

fn locked<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<Document, S> {
    store.lock_document(ctx.books.company_id, id).db()?;
    match store.document(ctx.books.company_id, id).db()? {
        Some(d) if d.kind == kind => Ok(d),
        _ => Err(DocumentError::NotFound),
    }
}

/// Replaces a draft's contents.
pub fn update_draft<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    input: &DocumentInput,
) -> Result<Document, S> {
    let before = draft(store, ctx, kind, id, "edited")?;
    let doc = build(store, ctx, kind, input, Some(&before))?;
    store.update_document(&doc).db()?;
    let changes = [
        (
            "total",
            money::format(before.total, ctx.books.decimals),
            money::format(doc.total, ctx.books.decimals),
        ),
        ("issue_date", before.issue_date.to_string(), doc.issue_date.to_string()),
        ("contact", before.contact_id.to_string(), doc.contact_id.to_string()),
    ]
    .into_iter()
    .filter(|(_, b, a)| b != a)
    .map(|(f, b, a)| (f.to_owned(), b, a))
    .collect();
    audit(store, ctx, "update", &doc, changes)?;
    Ok(doc)
}

pub fn delete_draft<S: DocumentStore>(store: &mut S, ctx: &Ctx<'_>, kind: DocumentKind, id: Uuid) -> Result<(), S> {
    let doc = draft(store, ctx, kind, id, "deleted")?;
    store.delete_document(ctx.books.company_id, id).db()?;
    audit(
        store,
        ctx,
        "delete",
        &doc,
        vec![("status".into(), "draft".into(), "deleted".into())],
    )
}

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
    for l in &doc.lines {
        *amounts.entry(l.account_id).or_default() += l.net_amount;
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
            *amounts.entry(account).or_default() += l.tax_amount;
        }
    }
    let year = doc.issue_date.year();
    let series = format!("{}-{year}", kind.prefix());
    let n = store.next_counter(company, &format!("doc:{series}")).db()?;
    let number = format!("{series}-{n:04}");
    // Invoices and vendor credits debit the control account; credit notes and bills credit it.
    let control_debit = matches!(kind, DocumentKind::Invoice | DocumentKind::VendorCredit);
    let fmt = |v: i64| Some(money::format(v, ctx.books.decimals));
    let name = contact.map(|c| c.name).unwrap_or_default();
    let mut lines = vec![EntryLine {
        account_id: Some(control.id),
        description: format!("{number} {name}").trim().to_owned(),
        debit: if control_debit { fmt(doc.total) } else { None },
        credit: if control_debit { None } else { fmt(doc.total) },
        currency: None,
        exchange_rate: None,
    }];
    for (account, amount) in amounts {
        if amount == 0 {
            continue;
        }
        lines.push(EntryLine {
            account_id: Some(account),
            description: number.clone(),
            debit: if control_debit { None } else { fmt(amount) },
            credit: if control_debit { fmt(amount) } else { None },
            currency: None,
            exchange_rate: None,
        });
    }
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
    doc.number = Some(number.clone());
    doc.journal_entry_id = Some(entry.id);
    doc.issued_at = Some(chain::now());
    doc.updated_at = chain::now();
    doc.status = DocumentStatus::Issued;
    if let Some(target) = doc.credited_document_id {
        store.lock_document(company, target).db()?;
        if let Some(mut credited) = store.document(company, target).db()?
            && credited.status.is_open()
        {
            let applied = doc.total.min(credited.balance_due());
            if applied > 0 {
                apply(store, ctx, doc.id, &mut credited, applied)?;
                doc.amount_paid = applied;
            }
        }
    }
    doc.status = doc.settled_status();
    store.update_document(&doc).db()?;
    audit(
        store,
        ctx,
        "issue",
        &doc,
        vec![("number".into(), String::new(), number)],
    )?;
    Ok(doc)
}

/// Voids an issued document: its entry is reversed on `date` (default: the issue date) and the
/// number stays used. Paid or credited documents are refused: their payments go first.
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
    let entry = doc
        .journal_entry_id
        .ok_or_else(|| DocumentError::State("This document has no entry to reverse.".into()))?;
    let reversal = ledger::reverse(store, ctx, entry, Some(date.unwrap_or(doc.issue_date)))?;
    let before = doc.status.as_str().to_owned();
    doc.status = DocumentStatus::Void;
    doc.void_entry_id = Some(reversal.id);
    doc.updated_at = chain::now();
    store.update_document(&doc).db()?;
    audit(store, ctx, "void", &doc, vec![("status".into(), before, "void".into())])?;
    Ok(doc)
}

/// Applies `amount` from a payment or credit (`source`) to an open document.
pub(super) fn apply<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    source: Uuid,
    doc: &mut Document,
    amount: i64,
) -> Result<(), S> {
    store
        .insert_allocation(&Allocation {
            id: Uuid::now_v7(),
            company_id: ctx.books.company_id,
            source_id: source,
            document_id: doc.id,
            amount,
            created_at: chain::now(),
        })
        .db()?;
    doc.amount_paid = doc
        .amount_paid
        .checked_add(amount)
        .ok_or_else(|| DocumentError::State("The amount is too large.".into()))?;
    doc.status = doc.settled_status();
    doc.updated_at = chain::now();
    store.update_document(doc).db()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub(super) fn audit<S: DocumentStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    doc: &Document,
    changes: Vec<(String, String, String)>,
) -> Result<(), S> {
    store
        .audit(&AuditRecord {
            company_id: ctx.books.company_id,
            actor: ctx.actor,
            action,
            object_type: doc.kind.as_str(),
            object_id: doc.id,
            changes,
        })
        .db()
}

//! A draft from what the user typed: every field checked (each bad one named, `lines[2].account`),
//! defaults taken from the contact and the items, and the lines' amounts and tax computed.

use jiff::ToSpan;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::super::tax::{self, LineIn, Rate};
use super::super::{
    ContactRef, DocDb, Document, DocumentError, DocumentInput, DocumentKind, DocumentLine, DocumentStatus,
    DocumentStore, TaxRateRef, foreign,
};
use super::Result;
use crate::domain::FieldErrors;
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::tenants::is_currency_code;

/// Lines one document may carry.
pub const MAX_LINES: usize = 500;

/// Checks a draft's input and computes its lines and totals. `existing` keeps the id, creator
/// and creation time of a draft being edited.
pub(super) fn build<S: DocumentStore>(
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
    let (currency, decimals, exchange_rate) = foreign::currency_and_rate(
        input.currency.as_deref(),
        input.exchange_rate.as_deref(),
        ctx.books,
        "document",
        &mut errors,
    );
    let known = is_currency_code(&currency);
    if known && exchange_rate.is_none() && currency != ctx.books.currency {
        // Said now rather than only when it is issued: the rate of the issue date must exist.
        match foreign::rate_for(store, ctx, &currency, issue_date, None) {
            Ok(_) => {}
            Err(DocumentError::Invalid(e)) => errors.merge(e),
            Err(other) => return Err(other),
        }
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
                    && d.currency == currency
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
                    format!(
                        "Choose an issued {} of the same contact and currency.",
                        target_kind.noun()
                    ),
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
            Some(text) => match money::parse(text).and_then(|d| money::to_minor(d, decimals)) {
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
    let now = ctx.now;
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
        exchange_rate,
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
pub(super) fn contact_for<S: DocumentStore>(
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

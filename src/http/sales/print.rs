//! The quote PDF and the delivery note PDF, on the documents' PDF layer and the company's
//! template: gathered in the request's transaction, drawn afterwards on a blocking thread.

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::domain::documents::summary::tax_summary;
use crate::domain::documents::{Document, DocumentKind, DocumentLine, DocumentStatus};
use crate::domain::sales::{self, SalesDocument, SalesKind, from_milli};
use crate::http::company::{InCompany, perm};
use crate::http::documents::print::{answer, company, firm_look, recipient, render};
use crate::http::error::Reply;
use crate::pdf;
use crate::store::contacts;

fn download(q: &[(String, String)]) -> bool {
    q.iter()
        .any(|(k, v)| k == "download" && matches!(v.as_str(), "1" | "true"))
}

/// A quote as the tax summary reads a document (same lines, same amounts).
fn as_document(q: &SalesDocument) -> Document {
    Document {
        id: q.id,
        company_id: q.company_id,
        kind: DocumentKind::Invoice,
        status: DocumentStatus::Draft,
        number: Some(q.number.clone()),
        contact_id: q.contact_id,
        issue_date: q.date,
        due_date: q.valid_until.unwrap_or(q.date),
        currency: q.currency.clone(),
        reference: q.reference.clone(),
        notes: q.notes.clone(),
        payment_terms_days: 0,
        credited_document_id: None,
        lines: q
            .lines
            .iter()
            .map(|l| DocumentLine {
                line_no: l.line_no,
                item_id: l.item_id,
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount_percent: l.discount_percent,
                tax_rate_id: l.tax_rate_id,
                account_id: l.account_id,
                net_amount: l.net_amount,
                tax_amount: l.tax_amount,
            })
            .collect(),
        subtotal: q.subtotal,
        tax_total: q.tax_total,
        total: q.total,
        amount_paid: 0,
        journal_entry_id: None,
        void_entry_id: None,
        issued_at: None,
        created_by: q.created_by,
        created_at: q.created_at,
        updated_at: q.updated_at,
        exchange_rate: None,
    }
}

/// `GET /api/sales/quotes/{id}/pdf/`
pub async fn quote(c: InCompany<perm::ViewDocuments>, id: Uuid, q: &[(String, String)]) -> Reply {
    let app = c.app().clone();
    let (document, template) = c
        .read(move |tx, ctx| {
            let quote = sales::find(tx, ctx, SalesKind::Quote, id)?;
            let doc = as_document(&quote);
            let contact = contacts::get(tx, ctx.books.company_id, doc.contact_id)?;
            let summary = tax_summary(tx, &doc)?;
            let (logo, template) = firm_look(tx, ctx.company)?;
            let label = |rate: Option<Uuid>| {
                rate.and_then(|r| summary.iter().find(|t| t.rate_id == r))
                    .map(|t| t.name.clone())
                    .unwrap_or_default()
            };
            let document = pdf::Document {
                kind: pdf::DocumentKind::Quote,
                company: company(ctx.company, logo),
                recipient: recipient(contact.as_ref()),
                number: quote.number.clone(),
                issue_date: quote.date,
                due_date: quote.valid_until,
                reference: Some(quote.reference.clone()).filter(|r| !r.trim().is_empty()),
                currency: quote.currency.clone(),
                lines: doc
                    .lines
                    .iter()
                    .map(|l| pdf::Line {
                        description: l.description.clone(),
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        discount_percent: (!l.discount_percent.is_zero()).then_some(l.discount_percent),
                        tax_label: label(l.tax_rate_id),
                        amount: l.net_amount,
                    })
                    .collect(),
                tax_summary: summary
                    .iter()
                    .map(|t| pdf::TaxRow {
                        label: t.name.clone(),
                        base: t.base,
                        tax: t.tax,
                    })
                    .collect(),
                totals: pdf::Totals {
                    subtotal: quote.subtotal,
                    tax: quote.tax_total,
                    total: quote.total,
                    paid: 0,
                    balance_due: quote.total,
                },
                notes: Some(quote.notes.clone()).filter(|n| !n.trim().is_empty()),
                ..pdf::Document::default()
            };
            Ok((document, template))
        })
        .await?;
    let name = document.number.clone();
    let bytes = render(&app, document, template).await?;
    Ok(answer(bytes, &name, download(q)))
}

/// `GET /api/sales/deliveries/{id}/pdf/`
pub async fn delivery(c: InCompany<perm::ViewDocuments>, id: Uuid, q: &[(String, String)]) -> Reply {
    let app = c.app().clone();
    let (document, template) = c
        .read(move |tx, ctx| {
            let d = sales::find_delivery(tx, ctx, id)?;
            let contact = contacts::get(tx, ctx.books.company_id, d.contact_id)?;
            let (logo, template) = firm_look(tx, ctx.company)?;
            let order = match d.order_id {
                Some(o) => sales::find(tx, ctx, SalesKind::Order, o).ok().map(|o| o.number),
                None => None,
            };
            let mut r = recipient(contact.as_ref());
            if let Some(c) = contact.as_ref()
                && !c.shipping_address.trim().is_empty()
            {
                r.address = c.shipping_address.lines().map(str::to_owned).collect();
            }
            let document = pdf::Document {
                kind: pdf::DocumentKind::DeliveryNote,
                company: company(ctx.company, logo),
                recipient: r,
                number: d.number.clone(),
                issue_date: d.date,
                due_date: None,
                reference: order,
                currency: String::new(),
                lines: d
                    .lines
                    .iter()
                    .map(|l| pdf::Line {
                        description: l.description.clone(),
                        quantity: from_milli(l.quantity_milli),
                        unit_price: 0,
                        discount_percent: None::<Decimal>,
                        tax_label: String::new(),
                        amount: 0,
                    })
                    .collect(),
                notes: Some(d.notes.clone()).filter(|n| !n.trim().is_empty()),
                ..pdf::Document::default()
            };
            Ok((document, template))
        })
        .await?;
    let name = document.number.clone();
    let bytes = render(&app, document, template).await?;
    Ok(answer(bytes, &name, download(q)))
}

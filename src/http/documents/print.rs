//! A document as a PDF: what it shows is gathered in the request's transaction (the company and
//! its look, the contact, the lines, the tax summary); the drawing happens afterwards on a
//! blocking thread, outside any transaction. `GET …/pdf/` and sending use the same gathering, so
//! a document looks the same printed and e-mailed.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::contacts::Contact;
use crate::domain::documents::Document;
use crate::domain::documents::summary::{TaxLine, tax_summary};
use crate::domain::ledger::Ctx;
use crate::domain::tenants::Company;
use crate::http::error::{ApiError, Reply};
use crate::pdf;
use crate::store::{Tx, contacts};

/// The number a document prints under: its own, or `DRAFT-` and the start of its id.
pub fn number_of(doc: &Document) -> String {
    doc.number.clone().unwrap_or_else(|| {
        let id = doc.id.simple().to_string();
        format!("DRAFT-{}", id.get(..8).unwrap_or(&id))
    })
}

/// Everything the PDF of `doc` shows, printed as `number`, and the company's template.
pub fn gather(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    doc: &Document,
    number: &str,
) -> Result<(pdf::Document, pdf::Template), ApiError> {
    let contact = contacts::get(tx, ctx.books.company_id, doc.contact_id)?;
    let summary = tax_summary(tx, doc)?;
    let (logo, template) = firm_look(tx, ctx.company)?;
    let document = document(company(ctx.company, logo), contact.as_ref(), doc, number, &summary);
    Ok((document, template))
}

/// Draws the PDF on a blocking thread.
pub async fn render(app: &AppState, document: pdf::Document, template: pdf::Template) -> Reply<Vec<u8>> {
    app.blocking(move |_| pdf::render(&document, &template).map_err(|e| ApiError::Internal(e.to_string())))
        .await
}

/// The PDF as an answer, shown inline or (`download`) as an attachment named `name.pdf`.
pub fn answer(bytes: Vec<u8>, name: &str, download: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"{name}.pdf\"",
        if download { "attachment" } else { "inline" }
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

/// The company as a document's header shows it, with its logo.
pub fn company(c: &Company, logo: Option<Vec<u8>>) -> pdf::Company {
    pdf::Company {
        name: c.name.clone(),
        address: c.address.lines().map(str::to_owned).collect(),
        tax_id: non_empty(&c.tax_id),
        email: non_empty(&c.email),
        phone: non_empty(&c.phone),
        logo,
    }
}

/// The contact as the document's recipient (blank if it is gone).
pub fn recipient(contact: Option<&Contact>) -> pdf::Recipient {
    contact.map_or_else(pdf::Recipient::default, |c| pdf::Recipient {
        name: c.name.clone(),
        address: c.billing_address.lines().map(str::to_owned).collect(),
        tax_id: non_empty(&c.tax_id),
    })
}

fn document(
    firm: pdf::Company,
    contact: Option<&Contact>,
    doc: &Document,
    number: &str,
    summary: &[TaxLine],
) -> pdf::Document {
    let label = |id: Option<Uuid>| {
        id.and_then(|id| summary.iter().find(|t| t.rate_id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    pdf::Document {
        kind: if doc.kind.is_credit() {
            pdf::DocumentKind::CreditNote
        } else {
            pdf::DocumentKind::Invoice
        },
        company: firm,
        recipient: recipient(contact),
        number: number.to_owned(),
        issue_date: doc.issue_date,
        due_date: Some(doc.due_date),
        reference: non_empty(&doc.reference),
        currency: doc.currency.clone(),
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
            subtotal: doc.subtotal,
            tax: doc.tax_total,
            total: doc.total,
            paid: doc.amount_paid,
            balance_due: doc.balance_due(),
        },
        notes: non_empty(&doc.notes),
        payment_instructions: None,
        statement: pdf::Statement::default(),
        report: pdf::Report::default(),
    }
}

/// The company's logo and document template (the embedded default when it has none).
pub fn firm_look(tx: &mut Tx, company: &Company) -> Result<(Option<Vec<u8>>, pdf::Template), ApiError> {
    let logo = crate::store::delivery::logo(tx, company.id)?.map(|l| l.bytes);
    let template = match crate::store::delivery::template(tx, company.id)? {
        None => pdf::Template::default(),
        // Stored templates were valid when saved; should a later version refuse one, the firm's
        // documents still render (in the default look) rather than fail.
        Some(text) => pdf::Template::from_toml(&text).unwrap_or_else(|e| {
            tracing::warn!(company = %company.id, error = %e, "stored document template no longer valid; using the default");
            pdf::Template::default()
        }),
    };
    Ok((logo, template))
}

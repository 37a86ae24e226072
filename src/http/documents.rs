//! `/api/invoicing/invoices/`, `/api/invoicing/credit-notes/`, `/api/purchase/bills/`,
//! `/api/purchase/vendor-credits/`: one set of handlers, the document kind read from the path.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::books::{Access, in_books};
use super::books::{Idempotency, Write, write};
use super::conventions::{list_request, optional_date, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::domain::documents::operations;
use crate::domain::documents::{Document, DocumentError, DocumentInput, DocumentKind, LineInput};
use crate::domain::ledger::{Ctx, LedgerError};
use crate::domain::money;
use crate::domain::roles::Action;
use crate::domain::tenants::Company;
use crate::pdf;
use crate::store::{Tx, documents};

/// The document kind an endpoint serves, from its path.
pub fn kind_of(uri: &Uri) -> Result<DocumentKind, ApiError> {
    let p = uri.path();
    [
        ("/api/invoicing/invoices/", DocumentKind::Invoice),
        ("/api/invoicing/credit-notes/", DocumentKind::CreditNote),
        ("/api/purchase/bills/", DocumentKind::Bill),
        ("/api/purchase/vendor-credits/", DocumentKind::VendorCredit),
    ]
    .into_iter()
    .find(|(prefix, _)| p.starts_with(prefix))
    .map(|(_, k)| k)
    .ok_or(ApiError::NotFound)
}

#[derive(Deserialize, Serialize)]
pub struct LineBody {
    item: Option<Uuid>,
    #[serde(default)]
    description: String,
    quantity: Option<String>,
    unit_price: Option<String>,
    discount_percent: Option<String>,
    tax_rate: Option<Uuid>,
    account: Option<Uuid>,
}

#[derive(Deserialize, Serialize)]
pub struct DocumentBody {
    contact: Option<Uuid>,
    issue_date: Option<String>,
    due_date: Option<String>,
    currency: Option<String>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    notes: String,
    payment_terms_days: Option<i64>,
    credited_document: Option<Uuid>,
    #[serde(default)]
    lines: Vec<LineBody>,
}

/// A line as the API sends it, as the domain reads it.
pub fn line_input(l: &LineBody) -> LineInput {
    LineInput {
        item: l.item,
        description: l.description.clone(),
        quantity: l.quantity.clone(),
        unit_price: l.unit_price.clone(),
        discount_percent: l.discount_percent.clone(),
        tax_rate: l.tax_rate,
        account: l.account,
    }
}

fn input(body: &DocumentBody) -> Result<DocumentInput, ApiError> {
    Ok(DocumentInput {
        contact: body.contact,
        issue_date: optional_date("issue_date", body.issue_date.as_deref())?,
        due_date: optional_date("due_date", body.due_date.as_deref())?,
        currency: body.currency.clone().filter(|c| !c.is_empty()),
        reference: body.reference.clone(),
        notes: body.notes.clone(),
        payment_terms_days: body.payment_terms_days,
        credited_document: body.credited_document,
        lines: body.lines.iter().map(line_input).collect(),
    })
}

/// One tax rate's totals on a document.
struct TaxSummaryRow {
    id: Uuid,
    name: String,
    ppm: i64,
    base: i64,
    tax: i64,
}

/// The document's tax per rate, in order of first use, for the API and the PDF.
fn tax_summary(tx: &mut Tx, company: Uuid, doc: &Document) -> Result<Vec<TaxSummaryRow>, ApiError> {
    let mut ids: Vec<Uuid> = Vec::new();
    for l in &doc.lines {
        if let Some(r) = l.tax_rate_id
            && !ids.contains(&r)
        {
            ids.push(r);
        }
    }
    Ok(documents::tax_names(tx, company, &ids)?
        .into_iter()
        .map(|(id, name, ppm)| {
            let (base, tax) = doc
                .lines
                .iter()
                .filter(|l| l.tax_rate_id == Some(id))
                .fold((0i64, 0i64), |(b, t), l| {
                    (b.saturating_add(l.net_amount), t.saturating_add(l.tax_amount))
                });
            TaxSummaryRow {
                id,
                name,
                ppm,
                base,
                tax,
            }
        })
        .collect())
}

/// The API's view of a document (see docs/receivables-api.md).
pub fn document_json(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    doc: &Document,
    contact_name: &str,
) -> Result<serde_json::Value, ApiError> {
    let d = ctx.books.decimals;
    let m = |v: i64| money::format(v, d);
    let tax_summary: Vec<serde_json::Value> = tax_summary(tx, ctx.books.company_id, doc)?
        .iter()
        .map(|r| {
            json!({"tax_rate": r.id, "name": r.name, "rate": rust_decimal::Decimal::new(r.ppm, 4).normalize().to_string(),
                   "base": m(r.base), "tax": m(r.tax)})
        })
        .collect();
    let duplicate = documents::duplicate_reference(tx, doc)?;
    Ok(json!({
        "id": doc.id,
        "kind": doc.kind.as_str(),
        "number": doc.number,
        "status": doc.status.as_str(),
        "contact": doc.contact_id,
        "contact_name": contact_name,
        "issue_date": doc.issue_date.to_string(),
        "due_date": doc.due_date.to_string(),
        "currency": doc.currency,
        "reference": doc.reference,
        "notes": doc.notes,
        "payment_terms_days": doc.payment_terms_days,
        "credited_document": doc.credited_document_id,
        "lines": doc.lines.iter().map(|l| json!({
            "item": l.item_id,
            "description": l.description,
            "quantity": l.quantity.to_string(),
            "unit_price": m(l.unit_price),
            "discount_percent": l.discount_percent.to_string(),
            "tax_rate": l.tax_rate_id,
            "account": l.account_id,
            "net_amount": m(l.net_amount),
            "tax_amount": m(l.tax_amount),
        })).collect::<Vec<_>>(),
        "subtotal": m(doc.subtotal),
        "tax_total": m(doc.tax_total),
        "total": m(doc.total),
        "amount_paid": m(doc.amount_paid),
        "balance_due": m(doc.balance_due()),
        "tax_summary": tax_summary,
        "journal_entry": doc.journal_entry_id,
        "void_entry": doc.void_entry_id,
        "duplicate_reference": duplicate,
        "issued_at": doc.issued_at.map(|t| t.to_string()),
        "created_at": doc.created_at.to_string(),
        "updated_at": doc.updated_at.to_string(),
    }))
}

/// Renders a stored document after a change, for the response.
fn respond(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<String, ApiError> {
    let (doc, name) = documents::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
    Ok(document_json(tx, ctx, &doc, &name)?.to_string())
}

pub async fn list(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(mut q): QueryPairs,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    // `overdue=true`: open and due before today.
    let mut overdue = false;
    if let Some(i) = q.iter().position(|(k, _)| k == "overdue") {
        let (_, v) = q.remove(i);
        if matches!(v.as_str(), "true" | "1" | "yes") {
            q.push(("open".into(), "true".into()));
            overdue = true;
        }
    }
    let req = list_request(&q)?;
    let mut query = req.clone();
    let page = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, _| {
            // Overdue: open and due before the company's today.
            if overdue {
                query.filters.push(("due_before".into(), ctx.today.to_string()));
            }
            let page = documents::page(tx, ctx.books.company_id, kind, &query)?;
            let d = ctx.books.decimals;
            let mut items = Vec::with_capacity(page.items.len());
            for (doc, name) in &page.items {
                let duplicate = documents::duplicate_reference(tx, doc)?;
                items.push(json!({
                    "id": doc.id, "kind": doc.kind.as_str(), "number": doc.number, "status": doc.status.as_str(),
                    "contact": doc.contact_id, "contact_name": name, "issue_date": doc.issue_date.to_string(),
                    "due_date": doc.due_date.to_string(), "currency": doc.currency, "reference": doc.reference,
                    "subtotal": money::format(doc.subtotal, d), "tax_total": money::format(doc.tax_total, d),
                    "total": money::format(doc.total, d), "amount_paid": money::format(doc.amount_paid, d),
                    "balance_due": money::format(doc.balance_due(), d), "duplicate_reference": duplicate,
                }));
            }
            Ok(crate::store::list::Page {
                count: page.count,
                items,
            })
        },
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |v| v))
}

pub async fn get(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let body = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, _| {
            let (doc, name) = documents::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            if doc.kind != kind {
                return Err(ApiError::NotFound);
            }
            Ok(document_json(tx, ctx, &doc, &name)?.to_string())
        },
    )
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    ApiJson(body): ApiJson<DocumentBody>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let input = input(&body)?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::EditDocuments,
        idempotency,
        status: StatusCode::CREATED,
    };
    write(&app, w, move |tx, ctx| {
        let doc = operations::create_draft(tx, ctx, kind, &input)?;
        respond(tx, ctx, doc.id)
    })
    .await
}

pub async fn update(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DocumentBody>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let input = input(&body)?;
    let idempotency = Idempotency::of(&headers, "PATCH", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::EditDocuments,
        idempotency,
        status: StatusCode::OK,
    };
    write(&app, w, move |tx, ctx| {
        let doc = operations::update_draft(tx, ctx, kind, id, &input)?;
        respond(tx, ctx, doc.id)
    })
    .await
}

pub async fn delete(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    in_books(
        &app,
        claims,
        company,
        Action::EditDocuments,
        Access::Write,
        move |tx, ctx, _| {
            operations::delete_draft(tx, ctx, kind, id)?;
            Ok(StatusCode::NO_CONTENT)
        },
    )
    .await
}

#[derive(Deserialize, Serialize, Default)]
pub struct VoidBody {
    date: Option<String>,
}

pub async fn issue(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &())?;
    let w = Write {
        claims,
        company,
        action: Action::IssueDocuments,
        idempotency,
        status: StatusCode::OK,
    };
    write(&app, w, move |tx, ctx| {
        // A closed period is about the document's issue date: name that field.
        let doc = operations::issue(tx, ctx, kind, id).map_err(|e| match e {
            DocumentError::Ledger(LedgerError::PeriodClosed { .. }) => ApiError::field("issue_date", e.to_string()),
            other => ApiError::from(other),
        })?;
        respond(tx, ctx, doc.id)
    })
    .await
}

pub async fn void(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    // The body is optional: no body voids on the original date.
    let body: VoidBody = super::extract::optional_body(&raw)?;
    let date = optional_date("date", body.date.as_deref())?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    let w = Write {
        claims,
        company,
        action: Action::IssueDocuments,
        idempotency,
        status: StatusCode::OK,
    };
    write(&app, w, move |tx, ctx| {
        let doc = operations::void(tx, ctx, kind, id, date)?;
        respond(tx, ctx, doc.id)
    })
    .await
}

/// `GET …/{id}/pdf/`: the document as a PDF, inline (`?download=1`: as an attachment).
pub async fn pdf(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    QueryPairs(q): QueryPairs,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let download = q
        .iter()
        .any(|(k, v)| k == "download" && matches!(v.as_str(), "1" | "true"));
    let (doc, template, number) = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, ctx, company| {
            let (doc, _) = documents::get(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            if doc.kind != kind {
                return Err(ApiError::NotFound);
            }
            let number = doc
                .number
                .clone()
                .unwrap_or_else(|| format!("DRAFT-{}", &doc.id.simple().to_string()[..8]));
            let (doc, template) = pdf_parts(tx, company, &doc, &number)?;
            Ok((doc, template, number))
        },
    )
    .await?;
    let bytes = app
        .blocking(move |_| pdf::render(&doc, &template).map_err(|e| ApiError::Internal(e.to_string())))
        .await?;
    let disposition = format!(
        "{}; filename=\"{number}.pdf\"",
        if download { "attachment" } else { "inline" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Gathers what the PDF shows: the company, the contact, the lines and the tax summary (the logo and
/// the template are the company's own: see [`pdf_parts`]).
pub(super) fn pdf_document(
    tx: &mut Tx,
    company: &crate::domain::tenants::Company,
    doc: &Document,
    number: &str,
) -> Result<pdf::Document, ApiError> {
    let contact = tx.query_opt(
        "SELECT name, billing_address, tax_id FROM contacts WHERE company_id = $1 AND id = $2",
        crate::params![company.id, doc.contact_id],
    )?;
    let (name, address, tax_id) = match contact {
        Some(r) => (r.text(0)?, r.text(1)?, r.text(2)?),
        None => (String::new(), String::new(), String::new()),
    };
    let summary = tax_summary(tx, company.id, doc)?;
    let label = |id: Option<Uuid>| {
        id.and_then(|id| summary.iter().find(|r| r.id == id))
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let kind = match doc.kind {
        DocumentKind::CreditNote | DocumentKind::VendorCredit => pdf::DocumentKind::CreditNote,
        DocumentKind::Invoice | DocumentKind::Bill => pdf::DocumentKind::Invoice,
    };
    Ok(pdf::Document {
        kind,
        company: pdf::Company {
            name: company.name.clone(),
            address: company.address.lines().map(str::to_owned).collect(),
            tax_id: non_empty(&company.tax_id),
            email: non_empty(&company.email),
            phone: non_empty(&company.phone),
            logo: None,
        },
        recipient: pdf::Recipient {
            name,
            address: address.lines().map(str::to_owned).collect(),
            tax_id: non_empty(&tax_id),
        },
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
            .map(|r| pdf::TaxRow {
                label: r.name.clone(),
                base: r.base,
                tax: r.tax,
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
    })
}

/// The PDF of a document as the company wants it: its logo in the document and its template (the
/// embedded default when it has none). Used by `GET …/pdf/` and by sending, so both look the same.
pub fn pdf_parts(
    tx: &mut Tx,
    company: &Company,
    doc: &Document,
    number: &str,
) -> Result<(pdf::Document, pdf::Template), ApiError> {
    let mut document = pdf_document(tx, company, doc, number)?;
    let (logo, template) = firm_look(tx, company)?;
    document.company.logo = logo;
    Ok((document, template))
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

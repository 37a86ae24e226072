//! `/api/sales/quotes/`, `/api/sales/orders/`, `/api/sales/deliveries/`: quotes and sales
//! orders (list, create, read), their conversions (`…/quotes/{id}/convert/`,
//! `…/orders/{id}/deliver/`, `…/orders/{id}/invoice/`, `…/deliveries/{id}/invoice/`), declining
//! a quote, cancelling an order, and the quote and delivery-note PDFs. Reading needs
//! `documents.view`, making and converting `documents.edit`, invoicing `documents.issue`.

mod dto;
pub mod print;

use axum::Json;
use axum::http::StatusCode;
use uuid::Uuid;

pub use dto::{
    DateBody, DeliverBody, DeliveryDto, DeliveryRow, InvoiceBody, LinkDto, PickBody, SalesBody, SalesDto, SalesRow,
};

use super::company::{Id, InCompany, JsonBody, perm};
use super::conventions::{ListQuery, optional_date};
use super::documents::{DocumentDto, full, line_input};
use super::error::{ApiError, Reply};
use super::extract::QueryPairs;
use crate::domain::FieldErrors;
use crate::domain::ledger::Ctx;
use crate::domain::sales::{self, DeliverInput, InvoiceInput, LinePick, SalesDocument, SalesInput, SalesKind};
use crate::store::Tx;
use crate::store::sales as stored;

/// The quote or order in full: lines with what is left, and its links.
fn show(tx: &mut Tx, ctx: &Ctx<'_>, doc: &SalesDocument) -> Result<SalesDto, ApiError> {
    let company = ctx.books.company_id;
    let name = stored::get(tx, company, doc.id)?.map_or_else(String::new, |(_, n)| n);
    let mut stock = Vec::with_capacity(doc.lines.len());
    for l in &doc.lines {
        stock.push(match l.item_id {
            Some(item) => sales::stock::is_stock(tx, company, item)?,
            None => false,
        });
    }
    let links = stored::links_of(tx, company, doc.id)?;
    Ok(SalesDto::new(doc, name, ctx.today, &stock, links))
}

fn show_delivery(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<DeliveryDto, ApiError> {
    let company = ctx.books.company_id;
    let (d, name) = stored::get_delivery(tx, company, id)?.ok_or(ApiError::NotFound)?;
    let links = stored::links_of(tx, company, id)?;
    Ok(DeliveryDto::new(&d, name, links))
}

fn picks(lines: Option<Vec<PickBody>>) -> Option<Vec<LinePick>> {
    lines.map(|ls| {
        ls.into_iter()
            .map(|p| LinePick {
                line: p.line,
                quantity: p.quantity,
            })
            .collect()
    })
}

async fn list_kind(kind: SalesKind, c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = stored::page(tx, ctx.books.company_id, kind, &request)?;
            Ok(page.map(|(d, name)| SalesRow::new(&d, name, ctx.today)))
        })
        .await?;
    Ok(q.render(page, |dto| dto))
}

async fn create_kind(kind: SalesKind, c: InCompany<perm::EditDocuments>, mut body: JsonBody<SalesBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let b = body.parse()?;
        let mut errors = FieldErrors::default();
        let mut date = |field: &str, v: Option<&str>| {
            optional_date(field, v).unwrap_or_else(|e| {
                if let ApiError::Validation(f) = e {
                    errors.merge(f);
                }
                None
            })
        };
        let on = date("date", b.date.as_deref());
        let valid_until = date("valid_until", b.valid_until.as_deref());
        if b.contact.is_none() {
            errors.add("contact", "This field is required.");
        }
        if b.lines.is_none() {
            errors.add("lines", "This field is required.");
        }
        errors.into_result()?;
        let input = SalesInput {
            contact: b.contact,
            date: on,
            valid_until,
            currency: b.currency.filter(|c| !c.is_empty()),
            reference: b.reference.unwrap_or_default(),
            notes: b.notes.unwrap_or_default(),
            lines: b.lines.unwrap_or_default().iter().map(line_input).collect(),
        };
        let doc = sales::create(tx, ctx, kind, &input)?;
        show(tx, ctx, &doc)
    })
    .await
}

async fn get_kind(kind: SalesKind, c: InCompany<perm::ViewDocuments>, id: Uuid) -> Reply<Json<SalesDto>> {
    c.read(move |tx, ctx| {
        let doc = sales::find(tx, ctx, kind, id)?;
        show(tx, ctx, &doc)
    })
    .await
    .map(Json)
}

/// `GET /api/sales/quotes/`
pub async fn list_quotes(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    list_kind(SalesKind::Quote, c, q).await
}

/// `GET /api/sales/orders/`
pub async fn list_orders(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    list_kind(SalesKind::Order, c, q).await
}

/// `POST /api/sales/quotes/`
pub async fn create_quote(c: InCompany<perm::EditDocuments>, body: JsonBody<SalesBody>) -> Reply {
    create_kind(SalesKind::Quote, c, body).await
}

/// `POST /api/sales/orders/`
pub async fn create_order(c: InCompany<perm::EditDocuments>, body: JsonBody<SalesBody>) -> Reply {
    create_kind(SalesKind::Order, c, body).await
}

/// `GET /api/sales/quotes/{id}/`
pub async fn get_quote(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<SalesDto>> {
    get_kind(SalesKind::Quote, c, id).await
}

/// `GET /api/sales/orders/{id}/`
pub async fn get_order(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<SalesDto>> {
    get_kind(SalesKind::Order, c, id).await
}

/// `POST /api/sales/quotes/{id}/convert/`: the order, with the quote's prices and taxes.
pub async fn convert(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<DateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        sales::find(tx, ctx, SalesKind::Quote, id)?;
        let date = optional_date("date", body.parse_or_default()?.date.as_deref())?;
        let order = sales::convert(tx, ctx, id, date)?;
        show(tx, ctx, &order)
    })
    .await
}

/// `POST /api/sales/quotes/{id}/decline/`
pub async fn decline(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<DateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        sales::find(tx, ctx, SalesKind::Quote, id)?;
        let quote = sales::decline(tx, ctx, id)?;
        show(tx, ctx, &quote)
    })
    .await
}

/// `POST /api/sales/orders/{id}/cancel/`
pub async fn cancel(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<DateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        sales::find(tx, ctx, SalesKind::Order, id)?;
        let order = sales::cancel(tx, ctx, id)?;
        show(tx, ctx, &order)
    })
    .await
}

/// `POST /api/sales/orders/{id}/deliver/`: a delivery of the lines chosen (or all that is left).
pub async fn deliver(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<DeliverBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        sales::find(tx, ctx, SalesKind::Order, id)?;
        let b = body.parse_or_default()?;
        let input = DeliverInput {
            date: optional_date("date", b.date.as_deref())?,
            warehouse: b.warehouse,
            notes: b.notes.unwrap_or_default(),
            lines: picks(b.lines),
        };
        let delivery = sales::deliver(tx, ctx, id, &input)?;
        show_delivery(tx, ctx, delivery.id)
    })
    .await
}

/// `POST /api/sales/orders/{id}/invoice/`: an issued invoice of the lines chosen (or all left).
pub async fn invoice_order(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<InvoiceBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        sales::find(tx, ctx, SalesKind::Order, id)?;
        let b = body.parse_or_default()?;
        let input = InvoiceInput {
            date: optional_date("date", b.date.as_deref())?,
            lines: picks(b.lines),
        };
        let doc = sales::invoice_order(tx, ctx, id, &input)?;
        full(tx, ctx, &doc)
    })
    .await
}

/// `GET /api/sales/deliveries/`
pub async fn list_deliveries(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = stored::delivery_page(tx, ctx.books.company_id, &request)?;
            Ok(page.map(|(d, name)| DeliveryRow::new(&d, name)))
        })
        .await?;
    Ok(q.render(page, |dto| dto))
}

/// `GET /api/sales/deliveries/{id}/`
pub async fn get_delivery(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<DeliveryDto>> {
    c.read(move |tx, ctx| show_delivery(tx, ctx, id)).await.map(Json)
}

/// `POST /api/sales/deliveries/{id}/invoice/`: an issued invoice of what it delivered.
pub async fn invoice_delivery(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<DateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        sales::find_delivery(tx, ctx, id)?;
        let b = body.parse_or_default()?;
        let input = InvoiceInput {
            date: optional_date("date", b.date.as_deref())?,
            lines: None,
        };
        let doc = sales::invoice_delivery(tx, ctx, id, &input)?;
        full(tx, ctx, &doc)
    })
    .await
}

/// `GET /api/sales/quotes/{id}/pdf/`
pub async fn quote_pdf(c: InCompany<perm::ViewDocuments>, Id(id): Id, QueryPairs(q): QueryPairs) -> Reply {
    print::quote(c, id, &q).await
}

/// `GET /api/sales/deliveries/{id}/pdf/`
pub async fn delivery_pdf(c: InCompany<perm::ViewDocuments>, Id(id): Id, QueryPairs(q): QueryPairs) -> Reply {
    print::delivery(c, id, &q).await
}

/// `GET /api/sales/invoices/{id}/links/`: the orders and deliveries an invoice is linked to.
pub async fn invoice_links(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<Vec<LinkDto>>> {
    c.read(move |tx, ctx| {
        crate::domain::documents::operations::find(tx, ctx, crate::domain::documents::DocumentKind::Invoice, id)?;
        Ok(stored::links_of(tx, ctx.books.company_id, id)?
            .into_iter()
            .map(LinkDto::new)
            .collect())
    })
    .await
    .map(Json)
}

/// Keeps the documents' answer type named where the invoices made here are shown.
pub type InvoiceDto = DocumentDto;

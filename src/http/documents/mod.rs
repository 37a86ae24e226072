//! `/api/invoicing/invoices/`, `/api/invoicing/credit-notes/`, `/api/purchase/bills/`,
//! `/api/purchase/vendor-credits/`: one set of handlers for the four kinds. The kind is a type
//! ([`Invoices`], …) bound where the routes are registered (`documents::issue::<Invoices>`,
//! `resource::get::<Documents<Invoices>>`); no handler looks at the path to know what it serves.
//! Drafts are listed, read, created, replaced, amended and deleted through `http::resource`.

mod body;
mod dto;
pub mod print;

use std::marker::PhantomData;

use axum::http::StatusCode;
use axum::routing::{get, post};
use uuid::Uuid;

pub use body::{DocumentBody, LineBody, line_input};
pub use dto::{DocumentDto, DocumentRow, LineDto, Shown, TaxDto};

use super::company::{Id, Idempotency, InCompany, JsonBody, perm};
use super::conventions::{markers, optional_date};
use super::error::{ApiError, Reply};
use super::error_map;
use super::extract::QueryPairs;
use super::journal::ReverseBody as DateBody;
use super::openapi::Routes;
use super::resource::{self, Deletable, Edit, Resource};
use crate::domain::documents::summary::tax_summary;
use crate::domain::documents::{Document, DocumentKind, DocumentStore, operations};
use crate::domain::ledger::Ctx;
use crate::store::list::{ListRequest, Page};
use crate::store::{Tx, documents};

/// A document kind as a type, for the routes to bind their handlers to.
pub trait Kind: Send + Sync + 'static {
    const KIND: DocumentKind;
}

markers!(Kind::KIND: DocumentKind {
    /// `/api/invoicing/invoices/`
    Invoices = DocumentKind::Invoice;
    /// `/api/invoicing/credit-notes/`
    CreditNotes = DocumentKind::CreditNote;
    /// `/api/purchase/bills/`
    Bills = DocumentKind::Bill;
    /// `/api/purchase/vendor-credits/`
    VendorCredits = DocumentKind::VendorCredit;
});

/// The paths of one kind's endpoints, all under its base (see `document_paths!` in `http/mod.rs`).
pub struct Paths {
    pub list: &'static str,
    pub item: &'static str,
    pub issue: &'static str,
    pub void: &'static str,
    pub pdf: &'static str,
}

/// Registers a document kind's routes, every handler bound to the kind.
pub trait DocumentRoutes {
    fn documents<K: Kind>(self, paths: Paths) -> Self;
}

impl DocumentRoutes for Routes {
    fn documents<K: Kind>(self, paths: Paths) -> Routes {
        self.route(paths.list, resource::many::<Documents<K>>())
            .route(
                paths.item,
                resource::one::<Documents<K>>().delete(resource::delete::<Documents<K>>),
            )
            .route(paths.issue, post(issue::<K>))
            .route(paths.void, post(void::<K>))
            .route(paths.pdf, get(pdf::<K>))
    }
}

/// The documents of kind `K`, served by the generic handlers of `http::resource`.
pub struct Documents<K>(PhantomData<K>);

impl<K: Kind> Resource for Documents<K> {
    type View = perm::ViewDocuments;
    type Edit = perm::EditDocuments;
    type Record = Document;
    type Dto = Shown;
    type Body = DocumentBody;

    /// Newest first; `overdue=true`: open and due before the company's today.
    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<Shown>, ApiError> {
        let mut request = request.clone();
        let overdue =
            |(name, value): &(String, String)| name == "overdue" && matches!(value.as_str(), "true" | "1" | "yes");
        if request.filters.iter().any(overdue) {
            request.filters.push(("open".into(), "true".into()));
            request.filters.push(("due_before".into(), ctx.today.to_string()));
        }
        let page = documents::page(tx, ctx.books.company_id, K::KIND, &request)?;
        let mut rows = Vec::with_capacity(page.items.len());
        for (doc, contact_name) in page.items {
            let duplicate = documents::duplicate_reference(tx, &doc)?;
            let row = DocumentRow::new(&doc, contact_name, duplicate, (&ctx.books.currency, ctx.books.decimals));
            rows.push(Shown::Row(Box::new(row)));
        }
        Ok(Page {
            count: page.count,
            items: rows,
        })
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<Document, ApiError> {
        Ok(operations::find(tx, ctx, K::KIND, id)?)
    }

    fn show(tx: &mut Tx, ctx: &Ctx<'_>, doc: Document) -> Result<Shown, ApiError> {
        Ok(Shown::Full(Box::new(full(tx, ctx, &doc)?)))
    }

    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<Document>, body: DocumentBody) -> Result<Document, ApiError> {
        Ok(operations::save(
            tx,
            ctx,
            K::KIND,
            edit.current,
            edit.how,
            body.changes()?,
        )?)
    }
}

impl<K: Kind> Deletable for Documents<K> {
    /// Deletes a draft; an issued document is voided instead.
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, doc: Document) -> Result<(), ApiError> {
        Ok(operations::delete_draft(tx, ctx, K::KIND, doc.id)?)
    }
}

/// The document in full: its contact's name, its tax summary and whether its reference is
/// another live bill's too.
pub fn full(tx: &mut Tx, ctx: &Ctx<'_>, doc: &Document) -> Result<DocumentDto, ApiError> {
    let contact_name = DocumentStore::contact(tx, doc.company_id, doc.contact_id)?.map_or_else(String::new, |c| c.name);
    let summary = tax_summary(tx, doc)?;
    let duplicate = documents::duplicate_reference(tx, doc)?;
    Ok(DocumentDto::new(
        doc,
        contact_name,
        &summary,
        duplicate,
        (&ctx.books.currency, ctx.books.decimals),
    ))
}

/// `POST …/{id}/issue/`: numbered and posted.
pub async fn issue<K: Kind>(c: InCompany<perm::IssueDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        let doc = operations::issue(tx, ctx, K::KIND, id).map_err(error_map::issuing)?;
        full(tx, ctx, &doc)
    })
    .await
}

/// `POST …/{id}/void/`: the entry reversed on `date` (no body: the issue date).
pub async fn void<K: Kind>(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<DateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        operations::find(tx, ctx, K::KIND, id)?;
        let date = optional_date("date", body.parse_or_default()?.date.as_deref())?;
        let doc = operations::void(tx, ctx, K::KIND, id, date)?;
        full(tx, ctx, &doc)
    })
    .await
}

/// `GET …/{id}/pdf/`: the document as a PDF, inline (`?download=1`: as an attachment).
pub async fn pdf<K: Kind>(c: InCompany<perm::ViewDocuments>, Id(id): Id, QueryPairs(q): QueryPairs) -> Reply {
    let download = q
        .iter()
        .any(|(k, v)| k == "download" && matches!(v.as_str(), "1" | "true"));
    let app = c.app().clone();
    let (document, template) = c
        .read(move |tx, ctx| {
            let doc = operations::find(tx, ctx, K::KIND, id)?;
            print::gather(tx, ctx, &doc, &print::number_of(&doc))
        })
        .await?;
    let name = document.number.clone();
    let bytes = print::render(&app, document, template).await?;
    Ok(print::answer(bytes, &name, download))
}

//! `/api/documents/`: the documents a firm keeps (files; `documents` in code is invoices and
//! bills). Upload (multipart, streamed, `upload.rs`), list, show, rename, inbox flag, delete,
//! new versions, links to records, download and preview (`download.rs`), extracted text
//! (`text.rs`). Reading needs
//! `documents.view`, changing `documents.edit` — the permissions of invoices and bills, whose
//! evidence these files are.
//!
//! Storage and rows: the bytes are put to `app.files` by their SHA-256 *before* the transaction
//! that names them (a failed transaction removes an object it alone stored); an object no
//! version names any more is removed *after* the delete commits. The extraction queue is woken
//! after an upload commits.

pub mod download;
pub mod dto;
pub mod text;
pub mod upload;
pub mod usage;

use axum::Json;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use uuid::Uuid;

use self::dto::{FileDto, LinkBody, PatchBody, file_dto};
use self::upload::{Form, kind_of, read_form, store};
use super::company::{Id, InCompany, JsonBody, perm};
use super::conventions::ListQuery;
use super::error::{ApiError, Reply};
use crate::domain::books::Ctx;
use crate::domain::files::{File, RecordKind, sanitise_name};
use crate::store::Tx;
use crate::store::files::{self as rows, Upload};

/// The whole of one file as the API shows it.
fn show(tx: &mut Tx, file: &File) -> Result<FileDto, ApiError> {
    let versions = rows::versions(tx, file.id)?;
    let links = rows::links(tx, &[file.id])?;
    Ok(file_dto(file, &versions, &links))
}

fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<File, ApiError> {
    rows::find(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)
}

/// `GET /api/documents/`: a page of the company's documents. Filters: `kind`, `inbox`,
/// `record_kind` and `record_id` (the files of one record), `state` (of the current version's
/// text), `created_from`; `search` in the name.
pub async fn list(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            let page = rows::page(tx, ctx.books.company_id, &request)?;
            let ids: Vec<Uuid> = page.items.iter().map(|l| l.file.id).collect();
            let links = rows::links(tx, &ids)?;
            let mut out = Vec::with_capacity(page.items.len());
            for l in &page.items {
                let versions = rows::versions(tx, l.file.id)?;
                out.push(file_dto(&l.file, &versions, &links));
            }
            Ok(crate::store::list::Page {
                count: page.count,
                items: out,
            })
        })
        .await?;
    Ok(q.render(page, |d| d))
}

/// `GET /api/documents/{id}/`: the document with its versions, links and extraction state.
pub async fn get(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<FileDto>> {
    c.read(move |tx, ctx| {
        let file = find(tx, ctx, id)?;
        show(tx, &file).map(Json)
    })
    .await
}

/// `POST /api/documents/`: a new document (201). The permission and the company are checked
/// before a byte of the body is read.
pub async fn create(c: InCompany<perm::EditDocuments>, form: Multipart) -> Reply {
    c.clone().read(|_, _| Ok(())).await?;
    let app = c.app().clone();
    let tenant = c.firm()?;
    let Form {
        file: received,
        name,
        inbox,
        link,
        company,
    } = read_form(&app, form, true).await?;
    let kind = kind_of(&received)?;
    let stored = store(&app, tenant, &received).await?;
    let original = sanitise_name(&received.file_name);
    let upload = Upload {
        sha256: received.sha256.clone(),
        size: received.size,
        kind,
        original_name: original.clone(),
    };
    let name = name.map_or(original, |n| sanitise_name(&n));
    let quota = app.config.documents.firm_quota;
    let made = c
        .clone()
        .change(move |tx, ctx| {
            if company.is_some_and(|c| c != ctx.books.company_id) {
                return Err(ApiError::field(
                    "company",
                    "Not the request's company: choose the company with the X-Company-Id header.",
                ));
            }
            let file = rows::create(tx, ctx, name, inbox, &upload, quota)??;
            if let Some((kind, record)) = link
                && !rows::link(tx, ctx, &file, kind, record)?
            {
                return Err(ApiError::field("record_id", "No such record in this company."));
            }
            show(tx, &file)
        })
        .await;
    finish(&c, stored, &received.sha256, made, StatusCode::CREATED).await
}

/// After the transaction: wake the extraction queue, or remove an object this request alone
/// stored and no row names.
async fn finish(
    c: &InCompany<perm::EditDocuments>,
    stored: bool,
    sha256: &str,
    made: Result<FileDto, ApiError>,
    status: StatusCode,
) -> Reply {
    match made {
        Ok(dto) => {
            match c.firm() {
                Ok(tenant) => c.app().extraction.wake_for(tenant),
                Err(_) => c.app().extraction.wake(),
            }
            Ok((status, Json(dto)).into_response())
        }
        Err(e) => {
            if stored {
                let sha = sha256.to_owned();
                let known = c.clone().read(move |tx, _| Ok(rows::object_known(tx, &sha)?)).await;
                if let (Ok(false), Ok(tenant)) = (known, c.firm()) {
                    let _ = c.app().files.delete(tenant, sha256).await;
                }
            }
            Err(e)
        }
    }
}

/// `POST /api/documents/{id}/versions/`: new bytes for the document (201); the old version is
/// kept and `current_version` moves to the new one, whose text is extracted anew.
pub async fn add_version(c: InCompany<perm::EditDocuments>, Id(id): Id, form: Multipart) -> Reply {
    c.clone().read(move |tx, ctx| find(tx, ctx, id).map(|_| ())).await?;
    let app = c.app().clone();
    let tenant = c.firm()?;
    let received = read_form(&app, form, false).await?.file;
    let kind = kind_of(&received)?;
    let stored = store(&app, tenant, &received).await?;
    let upload = Upload {
        sha256: received.sha256.clone(),
        size: received.size,
        kind,
        original_name: sanitise_name(&received.file_name),
    };
    let quota = app.config.documents.firm_quota;
    let made = c
        .clone()
        .change(move |tx, ctx| {
            let file = find(tx, ctx, id)?;
            let file = rows::add_version(tx, ctx, &file, &upload, quota)??;
            show(tx, &file)
        })
        .await;
    finish(&c, stored, &received.sha256, made, StatusCode::CREATED).await
}

/// `PATCH /api/documents/{id}/`: rename, or move in or out of the inbox.
pub async fn patch(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<PatchBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let before = find(tx, ctx, id)?;
        let b = body.parse()?;
        let mut after = before.clone();
        if let Some(name) = b.name {
            if name.trim().is_empty() {
                return Err(ApiError::field("name", "This field may not be blank."));
            }
            after.name = sanitise_name(&name);
        }
        if let Some(inbox) = b.inbox {
            after.inbox = inbox;
        }
        if after != before {
            after.updated_at = ctx.now;
            rows::save(tx, ctx, &before, &after, "update")?;
        }
        show(tx, &after)
    })
    .await
}

/// `DELETE /api/documents/{id}/` (204), audited. Refused (409) while the document supports a
/// posted journal entry, an issued invoice, credit note, bill or vendor credit, or a payment.
/// Objects no other version names are removed from storage after the commit.
pub async fn delete(c: InCompany<perm::EditDocuments>, Id(id): Id) -> Reply {
    let objects = c
        .clone()
        .change(move |tx, ctx| {
            let file = find(tx, ctx, id)?;
            Ok(rows::delete(tx, ctx, &file)??)
        })
        .await?;
    let gone = c
        .clone()
        .read(move |tx, _| Ok(rows::unreferenced(tx, &objects)?))
        .await?;
    let tenant = c.firm()?;
    for sha in gone {
        if let Err(e) = c.app().files.delete(tenant, &sha).await {
            // The rows are gone; a leftover object costs space, not correctness.
            tracing::warn!(%tenant, object = %sha, "a deleted document's object stays in storage: {e}");
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/documents/{id}/links/`: attaches the document to a record of the same company
/// (201 with the document); an unknown record, or another company's, is a 404.
pub async fn add_link(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<LinkBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let file = find(tx, ctx, id)?;
        let b = body.parse()?;
        let kind = RecordKind::parse(&b.record_kind)
            .ok_or_else(|| ApiError::field("record_kind", format!("\"{}\" is not a record kind.", b.record_kind)))?;
        if !rows::link(tx, ctx, &file, kind, b.record_id)? {
            return Err(ApiError::NotFound);
        }
        show(tx, &file)
    })
    .await
}

/// `DELETE /api/documents/{id}/links/{record_kind}/{record_id}/` (204). Refused (409) when the
/// record is posted: a posted record keeps its evidence.
pub async fn remove_link(
    c: InCompany<perm::EditDocuments>,
    Path((id, kind, record)): Path<(String, String, String)>,
) -> Reply {
    let (Ok(id), Some(kind), Ok(record)) = (Uuid::parse_str(&id), RecordKind::parse(&kind), Uuid::parse_str(&record))
    else {
        return Err(ApiError::NotFound);
    };
    c.change(move |tx, ctx| {
        let file = find(tx, ctx, id)?;
        match rows::unlink(tx, ctx, &file, kind, record)? {
            Ok(true) => Ok(()),
            Ok(false) => Err(ApiError::NotFound),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! Operations of documents a firm keeps (files): upload, list, show, change, delete, versions,
//! links, download and preview, extracted text.

use super::super::ops::Access::{Company, Firm};
use super::super::ops::Kind::{Bool, Date, Id, Int, Text};
use super::super::ops::{Answer, Op, op, shape, tagged};
use crate::http::files::dto::{FileDto, LinkBody, PatchBody, UploadForm, VersionForm};
use crate::http::files::text::TextDto;
use crate::http::files::usage::UsageDto;

pub fn files() -> Vec<Op> {
    let usage = tagged(
        "Documents (files)",
        Firm,
        [op(
            "GET /api/documents/usage/",
            "getDocumentUsage",
            "The firm's document storage",
        )
        .about(
            "Bytes kept (each distinct file once, all versions and companies) against the firm's quota, the \
                 largest file taken, and where the bytes are (`local` or `s3`).",
        )
        .ok(shape::<UsageDto>())],
    );
    let company = tagged(
        "Documents (files)",
        Company,
        [
            op("GET /api/documents/", "listDocuments", "Documents, newest first").list::<FileDto>(&[
                ("kind", Text),
                ("inbox", Bool),
                ("record_kind", Text),
                ("record_id", Id),
                ("state", Text),
                ("created_from", Date),
            ]),
            op("POST /api/documents/", "uploadDocument", "Upload a document")
                .about(
                    "`multipart/form-data`, streamed: the bytes are counted and hashed as they arrive and never held \
                     whole in memory. The kind is told from the bytes (PDF, PNG, JPEG, WebP, HEIC, CSV, XLSX, plain \
                     text, `.eml`); anything else, or a name contradicting the content (an image named `.pdf`), is \
                     a 400 under `file`. Larger than `documents.max_file_size`: 413; over the firm's quota: 400 \
                     under `file`. Nothing is kept after a refusal. Identical bytes are stored once per firm. With \
                     `record_kind` and `record_id` the document is attached at once. Its text is extracted \
                     afterwards (`text_state`).",
                )
                .multipart(shape::<UploadForm>())
                .writes()
                .created(shape::<FileDto>()),
            op(
                "GET /api/documents/{id}/",
                "getDocument",
                "A document with its versions and links",
            )
            .ok(shape::<FileDto>()),
            op(
                "PATCH /api/documents/{id}/",
                "changeDocument",
                "Rename a document, or move it in or out of the inbox",
            )
            .json(shape::<PatchBody>())
            .idempotent()
            .ok(shape::<FileDto>()),
            op(
                "DELETE /api/documents/{id}/",
                "deleteDocument",
                "Delete a document and its versions",
            )
            .about(
                "Audited. Refused (409) while the document supports a posted journal entry, an issued invoice, \
                     credit note, bill or vendor credit, or a payment.",
            )
            .writes(),
            op(
                "POST /api/documents/{id}/versions/",
                "addDocumentVersion",
                "Replace a document's bytes",
            )
            .about("The old version is kept; `current_version` moves to the new one. Same checks as an upload.")
            .multipart(shape::<VersionForm>())
            .writes()
            .created(shape::<FileDto>()),
            op(
                "GET /api/documents/{id}/download/",
                "downloadDocument",
                "A document's bytes",
            )
            .about(
                "As an attachment, with `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox; \
                     default-src 'none'`. `version`: the current one when left out.",
            )
            .query("version", Int, false)
            .answer(Answer::File),
            op(
                "GET /api/documents/{id}/preview/",
                "previewDocument",
                "A document shown inline",
            )
            .about("PDFs and images browsers draw (PNG, JPEG, WebP) only; any other kind is a 415: download it.")
            .query("version", Int, false)
            .answer(Answer::Preview)
            .or(415, "Not a kind shown inline"),
            op(
                "GET /api/documents/{id}/text/",
                "getDocumentText",
                "The text extracted from a document",
            )
            .about(
                "Read in the background after each upload: `state` goes `pending` → `running` → `done` (the text, \
                     with `method` and `pages`), `failed` (a hostile or unreadable file: `error` says why) or \
                     `unsupported` (e.g. an image on a server without OCR). `version`: the current one when left out.",
            )
            .query("version", Int, false)
            .ok(shape::<TextDto>()),
            op(
                "POST /api/documents/{id}/links/",
                "linkDocument",
                "Attach a document to a record",
            )
            .about(
                "An entry, invoice, credit note, bill, vendor credit, payment, contact, bank line or item of the \
                     same company; any other id is a 404. Linking twice changes nothing.",
            )
            .json(shape::<LinkBody>())
            .idempotent()
            .created(shape::<FileDto>()),
            op(
                "DELETE /api/documents/{id}/links/{record_kind}/{record_id}/",
                "unlinkDocument",
                "Detach a document from a record",
            )
            .about("Refused (409) when the record is posted: a posted record keeps its evidence.")
            .writes(),
        ],
    );
    [usage, company].into_iter().flatten().collect()
}

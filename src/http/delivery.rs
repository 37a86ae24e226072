//! Getting documents to customers: the firm's own template and logo (`/api/invoicing/template/`,
//! `/api/invoicing/logo/`) and e-mail (`…/{id}/send/`, `…/{id}/deliveries/`).
//!
//! Sending is three steps so that no database lock is held while a mail server is slow: one
//! transaction reads the document and everything its PDF shows and commits; the PDF is drawn and
//! the message handed to SMTP (or written as an `.eml` file) outside any transaction; a second,
//! short transaction records the outcome in `email_log`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::books::{Access, in_books};
use super::documents::{kind_of, pdf_parts};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, parse_id};
use crate::app::AppState;
use crate::config::SmtpConfig;
use crate::domain::FieldErrors;
use crate::domain::documents::{DocumentKind, DocumentStatus};
use crate::domain::money;
use crate::domain::roles::Action;
use crate::domain::tenants::{Company, is_email};
use crate::pdf;
use crate::store::delivery::{self as store, Delivery, DeliveryStatus, Logo};
use crate::store::{Tx, contacts, documents};

/// Larger than any sensible template (the default is 2 KB), small enough to keep out of the way.
const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// A logo is drawn at most 150 × 56 pt: a megabyte is plenty.
const MAX_LOGO_BYTES: usize = 1024 * 1024;
const MAX_RECIPIENTS: usize = 20;
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_MESSAGE_CHARS: usize = 10_000;
/// The whole conversation with the mail server; past it the send fails with 502, not a hung request.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
const NOT_CONFIGURED: &str = "E-mail is not configured: set smtp.url and smtp.from in oasys.toml.";

/// `PUT /api/invoicing/template/`: optional here so that a missing key is a 400 naming it.
#[derive(Deserialize)]
pub struct TemplateBody {
    template: Option<String>,
}

fn template_json(text: Option<String>) -> Response {
    let is_default = text.is_none();
    let template = text.unwrap_or_else(|| pdf::DEFAULT_TOML.to_owned());
    axum::Json(json!({"template": template, "is_default": is_default, "default": pdf::DEFAULT_TOML})).into_response()
}

/// `DELETE /api/invoicing/template/`: back to the embedded default look (the logo stays).
pub async fn delete_template(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
) -> Result<StatusCode, ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        |tx, ctx, company| Ok(store::clear_template(tx, company.id, ctx.actor)?),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/invoicing/template/`: the company's template TOML, or the embedded default.
pub async fn get_template(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
) -> Result<Response, ApiError> {
    let text = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        |tx, _, company| Ok(store::template(tx, company.id)?),
    )
    .await?;
    Ok(template_json(text))
}

/// `PUT /api/invoicing/template/`: checked with the renderer's own parser before it is stored, so a
/// saved template always renders; a bad one answers 400 on `template` with the parser's message.
pub async fn put_template(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<Response, ApiError> {
    let Some(text) = body.template else {
        return Err(ApiError::field("template", "This field is required."));
    };
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(ApiError::field(
            "template",
            format!("Ensure the template has no more than {MAX_TEMPLATE_BYTES} bytes."),
        ));
    }
    pdf::Template::from_toml(&text).map_err(|e| ApiError::field("template", e.to_string()))?;
    let stored = text.clone();
    in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        move |tx, ctx, company| Ok(store::set_template(tx, company.id, &stored, ctx.actor)?),
    )
    .await?;
    Ok(template_json(Some(text)))
}

/// `GET /api/invoicing/logo/`: the stored image as uploaded.
pub async fn get_logo(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
) -> Result<Response, ApiError> {
    let logo = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        |tx, _, company| Ok(store::logo(tx, company.id)?),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, logo.content_type),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        ],
        logo.bytes,
    )
        .into_response())
}

/// `PUT /api/invoicing/logo/`: the raw image as the body. The declared type must be PNG or JPEG
/// (else 415), the bytes must be that type and decode completely (else 400 on `logo`), at most 1 MiB
/// (else 413). Checked before anything is written.
pub async fn put_logo(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let signature: &[u8] = match essence.as_str() {
        "image/png" => b"\x89PNG\r\n\x1a\n",
        "image/jpeg" => &[0xFF, 0xD8, 0xFF],
        _ => return Err(ApiError::UnsupportedMediaType(declared)),
    };
    if body.len() > MAX_LOGO_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if !body.starts_with(signature) {
        return Err(ApiError::field(
            "logo",
            format!(
                "The file is not a {} image.",
                if essence == "image/png" { "PNG" } else { "JPEG" }
            ),
        ));
    }
    let bytes = body.to_vec();
    let checked = app
        .blocking(move |_| match pdf::check_logo(&bytes) {
            Ok(()) => Ok(Ok(bytes)),
            Err(e) => Ok(Err(e.to_string())),
        })
        .await?;
    let bytes = checked.map_err(|message| ApiError::field("logo", message))?;
    let size = bytes.len();
    let logo = Logo {
        content_type: essence,
        bytes,
    };
    let content_type = logo.content_type.clone();
    in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        move |tx, ctx, company| Ok(store::set_logo(tx, company.id, Some(&logo), ctx.actor)?),
    )
    .await?;
    Ok(axum::Json(json!({"content_type": content_type, "size": size})).into_response())
}

/// `DELETE /api/invoicing/logo/`: documents go back to having no logo.
pub async fn delete_logo(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
) -> Result<StatusCode, ApiError> {
    in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        |tx, ctx, company| Ok(store::set_logo(tx, company.id, None, ctx.actor)?),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/{id}/send/`; every field is optional, and so is the body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    to: Option<Vec<String>>,
    subject: Option<String>,
    message: Option<String>,
}

/// Checks what the caller typed; nothing is read or written before it passes.
fn check_send_body(body: &SendBody) -> Result<(), ApiError> {
    let mut errors = FieldErrors::default();
    let to = body.to.as_deref().unwrap_or_default();
    if to.len() > MAX_RECIPIENTS {
        errors.add(
            "to",
            format!("Ensure this field has no more than {MAX_RECIPIENTS} elements."),
        );
    }
    for address in to {
        if !is_email(address.trim()) {
            errors.add("to", format!("Enter a valid email address: \"{address}\"."));
        }
    }
    if let Some(subject) = &body.subject {
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            errors.add(
                "subject",
                format!("Ensure this field has no more than {MAX_SUBJECT_CHARS} characters."),
            );
        }
        if subject.contains(['\r', '\n']) {
            errors.add("subject", "The subject must be one line.");
        }
    }
    if body
        .message
        .as_ref()
        .is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS)
    {
        errors.add(
            "message",
            format!("Ensure this field has no more than {MAX_MESSAGE_CHARS} characters."),
        );
    }
    errors.into_result()?;
    Ok(())
}

/// Everything the message needs, gathered in the first transaction.
struct Outgoing {
    document: pdf::Document,
    template: pdf::Template,
    document_id: Uuid,
    number: String,
    to: Vec<Mailbox>,
    reply_to: Option<Mailbox>,
    subject: String,
    text: String,
}

/// What the document is called in the message: (in a sentence, at the start of the subject).
fn what(kind: DocumentKind) -> (&'static str, &'static str) {
    match kind {
        DocumentKind::CreditNote | DocumentKind::VendorCredit => ("credit note", "Credit note"),
        DocumentKind::Invoice | DocumentKind::Bill => ("invoice", "Invoice"),
    }
}

/// Reads the document and what its PDF and message show; refuses drafts and void documents.
fn gather(tx: &mut Tx, company: &Company, kind: DocumentKind, id: Uuid, body: &SendBody) -> Result<Outgoing, ApiError> {
    let (doc, contact_name) = documents::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?;
    if doc.kind != kind {
        return Err(ApiError::NotFound);
    }
    let number = match (doc.status, &doc.number) {
        (DocumentStatus::Issued | DocumentStatus::PartiallyPaid | DocumentStatus::Paid, Some(n)) => n.clone(),
        (status, _) => {
            return Err(ApiError::field(
                "non_field_errors",
                format!("Only issued documents can be sent; this one is {}.", status.as_str()),
            ));
        }
    };
    let to = match body.to.as_deref() {
        Some(given) if !given.is_empty() => given.iter().map(|a| a.trim().to_owned()).collect(),
        _ => contacts::get(tx, company.id, doc.contact_id)?
            .map(|c| c.emails)
            .unwrap_or_default(),
    };
    if to.is_empty() {
        return Err(ApiError::field(
            "to",
            "The customer has no e-mail address: give one in \"to\" or add it to the customer.",
        ));
    }
    let to = to
        .iter()
        .map(|a| {
            a.parse::<Mailbox>()
                .map_err(|_| ApiError::field("to", format!("Enter a valid email address: \"{a}\".")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let reply_to = company.email.trim().parse::<Mailbox>().ok();
    let (what, title) = what(doc.kind);
    let subject = body
        .subject
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{title} {number} from {}", company.name));
    let total = money::format(doc.total, money::decimals(&doc.currency));
    let text = body.message.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
        let due = if doc.kind == DocumentKind::Invoice {
            format!(", due {}", doc.due_date)
        } else {
            String::new()
        };
        format!(
            "Dear {contact_name},\n\nPlease find attached {what} {number} for {total} {}{due}.\n\nKind regards,\n{}\n",
            doc.currency, company.name
        )
    });
    let (document, template) = pdf_parts(tx, company, &doc, &number)?;
    Ok(Outgoing {
        document,
        template,
        document_id: doc.id,
        number,
        to,
        reply_to,
        subject,
        text,
    })
}

/// Hands the message to the configured transport: `.eml` files in `smtp.file_dir`, else SMTP.
/// Returns the transport's error text on failure.
async fn deliver(smtp: &SmtpConfig, message: Message) -> Result<(), String> {
    let sending = async {
        if let Some(dir) = smtp.file_dir.clone() {
            let bytes = message.formatted();
            tokio::task::spawn_blocking(move || {
                crate::spool::write(&dir, &bytes).map_err(|e| format!("{}: {e}", dir.display()))
            })
            .await
            .map_err(|e| e.to_string())?
            .map(|_| ())
        } else if let Some(url) = &smtp.url {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| e.to_string())?
                .timeout(Some(Duration::from_secs(30)))
                .build();
            transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
        } else {
            Err(NOT_CONFIGURED.to_owned())
        }
    };
    match tokio::time::timeout(SEND_TIMEOUT, sending).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no answer from the mail server within {} s",
            SEND_TIMEOUT.as_secs()
        )),
    }
}

fn delivery_json(d: &Delivery) -> serde_json::Value {
    json!({
        "id": d.id, "document": d.document_id, "to": d.to, "subject": d.subject,
        "status": d.status.as_str(), "error": d.error,
        "created_at": d.created_at.to_string(), "created_by": d.created_by,
    })
}

/// `POST /api/invoicing/invoices/{id}/send/` (and credit notes): e-mails the PDF. 200 with the log
/// row when sent; 502 with the mail server's answer when not (logged as failed, once).
pub async fn send(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let body: SendBody = super::extract::optional_body(&raw)?;
    check_send_body(&body)?;
    let enabled = app.config.smtp.enabled();
    // 1. Read, in a transaction that commits before anything leaves the server.
    let out = in_books(
        &app,
        claims.clone(),
        company.clone(),
        Action::IssueDocuments,
        Access::Write,
        move |tx, _, company| {
            if !enabled {
                return Err(ApiError::field("non_field_errors", NOT_CONFIGURED));
            }
            gather(tx, company, kind, id, &body)
        },
    )
    .await?;
    // 2. Draw and send, holding no lock.
    let Outgoing {
        document,
        template,
        document_id,
        number,
        to,
        reply_to,
        subject,
        text,
    } = out;
    let pdf = app
        .blocking(move |_| pdf::render(&document, &template).map_err(|e| ApiError::Internal(e.to_string())))
        .await?;
    let from: Mailbox = app
        .config
        .smtp
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| ApiError::Internal(format!("smtp.from: {e}")))?;
    let mut builder = Message::builder().from(from).subject(subject.clone());
    if let Some(r) = reply_to {
        builder = builder.reply_to(r);
    }
    let addresses: Vec<String> = to.iter().map(|m| m.email.to_string()).collect();
    for mailbox in to {
        builder = builder.to(mailbox);
    }
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| ApiError::Internal(e.to_string()))?;
    let message = builder
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(Attachment::new(format!("{number}.pdf")).body(pdf, pdf_type)),
        )
        .map_err(|e| ApiError::Internal(format!("the message could not be built: {e}")))?;
    let outcome = deliver(&app.config.smtp, message).await;
    // 3. Record the outcome in a second short transaction.
    let (status, error) = match &outcome {
        Ok(()) => (DeliveryStatus::Sent, String::new()),
        Err(e) => (DeliveryStatus::Failed, e.clone()),
    };
    let row = in_books(
        &app,
        claims,
        company,
        Action::IssueDocuments,
        Access::Write,
        move |tx, ctx, company| {
            let row = Delivery {
                id: Uuid::now_v7(),
                company_id: company.id,
                document_id,
                to: addresses,
                subject,
                status,
                error,
                created_at: Timestamp::now(),
                created_by: ctx.actor,
            };
            store::record(tx, &row)?;
            Ok(row)
        },
    )
    .await?;
    match outcome {
        Ok(()) => Ok(axum::Json(delivery_json(&row)).into_response()),
        Err(e) => Err(ApiError::BadGateway(format!("The e-mail could not be sent: {e}"))),
    }
}

/// `GET /api/invoicing/invoices/{id}/deliveries/` (and credit notes): every send attempt, newest
/// first, in the API's page shape (one page: a document is sent a handful of times).
pub async fn deliveries(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&uri)?;
    let id = parse_id(&id)?;
    let rows = in_books(
        &app,
        claims,
        company,
        Action::ViewDocuments,
        Access::Read,
        move |tx, _, company| {
            let (doc, _) = documents::get(tx, company.id, id)?.ok_or(ApiError::NotFound)?;
            if doc.kind != kind {
                return Err(ApiError::NotFound);
            }
            Ok(store::of_document(tx, company.id, id)?)
        },
    )
    .await?;
    let results: Vec<serde_json::Value> = rows.iter().map(delivery_json).collect();
    Ok(axum::Json(json!({"count": results.len(), "next": null, "previous": null, "results": results})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a TLS feature lettre refuses `smtps://` and `?tls=required` as unknown schemes.
    #[test]
    fn the_tls_transports_are_compiled_in() {
        for url in [
            "smtps://user:secret@mail.example.com",
            "smtp://user:secret@mail.example.com:587?tls=required",
            "smtp://relay.internal:25",
        ] {
            let built = AsyncSmtpTransport::<Tokio1Executor>::from_url(url);
            assert!(built.is_ok(), "{url}: {:?}", built.err().map(|e| e.to_string()));
        }
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A few hundred bytes can declare a canvas that takes gigabytes to decode: refused by size.
    #[test]
    fn a_logo_declaring_a_huge_canvas_is_refused() {
        let mut png = include_bytes!("../pdf/testdata/logo.png").to_vec();
        assert!(pdf::check_logo(&png).is_ok());
        // IHDR: length (8..12), type (12..16), width (16..20), height (20..24), …, CRC (29..33).
        png[16..20].copy_from_slice(&40_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&40_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = pdf::check_logo(&png).unwrap_err().to_string();
        assert!(err.contains("40000 × 40000 pixels"), "{err}");
    }
}

//! E-mailing a document (`…/{id}/send/`) and its log (`…/{id}/deliveries/`).
//!
//! Sending is three steps so that no database lock is held while a mail server is slow: one
//! transaction reads the document and everything its PDF shows and commits; the PDF is drawn and
//! the message handed to SMTP (or written as an `.eml` file) outside any transaction; a second,
//! short transaction records the outcome in `email_log`.

use std::time::Duration;

use axum::Json;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use uuid::Uuid;

use crate::app::AppState;
use crate::config::SmtpConfig;
use crate::domain::FieldErrors;
use crate::domain::documents::{Document, DocumentKind, DocumentStatus, operations};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::domain::tenants::is_email;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::conventions::PageBody;
use crate::http::documents::{Kind, print};
use crate::http::error::{ApiError, Reply};
use crate::pdf;
use crate::store::delivery::{self as store, Delivery, DeliveryStatus};
use crate::store::{Tx, contacts};

const MAX_RECIPIENTS: usize = 20;
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_MESSAGE_CHARS: usize = 10_000;
/// The whole conversation with the mail server; past it the send fails with 502, not a hung request.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
const NOT_CONFIGURED: &str = "E-mail is not configured: set smtp.url and smtp.from in oasys.toml.";

/// `POST …/{id}/send/`; every field is optional, and so is the body.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SendRequest)]
pub struct SendBody {
    /// Default: the contact's e-mail addresses.
    to: Option<Vec<String>>,
    subject: Option<String>,
    message: Option<String>,
}

fn statuses() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            [DeliveryStatus::Sent, DeliveryStatus::Failed].map(DeliveryStatus::as_str),
        ))
        .build()
}

/// One attempt to e-mail a document.
#[derive(Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryDto {
    pub id: Uuid,
    pub document: Uuid,
    pub to: Vec<String>,
    pub subject: String,
    #[schema(schema_with = statuses)]
    pub status: &'static str,
    /// What the mail server answered when the attempt failed; empty when sent.
    pub error: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by: Uuid,
}

impl From<&Delivery> for DeliveryDto {
    fn from(d: &Delivery) -> Self {
        DeliveryDto {
            id: d.id,
            document: d.document_id,
            to: d.to.clone(),
            subject: d.subject.clone(),
            status: d.status.as_str(),
            error: d.error.clone(),
            created_at: d.created_at.to_string(),
            created_by: d.created_by,
        }
    }
}

/// `POST …/{id}/send/` (invoices and credit notes): e-mails the PDF. 200 with the log row when
/// sent; 502 with the mail server's answer when not (logged as failed, once).
pub async fn send<K: Kind>(
    c: InCompany<perm::IssueDocuments>,
    Id(id): Id,
    body: JsonBody<SendBody>,
) -> Reply<Json<DeliveryDto>> {
    let enabled = c.app().config.smtp.enabled();
    // 1. Read, in a transaction that commits before anything leaves the server.
    let outgoing = c
        .clone()
        .change(move |tx, ctx| prepare(tx, ctx, K::KIND, id, &body, enabled))
        .await?;
    // 2. Draw and send, holding no lock.
    let attempt = dispatch(c.app(), outgoing).await?;
    // 3. Record the outcome in a second short transaction.
    let (row, outcome) = c.change(move |tx, ctx| attempt.record(tx, ctx)).await?;
    match outcome {
        Ok(()) => Ok(Json(DeliveryDto::from(&row))),
        Err(e) => Err(ApiError::BadGateway(format!("The e-mail could not be sent: {e}"))),
    }
}

/// `GET …/{id}/deliveries/` (invoices and credit notes): every send attempt, newest first, in
/// the API's page shape (one page: a document is sent a handful of times).
pub async fn deliveries<K: Kind>(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<PageBody<DeliveryDto>>> {
    let rows = c
        .read(move |tx, ctx| {
            operations::find(tx, ctx, K::KIND, id)?;
            Ok(store::of_document(tx, ctx.company.id, id)?)
        })
        .await?;
    let results: Vec<DeliveryDto> = rows.iter().map(DeliveryDto::from).collect();
    Ok(Json(PageBody {
        count: results.len() as u64,
        next: None,
        previous: None,
        results,
    }))
}

/// Checks what the caller typed; nothing is read or written before it passes.
fn check(body: &SendBody) -> Result<(), FieldErrors> {
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
    errors.into_result()
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
    if kind.is_credit() {
        ("credit note", "Credit note")
    } else {
        ("invoice", "Invoice")
    }
}

/// The document of `kind` and the body, checked (in this order: 404, 400), then what the
/// message needs.
fn prepare(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    body: &JsonBody<SendBody>,
    enabled: bool,
) -> Result<Outgoing, ApiError> {
    let doc = operations::find(tx, ctx, kind, id)?;
    let body = body.parse_or_default()?;
    check(&body)?;
    if !enabled {
        return Err(ApiError::field("non_field_errors", NOT_CONFIGURED));
    }
    gather(tx, ctx, doc, body)
}

/// Reads what the document's PDF and message show; refuses drafts and void documents.
fn gather(tx: &mut Tx, ctx: &Ctx<'_>, doc: Document, body: SendBody) -> Result<Outgoing, ApiError> {
    let company = ctx.company;
    let number = match (doc.status, &doc.number) {
        (DocumentStatus::Issued | DocumentStatus::PartiallyPaid | DocumentStatus::Paid, Some(n)) => n.clone(),
        (status, _) => {
            return Err(ApiError::field(
                "non_field_errors",
                format!("Only issued documents can be sent; this one is {}.", status.as_str()),
            ));
        }
    };
    let contact = contacts::get(tx, company.id, doc.contact_id)?;
    let to = match body.to {
        Some(given) if !given.is_empty() => given.iter().map(|a| a.trim().to_owned()).collect(),
        _ => contact.as_ref().map(|c| c.emails.clone()).unwrap_or_default(),
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
    let (what, title) = what(doc.kind);
    let subject = body
        .subject
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{title} {number} from {}", company.name));
    let text = body.message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
        let contact_name = contact.as_ref().map_or("", |c| c.name.as_str());
        let total = money::format(doc.total, money::decimals(&doc.currency));
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
    let (document, template) = print::gather(tx, ctx, &doc, &number)?;
    Ok(Outgoing {
        document,
        template,
        document_id: doc.id,
        number,
        to,
        reply_to: company.email.trim().parse::<Mailbox>().ok(),
        subject,
        text,
    })
}

/// One attempt to send a document, as the log keeps it.
struct Attempt {
    document_id: Uuid,
    to: Vec<String>,
    subject: String,
    /// The transport's answer on failure.
    outcome: Result<(), String>,
}

impl Attempt {
    /// Appends the attempt to the log; returns the row and the outcome.
    fn record(self, tx: &mut Tx, ctx: &Ctx<'_>) -> Result<(Delivery, Result<(), String>), ApiError> {
        let (status, error) = match &self.outcome {
            Ok(()) => (DeliveryStatus::Sent, String::new()),
            Err(e) => (DeliveryStatus::Failed, e.clone()),
        };
        let row = Delivery {
            id: Uuid::now_v7(),
            company_id: ctx.company.id,
            document_id: self.document_id,
            to: self.to,
            subject: self.subject,
            status,
            error,
            created_at: ctx.now,
            created_by: ctx.actor,
        };
        store::record(tx, &row)?;
        Ok((row, self.outcome))
    }
}

/// Draws the PDF and hands the message to the mail server. An error here is ours (500); the
/// mail server's answer is the attempt's outcome, logged and shown as a 502.
async fn dispatch(app: &AppState, out: Outgoing) -> Reply<Attempt> {
    let to: Vec<String> = out.to.iter().map(|m| m.email.to_string()).collect();
    let subject = out.subject.clone();
    let pdf = print::render(app, out.document, out.template).await?;
    let from: Mailbox = app
        .config
        .smtp
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| ApiError::Internal(format!("smtp.from: {e}")))?;
    let mut builder = Message::builder().from(from).subject(out.subject);
    if let Some(r) = out.reply_to {
        builder = builder.reply_to(r);
    }
    for mailbox in out.to {
        builder = builder.to(mailbox);
    }
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| ApiError::Internal(e.to_string()))?;
    let message = builder
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(out.text))
                .singlepart(Attachment::new(format!("{}.pdf", out.number)).body(pdf, pdf_type)),
        )
        .map_err(|e| ApiError::Internal(format!("the message could not be built: {e}")))?;
    Ok(Attempt {
        document_id: out.document_id,
        to,
        subject,
        outcome: deliver(&app.config.smtp, message).await,
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
}

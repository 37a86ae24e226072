//! E-mailing a document (`…/{id}/send/`) and its message log (`…/{id}/deliveries/`).
//!
//! Sending is three steps so that no database lock is held while a mail server is slow: one
//! transaction applies `domain::delivery`'s rules (only the contact's addresses, saved on it
//! first when the request asks; the firm's hourly limit), logs the message as `sending` and
//! reads everything its PDF shows, and commits; the PDF is drawn and the message handed to SMTP
//! (or written as an `.eml` file) outside any transaction; a second, short transaction records
//! the outcome on the log row.

use std::time::Duration;

use axum::Json;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Email, Tokio1Executor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use uuid::Uuid;

use crate::app::AppState;
use crate::config::SmtpConfig;
use crate::domain::delivery::{self, Message, MessageStatus, SendRequest};
use crate::domain::documents::{DocumentKind, operations};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::conventions::PageBody;
use crate::http::documents::{Kind, print};
use crate::http::error::{ApiError, Reply};
use crate::metrics::MailOutcome;
use crate::pdf;
use crate::store::delivery as store;
use crate::store::{StoreError, Tx};

/// The whole conversation with the mail server; past it the send fails with 502, not a hung request.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
const NOT_CONFIGURED: &str = "E-mail is not configured: set smtp.url and smtp.from in oasys.toml.";
/// What the log says of a message our own side failed to build or draw (the details go to the
/// server's log, not to the firm).
const OUR_FAILURE: &str = "A server error occurred before the message was handed to the mail server.";

/// `POST …/{id}/send/`; every field is optional, and so is the body.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SendRequest)]
pub struct SendBody {
    /// Default: every e-mail address of the document's contact. Each address must be one of the
    /// contact's (compared case-insensitively), else 400 on `to` — unless `save_to_contact`.
    to: Option<Vec<String>>,
    /// `true`: the addresses of `to` the contact does not have are first added to the contact
    /// (recorded in the audit trail, like any change to a contact), then used. Default `false`.
    save_to_contact: Option<bool>,
    /// Default: "Invoice INV-2026-0001 from <company>".
    subject: Option<String>,
    /// Default: a short note naming the document, its total and due date.
    message: Option<String>,
}

impl From<SendBody> for SendRequest {
    fn from(b: SendBody) -> Self {
        SendRequest {
            to: b.to,
            save_to_contact: b.save_to_contact.unwrap_or(false),
            subject: b.subject,
            message: b.message,
        }
    }
}

fn statuses() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(MessageStatus::ALL.map(MessageStatus::as_str)))
        .build()
}

/// One message that e-mailed a document, as the log keeps it.
#[derive(Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryDto {
    pub id: Uuid,
    pub document: Uuid,
    pub to: Vec<String>,
    pub subject: String,
    /// The `Reply-To` the message carried: the company's e-mail, or empty for none.
    pub reply_to: String,
    /// `sending` until the mail server answers; one that stays so was interrupted (the server
    /// stopped), and may or may not have left.
    #[schema(schema_with = statuses)]
    pub status: &'static str,
    /// What the mail server answered when the attempt failed; empty when sent.
    pub error: String,
    /// When the message was logged, just before it was handed over.
    #[schema(format = DateTime)]
    pub created_at: String,
    pub created_by: Uuid,
    /// When the outcome was recorded.
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<&Message> for DeliveryDto {
    fn from(m: &Message) -> Self {
        DeliveryDto {
            id: m.id,
            document: m.document_id,
            to: m.to.clone(),
            subject: m.subject.clone(),
            reply_to: m.reply_to.clone(),
            status: m.status.as_str(),
            error: m.error.clone(),
            created_at: m.created_at.to_string(),
            created_by: m.created_by,
            finished_at: m.finished_at.map(|t| t.to_string()),
        }
    }
}

/// `POST …/{id}/send/` (invoices and credit notes): e-mails the PDF to the contact. 200 with the
/// log row when sent; 502 with the mail server's answer when not (logged as failed); 429 with
/// `Retry-After` past the firm's hourly limit (nothing logged, nothing sent).
pub async fn send<K: Kind>(
    c: InCompany<perm::IssueDocuments>,
    Id(id): Id,
    body: JsonBody<SendBody>,
) -> Reply<Json<DeliveryDto>> {
    let app = c.app().clone();
    let smtp = app.config.smtp.clone();
    // 1. Check, log as `sending` and read, in a transaction that commits before anything leaves.
    let prepared = c
        .clone()
        .change(move |tx, ctx| prepare(tx, ctx, K::KIND, id, &body, &smtp))
        .await;
    let outgoing = match prepared {
        Err(e @ ApiError::Throttled { .. }) => {
            app.metrics.mail(MailOutcome::RateLimited);
            return Err(e);
        }
        other => other?,
    };
    // 2. Draw and send, holding no lock.
    let message = outgoing.message.clone();
    let outcome = dispatch(&app, outgoing).await;
    let logged = match &outcome {
        Ok(()) => Ok(()),
        Err(Failure::Server(answer)) => Err(answer.clone()),
        Err(Failure::Ours(_)) => Err(OUR_FAILURE.to_owned()),
    };
    app.metrics.mail(if logged.is_ok() {
        MailOutcome::Sent
    } else {
        MailOutcome::Failed
    });
    // 3. Record the outcome in a second short transaction.
    let row = c
        .change(move |tx, ctx| Ok(delivery::finish(tx, ctx, message, &logged)?))
        .await?;
    match outcome {
        Ok(()) => Ok(Json(DeliveryDto::from(&row))),
        Err(Failure::Server(answer)) => Err(ApiError::BadGateway(format!("The e-mail could not be sent: {answer}"))),
        Err(Failure::Ours(e)) => Err(e),
    }
}

/// `GET …/{id}/deliveries/` (invoices and credit notes): every message of the document, newest
/// first, in the API's page shape (one page: a document is sent a handful of times).
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

/// Everything the message needs, gathered in the first transaction.
struct Outgoing {
    /// Its log row, `sending`.
    message: Message,
    document: pdf::Document,
    template: pdf::Template,
    number: String,
    text: String,
}

/// The document of `kind` and the body, checked (in this order: 404, 400, 429), the message
/// logged as `sending`, then what it needs.
fn prepare(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    kind: DocumentKind,
    id: Uuid,
    body: &JsonBody<SendBody>,
    smtp: &SmtpConfig,
) -> Reply<Outgoing> {
    let doc = operations::find(tx, ctx, kind, id)?;
    let request = SendRequest::from(body.parse_or_default()?);
    delivery::check(&request)?;
    if !smtp.enabled() {
        return Err(ApiError::field("non_field_errors", NOT_CONFIGURED));
    }
    let number = delivery::number::<StoreError>(&doc)?.to_owned();
    let (what, title) = delivery::what(doc.kind);
    let company = ctx.company;
    let subject = request
        .subject
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("{title} {number} from {}", company.name));
    let started = delivery::start(tx, ctx, &doc, &request, subject, smtp.messages_per_firm_per_hour)?;
    // The rules' address syntax is looser than a mail header's: checked here too, and a refusal
    // rolls the log row back with everything else.
    for address in &started.message.to {
        if address.parse::<Mailbox>().is_err() {
            return Err(ApiError::field(
                "to",
                format!("Enter a valid email address: \"{address}\"."),
            ));
        }
    }
    let reply_to = &started.message.reply_to;
    if !reply_to.is_empty() && reply_to.parse::<Mailbox>().is_err() {
        return Err(ApiError::field(
            "non_field_errors",
            format!(
                "The company's e-mail \"{reply_to}\" cannot be a Reply-To address: correct it in the company's settings."
            ),
        ));
    }
    let text = request.message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
        let total = money::format(doc.total, money::decimals(&doc.currency));
        let due = if doc.kind == DocumentKind::Invoice {
            format!(", due {}", doc.due_date)
        } else {
            String::new()
        };
        format!(
            "Dear {},\n\nPlease find attached {what} {number} for {total} {}{due}.\n\nKind regards,\n{}\n",
            started.contact.name, doc.currency, company.name
        )
    });
    let (document, template) = print::gather(tx, ctx, &doc, &number)?;
    Ok(Outgoing {
        message: started.message,
        document,
        template,
        number,
        text,
    })
}

/// Why a message did not leave: our side (500, details in the server's log) or the mail
/// server's answer (502, shown to the caller).
enum Failure {
    Ours(ApiError),
    Server(String),
}

/// Draws the PDF and hands the message to the mail server.
async fn dispatch(app: &AppState, out: Outgoing) -> Result<(), Failure> {
    let email = build(app, out).await.map_err(Failure::Ours)?;
    deliver(&app.config.smtp, email).await.map_err(Failure::Server)
}

/// The message: from the configured sender, to the logged recipients, `Reply-To` the logged
/// address (the company's own), the PDF attached.
async fn build(app: &AppState, out: Outgoing) -> Reply<Email> {
    let pdf = print::render(app, out.document, out.template).await?;
    let mailbox = |a: &str| {
        a.parse::<Mailbox>()
            .map_err(|e| ApiError::Internal(format!("{a:?} is not a mailbox: {e}")))
    };
    let from = mailbox(app.config.smtp.from.as_deref().unwrap_or_default())?;
    let mut builder = Email::builder().from(from).subject(out.message.subject.clone());
    if !out.message.reply_to.is_empty() {
        builder = builder.reply_to(mailbox(&out.message.reply_to)?);
    }
    for address in &out.message.to {
        builder = builder.to(mailbox(address)?);
    }
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| ApiError::Internal(e.to_string()))?;
    builder
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(out.text))
                .singlepart(Attachment::new(format!("{}.pdf", out.number)).body(pdf, pdf_type)),
        )
        .map_err(|e| ApiError::Internal(format!("the message could not be built: {e}")))
}

/// Hands the message to the configured transport: `.eml` files in `smtp.file_dir`, else SMTP.
/// Returns the transport's error text on failure.
async fn deliver(smtp: &SmtpConfig, message: Email) -> Result<(), String> {
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

//! E-mailing a document: who a message may go to, how many a firm may send, and the log that
//! keeps every message.
//!
//! The rules, in order: the request's fields are checked ([`check`]); the document must be
//! issued ([`number`]); a message goes only to addresses the document's contact has on file
//! ([`recipients`]) — an address it lacks is refused, unless the request asks to save it on the
//! contact first, which is then done as any change to a contact is (audited); a firm starts at
//! most its limit of messages in any sliding hour, over all its companies ([`within_limit`]);
//! `Reply-To` is the company's own stored address, never text from the request. [`start`]
//! applies them and writes the message's log row, as `sending`, in the same transaction —
//! before anything leaves the server — and [`finish`] records the mail server's answer.

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use super::Change;
use super::FieldErrors;
use super::books::Ctx;
use super::contacts::{Contact, ContactChanges, ContactError, ContactRole, ContactStore, MAX_EMAILS, save};
use super::documents::{Document, DocumentKind, DocumentStatus};
use super::tenants::is_email;

/// At most this many addresses in one request (the most a contact can have).
pub const MAX_RECIPIENTS: usize = MAX_EMAILS;
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The window of the firm's message limit.
pub const LIMIT_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// Where a message stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Logged, being handed to the mail server. A row that stays so was interrupted (the server
    /// stopped): the message may or may not have left.
    Sending,
    Sent,
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 3] = [MessageStatus::Sending, MessageStatus::Sent, MessageStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One message of the log: a document e-mailed, by whom, to whom, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: Uuid,
    pub company_id: Uuid,
    pub document_id: Uuid,
    pub to: Vec<String>,
    pub subject: String,
    /// The `Reply-To` the message carries: the company's stored e-mail, or empty for none.
    pub reply_to: String,
    pub status: MessageStatus,
    /// What the mail server (or the file sink) answered on failure; empty otherwise.
    pub error: String,
    /// When the message was logged, just before it was handed over.
    pub created_at: Timestamp,
    pub created_by: Uuid,
    /// When the outcome was recorded (`None` while sending).
    pub finished_at: Option<Timestamp>,
}

/// What a request to e-mail a document asks for.
#[derive(Debug, Clone, Default)]
pub struct SendRequest {
    /// `None` (or empty): every address the contact has on file.
    pub to: Option<Vec<String>>,
    /// Save the addresses of `to` the contact does not have on it first (else they are refused).
    pub save_to_contact: bool,
    pub subject: Option<String>,
    pub message: Option<String>,
}

/// Why a document could not be e-mailed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError<E: std::error::Error + 'static> {
    /// The request, or its addresses (named under `to`).
    #[error("invalid message: {0}")]
    Invalid(FieldErrors),
    #[error("Only issued documents can be sent; this one is {}.", .0.as_str())]
    NotIssued(DocumentStatus),
    /// The firm has started `limit` messages in the last hour; one more may start in
    /// `retry_after` seconds.
    #[error(
        "This firm has sent {limit} e-mails in the last hour, the most it may. Try again in {retry_after} seconds."
    )]
    RateLimited { limit: u32, retry_after: u64 },
    #[error(transparent)]
    Contact(ContactError<E>),
    #[error(transparent)]
    Store(E),
}

/// What the message log needs from storage (the store implements it for a transaction of the
/// firm's database: "recent" spans all the firm's companies).
pub trait DeliveryStore: ContactStore {
    /// When each message the firm logged after `since` was logged, oldest first.
    fn messages_since(&mut self, since: Timestamp) -> Result<Vec<Timestamp>, Self::Error>;
    fn insert_message(&mut self, message: &Message) -> Result<(), Self::Error>;
    /// Records the outcome of a message that was `sending`.
    fn finish_message(&mut self, message: &Message) -> Result<(), Self::Error>;
}

/// Checks what the caller typed: lengths, address syntax, a one-line subject.
pub fn check(request: &SendRequest) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let to = request.to.as_deref().unwrap_or_default();
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
    if let Some(subject) = &request.subject {
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
    if request
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

/// The number of a document that may be sent: issued (paid or not), not a draft or void.
pub fn number<E: std::error::Error>(doc: &Document) -> Result<&str, DeliveryError<E>> {
    match (doc.status, &doc.number) {
        (DocumentStatus::Issued | DocumentStatus::PartiallyPaid | DocumentStatus::Paid, Some(n)) => Ok(n),
        (status, _) => Err(DeliveryError::NotIssued(status)),
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    pub to: Vec<String>,
    /// Addresses of `to` the contact does not have yet, to be saved on it first.
    pub new: Vec<String>,
}

/// The recipients of a message to `contact`: `requested` (or, when none, every address the
/// contact has). An address the contact does not have on file is refused under `to`, unless
/// `save` asks to add it to the contact. Addresses compare case-insensitively, as the
/// contact's own list does.
pub fn recipients(contact: &Contact, requested: Option<&[String]>, save: bool) -> Result<Recipients, FieldErrors> {
    let on_file = |a: &str| contact.emails.iter().any(|e| e.eq_ignore_ascii_case(a));
    let mut to: Vec<String> = Vec::new();
    for address in requested.unwrap_or_default().iter().map(|a| a.trim()) {
        if !to.iter().any(|t| t.eq_ignore_ascii_case(address)) {
            to.push(address.to_owned());
        }
    }
    if to.is_empty() {
        if contact.emails.is_empty() {
            return Err(FieldErrors::single(
                "to",
                format!(
                    "{} has no e-mail address on file: add one to the contact, or name it in \"to\" \
                     with \"save_to_contact\": true.",
                    contact.name
                ),
            ));
        }
        return Ok(Recipients {
            to: contact.emails.clone(),
            new: Vec::new(),
        });
    }
    let new: Vec<String> = to.iter().filter(|a| !on_file(a)).cloned().collect();
    if !new.is_empty() && !save {
        let mut errors = FieldErrors::default();
        for address in &new {
            errors.add(
                "to",
                format!(
                    "\"{address}\" is not an e-mail address of {}: documents are sent only to their \
                     contact's addresses. Add it to the contact, or send with \"save_to_contact\": true.",
                    contact.name
                ),
            );
        }
        return Err(errors);
    }
    if contact.emails.len() + new.len() > MAX_EMAILS {
        return Err(FieldErrors::single(
            "to",
            format!(
                "{} would have more than {MAX_EMAILS} e-mail addresses: remove some from the contact first.",
                contact.name
            ),
        ));
    }
    Ok(Recipients { to, new })
}

/// Whether the firm may start one more message `now`, having started those at `recent` (oldest
/// first) within the last [`LIMIT_WINDOW`]; if not, how long until it may.
pub fn within_limit<E: std::error::Error>(
    recent: &[Timestamp],
    limit: u32,
    now: Timestamp,
) -> Result<(), DeliveryError<E>> {
    let since = now.checked_sub(LIMIT_WINDOW).unwrap_or(Timestamp::MIN);
    let recent: Vec<Timestamp> = recent.iter().copied().filter(|t| *t > since).collect();
    let allowed = usize::try_from(limit).unwrap_or(usize::MAX);
    if recent.len() < allowed {
        return Ok(());
    }
    // One more may start once all but `limit - 1` of them have left the window.
    let frees = recent.get(recent.len() - allowed).copied().unwrap_or(now);
    let wait = frees
        .checked_add(LIMIT_WINDOW)
        .unwrap_or(Timestamp::MAX)
        .duration_since(now);
    let seconds = wait.as_secs().saturating_add(i64::from(wait.subsec_nanos() > 0));
    Err(DeliveryError::RateLimited {
        limit,
        retry_after: u64::try_from(seconds).unwrap_or(0).max(1),
    })
}

/// A message about to leave: its log row (`sending`) and the contact it goes to.
#[derive(Debug, Clone)]
pub struct Started {
    pub message: Message,
    pub contact: Contact,
}

/// Applies the rules to a message of `doc` with `subject`, saves new addresses on the contact
/// when asked (with its audit row), and logs the message as `sending`: all in the caller's
/// transaction, which commits before the message is handed to the mail server. Nothing is
/// written when any rule refuses.
pub fn start<S: DeliveryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    doc: &Document,
    request: &SendRequest,
    subject: String,
    limit: u32,
) -> Result<Started, DeliveryError<S::Error>> {
    number::<S::Error>(doc)?;
    let role = if doc.kind.is_sales() {
        ContactRole::Customer
    } else {
        ContactRole::Vendor
    };
    let mut contact = store
        .find_contact(ctx.books.company_id, doc.contact_id)
        .map_err(DeliveryError::Store)?
        .ok_or(DeliveryError::Contact(ContactError::NotFound))?;
    let chosen =
        recipients(&contact, request.to.as_deref(), request.save_to_contact).map_err(DeliveryError::Invalid)?;
    let recent = store
        .messages_since(ctx.now.checked_sub(LIMIT_WINDOW).unwrap_or(Timestamp::MIN))
        .map_err(DeliveryError::Store)?;
    within_limit(&recent, limit, ctx.now)?;
    if !chosen.new.is_empty() {
        let mut emails = contact.emails.clone();
        emails.extend(chosen.new.iter().cloned());
        let changes = ContactChanges {
            emails: Some(emails),
            ..ContactChanges::default()
        };
        contact = save(
            store,
            ctx,
            role,
            Some(contact),
            Change::Update,
            changes,
            FieldErrors::default(),
        )
        .map_err(|e| match e {
            // The contact's own rules speak of `emails`; the request's field is `to`.
            ContactError::Invalid(errors) => DeliveryError::Invalid(renamed(errors, "emails", "to")),
            other => DeliveryError::Contact(other),
        })?;
    }
    let reply_to = ctx.company.email.trim();
    let message = Message {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        document_id: doc.id,
        to: chosen.to,
        subject,
        reply_to: if is_email(reply_to) {
            reply_to.to_owned()
        } else {
            String::new()
        },
        status: MessageStatus::Sending,
        error: String::new(),
        created_at: ctx.now,
        created_by: ctx.actor,
        finished_at: None,
    };
    store.insert_message(&message).map_err(DeliveryError::Store)?;
    Ok(Started { message, contact })
}

/// Records what became of a message [`start`] logged: `Ok` sent, `Err` the server's answer.
pub fn finish<S: DeliveryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    mut message: Message,
    outcome: &Result<(), String>,
) -> Result<Message, DeliveryError<S::Error>> {
    (message.status, message.error) = match outcome {
        Ok(()) => (MessageStatus::Sent, String::new()),
        Err(e) => (MessageStatus::Failed, e.clone()),
    };
    message.finished_at = Some(ctx.now);
    store.finish_message(&message).map_err(DeliveryError::Store)?;
    Ok(message)
}

/// What a document is called in a message: (in a sentence, at the start of the subject).
pub fn what(kind: DocumentKind) -> (&'static str, &'static str) {
    if kind.is_credit() {
        ("credit note", "Credit note")
    } else {
        ("invoice", "Invoice")
    }
}

fn renamed(errors: FieldErrors, from: &str, to: &str) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (field, messages) in errors.0 {
        let name = if field == from { to } else { field.as_str() };
        for m in messages {
            out.add(name, m);
        }
    }
    out
}

#[cfg(test)]
mod tests;

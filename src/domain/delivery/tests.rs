//! The rules of e-mailing a document, over the in-memory store: recipients, the contact saved
//! first, the firm's hourly limit, and the log row before and after.

use std::convert::Infallible;

use jiff::civil::date;

use super::*;
use crate::domain::contacts::ContactChanges;
use crate::domain::memory::{Memory, company, ctx};
use crate::domain::tenants::Company;

type Refusal = DeliveryError<Infallible>;

/// Acme Ltd, a customer with two addresses, saved in `store`.
fn acme(store: &mut Memory, ctx: &Ctx<'_>) -> Contact {
    let changes = ContactChanges {
        name: Some("Acme Ltd".into()),
        emails: Some(vec!["billing@acme.test".into(), "ap@acme.test".into()]),
        ..ContactChanges::default()
    };
    let contact = save(
        store,
        ctx,
        ContactRole::Customer,
        None,
        Change::Create,
        changes,
        FieldErrors::default(),
    )
    .unwrap();
    store.audit.clear();
    contact
}

fn invoice(ctx: &Ctx<'_>, contact: &Contact, status: DocumentStatus) -> Document {
    Document {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        kind: DocumentKind::Invoice,
        status,
        number: (status != DocumentStatus::Draft).then(|| "INV-2026-0001".to_owned()),
        contact_id: contact.id,
        issue_date: date(2026, 3, 1),
        due_date: date(2026, 3, 31),
        currency: "USD".into(),
        reference: String::new(),
        notes: String::new(),
        payment_terms_days: 30,
        credited_document_id: None,
        lines: Vec::new(),
        subtotal: 100,
        tax_total: 0,
        total: 100,
        amount_paid: 0,
        journal_entry_id: None,
        void_entry_id: None,
        issued_at: None,
        created_by: ctx.actor,
        created_at: ctx.now,
        updated_at: ctx.now,
        exchange_rate: None,
    }
}

fn to(addresses: &[&str]) -> SendRequest {
    SendRequest {
        to: Some(addresses.iter().map(|a| (*a).to_owned()).collect()),
        ..SendRequest::default()
    }
}

fn with_email(mut company: Company, email: &str) -> Company {
    company.email = email.into();
    company
}

#[test]
fn a_message_goes_to_the_contacts_addresses_and_is_logged_before_it_leaves() {
    let (company, books) = company("USD");
    let company = with_email(company, "books@firm.test");
    let ctx = ctx(&company, &books);
    let mut store = Memory::default();
    let contact = acme(&mut store, &ctx);
    let doc = invoice(&ctx, &contact, DocumentStatus::Issued);

    let started = start(&mut store, &ctx, &doc, &SendRequest::default(), "Hi".into(), 200).unwrap();
    let m = &started.message;
    assert_eq!(m.to, ["billing@acme.test", "ap@acme.test"]);
    assert_eq!(
        (m.status, m.reply_to.as_str()),
        (MessageStatus::Sending, "books@firm.test")
    );
    assert_eq!((m.created_by, m.created_at, m.finished_at), (ctx.actor, ctx.now, None));
    assert_eq!(store.messages, std::slice::from_ref(m));

    // A subset of them, in any case.
    let started = start(&mut store, &ctx, &doc, &to(&["AP@acme.test"]), "Hi".into(), 200).unwrap();
    assert_eq!(started.message.to, ["AP@acme.test"]);
    assert!(store.audit.is_empty(), "the contact did not change");

    let done = finish(
        &mut store,
        &ctx,
        started.message.clone(),
        &Err("550 no such user".into()),
    )
    .unwrap();
    assert_eq!(
        (done.status, done.error.as_str()),
        (MessageStatus::Failed, "550 no such user")
    );
    assert_eq!(done.finished_at, Some(ctx.now));
    assert_eq!(store.messages[1], done);
}

#[test]
fn an_address_the_contact_lacks_is_refused_unless_saved_on_it_first() {
    let (company, books) = company("USD");
    let ctx = ctx(&company, &books);
    let mut store = Memory::default();
    let contact = acme(&mut store, &ctx);
    let doc = invoice(&ctx, &contact, DocumentStatus::Issued);

    let refused = start(
        &mut store,
        &ctx,
        &doc,
        &to(&["billing@acme.test", "victim@bank.test"]),
        "Hi".into(),
        200,
    );
    let Err(Refusal::Invalid(errors)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert_eq!(errors.0["to"].len(), 1, "{errors:?}");
    assert!(errors.0["to"][0].contains("\"victim@bank.test\" is not an e-mail address of Acme Ltd"));
    assert!(store.messages.is_empty() && store.audit.is_empty(), "nothing written");

    let mut request = to(&["billing@acme.test", "boss@acme.test"]);
    request.save_to_contact = true;
    let started = start(&mut store, &ctx, &doc, &request, "Hi".into(), 200).unwrap();
    assert_eq!(started.message.to, ["billing@acme.test", "boss@acme.test"]);
    assert_eq!(
        started.contact.emails,
        ["billing@acme.test", "ap@acme.test", "boss@acme.test"]
    );
    assert_eq!(store.contacts[0].emails, started.contact.emails);
    let record = &store.audit[0];
    assert_eq!((record.action, record.object_id), ("update", contact.id));
    assert!(
        record
            .changes
            .iter()
            .any(|(field, _, after)| *field == "emails" && after.contains("boss@acme.test"))
    );
}

#[test]
fn a_contact_without_addresses_and_documents_not_issued_are_refused() {
    let (company, books) = company("USD");
    let ctx = ctx(&company, &books);
    let mut store = Memory::default();
    let mut contact = acme(&mut store, &ctx);
    let draft = invoice(&ctx, &contact, DocumentStatus::Draft);
    let refused = start(&mut store, &ctx, &draft, &SendRequest::default(), "Hi".into(), 200);
    assert!(
        matches!(refused, Err(Refusal::NotIssued(DocumentStatus::Draft))),
        "{refused:?}"
    );
    let void = invoice(&ctx, &contact, DocumentStatus::Void);
    assert!(matches!(
        start(&mut store, &ctx, &void, &SendRequest::default(), "Hi".into(), 200),
        Err(Refusal::NotIssued(DocumentStatus::Void))
    ));

    contact.emails.clear();
    store.contacts[0] = contact.clone();
    let doc = invoice(&ctx, &contact, DocumentStatus::Paid);
    let refused = start(&mut store, &ctx, &doc, &SendRequest::default(), "Hi".into(), 200);
    let Err(Refusal::Invalid(errors)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(
        errors.0["to"][0].contains("Acme Ltd has no e-mail address on file"),
        "{errors:?}"
    );
    assert!(store.messages.is_empty());
}

#[test]
fn a_contact_keeps_at_most_its_limit_of_addresses() {
    let (company, books) = company("USD");
    let ctx = ctx(&company, &books);
    let mut contact = acme(&mut Memory::default(), &ctx);
    contact.emails = (0..MAX_EMAILS).map(|i| format!("a{i}@acme.test")).collect();
    let refused = recipients(&contact, Some(&["new@acme.test".to_owned()]), true);
    assert!(refused.unwrap_err().0["to"][0].contains("more than 20"));
    let fine = recipients(
        &contact,
        Some(&["A3@acme.test".to_owned(), "a3@acme.test".to_owned()]),
        false,
    );
    assert_eq!(fine.unwrap().to, ["A3@acme.test"], "repeats are sent once");
}

#[test]
fn the_firm_may_start_its_limit_of_messages_in_any_hour() {
    let (company, books) = company("USD");
    let ctx = ctx(&company, &books);
    let mut store = Memory::default();
    let contact = acme(&mut store, &ctx);
    let doc = invoice(&ctx, &contact, DocumentStatus::Issued);
    for _ in 0..3 {
        start(&mut store, &ctx, &doc, &SendRequest::default(), "Hi".into(), 3).unwrap();
    }
    let refused = start(&mut store, &ctx, &doc, &SendRequest::default(), "Hi".into(), 3);
    assert!(
        matches!(
            refused,
            Err(Refusal::RateLimited {
                limit: 3,
                retry_after: 3600
            })
        ),
        "{refused:?}"
    );
    assert_eq!(store.messages.len(), 3, "the refused one is not logged");

    // Sliding: one more as soon as the oldest is an hour old, not before.
    let now = ctx.now;
    let minutes = |m: i64| SignedDuration::from_mins(m);
    let recent = [
        now - minutes(61),
        now - minutes(59),
        now - minutes(30),
        now - minutes(1),
    ];
    let refused = within_limit::<Infallible>(&recent, 3, now);
    assert!(
        matches!(refused, Err(Refusal::RateLimited { retry_after: 60, .. })),
        "{refused:?}"
    );
    assert!(within_limit::<Infallible>(&recent[2..], 3, now).is_ok());
    // A limit lowered below what was sent waits for enough of them to age out.
    let refused = within_limit::<Infallible>(&recent, 1, now);
    assert!(
        matches!(refused, Err(Refusal::RateLimited { retry_after: 3540, .. })),
        "{refused:?}"
    );
}

#[test]
fn the_request_is_checked_field_by_field() {
    assert!(check(&SendRequest::default()).is_ok());
    let bad = SendRequest {
        to: Some(vec!["not-an-address".into(); MAX_RECIPIENTS + 1]),
        save_to_contact: false,
        subject: Some("two\nlines".into()),
        message: Some("x".repeat(MAX_MESSAGE_CHARS + 1)),
    };
    let errors = check(&bad).unwrap_err();
    assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["message", "subject", "to"]);
}

#[test]
fn statuses_read_back() {
    for s in MessageStatus::ALL {
        assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(MessageStatus::parse("queued"), None);
}

//! The mail relay closed (issue 14, item 3): a document is e-mailed only to its contact's
//! addresses (another one only when the request saves it on the contact, audited), `Reply-To` is
//! the company's stored address, a firm sends at most `smtp.messages_per_firm_per_hour` (then 429
//! with `Retry-After`, counted in `/metrics`), and every message is in the log before it leaves,
//! with its outcome after. Each test failed on the code before the fix.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::delivery::{customer, document, emails_in};
use crate::fixtures::{AUDIT_LOG, COMPANIES, CUSTOMERS, Firm, INVOICES, id};
use crate::helpers::{TestApp, backends};

/// A server writing its messages as `.eml` files into the returned directory, `tweak`ed.
async fn with_outbox(
    backend: &crate::helpers::Backend,
    tweak: impl FnOnce(&mut oasys::config::Config),
) -> (TestApp, tempfile::TempDir, PathBuf) {
    let outbox = tempfile::tempdir().unwrap();
    let dir = outbox.path().join("outbox");
    let sink = dir.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.smtp.file_dir = Some(sink);
        c.smtp.from = Some("OASYS <noreply@oasys.test>".into());
        tweak(c);
    })
    .await;
    (app, outbox, dir)
}

/// Sets the company's own e-mail (its settings), the one `Reply-To` may name.
async fn company_email(f: &Firm, email: &str) {
    let companies = f.get(COMPANIES).await;
    let company = f
        .company
        .clone()
        .unwrap_or_else(|| companies.body["results"][0]["id"].as_str().unwrap().to_owned());
    let r = f
        .patch(&format!("{COMPANIES}{company}/"), json!({ "email": email }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// An issued invoice to Acme Ltd (billing@ and ap@acme.test on file): (invoice id, customer id).
async fn invoice(f: &Firm) -> (String, String) {
    let contact = customer(f).await;
    let invoice = document(f, INVOICES, &contact, true, json!({})).await;
    (id(&invoice).to_owned(), contact)
}

async fn log(f: &Firm, invoice: &str) -> Value {
    let r = f.get(&format!("{INVOICES}{invoice}/deliveries/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

async fn emails_on_file(f: &Firm, contact: &str) -> Value {
    f.get(&format!("{CUSTOMERS}{contact}/")).await.body["emails"].clone()
}

async fn only_the_contacts_addresses(app: &TestApp, outbox: &Path) {
    let f = Firm::register(app, "relay@example.com", "Relay Books").await;
    company_email(&f, "books@relay.test").await;
    let (inv, contact) = invoice(&f).await;
    let send = format!("{INVOICES}{inv}/send/");

    // An address the customer does not have: refused, naming `to`; nothing sent, logged or saved.
    for body in [
        json!({"to": ["victim@bank.test"], "subject": "Your account is locked"}),
        json!({"to": ["billing@acme.test", "victim@bank.test"]}),
        json!({"to": ["victim@bank.test"], "save_to_contact": false}),
    ] {
        let r = f.post(&send, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        let message = r.body["to"][0].as_str().unwrap_or_default();
        assert!(
            message.contains("\"victim@bank.test\" is not an e-mail address of Acme Ltd")
                && message.contains("save_to_contact"),
            "{}",
            r.body
        );
    }
    // Reply-To is never the request's to set.
    let r = f.post(&send, json!({"reply_to": "phisher@evil.test"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(emails_in(outbox).is_empty(), "nothing was sent");
    assert_eq!(log(&f, &inv).await["count"], 0, "nothing was logged");
    assert_eq!(
        emails_on_file(&f, &contact).await,
        json!(["billing@acme.test", "ap@acme.test"])
    );

    // Another firm names the document: 404, whatever the body asks, and nothing changes.
    let other = Firm::register(app, "other-relay@example.com", "Other Books").await;
    let r = other
        .post(&send, json!({"to": ["victim@bank.test"], "save_to_contact": true}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        other.get(&format!("{INVOICES}{inv}/deliveries/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(emails_on_file(&f, &contact).await.as_array().unwrap().len(), 2);
    assert!(emails_in(outbox).is_empty());

    // The customer's own address, in any case: sent, with the company's Reply-To.
    let r = f.post(&send, json!({"to": ["AP@acme.test"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["to"], json!(["AP@acme.test"]));
    assert_eq!(r.body["reply_to"], "books@relay.test");
    let mails = emails_in(outbox);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Reply-To: books@relay.test"), "{}", mails[0]);
    assert!(mails[0].contains("From: OASYS <noreply@oasys.test>"), "{}", mails[0]);

    // A new address saved on the customer first, in the same request: audited, then used.
    let r = f
        .post(&send, json!({"to": ["boss@acme.test"], "save_to_contact": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["to"], json!(["boss@acme.test"]));
    assert_eq!(
        emails_on_file(&f, &contact).await,
        json!(["billing@acme.test", "ap@acme.test", "boss@acme.test"])
    );
    let trail = f.get(&format!("{AUDIT_LOG}?object_id={contact}")).await;
    assert!(
        trail.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "update"
                && e["actor"] == f.user_id.as_str()
                && e["changes"]["emails"]["after"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("boss@acme.test")),
        "{}",
        trail.body
    );
    // Without `to`: every address on file, as before.
    let r = f.post(&send, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["to"].as_array().unwrap().len(), 3);
    assert_eq!(emails_in(outbox).len(), 3);
    assert_eq!(log(&f, &inv).await["count"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_sent_only_to_its_contacts_addresses() {
    for backend in backends() {
        let (app, _keep, outbox) = with_outbox(&backend, |_| {}).await;
        only_the_contacts_addresses(&app, &outbox).await;
    }
}

async fn hourly_limit(app: &TestApp, outbox: &Path) {
    let f = Firm::register(app, "limit@example.com", "Busy Books").await;
    let (inv, _) = invoice(&f).await;
    let send = format!("{INVOICES}{inv}/send/");
    for _ in 0..2 {
        assert_eq!(f.post(&send, json!({})).await.status, StatusCode::OK);
    }
    // The limit is the firm's: a second company's message counts too.
    let second = f.new_company("Second Co", "USD").await;
    let (other_inv, _) = invoice(&second).await;
    let r = second.post(&format!("{INVOICES}{other_inv}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let started = Instant::now();
    let r = f.post(&send, json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (3500..=3600).contains(&retry),
        "retry after {retry} s ({:?} since the first)",
        started.elapsed()
    );
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("3 e-mails in the last hour"),
        "{}",
        r.body
    );
    assert_eq!(emails_in(outbox).len(), 3, "the refused one was not sent");
    assert_eq!(log(&f, &inv).await["count"], 2, "nor logged");
    // (No company e-mail was set here: no Reply-To.)
    assert!(!emails_in(outbox).iter().any(|m| m.contains("Reply-To")));
    assert_eq!(log(&f, &inv).await["results"][0]["reply_to"], "");

    // Another firm has its own limit.
    let g = Firm::register(app, "calm@example.com", "Calm Books").await;
    let (their, _) = invoice(&g).await;
    let r = g.post(&format!("{INVOICES}{their}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let metrics = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("oasys_mail_messages_total{outcome=\"rate_limited\"} 1"),
        "{text}"
    );
    assert!(text.contains("oasys_mail_messages_total{outcome=\"sent\"} 4"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_firms_hourly_limit_sending_answers_429() {
    for backend in backends() {
        let (app, _keep, outbox) = with_outbox(&backend, |c| {
            c.smtp.messages_per_firm_per_hour = 3;
            c.metrics.enabled = true;
        })
        .await;
        hourly_limit(&app, &outbox).await;
    }
}

/// A mail server that accepts one connection and says nothing until told to hang up.
struct SilentServer {
    port: u16,
    hang_up: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SilentServer {
    fn start() -> SilentServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (hang_up, told) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let _ = told.recv_timeout(Duration::from_secs(60));
            drop(stream);
        });
        SilentServer {
            port,
            hang_up,
            thread: Some(thread),
        }
    }

    fn hang_up(&mut self) {
        let _ = self.hang_up.send(());
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

async fn logged_before_it_leaves(app: TestApp, mut server: SilentServer) {
    let f = Firm::register(&app, "logged@example.com", "Careful Books").await;
    company_email(&f, "books@careful.test").await;
    let (inv, _) = invoice(&f).await;
    let sending = {
        let f = f.clone();
        let path = format!("{INVOICES}{inv}/send/");
        tokio::spawn(async move { f.post(&path, json!({"subject": "March"})).await })
    };
    // While the mail server is silent, the message is already in the log.
    let deadline = Instant::now() + Duration::from_secs(20);
    let row = loop {
        let body = log(&f, &inv).await;
        if body["count"] == 1 {
            break body["results"][0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "no log row while the message was being sent: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(row["status"], "sending", "{row}");
    assert_eq!(row["to"], json!(["billing@acme.test", "ap@acme.test"]));
    assert_eq!(
        (&row["subject"], &row["reply_to"]),
        (&json!("March"), &json!("books@careful.test"))
    );
    assert_eq!(row["created_by"], f.user_id.as_str());
    assert_eq!(row["finished_at"], Value::Null);

    // It hangs up: the request fails with 502, and the same row says so.
    server.hang_up();
    let r = sending.await.unwrap();
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    let body = log(&f, &inv).await;
    assert_eq!(body["count"], 1, "{body}");
    let row = &body["results"][0];
    assert_eq!(row["status"], "failed", "{row}");
    assert!(!row["error"].as_str().unwrap().is_empty(), "{row}");
    assert!(row["finished_at"].is_string(), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_is_logged_before_it_leaves_and_its_outcome_after() {
    for backend in backends() {
        let server = SilentServer::start();
        let url = format!("smtp://127.0.0.1:{}", server.port);
        let app = TestApp::spawn_with(&backend, move |c| {
            c.smtp.url = Some(url);
            c.smtp.from = Some("books@careful.test".into());
        })
        .await;
        logged_before_it_leaves(app, server).await;
    }
}

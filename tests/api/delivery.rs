//! Document delivery over HTTP: a firm's own template and logo change its PDFs (bad ones are
//! refused, nothing stored), and issued documents are e-mailed — to `.eml` files through
//! `smtp.file_dir` — with the outcome in the delivery log; drafts, a missing SMTP configuration and
//! an unreachable mail server each get a clear answer. Every test runs on both backends.

use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{CREDIT_NOTES, CUSTOMERS, Firm, INVOICES, id};
use crate::helpers::{TestApp, backends};
use crate::on_every_backend;

const TEMPLATE: &str = "/api/invoicing/template/";
const LOGO: &str = "/api/invoicing/logo/";
const LOGO_PNG: &[u8] = include_bytes!("../../src/pdf/testdata/logo.png");
const NOT_CONFIGURED: &str = "E-mail is not configured: set smtp.url and smtp.from in oasys.toml.";

/// Acme Ltd, with two addresses on file; its id.
pub(crate) async fn customer(f: &Firm) -> String {
    let customer = f
        .create(
            CUSTOMERS,
            json!({"name": "Acme Ltd", "emails": ["billing@acme.test", "ap@acme.test"]}),
        )
        .await;
    id(&customer).to_owned()
}

/// A draft of one line; issued when `issue` is set. Returns the document's JSON.
pub(crate) async fn document(f: &Firm, path: &str, contact: &str, issue: bool, extra: Value) -> Value {
    let mut body = json!({"contact": contact, "issue_date": "2026-03-01",
        "lines": [{"description": "Consulting", "quantity": "2", "unit_price": "150.00", "account": f.acct("4200")}]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    if issue {
        f.issued(path, body).await
    } else {
        f.create(path, body).await
    }
}

async fn pdf(f: &Firm, id: &str) -> Vec<u8> {
    let r = f
        .raw(Method::GET, &format!("{INVOICES}{id}/pdf/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"));
    bytes
}

/// `PUT /api/invoicing/logo/` with a raw body; returns (status, body text).
async fn put_logo(f: &Firm, content_type: &str, bytes: &[u8]) -> (StatusCode, String) {
    let r = f
        .raw(Method::PUT, LOGO)
        .header("content-type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The `.eml` files written to `dir`, as text.
pub(crate) fn emails_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn send_to_files(app: TestApp, outbox: &Path) {
    let f = Firm::register(&app, "send@example.com", "Sending Firm").await;
    let contact = customer(&f).await;
    let invoice = document(&f, INVOICES, &contact, true, json!({})).await;
    let id = invoice["id"].as_str().unwrap();
    assert_eq!(invoice["number"], "INV-2026-0001");

    // Sent to the customer's addresses by default, with the PDF attached.
    let r = f.post(&format!("{INVOICES}{id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "sent");
    assert_eq!(r.body["to"], json!(["billing@acme.test", "ap@acme.test"]));
    let mails = emails_in(outbox);
    assert_eq!(mails.len(), 1, "one message written");
    let mail = &mails[0];
    assert!(mail.contains("INV-2026-0001"), "{mail}");
    assert!(mail.contains("billing@acme.test"), "{mail}");
    assert!(mail.contains("Content-Type: application/pdf"), "{mail}");
    assert!(mail.contains("Content-Transfer-Encoding: base64"), "{mail}");
    assert!(mail.contains("JVBERi0"), "the attachment is a base64 PDF: {mail}");
    let log = f.get(&format!("{INVOICES}{id}/deliveries/")).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert_eq!(log.body["count"], 1);
    assert_eq!(log.body["results"][0]["status"], "sent");
    assert_eq!(log.body["results"][0]["created_by"], f.user_id.as_str());

    // One of the customer's addresses, a subject and a message.
    let r = f
        .post(
            &format!("{INVOICES}{id}/send/"),
            json!({"to": ["ap@acme.test"], "subject": "Your March invoice", "message": "See attached."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["to"], json!(["ap@acme.test"]));
    assert_eq!(emails_in(outbox).len(), 2);
    assert_eq!(f.get(&format!("{INVOICES}{id}/deliveries/")).await.body["count"], 2);

    // Bad input and documents that cannot be sent: 400, nothing written, nothing logged.
    let r = f
        .post(&format!("{INVOICES}{id}/send/"), json!({"to": ["not-an-address"]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["to"].is_array(), "{}", r.body);
    let r = f
        .post(&format!("{INVOICES}{id}/send/"), json!({"subject": "two\nlines"}))
        .await;
    assert!(r.body["subject"].is_array(), "{}", r.body);
    let draft = document(&f, INVOICES, &contact, false, json!({})).await;
    let r = f
        .post(&format!("{INVOICES}{}/send/", draft["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body["non_field_errors"][0].as_str().unwrap().contains("draft"),
        "{}",
        r.body
    );
    let void = document(&f, INVOICES, &contact, true, json!({})).await;
    let void_id = void["id"].as_str().unwrap();
    assert_eq!(
        f.post(&format!("{INVOICES}{void_id}/void/"), json!({})).await.status,
        StatusCode::OK
    );
    let r = f.post(&format!("{INVOICES}{void_id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // The path's kind is the document's kind; another firm's document does not exist.
    let r = f.post(&format!("{CREDIT_NOTES}{id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = Firm::register(&app, "other-send@example.com", "Other Firm").await;
    assert_eq!(
        other.post(&format!("{INVOICES}{id}/send/"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("{INVOICES}{id}/deliveries/")).await.status,
        StatusCode::NOT_FOUND
    );
    // Staff may read the log but not send.
    let staff = f.invite(&app, "staff-send@example.com", "staff").await;
    assert_eq!(
        staff.post(&format!("{INVOICES}{id}/send/"), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(staff.get(&format!("{INVOICES}{id}/deliveries/")).await.body["count"], 2);
    assert_eq!(emails_in(outbox).len(), 2, "no refused send wrote a message");

    // A credit note goes the same way.
    let note = document(&f, CREDIT_NOTES, &contact, true, json!({"credited_document": id})).await;
    let note_id = note["id"].as_str().unwrap();
    let r = f.post(&format!("{CREDIT_NOTES}{note_id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(emails_in(outbox).iter().any(|m| m.contains("CN-2026-0001")));
    assert_eq!(
        f.get(&format!("{CREDIT_NOTES}{note_id}/deliveries/")).await.body["count"],
        1
    );
    assert_eq!(f.get(&format!("{INVOICES}{id}/deliveries/")).await.body["count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_invoice_is_delivered_with_its_pdf() {
    for backend in backends() {
        let outbox = tempfile::tempdir().unwrap();
        let dir = outbox.path().join("outbox");
        let sink = dir.clone();
        let app = TestApp::spawn_with(&backend, move |c| {
            c.smtp.file_dir = Some(sink);
            c.smtp.from = Some("Sending Firm <books@sending.test>".into());
        })
        .await;
        send_to_files(app, &dir).await;
    }
}

async fn not_configured(app: TestApp) {
    let f = Firm::register(&app, "nosmtp@example.com", "Quiet Firm").await;
    let contact = customer(&f).await;
    let invoice = document(&f, INVOICES, &contact, true, json!({})).await;
    let id = invoice["id"].as_str().unwrap();
    let r = f.post(&format!("{INVOICES}{id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body, json!({"non_field_errors": [NOT_CONFIGURED]}));
    assert_eq!(f.get(&format!("{INVOICES}{id}/deliveries/")).await.body["count"], 0);
}
on_every_backend!(without_smtp_sending_says_what_to_configure, not_configured);

async fn server_down(app: TestApp) {
    let f = Firm::register(&app, "down@example.com", "Unlucky Firm").await;
    let contact = customer(&f).await;
    let invoice = document(&f, INVOICES, &contact, true, json!({})).await;
    let id = invoice["id"].as_str().unwrap();
    let r = f.post(&format!("{INVOICES}{id}/send/"), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.starts_with("The e-mail could not be sent: "), "{detail}");
    let log = f.get(&format!("{INVOICES}{id}/deliveries/")).await;
    assert_eq!(log.body["count"], 1, "logged once: {}", log.body);
    assert_eq!(log.body["results"][0]["status"], "failed");
    assert!(!log.body["results"][0]["error"].as_str().unwrap().is_empty());
}
// Port 9 (discard) on the loopback: nothing listens there, the connection is refused at once.
on_every_backend!(an_unreachable_mail_server_answers_502_and_is_logged, server_down, |c| {
    c.smtp.url = Some("smtp://127.0.0.1:9".into());
    c.smtp.from = Some("books@unlucky.test".into());
});

async fn template_and_logo(app: TestApp) {
    let f = Firm::register(&app, "style@example.com", "Stylish Firm").await;
    let contact = customer(&f).await;
    let invoice = document(&f, INVOICES, &contact, true, json!({})).await;
    let id = invoice["id"].as_str().unwrap();
    let plain = pdf(&f, id).await;
    assert_eq!(
        pdf(&f, id).await,
        plain,
        "rendering is deterministic, so a difference means a change"
    );

    // The default template until the firm stores its own.
    let r = f.get(TEMPLATE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_default"], true);
    assert!(
        r.body["template"]
            .as_str()
            .unwrap()
            .contains("invoice_title = \"INVOICE\"")
    );
    // A bad one is refused with the parser's message, and nothing changes.
    for bad in [
        "paper = \"A5\"",
        "[labels]\ninvoce_title = \"X\"",
        "accent_color = \"blue\"",
        "font_size = ",
    ] {
        let r = f
            .request(reqwest::Method::PUT, TEMPLATE, Some(json!({"template": bad})), &[])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        let message = r.body["template"][0].as_str().unwrap();
        assert!(message.starts_with("The document template is not valid"), "{message}");
    }
    let r = f.request(reqwest::Method::PUT, TEMPLATE, Some(json!({})), &[]).await;
    assert!(r.body["template"].is_array(), "required: {}", r.body);
    assert_eq!(f.get(TEMPLATE).await.body["is_default"], true);
    assert_eq!(pdf(&f, id).await, plain);
    // A valid one changes the PDF.
    let mine = "[labels]\ninvoice_title = \"RECHNUNG\"\n";
    let r = f.put(TEMPLATE, json!({"template": mine})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.get(TEMPLATE).await;
    assert_eq!(
        (r.body["template"].as_str(), &r.body["is_default"]),
        (Some(mine), &json!(false))
    );
    let relabelled = pdf(&f, id).await;
    assert_ne!(relabelled, plain, "the label changed the PDF");
    // DELETE goes back to the default look.
    let r = f.raw(Method::DELETE, TEMPLATE).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(f.get(TEMPLATE).await.body["is_default"], true);
    assert_eq!(pdf(&f, id).await, plain, "the default look again");
    let r = f.put(TEMPLATE, json!({"template": mine})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Staff may read the template but not change it.
    let staff = f.invite(&app, "staff-style@example.com", "staff").await;
    assert_eq!(staff.get(TEMPLATE).await.status, StatusCode::OK);
    assert_eq!(
        staff.put(TEMPLATE, json!({"template": ""})).await.status,
        StatusCode::FORBIDDEN
    );

    // Logos: anything but a PNG or JPEG that decodes is refused, and nothing is stored.
    assert_eq!(f.get(LOGO).await.status, StatusCode::NOT_FOUND);
    let (status, body) = put_logo(&f, "image/png", b"definitely not an image").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("logo"), "{body}");
    let mut truncated = LOGO_PNG[..40].to_vec();
    truncated.extend_from_slice(&[0u8; 64]);
    let (status, body) = put_logo(&f, "image/png", &truncated).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a PNG header on a broken image: {body}"
    );
    let (status, _) = put_logo(&f, "image/jpeg", LOGO_PNG).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a PNG declared as JPEG");
    let (status, _) = put_logo(&f, "image/svg+xml", b"<svg/>").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut huge = LOGO_PNG.to_vec();
    huge.resize(1024 * 1024 + 1, 0);
    let (status, _) = put_logo(&f, "image/png", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(f.get(LOGO).await.status, StatusCode::NOT_FOUND);
    assert_eq!(pdf(&f, id).await, relabelled);
    // A real PNG is stored as sent and drawn: the PDF grows.
    let (status, body) = put_logo(&f, "image/png", LOGO_PNG).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = f.raw(Method::GET, LOGO).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), LOGO_PNG);
    let with_logo = pdf(&f, id).await;
    assert!(
        with_logo.len() > relabelled.len(),
        "{} > {}",
        with_logo.len(),
        relabelled.len()
    );
    let (status, _) = put_logo(&staff, "image/png", LOGO_PNG).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Removed: back to the PDF without it.
    assert_eq!(f.delete(LOGO).await.status, StatusCode::NO_CONTENT);
    assert_eq!(f.get(LOGO).await.status, StatusCode::NOT_FOUND);
    assert_eq!(pdf(&f, id).await, relabelled);
    // Another company of the firm keeps the default look.
    let other = f.new_company("Second Co", "EUR").await;
    assert_eq!(other.get(TEMPLATE).await.body["is_default"], true);
}
on_every_backend!(a_firms_template_and_logo_shape_its_pdfs, template_and_logo);

//! Issue 14, item 6, the parts about files and links: databases and `.eml` spool files are
//! readable by the server's user only, and page links never name a host the client made up.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{ACCOUNTS, CUSTOMERS, Firm, INVOICES, id};
use crate::helpers::{Backend, TestApp, backends};
use crate::on_every_backend;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every file under `dir` that is a database or belongs to one.
fn database_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            database_files(&path, out);
        } else if path.to_string_lossy().contains(".db") {
            out.push(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn databases_and_spooled_mail_are_private_files() {
    let outbox = tempfile::tempdir().unwrap();
    let spool = outbox.path().join("outbox");
    let sink = spool.clone();
    let app = TestApp::spawn_with(&Backend::Sqlite, move |c| {
        c.smtp.file_dir = Some(sink);
        c.smtp.from = Some("Private Firm <books@private.test>".into());
    })
    .await;
    let f = Firm::register(&app, "private@example.com", "Private Firm").await;
    let contact = f
        .create(CUSTOMERS, json!({"name": "Acme Ltd", "emails": ["billing@acme.test"]}))
        .await;
    let invoice = f
        .issued(
            INVOICES,
            json!({"contact": id(&contact), "issue_date": "2026-03-01",
                "lines": [{"description": "Consulting", "quantity": "1", "unit_price": "100.00", "account": f.acct("4200")}]}),
        )
        .await;
    let sent = f.post(&format!("{INVOICES}{}/send/", id(&invoice)), json!({})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    let mut files = Vec::new();
    database_files(app.data_dir(), &mut files);
    assert!(files.iter().any(|p| p.ends_with("platform.db")), "{files:?}");
    assert!(files.iter().any(|p| p.ends_with("ledger.db")), "{files:?}");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    let mails: Vec<_> = std::fs::read_dir(&spool).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!mails.is_empty());
    for mail in &mails {
        assert_eq!(mode(mail), 0o600, "{}", mail.display());
    }
}

/// `next` and `previous` are built from `public_url`, else from an allowed `Host`, never from
/// whatever `Host` the client sent.
async fn page_links_never_name_a_host_the_client_made_up(app: TestApp) {
    let f = Firm::register(&app, "links@example.com", "Links Firm").await;
    let page = |host: &'static str| {
        let f = f.clone();
        async move {
            let r = f
                .raw(reqwest::Method::GET, &format!("{ACCOUNTS}?page_size=1&page=2"))
                .header("host", host)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let body: serde_json::Value = r.json().await.unwrap();
            (
                body["next"].as_str().unwrap().to_owned(),
                body["previous"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (next, previous) = page("evil.example").await;
    for link in [&next, &previous] {
        assert!(!link.contains("evil.example"), "{link}");
        assert!(link.starts_with("http://127.0.0.1:8000/api/"), "{link}");
    }
    let (next, _) = page("localhost:8123").await;
    assert!(next.starts_with("http://localhost:8123/api/"), "{next}");
}
on_every_backend!(
    page_links_never_name_a_host_the_client_made_up_on_every_backend,
    page_links_never_name_a_host_the_client_made_up
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_links_name_the_public_url_when_it_is_set() {
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, |c| c.public_url = Some("https://books.example.com/".into())).await;
        let f = Firm::register(&app, "public@example.com", "Public Firm").await;
        let r = f
            .raw(reqwest::Method::GET, &format!("{ACCOUNTS}?page_size=1"))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            body["next"],
            json!("https://books.example.com/api/accounting/chart-of-accounts/?page_size=1&page=2")
        );
    }
}

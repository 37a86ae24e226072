//! The extraction queue in a running server, on SQLite and on PostgreSQL (when
//! `OASYS_TEST_DATABASE_URL` is set): a `pending` version is read and ends `done` with its text;
//! a hostile one ends `failed` with the reason and the server goes on; rows a stopped server left
//! `running` are requeued at start-up and finished; a wake-up naming no firm finds the work too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use oasys::config::Config;
use oasys::domain::tenants::{CompanyDetails, Plan};
use oasys::params;
use oasys::provision::{self, NewFirm};
use oasys::store::extraction::{self, FileText};
use oasys::store::{StoreError, Value};
use oasys::tenancy::TenantScope;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_oasys");

fn configs() -> Vec<(Config, tempfile::TempDir)> {
    let mut urls = vec![None];
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        urls.push(Some(url));
    }
    urls.into_iter()
        .map(|url| {
            let dir = tempfile::tempdir().unwrap();
            let mut config = Config {
                data_dir: Some(dir.path().to_path_buf()),
                jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
                ..Config::default()
            };
            if let Some(url) = url {
                config.database_url = Some(url);
                config.database_schema = format!("test_{}", Uuid::new_v4().simple());
                config.database_pool_size = 4;
            }
            config.documents.extract_workers = 2;
            (config, dir)
        })
        .collect()
}

fn open(config: Config) -> oasys::App {
    let mut app = oasys::App::open(config).unwrap();
    app.extract_worker = BIN.into();
    app
}

fn new_firm(app: &oasys::App, name: &str) -> (TenantScope, Uuid) {
    let firm = provision::create_firm(
        &app.store,
        NewFirm {
            name: name.into(),
            domain: None,
            plan: Plan::Basic,
            company: CompanyDetails {
                name: format!("{name} company"),
                currency: "EUR".into(),
                timezone: "Europe/Berlin".into(),
                ..CompanyDetails::default()
            },
            chart: "general".into(),
            admin: None,
        },
        None,
    )
    .unwrap();
    (TenantScope::operator(firm.tenant.id), firm.company.id)
}

/// Stores `bytes` and writes the file's rows as an upload does, its text row in `state`.
fn add_file(app: &oasys::App, scope: &TenantScope, company: Uuid, kind: &str, bytes: &[u8], state: &str) -> Uuid {
    let sha = format!("{:x}", Sha256::digest(bytes));
    let tenant = scope.tenant_id();
    oasys::files_storage::block_on(app.files.put_bytes(tenant, &sha, Bytes::copy_from_slice(bytes)))
        .unwrap()
        .unwrap();
    let id = Uuid::now_v7();
    let at = jiff::Timestamp::now().to_string();
    app.store
        .tenant_write(scope, |tx| -> Result<(), StoreError> {
            tx.execute(
                "INSERT INTO files (id, company_id, name, kind, current_version, inbox, created_at, updated_at) \
                 VALUES ($1, $2, 'upload', $3, 1, 0, $4, $4)",
                params![id, company, kind, at.as_str()],
            )?;
            tx.execute(
                "INSERT INTO file_versions (file_id, version, sha256, size, media_type, original_name, uploaded_at) \
                 VALUES ($1, 1, $2, $3, 'application/octet-stream', 'upload', $4)",
                &[
                    Value::Id(id),
                    Value::digest(&sha),
                    Value::Int(bytes.len() as i64),
                    Value::Text(at.clone()),
                ],
            )?;
            tx.execute(
                "INSERT INTO file_texts (file_id, version, state, updated_at) VALUES ($1, 1, $2, $3)",
                params![id, state, at.as_str()],
            )?;
            Ok(())
        })
        .unwrap();
    id
}

/// Waits (polling the row, 30 s at most) until the version has left `pending`/`running`.
async fn settled(app: &Arc<oasys::App>, scope: &TenantScope, file: Uuid) -> FileText {
    for _ in 0..300 {
        let (app2, scope2) = (Arc::clone(app), scope.clone());
        let row =
            tokio::task::spawn_blocking(move || app2.store.tenant_read(&scope2, |tx| extraction::get(tx, file, 1)))
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        if row.state != "pending" && row.state != "running" {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the extraction of {file} did not finish");
}

fn text_pdf(words: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>endobj\n\
         4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n\
         5 0 obj<</Length {}>>stream\nBT /F1 24 Tf 72 700 Td ({words}) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        format!("BT /F1 24 Tf 72 700 Td ({words}) Tj ET").len()
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_read_in_the_background_and_a_crash_loses_no_work() {
    for (config, _dir) in configs() {
        // Before the server starts: one version left `running` by a crash, one `pending`.
        let app = tokio::task::spawn_blocking(move || {
            let app = open(config);
            let (a, company_a) = new_firm(&app, "Firm A");
            let (b, company_b) = new_firm(&app, "Firm B");
            let crashed = add_file(
                &app,
                &a,
                company_a,
                "pdf",
                &text_pdf("Numbat Consulting invoice"),
                "running",
            );
            let waiting = add_file(
                &app,
                &b,
                company_b,
                "text",
                "Receipt from Platypus Bakery".as_bytes(),
                "pending",
            );
            (Arc::new(app), a, b, crashed, waiting)
        })
        .await
        .unwrap();
        let (app, a, b, crashed, waiting) = app;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(oasys::serve(Arc::clone(&app), listener, async move {
            let _ = stopped.await;
        }));

        let row = settled(&app, &a, crashed).await;
        assert_eq!(
            (row.state.as_str(), row.method.as_deref(), row.pages),
            ("done", Some("pdf"), Some(1))
        );
        assert!(row.text.contains("Numbat Consulting"), "{:?}", row.text);
        let row = settled(&app, &b, waiting).await;
        assert_eq!((row.state.as_str(), row.method.as_deref()), ("done", Some("text")));
        assert_eq!(row.text, "Receipt from Platypus Bakery");

        // After start-up: a hostile file and a good one, the queue woken for the firm.
        let (app2, a2) = (Arc::clone(&app), a.clone());
        let (bomb, good) = tokio::task::spawn_blocking(move || {
            let company = app2
                .store
                .tenant_read(&a2, |tx| tx.query_one("SELECT id FROM companies", &[])?.uuid(0))
                .unwrap();
            let mut pages = String::from("%PDF-1.4\n");
            // A 10,000-page claim: refused before any text is read.
            pages.push_str("1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 10000>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
            let bomb = add_file(&app2, &a2, company, "pdf", pages.as_bytes(), "pending");
            let good = add_file(&app2, &a2, company, "csv", b"vendor;total\nEchidna Supplies;12.50\n", "pending");
            app2.extraction.wake_for(a2.tenant_id());
            (bomb, good)
        })
        .await
        .unwrap();
        let row = settled(&app, &a, bomb).await;
        assert_eq!(row.state, "failed");
        assert_eq!(
            row.error.as_deref(),
            Some("the PDF has 10000 pages; at most 500 are read")
        );
        assert_eq!(row.text, "");
        let row = settled(&app, &a, good).await;
        assert_eq!(row.state, "done");
        assert_eq!(row.text, "vendor\ttotal\nEchidna Supplies\t12.50\n");

        // A wake-up that names no firm finds the work too.
        let (app2, b2) = (Arc::clone(&app), b.clone());
        let later = tokio::task::spawn_blocking(move || {
            let company = app2
                .store
                .tenant_read(&b2, |tx| tx.query_one("SELECT id FROM companies", &[])?.uuid(0))
                .unwrap();
            let id = add_file(&app2, &b2, company, "heic", b"\0\0\0\x18ftypheic", "pending");
            app2.extraction.wake();
            id
        })
        .await
        .unwrap();
        let row = settled(&app, &b, later).await;
        assert_eq!(row.state, "unsupported");
        assert!(row.error.unwrap().contains("HEIC"));
        let _ = stop.send(());
    }
}

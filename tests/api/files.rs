//! Documents a firm keeps (`/api/documents/`): upload, list, download headers, preview rules,
//! versions, links, delete refusal, size limit, quota, type refusal (a PNG named `.pdf`),
//! deduplication, bad input (4xx, nothing written), and isolation: another firm's and another
//! company's ids are 404, a user limited to company 1 sees nothing of company 2. The storage
//! cases run on local storage and, when `OASYS_TEST_S3_ENDPOINT` is set, on S3 (moto).
//! `files_archives.rs`: `oasys verify`, export/import and backups with documents.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{BILLS, COMPANIES, Firm, Response, STRONG_PASSWORD, USERS, VENDORS, id};
use crate::helpers::{Backend, TestApp, backends};
use crate::on_every_backend;

pub(crate) const DOCS: &str = "/api/documents/";

/// A small but real PDF.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>endobj\n\
         4 0 obj<</Length 30>>stream\nBT /F1 12 Tf 10 10 Td ({text}) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// `multipart/form-data` with `file` (named `filename`) and the text `fields`.
pub(crate) fn form(filename: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "oasys-docs-boundary-91a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload_to(
    firm: &Firm,
    path: &str,
    filename: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    let (content_type, body) = form(filename, bytes, fields);
    let req = firm
        .raw(Method::POST, path)
        .header("content-type", content_type)
        .body(body);
    Response::send(req).await
}

pub(crate) async fn upload(firm: &Firm, filename: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Response {
    upload_to(firm, DOCS, filename, bytes, fields).await
}

pub(crate) async fn uploaded(firm: &Firm, filename: &str, bytes: &[u8]) -> Value {
    let r = upload(firm, filename, bytes, &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

pub(crate) async fn bytes_of(firm: &Firm, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = firm.raw(Method::GET, path).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

/// The objects under the local storage root: every firm's `tenants/<id>/files/`.
pub(crate) fn objects(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |d| {
            d.flatten()
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                .sum()
        })
    }
    let Ok(firms) = std::fs::read_dir(app.data_dir().join("tenants")) else {
        return 0;
    };
    firms.flatten().map(|f| walk(&f.path().join("files"))).sum()
}

async fn upload_list_download_and_preview(app: TestApp) {
    let firm = Firm::register(&app, "docs@files.test", "Paper Ltd").await;
    let body = pdf("Invoice 42");
    let made = upload(&firm, "bill-42.pdf", &body, &[("inbox", "true")]).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let doc = made.body;
    assert_eq!(doc["name"], "bill-42.pdf");
    assert_eq!(doc["kind"], "pdf");
    assert_eq!(doc["media_type"], "application/pdf");
    assert_eq!(doc["size"], body.len());
    assert_eq!(doc["inbox"], true);
    assert_eq!(doc["current_version"], 1);
    assert_eq!(
        doc["text_state"], "pending",
        "extraction is queued, not run in the request"
    );
    assert_eq!(doc["versions"].as_array().unwrap().len(), 1);
    let sha = doc["versions"][0]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(objects(&app), 1);

    let list = firm.get(DOCS).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["count"], 1);
    assert_eq!(firm.count(&format!("{DOCS}?inbox=true")).await, 1);
    assert_eq!(firm.count(&format!("{DOCS}?inbox=false")).await, 0);
    assert_eq!(firm.count(&format!("{DOCS}?kind=png")).await, 0);
    assert_eq!(firm.count(&format!("{DOCS}?search=BILL-4")).await, 1);
    assert_eq!(
        firm.get(&format!("{DOCS}?inbox=maybe")).await.status,
        StatusCode::BAD_REQUEST
    );

    let d = id(&doc);
    let (status, headers, got) = bytes_of(&firm, &format!("{DOCS}{d}/download/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, body, "the bytes come back as they went in");
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"bill-42.pdf\"")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "sandbox; default-src 'none'");
    let (status, headers, _) = bytes_of(&firm, &format!("{DOCS}{d}/preview/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, _) = bytes_of(&firm, &format!("{DOCS}{d}/download/?version=2")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = bytes_of(&firm, &format!("{DOCS}{d}/download/?version=x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // CSV is kept, downloaded, never previewed.
    let csv = uploaded(&firm, "rates.csv", b"date,rate\n2026-01-01,1.1\n2026-01-02,1.2\n").await;
    assert_eq!(csv["kind"], "csv");
    assert_eq!(csv["previewable"], false);
    let (status, _, _) = bytes_of(&firm, &format!("{DOCS}{}/preview/", id(&csv))).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let png = uploaded(&firm, "scan.png", PNG).await;
    assert_eq!(png["kind"], "png");
    let (status, headers, _) = bytes_of(&firm, &format!("{DOCS}{}/preview/", id(&png))).await;
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (StatusCode::OK, "image/png")
    );

    // Rename and move out of the inbox; a blank name and unknown fields are refused.
    let r = firm
        .patch(
            &format!("{DOCS}{d}/"),
            json!({ "name": "../Bill 42.pdf", "inbox": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["name"].as_str(), r.body["inbox"].as_bool()),
        (Some("Bill 42.pdf"), Some(false))
    );
    let r = firm.patch(&format!("{DOCS}{d}/"), json!({ "name": "  " })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = firm.patch(&format!("{DOCS}{d}/"), json!({ "colour": "red" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let audit = firm.get("/api/accounting/audit-log/?object_type=file").await;
    assert!(
        audit.body.to_string().contains("Bill 42.pdf"),
        "renames are audited: {}",
        audit.body
    );
}
on_every_backend!(
    documents_upload_list_download_and_preview,
    upload_list_download_and_preview
);

async fn refused_files_write_nothing(app: TestApp) {
    let firm = Firm::register(&app, "refuse@files.test", "Refuse Ltd").await;
    // A PNG named .pdf, an executable, an empty file, no file at all, a bad flag, a link half.
    let r = upload(&firm, "invoice.pdf", PNG, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body["file"][0]
            .as_str()
            .unwrap()
            .contains("PNG image, but its name ends in .pdf"),
        "{}",
        r.body
    );
    let r = upload(&firm, "setup.exe", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = upload(&firm, "empty.txt", b"", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = upload(
        &firm,
        "a.pdf",
        &pdf("x"),
        &[("inbox", "perhaps"), ("record_kind", "bill")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.get("inbox").is_some() && r.body.get("record_id").is_some(),
        "{}",
        r.body
    );
    let r = upload(&firm, "a.pdf", &pdf("x"), &[("colour", "red")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = upload(
        &firm,
        "a.pdf",
        &pdf("x"),
        &[("company", &uuid::Uuid::new_v4().to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.get("company").is_some(), "{}", r.body);
    let req = firm
        .raw(Method::POST, DOCS)
        .header("content-type", "multipart/form-data; boundary=b")
        .body("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n");
    let r = Response::send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = firm.post(DOCS, json!({ "file": "not multipart" })).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    // A link to a record that is not there: nothing kept.
    let r = upload(
        &firm,
        "a.pdf",
        &pdf("x"),
        &[
            ("record_kind", "bill"),
            ("record_id", &uuid::Uuid::new_v4().to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(firm.count(DOCS).await, 0);
    assert_eq!(objects(&app), 0, "no object is left behind by a refused upload");
    let tmp = app.data_dir().join("tmp").join("uploads");
    assert_eq!(
        std::fs::read_dir(&tmp).map_or(0, |d| d.count()),
        0,
        "no temporary file is left"
    );
}
on_every_backend!(documents_refused_files_write_nothing, refused_files_write_nothing);

async fn size_limit_and_quota(backend: &Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.documents.max_file_size = 4_000;
        c.documents.firm_quota = 6_000;
    })
    .await;
    let firm = Firm::register(&app, "quota@files.test", "Quota Ltd").await;
    let big = format!("{}\n", "x".repeat(4_100));
    let r = upload(&firm, "big.txt", big.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(firm.count(DOCS).await, 0);
    assert_eq!(objects(&app), 0);
    let a = format!("a{}\n", "1".repeat(3_500));
    let b = format!("b{}\n", "2".repeat(3_500));
    uploaded(&firm, "a.txt", a.as_bytes()).await;
    // The same bytes again are stored once and count once.
    let again = uploaded(&firm, "a-again.txt", a.as_bytes()).await;
    assert_eq!(objects(&app), 1, "identical bytes are stored once per firm");
    // Settings shows what the firm uses of its quota: the object once.
    let usage = firm.get("/api/documents/usage/").await;
    assert_eq!(usage.status, StatusCode::OK, "{}", usage.body);
    assert_eq!(
        (
            &usage.body["used_bytes"],
            &usage.body["quota_bytes"],
            &usage.body["max_file_bytes"],
            &usage.body["storage"]
        ),
        (&json!(a.len()), &json!(6_000), &json!(4_000), &json!("local"))
    );
    let other = Firm::register(&app, "other@quota.test", "Other Ltd").await;
    assert_eq!(other.get("/api/documents/usage/").await.body["used_bytes"], 0);
    let r = upload(&firm, "b.txt", b.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["file"][0].as_str().unwrap().contains("quota"), "{}", r.body);
    assert_eq!(firm.count(DOCS).await, 2);
    assert_eq!(objects(&app), 1, "the refused upload's object is removed");
    // Deleting one of two files naming an object keeps it; deleting the last removes it.
    assert_eq!(
        firm.delete(&format!("{DOCS}{}/", id(&again))).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(objects(&app), 1);
    let first = firm.get(DOCS).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        firm.delete(&format!("{DOCS}{first}/")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(objects(&app), 0, "an object no version names is removed");
    uploaded(&firm, "b.txt", b.as_bytes()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_size_limit_quota_and_dedupe() {
    for backend in backends() {
        size_limit_and_quota(&backend).await;
    }
}

/// A draft bill of `firm`.
async fn bill(firm: &Firm) -> String {
    let vendor = firm.create(VENDORS, json!({ "name": "Supplies Co" })).await;
    let b = firm
        .create(
            BILLS,
            json!({ "contact": id(&vendor), "issue_date": "2026-03-02", "reference": "S-1",
                "lines": [{ "description": "Paper", "quantity": "1", "unit_price": "10.00", "account": firm.acct("6400") }] }),
        )
        .await;
    id(&b).to_owned()
}

async fn versions_links_and_posted_records(app: TestApp) {
    let firm = Firm::register(&app, "links@files.test", "Links Ltd").await;
    let bill = bill(&firm).await;
    let r = upload(
        &firm,
        "bill.pdf",
        &pdf("v1"),
        &[("record_kind", "bill"), ("record_id", &bill)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = id(&r.body).to_owned();
    assert_eq!(r.body["links"][0]["record_kind"], "bill");
    assert_eq!(
        firm.count(&format!("{DOCS}?record_kind=bill&record_id={bill}")).await,
        1
    );
    assert_eq!(
        firm.get(&format!("{DOCS}?record_kind=planet")).await.status,
        StatusCode::BAD_REQUEST
    );

    // A new version: the old one kept, downloadable by number.
    let r = upload_to(&firm, &format!("{DOCS}{d}/versions/"), "bill-v2.pdf", &pdf("v2"), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["current_version"], 2);
    assert_eq!(r.body["versions"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["text_state"], "pending");
    let (_, _, v1) = bytes_of(&firm, &format!("{DOCS}{d}/download/?version=1")).await;
    assert_eq!(v1, pdf("v1"));
    let (_, _, now) = bytes_of(&firm, &format!("{DOCS}{d}/download/")).await;
    assert_eq!(now, pdf("v2"));
    let r = upload_to(&firm, &format!("{DOCS}{d}/versions/"), "x.pdf", PNG, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // Links: a contact too; twice is once; an unknown record or kind is a 404.
    let contact = firm.create(VENDORS, json!({ "name": "Other Co" })).await;
    let link = json!({ "record_kind": "contact", "record_id": id(&contact) });
    let r = firm.post(&format!("{DOCS}{d}/links/"), link.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = firm.post(&format!("{DOCS}{d}/links/"), link).await;
    assert_eq!(r.body["links"].as_array().unwrap().len(), 2, "{}", r.body);
    let r = firm
        .post(
            &format!("{DOCS}{d}/links/"),
            json!({ "record_kind": "bill", "record_id": id(&contact) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a contact is not a bill: {}", r.body);
    let r = firm
        .post(
            &format!("{DOCS}{d}/links/"),
            json!({ "record_kind": "planet", "record_id": id(&contact) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = firm.delete(&format!("{DOCS}{d}/links/contact/{}/", id(&contact))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = firm.delete(&format!("{DOCS}{d}/links/contact/{}/", id(&contact))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Once the bill is issued (posted), its evidence stays: no delete, no detach.
    let r = firm.post(&format!("{BILLS}{bill}/issue/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = firm.delete(&format!("{DOCS}{d}/")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("posted"), "{}", r.body);
    let r = firm.delete(&format!("{DOCS}{d}/links/bill/{bill}/")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(firm.get(&format!("{DOCS}{d}/")).await.status, StatusCode::OK);
    assert_eq!(objects(&app), 2);
}
on_every_backend!(
    documents_versions_links_and_posted_records,
    versions_links_and_posted_records
);

async fn isolation(app: TestApp) {
    let a = Firm::register(&app, "a@iso-files.test", "Firm A").await;
    let b = Firm::register(&app, "b@iso-files.test", "Firm B").await;
    let a2 = a.new_company("A Two", "USD").await;
    let doc = uploaded(&a, "a.pdf", &pdf("secret")).await;
    let d = id(&doc).to_owned();
    let other_bill = bill(&a2).await;
    for outsider in [&b, &a2] {
        for path in [
            format!("{DOCS}{d}/"),
            format!("{DOCS}{d}/download/"),
            format!("{DOCS}{d}/preview/"),
        ] {
            assert_eq!(outsider.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(
            outsider
                .patch(&format!("{DOCS}{d}/"), json!({ "name": "x" }))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            outsider.delete(&format!("{DOCS}{d}/")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = outsider
            .post(
                &format!("{DOCS}{d}/links/"),
                json!({ "record_kind": "bill", "record_id": other_bill }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = upload_to(outsider, &format!("{DOCS}{d}/versions/"), "x.pdf", &pdf("x"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(outsider.count(DOCS).await, 0, "nothing of company 1 in the list");
    }
    // Company 1's document cannot be linked to company 2's bill.
    let r = a
        .post(
            &format!("{DOCS}{d}/links/"),
            json!({ "record_kind": "bill", "record_id": other_bill }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // A user limited to company 1 cannot reach company 2's documents at all.
    let r = upload(
        &a2,
        "two.pdf",
        &pdf("two"),
        &[("company", a2.company.as_deref().unwrap())],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the request's own company may be named: {}",
        r.body
    );
    let companies = a.get(&format!("{COMPANIES}?page_size=200")).await.body["results"].clone();
    let first = companies
        .as_array()
        .unwrap()
        .iter()
        .find(|c| Some(c["id"].as_str().unwrap()) != a2.company.as_deref())
        .unwrap()["id"]
        .clone();
    let created = a
        .post(
            USERS,
            json!({ "email": "lim@iso-files.test", "role": "accountant", "password": STRONG_PASSWORD,
                    "companies": [first], "all_companies": false }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let limited = Firm {
        token: app.sign_in("lim@iso-files.test").await,
        ..a2.clone()
    };
    assert_eq!(
        limited.get(DOCS).await.status,
        StatusCode::NOT_FOUND,
        "company 2 is not theirs"
    );
    let in_one = Firm {
        company: None,
        ..limited.clone()
    };
    assert_eq!(in_one.count(DOCS).await, 1, "company 1's only");
    let r = in_one.get(&format!("{DOCS}{d}/download/")).await;
    assert_eq!(r.status, StatusCode::OK);
}
on_every_backend!(documents_isolation, isolation);

/// A fresh bucket on the S3-compatible server of `OASYS_TEST_S3_ENDPOINT` (moto in CI), named
/// `oasys-<label>-…`; `None` (the test then has nothing to run against) when it is not set.
pub async fn s3_bucket(label: &str) -> Option<S3Bucket> {
    let Ok(endpoint) = std::env::var("OASYS_TEST_S3_ENDPOINT") else {
        eprintln!("OASYS_TEST_S3_ENDPOINT is not set: no S3-compatible server to test against");
        return None;
    };
    let bucket = format!("oasys-{label}-{}", uuid::Uuid::new_v4().simple());
    let made = crate::helpers::http()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "creating bucket: {}", made.status());
    Some(S3Bucket { endpoint, bucket })
}

/// A bucket made by [`s3_bucket`].
pub struct S3Bucket {
    endpoint: String,
    bucket: String,
}

impl S3Bucket {
    /// Points the server's document storage (`storage.url`) at this bucket.
    pub fn store_documents(&self, c: &mut oasys::config::Config) {
        c.storage.url = Some(format!("s3://{}/docs", self.bucket));
        c.storage.s3_endpoint = Some(self.endpoint.clone());
        c.storage.s3_region = Some("us-east-1".into());
        c.storage.s3_access_key_id = Some("testing".into());
        c.storage.s3_secret_access_key = Some("testing".into());
        c.storage.s3_allow_http = true;
    }
}

/// The same round trip on S3 (moto) when `OASYS_TEST_S3_ENDPOINT` is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_on_s3_storage() {
    let Some(s3) = s3_bucket("docs").await else { return };
    for backend in backends() {
        let app = TestApp::spawn_with(&backend, |c| {
            s3.store_documents(c);
            c.documents.firm_quota = 1 << 20;
        })
        .await;
        let firm = Firm::register(&app, "s3@files.test", "S3 Ltd").await;
        // 6 MiB would be over the quota; 600 KiB of text goes up in one part.
        let body = format!("{}\n", "receipt line\n".repeat(50_000));
        let doc = uploaded(&firm, "long.txt", body.as_bytes()).await;
        let again = uploaded(&firm, "same.txt", body.as_bytes()).await;
        let (status, _, got) = bytes_of(&firm, &format!("{DOCS}{}/download/", id(&doc))).await;
        assert_eq!((status, got.len()), (StatusCode::OK, body.len()));
        assert_eq!(got, body.as_bytes());
        let r = upload(&firm, "scan.pdf", PNG, &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(objects(&app), 0, "nothing on local disk");
        for d in [&doc, &again] {
            assert_eq!(
                firm.delete(&format!("{DOCS}{}/", id(d))).await.status,
                StatusCode::NO_CONTENT
            );
        }
        let listing = crate::helpers::http()
            .get(format!("{}/{}?list-type=2&prefix=docs/", s3.endpoint, s3.bucket))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !listing.contains("/files/"),
            "the last delete removed the object: {listing}"
        );
    }
}

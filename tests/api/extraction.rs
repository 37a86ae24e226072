//! Text extraction through the API: an uploaded PDF's words come back from
//! `GET /api/documents/{id}/text/` once the background queue has read it, and the document shows
//! `text_state`; hostile uploads (a zip bomb as XLSX, a 100-megapixel PNG, a 10,000-page PDF) end
//! refused or `failed` with the reason while the server goes on; another firm's or company's
//! document text is a 404; with storage on S3 (moto, `OASYS_TEST_S3_ENDPOINT`) the same round trip.
//! Both round trips end in the search box: a mistyped word from inside the PDF finds the document
//! (upload → extract → search, issue 18), and another firm does not find it.

use std::io::Write;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::files::{DOCS, upload};
use crate::fixtures::{Firm, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

/// A one-page PDF showing `words` in Helvetica (`pages` copies of the page).
fn pdf(words: &str, pages: usize) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 40 700 Td ({words}) Tj ET");
    let kids: Vec<String> = (0..pages).map(|_| "3 0 R".to_owned()).collect();
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
         2 0 obj<</Type/Pages/Kids[{}]/Count {pages}>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>endobj\n\
         4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n\
         5 0 obj<</Length {}>>stream\n{stream}\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        kids.join(" "),
        stream.len()
    )
    .into_bytes()
}

/// Waits until the document's current version has left `pending`/`running`; its text answer.
async fn settled(firm: &Firm, doc: &str) -> Value {
    for _ in 0..300 {
        let r = firm.get(&format!("{DOCS}{doc}/text/")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["state"] != "pending" && r.body["state"] != "running" {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the text of {doc} was not extracted in 30 s");
}

/// The ids of the kept documents `GET /api/search/?q=…&kind=document` finds for `firm`.
async fn found(firm: &Firm, q: &str) -> Vec<String> {
    let r = firm.get(&format!("/api/search/?kind=document&q={q}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["hits"].as_array().unwrap().iter())
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn made(firm: &Firm, name: &str, bytes: &[u8]) -> String {
    let r = upload(firm, name, bytes, &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    id(&r.body).to_owned()
}

async fn upload_extract_and_read(app: TestApp) {
    let firm = Firm::register(&app, "text@extract.test", "Quokka Ltd").await;
    let doc = made(&firm, "invoice.pdf", &pdf("Invoice from Wallaby Wholesale", 1)).await;
    let text = settled(&firm, &doc).await;
    assert_eq!(text["state"], "done", "{text}");
    assert_eq!(text["method"], "pdf");
    assert_eq!(text["pages"], 1);
    assert_eq!(text["version"], 1);
    assert!(text["text"].as_str().unwrap().contains("Wallaby Wholesale"), "{text}");
    let shown = firm.get(&format!("{DOCS}{doc}/")).await.body;
    assert_eq!(shown["text_state"], "done", "{shown}");
    // Upload → extract → search: a mistyped word and a prefix from inside the PDF find it; another
    // firm finds nothing.
    assert_eq!(found(&firm, "walaby").await, vec![doc.clone()]);
    assert_eq!(found(&firm, "wholesa").await, vec![doc.clone()]);
    let other = Firm::register(&app, "other@extract.test", "Bilby Ltd").await;
    assert!(found(&other, "wallaby").await.is_empty());

    // A CSV: its cells.
    let csv = made(&firm, "bank.csv", b"date,payee,amount\n2026-11-30,Koala Coffee,4.20\n").await;
    let text = settled(&firm, &csv).await;
    assert_eq!(
        (text["state"].as_str(), text["method"].as_str()),
        (Some("done"), Some("sheet"))
    );
    assert!(text["text"].as_str().unwrap().contains("Koala Coffee\t4.20"), "{text}");

    // A new version is read too; the old one's text stays.
    let r = crate::files::upload_to(
        &firm,
        &format!("{DOCS}{doc}/versions/"),
        "invoice.pdf",
        &pdf("Corrected invoice from Dingo Traders", 1),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let text = settled(&firm, &doc).await;
    assert_eq!(text["version"], 2);
    assert!(text["text"].as_str().unwrap().contains("Dingo Traders"), "{text}");
    assert_eq!(found(&firm, "dingo").await, vec![doc.clone()]);
    let old = firm.get(&format!("{DOCS}{doc}/text/?version=1")).await.body;
    assert!(old["text"].as_str().unwrap().contains("Wallaby"), "{old}");
    assert_eq!(
        firm.get(&format!("{DOCS}{doc}/text/?version=3")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        firm.get(&format!("{DOCS}{doc}/text/?version=x")).await.status,
        StatusCode::BAD_REQUEST
    );
}
on_every_backend!(documents_upload_extract_and_read, upload_extract_and_read);

/// The signature and header chunk of a PNG: what the upload check and the extraction read.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13];
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

/// An XLSX-looking zip whose sheet is 64 MiB of spaces in about 64 KiB.
fn xlsx_bomb() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(
        br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    )
    .unwrap();
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

async fn hostile_files(app: TestApp) {
    let firm = Firm::register(&app, "hostile@extract.test", "Hostile Ltd").await;
    let big = made(&firm, "huge.png", &png_header(10_000, 10_000)).await;
    let text = settled(&firm, &big).await;
    assert_eq!(text["state"], "failed", "{text}");
    assert_eq!(
        text["error"],
        "the image is 10000×10000 pixels; at most 40000000 pixels are read"
    );
    assert_eq!(text["text"], "");

    let pages = made(&firm, "long.pdf", &pdf("x", 10_000)).await;
    let text = settled(&firm, &pages).await;
    assert_eq!(text["state"], "failed", "{text}");
    assert_eq!(text["error"], "the PDF has 10000 pages; at most 500 are read");

    // A zip bomb named .xlsx: refused at upload, or read and failed with the reason.
    let r = upload(&firm, "bomb.xlsx", &xlsx_bomb(), &[]).await;
    if r.status == StatusCode::CREATED {
        let text = settled(&firm, id(&r.body)).await;
        assert_eq!(text["state"], "failed", "{text}");
        assert!(text["error"].as_str().unwrap().contains("zip bomb"), "{text}");
    } else {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }

    // The server goes on: the next upload is read.
    let fine = made(&firm, "fine.pdf", &pdf("Still serving Bilby Books", 1)).await;
    let text = settled(&firm, &fine).await;
    assert!(text["text"].as_str().unwrap().contains("Bilby Books"), "{text}");
}
on_every_backend!(documents_hostile_files_fail_with_a_reason, hostile_files);

async fn isolation(app: TestApp) {
    let a = Firm::register(&app, "a@iso-extract.test", "Firm A").await;
    let b = Firm::register(&app, "b@iso-extract.test", "Firm B").await;
    let a2 = a.new_company("A Two", "EUR").await;
    let doc = made(&a, "secret.pdf", &pdf("Secret of firm A", 1)).await;
    assert_eq!(settled(&a, &doc).await["state"], "done");
    for outsider in [&b, &a2] {
        let r = outsider.get(&format!("{DOCS}{doc}/text/")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
}
on_every_backend!(documents_text_isolation, isolation);

/// Upload → extract → read with storage on S3 (moto) when `OASYS_TEST_S3_ENDPOINT` is set: the
/// queue reads the object from the bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_extracted_from_s3_storage() {
    let Some(s3) = crate::files::s3_bucket("text").await else {
        return;
    };
    for backend in crate::helpers::backends() {
        let app = TestApp::spawn_with(&backend, |c| s3.store_documents(c)).await;
        let firm = Firm::register(&app, "s3@extract.test", "Bucket Ltd").await;
        let doc = made(&firm, "s3.pdf", &pdf("Kept in a bucket by Cassowary Cargo", 1)).await;
        let text = settled(&firm, &doc).await;
        assert_eq!(text["state"], "done", "{text}");
        assert!(text["text"].as_str().unwrap().contains("Cassowary Cargo"), "{text}");
        // A word from inside the PDF, mistyped, finds it in the search box.
        assert_eq!(found(&firm, "casowary").await, vec![doc.clone()]);
    }
}

//! Invoicing benchmark: starts the real server in-process on SQLite (or PostgreSQL with
//! `OASYS_BENCH_DATABASE_URL`) and times, over HTTP: drafting, issuing (numbering and posting),
//! recording payments, the ageing report and a customer's statement as of a date (after payments
//! voided later), and rendering invoice PDFs. Prints figures; asserts nothing.
//!
//! `cargo bench --bench invoicing` (`OASYS_BENCH_INVOICES=200` for a shorter run). Without
//! `--bench` (as `cargo test --all-targets` runs it) it does a token 20 invoices.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ms, percentile};

use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value, usize) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let bytes = res.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes.len(),
        )
    }
}

fn report(name: &str, samples: &mut [Duration]) {
    let total: Duration = samples.iter().sum();
    let n = samples.len();
    println!(
        "{name:<22} {n} in {:.2} s = {:.0}/s; p50 {:.2} ms, p99 {:.2} ms (HTTP round trip, one client)",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.99))
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("OASYS_BENCH_INVOICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1000 } else { 20 });
    let server = common::start("bench-invoice-harbour-42").await;
    let backend = server.backend;
    let http = common::http();
    let c = Client {
        http,
        base: server.base.clone(),
        token: server.token.clone(),
    };
    let (_, chart, _) = c
        .call(
            reqwest::Method::GET,
            "/api/accounting/chart-of-accounts/?page_size=200",
            None,
        )
        .await;
    let acct = |code: &str| common::account_id(&chart, code);
    let (s, customer, _) = c
        .call(
            reqwest::Method::POST,
            "/api/sales/customers/",
            Some(json!({"name": "Bench Customer Ltd",
            "billing_address": "1 Long Road\nSpringfield"})),
        )
        .await;
    assert_eq!(s, 201, "{customer}");
    let (s, tax, _) = c
        .call(
            reqwest::Method::POST,
            "/api/accounting/tax-rates/",
            Some(json!({"name": "VAT 20%", "kind": "vat", "rate": "20",
            "sales_account": acct("2200"), "purchase_account": acct("1400")})),
        )
        .await;
    assert_eq!(s, 201, "{tax}");
    println!(
        "OASYS invoicing benchmark ({backend}, {} CPUs)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // Ten-line invoices: a typical one-page invoice.
    let body = json!({"contact": customer["id"], "issue_date": "2026-06-01", "reference": "PO-1", "lines":
        (0..10).map(|i| json!({"description": format!("Consulting, week {i}"), "quantity": "7.5", "unit_price": "120.00",
            "tax_rate": tax["id"], "account": acct("4200")})).collect::<Vec<_>>()});
    let mut drafts = Vec::with_capacity(n);
    let mut draft_t = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (s, d, _) = c
            .call(reqwest::Method::POST, "/api/invoicing/invoices/", Some(body.clone()))
            .await;
        draft_t.push(t.elapsed());
        assert_eq!(s, 201, "{d}");
        drafts.push(d["id"].as_str().unwrap().to_owned());
    }
    report("draft (10 lines):", &mut draft_t);
    let mut issue_t = Vec::with_capacity(n);
    for id in &drafts {
        let t = Instant::now();
        let (s, d, _) = c
            .call(
                reqwest::Method::POST,
                &format!("/api/invoicing/invoices/{id}/issue/"),
                None,
            )
            .await;
        issue_t.push(t.elapsed());
        assert_eq!(s, 200, "{d}");
    }
    report("issue:", &mut issue_t);
    let mut pay_t = Vec::with_capacity(n);
    for id in drafts.iter().take(n / 2) {
        let t = Instant::now();
        let (s, d, _) = c
            .call(
                reqwest::Method::POST,
                "/api/invoicing/payments/",
                Some(json!({"direction": "received",
                "contact": customer["id"], "date": "2026-06-10", "amount": "10800.00", "bank_account": acct("1020"),
                "allocations": [{"document": id}]})),
            )
            .await;
        pay_t.push(t.elapsed());
        assert_eq!(s, 201, "{d}");
    }
    report("payment (allocated):", &mut pay_t);
    // Reports as of a date read every event at its own date (issue 17, item 0): a tenth of the
    // payments voided later, then the ageing and the customer's statement as of before the voids.
    let (_, payments, _) = c
        .call(reqwest::Method::GET, "/api/invoicing/payments/?page_size=200", None)
        .await;
    for p in payments["results"].as_array().unwrap().iter().step_by(10) {
        let (s, d, _) = c
            .call(
                reqwest::Method::POST,
                &format!("/api/invoicing/payments/{}/void/", p["id"].as_str().unwrap()),
                Some(json!({"date": "2026-06-20"})),
            )
            .await;
        assert_eq!(s, 200, "{d}");
    }
    let reads = 50;
    for (name, path) in [
        (
            "ageing as of:",
            "/api/reports/aged-receivables/?as_of=2026-06-15".to_owned(),
        ),
        (
            "statement as of:",
            format!(
                "/api/sales/customers/{}/statement/?date_from=2026-06-01&date_to=2026-06-15",
                customer["id"].as_str().unwrap()
            ),
        ),
    ] {
        let mut t_all = Vec::with_capacity(reads);
        for _ in 0..reads {
            let t = Instant::now();
            let (s, d, _) = c.call(reqwest::Method::GET, &path, None).await;
            t_all.push(t.elapsed());
            assert_eq!(s, 200, "{d}");
        }
        report(name, &mut t_all);
    }
    println!("(ageing and statement over {n} invoices, {} payments)", n / 2);
    let mut pdf_t = Vec::with_capacity(n);
    let mut size = 0;
    for id in drafts.iter().take(n.min(200)) {
        let t = Instant::now();
        let (s, _, len) = c
            .call(
                reqwest::Method::GET,
                &format!("/api/invoicing/invoices/{id}/pdf/"),
                None,
            )
            .await;
        pdf_t.push(t.elapsed());
        assert_eq!(s, 200);
        size = len;
    }
    report("PDF over HTTP:", &mut pdf_t);
    println!("PDF size: {size} bytes (one page, ten lines)");
}

//! Ledger benchmark: starts the real server in-process on SQLite (or PostgreSQL with
//! `OASYS_BENCH_DATABASE_URL`), loads 1M journal lines in date order through the bulk API from
//! one client, 400k more in date order from two clients at once, 200k whose dates spread over two
//! years in every request, 100k in five-line entries, and times single posts, the trial balance
//! and general-ledger pages. Prints figures; asserts nothing. `cargo bench --bench storage_floor` prints what SQLite alone manages on the same rows.
//!
//! `cargo bench --bench ledger` (optionally `OASYS_BENCH_LINES=200000` for a shorter run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ms, percentile};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Issue 15's goal for bulk posting (its row is the dates-spread workload).
const BULK_GOAL: f64 = 100_000.0;
const ENTRIES_PER_BULK: usize = 10_000;

/// How a bulk run dates its entries.
#[derive(Clone, Copy)]
enum Dates {
    /// In order over `days` days from `first_day` days after 2024-01-01.
    InOrder { first_day: usize, days: usize },
    /// Entry `k` on day `k % 730`: every request covers two years.
    Spread,
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// Sends a body serialized beforehand: building the request is the client's work, not the
    /// server's, and is left out of the timings.
    async fn send_bytes(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let target_lines = common::target_lines();
    let server = common::start("bench-ledger-harbour-42").await;
    let backend = server.backend;
    let http = common::http();
    let client = Client {
        http,
        base: server.base.clone(),
        token: server.token.clone(),
    };
    let (_, chart) = client
        .send(
            reqwest::Method::GET,
            "/api/accounting/chart-of-accounts/?page_size=200",
            None,
        )
        .await;
    let id = |code: &str| common::account_id(&chart, code);
    let debit_accounts: Vec<String> = ["1010", "1020", "1100", "1200", "1300"].iter().map(|c| id(c)).collect();
    let credit_accounts: Vec<String> = ["2100", "2200", "4100", "4200", "4900"].iter().map(|c| id(c)).collect();
    let start = jiff::civil::date(2024, 1, 1);

    println!(
        "OASYS ledger benchmark ({backend}, {} CPUs)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Bulk, two lines per entry, each account gets a tenth of the lines. First a two-year
    // history in date order (how an import of past years arrives) from one client; then a third
    // year in date order from two clients, each sending while the other's request is written;
    // then entries whose dates spread over the first two years in every request (the worst case
    // for the date-ordered indexes: every request touches every day of every account).
    let entries_needed = target_lines / 2;
    let spread_entries = (entries_needed / 5).max(ENTRIES_PER_BULK);
    let third_year = (entries_needed * 2 / 5).max(ENTRIES_PER_BULK);
    let mut posted_lines = 0usize;
    for (label, count, dates, clients) in [
        (
            "in date order, 1 client:",
            entries_needed,
            Dates::InOrder {
                first_day: 0,
                days: 730,
            },
            1,
        ),
        (
            "in date order, 2 clients:",
            third_year,
            Dates::InOrder {
                first_day: 730,
                days: 365,
            },
            2,
        ),
        ("dates spread, 1 client:", spread_entries, Dates::Spread, 1),
    ] {
        let bodies: Vec<Vec<u8>> = (0..count)
            .step_by(ENTRIES_PER_BULK)
            .map(|i| {
                let entries: Vec<Value> = (i..(i + ENTRIES_PER_BULK).min(count))
                    .map(|k| {
                        let day = match dates {
                            Dates::InOrder { first_day, days } => first_day + k * days / count,
                            Dates::Spread => k % 730,
                        };
                        let date = start.checked_add(jiff::Span::new().days(day as i64)).unwrap();
                        common::two_line_entry(k, date, &debit_accounts, &credit_accounts)
                    })
                    .collect();
                serde_json::to_vec(&json!({ "entries": entries })).unwrap()
            })
            .collect();
        let queue = Arc::new(Mutex::new(bodies.into_iter()));
        let t = Instant::now();
        let senders: Vec<_> = (0..clients)
            .map(|_| {
                let (client, queue) = (client.clone(), Arc::clone(&queue));
                tokio::spawn(async move {
                    loop {
                        let Some(body) = queue.lock().unwrap().next() else {
                            break;
                        };
                        let (status, res) = client.send_bytes("/api/accounting/journal-entries/bulk/", body).await;
                        assert_eq!(status, 201, "{res}");
                    }
                })
            })
            .collect();
        for s in senders {
            s.await.unwrap();
        }
        let bulk_time = t.elapsed();
        posted_lines += 2 * count;
        let rate = (2 * count) as f64 / bulk_time.as_secs_f64();
        println!(
            "bulk API, {label:<26} {} lines in {:.1} s = {rate:.0} lines/s ({:.0} entries/s); {posted_lines} lines posted   goal ≥ {BULK_GOAL:.0} lines/s{}",
            2 * count,
            bulk_time.as_secs_f64(),
            count as f64 / bulk_time.as_secs_f64(),
            if rate >= BULK_GOAL { "  met" } else { "  NOT MET" }
        );
    }

    // Bulk again with five-line entries (a sale: receivable against three revenue lines and tax).
    let five_line_entries = 20_000usize;
    let mut five_time = Duration::ZERO;
    for chunk in 0..five_line_entries / ENTRIES_PER_BULK {
        let entries: Vec<Value> = (0..ENTRIES_PER_BULK)
            .map(|k| {
                let date = start
                    .checked_add(jiff::Span::new().days(((chunk * ENTRIES_PER_BULK + k) % 730) as i64))
                    .unwrap();
                json!({
                    "date": date.to_string(),
                    "reference": format!("F{chunk}-{k}"),
                    "lines": [
                        { "account": debit_accounts[2], "debit_amount": "116.00" },
                        { "account": credit_accounts[2], "credit_amount": "50.00" },
                        { "account": credit_accounts[3], "credit_amount": "30.00" },
                        { "account": credit_accounts[4], "credit_amount": "20.00" },
                        { "account": credit_accounts[1], "credit_amount": "16.00" },
                    ]
                })
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "entries": entries })).unwrap();
        let t = Instant::now();
        let (status, res) = client.send_bytes("/api/accounting/journal-entries/bulk/", body).await;
        five_time += t.elapsed();
        assert_eq!(status, 201, "{res}");
    }
    println!(
        "bulk API, 5 lines:   {} lines in {:.1} s = {:.0} lines/s ({:.0} entries/s)",
        five_line_entries * 5,
        five_time.as_secs_f64(),
        (five_line_entries * 5) as f64 / five_time.as_secs_f64(),
        five_line_entries as f64 / five_time.as_secs_f64()
    );
    posted_lines += five_line_entries * 5;

    // Trial balance over everything posted.
    let mut tb = Vec::new();
    let mut tb_body = Value::Null;
    for _ in 0..200 {
        let t = Instant::now();
        let (status, body) = client
            .send(
                reqwest::Method::GET,
                "/api/reports/trial-balance/?as_of=2030-12-31",
                None,
            )
            .await;
        tb.push(t.elapsed());
        assert_eq!(status, 200);
        tb_body = body;
    }
    assert_eq!(tb_body["totals"]["debit"], tb_body["totals"]["credit"]);
    println!(
        "trial balance:       {} lines, p50 {:.2} ms, p99 {:.2} ms (HTTP round trip)",
        posted_lines,
        ms(percentile(&mut tb.clone(), 0.5)),
        ms(percentile(&mut tb, 0.99))
    );

    // General ledger of one account (a tenth of all lines): first page and a deep page.
    let account = &debit_accounts[0];
    let per_account = posted_lines / 10;
    for (label, page) in [("first page", 1usize), ("middle page", per_account / 40)] {
        let mut samples = Vec::new();
        for _ in 0..30 {
            let path = format!(
                "/api/reports/general-ledger/?account={account}&date_from=2024-01-01&date_to=2030-12-31&page_size=20&page={page}"
            );
            let t = Instant::now();
            let (status, body) = client.send(reqwest::Method::GET, &path, None).await;
            samples.push(t.elapsed());
            assert_eq!(status, 200, "{body}");
        }
        println!(
            "general ledger:      account with {per_account} lines, {label}: p50 {:.2} ms, p99 {:.2} ms",
            ms(percentile(&mut samples.clone(), 0.5)),
            ms(percentile(&mut samples, 0.99))
        );
    }

    // Single posts: create a draft, then post it, one client, sequential.
    let (mut create, mut post) = (Vec::new(), Vec::new());
    let t0 = Instant::now();
    let singles = 500;
    for k in 0..singles {
        let body = json!({
            "date": "2026-06-30", "reference": format!("S{k}"), "description": "single",
            "lines": [
                { "account": debit_accounts[1], "debit_amount": "10.00" },
                { "account": credit_accounts[2], "credit_amount": "10.00" },
            ]
        });
        let t = Instant::now();
        let (status, draft) = client
            .send(reqwest::Method::POST, "/api/accounting/journal-entries/", Some(&body))
            .await;
        create.push(t.elapsed());
        assert_eq!(status, 201, "{draft}");
        let path = format!(
            "/api/accounting/journal-entries/{}/post/",
            draft["id"].as_str().unwrap()
        );
        let t = Instant::now();
        let (status, res) = client.send(reqwest::Method::POST, &path, None).await;
        post.push(t.elapsed());
        assert_eq!(status, 200, "{res}");
    }
    let elapsed = t0.elapsed();
    println!(
        "single POST create:  p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&mut create.clone(), 0.5)),
        ms(percentile(&mut create, 0.99))
    );
    println!(
        "single POST post:    p50 {:.2} ms, p99 {:.2} ms; {:.0} entries drafted+posted/s (one client)",
        ms(percentile(&mut post.clone(), 0.5)),
        ms(percentile(&mut post, 0.99)),
        singles as f64 / elapsed.as_secs_f64()
    );
}

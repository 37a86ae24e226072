//! The financial statements on a large ledger: loads 1M journal lines (500k two-line entries
//! over three years, 20 accounts of every type) through the bulk API into the in-process server,
//! then times the balance sheet, a 12-month P&L with comparison (previous year, and month by
//! month for the dashboard), the P&L against a budget (made by copying 2025's actuals + 5 %,
//! itself timed once), the P&L's XLSX and PDF exports, the cash flow and the equity changes over HTTP. Prints the median
//! and p95 of each next to its goal (issue 17); asserts nothing.
//!
//! `cargo bench --bench financial` (`OASYS_BENCH_LINES=200000` for a shorter run,
//! `OASYS_BENCH_DATABASE_URL` for PostgreSQL). Under `cargo test --all-targets` it loads 20k lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ENTRIES_PER_BULK: usize = 10_000;
const RUNS: usize = 30;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let lines = if full || std::env::var_os("OASYS_BENCH_LINES").is_some() {
        common::target_lines()
    } else {
        20_000
    };
    let entries = lines / 2;
    let server = common::start("bench-statements-harbour-42").await;
    let http = common::http();
    let chart = common::chart(&server.base, &server.token).await;
    let id = |code: &str| common::account_id(&chart, code);
    // Debits on assets and expenses, credits on liabilities, equity and revenue: every section
    // of every statement has figures, and the cash accounts move.
    let debit: Vec<String> = [
        "1020", "1100", "1510", "6100", "5000", "1010", "1200", "6200", "6300", "3300",
    ]
    .iter()
    .map(|c| id(c))
    .collect();
    let credit: Vec<String> = [
        "4100", "2100", "2500", "4200", "1020", "3100", "2200", "4900", "1100", "1010",
    ]
    .iter()
    .map(|c| id(c))
    .collect();
    let start = jiff::civil::date(2024, 1, 1);
    let t = Instant::now();
    for i in (0..entries).step_by(ENTRIES_PER_BULK) {
        let batch: Vec<Value> = (i..(i + ENTRIES_PER_BULK).min(entries))
            .map(|k| {
                let date = start
                    .checked_add(jiff::Span::new().days((k * 1096 / entries) as i64))
                    .unwrap();
                let amount = format!("{}.{:02}", 1 + k % 997, k % 100);
                json!({
                    "date": date.to_string(), "reference": format!("B{k}"), "description": "bench",
                    "lines": [
                        { "account": debit[k % 10], "debit_amount": amount },
                        { "account": credit[(k / 10) % 10], "credit_amount": amount },
                    ]
                })
            })
            .collect();
        let res = http
            .post(format!("{}/api/accounting/journal-entries/bulk/", server.base))
            .bearer_auth(&server.token)
            .json(&json!({ "entries": batch }))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert_eq!(status, 201, "{}", res.text().await.unwrap());
    }
    println!(
        "OASYS financial statements benchmark ({}, {} lines over three years loaded in {:.1} s)",
        server.backend,
        2 * entries,
        t.elapsed().as_secs_f64()
    );
    // A budget for 2026: last year's actuals + 5 %, from the maintained balances.
    let res = http
        .post(format!("{}/api/accounting/budgets/", server.base))
        .bearer_auth(&server.token)
        .json(&json!({ "name": "Bench", "fiscal_year": 2026 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let budget: Value = res.json().await.unwrap();
    let budget = budget["id"].as_str().unwrap().to_owned();
    let t = Instant::now();
    let res = http
        .post(format!("{}/api/accounting/budgets/{budget}/copy-actuals/", server.base))
        .bearer_auth(&server.token)
        .json(&json!({ "percent": "5" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    println!(
        "{:<36} {:>7.1} ms (once)",
        "budget copied from 2025 + 5 %",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let vs = format!("profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&budget={budget}");
    let by_month = format!("{vs}&compare=months");
    let vs_xlsx = format!("{vs}&format=xlsx");
    let budgeted: [(&str, &str, f64); 3] = [
        ("12-month P&L vs budget", vs.as_str(), 50.0),
        ("12-month P&L by month vs budget", by_month.as_str(), 50.0),
        ("12-month P&L vs budget, XLSX", vs_xlsx.as_str(), 200.0),
    ];
    let cases: [(&str, &str, f64); 9] = [
        (
            "balance sheet as of 2026-12-31",
            "balance-sheet/?as_of=2026-12-31",
            20.0,
        ),
        (
            "balance sheet + previous year",
            "balance-sheet/?as_of=2026-12-31&compare=previous_year",
            40.0,
        ),
        (
            "12-month P&L + previous year",
            "profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=previous_year",
            50.0,
        ),
        (
            "12-month P&L by month (dashboard)",
            "profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=months",
            50.0,
        ),
        (
            "12-month P&L + previous year, XLSX",
            "profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=previous_year&format=xlsx",
            200.0,
        ),
        (
            "12-month P&L by month, XLSX",
            "profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=months&format=xlsx",
            200.0,
        ),
        (
            "12-month P&L + previous year, PDF",
            "profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=previous_year&format=pdf",
            200.0,
        ),
        (
            "cash flow 2026",
            "cash-flow/?date_from=2026-01-01&date_to=2026-12-31",
            50.0,
        ),
        (
            "equity changes 2026",
            "equity-changes/?date_from=2026-01-01&date_to=2026-12-31",
            50.0,
        ),
    ];
    for (name, query, goal) in cases.into_iter().chain(budgeted) {
        let url = format!("{}/api/reports/{query}", server.base);
        let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let s = Instant::now();
            let res = http.get(&url).bearer_auth(&server.token).send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.bytes().await.unwrap();
            samples.push(s.elapsed());
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        }
        let p50 = common::ms(common::percentile(&mut samples, 0.5));
        let p95 = common::ms(common::percentile(&mut samples, 0.95));
        println!(
            "{name:<36} p50 {p50:>7.1} ms   p95 {p95:>7.1} ms   goal ≤ {goal:.0} ms{}",
            if p50 <= goal { "  met" } else { "  NOT MET" }
        );
    }
}

//! PDF benchmark: renders a typical one-page invoice (10 lines, PNG logo, tax summary, notes) many
//! times with `oasys::pdf::render` and prints renders/s, p50/p99 milliseconds per render and the
//! size of the PDF. Asserts nothing; the target is at most 50 ms per one-page invoice.
//!
//! `cargo bench --bench pdf` (optionally `OASYS_BENCH_RENDERS=2000`; 20 renders under `cargo test`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use jiff::civil::date;
use oasys::pdf::{Company, Document, DocumentKind, Line, Recipient, Statement, TaxRow, Template, Totals, render};
use rust_decimal::Decimal;

const LOGO_PNG: &[u8] = include_bytes!("../src/pdf/testdata/logo.png");

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn invoice() -> Document {
    let lines: Vec<Line> = (0..10)
        .map(|i| Line {
            description: format!("Monthly bookkeeping, {} transactions reconciled and filed", 40 + i * 7),
            quantity: Decimal::new(10 + i, 0),
            unit_price: 4550,
            discount_percent: (i % 4 == 0).then(|| Decimal::new(5, 0)),
            tax_label: "VAT 20%".into(),
            amount: 4550 * (10 + i),
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let tax = subtotal / 5;
    Document {
        kind: DocumentKind::Invoice,
        company: Company {
            name: "Acme Bookkeeping Ltd".into(),
            address: vec!["1 Ledger Lane".into(), "London EC1A 1AA".into()],
            tax_id: Some("GB123456789".into()),
            email: Some("billing@acme.example".into()),
            phone: Some("+44 20 7946 0000".into()),
            logo: Some(LOGO_PNG.to_vec()),
        },
        recipient: Recipient {
            name: "Northwind Traders".into(),
            address: vec!["2 Harbour Road".into(), "Bristol BS1 4ST".into()],
            tax_id: None,
        },
        number: "INV-2026-0042".into(),
        issue_date: date(2026, 11, 24),
        due_date: Some(date(2026, 12, 24)),
        reference: None,
        currency: "GBP".into(),
        tax_summary: vec![TaxRow {
            label: "VAT 20%".into(),
            base: subtotal,
            tax,
        }],
        totals: Totals {
            subtotal,
            tax,
            total: subtotal + tax,
            paid: 0,
            balance_due: subtotal + tax,
        },
        lines,
        notes: Some("Thank you for your business.".into()),
        payment_instructions: Some("Sort code 00-00-00, account 12345678, reference INV-2026-0042.".into()),
        statement: Statement::default(),
        report: Default::default(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` (CI) runs this too, without it,
    // and a short run is enough there to prove the benchmark still works.
    let full = std::env::args().any(|a| a == "--bench");
    let renders: usize = std::env::var("OASYS_BENCH_RENDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 500 } else { 20 });
    let doc = invoice();
    let template = Template::default();

    let first = Instant::now();
    let pdf = render(&doc, &template).unwrap();
    let first = first.elapsed();
    for _ in 0..10 {
        render(&doc, &template).unwrap();
    }

    let mut samples = Vec::with_capacity(renders);
    let all = Instant::now();
    for _ in 0..renders {
        let t = Instant::now();
        let bytes = render(&doc, &template).unwrap();
        samples.push(t.elapsed());
        std::hint::black_box(bytes);
    }
    let total = all.elapsed();

    println!("one-page invoice (10 lines, PNG logo), {renders} renders on one thread");
    println!("  first render (fonts parsed): {:.2} ms", ms(first));
    println!("  renders/s: {:.0}", renders as f64 / total.as_secs_f64());
    println!("  p50: {:.2} ms", ms(percentile(&mut samples, 0.50)));
    println!("  p99: {:.2} ms", ms(percentile(&mut samples, 0.99)));
    println!("  size: {} bytes", pdf.len());
}

//! Capture (issue 18): precision and recall per field over 200 generated bill and receipt layouts
//! (`tests/receipts`), each rendered as a PDF and read back, first cold and then learning each
//! vendor's layout from the drafts accepted before it; and the time to read one document.
//!
//! `cargo bench --bench capture` (`OASYS_BENCH_SEED` to change the seed, `OASYS_BENCH_DOCS` the
//! count). Prints figures; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/receipts/mod.rs"]
mod receipts;

use std::time::Instant;

use oasys::domain::capture::{self, Context, DateOrder};

fn main() {
    let seed: u64 = std::env::var("OASYS_BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(18);
    let n: usize = std::env::var("OASYS_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let (cold, warm, _) = receipts::evaluate(seed, n);
    receipts::print_scores(&format!("capture: {n} generated layouts (seed {seed}), cold"), &cold);
    receipts::print_scores(
        "capture: the same, each vendor's layout learned from the drafts accepted before",
        &warm,
    );

    let vendors = receipts::vendors(seed, 40);
    let contacts = receipts::known_vendors(&vendors);
    let texts: Vec<String> = receipts::receipts(seed, n, &vendors)
        .iter()
        .map(|r| receipts::pdf_text(&receipts::pdf(r)))
        .collect();
    let ctx = Context {
        vendors: &contacts,
        layouts: &[],
        company_currency: "EUR",
        date_order: DateOrder::DayFirst,
    };
    let started = Instant::now();
    let mut fields = 0;
    for text in &texts {
        fields += capture::read(text, &ctx).lines.len();
    }
    let per_doc = started.elapsed() / u32::try_from(texts.len().max(1)).unwrap();
    println!(
        "capture: read one document's text in {per_doc:?} on average ({} documents, {fields} lines)",
        texts.len()
    );
}

//! Capture over generated documents (issue 18): a receipt PDF generated here becomes a draft bill
//! with the right vendor, date and totals; the 200 varied layouts are read and precision and recall
//! per field printed (no threshold: the figures are for reading, `benches/capture.rs` prints them too).
//!
//! The PDFs are read back with lopdf's text extraction (the `extract` branch's reader replaces it
//! where this runs through the server, in `tests/api/capture.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod receipts;

use jiff::civil::date;
use oasys::domain::capture::{self, Context, DateOrder};
use receipts::done_when_receipt;

#[test]
fn a_generated_receipt_pdf_becomes_a_draft_with_the_right_vendor_date_and_totals() {
    let (vendor, receipt) = done_when_receipt();
    let text = receipts::pdf_text(&receipts::pdf(&receipt));
    let contacts = receipts::known_vendors(std::slice::from_ref(&vendor));
    let ctx = Context {
        vendors: &contacts,
        layouts: &[],
        company_currency: "EUR",
        date_order: DateOrder::DayFirst,
    };
    let draft = capture::read(&text, &ctx);
    let v = draft.vendor.as_ref().unwrap();
    assert_eq!(v.value.contact_id, Some(receipts::vendor_id(0)), "{text}");
    assert!(v.confidence >= 95);
    assert_eq!(draft.date.as_ref().unwrap().value, date(2026, 11, 3));
    assert_eq!(draft.due_date.as_ref().unwrap().value, date(2026, 11, 17));
    assert_eq!(draft.number.as_ref().unwrap().value, "R-2026-0117");
    assert_eq!(draft.currency.as_ref().unwrap().value, "EUR");
    assert_eq!(draft.net.as_ref().unwrap().value, 121_375);
    assert_eq!(draft.tax.as_ref().unwrap().value, 23_061);
    assert_eq!(draft.gross.as_ref().unwrap().value, 144_436);
    assert!(
        draft.gross.as_ref().unwrap().confidence >= 95,
        "totals that add up are sure"
    );
    let amounts: Vec<i64> = draft.lines.iter().map(|l| l.value.amount).collect();
    assert_eq!(amounts, [12_475, 108_900]);
    // Each span points at the value's own text.
    let g = draft.gross.unwrap().span.unwrap();
    assert_eq!(&text[g.start..g.end], "1.444,36");
}

#[test]
fn the_200_generated_layouts_are_read_and_scored_per_field() {
    let (cold, warm, misses) = receipts::evaluate(18, 200);
    receipts::print_scores("capture over 200 generated layouts, cold (no learned layouts):", &cold);
    receipts::print_scores(
        "the same, learning each vendor's layout from every accepted draft before it:",
        &warm,
    );
    for (i, text) in misses.iter().take(3) {
        println!("--- number missed in #{i}:\n{text}");
    }
    // Every document was printed with a total; the set must exercise the reader, not be empty.
    assert_eq!(cold[7].relevant, 200);
}

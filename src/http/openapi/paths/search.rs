//! The search across a firm's records (`src/search`).

use super::super::ops::Access::Firm;
use super::super::ops::Kind::{Date, Id, Int, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::search::ResultsDto;

pub fn search() -> Vec<Op> {
    tagged(
        "Search",
        Firm,
        [op("GET /api/search/", "search", "Search the firm's records and documents")
            .about(
                "Contacts, invoices, credit notes, bills, vendor credits, journal entries, bank lines, items and kept \
                 documents (their extracted text), in every company the caller may see, within what their role may view \
                 (entries and bank lines: the ledger; the rest: documents). Words may carry typos (one from 4 letters, \
                 two from 8); the last word is a prefix unless a space follows it. `q`: at most 200 characters, at \
                 most 8 words; no words finds nothing. `kind`: kinds separated by commas (`contact`, `invoice`, \
                 `credit_note`, `bill`, `vendor_credit`, `entry`, `bank_line`, `item`, `document`). `amount_min`, \
                 `amount_max`: the absolute amount in minor units. `company`: one company (another firm's, or one the \
                 caller may not see, is a 404). Hits are grouped by kind, each group with its count over every match; \
                 snippets and titles carry their highlighted byte ranges. `page_size` at most 50 (default 20).",
            )
            .query("q", Text, false)
            .query("kind", Text, false)
            .query("company", Id, false)
            .query("contact", Id, false)
            .query("date_from", Date, false)
            .query("date_to", Date, false)
            .query("amount_min", Int, false)
            .query("amount_max", Int, false)
            .query("page", Int, false)
            .query("page_size", Int, false)
            .or(404, "A company not found")
            .ok(shape::<ResultsDto>())],
    )
}

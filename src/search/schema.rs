//! The index's fields and tokenizer, and a record as a Tantivy document.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};
use tantivy::{Index, TantivyDocument};

use crate::store::search::Record;

/// The name the text fields' analyzer is registered under.
pub const TOKENIZER: &str = "oasys";

/// Bumped when the schema or the analyzer changes: an index of another version is rebuilt.
pub const VERSION: &str = "1";

/// The kinds a search covers, in the order results are grouped when scores tie; the position
/// is the `kind` field's value.
pub const KINDS: [&str; 9] = [
    "contact",
    "invoice",
    "credit_note",
    "bill",
    "vendor_credit",
    "entry",
    "bank_line",
    "item",
    "document",
];

pub fn kind_code(kind: &str) -> Option<u64> {
    KINDS.iter().position(|k| *k == kind).map(|p| p as u64)
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub company: Field,
    pub contact: Field,
    /// `YYYYMMDD` as a number, for ranges.
    pub date: Field,
    /// The absolute amount in minor units, for ranges.
    pub amount: Field,
    /// The signed amount, shown.
    pub shown_amount: Field,
    pub currency: Field,
    pub title: Field,
    pub subtitle: Field,
    pub body: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        kind: b.add_u64_field("kind", INDEXED | FAST | STORED),
        id: b.add_text_field("id", STRING | STORED),
        company: b.add_text_field("company", STRING | STORED),
        contact: b.add_text_field("contact", STRING | STORED),
        date: b.add_i64_field("date", INDEXED | FAST | STORED),
        amount: b.add_i64_field("amount", INDEXED | FAST),
        shown_amount: b.add_i64_field("shown_amount", STORED),
        currency: b.add_text_field("currency", STORED),
        title: b.add_text_field("title", text.clone()),
        subtitle: b.add_text_field("subtitle", text.clone()),
        body: b.add_text_field("body", text),
    };
    (b.build(), fields)
}

/// Words split on anything but letters and digits, at most 40 bytes, lowercased, accents
/// folded (`Müller` is found by `muller`). No stemming: typo tolerance is fuzzy matching.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn register(index: &Index) {
    index.tokenizers().register(TOKENIZER, analyzer());
}

/// `2026-03-01` → `20260301`.
pub fn date_number(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits: String = [&date[0..4], &date[5..7], &date[8..10]].concat();
    digits.parse().ok()
}

pub fn date_text(n: i64) -> String {
    format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
}

pub fn document(f: &Fields, r: &Record) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(f.kind, kind_code(r.kind).unwrap_or(0));
    d.add_text(f.id, r.id.hyphenated().to_string());
    d.add_text(f.company, r.company_id.hyphenated().to_string());
    if let Some(c) = r.contact_id {
        d.add_text(f.contact, c.hyphenated().to_string());
    }
    if let Some(n) = r.date.as_deref().and_then(date_number) {
        d.add_i64(f.date, n);
    }
    if let Some(a) = r.amount {
        d.add_i64(f.amount, a.saturating_abs());
        d.add_i64(f.shown_amount, a);
    }
    if let Some(c) = &r.currency {
        d.add_text(f.currency, c);
    }
    d.add_text(f.title, &r.title);
    d.add_text(f.subtitle, &r.subtitle);
    d.add_text(f.body, &r.body);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_as_numbers() {
        assert_eq!(date_number("2026-03-01"), Some(20_260_301));
        assert_eq!(date_number("2026-03-01T10:00:00Z"), Some(20_260_301));
        assert_eq!(date_number("March"), None);
        assert_eq!(date_text(20_260_301), "2026-03-01");
    }
}

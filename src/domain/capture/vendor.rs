//! Who a document is from and in which currency: the vendor by the tax id, then the IBAN,
//! printed on it, else by the name most like a line near the top; the currency by the codes and
//! symbols the text names.

use std::collections::BTreeMap;

use super::labels::LABELS;
use super::text::{Line, Token};
use super::{Context, Field, Span, VendorMatch};
use crate::domain::banking::matching::text as names;

/// ISO codes capture recognises in a text, and the symbols it reads as one.
const CURRENCIES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "CAD", "AUD", "JPY", "NZD",
];

/// The currency the text names most often (codes before symbols), else the company's.
pub(super) fn currency(text: &str, company: &str) -> Field<String> {
    let mut counts: BTreeMap<&str, (u32, usize, usize, bool)> = BTreeMap::new();
    let mut pos = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let start = pos;
        pos += word.len();
        let w = word.trim();
        let core = w.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '€' | '$' | '£'));
        let code = if core.len() >= 3 {
            CURRENCIES
                .iter()
                .copied()
                .find(|c| core.starts_with(c) || core.ends_with(c))
                .filter(|c| {
                    core.len() == 3
                        || core
                            .trim_start_matches(c)
                            .trim_end_matches(c)
                            .bytes()
                            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b','))
                })
        } else {
            None
        };
        let (found, is_code) = match code {
            Some(c) => (Some(c), true),
            None if w.contains('€') => (Some("EUR"), false),
            None if w.contains('£') => (Some("GBP"), false),
            None if w.contains('$') => (Some("USD"), false),
            None => (None, false),
        };
        if let Some(c) = found {
            let offset = start + word.find(w.chars().next().unwrap_or(' ')).unwrap_or(0);
            let e = counts.entry(c).or_insert((0, offset, offset + w.len(), is_code));
            e.0 += if is_code { 2 } else { 1 };
        }
    }
    match counts.iter().max_by_key(|(_, v)| v.0) {
        Some((code, &(_, start, end, is_code))) => {
            let sure = counts.len() == 1;
            let c = match (is_code, sure) {
                (true, true) => 95,
                (false, true) => 85,
                _ => 70,
            };
            Field::new((*code).to_owned(), c, Some(Span { start, end }))
        }
        None => Field::new(company.to_owned(), 40, None),
    }
}

/// Letters and digits only, upper case, with each one's byte offset in the text.
fn normalized(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
            at.push(i);
        }
    }
    (out, at)
}

/// The vendor: the contact whose tax id, then IBAN, is printed; else the one whose name is most
/// like a line near the top; else the first line that reads like a name, matched to no contact.
pub(super) fn vendor(text: &str, lines: &[Line], ctx: &Context<'_>) -> Field<VendorMatch> {
    let (norm, at) = normalized(text);
    let find = |id: &str| -> Option<Span> {
        let (key, _) = normalized(id);
        if key.len() < 6 {
            return None;
        }
        let pos = norm.find(&key)?;
        let start = *at.get(pos)?;
        let end = at.get(pos + key.len() - 1).map(|&e| e + 1)?;
        Some(Span { start, end })
    };
    for v in ctx.vendors {
        if let Some(span) = find(&v.tax_id) {
            return Field::new(
                VendorMatch {
                    contact_id: Some(v.id),
                    name: v.name.clone(),
                },
                98,
                Some(span),
            );
        }
    }
    for v in ctx.vendors {
        if let Some(span) = v.ibans.iter().find_map(|iban| find(iban)) {
            return Field::new(
                VendorMatch {
                    contact_id: Some(v.id),
                    name: v.name.clone(),
                },
                96,
                Some(span),
            );
        }
    }
    let top: Vec<&Line> = lines.iter().filter(|l| !l.text.trim().is_empty()).take(12).collect();
    let line_words: Vec<Vec<String>> = top.iter().map(|l| names::name_words(&l.text)).collect();
    let line_grams: Vec<Vec<u32>> = line_words.iter().map(|w| names::trigrams(w)).collect();
    let mut best: Option<(u32, usize, usize)> = None;
    for (vi, v) in ctx.vendors.iter().enumerate() {
        let words = names::name_words(&v.name);
        let grams = names::trigrams(&words);
        for (li, lg) in line_grams.iter().enumerate() {
            // Every word of the vendor's name must be on the line (spelled alike), so a shared
            // trade word ("Catering") alone matches nobody.
            let all_words = words.iter().all(|w| {
                let wg = names::trigrams(std::slice::from_ref(w));
                line_words[li]
                    .iter()
                    .any(|lw| names::similarity(&wg, &names::trigrams(std::slice::from_ref(lw))) >= 70)
            });
            let s = if all_words { names::similarity(&grams, lg) } else { 0 };
            if best.is_none_or(|b| s > b.0) {
                best = Some((s, vi, li));
            }
        }
    }
    let line_span = |l: &Line| {
        let lead = l.text.len() - l.text.trim_start().len();
        Span {
            start: l.start + lead,
            end: l.start + l.text.trim_end().len(),
        }
    };
    if let Some((score, vi, li)) = best
        && score >= 60
    {
        let v = &ctx.vendors[vi];
        let c = u8::try_from(40 + score / 2).unwrap_or(90).min(90);
        return Field::new(
            VendorMatch {
                contact_id: Some(v.id),
                name: v.name.clone(),
            },
            c,
            Some(line_span(top[li])),
        );
    }
    let first = top.iter().find(|l| {
        let t = l.text.trim();
        t.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && !LABELS.iter().any(|(_, label)| l.folded.trim() == *label)
            && !l
                .words
                .iter()
                .any(|w| matches!(w.token, Token::Date { .. } | Token::Amount { decimal_mark: true, .. }))
    });
    match first {
        Some(l) => Field::new(
            VendorMatch {
                contact_id: None,
                name: l.text.trim().to_owned(),
            },
            30,
            Some(line_span(l)),
        ),
        None => Field::new(
            VendorMatch {
                contact_id: None,
                name: String::new(),
            },
            0,
            None,
        ),
    }
}

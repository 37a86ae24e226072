//! Scoring capture over the generated documents: precision and recall per field, cold and
//! learning each vendor's layout from the drafts accepted before.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::{GenVendor, Identity, Truth, pdf, pdf_text, receipts, vendors};

/// The company's contacts for the generated vendors it knows: name, tax id and IBAN.
pub fn known_vendors(vendors: &[GenVendor]) -> Vec<oasys::domain::capture::Vendor> {
    vendors
        .iter()
        .enumerate()
        .filter(|(_, v)| v.identity != Identity::Unknown)
        .map(|(i, v)| oasys::domain::capture::Vendor {
            id: vendor_id(i),
            name: v.name.clone(),
            tax_id: v.tax_id.clone(),
            ibans: vec![v.iban.clone()],
        })
        .collect()
}

pub fn vendor_id(i: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x00c0_ffee_0000 + i as u128)
}

/// Per field: documents where it was read (predicted), where it is printed (relevant), and read right.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub predicted: u32,
    pub relevant: u32,
    pub correct: u32,
}

impl Score {
    fn add(&mut self, predicted: bool, relevant: bool, correct: bool) {
        self.predicted += u32::from(predicted);
        self.relevant += u32::from(relevant);
        self.correct += u32::from(predicted && relevant && correct);
    }
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            f64::from(self.correct) / f64::from(self.predicted)
        }
    }
    pub fn recall(&self) -> f64 {
        if self.relevant == 0 {
            1.0
        } else {
            f64::from(self.correct) / f64::from(self.relevant)
        }
    }
}

pub const FIELDS: [&str; 10] = [
    "vendor",
    "date",
    "due_date",
    "number",
    "currency",
    "net",
    "tax",
    "gross",
    "tax_rates",
    "lines",
];

/// Scores one draft against its truth into `scores` (indexed as [`FIELDS`]).
pub fn score(draft: &oasys::domain::capture::Draft, truth: &Truth, scores: &mut [Score; 10]) {
    let contact = draft.vendor.as_ref().and_then(|f| f.value.contact_id);
    let want = truth.known.then(|| vendor_id(truth.vendor));
    scores[0].add(contact.is_some(), want.is_some(), contact == want);
    let date = draft.date.as_ref().map(|f| f.value);
    scores[1].add(date.is_some(), true, date == Some(truth.date));
    let due = draft.due_date.as_ref().map(|f| f.value);
    scores[2].add(due.is_some(), truth.due_date.is_some(), due == truth.due_date);
    let number = draft.number.as_ref().map(|f| f.value.as_str());
    scores[3].add(number.is_some(), true, number == Some(truth.number.as_str()));
    // The currency is always printed with the total (code or symbol).
    let currency = draft
        .currency
        .as_ref()
        .filter(|f| f.span.is_some())
        .map(|f| f.value.as_str());
    scores[4].add(currency.is_some(), true, currency == Some(truth.currency));
    let net = draft.net.as_ref().map(|f| f.value);
    scores[5].add(net.is_some(), truth.net.is_some(), net == truth.net);
    let tax = draft.tax.as_ref().map(|f| f.value);
    scores[6].add(tax.is_some(), truth.tax.is_some(), tax == truth.tax);
    let gross = draft.gross.as_ref().map(|f| f.value);
    scores[7].add(gross.is_some(), true, gross == Some(truth.gross));
    let rates: Vec<(i64, i64)> = draft.taxes.iter().map(|f| (f.value.rate_ppm, f.value.tax)).collect();
    let want_rates: Vec<(i64, i64)> = truth.rates.iter().map(|r| (r.0, r.2)).collect();
    let printed_rates = truth.rates.len() > 1 || !rates.is_empty();
    scores[8].add(
        !rates.is_empty(),
        printed_rates && !want_rates.is_empty(),
        rates == want_rates,
    );
    let lines: Vec<i64> = draft.lines.iter().map(|f| f.value.amount).collect();
    let want_lines: Vec<i64> = truth.lines.iter().map(|l| l.1).collect();
    scores[9].add(!lines.is_empty(), !want_lines.is_empty(), lines == want_lines);
}

/// Prints a table of precision and recall per field.
pub fn print_scores(title: &str, scores: &[Score; 10]) {
    println!("{title}");
    println!(
        "  {:<10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "field", "precision", "recall", "read", "printed", "right"
    );
    for (name, s) in FIELDS.iter().zip(scores) {
        println!(
            "  {:<10} {:>8.1}% {:>8.1}% {:>9} {:>9} {:>9}",
            name,
            100.0 * s.precision(),
            100.0 * s.recall(),
            s.predicted,
            s.relevant,
            s.correct
        );
    }
}

/// Reads every document (through its PDF) cold and then learning from each accepted truth;
/// returns both score tables.
pub fn evaluate(seed: u64, n: usize) -> ([Score; 10], [Score; 10], Vec<(usize, String)>) {
    use oasys::domain::capture::{self, Context, DateOrder, Layout, learn::Accepted};
    let vendors = vendors(seed, 40);
    let docs = receipts(seed, n, &vendors);
    let contacts = known_vendors(&vendors);
    let mut cold = [Score::default(); 10];
    let mut warm = [Score::default(); 10];
    let mut layouts: Vec<Layout> = Vec::new();
    let mut misses = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let text = pdf_text(&pdf(doc));
        let ctx = Context {
            vendors: &contacts,
            layouts: &[],
            company_currency: "EUR",
            date_order: DateOrder::DayFirst,
        };
        let draft = capture::read(&text, &ctx);
        score(&draft, &doc.truth, &mut cold);
        if std::env::var("CAPTURE_DEBUG").is_ok()
            && !doc.truth.known
            && draft.vendor.as_ref().and_then(|f| f.value.contact_id).is_some()
        {
            println!("unknown {} matched {:?}", vendors[doc.truth.vendor].name, draft.vendor);
        }
        if draft.number.as_ref().map(|f| f.value.as_str()) != Some(doc.truth.number.as_str())
            && !vendors[doc.truth.vendor].own_labels
        {
            misses.push((i, text.clone()));
        }
        let ctx = Context {
            layouts: &layouts,
            ..ctx
        };
        let draft = capture::read(&text, &ctx);
        score(&draft, &doc.truth, &mut warm);
        if doc.truth.known {
            let t = &doc.truth;
            let accepted = Accepted {
                contact_id: vendor_id(t.vendor),
                currency: t.currency.to_owned(),
                date: Some(t.date),
                due_date: t.due_date,
                number: Some(t.number.clone()),
                net: t.net,
                tax: t.tax,
                gross: Some(t.gross),
            };
            let learned = capture::learn(&text, &accepted, DateOrder::DayFirst);
            match layouts.iter_mut().find(|l| l.contact_id == learned.contact_id) {
                Some(l) => {
                    l.labels.extend(learned.labels);
                    l.labels.sort();
                    l.labels.dedup();
                }
                None => layouts.push(learned),
            }
        }
    }
    (cold, warm, misses)
}

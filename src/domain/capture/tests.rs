//! Unit tests of capture: amounts and dates as receipts print them, a German and a US receipt
//! read field by field, learning a vendor's own labels; proptests for the amount reader.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::learn::Accepted;
use super::text::{amount, numeric_date};
use super::*;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn amounts_in_european_and_us_notation() {
    assert_eq!(amount("1.234,56"), Some((dec("1234.56"), true)));
    assert_eq!(amount("1,234.56"), Some((dec("1234.56"), true)));
    assert_eq!(amount("1234,5"), Some((dec("1234.5"), true)));
    assert_eq!(amount("1'234.50"), Some((dec("1234.50"), true)));
    assert_eq!(amount("1.234"), Some((dec("1234"), false)));
    assert_eq!(amount("-12.00"), Some((dec("-12.00"), true)));
    assert_eq!(amount("EUR12.00"), Some((dec("12.00"), true)));
    assert_eq!(amount("12.3.2026"), None);
    assert_eq!(amount("INV-2026"), None);
    assert_eq!(amount("1,23,4"), None);
}

#[test]
fn dates_and_the_ambiguity_rule() {
    let day_first = DateOrder::DayFirst;
    assert_eq!(numeric_date("04.03.2026", day_first), Some((date(2026, 3, 4), false)));
    assert_eq!(
        numeric_date("2026-03-04", DateOrder::MonthFirst),
        Some((date(2026, 3, 4), false))
    );
    assert_eq!(numeric_date("04/03/2026", day_first), Some((date(2026, 3, 4), true)));
    assert_eq!(
        numeric_date("04/03/2026", DateOrder::MonthFirst),
        Some((date(2026, 4, 3), true))
    );
    assert_eq!(
        numeric_date("13/03/2026", DateOrder::MonthFirst),
        Some((date(2026, 3, 13), false))
    );
    assert_eq!(numeric_date("03/13/2026", day_first), Some((date(2026, 3, 13), false)));
    assert_eq!(numeric_date("05/05/26", day_first), Some((date(2026, 5, 5), false)));
    assert_eq!(numeric_date("31.02.2026", day_first), None);
}

fn vendors() -> Vec<Vendor> {
    vec![
        Vendor {
            id: Uuid::from_u128(1),
            name: "Bürobedarf Schmidt GmbH".into(),
            tax_id: "DE123456789".into(),
            ibans: vec![],
        },
        Vendor {
            id: Uuid::from_u128(2),
            name: "Acme Supplies Inc.".into(),
            tax_id: String::new(),
            ibans: vec!["US00ACME0000111122223333".into()],
        },
    ]
}

fn ctx<'a>(vendors: &'a [Vendor], layouts: &'a [Layout]) -> Context<'a> {
    Context {
        vendors,
        layouts,
        company_currency: "EUR",
        date_order: DateOrder::DayFirst,
    }
}

const GERMAN: &str = "Bürobedarf Schmidt GmbH\nHauptstr. 5, 10115 Berlin\nUSt-IdNr.: DE 123 456 789\n\
Rechnung Nr. R-2026-117\nDatum: 03.11.2026\nFällig am: 17.11.2026\n\
Druckerpapier A4 5x 24,95\nToner schwarz 89,00\nKugelschreiber 3,80\n\
Summe netto 117,75 EUR\nMwSt 19% 22,37 EUR\nGesamtbetrag 140,12 EUR\n";

#[test]
fn a_german_bill_is_read_field_by_field() {
    let v = vendors();
    let d = read(GERMAN, &ctx(&v, &[]));
    let vendor = d.vendor.as_ref().unwrap();
    assert_eq!(vendor.value.contact_id, Some(Uuid::from_u128(1)));
    assert!(vendor.confidence >= 95);
    assert_eq!(
        &GERMAN[vendor.span.unwrap().start..vendor.span.unwrap().end],
        "DE 123 456 789"
    );
    assert_eq!(d.date.as_ref().unwrap().value, date(2026, 11, 3));
    assert_eq!(d.due_date.as_ref().unwrap().value, date(2026, 11, 17));
    assert_eq!(d.number.as_ref().unwrap().value, "R-2026-117");
    assert_eq!(d.currency.as_ref().unwrap().value, "EUR");
    assert_eq!(d.net.as_ref().unwrap().value, 11_775);
    assert_eq!(d.tax.as_ref().unwrap().value, 2_237);
    assert_eq!(d.gross.as_ref().unwrap().value, 14_012);
    assert!(d.gross.as_ref().unwrap().confidence >= 97, "{d:?}");
    assert_eq!(d.taxes.len(), 1);
    assert_eq!(d.taxes[0].value.rate_ppm, 190_000);
    assert_eq!(d.lines.len(), 3, "{:?}", d.lines);
    assert_eq!(
        d.lines[1].value,
        DraftLine {
            description: "Toner schwarz".into(),
            amount: 8_900
        }
    );
    let g = d.gross.unwrap().span.unwrap();
    assert_eq!(&GERMAN[g.start..g.end], "140,12");
}

const US: &str = "ACME SUPPLIES INC\n12 Main Street, Springfield\nInvoice # 4471\nInvoice Date: 03/04/2026\n\
Due Date: April 30, 2026\nSubtotal $1,200.00\nSales Tax 7.5% $90.00\nTotal Due $1,290.00\n\
Pay to IBAN US00 ACME 0000 1111 2222 3333\n";

#[test]
fn a_us_invoice_reads_month_first_and_finds_the_vendor_by_iban() {
    let v = vendors();
    let d = read(US, &ctx(&v, &[]));
    assert_eq!(d.vendor.as_ref().unwrap().value.contact_id, Some(Uuid::from_u128(2)));
    assert_eq!(d.currency.as_ref().unwrap().value, "USD");
    let dt = d.date.as_ref().unwrap();
    assert_eq!(dt.value, date(2026, 3, 4));
    assert!(dt.confidence < 85, "an ambiguous date is less sure");
    assert_eq!(d.due_date.as_ref().unwrap().value, date(2026, 4, 30));
    assert_eq!(d.number.as_ref().unwrap().value, "4471");
    assert_eq!(
        (d.net.unwrap().value, d.tax.unwrap().value, d.gross.unwrap().value),
        (120_000, 9_000, 129_000)
    );
    assert_eq!(d.taxes[0].value.rate_ppm, 75_000);
}

#[test]
fn an_unknown_vendor_is_the_first_name_line_and_unsure() {
    let d = read("Corner Bakery\nTotal 4.50\n", &ctx(&[], &[]));
    let v = d.vendor.unwrap();
    assert_eq!(
        v.value,
        VendorMatch {
            contact_id: None,
            name: "Corner Bakery".into()
        }
    );
    assert!(v.confidence <= 30);
    assert_eq!(d.gross.unwrap().value, 450);
    assert_eq!(d.currency.unwrap(), Field::new("EUR".to_owned(), 40, None));
}

#[test]
fn accepting_teaches_a_vendors_own_labels() {
    let text = "Bürobedarf Schmidt GmbH\nDE123456789\nBelegkennung Q-77\nAusgestellt 02.10.2026\n\
Warenwert 50,00\nSteueranteil 9,50\nEndsumme EUR 59,50\n";
    let v = vendors();
    let before = read(text, &ctx(&v, &[]));
    assert_ne!(before.number.as_ref().map(|f| f.value.as_str()), Some("Q-77"));
    let accepted = Accepted {
        contact_id: Uuid::from_u128(1),
        currency: "EUR".into(),
        date: Some(date(2026, 10, 2)),
        due_date: None,
        number: Some("Q-77".into()),
        net: Some(5_000),
        tax: Some(950),
        gross: Some(5_950),
    };
    let layout = learn(text, &accepted, DateOrder::DayFirst);
    assert!(
        layout.labels.contains(&LearnedLabel {
            field: FieldName::Gross,
            label: "endsumme eur".into()
        }) || layout.labels.contains(&LearnedLabel {
            field: FieldName::Gross,
            label: "endsumme".into()
        }),
        "{layout:?}"
    );
    let next = "Bürobedarf Schmidt GmbH\nDE123456789\nBelegkennung Q-78\nAusgestellt 09.10.2026\n\
Warenwert 100,00\nSteueranteil 19,00\nEndsumme EUR 119,00\n";
    let after = read(next, &ctx(&v, std::slice::from_ref(&layout)));
    assert_eq!(after.number.unwrap().value, "Q-78");
    assert_eq!(after.date.unwrap().value, date(2026, 10, 9));
    assert_eq!(after.net.as_ref().unwrap().value, 10_000);
    assert_eq!(after.tax.as_ref().unwrap().value, 1_900);
    let g = after.gross.unwrap();
    assert_eq!(g.value, 11_900);
    assert!(g.confidence >= 95);
}

/// How receipts write an amount of `minor` cents.
fn styles(minor: i64) -> Vec<String> {
    let whole = minor / 100;
    let cents = minor % 100;
    let grouped = |sep: char| {
        let s = whole.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    vec![
        format!("{whole}.{cents:02}"),
        format!("{whole},{cents:02}"),
        format!("{}.{cents:02}", grouped(',')),
        format!("{},{cents:02}", grouped('.')),
        format!("{}.{cents:02}", grouped('\'')),
    ]
}

proptest! {
    #[test]
    fn every_notation_reads_back_the_same_amount(minor in 0_i64..1_000_000_000_000) {
        for s in styles(minor) {
            let (value, mark) = amount(&s).unwrap();
            prop_assert!(mark);
            prop_assert_eq!(money::to_minor(value, 2).unwrap(), minor, "{}", s);
        }
    }

    #[test]
    fn the_reader_never_panics_and_spans_lie_in_the_text(text in "\\PC{0,300}") {
        let d = read(&text, &ctx(&[], &[]));
        for span in [d.date.and_then(|f| f.span), d.gross.and_then(|f| f.span), d.number.and_then(|f| f.span), d.vendor.and_then(|f| f.span)].into_iter().flatten() {
            prop_assert!(span.start <= span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
}

use crate::domain::money;

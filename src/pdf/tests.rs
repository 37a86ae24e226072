//! Render-level tests of the PDF module: the bytes are a PDF, its text reads back (with lopdf, as a
//! search indexer or a browser's viewer would), pages break where they should, and bad input is an
//! error, never a panic.

use super::*;
use crate::domain::money;

const LOGO_PNG: &[u8] = include_bytes!("testdata/logo.png");

/// The text of each page, extracted through the fonts' ToUnicode maps.
fn pages_text(pdf: &[u8]) -> Vec<String> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages.iter().map(|p| doc.extract_text(&[*p]).unwrap()).collect()
}

fn all_text(pdf: &[u8]) -> String {
    pages_text(pdf).join("\n")
}

fn d(y: i16, m: i8, day: i8) -> jiff::civil::Date {
    jiff::civil::date(y, m, day)
}

fn invoice(lines: usize) -> Document {
    let lines: Vec<Line> = (0..lines)
        .map(|i| Line {
            description: format!("Item {i}: consulting on the chart of accounts, {} hours", i % 7 + 1),
            quantity: Decimal::new(15, 1),
            unit_price: 8000,
            discount_percent: (i % 3 == 0).then(|| Decimal::new(10, 0)),
            tax_label: "VAT 20%".into(),
            amount: 10800 + i as i64,
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let tax = subtotal / 5;
    Document {
        kind: DocumentKind::Invoice,
        company: Company {
            name: "Acme Bookkeeping Ltd".into(),
            address: vec![
                "1 Ledger Lane".into(),
                "London EC1A 1AA".into(),
                "United Kingdom".into(),
            ],
            tax_id: Some("GB123456789".into()),
            email: Some("billing@acme.example".into()),
            phone: Some("+44 20 7946 0000".into()),
            logo: Some(LOGO_PNG.to_vec()),
        },
        recipient: Recipient {
            name: "Müller & Söhne GmbH".into(),
            address: vec!["Hauptstraße 5".into(), "10115 Berlin".into(), "Germany".into()],
            tax_id: Some("DE987654321".into()),
        },
        number: "INV-2026-0042".into(),
        issue_date: d(2026, 11, 24),
        due_date: Some(d(2026, 12, 24)),
        reference: Some("PO 7731".into()),
        currency: "EUR".into(),
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
        payment_instructions: Some("IBAN GB00 ACME 0000 0000 0000 00, reference INV-2026-0042.".into()),
        statement: Statement::default(),
        report: Report::default(),
    }
}

fn statement(rows: usize) -> Document {
    let rows: Vec<StatementRow> = (0..rows)
        .map(|i| StatementRow {
            date: d(2026, 10, 1 + (i % 28) as i8),
            document: format!("INV-{:04}", i),
            description: if i % 4 == 3 {
                "Payment, thank you".into()
            } else {
                "Invoice".into()
            },
            debit: if i % 4 == 3 { 0 } else { 12000 },
            credit: if i % 4 == 3 { 30000 } else { 0 },
        })
        .collect();
    Document {
        kind: DocumentKind::Statement,
        company: Company {
            name: "Acme Bookkeeping Ltd".into(),
            ..Default::default()
        },
        recipient: Recipient {
            name: "Northwind Traders".into(),
            address: vec!["2 Harbour Rd".into()],
            tax_id: None,
        },
        number: "ST-0007".into(),
        issue_date: d(2026, 10, 31),
        currency: "EUR".into(),
        statement: Statement {
            period_start: Some(d(2026, 10, 1)),
            opening_balance: 50000,
            rows,
            ageing: Ageing {
                current: 12000,
                days_1_30: 6000,
                days_31_60: 0,
                days_61_90: 0,
                over_90: 2500,
            },
        },
        ..Default::default()
    }
}

#[test]
fn a_one_page_invoice_shows_its_number_customer_and_total() {
    let doc = invoice(10);
    let pdf = render(&doc, &Template::default()).unwrap();
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 1);
    let text = &pages[0];
    let total = money::format(doc.totals.total, money::decimals("EUR"));
    for expected in [
        "INVOICE",
        "INV-2026-0042",
        "Müller & Söhne GmbH",
        total.as_str(),
        "Page 1 of 1",
        "Item 9:",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    for expected in [
        "2026-12-24",
        "PO 7731",
        "VAT 20%",
        "10%",
        "Tax summary",
        "IBAN GB00",
        "GB123456789",
    ] {
        assert!(text.contains(expected), "{expected:?} missing");
    }
    assert!(!text.contains("Amount paid"), "a zero payment is not shown");
    let raw = lopdf::Document::load_mem(&pdf).unwrap();
    let images = raw
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict
                .get(b"Subtype")
                .and_then(|v| v.as_name())
                .is_ok_and(|n| n == b"Image")
        })
        .count();
    assert!(images >= 1, "the logo is embedded");
}

#[test]
fn a_long_report_repeats_its_headings_and_names_the_report_on_every_page() {
    let rows: Vec<ReportRow> = (0..150)
        .map(|i| ReportRow {
            name: format!("Account {i:03}"),
            depth: i % 3,
            bold: i % 10 == 9,
            amounts: vec![Some(123_456 + i as i64), if i % 2 == 0 { None } else { Some(-5_000) }],
        })
        .collect();
    let doc = Document {
        kind: DocumentKind::Report,
        company: Company {
            name: "Acme Bookkeeping Ltd".into(),
            ..Default::default()
        },
        currency: "EUR".into(),
        report: Report {
            title: "Profit and loss".into(),
            period: "2026-01-01 – 2026-12-31".into(),
            headings: vec!["2026".into(), "2025".into()],
            rows,
        },
        ..Default::default()
    };
    let pages = pages_text(&render(&doc, &Template::default()).unwrap());
    assert!(pages.len() >= 3, "{} pages", pages.len());
    assert!(pages[0].contains("Profit and loss") && pages[0].contains("2026-01-01 – 2026-12-31"));
    assert!(
        !pages[0].contains("Bill to") && !pages[0].contains("Balance due"),
        "{}",
        pages[0]
    );
    for (i, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains("Profit and loss (continued)"),
            "running head on page {}",
            i + 1
        );
        assert!(page.contains("Acme Bookkeeping Ltd"), "company on page {}", i + 1);
        assert!(
            page.contains("2026") && page.contains("2025"),
            "headings on page {}",
            i + 1
        );
    }
    let all = pages.join("\n");
    for i in 0..150 {
        assert!(all.contains(&format!("Account {i:03}")), "row {i} is missing");
    }
    assert!(all.contains("1234.56") && all.contains("-50.00"), "the amounts: {all}");
}

#[test]
fn a_90_line_invoice_runs_to_three_pages_with_the_header_repeated() {
    let doc = invoice(90);
    let pdf = render(&doc, &Template::default()).unwrap();
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), 3, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of 3", i + 1)),
            "page {} lacks its number",
            i + 1
        );
        assert!(
            page.contains("Description") && page.contains("Amount"),
            "page {} lacks the table header",
            i + 1
        );
    }
    assert!(
        pages[1].contains("INVOICE INV-2026-0042 (continued)"),
        "running head on page 2"
    );
    let all = pages.join("\n");
    for i in 0..90 {
        assert!(all.contains(&format!("Item {i}:")), "line {i} is missing");
    }
    let total = money::format(doc.totals.total, 2);
    assert!(pages[2].contains(&total), "the total is on the last page");
    assert!(pages[2].contains("Thank you for your business."));
}

#[test]
fn a_statement_shows_balances_running_to_the_closing_balance_and_ageing() {
    let doc = statement(12);
    let pdf = render(&doc, &Template::default()).unwrap();
    let text = all_text(&pdf);
    // 50000 + 9 × 12000 − 3 × 30000 = 68000.
    assert_eq!(doc.statement.closing_balance(), Some(68000));
    for expected in [
        "STATEMENT",
        "ST-0007",
        "Northwind Traders",
        "Opening balance",
        "500.00",
        "Closing balance",
        "EUR 680.00",
        "2026-10-01 – 2026-10-31",
        "Over 90 days",
        "25.00",
        "Page 1 of 1",
        "INV-0011",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    // The running balance after the first row: 500.00 + 120.00.
    assert!(text.contains("620.00"));

    let long = render(&statement(150), &Template::default()).unwrap();
    let pages = pages_text(&long);
    assert!(pages.len() >= 3);
    let last = pages.len();
    assert!(pages[last - 1].contains(&format!("Page {last} of {last}")));
    for (i, page) in pages.iter().enumerate() {
        if page.contains("INV-0") {
            assert!(
                page.contains("Charges") && page.contains("Payments"),
                "page {} lacks the header",
                i + 1
            );
        }
    }
}

#[test]
fn a_credit_note_has_its_own_title_and_paid_amounts_show() {
    let mut doc = invoice(2);
    doc.kind = DocumentKind::CreditNote;
    doc.totals.paid = 100;
    doc.totals.balance_due = doc.totals.total - 100;
    let text = all_text(&render(&doc, &Template::default()).unwrap());
    assert!(text.contains("CREDIT NOTE"));
    assert!(!text.contains("INVOICE"));
    assert!(text.contains("Amount paid") && text.contains("1.00"));
}

#[test]
fn a_firm_template_translates_the_labels_and_formats() {
    let template = Template::from_toml(
        r##"
        accent_color = "#a00"
        paper = "Letter"
        date_format = "%d.%m.%Y"
        decimal_separator = ","
        thousands_separator = "."
        footer = "Acme Bookkeeping Ltd · Registered in England 0123456"
        [labels]
        invoice_title = "RECHNUNG"
        total = "Gesamtbetrag"
        page = "Seite {n} von {m}"
        "##,
    )
    .unwrap();
    let mut doc = invoice(3);
    doc.totals.total = 123456789;
    let pdf = render(&doc, &template).unwrap();
    let text = all_text(&pdf);
    for expected in [
        "RECHNUNG",
        "Gesamtbetrag",
        "Seite 1 von 1",
        "24.11.2026",
        "1.234.567,89",
        "Registered in England",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    assert!(!text.contains("INVOICE") && !text.contains("Page 1 of 1"));
    let raw = lopdf::Document::load_mem(&pdf).unwrap();
    let page = raw.get_pages().values().next().copied().unwrap();
    let media = raw
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let width = media[2].as_float().unwrap();
    assert!((width - 612.0).abs() < 0.01, "Letter paper, got width {width}");
}

#[test]
fn malformed_or_invalid_templates_are_errors() {
    assert!(matches!(
        Template::from_toml("[labels\ntotal = "),
        Err(PdfError::Template(_))
    ));
    assert!(matches!(
        Template::from_toml("show_logo = \"yes\""),
        Err(PdfError::Template(_))
    ));
    // A template built in code is checked again when rendering.
    let template = Template {
        accent_color: "not a colour".into(),
        ..Template::default()
    };
    assert!(matches!(render(&invoice(1), &template), Err(PdfError::Template(_))));
    let template = Template {
        date_format: "%Q".into(),
        ..Template::default()
    };
    assert!(matches!(render(&invoice(1), &template), Err(PdfError::Template(_))));
}

#[test]
fn a_bad_logo_is_an_error_unless_logos_are_off() {
    let mut doc = invoice(1);
    let truncated = LOGO_PNG[..LOGO_PNG.len() / 2].to_vec();
    let bad_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 1, 2, 3];
    for bad in [b"GIF89a not supported".to_vec(), Vec::new(), truncated, bad_jpeg] {
        doc.company.logo = Some(bad);
        assert!(
            matches!(render(&doc, &Template::default()), Err(PdfError::Logo(_))),
            "accepted a bad logo"
        );
    }
    let template = Template::from_toml("show_logo = false").unwrap();
    assert!(render(&doc, &template).is_ok(), "a logo that is not drawn is not read");
    doc.company.logo = None;
    assert!(render(&doc, &Template::default()).is_ok());
}

#[test]
fn a_long_unbreakable_word_wraps_without_panicking() {
    let mut doc = invoice(2);
    let word = "Supercalifragilistic".repeat(150);
    doc.lines[0].description = word.clone();
    doc.recipient.name = "X".repeat(400);
    doc.number = "N".repeat(120);
    doc.lines[1].tax_label = "T".repeat(90);
    doc.notes = Some("line\n".repeat(300));
    let pdf = render(&doc, &Template::default()).unwrap();
    let pages = pages_text(&pdf);
    let all: String = pages.concat().split_whitespace().collect();
    assert!(all.contains(&word), "the long word is drawn in full, across lines");
    let m = pages.len();
    assert!(m >= 2, "300 lines of notes continue on another page");
    assert!(pages[m - 1].contains(&format!("Page {m} of {m}")));
}

#[test]
fn empty_and_odd_documents_still_render() {
    let pdf = render(&Document::default(), &Template::default()).unwrap();
    assert!(all_text(&pdf).contains("Page 1 of 1"));
    let mut doc = invoice(1);
    doc.currency = "JPY".into();
    doc.totals.total = 5000;
    doc.lines[0].description = "控制字符\u{0}\u{1b}[31m and tabs\tand €".into();
    let text = all_text(&render(&doc, &Template::default()).unwrap());
    assert!(text.contains("JPY 5000"), "{text}");
    // A runaway footer is cut to six lines instead of eating the page.
    let long_footer = Template {
        footer: "small print\n".repeat(50),
        ..Template::default()
    };
    let pages = pages_text(&render(&invoice(3), &long_footer).unwrap());
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].matches("small print").count(), 6);
}

#[test]
fn statement_amounts_that_overflow_are_an_error() {
    let mut doc = statement(2);
    doc.statement.opening_balance = i64::MAX;
    assert!(matches!(render(&doc, &Template::default()), Err(PdfError::Document(_))));
}

#[test]
fn the_firm_payment_instructions_print_on_invoices_without_their_own() {
    let template =
        Template::from_toml("payment_instructions = \"IBAN GB00 TEST 1234\\nQuote the invoice number\"").unwrap();
    let mut doc = invoice(2);
    doc.payment_instructions = None;
    let text = all_text(&render(&doc, &template).unwrap());
    assert!(text.contains("IBAN GB00 TEST 1234"), "{text}");
    assert!(text.contains("Quote the invoice number"), "{text}");
    doc.payment_instructions = Some("Pay by card".into());
    let text = all_text(&render(&doc, &template).unwrap());
    assert!(
        text.contains("Pay by card") && !text.contains("IBAN GB00"),
        "the document's own win: {text}"
    );
    let mut statement = statement(2);
    statement.payment_instructions = None;
    let text = all_text(&render(&statement, &template).unwrap());
    assert!(
        !text.contains("IBAN GB00"),
        "statements carry no payment instructions: {text}"
    );
}

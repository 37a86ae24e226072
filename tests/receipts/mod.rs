//! Generated bills and receipts for capture (issue 18): a seeded, deterministic set of vendors and
//! varied layouts — label words in English, German and French, ISO, European, US and written-out
//! dates, decimal commas and points with thousands separators, totals first or last, one or two tax
//! rates or none, with or without lines, the vendor shown by tax id, IBAN or name only (or one the
//! company does not know), labels on the value's line or above it, and some vendors with labels of
//! their own that only learning can read — each with the values it was made from, rendered as a
//! one-page PDF (lopdf's writer, Helvetica, WinAnsi text) and read back.
//!
//! `score.rs` reads them and scores each field. Shared by `tests/capture.rs`, `tests/api` and `benches/capture.rs` (included by `#[path]`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::{Date, date};

mod score;
#[allow(unused_imports)]
pub use score::*;

/// xorshift64*: the same sequence for the same seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Fr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Iso,
    Dotted,
    SlashDayFirst,
    SlashMonthFirst,
    Written,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// 1,234.56
    Point,
    /// 1.234,56
    Comma,
    /// 1 234,56
    SpaceComma,
    /// 1234.56
    Plain,
}

/// How the vendor is shown, which decides how it can be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    TaxId,
    Iban,
    NameOnly,
    /// A vendor the company has no contact for.
    Unknown,
}

/// A vendor and its house style: every document it sends is laid out the same way.
#[derive(Debug, Clone)]
pub struct GenVendor {
    pub name: String,
    pub tax_id: String,
    pub iban: String,
    pub lang: Lang,
    pub currency: &'static str,
    pub dates: DateStyle,
    pub notation: Notation,
    pub identity: Identity,
    pub totals_first: bool,
    /// Labels above their values (two text objects per row).
    pub stacked: bool,
    /// Labels of its own (not in the built-in list): read only once learned.
    pub own_labels: bool,
    pub symbol: bool,
}

/// What a document says, in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub vendor: usize,
    pub known: bool,
    pub date: Date,
    pub due_date: Option<Date>,
    pub number: String,
    pub currency: &'static str,
    /// None on a receipt without tax.
    pub net: Option<i64>,
    pub tax: Option<i64>,
    pub gross: i64,
    /// (rate in ppm, base, tax)
    pub rates: Vec<(i64, i64, i64)>,
    pub lines: Vec<(String, i64)>,
}

/// One generated document: what it says and its printed rows (each row: text objects drawn at x).
#[derive(Debug, Clone)]
pub struct Receipt {
    pub truth: Truth,
    pub rows: Vec<Vec<(f32, String)>>,
}

const FIRST: &[&str] = &[
    "Nord",
    "Sonnen",
    "Berg",
    "Alpen",
    "Rhein",
    "Atlas",
    "Blue",
    "Silver",
    "Green",
    "Maple",
    "Lumière",
    "Soleil",
    "Müller",
    "Schröder",
    "Bäcker",
    "Dupont",
    "Martin",
    "Oak",
    "River",
    "Castle",
];
const TRADE: &[&str] = &[
    "Bürobedarf",
    "Logistik",
    "Papeterie",
    "Office Supply",
    "Catering",
    "Druckerei",
    "Informatique",
    "Hardware",
    "Tankstelle",
    "Boulangerie",
    "Consulting",
    "Software",
    "Reinigung",
    "Transports",
    "Electric",
];
const FORM: &[(Lang, &str)] = &[
    (Lang::De, "GmbH"),
    (Lang::De, "KG"),
    (Lang::De, "e.K."),
    (Lang::Fr, "SARL"),
    (Lang::Fr, "SAS"),
    (Lang::En, "Ltd"),
    (Lang::En, "Inc."),
    (Lang::En, "LLC"),
];

/// The company's vendors (and a few it does not know), each with its house style.
pub fn vendors(seed: u64, n: usize) -> Vec<GenVendor> {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut used = Vec::new();
    (0..n)
        .map(|i| {
            let lang = *rng.pick(&[Lang::En, Lang::De, Lang::Fr]);
            let form = FORM
                .iter()
                .filter(|(l, _)| *l == lang)
                .map(|(_, f)| *f)
                .collect::<Vec<_>>();
            // Two vendors never share a name but for the legal form (that would be one vendor).
            let name = loop {
                let (first, trade) = (rng.pick(FIRST), rng.pick(TRADE));
                if !used.contains(&(first, trade)) {
                    used.push((first, trade));
                    break format!("{first} {trade} {}", rng.pick(&form));
                }
            };
            let country = match lang {
                Lang::En => "GB",
                Lang::De => "DE",
                Lang::Fr => "FR",
            };
            let tax_id = format!("{country}{:09}", 100_000_000 + rng.below(900_000_000) + i as u64);
            let iban = format!(
                "{country}{:02}{:018}",
                10 + rng.below(89),
                rng.below(1_000_000_000_000_000_000)
            );
            let currency = match lang {
                Lang::En => *rng.pick(&["USD", "GBP", "EUR", "USD"]),
                Lang::De => *rng.pick(&["EUR", "EUR", "EUR", "CHF"]),
                Lang::Fr => "EUR",
            };
            let dates = match (lang, rng.below(3)) {
                (_, 0) => DateStyle::Written,
                (Lang::En, 1) if currency == "USD" => DateStyle::SlashMonthFirst,
                (Lang::En, 1) => DateStyle::Iso,
                (Lang::En, _) => DateStyle::SlashDayFirst,
                (Lang::De, _) => DateStyle::Dotted,
                (Lang::Fr, 1) => DateStyle::SlashDayFirst,
                (Lang::Fr, _) => DateStyle::Iso,
            };
            let notation = match lang {
                Lang::En => *rng.pick(&[Notation::Point, Notation::Plain]),
                Lang::De => *rng.pick(&[Notation::Comma, Notation::Comma, Notation::Plain]),
                Lang::Fr => *rng.pick(&[Notation::SpaceComma, Notation::Comma]),
            };
            let identity = *rng.pick(&[
                Identity::TaxId,
                Identity::TaxId,
                Identity::Iban,
                Identity::NameOnly,
                Identity::Unknown,
            ]);
            GenVendor {
                name,
                tax_id,
                iban,
                lang,
                currency,
                dates,
                notation,
                identity,
                totals_first: rng.chance(25),
                stacked: rng.chance(20),
                own_labels: rng.chance(15),
                symbol: rng.chance(40),
            }
        })
        .collect()
}

/// Labels per language: (net, tax, gross, date, due, number).
fn labels(lang: Lang, own: bool, rng: &mut Rng) -> [&'static str; 6] {
    if own {
        return match lang {
            Lang::En => ["Goods value", "Levy", "To settle", "Raised on", "Settle before", "Ref"],
            Lang::De => [
                "Warenwert",
                "Steueranteil",
                "Endsumme",
                "Ausgestellt",
                "Zahlungsziel",
                "Belegkennung",
            ],
            Lang::Fr => [
                "Valeur marchandise",
                "Part taxe",
                "Solde",
                "Emise le",
                "Regler avant",
                "Piece",
            ],
        };
    }
    match lang {
        Lang::En => [
            *rng.pick(&["Subtotal", "Net amount", "Total excl. VAT"]),
            *rng.pick(&["VAT", "Sales tax", "Tax"]),
            *rng.pick(&["Total", "Amount due", "Total due", "Grand total"]),
            *rng.pick(&["Date", "Invoice date", "Date:"]),
            *rng.pick(&["Due date", "Payment due", "Due by"]),
            *rng.pick(&["Invoice No.", "Invoice #", "Receipt No."]),
        ],
        Lang::De => [
            *rng.pick(&["Summe netto", "Nettobetrag", "Zwischensumme"]),
            *rng.pick(&["MwSt", "USt.", "Umsatzsteuer"]),
            *rng.pick(&["Gesamtbetrag", "Rechnungsbetrag", "Zu zahlen", "Gesamt"]),
            *rng.pick(&["Datum", "Rechnungsdatum", "Belegdatum"]),
            *rng.pick(&["Fällig am", "Zahlbar bis", "Fälligkeit"]),
            *rng.pick(&["Rechnung Nr.", "Rechnungsnummer", "Beleg-Nr."]),
        ],
        Lang::Fr => [
            *rng.pick(&["Total HT", "Montant HT", "Sous-total"]),
            *rng.pick(&["TVA", "Montant TVA"]),
            *rng.pick(&["Total TTC", "Net à payer", "Montant TTC"]),
            *rng.pick(&["Date", "Date de facture"]),
            *rng.pick(&["Échéance", "Date d'échéance"]),
            *rng.pick(&["Facture N°", "Numéro de facture"]),
        ],
    }
}

const MONTHS: [[&str; 12]; 3] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
];

pub fn format_date(d: Date, style: DateStyle, lang: Lang) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match style {
        DateStyle::Iso => format!("{y}-{m:02}-{day:02}"),
        DateStyle::Dotted => format!("{day:02}.{m:02}.{y}"),
        DateStyle::SlashDayFirst => format!("{day:02}/{m:02}/{y}"),
        DateStyle::SlashMonthFirst => format!("{m:02}/{day:02}/{y}"),
        DateStyle::Written => {
            let name = MONTHS[lang as usize][(m - 1) as usize];
            match lang {
                Lang::En => format!("{name} {day}, {y}"),
                Lang::De => format!("{day}. {name} {y}"),
                Lang::Fr => format!("{day} {name} {y}"),
            }
        }
    }
}

pub fn format_amount(minor: i64, notation: Notation, decimals: u32) -> String {
    let negative = minor < 0;
    let minor = minor.abs();
    let factor = 10_i64.pow(decimals);
    let (whole, frac) = (minor / factor, minor % factor);
    let digits = whole.to_string();
    let group = |sep: &str| {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    };
    let (int, mark) = match notation {
        Notation::Point => (group(","), "."),
        Notation::Comma => (group("."), ","),
        Notation::SpaceComma => (group(" "), ","),
        Notation::Plain => (digits.clone(), "."),
    };
    let body = if decimals == 0 {
        int
    } else {
        format!("{int}{mark}{frac:0width$}", width = decimals as usize)
    };
    if negative { format!("-{body}") } else { body }
}

fn money(minor: i64, v: &GenVendor, with_currency: bool) -> String {
    let amount = format_amount(minor, v.notation, 2);
    if !with_currency {
        return amount;
    }
    match (v.symbol, v.currency) {
        (true, "EUR") if v.lang != Lang::En => format!("{amount} €"),
        (true, "EUR") => format!("€{amount}"),
        (true, "USD") => format!("${amount}"),
        (true, "GBP") => format!("£{amount}"),
        (_, c) => format!("{amount} {c}"),
    }
}

const ITEMS: &[&str] = &[
    "Printer paper A4",
    "Toner cartridge",
    "Coffee beans",
    "Consulting hours",
    "Cable set",
    "Desk lamp",
    "Druckerpapier",
    "Kugelschreiber",
    "Ordner",
    "Reinigung Büro",
    "Papier ramette",
    "Cartouche encre",
    "Fournitures",
    "Déplacement",
    "Monitor stand",
    "Server hosting",
];

/// Tax rates by language (ppm).
fn rates(lang: Lang) -> &'static [i64] {
    match lang {
        Lang::En => &[200_000, 50_000, 75_000],
        Lang::De => &[190_000, 70_000],
        Lang::Fr => &[200_000, 100_000, 55_000],
    }
}

fn tax_of(base: i64, ppm: i64) -> i64 {
    // Half away from zero, integers only.
    (base * ppm + 500_000) / 1_000_000
}

/// `n` documents from `vendors`, each with its truth.
pub fn receipts(seed: u64, n: usize, vendors: &[GenVendor]) -> Vec<Receipt> {
    let mut rng = Rng::new(seed);
    (0..n).map(|i| receipt(&mut rng, i, vendors)).collect()
}

fn receipt(rng: &mut Rng, i: usize, vendors: &[GenVendor]) -> Receipt {
    let vi = rng.below(vendors.len() as u64) as usize;
    let v = &vendors[vi];
    let mut lrng = Rng::new(0x1abe1 + vi as u64 * 7919);
    let [l_net, l_tax, l_gross, l_date, l_due, l_number] = labels(v.lang, v.own_labels, &mut lrng);
    let doc_date = date(2026, 1, 1)
        .checked_add(jiff::Span::new().days(rng.below(330) as i64))
        .unwrap();
    let due = rng.chance(50).then(|| {
        doc_date
            .checked_add(jiff::Span::new().days(14 + 16 * rng.below(2) as i64))
            .unwrap()
    });
    let number = match rng.below(4) {
        0 => format!("INV-2026-{:04}", 1 + rng.below(9999)),
        1 => format!("R-{}", 10_000 + rng.below(90_000)),
        2 => format!("{}", 1000 + rng.below(9000)),
        _ => format!("F2026/{}", 100 + rng.below(900)),
    };
    // Lines and tax.
    let with_lines = rng.chance(65);
    let taxed = rng.chance(85);
    let rate_set = rates(v.lang);
    let two_rates = taxed && rng.chance(25);
    let line_count = if with_lines {
        1 + rng.below(5) as usize
    } else {
        1 + rng.below(2) as usize
    };
    let mut lines = Vec::new();
    for _ in 0..line_count {
        let top = if rng.chance(20) { 500_000 } else { 30_000 };
        let amount = 100 + rng.below(top) as i64;
        lines.push((rng.pick(ITEMS).to_string(), amount));
    }
    let net: i64 = lines.iter().map(|l| l.1).sum();
    let mut tax_rows = Vec::new();
    if taxed {
        if two_rates && lines.len() >= 2 {
            let split = lines.len() / 2;
            let b1: i64 = lines[..split].iter().map(|l| l.1).sum();
            let b2 = net - b1;
            tax_rows.push((rate_set[0], b1, tax_of(b1, rate_set[0])));
            tax_rows.push((rate_set[1], b2, tax_of(b2, rate_set[1])));
        } else {
            let r = rate_set[0];
            tax_rows.push((r, net, tax_of(net, r)));
        }
    }
    let tax: i64 = tax_rows.iter().map(|t| t.2).sum();
    let gross = net + tax;

    // Rows.
    let mut rows: Vec<Vec<(f32, String)>> = Vec::new();
    let row = |rows: &mut Vec<Vec<(f32, String)>>, label: &str, value: String| {
        if v.stacked {
            rows.push(vec![(50.0, label.to_owned())]);
            rows.push(vec![(50.0, value)]);
        } else {
            let sep = if label.ends_with(':') || label.ends_with('#') || label.ends_with('°') {
                ""
            } else {
                ":"
            };
            let sep = if rng_bool(label) { sep } else { "" };
            rows.push(vec![(50.0, format!("{label}{sep} {value}"))]);
        }
    };
    let header_name = match v.identity {
        Identity::NameOnly if i.is_multiple_of(3) => v.name.to_uppercase(),
        _ => v.name.clone(),
    };
    rows.push(vec![(50.0, header_name)]);
    rows.push(vec![(
        50.0,
        match v.lang {
            Lang::En => "12 Market Street, Springfield".to_owned(),
            Lang::De => "Hauptstraße 5, 10115 Berlin".to_owned(),
            Lang::Fr => "3 rue de la Paix, 75002 Paris".to_owned(),
        },
    )]);
    match v.identity {
        Identity::TaxId => {
            let label = match v.lang {
                Lang::En => "VAT No.",
                Lang::De => "USt-IdNr.",
                Lang::Fr => "N° TVA",
            };
            let shown = if i.is_multiple_of(2) {
                v.tax_id.clone()
            } else {
                format!("{} {}", &v.tax_id[..2], &v.tax_id[2..])
            };
            rows.push(vec![(50.0, format!("{label} {shown}"))]);
        }
        Identity::Iban | Identity::NameOnly | Identity::Unknown => {
            rows.push(vec![(
                50.0,
                match v.lang {
                    Lang::En => "Tel. +44 20 7946 0000".to_owned(),
                    Lang::De => "Tel. 030 1234567".to_owned(),
                    Lang::Fr => "Tél. 01 23 45 67 89".to_owned(),
                },
            )]);
        }
    }
    row(&mut rows, l_number, number.clone());
    row(&mut rows, l_date, format_date(doc_date, v.dates, v.lang));
    if let Some(d) = due {
        row(&mut rows, l_due, format_date(d, v.dates, v.lang));
    }
    let totals = |rows: &mut Vec<Vec<(f32, String)>>| {
        if taxed {
            row(rows, l_net, money(net, v, false));
            if tax_rows.len() > 1 || (rng_bool(l_tax) && !v.own_labels) {
                for (r, base, t) in &tax_rows {
                    let pct = format_percent(*r, v.notation);
                    rows.push(vec![(
                        50.0,
                        format!("{l_tax} {pct} {} {}", money(*base, v, false), money(*t, v, false)),
                    )]);
                }
                if tax_rows.len() > 1 {
                    row(
                        rows,
                        &format!(
                            "{} {l_tax}",
                            match v.lang {
                                Lang::En => "Total",
                                Lang::De => "Summe",
                                Lang::Fr => "Total",
                            }
                        ),
                        money(tax, v, false),
                    );
                }
            } else {
                row(rows, l_tax, money(tax, v, false));
            }
        }
        row(rows, l_gross, money(gross, v, true));
    };
    if v.totals_first {
        totals(&mut rows);
    }
    if with_lines {
        for (desc, amount) in &lines {
            rows.push(vec![(50.0, desc.clone()), (400.0, money(*amount, v, false))]);
        }
    }
    if !v.totals_first {
        totals(&mut rows);
    }
    if v.identity == Identity::Iban {
        let spaced: String = v
            .iban
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(vec![(50.0, format!("IBAN {spaced}"))]);
    }
    rows.push(vec![(
        50.0,
        match v.lang {
            Lang::En => "Thank you for your business".to_owned(),
            Lang::De => "Vielen Dank für Ihren Einkauf".to_owned(),
            Lang::Fr => "Merci de votre confiance".to_owned(),
        },
    )]);
    let truth = Truth {
        vendor: vi,
        known: v.identity != Identity::Unknown,
        date: doc_date,
        due_date: due,
        number,
        currency: v.currency,
        net: taxed.then_some(net),
        tax: taxed.then_some(tax),
        gross,
        rates: tax_rows,
        lines: if with_lines { lines } else { Vec::new() },
    };
    Receipt { truth, rows }
}

/// A stable yes/no from a label (so one vendor always writes its labels the same way).
fn rng_bool(label: &str) -> bool {
    label.bytes().map(u32::from).sum::<u32>() % 2 == 0
}

fn format_percent(ppm: i64, notation: Notation) -> String {
    let whole = ppm / 10_000;
    let frac = (ppm % 10_000) / 1_000;
    let mark = if matches!(notation, Notation::Comma | Notation::SpaceComma) {
        ","
    } else {
        "."
    };
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}{mark}{frac} %")
    }
}

/// The document as a one-page PDF: each row's text objects drawn top down in Helvetica.
pub fn pdf(receipt: &Receipt) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Encoding, Object, Stream, dictionary};

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let encoding = Encoding::SimpleEncoding(b"WinAnsiEncoding");
    let mut ops = Vec::new();
    let mut y = 800.0_f32;
    for row in &receipt.rows {
        for (x, text) in row {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec!["F1".into(), 10.into()]));
            ops.push(Operation::new("Td", vec![(*x).into(), y.into()]));
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(Document::encode_text(&encoding, text))],
            ));
            ops.push(Operation::new("ET", vec![]));
        }
        y -= 14.0;
    }
    let content = Content { operations: ops };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The PDF's text as lopdf extracts it (one line per text object).
pub fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

/// The Done-when receipt: a German bill from a known vendor, tax id printed, two lines, 19 % VAT.
pub fn done_when_receipt() -> (GenVendor, Receipt) {
    let vendor = GenVendor {
        name: "Bürobedarf Schmidt GmbH".into(),
        tax_id: "DE811907980".into(),
        iban: "DE89370400440532013000".into(),
        lang: Lang::De,
        currency: "EUR",
        dates: DateStyle::Dotted,
        notation: Notation::Comma,
        identity: Identity::TaxId,
        totals_first: false,
        stacked: false,
        own_labels: false,
        symbol: true,
    };
    let rows = [
        "Bürobedarf Schmidt GmbH",
        "Hauptstraße 5, 10115 Berlin",
        "USt-IdNr. DE 811 907 980",
        "Rechnung Nr. R-2026-0117",
        "Datum: 03.11.2026",
        "Fällig am: 17.11.2026",
    ];
    let mut rows: Vec<Vec<(f32, String)>> = rows.iter().map(|r| vec![(50.0, (*r).to_owned())]).collect();
    rows.push(vec![
        (50.0, "Druckerpapier A4, 5 Pakete".into()),
        (400.0, "124,75".into()),
    ]);
    rows.push(vec![(50.0, "Toner schwarz".into()), (400.0, "1.089,00".into())]);
    for r in [
        "Summe netto 1.213,75",
        "MwSt 19% 230,61",
        "Gesamtbetrag 1.444,36 €",
        "Vielen Dank!",
    ] {
        rows.push(vec![(50.0, r.to_owned())]);
    }
    let truth = Truth {
        vendor: 0,
        known: true,
        date: date(2026, 11, 3),
        due_date: Some(date(2026, 11, 17)),
        number: "R-2026-0117".into(),
        currency: "EUR",
        net: Some(121_375),
        tax: Some(23_061),
        gross: 144_436,
        rates: vec![(190_000, 121_375, 23_061)],
        lines: vec![
            ("Druckerpapier A4, 5 Pakete".into(), 12_475),
            ("Toner schwarz".into(), 108_900),
        ],
    };
    (vendor, Receipt { truth, rows })
}

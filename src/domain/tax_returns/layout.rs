//! Box layouts of a tax return, as data: each layout is a CSV file in `tax_layouts/` (embedded in
//! the binary), one box a row (`box,label,value`), its title and notes in the `#` lines above.
//! A value adds and subtracts terms: `sales.net`, `sales.tax`, `purchases.net`,
//! `purchases.tax`, each optionally filtered (`[kind=vat]`, `[rate=20]`, `[name=Zero rated]`),
//! and `box:<box>`, an earlier box. An empty value is a box the layout leaves empty.

use super::{Figures, RateFigures};
use crate::domain::taxes::{PPM_PER_PERCENT, TaxKind};

/// The layouts shipped with the binary: (name, file).
const FILES: &[(&str, &str)] = &[
    ("generic", include_str!("../../../tax_layouts/generic.csv")),
    ("uk-vat-9-box", include_str!("../../../tax_layouts/uk-vat-9-box.csv")),
];

/// The layout a company uses until it picks another.
pub const DEFAULT_LAYOUT: &str = "generic";

/// One box of a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxDef {
    /// The box's name on the form: `1`, `2`, `8a`.
    pub id: String,
    pub label: String,
    /// What the file says the box holds, as written (empty: left empty).
    pub value: String,
    terms: Vec<(i64, Term)>,
}

impl BoxDef {
    /// Whether the layout maps anything to this box.
    pub fn is_mapped(&self) -> bool {
        !self.terms.is_empty()
    }
}

/// A layout: its name, title, notes and boxes in the form's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub name: &'static str,
    pub title: String,
    pub notes: String,
    pub boxes: Vec<BoxDef>,
}

/// One box's figure on a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxFigure {
    pub id: String,
    pub label: String,
    pub amount: i64,
    pub mapped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Sales,
    Purchases,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Net,
    Tax,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    All,
    Kind(TaxKind),
    RatePpm(i64),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Figure(Side, Part, Filter),
    /// The position of an earlier box.
    Box(usize),
}

/// Every layout shipped, parsed. A file that does not parse is left out (a unit test parses
/// each, so none ships broken).
pub fn all() -> Vec<Layout> {
    FILES.iter().filter_map(|(name, text)| parse(name, text).ok()).collect()
}

/// The layout called `name`.
pub fn find(name: &str) -> Option<Layout> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(n, text)| parse(n, text).ok())
}

/// Reads a layout file: the `#` lines (title first, then notes), a header row, then the boxes.
pub fn parse(name: &'static str, text: &str) -> Result<Layout, String> {
    let comments: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let title = comments.first().copied().unwrap_or(name).to_owned();
    let notes = comments.get(1..).unwrap_or_default().join(" ");
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    if headers.iter().collect::<Vec<_>>() != ["box", "label", "value"] {
        return Err(format!("{name}: the header must be box,label,value"));
    }
    let mut boxes: Vec<BoxDef> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{name}: row {}: {e}", i + 2))?;
        let cell = |n: usize| record.get(n).unwrap_or_default().trim().to_owned();
        let (id, label, value) = (cell(0), cell(1), cell(2));
        if id.is_empty() || boxes.iter().any(|b| b.id == id) {
            return Err(format!("{name}: row {}: box {id:?} is empty or repeated", i + 2));
        }
        let terms = terms(&value, &boxes).map_err(|e| format!("{name}: box {id}: {e}"))?;
        boxes.push(BoxDef {
            id,
            label,
            value,
            terms,
        });
    }
    Ok(Layout {
        name,
        title,
        notes,
        boxes,
    })
}

/// The boxes of `layout` over a return's figures, in order. `None`: a sum overflowed.
pub fn fill(layout: &Layout, figures: &Figures) -> Option<Vec<BoxFigure>> {
    let mut out: Vec<BoxFigure> = Vec::with_capacity(layout.boxes.len());
    for b in &layout.boxes {
        let mut amount = 0_i64;
        for (sign, term) in &b.terms {
            let v = match term {
                Term::Box(i) => out.get(*i)?.amount,
                Term::Figure(side, part, filter) => figure(figures, *side, *part, filter)?,
            };
            amount = amount.checked_add(v.checked_mul(*sign)?)?;
        }
        out.push(BoxFigure {
            id: b.id.clone(),
            label: b.label.clone(),
            amount,
            mapped: b.is_mapped(),
        });
    }
    Some(out)
}

fn figure(figures: &Figures, side: Side, part: Part, filter: &Filter) -> Option<i64> {
    let keep = |r: &&RateFigures| match filter {
        Filter::All => true,
        Filter::Kind(k) => r.kind == Some(*k),
        Filter::RatePpm(p) => r.rate_ppm == Some(*p),
        Filter::Name(n) => r.name == *n,
    };
    figures.rows.iter().filter(keep).try_fold(0_i64, |sum, r| {
        sum.checked_add(match (side, part) {
            (Side::Sales, Part::Net) => r.sales_net,
            (Side::Sales, Part::Tax) => r.sales_tax,
            (Side::Purchases, Part::Net) => r.purchases_net,
            (Side::Purchases, Part::Tax) => r.purchases_tax,
        })
    })
}

/// `sales.tax+box:1-purchases.tax[kind=vat]` as signed terms; boxes must come before.
fn terms(value: &str, earlier: &[BoxDef]) -> Result<Vec<(i64, Term)>, String> {
    let mut out = Vec::new();
    let mut sign = 1_i64;
    let mut rest = value.trim();
    if rest.is_empty() {
        return Ok(out);
    }
    loop {
        if let Some(r) = rest.strip_prefix('-') {
            sign = -sign;
            rest = r.trim_start();
            continue;
        }
        // A term runs to the next `+` or `-` outside brackets.
        let mut depth = 0_i32;
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => {}
                }
                depth == 0 && (*c == '+' || *c == '-')
            })
            .map_or(rest.len(), |(i, _)| i);
        let (text, tail) = rest.split_at(end);
        out.push((sign, term(text.trim(), earlier)?));
        let tail = tail.trim_start();
        match tail.chars().next() {
            None => return Ok(out),
            Some('+') => sign = 1,
            Some(_) => sign = -1,
        }
        rest = tail.get(1..).unwrap_or_default().trim_start();
        if rest.is_empty() {
            return Err(format!("{value:?} ends with an operator"));
        }
    }
}

fn term(text: &str, earlier: &[BoxDef]) -> Result<Term, String> {
    if let Some(id) = text.strip_prefix("box:") {
        return earlier
            .iter()
            .position(|b| b.id == id.trim())
            .map(Term::Box)
            .ok_or_else(|| format!("box:{id} names no earlier box"));
    }
    let (name, filter) = match text.split_once('[') {
        None => (text, Filter::All),
        Some((name, f)) => {
            let f = f
                .strip_suffix(']')
                .ok_or_else(|| format!("{text:?}: the filter has no closing bracket"))?;
            (name.trim(), filter(f)?)
        }
    };
    let (side, part) = match name {
        "sales.net" => (Side::Sales, Part::Net),
        "sales.tax" => (Side::Sales, Part::Tax),
        "purchases.net" => (Side::Purchases, Part::Net),
        "purchases.tax" => (Side::Purchases, Part::Tax),
        other => {
            return Err(format!(
                "{other:?} is not sales.net, sales.tax, purchases.net, purchases.tax or box:<box>"
            ));
        }
    };
    Ok(Term::Figure(side, part, filter))
}

fn filter(text: &str) -> Result<Filter, String> {
    let (key, value) = text
        .split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .ok_or_else(|| format!("filter {text:?} is not key=value"))?;
    match key {
        "kind" => TaxKind::parse(value)
            .map(Filter::Kind)
            .ok_or_else(|| format!("{value:?} is not a tax kind")),
        "rate" => crate::domain::money::parse(value)
            .ok()
            .and_then(|d| {
                use rust_decimal::prelude::ToPrimitive;
                (d * rust_decimal::Decimal::from(PPM_PER_PERCENT)).to_i64()
            })
            .map(Filter::RatePpm)
            .ok_or_else(|| format!("{value:?} is not a percentage")),
        "name" => Ok(Filter::Name(value.to_owned())),
        other => Err(format!("unknown filter {other:?}: kind, rate or name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_layout_parses() {
        for (name, text) in FILES {
            let layout = parse(name, text).unwrap();
            assert!(!layout.boxes.is_empty(), "{name}");
        }
        assert_eq!(all().len(), FILES.len());
        let uk = find("uk-vat-9-box").unwrap();
        let ids: Vec<&str> = uk.boxes.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        let empty: Vec<&str> = uk
            .boxes
            .iter()
            .filter(|b| !b.is_mapped())
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(empty, ["2", "8", "9"]);
    }

    #[test]
    fn bad_layouts_are_refused_with_the_box() {
        let bad = |v: &str| parse("t", &format!("box,label,value\n1,One,sales.tax\n2,Two,{v}\n"));
        assert!(bad("box:3").unwrap_err().contains("box 2"));
        assert!(bad("sales.gross").is_err());
        assert!(bad("sales.tax+").is_err());
        assert!(bad("sales.tax[kind=vatt]").is_err());
        assert!(bad("box:1-sales.net[rate=20]").is_ok());
    }

    #[test]
    fn boxes_add_subtract_and_filter() {
        let layout = parse(
            "t",
            "box,label,value\n1,A,sales.tax\n2,B,purchases.tax[kind=vat]\n3,C,box:1-box:2\n4,D,sales.net[rate=0]\n5,E,\n",
        )
        .unwrap();
        let row = |kind, ppm, sn, st, pt| RateFigures {
            kind: Some(kind),
            rate_ppm: Some(ppm),
            sales_net: sn,
            sales_tax: st,
            purchases_tax: pt,
            ..RateFigures::default()
        };
        let figures = Figures {
            rows: vec![
                row(TaxKind::Vat, 200_000, 1000, 200, 50),
                row(TaxKind::Gst, 0, 300, 0, 7),
            ],
        };
        let boxes = fill(&layout, &figures).unwrap();
        let amounts: Vec<i64> = boxes.iter().map(|b| b.amount).collect();
        assert_eq!(amounts, [200, 50, 150, 300, 0]);
        assert!(!boxes[4].mapped);
    }
}

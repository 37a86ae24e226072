//! Reading a draft from a document's text: the currency first (it fixes the decimals and the date
//! order), then the vendor (its learned labels join the built-in ones), then each labelled value,
//! then the totals checked against each other. Confidence rules: `docs/capture.md`.

use rust_decimal::Decimal;

use super::labels::{Kind, LABELS};
use super::text::{self, DateOrder, Line, Token, Word};
use super::vendor::{currency, vendor};
use super::{Context, Draft, DraftLine, Field, FieldName, Span, TaxAmount};
use crate::domain::money;

/// Confidence of a value found after a label the vendor's accepted drafts taught.
const LEARNED: u8 = 95;
/// After a built-in label, on the same line.
const SAME_LINE: u8 = 85;
/// After a built-in label, on the next line (a label above its value).
const NEXT_LINE: u8 = 70;
/// Taken off when a date could be read either way and the order was assumed.
const AMBIGUOUS_DATE: u8 = 20;

/// Reads a draft from `text`.
pub fn read(text: &str, ctx: &Context<'_>) -> Draft {
    let currency = currency(text, ctx.company_currency);
    let order = if currency.value == "USD" {
        DateOrder::MonthFirst
    } else {
        ctx.date_order
    };
    let decimals = money::decimals(&currency.value);
    let lines = text::lines(text, order);
    let vendor = vendor(text, &lines, ctx);
    let learned: Vec<(Kind, String)> = vendor
        .value
        .contact_id
        .and_then(|id| ctx.layouts.iter().find(|l| l.contact_id == id))
        .map(|l| {
            l.labels
                .iter()
                .map(|x| (Kind::Field(x.field), x.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    let hits = hits(&lines, &learned);

    let mut draft = Draft {
        vendor: Some(vendor),
        currency: Some(currency),
        ..Draft::default()
    };
    let mut gross: Vec<Field<(Decimal, bool)>> = Vec::new();
    let mut net: Vec<Field<(Decimal, bool)>> = Vec::new();
    let mut tax_totals: Vec<Field<(Decimal, bool)>> = Vec::new();
    for hit in &hits {
        let Kind::Field(field) = hit.kind else { continue };
        let (words, confidence) = value_words(&lines, &hits, hit);
        match field {
            FieldName::Gross | FieldName::Net => {
                if let Some(f) = last_amount(&words, confidence) {
                    if field == FieldName::Gross {
                        gross.push(f)
                    } else {
                        net.push(f)
                    }
                }
            }
            FieldName::Tax => {
                let rate = hit.percent.or_else(|| {
                    words.iter().find_map(|w| match w.token {
                        Token::Percent(p) => Some(p),
                        _ => None,
                    })
                });
                let amounts: Vec<&Word> = words
                    .iter()
                    .filter(|w| matches!(w.token, Token::Amount { .. }))
                    .collect();
                let Some(last) = last_amount(&words, confidence) else {
                    continue;
                };
                match rate {
                    Some(rate_ppm) => {
                        let base = (amounts.len() >= 2)
                            .then(|| amount_of(amounts[0]))
                            .flatten()
                            .filter(|b| *b > last.value.0)
                            .and_then(|b| money::to_minor(b, decimals).ok());
                        if let Ok(tax) = money::to_minor(last.value.0, decimals) {
                            draft.taxes.push(Field::new(
                                TaxAmount { rate_ppm, base, tax },
                                last.confidence,
                                last.span,
                            ));
                        }
                    }
                    None => tax_totals.push(last),
                }
            }
            FieldName::Date | FieldName::DueDate => {
                let found = words.iter().find_map(|w| match w.token {
                    Token::Date { date, ambiguous } => {
                        let c = if ambiguous {
                            confidence - AMBIGUOUS_DATE
                        } else {
                            confidence
                        };
                        Some(Field::new(
                            date,
                            c,
                            Some(Span {
                                start: w.start,
                                end: w.end,
                            }),
                        ))
                    }
                    _ => None,
                });
                let slot = if field == FieldName::Date {
                    &mut draft.date
                } else {
                    &mut draft.due_date
                };
                if slot.is_none() {
                    *slot = found;
                }
            }
            FieldName::Number => {
                if draft.number.is_none() {
                    draft.number = number(text, &words, confidence, hit.generic);
                }
            }
            FieldName::Vendor | FieldName::Currency => {}
        }
    }
    if draft.date.is_none() {
        draft.date = lines.iter().flat_map(|l| &l.words).find_map(|w| match w.token {
            Token::Date { date, ambiguous } => Some(Field::new(
                date,
                if ambiguous { 35 } else { 55 },
                Some(Span {
                    start: w.start,
                    end: w.end,
                }),
            )),
            _ => None,
        });
    }
    totals(&mut draft, &lines, decimals, gross, net, tax_totals);
    draft.lines = item_lines(
        &lines,
        &hits,
        decimals,
        draft.net.as_ref().map(|f| f.value),
        draft.gross.as_ref().map(|f| f.value),
    );
    draft
}

/// A label found on a line: its kind, its end and where the next label on the line starts.
#[derive(Debug)]
struct Hit {
    line: usize,
    kind: Kind,
    /// Folded byte offset of the label's end in its line.
    end: usize,
    /// Where the next label on the same line starts (folded), or the end of the line.
    next: usize,
    learned: bool,
    /// A one-word label that is also a document title ("Invoice", "Rechnung").
    generic: bool,
    /// A percentage printed just before the label ("19% MwSt").
    percent: Option<i64>,
}

fn hits(lines: &[Line], learned: &[(Kind, String)]) -> Vec<Hit> {
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let mut found: Vec<(usize, usize, Kind, bool)> = Vec::new();
        let candidates = learned
            .iter()
            .map(|(k, l)| (*k, l.as_str(), true))
            .chain(LABELS.iter().map(|(k, l)| (*k, *l, false)));
        for (kind, label, is_learned) in candidates {
            for (s, e) in line.find_label(label) {
                found.push((s, e, kind, is_learned));
            }
        }
        // Learned first, then longer first; keep those not overlapping one already kept.
        found.sort_by_key(|&(s, e, _, l)| (!l, std::cmp::Reverse(e - s), s));
        let mut kept: Vec<(usize, usize, Kind, bool)> = Vec::new();
        for f in found {
            if kept.iter().all(|k| f.1 <= k.0 || f.0 >= k.1) {
                kept.push(f);
            }
        }
        kept.sort_by_key(|k| k.0);
        for (i, &(start, end, kind, learned)) in kept.iter().enumerate() {
            let next = kept.get(i + 1).map_or(line.folded.len(), |k| k.0);
            let prev_end = if i == 0 { 0 } else { kept[i - 1].1 };
            let (abs_prev, abs_start) = (line.offset(prev_end), line.offset(start));
            let percent = line.words.iter().rev().find_map(|w| match w.token {
                Token::Percent(p) if w.start >= abs_prev && w.end <= abs_start => Some(p),
                _ => None,
            });
            let label = &line.folded[start..end];
            let generic = matches!(label, "invoice" | "rechnung" | "facture");
            out.push(Hit {
                line: n,
                kind,
                end,
                next,
                learned,
                generic,
                percent,
            });
        }
    }
    out
}

/// The words a label's value is read from: after it on its line, up to the next label; or, when
/// nothing follows it, the next line when that line has no label of its own.
fn value_words(lines: &[Line], hits: &[Hit], hit: &Hit) -> (Vec<Word>, u8) {
    let line = &lines[hit.line];
    let (from, to) = (line.offset(hit.end), line.offset(hit.next));
    let same: Vec<Word> = line
        .words
        .iter()
        .filter(|w| w.start >= from && w.end <= to)
        .cloned()
        .collect();
    let base = if hit.learned { LEARNED } else { SAME_LINE };
    if same
        .iter()
        .any(|w| !matches!(w.token, Token::Other) || w.end > w.start + 1)
        || hit.next < line.folded.len()
    {
        return (same, base);
    }
    let next = hit.line + 1;
    match lines.get(next) {
        Some(l) if !hits.iter().any(|h| h.line == next) => {
            (l.words.clone(), if hit.learned { LEARNED - 10 } else { NEXT_LINE })
        }
        _ => (same, base),
    }
}

fn amount_of(w: &Word) -> Option<Decimal> {
    match w.token {
        Token::Amount { value, .. } => Some(value),
        _ => None,
    }
}

/// The last amount among the words, preferring one written with a decimal mark.
fn last_amount(words: &[Word], confidence: u8) -> Option<Field<(Decimal, bool)>> {
    let pick = |need_mark: bool| {
        words.iter().rev().find_map(|w| match w.token {
            Token::Amount { value, decimal_mark } if decimal_mark || !need_mark => Some(Field::new(
                (value, decimal_mark),
                confidence,
                Some(Span {
                    start: w.start,
                    end: w.end,
                }),
            )),
            _ => None,
        })
    };
    pick(true).or_else(|| pick(false).map(|f| Field::new(f.value, f.confidence.saturating_sub(25), f.span)))
}

/// The document number after its label: the first word with a digit, not a date; "No.", "#",
/// "Nr." between label and number are skipped.
fn number(text: &str, words: &[Word], confidence: u8, generic: bool) -> Option<Field<String>> {
    let w = words.iter().find(|w| {
        let s = &text[w.start..w.end];
        !matches!(w.token, Token::Date { .. } | Token::Percent(_))
            && s.bytes().any(|b| b.is_ascii_digit())
            && !(matches!(w.token, Token::Amount { decimal_mark: true, .. }) && s.contains(','))
    })?;
    let value = text[w.start..w.end].trim_start_matches(['#', ':', '°', 'º']).to_owned();
    let c = if generic {
        confidence.saturating_sub(15)
    } else {
        confidence
    };
    Some(Field::new(
        value,
        c,
        Some(Span {
            start: w.start,
            end: w.end,
        }),
    ))
}

/// Net, tax and gross: as labelled, each missing one derived from the other two, and all three
/// made surer when they add up (less sure when they do not).
fn totals(
    draft: &mut Draft,
    lines: &[Line],
    decimals: u32,
    gross: Vec<Field<(Decimal, bool)>>,
    net: Vec<Field<(Decimal, bool)>>,
    tax_totals: Vec<Field<(Decimal, bool)>>,
) {
    let minor = |f: Field<(Decimal, bool)>| -> Option<Field<i64>> {
        money::to_minor(f.value.0, decimals)
            .ok()
            .map(|v| Field::new(v, f.confidence, f.span))
    };
    let mut g: Vec<Field<i64>> = gross.into_iter().filter_map(minor).collect();
    let n: Vec<Field<i64>> = net.into_iter().filter_map(minor).collect();
    let t: Vec<Field<i64>> = tax_totals.into_iter().filter_map(minor).collect();
    // The gross is the largest total printed (a "Total" row may repeat a subtotal).
    g.sort_by_key(|f| (std::cmp::Reverse(f.confidence), std::cmp::Reverse(f.value)));
    let mut gross = g.into_iter().reduce(|a, b| {
        if b.confidence >= a.confidence && b.value > a.value {
            b
        } else {
            a
        }
    });
    let rate_sum: Option<i64> = (!draft.taxes.is_empty()).then(|| draft.taxes.iter().map(|f| f.value.tax).sum());
    let mut tax = t.into_iter().next().or_else(|| {
        let sum = rate_sum?;
        let c = draft.taxes.iter().map(|f| f.confidence).min().unwrap_or(0);
        let span = (draft.taxes.len() == 1).then(|| draft.taxes[0].span).flatten();
        Some(Field::new(sum, c, span))
    });
    // The net that adds up with the tax to the gross, else the first.
    let mut net = match (&gross, &tax) {
        (Some(g), Some(t)) => n
            .iter()
            .find(|f| f.value + t.value == g.value)
            .cloned()
            .or_else(|| n.first().cloned()),
        _ => n.first().cloned(),
    };
    if gross.is_none() {
        // Nothing labelled: the largest amount with a decimal mark, not sure at all.
        gross = lines
            .iter()
            .flat_map(|l| &l.words)
            .filter_map(|w| match w.token {
                Token::Amount {
                    value,
                    decimal_mark: true,
                } if value > Decimal::ZERO => Some((money::to_minor(value, decimals).ok()?, w)),
                _ => None,
            })
            .max_by_key(|(v, _)| *v)
            .map(|(v, w)| {
                Field::new(
                    v,
                    35,
                    Some(Span {
                        start: w.start,
                        end: w.end,
                    }),
                )
            });
        if let (Some(g), Some(n)) = (&gross, &net)
            && g.value <= n.value
            && tax.as_ref().is_some_and(|t| t.value > 0)
        {
            gross = None;
        }
    }
    match (&gross, &net, &tax) {
        (Some(g), Some(n), Some(t)) => {
            let (gc, nc, tc) = (g.confidence, n.confidence, t.confidence);
            let agree = n.value + t.value == g.value;
            let adjust = |c: u8| if agree { c.max(97) } else { c.saturating_sub(25) };
            if let Some(x) = gross.as_mut() {
                x.confidence = adjust(gc)
            }
            if let Some(x) = net.as_mut() {
                x.confidence = adjust(nc)
            }
            if let Some(x) = tax.as_mut() {
                x.confidence = adjust(tc)
            }
        }
        (Some(g), Some(n), None) if g.value >= n.value => {
            tax = Some(Field::new(
                g.value - n.value,
                g.confidence.min(n.confidence).saturating_sub(10),
                None,
            ));
        }
        (Some(g), None, Some(t)) if g.value >= t.value => {
            net = Some(Field::new(
                g.value - t.value,
                g.confidence.min(t.confidence).saturating_sub(10),
                None,
            ));
        }
        (None, Some(n), Some(t)) => {
            gross = Some(Field::new(
                n.value + t.value,
                n.confidence.min(t.confidence).saturating_sub(10),
                None,
            ));
        }
        _ => {}
    }
    // Per-rate taxes that add up to the tax total are surer too.
    if let (Some(sum), Some(t)) = (rate_sum, &tax) {
        for f in &mut draft.taxes {
            f.confidence = if sum == t.value {
                f.confidence.max(90)
            } else {
                f.confidence.saturating_sub(20)
            };
        }
    }
    draft.gross = gross;
    draft.net = net;
    draft.tax = tax;
}

/// Lines above the totals that end in an amount and carry no label: the document's lines.
/// Surer when they add up to the net or the gross.
fn item_lines(
    lines: &[Line],
    hits: &[Hit],
    decimals: u32,
    net: Option<i64>,
    gross: Option<i64>,
) -> Vec<Field<DraftLine>> {
    let first_total = hits
        .iter()
        .filter(|h| matches!(h.kind, Kind::Field(FieldName::Gross | FieldName::Net | FieldName::Tax)))
        .map(|h| h.line)
        .min()
        .unwrap_or(lines.len());
    let mut out = Vec::new();
    let labelled = |n: usize| hits.iter().any(|h| h.line == n);
    let lone_amount = |l: &Line| match l.words.as_slice() {
        [w] => matches!(w.token, Token::Amount { decimal_mark: true, .. }),
        _ => false,
    };
    for (n, line) in lines.iter().enumerate().take(first_total) {
        if labelled(n) || lone_amount(line) {
            continue;
        }
        let Some(first) = line.words.first() else { continue };
        // A description whose amount was drawn apart lands on the next line of the text.
        let next = lines
            .get(n + 1)
            .filter(|l| n + 1 < first_total && !labelled(n + 1) && lone_amount(l));
        let last = match (line.words.last(), next) {
            (Some(w), _) if matches!(w.token, Token::Amount { decimal_mark: true, .. }) => w,
            (Some(w), Some(l)) if matches!(w.token, Token::Other) => &l.words[0],
            _ => continue,
        };
        let Token::Amount {
            value,
            decimal_mark: true,
        } = last.token
        else {
            continue;
        };
        if !matches!(first.token, Token::Other) || line.words.iter().any(|w| matches!(w.token, Token::Date { .. })) {
            continue;
        }
        let desc_end = line
            .words
            .iter()
            .find(|w| !matches!(w.token, Token::Other))
            .map_or(line.start + line.text.len(), |w| w.start);
        let description = line.text[..desc_end - line.start].trim().to_owned();
        if !description.chars().any(char::is_alphabetic) {
            continue;
        }
        let Ok(amount) = money::to_minor(value, decimals) else {
            continue;
        };
        let span = Span {
            start: line.start + (line.text.len() - line.text.trim_start().len()),
            end: last.end,
        };
        out.push(Field::new(DraftLine { description, amount }, 60, Some(span)));
    }
    let sum: i64 = out.iter().map(|f| f.value.amount).sum();
    if !out.is_empty() && (Some(sum) == net || Some(sum) == gross) {
        for f in &mut out {
            f.confidence = 85;
        }
    }
    out
}

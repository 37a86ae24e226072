//! SWIFT MT940 customer statements: `:20:` reference, `:25:` account, `:60F:`/`:60M:` opening
//! balance, `:61:` lines each followed by `:86:` text, `:62F:`/`:62M:` closing balance; several
//! statements may follow each other in one file (with or without SWIFT `{1:…}{4:` blocks).
//! `:86:` is read in its two common structures as well as plain text: the German `?20`…`?63`
//! subfields (with `EREF+`, `SVWZ+`; `?32`/`?33` name, `?31` IBAN) and the Dutch `/NAME/…/REMI/`.
//!
//! Written by hand rather than with the `mt940` crate (1.1.1): fed mutated files by our fuzz
//! test, that crate panicked on an impossible entry date (`:61:2601030100…`, day 0 of month 1)
//! — a server must refuse such a file, not abort the request — and it brings 20 crates (pest,
//! clap, serde_json, strum) for a format of a few tags.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::text::{self, shown};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;

/// One field: its tag, the line it starts on, its value (continuation lines joined by `\n`).
struct Field<'a> {
    tag: &'a str,
    line: usize,
    value: String,
}

pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, FormatError> {
    text::check_lines(bytes, limits)?;
    let text = text::decode_lenient(bytes);
    let mut statement = Statement {
        format: StatementFormat::Mt940,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines: Vec::new(),
    };
    let mut closing_final = false;
    // A `:86:` right after a `:61:` is that line's; one elsewhere speaks to the account owner.
    let mut awaiting_86 = false;
    for field in fields(&text) {
        let (line, value) = (field.line, field.value.as_str());
        let after_61 = std::mem::replace(&mut awaiting_86, field.tag == "61");
        match field.tag {
            "25" => {
                statement.account.get_or_insert_with(|| value.trim().to_owned());
            }
            "60F" | "60M" => {
                let (balance, currency) = balance(value, line, field.tag)?;
                statement.currency.get_or_insert(currency);
                statement.opening.get_or_insert(balance);
            }
            "62F" | "62M" => {
                let (balance, _) = balance(value, line, field.tag)?;
                // The last final balance closes the file; an intermediate one only when no
                // final one comes.
                if field.tag == "62F" || !closing_final {
                    statement.closing = Some(balance);
                    closing_final = field.tag == "62F";
                }
            }
            "61" => statement.lines.push(statement_line(value, line)?),
            "86" => {
                if after_61 && let Some(last) = statement.lines.last_mut() {
                    information(value, last);
                }
            }
            _ => {}
        }
    }
    if statement.lines.is_empty() && statement.opening.is_none() {
        return Err(FormatError::statement(1, ":60F", "the file holds no MT940 statement"));
    }
    Ok(statement)
}

/// The fields of the file: a line starting `:TAG:` opens one, other lines continue it; SWIFT
/// block markers and the `-` that ends a message close it.
fn fields(text: &str) -> Vec<Field<'_>> {
    let mut fields: Vec<Field<'_>> = Vec::new();
    let mut open = false;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        let mut line = raw;
        // `{4:` may share its line with the first field.
        if let Some(at) = line.find("{4:") {
            line = line.get(at + 3..).unwrap_or_default();
        }
        if line.starts_with('{') || line.trim() == "-" || line.trim() == "-}" {
            open = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix(':')
            && let Some((tag, value)) = rest.split_once(':')
            && (2..=3).contains(&tag.len())
            && tag.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            fields.push(Field {
                tag,
                line: i + 1,
                value: value.to_owned(),
            });
            open = true;
        } else if open && let Some(last) = fields.last_mut() {
            last.value.push('\n');
            last.value.push_str(line);
        }
    }
    fields
}

/// `C260101EUR1000,00`: credit or debit mark, YYMMDD, currency, amount.
fn balance(value: &str, line: usize, tag: &str) -> Result<(StatementBalance, String), FormatError> {
    let field = format!(":{tag}");
    let v = value.trim();
    let bad = |what: &str| FormatError::statement(line, field.clone(), format!("{what} in {}", shown(v)));
    let sign = match v.get(..1) {
        Some("C") => Decimal::ONE,
        Some("D") => Decimal::NEGATIVE_ONE,
        _ => return Err(bad("no C or D mark")),
    };
    let date = yymmdd(v.get(1..7).unwrap_or_default()).ok_or_else(|| bad("no date (YYMMDD)"))?;
    let currency = v.get(7..10).filter(|c| c.bytes().all(|b| b.is_ascii_alphabetic()));
    let currency = currency.ok_or_else(|| bad("no currency"))?.to_owned();
    let amount = v.get(10..).and_then(amount).ok_or_else(|| bad("no amount"))?;
    Ok((
        StatementBalance {
            date,
            amount: sign * amount,
        },
        currency,
    ))
}

/// An MT940 amount: digits with a decimal comma (`25,50`, `100,`).
fn amount(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return None;
    }
    text::parse_amount(s, ',')
}

fn yymmdd(s: &str) -> Option<Date> {
    let year = text::digits(s, 0, 2)?;
    text::ymd(
        if year < 80 { 2000 + year } else { 1900 + year },
        text::digits(s, 2, 2)?,
        text::digits(s, 4, 2)?,
    )
}

/// `:61:` — `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount` `Nxxx` `customer ref[//bank ref]`, and
/// on a second line the supplementary details.
fn statement_line(value: &str, line: usize) -> Result<StatementLine, FormatError> {
    // A second line holds the bank's supplementary details: not the payer's text, not kept.
    let v = value.split('\n').next().unwrap_or_default().trim();
    let bad = |what: &str| FormatError::statement(line, ":61", format!("{what} in {}", shown(v)));
    let value_date = yymmdd(v.get(..6).unwrap_or_default()).ok_or_else(|| bad("no value date (YYMMDD)"))?;
    let mut at = 6;
    let mut date = value_date;
    if v.get(at..at + 4).is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit())) {
        let (month, day) = (text::digits(v, at, 2), text::digits(v, at + 2, 2));
        let vm = i64::from(value_date.month());
        let year = i64::from(value_date.year());
        // The entry date has no year: it is the value date's, or the next or previous one
        // around a new year.
        let year = match month {
            Some(12) if vm == 1 => year - 1,
            Some(1) if vm == 12 => year + 1,
            _ => year,
        };
        date = month
            .zip(day)
            .and_then(|(m, d)| text::ymd(year, m, d))
            .ok_or_else(|| bad("no entry date (MMDD)"))?;
        at += 4;
    }
    let rest = v.get(at..).unwrap_or_default();
    let (sign, mark_len) = if rest.starts_with("RC") {
        (Decimal::NEGATIVE_ONE, 2)
    } else if rest.starts_with("RD") {
        (Decimal::ONE, 2)
    } else if rest.starts_with('C') {
        (Decimal::ONE, 1)
    } else if rest.starts_with('D') {
        (Decimal::NEGATIVE_ONE, 1)
    } else {
        return Err(bad("no C, D, RC or RD mark"));
    };
    let mut rest = rest.get(mark_len..).unwrap_or_default();
    // The optional funds code: the third letter of the currency.
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        rest = rest.get(1..).unwrap_or_default();
    }
    let amount_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let amount = amount(rest.get(..amount_end).unwrap_or_default()).ok_or_else(|| bad("no amount"))?;
    // Transaction type: N, F or S and three characters; then the references.
    let refs = rest.get(amount_end + 4..).unwrap_or_default();
    let (customer, bank) = match refs.split_once("//") {
        Some((c, b)) => (c.trim(), Some(b.trim())),
        None => (refs.trim(), None),
    };
    Ok(StatementLine {
        row: line,
        date,
        value_date: Some(value_date),
        amount: sign * amount,
        currency: None,
        text: String::new(),
        counterparty: String::new(),
        counterparty_account: None,
        reference: if customer.eq_ignore_ascii_case("NONREF") {
            String::new()
        } else {
            customer.to_owned()
        },
        bank_id: bank.filter(|b| !b.is_empty()).map(str::to_owned),
    })
}

/// `:86:` into the line's text, counterparty, account and reference.
fn information(value: &str, line: &mut StatementLine) {
    let joined: String = value.split('\n').collect();
    if joined.len() > 4
        && joined.get(3..4) == Some("?")
        && joined.get(..3).is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
    {
        german(&joined, line);
    } else if value.starts_with('/') && (value.contains("/NAME/") || value.contains("/REMI/")) {
        dutch(&joined, line);
    } else {
        line.text = value
            .split('\n')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
            .trim()
            .to_owned();
    }
}

/// `166?00GUTSCHRIFT?20EREF+R1?21SVWZ+Text?31IBAN?32Name`.
fn german(value: &str, line: &mut StatementLine) {
    let mut purpose = String::new();
    let mut name = String::new();
    for part in value.split('?').skip(1) {
        let (code, content) = (part.get(..2).unwrap_or_default(), part.get(2..).unwrap_or_default());
        match code {
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61" | "62" | "63" => {
                purpose.push_str(content)
            }
            "31" => line.counterparty_account = Some(content.trim().to_owned()).filter(|a| !a.is_empty()),
            "32" | "33" => name.push_str(content),
            _ => {}
        }
    }
    line.counterparty = name.trim().to_owned();
    // SEPA keywords in the purpose: EREF+ is the payer's reference, SVWZ+ the remittance text.
    let keys = ["EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+"];
    let mut found: Vec<(usize, &str)> = keys.iter().filter_map(|k| purpose.find(k).map(|at| (at, *k))).collect();
    found.sort();
    if found.is_empty() {
        line.text = purpose.trim().to_owned();
        return;
    }
    for (i, (at, key)) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(purpose.len(), |next| next.0);
        let content = purpose.get(at + key.len()..end).unwrap_or_default().trim();
        match *key {
            "EREF+" if !content.eq_ignore_ascii_case("NOTPROVIDED") => line.reference = content.to_owned(),
            "SVWZ+" => line.text = content.to_owned(),
            _ => {}
        }
    }
}

/// `/EREF/R1/NAME/Acme/REMI/USTD//Text/IBAN/NL…/`: keys between slashes.
fn dutch(value: &str, line: &mut StatementLine) {
    const KEYS: [&str; 8] = [
        "/EREF/", "/NAME/", "/REMI/", "/IBAN/", "/BIC/", "/CNTP/", "/TRTP/", "/MARF/",
    ];
    let mut found: Vec<(usize, &str)> = KEYS
        .iter()
        .flat_map(|k| value.match_indices(k).map(|(at, _)| (at, *k)).take(1))
        .collect();
    found.sort();
    for (i, (at, key)) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(value.len(), |next| next.0);
        let content = value.get(at + key.len()..end).unwrap_or_default();
        let content = content.trim().trim_end_matches('/');
        match *key {
            "/EREF/" if !content.eq_ignore_ascii_case("NOTPROVIDED") => line.reference = content.to_owned(),
            "/NAME/" => line.counterparty = content.to_owned(),
            "/REMI/" => {
                line.text = content
                    .trim_start_matches("USTD//")
                    .trim_start_matches("STRD/")
                    .to_owned()
            }
            "/IBAN/" => line.counterparty_account = Some(content.to_owned()).filter(|a| !a.is_empty()),
            _ => {}
        }
    }
}

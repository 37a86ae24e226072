//! OFX and QFX (QFX is OFX with Intuit's extra elements), 1.x SGML and 2.x XML, bank and
//! credit-card statements: `STMTTRN`s with FITID (the line's bank id), LEDGERBAL the closing
//! balance (OFX states no opening balance).
//!
//! Written by hand. The `ofx-rs` crate (0.2.0, the one maintained OFX reader) was tried first
//! and does not fit: its SGML-to-XML step copies each byte as a `char`, so every non-ASCII letter
//! of a 1.x file comes out wrong (`Müller` → `MÃ¼ller`), and its text reader drops entity
//! references, so `Shop &amp; Co` comes out `ShopCo` in both versions — the sample files of our
//! tests showed both. One tolerant reader serves both versions here: SGML leaves are not closed,
//! so an element followed by text is a leaf and any closing tag of it is ignored; an aggregate
//! ends at its closing tag (or with its parent).
//!
//! The encoding is the header's: `CHARSET:1252` / `ISO-8859-1` (1.x) as Windows-1252, otherwise
//! UTF-8; a file that is not UTF-8 is read as Windows-1252.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::text::{self, BOM, shown};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;

/// Elements that are leaves even when empty (`<MEMO>` with nothing after it in SGML): never
/// taken for an aggregate.
const LEAVES: &[&str] = &[
    "MEMO",
    "NAME",
    "REFNUM",
    "CHECKNUM",
    "FITID",
    "PAYEEID",
    "SIC",
    "SRVRTID",
    "DTUSER",
    "DTAVAIL",
    "CORRECTFITID",
    "CORRECTACTION",
    "EXTDNAME",
    "INV401KSOURCE",
];

/// LEDGERBAL's amount and date as read, each with its line.
type Ledger = (Option<(String, usize)>, Option<(String, usize)>);

/// One leaf value: its tag, the value, its line.
struct Leaf {
    tag: String,
    value: String,
    line: usize,
}

#[derive(Default)]
struct Tx {
    line: usize,
    posted: Option<(String, usize)>,
    available: Option<(String, usize)>,
    amount: Option<(String, usize)>,
    fit_id: String,
    name: String,
    payee_name: String,
    memo: String,
    reference: String,
    check: String,
    currency: Option<String>,
    to_account: Option<String>,
}

pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, FormatError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let head = String::from_utf8_lossy(bytes.get(..1024).unwrap_or(bytes)).to_ascii_uppercase();
    let declared_1252 = head.contains("CHARSET:1252") || head.contains("CHARSET:ISO-8859-1");
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if !declared_1252 || text.is_ascii() => std::borrow::Cow::Borrowed(text),
        _ => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let source = text.as_bytes();
    let start = find_ignore_case(source, b"<OFX>")
        .ok_or_else(|| FormatError::statement(1, "OFX", "no <OFX> element: not an OFX file"))?;
    let mut statement = Statement {
        format: StatementFormat::Ofx,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines: Vec::new(),
    };
    let mut stack: Vec<String> = Vec::new();
    let mut tx: Option<Tx> = None;
    let mut line = text::line_at(source, start);
    let mut pos = start;
    let mut ledger: Ledger = (None, None);
    let mut any_statement = false;
    while let Some(open) = source.get(pos..).and_then(|r| r.iter().position(|&b| b == b'<')) {
        line += count_newlines(source.get(pos..pos + open).unwrap_or_default());
        let tag_start = pos + open + 1;
        let Some(close) = source.get(tag_start..).and_then(|r| r.iter().position(|&b| b == b'>')) else {
            return Err(FormatError::statement(
                line,
                "OFX",
                "a tag is never closed: the file is cut off",
            ));
        };
        let tag = text.get(tag_start..tag_start + close).unwrap_or_default().trim();
        line += count_newlines(tag.as_bytes());
        pos = tag_start + close + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue; // XML declaration, processing instruction, comment
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_uppercase();
            if let Some(at) = stack.iter().rposition(|s| *s == name) {
                while stack.len() > at {
                    let ended = stack.pop().unwrap_or_default();
                    end_aggregate(
                        &ended,
                        line,
                        &mut tx,
                        &mut statement,
                        &mut ledger,
                        &mut any_statement,
                        limits,
                    )?;
                }
            }
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        // The text up to the next tag: a leaf's value, or whitespace after an aggregate's tag.
        let text_end = source
            .get(pos..)
            .and_then(|r| r.iter().position(|&b| b == b'<'))
            .map_or(source.len(), |p| pos + p);
        let raw = text.get(pos..text_end).unwrap_or_default();
        let value = raw.trim();
        if value.len() > limits.max_line_bytes {
            return Err(FormatError::statement(
                line,
                name,
                format!("a value longer than {} bytes", limits.max_line_bytes),
            ));
        }
        if value.is_empty() {
            if LEAVES.contains(&name.as_str()) {
                continue;
            }
            stack.push(name.clone());
            if name == "STMTTRN" {
                if statement.lines.len() >= limits.max_lines {
                    return Err(FormatError::TooManyLines {
                        line,
                        limit: limits.max_lines,
                    });
                }
                tx = Some(Tx { line, ..Tx::default() });
            }
            continue;
        }
        let leaf = Leaf {
            tag: name,
            value: unescape(value),
            line,
        };
        let parent = stack.last().map_or("", String::as_str);
        let grandparent = stack
            .len()
            .checked_sub(2)
            .and_then(|i| stack.get(i))
            .map_or("", String::as_str);
        set_leaf(&leaf, parent, grandparent, &mut tx, &mut statement, &mut ledger);
    }
    while let Some(ended) = stack.pop() {
        if ended != "OFX" {
            return Err(FormatError::statement(
                line,
                ended.clone(),
                format!("the file ends inside <{ended}>: it is cut off"),
            ));
        }
        end_aggregate(
            &ended,
            line,
            &mut tx,
            &mut statement,
            &mut ledger,
            &mut any_statement,
            limits,
        )?;
    }
    if !any_statement {
        return Err(FormatError::statement(
            line,
            "STMTRS",
            "the OFX file holds no bank or credit-card statement",
        ));
    }
    Ok(statement)
}

fn set_leaf(
    leaf: &Leaf,
    parent: &str,
    grandparent: &str,
    tx: &mut Option<Tx>,
    statement: &mut Statement,
    ledger: &mut Ledger,
) {
    let value = leaf.value.clone();
    if let Some(t) = tx.as_mut() {
        match (grandparent, parent, leaf.tag.as_str()) {
            (_, "STMTTRN", "DTPOSTED") => t.posted = Some((value, leaf.line)),
            (_, "STMTTRN", "DTAVAIL") => t.available = Some((value, leaf.line)),
            (_, "STMTTRN", "TRNAMT") => t.amount = Some((value, leaf.line)),
            (_, "STMTTRN", "FITID") => t.fit_id = value,
            (_, "STMTTRN", "NAME") => t.name = value,
            (_, "PAYEE", "NAME") => t.payee_name = value,
            (_, "STMTTRN", "MEMO") => t.memo = value,
            (_, "STMTTRN", "REFNUM") => t.reference = value,
            (_, "STMTTRN", "CHECKNUM") => t.check = value,
            (_, "CURRENCY" | "ORIGCURRENCY", "CURSYM") => t.currency = Some(value),
            (_, "BANKACCTTO" | "CCACCTTO", "ACCTID") => t.to_account = Some(value),
            _ => {}
        }
        return;
    }
    match (grandparent, parent, leaf.tag.as_str()) {
        (_, "STMTRS" | "CCSTMTRS", "CURDEF") => {
            statement.currency.get_or_insert(value);
        }
        (_, "BANKACCTFROM" | "CCACCTFROM", "ACCTID") => {
            statement.account.get_or_insert(value);
        }
        (_, "LEDGERBAL", "BALAMT") => ledger.0 = Some((value, leaf.line)),
        (_, "LEDGERBAL", "DTASOF") => ledger.1 = Some((value, leaf.line)),
        _ => {}
    }
}

fn end_aggregate(
    name: &str,
    at: usize,
    tx: &mut Option<Tx>,
    statement: &mut Statement,
    ledger: &mut Ledger,
    any_statement: &mut bool,
    limits: &Limits,
) -> Result<(), FormatError> {
    match name {
        "STMTTRN" => {
            if let Some(t) = tx.take() {
                if statement.lines.len() >= limits.max_lines {
                    return Err(FormatError::TooManyLines {
                        line: t.line,
                        limit: limits.max_lines,
                    });
                }
                statement.lines.push(line(t)?);
            }
        }
        "LEDGERBAL" => {
            let (amount, date) = std::mem::take(ledger);
            let (amount, line) = amount.ok_or_else(|| FormatError::statement(at, "BALAMT", "missing in LEDGERBAL"))?;
            let (date, date_line) =
                date.ok_or_else(|| FormatError::statement(line, "DTASOF", "missing in LEDGERBAL"))?;
            statement.closing = Some(StatementBalance {
                date: ofx_date(&date, date_line, "DTASOF")?,
                amount: ofx_amount(&amount, line, "BALAMT")?,
            });
        }
        "STMTRS" | "CCSTMTRS" => *any_statement = true,
        _ => {}
    }
    Ok(())
}

fn line(t: Tx) -> Result<StatementLine, FormatError> {
    let (posted, posted_line) = t
        .posted
        .ok_or_else(|| FormatError::statement(t.line, "DTPOSTED", "missing"))?;
    let (amount, amount_line) = t
        .amount
        .ok_or_else(|| FormatError::statement(t.line, "TRNAMT", "missing"))?;
    let value_date = match t.available {
        Some((d, l)) => Some(ofx_date(&d, l, "DTAVAIL")?),
        None => None,
    };
    let counterparty = if t.name.is_empty() { t.payee_name } else { t.name };
    Ok(StatementLine {
        row: t.line,
        date: ofx_date(&posted, posted_line, "DTPOSTED")?,
        value_date,
        amount: ofx_amount(&amount, amount_line, "TRNAMT")?,
        currency: t.currency,
        // MEMO is the description; a line with only a NAME has it as its text too.
        text: if t.memo.is_empty() {
            counterparty.clone()
        } else {
            t.memo
        },
        counterparty,
        counterparty_account: t.to_account,
        reference: if t.reference.is_empty() { t.check } else { t.reference },
        bank_id: Some(t.fit_id).filter(|id| !id.is_empty()),
    })
}

/// `YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]`: the calendar date as written (in the bank's offset).
fn ofx_date(raw: &str, line: usize, field: &str) -> Result<Date, FormatError> {
    text::digits(raw, 0, 4)
        .zip(text::digits(raw, 4, 2))
        .zip(text::digits(raw, 6, 2))
        .and_then(|((y, m), d)| text::ymd(y, m, d))
        .ok_or_else(|| FormatError::statement(line, field, format!("{} is not a date", shown(raw))))
}

/// OFX amounts use `.`; some banks write `,` instead (then without thousands separators).
fn ofx_amount(raw: &str, line: usize, field: &str) -> Result<Decimal, FormatError> {
    let decimal = if raw.contains(',') && !raw.contains('.') {
        ','
    } else {
        '.'
    };
    let plain = raw
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+' | b' '));
    plain
        .then(|| text::parse_amount(raw, decimal))
        .flatten()
        .ok_or_else(|| FormatError::statement(line, field, format!("{} is not an amount", shown(raw))))
}

/// XML's five entities and character references; a bare `&` (common in SGML files) stays.
fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        rest = rest.get(at..).unwrap_or_default();
        let entity = rest
            .get(1..)
            .and_then(|r| r.find(';').filter(|&e| e <= 10).and_then(|e| r.get(..e)));
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = rest.get(e.len() + 2..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = rest.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

//! ISO 20022 bank-to-customer statements: CAMT.053 (`BkToCstmrStmt/Stmt`) and CAMT.052
//! (`BkToCstmrAcctRpt/Rpt`), any `camt.05x.001.xx` version, read with quick-xml's pull reader.
//!
//! Elements are matched by their local name and their path, never by namespace, so one reader
//! serves every schema version (.02 to .13 differ in the elements we read only by `Pty` around a
//! party's name). Balances: `OPBD` or `PRCD` opens, `CLBD` closes (`CdtDbtInd` `DBIT` makes it
//! negative). Each `Ntry` is one line: `Amt`, `CdtDbtInd`, `BookgDt`, `ValDt`, `AcctSvcrRef` (the
//! bank id), and from `NtryDtls/TxDtls` the remittance text (`RmtInf/Ustrd`, else the structured
//! creditor reference), the other party (the debtor of money in, the creditor of money out: `Nm`
//! and `IBAN`) and `Refs/EndToEndId`.
//!
//! Not serde (the format module stays free of it, `tests/domain_purity.rs`), and no DTD: a
//! `<!DOCTYPE` is refused outright, and an entity other than XML's five and character references
//! is an error, so no entity is ever expanded (billion laughs, external entities).

use std::borrow::Cow;
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;

use super::text::{self, BOM, shown};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;

/// Deeper than any CAMT file nests (about 12): a bound on the path kept in memory.
const MAX_DEPTH: usize = 64;

#[derive(Default)]
struct Entry {
    line: usize,
    amount: Option<(String, Option<String>)>,
    credit: Option<String>,
    booking: Option<String>,
    value: Option<String>,
    bank_ref: Option<String>,
    tx_bank_ref: Option<String>,
    texts: Vec<String>,
    structured_ref: Option<String>,
    end_to_end: Option<String>,
    debtor: Option<String>,
    debtor_account: Option<String>,
    creditor: Option<String>,
    creditor_account: Option<String>,
    additional: Option<String>,
}

#[derive(Default)]
struct Balance {
    line: usize,
    code: Option<String>,
    amount: Option<String>,
    credit: Option<String>,
    date: Option<String>,
}

pub(super) fn parse(bytes: &[u8], format: StatementFormat, limits: &Limits) -> Result<Statement, FormatError> {
    let text = decode(bytes)?;
    let source = text.as_bytes();
    let mut reader = Reader::from_str(&text);
    let mut lines = Lines::default();
    let mut stack: Vec<String> = Vec::new();
    let mut value = String::new();
    let mut entry: Option<Entry> = None;
    let mut balance: Option<Balance> = None;
    let mut amount_currency: Option<String> = None;
    let mut statement = Statement {
        format,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines: Vec::new(),
    };
    loop {
        // Where the event starts: the line a refusal names.
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let line = text::line_at(source, usize::try_from(reader.error_position()).unwrap_or(0));
            FormatError::statement(
                line,
                stack.last().map_or("XML", |s| s.as_str()),
                format!("not well-formed XML: {e}"),
            )
        })?;
        match event {
            Event::DocType(_) => {
                return Err(FormatError::statement(
                    lines.at(source, at),
                    "DOCTYPE",
                    "a document type declaration is not allowed in a statement (it could define entities)",
                ));
            }
            Event::Start(e) => {
                open(&e, &mut stack, &mut value, &mut amount_currency, lines.at(source, at))?;
                on_start(&stack, &mut entry, &mut balance, &mut lines, source, at);
                if entry.is_some() && stack.last().is_some_and(|s| s == "Ntry") {
                    count(&statement, limits, entry.as_ref().map_or(0, |e| e.line))?;
                }
            }
            Event::Empty(e) => {
                open(&e, &mut stack, &mut value, &mut amount_currency, lines.at(source, at))?;
                on_start(&stack, &mut entry, &mut balance, &mut lines, source, at);
                on_end(
                    &stack,
                    &mut value,
                    &mut entry,
                    &mut balance,
                    &mut amount_currency,
                    &mut statement,
                )?;
                stack.pop();
            }
            Event::End(_) => {
                on_end(
                    &stack,
                    &mut value,
                    &mut entry,
                    &mut balance,
                    &mut amount_currency,
                    &mut statement,
                )?;
                stack.pop();
            }
            Event::Text(t) => {
                let part = t
                    .decode()
                    .map_err(|e| FormatError::statement(lines.at(source, at), current(&stack), e.to_string()))?;
                value.push_str(&part);
            }
            Event::CData(t) => {
                let part = t
                    .decode()
                    .map_err(|e| FormatError::statement(lines.at(source, at), current(&stack), e.to_string()))?;
                value.push_str(&part);
            }
            Event::GeneralRef(r) => {
                let name = r
                    .decode()
                    .map_err(|e| FormatError::statement(lines.at(source, at), current(&stack), e.to_string()))?;
                let c = match name.as_ref() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "apos" => Some('\''),
                    "quot" => Some('"'),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                let Some(c) = c else {
                    return Err(FormatError::statement(
                        lines.at(source, at),
                        current(&stack),
                        format!("the entity &{name}; is not allowed (only XML's own and character references)"),
                    ));
                };
                value.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
        if value.len() > limits.max_line_bytes {
            return Err(FormatError::statement(
                lines.at(source, at),
                current(&stack),
                format!("a value longer than {} bytes", limits.max_line_bytes),
            ));
        }
    }
    if let Some(open) = stack.last() {
        return Err(FormatError::statement(
            text::line_at(source, source.len()),
            open.clone(),
            format!("the file ends inside <{open}>: it is cut off"),
        ));
    }
    if statement.lines.is_empty() && statement.opening.is_none() && statement.closing.is_none() {
        return Err(FormatError::statement(
            1,
            "Stmt",
            "the file holds no statement or report",
        ));
    }
    Ok(statement)
}

fn current(stack: &[String]) -> String {
    stack.last().cloned().unwrap_or_else(|| "XML".into())
}

fn count(statement: &Statement, limits: &Limits, line: usize) -> Result<(), FormatError> {
    if statement.lines.len() >= limits.max_lines {
        return Err(FormatError::TooManyLines {
            line,
            limit: limits.max_lines,
        });
    }
    Ok(())
}

/// UTF-8, as ISO 20022 files are; a file declaring another encoding is decoded from it.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FormatError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let head = String::from_utf8_lossy(bytes.get(..200).unwrap_or(bytes)).into_owned();
            let label = head
                .split_once("encoding=")
                .and_then(|(_, rest)| rest.get(1..))
                .and_then(|rest| rest.split(['"', '\'']).next())
                .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
                .filter(|encoding| *encoding != encoding_rs::UTF_8);
            match label {
                Some(encoding) => Ok(encoding.decode_without_bom_handling(bytes).0),
                None => Err(FormatError::statement(
                    text::line_at(bytes, e.valid_up_to()),
                    "encoding",
                    "the file is not UTF-8 text",
                )),
            }
        }
    }
}

/// Lines counted forwards as the reader moves.
#[derive(Default)]
struct Lines {
    offset: usize,
    line: usize,
}

impl Lines {
    fn at(&mut self, source: &[u8], offset: usize) -> usize {
        if self.line == 0 {
            self.line = 1;
        }
        let offset = offset.min(source.len());
        if offset > self.offset {
            let between = source.get(self.offset..offset).unwrap_or_default();
            self.line += between.iter().filter(|&&b| b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

fn open(
    e: &BytesStart<'_>,
    stack: &mut Vec<String>,
    value: &mut String,
    amount_currency: &mut Option<String>,
    line: usize,
) -> Result<(), FormatError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    if stack.len() >= MAX_DEPTH {
        return Err(FormatError::statement(
            line,
            name,
            "elements nested deeper than any statement",
        ));
    }
    if name == "Amt" {
        *amount_currency = e.try_get_attribute("Ccy").ok().flatten().and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_owned())
        });
    }
    stack.push(name);
    value.clear();
    Ok(())
}

fn on_start(
    stack: &[String],
    entry: &mut Option<Entry>,
    balance: &mut Option<Balance>,
    lines: &mut Lines,
    source: &[u8],
    at: usize,
) {
    match stack.last().map(String::as_str) {
        Some("Ntry") => {
            *entry = Some(Entry {
                line: lines.at(source, at),
                ..Entry::default()
            });
        }
        Some("Bal") if entry.is_none() => {
            *balance = Some(Balance {
                line: lines.at(source, at),
                ..Balance::default()
            });
        }
        _ => {}
    }
}

/// The path below the last `name` in the stack, if `name` is in it.
fn below<'a>(stack: &'a [String], name: &str) -> Option<Vec<&'a str>> {
    let at = stack.iter().rposition(|s| s == name)?;
    Some(stack.get(at + 1..)?.iter().map(String::as_str).collect())
}

fn on_end(
    stack: &[String],
    value: &mut String,
    entry: &mut Option<Entry>,
    balance: &mut Option<Balance>,
    amount_currency: &mut Option<String>,
    statement: &mut Statement,
) -> Result<(), FormatError> {
    let text = std::mem::take(value).trim().to_owned();
    let set = |slot: &mut Option<String>| {
        if slot.is_none() && !text.is_empty() {
            *slot = Some(text.clone());
        }
    };
    if let (Some(e), Some(path)) = (entry.as_mut(), below(stack, "Ntry")) {
        match path.as_slice() {
            [] => {
                if let Some(done) = entry.take() {
                    statement.lines.push(line(done)?);
                }
            }
            ["Amt"] => e.amount = Some((text.clone(), amount_currency.take())),
            ["CdtDbtInd"] => set(&mut e.credit),
            ["BookgDt", "Dt" | "DtTm"] => set(&mut e.booking),
            ["ValDt", "Dt" | "DtTm"] => set(&mut e.value),
            ["AcctSvcrRef"] => set(&mut e.bank_ref),
            ["AddtlNtryInf"] => set(&mut e.additional),
            ["NtryDtls", "TxDtls", tx @ ..] => match tx {
                ["RmtInf", "Ustrd"] if !text.is_empty() => e.texts.push(text.clone()),
                ["RmtInf", "Strd", .., "CdtrRefInf", "Ref"] => set(&mut e.structured_ref),
                ["Refs", "EndToEndId"] if !text.eq_ignore_ascii_case("NOTPROVIDED") => set(&mut e.end_to_end),
                ["Refs", "AcctSvcrRef"] => set(&mut e.tx_bank_ref),
                ["RltdPties", "Dbtr", "Nm"] | ["RltdPties", "Dbtr", "Pty", "Nm"] => set(&mut e.debtor),
                ["RltdPties", "Cdtr", "Nm"] | ["RltdPties", "Cdtr", "Pty", "Nm"] => set(&mut e.creditor),
                ["RltdPties", "DbtrAcct", "Id", "IBAN"] | ["RltdPties", "DbtrAcct", "Id", "Othr", "Id"] => {
                    set(&mut e.debtor_account)
                }
                ["RltdPties", "CdtrAcct", "Id", "IBAN"] | ["RltdPties", "CdtrAcct", "Id", "Othr", "Id"] => {
                    set(&mut e.creditor_account)
                }
                ["AddtlTxInf"] => set(&mut e.additional),
                _ => {}
            },
            _ => {}
        }
        return Ok(());
    }
    if let (Some(b), Some(path)) = (balance.as_mut(), below(stack, "Bal")) {
        match path.as_slice() {
            [] => {
                if let Some(done) = balance.take() {
                    add_balance(done, statement)?;
                }
            }
            ["Tp", "CdOrPrtry", "Cd"] => set(&mut b.code),
            ["Amt"] => set(&mut b.amount),
            ["CdtDbtInd"] => set(&mut b.credit),
            ["Dt", "Dt" | "DtTm"] => set(&mut b.date),
            _ => {}
        }
        return Ok(());
    }
    let tail: Vec<&str> = stack.iter().rev().take(4).rev().map(String::as_str).collect();
    match tail.as_slice() {
        [.., "Acct", "Id", "IBAN"] | [.., "Acct", "Id", "Othr", "Id"]
            if statement.account.is_none() && !text.is_empty() =>
        {
            statement.account = Some(text);
        }
        [.., "Acct", "Ccy"] if statement.currency.is_none() && !text.is_empty() => {
            statement.currency = Some(text);
        }
        _ => {}
    }
    Ok(())
}

fn decimal(raw: Option<&str>, line: usize, field: &str) -> Result<Decimal, FormatError> {
    let raw = raw.ok_or_else(|| FormatError::statement(line, field, "missing"))?;
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(FormatError::statement(
            line,
            field,
            format!("{} is not an amount", shown(raw)),
        ));
    }
    Decimal::from_str(raw).map_err(|_| FormatError::statement(line, field, format!("{} is not an amount", shown(raw))))
}

fn sign(indicator: Option<&str>, line: usize) -> Result<Decimal, FormatError> {
    match indicator {
        Some("CRDT") => Ok(Decimal::ONE),
        Some("DBIT") => Ok(Decimal::NEGATIVE_ONE),
        Some(other) => Err(FormatError::statement(
            line,
            "CdtDbtInd",
            format!("{} is neither CRDT nor DBIT", shown(other)),
        )),
        None => Err(FormatError::statement(line, "CdtDbtInd", "missing")),
    }
}

fn date(raw: Option<&str>, line: usize, field: &str) -> Result<jiff::civil::Date, FormatError> {
    let raw = raw.ok_or_else(|| FormatError::statement(line, field, "missing"))?;
    text::iso_date(raw).ok_or_else(|| FormatError::statement(line, field, format!("{} is not a date", shown(raw))))
}

fn line(e: Entry) -> Result<StatementLine, FormatError> {
    let (amount_text, currency) = e.amount.clone().unzip();
    let amount = decimal(amount_text.as_deref(), e.line, "Amt")?;
    let sign = sign(e.credit.as_deref(), e.line)?;
    let booking = e.booking.as_deref().or(e.value.as_deref());
    let date = date(booking, e.line, "BookgDt")?;
    let value_date = match e.value.as_deref() {
        Some(v) => Some(self::date(Some(v), e.line, "ValDt")?),
        None => None,
    };
    // The other party: who paid money in, whom money out was paid to.
    let (party, account) = if sign.is_sign_positive() {
        (e.debtor, e.debtor_account)
    } else {
        (e.creditor, e.creditor_account)
    };
    let text = if e.texts.is_empty() {
        e.additional.clone().unwrap_or_default()
    } else {
        e.texts.join(" ")
    };
    Ok(StatementLine {
        row: e.line,
        date,
        value_date,
        amount: sign * amount,
        currency: currency.flatten(),
        text,
        counterparty: party.unwrap_or_default(),
        counterparty_account: account,
        reference: e.end_to_end.or(e.structured_ref).unwrap_or_default(),
        bank_id: e.bank_ref.or(e.tx_bank_ref),
    })
}

fn add_balance(b: Balance, statement: &mut Statement) -> Result<(), FormatError> {
    let code = b.code.as_deref().unwrap_or_default();
    if !matches!(code, "OPBD" | "PRCD" | "CLBD") {
        return Ok(()); // available, interim and forward balances are not checked against lines
    }
    let amount = sign(b.credit.as_deref(), b.line)? * decimal(b.amount.as_deref(), b.line, "Amt")?;
    let balance = StatementBalance {
        date: date(b.date.as_deref(), b.line, "Dt")?,
        amount,
    };
    if code == "CLBD" {
        statement.closing = Some(balance);
    } else if statement.opening.is_none() {
        statement.opening = Some(balance);
    }
    Ok(())
}

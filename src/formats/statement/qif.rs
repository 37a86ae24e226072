//! QIF (Quicken Interchange Format), the bank, cash and card sections: records of one-letter
//! lines (`D` date, `T`/`U` amount, `P` payee, `M` memo, `N` number, `L` category) ended by `^`.
//!
//! Written by hand: the `qif_parser` crate's 0.6 needs rustc 1.98 (we build on 1.95) and its 0.4
//! keeps amounts as `f64`, which money never is here; the format is a few line types.
//! QIF states no balances but an "Opening Balance" record, which is taken as the opening balance.
//! Dates come as `M/D/Y` (Quicken US), `D/M/Y` or `D.M.Y` (European exports) or `Y-M-D`, with
//! `'` before a year after 1999 (`1/ 2'26`); which of day and month comes first is decided once
//! for the file, by a first number above 12. Amounts take `.` or `,` as the decimal mark.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::text::{self, shown};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;

/// One record, as its lines say it.
#[derive(Default)]
struct Record<'a> {
    line: usize,
    date: Option<(usize, &'a str)>,
    amount: Option<(usize, &'a str)>,
    payee: &'a str,
    memo: &'a str,
    number: &'a str,
    category: &'a str,
    any: bool,
}

pub(super) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, FormatError> {
    text::check_lines(bytes, limits)?;
    let text = text::decode_lenient(bytes);
    let mut records = Vec::new();
    let mut record = Record::default();
    // Records outside a bank, cash or card section (categories, classes, the account list,
    // investments) are skipped.
    let mut in_bank_section = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        let Some(kind) = raw.chars().next() else {
            continue;
        };
        let value = raw.get(kind.len_utf8()..).unwrap_or_default().trim();
        if kind == '!' {
            let header = raw.to_ascii_lowercase();
            if let Some(kind) = header.strip_prefix("!type:") {
                in_bank_section = matches!(kind.trim(), "bank" | "cash" | "ccard" | "oth a" | "oth l");
            } else if header.starts_with("!account") {
                in_bank_section = false;
            }
            continue;
        }
        if kind == '^' {
            if in_bank_section && record.any {
                records.push(std::mem::take(&mut record));
            }
            record = Record::default();
            continue;
        }
        if !record.any {
            record.line = line;
            record.any = true;
        }
        match kind {
            'D' => record.date = Some((line, value)),
            // T is the amount; U (the same, in some exports) only when there is no T.
            'T' | 'U' if record.amount.is_none() || kind == 'T' => {
                record.amount = Some((line, value));
            }
            'P' => record.payee = value,
            'M' => record.memo = value,
            'N' => record.number = value,
            'L' => record.category = value,
            _ => {} // address, splits, cleared flag: not a statement's business
        }
    }
    // A file cut after its last record's lines, without the final `^`.
    if in_bank_section && record.any {
        records.push(record);
    }
    let day_first = records.iter().filter_map(|r| r.date).any(|(_, d)| {
        let first = d.split(['/', '.', '-']).next().unwrap_or_default().trim();
        first.len() <= 2 && first.parse::<u32>().is_ok_and(|n| n > 12)
    });
    let mut statement = Statement {
        format: StatementFormat::Qif,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines: Vec::with_capacity(records.len()),
    };
    for r in records {
        let (date_line, date_text) = r
            .date
            .ok_or_else(|| FormatError::statement(r.line, "D", "the record has no date"))?;
        let date = qif_date(date_text, day_first)
            .ok_or_else(|| FormatError::statement(date_line, "D", format!("{} is not a date", shown(date_text))))?;
        let (amount_line, amount_text) = r
            .amount
            .ok_or_else(|| FormatError::statement(r.line, "T", "the record has no amount"))?;
        let amount = qif_amount(amount_text).ok_or_else(|| {
            FormatError::statement(amount_line, "T", format!("{} is not an amount", shown(amount_text)))
        })?;
        if r.payee.eq_ignore_ascii_case("Opening Balance") && r.category.starts_with('[') {
            statement.opening = Some(StatementBalance { date, amount });
            continue;
        }
        statement.lines.push(StatementLine {
            row: r.line,
            date,
            value_date: None,
            amount,
            currency: None,
            text: if r.memo.is_empty() { r.payee } else { r.memo }.to_owned(),
            counterparty: r.payee.to_owned(),
            counterparty_account: None,
            reference: r.number.to_owned(),
            bank_id: None,
        });
    }
    Ok(statement)
}

/// A QIF date: `M/D/Y`, `D/M/Y`, `D.M.Y`, `Y-M-D`, the year in two or four digits, after `/`
/// or `'` (Quicken writes `1/ 2'26` for 2026), spaces allowed around the numbers.
fn qif_date(raw: &str, day_first: bool) -> Option<Date> {
    let raw = raw.trim();
    if let Some(date) = text::iso_date(raw) {
        return Some(date);
    }
    let parts: Vec<&str> = raw.split(['/', '.', '-', '\'']).map(str::trim).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (a, b, mut year) = (number(a)?, number(b)?, number(y)?);
    if y.len() <= 2 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let day_first = day_first || raw.contains('.');
    let (day, month) = if day_first { (a, b) } else { (b, a) };
    text::ymd(year, month, day)
}

/// A QIF amount: the last of `.` and `,` is the decimal mark when one or two digits follow it
/// (`-1,234.56`, `-1.234,56`, `12,5`); a lone separator before three digits groups thousands.
fn qif_amount(raw: &str) -> Option<Decimal> {
    let raw = raw.trim();
    let last = raw.rfind(['.', ',']);
    let decimal = match last {
        Some(at) => {
            let after = raw.len() - at - 1;
            let mark = raw.get(at..=at).unwrap_or(".");
            let other_seen = raw.get(..at).is_some_and(|b| b.contains(['.', ',']));
            if after <= 2 || other_seen || after > 3 {
                mark.chars().next().unwrap_or('.')
            } else if mark == "," {
                '.' // "1,234": thousands
            } else {
                ','
            }
        }
        None => '.',
    };
    text::parse_amount(raw, decimal)
}

#[cfg(test)]
mod unit {
    #![allow(clippy::unwrap_used)]
    use std::str::FromStr;

    use super::*;

    #[test]
    fn dates_and_amounts_as_quicken_writes_them() {
        assert_eq!(qif_date("1/ 2'26", false), Some(jiff::civil::date(2026, 1, 2)));
        assert_eq!(qif_date("01/02/2026", true), Some(jiff::civil::date(2026, 2, 1)));
        assert_eq!(qif_date("02.01.2026", false), Some(jiff::civil::date(2026, 1, 2)));
        assert_eq!(qif_date("2026-01-02", false), Some(jiff::civil::date(2026, 1, 2)));
        assert_eq!(qif_date("13/13/2026", false), None);
        let d = |s: &str| Some(Decimal::from_str(s).unwrap());
        assert_eq!(qif_amount("-1,234.56"), d("-1234.56"));
        assert_eq!(qif_amount("-1.234,56"), d("-1234.56"));
        assert_eq!(qif_amount("1,234"), d("1234"));
        assert_eq!(qif_amount("12,5"), d("12.5"));
        assert_eq!(qif_amount("x"), None);
    }
}

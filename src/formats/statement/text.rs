//! What the statement parsers share: the line limits checked on raw bytes, text decoding, and
//! amounts and dates as banks write them.

use std::borrow::Cow;
use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Limits;
use crate::formats::FormatError;

pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks a line format's lines against the limits on the raw bytes, before anything is decoded
/// or copied: a 1 GB line is refused by its number after one scan, never read into a `String`.
pub(super) fn check_lines(bytes: &[u8], limits: &Limits) -> Result<(), FormatError> {
    let mut line = 0usize;
    let mut rest = bytes;
    while !rest.is_empty() {
        line += 1;
        if line > limits.max_lines {
            return Err(FormatError::TooManyLines {
                line,
                limit: limits.max_lines,
            });
        }
        let end = rest.iter().position(|&b| b == b'\n');
        let len = end.unwrap_or(rest.len());
        if len > limits.max_line_bytes {
            return Err(FormatError::LineTooLong {
                line,
                limit: limits.max_line_bytes,
            });
        }
        rest = match end {
            Some(end) => rest.get(end + 1..).unwrap_or_default(),
            None => &[],
        };
    }
    Ok(())
}

/// Text of a format without a declared encoding (QIF, MT940): UTF-8 when it is, else
/// Windows-1252, which every byte decodes in (the usual encoding of such files from banks).
pub(super) fn decode_lenient(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The line (from 1) of a byte offset.
pub(super) fn line_at(bytes: &[u8], offset: usize) -> usize {
    let upto = bytes.get(..offset).unwrap_or(bytes);
    1 + upto.iter().filter(|&&b| b == b'\n').count()
}

/// An amount as a bank writes it: `decimal` is the decimal mark (`.` or `,`); the other mark,
/// spaces, apostrophes and a currency sign or code are thousands separators or decoration and are
/// dropped. A sign may lead or trail (`-25,50`, `25,50-`), or the amount may be in parentheses.
/// `None` when what is left is no decimal number.
pub(super) fn parse_amount(raw: &str, decimal: char) -> Option<Decimal> {
    let mut s = raw.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    s = currency_code_stripped(s);
    let mut digits = String::with_capacity(s.len());
    let mut seen_digit = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                seen_digit = true;
                digits.push(c);
            }
            '-' | '\u{2212}' if !negative => negative = true,
            '+' => {}
            c if c == decimal => digits.push('.'),
            '.' | ',' | ' ' | '\'' | '\u{a0}' | '\u{202f}' | '€' | '$' | '£' => {}
            _ => return None,
        }
    }
    if !seen_digit || digits.matches('.').count() > 1 {
        return None;
    }
    let value = Decimal::from_str(&digits).ok()?;
    Some(if negative { -value } else { value })
}

/// `s` without a leading or trailing three-letter currency code (`EUR 12.00`, `12.00 EUR`).
fn currency_code_stripped(s: &str) -> &str {
    let is_code = |code: Option<&str>| code.is_some_and(|c| c.bytes().all(|b| b.is_ascii_uppercase()));
    if s.len() > 3 && is_code(s.get(..3)) {
        return s.get(3..).unwrap_or(s).trim();
    }
    if s.len() > 3 && is_code(s.get(s.len() - 3..)) {
        return s.get(..s.len() - 3).unwrap_or(s).trim();
    }
    s
}

/// A date from its parts, `None` if there is no such day.
pub(super) fn ymd(year: i64, month: i64, day: i64) -> Option<Date> {
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// `len` ASCII digits at `at` as a number.
pub(super) fn digits(s: &str, at: usize, len: usize) -> Option<i64> {
    let part = s.get(at..at + len)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// `YYYY-MM-DD` at the start of `s` (ISO 8601, also the start of a date-time).
pub(super) fn iso_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.get(4..5) != Some("-") || s.get(7..8) != Some("-") {
        return None;
    }
    ymd(digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?)
}

/// A value cut to `max` characters for an error message, so a hostile value is not echoed whole.
pub(super) fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() > MAX {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod unit {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn amounts_as_banks_write_them() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(parse_amount("1.234,56", ','), Some(d("1234.56")));
        assert_eq!(parse_amount("-1,234.56", '.'), Some(d("-1234.56")));
        assert_eq!(parse_amount("25,50-", ','), Some(d("-25.50")));
        assert_eq!(parse_amount("(12.00)", '.'), Some(d("-12.00")));
        assert_eq!(parse_amount("EUR 12.00", '.'), Some(d("12.00")));
        assert_eq!(parse_amount("1 000,5", ','), Some(d("1000.5")));
        assert_eq!(parse_amount("", '.'), None);
        assert_eq!(parse_amount("1,2,3", ','), None);
        assert_eq!(parse_amount("abc", '.'), None);
    }

    #[test]
    fn a_long_line_is_named_by_its_number() {
        let limits = Limits {
            max_bytes: 1000,
            max_line_bytes: 10,
            max_lines: 5,
        };
        assert_eq!(check_lines(b"a\nbb\n", &limits), Ok(()));
        assert_eq!(
            check_lines(b"a\nbb\n0123456789ab\n", &limits),
            Err(FormatError::LineTooLong { line: 3, limit: 10 })
        );
        assert_eq!(
            check_lines(b"1\n2\n3\n4\n5\n6", &limits),
            Err(FormatError::TooManyLines { line: 6, limit: 5 })
        );
    }
}

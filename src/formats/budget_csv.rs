//! A budget pasted or imported as text: one line per account, its code then twelve monthly
//! amounts (month 1 = the first month of the budget's fiscal year), an optional thirteenth
//! column holding the line's total (checked against the months). Comma-separated (RFC 4180),
//! semicolon-separated, or tab-separated as a spreadsheet puts it on the clipboard; the
//! separator is the first line's (tab, else `;`, else `,`). A first line whose amount cells are
//! not numbers is a header and skipped. Amounts: `1234.50`, `1,234.50`, `1.234,50`, `1234,50`,
//! `(100.00)` for −100; a blank cell is 0.
//!
//! Every line's problems are collected (`Parsed::problems`, by line and field), so a preview can
//! name them all; only a file that is not text or not CSV at all is a [`FormatError`].

use rust_decimal::Decimal;

use super::FormatError;
use super::table::{self, Dialect};

/// The largest text taken (the API's body limit and the CLI's).
pub const MAX_BYTES: usize = 1 << 20;
/// The most lines taken (a chart has far fewer accounts).
pub const MAX_LINES: usize = 10_000;
/// Months per line.
pub const MONTHS: usize = 12;

/// One line as read: the row it is on (from 1, the header counted), the account code, the
/// twelve amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub row: usize,
    pub code: String,
    pub amounts: [Decimal; MONTHS],
}

/// A problem of one line: `field` is `code`, `month_1` … `month_12`, `total` or `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// The lines read and the problems found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub lines: Vec<Line>,
    pub problems: Vec<Problem>,
}

/// The separator of `bytes`: the first non-blank line's tab, else its `;`, else `,`.
fn dialect(bytes: &[u8]) -> Dialect {
    let first = bytes
        .split(|b| *b == b'\n' || *b == b'\r')
        .find(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or_default();
    if first.contains(&b'\t') {
        Dialect { delimiter: b'\t' }
    } else if first.contains(&b';') {
        Dialect::SEMICOLON
    } else {
        Dialect::COMMA
    }
}

/// An amount cell → a decimal; blank is 0.
pub fn amount(cell: &str) -> Result<Decimal, String> {
    let mut t: String = cell
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '_'))
        .collect();
    if t.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let bad = || format!("\"{}\" is not an amount.", cell.trim());
    let negative = t.starts_with('(') && t.ends_with(')');
    if negative {
        t = t[1..t.len() - 1].to_owned();
    }
    let (comma, dot) = (t.rfind(','), t.rfind('.'));
    let plain = match (comma, dot) {
        (Some(c), Some(d)) if c > d => t.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => t.replace(',', ""),
        (Some(_), None) if grouped(&t) => t.replace(',', ""),
        (Some(_), None) => t.replace(',', "."),
        _ => t,
    };
    if plain.is_empty() || plain.contains(['e', 'E']) || plain.matches('.').count() > 1 {
        return Err(bad());
    }
    let v: Decimal = plain.parse().map_err(|_| bad())?;
    Ok(if negative { -v } else { v })
}

/// `1,234` or `12,345,678`: commas every three digits (thousands), not a decimal comma.
fn grouped(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let mut parts = t.split(',');
    let head = parts.next().unwrap_or_default();
    (1..=3).contains(&head.len())
        && head.chars().all(|c| c.is_ascii_digit())
        && parts.all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
        && t.contains(',')
}

/// Reads the lines of a pasted budget. See the module's comment for the layout.
pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    if bytes.len() > MAX_BYTES {
        return Err(FormatError::Malformed {
            row: 1,
            message: format!("the text is larger than {} MiB", MAX_BYTES >> 20),
        });
    }
    let records = table::read(bytes, dialect(bytes))?;
    if records.is_empty() {
        return Err(FormatError::Empty { format: "budget" });
    }
    if records.len() > MAX_LINES + 1 {
        return Err(FormatError::Malformed {
            row: MAX_LINES + 2,
            message: format!("more than {MAX_LINES} lines"),
        });
    }
    let mut out = Parsed::default();
    for (i, record) in records.iter().enumerate() {
        let row = record.row;
        let mut problem = |field: &str, message: String| {
            out.problems.push(Problem {
                row,
                field: field.to_owned(),
                message,
            })
        };
        let fields: Vec<&str> = record.fields.iter().map(|f| f.trim()).collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let header = i == 0 && fields.iter().skip(1).any(|f| !f.is_empty() && amount(f).is_err());
        if header {
            continue;
        }
        if fields.len() < 1 + MONTHS || fields.len() > 2 + MONTHS {
            problem(
                "line",
                format!(
                    "{} fields: write the account code, 12 monthly amounts and optionally their total.",
                    fields.len()
                ),
            );
            continue;
        }
        let code = fields[0].to_owned();
        if code.is_empty() {
            problem("code", "The account code is blank.".to_owned());
        }
        let mut amounts = [Decimal::ZERO; MONTHS];
        let mut ok = !code.is_empty();
        for (m, cell) in fields[1..=MONTHS].iter().enumerate() {
            match amount(cell) {
                Ok(v) => amounts[m] = v,
                Err(e) => {
                    problem(&format!("month_{}", m + 1), e);
                    ok = false;
                }
            }
        }
        if let Some(total) = fields.get(1 + MONTHS) {
            match amount(total) {
                Ok(t) if ok => {
                    let sum = amounts.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b));
                    if sum != Some(t) {
                        problem(
                            "total",
                            format!(
                                "The total {t} is not the sum of the months ({}).",
                                sum.unwrap_or_default()
                            ),
                        );
                        ok = false;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    problem("total", e);
                    ok = false;
                }
            }
        }
        if ok {
            out.lines.push(Line { row, code, amounts });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::{amount, read};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_in_the_usual_spellings() {
        assert_eq!(amount("1234.50"), Ok(d("1234.50")));
        assert_eq!(amount("1,234.50"), Ok(d("1234.50")));
        assert_eq!(amount("1.234,50"), Ok(d("1234.50")));
        assert_eq!(amount("1234,5"), Ok(d("1234.5")));
        assert_eq!(amount("12,345,678"), Ok(d("12345678")));
        assert_eq!(amount("(100.00)"), Ok(d("-100.00")));
        assert_eq!(amount("-7"), Ok(d("-7")));
        assert_eq!(amount(" "), Ok(Decimal::ZERO));
        assert_eq!(amount("1 000"), Ok(d("1000")));
        assert!(amount("abc").is_err());
        assert!(amount("1e5").is_err());
        assert!(amount("1.2.3").is_err());
    }

    #[test]
    fn a_spreadsheet_paste_with_a_header_and_a_bad_line() {
        let text = "Code\tJan\tFeb\tMar\tApr\tMay\tJun\tJul\tAug\tSep\tOct\tNov\tDec\tTotal\n\
                    4000\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t100\t1,200\n\
                    6000\t1\tx\t\t\t\t\t\t\t\t\t\t\n\
                    6100\t1\n";
        let p = read(text.as_bytes()).unwrap();
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].row, 2);
        assert_eq!(p.lines[0].code, "4000");
        assert_eq!(p.lines[0].amounts[11], d("100"));
        assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
        assert_eq!((p.problems[0].row, p.problems[0].field.as_str()), (3, "month_2"));
        assert_eq!((p.problems[1].row, p.problems[1].field.as_str()), (4, "line"));
    }

    #[test]
    fn csv_with_semicolons_and_a_wrong_total() {
        let text = "4000;1;2;3;4;5;6;7;8;9;10;11;12;79\r\n6000;\"1,5\";0;0;0;0;0;0;0;0;0;0;0\r\n";
        let p = read(text.as_bytes()).unwrap();
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].amounts[0], d("1.5"));
        assert_eq!((p.problems[0].row, p.problems[0].field.as_str()), (1, "total"));
        assert!(read(b"").is_err());
    }

    proptest! {
        /// Any bytes give lines and problems, or a located error: never a panic.
        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = read(&bytes);
        }

        /// Text made of the format's own characters reaches the per-line checks.
        #[test]
        fn format_like_text_never_panics(text in "[0-9a-z,;\t\n\r.()\" -]{0,400}") {
            if let Ok(p) = read(text.as_bytes()) {
                for l in &p.lines {
                    prop_assert!(!l.code.is_empty());
                }
            }
        }
    }
}

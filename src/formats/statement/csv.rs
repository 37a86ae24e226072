//! A bank's CSV export, read through the bank's saved column profile ([`CsvProfile`]): which
//! column holds what, how dates and amounts are written, the encoding, the rows to skip. The
//! records themselves are read by `formats::table` (the `csv` crate, RFC 4180 quoting held
//! strictly). [`guess_profile`] proposes a profile from a file's header, for the column mapper.

use std::borrow::Cow;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::text::{self, BOM};
use super::{Limits, Statement, StatementBalance, StatementFormat, StatementLine};
use crate::formats::FormatError;
use crate::formats::table::{self, Dialect, Record};

pub use super::csv_guess::{guess_profile, header_names};

/// The text encodings bank CSV exports come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// Windows' Western code page (what Excel and many banks write): `€` is 0x80.
    Windows1252,
    /// ISO-8859-1 proper: every byte is the code point of the same number.
    Latin1,
}

/// A column, by its position (from 0) or by its name in the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

/// Where the amount is, and what its sign means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountColumns {
    /// One signed column. `inverted` when the bank writes money out as positive (credit-card
    /// exports do).
    Single { column: Column, inverted: bool },
    /// Money out in one column, money in in the other; the signs written in them are ignored.
    DebitCredit { debit: Column, credit: Column },
}

/// How one bank writes its CSV export, saved per bank so the next file imports without asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProfile {
    pub delimiter: u8,
    pub encoding: TextEncoding,
    /// Lines before the header (a bank's preamble: account, period, owner).
    pub skip_rows: usize,
    /// Whether the first row after the skipped ones names the columns.
    pub header: bool,
    /// strftime-style, as jiff reads it: `%d.%m.%Y`, `%Y-%m-%d`, `%m/%d/%Y`.
    pub date_format: String,
    /// `.` or `,`; the other mark is taken for a thousands separator and dropped.
    pub decimal: char,
    pub date: Column,
    pub value_date: Option<Column>,
    pub amount: AmountColumns,
    /// The description; several columns (a bank's "purpose 1", "purpose 2") are joined by a space.
    pub text: Vec<Column>,
    pub counterparty: Option<Column>,
    pub counterparty_account: Option<Column>,
    pub reference: Option<Column>,
    /// The balance after each line, when the bank gives it: the statement's opening and closing
    /// balances are taken from it, and it is checked against the amounts.
    pub balance: Option<Column>,
    pub currency: Option<Column>,
}

impl Default for CsvProfile {
    fn default() -> Self {
        Self {
            delimiter: b',',
            encoding: TextEncoding::Utf8,
            skip_rows: 0,
            header: true,
            date_format: "%Y-%m-%d".into(),
            decimal: '.',
            date: Column::Index(0),
            value_date: None,
            amount: AmountColumns::Single {
                column: Column::Index(1),
                inverted: false,
            },
            text: vec![Column::Index(2)],
            counterparty: None,
            counterparty_account: None,
            reference: None,
            balance: None,
            currency: None,
        }
    }
}

/// Decodes a CSV file's bytes to text in the profile's encoding. UTF-8 that is not UTF-8 is
/// refused at its line, rather than shown as replacement characters.
pub(super) fn decode(bytes: &[u8], encoding: TextEncoding) -> Result<Cow<'_, str>, FormatError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match encoding {
        TextEncoding::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            FormatError::statement(
                text::line_at(bytes, e.valid_up_to()),
                "encoding",
                "the file is not UTF-8 text; choose Windows-1252 or ISO-8859-1 in the profile",
            )
        }),
        TextEncoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
        // encoding_rs follows the web, where the label ISO-8859-1 means Windows-1252; a real
        // Latin-1 file (0x80–0x9F are control codes) is decoded byte for code point here.
        TextEncoding::Latin1 => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    }
}

/// The profile's columns, resolved to positions in the file.
struct Resolved {
    date: usize,
    value_date: Option<usize>,
    amount: Amount,
    text: Vec<usize>,
    counterparty: Option<usize>,
    counterparty_account: Option<usize>,
    reference: Option<usize>,
    balance: Option<usize>,
    currency: Option<usize>,
}

enum Amount {
    Single { column: usize, inverted: bool },
    DebitCredit { debit: usize, credit: usize },
}

fn resolve(column: &Column, header: Option<&Record>, line: usize) -> Result<usize, FormatError> {
    match (column, header) {
        (Column::Index(i), _) => Ok(*i),
        (Column::Name(name), Some(header)) => header
            .fields
            .iter()
            .position(|f| {
                f.trim()
                    .trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case(name.trim())
            })
            .ok_or_else(|| FormatError::statement(line, name.clone(), "the header has no such column")),
        (Column::Name(name), None) => Err(FormatError::statement(
            line,
            name.clone(),
            "a column named in the profile needs a header row",
        )),
    }
}

impl Resolved {
    fn new(p: &CsvProfile, header: Option<&Record>, line: usize) -> Result<Self, FormatError> {
        let one = |c: &Column| resolve(c, header, line);
        let opt = |c: &Option<Column>| c.as_ref().map(one).transpose();
        Ok(Self {
            date: one(&p.date)?,
            value_date: opt(&p.value_date)?,
            amount: match &p.amount {
                AmountColumns::Single { column, inverted } => Amount::Single {
                    column: one(column)?,
                    inverted: *inverted,
                },
                AmountColumns::DebitCredit { debit, credit } => Amount::DebitCredit {
                    debit: one(debit)?,
                    credit: one(credit)?,
                },
            },
            text: p.text.iter().map(one).collect::<Result<_, _>>()?,
            counterparty: opt(&p.counterparty)?,
            counterparty_account: opt(&p.counterparty_account)?,
            reference: opt(&p.reference)?,
            balance: opt(&p.balance)?,
            currency: opt(&p.currency)?,
        })
    }
}

/// Reads a bank's CSV export with its profile.
pub(super) fn parse(bytes: &[u8], profile: &CsvProfile, limits: &Limits) -> Result<Statement, FormatError> {
    text::check_lines(bytes, limits)?;
    let decoded = decode(bytes, profile.encoding)?;
    // The preamble is cut off as lines, before the CSV reader sees it: banks write it in any
    // shape (one cell, stray quotes), and it is not part of the table.
    let mut body: &str = &decoded;
    for _ in 0..profile.skip_rows {
        body = body.split_once('\n').map_or("", |(_, rest)| rest);
    }
    let records = table::read(
        body.as_bytes(),
        Dialect {
            delimiter: profile.delimiter,
        },
    )
    .map_err(|e| shift_row(e, profile.skip_rows))?;
    let mut records = records.into_iter().map(|mut r| {
        r.row += profile.skip_rows;
        r
    });
    let header = if profile.header { records.next() } else { None };
    let header_line = header.as_ref().map_or(profile.skip_rows + 1, |h| h.row);
    let columns = Resolved::new(profile, header.as_ref(), header_line)?;
    let width = header.as_ref().map_or(0, |h| h.fields.len());
    let mut lines = Vec::new();
    let mut balances = Vec::new();
    for record in records {
        let cell = |i: usize| record.fields.get(i).map_or("", |f| f.trim());
        if cell(columns.date).is_empty() && amount_cells_blank(&columns.amount, &cell) {
            continue; // a footer or a spacer row of the export
        }
        let row = record.row;
        // A row shorter than the header is cut off (a truncated file) or damaged: its missing
        // cells would silently read as blank.
        if record.fields.len() < width {
            return Err(FormatError::statement(
                row,
                "columns",
                format!(
                    "{} fields, the header has {width}: the row is cut off",
                    record.fields.len()
                ),
            ));
        }
        let date = date(cell(columns.date), &profile.date_format, row, "date")?;
        let value_date = match columns.value_date.map(cell).filter(|c| !c.is_empty()) {
            Some(v) => Some(self::date(v, &profile.date_format, row, "value date")?),
            None => None,
        };
        let amount = match columns.amount {
            Amount::Single { column, inverted } => {
                let a = amount(cell(column), profile.decimal, row, "amount")?;
                if inverted { -a } else { a }
            }
            Amount::DebitCredit { debit, credit } => {
                let (d, c) = (cell(debit), cell(credit));
                if d.is_empty() && c.is_empty() {
                    return Err(FormatError::statement(row, "debit", "debit and credit are both blank"));
                }
                let out = if d.is_empty() {
                    Decimal::ZERO
                } else {
                    amount(d, profile.decimal, row, "debit")?.abs()
                };
                let inn = if c.is_empty() {
                    Decimal::ZERO
                } else {
                    amount(c, profile.decimal, row, "credit")?.abs()
                };
                inn - out
            }
        };
        if let Some(b) = columns.balance.map(cell).filter(|c| !c.is_empty()) {
            balances.push((lines.len(), amount_or(b, profile.decimal, row)?));
        }
        let text = columns
            .text
            .iter()
            .map(|&i| cell(i))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let optional = |c: Option<usize>| c.map(cell).filter(|c| !c.is_empty()).map(str::to_owned);
        lines.push(StatementLine {
            row,
            date,
            value_date,
            amount,
            currency: optional(columns.currency),
            text,
            counterparty: optional(columns.counterparty).unwrap_or_default(),
            counterparty_account: optional(columns.counterparty_account),
            reference: optional(columns.reference).unwrap_or_default(),
            bank_id: None,
        });
    }
    let (opening, closing) = running_balances(&lines, &balances)?;
    Ok(Statement {
        format: StatementFormat::Csv,
        account: None,
        currency: lines.first().and_then(|l| l.currency.clone()),
        opening,
        closing,
        lines,
    })
}

fn amount_cells_blank<'a>(amount: &Amount, cell: &impl Fn(usize) -> &'a str) -> bool {
    match *amount {
        Amount::Single { column, .. } => cell(column).is_empty(),
        Amount::DebitCredit { debit, credit } => cell(debit).is_empty() && cell(credit).is_empty(),
    }
}

fn shift_row(error: FormatError, by: usize) -> FormatError {
    match error {
        FormatError::Malformed { row, message } => FormatError::Malformed { row: row + by, message },
        FormatError::QuoteInUnquotedField { row } => FormatError::QuoteInUnquotedField { row: row + by },
        FormatError::TextAfterQuote { row } => FormatError::TextAfterQuote { row: row + by },
        FormatError::UnclosedQuote { row } => FormatError::UnclosedQuote { row: row + by },
        FormatError::NotUtf8 { row, field } => FormatError::NotUtf8 { row: row + by, field },
        other => other,
    }
}

fn date(cell: &str, format: &str, row: usize, field: &str) -> Result<Date, FormatError> {
    Date::strptime(format, cell)
        .map_err(|_| FormatError::statement(row, field, format!("{} is not a date as {format}", text::shown(cell))))
}

fn amount(cell: &str, decimal: char, row: usize, field: &str) -> Result<Decimal, FormatError> {
    text::parse_amount(cell, decimal)
        .ok_or_else(|| FormatError::statement(row, field, format!("{} is not an amount", text::shown(cell))))
}

fn amount_or(cell: &str, decimal: char, row: usize) -> Result<Decimal, FormatError> {
    amount(cell, decimal, row, "balance")
}

/// The opening and closing balances from a running-balance column, whichever way the bank
/// sorts its rows (oldest or newest first), after checking every balance against the amounts.
/// `balances` holds (line index, balance after that line).
fn running_balances(
    lines: &[StatementLine],
    balances: &[(usize, Decimal)],
) -> Result<(Option<StatementBalance>, Option<StatementBalance>), FormatError> {
    if balances.len() != lines.len() || lines.is_empty() {
        return Ok((None, None));
    }
    let amount = |i: usize| lines.get(i).map_or(Decimal::ZERO, |l| l.amount);
    let balance = |i: usize| balances.get(i).map_or(Decimal::ZERO, |b| b.1);
    let last = lines.len() - 1;
    // Oldest first: each balance is the previous one plus this line.
    let ascending = (1..lines.len()).find(|&i| balance(i) != balance(i - 1) + amount(i));
    // Newest first: each balance is the next (older) one plus this line.
    let descending = (0..last).find(|&i| balance(i) != balance(i + 1) + amount(i));
    let at = |i: usize, b: Decimal| {
        lines.get(i).map(|l| StatementBalance {
            date: l.date,
            amount: b,
        })
    };
    match (ascending, descending) {
        (None, _) => Ok((at(0, balance(0) - amount(0)), at(last, balance(last)))),
        (_, None) => Ok((at(last, balance(last) - amount(last)), at(0, balance(0)))),
        (Some(i), Some(_)) => {
            let row = lines.get(i).map_or(0, |l| l.row);
            Err(FormatError::statement(
                row,
                "balance",
                format!(
                    "the balance {} is not the previous balance {} plus the amount {}",
                    balance(i),
                    balance(i - 1),
                    amount(i)
                ),
            ))
        }
    }
}

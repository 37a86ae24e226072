//! A stand-in for `formats::statement::{parse, fingerprints}` until the statement parsers land:
//! CSV only, with a header (`date`, `amount`, `text`, and optionally `value_date`,
//! `counterparty`, `counterparty_account`, `reference`, `id`), `,` or `;` between fields, a
//! decimal point or comma. // replaced by formats::statement::parse at merge

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::formats::FormatError;
use crate::formats::statement::{Statement, StatementFormat, StatementLine};
use crate::formats::table::{self, Columns, Dialect};

/// How a bank's CSV is laid out, as the upload's form fields say.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// `;` or `,` (the default).
    pub delimiter: Option<u8>,
    /// `,` for amounts written `1.234,56`.
    pub decimal_comma: bool,
    /// A `jiff::fmt::strtime` pattern such as `%d.%m.%Y`; ISO dates by default.
    pub date_format: Option<String>,
}

/// No line of a statement is longer than this: a longer one is not a statement.
const MAX_LINE_BYTES: usize = 64 * 1024;

const KNOWN: &[&str] = &[
    "date",
    "value_date",
    "amount",
    "text",
    "counterparty",
    "counterparty_account",
    "reference",
    "id",
];

fn bad(row: usize, message: String) -> FormatError {
    FormatError::Malformed { row, message }
}

// replaced by formats::statement::parse at merge
pub fn parse_statement(bytes: &[u8], profile: &Profile) -> Result<Statement, FormatError> {
    if let Some((i, _)) = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LINE_BYTES)
    {
        return Err(bad(i + 1, format!("the line is longer than {MAX_LINE_BYTES} bytes")));
    }
    let dialect = Dialect {
        delimiter: profile.delimiter.unwrap_or(b','),
    };
    let records = table::read(bytes, dialect)?;
    let Some((header, rows)) = records.split_first() else {
        return Err(FormatError::Empty { format: "statement" });
    };
    let columns = Columns::from_header(header, KNOWN, &["date", "amount"])?;
    let date = |row: usize, column: &'static str, s: &str| -> Result<Date, FormatError> {
        let parsed = match &profile.date_format {
            Some(f) => Date::strptime(f, s).ok(),
            None => Date::from_str(s).ok(),
        };
        parsed.ok_or_else(|| bad(row, format!("{column}: {s:?} is not a date")))
    };
    let mut lines = Vec::with_capacity(rows.len());
    for record in rows {
        let cells = columns.cells(record)?;
        let row = cells.row;
        let text_of = |c: &str| cells.get(c).unwrap_or_default().to_owned();
        let Some(when) = cells.get("date") else {
            return Err(FormatError::Blank { row, column: "date" });
        };
        let Some(raw) = cells.get("amount") else {
            return Err(FormatError::Blank { row, column: "amount" });
        };
        let normalized = if profile.decimal_comma {
            raw.replace('.', "").replace(',', ".")
        } else {
            raw.replace(',', "")
        };
        let amount = crate::domain::money::parse(&normalized)
            .map_err(|_| bad(row, format!("amount: {raw:?} is not an amount")))?;
        lines.push(StatementLine {
            row,
            date: date(row, "date", when)?,
            value_date: cells
                .get("value_date")
                .map(|v| date(row, "value_date", v))
                .transpose()?,
            amount,
            currency: None,
            text: text_of("text"),
            counterparty: text_of("counterparty"),
            counterparty_account: cells.get("counterparty_account").map(str::to_owned),
            reference: text_of("reference"),
            bank_id: cells.get("id").map(str::to_owned),
        });
    }
    Ok(Statement {
        format: StatementFormat::Csv,
        account: None,
        currency: None,
        opening: None,
        closing: None,
        lines,
    })
}

/// Each line's fingerprint: the bank's transaction id when it has one, else a hash of the
/// account, date, amount, text and how many identical lines came before it in the file.
// replaced by formats::statement::fingerprints at merge
pub fn fingerprints(account_key: &str, lines: &[StatementLine]) -> Vec<String> {
    let mut seen: std::collections::HashMap<(Date, Decimal, &str), usize> = std::collections::HashMap::new();
    lines
        .iter()
        .map(|l| {
            if let Some(id) = &l.bank_id {
                return format!("id:{id}");
            }
            let n = seen.entry((l.date, l.amount.normalize(), l.text.as_str())).or_insert(0);
            *n += 1;
            let mut h = Sha256::new();
            h.update(format!("{account_key}|{}|{}|{}|{n}", l.date, l.amount.normalize(), l.text).as_bytes());
            format!("h:{:x}", h.finalize())
        })
        .collect()
}

//! Bank statements as files bring them: CSV (with a saved column profile per bank), OFX/QFX,
//! QIF, CAMT.053/.052 and MT940, read into one [`Statement`] shape. The format is detected from
//! the content, never from the file name. Parsers never panic and never expand XML entities;
//! a refusal names the line (or record) and the field.
//!
//! What a statement *means* for the books (which bank account, which lines are new, what they
//! match) is the banking area's business (`domain::banking`), not this module's.
//!
//! One file per format: `csv.rs` (with `CsvProfile` and `guess_profile`), `ofx.rs` (the `ofx-rs`
//! crate), `qif.rs`, `camt.rs` (quick-xml's pull reader) and `mt940.rs`; `text.rs` holds what
//! they share (limits, decoding, amounts, dates); `fingerprint.rs` gives each line the key a
//! re-import is recognised by. [`parse`] reads any of them; [`check_balances`] holds a statement
//! to its own opening and closing balances.

mod camt;
pub mod csv;
mod csv_guess;
mod fingerprint;
mod mt940;
mod ofx;
mod qif;
#[cfg(test)]
mod tests;
mod text;

use jiff::civil::Date;
use rust_decimal::Decimal;

pub use self::csv::{AmountColumns, Column, CsvProfile, TextEncoding, guess_profile, header_names};
pub use fingerprint::fingerprints;

use super::FormatError;

/// The statement formats OASYS reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementFormat {
    Csv,
    Ofx,
    Qif,
    Camt053,
    Camt052,
    Mt940,
}

impl StatementFormat {
    /// The name the API and the UI show.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ofx => "ofx",
            Self::Qif => "qif",
            Self::Camt053 => "camt053",
            Self::Camt052 => "camt052",
            Self::Mt940 => "mt940",
        }
    }
}

/// A balance the statement states about itself (opening or closing), to check the lines against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementBalance {
    pub date: Date,
    /// Signed: positive is money the account holder has.
    pub amount: Decimal,
}

/// One movement on the account, as the bank reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Where it is in the file (line, row or record, from 1), for messages.
    pub row: usize,
    /// The booking date.
    pub date: Date,
    pub value_date: Option<Date>,
    /// Signed: positive is money in, negative money out. Exact, in the statement's currency.
    pub amount: Decimal,
    /// When the line names its own currency (else the statement's).
    pub currency: Option<String>,
    /// The description or remittance information.
    pub text: String,
    /// The other party's name, when the format has one.
    pub counterparty: String,
    /// The other party's IBAN or account number, when the format has one.
    pub counterparty_account: Option<String>,
    /// The payer's or bank's reference (end-to-end id, cheque number), when there is one.
    pub reference: String,
    /// The bank's own transaction id (OFX FITID, CAMT AcctSvcrRef, MT940 bank reference): the
    /// fingerprint when present.
    pub bank_id: Option<String>,
}

/// A whole statement file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub format: StatementFormat,
    /// The account the file is about (IBAN or account number), when it says.
    pub account: Option<String>,
    /// The statement's currency, when it says.
    pub currency: Option<String>,
    pub opening: Option<StatementBalance>,
    pub closing: Option<StatementBalance>,
    pub lines: Vec<StatementLine>,
}

/// How much of a file an import reads before refusing it. The defaults hold any real statement
/// (a year of a busy account is a few MB) and keep a hostile file from taking the server's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole file, in bytes.
    pub max_bytes: usize,
    /// One line of a line format (CSV, QIF, MT940), and one text value of an XML format, in bytes.
    /// XML files may be written on one line, so for them only the values are bounded.
    pub max_line_bytes: usize,
    /// Lines of a line format; entries (transactions) of the others.
    pub max_lines: usize,
}

impl Default for Limits {
    /// 200 MB: the 100,000-line CAMT.053 file is 70–150 MB (an entry with its details is
    /// 0.7–1.5 kB); a CSV of the same lines is a tenth of that.
    fn default() -> Self {
        Self {
            max_bytes: 200 << 20,
            max_line_bytes: 64 << 10,
            max_lines: 1_000_000,
        }
    }
}

/// How far into a file [`detect`] looks: far enough for an XML prologue, a namespace-laden root
/// element and an OFX header, without scanning a large file.
const SNIFF_BYTES: usize = 64 << 10;

/// The format of a statement file, from its content (never its name). `None` only for a file
/// with nothing in it; anything that is no other format is taken for CSV.
pub fn detect(bytes: &[u8]) -> Option<StatementFormat> {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = head.get(start..).unwrap_or_default();
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    if starts_with_ignore_case(head, b"OFXHEADER") || has(b"<?OFX") || has(b"<OFX>") {
        return Some(StatementFormat::Ofx);
    }
    if head.first() == Some(&b'<') {
        if has(b"BkToCstmrStmt") {
            return Some(StatementFormat::Camt053);
        }
        if has(b"BkToCstmrAcctRpt") {
            return Some(StatementFormat::Camt052);
        }
    }
    if starts_with_ignore_case(head, b"!Type:")
        || starts_with_ignore_case(head, b"!Account")
        || starts_with_ignore_case(head, b"!Option")
    {
        return Some(StatementFormat::Qif);
    }
    let at_line_start = |tag: &[u8]| {
        head.starts_with(tag)
            || head
                .windows(tag.len() + 1)
                .any(|w| w.first() == Some(&b'\n') && w.get(1..) == Some(tag))
    };
    if (at_line_start(b":20:") || head.starts_with(b"{1:"))
        && (at_line_start(b":60F:") || at_line_start(b":60M:") || at_line_start(b":61:"))
    {
        return Some(StatementFormat::Mt940);
    }
    Some(StatementFormat::Csv)
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Reads a statement file of any format [`detect`] knows. `csv` is the bank's saved column
/// profile, used only when the file is CSV; without one the profile is guessed
/// ([`guess_profile`]). The file is refused whole if it breaks `limits`.
pub fn parse(bytes: &[u8], csv: Option<&CsvProfile>, limits: &Limits) -> Result<Statement, FormatError> {
    if bytes.len() > limits.max_bytes {
        return Err(FormatError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = detect(bytes).ok_or(FormatError::Empty { format: "statement" })?;
    match format {
        StatementFormat::Csv => match csv {
            Some(profile) => csv::parse(bytes, profile, limits),
            None => csv::parse(bytes, &guess_profile(bytes), limits),
        },
        StatementFormat::Ofx => ofx::parse(bytes, limits),
        StatementFormat::Qif => qif::parse(bytes, limits),
        StatementFormat::Camt053 | StatementFormat::Camt052 => camt::parse(bytes, format, limits),
        StatementFormat::Mt940 => mt940::parse(bytes, limits),
    }
}

/// Holds a statement to its own balances: the opening balance plus every line must give the
/// closing balance. A statement that states only one of them (or neither) passes.
pub fn check_balances(statement: &Statement) -> Result<(), FormatError> {
    let (Some(opening), Some(closing)) = (&statement.opening, &statement.closing) else {
        return Ok(());
    };
    let movements = statement
        .lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, line| sum.checked_add(line.amount))
        .ok_or_else(|| FormatError::statement(0, "amount", "the lines' total is out of range"))?;
    let expected = opening
        .amount
        .checked_add(movements)
        .ok_or_else(|| FormatError::statement(0, "amount", "the lines' total is out of range"))?;
    if expected == closing.amount {
        Ok(())
    } else {
        Err(FormatError::BalanceMismatch {
            opening: opening.amount,
            movements,
            expected,
            closing: closing.amount,
        })
    }
}

//! Bank statements as files bring them: CSV (with a saved column profile per bank), OFX/QFX,
//! QIF, CAMT.053/.052 and MT940, read into one [`Statement`] shape. The format is detected from
//! the content, never from the file name. Parsers never panic and never expand XML entities;
//! a refusal names the line (or record) and the field.
//!
//! What a statement *means* for the books (which bank account, which lines are new, what they
//! match) is the banking area's business (`domain::banking`), not this module's.

use jiff::civil::Date;
use rust_decimal::Decimal;

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

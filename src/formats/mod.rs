//! File formats: pure parsers and writers of the files people bring and take away — bytes or
//! text in, plain Rust values out (and back).
//!
//! What belongs here: reading a format's syntax and shape (quoting, delimiters, columns, which
//! rows belong together) into values of this module's own types, and writing those values back.
//! What does not: the database, HTTP, JSON in the domain, and the meaning of the values — whether
//! an account code exists, a date is valid or an entry balances is decided by the caller (the CLI,
//! an upload handler) through the same domain rules as the API. A parser never panics on any input:
//! it returns its values or a [`FormatError`] naming the row (or line, or record) and the field.
//!
//! `table.rs` is CSV in general (the `csv` crate, strict RFC 4180 quoting, any delimiter, a
//! header of named columns); each format over it or beside it has its own file, such as
//! `journal_csv.rs` (`oasys import journal`), `budget_csv.rs` (a budget's lines, pasted or
//! imported) and
//! `exchange_rates.rs` (the ECB's euro reference rates and a `date,currency,rate` CSV). The recipe "Add a file format" in ARCHITECTURE.md
//! says where a new one goes.

pub mod budget_csv;
pub mod exchange_rates;
pub mod journal_csv;
pub mod statement;
pub mod table;

/// Why a file could not be read, and where. Rows and lines count from 1; in CSV a row is the
/// line its record starts on (a quoted field may span lines), the header being row 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// No record at all (an empty file, or only blank lines).
    #[error("the {format} file is empty")]
    Empty { format: &'static str },
    /// A `"` in the middle of a field that does not start with one.
    #[error("row {row}: a quote inside an unquoted field (quote the whole field)")]
    QuoteInUnquotedField { row: usize },
    /// Something other than whitespace between a closing quote and the next delimiter.
    #[error("row {row}: text after the closing quote of a field")]
    TextAfterQuote { row: usize },
    /// A quoted field still open at the end of the file; `row` is where its record starts.
    #[error("row {row}: a quoted field is never closed")]
    UnclosedQuote { row: usize },
    /// Anything else the CSV reader refuses, in its words.
    #[error("row {row}: {message}")]
    Malformed { row: usize, message: String },
    /// Bytes that are not UTF-8; `field` counts from 1.
    #[error("row {row}: field {field} is not UTF-8 text")]
    NotUtf8 { row: usize, field: usize },
    /// A record whose length differs from the header's.
    #[error("row {row}: {found} fields, the header has {expected}")]
    FieldCount { row: usize, found: usize, expected: usize },
    /// A header naming a column the format does not have.
    #[error("row {row}: unknown column {name:?}; the columns are {}", known.join(","))]
    UnknownColumn {
        row: usize,
        name: String,
        known: &'static [&'static str],
    },
    #[error("row {row}: column {name:?} appears twice")]
    DuplicateColumn { row: usize, name: &'static str },
    #[error("row {row}: missing column(s) {}", names.join(", "))]
    MissingColumns { row: usize, names: Vec<&'static str> },
    /// A cell the format cannot do without, left blank.
    #[error("row {row}: the {column} column is blank")]
    Blank { row: usize, column: &'static str },
    /// Rows of one record group (a journal entry's rows) that disagree about a shared field.
    #[error("row {row}: {group} already has {column} {old:?}, this row says {new:?}")]
    Conflict {
        row: usize,
        group: String,
        column: &'static str,
        old: String,
        new: String,
    },
    /// A cell whose value is wrong (a rate that is not a number, a date that is not a date);
    /// `column` is the header's name for it.
    #[error("row {row}: {column}: {message}")]
    Value {
        row: usize,
        column: String,
        message: String,
    },
    /// A bank statement's value that is missing or wrong; `line` is the file's line (or, for
    /// OFX, whose reader gives no lines, the transaction's number), `field` the tag, column or
    /// element.
    #[error("line {line}: {field}: {message}")]
    Statement {
        line: usize,
        field: String,
        message: String,
    },
    /// A file larger than the import accepts; nothing of it was read.
    #[error("the file has {size} bytes, more than the {limit} bytes an import accepts")]
    TooLarge { size: usize, limit: usize },
    /// A line longer than any a statement has: refused before it is decoded.
    #[error("line {line} is longer than {limit} bytes")]
    LineTooLong { line: usize, limit: usize },
    /// More lines (or entries) than an import accepts.
    #[error("line {line}: more than {limit} lines")]
    TooManyLines { line: usize, limit: usize },
    /// The statement's own balances disagree with its lines.
    #[error(
        "the opening balance {opening} plus the lines' total {movements} is {expected}, but the statement's closing balance is {closing}"
    )]
    BalanceMismatch {
        opening: rust_decimal::Decimal,
        movements: rust_decimal::Decimal,
        expected: rust_decimal::Decimal,
        closing: rust_decimal::Decimal,
    },
}

impl FormatError {
    /// A statement's value at `line`, in `field`, is wrong.
    pub fn statement(line: usize, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Statement {
            line,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The row (or line) the error is at; `None` for a file that is wrong as a whole.
    pub fn row(&self) -> Option<usize> {
        match self {
            Self::Empty { .. } | Self::TooLarge { .. } | Self::BalanceMismatch { .. } => None,
            Self::QuoteInUnquotedField { row }
            | Self::TextAfterQuote { row }
            | Self::UnclosedQuote { row }
            | Self::Malformed { row, .. }
            | Self::NotUtf8 { row, .. }
            | Self::FieldCount { row, .. }
            | Self::UnknownColumn { row, .. }
            | Self::DuplicateColumn { row, .. }
            | Self::MissingColumns { row, .. }
            | Self::Blank { row, .. }
            | Self::Conflict { row, .. }
            | Self::Value { row, .. } => Some(*row),
            Self::Statement { line, .. } | Self::LineTooLong { line, .. } | Self::TooManyLines { line, .. } => {
                Some(*line)
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! Capture: a received bill's or receipt's extracted text becomes a draft bill or expense, field by
//! field, each with a confidence (0–100) and the span of text it was read from.
//!
//! Pure: the text, the company's vendors (name, tax id, IBANs) and the layouts learned from accepted
//! drafts come in; a [`Draft`] comes out. `read.rs` reads, `learn.rs` learns a vendor's labels from
//! an accepted draft, `text.rs` splits lines and reads amounts, percentages and dates. How confidence
//! is computed and the date ambiguity rule: `docs/capture.md`.

pub mod ai;
mod labels;
pub mod learn;
pub mod read;
pub mod suggest;
pub mod text;
mod vendor;

#[cfg(test)]
mod tests;

use jiff::civil::Date;
use uuid::Uuid;

pub use learn::learn;
pub use read::read;
pub use text::DateOrder;

/// Byte offsets into the extracted text (for highlighting the value on the document's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One field's value, how sure the reader is (0–100), and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<T> {
    pub value: T,
    pub confidence: u8,
    pub span: Option<Span>,
}

impl<T> Field<T> {
    pub fn new(value: T, confidence: u8, span: Option<Span>) -> Self {
        Self {
            value,
            confidence: confidence.min(100),
            span,
        }
    }
}

/// The fields of a draft, as stored and as the API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldName {
    Vendor,
    Date,
    DueDate,
    Number,
    Currency,
    Net,
    Tax,
    Gross,
}

impl FieldName {
    pub const ALL: [FieldName; 8] = [
        Self::Vendor,
        Self::Date,
        Self::DueDate,
        Self::Number,
        Self::Currency,
        Self::Net,
        Self::Tax,
        Self::Gross,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vendor => "vendor",
            Self::Date => "date",
            Self::DueDate => "due_date",
            Self::Number => "number",
            Self::Currency => "currency",
            Self::Net => "net",
            Self::Tax => "tax",
            Self::Gross => "gross",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Who the document is from: an existing contact when matched, and the name as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorMatch {
    pub contact_id: Option<Uuid>,
    pub name: String,
}

/// The tax of one rate as printed: the rate (parts per million: 19 % = 190 000), the tax and,
/// when printed, the base it was computed on. Amounts in minor units of the draft's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxAmount {
    pub rate_ppm: i64,
    pub base: Option<i64>,
    pub tax: i64,
}

/// One line of the document: its description and amount (minor units), as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub description: String,
    pub amount: i64,
}

/// What capture read from a document. Amounts are minor units of `currency` (or of the company's
/// currency when no currency was read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub vendor: Option<Field<VendorMatch>>,
    pub date: Option<Field<Date>>,
    pub due_date: Option<Field<Date>>,
    pub number: Option<Field<String>>,
    pub currency: Option<Field<String>>,
    pub net: Option<Field<i64>>,
    pub tax: Option<Field<i64>>,
    pub gross: Option<Field<i64>>,
    pub taxes: Vec<Field<TaxAmount>>,
    pub lines: Vec<Field<DraftLine>>,
}

impl Draft {
    /// The confidence of a field, 0 when it was not read.
    pub fn confidence(&self, field: FieldName) -> u8 {
        let c = match field {
            FieldName::Vendor => self.vendor.as_ref().map(|f| f.confidence),
            FieldName::Date => self.date.as_ref().map(|f| f.confidence),
            FieldName::DueDate => self.due_date.as_ref().map(|f| f.confidence),
            FieldName::Number => self.number.as_ref().map(|f| f.confidence),
            FieldName::Currency => self.currency.as_ref().map(|f| f.confidence),
            FieldName::Net => self.net.as_ref().map(|f| f.confidence),
            FieldName::Tax => self.tax.as_ref().map(|f| f.confidence),
            FieldName::Gross => self.gross.as_ref().map(|f| f.confidence),
        };
        c.unwrap_or(0)
    }
}

/// A vendor of the company, as capture matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: Uuid,
    pub name: String,
    pub tax_id: String,
    /// IBANs the company has paid the vendor to (from the bank matching memory).
    pub ibans: Vec<String>,
}

/// A label learned for one vendor: on this vendor's documents, the value of `field` follows
/// `label` (folded: lower case, accents dropped).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LearnedLabel {
    pub field: FieldName,
    pub label: String,
}

/// The labels learned for one vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub contact_id: Uuid,
    pub labels: Vec<LearnedLabel>,
}

/// What the reader is given besides the text.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub vendors: &'a [Vendor],
    pub layouts: &'a [Layout],
    /// The company's currency: the draft's when the text names none.
    pub company_currency: &'a str,
    /// How `03/04/2026` is read when the text does not settle it (month first for a US company).
    pub date_order: DateOrder,
}

/// Where a draft stands in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStatus {
    Pending,
    Accepted,
    Rejected,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Rejected]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What accepting a draft made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A draft bill (a document of kind bill), linked to the file.
    Bill,
    /// A draft journal entry: the expense against the account it was paid from.
    Expense,
}

impl ResultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bill => "bill",
            Self::Expense => "expense",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Bill, Self::Expense].into_iter().find(|v| v.as_str() == s)
    }
}

/// A draft as kept: the file version it was read from and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: Uuid,
    pub company_id: Uuid,
    pub file_id: Uuid,
    pub version: i64,
    pub file_name: String,
    pub status: DraftStatus,
    pub result: Option<(ResultKind, Uuid)>,
    pub created_at: jiff::Timestamp,
    pub draft: Draft,
}

/// Why a draft cannot be accepted or rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// It was accepted or rejected already.
    #[error("This draft was already {0}.")]
    Decided(&'static str),
    /// A field of the accept request (or of the draft it completes) is missing or wrong.
    #[error("invalid fields")]
    Invalid(crate::domain::FieldErrors),
}

pub mod accept;

//! Invoices, credit notes, bills and vendor credits, and the payments that settle them. Each
//! document posts its own journal entry through the ledger engine when it is issued; payments
//! post theirs and are allocated over open documents.

pub mod foreign;
pub mod operations;
pub mod payments;
pub mod recurring;
pub mod summary;
pub mod tax;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::FieldErrors;
use super::ledger::{Ctx, LedgerError, LedgerStore};
pub use super::taxes::Rounding;

/// The four documents: two on each side, each credit the mirror of its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
    Bill,
    VendorCredit,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Invoice,
        DocumentKind::CreditNote,
        DocumentKind::Bill,
        DocumentKind::VendorCredit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
            DocumentKind::Bill => "bill",
            DocumentKind::VendorCredit => "vendor_credit",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Sales documents (customers, receivable) or purchase documents (vendors, payable).
    pub fn is_sales(self) -> bool {
        matches!(self, DocumentKind::Invoice | DocumentKind::CreditNote)
    }

    /// Credit notes and vendor credits reduce what is owed instead of adding to it.
    pub fn is_credit(self) -> bool {
        matches!(self, DocumentKind::CreditNote | DocumentKind::VendorCredit)
    }

    /// The document a credit corrects.
    pub fn credits(self) -> Option<DocumentKind> {
        match self {
            DocumentKind::CreditNote => Some(DocumentKind::Invoice),
            DocumentKind::VendorCredit => Some(DocumentKind::Bill),
            DocumentKind::Invoice | DocumentKind::Bill => None,
        }
    }

    /// Number series prefix: `INV-2026-0001`.
    pub fn prefix(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "INV",
            DocumentKind::CreditNote => "CN",
            DocumentKind::Bill => "BILL",
            DocumentKind::VendorCredit => "VC",
        }
    }

    /// The control account's subtype: receivable for sales, payable for purchases.
    pub fn control_subtype(self) -> &'static str {
        if self.is_sales() { "receivable" } else { "payable" }
    }

    /// Words for messages: "invoice", "credit note", …
    pub fn noun(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit note",
            DocumentKind::Bill => "bill",
            DocumentKind::VendorCredit => "vendor credit",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    Void,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 5] = [
        DocumentStatus::Draft,
        DocumentStatus::Issued,
        DocumentStatus::PartiallyPaid,
        DocumentStatus::Paid,
        DocumentStatus::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::Issued => "issued",
            DocumentStatus::PartiallyPaid => "partially_paid",
            DocumentStatus::Paid => "paid",
            DocumentStatus::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentStatus> {
        DocumentStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Issued and not settled: payments and credits may still be allocated to it.
    pub fn is_open(self) -> bool {
        matches!(self, DocumentStatus::Issued | DocumentStatus::PartiallyPaid)
    }
}

/// One document line as stored, with its calculated amounts (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub line_no: i64,
    pub item_id: Option<Uuid>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: i64,
    pub discount_percent: Decimal,
    pub tax_rate_id: Option<Uuid>,
    pub account_id: Uuid,
    pub net_amount: i64,
    pub tax_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: Uuid,
    pub company_id: Uuid,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    /// `INV-2026-0001`, given when issued.
    pub number: Option<String>,
    pub contact_id: Uuid,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub reference: String,
    pub notes: String,
    pub payment_terms_days: i64,
    pub credited_document_id: Option<Uuid>,
    pub lines: Vec<DocumentLine>,
    pub subtotal: i64,
    pub tax_total: i64,
    pub total: i64,
    /// Paid (invoices, bills) or applied (credits), minor units.
    pub amount_paid: i64,
    pub journal_entry_id: Option<Uuid>,
    pub void_entry_id: Option<Uuid>,
    pub issued_at: Option<Timestamp>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// For a document in another currency than the company's: company currency per unit, ×10¹²
    /// (as `exchange_rates`). On a draft, the rate the user gave (`None`: the rate of the issue
    /// date, taken when it is issued); an issued document always has it.
    pub exchange_rate: Option<i64>,
}

impl Document {
    pub fn balance_due(&self) -> i64 {
        self.total.saturating_sub(self.amount_paid)
    }

    /// The status an issued document has with what is paid on it.
    pub fn settled_status(&self) -> DocumentStatus {
        if self.amount_paid <= 0 {
            DocumentStatus::Issued
        } else if self.amount_paid >= self.total {
            DocumentStatus::Paid
        } else {
            DocumentStatus::PartiallyPaid
        }
    }
}

/// What the user typed for a document (amounts still decimal, references still unchecked).
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub contact: Option<Uuid>,
    pub issue_date: Option<Date>,
    pub due_date: Option<Date>,
    pub currency: Option<String>,
    /// The rate as typed (`"1.10"`); `None`: the rate of the issue date.
    pub exchange_rate: Option<String>,
    pub reference: String,
    pub notes: String,
    pub payment_terms_days: Option<i64>,
    pub credited_document: Option<Uuid>,
    pub lines: Vec<LineInput>,
}

/// What a request sets on a draft; `None` leaves a field as it is (`PATCH`) or, for a whole
/// document (create, `PUT`), at its default. `Some(None)` clears a field: a due date taken from
/// the terms again, terms from the contact, no credited document.
#[derive(Debug, Clone, Default)]
pub struct DocumentChanges {
    pub contact: Option<Uuid>,
    pub issue_date: Option<Date>,
    pub due_date: Option<Option<Date>>,
    pub currency: Option<String>,
    pub exchange_rate: Option<Option<String>>,
    pub reference: Option<String>,
    pub notes: Option<String>,
    pub payment_terms_days: Option<Option<i64>>,
    pub credited_document: Option<Option<Uuid>>,
    pub lines: Option<Vec<LineInput>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub item: Option<Uuid>,
    pub description: String,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub discount_percent: Option<String>,
    pub tax_rate: Option<Uuid>,
    pub account: Option<Uuid>,
}

/// A contact as documents need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRef {
    pub id: Uuid,
    pub name: String,
    pub is_customer: bool,
    pub is_vendor: bool,
    pub is_active: bool,
    pub payment_terms_days: i64,
    pub revenue_account_id: Option<Uuid>,
    pub expense_account_id: Option<Uuid>,
}

/// An item as document lines need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub sale_price: i64,
    pub purchase_price: i64,
    pub income_account_id: Option<Uuid>,
    pub expense_account_id: Option<Uuid>,
    pub sales_tax_rate_id: Option<Uuid>,
    pub purchase_tax_rate_id: Option<Uuid>,
    pub is_active: bool,
}

/// A tax rate as documents need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRateRef {
    pub id: Uuid,
    pub name: String,
    pub rate_ppm: i64,
    pub is_inclusive: bool,
    pub sales_account_id: Uuid,
    pub purchase_account_id: Uuid,
    pub is_active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a customer, into a bank or cash account.
    Received,
    /// To a vendor, out of a bank or cash account.
    Made,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Received => "received",
            Direction::Made => "made",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        [Direction::Received, Direction::Made]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub company_id: Uuid,
    pub direction: Direction,
    pub contact_id: Uuid,
    pub date: Date,
    pub amount: i64,
    pub bank_account_id: Uuid,
    pub reference: String,
    pub is_void: bool,
    pub journal_entry_id: Uuid,
    pub void_entry_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The payment's currency; `None`: the company's (every payment before schema 18).
    /// `amount` is in this currency.
    pub currency: Option<String>,
    /// For a payment in another currency: company currency per unit, ×10¹².
    pub exchange_rate: Option<i64>,
}

impl Payment {
    /// The payment's currency, the company's when it names none.
    pub fn currency_or<'a>(&'a self, company: &'a str) -> &'a str {
        self.currency.as_deref().unwrap_or(company)
    }
}

/// Part of a payment or a credit applied to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub id: Uuid,
    pub company_id: Uuid,
    /// The payment or the credit note / vendor credit the money comes from.
    pub source_id: Uuid,
    pub document_id: Uuid,
    pub amount: i64,
    /// The company date from which the money counts against the document: the later of the
    /// source's date and the document's issue date ([`Allocation::dated`]).
    pub date: Date,
    /// The date of the void that undid it; `None` while it stands. An ended allocation is kept
    /// so that reports as of an earlier date still see it.
    pub ended_on: Option<Date>,
    pub created_at: Timestamp,
    /// The entry of the realised exchange difference, when the source and the document were
    /// at different rates; reversed when the payment is voided.
    pub exchange_entry_id: Option<Uuid>,
    /// For a document in another currency: what the allocation took off the document and off
    /// its source in the company currency, each at its own rate; `None` in the company currency.
    pub carried: Option<(i64, i64)>,
}

impl Allocation {
    /// When an allocation from a source dated `source` to a document issued on `document`
    /// takes effect: the later of the two, since money cannot pay a document before both exist.
    pub fn dated(source: Date, document: Date) -> Date {
        source.max(document)
    }
}

/// A bill line that bills goods received on a purchase order (the purchases area's three-way
/// match): issuing the bill debits GRNI with `receipt_value` and the price-difference account
/// with the rest of the line's net amount, instead of the line's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedLine {
    pub line_no: i64,
    pub grni_account_id: Uuid,
    pub receipt_value: i64,
    pub price_difference_account_id: Uuid,
}

/// What documents need from storage, on top of the ledger. One implementation for both backends.
pub trait DocumentStore: LedgerStore {
    fn contact(&mut self, company: Uuid, id: Uuid) -> Result<Option<ContactRef>, Self::Error>;
    fn item(&mut self, company: Uuid, id: Uuid) -> Result<Option<ItemRef>, Self::Error>;
    fn tax_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<TaxRateRef>, Self::Error>;
    fn tax_rounding(&mut self, company: Uuid) -> Result<Rounding, Self::Error>;
    fn document(&mut self, company: Uuid, id: Uuid) -> Result<Option<Document>, Self::Error>;
    /// Locks one document until commit: two payments never both take its last balance.
    fn lock_document(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    fn insert_document(&mut self, doc: &Document) -> Result<(), Self::Error>;
    /// Saves the header and replaces the lines.
    fn update_document(&mut self, doc: &Document) -> Result<(), Self::Error>;
    fn delete_document(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    fn payment(&mut self, company: Uuid, id: Uuid) -> Result<Option<Payment>, Self::Error>;
    fn lock_payment(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    fn insert_payment(&mut self, payment: &Payment) -> Result<(), Self::Error>;
    fn update_payment(&mut self, payment: &Payment) -> Result<(), Self::Error>;
    fn insert_allocation(&mut self, allocation: &Allocation) -> Result<(), Self::Error>;
    /// The standing (not ended) allocations from `source`.
    fn allocations_from(&mut self, company: Uuid, source: Uuid) -> Result<Vec<Allocation>, Self::Error>;
    /// The last day an ended allocation to `document` counted against it (its end, when it
    /// ended after it took effect): until then the document was paid or credited.
    fn settled_until(&mut self, company: Uuid, document: Uuid) -> Result<Option<Date>, Self::Error>;
    /// The company's rate for `currency` of the latest date on or before `date` (×10¹²).
    fn exchange_rate_on(&mut self, company: Uuid, currency: &str, date: Date) -> Result<Option<i64>, Self::Error>;
    /// The currency of the bank account (banking area) kept on the GL account `account`, if any.
    fn bank_currency(&mut self, company: Uuid, account: Uuid) -> Result<Option<String>, Self::Error>;
    /// Where exchange differences are posted: the account chosen in the settings, else the
    /// active account of subtype `fx`.
    fn exchange_account(&mut self, company: Uuid) -> Result<Option<Uuid>, Self::Error>;
    /// Ends the standing allocations from `source` on `on` (its void's date); they stay stored.
    fn end_allocations_from(&mut self, company: Uuid, source: Uuid, on: Date) -> Result<(), Self::Error>;
    /// Called when an invoice is issued, in its transaction, after its entry is posted: the
    /// store delivers its stock lines that no delivery covers (`domain::sales::on_issue`).
    fn invoice_issued(&mut self, _ctx: &Ctx<'_>, _invoice: &Document) -> Result<(), DocumentError<Self::Error>> {
        Ok(())
    }

    /// The lines of bill `bill` matched to goods received ([`MatchedLine`]); none by default.
    fn matched_lines(&mut self, company: Uuid, bill: Uuid) -> Result<Vec<MatchedLine>, Self::Error> {
        let _ = (company, bill);
        Ok(Vec::new())
    }
}

/// Why a document or payment operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError<E: std::error::Error + 'static> {
    #[error("invalid document: {0}")]
    Invalid(FieldErrors),
    #[error("no such document")]
    NotFound,
    #[error("Only draft documents can be {0}.")]
    NotDraft(&'static str),
    #[error("{0}")]
    State(String),
    /// A sum of amounts that do not fit in 64 bits: never clamped, always refused.
    #[error("The amounts of this document are too large to add up.")]
    Overflow,
    #[error(transparent)]
    Ledger(LedgerError<E>),
}

impl<E: std::error::Error + 'static> From<FieldErrors> for DocumentError<E> {
    fn from(e: FieldErrors) -> Self {
        DocumentError::Invalid(e)
    }
}

impl<E: std::error::Error + 'static> From<LedgerError<E>> for DocumentError<E> {
    fn from(e: LedgerError<E>) -> Self {
        match e {
            LedgerError::Invalid(f) => DocumentError::Invalid(f),
            other => DocumentError::Ledger(other),
        }
    }
}

/// `store_call().db()?` for documents.
pub(crate) trait DocDb<T, E: std::error::Error + 'static> {
    fn db(self) -> Result<T, DocumentError<E>>;
}

impl<T, E: std::error::Error + 'static> DocDb<T, E> for Result<T, E> {
    fn db(self) -> Result<T, DocumentError<E>> {
        self.map_err(|e| DocumentError::Ledger(LedgerError::Store(e)))
    }
}

//! The ledger: journal entries, posting, reversal, periods and the hash chain.
//!
//! Every rule lives here, over the [`LedgerStore`] trait, so it holds whatever calls it — the
//! API, the bulk import, the CLI — and on either storage backend. [`MemoryLedger`] is one
//! company's books in memory: bulk posting's checking thread and the unit tests run on it.

pub mod chain;
pub mod entry;
pub mod memory;
pub mod operations;
pub mod periods;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::FieldErrors;
use super::accounts::Account;

pub use super::books::{AuditRecord, Books, Ctx};
pub use memory::{MemoryError, MemoryLedger};
pub use operations::{amend_draft, approve, cancel, create_draft, delete_draft, post, post_new, reverse, update_draft};
pub use periods::{SettingsChanges, close_period, lock_tax, reopen_period, update_settings, year_end_close};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    Draft,
    Posted,
    Cancelled,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Posted => "posted",
            EntryStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        [EntryStatus::Draft, EntryStatus::Posted, EntryStatus::Cancelled]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One line as stored: amounts in minor units of the company currency; for a foreign-currency
/// line, also the amount in that currency and the rate used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub line_no: i64,
    pub account_id: Uuid,
    pub description: String,
    pub debit: i64,
    pub credit: i64,
    pub currency: Option<String>,
    pub amount_currency: Option<i64>,
    pub exchange_rate: Option<String>,
}

impl Line {
    /// The line's debit and credit as they were entered: in the line's own currency when it has
    /// one, else in the company's (`decimals`). A draft's lines read back this way check again
    /// to the same amounts.
    pub fn as_entered(&self, decimals: u32) -> (String, String) {
        match (&self.currency, self.amount_currency) {
            (Some(c), Some(a)) => {
                let fd = super::money::decimals(c);
                let side = |base: i64| super::money::format(if base > 0 { a } else { 0 }, fd);
                (side(self.debit), side(self.credit))
            }
            _ => (
                super::money::format(self.debit, decimals),
                super::money::format(self.credit, decimals),
            ),
        }
    }

    /// The line as input again, to re-check a draft whose lines a change leaves as they are.
    pub fn as_input(&self, decimals: u32) -> LineInput {
        let (debit, credit) = self.as_entered(decimals);
        LineInput {
            account_id: Some(self.account_id),
            description: self.description.clone(),
            debit: Some(debit),
            credit: Some(credit),
            currency: self.currency.clone(),
            exchange_rate: self.exchange_rate.clone(),
            company_amount: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: Uuid,
    pub company_id: Uuid,
    /// Gap-free per company, given at posting.
    pub number: Option<i64>,
    pub date: Date,
    pub reference: String,
    pub description: String,
    pub status: EntryStatus,
    /// Sum of debits (= sum of credits), minor units.
    pub total: i64,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub posted_by: Option<Uuid>,
    pub posted_at: Option<Timestamp>,
    pub reverses_id: Option<Uuid>,
    pub reversed_by_id: Option<Uuid>,
    /// Position in the company's hash chain, once posted.
    pub chain_seq: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Who last changed the draft. Like its creator, they may not approve it: an approver who
    /// edits a small draft into a large one cannot then approve it themselves.
    pub edited_by: Option<Uuid>,
    pub lines: Vec<Line>,
}

/// What the user typed for an entry (amounts still decimal, accounts still unchecked).
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub date: Option<Date>,
    pub reference: String,
    pub description: String,
    pub lines: Vec<LineInput>,
}

/// What a partial change of a draft sends (`PATCH`): `None` keeps the draft's value.
#[derive(Debug, Clone, Default)]
pub struct EntryChanges {
    pub date: Option<Date>,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub lines: Option<Vec<LineInput>>,
}

#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub account_id: Option<Uuid>,
    pub description: String,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub currency: Option<String>,
    pub exchange_rate: Option<String>,
    /// For a foreign-currency line, its amount in the company currency (signed: a debit is
    /// positive) when the caller computed it: documents put a rounding cent on one line, and
    /// post exchange differences, whose foreign amount is zero, this way. `None` converts the
    /// entered amount at the rate. The journal API never sets it.
    pub company_amount: Option<i64>,
}

/// Per-company ledger settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub fiscal_year_start_month: i8,
    /// Soft lock: postings on or before are refused; an allowed role may move it back.
    pub lock_date: Option<Date>,
    /// Hard close: postings on or before are refused, forever.
    pub hard_lock_date: Option<Date>,
    pub approval_required: bool,
    /// With approval required: entries whose total exceeds this (minor units) need approval;
    /// 0 means every entry.
    pub approval_threshold: i64,
    /// How invoices and bills round tax: per line or once per rate over the document.
    pub tax_rounding: super::taxes::Rounding,
    /// Where exchange differences (realised and unrealised) are posted; `None`: the active
    /// account of subtype `fx`.
    pub exchange_account_id: Option<Uuid>,
    /// The tax lock set by the latest filed tax return, if any.
    pub tax_lock: Option<TaxLock>,
}

/// Tax returns are filed through `through`: nothing touching one of `accounts` (the company's
/// tax accounts) is posted or reversed on or before it. The store reads the accounts with the
/// date; only the date is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLock {
    pub through: Date,
    pub accounts: Vec<Uuid>,
}

impl TaxLock {
    /// Whether an entry on `date` with these lines falls under the lock.
    pub fn covers(&self, date: Date, lines: &[Line]) -> bool {
        date <= self.through && lines.iter().any(|l| self.accounts.contains(&l.account_id))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            fiscal_year_start_month: 1,
            lock_date: None,
            hard_lock_date: None,
            approval_required: false,
            approval_threshold: 0,
            tax_rounding: super::taxes::Rounding::Line,
            tax_lock: None,
            exchange_account_id: None,
        }
    }
}

impl Settings {
    /// The latest date on which nothing may be posted.
    pub fn closed_through(&self) -> Option<Date> {
        match (self.lock_date, self.hard_lock_date) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn needs_approval(&self, total: i64) -> bool {
        self.approval_required && (self.approval_threshold == 0 || total > self.approval_threshold)
    }
}

/// A link of the hash chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub company_id: Uuid,
    pub seq: i64,
    pub kind: chain::Kind,
    pub object_id: Uuid,
    pub prev_hash: String,
    pub hash: String,
    pub created_at: Timestamp,
}

/// What the ledger needs from storage. One implementation serves SQLite and PostgreSQL.
pub trait LedgerStore {
    type Error: std::error::Error + Send + Sync + 'static;

    fn account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Self::Error>;
    fn settings(&mut self, company: Uuid) -> Result<Settings, Self::Error>;
    fn save_settings(&mut self, company: Uuid, settings: &Settings) -> Result<(), Self::Error>;
    fn entry(&mut self, company: Uuid, id: Uuid) -> Result<Option<JournalEntry>, Self::Error>;
    /// Locks one entry until commit, so two transactions never both act on it (post it twice,
    /// reverse it twice).
    fn lock_entry(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    /// Locks the company's period settings until commit (closes and reopens queue here).
    fn lock_books(&mut self, company: Uuid) -> Result<(), Self::Error>;
    fn insert_entry(&mut self, entry: &JournalEntry) -> Result<(), Self::Error>;
    /// Saves the header and replaces the lines.
    fn update_entry(&mut self, entry: &JournalEntry) -> Result<(), Self::Error>;
    fn delete_entry(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
    /// Takes the next value of a per-company counter. The row stays locked until commit, so
    /// concurrent transactions queue here: this is the gap-free numbering and the chain lock.
    fn next_counter(&mut self, company: Uuid, name: &str) -> Result<i64, Self::Error>;
    /// Adds a posted entry's lines to the per-day account totals.
    fn add_to_balances(&mut self, date: Date, lines: &[Line]) -> Result<(), Self::Error>;
    fn chain_head(&mut self, company: Uuid) -> Result<Option<ChainLink>, Self::Error>;
    fn append_chain(&mut self, link: &ChainLink) -> Result<(), Self::Error>;
    /// Stores the checkpoint at `link`: its signature and the [`chain::key_id`] of the key.
    fn save_checkpoint(&mut self, link: &ChainLink, signature: &str, key_id: &str) -> Result<(), Self::Error>;
    /// Balances of the company's revenue and expense accounts as of a date: (account, debit − credit).
    fn result_balances(&mut self, company: Uuid, as_of: Date) -> Result<Vec<(Uuid, i64)>, Self::Error>;
    fn account_by_subtype(&mut self, company: Uuid, subtype: &str) -> Result<Option<Account>, Self::Error>;
    fn audit(&mut self, record: &AuditRecord) -> Result<(), Self::Error>;
    /// The statement date of an approved bank reconciliation one of whose lines is matched to
    /// entry `id`: such an entry is locked until the session is reopened. `None`: it is not.
    fn reconciled_in(&mut self, company: Uuid, id: Uuid) -> Result<Option<Date>, Self::Error>;
}

/// Why a ledger operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError<E: std::error::Error + 'static> {
    #[error("invalid entry: {0}")]
    Invalid(FieldErrors),
    #[error("no such entry")]
    NotFound,
    #[error("Only draft entries can be {0}.")]
    NotDraft(&'static str),
    #[error("Only posted entries can be reversed.")]
    NotPosted,
    #[error("This entry has already been reversed.")]
    AlreadyReversed,
    /// A line of an approved bank reconciliation is matched to the entry.
    #[error("This entry is reconciled in the session of {0}; reopen it first.")]
    Reconciled(Date),
    #[error("The period is closed through {closed_through}: nothing can be posted on {date}.")]
    PeriodClosed { date: Date, closed_through: Date },
    /// The entry touches a tax account on or before the end of the latest filed tax return.
    #[error(
        "Tax returns are filed through {filed_through}: an entry on a tax account cannot be posted or reversed on {date}; correct it on the next return."
    )]
    TaxFiled { date: Date, filed_through: Date },
    #[error("This entry needs approval before it can be posted.")]
    NeedsApproval,
    #[error("An entry cannot be approved by the person who created it.")]
    SelfApproval,
    #[error("An entry cannot be approved by the person who last edited it.")]
    EditorApproval,
    #[error("{0}")]
    Period(String),
    #[error("The ledger chain is broken ({0}); run `oasys verify`.")]
    ChainBroken(String),
    #[error(transparent)]
    Store(E),
}

impl<E: std::error::Error + 'static> LedgerError<E> {
    /// The same refusal over another store's failure (bulk posting reports its in-memory
    /// books' failures as the database's).
    pub fn map_store<F: std::error::Error + 'static>(self, f: impl FnOnce(E) -> F) -> LedgerError<F> {
        match self {
            LedgerError::Invalid(e) => LedgerError::Invalid(e),
            LedgerError::NotFound => LedgerError::NotFound,
            LedgerError::NotDraft(verb) => LedgerError::NotDraft(verb),
            LedgerError::NotPosted => LedgerError::NotPosted,
            LedgerError::AlreadyReversed => LedgerError::AlreadyReversed,
            LedgerError::Reconciled(date) => LedgerError::Reconciled(date),
            LedgerError::PeriodClosed { date, closed_through } => LedgerError::PeriodClosed { date, closed_through },
            LedgerError::TaxFiled { date, filed_through } => LedgerError::TaxFiled { date, filed_through },
            LedgerError::NeedsApproval => LedgerError::NeedsApproval,
            LedgerError::SelfApproval => LedgerError::SelfApproval,
            LedgerError::EditorApproval => LedgerError::EditorApproval,
            LedgerError::Period(message) => LedgerError::Period(message),
            LedgerError::ChainBroken(message) => LedgerError::ChainBroken(message),
            LedgerError::Store(e) => LedgerError::Store(f(e)),
        }
    }
}

impl<E: std::error::Error + 'static> From<FieldErrors> for LedgerError<E> {
    fn from(e: FieldErrors) -> Self {
        LedgerError::Invalid(e)
    }
}

/// `store_call().db()?` turns a storage failure into a [`LedgerError`].
pub trait Db<T, E: std::error::Error + 'static> {
    fn db(self) -> Result<T, LedgerError<E>>;
}

impl<T, E: std::error::Error + 'static> Db<T, E> for Result<T, E> {
    fn db(self) -> Result<T, LedgerError<E>> {
        self.map_err(LedgerError::Store)
    }
}

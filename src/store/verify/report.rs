//! What `oasys verify` reports: per firm, per company, and each finding with the entry and
//! chain link it names.

use std::fmt;

use uuid::Uuid;

use crate::domain::ledger::JournalEntry;

/// What a finding about a checkpoint signed by another key says (`CompanyReport::unknown_key`).
pub const UNKNOWN_KEY: &str = "signed by another checkpoint key";

/// An entry a finding is about: its id, its number, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    pub id: Option<Uuid>,
    pub number: Option<i64>,
}

impl EntryRef {
    pub(super) fn of(e: &JournalEntry) -> EntryRef {
        EntryRef {
            id: Some(e.id),
            number: e.number,
        }
    }
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.number, self.id) {
            (Some(n), Some(id)) => write!(f, "entry #{n} ({id})"),
            (Some(n), None) => write!(f, "entry #{n}"),
            (None, Some(id)) => write!(f, "entry {id}"),
            (None, None) => write!(f, "entry"),
        }
    }
}

/// One problem found, naming the entry and/or the chain link it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub entry: Option<EntryRef>,
    /// The link of the company's hash chain concerned.
    pub seq: Option<i64>,
    pub message: String,
    /// Where in the chain the problem sits, for ordering (0: before everything).
    pub(super) position: i64,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.entry, self.seq) {
            (Some(e), Some(s)) => write!(f, "{e}, chain link {s}: {}", self.message),
            (Some(e), None) => write!(f, "{e}: {}", self.message),
            (None, Some(s)) => write!(f, "chain link {s}: {}", self.message),
            (None, None) => write!(f, "{}", self.message),
        }
    }
}

/// The verification of one company's books.
#[derive(Debug, Clone)]
pub struct CompanyReport {
    pub company_id: Uuid,
    pub company_name: String,
    /// Posted entries.
    pub entries: i64,
    /// Links of the hash chain.
    pub links: i64,
    /// The highest signed checkpoint, if any.
    pub last_checkpoint: Option<i64>,
    /// In ledger order: the first finding that names an entry names the first bad entry.
    pub findings: Vec<Finding>,
}

impl CompanyReport {
    pub fn is_ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether some checkpoints were signed by a key other than the one given: they could not
    /// be checked, which is not in itself a sign of tampering.
    pub fn unknown_key(&self) -> bool {
        self.findings.iter().any(|f| f.message.contains(UNKNOWN_KEY))
    }

    /// The first finding, in ledger order, that names an entry.
    pub fn first_bad_entry(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.entry.is_some())
    }
}

/// The verification of one firm: its database, then each company.
#[derive(Debug, Clone)]
pub struct TenantReport {
    pub tenant_id: Uuid,
    /// What the database's own checks report (SQLite `integrity_check`, `foreign_key_check`).
    pub storage: Vec<String>,
    pub companies: Vec<CompanyReport>,
}

impl TenantReport {
    pub fn is_ok(&self) -> bool {
        self.storage.is_empty() && self.companies.iter().all(CompanyReport::is_ok)
    }
}

//! One company's ledger held in memory: a [`LedgerStore`] with no database behind it.
//!
//! Two users. Bulk posting's checking thread posts into one, seeded with what its transaction
//! read after taking the books lock (accounts, settings, counters, chain head), and hands what
//! was written to the thread that owns the transaction, a chunk at a time
//! ([`MemoryLedger::take_written`]). The ledger's unit tests run every operation against one and
//! read the journal, balances, chain and audit trail back from it.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use uuid::Uuid;

use super::{AuditRecord, ChainLink, EntryStatus, JournalEntry, LedgerStore, Line, Settings};
use crate::domain::accounts::{Account, AccountType};

/// The books of one company, in memory. Holds the company's accounts and period settings, the
/// last value taken of each counter, the hash chain's head, the posted lines summed per
/// account and day, and everything written since the last [`take_written`](Self::take_written).
#[derive(Debug)]
pub struct MemoryLedger {
    company: Uuid,
    settings: Settings,
    accounts: HashMap<Uuid, Account>,
    /// Counter name → the last value taken, as the counters table keeps it.
    counters: HashMap<String, i64>,
    /// The chain's head before the links in `written`.
    head: Option<ChainLink>,
    /// (account, date) → (debits, credits) of posted lines, minor units.
    balances: BTreeMap<(Uuid, Date), (i64, i64)>,
    written: Written,
}

/// What was written since the last [`MemoryLedger::take_written`], in the order it was written.
/// An entry edited after it was written is here as it is now; a deleted draft is gone.
#[derive(Debug, Default)]
pub struct Written {
    pub entries: Vec<JournalEntry>,
    pub links: Vec<ChainLink>,
    /// Signed checkpoints: the link, its signature and the [`super::chain::key_id`] of the key.
    pub checkpoints: Vec<(ChainLink, String, String)>,
    pub audit: Vec<AuditRecord>,
}

impl Written {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.links.is_empty() && self.checkpoints.is_empty() && self.audit.is_empty()
    }
}

/// Why the memory ledger refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    /// It holds one company's books; a call named another company.
    #[error("these books are another company's")]
    OtherCompany,
    #[error("an account's total is too large")]
    Overflow,
    /// An entry to update is not held (never written, or already taken).
    #[error("no such entry in these books")]
    NoEntry,
}

type Result<T> = std::result::Result<T, MemoryError>;

impl MemoryLedger {
    /// Empty books of `company`: no entries, counters at zero, no chain. Accounts of another
    /// company may be among `accounts`; they are held but never found for this one.
    pub fn new(company: Uuid, settings: Settings, accounts: impl IntoIterator<Item = Account>) -> MemoryLedger {
        MemoryLedger {
            company,
            settings,
            accounts: accounts.into_iter().map(|a| (a.id, a)).collect(),
            counters: HashMap::new(),
            head: None,
            balances: BTreeMap::new(),
            written: Written::default(),
        }
    }

    /// Continues a stored counter: the next value taken is `last + 1`.
    pub fn set_counter(&mut self, name: &str, last: i64) {
        self.counters.insert(name.to_owned(), last);
    }

    /// Continues a stored chain after `head`.
    pub fn set_chain_head(&mut self, head: Option<ChainLink>) {
        self.head = head;
    }

    /// Adds or replaces an account.
    pub fn put_account(&mut self, account: Account) {
        self.accounts.insert(account.id, account);
    }

    /// The last value taken of a counter (0 before the first).
    pub fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    /// The period settings as they are now.
    pub fn period_settings(&self) -> &Settings {
        &self.settings
    }

    /// (account, date) → (debits, credits) of every posted line, minor units.
    pub fn balances(&self) -> &BTreeMap<(Uuid, Date), (i64, i64)> {
        &self.balances
    }

    /// The entries written and not yet taken, in the order they were first written.
    pub fn entries(&self) -> &[JournalEntry] {
        &self.written.entries
    }

    /// The chain links written and not yet taken, oldest first.
    pub fn links(&self) -> &[ChainLink] {
        &self.written.links
    }

    pub fn checkpoints(&self) -> &[(ChainLink, String, String)] {
        &self.written.checkpoints
    }

    pub fn audit_trail(&self) -> &[AuditRecord] {
        &self.written.audit
    }

    /// Hands over everything written so far; the books go on from where they are (counters,
    /// chain head and balances stay), but taken entries can no longer be read or changed here.
    pub fn take_written(&mut self) -> Written {
        if let Some(last) = self.written.links.last() {
            self.head = Some(last.clone());
        }
        std::mem::take(&mut self.written)
    }

    fn only(&self, company: Uuid) -> Result<()> {
        if company == self.company {
            Ok(())
        } else {
            Err(MemoryError::OtherCompany)
        }
    }

    fn position(&self, id: Uuid) -> Option<usize> {
        // From the end: the entry acted on is most often a recent one.
        self.written.entries.iter().rposition(|e| e.id == id)
    }
}

impl LedgerStore for MemoryLedger {
    type Error = MemoryError;

    fn account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>> {
        self.only(company)?;
        Ok(self.accounts.get(&id).filter(|a| a.company_id == company).cloned())
    }

    fn settings(&mut self, company: Uuid) -> Result<Settings> {
        self.only(company)?;
        Ok(self.settings.clone())
    }

    fn save_settings(&mut self, company: Uuid, settings: &Settings) -> Result<()> {
        self.only(company)?;
        self.settings = settings.clone();
        Ok(())
    }

    fn entry(&mut self, company: Uuid, id: Uuid) -> Result<Option<JournalEntry>> {
        self.only(company)?;
        Ok(self.position(id).map(|i| self.written.entries[i].clone()))
    }

    fn lock_entry(&mut self, company: Uuid, _: Uuid) -> Result<()> {
        // One thread owns these books: there is nobody to lock out.
        self.only(company)
    }

    fn lock_books(&mut self, company: Uuid) -> Result<()> {
        self.only(company)
    }

    fn insert_entry(&mut self, entry: &JournalEntry) -> Result<()> {
        self.only(entry.company_id)?;
        self.written.entries.push(entry.clone());
        Ok(())
    }

    fn update_entry(&mut self, entry: &JournalEntry) -> Result<()> {
        self.only(entry.company_id)?;
        let i = self.position(entry.id).ok_or(MemoryError::NoEntry)?;
        self.written.entries[i] = entry.clone();
        Ok(())
    }

    fn delete_entry(&mut self, company: Uuid, id: Uuid) -> Result<()> {
        self.only(company)?;
        // As in the database: only a draft is ever deleted.
        if let Some(i) = self.position(id)
            && self.written.entries[i].status == EntryStatus::Draft
        {
            self.written.entries.remove(i);
        }
        Ok(())
    }

    fn next_counter(&mut self, company: Uuid, name: &str) -> Result<i64> {
        self.only(company)?;
        // One lookup on the way a bulk posting takes twice per entry.
        if let Some(last) = self.counters.get_mut(name) {
            *last = last.checked_add(1).ok_or(MemoryError::Overflow)?;
            return Ok(*last);
        }
        self.counters.insert(name.to_owned(), 1);
        Ok(1)
    }

    fn add_to_balances(&mut self, date: Date, lines: &[Line]) -> Result<()> {
        for l in lines {
            let t = self.balances.entry((l.account_id, date)).or_default();
            t.0 = t.0.checked_add(l.debit).ok_or(MemoryError::Overflow)?;
            t.1 = t.1.checked_add(l.credit).ok_or(MemoryError::Overflow)?;
        }
        Ok(())
    }

    fn chain_head(&mut self, company: Uuid) -> Result<Option<ChainLink>> {
        self.only(company)?;
        Ok(self.written.links.last().or(self.head.as_ref()).cloned())
    }

    fn append_chain(&mut self, link: &ChainLink) -> Result<()> {
        self.only(link.company_id)?;
        self.written.links.push(link.clone());
        Ok(())
    }

    fn save_checkpoint(&mut self, link: &ChainLink, signature: &str, key_id: &str) -> Result<()> {
        self.only(link.company_id)?;
        self.written
            .checkpoints
            .push((link.clone(), signature.to_owned(), key_id.to_owned()));
        Ok(())
    }

    fn result_balances(&mut self, company: Uuid, as_of: Date) -> Result<Vec<(Uuid, i64)>> {
        self.only(company)?;
        let mut nets: BTreeMap<(&str, Uuid), i64> = BTreeMap::new();
        for (&(account, date), &(debit, credit)) in &self.balances {
            let Some(a) = self.accounts.get(&account) else { continue };
            if date > as_of
                || a.company_id != company
                || !matches!(a.account_type, AccountType::Revenue | AccountType::Expense)
            {
                continue;
            }
            let net = nets.entry((a.code.as_str(), account)).or_default();
            *net = debit
                .checked_sub(credit)
                .and_then(|d| net.checked_add(d))
                .ok_or(MemoryError::Overflow)?;
        }
        Ok(nets.into_iter().map(|((_, account), net)| (account, net)).collect())
    }

    fn account_by_subtype(&mut self, company: Uuid, subtype: &str) -> Result<Option<Account>> {
        self.only(company)?;
        Ok(self
            .accounts
            .values()
            .filter(|a| a.company_id == company && a.is_active && a.subtype == subtype)
            .min_by(|a, b| a.code.cmp(&b.code))
            .cloned())
    }

    fn audit(&mut self, record: &AuditRecord) -> Result<()> {
        self.only(record.company_id)?;
        self.written.audit.push(record.clone());
        Ok(())
    }

    /// The ledger alone keeps no bank statements: nothing is reconciled here.
    fn reconciled_in(&mut self, company: Uuid, _id: Uuid) -> Result<Option<Date>> {
        self.only(company)?;
        Ok(None)
    }
}

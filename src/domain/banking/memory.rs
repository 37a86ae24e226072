//! An in-memory banking store for the area's unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::convert::Infallible;

use jiff::civil::Date;
use uuid::Uuid;

use super::accounts::{BankAccount, BankAccountStore};
use super::reconciliation::{Reconciliation, ReconciliationStatus, ReconciliationStore};
use super::statements::{LineStatus, StatementImport, StatementStore, StoredLine};
use crate::domain::accounts::Account;
use crate::domain::audit::AuditTrail;
use crate::domain::books::AuditRecord;

#[derive(Default)]
pub struct Bank {
    pub gl: Vec<Account>,
    pub accounts: Vec<BankAccount>,
    pub imports: Vec<StatementImport>,
    pub lines: Vec<StoredLine>,
    pub sessions: Vec<Reconciliation>,
    pub audit: Vec<AuditRecord>,
    pub approval_required: bool,
}

impl AuditTrail for Bank {
    type Error = Infallible;
    fn append_audit(&mut self, record: &AuditRecord) -> Result<(), Infallible> {
        self.audit.push(record.clone());
        Ok(())
    }
}

impl BankAccountStore for Bank {
    fn find_gl_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, Infallible> {
        Ok(self.gl.iter().find(|a| a.company_id == company && a.id == id).cloned())
    }
    fn find_bank_account(&mut self, company: Uuid, id: Uuid) -> Result<Option<BankAccount>, Infallible> {
        Ok(self
            .accounts
            .iter()
            .find(|a| a.company_id == company && a.id == id)
            .cloned())
    }
    fn bank_iban_taken(&mut self, company: Uuid, iban: &str, except: Option<Uuid>) -> Result<bool, Infallible> {
        Ok(self
            .accounts
            .iter()
            .any(|a| a.company_id == company && a.iban == iban && Some(a.id) != except))
    }
    fn bank_gl_account_taken(&mut self, company: Uuid, gl: Uuid, except: Option<Uuid>) -> Result<bool, Infallible> {
        Ok(self
            .accounts
            .iter()
            .any(|a| a.company_id == company && a.account_id == gl && a.is_active && Some(a.id) != except))
    }
    fn bank_account_has_lines(&mut self, id: Uuid) -> Result<bool, Infallible> {
        Ok(self.lines.iter().any(|l| l.bank_account_id == id))
    }
    fn insert_bank_account(&mut self, account: &BankAccount) -> Result<(), Infallible> {
        self.accounts.push(account.clone());
        Ok(())
    }
    fn update_bank_account(&mut self, account: &BankAccount) -> Result<(), Infallible> {
        for a in &mut self.accounts {
            if a.id == account.id {
                *a = account.clone();
            }
        }
        Ok(())
    }
}

impl StatementStore for Bank {
    fn known_fingerprints(&mut self, account: Uuid, from: Date, to: Date) -> Result<HashSet<String>, Infallible> {
        Ok(self
            .lines
            .iter()
            .filter(|l| l.bank_account_id == account && l.date >= from && l.date <= to)
            .map(|l| l.fingerprint.clone())
            .collect())
    }
    fn insert_import(&mut self, import: &StatementImport) -> Result<(), Infallible> {
        self.imports.push(import.clone());
        Ok(())
    }
    fn update_import_counts(&mut self, import: Uuid, new: i64, duplicate: i64) -> Result<(), Infallible> {
        for i in &mut self.imports {
            if i.id == import {
                i.lines_new = new;
                i.lines_duplicate = duplicate;
            }
        }
        Ok(())
    }
    fn insert_line(&mut self, line: &StoredLine) -> Result<bool, Infallible> {
        if self
            .lines
            .iter()
            .any(|l| l.bank_account_id == line.bank_account_id && l.fingerprint == line.fingerprint)
        {
            return Ok(false);
        }
        self.lines.push(line.clone());
        Ok(true)
    }
    fn find_line(&mut self, company: Uuid, id: Uuid) -> Result<Option<StoredLine>, Infallible> {
        Ok(self
            .lines
            .iter()
            .find(|l| l.company_id == company && l.id == id)
            .cloned())
    }
    fn update_line(&mut self, line: &StoredLine) -> Result<(), Infallible> {
        for l in &mut self.lines {
            if l.id == line.id {
                *l = line.clone();
            }
        }
        Ok(())
    }
    fn entry_on_account(&mut self, _: Uuid, _: Uuid, _: Uuid) -> Result<Option<(bool, i64)>, Infallible> {
        Ok(None)
    }
}

impl ReconciliationStore for Bank {
    fn approval_required(&mut self, _: Uuid) -> Result<bool, Infallible> {
        Ok(self.approval_required)
    }
    fn find_reconciliation(&mut self, company: Uuid, id: Uuid) -> Result<Option<Reconciliation>, Infallible> {
        Ok(self
            .sessions
            .iter()
            .find(|r| r.company_id == company && r.id == id)
            .cloned())
    }
    fn open_reconciliation(&mut self, account: Uuid) -> Result<Option<Uuid>, Infallible> {
        Ok(self
            .sessions
            .iter()
            .find(|r| r.bank_account_id == account && r.status != ReconciliationStatus::Approved)
            .map(|r| r.id))
    }
    fn latest_approved(&mut self, account: Uuid) -> Result<Option<Reconciliation>, Infallible> {
        Ok(self
            .sessions
            .iter()
            .filter(|r| r.bank_account_id == account && r.status == ReconciliationStatus::Approved)
            .max_by_key(|r| r.statement_date)
            .cloned())
    }
    fn reconciled_total(&mut self, account: Uuid, through: Date) -> Result<i64, Infallible> {
        Ok(self
            .lines
            .iter()
            .filter(|l| {
                l.bank_account_id == account
                    && l.date <= through
                    && matches!(l.status, LineStatus::Matched | LineStatus::Reconciled)
            })
            .map(|l| l.amount)
            .sum())
    }
    fn insert_reconciliation(&mut self, r: &Reconciliation) -> Result<(), Infallible> {
        self.sessions.push(r.clone());
        Ok(())
    }
    fn update_reconciliation(&mut self, r: &Reconciliation) -> Result<(), Infallible> {
        for s in &mut self.sessions {
            if s.id == r.id {
                *s = r.clone();
            }
        }
        Ok(())
    }
    fn lock_lines(&mut self, account: Uuid, through: Date, session: Uuid) -> Result<u64, Infallible> {
        let mut n = 0;
        for l in &mut self.lines {
            if l.bank_account_id == account && l.date <= through && l.status == LineStatus::Matched {
                l.status = LineStatus::Reconciled;
                l.reconciliation_id = Some(session);
                n += 1;
            }
        }
        Ok(n)
    }
    fn release_lines(&mut self, session: Uuid) -> Result<u64, Infallible> {
        let mut n = 0;
        for l in &mut self.lines {
            if l.reconciliation_id == Some(session) {
                l.status = LineStatus::Matched;
                l.reconciliation_id = None;
                n += 1;
            }
        }
        Ok(n)
    }
}

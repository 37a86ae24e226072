//! Integrity verification of the ledger, for `oasys verify`: every posted entry balances, the
//! maintained per-day balances equal the sums of the lines, entry numbers have no gaps, nothing
//! was posted into a closed period, the hash chain recomputes from the stored rows and reaches
//! every signed checkpoint, the audit trail and the ledger agree, filed tax returns' settlements
//! are posted, stock levels and inventory values agree with the moves and the ledger, and (on SQLite) the database
//! file passes SQLite's own checks.
//!
//! A tenant's books are read in one read transaction (one snapshot), company by company, while
//! SQLite's own file check runs on a second connection; the chain is walked in pages, so a large
//! ledger is never held in memory at once. Findings are sorted in
//! ledger order, so the first one names the first bad entry. What each check catches, and what
//! no check inside the database can catch, is written in `docs/ledger-chain.md`.

mod audit;
mod balances;
mod checkpoints;
mod entries;
mod inventory;
mod journal;
mod report;
mod tax_returns;
mod walk;

use std::collections::HashMap;
use std::time::Instant;

use jiff::civil::Date;
use uuid::Uuid;

use super::{Store, StoreError, Tx, companies};
use crate::domain::money;
use crate::params;
use crate::tenancy::TenantScope;

pub use report::{CompanyReport, EntryRef, Finding, TenantReport, UNKNOWN_KEY};

/// Position of findings that belong to no place in the chain (maintained balances, settings).
const END: i64 = i64::MAX;

/// Verifies every company of a firm, in one read transaction. On SQLite, the engine's own check
/// of the file (`storage_problems`, a read of every page) runs meanwhile on a second connection
/// and thread: it checks the file's structure, not the books, so it needs no shared snapshot, and
/// on two cores its time no longer adds to the ledger's. PostgreSQL has no such check to run.
pub fn verify_tenant(store: &Store, scope: &TenantScope, checkpoint_key: &[u8]) -> Result<TenantReport, StoreError> {
    let ledger = |tx: &mut Tx| {
        let mut reports = Vec::new();
        for company in companies::all(tx)? {
            reports.push(verify_company(tx, company.id, checkpoint_key)?);
        }
        Ok::<_, StoreError>(reports)
    };
    // The second connection is taken once the firm's database is open (and migrated) for the
    // first: two first opens at once would both migrate it.
    let (storage, companies) = store.tenant_read(scope, |tx| {
        tx.snapshot()?;
        if store.backend_name() != "sqlite" {
            return Ok::<_, StoreError>((Ok(Vec::new()), ledger(tx)));
        }
        Ok(std::thread::scope(|threads| {
            let storage = threads.spawn(|| {
                store.tenant_read(scope, |tx| {
                    let t = Instant::now();
                    let problems = tx.storage_problems();
                    phase("storage", t);
                    problems
                })
            });
            let companies = ledger(tx);
            let storage = storage
                .join()
                .unwrap_or_else(|_| Err(StoreError::Database("the database check stopped unexpectedly".into())));
            (storage, companies)
        }))
    })?;
    Ok(TenantReport {
        tenant_id: scope.tenant_id(),
        storage: storage?,
        companies: companies?,
    })
}

/// Verifies one company's books. Problems in the data are findings; an `Err` means the
/// verification itself could not run (the database is unreadable, the company unknown).
pub fn verify_company(tx: &mut Tx, company: Uuid, checkpoint_key: &[u8]) -> Result<CompanyReport, StoreError> {
    let info = companies::get(tx, company)?.ok_or(StoreError::NotFound)?;
    let accounts = tx
        .query("SELECT id, code FROM accounts WHERE company_id = $1", params![company])?
        .iter()
        .map(|r| Ok((r.uuid(0)?, r.text(1)?)))
        .collect::<Result<HashMap<Uuid, String>, StoreError>>()?;
    let mut v = Verifier {
        company,
        key: checkpoint_key,
        decimals: money::decimals(&info.currency),
        accounts,
        findings: Vec::new(),
    };
    let t = Instant::now();
    let checkpoints = checkpoints::checkpoints(tx, company)?;
    let chain = v.walk_chain(tx, &checkpoints)?;
    let tail = chain.last_seq.saturating_add(1);
    v.check_checkpoints(&checkpoints, &chain);
    let t = phase("chain", t);
    let entries = v.check_numbers(tx, tail)?;
    let t = phase("numbers", t);
    v.check_counters(tx, &chain, tail)?;
    let t = phase("counters", t);
    v.check_unchained(tx)?;
    let t = phase("unchained", t);
    v.check_reversals(tx)?;
    let t = phase("reversals", t);
    v.check_line_copies(tx)?;
    let t = phase("line copies", t);
    v.check_audit_trail(tx, tail)?;
    let t = phase("audit trail", t);
    v.check_settings(tx, &chain)?;
    let t = phase("settings", t);
    v.check_balances(tx)?;
    let t = phase("balances", t);
    v.check_tax_returns(tx)?;
    let t = phase("tax returns", t);
    v.check_inventory(tx)?;
    phase("inventory", t);
    let mut findings = v.findings;
    findings.sort_by_key(|f| f.position);
    Ok(CompanyReport {
        company_id: company,
        company_name: info.name,
        entries,
        links: chain.links,
        last_checkpoint: checkpoints.last().map(|c| c.seq),
        findings,
    })
}

struct Verifier<'k> {
    company: Uuid,
    key: &'k [u8],
    decimals: u32,
    /// The company's accounts, by id, with their codes.
    accounts: HashMap<Uuid, String>,
    findings: Vec<Finding>,
}

/// Logs how long a phase took (at debug level, for profiling), and returns the time it ended.
fn phase(name: &str, since: Instant) -> Instant {
    let now = Instant::now();
    tracing::debug!(phase = name, ms = (now - since).as_millis() as u64, "verify phase");
    now
}

fn show_date(d: Option<Date>) -> String {
    d.map_or_else(|| "none".to_owned(), |d| d.to_string())
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

impl Verifier<'_> {
    fn push(&mut self, entry: Option<EntryRef>, seq: Option<i64>, position: i64, message: impl Into<String>) {
        self.findings.push(Finding {
            entry,
            seq,
            message: message.into(),
            position,
        });
    }

    fn amount(&self, v: i128) -> String {
        i64::try_from(v).map_or_else(|_| v.to_string(), |v| money::format(v, self.decimals))
    }

    fn account(&self, id: Uuid) -> String {
        self.accounts.get(&id).map_or_else(|| id.to_string(), Clone::clone)
    }
}

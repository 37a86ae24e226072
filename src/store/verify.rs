//! Integrity verification of the ledger, for `oasys verify`: every posted entry balances, the
//! maintained per-day balances equal the sums of the lines, entry numbers have no gaps, nothing
//! was posted into a closed period, the hash chain recomputes from the stored rows and reaches
//! every signed checkpoint, the audit trail and the ledger agree, and (on SQLite) the database
//! file passes SQLite's own checks.
//!
//! A tenant is read in one read transaction (one snapshot), company by company; the chain is
//! walked in pages, so a large ledger is never held in memory at once. Findings are sorted in
//! ledger order, so the first one names the first bad entry. What each check catches, and what
//! no check inside the database can catch, is written in `docs/ledger-chain.md`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::{ENTRY_COLUMNS, entry_from_row, parse_date};
use super::{Row, Store, StoreError, Tx, companies};
use crate::domain::ledger::chain::{self, Kind};
use crate::domain::ledger::{EntryStatus, JournalEntry, LedgerStore, Line};
use crate::domain::money;
use crate::params;
use crate::tenancy::TenantScope;

/// What a finding about a checkpoint signed by another key says (`CompanyReport::unknown_key`).
pub const UNKNOWN_KEY: &str = "signed by another checkpoint key";

/// Links read per query while walking the chain.
const PAGE: i64 = 500;
/// Position of findings that belong to no place in the chain (maintained balances, settings).
const END: i64 = i64::MAX;
/// Mismatched balances for which the entries of that day are looked up and named.
const NAMED_BALANCES: usize = 20;
/// Entries missing from their chain link that are searched for elsewhere in the chain.
const LOOKUPS: usize = 100;

/// An entry a finding is about: its id, its number, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    pub id: Option<Uuid>,
    pub number: Option<i64>,
}

impl EntryRef {
    fn of(e: &JournalEntry) -> EntryRef {
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
    position: i64,
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

/// Verifies every company of a firm, in one read transaction.
pub fn verify_tenant(store: &Store, scope: &TenantScope, checkpoint_key: &[u8]) -> Result<TenantReport, StoreError> {
    store.tenant_read(scope, |tx| {
        tx.snapshot()?;
        let storage = tx.storage_problems()?;
        let mut reports = Vec::new();
        for company in companies::all(tx)? {
            reports.push(verify_company(tx, company.id, checkpoint_key)?);
        }
        Ok(TenantReport {
            tenant_id: scope.tenant_id(),
            storage,
            companies: reports,
        })
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
    let checkpoints = checkpoints(tx, company)?;
    let chain = v.walk_chain(tx, &checkpoints)?;
    let tail = chain.last_seq.saturating_add(1);
    v.check_checkpoints(&checkpoints, &chain);
    let entries = v.check_numbers(tx, tail)?;
    v.check_counters(tx, &chain, tail)?;
    v.check_unchained(tx)?;
    v.check_reversals(tx)?;
    v.check_line_copies(tx)?;
    v.check_audit_trail(tx, tail)?;
    v.check_settings(tx, &chain)?;
    v.check_balances(tx)?;
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

struct Checkpoint {
    seq: i64,
    hash: String,
    signature: String,
    /// The key that signed it, by [`chain::key_id`]; `None` before key ids were recorded.
    key_id: Option<String>,
}

/// A lock-date change recorded in the audit trail: a candidate payload for a close link.
struct PeriodChange {
    lock_date: Option<Date>,
    hard_lock_date: Option<Date>,
    by: Uuid,
    used: bool,
}

/// What the chain walk learned.
#[derive(Default)]
struct Chain {
    links: i64,
    last_seq: i64,
    /// Hashes of the links at checkpoint positions.
    at_checkpoints: HashMap<i64, String>,
    /// Seqs of the period-close links.
    closes: Vec<i64>,
    /// The lock dates set by the last close link, when its hash was recomputed.
    last_close: Option<LastClose>,
}

#[derive(Clone, Copy)]
enum LastClose {
    Verified {
        lock_date: Option<Date>,
        hard_lock_date: Option<Date>,
    },
    Unverified {
        seq: i64,
    },
}

/// The state carried from link to link.
struct Walk {
    expected: i64,
    prev_hash: Option<String>,
    /// The latest date on which posting was refused at this point of the chain; `None` when
    /// nothing was closed, or when the last close could not be recomputed.
    closed_through: Option<Date>,
    hard_lock_date: Option<Date>,
}

struct StoredLink {
    seq: i64,
    kind: String,
    object: String,
    prev_hash: String,
    hash: String,
}

fn checkpoints(tx: &mut Tx, company: Uuid) -> Result<Vec<Checkpoint>, StoreError> {
    tx.query(
        "SELECT seq, hash, signature, key_id FROM chain_checkpoints WHERE company_id = $1 ORDER BY seq",
        params![company],
    )?
    .iter()
    .map(|r| {
        Ok(Checkpoint {
            seq: r.int(0)?,
            hash: r.text(1)?,
            signature: r.text(2)?,
            key_id: r.opt_text(3)?,
        })
    })
    .collect()
}

/// The period changes of the audit trail, oldest first. Each close link's payload is
/// `close_payload(lock_date, hard_lock_date, by)` with the values after the change, which the
/// audit row written in the same transaction records.
fn period_changes(tx: &mut Tx, company: Uuid) -> Result<Vec<PeriodChange>, StoreError> {
    let rows = tx.query(
        "SELECT actor_id, detail FROM audit_log WHERE company_id = $1 AND object_type = 'period' ORDER BY created_at, id",
        params![company],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let Some(by) = r.opt_text(0)?.and_then(|s| Uuid::parse_str(&s).ok()) else {
            continue;
        };
        let Ok(detail) = serde_json::from_str::<serde_json::Value>(&r.text(1)?) else {
            continue;
        };
        let after = |field: &str| -> Option<Option<Date>> {
            match detail.get(field)?.get("after")?.as_str()? {
                "" => Some(None),
                s => s.parse().ok().map(Some),
            }
        };
        if let (Some(lock_date), Some(hard_lock_date)) = (after("lock_date"), after("hard_lock_date")) {
            out.push(PeriodChange {
                lock_date,
                hard_lock_date,
                by,
                used: false,
            });
        }
    }
    Ok(out)
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

    /// Walks the chain from its first link: seqs contiguous from 1, each `prev_hash` the hash of
    /// the link before, each hash recomputed from the stored entry (or period change), each
    /// entry balanced and posted while its date was open.
    fn walk_chain(&mut self, tx: &mut Tx, checkpoints: &[Checkpoint]) -> Result<Chain, StoreError> {
        let at_checkpoint: HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
        let mut changes = period_changes(tx, self.company)?;
        let mut chain = Chain::default();
        let mut walk = Walk {
            expected: 1,
            prev_hash: None,
            closed_through: None,
            hard_lock_date: None,
        };
        let mut after = i64::MIN;
        loop {
            let links = tx
                .query(
                    &format!(
                        "SELECT seq, kind, object_id, prev_hash, hash FROM ledger_chain \
                         WHERE company_id = $1 AND seq > $2 ORDER BY seq LIMIT {PAGE}"
                    ),
                    params![self.company, after],
                )?
                .iter()
                .map(|r| {
                    Ok(StoredLink {
                        seq: r.int(0)?,
                        kind: r.text(1)?,
                        object: r.text(2)?,
                        prev_hash: r.text(3)?,
                        hash: r.text(4)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let Some(last) = links.last().map(|l| l.seq) else { break };
            let entries = self.load_entries(tx, after, last)?;
            for link in &links {
                let entry = Uuid::parse_str(&link.object).ok().and_then(|id| entries.get(&id));
                self.check_link(link, entry, &mut walk, &mut changes, &mut chain);
                if at_checkpoint.contains(&link.seq) {
                    chain.at_checkpoints.insert(link.seq, link.hash.clone());
                }
                chain.links += 1;
                chain.last_seq = link.seq;
            }
            after = last;
        }
        Ok(chain)
    }

    /// The entries (with their lines) that the links in `(after, last]` point at. An entry
    /// whose row cannot be read is reported and left out.
    fn load_entries(&mut self, tx: &mut Tx, after: i64, last: i64) -> Result<HashMap<Uuid, JournalEntry>, StoreError> {
        const IN_PAGE: &str =
            "(SELECT object_id FROM ledger_chain WHERE company_id = $1 AND seq > $2 AND seq <= $3 AND kind <> 'close')";
        let mut entries = HashMap::new();
        // By id only, the company checked below: with `company_id = $1` in the query SQLite
        // walks the company's date index for every page (quadratic in the ledger's size).
        let rows = tx.query(
            &format!("SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE id IN {IN_PAGE}"),
            params![self.company, after, last],
        )?;
        for r in &rows {
            match entry_from_row(r) {
                Ok(e) if e.company_id != self.company => {}
                Ok(e) => {
                    entries.insert(e.id, e);
                }
                Err(err) => {
                    let id = r.opt_text(0).ok().flatten().and_then(|s| Uuid::parse_str(&s).ok());
                    let seq = r.opt_int(14).ok().flatten();
                    self.push(
                        Some(EntryRef {
                            id,
                            number: r.opt_int(2).ok().flatten(),
                        }),
                        seq,
                        seq.unwrap_or(0),
                        format!("the entry's row cannot be read: {err}"),
                    );
                }
            }
        }
        let lines = tx.query(
            &format!(
                "SELECT entry_id, line_no, account_id, description, debit, credit, currency, amount_currency, exchange_rate \
                 FROM journal_lines WHERE entry_id IN {IN_PAGE} ORDER BY entry_id, line_no"
            ),
            params![self.company, after, last],
        )?;
        for r in &lines {
            let line = line_from_row(r)?;
            if let Some(e) = entries.get_mut(&r.uuid(0)?) {
                e.lines.push(line);
            }
        }
        Ok(entries)
    }

    /// Checks one link and, for a post or reverse, the entry it names.
    fn check_link(
        &mut self,
        link: &StoredLink,
        entry: Option<&JournalEntry>,
        walk: &mut Walk,
        changes: &mut [PeriodChange],
        chain: &mut Chain,
    ) {
        let seq = link.seq;
        if seq != walk.expected {
            let message = if seq > walk.expected {
                if seq - 1 == walk.expected {
                    format!("chain link {} is missing", walk.expected)
                } else {
                    format!("chain links {}..={} are missing", walk.expected, seq - 1)
                }
            } else {
                format!("out of sequence: link {} was expected", walk.expected)
            };
            self.push(None, Some(seq), seq, message);
        } else {
            let expected_prev = walk.prev_hash.as_deref().unwrap_or(chain::GENESIS);
            if link.prev_hash != expected_prev {
                let what = if seq == 1 {
                    "the genesis value".to_owned()
                } else {
                    format!("the hash of link {}", seq - 1)
                };
                self.push(
                    None,
                    Some(seq),
                    seq,
                    format!(
                        "its prev_hash {} is not {what} ({}): the chain is broken here",
                        short(&link.prev_hash),
                        short(expected_prev)
                    ),
                );
            }
        }
        walk.expected = seq.saturating_add(1);
        walk.prev_hash = Some(link.hash.clone());
        let Ok(object) = Uuid::parse_str(&link.object) else {
            self.push(
                None,
                Some(seq),
                seq,
                format!("names {:?}, which is not an id", link.object),
            );
            return;
        };
        match Kind::parse(&link.kind) {
            None => self.push(None, Some(seq), seq, format!("unknown kind {:?}", link.kind)),
            Some(Kind::Close) => {
                chain.closes.push(seq);
                self.check_close(link, object, walk, changes, chain);
            }
            Some(kind) => self.check_entry_link(link, kind, object, entry, walk),
        }
    }

    fn check_close(
        &mut self,
        link: &StoredLink,
        object: Uuid,
        walk: &mut Walk,
        changes: &mut [PeriodChange],
        chain: &mut Chain,
    ) {
        let seq = link.seq;
        if object != self.company {
            self.push(
                None,
                Some(seq),
                seq,
                format!("a period close must name its company, not {object}"),
            );
        }
        let recomputes = |c: &PeriodChange| {
            let payload = chain::close_payload(c.lock_date, c.hard_lock_date, c.by);
            chain::link_hash(self.company, seq, Kind::Close, object, &link.prev_hash, &payload) == link.hash
        };
        // The audit rows are in order; the first unused one that recomputes the hash is this close.
        let matched = changes.iter_mut().find(|c| !c.used && recomputes(c));
        let Some(change) = matched else {
            self.push(
                None,
                Some(seq),
                seq,
                "period close: its hash cannot be recomputed from any period change in the audit trail \
                 (the link or the audit row was altered)",
            );
            walk.closed_through = None;
            chain.last_close = Some(LastClose::Unverified { seq });
            return;
        };
        change.used = true;
        if let (Some(before), after) = (walk.hard_lock_date, change.hard_lock_date)
            && after.is_none_or(|a| a < before)
        {
            self.push(
                None,
                Some(seq),
                seq,
                format!(
                    "period close moves the hard close back from {before} to {}",
                    show_date(after)
                ),
            );
        }
        walk.hard_lock_date = change.hard_lock_date;
        walk.closed_through = match (change.lock_date, change.hard_lock_date) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        chain.last_close = Some(LastClose::Verified {
            lock_date: change.lock_date,
            hard_lock_date: change.hard_lock_date,
        });
    }

    fn check_entry_link(
        &mut self,
        link: &StoredLink,
        kind: Kind,
        object: Uuid,
        entry: Option<&JournalEntry>,
        walk: &Walk,
    ) {
        let seq = link.seq;
        let Some(e) = entry else {
            let named = EntryRef {
                id: Some(object),
                number: None,
            };
            self.push(
                Some(named),
                Some(seq),
                seq,
                format!(
                    "the chain records its {}, but the entry is gone from this company's journal",
                    kind.as_str()
                ),
            );
            return;
        };
        let named = EntryRef::of(e);
        let problem = |v: &mut Self, message: String| v.push(Some(named.clone()), Some(seq), seq, message);
        if e.status != EntryStatus::Posted {
            problem(
                self,
                format!("the chain records its posting, but its status is {}", e.status.as_str()),
            );
        }
        if e.chain_seq != Some(seq) {
            problem(
                self,
                format!(
                    "the entry says it is chain link {}",
                    e.chain_seq.map_or_else(|| "none".to_owned(), |s| s.to_string())
                ),
            );
        }
        let expected = if e.reverses_id.is_some() {
            Kind::Reverse
        } else {
            Kind::Post
        };
        if kind != expected {
            problem(
                self,
                format!(
                    "the link is a {}, but the entry is a {}",
                    kind.as_str(),
                    expected.as_str()
                ),
            );
        }
        for message in self.entry_problems(e) {
            problem(self, message);
        }
        let hash = chain::link_hash(
            self.company,
            seq,
            kind,
            object,
            &link.prev_hash,
            &chain::entry_payload(e),
        );
        if hash != link.hash {
            problem(
                self,
                format!(
                    "the stored entry no longer matches its chain link (hash recomputed {}, recorded {}): \
                     it was altered after posting",
                    short(&hash),
                    short(&link.hash)
                ),
            );
        }
        if let Some(closed) = walk.closed_through
            && e.date <= closed
        {
            problem(
                self,
                format!(
                    "dated {}, but posted while the books were closed through {closed}",
                    e.date
                ),
            );
        }
    }

    /// The rules every posted entry obeys: at least two lines, each a debit or a credit (not
    /// both, never negative) on an account of this company, debits = credits = total.
    fn entry_problems(&self, e: &JournalEntry) -> Vec<String> {
        let mut out = Vec::new();
        if e.lines.len() < 2 {
            out.push(format!("has {} line(s); an entry needs at least two", e.lines.len()));
        }
        let (mut debits, mut credits) = (0i128, 0i128);
        for l in &e.lines {
            if l.debit < 0 || l.credit < 0 {
                out.push(format!("line {}: negative amount", l.line_no));
            } else if (l.debit == 0) == (l.credit == 0) {
                out.push(format!("line {}: has both a debit and a credit, or neither", l.line_no));
            }
            if !self.accounts.contains_key(&l.account_id) {
                out.push(format!(
                    "line {}: account {} is not an account of this company",
                    l.line_no, l.account_id
                ));
            }
            debits += i128::from(l.debit);
            credits += i128::from(l.credit);
        }
        if debits != credits {
            out.push(format!(
                "lines do not balance: debits {}, credits {}",
                self.amount(debits),
                self.amount(credits)
            ));
        }
        if debits != i128::from(e.total) {
            out.push(format!(
                "total {} is not the sum of its debits {}",
                self.amount(e.total.into()),
                self.amount(debits)
            ));
        }
        out
    }

    /// Each checkpoint's signature verifies and its hash is the link's; the chain reaches the
    /// last checkpoint; a checkpoint exists every `CHECKPOINT_EVERY` links and at every close.
    fn check_checkpoints(&mut self, checkpoints: &[Checkpoint], chain: &Chain) {
        let mut last_good = 0;
        let signed: HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
        let ours = chain::key_id(self.key);
        for cp in checkpoints {
            // No entry is named: any link up to here may be the one rewritten.
            let link = chain.at_checkpoints.get(&cp.seq);
            if !chain::signature_valid(self.key, self.company, cp.seq, &cp.hash, &cp.signature) {
                let (from, to) = (last_good + 1, cp.seq);
                let message = match cp.key_id.as_deref() {
                    Some(theirs) if theirs != ours => format!(
                        "the checkpoint's signature does not verify with this key: it was {UNKNOWN_KEY} \
                         ({theirs}; the key given is {ours}), so it cannot be checked here, which alone is no \
                         sign of tampering. Verify with the key that signed it (servers sharing one database \
                         must share checkpoint_key); if no key of this installation ever had id {theirs}, \
                         links {from}..={to} were rewritten"
                    ),
                    Some(_) => format!(
                        "the checkpoint's signature does not verify: links {from}..={to} were rewritten \
                         (this is the key that signed it)"
                    ),
                    None => format!(
                        "the checkpoint's signature does not verify: links {from}..={to} were rewritten, \
                         or this is not the checkpoint key that signed it"
                    ),
                };
                self.push(None, Some(cp.seq), cp.seq, message);
            } else {
                last_good = cp.seq;
            }
            match link {
                None if cp.seq > chain.last_seq => self.push(
                    None,
                    Some(cp.seq),
                    chain.last_seq.saturating_add(1),
                    format!(
                        "a checkpoint was signed at this link, but the chain ends at link {}: the chain was truncated",
                        chain.last_seq
                    ),
                ),
                None => self.push(
                    None,
                    Some(cp.seq),
                    cp.seq,
                    "a checkpoint was signed at this link, which is missing",
                ),
                Some(hash) if *hash != cp.hash => self.push(
                    None,
                    Some(cp.seq),
                    cp.seq,
                    format!(
                        "the link's hash {} is not the one signed at the checkpoint ({})",
                        short(hash),
                        short(&cp.hash)
                    ),
                ),
                Some(_) => {}
            }
        }
        let every = chain::CHECKPOINT_EVERY.max(1);
        let mut seq = every;
        while seq <= chain.last_seq {
            if !signed.contains(&seq) {
                self.push(
                    None,
                    Some(seq),
                    seq,
                    format!("no checkpoint was signed here (one is every {every} links): it was removed"),
                );
            }
            seq += every;
        }
        for &seq in &chain.closes {
            if !signed.contains(&seq) {
                self.push(
                    None,
                    Some(seq),
                    seq,
                    "no checkpoint was signed at this period close: it was removed",
                );
            }
        }
    }

    /// Posted entries are numbered exactly 1..=N. Returns N (the number of posted entries).
    fn check_numbers(&mut self, tx: &mut Tx, tail: i64) -> Result<i64, StoreError> {
        let r = tx.query_one(
            "SELECT COUNT(*), COUNT(number) FROM journal_entries WHERE company_id = $1 AND status = 'posted'",
            params![self.company],
        )?;
        let (count, numbered) = (r.int(0)?, r.int(1)?);
        if numbered < count {
            for r in tx.query(
                "SELECT id, chain_seq FROM journal_entries WHERE company_id = $1 AND status = 'posted' AND number IS NULL",
                params![self.company],
            )? {
                let seq = r.opt_int(1)?;
                self.push(Some(EntryRef { id: r.opt_uuid(0)?, number: None }), seq, seq.unwrap_or(tail), "posted without a number");
            }
        }
        let gaps = tx.query(
            "SELECT number, prev, id, chain_seq FROM (\
               SELECT number, id, chain_seq, COALESCE(LAG(number) OVER (ORDER BY number), 0) AS prev \
               FROM journal_entries WHERE company_id = $1 AND status = 'posted' AND number IS NOT NULL\
             ) g WHERE number <> prev + 1 ORDER BY number LIMIT 100",
            params![self.company],
        )?;
        for r in gaps {
            let (number, prev, seq) = (r.int(0)?, r.int(1)?, r.opt_int(3)?);
            let position = seq.unwrap_or(tail);
            if number > prev + 1 {
                let missing = if number == prev + 2 {
                    format!("missing: the numbers jump from {prev} to {number}")
                } else {
                    format!(
                        "missing, through #{}: the numbers jump from {prev} to {number}",
                        number - 1
                    )
                };
                self.push(
                    Some(EntryRef {
                        id: None,
                        number: Some(prev + 1),
                    }),
                    None,
                    position,
                    missing,
                );
            } else {
                let named = EntryRef {
                    id: r.opt_uuid(2)?,
                    number: Some(number),
                };
                self.push(
                    Some(named),
                    seq,
                    position,
                    format!("number {number} follows {prev}: numbers must rise by one"),
                );
            }
        }
        Ok(count)
    }

    /// The counters agree with what exists: `journal` = the highest number, `chain` = the last
    /// link. A counter ahead of the data means entries or links were removed from the end.
    fn check_counters(&mut self, tx: &mut Tx, chain: &Chain, tail: i64) -> Result<(), StoreError> {
        let counters: HashMap<String, i64> = tx
            .query(
                "SELECT name, value FROM counters WHERE company_id = $1",
                params![self.company],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.int(1)?)))
            .collect::<Result<_, StoreError>>()?;
        let max_number = tx
            .query_one(
                "SELECT COALESCE(MAX(number), 0) FROM journal_entries WHERE company_id = $1 AND status = 'posted'",
                params![self.company],
            )?
            .int(0)?;
        let journal = counters.get("journal").copied().unwrap_or(0);
        if journal > max_number {
            let named = EntryRef {
                id: None,
                number: Some(max_number + 1),
            };
            let through = if journal == max_number + 1 {
                String::new()
            } else {
                format!(", through #{journal}")
            };
            self.push(
                Some(named),
                None,
                tail,
                format!("missing{through}: the journal counter is at {journal}, the last entry is #{max_number}"),
            );
        } else if journal < max_number {
            self.push(
                None,
                None,
                tail,
                format!("the journal counter is at {journal}, behind the last entry #{max_number}"),
            );
        }
        let links = counters.get("chain").copied().unwrap_or(0);
        if links > chain.last_seq {
            let range = if links == chain.last_seq + 1 {
                format!("link {links} is")
            } else {
                format!("links {}..={links} are", chain.last_seq + 1)
            };
            self.push(
                None,
                Some(chain.last_seq + 1),
                tail,
                format!(
                    "{range} missing: the chain counter is at {links}, the chain ends at {}: it was truncated",
                    chain.last_seq
                ),
            );
        } else if links < chain.last_seq {
            self.push(
                None,
                None,
                tail,
                format!(
                    "the chain counter is at {links}, behind the last link {}",
                    chain.last_seq
                ),
            );
        }
        Ok(())
    }

    /// Every posted entry is in the chain (a post or reverse link naming it, exactly once).
    fn check_unchained(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        // Joined on the entry's own `chain_seq` (the chain's primary key), not searched by object:
        // the entries found are then looked up one by one, a bounded number of them.
        let suspects = tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.date FROM journal_entries e \
             LEFT JOIN ledger_chain c ON c.company_id = e.company_id AND c.seq = e.chain_seq AND c.object_id = e.id \
             WHERE e.company_id = $1 AND e.status = 'posted' AND c.seq IS NULL ORDER BY e.number",
            params![self.company],
        )?;
        for (i, r) in suspects.iter().enumerate() {
            let (id, seq) = (r.text(0)?, r.opt_int(2)?);
            let named = EntryRef {
                id: Uuid::parse_str(&id).ok(),
                number: r.opt_int(1)?,
            };
            let message = if i >= LOOKUPS {
                format!("posted (dated {}), but its chain link does not name it", r.text(3)?)
            } else if tx
                .query_opt(
                    "SELECT seq FROM ledger_chain WHERE company_id = $1 AND object_id = $2 AND kind <> 'close' \
                     ORDER BY seq LIMIT 1",
                    params![self.company, &id],
                )?
                .is_some()
            {
                // In the chain at another link: the walk reported its wrong `chain_seq` there.
                continue;
            } else {
                format!(
                    "posted (dated {}), but not in the hash chain: it was put in the database outside OASYS",
                    r.text(3)?
                )
            };
            self.push(Some(named), None, seq.unwrap_or(END - 1), message);
        }
        for r in tx.query(
            "SELECT object_id, MIN(seq), MAX(seq) FROM ledger_chain WHERE company_id = $1 AND kind <> 'close' \
             GROUP BY object_id HAVING COUNT(*) > 1",
            params![self.company],
        )? {
            let (first, last) = (r.int(1)?, r.int(2)?);
            let id = Uuid::parse_str(&r.text(0)?).ok();
            self.push(
                Some(EntryRef { id, number: None }),
                Some(last),
                last,
                format!("in the chain more than once (links {first} and {last})"),
            );
        }
        Ok(())
    }

    /// The entry's date and number copied onto its lines at posting (`posted_date`,
    /// `posted_number`, which the general ledger reads without the entry) are the entry's, and
    /// lines of entries that are not posted carry none.
    fn check_line_copies(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.status, COUNT(*) FROM journal_lines l \
             JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = $1 AND CASE WHEN e.status = 'posted' \
             THEN l.posted_date IS NULL OR l.posted_number IS NULL OR l.posted_date <> e.date OR l.posted_number <> e.number \
             ELSE l.posted_date IS NOT NULL OR l.posted_number IS NOT NULL END \
             GROUP BY e.id, e.number, e.chain_seq, e.status ORDER BY e.number",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            let message = if r.text(3)? == EntryStatus::Posted.as_str() {
                format!("{} line(s) carry a posting date or number that is not the entry's", r.int(4)?)
            } else {
                format!("{} line(s) of this {} entry carry a posting date or number", r.int(4)?, r.text(3)?)
            };
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                message,
            );
        }
        Ok(())
    }

    /// A reversal and the entry it reverses point at each other.
    fn check_reversals(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq, e.reverses_id FROM journal_entries e \
             LEFT JOIN journal_entries o ON o.id = e.reverses_id AND o.company_id = e.company_id \
             WHERE e.company_id = $1 AND e.status = 'posted' AND e.reverses_id IS NOT NULL \
             AND (o.id IS NULL OR o.status <> 'posted' OR o.reversed_by_id IS NULL OR o.reversed_by_id <> e.id)",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                format!(
                    "reverses entry {}, which is missing, not posted, or not marked as reversed by it",
                    r.text(3)?
                ),
            );
        }
        for r in tx.query(
            "SELECT o.id, o.number, o.chain_seq, o.reversed_by_id FROM journal_entries o \
             LEFT JOIN journal_entries e ON e.id = o.reversed_by_id AND e.company_id = o.company_id \
             WHERE o.company_id = $1 AND o.reversed_by_id IS NOT NULL \
             AND (e.id IS NULL OR e.status <> 'posted' OR e.reverses_id IS NULL OR e.reverses_id <> o.id)",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                seq,
                seq.unwrap_or(END - 1),
                format!(
                    "marked as reversed by {}, which is missing, not posted, or does not reverse it",
                    r.text(3)?
                ),
            );
        }
        Ok(())
    }

    /// The audit trail, written in the posting transaction, and the journal agree: every entry
    /// recorded as posted is there and posted, and every posted entry's posting is recorded.
    fn check_audit_trail(&mut self, tx: &mut Tx, tail: i64) -> Result<(), StoreError> {
        for r in tx.query(
            "SELECT DISTINCT a.object_id FROM audit_log a \
             WHERE a.company_id = $1 AND a.object_type = 'journal_entry' AND a.action = 'post' AND NOT EXISTS \
             (SELECT 1 FROM journal_entries e WHERE e.id = a.object_id AND e.company_id = $1 AND e.status = 'posted') \
             ORDER BY a.object_id",
            params![self.company],
        )? {
            let id = r.opt_text(0)?.and_then(|s| Uuid::parse_str(&s).ok());
            self.push(
                Some(EntryRef { id, number: None }),
                None,
                tail,
                "the audit trail records its posting, but it is no longer a posted entry of this company",
            );
        }
        for r in tx.query(
            "SELECT e.id, e.number, e.chain_seq FROM journal_entries e \
             WHERE e.company_id = $1 AND e.status = 'posted' AND NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.company_id = e.company_id AND a.object_id = e.id \
             AND a.object_type = 'journal_entry' AND a.action = 'post') \
             ORDER BY e.number",
            params![self.company],
        )? {
            let seq = r.opt_int(2)?;
            self.push(
                Some(EntryRef {
                    id: r.opt_uuid(0)?,
                    number: r.opt_int(1)?,
                }),
                None,
                seq.unwrap_or(END - 1),
                "posted, but the audit trail has no record of its posting",
            );
        }
        Ok(())
    }

    /// The lock dates in the company settings are the ones the last period close set. When the
    /// last close could not be recomputed, the settings are taken as the lock in force after it.
    fn check_settings(&mut self, tx: &mut Tx, chain: &Chain) -> Result<(), StoreError> {
        let settings = LedgerStore::settings(tx, self.company)?;
        match chain.last_close {
            None => {
                if settings.lock_date.is_some() || settings.hard_lock_date.is_some() {
                    self.push(
                        None,
                        None,
                        END,
                        format!(
                            "the company settings lock the books (lock date {}, hard close {}), but no period close is in the chain",
                            show_date(settings.lock_date),
                            show_date(settings.hard_lock_date)
                        ),
                    );
                }
            }
            Some(LastClose::Verified {
                lock_date,
                hard_lock_date,
            }) => {
                if (lock_date, hard_lock_date) != (settings.lock_date, settings.hard_lock_date) {
                    self.push(
                        None,
                        None,
                        END,
                        format!(
                            "the company settings say lock date {}, hard close {}; the last period close in the chain set {}, {}",
                            show_date(settings.lock_date),
                            show_date(settings.hard_lock_date),
                            show_date(lock_date),
                            show_date(hard_lock_date)
                        ),
                    );
                }
            }
            Some(LastClose::Unverified { seq }) => {
                let Some(closed) = settings.closed_through() else {
                    return Ok(());
                };
                for r in tx.query(
                    "SELECT e.id, e.number, e.chain_seq, e.date FROM journal_entries e \
                     WHERE e.company_id = $1 AND e.status = 'posted' AND e.chain_seq > $2 AND e.date <= $3 ORDER BY e.chain_seq",
                    params![self.company, seq, closed.to_string()],
                )? {
                    let at = r.opt_int(2)?;
                    self.push(
                        Some(EntryRef { id: r.opt_uuid(0)?, number: r.opt_int(1)? }),
                        at,
                        at.unwrap_or(END - 1),
                        format!("dated {}, but posted after the books were closed through {closed}", r.text(3)?),
                    );
                }
            }
        }
        Ok(())
    }

    /// The maintained per-day totals (`account_balances`) equal the posted lines summed by
    /// account and entry date.
    fn check_balances(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let mut sums: BTreeMap<(Uuid, String), (i64, i64)> = BTreeMap::new();
        for r in tx.query(
            "SELECT l.account_id, e.date, CAST(SUM(l.debit) AS BIGINT), CAST(SUM(l.credit) AS BIGINT) \
             FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id \
             WHERE e.company_id = $1 AND e.status = 'posted' GROUP BY l.account_id, e.date",
            params![self.company],
        )? {
            sums.insert((r.uuid(0)?, r.text(1)?), (r.int(2)?, r.int(3)?));
        }
        let mut kept: BTreeMap<(Uuid, String), (i64, i64)> = BTreeMap::new();
        for r in tx.query(
            "SELECT b.account_id, b.date, b.debit, b.credit FROM account_balances b \
             JOIN accounts a ON a.id = b.account_id WHERE a.company_id = $1",
            params![self.company],
        )? {
            kept.insert((r.uuid(0)?, r.text(1)?), (r.int(2)?, r.int(3)?));
        }
        let keys: std::collections::BTreeSet<&(Uuid, String)> = sums.keys().chain(kept.keys()).collect();
        let mut named = 0;
        for key in keys {
            let want = sums.get(key).copied().unwrap_or_default();
            let have = kept.get(key).copied().unwrap_or_default();
            if want == have {
                continue;
            }
            let (account, day) = key;
            let mut message = format!(
                "the balance of account {} on {day} is kept as debits {} / credits {}, but its posted lines sum to {} / {}",
                self.account(*account),
                self.amount(have.0.into()),
                self.amount(have.1.into()),
                self.amount(want.0.into()),
                self.amount(want.1.into()),
            );
            if named < NAMED_BALANCES {
                named += 1;
                let entries: Vec<String> = tx
                    .query(
                        "SELECT DISTINCT e.number FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id \
                         WHERE e.company_id = $1 AND e.status = 'posted' AND e.date = $2 AND l.account_id = $3 ORDER BY e.number",
                        params![self.company, day, *account],
                    )?
                    .iter()
                    .map(|r| Ok(r.opt_int(0)?.map_or_else(|| "?".to_owned(), |n| format!("#{n}"))))
                    .collect::<Result<_, StoreError>>()?;
                if !entries.is_empty() {
                    message.push_str(&format!(" (entries that day: {})", entries.join(", ")));
                }
            }
            if parse_date(day).is_err() {
                message.push_str(" (and the date is not a date)");
            }
            self.push(None, None, END, message);
        }
        Ok(())
    }
}

fn line_from_row(r: &Row) -> Result<Line, StoreError> {
    Ok(Line {
        line_no: r.int(1)?,
        account_id: r.uuid(2)?,
        description: r.text(3)?,
        debit: r.int(4)?,
        credit: r.int(5)?,
        currency: r.opt_text(6)?,
        amount_currency: r.opt_int(7)?,
        exchange_rate: r.opt_text(8)?,
    })
}

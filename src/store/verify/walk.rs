//! The walk along a company's hash chain, page by page: links numbered from 1, each linked to
//! the one before, each close recomputed from the period change the audit trail recorded, each
//! tax lock from the filed return it names, each entry link handed to `entries.rs`.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use uuid::Uuid;

use super::checkpoints::Checkpoint;
use super::{EntryRef, Verifier, show_date};
use crate::domain::ledger::chain::{self, Kind};
use crate::domain::ledger::{JournalEntry, Line};
use crate::params;
use crate::store::ledger::{ENTRY_COLUMNS, entry_from_row};
use crate::store::{Row, StoreError, Tx};

/// Links read per query while walking the chain.
const PAGE: i64 = 2_000;

/// A lock-date change recorded in the audit trail: a candidate payload for a close link.
struct PeriodChange {
    lock_date: Option<Date>,
    hard_lock_date: Option<Date>,
    by: Uuid,
    used: bool,
}

/// What the chain walk learned.
#[derive(Default)]
pub(super) struct Chain {
    pub(super) links: i64,
    pub(super) last_seq: i64,
    /// Hashes of the links at checkpoint positions.
    pub(super) at_checkpoints: HashMap<i64, String>,
    /// Seqs of the period-close links.
    pub(super) closes: Vec<i64>,
    /// The lock dates set by the last close link, when its hash was recomputed.
    pub(super) last_close: Option<LastClose>,
}

/// The last period close of the chain, and whether its hash recomputed.
#[derive(Clone, Copy)]
pub(super) enum LastClose {
    Verified {
        lock_date: Option<Date>,
        hard_lock_date: Option<Date>,
    },
    Unverified {
        seq: i64,
    },
}

/// The state carried from link to link.
pub(super) struct Walk {
    expected: i64,
    /// The latest date on which posting was refused at this point of the chain; `None` when
    /// nothing was closed, or when the last close could not be recomputed.
    pub(super) closed_through: Option<Date>,
    hard_lock_date: Option<Date>,
    /// The filed tax returns, by id: the end of their period and who filed them, what each
    /// tax-lock link's payload is recomputed from.
    tax_returns: HashMap<Uuid, (Date, Uuid)>,
}

/// A link as stored, its kind and object not yet parsed.
pub(super) struct StoredLink {
    pub(super) seq: i64,
    pub(super) kind: String,
    pub(super) object: String,
    /// The hash of the link read before it (the genesis value for the first): what this link's
    /// hash was computed over.
    pub(super) prev_hash: String,
    pub(super) hash: String,
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

impl Verifier<'_> {
    /// Walks the chain from its first link: seqs contiguous from 1, each hash recomputed over the
    /// hash of the link before and the stored entry (or period change), each
    /// entry balanced and posted while its date was open.
    pub(super) fn walk_chain(&mut self, tx: &mut Tx, checkpoints: &[Checkpoint]) -> Result<Chain, StoreError> {
        let at_checkpoint: HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
        let mut changes = period_changes(tx, self.company)?;
        let mut chain = Chain::default();
        let tax_returns = crate::store::tax_returns::list(tx, self.company)?
            .into_iter()
            .map(|r| (r.id, (r.to, r.filed_by)))
            .collect();
        let mut walk = Walk {
            expected: 1,
            closed_through: None,
            hard_lock_date: None,
            tax_returns,
        };
        let mut after = i64::MIN;
        // The hash of the link read last: the next link's predecessor (a link stores only its
        // own hash since storage shape v10).
        let mut prev = chain::GENESIS.to_owned();
        loop {
            let mut links = tx
                .query(
                    &format!(
                        "SELECT seq, kind, object_id, hash FROM ledger_chain \
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
                        prev_hash: String::new(),
                        hash: r.text(3)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            for link in &mut links {
                link.prev_hash = std::mem::replace(&mut prev, link.hash.clone());
            }
            let Some(last) = links.last().map(|l| l.seq) else { break };
            let entries = self.load_entries(tx, after, last)?;
            let hashes = recompute_hashes(self.company, &links, &entries);
            for (link, hash) in links.iter().zip(hashes) {
                let entry = Uuid::parse_str(&link.object).ok().and_then(|id| entries.get(&id));
                self.check_link(link, entry.map(|e| (e, hash)), &mut walk, &mut changes, &mut chain);
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
        const IN_PAGE: &str = "(SELECT object_id FROM ledger_chain WHERE company_id = $1 AND seq > $2 AND seq <= $3 AND kind IN ('post', 'reverse'))";
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

    /// Checks one link and, for a post or reverse, the entry it names (with the link's hash
    /// recomputed from it).
    fn check_link(
        &mut self,
        link: &StoredLink,
        entry: Option<(&JournalEntry, Option<String>)>,
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
        }
        walk.expected = seq.saturating_add(1);
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
            Some(Kind::TaxLock) => {
                // Signed like a close.
                chain.closes.push(seq);
                let recomputed = walk.tax_returns.get(&object).map(|(through, by)| {
                    let payload = chain::tax_lock_payload(*through, object, *by);
                    chain::link_hash(self.company, seq, Kind::TaxLock, object, &link.prev_hash, &payload)
                });
                match recomputed {
                    None => self.push(
                        None,
                        Some(seq),
                        seq,
                        format!("a tax lock names tax return {object}, which is not in the books"),
                    ),
                    Some(hash) if hash != link.hash => self.push(
                        None,
                        Some(seq),
                        seq,
                        "tax lock: its hash cannot be recomputed from the filed tax return it names \
                         (the link or the return was altered)",
                    ),
                    Some(_) => {}
                }
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
}

/// The hash of each entry link of a page, recomputed from the entry it names (`None` where no
/// entry or kind is there to hash: `check_link` reports those). Entries are hashed on two
/// threads, half the page each: the hashes are independent of each other (each link's predecessor's
/// hash is read before hashing starts), and hashing is most of the
/// walk's own work.
fn recompute_hashes(company: Uuid, links: &[StoredLink], entries: &HashMap<Uuid, JournalEntry>) -> Vec<Option<String>> {
    let hash = |link: &StoredLink| {
        let kind = Kind::parse(&link.kind).filter(|k| matches!(k, Kind::Post | Kind::Reverse))?;
        let object = Uuid::parse_str(&link.object).ok()?;
        let entry = entries.get(&object)?;
        Some(chain::link_hash(
            company,
            link.seq,
            kind,
            object,
            &link.prev_hash,
            &chain::entry_payload(entry),
        ))
    };
    let (first, second) = links.split_at(links.len() / 2);
    std::thread::scope(|threads| {
        let other = threads.spawn(|| second.iter().map(hash).collect::<Vec<_>>());
        let mut out: Vec<Option<String>> = first.iter().map(hash).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            // Cannot happen (hashing does not panic); were it to, this thread hashes them.
            Err(_) => out.extend(second.iter().map(hash)),
        }
        out
    })
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

//! Posting many new entries in one transaction (the bulk API, `oasys import journal`): the
//! domain checks, numbers, hashes and audits each entry on a second thread while this thread
//! writes the rows of the entries before it.
//!
//! Why two threads: a bulk posting spends about half its time in SQLite's B-trees and the rest
//! checking amounts, hashing the chain and building rows. Those two halves only meet at the rows,
//! so they overlap: the posting thread sends rows in chunks through a bounded channel and the
//! writing thread, which owns the transaction, inserts them. Everything the posting thread reads
//! (the company's accounts, its period settings, the counters, the chain head) is read here first,
//! inside the transaction and after taking the books lock, so it sees what a single posting would.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::{
    AUDIT_INSERT, AUDIT_WIDTH, CHECKPOINT_INSERT, CHECKPOINT_WIDTH, LINK_INSERT, LINK_WIDTH, add_balance, entry_rows,
    insert_entry_rows, overflow, push_audit, push_checkpoint, push_link,
};
use super::{StoreError, Tx, Value};
use crate::domain::accounts::Account;
use crate::domain::ledger::{
    self, AuditRecord, ChainLink, Ctx, EntryInput, JournalEntry, LedgerError, LedgerStore, Line, Settings,
};
use crate::params;

/// One posted entry, as the caller reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub id: Uuid,
    pub number: i64,
    pub lines: usize,
}

/// Why a bulk posting stopped; nothing of it is kept (the caller's transaction rolls back).
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The entry at this index (from 0) was refused.
    #[error("entry {0}: {1}")]
    Entry(usize, LedgerError<StoreError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Entries whose rows travel together: enough to amortise the statements, little enough memory.
const CHUNK: usize = 2048;

/// The counters a posting takes, in the order it takes them.
const COUNTERS: [&str; 2] = ["chain", "journal"];

/// Checks and posts every input as `ledger::post_new` would, in order, in the caller's
/// transaction: all of them, or the first refusal with its index. `progress` hears the number
/// of entries checked so far.
pub fn post_many(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    inputs: &[EntryInput],
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Posted>, BulkError> {
    let company = ctx.books.company_id;
    // The locks a single posting takes, in its order: the books, then each counter. The first
    // take of a counter reserves its next value; the rest are handed out in memory.
    tx.lock_books(company)?;
    let mut counters = HashMap::new();
    for name in COUNTERS {
        counters.insert(name, tx.next_counter(company, name)?);
    }
    let known = Known {
        company,
        settings: tx.settings(company)?,
        accounts: super::accounts::all(tx, company)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect(),
    };
    let head = tx.chain_head(company)?;

    let (send, receive) = sync_channel::<Rows>(2);
    std::thread::scope(|scope| {
        let poster = scope.spawn(|| {
            let mut staged = Staged {
                known: &known,
                counters,
                head,
                balances: BTreeMap::new(),
                pending: Pending::default(),
                send,
            };
            let mut posted = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                let e = ledger::post_new(&mut staged, ctx, input).map_err(|e| BulkError::Entry(i, e))?;
                posted.push(Posted {
                    id: e.id,
                    number: e.number.unwrap_or_default(),
                    lines: e.lines.len(),
                });
                if (i + 1) % 256 == 0 {
                    progress(i + 1);
                }
            }
            staged.flush()?;
            progress(inputs.len());
            Ok::<_, BulkError>((posted, staged.counters, staged.balances))
        });
        let written = write_rows(tx, &receive);
        // Stops the posting thread at its next send if writing failed.
        drop(receive);
        let outcome = poster
            .join()
            .map_err(|_| StoreError::Database("the posting thread stopped unexpectedly".into()))?;
        written?;
        let (posted, counters, balances) = outcome?;
        for (name, next) in counters {
            // `next` was never handed out: the counter ends one below it.
            tx.execute(
                "UPDATE counters SET value = $3 WHERE company_id = $1 AND name = $2",
                params![company, name, next - 1],
            )?;
        }
        for ((account, date), (debit, credit)) in balances {
            add_balance(tx, account, date, debit, credit)?;
        }
        Ok(posted)
    })
}

/// Writes every chunk the posting thread sends until it hangs up or a write fails.
fn write_rows(tx: &mut Tx, receive: &Receiver<Rows>) -> Result<(), StoreError> {
    for rows in receive {
        insert_entry_rows(tx, &rows.entries, &rows.lines)?;
        tx.insert_many(LINK_INSERT, LINK_WIDTH, &rows.links)?;
        tx.insert_many(AUDIT_INSERT, AUDIT_WIDTH, &rows.audit)?;
        tx.insert_many(CHECKPOINT_INSERT, CHECKPOINT_WIDTH, &rows.checkpoints)?;
    }
    Ok(())
}

/// What the posting thread reads, read beforehand in the transaction.
struct Known {
    company: Uuid,
    settings: Settings,
    accounts: HashMap<Uuid, Account>,
}

/// One chunk's rows, built on the posting thread.
struct Rows {
    entries: Vec<Value>,
    lines: Vec<Value>,
    links: Vec<Value>,
    audit: Vec<Value>,
    checkpoints: Vec<Value>,
}

#[derive(Default)]
struct Pending {
    entries: Vec<JournalEntry>,
    links: Vec<Value>,
    audit: Vec<Value>,
    checkpoints: Vec<Value>,
}

/// The ledger store the posting thread posts into: reads come from [`Known`], counters and the
/// chain head advance in memory, balance changes are summed per account and day, and rows go
/// to the writing thread a chunk at a time.
struct Staged<'k> {
    known: &'k Known,
    counters: HashMap<&'static str, i64>,
    head: Option<ChainLink>,
    balances: BTreeMap<(Uuid, Date), (i64, i64)>,
    pending: Pending,
    send: SyncSender<Rows>,
}

impl Staged<'_> {
    fn flush(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        if pending.entries.is_empty() && pending.checkpoints.is_empty() {
            return Ok(());
        }
        let (entries, lines) = entry_rows(&pending.entries);
        self.send
            .send(Rows {
                entries,
                lines,
                links: pending.links,
                audit: pending.audit,
                checkpoints: pending.checkpoints,
            })
            .map_err(|_| StoreError::Database("the bulk posting's writer stopped".into()))
    }

    /// Refuses what posting new entries never does, and another company's books.
    fn only(&self, company: Uuid, what: &str) -> Result<(), StoreError> {
        if company == self.known.company {
            Ok(())
        } else {
            Err(StoreError::Database(format!(
                "a bulk posting cannot {what} in another company"
            )))
        }
    }
}

fn unsupported<T>(what: &str) -> Result<T, StoreError> {
    Err(StoreError::Database(format!("a bulk posting does not {what}")))
}

impl LedgerStore for Staged<'_> {
    type Error = StoreError;

    fn account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
        self.only(company, "read accounts")?;
        Ok(self.known.accounts.get(&id).cloned())
    }

    fn settings(&mut self, company: Uuid) -> Result<Settings, StoreError> {
        self.only(company, "read settings")?;
        Ok(self.known.settings.clone())
    }

    fn save_settings(&mut self, _: Uuid, _: &Settings) -> Result<(), StoreError> {
        unsupported("change period settings")
    }

    fn entry(&mut self, _: Uuid, _: Uuid) -> Result<Option<JournalEntry>, StoreError> {
        unsupported("read stored entries")
    }

    fn lock_entry(&mut self, _: Uuid, _: Uuid) -> Result<(), StoreError> {
        unsupported("change stored entries")
    }

    fn lock_books(&mut self, company: Uuid) -> Result<(), StoreError> {
        // Taken by `post_many` before the posting thread started; held until commit.
        self.only(company, "post")
    }

    fn insert_entry(&mut self, entry: &JournalEntry) -> Result<(), StoreError> {
        self.pending.entries.push(entry.clone());
        if self.pending.entries.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn update_entry(&mut self, _: &JournalEntry) -> Result<(), StoreError> {
        unsupported("change stored entries")
    }

    fn delete_entry(&mut self, _: Uuid, _: Uuid) -> Result<(), StoreError> {
        unsupported("delete entries")
    }

    fn next_counter(&mut self, company: Uuid, name: &str) -> Result<i64, StoreError> {
        self.only(company, "number entries")?;
        let Some(next) = self.counters.get_mut(name) else {
            return unsupported(&format!("take the {name} counter"));
        };
        let value = *next;
        *next = value.checked_add(1).ok_or_else(overflow)?;
        Ok(value)
    }

    fn add_to_balances(&mut self, date: Date, lines: &[Line]) -> Result<(), StoreError> {
        for l in lines {
            let t = self.balances.entry((l.account_id, date)).or_default();
            t.0 = t.0.checked_add(l.debit).ok_or_else(overflow)?;
            t.1 = t.1.checked_add(l.credit).ok_or_else(overflow)?;
        }
        Ok(())
    }

    fn chain_head(&mut self, company: Uuid) -> Result<Option<ChainLink>, StoreError> {
        self.only(company, "read the chain")?;
        Ok(self.head.clone())
    }

    fn append_chain(&mut self, link: &ChainLink) -> Result<(), StoreError> {
        self.only(link.company_id, "append to the chain")?;
        push_link(&mut self.pending.links, link);
        self.head = Some(link.clone());
        Ok(())
    }

    fn save_checkpoint(&mut self, link: &ChainLink, signature: &str, key_id: &str) -> Result<(), StoreError> {
        push_checkpoint(&mut self.pending.checkpoints, link, signature, key_id);
        Ok(())
    }

    fn result_balances(&mut self, _: Uuid, _: Date) -> Result<Vec<(Uuid, i64)>, StoreError> {
        unsupported("read balances")
    }

    fn account_by_subtype(&mut self, _: Uuid, _: &str) -> Result<Option<Account>, StoreError> {
        unsupported("look accounts up by subtype")
    }

    fn audit(&mut self, record: &AuditRecord) -> Result<(), StoreError> {
        push_audit(&mut self.pending.audit, record);
        Ok(())
    }
}

//! Posting many new entries in one transaction (the bulk API, `oasys import journal`): the
//! domain checks, numbers, hashes and audits each entry on a second thread while this thread
//! writes the rows of the entries before it.
//!
//! Why two threads: a bulk posting spends about half its time in SQLite's B-trees and the rest
//! checking amounts, hashing the chain and building rows. Those two halves only meet at the rows,
//! so they overlap: the posting thread sends rows in chunks through a bounded channel and the
//! writing thread, which owns the transaction, inserts them. Everything the posting thread reads
//! (the company's accounts, its period settings, the counters, the chain head) is read here first,
//! inside the transaction and after taking the books lock, so it sees what a single posting would,
//! and seeds the `MemoryLedger` the posting thread posts into.
//!
//! The audit trail gets one record for the whole request (since storage shape v10), naming the
//! range of entry numbers it posted: who posted entry N, when, and in which request is that
//! record. One record per entry was a third of a bulk-loaded firm's file.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use uuid::Uuid;

use super::ledger::{
    AUDIT_INSERT, AUDIT_WIDTH, CHECKPOINT_INSERT, CHECKPOINT_WIDTH, LINK_INSERT, LINK_WIDTH, add_balance, entry_rows,
    insert_entry_rows, overflow, push_audit_range, push_checkpoint, push_link,
};
use super::{StoreError, Tx, Value};
use crate::domain::ledger::memory::Written;
use crate::domain::ledger::{self, AuditRecord, Ctx, EntryInput, LedgerError, LedgerStore, MemoryError, MemoryLedger};
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
    let mut reserved = [0; COUNTERS.len()];
    for (name, next) in COUNTERS.iter().zip(&mut reserved) {
        *next = tx.next_counter(company, name)?;
    }
    // The posting thread's books: what a single posting would read, read here.
    let mut memory = MemoryLedger::new(company, tx.settings(company)?, super::accounts::all(tx, company)?);
    for (name, next) in COUNTERS.iter().zip(reserved) {
        memory.set_counter(name, next - 1);
    }
    memory.set_chain_head(tx.chain_head(company)?);

    let (send, receive) = sync_channel::<Rows>(2);
    std::thread::scope(|scope| {
        let poster = scope.spawn(move || {
            let mut posted = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                let e = ledger::post_new(&mut memory, ctx, input)
                    .map_err(|e| BulkError::Entry(i, e.map_store(memory_error)))?;
                posted.push(Posted {
                    id: e.id,
                    number: e.number.unwrap_or_default(),
                    lines: e.lines.len(),
                });
                if memory.entries().len() >= CHUNK {
                    hand_over(&send, memory.take_written())?;
                }
                if (i + 1) % 256 == 0 {
                    progress(i + 1);
                }
            }
            hand_over(&send, memory.take_written())?;
            progress(inputs.len());
            Ok::<_, BulkError>((posted, memory))
        });
        let written = write_rows(tx, &receive);
        // Stops the posting thread at its next send if writing failed.
        drop(receive);
        let outcome = poster
            .join()
            .map_err(|_| StoreError::Database("the posting thread stopped unexpectedly".into()))?;
        written?;
        let (posted, memory) = outcome?;
        for name in COUNTERS {
            tx.execute(
                "UPDATE counters SET value = $3 WHERE company_id = $1 AND name = $2",
                params![company, name, memory.counter(name)],
            )?;
        }
        for (&(account, date), &(debit, credit)) in memory.balances() {
            add_balance(tx, account, date, debit, credit)?;
        }
        audit_request(tx, ctx, &posted)?;
        Ok(posted)
    })
}

/// The request's one audit record: the entries numbered `first..=last`, posted by the caller.
fn audit_request(tx: &mut Tx, ctx: &Ctx<'_>, posted: &[Posted]) -> Result<(), StoreError> {
    let (Some(first), Some(last)) = (posted.first(), posted.last()) else {
        return Ok(());
    };
    let record = AuditRecord {
        company_id: ctx.books.company_id,
        actor: ctx.actor,
        action: "post",
        object_type: "journal_entry",
        object_id: first.id,
        changes: vec![
            ("status".into(), String::new(), "posted".into()),
            ("entries".into(), String::new(), posted.len().to_string()),
            (
                "numbers".into(),
                String::new(),
                format!("{}-{}", first.number, last.number),
            ),
        ],
    };
    let mut values = Vec::with_capacity(AUDIT_WIDTH);
    push_audit_range(&mut values, &record, Some((first.number, last.number)));
    tx.insert_many(AUDIT_INSERT, AUDIT_WIDTH, &values)
}

/// The in-memory books' failures as the database's would read.
fn memory_error(e: MemoryError) -> StoreError {
    match e {
        MemoryError::Overflow => overflow(),
        e => StoreError::Database(format!("a bulk posting failed: {e}")),
    }
}

/// Writes every chunk the posting thread sends until it hangs up or a write fails.
fn write_rows(tx: &mut Tx, receive: &Receiver<Rows>) -> Result<(), StoreError> {
    for rows in receive {
        insert_entry_rows(tx, &rows.entries, &rows.lines)?;
        tx.insert_many(LINK_INSERT, LINK_WIDTH, &rows.links)?;
        tx.insert_many(CHECKPOINT_INSERT, CHECKPOINT_WIDTH, &rows.checkpoints)?;
    }
    Ok(())
}

/// One chunk's rows, built on the posting thread.
struct Rows {
    entries: Vec<Value>,
    lines: Vec<Value>,
    links: Vec<Value>,
    checkpoints: Vec<Value>,
}

/// Turns what the posting thread wrote into rows and sends them to the writing thread.
fn hand_over(send: &SyncSender<Rows>, written: Written) -> Result<(), StoreError> {
    if written.is_empty() {
        return Ok(());
    }
    let (entries, lines) = entry_rows(&written.entries);
    let mut links = Vec::with_capacity(written.links.len() * LINK_WIDTH);
    for link in &written.links {
        push_link(&mut links, link);
    }
    // Each entry's own "post" record is left out: the request's one record covers them all.
    let mut checkpoints = Vec::with_capacity(written.checkpoints.len() * CHECKPOINT_WIDTH);
    for (link, signature, key_id) in &written.checkpoints {
        push_checkpoint(&mut checkpoints, link, signature, key_id);
    }
    send.send(Rows {
        entries,
        lines,
        links,
        checkpoints,
    })
    .map_err(|_| StoreError::Database("the bulk posting's writer stopped".into()))
}

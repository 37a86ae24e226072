//! What can happen to a journal entry: drafted, edited, approved, cancelled, posted, reversed.
//! A posted entry is never edited or deleted: it is reversed by a new, mirrored entry.

use jiff::civil::Date;
use uuid::Uuid;

use super::chain::{self, Kind};
use super::entry::{self, CheckedLines};
use super::{
    AuditRecord, ChainLink, Ctx, Db, EntryChanges, EntryInput, EntryStatus, JournalEntry, LedgerError, LedgerStore,
    Line,
};

type Result<T, S> = std::result::Result<T, LedgerError<<S as LedgerStore>::Error>>;

/// Saves a new draft. Nothing reaches the balances until it is posted.
pub fn create_draft<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, input: &EntryInput) -> Result<JournalEntry, S> {
    let CheckedLines { lines, total } = entry::check(store, ctx.books, input)?;
    let now = chain::now();
    let entry = new_draft(ctx, input, lines, total, now);
    store.insert_entry(&entry).db()?;
    audit(
        store,
        ctx,
        "create",
        &entry,
        vec![("status".into(), String::new(), "draft".into())],
    )?;
    Ok(entry)
}

/// Replaces a draft's date, texts and lines. Any approval is withdrawn: it approved other lines.
pub fn update_draft<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    input: &EntryInput,
) -> Result<JournalEntry, S> {
    let mut entry = draft(store, ctx, id, "edited")?;
    let CheckedLines { lines, total } = entry::check(store, ctx.books, input)?;
    let before = summary(&entry);
    entry.date = input.date.unwrap_or(entry.date);
    entry.reference = input.reference.trim().to_owned();
    entry.description = input.description.clone();
    entry.lines = lines;
    entry.total = total;
    entry.approved_by = None;
    entry.edited_by = Some(ctx.actor);
    entry.updated_at = chain::now();
    store.update_entry(&entry).db()?;
    let after = summary(&entry);
    let changes = before
        .into_iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| (b.0.to_owned(), b.1, a.1))
        .collect();
    audit(store, ctx, "update", &entry, changes)?;
    Ok(entry)
}

/// Changes only what `changes` sets on a draft; its other fields and lines stay, and the whole
/// draft is checked again as [`update_draft`] checks it.
pub fn amend_draft<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    id: Uuid,
    changes: EntryChanges,
) -> Result<JournalEntry, S> {
    let current = draft(store, ctx, id, "edited")?;
    let decimals = ctx.books.decimals;
    let input = EntryInput {
        date: Some(changes.date.unwrap_or(current.date)),
        reference: changes.reference.unwrap_or(current.reference),
        description: changes.description.unwrap_or(current.description),
        lines: changes
            .lines
            .unwrap_or_else(|| current.lines.iter().map(|l| l.as_input(decimals)).collect()),
    };
    update_draft(store, ctx, id, &input)
}

pub fn delete_draft<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<(), S> {
    let entry = draft(store, ctx, id, "deleted")?;
    store.delete_entry(ctx.books.company_id, id).db()?;
    audit(
        store,
        ctx,
        "delete",
        &entry,
        vec![("status".into(), "draft".into(), "deleted".into())],
    )
}

pub fn cancel<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<JournalEntry, S> {
    let mut entry = draft(store, ctx, id, "cancelled")?;
    entry.status = EntryStatus::Cancelled;
    entry.updated_at = chain::now();
    store.update_entry(&entry).db()?;
    audit(
        store,
        ctx,
        "cancel",
        &entry,
        vec![("status".into(), "draft".into(), "cancelled".into())],
    )?;
    Ok(entry)
}

/// Approves a draft. Separation of duties: never by the person who created it or last edited it.
pub fn approve<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<JournalEntry, S> {
    let mut entry = draft(store, ctx, id, "approved")?;
    if entry.created_by == ctx.actor {
        return Err(LedgerError::SelfApproval);
    }
    if entry.edited_by == Some(ctx.actor) {
        return Err(LedgerError::EditorApproval);
    }
    entry.approved_by = Some(ctx.actor);
    entry.updated_at = chain::now();
    store.update_entry(&entry).db()?;
    audit(
        store,
        ctx,
        "approve",
        &entry,
        vec![("approved_by".into(), String::new(), ctx.actor.to_string())],
    )?;
    Ok(entry)
}

/// Posts a draft: checks it again (accounts may have been deactivated, the period closed),
/// gives it the next gap-free number, adds it to the balances and to the hash chain.
pub fn post<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<JournalEntry, S> {
    let mut entry = draft(store, ctx, id, "posted")?;
    let settings = store.settings(ctx.books.company_id).db()?;
    if settings.needs_approval(entry.total) && entry.approved_by.is_none() {
        return Err(LedgerError::NeedsApproval);
    }
    recheck_accounts(store, ctx, &entry.lines)?;
    check_open(store, ctx, entry.date)?;
    finalize(store, ctx, &mut entry, Kind::Post)?;
    store.update_entry(&entry).db()?;
    audit(
        store,
        ctx,
        "post",
        &entry,
        vec![("status".into(), "draft".into(), "posted".into())],
    )?;
    Ok(entry)
}

/// Checks and posts a new entry in one step (bulk import, documents that post themselves).
/// With approval required, entries above the threshold are refused: they go through drafts.
pub fn post_new<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, input: &EntryInput) -> Result<JournalEntry, S> {
    let CheckedLines { lines, total } = entry::check(store, ctx.books, input)?;
    let date = input.date.unwrap_or_default();
    if store.settings(ctx.books.company_id).db()?.needs_approval(total) {
        return Err(LedgerError::NeedsApproval);
    }
    check_open(store, ctx, date)?;
    let now = chain::now();
    let mut entry = new_draft(ctx, input, lines, total, now);
    finalize(store, ctx, &mut entry, Kind::Post)?;
    store.insert_entry(&entry).db()?;
    audit(
        store,
        ctx,
        "post",
        &entry,
        vec![("status".into(), String::new(), "posted".into())],
    )?;
    Ok(entry)
}

/// Reverses a posted entry: a new entry with debits and credits swapped, dated `date` (default:
/// the original's date), posted at once; both entries point at each other.
pub fn reverse<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, date: Option<Date>) -> Result<JournalEntry, S> {
    store.lock_entry(ctx.books.company_id, id).db()?;
    let mut original = store
        .entry(ctx.books.company_id, id)
        .db()?
        .ok_or(LedgerError::NotFound)?;
    if original.status != EntryStatus::Posted {
        return Err(LedgerError::NotPosted);
    }
    if original.reversed_by_id.is_some() {
        return Err(LedgerError::AlreadyReversed);
    }
    if let Some(session) = store.reconciled_in(ctx.books.company_id, id).db()? {
        return Err(LedgerError::Reconciled(session));
    }
    let date = date.unwrap_or(original.date);
    check_open(store, ctx, date)?;
    // A filed tax return's figures stand: what it covered is corrected on the next return.
    check_tax_open(store, ctx, original.date, &original.lines)?;
    let now = chain::now();
    let number = original.number.map_or_else(String::new, |n| format!(" #{n}"));
    let mut reversal = JournalEntry {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        number: None,
        date,
        reference: format!("REV{number}"),
        description: format!("Reversal of entry{number}: {}", original.description),
        status: EntryStatus::Draft,
        total: original.total,
        created_by: ctx.actor,
        approved_by: None,
        posted_by: None,
        posted_at: None,
        reverses_id: Some(original.id),
        reversed_by_id: None,
        chain_seq: None,
        created_at: now,
        updated_at: now,
        edited_by: None,
        lines: original
            .lines
            .iter()
            .map(|l| Line {
                debit: l.credit,
                credit: l.debit,
                ..l.clone()
            })
            .collect(),
    };
    finalize(store, ctx, &mut reversal, Kind::Reverse)?;
    store.insert_entry(&reversal).db()?;
    original.reversed_by_id = Some(reversal.id);
    original.updated_at = now;
    store.update_entry(&original).db()?;
    audit(
        store,
        ctx,
        "reverse",
        &original,
        vec![("reversed_by".into(), String::new(), reversal.id.to_string())],
    )?;
    audit(
        store,
        ctx,
        "post",
        &reversal,
        vec![("status".into(), String::new(), "posted".into())],
    )?;
    Ok(reversal)
}

/// Numbers the entry, marks it posted, adds it to the balances and appends it to the chain.
/// The chain counter is taken first: it is the per-company lock every chain writer queues on.
fn finalize<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, entry: &mut JournalEntry, kind: Kind) -> Result<(), S> {
    let company = ctx.books.company_id;
    // The books lock first, then the chain: a year-end close (which holds the books lock while it
    // sums the year) never misses a posting that commits meanwhile.
    store.lock_books(company).db()?;
    let seq = store.next_counter(company, "chain").db()?;
    // Checked again under the chain lock: a close that committed meanwhile is seen here.
    check_open(store, ctx, entry.date)?;
    check_tax_open(store, ctx, entry.date, &entry.lines)?;
    let number = store.next_counter(company, "journal").db()?;
    let now = chain::now();
    entry.number = Some(number);
    entry.status = EntryStatus::Posted;
    entry.posted_by = Some(ctx.actor);
    entry.posted_at = Some(now);
    entry.chain_seq = Some(seq);
    entry.updated_at = now;
    store.add_to_balances(entry.date, &entry.lines).db()?;
    append(store, ctx, seq, kind, entry.id, &chain::entry_payload(entry), false)
}

/// Appends a link after the current head, and signs a checkpoint every so often.
pub(super) fn append<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    seq: i64,
    kind: Kind,
    object_id: Uuid,
    payload: &str,
    force_checkpoint: bool,
) -> Result<(), S> {
    let company = ctx.books.company_id;
    let prev_hash = match store.chain_head(company).db()? {
        Some(head) if head.seq == seq - 1 => head.hash,
        None if seq == 1 => chain::GENESIS.to_owned(),
        head => {
            return Err(LedgerError::ChainBroken(format!(
                "head at {:?}, next link {seq}",
                head.map(|h| h.seq)
            )));
        }
    };
    let link = ChainLink {
        company_id: company,
        seq,
        kind,
        object_id,
        hash: chain::link_hash(company, seq, kind, object_id, &prev_hash, payload),
        prev_hash,
        created_at: chain::now(),
    };
    store.append_chain(&link).db()?;
    if force_checkpoint || seq % chain::CHECKPOINT_EVERY == 0 {
        store
            .save_checkpoint(
                &link,
                &chain::sign(ctx.checkpoint_key, &link),
                &chain::key_id(ctx.checkpoint_key),
            )
            .db()?;
    }
    Ok(())
}

/// A new draft of `input`, with checked lines, by the actor.
fn new_draft(ctx: &Ctx<'_>, input: &EntryInput, lines: Vec<Line>, total: i64, now: jiff::Timestamp) -> JournalEntry {
    JournalEntry {
        id: Uuid::now_v7(),
        company_id: ctx.books.company_id,
        number: None,
        date: input.date.unwrap_or_default(),
        reference: input.reference.trim().to_owned(),
        description: input.description.clone(),
        status: EntryStatus::Draft,
        total,
        created_by: ctx.actor,
        approved_by: None,
        posted_by: None,
        posted_at: None,
        reverses_id: None,
        reversed_by_id: None,
        chain_seq: None,
        created_at: now,
        updated_at: now,
        edited_by: None,
        lines,
    }
}

fn draft<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, id: Uuid, verb: &'static str) -> Result<JournalEntry, S> {
    store.lock_entry(ctx.books.company_id, id).db()?;
    let entry = store
        .entry(ctx.books.company_id, id)
        .db()?
        .ok_or(LedgerError::NotFound)?;
    if entry.status != EntryStatus::Draft {
        return Err(LedgerError::NotDraft(verb));
    }
    Ok(entry)
}

fn recheck_accounts<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, lines: &[Line]) -> Result<(), S> {
    let mut errors = crate::domain::FieldErrors::default();
    for (i, l) in lines.iter().enumerate() {
        match store.account(ctx.books.company_id, l.account_id).db()? {
            Some(a) if a.is_active => {}
            Some(a) => errors.add(
                &format!("lines[{i}].account"),
                format!("Account {} is inactive.", a.code),
            ),
            None => errors.add(&format!("lines[{i}].account"), "Unknown account for this company."),
        }
    }
    errors.into_result().map_err(LedgerError::Invalid)
}

/// Refuses a date on or before the company's lock date.
pub(super) fn check_open<S: LedgerStore>(store: &mut S, ctx: &Ctx<'_>, date: Date) -> Result<(), S> {
    let settings = store.settings(ctx.books.company_id).db()?;
    match settings.closed_through() {
        Some(closed_through) if date <= closed_through => Err(LedgerError::PeriodClosed { date, closed_through }),
        _ => Ok(()),
    }
}

/// Refuses an entry on a tax account dated on or before the end of the latest filed tax return.
pub(super) fn check_tax_open<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    date: Date,
    lines: &[Line],
) -> Result<(), S> {
    match store.settings(ctx.books.company_id).db()?.tax_lock {
        Some(lock) if lock.covers(date, lines) => Err(LedgerError::TaxFiled {
            date,
            filed_through: lock.through,
        }),
        _ => Ok(()),
    }
}

fn summary(e: &JournalEntry) -> Vec<(&'static str, String)> {
    vec![
        ("date", e.date.to_string()),
        ("reference", e.reference.clone()),
        ("description", e.description.clone()),
        ("total", e.total.to_string()),
        ("lines", e.lines.len().to_string()),
    ]
}

fn audit<S: LedgerStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    action: &'static str,
    entry: &JournalEntry,
    changes: Vec<(String, String, String)>,
) -> Result<(), S> {
    store
        .audit(&AuditRecord {
            company_id: ctx.books.company_id,
            actor: ctx.actor,
            action,
            object_type: "journal_entry",
            object_id: entry.id,
            changes,
        })
        .db()
}

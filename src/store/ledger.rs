//! The ledger tables: journal entries and lines, per-day balances, counters, the hash chain,
//! period settings. Implements the domain's `LedgerStore` once, for both backends.

use std::collections::BTreeMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::platform::ts;
use super::{Row, StoreError, Tx, Value};
use crate::domain::accounts::Account;
use crate::domain::ledger::chain::{self, Kind};
use crate::domain::ledger::{AuditRecord, ChainLink, EntryStatus, JournalEntry, LedgerStore, Line, Settings, TaxLock};
use crate::params;

pub const ENTRY_COLUMNS: &str = "id, company_id, number, date, reference, description, status, total, created_by, \
    approved_by, posted_by, posted_at, reverses_id, reversed_by_id, chain_seq, created_at, updated_at, edited_by";

pub fn parse_date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{s:?} is not a date")))
}

/// A posting time as stored since v10: microseconds since 1970 (the precision the chain hashes).
pub fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

/// A stored posting time; a value outside jiff's range is a damaged row.
pub fn from_micros(us: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(us).map_err(|_| StoreError::Corrupt(format!("{us} is not a time")))
}

/// Reads an entry header selected with [`ENTRY_COLUMNS`] (lines empty).
pub fn entry_from_row(r: &Row) -> Result<JournalEntry, StoreError> {
    let status = r.str(6)?;
    Ok(JournalEntry {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        number: r.opt_int(2)?,
        date: parse_date(r.str(3)?)?,
        reference: r.text(4)?,
        description: r.text(5)?,
        status: EntryStatus::parse(status).ok_or_else(|| StoreError::Corrupt(format!("unknown status {status:?}")))?,
        total: r.int(7)?,
        created_by: r.uuid(8)?,
        approved_by: r.opt_uuid(9)?,
        posted_by: r.opt_uuid(10)?,
        posted_at: r.opt_int(11)?.map(from_micros).transpose()?,
        reverses_id: r.opt_uuid(12)?,
        reversed_by_id: r.opt_uuid(13)?,
        chain_seq: r.opt_int(14)?,
        created_at: from_micros(r.int(15)?)?,
        updated_at: from_micros(r.int(16)?)?,
        edited_by: r.opt_uuid(17)?,
        lines: Vec::new(),
    })
}

pub fn lines(tx: &mut Tx, entry_id: Uuid) -> Result<Vec<Line>, StoreError> {
    tx.query(
        "SELECT line_no, account_id, description, debit, credit, currency, amount_currency, exchange_rate \
         FROM journal_lines WHERE entry_id = $1 ORDER BY line_no",
        params![entry_id],
    )?
    .iter()
    .map(|r| {
        Ok(Line {
            line_no: r.int(0)?,
            account_id: r.uuid(1)?,
            description: r.text(2)?,
            debit: r.int(3)?,
            credit: r.int(4)?,
            currency: r.opt_text(5)?,
            amount_currency: r.opt_int(6)?,
            exchange_rate: r.opt_text(7)?,
        })
    })
    .collect()
}

const LINE_INSERT: &str = "INSERT INTO journal_lines (entry_id, line_no, account_id, description, debit, credit, \
    currency, amount_currency, exchange_rate, posted_date, posted_number)";
const LINE_WIDTH: usize = 11;

/// One line's values for [`LINE_INSERT`]; posted lines carry their entry's date and number.
fn push_line(out: &mut Vec<Value>, entry: &JournalEntry, l: &Line) {
    let posted = entry.status == EntryStatus::Posted;
    out.extend(crate::values![
        entry.id,
        l.line_no,
        l.account_id,
        &l.description,
        l.debit,
        l.credit,
        l.currency.clone(),
        l.amount_currency,
        l.exchange_rate.clone(),
        posted.then(|| entry.date.to_string()),
        entry.number.filter(|_| posted)
    ]);
}

fn insert_lines(tx: &mut Tx, entry: &JournalEntry) -> Result<(), StoreError> {
    let mut values = Vec::with_capacity(entry.lines.len() * LINE_WIDTH);
    for l in &entry.lines {
        push_line(&mut values, entry, l);
    }
    tx.insert_many(LINE_INSERT, LINE_WIDTH, &values)
}

fn entry_params(e: &JournalEntry) -> Vec<Value> {
    let mut out = Vec::with_capacity(ENTRY_WIDTH);
    push_entry(&mut out, e);
    out
}

const ENTRY_WIDTH: usize = 18;

fn push_entry(out: &mut Vec<Value>, e: &JournalEntry) {
    out.extend(crate::values![
        e.id,
        e.company_id,
        e.number,
        e.date.to_string(),
        &e.reference,
        &e.description,
        e.status.as_str(),
        e.total,
        e.created_by,
        e.approved_by,
        e.posted_by,
        e.posted_at.map(micros),
        e.reverses_id,
        e.reversed_by_id,
        e.chain_seq,
        micros(e.created_at),
        micros(e.updated_at),
        e.edited_by
    ]);
}

/// Inserts entries and their lines (see [`entry_rows`]).
fn insert_entries(tx: &mut Tx, entries: &[JournalEntry]) -> Result<(), StoreError> {
    let (entry_values, line_values) = entry_rows(entries);
    insert_entry_rows(tx, &entry_values, &line_values)
}

/// Writes what [`entry_rows`] made: the entries first, then the lines that refer to them.
pub(super) fn insert_entry_rows(tx: &mut Tx, entries: &[Value], lines: &[Value]) -> Result<(), StoreError> {
    tx.insert_many(
        &format!("INSERT INTO journal_entries ({ENTRY_COLUMNS})"),
        ENTRY_WIDTH,
        entries,
    )?;
    tx.insert_many(LINE_INSERT, LINE_WIDTH, lines)
}

/// The values of entries and of their lines, for [`insert_entry_rows`]. The
/// lines go in ledger order (account, date, number): the general-ledger index then grows in runs
/// instead of at a random place per line, which keeps a bulk posting's page reads and writes
/// local.
pub(super) fn entry_rows(entries: &[JournalEntry]) -> (Vec<Value>, Vec<Value>) {
    let mut values = Vec::with_capacity(entries.len() * ENTRY_WIDTH);
    for e in entries {
        push_entry(&mut values, e);
    }
    let mut lines: Vec<(&JournalEntry, &Line)> = entries
        .iter()
        .flat_map(|e| e.lines.iter().map(move |l| (e, l)))
        .collect();
    if lines.len() > 1 {
        lines.sort_by(|(ea, la), (eb, lb)| {
            (la.account_id, ea.date, ea.number, la.line_no).cmp(&(lb.account_id, eb.date, eb.number, lb.line_no))
        });
    }
    let mut line_values = Vec::with_capacity(lines.len() * LINE_WIDTH);
    for (e, l) in lines {
        push_line(&mut line_values, e, l);
    }
    (values, line_values)
}

impl LedgerStore for Tx<'_> {
    type Error = StoreError;

    fn account(&mut self, company: Uuid, id: Uuid) -> Result<Option<Account>, StoreError> {
        super::accounts::get(self, company, id)
    }

    fn settings(&mut self, company: Uuid) -> Result<Settings, StoreError> {
        let row = self.query_opt(
            "SELECT fiscal_year_start_month, lock_date, hard_lock_date, approval_required, approval_threshold, \
             tax_rounding, tax_lock_date, exchange_account_id FROM company_settings WHERE company_id = $1",
            params![company],
        )?;
        let Some(r) = row else { return Ok(Settings::default()) };
        let tax_lock = match r.opt_text(6)?.as_deref().map(parse_date).transpose()? {
            None => None,
            Some(through) => Some(TaxLock {
                through,
                accounts: super::tax_returns::tax_accounts(self, company)?,
            }),
        };
        Ok(Settings {
            fiscal_year_start_month: i8::try_from(r.int(0)?).unwrap_or(1),
            lock_date: r.opt_text(1)?.as_deref().map(parse_date).transpose()?,
            hard_lock_date: r.opt_text(2)?.as_deref().map(parse_date).transpose()?,
            approval_required: r.bool(3)?,
            approval_threshold: r.int(4)?,
            tax_rounding: crate::domain::documents::Rounding::parse(&r.text(5)?).unwrap_or_default(),
            tax_lock,
            exchange_account_id: r.opt_uuid(7)?,
        })
    }

    fn save_settings(&mut self, company: Uuid, s: &Settings) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO company_settings (company_id, fiscal_year_start_month, lock_date, hard_lock_date, approval_required, approval_threshold, updated_at, tax_rounding, tax_lock_date, exchange_account_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (company_id) DO UPDATE SET fiscal_year_start_month = excluded.fiscal_year_start_month, \
             lock_date = excluded.lock_date, hard_lock_date = excluded.hard_lock_date, \
             approval_required = excluded.approval_required, approval_threshold = excluded.approval_threshold, \
             updated_at = excluded.updated_at, tax_rounding = excluded.tax_rounding, \
             tax_lock_date = excluded.tax_lock_date, exchange_account_id = excluded.exchange_account_id",
            params![
                company,
                i64::from(s.fiscal_year_start_month),
                s.lock_date.map(|d| d.to_string()),
                s.hard_lock_date.map(|d| d.to_string()),
                s.approval_required,
                s.approval_threshold,
                ts(jiff::Timestamp::now()),
                s.tax_rounding.as_str(),
                s.tax_lock.as_ref().map(|l| l.through.to_string()),
                s.exchange_account_id
            ],
        )?;
        Ok(())
    }

    fn entry(&mut self, company: Uuid, id: Uuid) -> Result<Option<JournalEntry>, StoreError> {
        let row = self.query_opt(
            &format!("SELECT {ENTRY_COLUMNS} FROM journal_entries WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?;
        match row {
            Some(r) => {
                let mut e = entry_from_row(&r)?;
                e.lines = lines(self, id)?;
                Ok(Some(e))
            }
            None => Ok(None),
        }
    }

    fn lock_entry(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE journal_entries SET updated_at = updated_at WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }

    fn reconciled_in(&mut self, company: Uuid, id: Uuid) -> Result<Option<Date>, StoreError> {
        self.query_opt(
            "SELECT r.statement_date FROM statement_lines l JOIN reconciliations r ON r.id = l.reconciliation_id \
             WHERE l.company_id = $1 AND l.journal_entry_id = $2 AND r.status = 'approved' \
             ORDER BY r.statement_date LIMIT 1",
            params![company, id],
        )?
        .map(|r| parse_date(r.str(0)?))
        .transpose()
    }

    fn lock_books(&mut self, company: Uuid) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO counters (company_id, name, value) VALUES ($1, 'books', 0) \
             ON CONFLICT (company_id, name) DO UPDATE SET value = counters.value",
            params![company],
        )?;
        Ok(())
    }

    fn insert_entry(&mut self, e: &JournalEntry) -> Result<(), StoreError> {
        insert_entries(self, std::slice::from_ref(e))
    }

    fn update_entry(&mut self, e: &JournalEntry) -> Result<(), StoreError> {
        self.execute(
            "UPDATE journal_entries SET company_id = $2, number = $3, date = $4, reference = $5, description = $6, \
             status = $7, total = $8, created_by = $9, approved_by = $10, posted_by = $11, posted_at = $12, \
             reverses_id = $13, reversed_by_id = $14, chain_seq = $15, created_at = $16, updated_at = $17, \
             edited_by = $18 WHERE id = $1",
            &entry_params(e),
        )?;
        match e.status {
            // Only drafts change their lines; a posted entry's lines are fixed.
            EntryStatus::Draft => {
                self.execute("DELETE FROM journal_lines WHERE entry_id = $1", params![e.id])?;
                insert_lines(self, e)?;
            }
            EntryStatus::Posted => {
                self.execute(
                    "UPDATE journal_lines SET posted_date = $2, posted_number = $3 WHERE entry_id = $1 AND posted_number IS NULL",
                    params![e.id, e.date.to_string(), e.number],
                )?;
            }
            EntryStatus::Cancelled => {}
        }
        Ok(())
    }

    fn delete_entry(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute("DELETE FROM journal_lines WHERE entry_id = $1", params![id])?;
        self.execute(
            "DELETE FROM journal_entries WHERE company_id = $1 AND id = $2 AND status = 'draft'",
            params![company, id],
        )?;
        Ok(())
    }

    fn next_counter(&mut self, company: Uuid, name: &str) -> Result<i64, StoreError> {
        self.query_one(
            "INSERT INTO counters (company_id, name, value) VALUES ($1, $2, 1) \
             ON CONFLICT (company_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            params![company, name],
        )?
        .int(0)
    }

    fn add_to_balances(&mut self, date: Date, lines: &[Line]) -> Result<(), StoreError> {
        let mut totals: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
        for l in lines {
            let t = totals.entry(l.account_id).or_default();
            t.0 = t.0.checked_add(l.debit).ok_or_else(overflow)?;
            t.1 = t.1.checked_add(l.credit).ok_or_else(overflow)?;
        }
        for (account, (debit, credit)) in totals {
            add_balance(self, account, date, debit, credit)?;
        }
        Ok(())
    }

    fn chain_head(&mut self, company: Uuid) -> Result<Option<ChainLink>, StoreError> {
        self.query_opt(
            "SELECT company_id, seq, kind, object_id, \
             (SELECT p.hash FROM ledger_chain p WHERE p.company_id = c.company_id AND p.seq = c.seq - 1), \
             hash, created_at FROM ledger_chain c WHERE company_id = $1 ORDER BY seq DESC LIMIT 1",
            params![company],
        )?
        .as_ref()
        .map(link_from_row)
        .transpose()
    }

    fn append_chain(&mut self, l: &ChainLink) -> Result<(), StoreError> {
        let mut values = Vec::with_capacity(LINK_WIDTH);
        push_link(&mut values, l);
        self.insert_many(LINK_INSERT, LINK_WIDTH, &values)
    }

    fn save_checkpoint(&mut self, l: &ChainLink, signature: &str, key_id: &str) -> Result<(), StoreError> {
        let mut values = Vec::with_capacity(CHECKPOINT_WIDTH);
        push_checkpoint(&mut values, l, signature, key_id);
        self.insert_many(CHECKPOINT_INSERT, CHECKPOINT_WIDTH, &values)
    }

    fn result_balances(&mut self, company: Uuid, as_of: Date) -> Result<Vec<(Uuid, i64)>, StoreError> {
        self.query(
            "SELECT a.id, COALESCE(SUM(b.debit), 0) - COALESCE(SUM(b.credit), 0) FROM accounts a \
             JOIN account_balances b ON b.account_id = a.id \
             WHERE a.company_id = $1 AND a.type IN ('revenue', 'expense') AND b.date <= $2 \
             GROUP BY a.id, a.code ORDER BY a.code",
            params![company, as_of.to_string()],
        )?
        .iter()
        .map(|r| Ok((r.uuid(0)?, r.int(1)?)))
        .collect()
    }

    fn account_by_subtype(&mut self, company: Uuid, subtype: &str) -> Result<Option<Account>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {} FROM accounts WHERE company_id = $1 AND subtype = $2 AND is_active = $3 ORDER BY code LIMIT 1",
                super::accounts::COLUMNS
            ),
            params![company, subtype, true],
        )?
        .as_ref()
        .map(super::accounts::from_row)
        .transpose()
    }

    fn audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        let mut values = Vec::with_capacity(AUDIT_WIDTH);
        push_audit(&mut values, r);
        self.insert_many(AUDIT_INSERT, AUDIT_WIDTH, &values)
    }
}

pub(super) const AUDIT_INSERT: &str = "INSERT INTO audit_log \
     (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at, company_id, first_number, last_number)";
pub(super) const AUDIT_WIDTH: usize = 11;

/// One record of one object's change.
pub(super) fn push_audit(out: &mut Vec<Value>, r: &AuditRecord) {
    push_audit_range(out, r, None);
}

/// A record; with `numbers`, the one record of a bulk posting, which posted the entries numbered
/// `first..=last` (its object is the first of them).
pub(super) fn push_audit_range(out: &mut Vec<Value>, r: &AuditRecord, numbers: Option<(i64, i64)>) {
    let changes: serde_json::Map<String, serde_json::Value> = r
        .changes
        .iter()
        .map(|(f, b, a)| (f.clone(), serde_json::json!({ "before": b, "after": a })))
        .collect();
    out.extend(crate::values![
        Uuid::now_v7(),
        Value::Null,
        r.actor,
        r.action,
        r.object_type,
        r.object_id,
        serde_json::Value::Object(changes).to_string(),
        ts(jiff::Timestamp::now()),
        r.company_id,
        numbers.map(|n| n.0),
        numbers.map(|n| n.1)
    ]);
}

pub(super) const CHECKPOINT_INSERT: &str =
    "INSERT INTO chain_checkpoints (company_id, seq, hash, signature, created_at, key_id)";
pub(super) const CHECKPOINT_WIDTH: usize = 6;

pub(super) fn push_checkpoint(out: &mut Vec<Value>, l: &ChainLink, signature: &str, key_id: &str) {
    out.extend(crate::values![
        l.company_id,
        l.seq,
        l.hash.as_str(),
        signature,
        ts(l.created_at),
        key_id
    ]);
}

pub(super) const LINK_INSERT: &str = "INSERT INTO ledger_chain (company_id, seq, kind, object_id, hash, created_at)";
pub(super) const LINK_WIDTH: usize = 6;

pub(super) fn push_link(out: &mut Vec<Value>, l: &ChainLink) {
    out.extend(crate::values![
        l.company_id,
        l.seq,
        l.kind.as_str(),
        l.object_id,
        Value::digest(&l.hash),
        micros(l.created_at)
    ]);
}

pub fn link_from_row(r: &Row) -> Result<ChainLink, StoreError> {
    let kind = r.text(2)?;
    Ok(ChainLink {
        company_id: r.uuid(0)?,
        seq: r.int(1)?,
        kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown chain kind {kind:?}")))?,
        object_id: r.uuid(3)?,
        // Not stored since v10: the hash of the link before (none before the first).
        prev_hash: r.opt_text(4)?.unwrap_or_else(|| chain::GENESIS.to_owned()),
        hash: r.text(5)?,
        created_at: from_micros(r.int(6)?)?,
    })
}

/// Adds to one account's total of one day.
pub(super) fn add_balance(tx: &mut Tx, account: Uuid, date: Date, debit: i64, credit: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO account_balances (account_id, date, debit, credit) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, date) DO UPDATE SET debit = account_balances.debit + excluded.debit, \
         credit = account_balances.credit + excluded.credit",
        params![account, date.to_string(), debit, credit],
    )?;
    Ok(())
}

/// Totals beyond what 64-bit minor units hold: refused, never wrapped.
pub(super) fn overflow() -> StoreError {
    StoreError::Overflow("an account's total is too large".into())
}

//! Consistent copies of live SQLite databases, and the facts a backup manifest records about
//! them (schema version, rows per table, per company: chain head, entry and line counts, trial
//! balance digest).
//!
//! Copies use SQLite's online backup API in one step: it reads inside one read transaction, so
//! the copy is the database as of one commit, while the server keeps writing (WAL). A raw file
//! copy of a live database is never taken.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::civil::Date;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::sql::Tx;
use super::{StoreError, reports};
use crate::domain::ledger::chain::hex;

/// What a manifest records about one database file; compared again after a restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbFacts {
    /// The newest migration applied (refinery's history).
    pub schema_version: i64,
    /// Rows per table, every table but SQLite's own.
    pub rows: BTreeMap<String, i64>,
    /// Per company, for tenant databases at the binary's schema; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companies: Vec<CompanyFacts>,
}

/// A company's ledger as of the copy: enough to prove a restore brought back the same books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyFacts {
    pub id: Uuid,
    pub name: String,
    pub entries: i64,
    pub lines: i64,
    /// The last link of the company's hash chain (0 and "" when it has none).
    pub chain_seq: i64,
    pub chain_hash: String,
    /// Trial balance totals in minor units, and a SHA-256 over its rows
    /// (`code|debit|credit\n`, ordered by code).
    pub debit: i64,
    pub credit: i64,
    pub trial_balance_sha256: String,
}

/// Copies the database at `src` into a new file `dest` as of one commit.
pub fn copy_database(src: &Path, dest: &Path) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let source = Connection::open_with_flags(src, flags)?;
    source.busy_timeout(Duration::from_secs(5))?;
    super::sqlite::private_files(dest).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dest.display())))?;
    let mut target = Connection::open(dest)?;
    {
        let backup = Backup::new(&source, &mut target)?;
        // -1: every page in one step, under one read transaction. Stepping in pieces would
        // restart whenever the server commits, and never finish under steady writes.
        for _ in 0..100 {
            match backup.step(-1)? {
                StepResult::Done => return Ok(()),
                StepResult::More | StepResult::Busy | StepResult::Locked => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    Err(StoreError::Unavailable(format!(
        "{} stayed locked; the backup gave up after 5 s",
        src.display()
    )))
}

/// The firms listed in a platform database file, by id and name.
pub fn tenants_in(platform: &Path) -> Result<Vec<(Uuid, String)>, StoreError> {
    let conn = open_read_only(platform)?;
    let mut stmt = conn.prepare("SELECT id, name FROM tenants ORDER BY created_at, id")?;
    let rows = stmt.query_map([], |r| Ok((super::sqlite::file_uuid(r, 0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name) = row?;
        let id = id.ok_or_else(|| StoreError::Corrupt(format!("firm {name:?} has an id that is not a UUID")))?;
        out.push((id, name));
    }
    Ok(out)
}

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// A value of the platform database's `settings` table, read without migrating anything.
pub fn platform_setting(platform: &Path, key: &str) -> Result<Option<String>, StoreError> {
    let conn = open_read_only(platform)?;
    let mut stmt = conn.prepare("SELECT value FROM settings WHERE key = ?1")?;
    let mut rows = stmt.query([key])?;
    match rows.next()? {
        Some(r) => Ok(Some(r.get(0)?)),
        None => Ok(None),
    }
}

/// The newest migration applied to a database file (0 when it has none).
pub fn schema_version(path: &Path) -> Result<i64, StoreError> {
    let conn = open_read_only(path)?;
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?)
}

/// Schema version and row counts of a database file (a copy, or a file just restored).
/// With `companies`, also each company's ledger facts; the file must then be at `current`
/// schema or the company facts are left out.
pub fn facts(path: &Path, companies: bool, current: i64) -> Result<DbFacts, StoreError> {
    let mut conn = open_read_only(path)?;
    let schema_version: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?;
    let tables: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        names.collect::<Result<_, _>>()?
    };
    let mut rows = BTreeMap::new();
    for table in tables {
        // Table names come from the file's own catalogue; quoted as identifiers.
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {quoted}"), [], |r| r.get(0))?;
        rows.insert(table, n);
    }
    let companies = if companies && schema_version == current {
        let tx = conn.transaction()?;
        let mut tx = Tx::Sqlite(tx);
        company_facts(&mut tx)?
    } else {
        Vec::new()
    };
    Ok(DbFacts {
        schema_version,
        rows,
        companies,
    })
}

/// Per company: counts, chain head and trial balance, read through the shared query layer.
pub fn company_facts(tx: &mut Tx) -> Result<Vec<CompanyFacts>, StoreError> {
    let companies = tx.query("SELECT id, name FROM companies ORDER BY id", &[])?;
    let mut out = Vec::with_capacity(companies.len());
    for c in companies {
        let id = c.uuid(0)?;
        let counts = tx.query_one(
            "SELECT (SELECT COUNT(*) FROM journal_entries WHERE company_id = $1), \
                    (SELECT COUNT(*) FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id \
                      WHERE e.company_id = $1)",
            &[id.into()],
        )?;
        let head = tx.query_opt(
            "SELECT seq, hash FROM ledger_chain WHERE company_id = $1 ORDER BY seq DESC LIMIT 1",
            &[id.into()],
        )?;
        let (chain_seq, chain_hash) = match head {
            Some(r) => (r.int(0)?, r.text(1)?),
            None => (0, String::new()),
        };
        let rows = reports::trial_balance(tx, id, Date::MAX)?;
        let mut digest = Sha256::new();
        let (mut debit, mut credit) = (0i64, 0i64);
        for r in &rows {
            digest.update(format!("{}|{}|{}\n", r.code, r.debit, r.credit).as_bytes());
            debit = debit
                .checked_add(r.debit)
                .ok_or_else(|| StoreError::Overflow("trial balance".into()))?;
            credit = credit
                .checked_add(r.credit)
                .ok_or_else(|| StoreError::Overflow("trial balance".into()))?;
        }
        out.push(CompanyFacts {
            id,
            name: c.text(1)?,
            entries: counts.int(0)?,
            lines: counts.int(1)?,
            chain_seq,
            chain_hash,
            debit,
            credit,
            trial_balance_sha256: hex(&digest.finalize()),
        });
    }
    Ok(out)
}

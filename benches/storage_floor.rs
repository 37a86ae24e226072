//! The storage floor of bulk posting: how fast SQLite alone writes the rows a bulk posting of
//! two-line entries writes (the entry, its lines, a chain link, the request's one audit row,
//! the per-day balances), with no HTTP, JSON, checks or hashing. Whatever the server does, the bulk API
//! cannot be faster than this on the same machine. Prints figures; asserts nothing.
//!
//! It starts the real server (so the firm's database has the real schema, pragmas and chart),
//! then writes into that database on its own connection, one transaction per 10,000 entries as
//! a bulk request does, from a temporary table filled beforehand with `INSERT … SELECT`:
//! SQLite's own per-row cost only. Two workloads: each request's dates spread over two years
//! (the ledger benchmark's), and entries in date order (a history imported as it happened).
//!
//! `cargo bench --bench storage_floor` (optionally `OASYS_BENCH_LINES=200000`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

const ENTRIES_PER_REQUEST: usize = 10_000;

/// What one request's transaction writes, as `store::ledger` writes it: entries in posting
/// order, lines sorted by account, date and number, one chain link per entry, one audit row per
/// request, then the balances summed per account and day. Ids and hashes are bytes (storage
/// shape v10).
const WRITES: [(&str, &str); 5] = [
    (
        "entries",
        "INSERT INTO journal_entries (id, company_id, number, date, reference, description, status, total, \
         created_by, approved_by, posted_by, posted_at, reverses_id, reversed_by_id, chain_seq, created_at, updated_at) \
         SELECT id, ?3, num, date, 'B' || k, 'bench', 'posted', amount, ?4, NULL, ?4, ts, NULL, NULL, num, ts, ts \
         FROM temp.src WHERE k >= ?1 AND k < ?2 ORDER BY k",
    ),
    (
        "lines",
        "INSERT INTO journal_lines (entry_id, line_no, account_id, description, debit, credit, currency, \
         amount_currency, exchange_rate, posted_date, posted_number) \
         SELECT id, line_no, account, '', debit, credit, NULL, NULL, NULL, date, num FROM ( \
           SELECT id, 1 AS line_no, debit_account AS account, amount AS debit, 0 AS credit, date, num \
           FROM temp.src WHERE k >= ?1 AND k < ?2 \
           UNION ALL SELECT id, 2, credit_account, 0, amount, date, num FROM temp.src WHERE k >= ?1 AND k < ?2) \
         ORDER BY account, date, num, line_no",
    ),
    (
        "chain",
        "INSERT INTO ledger_chain (company_id, seq, kind, object_id, hash, created_at) \
         SELECT ?3, num, 'post', id, hash, ts FROM temp.src WHERE k >= ?1 AND k < ?2 ORDER BY k",
    ),
    (
        "audit",
        "INSERT INTO audit_log (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at, company_id, \
         first_number, last_number) \
         SELECT audit_id, NULL, ?4, 'post', 'journal_entry', id, '{\"status\":{\"after\":\"posted\",\"before\":\"\"}}', audit_ts, ?3, \
         ?1 + 1, ?2 FROM temp.src WHERE k = ?1",
    ),
    (
        "balances",
        "INSERT INTO account_balances (account_id, date, debit, credit) \
         SELECT account, date, SUM(debit), SUM(credit) FROM ( \
           SELECT debit_account AS account, date, amount AS debit, 0 AS credit FROM temp.src WHERE k >= ?1 AND k < ?2 \
           UNION ALL SELECT credit_account, date, 0, amount FROM temp.src WHERE k >= ?1 AND k < ?2) \
         WHERE 1 GROUP BY account, date \
         ON CONFLICT (account_id, date) DO UPDATE SET debit = account_balances.debit + excluded.debit, \
         credit = account_balances.credit + excluded.credit",
    ),
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let target_lines = common::target_lines();
    let entries = (target_lines / 2).div_ceil(ENTRIES_PER_REQUEST) * ENTRIES_PER_REQUEST;
    println!(
        "OASYS storage floor (SQLite {}, {} CPUs): {entries} two-line entries, {ENTRIES_PER_REQUEST} per transaction",
        rusqlite::version(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (label, spread) in [
        ("dates spread over two years in every request", true),
        ("entries in date order", false),
    ] {
        // A fresh server per workload: each starts from an empty ledger, as the ledger bench does.
        let server = common::start("bench-floor-harbour-42").await;
        let db = firm_database(server.data_dir());
        let (times, per_table) = tokio::task::spawn_blocking(move || write_all(&db, entries, spread))
            .await
            .unwrap();
        let total: Duration = times.iter().sum();
        let per_entry = total.as_secs_f64() * 1e6 / entries as f64;
        println!(
            "{label}: {:.0} lines/s ({:.0} entries/s, {per_entry:.1} µs per entry)",
            (2 * entries) as f64 / total.as_secs_f64(),
            entries as f64 / total.as_secs_f64(),
        );
        let parts: Vec<String> = per_table
            .iter()
            .map(|(name, d)| format!("{name} {:.1}", d.as_secs_f64() * 1e6 / entries as f64))
            .collect();
        println!("  µs per entry: {}", parts.join(", "));
        let last = times.iter().rev().take(5).sum::<Duration>().as_secs_f64() / 5.0;
        println!(
            "  last five transactions: {:.0} lines/s",
            (2 * ENTRIES_PER_REQUEST) as f64 / last
        );
    }
}

/// The one firm database under the data dir (`tenants/<id>/ledger.db`).
fn firm_database(data_dir: &Path) -> PathBuf {
    let tenants = data_dir.join("tenants");
    std::fs::read_dir(&tenants)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("ledger.db"))
        .find(|p| p.exists())
        .expect("the registered firm has a database")
}

/// Fills the source table, then writes it in request-sized transactions. Returns each
/// transaction's time and the time per statement kind (commit included).
fn write_all(db: &Path, entries: usize, spread: bool) -> (Vec<Duration>, Vec<(&'static str, Duration)>) {
    let conn = Connection::open(db).unwrap();
    // The server's writer pragmas (store::sqlite::connect); checkpoints run between
    // transactions, off the clock, as the server's checkpoint thread runs them on another core.
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL; \
         PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0;",
    )
    .unwrap();
    let company: Vec<u8> = conn.query_row("SELECT id FROM companies", [], |r| r.get(0)).unwrap();
    let user: Vec<u8> = conn
        .query_row(
            "SELECT actor_id FROM audit_log WHERE actor_id IS NOT NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| uuid::Uuid::now_v7().as_bytes().to_vec());
    let account = |code: &str| -> Vec<u8> {
        conn.query_row(
            "SELECT id FROM accounts WHERE company_id = ?1 AND code = ?2",
            params![company, code],
            |r| r.get(0),
        )
        .unwrap()
    };
    let debit: Vec<Vec<u8>> = ["1010", "1020", "1100", "1200", "1300"]
        .iter()
        .map(|c| account(c))
        .collect();
    let credit: Vec<Vec<u8>> = ["2100", "2200", "4100", "4200", "4900"]
        .iter()
        .map(|c| account(c))
        .collect();

    conn.execute_batch(
        "CREATE TEMP TABLE src (k INTEGER PRIMARY KEY, id BLOB, num INTEGER, date TEXT, amount INTEGER, \
         debit_account BLOB, credit_account BLOB, audit_id BLOB, hash BLOB, ts INTEGER, audit_ts TEXT)",
    )
    .unwrap();
    let start = jiff::civil::date(2024, 1, 1);
    {
        let tx = conn.unchecked_transaction().unwrap();
        let mut insert = tx
            .prepare("INSERT INTO temp.src VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .unwrap();
        let hash = |n: usize| {
            let mut h = [0u8; 32];
            h[24..].copy_from_slice(&(n as u64).to_be_bytes());
            h
        };
        for k in 0..entries {
            let day = if spread { k % 730 } else { k * 730 / entries };
            let date = start.checked_add(jiff::Span::new().days(day as i64)).unwrap();
            let now = jiff::Timestamp::now();
            let (ts, audit_ts) = (now.as_microsecond(), format!("{now:.6}"));
            insert
                .execute(params![
                    k as i64,
                    uuid::Uuid::now_v7().as_bytes(),
                    (k + 1) as i64,
                    date.to_string(),
                    (100 + k % 99_700) as i64,
                    debit[k % 5],
                    credit[k % 5],
                    uuid::Uuid::now_v7().as_bytes(),
                    hash(k + 1),
                    ts,
                    audit_ts
                ])
                .unwrap();
        }
        drop(insert);
        tx.commit().unwrap();
    }

    let mut times = Vec::new();
    let mut per_table: Vec<(&'static str, Duration)> = WRITES
        .iter()
        .map(|(name, _)| (*name, Duration::ZERO))
        .chain([("commit", Duration::ZERO)])
        .collect();
    for lo in (0..entries).step_by(ENTRIES_PER_REQUEST) {
        let hi = (lo + ENTRIES_PER_REQUEST).min(entries);
        let t0 = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        for (i, (_, sql)) in WRITES.iter().enumerate() {
            let t = Instant::now();
            // Each statement uses the first two, three or four of (lo, hi, company, user).
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let values: [&dyn rusqlite::ToSql; 4] = [&(lo as i64), &(hi as i64), &company, &user];
            for (n, v) in values.iter().enumerate().take(stmt.parameter_count()) {
                stmt.raw_bind_parameter(n + 1, v).unwrap();
            }
            stmt.raw_execute().unwrap();
            per_table[i].1 += t.elapsed();
        }
        let t = Instant::now();
        conn.execute_batch("COMMIT").unwrap();
        per_table[WRITES.len()].1 += t.elapsed();
        times.push(t0.elapsed());
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .unwrap();
    }
    (times, per_table)
}

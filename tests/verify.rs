//! `oasys verify` against tampering done directly in the database: each test builds a real
//! ledger through the library (82 links: 80 entries, a period close, a reversal; checkpoints at
//! links 41 and 64), changes the tenant's SQLite file with rusqlite (or its PostgreSQL schema
//! with the postgres client), runs the real binary and expects a non-zero exit naming the entry.
//! The untouched ledger must verify. PostgreSQL cases run when `OASYS_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use jiff::civil::Date;
use oasys::auth::scope::TenantScope;
use oasys::domain::ledger::chain::{self, Kind};
use oasys::domain::ledger::{
    Books, Ctx, EntryInput, EntryStatus, JournalEntry, LedgerStore, Line, LineInput, close_period, post_new,
    reopen_period, reverse, year_end_close,
};
use oasys::domain::tenants::{CompanyDetails, Plan};
use oasys::params;
use oasys::provision::{self, NewFirm};
use oasys::store::{Store, StoreConfig, StoreError, Tx};
use uuid::Uuid;

#[path = "verify/periods.rs"]
mod periods;
#[path = "verify/structure.rs"]
mod structure;

const BIN: &str = env!("CARGO_BIN_EXE_oasys");
const KEY: &str = "verify-test-checkpoint-key-0123456789abcdef";
const CLOSED_THROUGH: &str = "2024-01-31";

#[derive(Clone)]
enum Backend {
    Sqlite,
    Postgres(String),
}

fn postgres_url() -> Option<String> {
    std::env::var("OASYS_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// A posted entry, as the test built it.
#[derive(Clone, Debug)]
struct Posted {
    id: Uuid,
    number: i64,
    seq: i64,
    date: Date,
}

struct Ledger {
    dir: tempfile::TempDir,
    backend: Backend,
    platform_schema: String,
    tenant: Uuid,
    company: Uuid,
    actor: Uuid,
    accounts: Vec<Uuid>,
    /// In chain order.
    entries: Vec<Posted>,
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn input(date: Date, i: i64, accounts: &[Uuid]) -> EntryInput {
    let a = 100 + i;
    let line = |account: Uuid, debit: Option<String>, credit: Option<String>| LineInput {
        account_id: Some(account),
        description: format!("line of entry {i}"),
        debit,
        credit,
        currency: None,
        exchange_rate: None,
        company_amount: None,
    };
    EntryInput {
        date: Some(date),
        reference: format!("REF-{i}"),
        description: format!("Entry {i}"),
        lines: vec![
            line(accounts[0], Some(format!("{a}.00")), None),
            line(accounts[1], Some("20.00".into()), None),
            line(accounts[2], None, Some(format!("{}.00", a + 20))),
        ],
    }
}

fn ledger_error<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Conflict(e.to_string())
}

impl Ledger {
    /// 40 entries in January, the books closed through January 31 (link 41), 40 entries in
    /// February, then entry #45 reversed: 82 links, 81 entries, checkpoints at 41 and 64.
    fn build(backend: Backend) -> Ledger {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("oasys.toml"), "# test configuration: defaults only\n").unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("checkpoint_key"), KEY).unwrap();
        let platform_schema = format!("verify_{}", Uuid::new_v4().simple());
        let store = open_store(&backend, &data, &platform_schema);
        let firm = provision::create_firm(
            &store,
            NewFirm {
                name: "Verify & Sons".into(),
                domain: None,
                plan: Plan::Basic,
                company: CompanyDetails {
                    name: "Verify Books".into(),
                    currency: "USD".into(),
                    timezone: "UTC".into(),
                    ..CompanyDetails::default()
                },
                chart: "general".into(),
                admin: None,
            },
            None,
        )
        .unwrap();
        let (tenant, company) = (firm.tenant.id, firm.company.id);
        let scope = TenantScope::operator(tenant);
        let accounts: Vec<Uuid> = store
            .tenant_read(&scope, |tx| {
                tx.query(
                    "SELECT id FROM accounts WHERE company_id = $1 AND is_active = $2 ORDER BY code LIMIT 3",
                    params![company, true],
                )?
                .iter()
                .map(|r| r.uuid(0))
                .collect::<Result<Vec<_>, StoreError>>()
            })
            .unwrap();
        assert_eq!(accounts.len(), 3);
        let actor = Uuid::now_v7();
        let the_company = usd_company(company);
        let books = Books::of(&the_company);
        let ctx = Ctx {
            books: &books,
            company: &the_company,
            actor,
            checkpoint_key: KEY.as_bytes(),
            today: jiff::civil::date(2026, 1, 1),
            now: jiff::Timestamp::now(),
        };
        let entries = store
            .tenant_write(&scope, |tx| -> Result<Vec<Posted>, StoreError> {
                let mut posted = Vec::new();
                let keep = |posted: &mut Vec<Posted>, e: JournalEntry| {
                    posted.push(Posted {
                        id: e.id,
                        number: e.number.unwrap(),
                        seq: e.chain_seq.unwrap(),
                        date: e.date,
                    })
                };
                let january = day("2024-01-01");
                for i in 0..40 {
                    let date = january.checked_add(jiff::Span::new().days(i % 31)).unwrap();
                    keep(
                        &mut posted,
                        post_new(tx, &ctx, &input(date, i, &accounts)).map_err(ledger_error)?,
                    );
                }
                close_period(tx, &ctx, day(CLOSED_THROUGH), false).map_err(ledger_error)?;
                let february = day("2024-02-01");
                for i in 40..80 {
                    let date = february.checked_add(jiff::Span::new().days(i % 28)).unwrap();
                    keep(
                        &mut posted,
                        post_new(tx, &ctx, &input(date, i, &accounts)).map_err(ledger_error)?,
                    );
                }
                let original = posted.iter().find(|p| p.number == 45).unwrap().id;
                keep(&mut posted, reverse(tx, &ctx, original, None).map_err(ledger_error)?);
                Ok(posted)
            })
            .unwrap();
        assert_eq!(entries.last().unwrap().seq, 82);
        drop(store);
        Ledger {
            dir,
            backend,
            platform_schema,
            tenant,
            company,
            actor,
            accounts,
            entries,
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn entry(&self, number: i64) -> Posted {
        self.entries.iter().find(|p| p.number == number).cloned().unwrap()
    }

    fn at_seq(&self, seq: i64) -> Posted {
        self.entries.iter().find(|p| p.seq == seq).cloned().unwrap()
    }

    fn store(&self) -> Store {
        open_store(&self.backend, &self.data_dir(), &self.platform_schema)
    }

    fn scope(&self) -> TenantScope {
        TenantScope::operator(self.tenant)
    }

    /// The tenant's SQLite file, opened directly (foreign keys off, as a tamperer would).
    fn sqlite(&self) -> rusqlite::Connection {
        let path = self
            .data_dir()
            .join("tenants")
            .join(self.tenant.hyphenated().to_string())
            .join("ledger.db");
        assert!(path.exists(), "{}", path.display());
        let db = rusqlite::Connection::open(path).unwrap();
        db.execute_batch("PRAGMA foreign_keys=OFF").unwrap();
        db
    }

    /// The tenant's PostgreSQL schema, through the postgres client.
    fn postgres(&self) -> postgres::Client {
        let Backend::Postgres(url) = &self.backend else {
            panic!("not on PostgreSQL")
        };
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("SET search_path TO t_{}", self.tenant.simple()))
            .unwrap();
        client
    }

    /// Runs `oasys verify`; returns success and stdout + stderr.
    fn verify(&self, args: &[&str]) -> (bool, String) {
        let mut cmd = Command::new(BIN);
        for (key, _) in std::env::vars() {
            if key.starts_with("OASYS_") {
                cmd.env_remove(key);
            }
        }
        cmd.arg("--config")
            .arg(self.dir.path().join("oasys.toml"))
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("verify")
            .args(args);
        if let Backend::Postgres(url) = &self.backend {
            cmd.env("OASYS_DATABASE_URL", url)
                .env("OASYS_DATABASE_SCHEMA", &self.platform_schema);
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Runs `oasys verify` and expects it to fail; returns its output.
    fn fails(&self) -> String {
        let (ok, out) = self.verify(&[]);
        eprintln!("{out}");
        assert!(!ok, "verify passed a tampered ledger:\n{out}");
        assert!(out.contains("FAILED"), "{out}");
        out
    }

    /// Changes the firm's rows in one transaction of the store, as a tamperer with database
    /// access would (the store's own checks are SQL constraints only: nothing stops this).
    fn tamper(&self, f: impl FnOnce(&mut Tx) -> Result<(), StoreError>) {
        let store = self.store();
        store.tenant_write(&self.scope(), f).unwrap();
    }

    /// Runs `f` in one transaction with the ledger's context, for work done through the library.
    fn with_ctx<T>(&self, f: impl FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, StoreError>) -> T {
        let company = usd_company(self.company);
        let books = Books::of(&company);
        let ctx = Ctx {
            books: &books,
            company: &company,
            actor: self.actor,
            checkpoint_key: KEY.as_bytes(),
            today: jiff::civil::date(2026, 1, 1),
            now: jiff::Timestamp::now(),
        };
        let store = self.store();
        store.tenant_write(&self.scope(), |tx| f(tx, &ctx)).unwrap()
    }

    /// Runs `oasys verify` and expects it to pass.
    fn passes(&self) {
        let (ok, out) = self.verify(&[]);
        assert!(ok, "verify failed an intact ledger:\n{out}");
    }

    /// Runs `oasys verify`, expects it to fail, and expects every one of `messages` in its output.
    fn fails_with(&self, messages: &[&str]) -> String {
        let out = self.fails();
        for m in messages {
            assert!(out.contains(m), "expected {m:?} in:\n{out}");
        }
        out
    }

    /// The first bad entry as the summary line names it.
    fn first_bad(out: &str) -> &str {
        let start = out.find("first bad entry: ").expect("no first bad entry named") + "first bad entry: ".len();
        out[start..].lines().next().unwrap()
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Backend::Postgres(url) = &self.backend
            && let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE; DROP SCHEMA IF EXISTS t_{} CASCADE",
                self.platform_schema,
                self.tenant.simple()
            ));
        }
    }
}

fn open_store(backend: &Backend, data: &std::path::Path, platform_schema: &str) -> Store {
    match backend {
        Backend::Sqlite => Store::open(&StoreConfig::Sqlite {
            data_dir: data.to_path_buf(),
            cache_size: 4,
        }),
        Backend::Postgres(url) => Store::open(&StoreConfig::Postgres {
            url: url.clone(),
            platform_schema: platform_schema.to_owned(),
            pool_size: 2,
        }),
    }
    .unwrap()
}

fn sqlite_ledger() -> Ledger {
    Ledger::build(Backend::Sqlite)
}

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Some(url) = postgres_url() {
        all.push(Backend::Postgres(url));
    }
    all
}

// ------------------------------------------------------------------ untouched

#[test]
fn an_untouched_ledger_verifies() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let (ok, out) = ledger.verify(&[]);
        assert!(ok, "{out}");
        assert!(out.contains("ok: firm Verify & Sons"), "{out}");
        assert!(out.contains(": 81 entries, 82 links, last checkpoint 64"), "{out}");
        let (ok, out) = ledger.verify(&["--tenant", &ledger.tenant.to_string()]);
        assert!(ok, "{out}");
        assert!(out.contains(&ledger.company.to_string()), "{out}");
    }
}

/// Bulk posting (`store::bulk::post_many`: checked and hashed on a second thread, counters and
/// balances written once at the end) makes a ledger that verifies like one posted entry by entry.
#[test]
fn a_bulk_posted_ledger_verifies() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        ledger.with_ctx(|tx, ctx| {
            let inputs: Vec<_> = (0..100)
                .map(|i| {
                    let date = day("2024-03-01").checked_add(jiff::Span::new().days(i % 5)).unwrap();
                    input(date, 200 + i, &ledger.accounts)
                })
                .collect();
            match oasys::store::bulk::post_many(tx, ctx, &inputs, &|_| {}) {
                Ok(posted) => {
                    assert_eq!(posted.len(), 100);
                    Ok(())
                }
                Err(oasys::store::bulk::BulkError::Store(e)) => Err(e),
                Err(oasys::store::bulk::BulkError::Entry(i, e)) => panic!("entry {i}: {e}"),
            }
        });
        let (ok, out) = ledger.verify(&[]);
        assert!(ok, "{out}");
        assert!(out.contains(": 181 entries, 182 links, last checkpoint 128"), "{out}");
    }
}

#[test]
fn an_unknown_firm_is_an_error() {
    let ledger = sqlite_ledger();
    let (ok, out) = ledger.verify(&["--tenant", &Uuid::now_v7().to_string()]);
    assert!(!ok);
    assert!(out.contains("no firm with id"), "{out}");
}

#[test]
fn another_checkpoint_key_fails_the_checkpoints() {
    let ledger = sqlite_ledger();
    std::fs::write(
        ledger.data_dir().join("checkpoint_key"),
        "another-key-another-key-another-key-0123",
    )
    .unwrap();
    let out = ledger.fails();
    assert!(
        out.contains("chain link 41: the checkpoint's signature does not verify"),
        "{out}"
    );
    assert!(out.contains("chain link 64"), "{out}");
}

// ------------------------------------------------------------------ amounts

#[test]
fn an_amount_changed_on_a_non_last_line_is_named() {
    let ledger = sqlite_ledger();
    let target = ledger.entry(10);
    let db = ledger.sqlite();
    let n = db
        .execute(
            "UPDATE journal_lines SET debit = debit + 1000 WHERE entry_id = ?1 AND line_no = 1",
            [target.id.as_bytes().as_slice()],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(db);
    let out = ledger.fails();
    let first = Ledger::first_bad(&out);
    assert!(first.starts_with(&format!("entry #10 ({})", target.id)), "{out}");
    assert!(
        out.contains("lines do not balance: debits 139.00, credits 129.00"),
        "{out}"
    );
    assert!(out.contains("no longer matches its chain link"), "{out}");
    assert!(out.contains("the balance of account"), "{out}");
}

#[test]
fn a_rebalanced_change_is_caught_by_the_hash() {
    let ledger = sqlite_ledger();
    let target = ledger.entry(12);
    let db = ledger.sqlite();
    // Ids are 16-byte BLOBs in a SQLite firm file (storage shape v10).
    let id = target.id.simple();
    db.execute_batch(&format!(
        "UPDATE journal_lines SET debit = debit + 500 WHERE entry_id = x'{id}' AND line_no = 1;
         UPDATE journal_lines SET credit = credit + 500 WHERE entry_id = x'{id}' AND line_no = 3;
         UPDATE journal_entries SET total = total + 500 WHERE id = x'{id}';
         UPDATE account_balances SET debit = debit + 500 WHERE account_id = x'{a0}' AND date = '{d}';
         UPDATE account_balances SET credit = credit + 500 WHERE account_id = x'{a2}' AND date = '{d}';",
        a0 = ledger.accounts[0].simple(),
        a2 = ledger.accounts[2].simple(),
        d = target.date,
    ))
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(out.contains("1 problem(s)"), "{out}");
    assert!(
        Ledger::first_bad(&out).starts_with(&format!(
            "entry #12 ({}), chain link 12: the stored entry no longer matches",
            target.id
        )),
        "{out}"
    );
}

/// The general ledger reads each line's copy of its entry's date: moving it is caught even
/// though the chain does not cover the copy.
#[test]
fn a_line_moved_to_another_day_is_named() {
    let ledger = sqlite_ledger();
    let target = ledger.entry(15);
    let db = ledger.sqlite();
    db.execute(
        "UPDATE journal_lines SET posted_date = '2024-03-01' WHERE entry_id = ?1 AND line_no = 2",
        [target.id.as_bytes().as_slice()],
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(out.contains("1 problem(s)"), "{out}");
    assert!(
        out.contains(&format!(
            "entry #15 ({}), chain link 15: 1 line(s) carry a posting date or number that is not the entry's",
            target.id
        )),
        "{out}"
    );
}

// ------------------------------------------------------------------ deleted, inserted, swapped

#[test]
fn a_deleted_entry_is_named() {
    let ledger = sqlite_ledger();
    let target = ledger.entry(20);
    let db = ledger.sqlite();
    db.execute(
        "DELETE FROM journal_lines WHERE entry_id = ?1",
        [target.id.as_bytes().as_slice()],
    )
    .unwrap();
    db.execute(
        "DELETE FROM journal_entries WHERE id = ?1",
        [target.id.as_bytes().as_slice()],
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(
        Ledger::first_bad(&out).starts_with(&format!(
            "entry {}, chain link 20: the chain records its post",
            target.id
        )),
        "{out}"
    );
    assert!(
        out.contains("entry #20: missing: the numbers jump from 19 to 21"),
        "{out}"
    );
    assert!(out.contains("the audit trail records its posting"), "{out}");
}

#[test]
fn an_entry_inserted_outside_the_chain_is_named() {
    let ledger = sqlite_ledger();
    let id = Uuid::now_v7();
    let now = chain::now().as_microsecond();
    let db = ledger.sqlite();
    db.execute(
        "INSERT INTO journal_entries (id, company_id, number, date, reference, description, status, total, created_by, \
         posted_by, posted_at, chain_seq, created_at, updated_at) \
         VALUES (?1, ?2, 82, '2023-12-15', 'LATE', 'Back-dated', 'posted', 5000, ?3, ?3, ?4, 83, ?4, ?4)",
        rusqlite::params![
            id.as_bytes().as_slice(),
            ledger.company.as_bytes().as_slice(),
            ledger.actor.as_bytes().as_slice(),
            now
        ],
    )
    .unwrap();
    for (no, account, debit, credit) in [(1, ledger.accounts[0], 5000, 0), (2, ledger.accounts[1], 0, 5000)] {
        db.execute(
            "INSERT INTO journal_lines (entry_id, line_no, account_id, debit, credit) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                id.as_bytes().as_slice(),
                no,
                account.as_bytes().as_slice(),
                debit,
                credit
            ],
        )
        .unwrap();
    }
    drop(db);
    let out = ledger.fails();
    assert!(
        out.contains(&format!(
            "entry #82 ({id}): posted (dated 2023-12-15), but not in the hash chain"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("entry #82 ({id}): posted, but the audit trail has no record")),
        "{out}"
    );
}

/// The attacker knows the encoding: the back-dated entry gets a correctly computed link after
/// the last checkpoint, the counters, the balances and an audit row. Only its date gives it
/// away: it lies in a period that was closed before it was posted.
#[test]
fn a_back_dated_entry_with_a_forged_link_is_named() {
    let ledger = sqlite_ledger();
    let db = ledger.sqlite();
    let prev: Vec<u8> = db
        .query_row("SELECT hash FROM ledger_chain WHERE seq = 82", [], |r| r.get(0))
        .unwrap();
    let prev: String = prev.iter().map(|b| format!("{b:02x}")).collect();
    let now = chain::now();
    let entry = JournalEntry {
        id: Uuid::now_v7(),
        company_id: ledger.company,
        number: Some(82),
        date: day("2024-01-10"),
        reference: "LATE".into(),
        description: "Back-dated".into(),
        status: EntryStatus::Posted,
        total: 5000,
        created_by: ledger.actor,
        approved_by: None,
        posted_by: Some(ledger.actor),
        posted_at: Some(now),
        reverses_id: None,
        reversed_by_id: None,
        chain_seq: Some(83),
        created_at: now,
        updated_at: now,
        edited_by: None,
        lines: vec![
            Line {
                line_no: 1,
                account_id: ledger.accounts[0],
                description: String::new(),
                debit: 5000,
                credit: 0,
                currency: None,
                amount_currency: None,
                exchange_rate: None,
            },
            Line {
                line_no: 2,
                account_id: ledger.accounts[1],
                description: String::new(),
                debit: 0,
                credit: 5000,
                currency: None,
                amount_currency: None,
                exchange_rate: None,
            },
        ],
    };
    let hash = chain::link_hash(
        ledger.company,
        83,
        Kind::Post,
        entry.id,
        &prev,
        &chain::entry_payload(&entry),
    );
    let (id, company, actor, ts, at) = (
        entry.id.as_bytes().as_slice(),
        ledger.company.as_bytes().as_slice(),
        ledger.actor.as_bytes().as_slice(),
        chain::timestamp(now),
        now.as_microsecond(),
    );
    let hash: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hash[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    db.execute(
        "INSERT INTO journal_entries (id, company_id, number, date, reference, description, status, total, created_by, \
         posted_by, posted_at, chain_seq, created_at, updated_at) \
         VALUES (?1, ?2, 82, '2024-01-10', 'LATE', 'Back-dated', 'posted', 5000, ?3, ?3, ?4, 83, ?4, ?4)",
        rusqlite::params![id, company, actor, at],
    )
    .unwrap();
    for l in &entry.lines {
        db.execute(
            "INSERT INTO journal_lines (entry_id, line_no, account_id, debit, credit, posted_date, posted_number) \
             VALUES (?1, ?2, ?3, ?4, ?5, '2024-01-10', 82)",
            rusqlite::params![id, l.line_no, l.account_id.as_bytes().as_slice(), l.debit, l.credit],
        )
        .unwrap();
        db.execute(
            "INSERT INTO account_balances (account_id, date, debit, credit) VALUES (?1, '2024-01-10', ?2, ?3) \
             ON CONFLICT (account_id, date) DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit",
            rusqlite::params![l.account_id.as_bytes().as_slice(), l.debit, l.credit],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO ledger_chain (company_id, seq, kind, object_id, hash, created_at) VALUES (?1, 83, 'post', ?2, ?3, ?4)",
        rusqlite::params![company, id, hash, at],
    )
    .unwrap();
    db.execute_batch(
        "UPDATE counters SET value = 82 WHERE name = 'journal'; UPDATE counters SET value = 83 WHERE name = 'chain';",
    )
    .unwrap();
    db.execute(
        "INSERT INTO audit_log (id, tenant_id, actor_id, action, object_type, object_id, detail, created_at, company_id) \
         VALUES (?1, NULL, ?2, 'post', 'journal_entry', ?3, '{}', ?4, ?5)",
        rusqlite::params![Uuid::now_v7().as_bytes().as_slice(), actor, id, ts, company],
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(out.contains("1 problem(s)"), "{out}");
    assert!(
        out.contains(&format!(
            "entry #82 ({}), chain link 83: dated 2024-01-10, but posted while the books were closed through {CLOSED_THROUGH}",
            entry.id
        )),
        "{out}"
    );
}

#[test]
fn two_entries_with_their_numbers_swapped_are_named() {
    let ledger = sqlite_ledger();
    let (a, b) = (ledger.entry(30), ledger.entry(31));
    let db = ledger.sqlite();
    db.execute_batch(&format!(
        "UPDATE journal_entries SET number = -1 WHERE id = x'{a}';
         UPDATE journal_entries SET number = 30 WHERE id = x'{b}';
         UPDATE journal_entries SET number = 31 WHERE id = x'{a}';",
        a = a.id.simple(),
        b = b.id.simple()
    ))
    .unwrap();
    drop(db);
    let out = ledger.fails();
    // Entry a now carries number 31, at its own place (link 30) in the chain.
    assert!(
        Ledger::first_bad(&out).starts_with(&format!(
            "entry #31 ({}), chain link 30: the stored entry no longer matches",
            a.id
        )),
        "{out}"
    );
    assert!(out.contains(&format!("entry #30 ({}), chain link 31", b.id)), "{out}");
}

#[test]
fn two_entries_swapped_in_the_chain_are_named() {
    let ledger = sqlite_ledger();
    let (a, b) = (ledger.entry(50), ledger.entry(51));
    let db = ledger.sqlite();
    // Swap everything that orders them: numbers, chain positions and the links themselves.
    db.execute_batch(&format!(
        "UPDATE journal_entries SET number = -1, chain_seq = -1 WHERE id = x'{a}';
         UPDATE journal_entries SET number = {an}, chain_seq = {aseq} WHERE id = x'{b}';
         UPDATE journal_entries SET number = {bn}, chain_seq = {bseq} WHERE id = x'{a}';
         UPDATE ledger_chain SET seq = -1 WHERE seq = {aseq};
         UPDATE ledger_chain SET seq = {aseq} WHERE seq = {bseq};
         UPDATE ledger_chain SET seq = {bseq} WHERE seq = -1;",
        a = a.id.simple(),
        b = b.id.simple(),
        an = a.number,
        bn = b.number,
        aseq = a.seq,
        bseq = b.seq,
    ))
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(
        Ledger::first_bad(&out).starts_with(&format!("entry #50 ({}), chain link {}", b.id, a.seq)),
        "{out}"
    );
    // Each moved link was hashed over its old predecessor: neither recomputes at its new place.
    assert!(
        out.contains(&format!("chain link {}: the stored entry no longer matches", b.seq)),
        "{out}"
    );
}

// ------------------------------------------------------------------ truncation

/// Links 60..=82 and their entries removed, the counters set back: the checkpoint at 64 is now
/// beyond the end of the chain, and the audit trail still names the removed entries.
#[test]
fn a_chain_truncated_below_the_last_checkpoint_is_caught() {
    let ledger = sqlite_ledger();
    let first_removed = ledger.at_seq(60);
    let db = ledger.sqlite();
    db.execute_batch(
        "DELETE FROM journal_lines WHERE entry_id IN (SELECT id FROM journal_entries WHERE chain_seq >= 60);
         UPDATE journal_entries SET reversed_by_id = NULL WHERE reversed_by_id IN (SELECT id FROM journal_entries WHERE chain_seq >= 60);
         DELETE FROM journal_entries WHERE chain_seq >= 60;
         DELETE FROM ledger_chain WHERE seq >= 60;
         UPDATE counters SET value = 59 WHERE name = 'chain';",
    )
    .unwrap();
    db.execute(
        "UPDATE counters SET value = ?1 WHERE name = 'journal'",
        [first_removed.number - 1],
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(
        out.contains("chain link 64: a checkpoint was signed at this link, but the chain ends at link 59: the chain was truncated"),
        "{out}"
    );
    assert!(
        Ledger::first_bad(&out).starts_with(&format!(
            "entry {}: the audit trail records its posting",
            first_removed.id
        )) || out.contains(&format!(
            "entry {}: the audit trail records its posting",
            first_removed.id
        )),
        "{out}"
    );
}

/// Links after the last checkpoint removed, with their entries: the counters still say how far
/// the ledger went.
#[test]
fn a_chain_truncated_after_the_last_checkpoint_is_caught() {
    let ledger = sqlite_ledger();
    let first_removed = ledger.at_seq(75);
    let db = ledger.sqlite();
    db.execute_batch(
        "DELETE FROM journal_lines WHERE entry_id IN (SELECT id FROM journal_entries WHERE chain_seq >= 75);
         UPDATE journal_entries SET reversed_by_id = NULL WHERE reversed_by_id IN (SELECT id FROM journal_entries WHERE chain_seq >= 75);
         DELETE FROM journal_entries WHERE chain_seq >= 75;
         DELETE FROM ledger_chain WHERE seq >= 75;",
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(
        out.contains(&format!(
            "entry #{}: missing, through #81: the journal counter is at 81, the last entry is #{}",
            first_removed.number,
            first_removed.number - 1
        )),
        "{out}"
    );
    assert!(
        out.contains("chain link 75: links 75..=82 are missing: the chain counter is at 82, the chain ends at 74"),
        "{out}"
    );
    assert!(
        Ledger::first_bad(&out).starts_with(&format!("entry #{}", first_removed.number)),
        "{out}"
    );
}

// ------------------------------------------------------------------ rewritten with hashes

/// An attacker without the key changes an entry and recomputes every hash after it (and the
/// balances, and the hashes stored with the checkpoints): every link is consistent again, but
/// the checkpoint signatures no longer match.
#[test]
fn a_rewrite_with_every_hash_recomputed_fails_the_checkpoint_signature() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(5);
        let store = ledger.store();
        let (company, actor) = (ledger.company, ledger.actor);
        store
            .tenant_write(&ledger.scope(), |tx| -> Result<(), StoreError> {
                let (a0, a2, d) = (ledger.accounts[0], ledger.accounts[2], target.date.to_string());
                tx.execute(
                    "UPDATE journal_lines SET debit = debit + 50000 WHERE entry_id = $1 AND line_no = 1",
                    params![target.id],
                )?;
                tx.execute(
                    "UPDATE journal_lines SET credit = credit + 50000 WHERE entry_id = $1 AND line_no = 3",
                    params![target.id],
                )?;
                tx.execute(
                    "UPDATE journal_entries SET total = total + 50000 WHERE id = $1",
                    params![target.id],
                )?;
                tx.execute(
                    "UPDATE account_balances SET debit = debit + 50000 WHERE account_id = $1 AND date = $2",
                    params![a0, &d],
                )?;
                tx.execute(
                    "UPDATE account_balances SET credit = credit + 50000 WHERE account_id = $1 AND date = $2",
                    params![a2, &d],
                )?;
                let links = tx.query(
                    "SELECT seq, kind, object_id FROM ledger_chain WHERE company_id = $1 ORDER BY seq",
                    params![company],
                )?;
                let mut prev = chain::GENESIS.to_owned();
                for l in links {
                    let (seq, kind, object) = (l.int(0)?, Kind::parse(&l.text(1)?).unwrap(), l.uuid(2)?);
                    let payload = match kind {
                        Kind::Close => chain::close_payload(Some(day(CLOSED_THROUGH)), None, actor),
                        _ => chain::entry_payload(&tx.entry(company, object)?.unwrap()),
                    };
                    let hash = chain::link_hash(company, seq, kind, object, &prev, &payload);
                    tx.execute(
                        "UPDATE ledger_chain SET hash = $1 WHERE company_id = $2 AND seq = $3",
                        params![oasys::store::Value::digest(&hash), company, seq],
                    )?;
                    tx.execute(
                        "UPDATE chain_checkpoints SET hash = $1 WHERE company_id = $2 AND seq = $3",
                        params![&hash, company, seq],
                    )?;
                    prev = hash;
                }
                Ok(())
            })
            .unwrap();
        drop(store);
        let out = ledger.fails();
        assert!(
            !out.contains("no longer matches"),
            "the rewrite left a link inconsistent:\n{out}"
        );
        assert!(
            out.contains("chain link 41: the checkpoint's signature does not verify: links 1..=41 were rewritten"),
            "{out}"
        );
        assert!(
            out.contains("chain link 64: the checkpoint's signature does not verify"),
            "{out}"
        );
    }
}

// ------------------------------------------------------------------ periods

/// Reopening, hard closes, a move of the soft lock back, postings into a reopened period and a
/// year-end close are all legitimate: the lock in force is replayed link by link.
#[test]
fn every_kind_of_period_change_verifies() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let store = ledger.store();
        let company = usd_company(ledger.company);
        let books = Books::of(&company);
        let ctx = Ctx {
            books: &books,
            company: &company,
            actor: ledger.actor,
            checkpoint_key: KEY.as_bytes(),
            today: jiff::civil::date(2026, 1, 1),
            now: jiff::Timestamp::now(),
        };
        store
            .tenant_write(&ledger.scope(), |tx| -> Result<(), StoreError> {
                reopen_period(tx, &ctx, None).map_err(ledger_error)?;
                post_new(tx, &ctx, &input(day("2024-01-15"), 100, &ledger.accounts)).map_err(ledger_error)?;
                close_period(tx, &ctx, day("2024-01-20"), true).map_err(ledger_error)?;
                close_period(tx, &ctx, day("2024-02-10"), false).map_err(ledger_error)?;
                reopen_period(tx, &ctx, Some(day("2024-01-25"))).map_err(ledger_error)?;
                post_new(tx, &ctx, &input(day("2024-01-28"), 101, &ledger.accounts)).map_err(ledger_error)?;
                year_end_close(tx, &ctx, day("2024-12-31")).map_err(ledger_error)?;
                Ok(())
            })
            .unwrap();
        drop(store);
        let (ok, out) = ledger.verify(&[]);
        assert!(ok, "{out}");
        assert!(out.contains("links, last checkpoint"), "{out}");

        // The same January date, slipped in now that the year is closed, is caught.
        let store = ledger.store();
        let late = store.tenant_write(&ledger.scope(), |tx| {
            post_new(tx, &ctx, &input(day("2024-01-28"), 102, &ledger.accounts)).map_err(ledger_error)
        });
        assert!(late.is_err(), "the domain let a closed date through");
    }
}

#[test]
fn a_lock_date_moved_outside_the_chain_is_caught() {
    let ledger = sqlite_ledger();
    let db = ledger.sqlite();
    db.execute("UPDATE company_settings SET lock_date = '2023-12-31'", [])
        .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(
        out.contains("the company settings say lock date 2023-12-31, hard close none; the last period close in the chain set 2024-01-31, none"),
        "{out}"
    );
}

#[test]
fn a_forged_period_close_is_caught() {
    let ledger = sqlite_ledger();
    let db = ledger.sqlite();
    // The audit row of the close now says the books were closed through a later date.
    let n = db
        .execute(
            "UPDATE audit_log SET detail = replace(detail, '2024-01-31', '2024-02-29') WHERE object_type = 'period'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(db);
    let out = ledger.fails();
    assert!(
        out.contains("chain link 41: period close: its hash cannot be recomputed"),
        "{out}"
    );
}

// ------------------------------------------------------------------ SQLite's own checks

#[test]
fn a_dangling_reference_fails_the_foreign_key_check() {
    let ledger = sqlite_ledger();
    let db = ledger.sqlite();
    db.execute(
        "UPDATE journal_lines SET account_id = ?1 WHERE line_no = 2 AND entry_id = ?2",
        [
            Uuid::now_v7().as_bytes().as_slice(),
            ledger.entry(3).id.as_bytes().as_slice(),
        ],
    )
    .unwrap();
    drop(db);
    let out = ledger.fails();
    assert!(out.contains("foreign_key_check: row"), "{out}");
    assert!(
        out.contains("of journal_lines refers to a missing row of accounts"),
        "{out}"
    );
    assert!(Ledger::first_bad(&out).starts_with("entry #3 ("), "{out}");
}

// ------------------------------------------------------------------ PostgreSQL

#[test]
fn postgres_an_amount_changed_is_named() {
    let Some(url) = postgres_url() else { return };
    let ledger = Ledger::build(Backend::Postgres(url));
    let target = ledger.entry(10);
    let mut client = ledger.postgres();
    let n = client
        .execute(
            "UPDATE journal_lines SET debit = debit + 1000 WHERE entry_id = $1 AND line_no = 1",
            &[&target.id.to_string()],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(client);
    let out = ledger.fails();
    assert!(
        Ledger::first_bad(&out).starts_with(&format!("entry #10 ({})", target.id)),
        "{out}"
    );
    assert!(
        out.contains("lines do not balance: debits 139.00, credits 129.00"),
        "{out}"
    );
}

#[test]
fn postgres_a_deleted_entry_is_named() {
    let Some(url) = postgres_url() else { return };
    let ledger = Ledger::build(Backend::Postgres(url));
    let target = ledger.entry(20);
    let mut client = ledger.postgres();
    client
        .execute(
            "DELETE FROM journal_lines WHERE entry_id = $1",
            &[&target.id.to_string()],
        )
        .unwrap();
    client
        .execute("DELETE FROM journal_entries WHERE id = $1", &[&target.id.to_string()])
        .unwrap();
    drop(client);
    let out = ledger.fails();
    assert!(
        out.contains("entry #20: missing: the numbers jump from 19 to 21"),
        "{out}"
    );
    assert!(out.contains(&format!("entry {}, chain link 20", target.id)), "{out}");
}

/// A USD company in UTC with id `id`, as the ledger's operations see the company they work in.
/// A PostgreSQL firm written before storage shape v10 (a link stored its predecessor's hash,
/// posting times were RFC 3339 text, audit records had no range) migrates forward on its first
/// use, keeps every posting time to the microsecond, and verifies. The firm is made by this
/// binary, then taken back to schema 9 by hand: the reverse of V10, of the banking tables
/// (V11, V12), of the allocations' dates (V13), of the statements' account column and index (V14)
/// of exchange rates (V15), of budgets (V17), of foreign-currency documents (V18), of files (V19), of the search change log (V20), of capture (V21), of inventory (V22, V25, V26), of the sales flow (V23) and of purchases (V24).
#[test]
fn postgres_a_firm_written_before_v10_migrates_and_verifies() {
    let Some(url) = postgres_url() else { return };
    let ledger = Ledger::build(Backend::Postgres(url));
    let target = ledger.entry(45);
    let read = |store: &Store| {
        store
            .tenant_read(&ledger.scope(), |tx| tx.entry(ledger.company, target.id))
            .unwrap()
            .unwrap()
    };
    let before = read(&ledger.store());
    let text = |c: &str| {
        format!(
            "ALTER COLUMN {c} TYPE TEXT USING to_char((TIMESTAMPTZ 'epoch' + {c} * INTERVAL '1 microsecond') \
             AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        )
    };
    let mut client = ledger.postgres();
    client
        .batch_execute(&format!(
            "DROP FUNCTION search_change_id, search_change_document_line, search_change_file_text CASCADE;
             DROP TABLE stock_checkpoint_levels, stock_checkpoints, purchase_landed_cost_lines, purchase_landed_costs, purchase_bill_lines, purchase_receipt_lines, purchase_receipts, purchase_order_lines, purchase_orders, sales_invoice_links, sales_delivery_lines, sales_deliveries, sales_document_lines, sales_documents, stock_layers, stock_levels, stock_moves, inventory_settings, warehouse_locations, warehouses, item_units, search_changes, ai_settings, ai_calls, capture_layouts, capture_draft_lines, capture_draft_fields, capture_drafts, file_texts, file_links, file_versions, files, revaluation_runs, tax_return_boxes, tax_returns, budget_amounts, budgets, exchange_rates, bank_line_rejections, bank_match_memory, bank_rules, statement_lines,
                 reconciliations, statement_imports, bank_accounts CASCADE;
             ALTER TABLE items DROP COLUMN inventory_account_id, DROP COLUMN cogs_account_id,
                 DROP COLUMN price_difference_account_id, DROP COLUMN reorder_point, DROP COLUMN reorder_quantity,
                 DROP COLUMN tracking;
             DROP INDEX IF EXISTS statement_lines_entry;
             DROP INDEX IF EXISTS journal_entries_year_end;
             ALTER TABLE accounts DROP COLUMN IF EXISTS cash_flow;
             DROP INDEX IF EXISTS documents_void_entry;
             ALTER TABLE company_settings DROP COLUMN tax_lock_date, DROP COLUMN tax_layout,
                 DROP COLUMN tax_payable_account_id, DROP COLUMN tax_receivable_account_id;
             DROP INDEX audit_log_ranges;
             ALTER TABLE audit_log DROP COLUMN first_number, DROP COLUMN last_number;
             ALTER TABLE allocations DROP COLUMN date, DROP COLUMN ended_on, DROP COLUMN exchange_entry_id,
                 DROP COLUMN carried_document, DROP COLUMN carried_source;
             ALTER TABLE documents DROP COLUMN exchange_rate_e12;
             ALTER TABLE payments DROP COLUMN currency, DROP COLUMN exchange_rate_e12;
             ALTER TABLE company_settings DROP COLUMN exchange_account_id;
             DROP INDEX documents_entry, payments_entry;
             ALTER TABLE ledger_chain ADD COLUMN prev_hash TEXT;
             UPDATE ledger_chain c SET prev_hash = COALESCE((SELECT p.hash FROM ledger_chain p
                 WHERE p.company_id = c.company_id AND p.seq = c.seq - 1), repeat('0', 64));
             ALTER TABLE ledger_chain ALTER COLUMN prev_hash SET NOT NULL, {};
             ALTER TABLE journal_entries {}, {}, {};
             DELETE FROM refinery_schema_history WHERE version >= 10;",
            text("created_at"),
            text("created_at"),
            text("updated_at"),
            text("posted_at"),
        ))
        .unwrap();
    let stored: String = client
        .query_one(
            "SELECT created_at FROM journal_entries WHERE id = $1",
            &[&target.id.to_string()],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        stored,
        chain::timestamp(before.created_at),
        "the downgrade wrote schema 9's text"
    );
    drop(client);

    let after = read(&ledger.store());
    assert_eq!(
        (after.created_at, after.updated_at, after.posted_at),
        (before.created_at, before.updated_at, before.posted_at)
    );
    let mut client = ledger.postgres();
    let version: i32 = client
        .query_one("SELECT MAX(version) FROM refinery_schema_history", &[])
        .unwrap()
        .get(0);
    assert_eq!(i64::from(version), oasys::store::latest_schema_versions().1);
    drop(client);
    let (ok, out) = ledger.verify(&[]);
    assert!(ok, "{out}");
}

fn usd_company(id: Uuid) -> oasys::domain::tenants::Company {
    oasys::domain::tenants::Company {
        id,
        name: "Verify Co".into(),
        tax_id: String::new(),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
        currency: "USD".into(),
        timezone: "UTC".into(),
        is_active: true,
        created_at: jiff::Timestamp::now(),
        updated_at: jiff::Timestamp::now(),
    }
}

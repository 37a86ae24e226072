//! Property tests of the ledger on the real store: random sequences of postings, reversals,
//! period closes and refused entries, run through `domain::ledger` on SQLite and, when
//! `OASYS_TEST_DATABASE_URL` is set, on PostgreSQL. After every transaction the books balance,
//! the maintained daily balances equal a recomputation from the posted lines (and a model kept
//! beside the store), entry numbers run 1..=N, the trial balance balances, and every refused
//! operation returned an error and changed nothing.
//!
//! `generate.rs` makes the sequences, `model.rs` keeps the model and checks the books against it,
//! `apply.rs` runs one operation; here are the fixture, the snapshot a refusal is compared with,
//! and the run of a whole sequence, transaction by transaction.

mod apply;
mod generate;
mod model;

use std::collections::BTreeMap;

use jiff::Span;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use uuid::Uuid;

use super::bulk::{self, BulkError};
use super::{Store, StoreConfig, StoreError, Tx};
use crate::domain::ledger::{Books, Ctx, EntryInput, LedgerError, LineInput};
use crate::domain::money;
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::params;
use crate::provision::{self, NewFirm};
use crate::tenancy::TenantScope;
use apply::apply;
use generate::{EntrySpec, Op, Step, steps};
use model::{Model, Posted, check_books};

/// Entries are dated in `FIRST_DAY .. FIRST_DAY + DAYS`; closes fall in the first third.
const FIRST_DAY: Date = date(2024, 1, 1);
const DAYS: u16 = 730;
const KEY: &[u8] = b"ledger-props-checkpoint-key";

/// (account id, date) → (debit, credit), minor units.
type Balances = BTreeMap<(String, String), (i64, i64)>;

struct Fixture {
    books: Books,
    company: crate::domain::tenants::Company,
    actor: Uuid,
    accounts: Vec<Uuid>,
}

impl Fixture {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            books: &self.books,
            company: &self.company,
            actor: self.actor,
            checkpoint_key: KEY,
            today: self.company.today(jiff::Timestamp::now()),
            now: crate::domain::books::now(),
        }
    }

    fn input(&self, spec: &EntrySpec) -> EntryInput {
        EntryInput {
            date: Some(day(spec.day)),
            reference: format!("P-{}", spec.day),
            description: "property".into(),
            lines: spec
                .lines
                .iter()
                .map(|l| {
                    let text = amount_text(l.minor, l.style);
                    LineInput {
                        account_id: Some(*l.account.get(&self.accounts)),
                        description: String::new(),
                        debit: l.debit.then(|| text.clone()),
                        credit: (!l.debit).then_some(text),
                        currency: None,
                        exchange_rate: None,
                        company_amount: None,
                    }
                })
                .collect(),
        }
    }

    fn expected_lines(&self, spec: &EntrySpec) -> Vec<(Uuid, i64, i64)> {
        spec.lines
            .iter()
            .map(|l| {
                let account = *l.account.get(&self.accounts);
                if l.debit {
                    (account, l.minor, 0)
                } else {
                    (account, 0, l.minor)
                }
            })
            .collect()
    }
}

fn day(offset: u16) -> Date {
    FIRST_DAY
        .checked_add(Span::new().days(i64::from(offset)))
        .unwrap_or(FIRST_DAY)
}

fn amount_text(minor: i64, style: u8) -> String {
    match style {
        0 => money::format(minor, 2),
        1 => money::from_minor(minor, 2).normalize().to_string(),
        _ => format!("{}0", money::format(minor, 2)),
    }
}

/// Row counts and sums of every table a posting writes, and the lock dates.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    entries: i64,
    lines: i64,
    balances: (i64, i64, i64),
    chain: i64,
    checkpoints: i64,
    counters: i64,
    audit: i64,
    settings: Vec<(Option<String>, Option<String>)>,
}

fn count(tx: &mut Tx, table: &str) -> Result<i64, StoreError> {
    tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?.int(0)
}

fn snapshot(tx: &mut Tx) -> Result<Snapshot, StoreError> {
    let b = tx.query_one(
        "SELECT COUNT(*), COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) FROM account_balances",
        &[],
    )?;
    Ok(Snapshot {
        entries: count(tx, "journal_entries")?,
        lines: count(tx, "journal_lines")?,
        balances: (b.int(0)?, b.int(1)?, b.int(2)?),
        chain: count(tx, "ledger_chain")?,
        checkpoints: count(tx, "chain_checkpoints")?,
        counters: tx
            .query_one("SELECT COALESCE(SUM(value), 0) FROM counters", &[])?
            .int(0)?,
        audit: count(tx, "audit_log")?,
        settings: tx
            .query("SELECT lock_date, hard_lock_date FROM company_settings", &[])?
            .iter()
            .map(|r| Ok((r.opt_text(0)?, r.opt_text(1)?)))
            .collect::<Result<_, StoreError>>()?,
    })
}
fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Why a failing bulk transaction stopped.
#[derive(Debug)]
enum Abort {
    /// The refused entry was refused, as it should: roll back.
    Expected,
    Broken(TestCaseError),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Broken(fail(e.to_string()))
    }
}

impl From<TestCaseError> for Abort {
    fn from(e: TestCaseError) -> Self {
        Abort::Broken(e)
    }
}

fn run_case(store: &Store, steps: &[Step]) -> Result<(), TestCaseError> {
    let firm = provision::create_firm(
        store,
        NewFirm {
            name: "Property firm".into(),
            domain: None,
            plan: Plan::Basic,
            company: CompanyDetails {
                name: "Property company".into(),
                currency: "USD".into(),
                timezone: "UTC".into(),
                ..CompanyDetails::default()
            },
            chart: "general".into(),
            admin: None,
        },
        None,
    )
    .map_err(|e| fail(format!("create_firm: {e}")))?;
    let scope = TenantScope::operator(firm.tenant.id);
    let company = firm.company.id;
    let accounts: Vec<Uuid> = store.tenant_read(&scope, |tx| {
        tx.query(
            "SELECT id FROM accounts WHERE company_id = $1 ORDER BY code",
            params![company],
        )?
        .iter()
        .map(|r| r.uuid(0))
        .collect::<Result<Vec<_>, StoreError>>()
    })?;
    prop_assert!(!accounts.is_empty());
    let b = Fixture {
        books: Books::of(&firm.company),
        company: firm.company.clone(),
        actor: Uuid::now_v7(),
        accounts,
    };
    let mut model = Model::default();
    for step in steps {
        match step {
            Step::Tx(ops) => {
                store.tenant_write(&scope, |tx| -> Result<(), TestCaseError> {
                    for op in ops {
                        apply(tx, &b, &mut model, op)?;
                    }
                    Ok(())
                })?;
            }
            Step::Bulk(specs) => {
                let before = store.tenant_read(&scope, snapshot)?;
                let inputs: Vec<EntryInput> = specs.iter().map(|s| b.input(s)).collect();
                let closed = specs.iter().position(|s| !model.is_open(day(s.day)));
                let outcome = store.tenant_write(&scope, |tx| bulk::post_many(tx, &b.ctx(), &inputs, &|_| {}));
                match (outcome, closed) {
                    (Ok(posted), None) => {
                        prop_assert_eq!(posted.len(), specs.len());
                        for (spec, p) in specs.iter().zip(&posted) {
                            prop_assert_eq!(Some(p.number), i64::try_from(model.entries.len() + 1).ok());
                            model.entries.push(Posted {
                                id: p.id,
                                date: day(spec.day),
                                reversed: false,
                                lines: b.expected_lines(spec),
                            });
                            model.link(false);
                        }
                    }
                    (Err(BulkError::Entry(i, LedgerError::PeriodClosed { .. })), Some(c)) if i == c => {
                        let after = store.tenant_read(&scope, snapshot)?;
                        prop_assert_eq!(before, after, "a refused bulk posting left something behind");
                    }
                    (got, closed) => {
                        return Err(fail(format!("bulk posting (first closed: {closed:?}): {got:?}")));
                    }
                }
            }
            Step::FailingBulk(good, spec, bad) => {
                let before = store.tenant_read(&scope, snapshot)?;
                let mut shadow = model.clone();
                let outcome = store.tenant_write(&scope, |tx| -> Result<(), Abort> {
                    for g in good {
                        apply(tx, &b, &mut shadow, &Op::Post(g.clone()))?;
                    }
                    apply(tx, &b, &mut shadow, &Op::Refused(spec.clone(), *bad))?;
                    Err(Abort::Expected)
                });
                match outcome {
                    Err(Abort::Expected) => {}
                    Err(Abort::Broken(e)) => return Err(e),
                    Ok(()) => return Err(fail("the failing bulk committed".into())),
                }
                let after = store.tenant_read(&scope, snapshot)?;
                prop_assert_eq!(before, after, "a rolled-back bulk left something behind");
            }
        }
        store.tenant_read(&scope, |tx| check_books(tx, company, &model))?;
    }
    Ok(())
}

fn run(store: &Store, cases: u32) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..PropConfig::default()
    });
    if let Err(e) = runner.run(&steps(), |steps| run_case(store, &steps)) {
        panic!("{} ledger property failed: {e}", store.backend_name());
    }
}

#[test]
fn the_ledger_keeps_its_invariants_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
        cache_size: 4,
    })
    .unwrap();
    run(&store, 24);
}

#[test]
fn the_ledger_keeps_its_invariants_on_postgres() {
    let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") else {
        return;
    };
    if url.is_empty() {
        return;
    }
    let store = Store::open(&StoreConfig::Postgres {
        url,
        platform_schema: format!("props_{}", Uuid::new_v4().simple()),
        pool_size: 2,
    })
    .unwrap();
    run(&store, 8);
}

//! Property tests of the ledger on the real store: random sequences of postings, reversals,
//! period closes and refused entries, run through `domain::ledger` on SQLite and, when
//! `OASYS_TEST_DATABASE_URL` is set, on PostgreSQL. After every transaction the books balance,
//! the maintained daily balances equal a recomputation from the posted lines (and a model kept
//! beside the store), entry numbers run 1..=N, the trial balance balances, and every refused
//! operation returned an error and changed nothing.

use std::collections::BTreeMap;

use jiff::Span;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use uuid::Uuid;

use super::bulk::{self, BulkError};
use super::{Store, StoreConfig, StoreError, Tx, reports};
use crate::domain::ledger::chain::CHECKPOINT_EVERY;
use crate::domain::ledger::{self, Books, Ctx, EntryInput, LedgerError, LedgerStore, LineInput};
use crate::domain::money;
use crate::domain::tenants::{CompanyDetails, Plan};
use crate::params;
use crate::provision::{self, NewFirm};
use crate::tenancy::TenantScope;

/// Entries are dated in `FIRST_DAY .. FIRST_DAY + DAYS`; closes fall in the first third.
const FIRST_DAY: Date = date(2024, 1, 1);
const DAYS: u16 = 730;
const KEY: &[u8] = b"ledger-props-checkpoint-key";

/// (account id, date) → (debit, credit), minor units.
type Balances = BTreeMap<(String, String), (i64, i64)>;

// ------------------------------------------------------------------------------------------
// What the generator produces

#[derive(Debug, Clone)]
struct LineSpec {
    account: Index,
    debit: bool,
    minor: i64,
    /// How the amount is written: 0 `"12.30"`, 1 `"12.3"`, 2 `"12.300"`.
    style: u8,
}

#[derive(Debug, Clone)]
struct EntrySpec {
    day: u16,
    lines: Vec<LineSpec>,
}

/// Ways to spoil a valid entry.
#[derive(Debug, Clone, Copy)]
enum Bad {
    Unbalanced,
    OneLine,
    BothSides,
    Negative,
    TooManyDecimals,
    UnknownAccount,
    NoAccount,
    NoDate,
    LongReference,
    ForeignWithoutRate,
    /// Dated `back` days on or before the lock date; closes through `close_day` first if the
    /// books have no lock yet.
    ClosedDate {
        close_day: u16,
        back: u16,
    },
}

#[derive(Debug, Clone)]
enum Op {
    Post(EntrySpec),
    Reverse { pick: Index, day: Option<u16> },
    Close { day: u16, hard: bool },
    Refused(EntrySpec, Bad),
}

#[derive(Debug, Clone)]
enum Step {
    /// Operations in one transaction; refused ones are caught and the transaction goes on.
    Tx(Vec<Op>),
    /// A bulk posting that ends with a refused entry: the whole transaction rolls back.
    FailingBulk(Vec<EntrySpec>, EntrySpec, Bad),
    /// Postings through `store::bulk::post_many`, as bulk posting and imports run: all of them,
    /// or (when one falls in a closed period) none.
    Bulk(Vec<EntrySpec>),
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![9 => 1i64..=2_000_000, 1 => 1i64..=10_000_000_000_000]
}

/// A balanced entry of 2–6 lines: random amounts, the last line of the lighter side topped up.
fn entry() -> impl Strategy<Value = EntrySpec> {
    (0..DAYS, 2usize..=6)
        .prop_flat_map(|(day, n)| {
            (
                Just(day),
                prop::collection::vec((any::<Index>(), amount(), 0u8..3), n),
                1..n,
                0..n,
            )
        })
        .prop_map(|(day, raw, debits, rotate)| {
            let mut lines: Vec<LineSpec> = raw
                .into_iter()
                .enumerate()
                .map(|(i, (account, minor, style))| LineSpec {
                    account,
                    debit: i < debits,
                    minor,
                    style,
                })
                .collect();
            let side = |lines: &[LineSpec], debit: bool| -> i64 {
                lines.iter().filter(|l| l.debit == debit).map(|l| l.minor).sum()
            };
            let gap = side(&lines, true) - side(&lines, false);
            let top_up = lines.iter_mut().rev().find(|l| l.debit == (gap < 0));
            if let Some(l) = top_up {
                l.minor += gap.abs();
            }
            lines.rotate_left(rotate);
            EntrySpec { day, lines }
        })
}

fn bad() -> impl Strategy<Value = Bad> {
    prop_oneof![
        1 => Just(Bad::Unbalanced),
        1 => Just(Bad::OneLine),
        1 => Just(Bad::BothSides),
        1 => Just(Bad::Negative),
        1 => Just(Bad::TooManyDecimals),
        1 => Just(Bad::UnknownAccount),
        1 => Just(Bad::NoAccount),
        1 => Just(Bad::NoDate),
        1 => Just(Bad::LongReference),
        1 => Just(Bad::ForeignWithoutRate),
        3 => (0..DAYS / 3, 0u16..60).prop_map(|(close_day, back)| Bad::ClosedDate { close_day, back }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => entry().prop_map(Op::Post),
        2 => (any::<Index>(), prop::option::of(0..DAYS)).prop_map(|(pick, day)| Op::Reverse { pick, day }),
        1 => (0..DAYS / 3, prop::bool::weighted(0.2)).prop_map(|(day, hard)| Op::Close { day, hard }),
        3 => (entry(), bad()).prop_map(|(e, b)| Op::Refused(e, b)),
    ]
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            5 => prop::collection::vec(op(), 1..5).prop_map(Step::Tx),
            1 => (prop::collection::vec(entry(), 0..4), entry(), bad())
                .prop_map(|(good, e, b)| Step::FailingBulk(good, e, b)),
            2 => prop::collection::vec(entry(), 1..40).prop_map(Step::Bulk),
        ],
        1..12,
    )
}

// ------------------------------------------------------------------------------------------
// The model: what the books must hold

#[derive(Debug, Clone)]
struct Posted {
    id: Uuid,
    date: Date,
    reversed: bool,
    /// (account, debit, credit), minor units.
    lines: Vec<(Uuid, i64, i64)>,
}

#[derive(Debug, Clone, Default)]
struct Model {
    /// In number order: entry `n` is `entries[n - 1]`.
    entries: Vec<Posted>,
    lock: Option<Date>,
    hard: Option<Date>,
    chain: i64,
    checkpoints: i64,
}

impl Model {
    fn is_open(&self, d: Date) -> bool {
        let closed = match (self.lock, self.hard) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        closed.is_none_or(|c| d > c)
    }

    fn link(&mut self, force_checkpoint: bool) {
        self.chain += 1;
        if force_checkpoint || self.chain % CHECKPOINT_EVERY == 0 {
            self.checkpoints += 1;
        }
    }

    /// (account, date) → (debit, credit) over every posted entry.
    fn balances(&self) -> Balances {
        let mut out = Balances::new();
        for e in &self.entries {
            for (account, debit, credit) in &e.lines {
                let t = out.entry((account.to_string(), e.date.to_string())).or_default();
                t.0 += debit;
                t.1 += credit;
            }
        }
        out
    }

    fn total(&self) -> i64 {
        self.entries.iter().flat_map(|e| &e.lines).map(|l| l.1).sum()
    }
}

// ------------------------------------------------------------------------------------------
// Running a sequence

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

/// A spoiled copy of a valid entry; the error it must get.
fn spoil(mut input: EntryInput, bad: Bad, closed_date: Option<Date>) -> (EntryInput, &'static str) {
    let invalid = "invalid";
    let Some(first) = input.lines.first_mut() else {
        return (input, invalid);
    };
    let side = if first.debit.is_some() {
        &mut first.debit
    } else {
        &mut first.credit
    };
    match bad {
        Bad::Unbalanced => {
            let minor = side
                .as_deref()
                .and_then(|t| money::parse(t).ok())
                .and_then(|d| money::to_minor(d, 2).ok())
                .unwrap_or(0);
            *side = Some(money::format(minor + 1, 2));
        }
        Bad::OneLine => input.lines.truncate(1),
        Bad::BothSides => {
            let text = side.clone();
            first.debit.clone_from(&text);
            first.credit = text;
        }
        Bad::Negative => *side = side.as_deref().map(|t| format!("-{t}")),
        Bad::TooManyDecimals => {
            *side = side.as_deref().map(|t| match t.split_once('.') {
                Some((units, _)) => format!("{units}.001"),
                None => format!("{t}.001"),
            });
        }
        Bad::UnknownAccount => first.account_id = Some(Uuid::now_v7()),
        Bad::NoAccount => first.account_id = None,
        Bad::NoDate => input.date = None,
        Bad::LongReference => input.reference = "R".repeat(101),
        Bad::ForeignWithoutRate => first.currency = Some("EUR".into()),
        Bad::ClosedDate { .. } => {
            input.date = closed_date;
            return (input, "closed");
        }
    }
    (input, invalid)
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Runs one operation in `tx`, checks the outcome the model predicts, and updates the model.
fn apply(tx: &mut Tx, b: &Fixture, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let before = snapshot(tx)?;
    let refused = match op {
        Op::Post(_) | Op::Reverse { .. } => post_or_reverse(tx, b, model, op)?,
        Op::Close { day: d, hard } => close(tx, b, model, day(*d), *hard)?,
        Op::Refused(spec, bad) => {
            if let Bad::ClosedDate { close_day, back } = *bad {
                let through = match model.lock.max(model.hard) {
                    Some(through) => through,
                    None => {
                        let through = day(close_day);
                        close(tx, b, model, through, false)?;
                        through
                    }
                };
                let closed_date = through.checked_sub(Span::new().days(i64::from(back))).ok();
                // The close is a change of its own: `refused` compares from after it.
                return refused(tx, b, spec, *bad, closed_date);
            }
            refused(tx, b, spec, *bad, None)?;
            true
        }
    };
    if refused {
        prop_assert_eq!(
            &before,
            &snapshot(tx)?,
            "a refused operation changed the books: {:?}",
            op
        );
    }
    Ok(())
}

/// Posts or reverses as `op` says, through any ledger store, and
/// checks the outcome the model predicts. Returns whether the operation was refused.
fn post_or_reverse<S: LedgerStore<Error = StoreError>>(
    store: &mut S,
    b: &Fixture,
    model: &mut Model,
    op: &Op,
) -> Result<bool, TestCaseError> {
    let ctx = b.ctx();
    Ok(match op {
        Op::Post(spec) => {
            let date = day(spec.day);
            match (ledger::post_new(store, &ctx, &b.input(spec)), model.is_open(date)) {
                (Ok(e), true) => {
                    prop_assert_eq!(e.number, i64::try_from(model.entries.len() + 1).ok());
                    model.entries.push(Posted {
                        id: e.id,
                        date,
                        reversed: false,
                        lines: b.expected_lines(spec),
                    });
                    model.link(false);
                    false
                }
                (Err(LedgerError::PeriodClosed { .. }), false) => true,
                (got, open) => return Err(fail(format!("posting on {date} (open: {open}): {got:?}"))),
            }
        }
        Op::Reverse { pick, day: on } => {
            if model.entries.is_empty() {
                return Ok(false);
            }
            let i = pick.index(model.entries.len());
            let (id, original_date, reversed) = {
                let target = &model.entries[i];
                (target.id, target.date, target.reversed)
            };
            let date = on.map_or(original_date, day);
            match ledger::reverse(store, &ctx, id, on.map(day)) {
                Ok(e) if !reversed && model.is_open(date) => {
                    prop_assert_eq!(e.number, i64::try_from(model.entries.len() + 1).ok());
                    prop_assert_eq!(e.reverses_id, Some(id));
                    let lines = model.entries[i].lines.iter().map(|(a, d, c)| (*a, *c, *d)).collect();
                    model.entries[i].reversed = true;
                    model.entries.push(Posted {
                        id: e.id,
                        date,
                        reversed: false,
                        lines,
                    });
                    model.link(false);
                    false
                }
                Err(LedgerError::AlreadyReversed) if reversed => true,
                Err(LedgerError::PeriodClosed { .. }) if !reversed && !model.is_open(date) => true,
                got => {
                    return Err(fail(format!(
                        "reversing entry {} on {date} (reversed: {reversed}, open: {}): {got:?}",
                        i + 1,
                        model.is_open(date)
                    )));
                }
            }
        }
        Op::Close { .. } | Op::Refused(..) => return Err(fail(format!("not a posting: {op:?}"))),
    })
}

/// Closes the period through `date`; refused only before a hard close.
fn close(tx: &mut Tx, b: &Fixture, model: &mut Model, date: Date, hard: bool) -> Result<bool, TestCaseError> {
    match ledger::close_period(tx, &b.ctx(), date, hard) {
        Ok(settings) if model.hard.is_none_or(|h| date >= h) => {
            if hard {
                model.hard = Some(date);
                model.lock = Some(model.lock.map_or(date, |l| l.max(date)));
            } else {
                model.lock = Some(date);
            }
            prop_assert_eq!(settings.lock_date, model.lock);
            prop_assert_eq!(settings.hard_lock_date, model.hard);
            model.link(true);
            Ok(false)
        }
        Err(LedgerError::Period(_)) if model.hard.is_some_and(|h| date < h) => Ok(true),
        got => Err(fail(format!("closing through {date} (hard: {hard}): {got:?}"))),
    }
}

/// Posts a spoiled entry: it must be refused with the right error and change nothing.
fn refused(
    tx: &mut Tx,
    b: &Fixture,
    spec: &EntrySpec,
    bad: Bad,
    closed_date: Option<Date>,
) -> Result<(), TestCaseError> {
    let before = snapshot(tx)?;
    let (input, expected) = spoil(b.input(spec), bad, closed_date);
    let got = ledger::post_new(tx, &b.ctx(), &input);
    let right = matches!(
        (&got, expected),
        (Err(LedgerError::Invalid(_)), "invalid") | (Err(LedgerError::PeriodClosed { .. }), "closed")
    );
    prop_assert!(right, "{bad:?} should be refused as {expected}, got {got:?}");
    prop_assert_eq!(before, snapshot(tx)?, "refused {:?} changed the books", bad);
    Ok(())
}

/// The invariants of the books, read in one transaction.
fn check_books(tx: &mut Tx, company: Uuid, model: &Model) -> Result<(), TestCaseError> {
    // (a) Posted debits equal posted credits, and what the model posted.
    let sums = tx.query_one(
        "SELECT COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0) FROM journal_lines l \
         JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = $1 AND e.status = 'posted'",
        params![company],
    )?;
    let (debits, credits) = (sums.int(0)?, sums.int(1)?);
    prop_assert_eq!(debits, credits, "posted debits and credits differ");
    prop_assert_eq!(debits, model.total());
    // Every entry balanced, with at least two lines and its total right.
    let unbalanced = tx.query(
        "SELECT e.id FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.company_id = $1 \
         GROUP BY e.id, e.total HAVING SUM(l.debit) <> SUM(l.credit) OR SUM(l.debit) <> e.total OR COUNT(*) < 2",
        params![company],
    )?;
    prop_assert!(unbalanced.is_empty(), "{} entries unbalanced", unbalanced.len());

    // (b) The maintained balances equal a recomputation from the posted lines, and the model.
    let read = |rows: Vec<super::Row>| -> Result<Balances, StoreError> {
        rows.iter()
            .map(|r| Ok(((r.text(0)?, r.text(1)?), (r.int(2)?, r.int(3)?))))
            .collect()
    };
    let maintained = read(tx.query(
        "SELECT b.account_id, b.date, b.debit, b.credit FROM account_balances b \
         JOIN accounts a ON a.id = b.account_id WHERE a.company_id = $1",
        params![company],
    )?)?;
    let recomputed = read(tx.query(
        "SELECT l.account_id, e.date, SUM(l.debit), SUM(l.credit) FROM journal_lines l \
         JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = $1 AND e.status = 'posted' \
         GROUP BY l.account_id, e.date",
        params![company],
    )?)?;
    prop_assert_eq!(
        &maintained,
        &recomputed,
        "maintained balances differ from the posted lines"
    );
    prop_assert_eq!(&maintained, &model.balances(), "balances differ from the model");

    // (d) Entry numbers are exactly 1..=N, all posted; the chain is 1..=links.
    let numbers: Vec<Option<i64>> = tx
        .query(
            "SELECT number FROM journal_entries WHERE company_id = $1 ORDER BY number",
            params![company],
        )?
        .iter()
        .map(|r| r.opt_int(0))
        .collect::<Result<_, _>>()?;
    let expected: Vec<Option<i64>> = (1..=i64::try_from(model.entries.len()).unwrap_or(0))
        .map(Some)
        .collect();
    prop_assert_eq!(numbers, expected, "entry numbers are not 1..=N");
    let drafts = tx
        .query_one(
            "SELECT COUNT(*) FROM journal_entries WHERE company_id = $1 AND status <> 'posted'",
            params![company],
        )?
        .int(0)?;
    prop_assert_eq!(drafts, 0);
    let seqs: Vec<i64> = tx
        .query(
            "SELECT seq FROM ledger_chain WHERE company_id = $1 ORDER BY seq",
            params![company],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    prop_assert_eq!(seqs, (1..=model.chain).collect::<Vec<_>>(), "chain sequence");
    prop_assert_eq!(count(tx, "chain_checkpoints")?, model.checkpoints);
    let reversed = tx
        .query_one(
            "SELECT COUNT(*) FROM journal_entries WHERE company_id = $1 AND reversed_by_id IS NOT NULL",
            params![company],
        )?
        .int(0)?;
    let model_reversed = model.entries.iter().filter(|e| e.reversed).count();
    prop_assert_eq!(usize::try_from(reversed).ok(), Some(model_reversed));

    // (e) The trial balance balances.
    let tb = reports::trial_balance(tx, company, date(2100, 1, 1))?;
    let (tb_debit, tb_credit) = tb.iter().fold((0, 0), |(d, c), r| (d + r.debit, c + r.credit));
    prop_assert_eq!(tb_debit, tb_credit, "trial balance does not balance");
    prop_assert_eq!(tb_debit, model.total());
    Ok(())
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

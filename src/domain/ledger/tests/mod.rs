//! Unit tests of the ledger engine over [`MemoryLedger`]: every operation (`entries.rs`), what
//! lines may be and every refusal (`lines.rs`), periods and the year-end close (`periods.rs`),
//! and properties over random sequences of postings and reversals (`props.rs`). Here: the books
//! they share and the checks they repeat (the trial balance, gap-free numbers, the hash chain
//! recomputed link by link).

mod entries;
mod lines;
mod periods;
mod props;

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use uuid::Uuid;

use super::chain::{self, Kind};
use super::{
    Books, ChainLink, Ctx, EntryInput, EntryStatus, JournalEntry, LedgerError, LineInput, MemoryError, MemoryLedger,
    Settings,
};
use crate::domain::accounts::{Account, AccountType};

const KEY: &[u8] = b"ledger-unit-tests-checkpoint-key";

type Outcome<T> = Result<T, LedgerError<MemoryError>>;

/// One company's books in EUR, its chart, and two people: a clerk who drafts and posts, a
/// manager who approves.
struct Fixture {
    store: MemoryLedger,
    books: Books,
    clerk: Uuid,
    manager: Uuid,
    cash: Uuid,
    bank: Uuid,
    sales: Uuid,
    rent: Uuid,
    retained: Uuid,
    /// Inactive.
    archived: Uuid,
    /// Another company's account, held in the same memory.
    elsewhere: Uuid,
}

fn account(company: Uuid, code: &str, account_type: AccountType, subtype: &str) -> Account {
    let now = Timestamp::UNIX_EPOCH;
    Account {
        id: Uuid::new_v4(),
        company_id: company,
        code: code.into(),
        name: format!("Account {code}"),
        account_type,
        subtype: subtype.into(),
        parent_id: None,
        currency: None,
        cash_flow: None,
        is_active: true,
        created_at: now,
        updated_at: now,
    }
}

/// A line of `amount` on `account`, a debit or a credit.
fn line(account: Uuid, debit: &str, credit: &str) -> LineInput {
    LineInput {
        account_id: Some(account),
        description: String::new(),
        debit: Some(debit.to_owned()).filter(|s| !s.is_empty()),
        credit: Some(credit.to_owned()).filter(|s| !s.is_empty()),
        currency: None,
        exchange_rate: None,
        company_amount: None,
    }
}

fn input(day: Date, lines: Vec<LineInput>) -> EntryInput {
    EntryInput {
        date: Some(day),
        reference: "REF-1".into(),
        description: "test entry".into(),
        lines,
    }
}

/// Everything the memory holds, to show that a refused operation changed nothing.
#[derive(Debug, PartialEq)]
struct Snapshot {
    entries: Vec<JournalEntry>,
    links: Vec<ChainLink>,
    checkpoints: Vec<(ChainLink, String, String)>,
    audit: usize,
    balances: BTreeMap<(Uuid, Date), (i64, i64)>,
    counters: (i64, i64),
    settings: Settings,
}

impl Fixture {
    fn new() -> Fixture {
        let company = Uuid::new_v4();
        let cash = account(company, "1000", AccountType::Asset, "cash");
        let bank = account(company, "1100", AccountType::Asset, "bank");
        let retained = account(company, "3200", AccountType::Equity, "retained_earnings");
        let sales = account(company, "4000", AccountType::Revenue, "");
        let rent = account(company, "6100", AccountType::Expense, "");
        let mut archived = account(company, "6900", AccountType::Expense, "");
        archived.is_active = false;
        let elsewhere = account(Uuid::new_v4(), "1000", AccountType::Asset, "cash");
        let ids = [
            cash.id,
            bank.id,
            sales.id,
            rent.id,
            retained.id,
            archived.id,
            elsewhere.id,
        ];
        let chart = [cash, bank, sales, rent, retained, archived, elsewhere];
        Fixture {
            store: MemoryLedger::new(company, Settings::default(), chart),
            books: Books {
                company_id: company,
                currency: "EUR".into(),
                decimals: 2,
            },
            clerk: Uuid::new_v4(),
            manager: Uuid::new_v4(),
            cash: ids[0],
            bank: ids[1],
            sales: ids[2],
            rent: ids[3],
            retained: ids[4],
            archived: ids[5],
            elsewhere: ids[6],
        }
    }

    /// Runs one operation as `actor`.
    fn run<T>(&mut self, actor: Uuid, op: impl FnOnce(&mut MemoryLedger, &Ctx<'_>) -> T) -> T {
        let company = company_of(&self.books);
        let ctx = Ctx {
            books: &self.books,
            company: &company,
            actor,
            checkpoint_key: KEY,
            today: day(1),
            now: jiff::Timestamp::now(),
        };
        op(&mut self.store, &ctx)
    }

    /// A sale of `amount` in cash on `day`, as the clerk types it.
    fn sale(&self, day: Date, amount: &str) -> EntryInput {
        input(day, vec![line(self.cash, amount, ""), line(self.sales, "", amount)])
    }

    fn draft(&mut self, input: &EntryInput) -> Outcome<JournalEntry> {
        self.run(self.clerk, |store, ctx| super::create_draft(store, ctx, input))
    }

    fn post_new(&mut self, input: &EntryInput) -> Outcome<JournalEntry> {
        self.run(self.clerk, |store, ctx| super::post_new(store, ctx, input))
    }

    fn post(&mut self, id: Uuid) -> Outcome<JournalEntry> {
        self.run(self.clerk, |store, ctx| super::post(store, ctx, id))
    }

    fn reverse(&mut self, id: Uuid, day: Option<Date>) -> Outcome<JournalEntry> {
        self.run(self.clerk, |store, ctx| super::reverse(store, ctx, id, day))
    }

    fn close(&mut self, day: Date, hard: bool) -> Outcome<Settings> {
        self.run(self.manager, |store, ctx| super::close_period(store, ctx, day, hard))
    }

    fn entry(&self, id: Uuid) -> &JournalEntry {
        self.store
            .entries()
            .iter()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("entry {id} is not in the books"))
    }

    fn posted(&self) -> Vec<&JournalEntry> {
        self.store
            .entries()
            .iter()
            .filter(|e| e.status == EntryStatus::Posted)
            .collect()
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            entries: self.store.entries().to_vec(),
            links: self.store.links().to_vec(),
            checkpoints: self.store.checkpoints().to_vec(),
            audit: self.store.audit_trail().len(),
            balances: self.store.balances().clone(),
            counters: (self.store.counter("chain"), self.store.counter("journal")),
            settings: self.store.period_settings().clone(),
        }
    }

    /// Debits − credits per account, from the maintained balances.
    fn trial_balance(&self) -> BTreeMap<Uuid, i64> {
        let mut out = BTreeMap::new();
        for (&(account, _), &(debit, credit)) in self.store.balances() {
            *out.entry(account).or_default() += debit - credit;
        }
        out.retain(|_, net| *net != 0);
        out
    }

    /// Debits − credits per account, summed from the posted entries' lines.
    fn lines_balance(&self) -> BTreeMap<Uuid, i64> {
        let mut out = BTreeMap::new();
        for e in self.posted() {
            for l in &e.lines {
                *out.entry(l.account_id).or_default() += l.debit - l.credit;
            }
        }
        out.retain(|_, net| *net != 0);
        out
    }

    /// What is wrong with the books, or nothing: every posted entry balances and equals its
    /// total; the maintained balances are the posted lines, day by day; posted entries are
    /// numbered 1..=N and drafts have no number; the chain (see [`Fixture::chain_problems`]) holds.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut by_day: BTreeMap<(Uuid, Date), (i64, i64)> = BTreeMap::new();
        for e in self.posted() {
            let debits: i64 = e.lines.iter().map(|l| l.debit).sum();
            let credits: i64 = e.lines.iter().map(|l| l.credit).sum();
            if debits != credits || debits != e.total {
                out.push(format!(
                    "entry {:?}: debits {debits}, credits {credits}, total {}",
                    e.number, e.total
                ));
            }
            for l in &e.lines {
                let t = by_day.entry((l.account_id, e.date)).or_default();
                t.0 += l.debit;
                t.1 += l.credit;
            }
        }
        by_day.retain(|_, t| *t != (0, 0));
        let mut kept = self.store.balances().clone();
        kept.retain(|_, t| *t != (0, 0));
        if kept != by_day {
            out.push(format!("balances {kept:?} are not the posted lines {by_day:?}"));
        }
        let mut numbers: Vec<i64> = self.posted().iter().filter_map(|e| e.number).collect();
        numbers.sort_unstable();
        let expected: Vec<i64> = (1..=i64::try_from(self.posted().len()).unwrap()).collect();
        if numbers != expected {
            out.push(format!("numbers {numbers:?}, expected 1..={}", expected.len()));
        }
        if self.store.counter("journal") != i64::try_from(expected.len()).unwrap() {
            out.push(format!("journal counter at {}", self.store.counter("journal")));
        }
        for e in self.store.entries().iter().filter(|e| e.status != EntryStatus::Posted) {
            if e.number.is_some() || e.chain_seq.is_some() {
                out.push(format!("{} entry {} is numbered or chained", e.status.as_str(), e.id));
            }
        }
        out.extend(self.chain_problems());
        out
    }

    /// The chain recomputed from what the books hold: links numbered 1.., each `prev_hash` the
    /// hash of the link before, each entry link's hash recomputed from the entry and each close
    /// link's from the period's audit record; every checkpoint signed with the key, one every
    /// `CHECKPOINT_EVERY` links and one at every close.
    fn chain_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let company = self.books.company_id;
        let mut closes = self
            .store
            .audit_trail()
            .iter()
            .filter(|a| a.object_type == "period")
            .map(|a| {
                let after = |field: &str| {
                    let (_, _, after) = a.changes.iter().find(|c| c.0 == field).unwrap();
                    (!after.is_empty()).then(|| after.parse::<Date>().unwrap())
                };
                chain::close_payload(after("lock_date"), after("hard_lock_date"), a.actor)
            });
        let mut prev = chain::GENESIS.to_owned();
        for (i, link) in self.store.links().iter().enumerate() {
            let seq = i64::try_from(i).unwrap() + 1;
            if link.seq != seq || link.prev_hash != prev {
                out.push(format!("link {seq}: seq {} prev {}", link.seq, link.prev_hash));
            }
            let payload = match link.kind {
                Kind::Close => closes.next().unwrap_or_default(),
                // The ledger's unit tests file no tax returns.
                Kind::TaxLock => {
                    out.push(format!("link {seq}: a tax lock"));
                    continue;
                }
                Kind::Post | Kind::Reverse => match self.store.entries().iter().find(|e| e.id == link.object_id) {
                    Some(e) if e.chain_seq == Some(seq) => chain::entry_payload(e),
                    _ => {
                        out.push(format!("link {seq}: its entry is missing or elsewhere in the chain"));
                        continue;
                    }
                },
            };
            let hash = chain::link_hash(company, link.seq, link.kind, link.object_id, &link.prev_hash, &payload);
            if hash != link.hash {
                out.push(format!("link {seq}: the hash does not recompute"));
            }
            prev.clone_from(&link.hash);
        }
        for e in self.posted() {
            if !self.store.links().iter().any(|l| l.object_id == e.id) {
                out.push(format!("entry {:?} is posted but not chained", e.number));
            }
        }
        let signed: Vec<i64> = self.store.checkpoints().iter().map(|(l, _, _)| l.seq).collect();
        for (link, signature, _) in self.store.checkpoints() {
            if !chain::signature_valid(KEY, company, link.seq, &link.hash, signature) {
                out.push(format!("checkpoint {}: the signature does not verify", link.seq));
            }
        }
        for link in self.store.links() {
            let due = link.seq % chain::CHECKPOINT_EVERY == 0 || link.kind == Kind::Close;
            let was_signed = signed.contains(&link.seq);
            if due != was_signed {
                out.push(format!("link {}: checkpoint due {due}, signed {was_signed}", link.seq));
            }
        }
        out
    }

    #[track_caller]
    fn assert_sound(&self) {
        let problems = self.problems();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

/// The field names of an `Invalid` refusal.
#[track_caller]
fn invalid_fields<T: std::fmt::Debug>(outcome: Outcome<T>) -> Vec<String> {
    match outcome {
        Err(LedgerError::Invalid(errors)) => errors.0.into_keys().collect(),
        other => panic!("expected an invalid entry, got {other:?}"),
    }
}

fn day(d: i8) -> Date {
    date(2026, 3, d)
}

/// The company whose books `books` are (UTC), as a `Ctx` names it.
pub(super) fn company_of(books: &Books) -> crate::domain::tenants::Company {
    crate::domain::tenants::Company {
        id: books.company_id,
        name: "Test Co".into(),
        tax_id: String::new(),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
        currency: books.currency.clone(),
        timezone: "UTC".into(),
        is_active: true,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        updated_at: jiff::Timestamp::UNIX_EPOCH,
    }
}

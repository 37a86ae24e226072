//! Properties of the ledger over random sequences of postings (new, or drafted then posted),
//! reversals, period closes and unbalanced entries: after every step the books are sound (see
//! `Fixture::problems`), the trial balance is the sum of the posted lines and sums to zero,
//! each operation succeeded or was refused exactly as a model of the lock date says, and a
//! refused operation changed nothing.

use proptest::prelude::*;
use proptest::sample::Index;

use super::*;
use crate::domain::money;

/// Entries are dated `FIRST + 0..DAYS`.
const FIRST: Date = date(2026, 1, 1);
const DAYS: i64 = 120;

#[derive(Debug, Clone)]
struct Spec {
    day: i64,
    /// (account, debit?, minor units); balanced.
    lines: Vec<(Index, bool, i64)>,
}

#[derive(Debug, Clone)]
enum Op {
    Post(Spec),
    DraftThenPost(Spec),
    Reverse {
        pick: Index,
        day: Option<i64>,
    },
    Close(i64),
    /// A balanced entry with one line's amount moved by a non-zero cent count.
    Unbalanced {
        spec: Spec,
        line: Index,
        by: i64,
    },
}

/// 1–3 debits and 1–3 credits; the lighter side gets one more line that balances the entry.
fn spec() -> impl Strategy<Value = Spec> {
    let side = |debit: bool| prop::collection::vec((any::<Index>(), Just(debit), 1i64..=5_000_000), 1..=3);
    (0..DAYS, side(true), side(false), any::<Index>()).prop_map(|(day, debits, credits, extra)| {
        let sum = |v: &[(Index, bool, i64)]| v.iter().map(|l| l.2).sum::<i64>();
        let gap = sum(&debits) - sum(&credits);
        let mut lines = [debits, credits].concat();
        if gap != 0 {
            lines.push((extra, gap < 0, gap.abs()));
        }
        Spec { day, lines }
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => spec().prop_map(Op::Post),
        2 => spec().prop_map(Op::DraftThenPost),
        3 => (any::<Index>(), prop::option::of(0..DAYS)).prop_map(|(pick, day)| Op::Reverse { pick, day }),
        1 => (0..DAYS / 2).prop_map(Op::Close),
        1 => (spec(), any::<Index>(), prop_oneof![-500i64..=-1, 1i64..=500])
            .prop_map(|(spec, line, by)| Op::Unbalanced { spec, line, by }),
    ]
}

impl Fixture {
    /// The accounts random entries post to: the company's active ones.
    fn pool(&self) -> [Uuid; 5] {
        [self.cash, self.bank, self.sales, self.rent, self.retained]
    }

    fn entry_of(&self, spec: &Spec) -> EntryInput {
        let pool = self.pool();
        let lines = spec
            .lines
            .iter()
            .map(|(account, debit, minor)| {
                let amount = money::format(*minor, 2);
                let account = *account.get(&pool);
                if *debit {
                    line(account, &amount, "")
                } else {
                    line(account, "", &amount)
                }
            })
            .collect();
        input(FIRST + jiff::Span::new().days(spec.day), lines)
    }
}

/// What the lock date says about posting on `day`.
fn open_on(closed_through: Option<Date>, day: Date) -> bool {
    closed_through.is_none_or(|c| day > c)
}

/// Runs one step and checks that it did what the model says; returns the lock date after it.
fn step(f: &mut Fixture, op: &Op, closed: Option<Date>) -> Result<Option<Date>, TestCaseError> {
    let before = f.snapshot();
    let date_of = |d: i64| FIRST + jiff::Span::new().days(d);
    match op {
        Op::Post(spec) | Op::DraftThenPost(spec) => {
            let entry = f.entry_of(spec);
            let day = entry.date.unwrap_or_default();
            let outcome = match op {
                Op::Post(_) => f.post_new(&entry),
                _ => {
                    let draft = f
                        .draft(&entry)
                        .map_err(|e| TestCaseError::fail(format!("draft: {e}")))?;
                    f.post(draft.id)
                }
            };
            match outcome {
                Ok(posted) => {
                    prop_assert!(open_on(closed, day), "posted on {day}, closed through {closed:?}");
                    let n = i64::try_from(f.posted().len()).unwrap_or(0);
                    prop_assert_eq!(posted.number, Some(n));
                }
                Err(LedgerError::PeriodClosed { .. }) => {
                    prop_assert!(!open_on(closed, day));
                    if matches!(op, Op::Post(_)) {
                        prop_assert_eq!(f.snapshot(), before);
                    }
                }
                Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
            }
        }
        Op::Reverse { pick, day } => {
            let posted: Vec<JournalEntry> = f.posted().into_iter().cloned().collect();
            if posted.is_empty() {
                return Ok(closed);
            }
            let original = pick.get(&posted);
            let on = day.map_or(original.date, date_of);
            match f.reverse(original.id, day.map(date_of)) {
                Ok(reversal) => {
                    prop_assert!(original.reversed_by_id.is_none());
                    prop_assert!(open_on(closed, on));
                    let mut net: BTreeMap<Uuid, i64> = BTreeMap::new();
                    for l in original.lines.iter().chain(&reversal.lines) {
                        *net.entry(l.account_id).or_default() += l.debit - l.credit;
                    }
                    prop_assert!(net.values().all(|v| *v == 0), "the reversal does not net: {net:?}");
                }
                Err(LedgerError::AlreadyReversed) => {
                    prop_assert!(original.reversed_by_id.is_some());
                    prop_assert_eq!(f.snapshot(), before);
                }
                Err(LedgerError::PeriodClosed { .. }) => {
                    prop_assert!(original.reversed_by_id.is_none() && !open_on(closed, on));
                    prop_assert_eq!(f.snapshot(), before);
                }
                Err(e) => return Err(TestCaseError::fail(format!("reverse refused: {e}"))),
            }
        }
        Op::Close(day) => {
            let day = date_of(*day);
            let settings = f
                .close(day, false)
                .map_err(|e| TestCaseError::fail(format!("close refused: {e}")))?;
            // With no hard close, a soft close sets the lock wherever it is asked to, back or forward.
            prop_assert_eq!(settings.closed_through(), Some(day));
            return Ok(Some(day));
        }
        Op::Unbalanced { spec, line, by } => {
            let mut spec = spec.clone();
            let i = line.index(spec.lines.len());
            // A line moved below one cent would be refused for other reasons; keep it positive.
            let moved = (spec.lines[i].2 + by).max(1);
            if moved == spec.lines[i].2 {
                return Ok(closed);
            }
            spec.lines[i].2 = moved;
            let entry = f.entry_of(&spec);
            prop_assert!(matches!(f.draft(&entry), Err(LedgerError::Invalid(_))));
            prop_assert!(matches!(f.post_new(&entry), Err(LedgerError::Invalid(_))));
            prop_assert_eq!(f.snapshot(), before);
        }
    }
    Ok(closed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any sequence keeps the books sound; the trial balance is the posted lines and nets to zero.
    #[test]
    fn random_postings_and_reversals_keep_the_books_sound(ops in prop::collection::vec(op(), 1..40)) {
        let mut f = Fixture::new();
        let mut closed = None;
        for (i, op) in ops.iter().enumerate() {
            closed = step(&mut f, op, closed)?;
            let problems = f.problems();
            prop_assert!(problems.is_empty(), "after step {}: {:#?}", i, problems);
            let trial = f.trial_balance();
            prop_assert_eq!(&trial, &f.lines_balance());
            prop_assert_eq!(trial.values().sum::<i64>(), 0);
            let (debits, credits) = f.store.balances().values().fold((0, 0), |(d, c), t| (d + t.0, c + t.1));
            prop_assert_eq!(debits, credits);
        }
    }

    /// Reversing everything that was posted, on its own date, brings every account back to zero.
    #[test]
    fn reversing_every_entry_empties_the_trial_balance(specs in prop::collection::vec(spec(), 1..20)) {
        let mut f = Fixture::new();
        for spec in &specs {
            f.post_new(&f.entry_of(spec)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        prop_assert_eq!(f.trial_balance(), f.lines_balance());
        let ids: Vec<Uuid> = f.posted().iter().map(|e| e.id).collect();
        for id in ids {
            f.reverse(id, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        prop_assert!(f.trial_balance().is_empty(), "{:?}", f.trial_balance());
        prop_assert!(f.store.balances().values().all(|(d, c)| d == c));
        prop_assert_eq!(f.posted().len(), specs.len() * 2);
        prop_assert!(f.problems().is_empty());
    }
}

//! The model kept beside the store (what the books must hold after each step) and the check of
//! the store's books against it and against their own invariants.

use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use uuid::Uuid;

use super::{Balances, count};
use crate::domain::ledger::chain::CHECKPOINT_EVERY;
use crate::params;
use crate::store::{StoreError, Tx, reports};

#[derive(Debug, Clone)]
pub(super) struct Posted {
    pub(super) id: Uuid,
    pub(super) date: Date,
    pub(super) reversed: bool,
    /// (account, debit, credit), minor units.
    pub(super) lines: Vec<(Uuid, i64, i64)>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Model {
    /// In number order: entry `n` is `entries[n - 1]`.
    pub(super) entries: Vec<Posted>,
    pub(super) lock: Option<Date>,
    pub(super) hard: Option<Date>,
    pub(super) chain: i64,
    pub(super) checkpoints: i64,
}

impl Model {
    pub(super) fn is_open(&self, d: Date) -> bool {
        let closed = match (self.lock, self.hard) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        closed.is_none_or(|c| d > c)
    }

    pub(super) fn link(&mut self, force_checkpoint: bool) {
        self.chain += 1;
        if force_checkpoint || self.chain % CHECKPOINT_EVERY == 0 {
            self.checkpoints += 1;
        }
    }

    /// (account, date) → (debit, credit) over every posted entry.
    pub(super) fn balances(&self) -> Balances {
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

    pub(super) fn total(&self) -> i64 {
        self.entries.iter().flat_map(|e| &e.lines).map(|l| l.1).sum()
    }
}

/// The invariants of the books, read in one transaction.
pub(super) fn check_books(tx: &mut Tx, company: Uuid, model: &Model) -> Result<(), TestCaseError> {
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
    let read = |rows: Vec<crate::store::Row>| -> Result<Balances, StoreError> {
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

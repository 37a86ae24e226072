//! One operation of a transaction run against the store and the model: the outcome the model
//! predicts is checked, the model updated, and a refused operation must leave the books as they
//! were.

use jiff::Span;
use jiff::civil::Date;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::generate::{Bad, EntrySpec, Op, spoil};
use super::model::{Model, Posted};
use super::{Fixture, day, fail, snapshot};
use crate::domain::ledger::{self, LedgerError, LedgerStore};
use crate::store::{StoreError, Tx};

/// Runs one operation in `tx`, checks the outcome the model predicts, and updates the model.
pub(super) fn apply(tx: &mut Tx, b: &Fixture, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
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

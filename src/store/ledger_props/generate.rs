//! What the ledger property generates: balanced entries of 2–6 lines, the operations of one
//! transaction (postings, reversals, closes, refused entries), bulk postings that succeed or
//! roll back; and how a valid entry is spoiled for each way of refusing it.

use jiff::civil::Date;
use proptest::prelude::*;
use proptest::sample::Index;
use uuid::Uuid;

use super::DAYS;
use crate::domain::ledger::EntryInput;
use crate::domain::money;

#[derive(Debug, Clone)]
pub(super) struct LineSpec {
    pub(super) account: Index,
    pub(super) debit: bool,
    pub(super) minor: i64,
    /// How the amount is written: 0 `"12.30"`, 1 `"12.3"`, 2 `"12.300"`.
    pub(super) style: u8,
}

#[derive(Debug, Clone)]
pub(super) struct EntrySpec {
    pub(super) day: u16,
    pub(super) lines: Vec<LineSpec>,
}

/// Ways to spoil a valid entry.
#[derive(Debug, Clone, Copy)]
pub(super) enum Bad {
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
pub(super) enum Op {
    Post(EntrySpec),
    Reverse { pick: Index, day: Option<u16> },
    Close { day: u16, hard: bool },
    Refused(EntrySpec, Bad),
}

#[derive(Debug, Clone)]
pub(super) enum Step {
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

pub(super) fn steps() -> impl Strategy<Value = Vec<Step>> {
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

/// A spoiled copy of a valid entry; the error it must get.
pub(super) fn spoil(mut input: EntryInput, bad: Bad, closed_date: Option<Date>) -> (EntryInput, &'static str) {
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

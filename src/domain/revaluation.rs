//! Period-end revaluation of what is kept in another currency: for each receivable, payable,
//! bank and cash account and each foreign currency on it, the balance in that currency at the
//! closing rate of the date against what the ledger carries in the company currency. The
//! difference is the unrealised exchange gain or loss: one entry on the date (each account's
//! difference against the exchange account) and its reversal dated the next day, so the next
//! period starts again from the rates the items were booked at. Both are linked in a run, one
//! per company and date, audited.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use uuid::Uuid;

use super::FieldErrors;
use super::documents::foreign::{self, exchange_account};
use super::documents::{DocDb, DocumentError, DocumentStore};
use super::exchange_rates::convert;
use super::ledger::{self, AuditRecord, Ctx, EntryInput, LineInput};
use super::money;

type Result<T, S> = std::result::Result<T, DocumentError<<S as super::ledger::LedgerStore>::Error>>;

/// What an account holds in one foreign currency on a date, as the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub account_id: Uuid,
    pub account_code: String,
    pub account_name: String,
    pub subtype: String,
    pub currency: String,
    /// Minor units of `currency`, a debit balance positive.
    pub foreign: i64,
    /// What the ledger carries for it in the company currency (minor units, debit positive).
    pub carried: i64,
}

/// One position revalued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revalued {
    pub position: Position,
    /// The closing rate (×10¹²).
    pub rate: i64,
    /// `foreign × rate`, rounded half away from zero once.
    pub revalued: i64,
    /// `revalued − carried`: a debit on the account when positive. Positive is a gain on an
    /// asset and on a liability alike (the asset grew, or the debt shrank).
    pub difference: i64,
}

/// What a run posts (or would post): every position and the net gain (positive) or loss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub date: Date,
    pub lines: Vec<Revalued>,
    pub total: i64,
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: Uuid,
    pub company_id: Uuid,
    pub date: Date,
    pub journal_entry_id: Uuid,
    pub reversal_entry_id: Uuid,
    pub total: i64,
    pub created_by: Uuid,
    pub created_at: Timestamp,
}

/// What revaluation needs from storage, on top of documents' (rates, the exchange account).
pub trait RevaluationStore: DocumentStore {
    /// Balances per account and foreign currency on `date` (posted lines dated on or before it),
    /// on the accounts of subtype receivable, payable, bank and cash.
    fn foreign_positions(&mut self, company: Uuid, date: Date) -> std::result::Result<Vec<Position>, Self::Error>;
    fn revaluation_on(&mut self, company: Uuid, date: Date) -> std::result::Result<Option<Run>, Self::Error>;
    fn insert_revaluation(&mut self, run: &Run) -> std::result::Result<(), Self::Error>;
}

/// The revaluation as of `date`: each position at the closing rate (the one given for its
/// currency, else the company's latest on or before the date; none is a 400 naming both).
pub fn plan<S: RevaluationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    date: Date,
    given: &BTreeMap<String, i64>,
) -> Result<Plan, S> {
    let company = ctx.books.company_id;
    // A currency settled in full (nothing held, nothing carried) has nothing to revalue.
    let mut positions = store.foreign_positions(company, date).db()?;
    positions.retain(|p| p.foreign != 0 || p.carried != 0);
    let mut rates: BTreeMap<String, i64> = BTreeMap::new();
    let mut errors = FieldErrors::default();
    for p in &positions {
        if rates.contains_key(&p.currency) {
            continue;
        }
        match foreign::rate_for(store, ctx, &p.currency, date, given.get(&p.currency).copied()) {
            Ok(Some(rate)) => {
                rates.insert(p.currency.clone(), rate);
            }
            Ok(None) => {}
            Err(DocumentError::Invalid(e)) => errors.merge(rename(e, &p.currency)),
            Err(e) => return Err(e),
        }
    }
    errors.into_result()?;
    let mut lines = Vec::with_capacity(positions.len());
    let mut total = 0i64;
    for position in positions {
        let Some(&rate) = rates.get(&position.currency) else {
            continue;
        };
        let revalued = convert::to_company(
            position.foreign,
            money::decimals(&position.currency),
            rate,
            ctx.books.decimals,
        )
        .map_err(|e| DocumentError::State(e.to_string()))?;
        let difference = revalued.checked_sub(position.carried).ok_or(DocumentError::Overflow)?;
        total = total.checked_add(difference).ok_or(DocumentError::Overflow)?;
        lines.push(Revalued {
            position,
            rate,
            revalued,
            difference,
        });
    }
    Ok(Plan { date, lines, total })
}

/// Runs the revaluation as of `date`: the entry on the date, its reversal the next day, the run
/// linking both and its audit row. A second run for the same date, or one with nothing to
/// post, is refused.
pub fn run<S: RevaluationStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    date: Date,
    given: &BTreeMap<String, i64>,
) -> Result<(Run, Plan), S> {
    let company = ctx.books.company_id;
    if store.revaluation_on(company, date).db()?.is_some() {
        return Err(FieldErrors::single("date", format!("The revaluation as of {date} has already been run.")).into());
    }
    let plan = plan(store, ctx, date, given)?;
    let moved: Vec<&Revalued> = plan.lines.iter().filter(|l| l.difference != 0).collect();
    if moved.is_empty() {
        return Err(FieldErrors::single(
            "date",
            format!("Nothing to revalue as of {date}: every foreign-currency balance is already at the closing rate."),
        )
        .into());
    }
    let next = date
        .checked_add(1.day())
        .map_err(|_| FieldErrors::single("date", "There is no day after this date."))?;
    let text = format!("Revaluation as of {date}");
    let mut lines: Vec<LineInput> = moved
        .iter()
        .map(|l| {
            foreign::line(
                l.position.account_id,
                &format!(
                    "{} {} at {}",
                    text,
                    l.position.currency,
                    super::exchange_rates::format_rate(l.rate)
                ),
                &l.position.currency,
                0,
                l.rate,
                l.difference,
            )
        })
        .collect();
    if plan.total != 0 {
        let fx = exchange_account(store, ctx)?;
        let gain_or_loss = if plan.total > 0 {
            "Unrealised exchange gain"
        } else {
            "Unrealised exchange loss"
        };
        lines.push(foreign::company_line(ctx, fx, gain_or_loss, -plan.total));
    }
    let entry = ledger::post_new(
        store,
        ctx,
        &EntryInput {
            date: Some(date),
            reference: format!("REVAL-{date}"),
            description: text,
            lines,
        },
    )?;
    let reversal = ledger::reverse(store, ctx, entry.id, Some(next))?;
    let run = Run {
        id: Uuid::now_v7(),
        company_id: company,
        date,
        journal_entry_id: entry.id,
        reversal_entry_id: reversal.id,
        total: plan.total,
        created_by: ctx.actor,
        created_at: ctx.now,
    };
    store.insert_revaluation(&run).db()?;
    store
        .audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action: "run",
            object_type: "revaluation",
            object_id: run.id,
            changes: vec![
                ("date".into(), String::new(), date.to_string()),
                (
                    "total".into(),
                    String::new(),
                    money::format(plan.total, ctx.books.decimals),
                ),
                ("journal_entry".into(), String::new(), entry.id.to_string()),
                ("reversal_entry".into(), String::new(), reversal.id.to_string()),
            ],
        })
        .db()?;
    Ok((run, plan))
}

/// A missing rate named under `rates.<CURRENCY>` as well as `exchange_rate`.
fn rename(e: FieldErrors, currency: &str) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (_, messages) in e.0 {
        for m in messages {
            out.add(&format!("rates.{currency}"), m);
        }
    }
    out
}

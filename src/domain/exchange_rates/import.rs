//! Importing rates from a file: the quotations a file holds (read by `formats::exchange_rates`),
//! turned into the company's direct rates, compared with what the company has ([`plan`]: the
//! preview), then written in one go ([`commit`]). Importing is an upsert by currency and date:
//! a rate the company has with the same value is left alone, so importing a file again adds
//! and changes nothing; a different value replaces the stored one.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use uuid::Uuid;

use super::convert::{ONE, cross};
use super::operations::{ExchangeRateError, ExchangeRateStore};
use super::{ExchangeRate, RateSource, currencies, format_rate};
use crate::domain::FieldErrors;
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;

/// What a file's numbers mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Units of the currency per one euro (the ECB's reference rates): the company's rates are
    /// cross rates through the euro, rounded half away from zero to 12 decimals.
    PerEuro,
    /// Units of the company currency per one unit of the currency: taken as they are.
    Direct,
}

/// One number of a file: its row, date, currency and value (× 10¹²).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub row: usize,
    pub date: Date,
    pub currency: String,
    pub rate: i64,
}

/// A file's quotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotes {
    pub basis: Basis,
    pub source: RateSource,
    pub quotes: Vec<Quote>,
}

/// What importing a rate does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    New,
    /// Replaces the stored value (given).
    Changed(i64),
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub row: usize,
    pub date: Date,
    pub currency: String,
    pub rate: i64,
    pub effect: Effect,
    /// The stored rate an update replaces.
    pub id: Option<Uuid>,
}

/// The preview of an import: every rate it holds, in file order, with what importing does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub rates: Vec<Planned>,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Dates of a per-euro file without a quotation of the company currency: nothing can be
    /// derived for them (for a USD company, a date on which the ECB published no USD).
    pub skipped_dates: Vec<Date>,
}

/// At most this many problems are listed in one answer.
const MAX_PROBLEMS: usize = 100;

/// The company's rates as the file gives them, checked: every currency known and not the
/// company's (a direct file) — the row and column named otherwise — and each currency and date
/// once. Nothing is written.
pub fn plan<S: ExchangeRateStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    quotes: &Quotes,
) -> Result<Plan, ExchangeRateError<S::Error>> {
    let company_currency = ctx.books.currency.as_str();
    let mut problems: Vec<String> = Vec::new();
    let mut derived: Vec<(usize, Date, String, i64)> = Vec::new();
    let mut skipped_dates = Vec::new();
    match quotes.basis {
        Basis::Direct => {
            for q in &quotes.quotes {
                if !currencies::is_known(&q.currency) {
                    problems.push(format!(
                        "row {}: currency: \"{}\" is not an ISO 4217 currency code.",
                        q.row, q.currency
                    ));
                } else if q.currency == company_currency {
                    problems.push(format!(
                        "row {}: currency: {} is the company currency: its rate is always 1.",
                        q.row, q.currency
                    ));
                } else {
                    derived.push((q.row, q.date, q.currency.clone(), q.rate));
                }
            }
        }
        Basis::PerEuro => {
            let mut by_date: BTreeMap<Date, Vec<&Quote>> = BTreeMap::new();
            for q in &quotes.quotes {
                if !currencies::is_known(&q.currency) {
                    problems.push(format!("row {}: {}: not an ISO 4217 currency code.", q.row, q.currency));
                }
                by_date.entry(q.date).or_default().push(q);
            }
            for (date, day) in by_date {
                let basis = if company_currency == "EUR" {
                    Some(ONE)
                } else {
                    day.iter().find(|q| q.currency == company_currency).map(|q| q.rate)
                };
                let Some(per_euro) = basis else {
                    skipped_dates.push(date);
                    continue;
                };
                let row = day.first().map_or(0, |q| q.row);
                if company_currency != "EUR" {
                    derived.push((row, date, "EUR".to_owned(), per_euro));
                }
                for q in day.iter().filter(|q| q.currency != company_currency) {
                    match cross(per_euro, q.rate) {
                        Ok(rate) => derived.push((q.row, date, q.currency.clone(), rate)),
                        Err(e) => problems.push(format!("row {}: {}: {e}", q.row, q.currency)),
                    }
                }
            }
        }
    }
    let mut seen: BTreeMap<(&str, Date), usize> = BTreeMap::new();
    for (row, date, currency, _) in &derived {
        if let Some(first) = seen.insert((currency.as_str(), *date), *row) {
            problems.push(format!("row {row}: {currency} on {date} is already on row {first}."));
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        let mut errors = FieldErrors::default();
        for p in problems.into_iter().take(MAX_PROBLEMS) {
            errors.add("file", p);
        }
        if total > MAX_PROBLEMS {
            errors.add("file", format!("… and {} more.", total - MAX_PROBLEMS));
        }
        return Err(ExchangeRateError::Invalid(errors));
    }
    let dates: BTreeSet<Date> = derived.iter().map(|d| d.1).collect();
    let stored: BTreeMap<(String, Date), (Uuid, i64)> = match (dates.first(), dates.last()) {
        (Some(&from), Some(&to)) => store
            .exchange_rates_between(ctx.books.company_id, from, to)
            .map_err(ExchangeRateError::Store)?
            .into_iter()
            .map(|r| ((r.currency, r.date), (r.id, r.rate)))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut plan = Plan {
        skipped_dates,
        ..Plan::default()
    };
    for (row, date, currency, rate) in derived {
        let (effect, id) = match stored.get(&(currency.clone(), date)) {
            None => (Effect::New, None),
            Some(&(id, old)) if old == rate => (Effect::Unchanged, Some(id)),
            Some(&(id, old)) => (Effect::Changed(old), Some(id)),
        };
        match effect {
            Effect::New => plan.new += 1,
            Effect::Changed(_) => plan.changed += 1,
            Effect::Unchanged => plan.unchanged += 1,
        }
        plan.rates.push(Planned {
            row,
            date,
            currency,
            rate,
            effect,
            id,
        });
    }
    Ok(plan)
}

/// Writes what [`plan`] found new or changed, in the caller's one transaction, with one row in
/// the audit trail for the whole import (its source, counts and dates).
pub fn commit<S: ExchangeRateStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    plan: &Plan,
    source: RateSource,
) -> Result<(), ExchangeRateError<S::Error>> {
    let now = ctx.now;
    let company = ctx.books.company_id;
    let new: Vec<ExchangeRate> = plan
        .rates
        .iter()
        .filter(|p| p.effect == Effect::New)
        .map(|p| ExchangeRate {
            id: Uuid::now_v7(),
            company_id: company,
            currency: p.currency.clone(),
            date: p.date,
            rate: p.rate,
            source,
            created_at: now,
            updated_at: now,
        })
        .collect();
    store.insert_exchange_rates(&new).map_err(ExchangeRateError::Store)?;
    for p in &plan.rates {
        if let (Effect::Changed(_), Some(id)) = (p.effect, p.id) {
            let rate = ExchangeRate {
                id,
                company_id: company,
                currency: p.currency.clone(),
                date: p.date,
                rate: p.rate,
                source,
                created_at: now,
                updated_at: now,
            };
            store.update_exchange_rate(&rate).map_err(ExchangeRateError::Store)?;
        }
    }
    if plan.new + plan.changed == 0 {
        return Ok(());
    }
    let first = plan.rates.iter().map(|p| p.date).min();
    let last = plan.rates.iter().map(|p| p.date).max();
    let fields: AuditFields = vec![
        ("source", source.as_str().to_owned()),
        ("new", plan.new.to_string()),
        ("changed", plan.changed.to_string()),
        ("unchanged", plan.unchanged.to_string()),
        ("from", first.map(|d| d.to_string()).unwrap_or_default()),
        ("to", last.map(|d| d.to_string()).unwrap_or_default()),
    ];
    let record = audit::changes(ctx, "import", ("exchange_rates", company), None, Some(&fields));
    store.append_audit(&record).map_err(ExchangeRateError::Store)
}

/// A planned rate as a preview line reads it: `"1.085"`.
pub fn shown(p: &Planned) -> (String, Option<String>) {
    let old = match p.effect {
        Effect::Changed(old) => Some(format_rate(old)),
        Effect::New | Effect::Unchanged => None,
    };
    (format_rate(p.rate), old)
}

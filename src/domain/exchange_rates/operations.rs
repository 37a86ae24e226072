//! What can be done to a company's exchange rates: find one, create or change it (with its row in
//! the audit trail), delete it, and look up the rate of a currency on a date.

use jiff::civil::Date;
use uuid::Uuid;

use super::{ExchangeRate, RateSource, check, format_rate, parse_date, parse_rate};
use crate::domain::audit::{self, AuditFields, AuditTrail};
use crate::domain::books::{Books, Ctx};
use crate::domain::references;
use crate::domain::{Change, FieldErrors, Kept};

/// What the exchange rates' operations need from storage (the store implements it for a
/// transaction).
pub trait ExchangeRateStore: AuditTrail {
    fn find_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<ExchangeRate>, Self::Error>;
    /// The id of the company's rate for this currency and date, other than `except`.
    fn exchange_rate_at(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
        except: Option<Uuid>,
    ) -> Result<Option<Uuid>, Self::Error>;
    /// The company's rate for `currency` of the latest date on or before `date`.
    fn latest_exchange_rate(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
    ) -> Result<Option<ExchangeRate>, Self::Error>;
    /// Every rate of the company dated `from`…`to` (both included).
    fn exchange_rates_between(&mut self, company: Uuid, from: Date, to: Date)
    -> Result<Vec<ExchangeRate>, Self::Error>;
    fn insert_exchange_rates(&mut self, rates: &[ExchangeRate]) -> Result<(), Self::Error>;
    fn update_exchange_rate(&mut self, rate: &ExchangeRate) -> Result<(), Self::Error>;
    fn delete_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<(), Self::Error>;
}

/// Why a rate could not be found, saved or used.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeRateError<E: std::error::Error + 'static> {
    #[error("invalid exchange rate: {0}")]
    Invalid(FieldErrors),
    #[error("no such exchange rate")]
    NotFound,
    /// Nothing to convert with: the company has no rate for the currency on or before the date.
    #[error("No {currency} exchange rate on or before {date}: enter one or import the rates.")]
    NoRate { currency: String, date: Date },
    #[error(transparent)]
    Store(E),
}

/// What a request sets; `None` leaves a field as it is. All three are text as the API writes
/// them: `currency` (`"USD"`), `date` (`"2026-01-05"`), `rate` (`"1.085"`).
#[derive(Debug, Clone, Default)]
pub struct ExchangeRateChanges {
    pub currency: Option<String>,
    pub date: Option<String>,
    pub rate: Option<String>,
}

impl<S: ExchangeRateStore> Kept<S> for ExchangeRate {
    type Changes = ExchangeRateChanges;
    type Error = ExchangeRateError<S::Error>;

    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<ExchangeRate, Self::Error> {
        store
            .find_exchange_rate(ctx.books.company_id, id)
            .map_err(ExchangeRateError::Store)?
            .ok_or(ExchangeRateError::NotFound)
    }

    /// Creates a rate (`current` = `None`) or changes one: a known currency other than the
    /// company's, a `YYYY-MM-DD` date, a positive rate with at most 12 decimals, one rate per
    /// currency and date. A rate saved by hand is `manual`, whatever it was imported as.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<ExchangeRate>,
        how: Change,
        changes: ExchangeRateChanges,
        mut errors: FieldErrors,
    ) -> Result<ExchangeRate, Self::Error> {
        references::require(
            &mut errors,
            how,
            &[
                ("currency", changes.currency.is_some()),
                ("date", changes.date.is_some()),
                ("rate", changes.rate.is_some()),
            ],
        );
        let base = current.as_ref();
        let company = ctx.books.company_id;
        let mut currency = base.map(|r| r.currency.clone()).unwrap_or_default();
        if let Some(v) = changes.currency {
            currency = v.trim().to_ascii_uppercase();
        }
        let mut date = base.map(|r| r.date);
        if let Some(text) = changes.date {
            match parse_date(&text) {
                Ok(d) => date = Some(d),
                Err(e) => errors.add("date", e),
            }
        }
        let mut rate = base.map_or(0, |r| r.rate);
        if let Some(text) = changes.rate {
            match parse_rate(&text) {
                Ok(r) => rate = r,
                Err(e) => errors.add("rate", e.to_string()),
            }
        }
        let taken = match date {
            Some(d) if !currency.is_empty() => store
                .exchange_rate_at(company, &currency, d, base.map(|r| r.id))
                .map_err(ExchangeRateError::Store)?
                .is_some(),
            _ => false,
        };
        if currency.is_empty() {
            if !errors.0.contains_key("currency") {
                errors.add("currency", "This field may not be blank.");
            }
        } else if let Some(d) = date {
            check(&currency, &ctx.books.currency, taken, d, &mut errors);
        }
        let Some(date) = date.filter(|_| errors.is_empty()) else {
            if errors.is_empty() {
                errors.add("date", "This field is required.");
            }
            return Err(ExchangeRateError::Invalid(errors));
        };
        let now = ctx.now;
        let saved = ExchangeRate {
            id: base.map_or_else(Uuid::now_v7, |r| r.id),
            company_id: company,
            currency,
            date,
            rate,
            source: RateSource::Manual,
            created_at: base.map_or(now, |r| r.created_at),
            updated_at: now,
        };
        match base {
            Some(_) => store.update_exchange_rate(&saved),
            None => store.insert_exchange_rates(std::slice::from_ref(&saved)),
        }
        .map_err(ExchangeRateError::Store)?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("exchange_rate", saved.id),
            before.as_ref(),
            Some(&audit_fields(&saved)),
        );
        store.append_audit(&record).map_err(ExchangeRateError::Store)?;
        Ok(saved)
    }
}

/// Deletes a rate, with its row in the audit trail. Nothing refers to a rate: an entry or a
/// document keeps the rate it was converted at.
pub fn delete<S: ExchangeRateStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    rate: ExchangeRate,
) -> Result<(), ExchangeRateError<S::Error>> {
    store
        .delete_exchange_rate(ctx.books.company_id, rate.id)
        .map_err(ExchangeRateError::Store)?;
    let record = audit::changes(
        ctx,
        "delete",
        ("exchange_rate", rate.id),
        Some(&audit_fields(&rate)),
        None,
    );
    store.append_audit(&record).map_err(ExchangeRateError::Store)
}

/// The rate a conversion on a date uses, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateOn {
    pub currency: String,
    /// Units of the company currency per unit of `currency`, × 10¹².
    pub rate: i64,
    /// The date of the rate used: the latest on or before the date asked for.
    pub rate_date: Date,
    /// The stored rate; `None` for the company currency itself (always 1).
    pub id: Option<Uuid>,
    pub source: Option<RateSource>,
}

/// The rate of `currency` on `date` in the books' company: the company's rate of the latest date
/// on or before `date`, or exactly 1 for the company currency. None: [`ExchangeRateError::NoRate`].
pub fn rate_on<S: ExchangeRateStore>(
    store: &mut S,
    books: &Books,
    currency: &str,
    date: Date,
) -> Result<RateOn, ExchangeRateError<S::Error>> {
    if currency == books.currency {
        return Ok(RateOn {
            currency: currency.to_owned(),
            rate: super::ONE,
            rate_date: date,
            id: None,
            source: None,
        });
    }
    let found = store
        .latest_exchange_rate(books.company_id, currency, date)
        .map_err(ExchangeRateError::Store)?;
    match found {
        Some(r) => Ok(RateOn {
            currency: r.currency,
            rate: r.rate,
            rate_date: r.date,
            id: Some(r.id),
            source: Some(r.source),
        }),
        None => Err(ExchangeRateError::NoRate {
            currency: currency.to_owned(),
            date,
        }),
    }
}

/// How the audit trail reads a rate.
pub(super) fn audit_fields(r: &ExchangeRate) -> AuditFields {
    vec![
        ("currency", r.currency.clone()),
        ("date", r.date.to_string()),
        ("rate", format_rate(r.rate)),
        ("source", r.source.as_str().to_owned()),
    ]
}

//! The exchange rates' use cases over an in-memory store: saving by hand, the rate on a date, and
//! imports — a proptest that importing the same quotations again adds and changes nothing.

use std::convert::Infallible;

use jiff::civil::{Date, date};
use proptest::prelude::*;
use uuid::Uuid;

use super::import::{self, Basis, Quote, Quotes};
use super::{ExchangeRate, ExchangeRateChanges, ExchangeRateError, ExchangeRateStore, ONE, RateSource, rate_on};
use crate::domain::audit::AuditTrail;
use crate::domain::books::AuditRecord;
use crate::domain::memory::{company, ctx};
use crate::domain::{Change, FieldErrors, Kept};

#[derive(Default)]
struct Rates {
    rows: Vec<ExchangeRate>,
    audit: Vec<AuditRecord>,
}

impl AuditTrail for Rates {
    type Error = Infallible;

    fn append_audit(&mut self, record: &AuditRecord) -> Result<(), Infallible> {
        self.audit.push(record.clone());
        Ok(())
    }
}

impl ExchangeRateStore for Rates {
    fn find_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<ExchangeRate>, Infallible> {
        Ok(self
            .rows
            .iter()
            .find(|r| r.company_id == company && r.id == id)
            .cloned())
    }

    fn exchange_rate_at(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
        except: Option<Uuid>,
    ) -> Result<Option<Uuid>, Infallible> {
        Ok(self
            .rows
            .iter()
            .find(|r| r.company_id == company && r.currency == currency && r.date == date && Some(r.id) != except)
            .map(|r| r.id))
    }

    fn latest_exchange_rate(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
    ) -> Result<Option<ExchangeRate>, Infallible> {
        Ok(self
            .rows
            .iter()
            .filter(|r| r.company_id == company && r.currency == currency && r.date <= date)
            .max_by_key(|r| r.date)
            .cloned())
    }

    fn exchange_rates_between(&mut self, company: Uuid, from: Date, to: Date) -> Result<Vec<ExchangeRate>, Infallible> {
        Ok(self
            .rows
            .iter()
            .filter(|r| r.company_id == company && r.date >= from && r.date <= to)
            .cloned()
            .collect())
    }

    fn insert_exchange_rates(&mut self, rates: &[ExchangeRate]) -> Result<(), Infallible> {
        self.rows.extend_from_slice(rates);
        Ok(())
    }

    fn update_exchange_rate(&mut self, rate: &ExchangeRate) -> Result<(), Infallible> {
        for r in self.rows.iter_mut().filter(|r| r.id == rate.id) {
            *r = rate.clone();
        }
        Ok(())
    }

    fn delete_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<(), Infallible> {
        self.rows.retain(|r| !(r.company_id == company && r.id == id));
        Ok(())
    }
}

fn changes(currency: &str, day: &str, rate: &str) -> ExchangeRateChanges {
    ExchangeRateChanges {
        currency: Some(currency.into()),
        date: Some(day.into()),
        rate: Some(rate.into()),
    }
}

fn refused(e: ExchangeRateError<Infallible>) -> FieldErrors {
    match e {
        ExchangeRateError::Invalid(errors) => errors,
        other => panic!("expected field errors, got {other}"),
    }
}

#[test]
fn rates_saved_by_hand_and_the_rate_on_a_date() {
    let (company, books) = company("EUR");
    let ctx = ctx(&company, &books);
    let mut store = Rates::default();
    let save = |store: &mut Rates, c| ExchangeRate::save(store, &ctx, None, Change::Create, c, FieldErrors::default());
    let usd = save(&mut store, changes("usd", "2026-01-05", "0.92")).unwrap();
    assert_eq!(
        (usd.currency.as_str(), usd.rate, usd.source),
        ("USD", 920_000_000_000, RateSource::Manual)
    );
    save(&mut store, changes("USD", "2026-01-09", "0.93")).unwrap();
    let e = refused(save(&mut store, changes("USD", "2026-01-09", "0.94")).unwrap_err());
    assert_eq!(e.0["date"], ["The company already has a USD rate for 2026-01-09."]);
    let e = refused(save(&mut store, changes("EUR", "2026-01-10", "-1")).unwrap_err());
    assert_eq!(e.0.keys().collect::<Vec<_>>(), ["currency", "rate"]);
    let e = refused(save(&mut store, ExchangeRateChanges::default()).unwrap_err());
    assert_eq!(e.0.keys().collect::<Vec<_>>(), ["currency", "date", "rate"]);
    assert_eq!(store.rows.len(), 2, "nothing written when refused");
    assert_eq!(store.audit.len(), 2);

    let on = |store: &mut Rates, d| rate_on(store, &books, "USD", d);
    assert_eq!(on(&mut store, date(2026, 1, 8)).unwrap().rate, 920_000_000_000);
    assert_eq!(on(&mut store, date(2026, 1, 8)).unwrap().rate_date, date(2026, 1, 5));
    assert_eq!(on(&mut store, date(2027, 1, 1)).unwrap().rate, 930_000_000_000);
    assert!(matches!(
        on(&mut store, date(2026, 1, 4)),
        Err(ExchangeRateError::NoRate { .. })
    ));
    assert_eq!(rate_on(&mut store, &books, "EUR", date(2000, 1, 1)).unwrap().rate, ONE);
}

#[test]
fn an_ecb_file_gives_a_usd_company_cross_rates_and_skips_dates_without_usd() {
    let (company, books) = company("USD");
    let ctx = ctx(&company, &books);
    let mut store = Rates::default();
    let q = |row, d, c: &str, r| Quote {
        row,
        date: d,
        currency: c.into(),
        rate: r,
    };
    let quotes = Quotes {
        basis: Basis::PerEuro,
        source: RateSource::Ecb,
        quotes: vec![
            q(2, date(2024, 1, 5), "USD", 1_092_100_000_000),
            q(2, date(2024, 1, 5), "GBP", 860_300_000_000),
            q(3, date(2024, 1, 4), "GBP", 864_080_000_000),
        ],
    };
    let plan = import::plan(&mut store, &ctx, &quotes).unwrap();
    assert_eq!(plan.skipped_dates, [date(2024, 1, 4)]);
    let got: Vec<(&str, i64)> = plan.rates.iter().map(|p| (p.currency.as_str(), p.rate)).collect();
    assert_eq!(got, [("EUR", 1_092_100_000_000), ("GBP", 1_269_440_892_712)]);
}

fn direct_quotes() -> impl Strategy<Value = Vec<Quote>> {
    let currencies = prop::sample::select(vec!["USD", "GBP", "JPY", "CHF", "SEK"]);
    proptest::collection::btree_map((currencies, 0_i16..60), 1_i64..10_000_000_000_000, 0..40).prop_map(|m| {
        m.into_iter()
            .enumerate()
            .map(|(i, ((c, day), rate))| Quote {
                row: i + 2,
                date: date(2026, 1, 1)
                    .checked_add(jiff::Span::new().days(day))
                    .unwrap_or(date(2026, 1, 1)),
                currency: c.to_owned(),
                rate,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn importing_again_adds_and_changes_nothing(first in direct_quotes(), second in direct_quotes()) {
        let (company, books) = company("EUR");
        let ctx = ctx(&company, &books);
        let mut store = Rates::default();
        for quotes in [&first, &second] {
            let quotes = Quotes { basis: Basis::Direct, source: RateSource::Csv, quotes: quotes.clone() };
            let plan = import::plan(&mut store, &ctx, &quotes).unwrap();
            prop_assert_eq!(plan.new + plan.changed + plan.unchanged, quotes.quotes.len());
            import::commit(&mut store, &ctx, &plan, quotes.source).unwrap();
            let again = import::plan(&mut store, &ctx, &quotes).unwrap();
            prop_assert_eq!((again.new, again.changed, again.unchanged), (0, 0, quotes.quotes.len()));
            // What the file says is what the company has now.
            for q in &quotes.quotes {
                let on = rate_on(&mut store, &books, &q.currency, q.date).unwrap();
                prop_assert_eq!((on.rate, on.rate_date), (q.rate, q.date));
            }
        }
        // One row per currency and date, whatever was imported twice.
        let mut keys: Vec<(String, Date)> = store.rows.iter().map(|r| (r.currency.clone(), r.date)).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), n);
    }
}

//! Exchange rates, in the tenant database: one row per company, currency and date, the rate an
//! integer of 10⁻¹² (`rate_e12`), never a float or a decimal string.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::list::{FilterKind, ListError, ListRequest, ListSpec, Page, Paged, list};
use super::platform::{parse_ts, ts};
use super::sql::Value;
use super::{Row, StoreError, Tx};
use crate::domain::exchange_rates::{ExchangeRate, ExchangeRateStore, RateSource};
use crate::params;

const COLUMNS: &str = "id, company_id, currency, date, rate_e12, source, created_at, updated_at";
const WIDTH: usize = 8;

pub const LIST: ListSpec = ListSpec {
    columns: COLUMNS,
    from: "exchange_rates",
    filters: &[
        ("currency", "currency = ?", FilterKind::Text),
        ("source", "source = ?", FilterKind::Text),
        ("date", "date = ?", FilterKind::Date),
        ("date_from", "date >= ?", FilterKind::Date),
        ("date_to", "date <= ?", FilterKind::Date),
    ],
    search: &["currency"],
    ordering: &[
        ("date", "date"),
        ("currency", "currency"),
        ("rate", "rate_e12"),
        ("updated_at", "updated_at"),
    ],
    tie_breaker: "id",
    default_ordering: "-date",
};

pub fn from_row(r: &Row) -> Result<ExchangeRate, StoreError> {
    let source = r.text(5)?;
    Ok(ExchangeRate {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        currency: r.text(2)?,
        date: parse_date(&r.text(3)?)?,
        rate: r.int(4)?,
        source: RateSource::parse(&source)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown exchange rate source {source:?}")))?,
        created_at: parse_ts(&r.text(6)?)?,
        updated_at: parse_ts(&r.text(7)?)?,
    })
}

impl Paged for ExchangeRate {
    fn page(tx: &mut Tx, company: Uuid, request: &ListRequest) -> Result<Page<ExchangeRate>, ListError> {
        list(tx, &LIST, ("company_id = $1", vec![company.into()]), request, from_row)
    }
}

fn values(r: &ExchangeRate) -> [Value; WIDTH] {
    [
        r.id.into(),
        r.company_id.into(),
        r.currency.as_str().into(),
        r.date.to_string().into(),
        r.rate.into(),
        r.source.as_str().into(),
        ts(r.created_at).into(),
        ts(r.updated_at).into(),
    ]
}

impl ExchangeRateStore for Tx<'_> {
    fn find_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<Option<ExchangeRate>, StoreError> {
        self.query_opt(
            &format!("SELECT {COLUMNS} FROM exchange_rates WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    fn exchange_rate_at(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
        except: Option<Uuid>,
    ) -> Result<Option<Uuid>, StoreError> {
        self.query_opt(
            "SELECT id FROM exchange_rates WHERE company_id = $1 AND currency = $2 AND date = $3 AND id <> $4",
            params![company, currency, date.to_string(), except.unwrap_or_else(Uuid::nil)],
        )?
        .map(|r| r.uuid(0))
        .transpose()
    }

    fn latest_exchange_rate(
        &mut self,
        company: Uuid,
        currency: &str,
        date: Date,
    ) -> Result<Option<ExchangeRate>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {COLUMNS} FROM exchange_rates WHERE company_id = $1 AND currency = $2 AND date <= $3 \
                 ORDER BY date DESC LIMIT 1"
            ),
            params![company, currency, date.to_string()],
        )?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    fn exchange_rates_between(&mut self, company: Uuid, from: Date, to: Date) -> Result<Vec<ExchangeRate>, StoreError> {
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM exchange_rates WHERE company_id = $1 AND date >= $2 AND date <= $3 \
                 ORDER BY date, currency"
            ),
            params![company, from.to_string(), to.to_string()],
        )?
        .iter()
        .map(from_row)
        .collect()
    }

    fn insert_exchange_rates(&mut self, rates: &[ExchangeRate]) -> Result<(), StoreError> {
        if rates.is_empty() {
            return Ok(());
        }
        let all: Vec<Value> = rates.iter().flat_map(values).collect();
        self.insert_many(&format!("INSERT INTO exchange_rates ({COLUMNS})"), WIDTH, &all)
    }

    fn update_exchange_rate(&mut self, r: &ExchangeRate) -> Result<(), StoreError> {
        self.execute(
            "UPDATE exchange_rates SET currency = $3, date = $4, rate_e12 = $5, source = $6, updated_at = $7 \
             WHERE company_id = $1 AND id = $2",
            params![
                r.company_id,
                r.id,
                r.currency.as_str(),
                r.date.to_string(),
                r.rate,
                r.source.as_str(),
                ts(r.updated_at)
            ],
        )?;
        Ok(())
    }

    fn delete_exchange_rate(&mut self, company: Uuid, id: Uuid) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM exchange_rates WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?;
        Ok(())
    }
}

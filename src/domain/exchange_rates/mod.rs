//! Exchange rates per company: on a date, what one unit of another currency is worth in the
//! company currency. Entered by hand, imported from a file (the ECB's euro reference rates or a
//! plain `date,currency,rate` CSV) or fetched from a configured source; read by everything that
//! converts ("the rate of USD on 2026-03-31": [`operations::rate_on`]).
//!
//! **Quotation:** direct — units of the company currency per one unit of the other currency, the
//! direction of a journal line's `exchange_rate` (amount × rate = company amount). **Precision:**
//! an integer of 10⁻¹² ([`RATE_DECIMALS`]), never a float; the API writes it as a decimal string
//! without trailing zeros (`"0.9216589862"`). Rates derived from other quotations (the ECB's
//! units per euro) are rounded half away from zero to 12 decimals, once ([`convert`]).

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use uuid::Uuid;

pub mod convert;
pub mod currencies;
pub mod import;
mod operations;
#[cfg(test)]
mod tests;

pub use convert::{ONE, RATE_DECIMALS};
pub use operations::{ExchangeRateChanges, ExchangeRateError, ExchangeRateStore, RateOn, delete, rate_on};

use super::FieldErrors;
use super::money;

/// Where a rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    /// Entered or last changed by hand.
    Manual,
    /// A `date,currency,rate` CSV file.
    Csv,
    /// The ECB's euro reference rates CSV.
    Ecb,
    /// Fetched from the configured HTTP source.
    Http,
}

impl RateSource {
    pub const ALL: [RateSource; 4] = [RateSource::Manual, RateSource::Csv, RateSource::Ecb, RateSource::Http];

    pub fn as_str(self) -> &'static str {
        match self {
            RateSource::Manual => "manual",
            RateSource::Csv => "csv",
            RateSource::Ecb => "ecb",
            RateSource::Http => "http",
        }
    }

    pub fn parse(s: &str) -> Option<RateSource> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One rate: on `date`, one unit of `currency` is `rate` × 10⁻¹² units of the company currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRate {
    pub id: Uuid,
    pub company_id: Uuid,
    pub currency: String,
    pub date: Date,
    pub rate: i64,
    pub source: RateSource,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Why a rate's text was refused; the messages are the API's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("A valid number is required.")]
    NotANumber,
    #[error("Ensure that there are no more than 12 decimal places.")]
    TooManyDecimals,
    #[error("Ensure this value is greater than 0.")]
    NotPositive,
    #[error("Ensure this value is less than 9000000.")]
    TooLarge,
}

/// The largest rate kept: 9,000,000 units of the company currency per unit (a stored rate is an
/// `i64` of 10⁻¹²).
const MAX_RATE: i64 = 9_000_000 * ONE;

/// A rate as the API and the files write it (`"1.085"`, `"0.000058"`) → its integer of 10⁻¹²,
/// exactly: a 13th decimal is refused, never rounded; zero and negatives are refused.
pub fn parse_rate(text: &str) -> Result<i64, RateError> {
    let value = money::parse(text).map_err(|_| RateError::NotANumber)?;
    rate_from_decimal(value)
}

/// See [`parse_rate`].
pub fn rate_from_decimal(value: Decimal) -> Result<i64, RateError> {
    if value <= Decimal::ZERO {
        return Err(RateError::NotPositive);
    }
    if value.normalize().scale() > RATE_DECIMALS {
        return Err(RateError::TooManyDecimals);
    }
    let units = value
        .checked_mul(Decimal::from(ONE))
        .ok_or(RateError::TooLarge)?
        .trunc();
    match i64::try_from(units) {
        Ok(u) if u <= MAX_RATE => Ok(u),
        _ => Err(RateError::TooLarge),
    }
}

/// The rate as a decimal, without trailing zeros (`1_085_000_000_000` → `1.085`): what a journal
/// line's `exchange_rate` takes.
pub fn rate_decimal(rate: i64) -> Decimal {
    Decimal::new(rate, RATE_DECIMALS).normalize()
}

/// The rate as the API writes it: `"1.085"`, `"0.000058"`.
pub fn format_rate(rate: i64) -> String {
    rate_decimal(rate).to_string()
}

/// A currency code as sent, upper-cased, with its problem if it may not have a rate in a company
/// keeping its books in `company_currency`.
pub fn check_currency(code: &str, company_currency: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if !currencies::is_known(&code) {
        return Err(format!("\"{code}\" is not an ISO 4217 currency code."));
    }
    if code == company_currency {
        return Err(format!("{code} is the company currency: its rate is always 1."));
    }
    Ok(code)
}

/// A date as the API writes it (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    match t.parse::<Date>() {
        Ok(d) if t.len() == 10 => Ok(d),
        _ => Err("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.".to_owned()),
    }
}

/// The rules of a rate as the request gives it: a known currency other than the company's, a
/// date, a positive rate; `taken` when the company has another rate for that currency and date.
pub fn check(currency: &str, company_currency: &str, taken: bool, date: Date, errors: &mut FieldErrors) {
    if let Err(e) = check_currency(currency, company_currency) {
        errors.add("currency", e);
    }
    if taken {
        errors.add("date", format!("The company already has a {currency} rate for {date}."));
    }
}

#[cfg(test)]
mod rules_tests {
    use super::*;

    #[test]
    fn rates_convert_exactly() {
        assert_eq!(parse_rate("1"), Ok(ONE));
        assert_eq!(parse_rate("1.085"), Ok(1_085_000_000_000));
        assert_eq!(parse_rate(" 0.000000000001 "), Ok(1));
        assert_eq!(
            parse_rate("1.0850000000000"),
            Ok(1_085_000_000_000),
            "trailing zeros are not decimals"
        );
        assert_eq!(parse_rate("8999999.999999999999"), Ok(MAX_RATE - 1));
        assert_eq!(parse_rate("0.0000000000001"), Err(RateError::TooManyDecimals));
        assert_eq!(parse_rate("0"), Err(RateError::NotPositive));
        assert_eq!(parse_rate("-1.2"), Err(RateError::NotPositive));
        assert_eq!(parse_rate("9000001"), Err(RateError::TooLarge));
        assert_eq!(parse_rate("99999999999999999999999999"), Err(RateError::TooLarge));
        assert_eq!(parse_rate("1e3"), Err(RateError::NotANumber));
        assert_eq!(parse_rate("N/A"), Err(RateError::NotANumber));
        assert_eq!(parse_rate(""), Err(RateError::NotANumber));
        for rate in [1, 7, ONE, 1_085_000_000_000, 921_658_986_175, MAX_RATE] {
            assert_eq!(parse_rate(&format_rate(rate)), Ok(rate), "{rate}");
        }
        assert_eq!(format_rate(1_085_000_000_000), "1.085");
        assert_eq!(format_rate(ONE * 160), "160");
    }

    #[test]
    fn currencies_must_be_known_and_foreign() {
        assert_eq!(check_currency(" usd ", "EUR"), Ok("USD".to_owned()));
        assert!(check_currency("EUR", "EUR").unwrap_err().contains("company currency"));
        assert!(check_currency("XYZ", "EUR").unwrap_err().contains("ISO 4217"));
        assert_eq!(parse_date("2026-01-05"), Ok(jiff::civil::date(2026, 1, 5)));
        assert!(parse_date("2026-1-5").is_err());
        assert!(parse_date("05.01.2026").is_err());
        for s in RateSource::ALL {
            assert_eq!(RateSource::parse(s.as_str()), Some(s));
        }
    }
}

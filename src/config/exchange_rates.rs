//! `[exchange_rates]`: where `POST /api/accounting/exchange-rates/fetch/` fetches rates from.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Where `POST /api/accounting/exchange-rates/fetch/` fetches rates from. Unset (the default):
/// fetching is off and the server never reaches out, so it works air-gapped; rates are entered
/// or imported from files instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ExchangeRatesConfig {
    /// An `http://` or `https://` URL answering a rates CSV, such as the ECB's
    /// `https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip` unpacked somewhere you
    /// serve it, or the daily `eurofxref.csv`.
    pub source_url: Option<String>,
    /// `ecb` (the ECB's euro reference rates, the default) or `csv` (`date,currency,rate`).
    pub source_format: String,
    /// How long a fetch may take, in seconds.
    pub timeout_seconds: u64,
}

impl Default for ExchangeRatesConfig {
    fn default() -> Self {
        ExchangeRatesConfig {
            source_url: None,
            source_format: "ecb".into(),
            timeout_seconds: 30,
        }
    }
}

impl ExchangeRatesConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.source_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(
                "exchange_rates.source_url must start with http:// or https://".into(),
            ));
        }
        if !["ecb", "csv"].contains(&self.source_format.as_str()) {
            return Err(ConfigError::Invalid(
                "exchange_rates.source_format must be \"ecb\" or \"csv\"".into(),
            ));
        }
        if self.timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "exchange_rates.timeout_seconds must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "exchange_rates_tests.rs"]
mod tests;

//! `[exchange_rates]` as an operator writes it (here through `OASYS_EXCHANGE_RATES__*`
//! variables): a usable source is taken as given, and each setting that cannot work stops the
//! server at start with its name.

use std::collections::HashMap;

use crate::config::{Config, ConfigError, Flags};

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Config::load(&Flags::default(), &env)
}

#[test]
fn a_usable_source_is_taken_as_given() {
    let config = load(&[
        ("OASYS_EXCHANGE_RATES__SOURCE_URL", "https://rates.example/daily.csv"),
        ("OASYS_EXCHANGE_RATES__SOURCE_FORMAT", "csv"),
        ("OASYS_EXCHANGE_RATES__TIMEOUT_SECONDS", "3"),
    ])
    .unwrap();
    let rates = &config.exchange_rates;
    assert_eq!(rates.source_url.as_deref(), Some("https://rates.example/daily.csv"));
    assert_eq!(rates.source_format, "csv");
    assert_eq!(rates.timeout_seconds, 3);
    let off = load(&[]).unwrap();
    assert_eq!(
        off.exchange_rates.source_url, None,
        "fetching is off unless a source is set"
    );
    assert_eq!(off.exchange_rates.source_format, "ecb");
}

#[test]
fn settings_that_cannot_work_are_refused_by_name() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("OASYS_EXCHANGE_RATES__SOURCE_URL", "www.ecb.europa.eu/eurofxref.csv")],
            "exchange_rates.source_url must start with http:// or https://",
        ),
        (
            &[("OASYS_EXCHANGE_RATES__SOURCE_URL", "file:///srv/rates.csv")],
            "exchange_rates.source_url must start with http:// or https://",
        ),
        (
            &[("OASYS_EXCHANGE_RATES__SOURCE_FORMAT", "xml")],
            "exchange_rates.source_format must be \"ecb\" or \"csv\"",
        ),
        (
            &[("OASYS_EXCHANGE_RATES__TIMEOUT_SECONDS", "0")],
            "exchange_rates.timeout_seconds must be at least 1",
        ),
    ];
    for (env, message) in cases {
        match load(env) {
            Err(ConfigError::Invalid(got)) => assert_eq!(got, message, "{env:?}"),
            other => panic!("{env:?}: expected a refusal, got {other:?}"),
        }
    }
}

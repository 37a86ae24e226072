//! `[ai]` as an operator writes it (here through `OASYS_AI__*` variables): a usable endpoint is
//! taken as given, and each setting that cannot work stops the server at start with its name.

use std::collections::HashMap;

use crate::config::{Config, ConfigError, Flags};

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Config::load(&Flags::default(), &env)
}

#[test]
fn a_usable_endpoint_is_taken_as_given() {
    let config = load(&[
        ("OASYS_AI__URL", "http://127.0.0.1:11434"),
        ("OASYS_AI__MODEL", "llama3"),
        ("OASYS_AI__PRICE_IN_PER_1K", "150"),
        ("OASYS_AI__PRICE_OUT_PER_1K", "600"),
        ("OASYS_AI__TIMEOUT_SECS", "5"),
    ])
    .unwrap();
    assert_eq!(config.ai.url.as_deref(), Some("http://127.0.0.1:11434"));
    assert_eq!(config.ai.model, "llama3");
    assert_eq!((config.ai.price_in_per_1k, config.ai.price_out_per_1k), (150, 600));
    assert_eq!(config.ai.timeout_secs, 5);
    let off = load(&[]).unwrap();
    assert_eq!(off.ai.url, None, "off unless a url is set");
}

#[test]
fn settings_that_cannot_work_are_refused_by_name() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("OASYS_AI__URL", "api.openai.com")],
            "ai.url must start with http:// or https://",
        ),
        (
            &[("OASYS_AI__URL", "ftp://models.example")],
            "ai.url must start with http:// or https://",
        ),
        (
            &[("OASYS_AI__PRICE_IN_PER_1K", "-1")],
            "ai.price_in_per_1k and ai.price_out_per_1k must be at least 0",
        ),
        (
            &[("OASYS_AI__PRICE_OUT_PER_1K", "-600")],
            "ai.price_in_per_1k and ai.price_out_per_1k must be at least 0",
        ),
        (&[("OASYS_AI__TIMEOUT_SECS", "0")], "ai.timeout_secs must be at least 1"),
    ];
    for (env, message) in cases {
        match load(env) {
            Err(ConfigError::Invalid(got)) => assert_eq!(got, message, "{env:?}"),
            other => panic!("{env:?}: expected a refusal, got {other:?}"),
        }
    }
}

//! `[ai]`: the optional OpenAI-compatible endpoint capture may ask for help (off by default).

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The optional OpenAI-compatible endpoint (`POST {url}/v1/chat/completions`). Unset `url` (the
/// default): off, nothing is ever sent. Even when set, a firm's manager must switch it on
/// (`/api/capture/ai-settings/`) and its monthly limit caps the cost.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AiConfig {
    /// Base URL such as `https://api.openai.com` or `http://127.0.0.1:11434` (no `/v1`).
    pub url: Option<String>,
    /// The model name sent with each request.
    pub model: String,
    /// The bearer key (secret: masked by `oasys config show`).
    pub key: Option<String>,
    /// Cost of 1,000 prompt tokens in millionths of the price's currency unit (as `ai_calls`).
    pub price_in_per_1k: i64,
    /// Cost of 1,000 completion tokens in millionths of the price's currency unit.
    pub price_out_per_1k: i64,
    /// How long a call may take before the rule draft stands alone, in seconds.
    pub timeout_secs: u64,
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            url: None,
            model: "gpt-4o-mini".into(),
            key: None,
            price_in_per_1k: 0,
            price_out_per_1k: 0,
            timeout_secs: 20,
        }
    }
}

impl AiConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(
                "ai.url must start with http:// or https://".into(),
            ));
        }
        if self.price_in_per_1k < 0 || self.price_out_per_1k < 0 {
            return Err(ConfigError::Invalid(
                "ai.price_in_per_1k and ai.price_out_per_1k must be at least 0".into(),
            ));
        }
        if self.timeout_secs == 0 {
            return Err(ConfigError::Invalid("ai.timeout_secs must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "ai_tests.rs"]
mod tests;

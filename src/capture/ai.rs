//! The optional OpenAI-compatible endpoint (`[ai]` in the configuration): one chat completion
//! asking for a document's fields as JSON, sent **only the extracted text** (never the file's
//! bytes), within the configured timeout. The answer is untrusted: read at most
//! [`MAX_ANSWER_BYTES`], every value checked by `domain::capture::ai::merge`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::AiConfig;
use crate::domain::capture::ai::AiFields;

/// The most of an answer that is read.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// The most of a document's text that is sent (characters).
pub const MAX_TEXT_CHARS: usize = 20_000;

const SYSTEM: &str = "You read the text of a bill or receipt. Answer with one JSON object with these keys, \
each a string or null when the text does not say: vendor_name, tax_id, iban, date (YYYY-MM-DD), \
due_date (YYYY-MM-DD), number, currency (ISO 4217 code), net, tax, gross (amounts as decimals with a \
dot, no thousands separators). Answer nothing but the JSON object.";

/// What one call gave: the tokens the endpoint counted (0 when it did not say) and the fields,
/// or why there are none.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub fields: Result<AiFields, String>,
}

impl Outcome {
    pub fn failed(e: impl ToString) -> Self {
        Outcome {
            tokens_in: 0,
            tokens_out: 0,
            fields: Err(e.to_string()),
        }
    }

    /// The call's cost in millionths of the price's currency unit (rounded up per direction).
    pub fn cost_micros(&self, config: &AiConfig) -> i64 {
        let part = |tokens: i64, per_1k: i64| tokens.saturating_mul(per_1k).saturating_add(999) / 1000;
        part(self.tokens_in, config.price_in_per_1k).saturating_add(part(self.tokens_out, config.price_out_per_1k))
    }
}

/// The request body for `text` (cut to [`MAX_TEXT_CHARS`]).
pub fn request_body(config: &AiConfig, text: &str) -> Value {
    let cut: String = text.chars().take(MAX_TEXT_CHARS).collect();
    json!({
        "model": config.model,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": cut},
        ],
    })
}

/// Asks the endpoint for the fields of `text`; never fails, the outcome says what went wrong.
pub async fn extract(config: &AiConfig, text: &str) -> Outcome {
    let Some(base) = config.url.as_deref() else {
        return Outcome::failed("no [ai] url is configured");
    };
    crate::tls::install_provider();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(config.timeout_secs))
        .build()
    {
        Ok(c) => c,
        Err(e) => return Outcome::failed(e),
    };
    let url = format!("{}/v1/chat/completions", base.trim_end_matches('/'));
    let body = match serde_json::to_vec(&request_body(config, text)) {
        Ok(b) => b,
        Err(e) => return Outcome::failed(e),
    };
    let mut request = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(key) = &config.key {
        request = request.bearer_auth(key);
    }
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Outcome::failed(format!("the endpoint did not answer: {e}")),
    };
    if !response.status().is_success() {
        return Outcome::failed(format!("the endpoint answered {}", response.status()));
    }
    let mut answer = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if answer.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Outcome::failed("the answer is too large");
                }
                answer.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Outcome::failed(format!("the answer broke off: {e}")),
        }
    }
    parse_answer(&answer)
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: i64,
    #[serde(default)]
    completion_tokens: i64,
}

/// Reads a chat completion's answer: its `usage` and the JSON object in its first choice.
pub fn parse_answer(answer: &[u8]) -> Outcome {
    let completion: Completion = match serde_json::from_slice(answer) {
        Ok(c) => c,
        Err(e) => return Outcome::failed(format!("the answer is not a chat completion: {e}")),
    };
    let (tokens_in, tokens_out) = completion
        .usage
        .map_or((0, 0), |u| (u.prompt_tokens.max(0), u.completion_tokens.max(0)));
    let content = completion.choices.into_iter().next().and_then(|c| c.message.content);
    let fields = match content {
        None => Err("the answer has no content".to_string()),
        Some(content) => fields(&content),
    };
    Outcome {
        tokens_in,
        tokens_out,
        fields,
    }
}

fn fields(content: &str) -> Result<AiFields, String> {
    // Models sometimes wrap the object in a code fence: take the outermost braces.
    let start = content.find('{');
    let end = content.rfind('}');
    let object = match (start, end) {
        (Some(s), Some(e)) if s < e => &content[s..=e],
        _ => return Err("the answer's content is not a JSON object".into()),
    };
    let value: Value = serde_json::from_str(object).map_err(|e| format!("the answer's content is not JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the answer's content is not a JSON object".into());
    };
    let get = |key: &str| match map.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(AiFields {
        vendor_name: get("vendor_name"),
        tax_id: get("tax_id"),
        iban: get("iban"),
        date: get("date"),
        due_date: get("due_date"),
        number: get("number"),
        currency: get("currency"),
        net: get("net"),
        tax: get("tax"),
        gross: get("gross"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_gives_its_usage_and_fields() {
        let answer = br#"{"choices":[{"message":{"content":"```json\n{\"gross\": 119.5, \"number\": \"A-1\", \"tax\": {}}\n```"}}],"usage":{"prompt_tokens":1200,"completion_tokens":40}}"#;
        let o = parse_answer(answer);
        assert_eq!((o.tokens_in, o.tokens_out), (1200, 40));
        let f = o.fields.clone().unwrap_or_default();
        assert_eq!(f.gross.as_deref(), Some("119.5"));
        assert_eq!(f.number.as_deref(), Some("A-1"));
        assert_eq!(f.tax, None);
        let config = AiConfig {
            price_in_per_1k: 150,
            price_out_per_1k: 600,
            ..AiConfig::default()
        };
        assert_eq!(o.cost_micros(&config), 180 + 24);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_answer(b"<html>").fields.is_err());
        assert!(
            parse_answer(br#"{"choices":[{"message":{"content":"no idea"}}]}"#)
                .fields
                .is_err()
        );
        assert!(parse_answer(br#"{"choices":[]}"#).fields.is_err());
    }

    /// A fake endpoint on port 0: answers a canned completion and keeps the body it received.
    async fn fake(answer: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = seen.clone();
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    kept.lock().unwrap().extend_from_slice(&body);
                    answer
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}"), seen)
    }

    #[tokio::test]
    async fn the_endpoint_gets_only_the_text_and_its_answer_is_read() {
        let (url, seen) = fake(
            r#"{"choices":[{"message":{"content":"{\"gross\":\"10.00\"}"}}],"usage":{"prompt_tokens":10,"completion_tokens":2}}"#,
        )
        .await;
        let config = AiConfig {
            url: Some(url),
            key: Some("k".into()),
            ..AiConfig::default()
        };
        let o = extract(&config, "Invoice R-7 total 10,00 EUR").await;
        assert_eq!(o.fields.unwrap().gross.as_deref(), Some("10.00"));
        assert_eq!((o.tokens_in, o.tokens_out), (10, 2));
        let body: Value = serde_json::from_slice(&seen.lock().unwrap()).unwrap();
        assert_eq!(body["messages"][1]["content"], "Invoice R-7 total 10,00 EUR");
        assert_eq!(body["messages"].as_array().map(Vec::len), Some(2));
    }

    #[tokio::test]
    async fn an_endpoint_that_is_down_is_an_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let config = AiConfig {
            url: Some(format!("http://{addr}")),
            timeout_secs: 2,
            ..AiConfig::default()
        };
        let o = extract(&config, "text").await;
        assert!(o.fields.is_err());
        assert_eq!((o.tokens_in, o.tokens_out), (0, 0));
    }
}

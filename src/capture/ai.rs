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

/// What one call gave: the tokens the endpoint counted (0 when it did not say) and the answer
/// read from it (a document's fields, an account picked), or why there is none.
#[derive(Debug, Clone)]
pub struct Outcome<T = AiFields> {
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub answer: Result<T, String>,
}

impl<T> Outcome<T> {
    pub fn failed(e: impl ToString) -> Self {
        Outcome {
            tokens_in: 0,
            tokens_out: 0,
            answer: Err(e.to_string()),
        }
    }

    /// The same call with its content read by `read`.
    fn then<U>(self, read: impl FnOnce(T) -> Result<U, String>) -> Outcome<U> {
        Outcome {
            tokens_in: self.tokens_in,
            tokens_out: self.tokens_out,
            answer: self.answer.and_then(read),
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
    chat_body(config, SYSTEM, text.chars().take(MAX_TEXT_CHARS).collect())
}

fn chat_body(config: &AiConfig, system: &str, user: String) -> Value {
    json!({
        "model": config.model,
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
    })
}

/// Asks the endpoint for the fields of `text`; never fails, the outcome says what went wrong.
pub async fn extract(config: &AiConfig, text: &str) -> Outcome {
    chat(config, request_body(config, text)).await.then(|c| fields(&c))
}

/// One chat completion: the content of its first choice.
async fn chat(config: &AiConfig, body: Value) -> Outcome<String> {
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
    let body = match serde_json::to_vec(&body) {
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
    completion(&answer)
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
    completion(answer).then(|c| fields(&c))
}

/// Reads a chat completion: its `usage` and the content of its first choice.
fn completion(answer: &[u8]) -> Outcome<String> {
    let completion: Completion = match serde_json::from_slice(answer) {
        Ok(c) => c,
        Err(e) => return Outcome::failed(format!("the answer is not a chat completion: {e}")),
    };
    let (tokens_in, tokens_out) = completion
        .usage
        .map_or((0, 0), |u| (u.prompt_tokens.max(0), u.completion_tokens.max(0)));
    let content = completion.choices.into_iter().next().and_then(|c| c.message.content);
    Outcome {
        tokens_in,
        tokens_out,
        answer: content.ok_or_else(|| "the answer has no content".to_string()),
    }
}

/// The JSON object in a content (models sometimes wrap it in a code fence: the outermost braces).
fn object(content: &str) -> Result<serde_json::Map<String, Value>, String> {
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
    Ok(map)
}

fn fields(content: &str) -> Result<AiFields, String> {
    let map = object(content)?;
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

const SUGGEST: &str = "You assign a bank transaction or a document to one account of a chart of accounts. \
The user gives the chart (one account per line: code, a tab, name) and then the transaction. Answer with one JSON \
object: account_code (a code from the chart, exactly as written) and reason (one short sentence). Answer nothing \
but the JSON object.";

/// The most accounts of a chart that are sent.
pub const MAX_CHART_ACCOUNTS: usize = 400;

/// The account the endpoint picked, as it wrote it; checked against the chart by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub code: String,
    pub reason: String,
}

/// The request body asking for an account of `chart` (`(code, name)`) for `text`: the chart's
/// codes and names and the text, nothing else.
pub fn suggest_body(config: &AiConfig, text: &str, chart: &[(String, String)]) -> Value {
    let mut user = String::from("Chart of accounts:\n");
    for (code, name) in chart.iter().take(MAX_CHART_ACCOUNTS) {
        user.push_str(code);
        user.push('\t');
        user.push_str(name);
        user.push('\n');
    }
    user.push_str("\nTransaction:\n");
    user.extend(text.chars().take(MAX_TEXT_CHARS));
    chat_body(config, SUGGEST, user)
}

/// Asks the endpoint which account of `chart` `text` belongs to; never fails.
pub async fn suggest_account(config: &AiConfig, text: &str, chart: &[(String, String)]) -> Outcome<Pick> {
    chat(config, suggest_body(config, text, chart)).await.then(|c| pick(&c))
}

fn pick(content: &str) -> Result<Pick, String> {
    let map = object(content)?;
    let text = |key: &str| match map.get(key) {
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let code = text("account_code")
        .filter(|c| !c.is_empty())
        .ok_or("the answer names no account_code")?;
    let reason: String = text("reason").unwrap_or_default().chars().take(300).collect();
    Ok(Pick { code, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_gives_its_usage_and_fields() {
        let answer = br#"{"choices":[{"message":{"content":"```json\n{\"gross\": 119.5, \"number\": \"A-1\", \"tax\": {}}\n```"}}],"usage":{"prompt_tokens":1200,"completion_tokens":40}}"#;
        let o = parse_answer(answer);
        assert_eq!((o.tokens_in, o.tokens_out), (1200, 40));
        let f = o.answer.clone().unwrap_or_default();
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
        assert!(parse_answer(b"<html>").answer.is_err());
        assert!(
            parse_answer(br#"{"choices":[{"message":{"content":"no idea"}}]}"#)
                .answer
                .is_err()
        );
        assert!(parse_answer(br#"{"choices":[]}"#).answer.is_err());
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
        assert_eq!(o.answer.unwrap().gross.as_deref(), Some("10.00"));
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
        assert!(o.answer.is_err());
        assert_eq!((o.tokens_in, o.tokens_out), (0, 0));
    }

    #[tokio::test]
    async fn an_account_is_picked_from_the_chart_sent() {
        let (url, seen) = fake(
            r#"{"choices":[{"message":{"content":"{\"account_code\": 6400, \"reason\": \"Office rent\"}"}}],"usage":{"prompt_tokens":90,"completion_tokens":9}}"#,
        )
        .await;
        let config = AiConfig {
            url: Some(url),
            ..AiConfig::default()
        };
        let chart = vec![("6400".to_string(), "Rent".to_string())];
        let o = suggest_account(&config, "LANDLORD GMBH rent May", &chart).await;
        assert_eq!(
            o.answer,
            Ok(Pick {
                code: "6400".into(),
                reason: "Office rent".into()
            })
        );
        let body: Value = serde_json::from_slice(&seen.lock().unwrap()).unwrap();
        let user = body["messages"][1]["content"].as_str().unwrap();
        assert!(
            user.contains("6400\tRent") && user.ends_with("LANDLORD GMBH rent May"),
            "{user}"
        );
        assert!(pick("{\"reason\": \"x\"}").is_err());
    }
}

//! What the HTTP benchmarks share: the real server started in-process on a fresh data dir
//! (SQLite, or PostgreSQL with `OASYS_BENCH_DATABASE_URL`), a firm registered on it, and the
//! percentiles they print.
#![allow(clippy::unwrap_used)]
// Each benchmark uses some of these.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

/// A running server and the signed-in bench user. The data dir lives as long as this value.
pub struct Server {
    pub base: String,
    pub token: String,
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

/// Starts the server on an ephemeral port and registers a firm (`password` must pass the policy).
pub async fn start(password: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = oasys::config::Config {
        data_dir: Some(dir.path().to_path_buf()),
        jwt_secret: Some("bench-secret-bench-secret-bench-secret".into()),
        ..Default::default()
    };
    if let Ok(url) = std::env::var("OASYS_BENCH_DATABASE_URL") {
        config.database_url = Some(url);
        config.database_schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    }
    let backend = if config.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let mut app = tokio::task::spawn_blocking(move || oasys::App::open(config))
        .await
        .unwrap()
        .unwrap();
    // This bench binary is not `oasys`: text extractions run the built one.
    app.extract_worker = env!("CARGO_BIN_EXE_oasys").into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(oasys::serve(Arc::new(app), listener, std::future::pending()));
    let token = register(&base, password).await;
    Server {
        base,
        token,
        backend,
        _dir: dir,
    }
}

/// Registers the bench firm on the server at `base`; returns its administrator's access token.
pub async fn register(base: &str, password: &str) -> String {
    let reg: Value = http()
        .post(format!("{base}/api/auth/register/"))
        .json(&json!({ "email": "bench@example.com", "password": password, "first_name": "B", "last_name": "M", "firm_name": "Bench" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reg["tokens"]["access"].as_str().unwrap().to_owned()
}

/// The chart of accounts of the caller's default company, as its list answers it (one page).
pub async fn chart(base: &str, token: &str) -> Value {
    http()
        .get(format!("{base}/api/accounting/chart-of-accounts/?page_size=200"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The `k`-th two-line entry of the bulk benchmarks on `date`: a varying amount from one of five
/// debit accounts to one of five credit accounts.
pub fn two_line_entry(k: usize, date: jiff::civil::Date, debit: &[String], credit: &[String]) -> Value {
    let amount = format!("{}.{:02}", 1 + k % 997, k % 100);
    json!({
        "date": date.to_string(),
        "reference": format!("B{k}"),
        "description": "bench",
        "lines": [
            { "account": debit[k % 5], "debit_amount": amount },
            { "account": credit[k % 5], "credit_amount": amount },
        ]
    })
}

impl Server {
    /// The server's data dir (SQLite files), for benchmarks that read it directly.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

/// The journal lines a benchmark loads: `OASYS_BENCH_LINES`, or a million.
pub fn target_lines() -> usize {
    std::env::var("OASYS_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The id of the account with this code in a chart-of-accounts list answer.
pub fn account_id(chart: &Value, code: &str) -> String {
    chart["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == code)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The `p`-th percentile (0–1) of the samples, nearest rank.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// An HTTP client for the benchmarks, after rustls' ring provider is installed (reqwest has none
/// of its own here).
pub fn http() -> reqwest::Client {
    oasys::tls::install_provider();
    reqwest::Client::new()
}

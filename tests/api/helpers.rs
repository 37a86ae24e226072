//! The test harness: `TestApp::spawn(backend)` starts `oasys::serve` on 127.0.0.1:0 with a fresh
//! data dir (and, on PostgreSQL, a fresh platform schema), and offers small HTTP helpers.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use oasys::config::Config;

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// SQLite always; PostgreSQL too when `OASYS_TEST_DATABASE_URL` is set (CI sets it).
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        all.push(Backend::Postgres(url));
    }
    all
}

/// Runs an async test body once per backend, each on a freshly started server.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $body:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends() {
                let app = $crate::helpers::TestApp::spawn(&backend).await;
                $body(app).await;
            }
        }
    };
    ($name:ident, $body:path, $tweak:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::helpers::backends() {
                let app = $crate::helpers::TestApp::spawn_with(&backend, $tweak).await;
                $body(app).await;
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Kept so the data dir lives as long as the server.
    data_dir: tempfile::TempDir,
    pub backend: Backend,
    /// The PostgreSQL platform schema (unused on SQLite), for tests that run the binary on the
    /// same installation.
    pub platform_schema: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: &Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: Some(data_dir.path().to_path_buf()),
            jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
            ..Config::default()
        };
        config.auth.login_attempts_per_ip_per_minute = 100_000;
        if let Backend::Postgres(url) = backend {
            config.database_url = Some(url.clone());
            config.database_schema = format!("test_{}", uuid::Uuid::new_v4().simple());
            config.database_pool_size = 4;
        }
        tweak(&mut config);
        let platform_schema = config.database_schema.clone();
        let app = tokio::task::spawn_blocking(move || oasys::App::open(config))
            .await
            .unwrap()
            .unwrap();
        let state = Arc::new(app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&state);
        tokio::spawn(async move {
            oasys::serve(serving, listener, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            data_dir,
            backend: backend.clone(),
            platform_schema,
            shutdown: Some(tx),
        }
    }

    /// The data dir the harness made (a test may point the server elsewhere with `spawn_with`).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Response { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(reqwest::Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(reqwest::Method::POST, path, token, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(reqwest::Method::PATCH, path, token, Some(body), &[]).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login/",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers a new firm; returns (access token, refresh token, user JSON).
    pub async fn register(&self, email: &str, firm: &str) -> (String, String, Value) {
        let r = self
            .post(
                "/api/auth/register/",
                None,
                json!({ "email": email, "password": STRONG_PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "firm_name": firm }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "register: {}", r.body);
        (
            r.body["tokens"]["access"].as_str().unwrap().to_owned(),
            r.body["tokens"]["refresh"].as_str().unwrap().to_owned(),
            r.body["user"].clone(),
        )
    }

    /// Invites a user with a role into the caller's firm and signs them in; returns (access, user).
    pub async fn invite(&self, admin: &str, email: &str, role: &str) -> (String, Value) {
        let r = self
            .post(
                "/api/tenants/users/",
                Some(admin),
                json!({ "email": email, "role": role, "password": STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "invite: {}", r.body);
        let login = self.login(email, STRONG_PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "login: {}", login.body);
        (login.body["tokens"]["access"].as_str().unwrap().to_owned(), r.body)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The `oasys` binary with this config file and data dir, and nothing from the developer's own
/// environment (every `OASYS_*` variable removed); logs at `warn`.
pub fn oasys_command(config_file: &std::path::Path, data_dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_oasys"));
    for (key, _) in std::env::vars() {
        if key.starts_with("OASYS_") {
            cmd.env_remove(key);
        }
    }
    cmd.arg("--config")
        .arg(config_file)
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn");
    cmd
}

pub const STRONG_PASSWORD: &str = "violet-ledger-harbour-42";

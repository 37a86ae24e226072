//! The test harness: `TestApp::spawn(backend)` starts `oasys::serve` on 127.0.0.1:0 with a fresh
//! data dir (and, on PostgreSQL, a fresh platform schema); `oasys_command` runs the binary. The
//! requests, users and firms the tests make live in `fixtures`.

use std::sync::Arc;

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
        let mut app = tokio::task::spawn_blocking(move || oasys::App::open(config))
            .await
            .unwrap()
            .unwrap();
        // This test binary is not `oasys`: extractions run the built one.
        app.extract_worker = env!("CARGO_BIN_EXE_oasys").into();
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
            client: http(),
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
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Stops a child `oasys serve` as systemd would: SIGTERM, then up to 10 s to finish the requests
/// in flight and exit; SIGKILL only if it does not. An orderly exit is also what writes the
/// child's coverage profile in CI.
pub fn stop_gracefully(child: &mut std::process::Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the pid of a child this process spawned and has not reaped.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
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

/// Points a command of the binary at a PostgreSQL platform schema (a pool of two: the tests run
/// many binaries at once).
pub fn on_postgres(cmd: &mut std::process::Command, url: &str, schema: &str) {
    cmd.env("OASYS_DATABASE_URL", url)
        .env("OASYS_DATABASE_SCHEMA", schema)
        .env("OASYS_DATABASE_POOL_SIZE", "2");
}

/// What a run of the binary printed: stdout, then stderr.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// An HTTP client for the tests. reqwest is built without a TLS provider of its own (the
/// binary links only rustls' ring), so the process default is installed first, as the server does.
pub fn http() -> reqwest::Client {
    oasys::tls::install_provider();
    reqwest::Client::new()
}

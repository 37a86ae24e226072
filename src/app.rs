//! The one application state: configuration, store, token keys, login limiter. Built once at
//! start-up and shared by every request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::auth::callers::Callers;
use crate::auth::jwt::{self, Keys};
use crate::auth::ratelimit::{Limits, LoginLimiter};
use crate::auth::scope::{self, Caller};
use crate::auth::{AuthError, password};
use crate::config::{Config, ensure_private_dir};
use crate::domain::ledger::chain;
use crate::http::error::ApiError;
use crate::server::client::ClientAddrs;
use crate::store::{Store, StoreError, platform};

pub struct App {
    pub config: Config,
    pub store: Store,
    pub keys: Keys,
    pub limiter: LoginLimiter,
    /// Finds a request's client address (`server.trusted_proxies`).
    pub clients: ClientAddrs,
    /// Checked when a login names an unknown e-mail, so it costs the same as a real one.
    pub dummy_hash: String,
    /// Password hashes running at once (`auth.concurrent_password_hashes`, else one per core).
    /// More would not finish sooner, and each holds 19 MiB. Taken by [`App::hashing`].
    pub hashing: tokio::sync::Semaphore,
    /// Signs ledger chain checkpoints. Kept outside every tenant database.
    pub checkpoint_key: Vec<u8>,
    /// Request counters and timings for `/metrics` (kept only when `metrics.enabled`).
    pub metrics: crate::metrics::Metrics,
    /// Statement imports running in the background, and finished ones for a while, by firm
    /// (`http::banking::jobs`: why in memory).
    pub import_jobs: crate::http::banking::jobs::ImportJobs,
    /// Where documents' bytes are kept (`storage.url`: `<data dir>/files/` or S3).
    pub files: crate::files_storage::FileStorage,
    /// The text extraction queue's wake-up, called after an upload commits.
    pub extraction: crate::files_storage::Extraction,
    /// The program run as `extract-worker` for each extraction: this one (the test harness,
    /// which serves from a test binary, sets the built `oasys`).
    pub extract_worker: std::path::PathBuf,
    /// Signed-in users as recently read (`auth.caller_cache_seconds`), see [`App::caller`].
    callers: Callers,
}

pub type AppState = Arc<App>;

/// The shortest `jwt_secret` accepted: 256 bits, the size of HS256's key.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("signing secret: {0}")]
    Secret(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "this installation's checkpoints are signed with checkpoint key {recorded}, but this server holds key {ours} ({held_in}). \
         Servers sharing one database must share checkpoint_key: set checkpoint_key (OASYS_CHECKPOINT_KEY) to the value the \
         other servers use, or copy their <data_dir>/checkpoint_key here. Signing with another key would make `oasys verify` \
         fail every later checkpoint (docs/security.md, \"Several servers\")"
    )]
    ForeignCheckpointKey {
        recorded: String,
        ours: String,
        held_in: String,
    },
    #[error(transparent)]
    Storage(#[from] crate::files_storage::StorageError),
    #[error("the backup before migrating failed, so the data dir was left as it is: {0}")]
    Backup(#[from] crate::backup::BackupError),
}

impl App {
    /// Opens the store (migrating it) and loads or creates the signing secret. Blocking.
    pub fn open(config: Config) -> Result<App, StartError> {
        let data_dir = config.data_dir();
        ensure_private_dir(&data_dir).map_err(|source| StartError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        // An older data dir is backed up before this binary migrates it; no backup, no start.
        let before = crate::backup::before_upgrade(&config)?;
        let store = Store::open(&config.store())?;
        if let Some(summary) = before {
            crate::backup::record(&store, &summary, crate::backup::Reason::PreUpgrade)?;
        }
        crate::backup::upgrade_done(&store)?;
        let secret = match &config.jwt_secret {
            Some(s) if s.len() < MIN_SECRET_BYTES => {
                return Err(StartError::Secret(format!(
                    "jwt_secret is {} bytes; at least {MIN_SECRET_BYTES} are required (a short secret can be guessed offline from any token): \
                     set a long random one, e.g. the output of `openssl rand -hex 32`, or unset it to have one generated",
                    s.len()
                )));
            }
            Some(s) => s.clone(),
            None => load_or_create_secret(&data_dir.join("jwt_secret"))?,
        };
        let keys = Keys::new(
            secret.as_bytes(),
            config.auth.access_token_minutes.max(1) * 60,
            config.auth.refresh_token_days.max(1) * 86_400,
        );
        let checkpoint_key = installation_checkpoint_key(&config, &store)?;
        let limiter = LoginLimiter::new(Limits {
            free_failures: config.auth.login_failures_before_delay,
            max_delay: std::time::Duration::from_secs(config.auth.login_max_delay_seconds),
            per_ip_per_minute: config.auth.login_attempts_per_ip_per_minute,
        });
        let hashes = config
            .auth
            .concurrent_password_hashes
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get));
        let clients = ClientAddrs::new(&config.server)?;
        let callers = Callers::new(Duration::from_secs(config.auth.caller_cache_seconds));
        let files = crate::files_storage::FileStorage::open(&config)?;
        Ok(App {
            files,
            extraction: Default::default(),
            extract_worker: std::env::current_exe().unwrap_or_else(|_| std::path::PathBuf::from("oasys")),
            callers,
            clients,
            config,
            store,
            keys,
            limiter,
            dummy_hash: password::dummy_hash(),
            checkpoint_key,
            metrics: crate::metrics::Metrics::new(),
            import_jobs: Default::default(),
            hashing: tokio::sync::Semaphore::new(hashes.max(1)),
        })
    }

    /// Runs blocking work (every store call) off the async workers.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Like [`App::blocking`], for work that hashes or verifies a password: it waits (without
    /// holding a thread) for one of the `hashing` permits first, so a flood of sign-ins or
    /// registrations queues instead of taking 19 MiB each at once.
    pub async fn hashing<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(format!("password hashing closed: {e}")))?;
        self.blocking(f).await
    }

    /// The signed-in user behind verified token claims: as an earlier request read it, while
    /// no platform write has run since and within `auth.caller_cache_seconds` (no I/O, so an
    /// async worker may ask), else `None`.
    pub fn recent_caller(&self, claims: &jwt::Claims) -> Option<Caller> {
        self.callers.get(claims, self.store.platform_generation())
    }

    /// The signed-in user behind verified token claims, checked against the platform database
    /// (user active, same token version, firm active), or as recently checked
    /// ([`App::recent_caller`]). Blocking.
    pub fn caller(&self, claims: &jwt::Claims) -> Result<Caller, AuthError> {
        let generation = self.store.platform_generation();
        if let Some(caller) = self.callers.get(claims, generation) {
            return Ok(caller);
        }
        let loaded = Instant::now();
        let caller = self.store.platform_read(|tx| scope::caller(tx, claims))?;
        self.callers.put(&caller, generation, loaded);
        Ok(caller)
    }

    /// Whether no user exists yet, so the one-time setup is open.
    pub fn needs_setup(&self) -> Result<bool, StoreError> {
        Ok(self.store.platform_read(platform::count_users)? == 0)
    }
}

/// The key that signs ledger chain checkpoints: `checkpoint_key` from the configuration, else
/// `<data_dir>/checkpoint_key` (created on first start, mode 0600). It lives outside every
/// tenant database, so whoever rewrites a tenant's file cannot re-sign its chain.
pub fn checkpoint_key(config: &Config) -> Result<Vec<u8>, StartError> {
    match &config.checkpoint_key {
        Some(k) => Ok(k.as_bytes().to_vec()),
        None => Ok(load_or_create_secret(&config.data_dir().join("checkpoint_key"))?.into_bytes()),
    }
}

/// The platform setting holding the [`chain::key_id`] of the key this installation's
/// checkpoints are signed with.
pub const CHECKPOINT_KEY_ID: &str = "checkpoint_key_id";

/// The checkpoint key, checked against the key this installation signs with: the first server
/// or command to sign records its key's id in the platform database, and any other key is
/// refused before it signs anything. Several servers on one PostgreSQL database each generate a
/// key of their own unless `checkpoint_key` is shared; this is where that is caught.
pub fn installation_checkpoint_key(config: &Config, store: &Store) -> Result<Vec<u8>, StartError> {
    let key = checkpoint_key(config)?;
    let ours = chain::key_id(&key);
    let recorded = store.platform_write(|tx| platform::claim_setting(tx, CHECKPOINT_KEY_ID, &ours))?;
    if recorded != ours {
        let held_in = match &config.checkpoint_key {
            Some(_) => "checkpoint_key in the configuration".to_owned(),
            None => config.data_dir().join("checkpoint_key").display().to_string(),
        };
        return Err(StartError::ForeignCheckpointKey {
            recorded,
            ours,
            held_in,
        });
    }
    Ok(key)
}

/// Reads the secret kept in the data dir, or writes a new random one with mode 0600.
fn load_or_create_secret(path: &std::path::Path) -> Result<String, StartError> {
    let err = |e: std::io::Error| StartError::Secret(format!("{}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(s) if s.trim().len() >= MIN_SECRET_BYTES => return Ok(s.trim().to_owned()),
        Ok(_) => {
            return Err(StartError::Secret(format!(
                "{} is too short; delete it to make a new one",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let secret = jwt::random_secret().map_err(|e| StartError::Secret(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path).map_err(err)?;
    file.write_all(secret.as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)?;
    Ok(secret)
}

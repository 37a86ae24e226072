//! Configuration: built-in defaults < `oasys.toml` < `OASYS_*` environment < command-line flags.
//!
//! Nested keys use `__` in the environment: `OASYS_AUTH__ACCESS_TOKEN_MINUTES=30`. Lists are
//! comma-separated: `OASYS_CORS_ORIGINS=http://a,http://b`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::civil::Time;
use serde::{Deserialize, Serialize};

use crate::store::StoreConfig;

mod ai;
mod exchange_rates;
mod files;
mod limits;
mod smtp;
pub use ai::AiConfig;
pub use exchange_rates::ExchangeRatesConfig;
pub use files::{DocumentsConfig, StorageConfig};
pub use limits::{AuthConfig, ClientIpHeader, IpNet, ServerConfig, canonical};
pub use smtp::SmtpConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// Where the platform database, tenant files and the signing secret live.
    pub data_dir: Option<PathBuf>,
    /// `postgres://user:password@host/db` to use PostgreSQL instead of SQLite files.
    pub database_url: Option<String>,
    /// PostgreSQL schema holding the platform tables.
    pub database_schema: String,
    pub database_pool_size: u32,
    /// SQLite tenant databases kept open at once.
    pub tenant_cache_size: usize,
    /// Token signing secret; generated into the data dir when not set.
    pub jwt_secret: Option<String>,
    /// Key signing the ledger's chain checkpoints; generated into the data dir when not set.
    /// Several servers on one PostgreSQL must share it.
    pub checkpoint_key: Option<String>,
    /// Whether `POST /api/auth/register/` may create new firms.
    pub allow_registration: bool,
    /// Browser origins allowed to call the API from another origin.
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    /// The address users reach this server at, for links such as the setup link.
    pub public_url: Option<String>,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    pub auth: AuthConfig,
    pub server: ServerConfig,
    pub smtp: SmtpConfig,
    pub backup: BackupConfig,
    pub metrics: MetricsConfig,
    pub exchange_rates: ExchangeRatesConfig,
    pub storage: StorageConfig,
    pub documents: DocumentsConfig,
    pub ai: AiConfig,
}

/// Backups the server takes by itself, and where `oasys backup` puts its pre-upgrade backups.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupConfig {
    /// `hourly`, `daily HH:MM` (server local time) or `every N(m|h)`; unset: no scheduled backups.
    pub schedule: Option<String>,
    /// Where scheduled and pre-upgrade backups go (default: `<data dir>/backups`).
    pub dir: Option<PathBuf>,
    /// Scheduled backups kept (older ones are deleted; manual and pre-upgrade ones never are).
    pub keep: Option<usize>,
    /// A file holding the passphrase that encrypts scheduled backups. Kept out of this file.
    pub passphrase_file: Option<PathBuf>,
    /// For `dir = "s3://bucket/prefix"`: the store's URL (unset: AWS itself), region, keys
    /// (else the `AWS_*` environment), and whether plain `http://` is allowed.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_allow_http: bool,
}

impl BackupConfig {
    pub const DEFAULT_KEEP: usize = 14;

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(s) = &self.schedule {
            Schedule::parse(s).map_err(ConfigError::Invalid)?;
        }
        if let Some(dir) = self.dir.as_ref().and_then(|d| d.to_str())
            && let Some(Err(e)) = s3_bucket_and_prefix(dir)
        {
            return Err(ConfigError::Invalid(format!("backup.dir: {e}")));
        }
        if self.keep == Some(0) {
            return Err(ConfigError::Invalid("backup.keep must be at least 1".into()));
        }
        Ok(())
    }
}

/// When scheduled backups run: the value of `backup.schedule` (`backup::schedule` says when the
/// next run is due).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// `every 30m`, `every 6h`: at fixed intervals from midnight.
    Every(Duration),
    /// `hourly`: at minute 0.
    Hourly,
    /// `daily 02:30`: once a day at this local time of the server.
    Daily(Time),
}

impl Schedule {
    /// Parses `hourly`, `daily HH:MM` or `every N(m|h)`; the error says what is accepted.
    pub fn parse(s: &str) -> Result<Schedule, String> {
        let s = s.trim().to_ascii_lowercase();
        let bad = || {
            format!("backup.schedule = {s:?}: use \"hourly\", \"daily HH:MM\" or \"every N(m|h)\" (e.g. \"every 6h\")")
        };
        if s == "hourly" {
            return Ok(Schedule::Hourly);
        }
        if let Some(t) = s.strip_prefix("daily") {
            let t = t.trim();
            let t = if t.is_empty() { "00:00" } else { t };
            let (h, m) = t.split_once(':').ok_or_else(bad)?;
            let h: i8 = h.parse().map_err(|_| bad())?;
            let m: i8 = m.parse().map_err(|_| bad())?;
            return Time::new(h, m, 0, 0).map(Schedule::Daily).map_err(|_| bad());
        }
        if let Some(n) = s.strip_prefix("every") {
            let n = n.trim();
            let (num, unit) = n.split_at(n.find(|c: char| !c.is_ascii_digit()).unwrap_or(n.len()));
            let num: u64 = num.parse().map_err(|_| bad())?;
            let secs = match unit.trim() {
                "m" | "min" | "minutes" => num * 60,
                "h" | "hours" => num * 3600,
                _ => return Err(bad()),
            };
            if !(300..=7 * 86_400).contains(&secs) {
                return Err(format!(
                    "backup.schedule = {s:?}: the interval must be between 5 minutes and 7 days"
                ));
            }
            return Ok(Schedule::Every(Duration::from_secs(secs)));
        }
        Err(bad())
    }
}

/// `s3://bucket/prefix` as its bucket and prefix (no leading or trailing `/`; may be empty), `None`
/// for a local path: the syntax of `backup.dir` and `oasys backup` targets (`backup::remote`).
pub fn s3_bucket_and_prefix(text: &str) -> Option<Result<(&str, &str), String>> {
    let rest = text.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Some(Err(format!("{text:?} names no bucket: use s3://bucket/prefix")));
    }
    Some(Ok((bucket, prefix.trim_matches('/'))))
}

/// `GET /metrics` in the Prometheus text format. Off by default; when on, answered only to clients
/// on the loopback interface that came through no proxy, unless `allow_remote`: the figures
/// (routes, firm ids, counts) are for the operator, not for the firm's users.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Also answer other hosts and proxied requests (protect `/metrics` at the proxy or firewall).
    pub allow_remote: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8000".into(),
            data_dir: None,
            database_url: None,
            database_schema: "oasys_platform".into(),
            database_pool_size: 16,
            tenant_cache_size: 256,
            jwt_secret: None,
            checkpoint_key: None,
            allow_registration: true,
            cors_origins: vec!["http://localhost:3000".into(), "http://127.0.0.1:3000".into()],
            log_format: LogFormat::Human,
            public_url: None,
            body_limit_bytes: 2 * 1024 * 1024,
            auth: AuthConfig::default(),
            server: ServerConfig::default(),
            smtp: SmtpConfig::default(),
            backup: BackupConfig::default(),
            metrics: MetricsConfig::default(),
            exchange_rates: ExchangeRatesConfig::default(),
            storage: StorageConfig::default(),
            documents: DocumentsConfig::default(),
            ai: AiConfig::default(),
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration. `env` is the process environment (passed in so tests can
    /// control it).
    pub fn load(flags: &Flags, env: &HashMap<String, String>) -> Result<Config, ConfigError> {
        let invalid = |e: config::ConfigError| ConfigError::Invalid(e.to_string());
        let defaults = config::Config::try_from(&Config::default()).map_err(invalid)?;
        let mut builder = config::Config::builder().add_source(defaults);
        let explicit = flags
            .config_file
            .clone()
            .or_else(|| env.get("OASYS_CONFIG").map(PathBuf::from));
        let file = explicit.clone().or_else(default_config_file);
        if let Some(path) = &file {
            if explicit.is_some() && !path.exists() {
                return Err(ConfigError::File {
                    path: path.clone(),
                    message: "not found".into(),
                });
            }
            builder = builder.add_source(
                config::File::from(path.as_path())
                    .format(config::FileFormat::Toml)
                    .required(false),
            );
        }
        let oasys_env: HashMap<String, String> = env
            .iter()
            .filter(|(k, _)| k.starts_with("OASYS_") && k.as_str() != "OASYS_CONFIG" && !k.starts_with("OASYS_TEST_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("OASYS")
                .prefix_separator("_")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("cors_origins")
                .with_list_parse_key("server.trusted_proxies")
                .with_list_parse_key("server.allowed_hosts")
                .try_parsing(true)
                .source(Some(oasys_env)),
        );
        builder = builder
            .set_override_option("data_dir", flags.data_dir.as_ref().map(|p| p.display().to_string()))
            .map_err(invalid)?
            .set_override_option("listen", flags.listen.clone())
            .map_err(invalid)?
            .set_override_option(
                "log_format",
                flags
                    .log_format
                    .map(|f| if f == LogFormat::Json { "json" } else { "human" }),
            )
            .map_err(invalid)?;
        let built = builder.build().map_err(|e| match &file {
            Some(path) => ConfigError::File {
                path: path.clone(),
                message: e.to_string(),
            },
            None => ConfigError::Invalid(e.to_string()),
        })?;
        let mut config: Config = built.try_deserialize().map_err(invalid)?;
        if config.data_dir.is_none() {
            config.data_dir = env.get("STATE_DIRECTORY").map(PathBuf::from).or_else(default_data_dir);
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "listen = {:?} is not an address such as 127.0.0.1:8000",
                self.listen
            )));
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "database_url must start with postgres:// (leave it unset for SQLite)".into(),
            ));
        }
        if self.cors_origins.iter().any(|o| o == "*") {
            return Err(ConfigError::Invalid(
                "cors_origins may not contain \"*\"; list the origins".into(),
            ));
        }
        self.auth.validate()?;
        self.server.validate()?;
        self.smtp.validate()?;
        self.exchange_rates.validate()?;
        self.storage.validate()?;
        self.documents.validate()?;
        self.ai.validate()?;
        self.backup.validate()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| PathBuf::from("oasys-data"))
    }

    pub fn store(&self) -> StoreConfig {
        match &self.database_url {
            Some(url) => StoreConfig::Postgres {
                url: url.clone(),
                platform_schema: self.database_schema.clone(),
                pool_size: self.database_pool_size,
            },
            None => StoreConfig::Sqlite {
                data_dir: self.data_dir(),
                cache_size: self.tenant_cache_size,
            },
        }
    }

    /// The configuration as TOML with secrets masked, for `oasys config show`.
    pub fn to_masked_toml(&self) -> String {
        let mut shown = self.clone();
        if shown.jwt_secret.is_some() {
            shown.jwt_secret = Some("********".into());
        }
        if shown.checkpoint_key.is_some() {
            shown.checkpoint_key = Some("********".into());
        }
        shown.database_url = shown.database_url.as_deref().map(mask_url_password);
        shown.smtp.url = shown.smtp.url.as_deref().map(mask_url_password);
        if shown.backup.s3_secret_access_key.is_some() {
            shown.backup.s3_secret_access_key = Some("********".into());
        }
        if shown.ai.key.is_some() {
            shown.ai.key = Some("********".into());
        }
        if shown.storage.s3_secret_access_key.is_some() {
            shown.storage.s3_secret_access_key = Some("********".into());
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot show configuration: {e}\n"))
    }
}

pub fn mask_url_password(url: &str) -> String {
    // postgres://u@h/db?sslmode=require&password=secret → …&password=********
    let (url, query) = match url.split_once('?') {
        Some((base, q)) => {
            let masked: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=********"),
                    _ => kv.to_owned(),
                })
                .collect();
            (base, format!("?{}", masked.join("&")))
        }
        None => (url, String::new()),
    };
    format!("{}{query}", mask_userinfo(url))
}

fn mask_userinfo(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:********@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((creds, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match creds.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:********@{host}"),
        None => url.to_owned(),
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "oasys")
}

pub fn default_config_file() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("oasys.toml"))
}

fn default_data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// Creates the data dir with owner-only permissions.
pub fn ensure_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn file_then_environment_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("oasys.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9001\"\nallow_registration = false\ndata_dir = \"/from/file\"\n[auth]\naccess_token_minutes = 30\nrefresh_token_days = 2\n",
        )
        .unwrap();
        let flags = Flags {
            config_file: Some(file.clone()),
            ..Default::default()
        };

        let from_file = Config::load(&flags, &env(&[])).unwrap();
        assert_eq!(from_file.listen, "127.0.0.1:9001");
        assert!(!from_file.allow_registration);
        assert_eq!(from_file.auth.access_token_minutes, 30);
        assert_eq!(from_file.auth.login_failures_before_delay, 5, "defaults fill the rest");

        let vars = env(&[
            ("OASYS_LISTEN", "127.0.0.1:9002"),
            ("OASYS_AUTH__ACCESS_TOKEN_MINUTES", "45"),
            ("OASYS_CORS_ORIGINS", "http://a.test,http://b.test"),
            ("OASYS_DATA_DIR", "/from/env"),
        ]);
        let from_env = Config::load(&flags, &vars).unwrap();
        assert_eq!(from_env.listen, "127.0.0.1:9002");
        assert_eq!(from_env.auth.access_token_minutes, 45);
        assert_eq!(
            from_env.auth.refresh_token_days, 2,
            "file value kept where env is silent"
        );
        assert_eq!(from_env.cors_origins, vec!["http://a.test", "http://b.test"]);
        assert_eq!(from_env.data_dir, Some(PathBuf::from("/from/env")));

        let flags = Flags {
            listen: Some("127.0.0.1:9003".into()),
            data_dir: Some(PathBuf::from("/from/flag")),
            ..flags
        };
        let from_flags = Config::load(&flags, &vars).unwrap();
        assert_eq!(from_flags.listen, "127.0.0.1:9003");
        assert_eq!(from_flags.data_dir, Some(PathBuf::from("/from/flag")));
        assert_eq!(from_flags.auth.access_token_minutes, 45);
    }

    #[test]
    fn smtp_comes_from_the_file_then_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("oasys.toml");
        std::fs::write(
            &file,
            "[smtp]\nurl = \"smtps://books:pw@mail.example.com\"\nfrom = \"Books <books@example.com>\"\n",
        )
        .unwrap();
        let flags = Flags {
            config_file: Some(file),
            ..Default::default()
        };
        assert!(
            !Config::load(&Flags::default(), &env(&[])).unwrap().smtp.enabled(),
            "off by default"
        );
        let from_file = Config::load(&flags, &env(&[])).unwrap();
        assert_eq!(from_file.smtp.url.as_deref(), Some("smtps://books:pw@mail.example.com"));
        assert!(from_file.smtp.enabled());
        let vars = env(&[
            ("OASYS_SMTP__URL", "smtp://relay.internal:25"),
            ("OASYS_SMTP__FILE_DIR", "/var/spool/oasys"),
        ]);
        let from_env = Config::load(&flags, &vars).unwrap();
        assert_eq!(from_env.smtp.url.as_deref(), Some("smtp://relay.internal:25"));
        assert_eq!(from_env.smtp.file_dir, Some(PathBuf::from("/var/spool/oasys")));
        assert_eq!(
            from_env.smtp.from.as_deref(),
            Some("Books <books@example.com>"),
            "file value kept where env is silent"
        );
        let no_from = Config::load(&Flags::default(), &env(&[("OASYS_SMTP__URL", "smtp://relay:25")])).unwrap_err();
        assert!(no_from.to_string().contains("smtp.from"), "{no_from}");
        let bad_scheme = env(&[("OASYS_SMTP__URL", "http://relay"), ("OASYS_SMTP__FROM", "a@b.test")]);
        let err = Config::load(&Flags::default(), &bad_scheme).unwrap_err();
        assert!(err.to_string().contains("smtp.url"), "{err}");
        let bad_from = env(&[("OASYS_SMTP__URL", "smtp://relay"), ("OASYS_SMTP__FROM", "nobody")]);
        let err = Config::load(&Flags::default(), &bad_from).unwrap_err();
        assert!(err.to_string().contains("smtp.from"), "{err}");
        // The firm's hourly limit: 200 unless set, and never 0.
        assert_eq!(from_env.smtp.messages_per_firm_per_hour, 200);
        let limited = Config::load(&flags, &env(&[("OASYS_SMTP__MESSAGES_PER_FIRM_PER_HOUR", "50")])).unwrap();
        assert_eq!(limited.smtp.messages_per_firm_per_hour, 50);
        let err = Config::load(&flags, &env(&[("OASYS_SMTP__MESSAGES_PER_FIRM_PER_HOUR", "0")])).unwrap_err();
        assert!(err.to_string().contains("smtp.messages_per_firm_per_hour"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let flags = Flags {
            config_file: Some(PathBuf::from("/nonexistent/oasys.toml")),
            ..Default::default()
        };
        assert!(Config::load(&flags, &env(&[])).is_err());
        let flags = Flags::default();
        let err = Config::load(&flags, &env(&[("OASYS_LISTEN", "nowhere")])).unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
        let err = Config::load(&flags, &env(&[("OASYS_CORS_ORIGINS", "*")])).unwrap_err();
        assert!(err.to_string().contains("cors_origins"), "{err}");
    }

    #[test]
    fn metrics_are_off_until_enabled() {
        let defaults = Config::load(&Flags::default(), &env(&[])).unwrap();
        assert!(!defaults.metrics.enabled && !defaults.metrics.allow_remote);
        let on = Config::load(
            &Flags::default(),
            &env(&[
                ("OASYS_METRICS__ENABLED", "true"),
                ("OASYS_METRICS__ALLOW_REMOTE", "true"),
            ]),
        )
        .unwrap();
        assert!(on.metrics.enabled && on.metrics.allow_remote);
    }

    #[test]
    fn secrets_are_masked_when_shown() {
        let config = Config {
            jwt_secret: Some("topsecret".into()),
            database_url: Some("postgres://oasys:hunter2@db/oasys".into()),
            smtp: SmtpConfig {
                url: Some("smtps://books:mailpass42@mail.example.com:465".into()),
                from: Some("books@example.com".into()),
                ..SmtpConfig::default()
            },
            ai: AiConfig {
                key: Some("sk-aikey99".into()),
                ..AiConfig::default()
            },
            ..Config::default()
        };
        let shown = config.to_masked_toml();
        assert!(!shown.contains("sk-aikey99"), "{shown}");
        assert!(!shown.contains("topsecret") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://oasys:********@db/oasys"), "{shown}");
        assert!(!shown.contains("mailpass42"), "{shown}");
        assert!(shown.contains("smtps://books:********@mail.example.com:465"), "{shown}");
    }
}

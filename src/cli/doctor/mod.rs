//! `oasys doctor`: checks an installation before it is started or while it runs — the
//! configuration, the data dir and its secrets, free disk space, every database (opened without
//! migrating it), pending migrations, the listen port or the running server, and e-mail. Each
//! check prints `ok`, `warn` or `FAIL` and, when not ok, one line saying what to do. Exits
//! non-zero when any check fails. `--health` asks only the running server (container health
//! checks).

use std::collections::HashMap;
use std::fmt::Display;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::Args;

use crate::config::{self, Config, ConfigError, Flags};
use crate::store::inspect::{self, DbState};

mod keys;
mod net;
use net::{server, smtp};

const GIB: u64 = 1024 * 1024 * 1024;

/// `oasys doctor [--health] [--url URL]`.
#[derive(Debug, Args, Default)]
pub struct DoctorArgs {
    /// Only ask the running server whether it is healthy (`/api/health/`), e.g. as a container
    /// health check; exits non-zero unless it answers ok.
    #[arg(long)]
    pub health: bool,
    /// The server to ask, e.g. http://127.0.0.1:8000 (default: the `listen` address).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// The findings so far, printed as they come.
#[derive(Default)]
struct Report {
    failed: usize,
    warned: usize,
}

impl Report {
    fn ok(&mut self, check: &str, what: impl Display) {
        println!("ok    {check}: {what}");
    }

    fn warn(&mut self, check: &str, what: impl Display, fix: impl Display) {
        self.warned += 1;
        println!("warn  {check}: {what}\n      fix: {fix}");
    }

    fn fail(&mut self, check: &str, what: impl Display, fix: impl Display) {
        self.failed += 1;
        println!("FAIL  {check}: {what}\n      fix: {fix}");
    }
}

/// Runs the checks in order and prints each finding. `loaded` is the configuration, or why it
/// does not load (itself a failed check, after which nothing else can be judged).
pub fn run(
    loaded: Result<Config, ConfigError>,
    flags: &Flags,
    env: &HashMap<String, String>,
    args: &DoctorArgs,
) -> anyhow::Result<()> {
    let mut report = Report::default();
    let config = match loaded {
        Ok(config) => config,
        Err(e) => {
            report.fail(
                "config",
                &e,
                "correct the key named above (`oasys config show` prints what is in effect)",
            );
            bail!("the configuration does not load");
        }
    };
    if args.health {
        server(&mut report, &config, args.url.as_deref(), true);
    } else {
        check_config(&mut report, &config, flags, env);
        match &config.ai.url {
            None => report.ok("ai", "off (no [ai] url: nothing is sent anywhere)"),
            Some(url) => report.ok(
                "ai",
                format!(
                    "{} with model {} (firms switch it on and cap its monthly cost)",
                    url_host(url),
                    config.ai.model
                ),
            ),
        }
        let dir = config.data_dir();
        let owned = data_dir(&mut report, &dir);
        disk(&mut report, &dir);
        if owned || config.database_url.is_some() {
            databases(&mut report, &config);
        } else {
            // SQLite would create its -wal/-shm files as this user, and the server could then
            // no longer open its own databases.
            report.warn(
                "database",
                "not checked: the SQLite files belong to another user",
                "run doctor as the server's user (`sudo -u oasys oasys doctor`)",
            );
        }
        server(&mut report, &config, args.url.as_deref(), false);
        smtp(&mut report, &config.smtp);
        ocr(&mut report);
        println!("\n{} failed, {} warning(s)", report.failed, report.warned);
    }
    if report.failed > 0 {
        bail!("{} check(s) failed", report.failed);
    }
    Ok(())
}

/// OCR of images and scanned PDFs: `tesseract` (and `pdftoppm`) on `PATH`. Optional: without them
/// images end `unsupported` and everything else is read.
fn ocr(report: &mut Report) {
    let tools = crate::extract::Tools::detect();
    match (&tools.tesseract, &tools.pdftoppm) {
        (Some(_), Some(_)) => report.ok("ocr", tools.describe()),
        (Some(_), None) => report.warn("ocr", tools.describe(), "apt-get install poppler-utils"),
        (None, _) => report.warn(
            "ocr",
            "tesseract not found: uploaded images and scanned PDFs get no text (everything else is read)",
            "apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils (and tesseract-ocr-<lang> per language)",
        ),
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of an `http(s)://host[:port]/…` URL.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or(authority)
    }
}

fn check_config(report: &mut Report, config: &Config, flags: &Flags, env: &HashMap<String, String>) {
    let file = flags
        .config_file
        .clone()
        .or_else(|| env.get("OASYS_CONFIG").map(PathBuf::from))
        .or_else(|| config::default_config_file().filter(|p| p.exists()));
    match file {
        Some(path) => report.ok("config", format!("{} loads and is valid", path.display())),
        None => report.ok("config", "no file: defaults and OASYS_* environment, valid"),
    }
    if config.allow_registration {
        report.warn(
            "config",
            "allow_registration = true: anyone who reaches the server can create a firm",
            "set allow_registration = false unless open sign-up is intended (firms are then made by `oasys tenant create` or the setup link)",
        );
    }
    for origin in &config.cors_origins {
        if origin.starts_with("http://") && !is_loopback_host(url_host(origin)) {
            report.warn(
                "config",
                format!("cors_origins allows {origin}, a page served without TLS"),
                "list only https:// origins in cors_origins",
            );
        }
    }
    let listen: Option<SocketAddr> = config.listen.parse().ok();
    let https = config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    if let Some(addr) = listen {
        if addr.ip().is_unspecified() && config.public_url.is_none() {
            report.warn(
                "config",
                format!("listen = {addr} (every interface) and no public_url: printed links name the listen address"),
                "set public_url to the address users reach, e.g. public_url = \"https://books.example.com\"",
            );
        }
        if !addr.ip().is_loopback() && !https {
            report.warn(
                "config",
                format!("listen = {addr} accepts other machines, and public_url is not https://: passwords and tokens cross the network in clear"),
                "put a TLS reverse proxy in front (listen = \"127.0.0.1:8000\" behind it) and set public_url = \"https://…\"",
            );
        }
    }
    if config
        .jwt_secret
        .as_ref()
        .is_some_and(|s| s.len() < crate::app::MIN_SECRET_BYTES)
    {
        report.fail(
            "config",
            "jwt_secret is shorter than 32 bytes: the server refuses to start with it",
            "use 32 random characters or more (e.g. `openssl rand -hex 32`), or unset it to have one generated",
        );
    }
    if config.metrics.enabled && config.metrics.allow_remote {
        report.warn(
            "config",
            "metrics.allow_remote = true: /metrics answers any client, firm ids included",
            "block /metrics at the proxy or firewall, or set metrics.allow_remote = false and scrape from this host",
        );
    }
}

/// Checks the data dir; returns false when it belongs to another user.
fn data_dir(report: &mut Report, dir: &Path) -> bool {
    let check = "data dir";
    let shown = dir.display();
    let meta = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => m,
        Ok(_) => {
            report.fail(
                check,
                format!("{shown} is not a directory"),
                "point data_dir at a directory",
            );
            return true;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.warn(
                check,
                format!("{shown} does not exist yet"),
                format!("`oasys serve` creates it; or make it now: install -d -m 700 {shown}"),
            );
            return true;
        }
        Err(e) => {
            report.fail(
                check,
                format!("{shown}: {e}"),
                "check the path and the permissions of its parents",
            );
            return true;
        }
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mut clean = true;
    if meta.uid() != me {
        clean = false;
        report.fail(
            check,
            format!("{shown} belongs to uid {}, doctor runs as uid {me}", meta.uid()),
            format!("run doctor as the server's user (`sudo -u oasys oasys doctor`), or give it the dir: chown -R <user> {shown}"),
        );
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        clean = false;
        report.fail(
            check,
            format!("{shown} has mode {mode:04o}: other users can read the books"),
            format!("chmod 700 {shown}"),
        );
    }
    let probe = dir.join(format!(".oasys-doctor-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| f.write_all(b"probe"));
    let _ = std::fs::remove_file(&probe);
    if let Err(e) = written {
        clean = false;
        report.fail(
            check,
            format!("cannot write in {shown}: {e}"),
            format!("make it writable by its owner (chmod u+w {shown}) and check the disk is not mounted read-only"),
        );
    }
    for name in ["jwt_secret", "checkpoint_key"] {
        clean &= secret_file(report, &dir.join(name), me);
    }
    if clean {
        report.ok(check, format!("{shown}: yours, mode 0700, writable; secret files 0600"));
    }
    meta.uid() == me
}

/// A secret kept in the data dir: owner-only and long enough. Returns whether all was well.
fn secret_file(report: &mut Report, path: &Path, me: u32) -> bool {
    let shown = path.display();
    let Ok(meta) = std::fs::metadata(path) else {
        return true; // made on first start; a missing checkpoint key is judged with the firms
    };
    let mut clean = true;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        clean = false;
        report.fail(
            "data dir",
            format!("{shown} has mode {mode:04o}: a secret readable by others"),
            format!("chmod 600 {shown}"),
        );
    }
    if meta.uid() != me {
        clean = false;
        report.fail(
            "data dir",
            format!("{shown} belongs to uid {}, not to uid {me}", meta.uid()),
            format!("chown <server user> {shown}"),
        );
    }
    if std::fs::read_to_string(path).is_ok_and(|s| s.trim().len() < 32) {
        clean = false;
        report.fail(
            "data dir",
            format!("{shown} is shorter than 32 characters"),
            "restore it from the backup taken with this data dir (a new jwt_secret signs everyone out; a new checkpoint_key cannot check old checkpoints)",
        );
    }
    clean
}

/// Free space where the data dir is (or would be).
fn disk(report: &mut Report, dir: &Path) {
    // A relative data dir ends in the empty path, the working directory: the search ends at
    // `/` or `.`, which exist.
    let existing = dir
        .ancestors()
        .map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p })
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    // An existing path holds no NUL byte (were it to, the empty path fails statvfs below).
    let c_path = std::ffi::CString::new(existing.as_os_str().as_encoded_bytes()).unwrap_or_default();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` a plain struct statvfs fills.
    let (rc, stat) = unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        (libc::statvfs(c_path.as_ptr(), &raw mut stat), stat)
    };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        return report.warn("disk", format!("statvfs {}: {e}", existing.display()), "check data_dir");
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ by platform
    let (free, total) = (
        (stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64),
        (stat.f_blocks as u64).saturating_mul(stat.f_frsize as u64),
    );
    let gib = |b: u64| format!("{:.1} GiB", b as f64 / GIB as f64);
    let percent = if total == 0 {
        100.0
    } else {
        free as f64 * 100.0 / total as f64
    };
    let what = format!(
        "{} free of {} ({percent:.0} %) at {}",
        gib(free),
        gib(total),
        existing.display()
    );
    if free < GIB || percent < 10.0 {
        report.warn(
            "disk",
            what,
            "free some space or move data_dir: SQLite needs room for its WAL, migrations and backups",
        );
    } else {
        report.ok("disk", what);
    }
}

fn databases(report: &mut Report, config: &Config) {
    let check = "database";
    let (known_platform, known_tenant) = crate::store::migrations::latest_versions();
    let store = config.store();
    let postgres = config.database_url.is_some();
    let found = match inspect::inspect(&store) {
        Ok(found) => found,
        Err(e) => {
            let url = config
                .database_url
                .as_deref()
                .map_or_else(String::new, config::mask_url_password);
            return report.fail(
                check,
                format!("cannot reach {url}: {e}"),
                "check database_url, that PostgreSQL runs, and that it accepts this user from here (pg_hba.conf)",
            );
        }
    };
    let checked = if postgres { "reachable" } else { "quick_check ok" };
    match &found.platform {
        DbState::Missing => report.ok(check, "no platform database yet: the first `oasys serve` creates it"),
        DbState::Broken(problem) => report.fail(
            check,
            format!("platform database: {problem}"),
            "stop the server and restore the platform database from a backup",
        ),
        DbState::Ok { version } => version_check(report, "platform database", *version, known_platform, checked),
    }
    let mut healthy = 0;
    let mut pending = 0;
    for t in &found.tenants {
        let firm = format!("firm {} ({})", t.name, t.id);
        match &t.state {
            DbState::Ok { version } if *version == known_tenant => healthy += 1,
            DbState::Ok { version } if *version < known_tenant => pending += 1,
            DbState::Ok { version } => version_check(report, &firm, *version, known_tenant, checked),
            DbState::Missing => {}
            DbState::Broken(problem) => report.fail(
                check,
                format!("{firm}: {problem}"),
                format!(
                    "restore this firm's database from a backup, then run `oasys verify --tenant {}`",
                    t.id
                ),
            ),
        }
    }
    if healthy > 0 {
        report.ok(
            check,
            format!("{healthy} firm database(s): {checked}, schema v{known_tenant}"),
        );
    }
    if pending > 0 {
        report.warn(
            "migrations",
            format!("{pending} firm database(s) behind this binary's schema v{known_tenant}"),
            "back up, then run `oasys migrate` (the server also migrates each firm when it first opens it)",
        );
    }
    backups(report, config, found.last_backup.as_ref());
    documents(report, config);
    keys::check(report, config, &found);
    let key = config.data_dir().join("checkpoint_key");
    if found.tenants.iter().any(|t| t.signed_checkpoints) && config.checkpoint_key.is_none() && !key.exists() {
        report.fail(
            "data dir",
            format!("{} is missing while ledgers hold checkpoints signed with it: `oasys verify` cannot check them", key.display()),
            "restore checkpoint_key from the backup of this data dir before starting the server (it would make a new one)",
        );
    }
}

/// Where documents' bytes are kept (`storage.url`) and the limits on them. Reads nothing from
/// an S3 store (doctor stays offline); a local root that exists must be a directory.
fn documents(report: &mut Report, config: &Config) {
    let d = &config.documents;
    let limits = format!(
        "files up to {} MiB, {} MiB per firm",
        d.max_file_size >> 20,
        d.firm_quota >> 20
    );
    match config.storage.url.as_deref() {
        Some(url) if url.starts_with("s3://") => {
            let endpoint = config.storage.s3_endpoint.as_deref().unwrap_or("AWS");
            report.ok("documents", format!("stored in S3 {url} ({endpoint}); {limits}"));
        }
        other => {
            let root = other.map_or_else(
                || crate::files_storage::FileStorage::default_root(config),
                std::path::PathBuf::from,
            );
            if root.exists() && !root.is_dir() {
                report.fail(
                    "documents",
                    format!("{} is not a directory", root.display()),
                    "move the file away or set storage.url to a directory or s3://bucket/prefix",
                );
            } else {
                report.ok(
                    "documents",
                    format!("stored on local disk in {}; {limits}", root.display()),
                );
            }
        }
    }
}

/// Whether backups are scheduled, and how old the newest recorded one is.
fn backups(report: &mut Report, config: &Config, last: Option<&(String, String, String)>) {
    let check = "backups";
    match &config.backup.schedule {
        None => report.warn(
            check,
            "no scheduled backups",
            "set backup.schedule (e.g. \"daily 02:00\") and backup.dir, or run `oasys backup DIR` from cron",
        ),
        Some(schedule) => {
            let dir = config.backup.dir.as_ref().map_or_else(
                || config.data_dir().join("backups").display().to_string(),
                |d| d.display().to_string(),
            );
            report.ok(check, format!("scheduled {schedule:?} into {dir}"));
        }
    }
    let Some((finished, reason, path)) = last else {
        return report.warn(
            check,
            "no backup recorded yet",
            "run `oasys backup DIR` now, then `oasys verify ARCHIVE` on it",
        );
    };
    let age_hours = finished
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| jiff::Timestamp::now().duration_since(t).as_hours());
    match age_hours {
        Some(h) if h > 48 => report.warn(
            check,
            format!("the newest backup is {h} hours old ({reason}, {path})"),
            "check the server's log for failed scheduled backups, or run `oasys backup DIR`",
        ),
        _ => report.ok(check, format!("newest backup {finished} ({reason}): {path}")),
    }
}

fn version_check(report: &mut Report, what: &str, version: i64, known: i64, checked: &str) {
    if version < known {
        report.warn(
            "migrations",
            format!(
                "{what} is at schema v{version}, this binary has v{known}: {} pending",
                known - version
            ),
            "back up, then run `oasys migrate` (the server also migrates at start)",
        );
    } else if version > known {
        report.fail(
            "database",
            format!("{what} is at schema v{version}, newer than this binary's v{known}"),
            "run the newer oasys that wrote it (downgrades are not supported); restore a backup to go back",
        );
    } else {
        report.ok("database", format!("{what}: {checked}, schema v{version}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(url_host("https://books.example.com/x"), "books.example.com");
        assert_eq!(url_host("smtps://u:p@mail.example.com:465"), "mail.example.com");
        assert_eq!(url_host("http://[::1]:8000/"), "[::1]");
        assert!(is_loopback_host("[::1]") && is_loopback_host("127.0.0.1") && !is_loopback_host("10.0.0.1"));
    }
}

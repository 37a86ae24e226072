//! `oasys doctor`: checks an installation before it is started or while it runs — the
//! configuration, the data dir and its secrets, free disk space, every database (opened without
//! migrating it), pending migrations, the listen port or the running server, and e-mail. Each
//! check prints `ok`, `warn` or `FAIL` and, when not ok, one line saying what to do. Exits
//! non-zero when any check fails. `--health` asks only the running server (container health
//! checks).

use std::collections::HashMap;
use std::fmt::Display;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;
use clap::Args;

use crate::config::{self, Config, ConfigError, Flags, SmtpConfig};
use crate::store::inspect::{self, DbState};

const GIB: u64 = 1024 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

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
        println!("\n{} failed, {} warning(s)", report.failed, report.warned);
    }
    if report.failed > 0 {
        bail!("{} check(s) failed", report.failed);
    }
    Ok(())
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
    if config.jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
        report.warn(
            "config",
            "jwt_secret is shorter than 32 characters",
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
    let Some(existing) = dir.ancestors().find(|p| p.exists()) else {
        return report.warn(
            "disk",
            format!("no existing parent of {}", dir.display()),
            "check data_dir",
        );
    };
    let Ok(c_path) = std::ffi::CString::new(existing.as_os_str().as_encoded_bytes()) else {
        return report.warn(
            "disk",
            format!("{} cannot be measured", existing.display()),
            "check data_dir",
        );
    };
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
    let (known_platform, known_tenant) = inspect::known_versions();
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
    let key = config.data_dir().join("checkpoint_key");
    if found.tenants.iter().any(|t| t.signed_checkpoints) && config.checkpoint_key.is_none() && !key.exists() {
        report.fail(
            "data dir",
            format!("{} is missing while ledgers hold checkpoints signed with it: `oasys verify` cannot check them", key.display()),
            "restore checkpoint_key from the backup of this data dir before starting the server (it would make a new one)",
        );
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

/// Where to ask for `/api/health/`: (host:port to connect to and name in `Host`, path prefix).
fn target(config: &Config, url: Option<&str>) -> Result<(String, String), String> {
    match url {
        Some(url) => {
            let Some(rest) = url.strip_prefix("http://") else {
                return Err(format!(
                    "{url}: only http:// URLs can be asked; use the server's own listen address"
                ));
            };
            let (authority, prefix) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let authority = if authority.contains(':') && !authority.ends_with(']') {
                authority.to_owned()
            } else {
                format!("{authority}:80")
            };
            let prefix = prefix.trim_matches('/');
            let prefix = if prefix.is_empty() {
                String::new()
            } else {
                format!("/{prefix}")
            };
            Ok((authority, prefix))
        }
        None => {
            let addr: SocketAddr = config
                .listen
                .parse()
                .map_err(|_| format!("listen = {:?} is not an address", config.listen))?;
            let ip = match addr.ip() {
                IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
                IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
                ip => ip,
            };
            Ok((SocketAddr::new(ip, addr.port()).to_string(), String::new()))
        }
    }
}

/// The listen port is free, or an OASYS server answers on it; with `require`, only the latter.
fn server(report: &mut Report, config: &Config, url: Option<&str>, require: bool) {
    let check = "server";
    let (authority, prefix) = match target(config, url) {
        Ok(t) => t,
        Err(e) => return report.fail(check, e, "give --url http://HOST:PORT"),
    };
    if url.is_none() && !require {
        match TcpListener::bind(&config.listen) {
            Ok(listener) => {
                drop(listener);
                return report.ok(
                    check,
                    format!("{} is free: `oasys serve` can listen there", config.listen),
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {} // someone listens: ask them
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return report.fail(
                    check,
                    format!("cannot listen on {}: {e}", config.listen),
                    "use a port of 1024 or above behind a reverse proxy (ports below need CAP_NET_BIND_SERVICE)",
                );
            }
            Err(e) => {
                return report.fail(
                    check,
                    format!("cannot listen on {}: {e}", config.listen),
                    "set listen to an address of this machine, e.g. 127.0.0.1:8000",
                );
            }
        }
    }
    let health_url = format!("http://{authority}{prefix}/api/health/");
    match get(&authority, &format!("{prefix}/api/health/")) {
        Ok((200, body)) => {
            let health: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let version = health["version"].as_str().unwrap_or("?");
            let backend = health["database"]["backend"].as_str().unwrap_or("?");
            report.ok(
                check,
                format!("{health_url}: OASYS {version} answers, {backend} reachable"),
            );
            if !require && version != env!("CARGO_PKG_VERSION") {
                report.warn(
                    check,
                    format!(
                        "the server runs {version}, this binary is {}",
                        env!("CARGO_PKG_VERSION")
                    ),
                    "restart the server to run the installed version (systemctl restart oasys)",
                );
            }
        }
        Ok((503, _)) => report.fail(
            check,
            format!("{health_url}: the server answers, its database does not"),
            "see the database lines above and the server's log (journalctl -u oasys)",
        ),
        Ok((status, _)) => report.fail(
            check,
            format!("{health_url} answered {status}: another program holds this address"),
            "stop it, or set listen (and --url) to the address OASYS serves on",
        ),
        Err(e) => report.fail(
            check,
            format!("{health_url}: {e}"),
            if require {
                "start the server (systemctl start oasys) and see its log"
            } else {
                "the port is taken but nothing answers HTTP there: stop that program or change listen"
            },
        ),
    }
}

/// A minimal HTTP/1.1 GET (the binary carries no HTTP client): (status, body).
fn get(authority: &str, path: &str) -> Result<(u16, String), String> {
    let addrs: Vec<SocketAddr> = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .collect();
    let mut last = format!("{authority} resolves to no address");
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("no answer: {e}"),
        }
    }
    let mut stream = stream.ok_or(last)?;
    let io = |e: std::io::Error| format!("no answer: {e}");
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: oasys-doctor\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    stream.take(1024 * 1024).read_to_end(&mut raw).map_err(io)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("not an HTTP answer")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| head.starts_with("HTTP/"))
        .ok_or("not an HTTP answer")?;
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
    Ok((status, if chunked { dechunk(body) } else { body.to_owned() }))
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

fn smtp(report: &mut Report, smtp: &SmtpConfig) {
    let check = "smtp";
    if !smtp.enabled() {
        return report.ok(
            check,
            "off: documents are not e-mailed (set smtp.url and smtp.from to send them)",
        );
    }
    let from = smtp.from.as_deref().unwrap_or("");
    if let Some(dir) = &smtp.file_dir {
        report.warn(
            check,
            format!(
                "smtp.file_dir = {}: messages are written there as .eml files, not sent",
                dir.display()
            ),
            "unset smtp.file_dir to send through smtp.url",
        );
        if !dir.is_dir() {
            report.fail(
                check,
                format!("{} does not exist", dir.display()),
                format!("install -d -m 700 {}", dir.display()),
            );
        }
        return;
    }
    let Some(url) = smtp.url.as_deref() else { return };
    let tls = url.starts_with("smtps://") || url.contains("tls=required");
    let host = url_host(url);
    let authority = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = authority.split(['/', '?']).next().unwrap_or(authority);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let has_password = url.split_once("://").is_some_and(|(_, r)| r.contains('@'));
    let port = authority
        .rsplit_once(':')
        .filter(|(_, p)| !p.ends_with(']'))
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(if url.starts_with("smtps://") {
            465
        } else if tls {
            587
        } else {
            25
        });
    if has_password && !tls && !is_loopback_host(host) {
        report.warn(
            check,
            format!("smtp.url sends the password to {host} without TLS"),
            "use smtps://… (port 465) or add ?tls=required (STARTTLS, port 587)",
        );
    }
    let host_only = host.trim_start_matches('[').trim_end_matches(']');
    let reachable = (host_only, port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())
        .and_then(|mut addrs| {
            addrs
                .find_map(|a| TcpStream::connect_timeout(&a, TIMEOUT).ok())
                .ok_or_else(|| "no answer".to_owned())
        });
    match reachable {
        Ok(_) => report.ok(
            check,
            format!("{host}:{port} accepts connections; documents are sent as {from}"),
        ),
        Err(e) => report.warn(
            check,
            format!("cannot reach {host}:{port}: {e}"),
            "check smtp.url and that this machine may connect to the mail server (firewall, port)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_into_host_and_target() {
        assert_eq!(url_host("https://books.example.com/x"), "books.example.com");
        assert_eq!(url_host("smtps://u:p@mail.example.com:465"), "mail.example.com");
        assert_eq!(url_host("http://[::1]:8000/"), "[::1]");
        assert!(is_loopback_host("[::1]") && is_loopback_host("127.0.0.1") && !is_loopback_host("10.0.0.1"));
        let config = Config {
            listen: "0.0.0.0:8123".into(),
            ..Config::default()
        };
        assert_eq!(target(&config, None).unwrap(), ("127.0.0.1:8123".into(), String::new()));
        assert_eq!(
            target(&config, Some("http://books.internal/oasys/")).unwrap(),
            ("books.internal:80".into(), "/oasys".into())
        );
        assert_eq!(
            target(&config, Some("http://127.0.0.1:9000")).unwrap(),
            ("127.0.0.1:9000".into(), String::new())
        );
        assert!(target(&config, Some("https://books.example.com")).is_err());
        assert_eq!(dechunk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "hello world");
    }
}

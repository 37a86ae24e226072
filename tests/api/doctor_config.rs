//! `oasys doctor`, the real binary, on each finding `doctor.rs` does not reach: the risky
//! settings of a configuration (with and without a file), a data dir that is a file or cannot be
//! written, secret files too short or not the server's, a broken platform database, schemas
//! behind and ahead of the binary, where documents go, the backup schedule and the age of the
//! newest backup, and ledgers whose newest checkpoint does not verify (`net`: the mail server,
//! the listen port, OCR). Each finding is asserted as the line it prints, with the exit status
//! it gives.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::fixtures::{Firm, PERIODS};
use crate::helpers::{Backend, TestApp, backends, on_postgres, output_text};
use crate::on_every_backend;

mod net;

const STRONG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

/// A config file, a data dir and (on PostgreSQL) a platform schema of their own.
struct Install {
    dir: tempfile::TempDir,
    backend: Backend,
    schema: String,
}

impl Install {
    fn new(backend: &Backend) -> Install {
        let install = Install {
            dir: tempfile::tempdir().unwrap(),
            backend: backend.clone(),
            schema: format!("doctor_cfg_{}", uuid::Uuid::new_v4().simple()),
        };
        install.configure("");
        install
    }

    /// Writes the config file: `extra` after settings that are sound on their own (a free
    /// loopback port unless `extra` names `listen`).
    fn configure(&self, extra: &str) {
        let listen = if extra.contains("listen =") {
            String::new()
        } else {
            format!("listen = \"127.0.0.1:{}\"\n", free_port())
        };
        let text = format!("allow_registration = false\ncors_origins = []\n{listen}{extra}\n");
        std::fs::write(self.dir.path().join("oasys.toml"), text).unwrap();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    fn run_in(&self, data_dir: &Path, args: &[&str]) -> Output {
        let mut cmd = crate::helpers::oasys_command(&self.path("oasys.toml"), data_dir);
        if let Backend::Postgres(url) = &self.backend {
            on_postgres(&mut cmd, url, &self.schema);
        }
        cmd.args(args).output().unwrap()
    }

    /// `oasys doctor ARGS` on `data_dir`: (succeeded, everything printed).
    fn doctor_in(&self, data_dir: &Path, args: &[&str]) -> (bool, String) {
        let out = self.run_in(data_dir, &[&["doctor"], args].concat());
        (out.status.success(), output_text(&out))
    }

    fn doctor(&self, args: &[&str]) -> (bool, String) {
        self.doctor_in(&self.data_dir(), args)
    }

    /// `oasys tenant create`: the firm's id.
    fn create_firm(&self, name: &str) -> String {
        let out = self.run_in(&self.data_dir(), &["tenant", "create", "--name", name]);
        assert!(out.status.success(), "{}", output_text(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("created firm "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned()
    }

    /// Runs `sql` in the platform database (`firm` None) or a firm's, on this backend.
    fn execute(&self, firm: Option<&str>, sql: &str) {
        match &self.backend {
            Backend::Sqlite => rusqlite::Connection::open(self.sqlite_file(firm))
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Backend::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .batch_execute(&format!("SET search_path TO \"{}\"; {sql}", self.pg_schema(firm)))
                .unwrap(),
        }
    }

    /// The newest migration recorded in that database.
    fn schema_version(&self, firm: Option<&str>) -> i64 {
        let sql = "SELECT CAST(MAX(version) AS BIGINT) FROM refinery_schema_history";
        match &self.backend {
            Backend::Sqlite => schema_version(&self.sqlite_file(firm)),
            Backend::Postgres(url) => {
                let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
                db.batch_execute(&format!("SET search_path TO \"{}\"", self.pg_schema(firm)))
                    .unwrap();
                db.query_one(sql, &[]).unwrap().get(0)
            }
        }
    }

    fn sqlite_file(&self, firm: Option<&str>) -> PathBuf {
        match firm {
            None => self.data_dir().join("platform.db"),
            Some(id) => self.data_dir().join("tenants").join(id).join("ledger.db"),
        }
    }

    fn pg_schema(&self, firm: Option<&str>) -> String {
        firm.map_or_else(|| self.schema.clone(), |id| format!("t_{}", id.replace('-', "")))
    }
}

fn schema_version(file: &Path) -> i64 {
    rusqlite::Connection::open(file)
        .unwrap()
        .query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))
        .unwrap()
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn private_dir(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
}

fn secret(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[track_caller]
fn has(out: &str, line: &str) {
    assert!(out.contains(line), "no {line:?} in\n{out}");
}

#[track_caller]
fn lacks(out: &str, text: &str) {
    assert!(!out.contains(text), "{text:?} should not be in\n{out}");
}

#[test]
fn without_a_config_file_each_risky_setting_of_the_environment_is_named() {
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oasys"));
    for (key, _) in std::env::vars() {
        if key.starts_with("OASYS_") {
            cmd.env_remove(key);
        }
    }
    // No --config, no $OASYS_CONFIG, and a home without ~/.config/oasys/oasys.toml.
    let out = cmd
        .env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .env("RUST_LOG", "warn")
        .env("OASYS_LISTEN", format!("[::]:{port}"))
        .env(
            "OASYS_CORS_ORIGINS",
            "http://books.example.com,http://localhost:3000,https://secure.example.com",
        )
        .env("OASYS_JWT_SECRET", "too-short")
        .env("OASYS_METRICS__ENABLED", "true")
        .env("OASYS_METRICS__ALLOW_REMOTE", "true")
        .env("OASYS_AI__URL", "https://llm.example.com/openai")
        .env("OASYS_AI__MODEL", "tiny-model")
        .arg("--data-dir")
        .arg(home.path().join("data"))
        .arg("doctor")
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(!out.status.success(), "a short jwt_secret fails:\n{text}");
    has(&text, "ok    config: no file: defaults and OASYS_* environment, valid");
    has(&text, "warn  config: allow_registration = true");
    has(
        &text,
        "warn  config: cors_origins allows http://books.example.com, a page served without TLS",
    );
    lacks(&text, "cors_origins allows http://localhost:3000");
    lacks(&text, "cors_origins allows https://");
    has(
        &text,
        &format!("warn  config: listen = [::]:{port} (every interface) and no public_url"),
    );
    has(
        &text,
        &format!("warn  config: listen = [::]:{port} accepts other machines, and public_url is not https://"),
    );
    has(&text, "FAIL  config: jwt_secret is shorter than 32 bytes");
    has(&text, "fix: use 32 random characters or more");
    has(&text, "warn  config: metrics.allow_remote = true");
    has(&text, "ok    ai: llm.example.com with model tiny-model");

    // Every interface behind https: nothing to say about `listen`; over http: the clear text.
    let install = Install::new(&Backend::Sqlite);
    let listen = format!("listen = \"0.0.0.0:{}\"\n", free_port());
    install.configure(&format!("{listen}public_url = \"https://books.example.com\""));
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "warnings only:\n{text}");
    has(
        &text,
        &format!(
            "ok    config: {} loads and is valid",
            install.path("oasys.toml").display()
        ),
    );
    has(&text, "ok    ai: off");
    lacks(&text, "listen = 0.0.0.0");
    install.configure(&format!("{listen}public_url = \"http://books.example.com\""));
    let (_, text) = install.doctor(&[]);
    lacks(&text, "(every interface) and no public_url");
    has(&text, "accepts other machines, and public_url is not https://");
}

#[test]
fn a_data_dir_that_cannot_hold_the_books_fails() {
    let install = Install::new(&Backend::Sqlite);
    let file = install.path("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let (ok, text) = install.doctor_in(&file, &[]);
    assert!(!ok, "{text}");
    has(&text, &format!("FAIL  data dir: {} is not a directory", file.display()));
    has(&text, "fix: point data_dir at a directory");

    let under = file.join("data");
    let (ok, text) = install.doctor_in(&under, &[]);
    assert!(!ok, "{text}");
    has(&text, &format!("FAIL  data dir: {}: Not a directory", under.display()));
    has(&text, "fix: check the path and the permissions of its parents");

    // The process's own fd dir: its owner's, mode 0500, on a filesystem no file can be made
    // in and that has no blocks at all (as a read-only or full disk would look).
    let proc_dir = Path::new("/proc/self/fd");
    let (ok, text) = install.doctor_in(proc_dir, &[]);
    assert!(!ok, "{text}");
    has(&text, "FAIL  data dir: cannot write in /proc/self/fd: ");
    has(&text, "fix: make it writable by its owner (chmod u+w /proc/self/fd)");
    has(&text, "warn  disk: 0.0 GiB free of 0.0 GiB (100 %) at /proc/self/fd");
    has(&text, "fix: free some space or move data_dir");

    // A relative data dir not made yet is measured in the working directory.
    let out = crate::helpers::oasys_command(&install.path("oasys.toml"), Path::new("books"))
        .current_dir(install.dir.path())
        .arg("doctor")
        .output()
        .unwrap();
    let text = output_text(&out);
    has(&text, "warn  data dir: books does not exist yet");
    lacks(&text, "no existing parent");
    assert!(
        text.lines()
            .any(|l| (l.starts_with("ok    disk: ") || l.starts_with("warn  disk: ")) && l.ends_with(" at .")),
        "{text}"
    );
}

#[test]
fn secret_files_too_short_or_not_the_servers_fail() {
    let install = Install::new(&Backend::Sqlite);
    let data = install.data_dir();
    private_dir(&data);
    let (jwt, key) = (data.join("jwt_secret"), data.join("checkpoint_key"));
    secret(&jwt, "short\n");
    secret(&key, STRONG);
    if is_root() {
        std::os::unix::fs::chown(&key, Some(65534), None).unwrap();
    }
    let (ok, text) = install.doctor(&[]);
    assert!(!ok, "{text}");
    has(
        &text,
        &format!("FAIL  data dir: {} is shorter than 32 characters", jwt.display()),
    );
    has(&text, "fix: restore it from the backup taken with this data dir");
    lacks(&text, &format!("{} is shorter", key.display()));
    if is_root() {
        has(
            &text,
            &format!("FAIL  data dir: {} belongs to uid 65534, not to uid 0", key.display()),
        );
        has(&text, &format!("fix: chown <server user> {}", key.display()));
        std::os::unix::fs::chown(&key, Some(0), None).unwrap();
    }
    lacks(&text, "ok    data dir");

    secret(&jwt, STRONG);
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "{text}");
    has(
        &text,
        &format!(
            "ok    data dir: {}: yours, mode 0700, writable; secret files 0600",
            data.display()
        ),
    );
}

#[test]
fn a_broken_or_old_platform_database_is_named() {
    let install = Install::new(&Backend::Sqlite);
    let data = install.data_dir();
    private_dir(&data);
    std::fs::write(data.join("platform.db"), vec![0x5a_u8; 64 * 1024]).unwrap();
    let (ok, text) = install.doctor(&[]);
    assert!(!ok, "{text}");
    has(&text, "FAIL  database: platform database: ");
    has(
        &text,
        "fix: stop the server and restore the platform database from a backup",
    );

    // The data dir of OASYS 0.1.0: every database behind this binary, reported and left so.
    let current = Install::new(&Backend::Sqlite);
    let firm = current.create_firm("Current");
    let (known_platform, known_firm) = (current.schema_version(None), current.schema_version(Some(&firm)));
    let old = Install::new(&Backend::Sqlite);
    let data = old.data_dir();
    private_dir(&data);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datadir-v0.1.0.tar.zst");
    tar::Archive::new(zstd::Decoder::new(std::fs::File::open(fixture).unwrap()).unwrap())
        .unpack(&data)
        .unwrap();
    let was = old.schema_version(None);
    assert!(was < known_platform, "the fixture is older than this binary");
    let firms = std::fs::read_dir(data.join("tenants"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("ledger.db").exists())
        .count();
    assert!(firms > 0);
    let (_, text) = old.doctor(&[]);
    has(
        &text,
        &format!(
            "warn  migrations: platform database is at schema v{was}, this binary has v{known_platform}: {} pending",
            known_platform - was
        ),
    );
    has(
        &text,
        "fix: back up, then run `oasys migrate` (the server also migrates at start)",
    );
    has(
        &text,
        &format!("warn  migrations: {firms} firm database(s) behind this binary's schema v{known_firm}"),
    );
    assert_eq!(old.schema_version(None), was, "the doctor must not migrate");
}

/// A database written by a newer binary: refused, with the way back named; per firm and for
/// the platform.
#[test]
fn a_database_newer_than_the_binary_fails() {
    for backend in backends() {
        let install = Install::new(&backend);
        let firm = install.create_firm("Acme");
        let (platform, tenant) = (install.schema_version(None), install.schema_version(Some(&firm)));
        let (ok, text) = install.doctor(&[]);
        assert!(ok, "{backend:?}: sound before:\n{text}");
        let future = |v: i64| {
            format!(
                "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
                 VALUES ({}, 'from_a_newer_oasys', '2030-01-01T00:00:00Z', '0')",
                v + 1
            )
        };
        install.execute(Some(&firm), &future(tenant));
        let (ok, text) = install.doctor(&[]);
        assert!(!ok, "{backend:?}: {text}");
        has(
            &text,
            &format!(
                "FAIL  database: firm Acme ({firm}) is at schema v{}, newer than this binary's v{tenant}",
                tenant + 1
            ),
        );
        has(
            &text,
            "fix: run the newer oasys that wrote it (downgrades are not supported)",
        );
        lacks(&text, "ok    database: 1 firm database(s)");
        install.execute(None, &future(platform));
        let (ok, text) = install.doctor(&[]);
        assert!(!ok, "{backend:?}: {text}");
        has(
            &text,
            &format!(
                "FAIL  database: platform database is at schema v{}, newer than this binary's v{platform}",
                platform + 1
            ),
        );
    }
}

#[test]
fn documents_and_backups_are_described_where_they_go() {
    let install = Install::new(&Backend::Sqlite);
    install.create_firm("Acme");
    let limits = "[documents]\nmax_file_size = 5242880\nfirm_quota = 104857600\n";
    install.configure(&format!(
        "[storage]\nurl = \"s3://books/docs\"\ns3_endpoint = \"https://minio.internal:9000\"\n{limits}"
    ));
    let (ok, text) = install.doctor(&[]);
    assert!(ok, "{text}");
    has(
        &text,
        "ok    documents: stored in S3 s3://books/docs (https://minio.internal:9000); files up to 5 MiB, 100 MiB per firm",
    );
    install.configure("[storage]\nurl = \"s3://books\"\n");
    has(
        &install.doctor(&[]).1,
        "ok    documents: stored in S3 s3://books (AWS); ",
    );

    let file = install.path("documents");
    std::fs::write(&file, "in the way").unwrap();
    install.configure(&format!("[storage]\nurl = \"{}\"\n", file.display()));
    let (ok, text) = install.doctor(&[]);
    assert!(!ok, "{text}");
    has(
        &text,
        &format!("FAIL  documents: {} is not a directory", file.display()),
    );
    has(
        &text,
        "fix: move the file away or set storage.url to a directory or s3://bucket/prefix",
    );

    install.configure("[backup]\nschedule = \"daily 02:00\"\n");
    let text = install.doctor(&[]).1;
    let default_dir = install.data_dir().join("backups");
    has(
        &text,
        &format!(
            "ok    backups: scheduled \"daily 02:00\" into {}",
            default_dir.display()
        ),
    );
    lacks(&text, "no scheduled backups");
    let elsewhere = install.path("offsite");
    install.configure(&format!(
        "[backup]\nschedule = \"every 6h\"\ndir = \"{}\"\n",
        elsewhere.display()
    ));
    has(
        &install.doctor(&[]).1,
        &format!("ok    backups: scheduled \"every 6h\" into {}", elsewhere.display()),
    );
}

/// The newest recorded backup: named when recent, a warning with its age once over two days.
#[test]
fn the_age_of_the_newest_backup_is_reported() {
    for backend in backends() {
        let install = Install::new(&backend);
        install.create_firm("Acme");
        has(&install.doctor(&[]).1, "warn  backups: no backup recorded yet");
        let dest = install.path("backups");
        std::fs::create_dir(&dest).unwrap();
        let out = install.run_in(&install.data_dir(), &["backup", dest.to_str().unwrap()]);
        assert!(out.status.success(), "{}", output_text(&out));
        let archive = std::fs::read_dir(&dest).unwrap().next().unwrap().unwrap().path();
        let text = install.doctor(&[]).1;
        let line = text
            .lines()
            .find(|l| l.starts_with("ok    backups: newest backup "))
            .unwrap_or_else(|| panic!("{backend:?}: {text}"));
        assert!(line.ends_with(&format!(" (manual): {}", archive.display())), "{line}");

        let old = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(73 * 60 + 10);
        install.execute(None, &format!("UPDATE backup_runs SET finished_at = '{old}'"));
        let (ok, text) = install.doctor(&[]);
        assert!(ok, "an old backup is a warning:\n{text}");
        has(
            &text,
            &format!(
                "warn  backups: the newest backup is 73 hours old (manual, {})",
                archive.display()
            ),
        );
        has(&text, "fix: check the server's log for failed scheduled backups");
    }
}

/// Four firms whose newest checkpoint was rewritten: the first three named, the rest counted;
/// then the key file gone while the ledgers hold checkpoints signed with it.
async fn ledgers_whose_checkpoint_does_not_verify_are_named(app: TestApp) {
    let mut tenants = Vec::new();
    for n in 1..=4 {
        let f = Firm::register(&app, &format!("owner{n}@unverified.example"), &format!("Firm {n}")).await;
        f.posted(f.transfer("2026-01-05", "1010", "3200", "10.00")).await;
        let r = f
            .post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        tenants.push(f.tenant_id().await);
    }
    let data = app.data_dir().to_path_buf();
    let key = std::fs::read_to_string(data.join("checkpoint_key")).unwrap();
    let ours = oasys::domain::ledger::chain::key_id(key.trim().as_bytes());
    let rewrite = "UPDATE chain_checkpoints SET hash = CASE WHEN substr(hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END || substr(hash, 2)";
    let (backend, schema) = (app.backend.clone(), app.platform_schema.clone());
    let text = tokio::task::spawn_blocking(move || {
        let install = Install {
            dir: tempfile::tempdir().unwrap(),
            backend,
            schema,
        };
        install.configure("");
        for t in &tenants {
            match &install.backend {
                Backend::Sqlite => {
                    let db = rusqlite::Connection::open(data.join("tenants").join(t).join("ledger.db")).unwrap();
                    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
                    db.execute_batch(rewrite).unwrap();
                }
                Backend::Postgres(_) => install.execute(Some(t), rewrite),
            }
        }
        let (ok, text) = install.doctor_in(&data, &[]);
        assert!(!ok, "{text}");
        std::fs::remove_file(data.join("checkpoint_key")).unwrap();
        let (ok, missing) = install.doctor_in(&data, &[]);
        assert!(!ok, "{missing}");
        has(
            &missing,
            &format!(
                "FAIL  data dir: {} is missing while ledgers hold checkpoints signed with it",
                data.join("checkpoint_key").display()
            ),
        );
        has(&missing, "fix: restore checkpoint_key from the backup of this data dir");
        lacks(&missing, "checkpoint key:");
        text
    })
    .await
    .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("FAIL  checkpoint key: the newest checkpoint does not verify"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("with key {ours} in ")), "{line}");
    for n in 1..=3 {
        assert!(line.contains(&format!("Firm {n} (")), "{line}");
    }
    assert!(!line.contains("Firm 4"), "{line}");
    assert!(line.contains(" at link ") && line.contains(" and 1 more: "), "{line}");
    has(&text, "fix: run `oasys verify` with the key the other servers use");
}
on_every_backend!(
    ledgers_whose_checkpoint_does_not_verify_are_named_on_every_backend,
    ledgers_whose_checkpoint_does_not_verify_are_named
);

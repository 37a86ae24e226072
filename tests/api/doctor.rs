//! `oasys doctor`, the real binary: a sound installation passes (exit 0), and each way of
//! breaking one — an open data dir, a readable secret, a corrupted firm database, an unreachable
//! PostgreSQL, no server — fails (non-zero) with the fix named. `--health` against the real
//! server.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::helpers::{Backend, TestApp, backends, on_postgres, output_text};

/// A private data dir and config file, on one backend.
struct Install {
    dir: tempfile::TempDir,
    backend: Backend,
    schema: String,
}

impl Install {
    /// `listen` names the address the doctor checks (a free port, or a running server).
    fn new(backend: &Backend, listen: &str) -> Install {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("oasys.toml"),
            format!("allow_registration = false\ncors_origins = []\nlisten = \"{listen}\"\n"),
        )
        .unwrap();
        Install {
            dir,
            backend: backend.clone(),
            schema: format!("doctor_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, args: &[&str], database_url: Option<&str>) -> Output {
        let mut cmd = crate::helpers::oasys_command(&self.dir.path().join("oasys.toml"), &self.data_dir());
        if let Backend::Postgres(url) = &self.backend {
            on_postgres(&mut cmd, database_url.unwrap_or(url), &self.schema);
        }
        cmd.args(args).output().unwrap()
    }

    /// `oasys doctor ARGS`: (succeeded, stdout + stderr).
    fn doctor(&self, args: &[&str]) -> (bool, String) {
        self.doctor_with(args, None)
    }

    fn doctor_with(&self, args: &[&str], database_url: Option<&str>) -> (bool, String) {
        let mut all = vec!["doctor"];
        all.extend_from_slice(args);
        let out = self.run(&all, database_url);
        (out.status.success(), output_text(&out))
    }
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn doctor_passes_a_sound_install_and_names_the_fix_for_a_broken_one() {
    for backend in backends() {
        let install = Install::new(&backend, &format!("127.0.0.1:{}", free_port()));
        let created = install.run(&["tenant", "create", "--name", "Acme"], None);
        assert!(created.status.success(), "{created:?}");
        let stdout = String::from_utf8_lossy(&created.stdout).into_owned();
        let firm = stdout
            .lines()
            .find_map(|l| l.strip_prefix("created firm "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();

        let (ok, out) = install.doctor(&[]);
        assert!(ok, "{backend:?}: a sound install must pass:\n{out}");
        assert!(!out.contains("FAIL"), "{out}");
        for line in [
            "ok    config: ",
            "ok    data dir: ",
            "ok    database: platform database",
            "ok    database: 1 firm database(s)",
            "ok    server: ",
            "ok    smtp: off",
            "ok    documents: stored on local disk in ",
        ] {
            assert!(out.contains(line), "{backend:?}: no {line:?} in\n{out}");
        }
        // OCR is optional: found and named with its version, or a warning with what to install.
        let ocr = if oasys::extract::Tools::detect().tesseract.is_some() {
            "ok    ocr: tesseract "
        } else {
            "warn  ocr: tesseract not found"
        };
        assert!(out.contains(ocr), "{backend:?}: no {ocr:?} in\n{out}");

        let data = install.data_dir();
        chmod(&data, 0o755);
        let (ok, out) = install.doctor(&[]);
        assert!(!ok, "{out}");
        assert!(out.contains("has mode 0755"), "{out}");
        assert!(out.contains(&format!("fix: chmod 700 {}", data.display())), "{out}");
        chmod(&data, 0o700);

        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            // Root can give the dir away, as a `chown` by hand or a restore as root would.
            std::os::unix::fs::chown(&data, Some(65534), None).unwrap();
            let (ok, out) = install.doctor(&[]);
            assert!(!ok, "{out}");
            assert!(out.contains("belongs to uid 65534, doctor runs as uid 0"), "{out}");
            assert!(out.contains("sudo -u oasys oasys doctor"), "{out}");
            if matches!(backend, Backend::Sqlite) {
                assert!(
                    out.contains("warn  database: not checked: the SQLite files belong to another user"),
                    "files the server could not open again must not be made: {out}"
                );
            }
            std::os::unix::fs::chown(&data, Some(0), None).unwrap();
        }

        let secret = data.join("jwt_secret");
        std::fs::write(&secret, "x".repeat(64)).unwrap();
        chmod(&secret, 0o644);
        let (ok, out) = install.doctor(&[]);
        assert!(!ok, "{out}");
        assert!(out.contains(&format!("fix: chmod 600 {}", secret.display())), "{out}");
        chmod(&secret, 0o600);
        assert!(install.doctor(&[]).0, "sound again once fixed");

        match &backend {
            Backend::Sqlite => {
                let ledger = data.join("tenants").join(&firm).join("ledger.db");
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
                }
                std::fs::write(&ledger, vec![0x5a_u8; 64 * 1024]).unwrap();
                let (ok, out) = install.doctor(&[]);
                assert!(!ok, "a corrupted firm database must fail:\n{out}");
                assert!(out.contains(&format!("FAIL  database: firm Acme ({firm})")), "{out}");
                assert!(out.contains(&format!("oasys verify --tenant {firm}")), "{out}");
                assert!(out.contains("restore this firm's database from a backup"), "{out}");
            }
            Backend::Postgres(_) => {
                let nowhere = format!("postgres://oasys:oasys@127.0.0.1:{}/oasys", free_port());
                let (ok, out) = install.doctor_with(&[], Some(&nowhere));
                assert!(!ok, "an unreachable PostgreSQL must fail:\n{out}");
                assert!(
                    out.contains("FAIL  database: cannot reach postgres://oasys:********@"),
                    "{out}"
                );
                assert!(out.contains("fix: check database_url"), "{out}");
            }
        }
    }
}

#[test]
fn doctor_names_the_setting_of_a_configuration_that_does_not_load() {
    let install = Install::new(&Backend::Sqlite, "nowhere");
    let (ok, out) = install.doctor(&[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAIL  config: ") && out.contains("listen = \"nowhere\""),
        "{out}"
    );
    assert!(out.contains("fix: correct the key named above"), "{out}");
}

#[test]
fn doctor_warns_of_pending_migrations_without_applying_them() {
    let install = Install::new(&Backend::Sqlite, &format!("127.0.0.1:{}", free_port()));
    let created = install.run(&["tenant", "create", "--name", "Acme"], None);
    assert!(created.status.success(), "{created:?}");
    let tenants = install.data_dir().join("tenants");
    let firm = std::fs::read_dir(&tenants).unwrap().next().unwrap().unwrap().path();
    let ledger = firm.join("ledger.db");
    let newest = || -> i64 {
        let conn = rusqlite::Connection::open(&ledger).unwrap();
        conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))
            .unwrap()
    };
    let known = newest();
    assert!(known > 1, "the firm schema has several migrations");
    {
        let conn = rusqlite::Connection::open(&ledger).unwrap();
        conn.execute("DELETE FROM refinery_schema_history WHERE version = ?1", [known])
            .unwrap();
    }
    // The version before it, whatever it is: the numbering may have gaps.
    let behind = newest();
    let (ok, out) = install.doctor(&[]);
    assert!(ok, "pending migrations are a warning:\n{out}");
    assert!(
        out.contains(&format!(
            "warn  migrations: 1 firm database(s) behind this binary's schema v{known}"
        )),
        "{out}"
    );
    assert!(out.contains("run `oasys migrate`"), "{out}");
    assert_eq!(newest(), behind, "the doctor must not migrate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_health_asks_the_running_server() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let listen = app.base.trim_start_matches("http://").to_owned();
    let base = app.base.clone();
    let closed = format!("http://127.0.0.1:{}", free_port());
    tokio::task::spawn_blocking(move || {
        let install = Install::new(&Backend::Sqlite, &listen);
        let (ok, out) = install.doctor(&["--health", "--url", &base]);
        assert!(ok, "{out}");
        assert!(
            out.contains(&format!(
                "ok    server: {base}/api/health/: OASYS {} answers",
                env!("CARGO_PKG_VERSION")
            )),
            "{out}"
        );
        // Without --url the listen address is asked: taken, and by an OASYS server.
        let (_, out) = install.doctor(&[]);
        assert!(
            out.contains("ok    server: ") && out.contains("answers, sqlite reachable"),
            "{out}"
        );

        let (ok, out) = install.doctor(&["--health", "--url", &closed]);
        assert!(!ok, "nothing listens there:\n{out}");
        assert!(
            out.contains("FAIL  server: ") && out.contains("fix: start the server"),
            "{out}"
        );
    })
    .await
    .unwrap();
}

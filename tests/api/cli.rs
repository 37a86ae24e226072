//! The `oasys` executable itself: the operator commands (tenant, company, user, migrate,
//! config) and the two ways a real install starts, a scripted install (firm and administrator
//! made by the CLI, then `serve`) and a fresh one (the one-time setup link printed by `serve`).
//! Each runs on SQLite, and on PostgreSQL too when `OASYS_TEST_DATABASE_URL` is set.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::{Backend, backends, on_postgres};

const BIN: &str = env!("CARGO_BIN_EXE_oasys");
const ANOTHER_STRONG_PASSWORD: &str = "copper-kettle-meadow-91";

/// One installation driven through the binary: a private data dir, an empty config file (so
/// the developer's own `~/.config/oasys/oasys.toml` never leaks in), and on PostgreSQL a fresh
/// platform schema.
pub(crate) struct Install {
    dir: tempfile::TempDir,
    backend: Backend,
    schema: String,
}

impl Install {
    pub(crate) fn new(backend: &Backend) -> Install {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("oasys.toml"), "# test configuration: defaults only\n").unwrap();
        Install {
            dir,
            backend: backend.clone(),
            schema: format!("cli_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self) -> Command {
        let mut cmd = crate::helpers::oasys_command(&self.dir.path().join("oasys.toml"), &self.data_dir());
        if let Backend::Postgres(url) = &self.backend {
            on_postgres(&mut cmd, url, &self.schema);
        }
        cmd
    }

    fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command();
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(input.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, None)
    }

    fn ok_with(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run_with(args, stdin);
        assert!(
            out.status.success(),
            "oasys {args:?} failed on {:?}: {}",
            self.backend,
            describe(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns its stderr.
    fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run_with(args, stdin);
        assert!(
            !out.status.success(),
            "oasys {args:?} should have failed on {:?}: {}",
            self.backend,
            describe(&out)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// `tenant create`; returns (firm id, default company id).
    fn create_firm(&self, name: &str) -> (String, String) {
        let out = self.ok(&["tenant", "create", "--name", name]);
        (id_after(&out, "created firm "), id_after(&out, "created company "))
    }

    fn create_user(&self, tenant: &str, email: &str, role: &str, password: &str) -> String {
        let out = self.ok_with(
            &[
                "user",
                "create",
                "--tenant",
                tenant,
                "--email",
                email,
                "--role",
                role,
                "--password-stdin",
            ],
            Some(&format!("{password}\n")),
        );
        assert!(
            out.contains(&format!("({}, {role})", email.to_lowercase())),
            "e-mail stored normalised: {out}"
        );
        id_after(&out, "created user ")
    }
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The UUID following `prefix` in the output (e.g. `created firm <id> (Acme)`).
fn id_after(out: &str, prefix: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in {out}"));
    let id = line[prefix.len()..].split_whitespace().next().unwrap();
    uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?} in {line:?}: {e}"));
    id.to_owned()
}

/// The tab-separated lines of a `list` command, as columns.
fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn version_flag_prints_the_package_version() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("oasys {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn tenants_and_companies_are_created_and_listed() {
    for backend in backends() {
        let cli = Install::new(&backend);
        assert_eq!(cli.ok(&["tenant", "list"]).trim(), "", "a new install has no firm");

        let out = cli.ok(&["tenant", "create", "--name", "Acme"]);
        let firm = id_after(&out, "created firm ");
        let first_company = id_after(&out, "created company ");
        assert!(out.contains(&format!("created firm {firm} (Acme)")), "{out}");
        assert!(
            out.contains(&format!("created company {first_company} (Acme)")),
            "the default company takes the firm's name: {out}"
        );

        let (other, _) = cli.create_firm("Globex");
        let listed = rows(&cli.ok(&["tenant", "list"]));
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(
            listed.contains(&vec![firm.clone(), "Acme".into(), "basic".into(), "active".into()]),
            "{listed:?}"
        );
        assert!(listed.iter().any(|r| r[0] == other && r[1] == "Globex"), "{listed:?}");

        let out = cli.ok(&[
            "company",
            "create",
            "--tenant",
            &firm,
            "--name",
            "Acme Trading",
            "--currency",
            "EUR",
        ]);
        let company = id_after(&out, "created company ");
        assert!(out.contains("(Acme Trading)"), "{out}");
        let companies = rows(&cli.ok(&["company", "list", "--tenant", &firm]));
        assert_eq!(companies.len(), 2, "{companies:?}");
        assert!(
            companies.contains(&vec![first_company.clone(), "Acme".into(), "USD".into()]),
            "{companies:?}"
        );
        assert!(
            companies.contains(&vec![company.clone(), "Acme Trading".into(), "EUR".into()]),
            "{companies:?}"
        );
        // The other firm's companies are its own.
        let theirs = rows(&cli.ok(&["company", "list", "--tenant", &other]));
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        assert_eq!(theirs[0][1], "Globex");

        let err = cli.fails(&["company", "list", "--tenant", "acme"], None);
        assert!(err.contains("not a firm id"), "{err}");
        let nobody = uuid::Uuid::new_v4().to_string();
        let err = cli.fails(&["company", "create", "--tenant", &nobody, "--name", "Ghost"], None);
        assert!(err.contains(&format!("no firm with id {nobody}")), "{err}");
        let err = cli.fails(&["tenant", "create", "--name", "Bad Plan", "--plan", "platinum"], None);
        assert!(err.contains("unknown plan"), "{err}");
        assert_eq!(
            rows(&cli.ok(&["tenant", "list"])).len(),
            2,
            "failed commands create nothing"
        );
    }
}

#[test]
fn users_are_created_listed_and_their_passwords_set() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let (firm, _) = cli.create_firm("Acme");
        let accountant = cli.create_user(&firm, "Books@Acme.example", "accountant", STRONG_PASSWORD);

        let listed = rows(&cli.ok(&["user", "list"]));
        assert_eq!(
            listed,
            vec![vec![
                accountant.clone(),
                "books@acme.example".into(),
                "accountant".into(),
                firm.clone(),
                "active".into()
            ]],
            "e-mail normalised, firm and state shown"
        );
        assert_eq!(rows(&cli.ok(&["user", "list", "--tenant", &firm])).len(), 1);
        let (other, _) = cli.create_firm("Globex");
        assert_eq!(
            cli.ok(&["user", "list", "--tenant", &other]).trim(),
            "",
            "filtered by firm"
        );

        // Weak passwords are refused, and nothing is created.
        for weak in ["password", "short", "acmeacme"] {
            let err = cli.fails(
                &[
                    "user",
                    "create",
                    "--tenant",
                    &firm,
                    "--email",
                    "weak@acme.example",
                    "--role",
                    "staff",
                    "--password-stdin",
                ],
                Some(&format!("{weak}\n")),
            );
            assert!(err.to_lowercase().contains("password"), "{weak}: {err}");
        }
        assert!(!cli.ok(&["user", "list"]).contains("weak@acme.example"));

        // The same e-mail twice, an unknown role, a firm role without a firm, no password.
        let err = cli.fails(
            &[
                "user",
                "create",
                "--tenant",
                &firm,
                "--email",
                "books@acme.example",
                "--role",
                "staff",
                "--password-stdin",
            ],
            Some(&format!("{ANOTHER_STRONG_PASSWORD}\n")),
        );
        assert!(!err.trim().is_empty());
        let err = cli.fails(
            &[
                "user",
                "create",
                "--tenant",
                &firm,
                "--email",
                "x@acme.example",
                "--role",
                "emperor",
                "--password-stdin",
            ],
            Some(&format!("{STRONG_PASSWORD}\n")),
        );
        assert!(err.contains("--role"), "{err}");
        let err = cli.fails(
            &[
                "user",
                "create",
                "--email",
                "x@acme.example",
                "--role",
                "accountant",
                "--password-stdin",
            ],
            Some(&format!("{STRONG_PASSWORD}\n")),
        );
        assert!(err.contains("--tenant is required"), "{err}");
        let err = cli.fails(
            &[
                "user",
                "create",
                "--tenant",
                &firm,
                "--email",
                "x@acme.example",
                "--role",
                "staff",
            ],
            None,
        );
        assert!(err.contains("--password-stdin"), "{err}");
        assert_eq!(rows(&cli.ok(&["user", "list"])).len(), 1);

        // A platform administrator has no firm.
        let out = cli.ok_with(
            &[
                "user",
                "create",
                "--email",
                "root@platform.example",
                "--role",
                "platform_admin",
                "--password-stdin",
            ],
            Some(&format!("{STRONG_PASSWORD}\n")),
        );
        let root = id_after(&out, "created user ");
        let listed = rows(&cli.ok(&["user", "list"]));
        assert!(
            listed.contains(&vec![
                root,
                "root@platform.example".into(),
                "platform_admin".into(),
                "-".into(),
                "active".into()
            ]),
            "{listed:?}"
        );

        // set-password: strong accepted, weak refused, unknown e-mail refused.
        let out = cli.ok_with(
            &[
                "user",
                "set-password",
                "--email",
                "books@acme.example",
                "--password-stdin",
            ],
            Some(&format!("{ANOTHER_STRONG_PASSWORD}\r\n")),
        );
        assert!(out.contains("password of books@acme.example changed"), "{out}");
        let err = cli.fails(
            &[
                "user",
                "set-password",
                "--email",
                "books@acme.example",
                "--password-stdin",
            ],
            Some("123\n"),
        );
        assert!(err.to_lowercase().contains("password"), "{err}");
        let err = cli.fails(
            &[
                "user",
                "set-password",
                "--email",
                "ghost@acme.example",
                "--password-stdin",
            ],
            Some(&format!("{STRONG_PASSWORD}\n")),
        );
        assert!(err.contains("no user with e-mail ghost@acme.example"), "{err}");
    }
}

#[test]
fn migrate_prints_the_schema_versions() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let out = cli.ok(&["migrate"]);
        let platform: u32 = out
            .lines()
            .find_map(|l| l.strip_prefix("platform schema at version "))
            .unwrap_or_else(|| panic!("{out}"))
            .trim()
            .parse()
            .unwrap();
        assert!(platform >= 1, "{out}");
        assert!(!out.contains("firm "), "no firm yet: {out}");

        let (a, _) = cli.create_firm("Acme");
        let (b, _) = cli.create_firm("Globex");
        let out = cli.ok(&["migrate"]);
        assert!(out.contains(&format!("platform schema at version {platform}")), "{out}");
        for firm in [&a, &b] {
            let line = out
                .lines()
                .find(|l| l.starts_with(&format!("firm {firm} at version ")))
                .unwrap_or_else(|| panic!("no line for firm {firm}: {out}"));
            let version: u32 = line.rsplit(' ').next().unwrap().parse().unwrap();
            assert!(version >= 1, "{line}");
        }
        // Idempotent.
        assert_eq!(cli.ok(&["migrate"]), out);
    }
}

#[test]
fn config_show_masks_secrets() {
    let cli = Install::new(&Backend::Sqlite);
    let out = cli
        .command()
        .args(["config", "show"])
        .env("OASYS_JWT_SECRET", "jwt-secret-that-must-never-be-printed")
        .env(
            "OASYS_DATABASE_URL",
            "postgres://oasys:hunter2-db-password@db.internal:5432/books",
        )
        .env("OASYS_CORS_ORIGINS", "https://books.example")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(!shown.contains("jwt-secret-that-must-never-be-printed"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("jwt_secret = \"********\""), "{shown}");
    assert!(
        shown.contains("postgres://oasys:********@db.internal:5432/books"),
        "{shown}"
    );
    // The rest is shown as loaded: env and flags applied.
    assert!(shown.contains("https://books.example"), "{shown}");
    assert!(shown.contains(&cli.data_dir().display().to_string()), "{shown}");

    // Without secrets configured, nothing is invented.
    let plain = cli.ok(&["config", "show"]);
    assert!(!plain.contains("jwt_secret"), "{plain}");
    assert!(plain.contains("listen = \"127.0.0.1:8000\""), "{plain}");
}

/// A running `oasys serve`, stopped (SIGTERM) when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
    stderr: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        crate::helpers::stop_gracefully(&mut self.child);
    }
}

impl Server {
    /// Starts `oasys serve` on a free port and waits until `/api/health/` answers.
    async fn start(cli: &Install) -> Server {
        Server::start_with(cli, &[]).await
    }

    /// Starts `oasys serve` with more arguments (`--demo`) on a free port and waits until it answers.
    pub(crate) async fn start_with(cli: &Install, more: &[&str]) -> Server {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let mut server = Server::spawn_with(cli, &format!("127.0.0.1:{port}"), more);
        server.wait_until_healthy().await;
        server
    }

    /// Starts `oasys serve --listen <listen>` without waiting for it.
    fn spawn(cli: &Install, listen: &str) -> Server {
        Server::spawn_with(cli, listen, &[])
    }

    fn spawn_with(cli: &Install, listen: &str, more: &[&str]) -> Server {
        let stderr = cli.dir.path().join("serve.stderr");
        let mut child = cli
            .command()
            .args(["serve", "--listen", listen])
            .args(more)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            base: format!("http://{listen}"),
            stderr,
        }
    }

    async fn wait_until_healthy(&mut self) {
        let client = crate::helpers::http();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let health = client.get(format!("{}/api/health/", self.base)).send().await;
            if let Ok(r) = health
                && r.status() == StatusCode::OK
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status}: {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become healthy: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The next stdout line containing `needle`, waiting at most `timeout`.
    fn line_containing(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("no stdout line with {needle:?} ({e}); stderr: {}", self.log()),
            }
        }
    }

    /// Stops the server and returns everything it printed on stdout that was not read yet.
    fn stop(mut self) -> Vec<String> {
        crate::helpers::stop_gracefully(&mut self.child);
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        rest
    }

    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = crate::helpers::http().post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = crate::helpers::http().get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// Signs in with the fixtures' strong password; returns the access token.
    async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/api/auth/login/",
                None,
                json!({ "email": email, "password": STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["tokens"]["access"].as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_install_serves_its_administrator() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let (firm, company) = cli.create_firm("Scripted Books");
        let admin = cli.create_user(&firm, "admin@scripted.example", "tenant_admin", STRONG_PASSWORD);
        cli.ok_with(
            &[
                "user",
                "set-password",
                "--email",
                "admin@scripted.example",
                "--password-stdin",
            ],
            Some(&format!("{ANOTHER_STRONG_PASSWORD}\n")),
        );
        cli.ok(&["migrate"]);

        let server = Server::start(&cli).await;
        let (status, body) = server.get("/api/setup/", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["setup_required"], false, "a user exists: no setup");

        let (status, body) = server
            .post(
                "/api/auth/login/",
                None,
                json!({ "email": "admin@scripted.example", "password": STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the replaced password no longer works: {body}"
        );

        let (status, body) = server
            .post(
                "/api/auth/login/",
                None,
                json!({ "email": "Admin@Scripted.example", "password": ANOTHER_STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["id"], admin.as_str());
        assert_eq!(body["user"]["role"], "tenant_admin");
        assert_eq!(body["user"]["tenant"], firm.as_str());
        assert_eq!(body["user"]["default_company"], company.as_str());
        let access = body["tokens"]["access"].as_str().unwrap().to_owned();

        let (status, accounts) = server
            .get("/api/accounting/chart-of-accounts/?page_size=200", Some(&access))
            .await;
        assert_eq!(status, StatusCode::OK, "{accounts}");
        assert_eq!(accounts["count"], 35, "the CLI's firm has the general chart");
        assert!(
            accounts["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["company"] == company.as_str())
        );

        let printed = server.stop();
        assert!(
            !printed.iter().any(|l| l.contains("/setup?token=")),
            "no setup link once a user exists: {printed:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_install_prints_a_one_time_setup_link() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let server = Server::start(&cli).await;
        let line = server.line_containing("/setup?token=", Duration::from_secs(30));
        let link = line.trim();
        assert!(link.starts_with(&format!("{}/setup?token=", server.base)), "{link}");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        assert!(token.len() >= 16, "{token}");

        let (status, body) = server.get("/api/setup/", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["setup_required"], true);

        let setup = |token: &str| {
            json!({
                "token": token,
                "firm_name": "Fresh Books",
                "company_name": "Fresh Books Trading",
                "email": "owner@fresh.example",
                "password": STRONG_PASSWORD,
                "first_name": "Grace",
                "last_name": "Hopper",
            })
        };
        let (status, body) = server.post("/api/setup/", None, setup("not-the-token")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["detail"].is_string(), "{body}");
        let (status, body) = server.post("/api/setup/", None, setup("")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an empty token is missing: {body}");
        assert!(body["token"].is_array(), "{body}");

        let mut weak = setup(&token);
        weak["password"] = json!("password1");
        let (status, body) = server.post("/api/setup/", None, weak).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a weak password is refused: {body}");
        assert!(body["password"].is_array(), "{body}");

        // A refused attempt does not use up the token.
        let (status, body) = server.post("/api/setup/", None, setup(&token)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(
            body["tokens"]["access"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["tokens"]["refresh"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert_eq!(body["user"]["email"], "owner@fresh.example");
        assert_eq!(body["user"]["role"], "tenant_admin");
        let access = body["tokens"]["access"].as_str().unwrap().to_owned();
        let (status, me) = server.get("/api/auth/me/", Some(&access)).await;
        assert_eq!(status, StatusCode::OK, "{me}");

        // Once only: the same token, or any other, is refused from now on.
        let (status, body) = server.post("/api/setup/", None, setup(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = server.get("/api/setup/", None).await;
        assert_eq!((status, body["setup_required"].clone()), (StatusCode::OK, json!(false)));

        let (status, body) = server
            .post(
                "/api/auth/login/",
                None,
                json!({ "email": "owner@fresh.example", "password": STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        drop(server);

        // The firm made through the web is visible to the operator commands.
        let firms = rows(&cli.ok(&["tenant", "list"]));
        assert_eq!(firms.len(), 1, "{firms:?}");
        assert_eq!(firms[0][1], "Fresh Books");
        let companies = rows(&cli.ok(&["company", "list", "--tenant", &firms[0][0]]));
        assert_eq!(
            companies.iter().map(|c| c[1].as_str()).collect::<Vec<_>>(),
            ["Fresh Books Trading"]
        );
    }
}

/// Regression test for a race in `POST /api/setup/`: the token is checked, the firm created
/// (slow: the password is hashed), and only then the token cleared, so concurrent requests with
/// the token each create a firm and an administrator. The link must work once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_setups_create_exactly_one_firm() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let server = Server::start(&cli).await;
        let line = server.line_containing("/setup?token=", Duration::from_secs(30));
        let token = line.trim().split("token=").nth(1).unwrap().to_owned();
        let mut handles = Vec::new();
        for i in 0..4 {
            let url = format!("{}/api/setup/", server.base);
            let body = json!({
                "token": token,
                "firm_name": format!("Racer {i}"),
                "email": format!("racer{i}@race.example"),
                "password": STRONG_PASSWORD,
                "first_name": "Race",
                "last_name": "Condition",
            });
            handles.push(tokio::spawn(async move {
                crate::helpers::http()
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut statuses = Vec::new();
        for h in handles {
            statuses.push(h.await.unwrap());
        }
        drop(server);
        let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        assert_eq!(created, 1, "{backend:?}: {statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::FORBIDDEN),
            "{statuses:?}"
        );
        assert_eq!(rows(&cli.ok(&["tenant", "list"])).len(), 1);
    }
}

/// Regression test: `--listen 127.0.0.1:0` lets the OS pick the port, and the setup link (and
/// the "listening on" log line) must show the port actually bound, not `:0`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_shows_the_bound_port() {
    let cli = Install::new(&Backend::Sqlite);
    let mut server = Server::spawn(&cli, "127.0.0.1:0");
    let line = server.line_containing("/setup?token=", Duration::from_secs(30));
    let link = line.trim().to_owned();
    let base = link.split("/setup?").next().unwrap().to_owned();
    assert_ne!(base, "http://127.0.0.1:0", "{link}");
    server.base = base;
    server.wait_until_healthy().await;
}

/// Regression test: a PostgreSQL URL may carry its password as a query parameter
/// (`?password=…`, accepted by libpq and rust-postgres); `config show` must mask it too.
#[test]
fn config_show_masks_a_password_in_the_url_query() {
    let cli = Install::new(&Backend::Sqlite);
    let out = cli
        .command()
        .args(["config", "show"])
        .env(
            "OASYS_DATABASE_URL",
            "postgres://oasys@db.internal/books?sslmode=require&password=hunter2",
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("sslmode=require"), "{shown}");
}

/// `oasys import statement` and `oasys reindex`: a CSV statement read into a bank account made
/// through the API — previewed (nothing written), imported, read again as lines already there,
/// refused for an account the firm does not have — then the search index rebuilt for one firm and
/// for every firm; the server afterwards lists exactly the imported lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_is_imported_and_the_index_rebuilt_from_the_command_line() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let (firm, _) = cli.create_firm("Statement Books");
        cli.create_user(&firm, "admin@statement.example", "tenant_admin", STRONG_PASSWORD);

        let server = Server::start(&cli).await;
        let access = server.login("admin@statement.example").await;
        let (status, accounts) = server
            .get("/api/accounting/chart-of-accounts/?page_size=200", Some(&access))
            .await;
        assert_eq!(status, StatusCode::OK, "{accounts}");
        let cash = accounts["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "1020")
            .unwrap()["id"]
            .clone();
        let (status, bank) = server
            .post(
                "/api/banking/accounts/",
                Some(&access),
                json!({ "name": "Main account", "account": cash, "iban": "DE89 3704 0044 0532 0130 00",
                        "opening_balance": "100.00" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{bank}");
        let bank_id = bank["id"].as_str().unwrap().to_owned();
        server.stop();

        let file = cli.dir.path().join("march.csv");
        std::fs::write(
            &file,
            "date,amount,text,counterparty\n2026-03-03,-20.50,Account fee,Bank\n2026-03-04,50.00,INV-2026-0001,Customer Ltd\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let by_iban = "DE89370400440532013000";
        let out = cli.ok(&["import", "statement", file, "--account", by_iban, "--preview"]);
        assert!(
            out.contains(
                "preview (nothing written): 2 lines: 2 new, 0 already imported; period 2026-03-03 to 2026-03-04"
            ),
            "{out}"
        );
        let out = cli.ok(&["import", "statement", file, "--account", &bank_id, "--tenant", &firm]);
        assert!(
            out.contains("imported into Main account") && out.contains("2 new"),
            "{out}"
        );
        let out = cli.ok(&["import", "statement", file, "--account", by_iban, "--preview"]);
        assert!(out.contains("0 new, 2 already imported"), "{out}");
        let err = cli.fails(
            &["import", "statement", file, "--account", "GB82WEST12345698765432"],
            None,
        );
        assert!(err.contains("no bank account"), "{err}");
        let missing = cli.dir.path().join("missing.csv");
        let err = cli.fails(
            &["import", "statement", missing.to_str().unwrap(), "--account", by_iban],
            None,
        );
        assert!(err.contains("missing.csv"), "{err}");

        let out = cli.ok(&["reindex", "--tenant", &firm]);
        assert!(
            out.contains(&format!("firm Statement Books ({firm})")) && out.contains("records indexed"),
            "{out}"
        );
        let out = cli.ok(&["reindex"]);
        assert!(out.contains("firm Statement Books"), "{out}");
        let err = cli.fails(&["reindex", "--tenant", "no-such-firm"], None);
        assert!(!err.is_empty());

        let server = Server::start(&cli).await;
        let access = server.login("admin@statement.example").await;
        let (status, lines) = server
            .get(&format!("/api/banking/accounts/{bank_id}/lines/"), Some(&access))
            .await;
        assert_eq!(status, StatusCode::OK, "{lines}");
        assert_eq!(lines["count"], 2, "{lines}");
        server.stop();
    }
}

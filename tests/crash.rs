//! Crash safety: a `kill -9` of the server during a bulk import over HTTP (seeded, repeated)
//! leaves every acknowledged entry present exactly once, no partial entry, every batch either
//! fully present or fully absent, the trial balance balanced, and `oasys verify` passing.
//!
//! Each round starts the real binary on the same data dir (SQLite), signs in, and posts batches
//! of 200 entries from two concurrent clients until the test sends SIGKILL after a delay drawn
//! from a per-round seeded xorshift. The seed can be changed with `OASYS_CRASH_SEED`.
//!
//! And the search index: a `kill -9` after a write's commit and before its index write loses
//! no hit (the change log written in the same transaction is taken after the restart).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_oasys");
const ROUNDS: u64 = 5;
const BATCH: usize = 200;
const CLIENTS: usize = 2;
/// Batches one client sends in a round at most, should the kill come late.
const MAX_BATCHES: usize = 40;
const DEFAULT_SEED: u64 = 0x0A5E_5C8A_5B00_0001;

/// A small deterministic PRNG (xorshift64).
struct Xorshift(u64);

impl Xorshift {
    fn new(seed: u64) -> Xorshift {
        Xorshift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

struct Server {
    child: Child,
    base: String,
}

/// The data dir, the config file and the server's log, kept across rounds.
struct Install {
    dir: tempfile::TempDir,
}

impl Install {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        for (key, _) in std::env::vars() {
            if key.starts_with("OASYS_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("RUST_LOG", "warn")
            .arg("--config")
            .arg(self.dir.path().join("oasys.toml"))
            .arg("--data-dir")
            .arg(self.data_dir());
        cmd
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Starts `oasys serve --demo` on a free port and waits until it answers.
    async fn start(&self, client: &reqwest::Client) -> Server {
        self.start_with(client, &[]).await
    }

    /// `start`, with these variables in the server's environment.
    async fn start_with(&self, client: &reqwest::Client, env: &[(&str, &str)]) -> Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = File::options().create(true).append(true).open(self.log()).unwrap();
        let child = self
            .command()
            .envs(env.iter().copied())
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/api/health/", server.base)).send().await
                && r.status() == StatusCode::OK
            {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited with {status} before answering:\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer in 60 s:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let r = client
        .post(format!("{base}/api/auth/login/"))
        .json(&json!({"email": "admin@oasys.com", "password": "admin123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["tokens"]["access"].as_str().unwrap().to_owned()
}

async fn get(client: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// The ids of the demo chart's cash, sales and sales-tax accounts.
async fn accounts(client: &reqwest::Client, base: &str, token: &str) -> [String; 3] {
    let page = get(client, base, token, "/api/accounting/chart-of-accounts/?page_size=200").await;
    let id = |code: &str| -> String {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .unwrap_or_else(|| panic!("no account {code} in the demo chart: {page}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    [id("1010"), id("4100"), id("2200")]
}

/// The amount of entry `i` of a batch, in cents, and its tax part: deterministic, so the trial
/// balance can be checked against what the present batches should add up to.
fn amounts(round: u64, batch: usize, i: usize) -> (i64, i64) {
    let seed = round * 1_000_003 + batch as u64 * 1_009 + i as u64;
    let total = i64::try_from(seed % 99_991).unwrap() + 100;
    (total, total / 7)
}

fn cents(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

/// A bulk body of `BATCH` entries of three lines each, referenced `crash-<round>-<batch>-<i>`.
fn bulk_body(round: u64, batch: usize, [cash, sales, tax]: &[String; 3]) -> Value {
    let entries: Vec<Value> = (0..BATCH)
        .map(|i| {
            let (total, vat) = amounts(round, batch, i);
            json!({
                "date": format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                "reference": format!("crash-{round}-{batch}-{i}"),
                "description": "crash test",
                "lines": [
                    {"account": cash, "debit_amount": cents(total)},
                    {"account": sales, "credit_amount": cents(total - vat)},
                    {"account": tax, "credit_amount": cents(vat)},
                ]
            })
        })
        .collect();
    json!({ "entries": entries })
}

/// What the clients saw.
#[derive(Default)]
struct Log {
    /// (round, batch) sent, with whether a 201 came back.
    sent: Vec<(u64, usize, bool)>,
    /// Answers other than 201: none are expected.
    refused: Vec<String>,
}

/// Sends batches until the server stops answering (or `MAX_BATCHES` per client).
async fn client_loop(
    client: reqwest::Client,
    base: String,
    token: String,
    ids: [String; 3],
    round: u64,
    first: usize,
    log: Arc<Mutex<Log>>,
) {
    for n in 0..MAX_BATCHES {
        let batch = first + n * CLIENTS;
        let body = bulk_body(round, batch, &ids);
        log.lock().unwrap().sent.push((round, batch, false));
        let sent = client
            .post(format!("{base}/api/accounting/journal-entries/bulk/"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(_) => return, // killed: this batch is unacknowledged
        };
        let status = response.status();
        let Ok(text) = response.text().await else {
            return; // killed while answering: unacknowledged
        };
        let mut log = log.lock().unwrap();
        if status == StatusCode::CREATED {
            let body: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(body["count"], BATCH, "{text}");
            if let Some(entry) = log.sent.iter_mut().find(|s| s.0 == round && s.1 == batch) {
                entry.2 = true;
            }
        } else {
            log.refused
                .push(format!("round {round} batch {batch}: {status} {text}"));
            return;
        }
    }
}

fn verify(install: &Install, when: &str) {
    let out = install.command().arg("verify").stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "oasys verify failed {when}: status {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_entry_and_leaves_no_partial_one() {
    let seed = std::env::var("OASYS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let install = Install {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::write(
        install.dir.path().join("oasys.toml"),
        "# test configuration: defaults only\n",
    )
    .unwrap();
    oasys::tls::install_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let log = Arc::new(Mutex::new(Log::default()));
    let mut ids: Option<[String; 3]> = None;

    for round in 0..ROUNDS {
        let mut rng = Xorshift::new(seed ^ (round + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut server = install.start(&client).await;
        let token = login(&client, &server.base).await;
        let accounts = match &ids {
            Some(ids) => ids.clone(),
            None => ids.insert(accounts(&client, &server.base, &token).await).clone(),
        };
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                tokio::spawn(client_loop(
                    client.clone(),
                    server.base.clone(),
                    token.clone(),
                    accounts.clone(),
                    round,
                    c,
                    Arc::clone(&log),
                ))
            })
            .collect();
        let delay = Duration::from_millis(100 + rng.next() % 1_900);
        tokio::time::sleep(delay).await;
        server.child.kill().unwrap(); // SIGKILL on Unix
        server.child.wait().unwrap();
        for c in clients {
            c.await.unwrap();
        }
        let (sent, acked) = {
            let log = log.lock().unwrap();
            let mine: Vec<_> = log.sent.iter().filter(|s| s.0 == round).collect();
            (mine.len(), mine.iter().filter(|s| s.2).count())
        };
        eprintln!("round {round}: killed after {delay:?}; {sent} batches sent, {acked} acknowledged");
        verify(&install, &format!("after the kill of round {round} (seed {seed:#x})"));
    }

    // The books after the last crash, through the API of a restarted server.
    let mut server = install.start(&client).await;
    let token = login(&client, &server.base).await;
    let log = std::mem::take(&mut *log.lock().unwrap());
    assert!(log.refused.is_empty(), "batches were refused: {:#?}", log.refused);
    assert!(
        log.sent.iter().any(|s| s.2),
        "no batch was ever acknowledged: the kill came too early to test anything"
    );
    let (mut present_entries, mut expected_total) = (0u64, 0i64);
    let mut unacked_present = 0;
    for &(round, batch, acked) in &log.sent {
        let prefix = format!("crash-{round}-{batch}-");
        let page = get(
            &client,
            &server.base,
            &token,
            &format!("/api/accounting/journal-entries/?search={prefix}&page_size=200"),
        )
        .await;
        let count = page["count"].as_u64().unwrap();
        let results = page["results"].as_array().unwrap();
        let references: BTreeSet<&str> = results.iter().map(|e| e["reference"].as_str().unwrap()).collect();
        for e in results {
            let lines = e["lines"].as_array().unwrap().len();
            assert_eq!(lines, 3, "{} has {lines} lines (seed {seed:#x})", e["reference"]);
            assert_eq!(e["status"], "posted");
        }
        match (acked, count) {
            (_, 200) => {
                let expected: BTreeSet<String> = (0..BATCH).map(|i| format!("{prefix}{i}")).collect();
                let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
                assert_eq!(references, expected, "batch {prefix}: references (seed {seed:#x})");
                present_entries += 200;
                expected_total += (0..BATCH).map(|i| amounts(round, batch, i).0).sum::<i64>();
                if !acked {
                    unacked_present += 1;
                }
            }
            (false, 0) => {}
            (true, n) => panic!("acknowledged batch {prefix} has {n} entries, not {BATCH} (seed {seed:#x})"),
            (false, n) => panic!("unacknowledged batch {prefix} is partly present: {n} entries (seed {seed:#x})"),
        }
    }
    eprintln!(
        "{} batches sent, {} acknowledged, {unacked_present} present without acknowledgement",
        log.sent.len(),
        log.sent.iter().filter(|s| s.2).count()
    );
    // Nothing else: no stray or duplicated crash entry.
    let all = get(
        &client,
        &server.base,
        &token,
        "/api/accounting/journal-entries/?search=crash-&page_size=1",
    )
    .await;
    assert_eq!(all["count"].as_u64(), Some(present_entries));
    // The trial balance balances and holds exactly the present batches.
    let tb = get(
        &client,
        &server.base,
        &token,
        "/api/reports/trial-balance/?as_of=2100-01-01",
    )
    .await;
    assert_eq!(tb["totals"]["debit"], tb["totals"]["credit"], "{tb}");
    assert_eq!(tb["totals"]["debit"], cents(expected_total), "{tb}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    verify(&install, "at the end");
}

/// The server is killed after a write committed and before the index took it (the test switch
/// `OASYS_TEST_SEARCH_SKIP_CATCH_UP=1` leaves every change in the log, as a kill at that point
/// would); restarted, it finds the record. The index existed before the write (a search built
/// it), so only the change log can bring the record in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_between_the_commit_and_the_index_write_loses_no_hit() {
    let install = Install {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::write(
        install.dir.path().join("oasys.toml"),
        "# test configuration: defaults only\n",
    )
    .unwrap();
    oasys::tls::install_provider();
    let client = reqwest::Client::new();
    let search = |base: String, token: String, client: reqwest::Client| async move {
        let body = get(&client, &base, &token, "/api/search/?q=quetzalcoatl&kind=contact").await;
        body["total"].as_u64().unwrap()
    };
    let mut server = install
        .start_with(&client, &[("OASYS_TEST_SEARCH_SKIP_CATCH_UP", "1")])
        .await;
    let token = login(&client, &server.base).await;
    assert_eq!(search(server.base.clone(), token.clone(), client.clone()).await, 0);
    let r = client
        .post(format!("{}/api/sales/customers/", server.base))
        .bearer_auth(&token)
        .json(&json!({"name": "Quetzalcoatl Trading"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let index = std::fs::read_dir(install.data_dir().join("tenants"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|d| d.path().join("search").join("oasys-search-version").exists());
    assert!(index, "the first search built an index");

    let mut server = install.start(&client).await;
    let token = login(&client, &server.base).await;
    assert_eq!(search(server.base.clone(), token, client.clone()).await, 1);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

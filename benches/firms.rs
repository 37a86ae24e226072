//! Many firms on one server (issue 15): what `oasys serve` costs with N firms in its data dir.
//!
//! Creates N firms (`OASYS_BENCH_FIRMS`, default 10,000) through `provision::create_firm`, the
//! code path registration uses (the first few hundred with an administrator, whose tokens the
//! benchmark signs with the server's secret), then runs the release binary on that data dir and
//! measures: the start-up time until `/api/health/` answers (and with no firm), the idle resident
//! memory, the first request to firms not open yet (p50/p99), and the memory each open firm adds.
//! Prints each figure next to its goal; asserts nothing.
//!
//! `cargo bench --bench firms` (optionally `OASYS_BENCH_FIRMS=2000`; `OASYS_BENCH_IDLE_SECONDS`
//! for how long idle memory is watched, default 30). SQLite only: the per-firm files are what
//! this measures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ms, percentile};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use oasys::auth::jwt::{Keys, TokenType};
use oasys::domain::tenants::companies::DEFAULT_CHART;
use oasys::domain::tenants::{CompanyDetails, Plan};
use oasys::provision::{self, NewFirm, NewUser};
use oasys::store::{Store, StoreConfig};

/// The binary measured: `OASYS_BENCH_BIN` (a copy, so that another build cannot replace it
/// mid-run), else the one cargo built with this benchmark.
fn binary() -> String {
    std::env::var("OASYS_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_oasys").to_owned())
}
const SECRET: &str = "bench-firms-secret-bench-firms-secret-0123";
/// Firms that get a user: the cold requests, then the firms opened to measure memory; together
/// fewer than the firm cache holds (256), so that no eviction hides what a firm costs.
const COLD: usize = 100;
const OPENED: usize = 150;
const STARTS: usize = 5;
/// Long enough for the checkpointer (every 500 ms) to see a firm unused for a whole round and
/// release it.
const REST: Duration = Duration::from_secs(3);

struct Signed {
    token: String,
}

fn firms_wanted() -> usize {
    std::env::var("OASYS_BENCH_FIRMS")
        .ok()
        .and_then(|v| v.parse().ok())
        // `cargo test --all-targets` (CI) runs this without `--bench`: a short run, the same paths.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            10_000
        } else {
            400
        })
}

fn company(name: &str) -> CompanyDetails {
    CompanyDetails {
        name: name.into(),
        currency: "EUR".into(),
        timezone: "Europe/Berlin".into(),
        ..CompanyDetails::default()
    }
}

/// Creates `n` firms in `dir`, the first `with_users` with an administrator; returns an access
/// token for each of those.
fn create_firms(dir: &Path, n: usize, with_users: usize) -> Vec<Signed> {
    let store = Arc::new(
        Store::open(&StoreConfig::Sqlite {
            data_dir: dir.to_owned(),
            cache_size: 4,
        })
        .unwrap(),
    );
    let keys = Arc::new(Keys::new(SECRET.as_bytes(), 24 * 3600, 24 * 3600));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (store, next, keys) = (Arc::clone(&store), Arc::clone(&next), Arc::clone(&keys));
            std::thread::spawn(move || {
                let mut signed = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n {
                        return signed;
                    }
                    let admin = (k < with_users).then(|| NewUser {
                        enforce_policy: false,
                        ..NewUser::administrator(
                            format!("admin{k}@firm{k}.example"),
                            "bench-firms-harbour-42".into(),
                            "A".into(),
                            "B".into(),
                        )
                    });
                    let firm = NewFirm {
                        name: format!("Firm {k}"),
                        domain: None,
                        plan: Plan::Basic,
                        company: company(&format!("Company {k}")),
                        chart: DEFAULT_CHART.into(),
                        admin,
                    };
                    let made = provision::create_firm(&store, firm, None).unwrap();
                    if let Some(user) = made.admin {
                        let (token, _) = keys
                            .issue(
                                TokenType::Access,
                                user.id,
                                Some(made.tenant.id),
                                user.token_version,
                                None,
                            )
                            .unwrap();
                        signed.push((k, Signed { token }));
                    }
                    if k % 1000 == 999 {
                        eprintln!("  {} firms created ({:.0} s)", k + 1, started.elapsed().as_secs_f64());
                    }
                }
            })
        })
        .collect();
    let mut all: Vec<(usize, Signed)> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    all.sort_by_key(|(k, _)| *k);
    println!(
        "created {n} firms in {:.1} s ({:.2} ms each, 2 threads)",
        started.elapsed().as_secs_f64(),
        ms(started.elapsed()) / n as f64
    );
    all.into_iter().map(|(_, s)| s).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running {
    child: Child,
    base: String,
    ready_after: Duration,
}

impl Drop for Running {
    fn drop(&mut self) {
        // SIGTERM, then wait: the next start must not find the previous one's port or files busy.
        // SAFETY: kill only signals the child this benchmark started.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// Starts `oasys serve` and returns once `/api/health/` answers 200.
async fn start(dir: &Path, http: &reqwest::Client) -> Running {
    let config = dir.join("bench-oasys.toml");
    std::fs::write(&config, format!("jwt_secret = \"{SECRET}\"\n")).unwrap();
    let port = free_port();
    let mut cmd = Command::new(binary());
    for (key, _) in std::env::vars() {
        if key.starts_with("OASYS_") {
            cmd.env_remove(key);
        }
    }
    let began = Instant::now();
    let child = cmd
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    loop {
        if let Ok(r) = http.get(format!("{base}/api/health/")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(120),
            "the server did not answer in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Running {
        ready_after: began.elapsed(),
        child,
        base,
    }
}

/// Resident memory of a process, from /proc (bytes).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Median start-up over [`STARTS`] runs (each server stopped before the next starts).
async fn startup(dir: &Path, http: &reqwest::Client) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let run = start(dir, http).await;
        times.push(run.ready_after);
        drop(run);
    }
    times
}

async fn get(http: &reqwest::Client, base: &str, token: &str) -> Duration {
    let t = Instant::now();
    let res = http
        .get(format!("{base}/api/accounting/chart-of-accounts/?page_size=5"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    res.bytes().await.unwrap();
    assert!(status.is_success(), "chart of accounts: {status}");
    t.elapsed()
}

fn row(what: &str, value: String, goal: &str) {
    println!("{what:<46} {value:>14}   goal {goal}");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = firms_wanted().max(COLD + OPENED + 1);
    let idle_seconds: u64 = std::env::var("OASYS_BENCH_IDLE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let http = common::http();
    println!(
        "firms benchmark: {n} firms, {} cores, commit {}",
        std::thread::available_parallelism().map_or(0, |c| c.get()),
        std::env::var("OASYS_BENCH_COMMIT").unwrap_or_else(|_| "(set OASYS_BENCH_COMMIT)".into())
    );
    println!("binary: {}", binary());

    let empty = tempfile::tempdir().unwrap();
    let mut none = startup(empty.path(), &http).await;
    let empty_run = start(empty.path(), &http).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let empty_rss = rss(empty_run.child.id());
    drop(empty_run);

    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_owned();
    let signed = tokio::task::spawn_blocking(move || create_firms(&dir_path, n, COLD + OPENED))
        .await
        .unwrap();
    let mut many = startup(dir.path(), &http).await;

    let run = start(dir.path(), &http).await;
    let pid = run.child.id();
    let mut samples = Vec::new();
    for _ in 0..idle_seconds {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(rss(pid));
    }
    let idle = *samples.last().unwrap();
    let idle_peak = *samples.iter().max().unwrap();

    let mut cold = Vec::new();
    for s in &signed[..COLD] {
        cold.push(get(&http, &run.base, &s.token).await);
    }
    let mut warm = Vec::new();
    for s in &signed[..COLD] {
        warm.push(get(&http, &run.base, &s.token).await);
    }
    // Memory per open firm, twice: right after each firm's request (its connection's page cache
    // full), and once the firms have rested for several checkpointer rounds (caches released,
    // extra readers closed; the firms stay open). The baseline is taken at rest too, so that the
    // cold firms' release does not count against the opened ones.
    tokio::time::sleep(REST).await;
    let before = rss(pid);
    for s in &signed[COLD..COLD + OPENED] {
        get(&http, &run.base, &s.token).await;
    }
    let active = rss(pid);
    tokio::time::sleep(REST).await;
    let after = rss(pid);
    let per_firm_active = active.saturating_sub(before) / OPENED as u64;
    let per_firm = after.saturating_sub(before) / OPENED as u64;

    println!();
    row(
        "start-up, no firm (median of 5)",
        format!("{:.0} ms", ms(percentile(&mut none, 0.5))),
        "(reference)",
    );
    row(
        &format!("start-up, {n} firms (median of 5)"),
        format!("{:.0} ms", ms(percentile(&mut many, 0.5))),
        "<= 100 ms",
    );
    row("idle RSS, no firm", format!("{:.1} MB", mb(empty_rss)), "(reference)");
    row(
        &format!("idle RSS, {n} firms, {idle_seconds} s after start"),
        format!("{:.1} MB", mb(idle)),
        "<= 50 MB",
    );
    row(
        &format!("  peak RSS in those {idle_seconds} s"),
        format!("{:.1} MB", mb(idle_peak)),
        "(reference)",
    );
    row(
        &format!("first request to a firm not open, p50 ({COLD})"),
        format!("{:.1} ms", ms(percentile(&mut cold, 0.5))),
        "<= 20 ms",
    );
    row(
        &format!("first request to a firm not open, p99 ({COLD})"),
        format!("{:.1} ms", ms(percentile(&mut cold, 0.99))),
        "<= 20 ms",
    );
    row(
        "same request, firm open, p50",
        format!("{:.1} ms", ms(percentile(&mut warm, 0.5))),
        "(reference)",
    );
    row(
        &format!("RSS per open firm, just used ({OPENED} opened)"),
        format!("{:.0} KB", per_firm_active as f64 / 1024.0),
        "(reference)",
    );
    row(
        &format!("RSS per open firm, resting {} s", REST.as_secs()),
        format!("{:.0} KB", per_firm as f64 / 1024.0),
        "<= 200 KB",
    );
    row(
        &format!("  RSS with {} firms opened", COLD + OPENED),
        format!("{:.1} MB", mb(after)),
        "(reference)",
    );
    drop(run);
}

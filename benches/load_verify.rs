//! The real binary under a large ledger: starts `oasys serve` as a child process on a fresh
//! SQLite data dir, posts 1M journal lines (500k two-line entries, dated in order over two
//! years) through the bulk API, reads the server's resident memory from `/proc/<pid>/status`
//! (`VmRSS` now, `VmHWM` the peak), stops it, then times `oasys verify` (the command itself, a
//! child process) over those entries. Prints each figure next to its goal; asserts nothing.
//!
//! A child process, not the in-process server of `benches/ledger.rs`: there the server shares
//! its process with the client and its request bodies, and its memory cannot be told apart.
//!
//! `cargo bench --bench load_verify` (optionally `OASYS_BENCH_LINES=200000` for a shorter run,
//! `OASYS_BENCH_VERIFY_RUNS=3` for more runs of verify). Extra environment for the server, e.g.
//! `MALLOC_ARENA_MAX=2`, is passed on to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ENTRIES_PER_BULK: usize = 10_000;
/// The goals of issue 15 on this project's 2-core machine.
const VERIFY_GOAL: f64 = 150_000.0;
const RSS_GOAL_MB: f64 = 100.0;
const BYTES_PER_LINE_GOAL: f64 = 350.0;

/// `oasys` with this bench's configuration file and data dir, and none of the caller's `OASYS_`
/// settings (which could point it at another database).
fn oasys(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oasys"));
    for (key, _) in std::env::vars() {
        if key.starts_with("OASYS_") {
            cmd.env_remove(key);
        }
    }
    cmd.arg("--config")
        .arg(dir.join("oasys.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env(
            "RUST_LOG",
            std::env::var("OASYS_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        );
    cmd
}

/// CPU seconds (user + system) used so far by this process's children that have ended: on a
/// machine shared with other work, a steadier measure than the wall clock.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &raw mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// `VmRSS` and `VmHWM` of a process, in MB.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> f64 {
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/{pid}/status"));
        kib / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let log = dir.join("serve.log");
        let child = oasys(dir)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let client = common::http();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/api/health/", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited with {status}: {}", server.log());
            }
            assert!(Instant::now() < deadline, "the server did not start: {}", server.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Asks the server to shut down as an operator would (SIGTERM), and waits for it.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exited with {status}: {}", self.log());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo test --all-targets` (CI) runs this without `--bench`: a short run, the same paths.
    let full = std::env::args().any(|a| a == "--bench");
    let target_lines = if full || std::env::var_os("OASYS_BENCH_LINES").is_some() {
        common::target_lines()
    } else {
        100_000
    };
    let entries = target_lines / 2;
    let runs: usize = std::env::var("OASYS_BENCH_VERIFY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("oasys.toml"),
        "jwt_secret = \"bench-secret-bench-secret-bench-secret\"\n",
    )
    .unwrap();
    let server = Server::start(dir.path()).await;
    let pid = server.child.id();
    let http = common::http();
    let token = common::register(&server.base, "bench-verify-harbour-42").await;
    let chart = common::chart(&server.base, &token).await;
    let id = |code: &str| common::account_id(&chart, code);
    let debit: Vec<String> = ["1010", "1020", "1100", "1200", "1300"].iter().map(|c| id(c)).collect();
    let credit: Vec<String> = ["2100", "2200", "4100", "4200", "4900"].iter().map(|c| id(c)).collect();
    let (idle_rss, _) = memory_mb(pid);
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map_or_else(
            || "unknown".to_owned(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        );
    println!(
        "OASYS load + verify benchmark (the oasys binary as a child process, sqlite, {} CPUs, commit {commit})",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The same entries as the first run of `benches/ledger.rs`: two lines each, dated in order
    // over two years, ten accounts, one client sending one request after another.
    let start = jiff::civil::date(2024, 1, 1);
    let t = Instant::now();
    let mut sent = Duration::ZERO;
    for i in (0..entries).step_by(ENTRIES_PER_BULK) {
        let batch: Vec<Value> = (i..(i + ENTRIES_PER_BULK).min(entries))
            .map(|k| {
                let date = start
                    .checked_add(jiff::Span::new().days((k * 730 / entries) as i64))
                    .unwrap();
                common::two_line_entry(k, date, &debit, &credit)
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "entries": batch })).unwrap();
        let s = Instant::now();
        let res = http
            .post(format!("{}/api/accounting/journal-entries/bulk/", server.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        sent += s.elapsed();
        assert_eq!(status, 201, "{text}");
    }
    let (rss, hwm) = memory_mb(pid);
    println!(
        "bulk API load:                 {} lines ({entries} entries) in {:.1} s ({:.0} lines/s, server time)",
        2 * entries,
        t.elapsed().as_secs_f64(),
        (2 * entries) as f64 / sent.as_secs_f64()
    );
    println!("server RSS idle after start:   {idle_rss:.1} MB");
    println!(
        "server RSS after {} lines:   {rss:.1} MB (VmRSS)   goal ≤ {RSS_GOAL_MB:.0} MB{}",
        2 * entries,
        if rss <= RSS_GOAL_MB { "  met" } else { "  NOT MET" }
    );
    println!("server peak RSS during load:   {hwm:.1} MB (VmHWM)");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (rss_later, _) = memory_mb(pid);
    println!("server RSS 2 s later:          {rss_later:.1} MB (VmRSS)");
    server.stop();
    let file = firm_files_bytes(&dir.path().join("data").join("tenants"));
    let per_line = file as f64 / (2 * entries) as f64;
    println!(
        "firm file after {} lines:     {:.1} MB = {per_line:.0} B per line   goal ≤ {BYTES_PER_LINE_GOAL:.0} B per line{}",
        2 * entries,
        file as f64 / 1e6,
        if per_line <= BYTES_PER_LINE_GOAL {
            "  met"
        } else {
            "  NOT MET"
        }
    );

    for run in 1..=runs {
        let cpu_before = children_cpu();
        let t = Instant::now();
        let out = oasys(dir.path()).arg("verify").output().unwrap();
        let elapsed = t.elapsed();
        let cpu = children_cpu() - cpu_before;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "oasys verify failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(&format!(" {entries} entries")), "{stdout}");
        let rate = entries as f64 / elapsed.as_secs_f64();
        println!(
            "oasys verify, {entries} entries, run {run}: {:.2} s = {rate:.0} entries/s   goal ≥ {VERIFY_GOAL:.0} entries/s{}",
            elapsed.as_secs_f64(),
            if rate >= VERIFY_GOAL { "  met" } else { "  NOT MET" }
        );
        println!("  (CPU time of the verify process: {cpu:.2} s, user + system)");
        if std::env::var("OASYS_BENCH_LOG").is_ok() {
            print!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// The bytes of every firm's database below `tenants` (the file, and its WAL if one is left).
fn firm_files_bytes(tenants: &Path) -> u64 {
    let mut total = 0;
    for firm in std::fs::read_dir(tenants).unwrap().flatten() {
        for file in std::fs::read_dir(firm.path()).unwrap().flatten() {
            let name = file.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".db") || name.ends_with(".db-wal") {
                total += file.metadata().unwrap().len();
            }
        }
    }
    total
}

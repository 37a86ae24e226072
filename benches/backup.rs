//! Backup throughput: loads a ledger of `OASYS_BENCH_LINES` journal lines (default 1,000,000)
//! through the bulk API of a running server, then times `oasys backup` (the library call the
//! command makes), `oasys verify ARCHIVE` and `oasys restore` on it, and prints MB/s and
//! entries/s. The server stays up during the backup, as it would in production.
//!
//! `cargo bench --bench backup` (SQLite: backups copy SQLite files).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ENTRIES_PER_BULK: usize = 10_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let target_lines = common::target_lines();
    let server = common::start("bench-backup-harbour-42").await;
    assert_eq!(
        server.backend, "sqlite",
        "backups copy SQLite files: unset OASYS_BENCH_DATABASE_URL"
    );
    let http = common::http();
    let chart = common::chart(&server.base, &server.token).await;
    let id = |code: &str| common::account_id(&chart, code);
    let (debit, credit) = (id("1020"), id("4100"));
    println!(
        "OASYS backup benchmark (sqlite, {} CPUs)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let start = jiff::civil::date(2024, 1, 1);
    let t = Instant::now();
    let mut posted = 0usize;
    while posted * 2 < target_lines {
        let n = ENTRIES_PER_BULK.min(target_lines / 2 - posted);
        let entries: Vec<Value> = (posted..posted + n)
            .map(|k| {
                let date = start.checked_add(jiff::Span::new().days((k % 730) as i64)).unwrap();
                let amount = format!("{}.{:02}", 1 + k % 997, k % 100);
                json!({ "date": date.to_string(), "reference": format!("B{k}"), "description": "bench",
                        "lines": [{ "account": debit, "debit_amount": amount },
                                  { "account": credit, "credit_amount": amount }] })
            })
            .collect();
        let r = http
            .post(format!("{}/api/accounting/journal-entries/bulk/", server.base))
            .bearer_auth(&server.token)
            .json(&json!({ "entries": entries }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        posted += n;
    }
    println!(
        "loaded:              {} entries, {} lines in {:.1} s",
        posted,
        posted * 2,
        t.elapsed().as_secs_f64()
    );
    // Let the checkpointer fold the WAL into the files, as on a server at rest.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let data_dir = server.data_dir().to_owned();
    let out = tempfile::tempdir().unwrap();
    for (round, encrypted) in [(1, false), (2, false), (3, true)] {
        let dest = out.path().join(format!("bench-{round}.tar.zst"));
        let (data_dir, dest2) = (data_dir.clone(), dest.clone());
        let summary = tokio::task::spawn_blocking(move || {
            oasys::backup::create(
                &oasys::backup::Request {
                    data_dir: &data_dir,
                    dest: &dest2,
                    tenant: None,
                    passphrase: encrypted.then_some("a bench passphrase of some length"),
                    reason: oasys::backup::Reason::Manual,
                },
                &|_, _, _| {},
            )
        })
        .await
        .unwrap()
        .unwrap();
        println!(
            "backup {round}{}:   {:.1} MB of data -> {:.1} MB archive in {:.2} s = {:.0} MB/s, {:.0} entries/s, {:.0} lines/s (written, read back, checked)",
            if encrypted { " (encrypted)" } else { "            " },
            summary.data_bytes as f64 / 1e6,
            summary.archive_bytes as f64 / 1e6,
            summary.seconds,
            summary.data_bytes as f64 / 1e6 / summary.seconds,
            summary.entries as f64 / summary.seconds,
            summary.lines as f64 / summary.seconds,
        );
        if round == 2 {
            let scratch = out.path().join("scratch");
            std::fs::create_dir_all(&scratch).unwrap();
            let t = Instant::now();
            let (manifest, problems) = oasys::backup::restore::verify_archive(&dest, None, &scratch, None).unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            println!(
                "verify ARCHIVE:      {:.2} s ({} lines: checksums, rows, the full ledger verification)",
                t.elapsed().as_secs_f64(),
                manifest.totals().1
            );
            let target = out.path().join("restored");
            let t = Instant::now();
            std::fs::create_dir_all(&target).unwrap();
            let unpacked = oasys::backup::restore::unpack(&dest, None, &target).unwrap();
            oasys::backup::restore::restore(
                &oasys::backup::restore::RestoreRequest {
                    unpacked,
                    data_dir: &target,
                    force: false,
                },
                &|_, _, _| {},
            )
            .unwrap();
            println!("restore (files):     {:.2} s", t.elapsed().as_secs_f64());
        }
    }
}

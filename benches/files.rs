//! Document uploads (issue 18): a 10 MB PDF posted to `/api/documents/` on the real server,
//! streamed to a temporary file while hashed, put to local storage and its rows committed — the
//! goal "an upload of a 10 MB PDF answers in ≤ 300 ms (extraction runs afterwards)". Each upload
//! is new bytes (no deduplication shortcut); p50 and the worst of the runs are printed.
//!
//! `cargo bench --bench files` runs 20 uploads; `cargo test --all-targets` runs it without
//! `--bench`: 2 uploads of 1 MB. `OASYS_BENCH_UPLOADS` sets the count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

const GOAL: Duration = Duration::from_millis(300);

/// A PDF of `size` bytes whose bytes differ with `seed`: a header, a stream of varied bytes.
fn pdf(size: usize, seed: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Length 0>>stream\n".to_vec();
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    while out.len() < size - 16 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(b"\nendstream\n%%EOF\n");
    out
}

fn form(bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "oasys-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let uploads: usize = std::env::var("OASYS_BENCH_UPLOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 20 } else { 2 });
    let size = if full { 10 << 20 } else { 1 << 20 };
    let server = common::start("bench-Password-2026!").await;
    let client = common::http();
    let mut times = Vec::with_capacity(uploads);
    for i in 0..uploads {
        let (content_type, body) = form(&pdf(size, i as u64 + 1));
        let started = Instant::now();
        let r = client
            .post(format!("{}/api/documents/", server.base))
            .bearer_auth(&server.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        times.push(started.elapsed());
        assert_eq!(status, 201, "{text}");
    }
    let p50 = common::percentile(&mut times, 0.5);
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "files ({}): {uploads} uploads of a {:.1} MB PDF: p50 {:.1} ms, worst {:.1} ms (goal ≤ {} ms){}",
        server.backend,
        size as f64 / 1_048_576.0,
        common::ms(p50),
        common::ms(worst),
        GOAL.as_millis(),
        if cfg!(debug_assertions) {
            " — a debug build: the lead measures release"
        } else {
            ""
        }
    );
}

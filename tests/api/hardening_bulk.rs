//! Bounded work before authorization: a huge bulk body from a user who may not post is refused
//! before it is read, and one from a user who may is capped while it is parsed. Measured on the
//! real binary's own memory (VmHWM, `/proc/<pid>/status`), not trusted from a status code.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::oasys_command;

/// A running `oasys serve` on its own data dir, stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        crate::helpers::stop_gracefully(&mut self.child);
    }
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("oasys.toml");
        std::fs::write(&config, "").unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = oasys_command(&config, &dir.path().join("data"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let client = crate::helpers::http();
        let deadline = Instant::now() + Duration::from_secs(60);
        while client
            .get(format!("{}/api/health/", server.base))
            .send()
            .await
            .map(|r| r.status() != StatusCode::OK)
            .unwrap_or(true)
        {
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// The server's peak resident memory so far, in bytes.
    fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }

    async fn json(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let mut req = crate::helpers::http().post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// Sends `body` to the bulk endpoint as `token`; the status and how long the answer took.
    /// Over a plain socket: a server that refuses before reading the body may close the
    /// connection while the body is still being written, and the answer must be read anyway.
    async fn bulk(&self, token: &str, body: Vec<u8>) -> (StatusCode, Duration) {
        use std::io::{BufRead, BufReader, Write};
        let addr = self.base.trim_start_matches("http://").to_owned();
        let token = token.to_owned();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            let head = format!(
                "POST /api/accounting/journal-entries/bulk/ HTTP/1.1\r\nHost: {addr}\r\n\
                 Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let mut writer = stream.try_clone().unwrap();
            let sender = std::thread::spawn(move || {
                // A refusal may close the socket mid-body: that is the point, not a failure.
                let _ = writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body));
            });
            stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut status_line = String::new();
            BufReader::new(&mut stream).read_line(&mut status_line).unwrap();
            let took = started.elapsed();
            let _ = sender.join();
            let code: u16 = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
            (StatusCode::from_u16(code).unwrap(), took)
        })
        .await
        .unwrap()
    }
}

/// `{"entries": [{"date": …, "lines": [{}, {}, …]}]}` of about `size` bytes.
fn empty_lines(size: usize) -> Vec<u8> {
    let mut body = br#"{"entries": [{"date": "2026-01-05", "lines": [{}"#.to_vec();
    while body.len() < size {
        body.extend_from_slice(b",{}");
    }
    body.extend_from_slice(b"]}]}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_bulk_bodies_cost_little_before_and_after_the_permission_check() {
    let server = Server::start().await;
    let owner = server
        .json(
            "/api/auth/register/",
            None,
            json!({ "email": "owner@bulk.test", "password": STRONG_PASSWORD, "first_name": "A",
                    "last_name": "B", "firm_name": "Bulk Books" }),
        )
        .await;
    let owner_token = owner["tokens"]["access"].as_str().unwrap().to_owned();
    server
        .json(
            "/api/tenants/users/",
            Some(&owner_token),
            json!({ "email": "staff@bulk.test", "role": "staff", "password": STRONG_PASSWORD }),
        )
        .await;
    let staff = server
        .json(
            "/api/auth/login/",
            None,
            json!({ "email": "staff@bulk.test", "password": STRONG_PASSWORD }),
        )
        .await;
    let staff_token = staff["tokens"]["access"].as_str().unwrap().to_owned();

    const MIB: usize = 1024 * 1024;
    let body = empty_lines(16 * MIB);
    let before = server.peak_memory();
    let (status, took) = server.bulk(&staff_token, body.clone()).await;
    let grown = server.peak_memory().saturating_sub(before);
    println!(
        "16 MiB bulk body without permission: {status} in {} ms, peak memory +{:.1} MB",
        took.as_millis(),
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(grown < 50_000_000, "the refusal grew the server by {grown} bytes");
    // Generous: before the fix this took about 6 s (the body was parsed first).
    assert!(took < Duration::from_secs(3), "the refusal took {took:?}");

    // With the permission, the lines are capped while they are read: a clear 400, and memory
    // under ten times the body.
    let before = server.peak_memory();
    let (status, took) = server.bulk(&owner_token, body).await;
    let grown = server.peak_memory().saturating_sub(before);
    println!(
        "16 MiB of empty lines with permission: {status} in {} ms, peak memory +{:.1} MB",
        took.as_millis(),
        grown as f64 / 1e6
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        grown < 10 * 16 * MIB as u64,
        "a 16 MiB body grew the server by {grown} bytes"
    );
}

/// A single entry of 600,000 empty lines (under the 2 MiB body limit): one short answer naming the field, not an answer as
/// large as the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_entry_gets_a_short_answer() {
    let server = Server::start().await;
    let owner = server
        .json(
            "/api/auth/register/",
            None,
            json!({ "email": "owner@entry.test", "password": STRONG_PASSWORD, "first_name": "A",
                    "last_name": "B", "firm_name": "Entry Books" }),
        )
        .await;
    let token = owner["tokens"]["access"].as_str().unwrap();
    let mut body = br#"{"date": "2026-01-05", "lines": [{}"#.to_vec();
    for _ in 0..600_000 {
        body.extend_from_slice(b",{}");
    }
    body.extend_from_slice(b"]}");
    let r = crate::helpers::http()
        .post(format!("{}/api/accounting/journal-entries/", server.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    println!("600,000 empty lines: a {} byte answer", text.len());
    assert!(text.len() < 20_000, "a {} byte answer", text.len());
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        answer["lines"],
        json!(["An entry may have at most 1000 lines."]),
        "{text}"
    );
}

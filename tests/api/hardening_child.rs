//! The real `oasys serve` as a child process, for the hardening tests that measure what the
//! server itself does: its peak memory (`VmHWM` of `/proc/<pid>/status`) and its log lines.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::oasys_command;

pub struct ChildServer {
    child: Child,
    pub base: String,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl ChildServer {
    /// Starts `oasys serve` on a free port with `toml` as its configuration (on SQLite), and
    /// waits until `/api/health/` answers.
    pub async fn start(toml: &str) -> ChildServer {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("oasys.toml");
        std::fs::write(
            &config,
            format!("jwt_secret = \"child-server-signing-secret-0123456789\"\n{toml}"),
        )
        .unwrap();
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let log = dir.path().join("serve.log");
        let child = oasys_command(&config, &dir.path().join("data"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = ChildServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        server.wait_until_healthy().await;
        server
    }

    async fn wait_until_healthy(&mut self) {
        let client = crate::helpers::http();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/api/health/", self.base)).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status}: {}", self.log());
            }
            assert!(Instant::now() < deadline, "the server did not start: {}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The server's peak resident memory so far, in bytes.
    pub fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status");
        kib * 1024
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        crate::helpers::stop_gracefully(&mut self.child);
    }
}

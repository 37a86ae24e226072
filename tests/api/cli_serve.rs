//! `oasys serve` as an operator runs it: `--demo` makes the demo firm once (the seed's Postman
//! account signs in, a second start adds nothing), and SIGTERM (systemd's stop) or SIGINT (Ctrl+C)
//! ends the server with exit status 0 after it says it is finishing the requests in flight;
//! `--log-format json` logs one JSON object per line.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::cli::{Install, Server};
use crate::helpers::backends;

/// Sends `signal` to the server and returns its exit status (it must exit within 30 s).
fn stop_with(server: &mut Server, signal: libc::c_int) -> std::process::ExitStatus {
    let pid = libc::pid_t::try_from(server.child.id()).unwrap();
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "still running after signal {signal}: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_firm_is_made_once_and_the_server_stops_cleanly_on_a_signal() {
    for backend in backends() {
        let cli = Install::new(&backend);
        let login = json!({ "email": "admin@oasys.com", "password": "admin123" });

        let mut server = Server::start_with(&cli, &["--demo"]).await;
        let (status, setup) = server.get("/api/setup/", None).await;
        assert_eq!(status, StatusCode::OK, "{setup}");
        assert_eq!(setup["setup_required"], false, "the demo firm's administrator exists");
        let (status, body) = server.post("/api/auth/login/", None, login.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["tokens"]["access"].as_str().unwrap().to_owned();
        let (status, companies) = server.get("/api/tenants/companies/", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{companies}");
        assert_eq!(companies["count"], 1, "{companies}");
        assert_eq!(companies["results"][0]["name"], "Demo Company", "{companies}");
        assert_eq!(companies["results"][0]["currency"], "USD", "{companies}");

        let status = stop_with(&mut server, libc::SIGTERM);
        assert!(status.success(), "SIGTERM: {status}; {}", server.log());
        assert!(
            server.log().contains("finishing requests in flight"),
            "{}",
            server.log()
        );

        // A second start with --demo finds the firm and makes nothing more; this time it logs
        // JSON lines, one object per event, as a log shipper reads them.
        let mut server = Server::start_with(&cli, &["--demo", "--log-format", "json"]).await;
        let second = server.log();
        let events: Vec<serde_json::Value> = second
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect();
        assert!(
            events.iter().any(|e| e["level"] == "INFO"
                && e["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("listening on"))),
            "{second}"
        );
        let (status, body) = server.post("/api/auth/login/", None, login).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["tokens"]["access"].as_str().unwrap().to_owned();
        let (status, companies) = server.get("/api/tenants/companies/", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{companies}");
        assert_eq!(companies["count"], 1, "{companies}");
        let listed = cli.ok(&["tenant", "list"]);
        assert_eq!(listed.matches("OASYS Demo Firm").count(), 1, "one demo firm: {listed}");

        let status = stop_with(&mut server, libc::SIGINT);
        assert!(status.success(), "SIGINT: {status}; {}", server.log());
    }
}

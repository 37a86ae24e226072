//! Issue 14, item 6, the parts about passwords and tokens: Argon2 work is bounded (measured on
//! the real server's peak memory), a password change is throttled like a sign-in, registration
//! does not say who has an account (and asking is throttled), a reused refresh token ends every
//! access token of its user, and a short `jwt_secret` stops the server from starting.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{Response, STRONG_PASSWORD};
use crate::hardening_child::ChildServer;
use crate::helpers::TestApp;
use crate::on_every_backend;

const MIB: u64 = 1024 * 1024;

/// 48 sign-ins at once each need a 19 MiB Argon2 hash. With two hashing permits the server's
/// peak memory grows by about two hashes, not 48 (≈ 900 MiB before the fix).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_sign_ins_hashes_a_few_passwords_at_a_time() {
    let server =
        ChildServer::start("[auth]\nconcurrent_password_hashes = 2\nlogin_attempts_per_ip_per_minute = 100000\n").await;
    let client = crate::helpers::http();
    let url = format!("{}/api/auth/login/", server.base);
    let login = |n: usize| {
        client
            .post(&url)
            .json(&json!({ "email": format!("nobody{n}@example.com"), "password": "not this one" }))
            .send()
    };
    // Warm up: the runtime, the database, a first hash.
    for n in 0..4 {
        assert_eq!(login(n).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let before = server.peak_memory();
    let flood: Vec<_> = (100..148).map(login).collect();
    for r in futures_join(flood).await {
        assert_eq!(r.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let grew = server.peak_memory().saturating_sub(before);
    assert!(
        grew < 150 * MIB,
        "48 parallel sign-ins raised the peak by {} MiB",
        grew / MIB
    );
}

async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn change_password(app: &TestApp, token: &str, old: &str) -> Response {
    app.post(
        "/api/auth/password/",
        Some(token),
        json!({ "old_password": old, "new_password": "a-new-long-passphrase-88" }),
    )
    .await
}

/// With a stolen access token, guessing the old password is as slow as guessing it at sign-in,
/// and the owner, with the right one, gets through after the wait.
async fn password_changes_are_throttled_like_sign_ins(app: TestApp) {
    let (access, _, _) = app.register("pwthrottle@example.com", "Throttle Ltd").await;
    for _ in 0..2 {
        let r = change_password(&app, &access, "a-wrong-guess").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }
    let r = change_password(&app, &access, "another-guess").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    tokio::time::sleep(Duration::from_millis(wait * 1000 + 300)).await;
    let ok = change_password(&app, &access, STRONG_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}
on_every_backend!(
    password_changes_are_throttled_like_sign_ins_on_every_backend,
    password_changes_are_throttled_like_sign_ins,
    |c| {
        c.auth.login_failures_before_delay = 2;
        c.auth.login_max_delay_seconds = 2;
    }
);

/// Registering a taken address does not say it is taken, and asking again and again is
/// throttled like failed sign-ins.
async fn registration_does_not_reveal_accounts(app: TestApp) {
    app.register("taken@example.com", "Taken Ltd").await;
    let again =
        json!({ "email": "Taken@example.com", "password": STRONG_PASSWORD, "first_name": "T", "last_name": "K" });
    for _ in 0..3 {
        let r = app.post("/api/auth/register/", None, again.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let said = r.body.to_string().to_lowercase();
        assert!(!said.contains("exist") && !said.contains("already"), "{said}");
    }
    let r = app.post("/api/auth/register/", None, again).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // The owner of the address still signs in, from the same address after the short wait.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        app.login("taken@example.com", STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
}
on_every_backend!(
    registration_does_not_reveal_accounts_on_every_backend,
    registration_does_not_reveal_accounts,
    |c| c.auth.login_failures_before_delay = 3
);

/// A refresh token used twice means someone holds a copy: the family ends, and so does every
/// access token of the user (the copy may already have been exchanged for one).
async fn a_reused_refresh_token_ends_every_access_token(app: TestApp) {
    let (_, refresh, _) = app.register("reuse@example.com", "Reuse Ltd").await;
    let first = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh }))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let stolen_access = first.body["access"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/auth/me/", Some(&stolen_access)).await.status,
        StatusCode::OK
    );
    let replay = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh }))
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    let after = app.get("/api/auth/me/", Some(&stolen_access)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    assert_eq!(
        app.login("reuse@example.com", STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
}
on_every_backend!(
    a_reused_refresh_token_ends_every_access_token_on_every_backend,
    a_reused_refresh_token_ends_every_access_token
);

#[tokio::test]
async fn a_short_jwt_secret_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let config = oasys::config::Config {
        data_dir: Some(dir.path().to_path_buf()),
        jwt_secret: Some("only-31-bytes-long-secret-12345".into()),
        ..oasys::config::Config::default()
    };
    let err = tokio::task::spawn_blocking(move || oasys::App::open(config).err())
        .await
        .unwrap()
        .expect("a 31-byte jwt_secret was accepted");
    let said = err.to_string();
    assert!(said.contains("jwt_secret") && said.contains("32"), "{said}");
}

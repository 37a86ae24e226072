//! Issue 14, item 4: sign-in limits that cannot lock users out. Behind a trusted proxy each client
//! is counted on its own address; an account under attack makes its attackers wait, not its
//! owner; and the right password always gets through after a wait of at most
//! `auth.login_max_delay_seconds`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{Response, STRONG_PASSWORD};
use crate::helpers::TestApp;
use crate::on_every_backend;

const LOGIN: &str = "/api/auth/login/";

/// A sign-in as the proxy would pass it on: from the proxy (loopback), naming `client`.
async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> Response {
    app.request(
        reqwest::Method::POST,
        LOGIN,
        None,
        Some(json!({ "email": email, "password": password })),
        &[("x-forwarded-for", client)],
    )
    .await
}

fn retry_after(r: &Response) -> u64 {
    r.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

/// The "done when": 1,000 bad sign-ins from one client behind the proxy, aimed at the
/// firm's users, leave every other client of the same proxy free to sign in at once.
async fn a_thousand_bad_logins_from_one_client_lock_out_no_one_else(app: TestApp) {
    let (owner, _, _) = app.register("owner@proxied.test", "Proxied Firm").await;
    app.invite(&owner, "colleague@proxied.test", "accountant").await;
    let targets = ["colleague@proxied.test", "owner@proxied.test", "nobody@proxied.test"];
    let started = Instant::now();
    let mut statuses = Vec::new();
    for round in 0..(1000 / 20) {
        let mut batch = Vec::new();
        for i in 0..20 {
            let n = round * 20 + i;
            let (client, url) = (app.client.clone(), format!("{}{LOGIN}", app.base));
            let email = targets[n % targets.len()];
            batch.push(tokio::spawn(async move {
                client
                    .post(url)
                    .header("x-forwarded-for", "10.9.9.9, 203.0.113.66")
                    .json(&json!({ "email": email, "password": format!("guess-{n}") }))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for b in batch {
            statuses.push(b.await.unwrap());
        }
    }
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(checked + refused, 1000, "{statuses:?}");
    // The attacker itself is held back: at most its per-minute allowance was hashed.
    assert!(
        checked <= 110,
        "{checked} guesses were checked in {:?}",
        started.elapsed()
    );

    // Everyone else behind the same proxy signs in at once, the attacked accounts included.
    for (client, email) in [
        ("198.51.100.20", "colleague@proxied.test"),
        ("198.51.100.21", "owner@proxied.test"),
    ] {
        let r = login_from(&app, client, email, STRONG_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{email} from {client}: {}", r.body);
    }
    // The attacker's own client waits, at most the maximum delay, even with the right password.
    let r = login_from(&app, "203.0.113.66", "colleague@proxied.test", STRONG_PASSWORD).await;
    if r.status == StatusCode::TOO_MANY_REQUESTS {
        assert!(retry_after(&r) <= 60, "{:?}", r.headers);
    }
}
on_every_backend!(
    a_thousand_bad_logins_behind_a_trusted_proxy_on_every_backend,
    a_thousand_bad_logins_from_one_client_lock_out_no_one_else,
    |c| {
        c.server.trusted_proxies = vec!["127.0.0.1".into(), "10.0.0.0/8".into()];
        c.auth = oasys::config::AuthConfig::default();
    }
);

/// A soft lock-out: after the free failures each attempt waits a little longer, never more than
/// the maximum, and the right password after the wait signs in.
async fn the_right_password_gets_through_after_the_wait(app: TestApp) {
    app.register("soft@example.com", "Soft Lock Ltd").await;
    let client = "198.51.100.40";
    for _ in 0..2 {
        let r = login_from(&app, client, "soft@example.com", "wrong").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let early = login_from(&app, client, "soft@example.com", STRONG_PASSWORD).await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS, "{}", early.body);
    assert_eq!(retry_after(&early), 1);
    // Many more guesses, each refused or checked after its wait: the wait never passes the
    // maximum (2 s here), so the owner is never refused for longer than that.
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        let r = login_from(&app, client, "soft@example.com", "wrong-again").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry_after(&r) <= 2, "{:?}", r.headers);
            tokio::time::sleep(Duration::from_millis(200)).await;
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    let refused = login_from(&app, client, "soft@example.com", STRONG_PASSWORD).await;
    let wait = if refused.status == StatusCode::TOO_MANY_REQUESTS {
        retry_after(&refused)
    } else {
        assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
        return;
    };
    assert!(wait <= 2, "{wait}");
    tokio::time::sleep(Duration::from_millis(wait * 1000 + 300)).await;
    let ok = login_from(&app, client, "soft@example.com", STRONG_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The success forgave the client: the next mistake is checked, not delayed.
    let again = login_from(&app, client, "soft@example.com", "wrong").await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}
on_every_backend!(
    the_right_password_gets_through_after_the_wait_on_every_backend,
    the_right_password_gets_through_after_the_wait,
    |c| {
        c.server.trusted_proxies = vec!["127.0.0.1".into()];
        c.auth.login_failures_before_delay = 2;
        c.auth.login_max_delay_seconds = 2;
    }
);

/// Without `trusted_proxies` a client's `X-Forwarded-For` is its own invention: ignored, so no
/// one escapes the per-address limit by writing a new address into each request.
async fn an_untrusted_forwarded_header_is_ignored(app: TestApp) {
    for i in 0..3 {
        let r = login_from(&app, &format!("198.51.100.{i}"), &format!("u{i}@example.com"), "x").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(&app, "198.51.100.99", "u9@example.com", "x").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}
on_every_backend!(
    an_untrusted_forwarded_header_is_ignored_on_every_backend,
    an_untrusted_forwarded_header_is_ignored,
    |c| c.auth.login_attempts_per_ip_per_minute = 3
);

//! Every auth flow: login on the seed's contract, register, refresh rotation and reuse
//! detection, logout, me, password change, rate limits, and tokens that must be refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::TestApp;
use crate::on_every_backend;

async fn login_follows_the_seed_contract(app: TestApp) {
    app.register("ada@example.com", "Ada's Books").await;
    let ok = app.login("ADA@example.com ", STRONG_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["success"], true);
    assert_eq!(ok.body["user"]["email"], "ada@example.com");
    assert_eq!(ok.body["user"]["role"], "tenant_admin");
    for field in ["id", "first_name", "last_name", "permissions", "is_active"] {
        assert!(ok.body["user"].get(field).is_some(), "user.{field} missing");
    }
    assert!(
        ok.body["tokens"]["access"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(ok.body["tokens"]["refresh"].as_str().is_some());

    let wrong = app.login("ada@example.com", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, json!({ "success": false, "error": "Invalid credentials" }));
    let unknown = app.login("nobody@example.com", STRONG_PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body,
        json!({ "success": false, "error": "Invalid credentials" })
    );

    let missing = app
        .post("/api/auth/login/", None, json!({ "email": "ada@example.com" }))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["password"][0], "This field is required.");
}
on_every_backend!(
    login_follows_the_seed_contract_on_every_backend,
    login_follows_the_seed_contract
);

async fn register_creates_a_firm_with_a_company_and_refuses_weak_or_duplicate(app: TestApp) {
    let (access, _, user) = app.register("grace@example.com", "Hopper & Co").await;
    assert_eq!(user["role"], "tenant_admin");
    let firm = app.get("/api/tenants/", Some(&access)).await;
    assert_eq!(firm.body["count"], 1);
    assert_eq!(firm.body["results"][0]["name"], "Hopper & Co");
    let companies = app.get("/api/tenants/companies/", Some(&access)).await;
    assert_eq!(companies.body["count"], 1);
    assert_eq!(companies.body["results"][0]["id"], user["default_company"]);

    let weak = app
        .post(
            "/api/auth/register/",
            None,
            json!({ "email": "x@example.com", "password": "password1", "first_name": "X", "last_name": "Y" }),
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(
        weak.body["password"].as_array().is_some_and(|m| !m.is_empty()),
        "{}",
        weak.body
    );
    let short = app
        .post(
            "/api/auth/register/",
            None,
            json!({ "email": "x@example.com", "password": "a1!", "first_name": "X", "last_name": "Y" }),
        )
        .await;
    assert!(short.body["password"][0].as_str().unwrap_or("").contains("too short"));
    let long_ok = "quiet ledger river stone ".repeat(3);
    assert!(long_ok.len() > 64);
    let long = app
        .post(
            "/api/auth/register/",
            None,
            json!({ "email": "long@example.com", "password": long_ok, "first_name": "L", "last_name": "P" }),
        )
        .await;
    assert_eq!(long.status, StatusCode::CREATED, "{}", long.body);

    let dup = app
        .post(
            "/api/auth/register/",
            None,
            json!({ "email": "GRACE@example.com", "password": STRONG_PASSWORD, "first_name": "G", "last_name": "H" }),
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    // Issue 14: the refusal does not say the address has an account.
    assert_eq!(
        dup.body["email"][0],
        "This email address cannot be registered. If it is yours, sign in instead."
    );
    let missing = app.post("/api/auth/register/", None, json!({})).await;
    for field in ["email", "password", "first_name", "last_name"] {
        assert_eq!(missing.body[field][0], "This field is required.", "{field}");
    }
}
on_every_backend!(
    register_creates_a_firm_on_every_backend,
    register_creates_a_firm_with_a_company_and_refuses_weak_or_duplicate
);

async fn registration_can_be_disabled(app: TestApp) {
    let r = app
        .post(
            "/api/auth/register/",
            None,
            json!({ "email": "a@example.com", "password": STRONG_PASSWORD, "first_name": "A", "last_name": "B" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["detail"].is_string());
}
on_every_backend!(
    registration_can_be_disabled_on_every_backend,
    registration_can_be_disabled,
    |c| c.allow_registration = false
);

async fn refresh_rotates_and_a_reused_token_revokes_its_family(app: TestApp) {
    let (_, refresh1, _) = app.register("r@example.com", "Rotation Ltd").await;
    let first = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh1 }))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let access2 = first.body["access"].as_str().unwrap().to_owned();
    let refresh2 = first.body["refresh"].as_str().unwrap().to_owned();
    assert_ne!(refresh1, refresh2);
    assert_eq!(app.get("/api/auth/me/", Some(&access2)).await.status, StatusCode::OK);

    // The first token again: a replay. Refused, and the whole family ends with it.
    let replay = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh1 }))
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    let after = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh2 }))
        .await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the rotated token must die with its family"
    );

    // Another login is another family, unaffected.
    let again = app.login("r@example.com", STRONG_PASSWORD).await;
    let refresh3 = again.body["tokens"]["refresh"].as_str().unwrap();
    let ok = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh3 }))
        .await;
    assert_eq!(ok.status, StatusCode::OK);

    // An access token is not a refresh token.
    let access = again.body["tokens"]["access"].as_str().unwrap();
    let wrong_type = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": access }))
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNAUTHORIZED);
}
on_every_backend!(
    refresh_rotation_on_every_backend,
    refresh_rotates_and_a_reused_token_revokes_its_family
);

async fn logout_revokes_and_logout_everywhere_ends_access_tokens(app: TestApp) {
    let (access, refresh, _) = app.register("l@example.com", "Logout LLP").await;
    let out = app
        .post("/api/auth/logout/", Some(&access), json!({ "refresh": refresh }))
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let dead = app
        .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh }))
        .await;
    assert_eq!(dead.status, StatusCode::UNAUTHORIZED);

    let a = app.login("l@example.com", STRONG_PASSWORD).await;
    let b = app.login("l@example.com", STRONG_PASSWORD).await;
    let access_a = a.body["tokens"]["access"].as_str().unwrap();
    let access_b = b.body["tokens"]["access"].as_str().unwrap();
    let refresh_b = b.body["tokens"]["refresh"].as_str().unwrap();
    let all = app
        .post("/api/auth/logout/", Some(access_a), json!({ "everywhere": true }))
        .await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/auth/me/", Some(access_b)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/auth/token/refresh/", None, json!({ "refresh": refresh_b }))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login("l@example.com", STRONG_PASSWORD).await.status, StatusCode::OK);
}
on_every_backend!(
    logout_on_every_backend,
    logout_revokes_and_logout_everywhere_ends_access_tokens
);

async fn me_reads_and_updates_the_profile(app: TestApp) {
    let (access, _, _) = app.register("me@example.com", "Profile Partners").await;
    let me = app.get("/api/auth/me/", Some(&access)).await;
    assert_eq!(me.body["email"], "me@example.com");
    assert_eq!(me.body["profile"]["timezone"], "UTC");
    assert_eq!(me.body["profile"]["two_factor_enabled"], false);
    let patched = app
        .patch("/api/auth/me/", Some(&access), json!({ "phone": "+33 1 23 45 67 89", "timezone": "Europe/Paris", "language": "fr", "web3_wallet_address": "0xabc", "first_name": "Marie" }))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let me = app.get("/api/auth/me/", Some(&access)).await;
    assert_eq!(me.body["first_name"], "Marie");
    assert_eq!(me.body["profile"]["timezone"], "Europe/Paris");
    assert_eq!(me.body["profile"]["phone"], "+33 1 23 45 67 89");
    assert_eq!(me.body["profile"]["language"], "fr");
    assert_eq!(me.body["profile"]["web3_wallet_address"], "0xabc");
    assert_eq!(me.body["profile"]["date_format"], "YYYY-MM-DD");
    assert_eq!(me.body["profile"]["negative_style"], "minus");
    let shown = app
        .patch(
            "/api/auth/me/",
            Some(&access),
            json!({ "date_format": "DD/MM/YYYY", "negative_style": "parentheses" }),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body["profile"]["date_format"], "DD/MM/YYYY");
    assert_eq!(shown.body["profile"]["negative_style"], "parentheses");
    let wrong = app
        .patch(
            "/api/auth/me/",
            Some(&access),
            json!({ "date_format": "dd-mmm-yy", "negative_style": "red" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.body["date_format"].is_array() && wrong.body["negative_style"].is_array(),
        "{}",
        wrong.body
    );
    let bad = app
        .patch("/api/auth/me/", Some(&access), json!({ "timezone": "Mars/Olympus" }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["timezone"].is_array());
    assert_eq!(
        app.get("/api/auth/me/", Some(&access)).await.body["profile"]["timezone"],
        "Europe/Paris"
    );
}
on_every_backend!(me_on_every_backend, me_reads_and_updates_the_profile);

async fn a_password_change_ends_older_tokens(app: TestApp) {
    let (old_access, old_refresh, _) = app.register("pw@example.com", "Password Partners").await;
    let wrong = app
        .post(
            "/api/auth/password/",
            Some(&old_access),
            json!({ "old_password": "nope", "new_password": "another-long-phrase-77" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body["old_password"].is_array());
    let changed = app
        .post(
            "/api/auth/password/",
            Some(&old_access),
            json!({ "old_password": STRONG_PASSWORD, "new_password": "another-long-phrase-77" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let new_access = changed.body["tokens"]["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/auth/me/", Some(&old_access)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/auth/token/refresh/", None, json!({ "refresh": old_refresh }))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/auth/me/", Some(new_access)).await.status, StatusCode::OK);
    assert_eq!(
        app.login("pw@example.com", STRONG_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("pw@example.com", "another-long-phrase-77").await.status,
        StatusCode::OK
    );
}
on_every_backend!(password_change_on_every_backend, a_password_change_ends_older_tokens);

async fn account_failures_are_rate_limited_before_hashing(app: TestApp) {
    app.register("rl@example.com", "Limits Ltd").await;
    for _ in 0..5 {
        assert_eq!(
            app.login("rl@example.com", "wrong").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login("rl@example.com", STRONG_PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    // A soft lock-out (issue 14): a short wait, never an hour.
    assert!((1..=30).contains(&retry), "{retry}");
    assert!(limited.body["detail"].is_string());
    // Another account from the same address is not locked out.
    app.register("other@example.com", "Other Ltd").await;
    assert_eq!(
        app.login("other@example.com", STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
}
on_every_backend!(
    account_rate_limit_on_every_backend,
    account_failures_are_rate_limited_before_hashing,
    |c| c.auth.login_failures_before_delay = 5
);

async fn attempts_are_rate_limited_per_ip(app: TestApp) {
    for i in 0..3 {
        let r = app.login(&format!("u{i}@example.com"), "whatever").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.login("u9@example.com", "whatever").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
}
on_every_backend!(ip_rate_limit_on_every_backend, attempts_are_rate_limited_per_ip, |c| {
    c.auth.login_attempts_per_ip_per_minute = 3
});

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    let mut bytes = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in payload.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buf >> bits) as u8);
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

async fn forged_and_confused_tokens_are_refused(app: TestApp) {
    let (access, refresh, _) = app.register("alg@example.com", "Alg Ltd").await;
    let claims = claims_of(&access);
    for field in ["exp", "iat", "jti", "token_type", "user_id", "tenant_id"] {
        assert!(claims.get(field).is_some(), "claim {field} missing: {claims}");
    }
    assert_eq!(claims["token_type"], "access");
    let payload = b64(claims.to_string().as_bytes());
    // alg=none, unsigned.
    let none = format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
    // Another algorithm claimed over the same payload (signature copied).
    let sig = access.split('.').nth(2).unwrap();
    let hs512 = format!("{}.{payload}.{sig}", b64(br#"{"alg":"HS512","typ":"JWT"}"#));
    let rs256 = format!("{}.{payload}.{sig}", b64(br#"{"alg":"RS256","typ":"JWT"}"#));
    // A payload changed under the original signature.
    let mut tampered_claims = claims.clone();
    tampered_claims["user_id"] = json!(uuid::Uuid::now_v7());
    let tampered = format!(
        "{}.{}.{sig}",
        access.split('.').next().unwrap(),
        b64(tampered_claims.to_string().as_bytes())
    );
    for (what, token) in [
        ("none", none),
        ("HS512", hs512),
        ("RS256", rs256),
        ("tampered", tampered),
        ("refresh as access", refresh.clone()),
        ("garbage", "abc".into()),
    ] {
        let r = app.get("/api/auth/me/", Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what} accepted");
        assert!(r.body["detail"].is_string());
    }
    assert_eq!(app.get("/api/auth/me/", Some(&access)).await.status, StatusCode::OK);
}
on_every_backend!(forged_tokens_on_every_backend, forged_and_confused_tokens_are_refused);

async fn expired_tokens_are_refused(app: TestApp) {
    let (_, _, user) = app.register("exp@example.com", "Expiry Ltd").await;
    // A correctly signed token that expired a minute ago (beyond the documented leeway).
    let keys = oasys::auth::jwt::Keys::new(b"test-signing-secret-that-is-long-enough", 1, 1);
    let now = oasys::auth::jwt::now_secs();
    let claims = oasys::auth::jwt::Claims {
        exp: now - 60,
        iat: now - 120,
        jti: "x".into(),
        token_type: oasys::auth::jwt::TokenType::Access,
        user_id: user["id"].as_str().unwrap().parse().unwrap(),
        tenant_id: user["tenant"].as_str().map(|t| t.parse().unwrap()),
        ver: 0,
        fam: None,
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test-signing-secret-that-is-long-enough"),
    )
    .unwrap();
    assert_eq!(
        app.get("/api/auth/me/", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (fresh, _) = keys
        .issue(
            oasys::auth::jwt::TokenType::Access,
            claims.user_id,
            claims.tenant_id,
            0,
            None,
        )
        .unwrap();
    assert_eq!(
        app.get("/api/auth/me/", Some(&fresh)).await.status,
        StatusCode::OK,
        "same key, not expired"
    );
}
on_every_backend!(expired_tokens_on_every_backend, expired_tokens_are_refused);

async fn a_deactivated_user_is_locked_out_at_once(app: TestApp) {
    let (admin, _, _) = app.register("boss@example.com", "Deactivation Ltd").await;
    let (staff, user) = app.invite(&admin, "temp@example.com", "staff").await;
    assert_eq!(app.get("/api/auth/me/", Some(&staff)).await.status, StatusCode::OK);
    let id = user["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/tenants/users/{id}/deactivate/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get("/api/auth/me/", Some(&staff)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("temp@example.com", STRONG_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(&format!("/api/tenants/users/{id}/activate/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.login("temp@example.com", STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
}
on_every_backend!(deactivation_on_every_backend, a_deactivated_user_is_locked_out_at_once);

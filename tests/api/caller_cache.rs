//! The auth check remembers a signed-in user for a moment (`auth.caller_cache_seconds`), and
//! yet every change to them made through the server applies to their very next request:
//! deactivation, a role change either way, company access taken away. Tenancy stays whole:
//! another firm's company and records answer 404 to a caller the cache holds.
//!
//! The servers here keep callers for 60 s, so a change seen on the next request is seen because
//! the cache was invalidated, not because it expired.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::TestApp;
use crate::on_every_backend;

const ACCOUNTS: &str = "/api/accounting/chart-of-accounts/";
const TRIAL_BALANCE: &str = "/api/reports/trial-balance/";

fn long_cache(config: &mut oasys::config::Config) {
    config.auth.caller_cache_seconds = 60;
}

async fn a_deactivated_user_is_refused_on_the_very_next_request(app: TestApp) {
    let (admin, _, _) = app.register("boss@cache.example", "Cache Deactivation Ltd").await;
    let (staff, user) = app.invite(&admin, "leaver@cache.example", "staff").await;
    let id = user["id"].as_str().unwrap();
    // Twice: the second answer comes from the remembered caller.
    for _ in 0..2 {
        assert_eq!(app.get(ACCOUNTS, Some(&staff)).await.status, StatusCode::OK);
    }
    let r = app
        .post(&format!("/api/tenants/users/{id}/deactivate/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.get(ACCOUNTS, Some(&staff)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        app.get("/api/auth/me/", Some(&staff)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Activated again, they sign in again and work at once.
    let r = app
        .post(&format!("/api/tenants/users/{id}/activate/"), Some(&admin), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app.sign_in("leaver@cache.example").await;
    assert_eq!(app.get(ACCOUNTS, Some(&again)).await.status, StatusCode::OK);
}
on_every_backend!(
    deactivation_with_cached_callers,
    a_deactivated_user_is_refused_on_the_very_next_request,
    long_cache
);

async fn a_role_change_applies_on_the_very_next_request(app: TestApp) {
    let (admin, _, _) = app.register("boss@roles.example", "Cache Roles Ltd").await;
    let (accountant, user) = app.invite(&admin, "acc@roles.example", "accountant").await;
    let id = user["id"].as_str().unwrap();
    for _ in 0..2 {
        let r = app.get(TRIAL_BALANCE, Some(&accountant)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Staff may not read reports.
    let r = app
        .patch(
            &format!("/api/tenants/users/{id}/"),
            Some(&admin),
            json!({ "role": "staff" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get(TRIAL_BALANCE, Some(&accountant)).await.status,
        StatusCode::FORBIDDEN,
        "the downgrade applies at once"
    );
    let r = app
        .patch(
            &format!("/api/tenants/users/{id}/"),
            Some(&admin),
            json!({ "role": "accountant" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.get(TRIAL_BALANCE, Some(&accountant)).await.status,
        StatusCode::OK,
        "and so does the upgrade"
    );
}
on_every_backend!(
    role_change_with_cached_callers,
    a_role_change_applies_on_the_very_next_request,
    long_cache
);

async fn company_access_taken_away_applies_on_the_very_next_request(app: TestApp) {
    let (admin, _, admin_user) = app.register("boss@access.example", "Cache Access Ltd").await;
    let first = admin_user["default_company"].as_str().unwrap().to_owned();
    let second = app.add_company(&admin, "Client B").await;
    let r = app
        .post(
            "/api/tenants/users/",
            Some(&admin),
            json!({ "email": "b@access.example", "role": "accountant", "password": STRONG_PASSWORD, "companies": [first, second] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let b = app.sign_in("b@access.example").await;
    let in_second = [("x-company-id", second.as_str())];
    for _ in 0..2 {
        let r = app.request(Method::GET, ACCOUNTS, Some(&b), None, &in_second).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .patch(
            &format!("/api/tenants/users/{id}/"),
            Some(&admin),
            json!({ "companies": [first] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.request(Method::GET, ACCOUNTS, Some(&b), None, &in_second).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
on_every_backend!(
    company_access_with_cached_callers,
    company_access_taken_away_applies_on_the_very_next_request,
    long_cache
);

async fn a_remembered_caller_still_gets_404_for_another_firm(app: TestApp) {
    let (a, _, a_user) = app.register("a@one.example", "Cache Firm One").await;
    let (b, _, _) = app.register("b@two.example", "Cache Firm Two").await;
    let company = a_user["default_company"].as_str().unwrap().to_owned();
    let account = app.get(&format!("{ACCOUNTS}?page_size=1"), Some(&a)).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        assert_eq!(app.get(ACCOUNTS, Some(&b)).await.status, StatusCode::OK);
    }
    let r = app
        .request(Method::GET, ACCOUNTS, Some(&b), None, &[("x-company-id", &company)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.get(&format!("{ACCOUNTS}{account}/"), Some(&b)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // And the first firm's own caller is not mixed up with the second's.
    let mine = app.get(ACCOUNTS, Some(&a)).await;
    assert_eq!(mine.body["results"][0]["company"], company.as_str());
}
on_every_backend!(
    tenancy_with_cached_callers,
    a_remembered_caller_still_gets_404_for_another_firm,
    long_cache
);

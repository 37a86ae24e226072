//! The API's conventions, end to end: DRF pages and list parameters, DRF-shaped errors for
//! bad bodies, unknown routes and wrong methods, the security headers, request ids, CORS, the
//! SPA fallback and the health check.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{ACCOUNTS, Response};
use crate::helpers::TestApp;
use crate::on_every_backend;

/// Accounts in `charts/general.csv`, which every new firm's company starts with.
const GENERAL_CHART_SIZE: u64 = 35;

fn codes(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn detail(body: &Value) -> &str {
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail string in {body}"))
}

async fn list_is_a_drf_page(app: TestApp) {
    let (token, _, _) = app.register("pages@example.com", "Pages & Co").await;
    let r = app.get(ACCOUNTS, Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let keys: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["count", "next", "previous", "results"], "{}", r.body);
    assert_eq!(r.body["count"], GENERAL_CHART_SIZE);
    assert_eq!(codes(&r.body).len(), 20, "the default page size is 20");
    assert_eq!(r.body["previous"], Value::Null);
    assert_eq!(r.body["next"], format!("{}{ACCOUNTS}?page=2", app.base));
    // Default ordering is by code.
    let first = &r.body["results"][0];
    assert_eq!(first["code"], "1000");
    assert_eq!(first["name"], "Current Assets");
    assert_eq!(first["type"], "asset");
    assert_eq!(first["is_active"], true);
    assert!(
        first["id"].as_str().is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()),
        "{first}"
    );

    let second = app.get(&format!("{ACCOUNTS}?page=2"), Some(&token)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(codes(&second.body).len(), 15);
    assert_eq!(second.body["next"], Value::Null);
    assert_eq!(
        second.body["previous"],
        format!("{}{ACCOUNTS}", app.base),
        "page 1 has no page parameter"
    );
    let mut all = codes(&r.body);
    all.extend(codes(&second.body));
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(unique.len(), 35, "the two pages do not overlap: {all:?}");
}
on_every_backend!(list_is_a_drf_page_with_next_and_previous_links, list_is_a_drf_page);

async fn page_and_page_size(app: TestApp) {
    let (token, _, _) = app.register("sizes@example.com", "Sizes Ltd").await;

    let p1 = app.get(&format!("{ACCOUNTS}?page_size=10"), Some(&token)).await;
    assert_eq!(p1.status, StatusCode::OK, "{}", p1.body);
    assert_eq!(p1.body["count"], GENERAL_CHART_SIZE);
    assert_eq!(codes(&p1.body).len(), 10);
    assert_eq!(p1.body["next"], format!("{}{ACCOUNTS}?page_size=10&page=2", app.base));
    assert_eq!(p1.body["previous"], Value::Null);

    let p3 = app.get(&format!("{ACCOUNTS}?page=3&page_size=10"), Some(&token)).await;
    assert_eq!(p3.status, StatusCode::OK, "{}", p3.body);
    assert_eq!(codes(&p3.body).len(), 10);
    assert_eq!(p3.body["next"], format!("{}{ACCOUNTS}?page_size=10&page=4", app.base));
    assert_eq!(
        p3.body["previous"],
        format!("{}{ACCOUNTS}?page_size=10&page=2", app.base)
    );
    assert_eq!(codes(&p3.body)[0], "4000", "page 3 of 10 starts at the 21st account");

    let p2 = app.get(&format!("{ACCOUNTS}?page=2&page_size=10"), Some(&token)).await;
    assert_eq!(p2.body["previous"], format!("{}{ACCOUNTS}?page_size=10", app.base));

    let last = app.get(&format!("{ACCOUNTS}?page=4&page_size=10"), Some(&token)).await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.body);
    assert_eq!(codes(&last.body), ["6500", "6600", "6700", "6800", "6900"]);
    assert_eq!(last.body["next"], Value::Null);

    // Beyond the last page, and pages that are not positive numbers: DRF's 404.
    for q in ["page=5&page_size=10", "page=0", "page=abc", "page=-1"] {
        let r = app.get(&format!("{ACCOUNTS}?{q}"), Some(&token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{q}: {}", r.body);
        assert_eq!(r.body, json!({ "detail": "Not found." }), "{q}");
    }

    // page_size is clamped to 1..=200 (the chart has fewer than 200 accounts: all of them).
    let big = app.get(&format!("{ACCOUNTS}?page_size=5000"), Some(&token)).await;
    assert_eq!(big.status, StatusCode::OK, "{}", big.body);
    assert_eq!(codes(&big.body).len(), 35);
    assert_eq!(big.body["next"], Value::Null);

    let zero = app.get(&format!("{ACCOUNTS}?page_size=0"), Some(&token)).await;
    assert_eq!(zero.status, StatusCode::OK, "{}", zero.body);
    assert_eq!(codes(&zero.body), ["1000"], "page_size=0 is clamped to 1");
    assert_eq!(zero.body["count"], GENERAL_CHART_SIZE);
    assert_eq!(zero.body["next"], format!("{}{ACCOUNTS}?page_size=0&page=2", app.base));
    let last_of_ones = app.get(&format!("{ACCOUNTS}?page_size=0&page=35"), Some(&token)).await;
    assert_eq!(codes(&last_of_ones.body), ["6900"]);

    // A page_size that is not a number falls back to the default.
    let junk = app.get(&format!("{ACCOUNTS}?page_size=lots"), Some(&token)).await;
    assert_eq!(junk.status, StatusCode::OK, "{}", junk.body);
    assert_eq!(codes(&junk.body).len(), 20);
}
on_every_backend!(page_and_page_size_are_honoured_and_clamped, page_and_page_size);

async fn search_ordering_and_filters(app: TestApp) {
    let (token, _, _) = app.register("filters@example.com", "Filters LLP").await;

    let bank = app.get(&format!("{ACCOUNTS}?search=bank"), Some(&token)).await;
    assert_eq!(bank.status, StatusCode::OK, "{}", bank.body);
    assert_eq!(bank.body["count"], 2, "{}", bank.body);
    let names: Vec<&str> = bank.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bank Account", "Bank Fees"]);

    let upper = app.get(&format!("{ACCOUNTS}?search=BANK"), Some(&token)).await;
    assert_eq!(upper.body["count"], 2, "search ignores case: {}", upper.body);
    let by_code = app.get(&format!("{ACCOUNTS}?search=651"), Some(&token)).await;
    assert_eq!(codes(&by_code.body), Vec::<String>::new(), "{}", by_code.body);
    let by_code = app.get(&format!("{ACCOUNTS}?search=650"), Some(&token)).await;
    assert_eq!(
        codes(&by_code.body),
        ["6500"],
        "search covers the code: {}",
        by_code.body
    );
    let wildcard = app.get(&format!("{ACCOUNTS}?search=%25"), Some(&token)).await;
    assert_eq!(wildcard.body["count"], 0, "% is matched literally: {}", wildcard.body);
    let none = app.get(&format!("{ACCOUNTS}?search=zzzz"), Some(&token)).await;
    assert_eq!(
        none.status,
        StatusCode::OK,
        "an empty result is page 1, not a 404: {}",
        none.body
    );
    assert_eq!(
        none.body,
        json!({ "count": 0, "next": null, "previous": null, "results": [] })
    );

    let desc = app
        .get(&format!("{ACCOUNTS}?ordering=-code&page_size=200"), Some(&token))
        .await;
    assert_eq!(desc.status, StatusCode::OK, "{}", desc.body);
    let got = codes(&desc.body);
    assert_eq!(got.first().map(String::as_str), Some("6900"));
    assert_eq!(got.last().map(String::as_str), Some("1000"));
    let mut expected = got.clone();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(got, expected);

    let by_name = app
        .get(&format!("{ACCOUNTS}?ordering=name&page_size=3"), Some(&token))
        .await;
    let names: Vec<&str> = by_name.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Accounts Payable", "Accounts Receivable", "Accrued Liabilities"]
    );

    let assets = app
        .get(&format!("{ACCOUNTS}?type=asset&page_size=200"), Some(&token))
        .await;
    assert_eq!(assets.status, StatusCode::OK, "{}", assets.body);
    assert_eq!(assets.body["count"], 10, "{}", assets.body);
    assert!(
        assets.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["type"] == "asset"),
        "{}",
        assets.body
    );

    let combined = app
        .get(&format!("{ACCOUNTS}?type=expense&search=fees"), Some(&token))
        .await;
    assert_eq!(codes(&combined.body), ["6500", "6700"], "{}", combined.body);

    let active = app.get(&format!("{ACCOUNTS}?is_active=true"), Some(&token)).await;
    assert_eq!(active.body["count"], GENERAL_CHART_SIZE, "{}", active.body);
    let inactive = app.get(&format!("{ACCOUNTS}?is_active=false"), Some(&token)).await;
    assert_eq!(inactive.body["count"], 0, "{}", inactive.body);

    let bad = app.get(&format!("{ACCOUNTS}?is_active=maybe"), Some(&token)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let messages = bad.body["is_active"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", bad.body));
    assert_eq!(messages.len(), 1, "{}", bad.body);
    assert!(messages[0].as_str().is_some_and(|m| !m.is_empty()), "{}", bad.body);
    assert_eq!(
        bad.body.as_object().unwrap().len(),
        1,
        "only the bad field: {}",
        bad.body
    );

    let bad_parent = app.get(&format!("{ACCOUNTS}?parent=not-a-uuid"), Some(&token)).await;
    assert_eq!(bad_parent.status, StatusCode::BAD_REQUEST, "{}", bad_parent.body);
    assert!(bad_parent.body["parent"].is_array(), "{}", bad_parent.body);

    // Parameters that are not filters are ignored, as django-filter does.
    let ignored = app.get(&format!("{ACCOUNTS}?colour=blue"), Some(&token)).await;
    assert_eq!(ignored.status, StatusCode::OK, "{}", ignored.body);
    assert_eq!(ignored.body["count"], GENERAL_CHART_SIZE);
}
on_every_backend!(search_ordering_and_field_filters, search_ordering_and_filters);

async fn bad_bodies(app: TestApp) {
    let url = format!("{}/api/auth/login/", app.base);

    let r = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"email\": \"a@example.com\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        header(r.headers(), "content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = r.json().await.unwrap();
    assert!(detail(&body).starts_with("JSON parse error"), "{body}");

    let r = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("{\"email\": \"a@example.com\", \"password\": \"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = r.json().await.unwrap();
    assert!(detail(&body).contains("text/plain"), "{body}");

    let r = app.client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "no content type at all");
    let body: Value = r.json().await.unwrap();
    assert!(!detail(&body).is_empty(), "{body}");

    // Well-formed JSON of the wrong shape is a 400 too, never a 422 or 500.
    let r = app.post("/api/auth/login/", None, json!(["not", "an", "object"])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(detail(&r.body).starts_with("JSON parse error"), "{}", r.body);

    // A JSON content type with parameters is accepted.
    let r = app
        .client
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .body("{\"email\": \"nobody@example.com\", \"password\": \"wrong-password\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
on_every_backend!(unparseable_json_and_wrong_content_types_are_refused, bad_bodies);

async fn unknown_routes_and_methods(app: TestApp) {
    for path in ["/api/nothing-here/", "/api/", "/api", "/api/accounting/journal/"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.body, json!({ "detail": "Not found." }), "{path}");
        assert!(
            header(&r.headers, "content-type")
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
    }
    let r = app.post("/api/nothing-here/", None, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Not found." }));

    let r = app.request(Method::DELETE, "/api/auth/login/", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Method \"DELETE\" not allowed." }));

    let r = app.request(Method::GET, "/api/auth/login/", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Method \"GET\" not allowed." }));

    let r = app.request(Method::PUT, ACCOUNTS, None, Some(json!({})), &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Method \"PUT\" not allowed." }));

    // Outside /api/, only GET and HEAD reach the web UI.
    let r = app.post("/some/page", None, json!({})).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Method \"POST\" not allowed." }));
}
on_every_backend!(
    unknown_api_routes_are_404_and_wrong_methods_405,
    unknown_routes_and_methods
);

async fn too_large(app: TestApp) {
    let padding = "x".repeat(4096);
    let r = app
        .post(
            "/api/auth/login/",
            None,
            json!({ "email": "big@example.com", "password": padding }),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Request body is too large." }));

    // A body under the limit still gets through to the handler.
    let r = app.login("big@example.com", "short-enough-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}
on_every_backend!(a_body_over_the_limit_is_413, too_large, |c| c.body_limit_bytes = 1024);

async fn security_headers(app: TestApp) {
    let (token, _, _) = app.register("headers@example.com", "Headers Inc").await;
    let responses = [
        ("health", app.get("/api/health/", None).await),
        ("list", app.get(ACCOUNTS, Some(&token)).await),
        ("404", app.get("/api/nope/", None).await),
        ("401", app.get(ACCOUNTS, None).await),
        (
            "405",
            app.request(Method::DELETE, "/api/auth/login/", None, None, &[]).await,
        ),
        ("spa", app.get("/", None).await),
    ];
    let mut ids = Vec::new();
    for (what, r) in &responses {
        let h = &r.headers;
        assert_eq!(header(h, "x-content-type-options"), Some("nosniff"), "{what}");
        assert_eq!(header(h, "x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(header(h, "referrer-policy"), Some("no-referrer"), "{what}");
        let csp = header(h, "content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        let id = header(h, "x-request-id").unwrap_or_else(|| panic!("{what}: no x-request-id"));
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{what}: {id}");
        ids.push(id.to_owned());
        assert!(h.get("server").is_none(), "{what}: server header {:?}", h.get("server"));
        assert!(h.get("x-powered-by").is_none(), "{what}");
    }
    // The API's own responses have the strictest policy.
    assert_eq!(
        header(&responses[0].1.headers, "content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a new id per request: {ids:?}");
    assert_eq!(
        responses[3].1.body,
        json!({ "detail": "Authentication credentials were not provided." })
    );
}
on_every_backend!(security_headers_and_a_request_id_on_every_response, security_headers);

async fn request_id_echo(app: TestApp) {
    let given = "trace-me-7f3a9c";
    let r = app
        .request(Method::GET, "/api/health/", None, None, &[("x-request-id", given)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r.headers, "x-request-id"), Some(given));
    let r = app
        .request(Method::GET, "/api/nope/", None, None, &[("x-request-id", given)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(header(&r.headers, "x-request-id"), Some(given), "echoed on errors too");
}
on_every_backend!(a_given_request_id_is_echoed_back, request_id_echo);

async fn preflight(app: &TestApp, origin: &str) -> Response {
    app.request(
        Method::OPTIONS,
        ACCOUNTS,
        None,
        None,
        &[
            ("origin", origin),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization, x-company-id"),
        ],
    )
    .await
}

async fn cors(app: TestApp) {
    let ok = preflight(&app, "http://localhost:3000").await;
    assert!(ok.status.is_success(), "{}", ok.status);
    assert_eq!(
        header(&ok.headers, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let methods = header(&ok.headers, "access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(methods.contains("GET") && methods.contains("PATCH"), "{methods}");
    let allowed = header(&ok.headers, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-company-id"),
        "{allowed}"
    );
    assert_eq!(header(&ok.headers, "access-control-allow-credentials"), None);

    let also_ok = preflight(&app, "http://127.0.0.1:3000").await;
    assert_eq!(
        header(&also_ok.headers, "access-control-allow-origin"),
        Some("http://127.0.0.1:3000")
    );

    let evil = preflight(&app, "http://evil.example").await;
    assert_eq!(
        header(&evil.headers, "access-control-allow-origin"),
        None,
        "{:?}",
        evil.headers
    );
    assert_eq!(header(&evil.headers, "access-control-allow-credentials"), None);

    // A simple cross-origin request: allowed origin echoed, request id readable by the page.
    let r = app
        .request(
            Method::GET,
            "/api/health/",
            None,
            None,
            &[("origin", "http://localhost:3000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        header(&r.headers, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let exposed = header(&r.headers, "access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert_eq!(header(&r.headers, "access-control-allow-credentials"), None);
    let r = app
        .request(
            Method::GET,
            "/api/health/",
            None,
            None,
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(header(&r.headers, "access-control-allow-origin"), None);
}
on_every_backend!(cors_allows_only_configured_origins_without_credentials, cors);

async fn spa_fallback(app: TestApp) {
    let index = include_str!("../../frontend-dist/index.html");
    for path in ["/some/page", "/", "/setup?token=abc", "/companies/42/ledger"] {
        let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers().clone();
        assert!(
            header(&h, "content-type").unwrap().starts_with("text/html"),
            "{path}: {h:?}"
        );
        assert_eq!(header(&h, "cache-control"), Some("no-cache"), "{path}");
        let csp = header(&h, "content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header(&h, "x-content-type-options"), Some("nosniff"));
        assert_eq!(r.text().await.unwrap(), index, "{path}");
    }
    let head = app.client.head(format!("{}/some/page", app.base)).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
}
on_every_backend!(spa_paths_get_the_embedded_index_html, spa_fallback);

async fn health(app: TestApp) {
    let r = app.get("/api/health/", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "ok");
    assert_eq!(r.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r.body["database"]["reachable"], true);
    let expected_backend = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres(_) => "postgres",
    };
    let backend = r.body["database"]["backend"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body));
    assert!(backend.to_ascii_lowercase().contains(expected_backend), "{backend}");
}
on_every_backend!(health_reports_version_and_database, health);

async fn auth_and_company_header(app: TestApp) {
    let r = app.get(ACCOUNTS, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        r.body,
        json!({ "detail": "Authentication credentials were not provided." })
    );
    assert!(header(&r.headers, "www-authenticate").is_some_and(|v| v.starts_with("Bearer")));

    let r = app.get(ACCOUNTS, Some("not.a.jwt")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(!detail(&r.body).is_empty());

    let (token, _, user) = app.register("company@example.com", "Company Header Ltd").await;
    let own = user["default_company"]
        .as_str()
        .unwrap_or_else(|| panic!("no default company: {user}"))
        .to_owned();
    let r = app
        .request(Method::GET, ACCOUNTS, Some(&token), None, &[("x-company-id", &own)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["count"], GENERAL_CHART_SIZE);
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["company"] == own.as_str()),
        "{}",
        r.body
    );

    let missing = uuid::Uuid::new_v4().to_string();
    for company in [missing.as_str(), "not-a-uuid"] {
        let r = app
            .request(Method::GET, ACCOUNTS, Some(&token), None, &[("x-company-id", company)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{company}: {}", r.body);
        assert_eq!(r.body, json!({ "detail": "Not found." }), "{company}");
    }

    // Another firm's company is as invisible as one that does not exist.
    let (_, _, other) = app.register("other@example.com", "Other Firm").await;
    let theirs = other["default_company"].as_str().unwrap();
    let r = app
        .request(Method::GET, ACCOUNTS, Some(&token), None, &[("x-company-id", theirs)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(r.body, json!({ "detail": "Not found." }));
}
on_every_backend!(missing_token_is_401_and_unknown_company_404, auth_and_company_header);

async fn absurd_page_numbers_are_not_found(app: TestApp) {
    let (token, _, _) = app.register("pages@example.com", "Pages Firm").await;
    for page in ["18446744073709551615", "9223372036854775808", "4611686018427387904"] {
        let r = app
            .get(
                &format!("/api/accounting/chart-of-accounts/?page={page}&page_size=200"),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "page {page}: {}", r.body);
        assert_eq!(r.body["detail"], "Not found.");
    }
}
on_every_backend!(absurd_pages_on_every_backend, absurd_page_numbers_are_not_found);

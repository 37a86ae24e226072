//! `/metrics` over HTTP on the real server: off by default, then request counters by route
//! template (never raw ids), histograms, store and firm gauges, all in well-formed Prometheus
//! text; and refused to a scrape that came through a proxy.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(metrics_are_off_by_default, off_by_default);
async fn off_by_default(app: TestApp) {
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert!(
        !r.body.to_string().contains("oasys_"),
        "neither metrics nor the web app's index: {}",
        r.body
    );
}

/// The samples of a scrape, by their full series (`name{labels}`), after checking every line
/// against the text format: `# HELP`/`# TYPE` before a family's samples, names and labels well
/// formed, values numbers, each series once, histograms cumulative and ending in `+Inf` = count.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut typed: HashMap<String, String> = HashMap::new();
    let mut samples = HashMap::new();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name, value) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap_or(""));
            assert!(name_ok(name), "bad metric name in {line:?}");
            match kind {
                "HELP" => assert!(!value.is_empty(), "empty help: {line:?}"),
                "TYPE" => {
                    assert!(["counter", "gauge", "histogram"].contains(&value), "{line:?}");
                    assert!(
                        typed.insert(name.to_owned(), value.to_owned()).is_none(),
                        "TYPE twice: {line:?}"
                    );
                }
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        assert!(!line.trim().is_empty(), "blank line in the exposition");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line:?}"));
        let value: f64 = if value == "+Inf" {
            f64::INFINITY
        } else {
            value.parse().unwrap_or_else(|_| panic!("value {line:?}"))
        };
        let name = series.split('{').next().unwrap();
        assert!(name_ok(name), "bad sample name {line:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| typed.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        assert!(typed.contains_key(family), "sample before its # TYPE: {line:?}");
        let labels = &series[name.len()..];
        if !labels.is_empty() {
            let inner = labels
                .strip_prefix('{')
                .and_then(|l| l.strip_suffix('}'))
                .unwrap_or_else(|| panic!("{line:?}"));
            for pair in inner.split("\",") {
                let (k, v) = pair
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("label {pair:?} in {line:?}"));
                assert!(name_ok(k), "label name {k:?} in {line:?}");
                assert!(!v.trim_end_matches('"').contains('"') || v.contains("\\\""), "{line:?}");
            }
        }
        assert!(
            samples.insert(series.to_owned(), value).is_none(),
            "series twice: {line:?}"
        );
    }
    // Histograms: buckets never decrease and the +Inf bucket equals the count.
    for (series, count) in samples
        .iter()
        .filter(|(s, _)| s.starts_with("oasys_http_request_duration_seconds_count"))
    {
        let labels = series
            .trim_start_matches("oasys_http_request_duration_seconds_count{")
            .trim_end_matches('}');
        let mut buckets: Vec<(f64, f64)> = samples
            .iter()
            .filter_map(|(s, v)| {
                let rest = s.strip_prefix(&format!("oasys_http_request_duration_seconds_bucket{{{labels},le=\""))?;
                let le = rest.trim_end_matches("\"}");
                Some((
                    if le == "+Inf" {
                        f64::INFINITY
                    } else {
                        le.parse().unwrap()
                    },
                    *v,
                ))
            })
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{labels}: {buckets:?}");
        assert_eq!(
            buckets.last().map(|b| (b.0, b.1)),
            Some((f64::INFINITY, *count)),
            "{labels}"
        );
    }
    samples
}

async fn scrape(app: &TestApp) -> (String, HashMap<String, f64>) {
    let res = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = res.text().await.unwrap();
    let parsed = parse(&text);
    (text, parsed)
}

on_every_backend!(
    metrics_count_requests_by_route_template,
    counted_by_route,
    |c: &mut oasys::config::Config| c.metrics.enabled = true
);
async fn counted_by_route(app: TestApp) {
    let (_, _, user) = app.register("metrics@example.com", "Metrics Firm").await;
    let tenant = user["tenant"]
        .as_str()
        .or_else(|| user["tenant_id"].as_str())
        .unwrap()
        .to_owned();
    let health = r#"oasys_http_requests_total{route="/api/health/",method="GET",status="200"}"#;
    let (_, before) = scrape(&app).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/health/", None).await.status, StatusCode::OK);
    }
    let id = uuid::Uuid::new_v4();
    let r = app.get(&format!("/api/tenants/companies/{id}/"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/no-such-thing/", None).await.status, StatusCode::NOT_FOUND);
    let (text, after) = scrape(&app).await;

    assert_eq!(
        after[health] - before.get(health).copied().unwrap_or(0.0),
        3.0,
        "three health checks between the scrapes:\n{text}"
    );
    assert_eq!(
        after[r#"oasys_http_requests_total{route="/api/tenants/companies/{id}/",method="GET",status="401"}"#], 1.0,
        "{text}"
    );
    assert!(
        !text.contains(&id.to_string()),
        "a raw path with its id leaked into a label:\n{text}"
    );
    assert!(!text.contains("no-such-thing"), "{text}");
    assert_eq!(
        after[r#"oasys_http_requests_total{route="unmatched",method="GET",status="404"}"#], 1.0,
        "{text}"
    );
    assert!(
        after[r#"oasys_http_request_duration_seconds_count{route="/api/health/",method="GET"}"#] >= 3.0,
        "{text}"
    );
    let register = r#"oasys_http_requests_total{route="/api/auth/register/",method="POST",status="201"}"#;
    assert_eq!(after[register], 1.0, "{text}");

    let version = format!(
        "oasys_build_info{{version=\"{}\",backend=\"{}\"}}",
        env!("CARGO_PKG_VERSION"),
        match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    );
    assert_eq!(after[&version], 1.0, "{text}");
    assert!(after["oasys_uptime_seconds"] >= 0.0);
    assert_eq!(after[r#"oasys_tenants{status="active"}"#], 1.0, "{text}");
    assert_eq!(
        after[&format!("oasys_tenant_posted_entries{{tenant=\"{tenant}\"}}")],
        0.0,
        "{text}"
    );
    assert_eq!(
        after[&format!("oasys_tenant_documents{{tenant=\"{tenant}\"}}")],
        0.0,
        "{text}"
    );
    assert_eq!(after["oasys_tenants_unreadable"], 0.0, "{text}");
    match app.backend {
        Backend::Sqlite => {
            assert_eq!(after["oasys_db_tenant_databases_capacity"], 256.0, "{text}");
            assert!(
                after["oasys_db_tenant_databases_open"] >= 1.0,
                "the new firm's database: {text}"
            );
        }
        Backend::Postgres(_) => {
            assert_eq!(after["oasys_db_pool_max_connections"], 4.0, "{text}");
            assert!(
                after.contains_key(r#"oasys_db_pool_connections{state="idle"}"#),
                "{text}"
            );
        }
    }
    let families: HashSet<&str> = after.keys().map(|s| s.split('{').next().unwrap()).collect();
    assert!(families.len() >= 10, "{families:?}");
}

on_every_backend!(
    a_proxied_scrape_is_refused,
    proxied_refused,
    |c: &mut oasys::config::Config| c.metrics.enabled = true
);
async fn proxied_refused(app: TestApp) {
    // The test client connects from loopback; a proxy on this host would add X-Forwarded-For.
    let r = app
        .request(
            reqwest::Method::GET,
            "/metrics",
            None,
            None,
            &[("X-Forwarded-For", "203.0.113.7")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let direct = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(direct.status(), StatusCode::OK);
}

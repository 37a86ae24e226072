//! The OpenAPI document against the server it describes: the same paths as the router registers,
//! the same methods as each path answers, real answers shaped as documented, and documentation
//! pages that load nothing from other hosts.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{Firm, Response};
use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn spec(app: &TestApp) -> Value {
    let r = app.get("/api/schema/", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        r.headers
    );
    assert!(
        r.body["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        r.body["openapi"]
    );
    r.body
}

fn operations(spec: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.push((m.to_owned(), path.clone()));
            }
        }
    }
    out
}

/// The document's paths are exactly the router's, as `http::api_routes` registers them.
#[tokio::test]
async fn the_document_has_every_route_and_no_other() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let spec = spec(&app).await;
    let routes = oasys::http::api_routes();
    let registered: BTreeSet<&str> = routes.paths().iter().copied().collect();
    assert_eq!(registered.len(), routes.paths().len(), "a path registered twice");
    assert!(registered.len() > 70, "only {} routes recorded", registered.len());
    let documented: BTreeSet<&str> = spec["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    assert!(extra.is_empty(), "documented paths the router does not have: {extra:?}");
}

/// Each documented path answers exactly the documented methods: every other one is a 405 from
/// the router, every documented one reaches a handler (without a token: 401, or the public
/// answer). A path parameter is filled with a fresh UUID.
#[tokio::test]
async fn each_path_answers_exactly_the_documented_methods() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let spec = spec(&app).await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let url = path.replace("{id}", &uuid::Uuid::new_v4().to_string());
        for m in METHODS {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let r = app.request(method, &url, None, None, &[]).await;
            if item.get(m).is_some() {
                assert_ne!(
                    r.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{m} {path} is documented: {}",
                    r.body
                );
                assert!(r.status.as_u16() < 500, "{m} {path}: {} {}", r.status, r.body);
                let documented = &item[m]["responses"][r.status.as_str()];
                assert!(documented.is_object(), "{m} {path} answered {} undocumented", r.status);
            } else {
                assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {path} is not documented");
                assert_eq!(
                    r.body["detail"],
                    format!("Method \"{}\" not allowed.", m.to_uppercase())
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 350, "{checked}");
}

/// Operation ids are unique; every operation behind a token documents the 401;
/// every `{id}` is a declared path parameter.
#[tokio::test]
async fn every_operation_is_described_completely() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let spec = spec(&app).await;
    let mut ids = BTreeSet::new();
    for (m, path) in operations(&spec) {
        let op = &spec["paths"][&path][&m];
        let id = op["operationId"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "operationId {id} used twice");
        assert!(op["summary"].is_string(), "{m} {path}");
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured {
            assert!(op["responses"]["401"]["description"].is_string(), "{m} {path}: no 401");
        }
        if path.contains("{id}") {
            let params = op["parameters"].as_array().unwrap();
            assert!(
                params.iter().any(|p| p["name"] == "id" && p["in"] == "path"),
                "{m} {path}"
            );
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                resolve(&spec, schema);
            }
            assert!(status.parse::<u16>().is_ok(), "{m} {path}: {status}");
        }
    }
    assert!(ids.len() > 100, "{}", ids.len());
    let mut refs = 0;
    every_ref(&spec, &spec, &mut refs);
    assert!(refs > 200, "{refs}");
}

/// Resolves every `$ref` anywhere in the document (request bodies and nested schemas included).
fn every_ref(spec: &Value, at: &Value, count: &mut usize) {
    match at {
        Value::Object(fields) => {
            if fields.contains_key("$ref") {
                resolve(spec, at);
                *count += 1;
            }
            fields.values().for_each(|v| every_ref(spec, v, count));
        }
        Value::Array(items) => items.iter().for_each(|v| every_ref(spec, v, count)),
        _ => {}
    }
}

/// Follows a `$ref` into `components/schemas` (panics on a dangling one).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            let found = &spec["components"]["schemas"][name];
            assert!(found.is_object(), "dangling $ref {r}");
            resolve(spec, found)
        }
        None => schema,
    }
}

/// Where `value` differs from `schema`: types, enums, required and undocumented fields.
fn mismatches(spec: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if let Some(alternatives) = schema["oneOf"].as_array() {
        let fits = alternatives.iter().any(|s| {
            let mut errors = Vec::new();
            mismatches(spec, s, value, at, &mut errors);
            errors.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of the alternatives"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return,
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.contains(&actual) {
        out.push(format!("{at}: {actual} where the document says {types:?}"));
        return;
    }
    if let Some(choices) = schema["enum"].as_array()
        && !value.is_null()
        && !choices.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {choices:?}"));
    }
    if let (Value::String(s), Some("uuid")) = (value, schema["format"].as_str())
        && uuid::Uuid::parse_str(s).is_err()
    {
        out.push(format!("{at}: {s:?} is not a UUID"));
    }
    if let (Value::String(s), Some(_)) = (value, schema["pattern"].as_str())
        && s.parse::<rust_decimal::Decimal>().is_err()
    {
        out.push(format!("{at}: {s:?} is not a decimal"));
    }
    match value {
        Value::Object(fields) => {
            let documented = schema["properties"].as_object();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                if !fields.contains_key(name) {
                    out.push(format!("{at}.{name}: documented as required, missing"));
                }
            }
            for (name, v) in fields {
                match documented.and_then(|d| d.get(name)) {
                    Some(s) => mismatches(spec, s, v, &format!("{at}.{name}"), out),
                    None if schema["additionalProperties"].is_object() => {
                        mismatches(spec, &schema["additionalProperties"], v, &format!("{at}.{name}"), out);
                    }
                    None => out.push(format!("{at}.{name}: not in the document")),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                mismatches(spec, &schema["items"], v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Real answers of a firm with posted, bulk-posted and reversed entries, a customer, an item, a
/// tax rate, an issued invoice, a payment, a recurring schedule that ran and a closed month,
/// checked field by field against the document, on each backend (timestamps and amounts come
/// back from the store).
async fn real_answers_are_shaped_as_documented(app: TestApp) {
    let spec = spec(&app).await;
    let f = Firm::register(&app, "docs@example.com", "Docs Firm").await;
    let mut answers: Vec<(&str, &str, Response)> = Vec::new();

    let entry = f.posted(f.transfer("2026-01-05", "1000", "3000", "500.00")).await;
    let customer = f
        .post(
            "/api/sales/customers/",
            json!({"name": "Ada", "emails": ["ada@example.com"]}),
        )
        .await;
    let tax = f
        .post(
            "/api/accounting/tax-rates/",
            json!({"name": "VAT 20%", "kind": "vat", "rate": "20", "sales_account": f.acct("2200"), "purchase_account": f.acct("1400")}),
        )
        .await;
    let item = f
        .post(
            "/api/inventory/items/",
            json!({"code": "C1", "name": "Consulting", "sale_price": "120.00"}),
        )
        .await;
    let invoice = f
        .post(
            "/api/invoicing/invoices/",
            json!({"contact": customer.body["id"], "issue_date": "2026-03-01", "lines": [
                {"description": "Consulting", "quantity": "2", "unit_price": "120.00", "tax_rate": tax.body["id"], "account": f.acct("4200")}]}),
        )
        .await;
    let invoice_id = invoice.body["id"].as_str().unwrap().to_owned();
    let issued = f
        .post(&format!("/api/invoicing/invoices/{invoice_id}/issue/"), json!({}))
        .await;
    let payment = f
        .post(
            "/api/invoicing/payments/",
            json!({"direction": "received", "contact": customer.body["id"], "date": "2026-03-10", "amount": "100.00",
                   "bank_account": f.acct("1020"), "allocations": [{"document": invoice_id, "amount": "100.00"}]}),
        )
        .await;
    let recurring = f
        .post(
            "/api/invoicing/recurring-invoices/",
            json!({"name": "Retainer", "contact": customer.body["id"], "frequency": "monthly", "every": 1,
                   "start_date": "2026-01-01", "auto_issue": true,
                   "lines": [{"description": "Retainer", "quantity": "1", "unit_price": "50.00", "account": f.acct("4200")}]}),
        )
        .await;
    let run = f
        .post("/api/invoicing/recurring-invoices/run/", json!({"date": "2026-02-15"}))
        .await;
    let bulk = f
        .post(
            "/api/accounting/journal-entries/bulk/",
            json!({"entries": [f.transfer("2026-01-06", "1000", "3000", "1.50")]}),
        )
        .await;
    let reversal = f
        .post(
            &format!(
                "/api/accounting/journal-entries/{}/reverse/",
                entry["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    let deliveries = f
        .get(&format!("/api/invoicing/invoices/{invoice_id}/deliveries/"))
        .await;
    let close = f
        .post("/api/accounting/periods/close/", json!({"date": "2026-01-31"}))
        .await;
    answers.push(("post", "/api/invoicing/recurring-invoices/", recurring));
    answers.push(("post", "/api/invoicing/recurring-invoices/run/", run));
    answers.push(("post", "/api/accounting/journal-entries/bulk/", bulk));
    answers.push(("post", "/api/accounting/journal-entries/{id}/reverse/", reversal));
    answers.push(("get", "/api/invoicing/invoices/{id}/deliveries/", deliveries));
    answers.push(("post", "/api/accounting/periods/close/", close));
    let customer_id = customer.body["id"].as_str().unwrap().to_owned();
    answers.push(("post", "/api/sales/customers/", customer));
    answers.push(("post", "/api/accounting/tax-rates/", tax));
    answers.push(("post", "/api/inventory/items/", item));
    answers.push(("post", "/api/invoicing/invoices/", invoice));
    answers.push(("post", "/api/invoicing/invoices/{id}/issue/", issued));
    answers.push(("post", "/api/invoicing/payments/", payment));
    let gl = format!("/api/reports/general-ledger/?account={}", f.acct("1000"));
    let statement = format!("/api/sales/customers/{customer_id}/statement/?date_from=2026-01-01&date_to=2026-12-31");
    let reads = [
        ("/api/auth/me/", "/api/auth/me/".to_owned()),
        ("/api/tenants/", "/api/tenants/".to_owned()),
        ("/api/tenants/companies/", "/api/tenants/companies/".to_owned()),
        ("/api/tenants/users/", "/api/tenants/users/".to_owned()),
        (
            "/api/accounting/chart-of-accounts/",
            "/api/accounting/chart-of-accounts/?page_size=3".to_owned(),
        ),
        (
            "/api/accounting/journal-entries/",
            "/api/accounting/journal-entries/".to_owned(),
        ),
        (
            "/api/accounting/journal-entries/{id}/",
            format!("/api/accounting/journal-entries/{}/", entry["id"].as_str().unwrap()),
        ),
        ("/api/accounting/periods/", "/api/accounting/periods/".to_owned()),
        ("/api/accounting/audit-log/", "/api/accounting/audit-log/".to_owned()),
        ("/api/sales/customers/", "/api/sales/customers/".to_owned()),
        ("/api/invoicing/invoices/", "/api/invoicing/invoices/".to_owned()),
        ("/api/invoicing/payments/", "/api/invoicing/payments/".to_owned()),
        (
            "/api/invoicing/recurring-invoices/",
            "/api/invoicing/recurring-invoices/".to_owned(),
        ),
        ("/api/invoicing/template/", "/api/invoicing/template/".to_owned()),
        ("/api/reports/trial-balance/", "/api/reports/trial-balance/".to_owned()),
        ("/api/reports/general-ledger/", gl),
        (
            "/api/reports/aged-receivables/",
            "/api/reports/aged-receivables/?as_of=2026-06-30".to_owned(),
        ),
        ("/api/sales/customers/{id}/statement/", statement),
        (
            "/api/reports/balance-sheet/",
            "/api/reports/balance-sheet/?compare=previous_year".to_owned(),
        ),
        (
            "/api/reports/profit-and-loss/",
            "/api/reports/profit-and-loss/?date_from=2026-01-01&date_to=2026-12-31&compare=months".to_owned(),
        ),
        (
            "/api/reports/cash-flow/",
            "/api/reports/cash-flow/?date_from=2026-01-01".to_owned(),
        ),
        (
            "/api/reports/equity-changes/",
            "/api/reports/equity-changes/?date_from=2026-01-01".to_owned(),
        ),
        ("/api/health/", "/api/health/".to_owned()),
    ];
    for (template, url) in reads {
        answers.push(("get", template, f.get(&url).await));
    }
    for (m, template, r) in &answers {
        assert!(r.status.is_success(), "{m} {template}: {} {}", r.status, r.body);
    }
    let unknown = f
        .get(&format!("/api/invoicing/invoices/{}/", uuid::Uuid::new_v4()))
        .await;
    answers.push(("get", "/api/invoicing/invoices/{id}/", unknown));
    let invalid = f.post("/api/sales/customers/", json!({"name": 5})).await;
    answers.push(("post", "/api/sales/customers/", invalid));

    let mut problems = Vec::new();
    for (m, template, r) in &answers {
        let documented = &spec["paths"][*template][*m]["responses"][r.status.as_str()];
        assert!(
            documented.is_object(),
            "{m} {template}: {} undocumented: {}",
            r.status,
            r.body
        );
        let schema = documented
            .pointer("/content/application~1json/schema")
            .unwrap_or_else(|| panic!("{m} {template} {}: no JSON schema", r.status));
        mismatches(
            &spec,
            schema,
            &r.body,
            &format!("{m} {template} {}", r.status),
            &mut problems,
        );
    }
    assert!(
        problems.is_empty(),
        "answers that differ from the document:\n{}",
        problems.join("\n")
    );
}

on_every_backend!(real_answers_match_the_document, real_answers_are_shaped_as_documented);

/// `/api/docs/` and `/redoc/` come from this server: no `https://` or `http://` in their pages,
/// a CSP that allows only this origin, and the API itself still under `default-src 'none'`.
#[tokio::test]
async fn the_documentation_pages_load_nothing_from_elsewhere() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let fetch = |path: &'static str| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = client.get(url).send().await.unwrap();
            let status = r.status();
            let csp = r
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, csp, r.text().await.unwrap())
        }
    };
    for page in ["/api/docs/", "/api/docs/swagger-initializer.js", "/redoc/"] {
        let (status, csp, text) = fetch(page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(csp, oasys::http::openapi::DOCS_CSP, "{page}");
        for remote in ["https://", "http://", "//cdn", "fonts.googleapis"] {
            assert!(!text.contains(remote), "{page} refers to {remote}:\n{text}");
        }
        assert!(text.contains("/api/schema/") || page == "/api/docs/", "{page}");
    }
    let (_, _, swagger) = fetch("/api/docs/").await;
    assert!(swagger.contains("swagger-ui-bundle.js"), "{swagger}");
    let (status, _, js) = fetch("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.len() > 100_000);
    let (_, _, redoc) = fetch("/redoc/").await;
    assert!(redoc.contains("<script src=\"/redoc/redoc.standalone.js\">"), "{redoc}");
    let (status, _, js) = fetch("/redoc/redoc.standalone.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.len() > 500_000 && js.contains("Redoc"));
    let (_, csp, _) = fetch("/api/health/").await;
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let (_, csp, _) = fetch("/api/schema/").await;
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
}

/// The big documentation files are embedded gzipped: a client that accepts gzip gets those bytes
/// as they are (`Content-Encoding: gzip`), one that does not gets them inflated; the same file
/// either way. Swagger UI's files that its page does not load are not served.
#[tokio::test]
async fn the_documentation_files_are_sent_gzipped_to_who_accepts_it() {
    use std::io::Read;
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for path in [
        "/redoc/redoc.standalone.js",
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-ui.css",
    ] {
        let url = format!("{}{path}", app.base);
        let plain = app.client.get(&url).send().await.unwrap();
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.bytes().await.unwrap();
        let packed = app
            .client
            .get(&url)
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(packed.status(), StatusCode::OK, "{path}");
        assert_eq!(packed.headers()["content-encoding"], "gzip", "{path}");
        assert_eq!(
            packed.headers()["content-security-policy"],
            oasys::http::openapi::DOCS_CSP
        );
        let packed = packed.bytes().await.unwrap();
        assert!(
            packed.len() * 2 < plain.len(),
            "{path}: {} of {} bytes",
            packed.len(),
            plain.len()
        );
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut inflated)
            .unwrap();
        assert!(inflated == plain, "{path}: the gzipped file inflates to another");
    }
    for path in [
        "/api/docs/swagger-ui-es-bundle.js",
        "/api/docs/swagger-ui.js",
        "/api/docs/nothing",
    ] {
        let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = app.client.get(format!("{}/api/docs", app.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/api/docs/");
    assert!(r.text().await.unwrap().contains("swagger-ui-bundle.js"));
}

//! Exchange rates: by hand (create, change, delete, the rate on a date), imported from the ECB's
//! reference rates and a plain CSV (preview, commit, re-import adds nothing), fetched from a
//! source the test serves itself; bad input refused with nothing written; another firm's and
//! another company's rates are 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{Firm, Response, assert_field_error};
use crate::helpers::TestApp;

const RATES: &str = "/api/accounting/exchange-rates/";
const IMPORT: &str = "/api/accounting/exchange-rates/import/";

const ECB: &str = "Date,USD,JPY,CYP,GBP,\r\n\
                   2024-01-05,1.0921,158.83,N/A,0.8603,\r\n\
                   2024-01-04,1.0953,159.16,N/A,0.86408,\r\n";

/// Uploads a rates file as `multipart/form-data` with the extra text `fields`.
async fn upload(firm: &Firm, file: &[u8], fields: &[(&str, &str)]) -> Response {
    let boundary = "oasys-rates-boundary-41c2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rates.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = firm
        .raw(Method::POST, IMPORT)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    Response::send(req).await
}

async fn count(firm: &Firm) -> u64 {
    firm.count(RATES).await
}

async fn rate_on(firm: &Firm, currency: &str, date: &str) -> Response {
    firm.get(&format!("{RATES}on/?currency={currency}&date={date}")).await
}

crate::on_every_backend!(rates_by_hand, by_hand);
async fn by_hand(app: TestApp) {
    let usd = Firm::register(&app, "owner@rates.test", "Rates Books").await;
    let firm = usd.new_company("Euro Books", "EUR").await;
    let made = firm
        .create(
            RATES,
            json!({ "currency": "usd", "date": "2026-01-05", "rate": "0.9200" }),
        )
        .await;
    assert_eq!(made["currency"], "USD");
    assert_eq!(made["rate"], "0.92");
    assert_eq!(made["source"], "manual");
    let id = made["id"].as_str().unwrap().to_owned();
    firm.create(
        RATES,
        json!({ "currency": "USD", "date": "2026-01-09", "rate": "0.93" }),
    )
    .await;
    firm.create(
        RATES,
        json!({ "currency": "GBP", "date": "2026-01-05", "rate": "1.17" }),
    )
    .await;

    // The rate on a date: the latest on or before it.
    let r = rate_on(&firm, "USD", "2026-01-07").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["rate"].as_str(), r.body["rate_date"].as_str()),
        (Some("0.92"), Some("2026-01-05"))
    );
    let r = rate_on(&firm, "USD", "2026-01-09").await;
    assert_eq!(r.body["rate"], "0.93");
    let r = rate_on(&firm, "EUR", "2026-01-09").await;
    assert_eq!((r.body["rate"].as_str(), &r.body["id"]), (Some("1"), &Value::Null));
    let r = rate_on(&firm, "USD", "2026-01-04").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.body["date"][0],
        "No USD exchange rate on or before 2026-01-04: enter one or import the rates."
    );
    let r = rate_on(&firm, "JPY", "2026-01-09").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Filters.
    assert_eq!(firm.count(&format!("{RATES}?currency=USD")).await, 2);
    assert_eq!(firm.count(&format!("{RATES}?date_from=2026-01-06")).await, 1);
    assert_eq!(firm.count(&format!("{RATES}?date_to=2026-01-05&currency=GBP")).await, 1);

    // Change and delete.
    let r = firm.patch(&format!("{RATES}{id}/"), json!({ "rate": "0.915" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["rate"], "0.915");
    let r = firm.put(&format!("{RATES}{id}/"), json!({ "rate": "0.9" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a PUT needs every field");
    assert_field_error(&r, "currency");
    let r = firm.delete(&format!("{RATES}{id}/")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(firm.get(&format!("{RATES}{id}/")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&firm).await, 2);

    // Bad input: 400 by field, nothing written.
    let bad: &[(Value, &str)] = &[
        (json!({ "currency": "USD", "date": "2026-02-01", "rate": "0" }), "rate"),
        (
            json!({ "currency": "USD", "date": "2026-02-01", "rate": "-1.5" }),
            "rate",
        ),
        (
            json!({ "currency": "USD", "date": "2026-02-01", "rate": "0.0000000000001" }),
            "rate",
        ),
        (
            json!({ "currency": "USD", "date": "2026-02-01", "rate": "abc" }),
            "rate",
        ),
        (
            json!({ "currency": "XYZ", "date": "2026-02-01", "rate": "1" }),
            "currency",
        ),
        (
            json!({ "currency": "EUR", "date": "2026-02-01", "rate": "1" }),
            "currency",
        ),
        (json!({ "currency": "USD", "date": "01.02.2026", "rate": "1" }), "date"),
        (json!({ "currency": "USD", "date": "2026-01-09", "rate": "1" }), "date"),
        (json!({ "date": "2026-02-01", "rate": "1" }), "currency"),
        (json!({ "currency": "USD", "date": "2026-02-01", "rate": 1.5 }), "rate"),
    ];
    for (body, field) in bad {
        let r = firm.post(RATES, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_field_error(&r, field);
    }
    assert_eq!(count(&firm).await, 2, "nothing written");

    // Another company of the firm, and another firm: 404 for every method, whatever the body.
    let gbp = firm.get(&format!("{RATES}?currency=GBP")).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = Firm::register(&app, "owner@other-rates.test", "Other Books").await;
    for other in [&usd, &stranger] {
        let path = format!("{RATES}{gbp}/");
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.patch(&path, json!({ "rate": "2" })).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.patch(&path, json!({ "rate": "bad" })).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(other.put(&path, json!({})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.delete(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.count(RATES).await, 0);
    }
    assert_eq!(firm.get(&format!("{RATES}{gbp}/")).await.body["rate"], "1.17");
}

crate::on_every_backend!(rates_imported_from_files, imported);
async fn imported(app: TestApp) {
    let usd = Firm::register(&app, "owner@ecb.test", "ECB Books").await;
    let eur = usd.new_company("Euro Books", "EUR").await;

    // Preview: nothing written.
    let r = upload(&eur, ECB.as_bytes(), &[("preview", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["format"], "ecb");
    assert_eq!(r.body["committed"], false);
    assert_eq!(r.body["rates_new"], 6);
    assert_eq!(count(&eur).await, 0);

    // Commit: the euro company's rates are the inverses, rounded half away from zero at 12
    // decimals (1 / 1.0921 = 0.915667063455…).
    let r = upload(&eur, ECB.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["rates_new"].as_u64(), r.body["committed"].as_bool()),
        (Some(6), Some(true))
    );
    let r = rate_on(&eur, "USD", "2024-01-05").await;
    assert_eq!(r.body["rate"], "0.915667063456");
    assert_eq!(r.body["source"], "ecb");
    // Importing again adds and changes nothing.
    let r = upload(&eur, ECB.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["rates_new"].as_u64(), r.body["rates_unchanged"].as_u64()),
        (Some(0), Some(6))
    );
    assert_eq!(count(&eur).await, 6);

    // A USD company: cross rates through the euro, and the euro itself.
    let r = upload(&usd, ECB.as_bytes(), &[("format", "ecb")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["rates_new"], 6, "EUR, JPY and GBP on two dates");
    assert_eq!(rate_on(&usd, "EUR", "2024-01-05").await.body["rate"], "1.0921");
    // 1.0921 / 0.8603 = 1.269440892711…
    assert_eq!(rate_on(&usd, "GBP", "2024-01-05").await.body["rate"], "1.269440892712");

    // The plain CSV: direct rates; a changed value replaces the stored one.
    let plain = "date,currency,rate\n2024-01-05,USD,0.9\n2024-01-08,CHF,1.07\n";
    let r = upload(&eur, plain.as_bytes(), &[("preview", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["rates_new"].as_u64(), r.body["rates_changed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r.body["rates"][0]["previous_rate"], "0.915667063456");
    let r = upload(&eur, plain.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(rate_on(&eur, "USD", "2024-01-05").await.body["rate"], "0.9");
    assert_eq!(count(&eur).await, 7);

    // Malformed files: a 400 under `file` naming the row and the column, nothing written.
    let bad: &[(&str, &str)] = &[
        ("Date,USD,\n2024-02-01,abc,\n", "row 2: USD: \"abc\" is not a rate"),
        (
            "date,currency,rate\n2024-02-01,USD,1\n2024-02-02,USD,-1\n",
            "row 3: rate",
        ),
        (
            "date,currency,rate\n2024-02-01,XYZ,1\n",
            "row 2: currency: \"XYZ\" is not an ISO 4217",
        ),
        (
            "date,currency,rate\n2024-02-01,EUR,1\n",
            "row 2: currency: EUR is the company currency",
        ),
        (
            "date,currency,rate\n2024-02-01,USD,1\n2024-02-01,USD,2\n",
            "row 3: USD on 2024-02-01 is already on row 2",
        ),
        ("date,currency,rate\n2024-02-30,USD,1\n", "row 2: date"),
        ("Date,USD,\n2024-02-01,1.1,7,\n", "row 2: 4 fields"),
    ];
    for (file, message) in bad {
        let r = upload(&eur, file.as_bytes(), &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{file}: {}", r.body);
        let said = r.body["file"][0].as_str().unwrap_or_default();
        assert!(said.starts_with(message), "{file}: {said}");
    }
    let r = upload(&eur, b"date,currency,rate\n", &[("format", "xml")]).await;
    assert_field_error(&r, "format");
    assert_eq!(count(&eur).await, 7, "nothing written");
}

/// A source that answers `body` at `/rates.csv` (and 500 elsewhere), on an ephemeral port.
async fn serve_rates(body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/rates.csv", axum::routing::get(move || async move { body }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/rates.csv")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_fetched_from_the_configured_source() {
    let url = serve_rates(ECB).await;
    for backend in crate::helpers::backends() {
        // Off by default: a 400 saying what to set.
        let plain = TestApp::spawn(&backend).await;
        let firm = Firm::register(&plain, "owner@off.test", "Offline Books").await;
        let r = firm.post(&format!("{RATES}fetch/"), json!({})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(
            r.body["non_field_errors"][0]
                .as_str()
                .unwrap()
                .contains("exchange_rates.source_url")
        );

        let u = url.clone();
        let app = TestApp::spawn_with(&backend, move |c| c.exchange_rates.source_url = Some(u)).await;
        let usd = Firm::register(&app, "owner@fetch.test", "Fetch Books").await;
        let r = usd.post(&format!("{RATES}fetch/"), json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["rates_new"], 6);
        assert_eq!(rate_on(&usd, "EUR", "2024-01-05").await.body["source"], "http");
        let again = usd.post(&format!("{RATES}fetch/"), json!({})).await;
        assert_eq!(again.body["rates_new"], 0, "{}", again.body);

        // A source that fails: 502, nothing written.
        let broken = url.replace("rates.csv", "missing.csv");
        let app = TestApp::spawn_with(&backend, move |c| c.exchange_rates.source_url = Some(broken)).await;
        let firm = Firm::register(&app, "owner@broken.test", "Broken Books").await;
        let r = firm.post(&format!("{RATES}fetch/"), json!({})).await;
        assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
        assert_eq!(count(&firm).await, 0);
    }
}

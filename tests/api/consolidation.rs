//! Consolidation over HTTP: a EUR holding with a USD subsidiary, translated by hand (closing
//! rate for the balance sheet, the year's mean rate for the P&L, the difference to the
//! translation reserve); the trial balance's debits equal its credits; the exports; bad input;
//! a company of another firm, or one the caller may not see, is a 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{ACCOUNTS, Firm, STRONG_PASSWORD, USERS, assert_field_error};
use crate::helpers::TestApp;
use crate::on_every_backend;

const TB: &str = "/api/reports/consolidated/trial-balance/";
const BS: &str = "/api/reports/consolidated/balance-sheet/";
const PL: &str = "/api/reports/consolidated/profit-and-loss/";
const RATES: &str = "/api/accounting/exchange-rates/";

fn amounts(s: &Value, key: &str) -> Vec<String> {
    s["statement"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {s}"))["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn row_named(s: &Value, name: &str) -> Value {
    s["statement"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {s}"))
        .clone()
}

/// A holding in EUR and its subsidiary in USD, with the holding's USD rates for 2026.
async fn group(app: &TestApp, email: &str) -> (Firm, Firm, Firm) {
    let firm = Firm::register(app, email, "Group Firm").await;
    let holding = firm.new_company("Holding GmbH", "EUR").await;
    let sub = firm.new_company("Sub Inc", "USD").await;
    holding
        .posted(holding.transfer("2026-01-05", "1020", "3100", "500.00"))
        .await;
    sub.posted(sub.transfer("2026-01-05", "1020", "3100", "400.00")).await;
    sub.posted(sub.transfer("2026-03-01", "1020", "4100", "600.00")).await;
    for (date, rate) in [("2026-01-31", "0.94"), ("2026-06-30", "0.96"), ("2026-12-31", "0.90")] {
        let r = holding
            .post(RATES, json!({ "currency": "USD", "date": date, "rate": rate }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    (firm, holding, sub)
}

fn both(holding: &Firm, sub: &Firm) -> String {
    format!(
        "companies={},{}",
        holding.company.as_deref().unwrap(),
        sub.company.as_deref().unwrap()
    )
}

async fn a_usd_subsidiary_is_translated_by_hand(app: TestApp) {
    let (firm, holding, sub) = group(&app, "cons@example.com").await;
    let q = both(&holding, &sub);

    // Balance sheet: the sub's bank 1,000.00 USD × 0.90 = 900.00 EUR, its capital 400.00 × 0.90
    // = 360.00; its revenue 600.00 at the year's mean rate (0.94 + 0.96 + 0.90) / 3 =
    // 0.933333333333 = 560.00. 900.00 − 360.00 − 560.00 leaves −20.00 in the reserve.
    let r = firm.get(&format!("{BS}?{q}&as_of=2026-12-31")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bs = r.body;
    assert_eq!(bs["parent"], holding.company.clone().unwrap());
    assert_eq!(bs["statement"]["currency"], "EUR");
    assert_eq!(bs["companies"][1]["closing_rate"], "0.9");
    assert_eq!(bs["companies"][1]["average_rate"], "0.933333333333");
    assert_eq!(amounts(&bs, "total_assets"), ["1400.00"]);
    assert_eq!(amounts(&bs, "current_earnings"), ["560.00"]);
    assert_eq!(
        row_named(&bs, "Currency translation reserve")["amounts"],
        json!(["-20.00"])
    );
    assert_eq!(amounts(&bs, "total_equity"), ["1400.00"]);
    assert_eq!(amounts(&bs, "total_liabilities_and_equity"), ["1400.00"]);

    let r = firm
        .get(&format!("{PL}?{q}&date_from=2026-01-01&date_to=2026-12-31"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(amounts(&r.body, "net_result"), ["560.00"]);

    let r = firm.get(&format!("{TB}?{q}&as_of=2026-12-31")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tb = r.body;
    assert_eq!(
        (tb["total_debit"].as_str(), tb["total_credit"].as_str()),
        (Some("1420.00"), Some("1420.00"))
    );
    let bank = tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "1020")
        .unwrap();
    assert_eq!(bank["amounts"], json!(["500.00", "900.00"]));
    assert_eq!(bank["total"], "1400.00");
    let last = tb["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["account"].clone(), last["total"].clone()),
        (Value::Null, json!("20.00"))
    );

    // The subsidiary as parent: the holding needs a rate in the sub's books, which it lacks.
    let sub_id = sub.company.clone().unwrap();
    let r = firm.get(&format!("{BS}?{q}&as_of=2026-12-31&parent={sub_id}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_field_error(&r, "parent");

    // The exports: a spreadsheet and a PDF of the same statement.
    for (format, kind) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("csv", "text/csv; charset=utf-8"),
        ("pdf", "application/pdf"),
    ] {
        for path in [BS, PL, TB] {
            let res = firm
                .raw(Method::GET, &format!("{path}?{q}&as_of=2026-12-31&format={format}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path} {format}");
            assert_eq!(res.headers()["content-type"], kind);
            let body = res.bytes().await.unwrap();
            assert!(body.len() > 100, "{path} {format}: {} bytes", body.len());
        }
    }
    let csv = firm
        .raw(Method::GET, &format!("{TB}?{q}&as_of=2026-12-31&format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("Holding GmbH") && csv.contains("Sub Inc") && csv.contains("1420.00"),
        "{csv}"
    );
}
on_every_backend!(a_usd_subsidiary, a_usd_subsidiary_is_translated_by_hand);

async fn intercompany_accounts_are_listed_apart(app: TestApp) {
    let (firm, holding, sub) = group(&app, "ic@example.com").await;
    // A loan from the holding to the sub, on accounts marked intercompany in each.
    for (f, code, name, kind) in [
        (&holding, "1450", "Loan to Sub Inc", "asset"),
        (&sub, "2450", "Loan from Holding", "liability"),
    ] {
        let r = f
            .post(
                ACCOUNTS,
                json!({ "code": code, "name": name, "type": kind, "subtype": "intercompany" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let loan = |debit: &str, credit: &str| {
        json!({ "date": "2026-02-01", "reference": "", "description": "Loan", "lines": [
            { "account": debit, "debit_amount": "100.00" },
            { "account": credit, "credit_amount": "100.00" },
        ]})
    };
    let accounts = |f: &Firm| {
        let f = f.clone();
        async move {
            let r = f.get(&format!("{ACCOUNTS}?page_size=200")).await;
            r.body["results"].as_array().unwrap().clone()
        }
    };
    let id_of = |list: &[Value], code: &str| {
        list.iter().find(|a| a["code"] == code).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let h = accounts(&holding).await;
    holding.posted(loan(&id_of(&h, "1450"), &id_of(&h, "1020"))).await;
    let s = accounts(&sub).await;
    sub.posted(loan(&id_of(&s, "1020"), &id_of(&s, "2450"))).await;

    let r = firm
        .get(&format!("{BS}?{}&as_of=2026-12-31", both(&holding, &sub)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["statement"]["rows"].as_array().unwrap().clone();
    let at = rows
        .iter()
        .position(|r| r["key"] == "intercompany")
        .expect("an intercompany section");
    let listed: Vec<(String, String)> = rows[at + 1..]
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["amounts"][0].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The holding's 100.00 EUR; the sub's 100.00 USD at the closing 0.90.
    assert_eq!(
        listed,
        [
            ("1450".to_owned(), "100.00".to_owned()),
            ("2450".to_owned(), "90.00".to_owned())
        ]
    );
    let r = firm
        .get(&format!("{TB}?{}&as_of=2026-12-31", both(&holding, &sub)))
        .await;
    let flagged: Vec<&str> = r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["intercompany"] == true)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["1450", "2450"]);
}
on_every_backend!(intercompany, intercompany_accounts_are_listed_apart);

async fn bad_input_is_a_400_and_other_companies_are_404(app: TestApp) {
    let (firm, holding, sub) = group(&app, "cons-bad@example.com").await;
    let q = both(&holding, &sub);
    let nobody = "7d0e1a52-3c55-4d6b-9a77-0f6f7d1e2b3c";
    for (query, field) in [
        ("companies=not-an-id".to_owned(), "companies"),
        (format!("{q}&parent=nope"), "parent"),
        (format!("{q}&parent={}", firm_default(&firm).await), "parent"),
        (format!("{q}&as_of=2026-02-30"), "as_of"),
        (format!("{q}&format=docx"), "format"),
        (format!("companies={}", vec![nobody; 51].join(",")), "companies"),
    ] {
        let r = firm.get(&format!("{BS}?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.body);
        assert_field_error(&r, field);
    }
    let r = firm
        .get(&format!("{PL}?{q}&date_from=2026-03-01&date_to=2026-02-01"))
        .await;
    assert_field_error(&r, "date_from");
    // A pound company: the holding has no GBP rate.
    let pounds = firm.new_company("Pounds Ltd", "GBP").await;
    let r = firm
        .get(&format!(
            "{BS}?{q},{}&as_of=2026-12-31",
            pounds.company.as_deref().unwrap()
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.to_string().contains("GBP"), "{}", r.body);

    // Another firm's user, naming this firm's companies: not found. An unknown id: not found.
    let theirs = Firm::register(&app, "cons-theirs@example.com", "Their Firm").await;
    for path in [TB, BS, PL] {
        let r = theirs.get(&format!("{path}?{q}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        let r = firm.get(&format!("{path}?companies={nobody}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        // Their own consolidation never shows this firm's figures.
        let r = theirs.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(!r.body.to_string().contains("Holding GmbH"), "{path}: {}", r.body);
    }
    // A user limited to the holding: the sub is not found; without `companies`, only the holding.
    let created = firm
        .post(
            USERS,
            json!({ "email": "cons-lim@example.com", "role": "accountant", "password": STRONG_PASSWORD,
                    "companies": [holding.company.clone().unwrap()], "all_companies": false }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = app.sign_in("cons-lim@example.com").await;
    let limited = Firm {
        token,
        ..holding.clone()
    };
    let r = limited.get(&format!("{BS}?{q}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = limited.get(&format!("{TB}?as_of=2026-12-31")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let names: Vec<&str> = r.body["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Holding GmbH"]);
}
on_every_backend!(bad_input_and_isolation, bad_input_is_a_400_and_other_companies_are_404);

/// The id of the firm's first company (the one registration made): not part of `both`.
async fn firm_default(firm: &Firm) -> String {
    let r = firm.get("/api/tenants/companies/").await;
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] != "Holding GmbH" && c["name"] != "Sub Inc")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

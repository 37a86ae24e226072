//! Budgets: the grid by hand (round trip, cells, refused accounts and amounts), pasted text (a
//! preview naming bad lines, a refused paste writing nothing, a spreadsheet paste), a copy of
//! last year's actuals ± % against hand-computed figures, the profit and loss against a budget
//! (variance = actual − budget, the exports' columns), and another firm's and another company's
//! budgets answering 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{Firm, assert_field_error, id};
use crate::helpers::TestApp;

const BUDGETS: &str = "/api/accounting/budgets/";
const PROFIT_AND_LOSS: &str = "/api/reports/profit-and-loss/";

fn months(v: &str) -> Vec<String> {
    vec![v.to_owned(); 12]
}

async fn budget(f: &Firm, name: &str, year: i64) -> String {
    id(&f.create(BUDGETS, json!({ "name": name, "fiscal_year": year })).await).to_owned()
}

async fn grid(f: &Firm, b: &str) -> Value {
    let r = f.get(&format!("{BUDGETS}{b}/grid/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The amounts of the grid line of account `code` (None when the grid has no such line).
fn line(g: &Value, code: &str) -> Option<Vec<String>> {
    g["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .map(|l| {
            l["amounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        })
}

fn total(g: &Value, code: &str) -> String {
    g["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap()["total"]
        .as_str()
        .unwrap()
        .to_owned()
}

crate::on_every_backend!(budget_grid_round_trip, grid_round_trip);
async fn grid_round_trip(app: TestApp) {
    let f = Firm::register(&app, "owner@budgets.test", "Budget Books").await;
    let b = budget(&f, "Original", 2026).await;
    let shown = f.get(&format!("{BUDGETS}{b}/")).await;
    assert_eq!(
        (shown.body["date_from"].as_str(), shown.body["date_to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    // Names: once per year; "Revised" beside it, "Original" again another year.
    let r = f
        .post(BUDGETS, json!({ "name": "Original", "fiscal_year": 2026 }))
        .await;
    assert_field_error(&r, "name");
    budget(&f, "Revised", 2026).await;
    budget(&f, "Original", 2027).await;
    assert_eq!(f.count(&format!("{BUDGETS}?fiscal_year=2026")).await, 2);
    let r = f.post(BUDGETS, json!({ "name": "", "fiscal_year": 20260 })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.get("name").is_some() && r.body.get("fiscal_year").is_some(),
        "{}",
        r.body
    );

    // A fresh grid: every revenue and expense account, zeros, revenue first.
    let g = grid(&f, &b).await;
    assert_eq!(g["months"][0], "2026-01");
    assert_eq!(g["months"][11], "2026-12");
    assert_eq!(g["lines"][0]["type"], "revenue");
    assert_eq!(line(&g, "4100").unwrap(), months("0.00"));
    assert!(line(&g, "1010").is_none(), "balance-sheet accounts have no budget");

    // PUT the whole grid, read it back.
    let sales: Vec<String> = (1..=12).map(|m| format!("{m}00.00")).collect();
    let r = f
        .put(
            &format!("{BUDGETS}{b}/grid/"),
            json!({ "lines": [
                { "account": f.acct("4100"), "amounts": sales },
                { "account": f.acct("6100"), "amounts": months("250") },
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let g = grid(&f, &b).await;
    assert_eq!(line(&g, "4100").unwrap(), sales);
    assert_eq!(total(&g, "4100"), "7800.00");
    assert_eq!(line(&g, "6100").unwrap(), months("250.00"));
    assert_eq!(total(&g, "6100"), "3000.00");

    // PATCH cells: the others stay.
    let r = f
        .patch(
            &format!("{BUDGETS}{b}/grid/"),
            json!({ "cells": [
                { "account": f.acct("6100"), "month": 3, "amount": "300.50" },
                { "account": f.acct("6300"), "month": 12, "amount": "40" },
            ] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let g = grid(&f, &b).await;
    assert_eq!(line(&g, "6100").unwrap()[2], "300.50");
    assert_eq!(total(&g, "6100"), "3050.50");
    assert_eq!(line(&g, "6300").unwrap()[11], "40.00");
    assert_eq!(line(&g, "4100").unwrap(), sales);

    // Refused: a balance-sheet account, an unknown one, a bad amount, a wrong length, a bad
    // month; 400 by line and nothing written.
    let bad: &[(Value, &str)] = &[
        (
            json!({ "lines": [{ "account": f.acct("1010"), "amounts": months("1") }] }),
            "lines[0].account",
        ),
        (
            json!({ "lines": [{ "account": "7f1b0d7e-2d1c-4c55-9a0c-4a3d2b1c0e9f", "amounts": months("1") }] }),
            "lines[0].account",
        ),
        (
            json!({ "lines": [{ "account": f.acct("4100"), "amounts": months("1.005") }] }),
            "lines[0].amounts",
        ),
        (
            json!({ "lines": [{ "account": f.acct("4100"), "amounts": ["1"] }] }),
            "lines[0].amounts",
        ),
        (
            json!({ "lines": [
                { "account": f.acct("4100"), "amounts": months("1") },
                { "account": f.acct("4100"), "amounts": months("2") },
            ] }),
            "lines[1].account",
        ),
    ];
    for (body, field) in bad {
        let r = f.put(&format!("{BUDGETS}{b}/grid/"), body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_field_error(&r, field);
    }
    let r = f
        .patch(
            &format!("{BUDGETS}{b}/grid/"),
            json!({ "cells": [{ "account": f.acct("4100"), "month": 13, "amount": "1" }] }),
        )
        .await;
    assert_field_error(&r, "cells[0].month");
    assert_eq!(grid(&f, &b).await, g, "nothing written");

    // The audit trail: the budget made, the grid replaced, the cells changed, each cell named.
    let r = f
        .get(&format!("/api/accounting/audit-log/?object_id={b}&ordering=created_at"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["results"].as_array().unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "budget_grid", "budget_cells"], "{}", r.body);
    assert!(rows.iter().all(|r| r["object_type"] == "budget"));
    assert_eq!(rows[0]["changes"]["name"]["after"], "Original");
    assert_eq!(rows[1]["changes"]["4100 month 12"]["after"], "1200.00");
    assert_eq!(rows[2]["changes"]["6100 month 3"]["before"], "250.00");
    assert_eq!(rows[2]["changes"]["6100 month 3"]["after"], "300.50");
    assert_eq!(
        rows[2]["changes"].as_object().unwrap().len(),
        2,
        "only the cells that changed"
    );

    // Deleting a budget deletes its amounts.
    let r = f.delete(&format!("{BUDGETS}{b}/")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        f.get(&format!("{BUDGETS}{b}/grid/")).await.status,
        StatusCode::NOT_FOUND
    );
}

crate::on_every_backend!(budget_paste_previews_and_refuses_bad_lines, paste);
async fn paste(app: TestApp) {
    let f = Firm::register(&app, "owner@paste.test", "Paste Books").await;
    let b = budget(&f, "Original", 2026).await;
    let url = format!("{BUDGETS}{b}/paste/");
    f.put(
        &format!("{BUDGETS}{b}/grid/"),
        json!({ "lines": [{ "account": f.acct("6200"), "amounts": months("900") }] }),
    )
    .await;
    let before = grid(&f, &b).await;

    // Line 3 has a bad amount, line 4 a balance-sheet account, line 5 an unknown code.
    let text = "4100,100,100,100,100,100,100,100,100,100,100,100,100\n\
                6100,50,50,5O,50,50,50,50,50,50,50,50,50\n\
                6300,1,1,1,1,1,1,1,1,1,1,1,1\n\
                1010,1,1,1,1,1,1,1,1,1,1,1,1\n\
                9999,1,1,1,1,1,1,1,1,1,1,1,1\n";
    let text = format!("Code,Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec\n{text}");
    let r = f.post(&url, json!({ "text": text, "preview": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["committed"], false);
    assert_eq!(r.body["lines"].as_array().unwrap().len(), 2, "{}", r.body);
    let problems: Vec<(u64, String)> = r.body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["field"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "month_3".to_owned()),
            (5, "code".to_owned()),
            (6, "code".to_owned())
        ]
    );
    assert_eq!(grid(&f, &b).await, before, "a preview writes nothing");

    // Committed with bad lines: 400 under `text` naming each, nothing written.
    let r = f.post(&url, json!({ "text": text })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let said: Vec<&str> = r.body["text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(
        said[0].starts_with("line 3: month_3: \"5O\" is not an amount"),
        "{said:?}"
    );
    assert!(said[1].starts_with("line 5: code: 1010"), "{said:?}");
    assert!(
        said[2].starts_with("line 6: code: No account has the code \"9999\""),
        "{said:?}"
    );
    assert_eq!(grid(&f, &b).await, before, "nothing written");

    // A spreadsheet's paste: tabs, grouped thousands, a total column; other accounts kept.
    let tsv = "4100\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,000.00\t1,500.50\t12,500.50\n\
               6100\t50\t50\t50\t50\t50\t50\t50\t50\t50\t50\t50\t50\n";
    let r = f.post(&url, json!({ "text": tsv })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["committed"], true);
    let g = grid(&f, &b).await;
    assert_eq!(total(&g, "4100"), "12500.50");
    assert_eq!(line(&g, "4100").unwrap()[11], "1500.50");
    assert_eq!(line(&g, "6100").unwrap(), months("50.00"));
    assert_eq!(
        line(&g, "6200").unwrap(),
        months("900.00"),
        "accounts not pasted are kept"
    );

    // Not text at all, or nothing in it.
    let r = f.post(&url, json!({ "text": "" })).await;
    assert_field_error(&r, "text");
}

crate::on_every_backend!(budget_copied_from_last_year, copy_from_last_year);
async fn copy_from_last_year(app: TestApp) {
    let f = Firm::register(&app, "owner@copy.test", "Copy Books").await;
    // 2025: sales of 1,000.00 and 333.33 in March, rent of 500.00 in July, a refund of 20.01
    // of sales in July (a debit to revenue).
    f.posted(f.transfer("2025-03-10", "1010", "4100", "1000.00")).await;
    f.posted(f.transfer("2025-03-20", "1010", "4100", "333.33")).await;
    f.posted(f.transfer("2025-07-01", "6100", "1010", "500.00")).await;
    f.posted(f.transfer("2025-07-15", "4100", "1010", "20.01")).await;
    // 2026 is not last year for a 2026 budget.
    f.posted(f.transfer("2026-01-10", "1010", "4100", "999.00")).await;
    let b = budget(&f, "Original", 2026).await;
    let url = format!("{BUDGETS}{b}/copy-actuals/");

    let r = f.post(&url, json!({ "percent": "5" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let g = grid(&f, &b).await;
    let sales = line(&g, "4100").unwrap();
    // 1,333.33 × 1.05 = 1,399.9965 → 1,400.00; −20.01 × 1.05 = −21.0105 → −21.01.
    assert_eq!((sales[2].as_str(), sales[6].as_str()), ("1400.00", "-21.01"));
    assert_eq!(sales[0], "0.00");
    // 500.00 × 1.05 = 525.00.
    assert_eq!(line(&g, "6100").unwrap()[6], "525.00");

    let r = f.post(&url, json!({ "percent": "-2.5" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let g = grid(&f, &b).await;
    let sales = line(&g, "4100").unwrap();
    // 1,333.33 × 0.975 = 1,299.99675 → 1,300.00; −20.01 × 0.975 = −19.50975 → −19.51.
    assert_eq!((sales[2].as_str(), sales[6].as_str()), ("1300.00", "-19.51"));
    // 500.00 × 0.975 = 487.50.
    assert_eq!(line(&g, "6100").unwrap()[6], "487.50");

    // No percentage: last year as it was.
    let r = f.post(&url, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(line(&r.body, "4100").unwrap()[2], "1333.33");

    for bad in [
        json!({ "percent": "abc" }),
        json!({ "percent": "-150" }),
        json!({ "percent": "1.234" }),
    ] {
        let r = f.post(&url, bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_field_error(&r, "percent");
    }
}

fn row(s: &Value, pick: impl Fn(&Value) -> bool) -> &Value {
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| pick(r))
        .unwrap_or_else(|| panic!("row not in {s}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or("null").to_owned())
        .collect()
}

crate::on_every_backend!(profit_and_loss_against_a_budget, against_budget);
async fn against_budget(app: TestApp) {
    let f = Firm::register(&app, "owner@variance.test", "Variance Books").await;
    // January 2026: sales 1,200.00, rent 300.00; February: sales 800.00.
    f.posted(f.transfer("2026-01-05", "1010", "4100", "1200.00")).await;
    f.posted(f.transfer("2026-01-06", "6100", "1010", "300.00")).await;
    f.posted(f.transfer("2026-02-05", "1010", "4100", "800.00")).await;
    let b = budget(&f, "Original", 2026).await;
    f.put(
        &format!("{BUDGETS}{b}/grid/"),
        json!({ "lines": [
            { "account": f.acct("4100"), "amounts": months("1000") },
            { "account": f.acct("6100"), "amounts": months("400") },
            { "account": f.acct("6300"), "amounts": months("50") },
        ] }),
    )
    .await;

    let q = format!("{PROFIT_AND_LOSS}?date_from=2026-01-01&date_to=2026-01-31&budget={b}");
    let r = f.get(&q).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = &r.body;
    assert_eq!(s["budget"]["name"], "Original");
    let sales = row(s, |r| r["code"] == "4100");
    assert_eq!(strings(&sales["amounts"]), ["1200.00"]);
    assert_eq!(strings(&sales["budget"]), ["1000.00"]);
    assert_eq!(strings(&sales["variance"]), ["200.00"]);
    assert_eq!(strings(&sales["variance_percent"]), ["20.0"]);
    let rent = row(s, |r| r["code"] == "6100");
    assert_eq!(strings(&rent["variance"]), ["-100.00"]);
    assert_eq!(strings(&rent["variance_percent"]), ["-25.0"]);
    // Budgeted, no actuals: shown.
    let utilities = row(s, |r| r["code"] == "6300");
    assert_eq!(
        (
            strings(&utilities["amounts"]),
            strings(&utilities["budget"]),
            strings(&utilities["variance"])
        ),
        (
            vec!["0.00".to_owned()],
            vec!["50.00".to_owned()],
            vec!["-50.00".to_owned()]
        )
    );
    // Subtotals and totals: the tree's 6000 subtotal, the net result.
    let operating = row(s, |r| r["code"] == "6000" && r["kind"] == "subtotal");
    assert_eq!(strings(&operating["amounts"]), ["300.00"]);
    assert_eq!(strings(&operating["budget"]), ["450.00"]);
    assert_eq!(strings(&operating["variance"]), ["-150.00"]);
    let net = row(s, |r| r["key"] == "net_result");
    assert_eq!(strings(&net["amounts"]), ["900.00"]);
    assert_eq!(strings(&net["budget"]), ["550.00"]);
    assert_eq!(strings(&net["variance"]), ["350.00"]);
    assert_eq!(strings(&net["variance_percent"]), ["63.6"]);
    // Every row: variance = actual − budget.
    for r in s["rows"].as_array().unwrap().iter().filter(|r| r["kind"] != "section") {
        let cents = |v: &Value| -> i64 { v.as_str().unwrap().replace('.', "").parse().unwrap() };
        assert_eq!(
            cents(&r["variance"][0]),
            cents(&r["amounts"][0]) - cents(&r["budget"][0]),
            "{r}"
        );
    }

    // Month by month, the budget's year by default.
    let r = f.get(&format!("{PROFIT_AND_LOSS}?budget={b}&compare=months")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let sales = row(&r.body, |r| r["code"] == "4100");
    assert_eq!(sales["budget"].as_array().unwrap().len(), 12);
    assert_eq!(strings(&sales["variance"])[1], "-200.00");
    let r = f.get(&format!("{PROFIT_AND_LOSS}?budget={b}")).await;
    let sales = row(&r.body, |r| r["code"] == "4100");
    assert_eq!(
        (strings(&sales["amounts"]), strings(&sales["budget"])),
        (vec!["2000.00".to_owned()], vec!["12000.00".to_owned()])
    );

    // Without a budget the answer is as before.
    let plain = f
        .get(&format!("{PROFIT_AND_LOSS}?date_from=2026-01-01&date_to=2026-01-31"))
        .await;
    assert!(plain.body.get("budget").is_none());
    assert!(row(&plain.body, |r| r["code"] == "4100").get("variance").is_none());

    // A period that cuts a month is refused; an unknown budget is a 404.
    let r = f
        .get(&format!(
            "{PROFIT_AND_LOSS}?date_from=2026-01-01&date_to=2026-01-15&budget={b}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_field_error(&r, "date_to");
    let r = f
        .get(&format!(
            "{PROFIT_AND_LOSS}?budget=7f1b0d7e-2d1c-4c55-9a0c-4a3d2b1c0e9f"
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = f.get(&format!("{PROFIT_AND_LOSS}?budget=nope")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The exports carry the columns.
    let r = f.raw(Method::GET, &format!("{q}&format=csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("Budget 2026-01-01 – 2026-01-31"), "{header}");
    assert!(header.contains("Variance % 2026-01-01 – 2026-01-31"), "{header}");
    assert!(csv.contains("4100,Sales,1200.00,1000.00,200.00,20.0"), "{csv}");
    for format in ["xlsx", "pdf"] {
        let r = f
            .raw(Method::GET, &format!("{q}&format={format}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        assert!(!r.bytes().await.unwrap().is_empty());
    }
}

crate::on_every_backend!(budgets_of_others_are_not_found, isolation);
async fn isolation(app: TestApp) {
    let mine = Firm::register(&app, "owner@mine.test", "Mine").await;
    let theirs = Firm::register(&app, "owner@theirs.test", "Theirs").await;
    let sister = mine.new_company("Sister", "USD").await;
    let b = budget(&mine, "Original", 2026).await;
    mine.put(
        &format!("{BUDGETS}{b}/grid/"),
        json!({ "lines": [{ "account": mine.acct("4100"), "amounts": months("10") }] }),
    )
    .await;
    let before = grid(&mine, &b).await;
    for other in [&theirs, &sister] {
        let one = format!("{BUDGETS}{b}/");
        let cases: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, one.clone(), None),
            (Method::PATCH, one.clone(), Some(json!({ "name": "Stolen" }))),
            (
                Method::PUT,
                one.clone(),
                Some(json!({ "name": "Stolen", "fiscal_year": 2026 })),
            ),
            (Method::DELETE, one.clone(), None),
            (Method::GET, format!("{one}grid/"), None),
            (Method::PUT, format!("{one}grid/"), Some(json!({ "lines": [] }))),
            (Method::PATCH, format!("{one}grid/"), Some(json!({ "cells": [] }))),
            (Method::POST, format!("{one}paste/"), Some(json!({ "text": "x" }))),
            (Method::POST, format!("{one}copy-actuals/"), Some(json!({}))),
            (Method::GET, format!("{PROFIT_AND_LOSS}?budget={b}"), None),
        ];
        for (method, path, body) in cases {
            let r = other.request(method.clone(), &path, body, &[]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {}", r.body);
        }
        assert_eq!(other.count(BUDGETS).await, 0);
    }
    // Another company's account in my budget: refused as not this company's.
    let r = mine
        .put(
            &format!("{BUDGETS}{b}/grid/"),
            json!({ "lines": [{ "account": sister.acct("4100"), "amounts": months("1") }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].account");
    assert_eq!(grid(&mine, &b).await, before);
}

//! The inventory reports over HTTP (issue 19): bad parameters are a 400 naming them, another
//! firm's and another company's items and warehouses are a 404, a company with no stock answers
//! empty reports whose check ties; stock received and delivered through the stock API shows in
//! on hand and valuation as of any date, in the movement history and the reorder list, and ties
//! to the ledger; the margin takes revenue from invoices of stock items.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{CUSTOMERS, Firm, INVOICES, ITEMS, assert_field_error, id};
use crate::helpers::TestApp;

const REPORTS: &str = "/api/inventory/reports/";

async fn report(f: &Firm, path: &str) -> Value {
    let r = f.get(&format!("{REPORTS}{path}")).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body
}

async fn stock_item(f: &Firm, code: &str) -> String {
    let item = f
        .create(
            ITEMS,
            json!({ "code": code, "name": format!("Item {code}"), "kind": "stock", "unit": "pcs", "sale_price": "10.00", "purchase_price": "4.00" }),
        )
        .await;
    id(&item).to_owned()
}

crate::on_every_backend!(bad_parameters_are_named, bad_parameters);
async fn bad_parameters(app: TestApp) {
    let f = Firm::register(&app, "owner@params.test", "Params").await;
    for (path, field) in [
        ("on-hand/?as_of=2026-13-01", "as_of"),
        ("on-hand/?warehouse=nope", "warehouse"),
        ("valuation/?item=12", "item"),
        ("valuation/?as_of=yesterday", "as_of"),
        ("valuation/check/?as_of=2026-02-30", "as_of"),
        ("movements/", "item"),
        ("movements/?item=x", "item"),
        ("margin/?date_from=2026-05-01&date_to=2026-04-01", "date_from"),
        ("margin/?date_to=someday", "date_to"),
    ] {
        let r = f.get(&format!("{REPORTS}{path}")).await;
        assert_field_error(&r, field);
    }
    let item = stock_item(&f, "P1").await;
    let r = f
        .get(&format!(
            "{REPORTS}movements/?item={item}&date_from=2026-05-01&date_to=2026-04-01"
        ))
        .await;
    assert_field_error(&r, "date_from");
    // A page past the last is a 404, as in every list.
    let r = f.get(&format!("{REPORTS}on-hand/?page=3")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

crate::on_every_backend!(others_items_and_warehouses_are_not_found, isolation);
async fn isolation(app: TestApp) {
    let mine = Firm::register(&app, "owner@mine.test", "Mine").await;
    let theirs = Firm::register(&app, "owner@theirs.test", "Theirs").await;
    let sister = mine.new_company("Sister", "USD").await;
    let item = stock_item(&mine, "MINE").await;
    let unknown = uuid::Uuid::new_v4();
    for other in [&theirs, &sister] {
        for path in [
            format!("on-hand/?item={item}"),
            format!("valuation/?item={item}"),
            format!("movements/?item={item}"),
            format!("on-hand/?warehouse={unknown}"),
            format!("valuation/?warehouse={unknown}"),
        ] {
            let r = other.get(&format!("{REPORTS}{path}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        }
    }
    // Mine answers.
    let m = report(&mine, &format!("movements/?item={item}")).await;
    assert_eq!(m["item"]["code"], "MINE");
    assert_eq!(m["count"], 0);
}

crate::on_every_backend!(a_company_without_stock_ties, without_stock);
async fn without_stock(app: TestApp) {
    let f = Firm::register(&app, "owner@empty.test", "Empty").await;
    let on_hand = report(&f, "on-hand/").await;
    assert_eq!(on_hand["count"], 0);
    let valuation = report(&f, "valuation/?as_of=2026-01-31").await;
    assert_eq!(valuation["total_value"], "0.00");
    assert_eq!(valuation["as_of"], "2026-01-31");
    let check = report(&f, "valuation/check/").await;
    assert_eq!(check["ok"], true, "{check}");
    let reorder = report(&f, "reorder/").await;
    assert_eq!(reorder["count"], 0);
    let margin = report(&f, "margin/?date_from=2026-01-01&date_to=2026-12-31").await;
    assert_eq!(margin["total"]["revenue"], "0.00");
    assert_eq!(margin["total"]["margin_percent"], Value::Null);
}

crate::on_every_backend!(margin_revenue_from_invoices_of_stock_items, margin_revenue);
async fn margin_revenue(app: TestApp) {
    let f = Firm::register(&app, "owner@margin.test", "Margin").await;
    let item = stock_item(&f, "GADGET").await;
    let customer = f.create(CUSTOMERS, json!({ "name": "Acme" })).await;
    let line = |qty: &str| json!({ "item": item, "description": "Gadget", "quantity": qty, "unit_price": "10.00", "account": f.acct("4100") });
    let invoice = json!({ "contact": id(&customer), "issue_date": "2026-04-10", "lines": [line("3")] });
    f.issued(INVOICES, invoice).await;
    // A draft does not count.
    f.create(
        INVOICES,
        json!({ "contact": id(&customer), "issue_date": "2026-04-11", "lines": [line("5")] }),
    )
    .await;
    let m = report(&f, "margin/?date_from=2026-04-01&date_to=2026-04-30").await;
    assert_eq!(m["items"][0]["code"], "GADGET", "{m}");
    assert_eq!(m["items"][0]["revenue"], "30.00");
    assert_eq!(m["customers"][0]["name"], "Acme");
    assert_eq!(m["customers"][0]["revenue"], "30.00");
    assert_eq!(m["total"]["revenue"], "30.00");
    // Outside the period: nothing.
    let m = report(&f, "margin/?date_from=2026-05-01&date_to=2026-05-31").await;
    assert_eq!(m["items"].as_array().unwrap().len(), 0);
}

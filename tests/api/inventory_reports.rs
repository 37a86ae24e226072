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
    let warehouse = mine
        .create("/api/inventory/warehouses/", json!({ "code": "MINE", "name": "Mine" }))
        .await;
    let warehouse = id(&warehouse).to_owned();
    let unknown = uuid::Uuid::new_v4();
    for other in [&theirs, &sister] {
        for path in [
            format!("on-hand/?warehouse={warehouse}"),
            format!("valuation/?warehouse={warehouse}"),
            format!("movements/?item={item}&warehouse={warehouse}"),
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
    let s = f.get("/api/inventory/settings/").await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let main = s.body["default_warehouse"].as_str().unwrap().to_owned();
    // 10 received at 4.00.
    let r = f
        .post(
            "/api/inventory/moves/",
            json!({ "kind": "receipt", "date": "2026-04-01", "item": item, "warehouse": main, "quantity": "10", "unit_cost": "4.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let customer = f.create(CUSTOMERS, json!({ "name": "Acme" })).await;
    let other = f.create(CUSTOMERS, json!({ "name": "Zenith" })).await;
    let line = |qty: &str| json!({ "item": item, "description": "Gadget", "quantity": qty, "unit_price": "10.00", "account": f.acct("4100") });
    // Invoiced without a delivery: issuing it delivers the 3 (cost 12.00).
    let invoice = json!({ "contact": id(&customer), "issue_date": "2026-04-10", "lines": [line("3")] });
    f.issued(INVOICES, invoice).await;
    // A draft does not count.
    f.create(
        INVOICES,
        json!({ "contact": id(&customer), "issue_date": "2026-04-11", "lines": [line("5")] }),
    )
    .await;
    // Ordered, delivered, then invoiced from the delivery: 2 at 10.00, cost 8.00.
    let order = f
        .create(
            "/api/sales/orders/",
            json!({ "contact": id(&other), "date": "2026-04-12", "lines": [line("2")] }),
        )
        .await;
    let r = f
        .post(
            &format!("/api/sales/orders/{}/deliver/", id(&order)),
            json!({ "date": "2026-04-12" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = f
        .post(
            &format!("/api/sales/deliveries/{}/invoice/", id(&r.body)),
            json!({ "date": "2026-04-13" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let m = report(&f, "margin/?date_from=2026-04-01&date_to=2026-04-30").await;
    assert_eq!(m["items"][0]["code"], "GADGET", "{m}");
    let row = |v: &Value| {
        (
            v["revenue"].as_str().unwrap().to_owned(),
            v["cogs"].as_str().unwrap().to_owned(),
            v["margin"].as_str().unwrap().to_owned(),
        )
    };
    let figures = |r: (&str, &str, &str)| (r.0.to_owned(), r.1.to_owned(), r.2.to_owned());
    assert_eq!(row(&m["items"][0]), figures(("50.00", "20.00", "30.00")), "{m}");
    assert_eq!(row(&m["total"]), figures(("50.00", "20.00", "30.00")));
    assert_eq!(m["total"]["margin_percent"], "60.0");
    let by_name = |m: &Value, name: &str| {
        m["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}: {m}"))
    };
    assert_eq!(row(&by_name(&m, "Acme")), figures(("30.00", "12.00", "18.00")));
    assert_eq!(row(&by_name(&m, "Zenith")), figures(("20.00", "8.00", "12.00")));
    // Outside the period: nothing.
    let m = report(&f, "margin/?date_from=2026-05-01&date_to=2026-05-31").await;
    assert_eq!(m["items"].as_array().unwrap().len(), 0);
    // A back-dated receipt of 10 at 1.00 (FIFO) becomes the cost of both deliveries: the margin
    // takes each delivery's revalued cost, once.
    let r = f
        .post(
            "/api/inventory/moves/",
            json!({ "kind": "receipt", "date": "2026-03-31", "item": item, "warehouse": main, "quantity": "10", "unit_cost": "1.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let m = report(&f, "margin/?date_from=2026-04-01&date_to=2026-04-30").await;
    assert_eq!(row(&m["total"]), figures(("50.00", "5.00", "45.00")), "{m}");
    assert_eq!(row(&by_name(&m, "Acme")), figures(("30.00", "3.00", "27.00")));
    assert_eq!(row(&by_name(&m, "Zenith")), figures(("20.00", "2.00", "18.00")));
}

crate::on_every_backend!(stock_moved_through_the_api_shows_in_the_reports, reports_of_moved_stock);
async fn reports_of_moved_stock(app: TestApp) {
    let f = Firm::register(&app, "owner@moved.test", "Moved").await;
    let s = f.get("/api/inventory/settings/").await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let main = s.body["default_warehouse"].as_str().unwrap().to_owned();
    let east = f
        .create("/api/inventory/warehouses/", json!({ "code": "EAST", "name": "East" }))
        .await;
    let east = id(&east).to_owned();
    let item = stock_item(&f, "GADGET").await;
    let r = f
        .patch(
            &format!("{ITEMS}{item}/"),
            json!({ "reorder_point": "5", "reorder_quantity": "20" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for body in [
        json!({ "kind": "receipt", "date": "2026-03-01", "item": item, "warehouse": main, "quantity": "10", "unit_cost": "2.00" }),
        json!({ "kind": "receipt", "date": "2026-03-05", "item": item, "warehouse": east, "quantity": "4", "unit_cost": "3.00" }),
        json!({ "kind": "transfer", "date": "2026-03-10", "item": item, "warehouse": main, "to_warehouse": east, "quantity": "2" }),
    ] {
        let r = f.post("/api/inventory/moves/", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // Counted 7 where 8 were: one adjusted out.
    let r = f
        .post(
            "/api/inventory/counts/",
            json!({ "warehouse": main, "date": "2026-03-20", "lines": [{ "item": item, "counted": "7" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let figures = |body: &Value| -> Vec<(String, String, String)> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["warehouse_code"].as_str().unwrap().to_owned(),
                    r["quantity"].as_str().unwrap().to_owned(),
                    r["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let main_code = f.get(&format!("/api/inventory/warehouses/{main}/")).await.body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let m = |q: &str, v: &str| (main_code.clone(), q.to_owned(), v.to_owned());
    let e = |q: &str, v: &str| ("EAST".to_owned(), q.to_owned(), v.to_owned());
    let sorted = |mut v: Vec<(String, String, String)>| {
        v.sort();
        v
    };
    // As of any date: what the moves up to it made.
    assert_eq!(figures(&report(&f, "on-hand/?as_of=2026-02-28").await), vec![]);
    assert_eq!(
        figures(&report(&f, "on-hand/?as_of=2026-03-01").await),
        vec![m("10.000", "20.00")]
    );
    assert_eq!(
        sorted(figures(&report(&f, "on-hand/?as_of=2026-03-06").await)),
        sorted(vec![m("10.000", "20.00"), e("4.000", "12.00")])
    );
    let now = report(&f, "valuation/").await;
    assert_eq!(
        sorted(figures(&now)),
        sorted(vec![m("7.000", "14.00"), e("6.000", "16.00")])
    );
    assert_eq!(now["total_value"], "30.00");
    assert_eq!(now["accounts"][0]["value"], "30.00");
    assert_eq!(now["accounts"][0]["code"], "1200", "{now}");
    let only_east = report(&f, &format!("valuation/?warehouse={east}")).await;
    assert_eq!(only_east["total_value"], "16.00");
    assert_eq!(only_east["results"][0]["unit_cost"], "2.67");
    // The valuation ties to the inventory account on each date.
    for as_of in ["2026-03-01", "2026-03-06", "2026-03-10", "2026-03-20", "2026-12-31"] {
        let c = report(&f, &format!("valuation/check/?as_of={as_of}")).await;
        assert_eq!(c["ok"], true, "{as_of}: {c}");
        let inventory = c["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "1200")
            .unwrap();
        assert_eq!(inventory["valuation"], inventory["ledger"], "{as_of}: {c}");
        assert_eq!(inventory["difference"], "0.00");
    }
    // The item's history in the main warehouse: running quantity and value.
    let h = report(&f, &format!("movements/?item={item}&warehouse={main}")).await;
    let run: Vec<(String, String, String)> = h["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["quantity_on_hand"].as_str().unwrap().to_owned(),
                r["value_on_hand"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |k: &str, q: &str, v: &str| (k.to_owned(), q.to_owned(), v.to_owned());
    assert_eq!(
        run,
        vec![
            row("receipt", "10.000", "20.00"),
            row("transfer_out", "8.000", "16.00"),
            row("adjustment", "7.000", "14.00"),
        ]
    );
    assert_eq!(h["results"][2]["source_kind"], "count");
    // Two pages of one: the second carries the first's figures.
    let p2 = report(
        &f,
        &format!("movements/?item={item}&warehouse={main}&page_size=1&page=2"),
    )
    .await;
    assert_eq!(p2["results"][0]["quantity_on_hand"], "8.000");
    assert!(p2["previous"].is_string() && p2["next"].is_string());
    // A period starts from the stock before it.
    let p = report(&f, &format!("movements/?item={item}&date_from=2026-03-06")).await;
    assert_eq!(p["opening_quantity"], "14.000");
    assert_eq!(p["opening_value"], "32.00");
    // 13 on hand is above the reorder point of 5; at 14 the point is met.
    assert_eq!(report(&f, "reorder/").await["count"], 0);
    f.patch(&format!("{ITEMS}{item}/"), json!({ "reorder_point": "13" }))
        .await;
    let r = report(&f, "reorder/").await;
    assert_eq!(r["count"], 1);
    assert_eq!(r["results"][0]["on_hand"], "13.000");
    assert_eq!(r["results"][0]["suggested_quantity"], "20.000");
}

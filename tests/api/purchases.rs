//! The purchase flow over HTTP: order → partial receipts (Dr Inventory / Cr GRNI at the order's
//! price) → bills matched to them (GRNI cleared at the received value, the price difference
//! posted and flagged), refusals that write nothing (over-receiving, receiving on a draft or
//! closed order, billing more than was received, bad quantities), landed costs from a freight
//! bill, and another firm's and another company's ids answering 404.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{BILLS, Firm, ITEMS, TRIAL_BALANCE, VENDORS, assert_field_error, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const ORDERS: &str = "/api/purchase/orders/";
const RECEIPTS: &str = "/api/purchase/receipts/";

/// A vendor and a stock item bought at 10.00 (the inventory engine makes its settings and
/// accounts on first use: Inventory 1200, GRNI 2150, price differences 5200); answers (vendor,
/// item).
async fn setup(f: &Firm) -> (String, String) {
    let vendor = id(&f.create(VENDORS, json!({"name": "Widget Works"})).await).to_owned();
    let item = f
        .create(
            ITEMS,
            json!({"code": "W1", "name": "Widget", "kind": "stock", "purchase_price": "10.00"}),
        )
        .await;
    (vendor, id(&item).to_owned())
}

/// (debit − credit) of an account code in the trial balance, as decimal text.
async fn balance(f: &Firm, code: &str) -> String {
    let r = f.get(TRIAL_BALANCE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["code"] == code)
        .map(|row| {
            let d: rust_decimal::Decimal = row["debit"].as_str().unwrap().parse().unwrap();
            let c: rust_decimal::Decimal = row["credit"].as_str().unwrap().parse().unwrap();
            if d == c { "0".to_owned() } else { (d - c).to_string() }
        })
        .unwrap_or_else(|| "0".into())
}

async fn order(f: &Firm, vendor: &str, item: &str, quantity: &str, confirm: bool) -> Value {
    f.create(
        ORDERS,
        json!({"vendor": vendor, "order_date": "2026-03-01", "confirm": confirm,
               "lines": [{"item": item, "quantity": quantity}]}),
    )
    .await
}

fn line(v: &Value, n: usize) -> &Value {
    &v["lines"][n]
}

on_every_backend!(purchase_order_receipts_and_matched_bills, flow);
async fn flow(app: TestApp) {
    let f = Firm::register(&app, "buyer@purchases.test", "Purchasing Books").await;
    let (vendor, item) = setup(&f).await;
    let po = order(&f, &vendor, &item, "10", true).await;
    assert_eq!(po["status"], "confirmed");
    assert!(po["number"].as_str().unwrap().starts_with("PO-2026-"));
    assert_eq!(line(&po, 0)["unit_price"], "10.00");
    assert_eq!(line(&po, 0)["remaining_to_receive"], "10");
    let po_id = id(&po).to_owned();

    // A partial receipt of 4: Dr Inventory 40 / Cr GRNI 40.
    let r1 = f
        .create(
            &format!("{ORDERS}{po_id}/receive/"),
            json!({"date": "2026-03-05", "lines": [{"order_line": 1, "quantity": "4"}]}),
        )
        .await;
    assert_eq!(r1["value"], "40.00");
    assert!(r1["number"].as_str().unwrap().starts_with("GR-2026-"));
    assert_eq!(
        (balance(&f, "1200").await, balance(&f, "2150").await),
        ("40.00".into(), "-40.00".into())
    );
    let shown = f.get(&format!("{ORDERS}{po_id}/")).await.body;
    assert_eq!(shown["status"], "partially_received");
    assert_eq!(
        (
            line(&shown, 0)["received"].clone(),
            line(&shown, 0)["remaining_to_receive"].clone()
        ),
        (json!("4"), json!("6"))
    );

    // Over-receiving is refused naming the line, and nothing is written.
    let r = f
        .post(
            &format!("{ORDERS}{po_id}/receive/"),
            json!({"lines": [{"order_line": 1, "quantity": "6.5"}]}),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    assert!(
        r.body["lines[0].quantity"][0]
            .as_str()
            .unwrap()
            .contains("Line 1 (Widget)"),
        "{}",
        r.body
    );
    assert_eq!(f.count(RECEIPTS).await, 1);
    assert_eq!(balance(&f, "1200").await, "40.00");

    // The rest: the order is received.
    let r2 = f
        .create(&format!("{ORDERS}{po_id}/receive/"), json!({"date": "2026-03-06"}))
        .await;
    assert_eq!(r2["value"], "60.00");
    assert_eq!(f.get(&format!("{ORDERS}{po_id}/")).await.body["status"], "received");

    // Billing 5 of a receipt of 4 is refused naming the line; nothing is written.
    let bills_before = f.count(BILLS).await;
    let r = f
        .post(
            &format!("{RECEIPTS}{}/bill/", id(&r1)),
            json!({"lines": [{"line": 1, "quantity": "5"}]}),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    assert!(
        r.body["lines[0].quantity"][0]
            .as_str()
            .unwrap()
            .contains("only 4 received"),
        "{}",
        r.body
    );
    assert_eq!(f.count(BILLS).await, bills_before);
    assert_eq!(balance(&f, "2100").await, "0");

    // The vendor bills the first receipt at 11.00: GRNI 40 cleared, 4.00 price difference.
    let m = f
        .create(
            &format!("{RECEIPTS}{}/bill/", id(&r1)),
            json!({"issue_date": "2026-03-10", "reference": "WW-77", "lines": [{"line": 1, "unit_price": "11.00"}]}),
        )
        .await;
    assert_eq!(m["status"], "issued");
    assert_eq!(m["price_difference"], "4.00");
    let ml = &m["lines"][0];
    assert_eq!(
        (
            ml["ordered"].clone(),
            ml["received"].clone(),
            ml["quantity"].clone(),
            ml["receipt_value"].clone(),
            ml["bill_net"].clone(),
            ml["flagged"].clone()
        ),
        (
            json!("10"),
            json!("10"),
            json!("4"),
            json!("40.00"),
            json!("44.00"),
            json!(true)
        )
    );
    assert_eq!(balance(&f, "2150").await, "-60.00");
    assert_eq!(balance(&f, "5200").await, "4.00");
    assert_eq!(balance(&f, "2100").await, "-44.00");
    let again = f
        .get(&format!("/api/purchase/bills/{}/match/", m["bill"].as_str().unwrap()))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["price_difference"], "4.00");

    // The first receipt is billed in full: nothing is left to bill on it.
    let r = f.post(&format!("{RECEIPTS}{}/bill/", id(&r1)), json!({})).await;
    assert_field_error(&r, "lines");

    // The rest from the order, at its price: no difference; GRNI back to zero, the order billed.
    let m2 = f
        .create(&format!("{ORDERS}{po_id}/bill/"), json!({"issue_date": "2026-03-11"}))
        .await;
    assert_eq!(m2["price_difference"], "0.00");
    assert_eq!(m2["lines"][0]["flagged"], false);
    assert_eq!(balance(&f, "2150").await, "0");
    assert_eq!(balance(&f, "1200").await, "100.00");
    assert_eq!(balance(&f, "2100").await, "-104.00");
    let shown = f.get(&format!("{ORDERS}{po_id}/")).await.body;
    assert_eq!(shown["status"], "billed");
    assert_eq!(shown["receipts"].as_array().unwrap().len(), 2);
    assert_eq!(shown["bills"].as_array().unwrap().len(), 2);
    assert_eq!(line(&shown, 0)["billed"], "10");
    let rec = f.get(&format!("{RECEIPTS}{}/", id(&r2))).await.body;
    assert_eq!(
        (
            rec["lines"][0]["billed"].clone(),
            rec["lines"][0]["remaining_to_bill"].clone()
        ),
        (json!("6"), json!("0"))
    );

    // Lists filter by status and order.
    assert_eq!(f.count(&format!("{ORDERS}?status=billed")).await, 1);
    assert_eq!(f.count(&format!("{RECEIPTS}?order={po_id}")).await, 2);
}

on_every_backend!(purchase_orders_refuse_what_they_cannot_take, refusals);
async fn refusals(app: TestApp) {
    let f = Firm::register(&app, "strict@purchases.test", "Strict Books").await;
    let (vendor, item) = setup(&f).await;

    // Bad input: named by field and line, nothing written.
    let r = f
        .post(
            ORDERS,
            json!({"vendor": vendor, "lines": [{"item": item, "quantity": "1.2345"}]}),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    let r = f.post(ORDERS, json!({"lines": [{"item": item}]})).await;
    assert_field_error(&r, "vendor");
    let r = f
        .post(
            ORDERS,
            json!({"vendor": vendor, "lines": [{"description": "No price"}]}),
        )
        .await;
    assert_field_error(&r, "lines[0].unit_price");
    assert_eq!(f.count(ORDERS).await, 0);

    // A draft is not received; confirmed, a line it does not have is named.
    let draft = order(&f, &vendor, &item, "3", false).await;
    let d = id(&draft);
    let r = f.post(&format!("{ORDERS}{d}/receive/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
    let r = f.post(&format!("{ORDERS}{d}/confirm/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f
        .post(&format!("{ORDERS}{d}/receive/"), json!({"lines": [{"order_line": 7}]}))
        .await;
    assert_field_error(&r, "lines[0].order_line");
    let r = f
        .post(
            &format!("{ORDERS}{d}/receive/"),
            json!({"lines": [{"order_line": 1, "quantity": "0.0001"}]}),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");

    // Received once, it cannot be cancelled or deleted; closed, it takes no more goods.
    f.create(
        &format!("{ORDERS}{d}/receive/"),
        json!({"lines": [{"order_line": 1, "quantity": "1"}]}),
    )
    .await;
    let r = f.post(&format!("{ORDERS}{d}/cancel/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
    let r = f.delete(&format!("{ORDERS}{d}/")).await;
    assert_field_error(&r, "non_field_errors");
    let r = f.post(&format!("{ORDERS}{d}/close/"), json!({})).await;
    assert_eq!(r.body["status"], "closed");
    let before = balance(&f, "1200").await;
    let r = f.post(&format!("{ORDERS}{d}/receive/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
    assert!(
        r.body["non_field_errors"][0].as_str().unwrap().contains("closed"),
        "{}",
        r.body
    );
    assert_eq!(f.count(RECEIPTS).await, 1);
    assert_eq!(balance(&f, "1200").await, before);

    // Drafts from the reorder list: a vendor of another kind is named; nothing below its point
    // makes nothing.
    let customer = id(&f
        .create("/api/sales/customers/", json!({"name": "Only A Customer"}))
        .await)
    .to_owned();
    let r = f
        .post(&format!("{ORDERS}from-reorder/"), json!({"vendor": customer}))
        .await;
    assert_field_error(&r, "vendor");
    let r = f
        .post(&format!("{ORDERS}from-reorder/"), json!({"vendor": vendor}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["orders"].clone(), r.body["skipped"].clone()),
        (json!([]), json!([]))
    );

    // A draft is edited and deleted; a cancelled order takes nothing.
    let other = order(&f, &vendor, &item, "2", false).await;
    let o = id(&other);
    let r = f
        .put(
            &format!("{ORDERS}{o}/"),
            json!({"vendor": vendor, "lines": [{"item": item, "quantity": "5", "unit_price": "9.50"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["total"], "47.50");
    assert_eq!(r.body["number"], other["number"]);
    let r = f.delete(&format!("{ORDERS}{o}/")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let third = order(&f, &vendor, &item, "2", true).await;
    let r = f.post(&format!("{ORDERS}{}/cancel/", id(&third)), json!({})).await;
    assert_eq!(r.body["status"], "cancelled");
    let r = f.post(&format!("{ORDERS}{}/receive/", id(&third)), json!({})).await;
    assert_field_error(&r, "non_field_errors");
}

on_every_backend!(landed_costs_spread_a_freight_bill_over_a_receipt, landed);
async fn landed(app: TestApp) {
    let f = Firm::register(&app, "freight@purchases.test", "Freight Books").await;
    let (vendor, item) = setup(&f).await;
    let bolt = f
        .create(
            ITEMS,
            json!({"code": "B1", "name": "Bolt", "kind": "stock", "purchase_price": "1.00"}),
        )
        .await;
    let po = f
        .create(
            ORDERS,
            json!({"vendor": vendor, "order_date": "2026-03-01", "confirm": true,
                   "lines": [{"item": item, "quantity": "2"}, {"item": id(&bolt), "quantity": "10"}]}),
        )
        .await;
    let receipt = f
        .create(&format!("{ORDERS}{}/receive/", id(&po)), json!({"date": "2026-03-02"}))
        .await;
    assert_eq!(receipt["value"], "30.00");
    let carrier = id(&f.create(VENDORS, json!({"name": "Fast Freight"})).await).to_owned();
    let freight = f
        .issued(
            BILLS,
            json!({"contact": carrier, "issue_date": "2026-03-03",
                   "lines": [{"description": "Freight", "unit_price": "9.00", "account": f.acct("6800")}]}),
        )
        .await;
    let path = format!("/api/purchase/bills/{}/landed-costs/", id(&freight));
    // More than the bill's cost lines: refused, nothing written.
    let r = f.post(&path, json!({"receipt": id(&receipt), "amount": "9.01"})).await;
    assert_field_error(&r, "amount");
    let r = f
        .post(
            &path,
            json!({"receipt": id(&receipt), "amount": "9", "basis": "weight"}),
        )
        .await;
    assert_field_error(&r, "basis");
    assert_eq!(balance(&f, "6800").await, "9.00");
    // By quantity: 2 widgets and 10 bolts take 1.50 and 7.50.
    let c = f
        .create(
            &path,
            json!({"receipt": id(&receipt), "amount": "9", "basis": "quantity"}),
        )
        .await;
    assert_eq!(
        c["lines"],
        json!([{"receipt_line": 1, "amount": "1.50"}, {"receipt_line": 2, "amount": "7.50"}])
    );
    assert_eq!(balance(&f, "6800").await, "0");
    assert_eq!(balance(&f, "1200").await, "39.00");
    // Nothing is left of the freight line.
    let r = f.post(&path, json!({"receipt": id(&receipt), "amount": "0.01"})).await;
    assert_field_error(&r, "amount");
}

on_every_backend!(purchases_of_another_firm_or_company_are_not_found, isolation);
async fn isolation(app: TestApp) {
    let f = Firm::register(&app, "own@purchases.test", "Own Books").await;
    let (vendor, item) = setup(&f).await;
    let po = order(&f, &vendor, &item, "2", true).await;
    let receipt = f.create(&format!("{ORDERS}{}/receive/", id(&po)), json!({})).await;
    let m = f.create(&format!("{RECEIPTS}{}/bill/", id(&receipt)), json!({})).await;
    let bill = m["bill"].as_str().unwrap().to_owned();
    let other_firm = Firm::register(&app, "other@purchases.test", "Other Books").await;
    let other_company = f.new_company("Second Co", "USD").await;
    for who in [&other_firm, &other_company] {
        for path in [
            format!("{ORDERS}{}/", id(&po)),
            format!("{RECEIPTS}{}/", id(&receipt)),
            format!("/api/purchase/bills/{bill}/match/"),
        ] {
            assert_eq!(who.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        for (path, body) in [
            (format!("{ORDERS}{}/receive/", id(&po)), json!({})),
            (format!("{ORDERS}{}/bill/", id(&po)), json!({})),
            (format!("{ORDERS}{}/close/", id(&po)), json!({})),
            (format!("{RECEIPTS}{}/bill/", id(&receipt)), json!({})),
            (
                format!("/api/purchase/bills/{bill}/landed-costs/"),
                json!({"receipt": id(&receipt), "amount": "1"}),
            ),
        ] {
            assert_eq!(who.post(&path, body).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(
            who.delete(&format!("{ORDERS}{}/", id(&po))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(who.count(ORDERS).await, 0);
        assert_eq!(who.count(RECEIPTS).await, 0);
    }
    assert!(receipt["warehouse"].is_string(), "{receipt}");
    // Another company's warehouse is not a warehouse here: named, nothing written.
    let (v2, i2) = setup(&other_company).await;
    let po2 = order(&other_company, &v2, &i2, "1", true).await;
    let r = other_company
        .post(
            &format!("{ORDERS}{}/receive/", id(&po2)),
            json!({"warehouse": receipt["warehouse"]}),
        )
        .await;
    assert_field_error(&r, "warehouse");
    assert_eq!(other_company.count(RECEIPTS).await, 0);
    // Another company's receipt is not a receipt here either (a landed cost naming it).
    let own_receipt = id(&receipt);
    let carrier = id(&other_company.create(VENDORS, json!({"name": "Carrier"})).await).to_owned();
    let freight = other_company
        .issued(BILLS, json!({"contact": carrier, "lines": [{"description": "Freight", "unit_price": "5", "account": other_company.acct("6800")}]}))
        .await;
    let r = other_company
        .post(
            &format!("/api/purchase/bills/{}/landed-costs/", id(&freight)),
            json!({"receipt": own_receipt, "amount": "1"}),
        )
        .await;
    assert_field_error(&r, "receipt");
}

on_every_backend!(the_reorder_list_makes_draft_orders_once, reorder);
async fn reorder(app: TestApp) {
    let f = Firm::register(&app, "reorder@purchases.test", "Reorder Books").await;
    let (vendor, item) = setup(&f).await;
    let r = f
        .patch(
            &format!("{ITEMS}{item}/"),
            json!({"reorder_point": "5", "reorder_quantity": "12"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Never bought and no vendor given: said, nothing made.
    let r = f.post(&format!("{ORDERS}from-reorder/"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["orders"], json!([]));
    assert_eq!(r.body["skipped"][0]["item"], item.as_str());
    // With a vendor: one draft of the reorder quantity at the item's price.
    let r = f
        .post(&format!("{ORDERS}from-reorder/"), json!({"vendor": vendor}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = &r.body["orders"][0];
    assert_eq!(
        (made["status"].clone(), made["vendor"].clone()),
        (json!("draft"), json!(vendor))
    );
    assert_eq!(
        (line(made, 0)["quantity"].clone(), line(made, 0)["unit_price"].clone()),
        (json!("12"), json!("10.00"))
    );
    // The draft counts as to come: a second run makes nothing.
    let r = f
        .post(&format!("{ORDERS}from-reorder/"), json!({"vendor": vendor}))
        .await;
    assert_eq!(r.body["orders"], json!([]));
    assert_eq!(f.count(ORDERS).await, 1);
}

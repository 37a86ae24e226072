//! The stock engine through the API: settings made on first use (and the method fixed once there
//! are moves), warehouses and locations, a stock item with its units, manual receipts, transfers
//! and adjustments, a refused delivery of too much, a count sheet, the moves' list filters, the
//! ledger tied to the stock's value; bad input (400 naming the field or line, nothing written)
//! and another firm's and another company's records answering 404.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{Firm, assert_field_error, id};
use crate::helpers::TestApp;

const SETTINGS: &str = "/api/inventory/settings/";
const WAREHOUSES: &str = "/api/inventory/warehouses/";
const ITEMS: &str = "/api/inventory/items/";
const MOVES: &str = "/api/inventory/moves/";
const COUNTS: &str = "/api/inventory/counts/";

async fn stock_item(f: &Firm, code: &str) -> String {
    id(&f
        .create(
            ITEMS,
            json!({ "code": code, "name": code, "kind": "stock", "unit": "pcs", "purchase_price": "2.00",
                    "reorder_point": "5", "reorder_quantity": "20" }),
        )
        .await)
    .to_owned()
}

async fn moves(f: &Firm, query: &str) -> Vec<Value> {
    let r = f.get(&format!("{MOVES}{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["results"].as_array().unwrap().clone()
}

/// The balance of an account (debit positive) from the trial balance.
async fn balance(f: &Firm, code: &str) -> String {
    let tb = f.trial_balance("2026-12-31").await;
    let (debit, credit) = crate::fixtures::tb_row(&tb, code).unwrap_or(("0.00".into(), "0.00".into()));
    format!("{debit}/{credit}")
}

crate::on_every_backend!(inventory_moves_through_the_api, moves_through_the_api);
async fn moves_through_the_api(app: TestApp) {
    let f = Firm::register(&app, "owner@stock.test", "Stock Books").await;
    let s = f.get(SETTINGS).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.body["method"], "fifo");
    assert_eq!(s.body["allow_negative"], false);
    let main = s.body["default_warehouse"].as_str().unwrap().to_owned();
    let r = f.patch(SETTINGS, json!({ "method": "average" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.patch(SETTINGS, json!({ "method": "lifo" })).await;
    assert_field_error(&r, "method");

    // A second warehouse with a location; codes unique whatever their case.
    let north = f.create(WAREHOUSES, json!({ "code": "north", "name": "North" })).await;
    let north = id(&north).to_owned();
    let r = f.post(WAREHOUSES, json!({ "code": "NORTH", "name": "Again" })).await;
    assert_field_error(&r, "code");
    let r = f
        .post(
            &format!("{WAREHOUSES}{north}/locations/"),
            json!({ "code": "A1", "name": "Aisle 1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = f.get(&format!("{WAREHOUSES}{north}/locations/")).await;
    assert_eq!(r.body["count"], 1);
    let r = f
        .patch(&format!("{WAREHOUSES}{main}/"), json!({ "is_active": false }))
        .await;
    assert_field_error(&r, "is_active");

    let bolt = stock_item(&f, "BOLT").await;
    let shown = f.get(&format!("{ITEMS}{bolt}/")).await;
    assert_eq!(shown.body["kind"], "stock");
    assert_eq!(shown.body["reorder_point"], "5");
    assert_eq!(shown.body["tracking"], "none");
    let r = f
        .put(
            &format!("{ITEMS}{bolt}/units/"),
            json!({ "units": [{ "unit": "box", "factor": "12" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Receive 2 boxes (24 pcs) at 12.00 a box: 24.00, Dr inventory / Cr GRNI.
    let r = f
        .post(
            MOVES,
            json!({ "kind": "receipt", "date": "2026-03-01", "item": bolt, "warehouse": main,
                    "quantity": "2", "unit": "box", "unit_cost": "12.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["quantity"], "24");
    assert_eq!(r.body["results"][0]["value"], "24.00");
    assert_eq!(balance(&f, "1200").await, "24.00/0.00");
    // Now the method is fixed.
    let r = f.patch(SETTINGS, json!({ "method": "fifo" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Transfer 4 to the north; adjust 1 out there.
    let r = f
        .post(
            MOVES,
            json!({ "kind": "transfer", "date": "2026-03-02", "item": bolt, "warehouse": main,
                    "to_warehouse": north, "quantity": "4" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["count"], 2);
    let r = f
        .post(
            MOVES,
            json!({ "kind": "adjustment", "date": "2026-03-03", "item": bolt, "warehouse": north,
                    "quantity": "-1", "memo": "broken" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["value"], "-1.00");

    // Too much out: a 400 under quantity, nothing written.
    let before = moves(&f, "?page_size=200").await.len();
    let r = f
        .post(
            MOVES,
            json!({ "kind": "return_out", "date": "2026-03-04", "item": bolt, "warehouse": north,
                    "quantity": "4" }),
        )
        .await;
    assert_field_error(&r, "quantity");
    assert!(
        r.body["quantity"][0].as_str().unwrap().contains("3 on hand"),
        "{}",
        r.body
    );
    assert_eq!(moves(&f, "?page_size=200").await.len(), before);

    // A count of the main warehouse: 18 counted where 20 are: an adjustment of −2.
    let r = f
        .post(
            COUNTS,
            json!({ "warehouse": main, "date": "2026-03-05", "lines": [{ "item": bolt, "counted": "18" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["moves"][0]["quantity"], "-2");
    assert_eq!(r.body["moves"][0]["source_kind"], "count");
    let r = f
        .post(
            COUNTS,
            json!({ "warehouse": main, "lines": [{ "item": bolt, "counted": "1.0001" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].counted");

    // Filters.
    assert_eq!(moves(&f, &format!("?warehouse={north}")).await.len(), 2);
    assert_eq!(moves(&f, "?kind=transfer_in").await.len(), 1);
    assert_eq!(moves(&f, "?date_from=2026-03-03&date_to=2026-03-05").await.len(), 2);
    // 18 in main + 3 north = 21 pcs at 1.00: the inventory account holds 21.00.
    assert_eq!(balance(&f, "1200").await, "21.00/0.00");
}

crate::on_every_backend!(inventory_bad_input_and_isolation, bad_input_and_isolation);
async fn bad_input_and_isolation(app: TestApp) {
    let f = Firm::register(&app, "owner@stock-bad.test", "Stock Bad Books").await;
    let main = f.get(SETTINGS).await.body["default_warehouse"]
        .as_str()
        .unwrap()
        .to_owned();
    let bolt = stock_item(&f, "BOLT").await;
    let service = id(&f
        .create(ITEMS, json!({ "code": "FIX", "name": "Fixing", "kind": "service" }))
        .await)
    .to_owned();
    let receipt = |extra: Value| {
        let mut body = json!({ "kind": "receipt", "date": "2026-03-01", "item": bolt, "warehouse": main,
                               "quantity": "1", "unit_cost": "1.00" });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (extra, field) in [
        (json!({ "quantity": "0" }), "quantity"),
        (json!({ "quantity": "1.0001" }), "quantity"),
        (json!({ "quantity": "-1" }), "quantity"),
        (json!({ "kind": "landed_cost" }), "kind"),
        (json!({ "item": service }), "item"),
        (json!({ "warehouse": bolt }), "warehouse"),
        (json!({ "unit": "crate" }), "unit"),
        (json!({ "unit_cost": "-1" }), "unit_cost"),
        (json!({ "unit_cost": "1.001" }), "unit_cost"),
        (json!({ "value": "3.00" }), "value"),
        (json!({ "date": "2026-02-30" }), "date"),
        (json!({ "kind": "transfer", "unit_cost": null }), "to_warehouse"),
        (json!({ "counter_account": bolt }), "counter_account"),
    ] {
        let r = f.post(MOVES, receipt(extra.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}: {}", r.body);
        assert_field_error(&r, field);
    }
    assert!(moves(&f, "").await.is_empty(), "nothing written");
    let r = f
        .post(
            COUNTS,
            json!({ "warehouse": main, "lines": [{ "item": bolt, "counted": "1" }, { "item": service, "counted": "1" }] }),
        )
        .await;
    assert_field_error(&r, "lines[1].item");
    assert!(moves(&f, "").await.is_empty(), "nothing written");

    // Another company of the firm and another firm: 404 for the warehouse, empty lists.
    let other_company = f.new_company("Second Books", "USD").await;
    let stranger = Firm::register(&app, "owner@stock-other.test", "Other Stock Books").await;
    let r = f.post(MOVES, receipt(json!({}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for other in [&other_company, &stranger] {
        assert_eq!(
            other.get(&format!("{WAREHOUSES}{main}/")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other
                .patch(&format!("{WAREHOUSES}{main}/"), json!({ "name": "Mine" }))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("{WAREHOUSES}{main}/locations/")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other
                .post(
                    &format!("{WAREHOUSES}{main}/locations/"),
                    json!({ "code": "X", "name": "X" })
                )
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("{ITEMS}{bolt}/units/")).await.status,
            StatusCode::NOT_FOUND
        );
        assert!(moves(other, "").await.is_empty());
        // Their own moves cannot name our item or warehouse.
        let r = other.post(MOVES, receipt(json!({}))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    }
    assert_eq!(moves(&f, "").await.len(), 1);
}

crate::on_every_backend!(inventory_deactivated_settings, settings_of_a_deactivated_company);
/// A deactivated company's books are read-only: its inventory settings still show when they were
/// made before, and one that never kept stock answers 404 (a read does not make them), never a 400.
async fn settings_of_a_deactivated_company(app: TestApp) {
    let f = Firm::register(&app, "owner@stock-closed.test", "Stock Closed Books").await;
    let kept = f.new_company("Kept Stock", "USD").await;
    let never = f.new_company("Never Stock", "USD").await;
    let made = kept.get(SETTINGS).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    for c in [&kept, &never] {
        let company = c.company.clone().unwrap();
        let r = f
            .patch(
                &format!("/api/tenants/companies/{company}/"),
                json!({ "is_active": false }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let again = kept.get(SETTINGS).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["default_warehouse"], made.body["default_warehouse"]);
    let none = never.get(SETTINGS).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.body);
    // Nothing was made: no warehouse in the company that never kept stock.
    let warehouses = never.get(WAREHOUSES).await;
    assert_eq!(warehouses.status, StatusCode::OK, "{}", warehouses.body);
    assert_eq!(warehouses.body["count"], 0, "{}", warehouses.body);
}

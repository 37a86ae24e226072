//! An item's other units of measure through the API (`/api/inventory/items/{id}/units/`): the
//! list replaced by `PUT` and read back by `GET`, stock moves entered in another unit and
//! converted to the base unit (what the on-hand report then shows), refused units and bad lists
//! (400 naming the field, nothing changed), and another firm's or company's item answering 404.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{Firm, ITEMS, assert_field_error, id};
use crate::helpers::TestApp;

const SETTINGS: &str = "/api/inventory/settings/";
const MOVES: &str = "/api/inventory/moves/";
const ON_HAND: &str = "/api/inventory/reports/on-hand/";

async fn stock_item(f: &Firm, code: &str) -> String {
    id(&f
        .create(
            ITEMS,
            json!({ "code": code, "name": code, "kind": "stock", "unit": "pcs", "purchase_price": "1.00" }),
        )
        .await)
    .to_owned()
}

/// The item's units as the API lists them: (unit, factor).
async fn units(f: &Firm, item: &str) -> Vec<(String, String)> {
    let r = f.get(&format!("{ITEMS}{item}/units/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    pairs(&r.body)
}

fn pairs(body: &Value) -> Vec<(String, String)> {
    body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_owned(),
                u["factor"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(u, f)| ((*u).to_owned(), (*f).to_owned())).collect()
}

/// The quantity on hand of the item in the warehouse, from the on-hand report ("0.000" when the
/// report has no row for it).
async fn on_hand(f: &Firm, item: &str, warehouse: &str) -> String {
    let r = f.get(&format!("{ON_HAND}?item={item}&warehouse={warehouse}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["results"]
        .as_array()
        .unwrap()
        .first()
        .map_or("0.000".to_owned(), |row| row["quantity"].as_str().unwrap().to_owned())
}

async fn move_count(f: &Firm) -> u64 {
    f.count(&format!("{MOVES}?page_size=200")).await
}

crate::on_every_backend!(item_units_convert_moves_into_the_base_unit, units_and_moves);
async fn units_and_moves(app: TestApp) {
    let f = Firm::register(&app, "owner@units.test", "Units Books").await;
    let main = f.get(SETTINGS).await.body["default_warehouse"]
        .as_str()
        .unwrap()
        .to_owned();
    let bolt = stock_item(&f, "BOLT").await;
    assert_eq!(units(&f, &bolt).await, vec![], "a new item has only its base unit");

    // PUT answers the list as given; GET lists it by name.
    let r = f
        .put(
            &format!("{ITEMS}{bolt}/units/"),
            json!({ "units": [{ "unit": "pallet", "factor": "480" }, { "unit": "box", "factor": "12" },
                              { "unit": "half", "factor": "0.5" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        pairs(&r.body),
        owned(&[("pallet", "480"), ("box", "12"), ("half", "0.5")])
    );
    let listed = owned(&[("box", "12"), ("half", "0.5"), ("pallet", "480")]);
    assert_eq!(units(&f, &bolt).await, listed);

    // 2 boxes of 12 at 12.00 a box: 24 pcs worth 24.00.
    let r = f
        .post(
            MOVES,
            json!({ "kind": "receipt", "date": "2026-03-01", "item": bolt, "warehouse": main,
                    "quantity": "2", "unit": "box", "unit_cost": "12.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["quantity"], "24", "{}", r.body);
    assert_eq!(r.body["results"][0]["value"], "24.00", "{}", r.body);
    assert_eq!(on_hand(&f, &bolt, &main).await, "24.000");
    // The base unit may be named too, whatever its case: 3 PCS out is 3 out.
    let r = f
        .post(
            MOVES,
            json!({ "kind": "adjustment", "date": "2026-03-02", "item": bolt, "warehouse": main,
                    "quantity": "-3", "unit": "PCS" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["quantity"], "-3", "{}", r.body);
    // A fractional factor: 3 halves are 1.5 pcs.
    let r = f
        .post(
            MOVES,
            json!({ "kind": "adjustment", "date": "2026-03-03", "item": bolt, "warehouse": main,
                    "quantity": "-3", "unit": "half" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["quantity"], "-1.5", "{}", r.body);
    assert_eq!(on_hand(&f, &bolt, &main).await, "19.500");

    // Refused: a unit the item does not have, a quantity with more than 3 decimals once
    // converted, a unit given for an item that does not exist. Nothing is written.
    let before = move_count(&f).await;
    let unknown_item = uuid::Uuid::new_v4().to_string();
    for (item, quantity, unit, field) in [
        (bolt.as_str(), "1", "crate", "unit"),
        (bolt.as_str(), "0.001", "half", "quantity"),
        (unknown_item.as_str(), "1", "box", "unit"),
    ] {
        let r = f
            .post(
                MOVES,
                json!({ "kind": "receipt", "date": "2026-03-04", "item": item, "warehouse": main,
                        "quantity": quantity, "unit": unit, "unit_cost": "1.00" }),
            )
            .await;
        assert_field_error(&r, field);
    }
    assert_eq!(move_count(&f).await, before);
    assert_eq!(on_hand(&f, &bolt, &main).await, "19.500");

    // Bad lists: 400 under the unit or factor named, and the units stay as they were.
    for (list, field) in [
        (json!([{ "unit": "box", "factor": "0" }]), "units[0].factor"),
        (json!([{ "unit": "box", "factor": "-12" }]), "units[0].factor"),
        (json!([{ "unit": "box", "factor": "1.0001" }]), "units[0].factor"),
        (json!([{ "unit": "box", "factor": "a dozen" }]), "units[0].factor"),
        (
            json!([{ "unit": "box", "factor": "12" }, { "unit": "box", "factor": "24" }]),
            "units[1].unit",
        ),
        (json!([{ "unit": "Pcs", "factor": "2" }]), "units[0].unit"),
        (json!([{ "unit": "  ", "factor": "2" }]), "units[0].unit"),
        (json!([{ "unit": "a".repeat(21), "factor": "2" }]), "units[0].unit"),
    ] {
        let r = f.put(&format!("{ITEMS}{bolt}/units/"), json!({ "units": list })).await;
        assert_field_error(&r, field);
        assert_eq!(units(&f, &bolt).await, listed, "{list}");
    }
    let r = f
        .put(
            &format!("{ITEMS}{bolt}/units/"),
            json!({ "units": [{ "unit": "box", "factor": "12", "barcode": "x" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(units(&f, &bolt).await, listed);

    // An empty list removes them: a box is then unknown.
    let r = f.put(&format!("{ITEMS}{bolt}/units/"), json!({ "units": [] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(units(&f, &bolt).await, vec![]);
    let r = f
        .post(
            MOVES,
            json!({ "kind": "receipt", "date": "2026-03-05", "item": bolt, "warehouse": main,
                    "quantity": "1", "unit": "box", "unit_cost": "12.00" }),
        )
        .await;
    assert_field_error(&r, "unit");
    assert_eq!(move_count(&f).await, before);
}

crate::on_every_backend!(item_units_of_another_firm_or_company_are_not_found, isolation);
async fn isolation(app: TestApp) {
    let f = Firm::register(&app, "owner@units-mine.test", "Units Mine").await;
    let bolt = stock_item(&f, "BOLT").await;
    let r = f
        .put(
            &format!("{ITEMS}{bolt}/units/"),
            json!({ "units": [{ "unit": "box", "factor": "12" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let sister = f.new_company("Units Sister", "USD").await;
    let stranger = Firm::register(&app, "owner@units-other.test", "Units Other").await;
    let nobody = uuid::Uuid::new_v4().to_string();
    for other in [&sister, &stranger] {
        let r = other.get(&format!("{ITEMS}{bolt}/units/")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = other
            .put(
                &format!("{ITEMS}{bolt}/units/"),
                json!({ "units": [{ "unit": "crate", "factor": "100" }] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let path = format!("{ITEMS}{nobody}/units/");
    assert_eq!(f.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = f.put(&path, json!({ "units": [] })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        units(&f, &bolt).await,
        owned(&[("box", "12")]),
        "their attempts changed nothing"
    );
}

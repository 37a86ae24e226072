//! What the sales tests need of the inventory engine's API: a stock item, goods received into
//! the company's default warehouse, and the quantity on hand (the sum of the item's moves).

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{Firm, ITEMS, id};

/// A stock item sold at `price` with the sales rate `vat`; its id.
pub async fn stock_item(f: &Firm, code: &str, name: &str, price: &str, vat: &str) -> String {
    id(&f
        .create(
            ITEMS,
            json!({ "code": code, "name": name, "kind": "stock", "sale_price": price,
                    "income_account": f.acct("4100"), "sales_tax_rate": vat }),
        )
        .await)
    .to_owned()
}

/// Receives `quantity` of `item` at `unit_cost` into the company's default warehouse.
pub async fn receive(f: &Firm, item: &str, quantity: &str, unit_cost: &str) {
    let settings = f.get("/api/inventory/settings/").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let r = f
        .post(
            "/api/inventory/moves/",
            json!({ "kind": "receipt", "date": "2026-01-05", "item": item,
                    "warehouse": settings.body["default_warehouse"], "quantity": quantity, "unit_cost": unit_cost }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "receipt: {}", r.body);
}

/// Thousandths of a decimal quantity string (`"-1.5"` → -1500).
fn milli(s: &str) -> i64 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let v = whole.parse::<i64>().unwrap() * 1000 + format!("{frac:0<3}")[..3].parse::<i64>().unwrap();
    if neg { -v } else { v }
}

/// The quantity of `item` on hand now, as its moves add up (`"13"`, `"2.5"`).
pub async fn on_hand(f: &Firm, item: &str) -> String {
    let r = f.get(&format!("/api/inventory/moves/?item={item}&page_size=500")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let total: i64 = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| milli(m["quantity"].as_str().unwrap()))
        .sum();
    let text = format!("{}.{:03}", total / 1000, (total % 1000).abs());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

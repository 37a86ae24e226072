//! Operations of customers, vendors, items and tax rates.

use utoipa::openapi::path::HttpMethod::{Get, Patch, Post};

use super::super::ops::{Body, Kind, Op, named, op};
use super::super::schemas::{page, reference as r};

/// Customers and vendors are one table seen from two sides: the same operations on two paths.
fn contact_ops(list: &'static str, item: &'static str, tag: &'static str, ids: [&'static str; 4]) -> Vec<Op> {
    let filters = [
        ("is_active", Kind::Bool),
        ("is_customer", Kind::Bool),
        ("is_vendor", Kind::Bool),
        ("country", Kind::Text),
    ];
    vec![
        op(Get, list, ids[0], tag, "Contacts on this side, with their balances")
            .list(&filters)
            .ok(page("Contact")),
        op(Post, list, ids[1], tag, "Add a contact on this side")
            .body(Body::Json(named("ContactCreate")))
            .writes()
            .created(r("Contact")),
        op(Get, item, ids[2], tag, "One contact, with its balance").ok(r("Contact")),
        op(
            Patch,
            item,
            ids[3],
            tag,
            "Change a contact (archive: `is_active: false`)",
        )
        .body(Body::Json(named("ContactInput")))
        .writes()
        .ok(r("Contact")),
    ]
}

pub fn contacts() -> Vec<Op> {
    let mut ops = contact_ops(
        "/api/sales/customers/",
        "/api/sales/customers/{id}/",
        "Customers",
        ["listCustomers", "createCustomer", "getCustomer", "updateCustomer"],
    );
    ops.extend(contact_ops(
        "/api/purchase/vendors/",
        "/api/purchase/vendors/{id}/",
        "Vendors",
        ["listVendors", "createVendor", "getVendor", "updateVendor"],
    ));
    ops.extend([
        op(
            Get,
            "/api/inventory/items/",
            "listItems",
            "Items",
            "Products and services",
        )
        .list(&[("is_active", Kind::Bool), ("kind", Kind::Text)])
        .ok(page("Item")),
        op(Post, "/api/inventory/items/", "createItem", "Items", "Add an item")
            .body(Body::Json(named("ItemCreate")))
            .writes()
            .created(r("Item")),
        op(Get, "/api/inventory/items/{id}/", "getItem", "Items", "One item").ok(r("Item")),
        op(
            Patch,
            "/api/inventory/items/{id}/",
            "updateItem",
            "Items",
            "Change an item",
        )
        .body(Body::Json(named("ItemInput")))
        .writes()
        .ok(r("Item")),
        op(
            Get,
            "/api/accounting/tax-rates/",
            "listTaxRates",
            "Tax rates",
            "Tax rates",
        )
        .list(&[
            ("is_active", Kind::Bool),
            ("kind", Kind::Text),
            ("is_inclusive", Kind::Bool),
        ])
        .ok(page("TaxRate")),
        op(
            Post,
            "/api/accounting/tax-rates/",
            "createTaxRate",
            "Tax rates",
            "Add a tax rate",
        )
        .body(Body::Json(named("TaxRateCreate")))
        .writes()
        .created(r("TaxRate")),
        op(
            Get,
            "/api/accounting/tax-rates/{id}/",
            "getTaxRate",
            "Tax rates",
            "One tax rate",
        )
        .ok(r("TaxRate")),
        op(
            Patch,
            "/api/accounting/tax-rates/{id}/",
            "updateTaxRate",
            "Tax rates",
            "Change a tax rate",
        )
        .body(Body::Json(named("TaxRateInput")))
        .writes()
        .ok(r("TaxRate")),
    ]);
    ops
}

//! Operations of customers, vendors, items and tax rates.

use utoipa::ToSchema;
use utoipa::openapi::path::HttpMethod::{Get, Patch, Post, Put};

use super::super::ops::{Body, Kind, Op, named, op, shape};
use super::super::schemas::page;
use crate::http::contacts::{ContactBody, ContactDto};
use crate::http::items::{ItemBody, ItemDto};
use crate::http::taxes::{TaxRateBody, TaxRateDto};

/// What differs between the records served by `http::resource`: their paths, tag, operation
/// ids, summaries (list, create, get, change, replace), filters and the component of a create.
struct Record {
    list: &'static str,
    item: &'static str,
    tag: &'static str,
    ids: [&'static str; 5],
    summaries: [&'static str; 5],
    filters: &'static [(&'static str, Kind)],
    /// The body of a create and a `PUT`: the change's fields, with what a new record needs.
    create: &'static str,
    /// What a create and a `PUT` need, for the `PUT`'s description.
    required: &'static str,
}

/// List, create, get, `PATCH` (`B`, partial) and `PUT` (`create`, whole), answering `D`.
fn record_ops<B: ToSchema, D: ToSchema>(r: &Record) -> Vec<Op> {
    let [list, create, get, update, replace] = r.ids;
    let [list_s, create_s, get_s, update_s, replace_s] = r.summaries;
    vec![
        op(Get, r.list, list, r.tag, list_s)
            .list(r.filters)
            .ok(page(shape::<D>())),
        op(Post, r.list, create, r.tag, create_s)
            .body(Body::Json(named(r.create)))
            .writes()
            .created(shape::<D>()),
        op(Get, r.item, get, r.tag, get_s).ok(shape::<D>()),
        op(Patch, r.item, update, r.tag, update_s)
            .about("Only the fields sent change.")
            .body(Body::Json(shape::<B>()))
            .writes()
            .ok(shape::<D>()),
        op(Put, r.item, replace, r.tag, replace_s)
            .about(r.required)
            .body(Body::Json(named(r.create)))
            .writes()
            .ok(shape::<D>()),
    ]
}

const CONTACT_FILTERS: &[(&str, Kind)] = &[
    ("is_active", Kind::Bool),
    ("is_customer", Kind::Bool),
    ("is_vendor", Kind::Bool),
    ("country", Kind::Text),
];

/// Customers and vendors are one table seen from two sides: the same operations on two paths.
const CONTACT_SUMMARIES: [&str; 5] = [
    "Contacts on this side, with their balances",
    "Add a contact on this side",
    "One contact, with its balance",
    "Change a contact (archive: `is_active: false`)",
    "Replace a contact",
];

const CONTACT_REQUIRED: &str = "`name` is required, as when creating; fields left out keep their value.";

pub fn contacts() -> Vec<Op> {
    let records = [
        Record {
            list: "/api/sales/customers/",
            item: "/api/sales/customers/{id}/",
            tag: "Customers",
            ids: [
                "listCustomers",
                "createCustomer",
                "getCustomer",
                "updateCustomer",
                "replaceCustomer",
            ],
            summaries: CONTACT_SUMMARIES,
            filters: CONTACT_FILTERS,
            create: "ContactCreate",
            required: CONTACT_REQUIRED,
        },
        Record {
            list: "/api/purchase/vendors/",
            item: "/api/purchase/vendors/{id}/",
            tag: "Vendors",
            ids: [
                "listVendors",
                "createVendor",
                "getVendor",
                "updateVendor",
                "replaceVendor",
            ],
            summaries: CONTACT_SUMMARIES,
            filters: CONTACT_FILTERS,
            create: "ContactCreate",
            required: CONTACT_REQUIRED,
        },
    ];
    let items = Record {
        list: "/api/inventory/items/",
        item: "/api/inventory/items/{id}/",
        tag: "Items",
        ids: ["listItems", "createItem", "getItem", "updateItem", "replaceItem"],
        summaries: [
            "Products and services",
            "Add an item",
            "One item",
            "Change an item (archive: `is_active: false`)",
            "Replace an item",
        ],
        filters: &[("is_active", Kind::Bool), ("kind", Kind::Text)],
        create: "ItemCreate",
        required: "`code` and `name` are required, as when creating; fields left out keep their value.",
    };
    let tax_rates = Record {
        list: "/api/accounting/tax-rates/",
        item: "/api/accounting/tax-rates/{id}/",
        tag: "Tax rates",
        ids: [
            "listTaxRates",
            "createTaxRate",
            "getTaxRate",
            "updateTaxRate",
            "replaceTaxRate",
        ],
        summaries: [
            "Tax rates",
            "Add a tax rate",
            "One tax rate",
            "Change a tax rate (archive: `is_active: false`)",
            "Replace a tax rate",
        ],
        filters: &[
            ("is_active", Kind::Bool),
            ("kind", Kind::Text),
            ("is_inclusive", Kind::Bool),
        ],
        create: "TaxRateCreate",
        required: "`name`, `kind` and `rate` are required, as when creating; fields left out keep their value.",
    };
    let mut ops: Vec<Op> = records.iter().flat_map(record_ops::<ContactBody, ContactDto>).collect();
    ops.extend(record_ops::<ItemBody, ItemDto>(&items));
    ops.extend(record_ops::<TaxRateBody, TaxRateDto>(&tax_rates));
    ops
}

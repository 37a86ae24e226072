//! Operations of customers, vendors, items and tax rates.

use super::super::crud::{Crud, crud};
use super::super::ops::{Kind, Op};
use crate::http::contacts::{ContactBody, ContactDto};
use crate::http::items::{ItemBody, ItemDto};
use crate::http::taxes::{TaxRateBody, TaxRateDto};

const CONTACT_FILTERS: &[(&str, Kind)] = &[
    ("is_active", Kind::Bool),
    ("is_customer", Kind::Bool),
    ("is_vendor", Kind::Bool),
    ("country", Kind::Text),
];

const ARCHIVED: &str = "Archive with `is_active: false`: records are never deleted.";

pub fn contacts() -> Vec<Op> {
    // Customers and vendors are one table seen from two sides: the same operations on two paths.
    let customers = crud::<ContactDto, ContactBody>(Crud {
        path: "/api/sales/customers/",
        tag: "Customers",
        one: "Customer",
        many: "Customers",
        a: "a customer",
        list: "Customers, with their balances",
        filters: CONTACT_FILTERS,
        create: "ContactCreate",
        rules: Some(ARCHIVED),
        delete: false,
    });
    let vendors = crud::<ContactDto, ContactBody>(Crud {
        path: "/api/purchase/vendors/",
        tag: "Vendors",
        one: "Vendor",
        many: "Vendors",
        a: "a vendor",
        list: "Vendors, with their balances",
        filters: CONTACT_FILTERS,
        create: "ContactCreate",
        rules: Some(ARCHIVED),
        delete: false,
    });
    let items = crud::<ItemDto, ItemBody>(Crud {
        path: "/api/inventory/items/",
        tag: "Items",
        one: "Item",
        many: "Items",
        a: "an item",
        list: "Products and services",
        filters: &[("is_active", Kind::Bool), ("kind", Kind::Text)],
        create: "ItemCreate",
        rules: Some(ARCHIVED),
        delete: false,
    });
    let tax_rates = crud::<TaxRateDto, TaxRateBody>(Crud {
        path: "/api/accounting/tax-rates/",
        tag: "Tax rates",
        one: "TaxRate",
        many: "TaxRates",
        a: "a tax rate",
        list: "Tax rates",
        filters: &[
            ("is_active", Kind::Bool),
            ("kind", Kind::Text),
            ("is_inclusive", Kind::Bool),
        ],
        create: "TaxRateCreate",
        rules: Some("A stored rate's accounts cannot be cleared. Archive with `is_active: false`."),
        delete: false,
    });
    [customers, vendors, items, tax_rates].into_iter().flatten().collect()
}

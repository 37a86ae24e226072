//! Operations of customers, vendors, items and tax rates.

use super::super::crud::{Crud, crud};
use super::super::ops::Kind::{self, Bool, Text};
use super::super::ops::Op;
use crate::http::contacts::{ContactBody, ContactDto};
use crate::http::items::{ItemBody, ItemDto};
use crate::http::taxes::{TaxRateBody, TaxRateDto};

#[rustfmt::skip]
const CONTACT_FILTERS: &[(&str, Kind)] = &[("is_active", Bool), ("is_customer", Bool), ("is_vendor", Bool), ("country", Text)];

const ARCHIVED: &str = "Archive with `is_active: false`: records are never deleted.";

pub fn contacts() -> Vec<Op> {
    // Customers and vendors are one table seen from two sides: the same operations on two paths.
    let customers = crud::<ContactDto, ContactBody>(Crud {
        path: "/api/sales/customers/",
        tag: "Customers",
        delete: false,
        one: "Customer",
        many: "Customers",
        a: "a customer",
        list: "Customers, with their balances",
        create: "ContactCreate",
        rules: Some(ARCHIVED),
        filters: CONTACT_FILTERS,
    });
    let vendors = crud::<ContactDto, ContactBody>(Crud {
        path: "/api/purchase/vendors/",
        tag: "Vendors",
        delete: false,
        one: "Vendor",
        many: "Vendors",
        a: "a vendor",
        list: "Vendors, with their balances",
        create: "ContactCreate",
        rules: Some(ARCHIVED),
        filters: CONTACT_FILTERS,
    });
    let items = crud::<ItemDto, ItemBody>(Crud {
        path: "/api/inventory/items/",
        tag: "Items",
        delete: false,
        one: "Item",
        many: "Items",
        a: "an item",
        list: "Products and services",
        create: "ItemCreate",
        rules: Some(ARCHIVED),
        filters: &[("is_active", Bool), ("kind", Text)],
    });
    let tax_rates = crud::<TaxRateDto, TaxRateBody>(Crud {
        path: "/api/accounting/tax-rates/",
        tag: "Tax rates",
        delete: false,
        one: "TaxRate",
        many: "TaxRates",
        a: "a tax rate",
        list: "Tax rates",
        create: "TaxRateCreate",
        rules: Some("A stored rate's accounts cannot be cleared. Archive with `is_active: false`."),
        filters: &[("is_active", Bool), ("kind", Text), ("is_inclusive", Bool)],
    });
    [customers, vendors, items, tax_rates].into_iter().flatten().collect()
}

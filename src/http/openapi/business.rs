//! The OpenAPI component schemas of the business records not yet derived from their types:
//! contacts, items and tax rates. (Documents, delivery, payments, recurring invoices, statements
//! and the reports take theirs from their DTOs.)

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::schemas::{
    array, boolean, choice, decimal_input, integer, money, nullable, object, request, string, uuid, with_stamps,
};

type Named = (&'static str, RefOr<Schema>);

fn contacts() -> Vec<Named> {
    vec![
        (
            "Contact",
            object(with_stamps(vec![
                ("id", uuid()),
                ("name", string()),
                ("is_customer", boolean()),
                ("is_vendor", boolean()),
                ("tax_id", string()),
                ("emails", array(string())),
                ("phone", string()),
                ("billing_address", string()),
                ("shipping_address", string()),
                ("country", string()),
                ("payment_terms_days", integer()),
                ("currency", string()),
                ("revenue_account", nullable(uuid())),
                ("expense_account", nullable(uuid())),
                ("notes", string()),
                ("is_active", boolean()),
                ("balance", money()),
            ])),
        ),
        (
            "ContactInput",
            request(
                &[],
                vec![
                    ("name", string()),
                    ("is_customer", boolean()),
                    ("is_vendor", boolean()),
                    ("tax_id", string()),
                    ("emails", array(string())),
                    ("phone", string()),
                    ("billing_address", string()),
                    ("shipping_address", string()),
                    ("country", string()),
                    ("payment_terms_days", integer()),
                    ("currency", nullable(string())),
                    ("revenue_account", nullable(uuid())),
                    ("expense_account", nullable(uuid())),
                    ("notes", string()),
                    ("is_active", boolean()),
                ],
            ),
        ),
        (
            "Item",
            object(with_stamps(vec![
                ("id", uuid()),
                ("code", string()),
                ("name", string()),
                ("description", string()),
                ("kind", choice(&["service", "product"])),
                ("unit", string()),
                ("sale_price", money()),
                ("purchase_price", money()),
                ("income_account", nullable(uuid())),
                ("expense_account", nullable(uuid())),
                ("sales_tax_rate", nullable(uuid())),
                ("purchase_tax_rate", nullable(uuid())),
                ("is_active", boolean()),
            ])),
        ),
        (
            "ItemInput",
            request(
                &[],
                vec![
                    ("code", string()),
                    ("name", string()),
                    ("description", string()),
                    ("kind", choice(&["service", "product"])),
                    ("unit", string()),
                    ("sale_price", decimal_input()),
                    ("purchase_price", decimal_input()),
                    ("income_account", nullable(uuid())),
                    ("expense_account", nullable(uuid())),
                    ("sales_tax_rate", nullable(uuid())),
                    ("purchase_tax_rate", nullable(uuid())),
                    ("is_active", boolean()),
                ],
            ),
        ),
        (
            "TaxRate",
            object(with_stamps(vec![
                ("id", uuid()),
                ("name", string()),
                ("kind", choice(&["vat", "gst", "sales_tax", "other"])),
                ("rate", money()),
                ("is_inclusive", boolean()),
                ("sales_account", uuid()),
                ("purchase_account", uuid()),
                ("is_active", boolean()),
            ])),
        ),
        (
            "TaxRateInput",
            request(
                &[],
                vec![
                    ("name", string()),
                    ("kind", choice(&["vat", "gst", "sales_tax", "other"])),
                    ("rate", decimal_input()),
                    ("is_inclusive", boolean()),
                    ("sales_account", nullable(uuid())),
                    ("purchase_account", nullable(uuid())),
                    ("is_active", boolean()),
                ],
            ),
        ),
    ]
}

pub fn schemas() -> Vec<Named> {
    contacts()
}

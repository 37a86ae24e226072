//! The OpenAPI component schemas of the business records not yet derived from their types:
//! contacts, items, tax rates, the four document kinds and delivery. (Payments, recurring
//! invoices, statements and the reports take theirs from their DTOs.)

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::schemas::{
    array, boolean, choice, date, decimal_input, integer, money, nullable, object, reference, request, string, uuid,
    with_stamps,
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

fn documents() -> Vec<Named> {
    let kind = || choice(&["invoice", "credit_note", "bill", "vendor_credit"]);
    let status = || choice(&["draft", "issued", "partially_paid", "paid", "void"]);
    let line_input = vec![
        ("item", nullable(uuid())),
        ("description", string()),
        ("quantity", nullable(string())),
        ("unit_price", nullable(string())),
        ("discount_percent", nullable(string())),
        ("tax_rate", nullable(uuid())),
        ("account", nullable(uuid())),
    ];
    vec![
        (
            "DocumentLine",
            object(vec![
                ("item", nullable(uuid())),
                ("description", string()),
                ("quantity", money()),
                ("unit_price", money()),
                ("discount_percent", money()),
                ("tax_rate", nullable(uuid())),
                ("account", uuid()),
                ("net_amount", money()),
                ("tax_amount", money()),
            ]),
        ),
        ("DocumentLineInput", request(&[], line_input)),
        (
            "Document",
            object(with_stamps(vec![
                ("id", uuid()),
                ("kind", kind()),
                ("number", nullable(string())),
                ("status", status()),
                ("contact", uuid()),
                ("contact_name", string()),
                ("issue_date", date()),
                ("due_date", date()),
                ("currency", string()),
                ("reference", string()),
                ("notes", string()),
                ("payment_terms_days", integer()),
                ("credited_document", nullable(uuid())),
                ("lines", array(reference("DocumentLine"))),
                ("subtotal", money()),
                ("tax_total", money()),
                ("total", money()),
                ("amount_paid", money()),
                ("balance_due", money()),
                (
                    "tax_summary",
                    array(object(vec![
                        ("tax_rate", uuid()),
                        ("name", string()),
                        ("rate", money()),
                        ("base", money()),
                        ("tax", money()),
                    ])),
                ),
                ("journal_entry", nullable(uuid())),
                ("void_entry", nullable(uuid())),
                ("duplicate_reference", boolean()),
                ("issued_at", nullable(string())),
            ])),
        ),
        (
            "DocumentSummary",
            object(vec![
                ("id", uuid()),
                ("kind", kind()),
                ("number", nullable(string())),
                ("status", status()),
                ("contact", uuid()),
                ("contact_name", string()),
                ("issue_date", date()),
                ("due_date", date()),
                ("currency", string()),
                ("reference", string()),
                ("subtotal", money()),
                ("tax_total", money()),
                ("total", money()),
                ("amount_paid", money()),
                ("balance_due", money()),
                ("duplicate_reference", boolean()),
            ]),
        ),
        (
            "DocumentInput",
            request(
                &["contact"],
                vec![
                    ("contact", nullable(uuid())),
                    ("issue_date", nullable(date())),
                    ("due_date", nullable(date())),
                    ("currency", nullable(string())),
                    ("reference", string()),
                    ("notes", string()),
                    ("payment_terms_days", nullable(integer())),
                    ("credited_document", nullable(uuid())),
                    ("lines", array(reference("DocumentLineInput"))),
                ],
            ),
        ),
    ]
}

fn delivery() -> Vec<Named> {
    vec![
        (
            "Template",
            object(vec![
                ("template", string()),
                ("is_default", boolean()),
                ("default", string()),
            ]),
        ),
        ("TemplateInput", request(&["template"], vec![("template", string())])),
        (
            "LogoInfo",
            object(vec![
                ("content_type", choice(&["image/png", "image/jpeg"])),
                ("size", integer()),
            ]),
        ),
        (
            "SendRequest",
            request(
                &[],
                vec![("to", array(string())), ("subject", string()), ("message", string())],
            ),
        ),
        (
            "Delivery",
            object(vec![
                ("id", uuid()),
                ("document", uuid()),
                ("to", array(string())),
                ("subject", string()),
                ("status", choice(&["sent", "failed"])),
                ("error", string()),
                ("created_at", string()),
                ("created_by", uuid()),
            ]),
        ),
    ]
}

pub fn schemas() -> Vec<Named> {
    contacts().into_iter().chain(documents()).chain(delivery()).collect()
}

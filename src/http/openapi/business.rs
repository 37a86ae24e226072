//! The OpenAPI component schemas of the business records: the four document kinds, payments,
//! recurring invoices, delivery, statements and the reports. (Contacts, items and tax rates
//! have theirs from their types in `http::contacts`, `http::items` and `http::taxes`.)

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::schemas::{
    array, boolean, choice, date, decimal_input, integer, money, nullable, object, reference, request, string, uuid,
    with_stamps,
};

type Named = (&'static str, RefOr<Schema>);

fn documents() -> Vec<Named> {
    vec![
        (
            "RecurringLine",
            object(vec![
                ("item", nullable(uuid())),
                ("description", string()),
                ("quantity", nullable(string())),
                ("unit_price", nullable(string())),
                ("discount_percent", nullable(string())),
                ("tax_rate", nullable(uuid())),
                ("account", nullable(uuid())),
            ]),
        ),
        ("Allocation", object(vec![("document", uuid()), ("amount", money())])),
        (
            "AllocationInput",
            request(
                &[],
                vec![("document", nullable(uuid())), ("amount", nullable(decimal_input()))],
            ),
        ),
        (
            "Payment",
            object(vec![
                ("id", uuid()),
                ("direction", choice(&["received", "made"])),
                ("contact", uuid()),
                ("contact_name", string()),
                ("date", date()),
                ("amount", money()),
                ("bank_account", uuid()),
                ("reference", string()),
                ("status", choice(&["posted", "void"])),
                ("allocations", array(reference("Allocation"))),
                ("unallocated", money()),
                ("journal_entry", uuid()),
                ("void_entry", nullable(uuid())),
                ("created_at", string()),
            ]),
        ),
        (
            "PaymentInput",
            request(
                &["direction", "contact", "amount", "bank_account"],
                vec![
                    ("direction", nullable(choice(&["received", "made"]))),
                    ("contact", nullable(uuid())),
                    ("date", nullable(date())),
                    ("amount", nullable(decimal_input())),
                    ("bank_account", nullable(uuid())),
                    ("reference", string()),
                    ("allocations", array(reference("AllocationInput"))),
                ],
            ),
        ),
        (
            "AllocateRequest",
            request(&[], vec![("allocations", array(reference("AllocationInput")))]),
        ),
    ]
}

fn recurring_and_delivery() -> Vec<Named> {
    let frequency = || choice(&["weekly", "monthly", "quarterly", "yearly"]);
    let ageing = |mut fields: Vec<Named>| {
        for b in crate::domain::documents::AGEING_BUCKETS {
            fields.push((b, money()));
        }
        fields
    };
    vec![
        (
            "Recurring",
            object(with_stamps(vec![
                ("id", uuid()),
                ("name", string()),
                ("contact", uuid()),
                ("frequency", frequency()),
                ("every", integer()),
                ("start_date", date()),
                ("end_date", nullable(date())),
                ("next_date", nullable(date())),
                ("payment_terms_days", nullable(integer())),
                ("reference", string()),
                ("notes", string()),
                ("auto_issue", boolean()),
                ("is_active", boolean()),
                ("generated", integer()),
                ("lines", array(reference("RecurringLine"))),
            ])),
        ),
        (
            "RecurringInput",
            request(
                &[],
                vec![
                    ("name", string()),
                    ("contact", nullable(uuid())),
                    ("frequency", frequency()),
                    ("every", integer()),
                    ("start_date", date()),
                    ("end_date", nullable(date())),
                    ("payment_terms_days", nullable(integer())),
                    ("reference", string()),
                    ("notes", string()),
                    ("auto_issue", boolean()),
                    ("is_active", boolean()),
                    ("lines", array(reference("DocumentLineInput"))),
                ],
            ),
        ),
        (
            "RecurringRun",
            object(vec![
                ("date", date()),
                ("count", integer()),
                (
                    "invoices",
                    array(object(vec![
                        ("id", uuid()),
                        ("number", nullable(string())),
                        ("issue_date", date()),
                        ("status", string()),
                    ])),
                ),
            ]),
        ),
        (
            "Statement",
            object(vec![
                ("customer", string()),
                ("currency", string()),
                ("date_from", nullable(date())),
                ("date_to", date()),
                ("opening_balance", money()),
                (
                    "rows",
                    array(object(vec![
                        ("date", date()),
                        ("document", string()),
                        ("description", string()),
                        ("debit", money()),
                        ("credit", money()),
                        ("balance", money()),
                    ])),
                ),
                ("closing_balance", money()),
                ("ageing", object(ageing(Vec::new()))),
            ]),
        ),
        (
            "Ageing",
            object(vec![
                ("as_of", date()),
                ("currency", string()),
                ("buckets", array(string())),
                (
                    "rows",
                    array(object(ageing(vec![
                        ("contact", uuid()),
                        ("contact_name", string()),
                        ("total", money()),
                    ]))),
                ),
                ("totals", object(ageing(vec![("total", money())]))),
            ]),
        ),
    ]
}

/// The trial balance and the general ledger (the ageing reports and statements are above).
fn reports() -> Vec<Named> {
    vec![
        (
            "TrialBalance",
            object(vec![
                ("as_of", date()),
                ("currency", string()),
                (
                    "rows",
                    array(object(vec![
                        ("account", uuid()),
                        ("code", string()),
                        ("name", string()),
                        ("type", string()),
                        ("debit", money()),
                        ("credit", money()),
                    ])),
                ),
                ("totals", object(vec![("debit", money()), ("credit", money())])),
            ]),
        ),
        (
            "GeneralLedger",
            object(vec![
                (
                    "account",
                    object(vec![
                        ("id", uuid()),
                        ("code", string()),
                        ("name", string()),
                        ("type", string()),
                    ]),
                ),
                ("currency", string()),
                ("date_from", date()),
                ("date_to", date()),
                ("opening_balance", money()),
                ("closing_balance", money()),
                ("count", integer()),
                ("next", nullable(string())),
                ("previous", nullable(string())),
                (
                    "results",
                    array(object(vec![
                        ("entry", uuid()),
                        ("number", nullable(integer())),
                        ("date", date()),
                        ("reference", string()),
                        ("description", string()),
                        ("debit", money()),
                        ("credit", money()),
                        ("balance", money()),
                    ])),
                ),
            ]),
        ),
    ]
}

pub fn schemas() -> Vec<Named> {
    documents()
        .into_iter()
        .chain(recurring_and_delivery())
        .chain(reports())
        .collect()
}

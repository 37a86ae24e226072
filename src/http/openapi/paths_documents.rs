//! The operations of receivables and payables: the four document kinds (one set of handlers,
//! four paths), delivery, statements, recurring invoices, payments and the reports.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::ops::{Answer, Body, Kind, Op, op};
use super::schemas::{page, reference as r};

/// A document kind's operations under `base` (`/api/invoicing/invoices/`). `sent`: whether the
/// kind is e-mailed (invoices and credit notes).
fn kind(base: &str, one: &str, many: &str, tag: &'static str, sent: bool) -> Vec<Op> {
    let item = format!("{base}{{id}}/");
    let mut ops = vec![
        op(Get, base, format!("list{many}"), tag, "The list, newest first")
            .about("`overdue=true`: open and due before today.")
            .list(&[
                ("status", Kind::Text),
                ("contact", Kind::Id),
                ("date_from", Kind::Date),
                ("date_to", Kind::Date),
                ("due_before", Kind::Date),
                ("open", Kind::Bool),
                ("overdue", Kind::Bool),
            ])
            .ok(page("DocumentSummary")),
        op(Post, base, format!("create{one}"), tag, "Create a draft")
            .body(Body::Json("DocumentInput"))
            .idempotent()
            .writes()
            .created(r("Document")),
        op(
            Get,
            item.clone(),
            format!("get{one}"),
            tag,
            "One document, with its lines and tax summary",
        )
        .ok(r("Document")),
        op(Patch, item.clone(), format!("update{one}"), tag, "Change a draft")
            .body(Body::Json("DocumentInput"))
            .idempotent()
            .writes()
            .ok(r("Document")),
        op(Delete, item.clone(), format!("delete{one}"), tag, "Delete a draft").writes(),
        op(
            Post,
            format!("{item}issue/"),
            format!("issue{one}"),
            tag,
            "Issue: numbered and posted to the ledger",
        )
        .idempotent()
        .writes()
        .ok(r("Document")),
        op(
            Post,
            format!("{item}void/"),
            format!("void{one}"),
            tag,
            "Void: the entry is reversed",
        )
        .about("Without a body (or a `date`), the reversal is dated like the document.")
        .body(Body::Optional("DateRequest"))
        .idempotent()
        .writes()
        .ok(r("Document")),
        op(
            Get,
            format!("{item}pdf/"),
            format!("pdf{one}"),
            tag,
            "The document as a PDF",
        )
        .about("Inline; `download=1` (or `true`): as an attachment.")
        .query("download", Kind::Text, false)
        .answer(Answer::Pdf),
    ];
    if sent {
        ops.push(
            op(
                Post,
                format!("{item}send/"),
                format!("send{one}"),
                tag,
                "E-mail the PDF",
            )
            .about(
                "Recipients default to the contact's e-mails. 200 with the log row when sent; 502 with \
                     the mail server's answer when not.",
            )
            .body(Body::Optional("SendRequest"))
            .writes()
            .ok(r("Delivery"))
            .or(
                400,
                "Invalid input, a draft or void document, or no mail server configured",
            )
            .or(502, "The mail server refused or did not answer"),
        );
        ops.push(
            op(
                Get,
                format!("{item}deliveries/"),
                format!("deliveries{one}"),
                tag,
                "Every e-mail attempt",
            )
            .ok(page("Delivery")),
        );
    }
    ops
}

fn documents() -> Vec<Op> {
    [
        ("/api/invoicing/invoices/", "Invoice", "Invoices", "Invoices", true),
        (
            "/api/invoicing/credit-notes/",
            "CreditNote",
            "CreditNotes",
            "Credit notes",
            true,
        ),
        ("/api/purchase/bills/", "Bill", "Bills", "Bills", false),
        (
            "/api/purchase/vendor-credits/",
            "VendorCredit",
            "VendorCredits",
            "Vendor credits",
            false,
        ),
    ]
    .into_iter()
    .flat_map(|(base, one, many, tag, sent)| kind(base, one, many, tag, sent))
    .collect()
}

fn delivery() -> Vec<Op> {
    vec![
        op(
            Get,
            "/api/invoicing/template/",
            "getTemplate",
            "Delivery",
            "The company's document template (TOML)",
        )
        .ok(r("Template")),
        op(
            Put,
            "/api/invoicing/template/",
            "putTemplate",
            "Delivery",
            "Set the document template",
        )
        .about("Checked by the PDF renderer before it is stored.")
        .body(Body::Json("TemplateInput"))
        .writes()
        .ok(r("Template")),
        op(
            Delete,
            "/api/invoicing/template/",
            "deleteTemplate",
            "Delivery",
            "Back to the default template",
        )
        .writes(),
        op(Get, "/api/invoicing/logo/", "getLogo", "Delivery", "The company's logo").answer(Answer::Image),
        op(
            Put,
            "/api/invoicing/logo/",
            "putLogo",
            "Delivery",
            "Set the logo (PNG or JPEG)",
        )
        .body(Body::Image)
        .writes()
        .ok(r("LogoInfo")),
        op(
            Delete,
            "/api/invoicing/logo/",
            "deleteLogo",
            "Delivery",
            "Remove the logo",
        )
        .writes(),
        op(
            Get,
            "/api/sales/customers/{id}/statement/",
            "customerStatement",
            "Customers",
            "A customer's statement: charges, payments, balance and its age",
        )
        .about("The period defaults to the current month.")
        .query("date_from", Kind::Date, false)
        .query("date_to", Kind::Date, false)
        .ok(r("Statement")),
        op(
            Get,
            "/api/sales/customers/{id}/statement/pdf/",
            "customerStatementPdf",
            "Customers",
            "The statement as a PDF",
        )
        .query("date_from", Kind::Date, false)
        .query("date_to", Kind::Date, false)
        .answer(Answer::Pdf),
    ]
}

fn recurring_and_payments() -> Vec<Op> {
    vec![
        op(
            Get,
            "/api/invoicing/recurring-invoices/",
            "listRecurring",
            "Recurring invoices",
            "Schedules",
        )
        .list(&[("is_active", Kind::Bool), ("contact", Kind::Id)])
        .ok(page("Recurring")),
        op(
            Post,
            "/api/invoicing/recurring-invoices/",
            "createRecurring",
            "Recurring invoices",
            "Add a schedule",
        )
        .body(Body::Json("RecurringCreate"))
        .writes()
        .created(r("Recurring")),
        op(
            Post,
            "/api/invoicing/recurring-invoices/run/",
            "runRecurring",
            "Recurring invoices",
            "Make the due invoices now",
        )
        .about("`{\"date\": \"YYYY-MM-DD\"}` (optional) runs as of that date.")
        .body(Body::Optional("DateRequest"))
        .writes()
        .ok(r("RecurringRun")),
        op(
            Get,
            "/api/invoicing/recurring-invoices/{id}/",
            "getRecurring",
            "Recurring invoices",
            "One schedule",
        )
        .ok(r("Recurring")),
        op(
            Patch,
            "/api/invoicing/recurring-invoices/{id}/",
            "updateRecurring",
            "Recurring invoices",
            "Change a schedule",
        )
        .body(Body::Json("RecurringInput"))
        .writes()
        .ok(r("Recurring")),
        op(
            Get,
            "/api/invoicing/payments/",
            "listPayments",
            "Payments",
            "Payments received and made",
        )
        .list(&[
            ("direction", Kind::Text),
            ("contact", Kind::Id),
            ("date_from", Kind::Date),
            ("date_to", Kind::Date),
            ("is_void", Kind::Bool),
        ])
        .ok(page("Payment")),
        op(
            Post,
            "/api/invoicing/payments/",
            "createPayment",
            "Payments",
            "Record a payment, optionally allocated",
        )
        .body(Body::Json("PaymentInput"))
        .idempotent()
        .writes()
        .created(r("Payment")),
        op(
            Get,
            "/api/invoicing/payments/{id}/",
            "getPayment",
            "Payments",
            "One payment",
        )
        .ok(r("Payment")),
        op(
            Post,
            "/api/invoicing/payments/{id}/allocate/",
            "allocatePayment",
            "Payments",
            "Allocate to documents",
        )
        .body(Body::Json("AllocateRequest"))
        .idempotent()
        .writes()
        .ok(r("Payment")),
        op(
            Post,
            "/api/invoicing/payments/{id}/void/",
            "voidPayment",
            "Payments",
            "Void a payment",
        )
        .body(Body::Optional("DateRequest"))
        .idempotent()
        .writes()
        .ok(r("Payment")),
    ]
}

fn reports() -> Vec<Op> {
    vec![
        op(
            Get,
            "/api/reports/trial-balance/",
            "trialBalance",
            "Reports",
            "Trial balance as of a date (default today)",
        )
        .query("as_of", Kind::Date, false)
        .ok(r("TrialBalance")),
        op(
            Get,
            "/api/reports/general-ledger/",
            "generalLedger",
            "Reports",
            "One account's postings, paged",
        )
        .about("`date_from` defaults to the start of `date_to`'s year; `date_to` to today.")
        .query("account", Kind::Id, true)
        .query("date_from", Kind::Date, false)
        .query("date_to", Kind::Date, false)
        .query("page", Kind::Int, false)
        .query("page_size", Kind::Int, false)
        .or(404, "No such page")
        .ok(r("GeneralLedger")),
        op(
            Get,
            "/api/reports/aged-receivables/",
            "agedReceivables",
            "Reports",
            "What customers owe, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(r("Ageing")),
        op(
            Get,
            "/api/reports/aged-payables/",
            "agedPayables",
            "Reports",
            "What the company owes vendors, by age",
        )
        .query("as_of", Kind::Date, false)
        .ok(r("Ageing")),
    ]
}

pub fn operations() -> Vec<Op> {
    documents()
        .into_iter()
        .chain(delivery())
        .chain(recurring_and_payments())
        .chain(reports())
        .collect()
}

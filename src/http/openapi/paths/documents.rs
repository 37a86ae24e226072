//! Operations of invoices, credit notes, bills and vendor credits, and their delivery.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::super::ops::{Answer, Body, Kind, Op, named, op, shape};
use super::super::schemas::{page, reference as r};
use crate::http::statements::StatementDto;

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
            .body(Body::Json(named("DocumentInput")))
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
            .body(Body::Json(named("DocumentInput")))
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
        .body(Body::Optional(named("DateRequest")))
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
            .body(Body::Optional(named("SendRequest")))
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

pub fn documents() -> Vec<Op> {
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

pub fn delivery() -> Vec<Op> {
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
        .body(Body::Json(named("TemplateInput")))
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
        .ok(shape::<StatementDto>()),
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

//! Operations of invoices, credit notes, bills and vendor credits, and their delivery.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::super::ops::{Answer, Body, Kind, Op, named, op, shape};
use super::super::schemas::page;
use crate::http::delivery::{DeliveryDto, LogoInfo, SendBody, TemplateBody, TemplateDto};
use crate::http::documents::{DocumentBody, DocumentDto, DocumentRow};
use crate::http::journal::ReverseBody;
use crate::http::statements::StatementDto;

/// A document kind's operations under `base` (`/api/invoicing/invoices/`). `sent`: whether the
/// kind is e-mailed (invoices and credit notes).
fn kind(base: &str, one: &str, many: &str, tag: &'static str, sent: bool) -> Vec<Op> {
    let item = format!("{base}{{id}}/");
    let mut ops = vec![
        op(Get, base, format!("list{many}"), tag, "The list, newest first")
            .about("`overdue=true`: open and due before today; `recurring`: the invoices a schedule made.")
            .list(&[
                ("status", Kind::Text),
                ("contact", Kind::Id),
                ("date_from", Kind::Date),
                ("date_to", Kind::Date),
                ("due_before", Kind::Date),
                ("open", Kind::Bool),
                ("overdue", Kind::Bool),
                ("recurring", Kind::Id),
            ])
            .ok(page(shape::<DocumentRow>())),
        op(Post, base, format!("create{one}"), tag, "Create a draft")
            .about("`contact` and `lines` are required.")
            .body(Body::Json(named("DocumentInput")))
            .idempotent()
            .writes()
            .created(shape::<DocumentDto>()),
        op(
            Get,
            item.clone(),
            format!("get{one}"),
            tag,
            "One document, with its lines and tax summary",
        )
        .ok(shape::<DocumentDto>()),
        op(Put, item.clone(), format!("replace{one}"), tag, "Replace a draft")
            .about("The draft as a whole: `contact` and `lines` are required, as when creating.")
            .body(Body::Json(named("DocumentInput")))
            .idempotent()
            .writes()
            .ok(shape::<DocumentDto>()),
        op(Patch, item.clone(), format!("update{one}"), tag, "Change a draft")
            .about("Only the fields sent change; `lines`, when sent, replace all the lines.")
            .body(Body::Json(shape::<DocumentBody>()))
            .idempotent()
            .writes()
            .ok(shape::<DocumentDto>()),
        op(Delete, item.clone(), format!("delete{one}"), tag, "Delete a draft")
            .idempotent()
            .writes(),
        op(
            Post,
            format!("{item}issue/"),
            format!("issue{one}"),
            tag,
            "Issue: numbered and posted to the ledger",
        )
        .idempotent()
        .writes()
        .ok(shape::<DocumentDto>()),
        op(
            Post,
            format!("{item}void/"),
            format!("void{one}"),
            tag,
            "Void: the entry is reversed",
        )
        .about("Without a body (or a `date`), the reversal is dated like the document.")
        .body(Body::Optional(shape::<ReverseBody>()))
        .idempotent()
        .writes()
        .ok(shape::<DocumentDto>()),
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
            .body(Body::Optional(shape::<SendBody>()))
            .writes()
            .ok(shape::<DeliveryDto>())
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
            .ok(page(shape::<DeliveryDto>())),
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
        .ok(shape::<TemplateDto>()),
        op(
            Put,
            "/api/invoicing/template/",
            "putTemplate",
            "Delivery",
            "Set the document template",
        )
        .about("Checked by the PDF renderer before it is stored.")
        .body(Body::Json(shape::<TemplateBody>()))
        .idempotent()
        .writes()
        .ok(shape::<TemplateDto>()),
        op(
            Delete,
            "/api/invoicing/template/",
            "deleteTemplate",
            "Delivery",
            "Back to the default template",
        )
        .idempotent()
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
        .ok(shape::<LogoInfo>()),
        op(
            Delete,
            "/api/invoicing/logo/",
            "deleteLogo",
            "Delivery",
            "Remove the logo",
        )
        .idempotent()
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

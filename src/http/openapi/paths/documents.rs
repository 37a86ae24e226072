//! Operations of invoices, credit notes, bills and vendor credits, and their delivery.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{self, Bool, Date, Id, Text};
use super::super::ops::{Answer, Op, named, op, shape, tagged};
use super::super::schemas::page;
use crate::http::delivery::{DeliveryDto, LogoInfo, SendBody, TemplateBody, TemplateDto};
use crate::http::documents::{DocumentBody, DocumentDto, DocumentRow};
use crate::http::journal::ReverseBody;
use crate::http::statements::StatementDto;

#[rustfmt::skip]
const DOCUMENT_FILTERS: &[(&str, Kind)] = &[
    ("status", Text), ("contact", Id), ("date_from", Date), ("date_to", Date),
    ("due_before", Date), ("open", Bool), ("overdue", Bool), ("recurring", Id),
];

#[rustfmt::skip]
pub fn documents() -> Vec<Op> {
    [
        kind("/api/invoicing/invoices/", "Invoice", "Invoices", "Invoices", true),
        kind("/api/invoicing/credit-notes/", "CreditNote", "CreditNotes", "Credit notes", true),
        kind("/api/purchase/bills/", "Bill", "Bills", "Bills", false),
        kind("/api/purchase/vendor-credits/", "VendorCredit", "VendorCredits", "Vendor credits", false),
    ].into_iter().flatten().collect()
}

/// A document kind's operations under `base` (`/api/invoicing/invoices/`). `sent`: whether the
/// kind is e-mailed (invoices and credit notes).
#[rustfmt::skip]
fn kind(base: &str, one: &str, many: &str, tag: &'static str, sent: bool) -> Vec<Op> {
    let item = format!("{base}{{id}}/");
    let mut ops = vec![
        op(format!("GET {base}"), format!("list{many}"), "The list, newest first").list::<DocumentRow>(DOCUMENT_FILTERS)
            .about("`overdue=true`: open and due before today; `recurring`: the invoices a schedule made."),
        op(format!("POST {base}"), format!("create{one}"), "Create a draft").json(named("DocumentInput"))
            .about("`contact` and `lines` are required.").idempotent().created(shape::<DocumentDto>()),
        op(format!("GET {item}"), format!("get{one}"), "One document, with its lines and tax summary").ok(shape::<DocumentDto>()),
        op(format!("PUT {item}"), format!("replace{one}"), "Replace a draft").json(named("DocumentInput"))
            .about("The draft as a whole: `contact` and `lines` are required, as when creating.")
            .idempotent().ok(shape::<DocumentDto>()),
        op(format!("PATCH {item}"), format!("update{one}"), "Change a draft").json(shape::<DocumentBody>())
            .about("Only the fields sent change; `lines`, when sent, replace all the lines.").idempotent().ok(shape::<DocumentDto>()),
        op(format!("DELETE {item}"), format!("delete{one}"), "Delete a draft").idempotent(),
        op(format!("POST {item}issue/"), format!("issue{one}"), "Issue: numbered and posted to the ledger")
            .idempotent().ok(shape::<DocumentDto>()),
        op(format!("POST {item}void/"), format!("void{one}"), "Void: the entry is reversed").optional(shape::<ReverseBody>())
            .about("Without a body (or a `date`), the reversal is dated like the document.").idempotent().ok(shape::<DocumentDto>()),
        op(format!("GET {item}pdf/"), format!("pdf{one}"), "The document as a PDF").query("download", Text, false)
            .about("Inline; `download=1` (or `true`): as an attachment.").answer(Answer::Pdf),
    ];
    if sent {
        ops.extend([
            op(format!("POST {item}send/"), format!("send{one}"), "E-mail the PDF to the contact").optional(shape::<SendBody>())
                .about("Only to the contact's own e-mail addresses (all of them by default); another address is refused \
                    under `to` unless `save_to_contact` adds it to the contact first. From the server's sender, `Reply-To` \
                    the company's e-mail. The message is logged (`sending`) before it leaves. 200 with the log row when \
                    sent; 502 with the mail server's answer when not (logged as `failed`); 429 with `Retry-After` past \
                    the firm's `smtp.messages_per_firm_per_hour`.")
                .writes().ok(shape::<DeliveryDto>())
                .or(400, "Invalid input, an address the contact does not have, a draft or void document, or no mail \
                    server configured")
                .or(429, "The firm sent its hourly limit of e-mails")
                .or(502, "The mail server refused or did not answer"),
            op(format!("GET {item}deliveries/"), format!("deliveries{one}"), "The message log: every e-mail of the document, sent or not")
                .ok(page(shape::<DeliveryDto>())),
        ]);
    }
    tagged(tag, Company, ops)
}

/// The document template and logo, and customers' statements.
#[rustfmt::skip]
pub fn delivery() -> Vec<Op> {
    let template_and_logo = tagged("Delivery", Company, [
        op("GET /api/invoicing/template/", "getTemplate", "The company's document template (TOML)").ok(shape::<TemplateDto>()),
        op("PUT /api/invoicing/template/", "putTemplate", "Set the document template").json(shape::<TemplateBody>())
            .about("Checked by the PDF renderer before it is stored.").idempotent().ok(shape::<TemplateDto>()),
        op("DELETE /api/invoicing/template/", "deleteTemplate", "Back to the default template").idempotent(),
        op("GET /api/invoicing/logo/", "getLogo", "The company's logo").answer(Answer::Image),
        op("PUT /api/invoicing/logo/", "putLogo", "Set the logo (PNG or JPEG)").image().writes().ok(shape::<LogoInfo>()),
        op("DELETE /api/invoicing/logo/", "deleteLogo", "Remove the logo").idempotent(),
    ]);
    let statements = tagged("Customers", Company, [
        op("GET /api/sales/customers/{id}/statement/", "customerStatement", "A customer's statement: charges, payments, balance and its age")
            .about("The period defaults to the current month.")
            .query("date_from", Date, false).query("date_to", Date, false).ok(shape::<StatementDto>()),
        op("GET /api/sales/customers/{id}/statement/pdf/", "customerStatementPdf", "The statement as a PDF")
            .query("date_from", Date, false).query("date_to", Date, false).answer(Answer::Pdf),
    ]);
    [template_and_logo, statements].into_iter().flatten().collect()
}

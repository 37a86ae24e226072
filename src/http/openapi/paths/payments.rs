//! Operations of recurring invoices and payments.

use utoipa::openapi::path::HttpMethod::{Get, Patch, Post};

use super::super::ops::{Body, Kind, Op, named, op};
use super::super::schemas::{page, reference as r};

pub fn recurring_and_payments() -> Vec<Op> {
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
        .body(Body::Json(named("RecurringCreate")))
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
        .body(Body::Optional(named("DateRequest")))
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
        .body(Body::Json(named("RecurringInput")))
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
        .body(Body::Json(named("PaymentInput")))
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
        .body(Body::Json(named("AllocateRequest")))
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
        .body(Body::Optional(named("DateRequest")))
        .idempotent()
        .writes()
        .ok(r("Payment")),
    ]
}

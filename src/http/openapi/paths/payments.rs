//! Operations of recurring invoices and payments.

use utoipa::openapi::path::HttpMethod::{Get, Patch, Post, Put};

use super::super::ops::{Body, Kind, Op, named, op, shape};
use super::super::schemas::page;
use crate::http::journal::ReverseBody;
use crate::http::payments::{AllocateBody, PaymentBody, PaymentDto};
use crate::http::recurring::{RecurringBody, RecurringDto, RunDto};

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
        .ok(page(shape::<RecurringDto>())),
        op(
            Post,
            "/api/invoicing/recurring-invoices/",
            "createRecurring",
            "Recurring invoices",
            "Add a schedule",
        )
        .body(Body::Json(named("RecurringCreate")))
        .idempotent()
        .writes()
        .created(shape::<RecurringDto>()),
        op(
            Post,
            "/api/invoicing/recurring-invoices/run/",
            "runRecurring",
            "Recurring invoices",
            "Make the due invoices now",
        )
        .about("`{\"date\": \"YYYY-MM-DD\"}` (optional) runs as of that date.")
        .body(Body::Optional(shape::<ReverseBody>()))
        .idempotent()
        .writes()
        .ok(shape::<RunDto>()),
        op(
            Get,
            "/api/invoicing/recurring-invoices/{id}/",
            "getRecurring",
            "Recurring invoices",
            "One schedule",
        )
        .ok(shape::<RecurringDto>()),
        op(
            Patch,
            "/api/invoicing/recurring-invoices/{id}/",
            "updateRecurring",
            "Recurring invoices",
            "Change a schedule",
        )
        .about("Only the fields sent change.")
        .body(Body::Json(shape::<RecurringBody>()))
        .idempotent()
        .writes()
        .ok(shape::<RecurringDto>()),
        op(
            Put,
            "/api/invoicing/recurring-invoices/{id}/",
            "replaceRecurring",
            "Recurring invoices",
            "Replace a schedule",
        )
        .about("`name`, `contact`, `frequency` and `lines` are required, as when creating.")
        .body(Body::Json(named("RecurringCreate")))
        .idempotent()
        .writes()
        .ok(shape::<RecurringDto>()),
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
        .ok(page(shape::<PaymentDto>())),
        op(
            Post,
            "/api/invoicing/payments/",
            "createPayment",
            "Payments",
            "Record a payment, optionally allocated",
        )
        .body(Body::Json(shape::<PaymentBody>()))
        .idempotent()
        .writes()
        .created(shape::<PaymentDto>()),
        op(
            Get,
            "/api/invoicing/payments/{id}/",
            "getPayment",
            "Payments",
            "One payment",
        )
        .ok(shape::<PaymentDto>()),
        op(
            Post,
            "/api/invoicing/payments/{id}/allocate/",
            "allocatePayment",
            "Payments",
            "Allocate to documents",
        )
        .body(Body::Json(shape::<AllocateBody>()))
        .idempotent()
        .writes()
        .ok(shape::<PaymentDto>()),
        op(
            Post,
            "/api/invoicing/payments/{id}/void/",
            "voidPayment",
            "Payments",
            "Void a payment",
        )
        .about("`{\"date\": \"YYYY-MM-DD\"}` (optional) voids on that date; by default on the payment's own.")
        .body(Body::Optional(shape::<ReverseBody>()))
        .idempotent()
        .writes()
        .ok(shape::<PaymentDto>()),
    ]
}

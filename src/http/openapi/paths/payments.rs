//! Operations of recurring invoices and payments.

use utoipa::openapi::path::HttpMethod::{Get, Post};

use super::super::crud::{Crud, crud};
use super::super::ops::{Body, Kind, Op, op, shape};
use super::super::schemas::page;
use crate::http::journal::ReverseBody;
use crate::http::payments::{AllocateBody, PaymentBody, PaymentDto};
use crate::http::recurring::{RecurringBody, RecurringDto, RunDto};

pub fn recurring_and_payments() -> Vec<Op> {
    let mut ops = crud::<RecurringDto, RecurringBody>(Crud {
        path: "/api/invoicing/recurring-invoices/",
        tag: "Recurring invoices",
        one: "Recurring",
        many: "Recurring",
        a: "a schedule",
        list: "Schedules",
        filters: &[("is_active", Kind::Bool), ("contact", Kind::Id)],
        create: "RecurringCreate",
        rules: Some("A change restarts the schedule from its start date, skipping the invoices it already made."),
        delete: false,
    });
    ops.extend(vec![
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
    ]);
    ops
}

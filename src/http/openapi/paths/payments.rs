//! Operations of recurring invoices and payments.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Bool, Date, Id, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::journal::ReverseBody;
use crate::http::payments::{AllocateBody, PaymentBody, PaymentDto};
use crate::http::recurring::{RecurringBody, RecurringDto, RunDto};

pub fn recurring_and_payments() -> Vec<Op> {
    let schedules = crud::<RecurringDto, RecurringBody>(Crud {
        path: "/api/invoicing/recurring-invoices/",
        tag: "Recurring invoices",
        delete: false,
        one: "Recurring",
        many: "Recurring",
        a: "a schedule",
        list: "Schedules",
        create: "RecurringCreate",
        rules: Some("A change restarts the schedule from its start date, skipping the invoices it already made."),
        filters: &[("is_active", Bool), ("contact", Id)],
    });
    [schedules, run_and_payments()].into_iter().flatten().collect()
}

/// Running the schedules, and payments.
#[rustfmt::skip]
fn run_and_payments() -> Vec<Op> {
    let run = tagged("Recurring invoices", Company, [
        op("POST /api/invoicing/recurring-invoices/run/", "runRecurring", "Make the due invoices now")
            .about("`{\"date\": \"YYYY-MM-DD\"}` (optional) runs as of that date.")
            .optional(shape::<ReverseBody>()).idempotent().ok(shape::<RunDto>()),
    ]);
    let payments = tagged("Payments", Company, [
        op("GET /api/invoicing/payments/", "listPayments", "Payments received and made").list::<PaymentDto>(&[
            ("direction", Text), ("contact", Id), ("date_from", Date), ("date_to", Date), ("is_void", Bool),
        ]),
        op("POST /api/invoicing/payments/", "createPayment", "Record a payment, optionally allocated").json(shape::<PaymentBody>())
            .idempotent().created(shape::<PaymentDto>()),
        op("GET /api/invoicing/payments/{id}/", "getPayment", "One payment").ok(shape::<PaymentDto>()),
        op("POST /api/invoicing/payments/{id}/allocate/", "allocatePayment", "Allocate to documents").json(shape::<AllocateBody>())
            .idempotent().ok(shape::<PaymentDto>()),
        op("POST /api/invoicing/payments/{id}/void/", "voidPayment", "Void a payment").optional(shape::<ReverseBody>())
            .about("`{\"date\": \"YYYY-MM-DD\"}` (optional) voids on that date; by default on the payment's own.")
            .idempotent().ok(shape::<PaymentDto>()),
    ]);
    [run, payments].into_iter().flatten().collect()
}

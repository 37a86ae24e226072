//! Reports "as of" a date show the books as they stood on that date: every event (an issue, a
//! void, a payment, its void, an allocation, a credit) counts from its own date, so the ageing,
//! the customer's statement and the trial balance agree for any date, and recording later
//! events never changes an earlier report. The three cases of issue 17, each on a fresh server.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{
    BILLS, CUSTOMERS, ENTRIES, Firm, INVOICES, PAYMENTS, TRIAL_BALANCE, VENDORS, assert_field_error, id,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

const AGED: &str = "/api/reports/aged-receivables/";
const AGED_PAYABLES: &str = "/api/reports/aged-payables/";

/// The receivable (1100) or payable (2100) control account's balance (debit − credit) in the
/// trial balance as of `as_of`.
async fn control(f: &Firm, code: &str, as_of: &str) -> String {
    let r = f.get(&format!("{TRIAL_BALANCE}?as_of={as_of}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let net = r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["code"] == code)
        .map_or(rust_decimal::Decimal::ZERO, |row| {
            let d: rust_decimal::Decimal = row["debit"].as_str().unwrap().parse().unwrap();
            let c: rust_decimal::Decimal = row["credit"].as_str().unwrap().parse().unwrap();
            d - c
        });
    format!("{net:.2}")
}

async fn ageing(f: &Firm, path: &str, as_of: &str) -> Value {
    let r = f.get(&format!("{path}?as_of={as_of}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The sum of a statement's ageing buckets.
fn aged(s: &Value) -> String {
    let total: rust_decimal::Decimal = ["current", "1_30", "31_60", "61_90", "over_90"]
        .iter()
        .map(|b| {
            s["ageing"][b]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    format!("{total:.2}")
}

async fn statement(f: &Firm, customer: &str, from: &str, to: &str) -> Value {
    let r = f
        .get(&format!(
            "{CUSTOMERS}{customer}/statement/?date_from={from}&date_to={to}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

fn invoice(f: &Firm, contact: &str, date: &str, price: &str) -> Value {
    json!({ "contact": contact, "issue_date": date,
            "lines": [{ "description": "Work", "quantity": "1", "unit_price": price, "account": f.acct("4100") }] })
}

fn bill(f: &Firm, contact: &str, date: &str, price: &str) -> Value {
    json!({ "contact": contact, "issue_date": date,
            "lines": [{ "description": "Supplies", "quantity": "1", "unit_price": price, "account": f.acct("6400") }] })
}

fn payment(f: &Firm, direction: &str, contact: &str, date: &str, amount: &str, allocations: Value) -> Value {
    json!({ "direction": direction, "contact": contact, "date": date, "amount": amount,
            "bank_account": f.acct("1020"), "allocations": allocations })
}

async fn an_invoice_voided_later_is_open_before_its_void(app: TestApp) {
    let f = Firm::register(&app, "owner@asof-void.test", "Void Books").await;
    let c = id(&f.create(CUSTOMERS, json!({ "name": "Acme" })).await).to_owned();
    let inv = f.issued(INVOICES, invoice(&f, &c, "2025-12-29", "100.00")).await;
    let r = f
        .post(
            &format!("{INVOICES}{}/void/", id(&inv)),
            json!({ "date": "2026-01-15" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    assert_eq!(control(&f, "1100", "2025-12-31").await, "100.00");
    let a = ageing(&f, AGED, "2025-12-31").await;
    assert_eq!(a["totals"]["total"], "100.00", "{a}");
    assert_eq!(a["totals"]["current"], "100.00", "due 30 days after issue: {a}");
    let s = statement(&f, &c, "2025-12-01", "2025-12-31").await;
    assert_eq!(s["closing_balance"], "100.00", "{s}");
    assert_eq!(aged(&s), "100.00", "{s}");
    // After the void, nothing is open; the statement shows the invoice and its void.
    assert_eq!(control(&f, "1100", "2026-01-31").await, "0.00");
    assert_eq!(ageing(&f, AGED, "2026-01-31").await["totals"]["total"], "0.00");
    let s = statement(&f, &c, "2025-12-01", "2026-01-31").await;
    let rows: Vec<(&str, &str, &str)> = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap(),
                r["description"].as_str().unwrap(),
                r["balance"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2025-12-29", "Invoice", "100.00"),
            ("2026-01-15", "Invoice voided", "0.00")
        ],
        "{s}"
    );
    assert_eq!(s["closing_balance"], "0.00");
    // A void dated before the invoice would be a reversal the ageing cannot show: refused.
    let other = f.issued(INVOICES, invoice(&f, &c, "2026-02-10", "40.00")).await;
    let r = f
        .post(
            &format!("{INVOICES}{}/void/", id(&other)),
            json!({ "date": "2026-02-09" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["date"].is_array(), "{}", r.body);
    assert_eq!(
        control(&f, "1100", "2026-02-28").await,
        "40.00",
        "the refusal changed nothing"
    );
}
on_every_backend!(
    an_invoice_voided_later_counts_until_its_void,
    an_invoice_voided_later_is_open_before_its_void
);

async fn a_payment_voided_later_settles_the_invoice_until_its_void(app: TestApp) {
    let f = Firm::register(&app, "owner@asof-pay.test", "Pay Books").await;
    let c = id(&f.create(CUSTOMERS, json!({ "name": "Acme" })).await).to_owned();
    let inv = f.issued(INVOICES, invoice(&f, &c, "2025-12-01", "100.00")).await;
    let inv_id = id(&inv).to_owned();
    let p = f
        .create(
            PAYMENTS,
            payment(
                &f,
                "received",
                &c,
                "2025-12-28",
                "100.00",
                json!([{ "document": inv_id }]),
            ),
        )
        .await;
    let r = f
        .post(&format!("{PAYMENTS}{}/void/", id(&p)), json!({ "date": "2026-01-10" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // As of 2025-12-31 the invoice was paid: nothing open, like the ledger.
    assert_eq!(control(&f, "1100", "2025-12-31").await, "0.00");
    let a = ageing(&f, AGED, "2025-12-31").await;
    assert_eq!(a["totals"]["total"], "0.00", "{a}");
    assert_eq!(a["rows"], json!([]), "the invoice is paid, not open: {a}");
    let s = statement(&f, &c, "2025-12-01", "2025-12-31").await;
    assert_eq!(
        (s["closing_balance"].as_str(), aged(&s).as_str()),
        (Some("0.00"), "0.00"),
        "{s}"
    );
    // From the void on, it is open again.
    assert_eq!(control(&f, "1100", "2026-01-10").await, "100.00");
    let a = ageing(&f, AGED, "2026-01-10").await;
    assert_eq!(a["totals"]["total"], "100.00", "{a}");
    assert_eq!(a["totals"]["1_30"], "100.00", "due 2025-12-31, 10 days past due: {a}");
    let s = statement(&f, &c, "2025-12-01", "2026-01-31").await;
    let descriptions: Vec<&str> = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, ["Invoice", "Payment received", "Payment voided"], "{s}");
    assert_eq!(s["closing_balance"], "100.00");
    // The invoice itself is open again today, and a void dated before the payment is refused.
    let r = f.get(&format!("{INVOICES}{inv_id}/")).await;
    assert_eq!(r.body["balance_due"], "100.00", "{}", r.body);
    let p2 = f
        .create(PAYMENTS, payment(&f, "received", &c, "2026-02-01", "30.00", json!([])))
        .await;
    let r = f
        .post(&format!("{PAYMENTS}{}/void/", id(&p2)), json!({ "date": "2026-01-31" }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["date"].is_array(), "{}", r.body);
}
on_every_backend!(
    a_payment_voided_later_pays_the_invoice_until_its_void,
    a_payment_voided_later_settles_the_invoice_until_its_void
);

async fn a_prepayment_is_a_credit_until_it_is_allocated(app: TestApp) {
    let f = Firm::register(&app, "owner@asof-pre.test", "Prepaid Books").await;
    let c = id(&f.create(CUSTOMERS, json!({ "name": "Acme" })).await).to_owned();
    let p = f
        .create(PAYMENTS, payment(&f, "received", &c, "2026-02-10", "80.00", json!([])))
        .await;
    let inv = f.issued(INVOICES, invoice(&f, &c, "2026-03-05", "80.00")).await;
    let r = f
        .post(
            &format!("{PAYMENTS}{}/allocate/", id(&p)),
            json!({ "allocations": [{ "document": id(&inv) }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    assert_eq!(control(&f, "1100", "2026-02-28").await, "-80.00");
    let a = ageing(&f, AGED, "2026-02-28").await;
    assert_eq!(a["totals"]["total"], "-80.00", "an unallocated credit: {a}");
    let s = statement(&f, &c, "2026-02-01", "2026-02-28").await;
    assert_eq!(
        (s["closing_balance"].as_str(), aged(&s).as_str()),
        (Some("-80.00"), "-80.00"),
        "{s}"
    );
    // From the invoice's date the prepayment pays it: nothing open.
    assert_eq!(control(&f, "1100", "2026-03-31").await, "0.00");
    let a = ageing(&f, AGED, "2026-03-31").await;
    assert_eq!(
        (a["totals"]["total"].as_str(), a["rows"].clone()),
        (Some("0.00"), json!([])),
        "{a}"
    );
}
on_every_backend!(
    a_prepayment_counts_as_a_credit_until_its_allocation,
    a_prepayment_is_a_credit_until_it_is_allocated
);

async fn payables_take_each_event_at_its_date(app: TestApp) {
    let f = Firm::register(&app, "owner@asof-ap.test", "Payable Books").await;
    let v = id(&f.create(VENDORS, json!({ "name": "Supplier" })).await).to_owned();
    let b = f.issued(BILLS, bill(&f, &v, "2025-12-20", "250.00")).await;
    let p = f
        .create(
            PAYMENTS,
            payment(&f, "made", &v, "2025-12-27", "250.00", json!([{ "document": id(&b) }])),
        )
        .await;
    let r = f
        .post(&format!("{PAYMENTS}{}/void/", id(&p)), json!({ "date": "2026-01-05" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f
        .post(&format!("{BILLS}{}/void/", id(&b)), json!({ "date": "2026-01-20" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (as_of, open) in [
        ("2025-12-24", "250.00"),
        ("2025-12-31", "0.00"),
        ("2026-01-10", "250.00"),
        ("2026-01-31", "0.00"),
    ] {
        assert_eq!(
            control(&f, "2100", as_of).await,
            format!("-{open}").replace("-0.00", "0.00"),
            "{as_of}"
        );
        let a = ageing(&f, AGED_PAYABLES, as_of).await;
        assert_eq!(a["totals"]["total"], open, "{as_of}: {a}");
    }
}
on_every_backend!(payables_are_as_of_their_own_dates, payables_take_each_event_at_its_date);

async fn a_documents_entry_is_reversed_only_by_its_void(app: TestApp) {
    let f = Firm::register(&app, "owner@asof-rev.test", "Reverse Books").await;
    let c = id(&f.create(CUSTOMERS, json!({ "name": "Acme" })).await).to_owned();
    let inv = f.issued(INVOICES, invoice(&f, &c, "2026-01-10", "100.00")).await;
    let p = f
        .create(PAYMENTS, payment(&f, "received", &c, "2026-01-20", "30.00", json!([])))
        .await;
    for (owner, entry) in [("invoice", &inv["journal_entry"]), ("payment", &p["journal_entry"])] {
        let r = f
            .post(&format!("{ENTRIES}{}/reverse/", entry.as_str().unwrap()), json!({}))
            .await;
        assert_field_error(&r, "non_field_errors");
        assert!(
            r.body["non_field_errors"][0].as_str().unwrap().contains(owner),
            "{}",
            r.body
        );
    }
    assert_eq!(
        control(&f, "1100", "2026-12-31").await,
        "70.00",
        "the refusals changed nothing"
    );
    let a = ageing(&f, AGED, "2026-12-31").await;
    assert_eq!(a["totals"]["total"], "70.00", "{a}");
}
on_every_backend!(
    a_documents_entry_is_reversed_by_voiding_the_document,
    a_documents_entry_is_reversed_only_by_its_void
);

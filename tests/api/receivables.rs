//! Payments, recurring invoices, customer statements and the reports in the one handler shape:
//! ids another firm or company holds are 404 whatever the body; `PUT` replaces a schedule and
//! needs what a create needs, `PATCH` changes only what it sends; a payment is never edited;
//! every default date is the company's today in its own time zone; and a report whose sums
//! leave the books' range is refused by name instead of showing a wrong number.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::drf::every_method_and_body;
use crate::fixtures::{
    AUDIT_LOG, BULK, COMPANIES, CUSTOMERS, Firm, GENERAL_LEDGER, PAYMENTS, TRIAL_BALANCE, assert_field_error,
    assert_fields, id,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

const RECURRING: &str = "/api/invoicing/recurring-invoices/";

/// A customer of `f`'s company.
async fn customer(f: &Firm, name: &str) -> String {
    id(&f.create(CUSTOMERS, json!({ "name": name })).await).to_owned()
}

/// A schedule for `customer`: monthly from 1 January 2026, one line.
fn schedule(f: &Firm, customer: &str) -> Value {
    json!({
        "name": "Retainer", "contact": customer, "frequency": "monthly", "start_date": "2026-01-01",
        "lines": [{ "description": "Retainer", "unit_price": "50.00", "account": f.acct("4200") }]
    })
}

/// A payment from `customer` into the bank, not allocated.
fn payment(f: &Firm, customer: &str) -> Value {
    json!({ "direction": "received", "contact": customer, "date": "2026-02-01", "amount": "80.00",
            "bank_account": f.acct("1020") })
}

async fn ids_the_caller_cannot_see_are_404_whatever_the_body(app: TestApp) {
    let mine = Firm::register(&app, "owner@recv-mine.test", "Mine Books").await;
    let theirs = Firm::register(&app, "owner@recv-theirs.test", "Theirs Books").await;
    let sister = mine.new_company("Sister Co", "USD").await;
    let my_customer = customer(&mine, "Mine's customer").await;
    let valid_schedule = schedule(&mine, &my_customer);
    for (owner, label) in [(&theirs, "another firm"), (&sister, "another company")] {
        let their_customer = customer(owner, "Their customer").await;
        let sched = id(&owner.create(RECURRING, schedule(owner, &their_customer)).await).to_owned();
        let pay = id(&owner.create(PAYMENTS, payment(owner, &their_customer)).await).to_owned();

        let path = format!("{RECURRING}{sched}/");
        every_method_and_body(
            &mine,
            &path,
            &valid_schedule,
            &[Method::GET, Method::PUT, Method::PATCH],
            StatusCode::NOT_FOUND,
        )
        .await;
        every_method_and_body(
            &mine,
            &format!("{PAYMENTS}{pay}/"),
            &payment(&mine, &my_customer),
            &[Method::GET],
            StatusCode::NOT_FOUND,
        )
        .await;
        for (verb, valid) in [("allocate", json!({ "allocations": [] })), ("void", json!({}))] {
            let path = format!("{PAYMENTS}{pay}/{verb}/");
            every_method_and_body(&mine, &path, &valid, &[Method::POST], StatusCode::NOT_FOUND).await;
        }
        for statement in ["statement/", "statement/pdf/"] {
            let path = format!("{CUSTOMERS}{their_customer}/{statement}");
            every_method_and_body(&mine, &path, &json!({}), &[Method::GET], StatusCode::NOT_FOUND).await;
            // Bad dates do not get a 400 either: the customer is looked up first.
            let r = mine.get(&format!("{path}?date_from=someday")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{label} {path}: {}", r.body);
        }

        // Untouched, as their owner sees them.
        let r = owner.get(&path).await;
        assert_eq!(
            (r.status, r.body["name"].clone()),
            (StatusCode::OK, json!("Retainer")),
            "{label}"
        );
        let r = owner.get(&format!("{PAYMENTS}{pay}/")).await;
        assert_eq!(
            (r.status, r.body["status"].clone()),
            (StatusCode::OK, json!("posted")),
            "{label}"
        );
    }
    // An id that is not a UUID names nothing either.
    every_method_and_body(
        &mine,
        &format!("{RECURRING}not-a-uuid/"),
        &valid_schedule,
        &[Method::GET, Method::PUT, Method::PATCH],
        StatusCode::NOT_FOUND,
    )
    .await;
    let path = format!("{PAYMENTS}not-a-uuid/void/");
    every_method_and_body(&mine, &path, &json!({}), &[Method::POST], StatusCode::NOT_FOUND).await;
}
on_every_backend!(
    invisible_payments_schedules_and_statements_are_404,
    ids_the_caller_cannot_see_are_404_whatever_the_body
);

async fn put_replaces_a_schedule_and_patch_changes_only_what_it_sends(app: TestApp) {
    let f = Firm::register(&app, "owner@recv-put.test", "Put Books").await;
    let c = customer(&f, "Tenant Ltd").await;
    let mut body = schedule(&f, &c);
    body["notes"] = json!("Paid by transfer");
    body["auto_issue"] = json!(true);
    let created = f.create(RECURRING, body).await;
    let path = format!("{RECURRING}{}/", id(&created));

    // PUT needs what a create needs, and a refused PUT changes nothing.
    let r = f.put(&path, json!({ "name": "Only a name" })).await;
    assert_fields(&r, &["contact", "frequency", "lines"]);
    assert_eq!(f.get(&path).await.body, created);
    let r = f
        .put(
            &path,
            json!({ "name": "Quarterly retainer", "contact": c, "frequency": "fortnightly", "lines": [] }),
        )
        .await;
    assert_field_error(&r, "frequency");

    // A whole schedule replaces it; what a PUT leaves out keeps its value, as in DRF.
    let r = f
        .put(
            &path,
            json!({ "name": "Quarterly retainer", "contact": c, "frequency": "quarterly",
                    "lines": [{ "description": "Retainer", "quantity": "3", "unit_price": "45.00", "account": f.acct("4200") }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["name"], &r.body["frequency"], &r.body["lines"][0]["quantity"]),
        (&json!("Quarterly retainer"), &json!("quarterly"), &json!("3"))
    );
    assert_eq!(
        (&r.body["notes"], &r.body["auto_issue"]),
        (&json!("Paid by transfer"), &json!(true))
    );
    assert_eq!(r.body["created_at"], created["created_at"]);
    assert_eq!(f.get(&path).await.body, r.body, "the answer is what is stored");

    // PATCH is partial.
    let r = f.patch(&path, json!({ "every": 2, "end_date": "2026-12-31" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            &r.body["every"],
            &r.body["frequency"],
            &r.body["name"],
            &r.body["end_date"]
        ),
        (
            &json!(2),
            &json!("quarterly"),
            &json!("Quarterly retainer"),
            &json!("2026-12-31")
        )
    );
    let r = f.patch(&path, json!({ "end_date": null })).await;
    assert_eq!(r.body["end_date"], Value::Null, "null clears the end: {}", r.body);
    assert_field_error(&f.patch(&path, json!({ "start_date": "1 May" })).await, "start_date");
    assert_field_error(&f.patch(&path, json!({ "every": 13 })).await, "every");

    // Each change is in the audit trail.
    let r = f
        .get(&format!(
            "{AUDIT_LOG}?object_type=recurring_invoice&object_id={}",
            id(&created)
        ))
        .await;
    assert_eq!(r.body["count"], 4, "create, PUT and two PATCHes: {}", r.body);
}
on_every_backend!(
    put_replaces_a_schedule,
    put_replaces_a_schedule_and_patch_changes_only_what_it_sends
);

async fn a_payment_is_voided_never_edited(app: TestApp) {
    let f = Firm::register(&app, "owner@recv-pay.test", "Payment Books").await;
    let c = customer(&f, "Acme").await;
    let p = f.create(PAYMENTS, payment(&f, &c)).await;
    assert_eq!((&p["unallocated"], &p["status"]), (&json!("80.00"), &json!("posted")));
    let path = format!("{PAYMENTS}{}/", id(&p));
    for method in [Method::PUT, Method::PATCH, Method::DELETE] {
        let r = f
            .request(method.clone(), &path, Some(json!({ "amount": "1.00" })), &[])
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}: {}", r.body);
    }
    // Voided without a body: on its own date, nothing left to allocate.
    let r = f.request(Method::POST, &format!("{path}void/"), None, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (&r.body["status"], &r.body["unallocated"]),
        (&json!("void"), &json!("0.00"))
    );
    assert!(r.body["void_entry"].is_string(), "{}", r.body);
    let r = f.post(&format!("{path}void/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
    let r = f.post(&format!("{path}allocate/"), json!({ "allocations": [] })).await;
    assert_field_error(&r, "non_field_errors");
    // A bad date is named.
    let other = f.create(PAYMENTS, payment(&f, &c)).await;
    let r = f
        .post(
            &format!("{PAYMENTS}{}/void/", id(&other)),
            json!({ "date": "tomorrow" }),
        )
        .await;
    assert_field_error(&r, "date");

    // `…/run/` honours an Idempotency-Key: a retry gets the first answer back.
    f.create(RECURRING, schedule(&f, &c)).await;
    let key = [("idempotency-key", "run-once")];
    let run = json!({ "date": "2026-03-15" });
    let first = f
        .request(Method::POST, &format!("{RECURRING}run/"), Some(run.clone()), &key)
        .await;
    assert_eq!(
        (first.status, &first.body["count"]),
        (StatusCode::OK, &json!(3)),
        "{}",
        first.body
    );
    let again = f
        .request(Method::POST, &format!("{RECURRING}run/"), Some(run), &key)
        .await;
    assert_eq!(again.body, first.body);
}
on_every_backend!(payments_are_voided_never_edited, a_payment_is_voided_never_edited);

/// A new company of the firm, in time zone `zone`.
async fn in_zone(f: &Firm, zone: &str) -> Firm {
    let other = f.new_company(zone, "USD").await;
    let company = other.company.clone().unwrap();
    let r = f
        .patch(&format!("{COMPANIES}{company}/"), json!({ "timezone": zone }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    other
}

/// Today where `zone` is, read before and after `answer` (a request near midnight may see
/// either).
async fn today_in<F: std::future::Future<Output = String>>(zone: &str, answer: F) -> (String, [String; 2]) {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let before = jiff::Timestamp::now().to_zoned(tz.clone()).date().to_string();
    let seen = answer.await;
    let after = jiff::Timestamp::now().to_zoned(tz).date().to_string();
    (seen, [before, after])
}

async fn every_default_date_is_the_companys_today(app: TestApp) {
    let f = Firm::register(&app, "owner@recv-today.test", "Today Books").await;
    // Fourteen hours east and eleven west of UTC: never the same date.
    for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        let co = in_zone(&f, zone).await;
        let c = customer(&co, "Zone customer").await;
        let reads = [
            (TRIAL_BALANCE.to_owned(), "as_of"),
            ("/api/reports/aged-receivables/".to_owned(), "as_of"),
            ("/api/reports/aged-payables/".to_owned(), "as_of"),
            (format!("{GENERAL_LEDGER}?account={}", co.acct("1020")), "date_to"),
            (format!("{CUSTOMERS}{c}/statement/"), "date_to"),
        ];
        for (path, field) in reads {
            let (seen, today) = today_in(zone, async {
                let r = co.get(&path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
                r.body[field].as_str().unwrap().to_owned()
            })
            .await;
            assert!(today.contains(&seen), "{zone} {path}: {seen} is not {today:?}");
        }
        let mut undated = payment(&co, &c);
        undated.as_object_mut().unwrap().remove("date");
        let (seen, today) = today_in(zone, async {
            co.create(PAYMENTS, undated).await["date"].as_str().unwrap().to_owned()
        })
        .await;
        assert!(today.contains(&seen), "{zone} payment date: {seen} is not {today:?}");
        let mut unstarted = schedule(&co, &c);
        unstarted.as_object_mut().unwrap().remove("start_date");
        let (seen, today) = today_in(zone, async {
            co.create(RECURRING, unstarted).await["start_date"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .await;
        assert!(today.contains(&seen), "{zone} schedule start: {seen} is not {today:?}");
    }
}
on_every_backend!(
    default_dates_are_the_companys_today,
    every_default_date_is_the_companys_today
);

/// An entry of 1,000 lines: 500 debits of the largest amount a line takes on `debit`, as many
/// credits on `credit`.
fn huge_entry(f: &Firm, debit: &str, credit: &str) -> Value {
    let largest = "9999999999999.99";
    let mut lines: Vec<(&str, &str, &str)> = vec![(debit, largest, ""); 500];
    lines.extend(vec![(credit, "", largest); 500]);
    f.entry("2026-01-15", "HUGE", &lines)
}

async fn a_trial_balance_beyond_the_books_range_is_refused(app: TestApp) {
    let f = Firm::register(&app, "owner@recv-huge.test", "Huge Books").await;
    // Each account ends near 5 × 10^18 minor units, within what one account holds; the debit
    // side of the trial balance would be twice that, beyond any i64.
    let mut entries: Vec<Value> = (0..10).map(|_| huge_entry(&f, "1000", "3000")).collect();
    entries.extend((0..10).map(|_| huge_entry(&f, "1020", "3200")));
    let r = f.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let r = f.get(&format!("{TRIAL_BALANCE}?as_of=2026-12-31")).await;
    assert_field_error(&r, "non_field_errors");
    assert!(
        r.body["non_field_errors"][0]
            .as_str()
            .unwrap()
            .contains("debit balances"),
        "{}",
        r.body
    );
    // One account alone is shown exactly.
    let r = f
        .get(&format!(
            "{GENERAL_LEDGER}?account={}&date_to=2026-12-31",
            f.acct("1000")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["closing_balance"], "49999999999999950.00");
}
on_every_backend!(
    a_trial_balance_that_cannot_be_summed_is_refused,
    a_trial_balance_beyond_the_books_range_is_refused
);

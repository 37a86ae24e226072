//! Foreign currency end to end (issue 17, item 4): the worked example of `docs/foreign-currency.md`
//! with its hand-checked figures — an invoice of USD 1,000.00 at 1.10 in a EUR company paid at
//! 1.08 (a realised loss of 20.00), a bill of USD 200.00 at 1.10 paid at 1.08 (a realised gain
//! of 4.00), a second invoice of USD 500.00 at 1.08 revalued at 1.05 on 31 March (an unrealised
//! loss of 15.00, reversed on 1 April) — and the refusals: no rate for the date, a negative
//! rate, a payment allocated to a document in another currency, a second run, another company.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{BILLS, CUSTOMERS, ENTRIES, Firm, INVOICES, PAYMENTS, VENDORS, assert_field_error, id, tb_row};
use crate::helpers::TestApp;
use crate::on_every_backend;

const RATES: &str = "/api/accounting/exchange-rates/";
const REVALUATIONS: &str = "/api/accounting/revaluations/";
const PREVIEW: &str = "/api/accounting/revaluations/preview/";

/// A EUR company with USD at 1.10 from 10 January, 1.08 from 10 February, 1.05 from 31 March.
async fn euro_books(app: &TestApp, email: &str) -> Firm {
    let owner = Firm::register(app, email, "FX Books").await;
    let firm = owner.new_company("Euro Books", "EUR").await;
    for (date, rate) in [("2026-01-10", "1.10"), ("2026-02-10", "1.08"), ("2026-03-31", "1.05")] {
        firm.create(RATES, json!({ "currency": "USD", "date": date, "rate": rate }))
            .await;
    }
    firm
}

fn invoice(f: &Firm, customer: &str, date: &str, amount: &str) -> Value {
    json!({ "contact": customer, "issue_date": date, "currency": "USD",
            "lines": [{ "description": "Consulting", "unit_price": amount, "account": f.acct("4100") }] })
}

/// `(debit, credit)` of an account in the trial balance as of `date`; `("0.00", "0.00")` when
/// it has no balance.
async fn tb(f: &Firm, date: &str, code: &str) -> (String, String) {
    tb_row(&f.trial_balance(date).await, code).unwrap_or_else(|| ("0.00".into(), "0.00".into()))
}

fn pair(d: &str, c: &str) -> (String, String) {
    (d.to_owned(), c.to_owned())
}

on_every_backend!(foreign_currency_worked_example, worked_example);
async fn worked_example(app: TestApp) {
    let f = euro_books(&app, "owner@fx-example.test").await;
    let customer = id(&f.create(CUSTOMERS, json!({ "name": "Acme Inc" })).await).to_owned();
    let vendor = id(&f.create(VENDORS, json!({ "name": "Globex LLC" })).await).to_owned();

    // 1. Invoice USD 1,000.00 on 10 January at 1.10: the receivable carries EUR 1,100.00.
    let inv = f
        .issued(INVOICES, invoice(&f, &customer, "2026-01-10", "1000.00"))
        .await;
    assert_eq!(inv["currency"], "USD");
    assert_eq!(inv["exchange_rate"], "1.1");
    assert_eq!(inv["total"], "1000.00");
    assert_eq!(inv["total_company"], "1100.00");
    assert_eq!(tb(&f, "2026-01-31", "1100").await, pair("1100.00", "0.00"));
    assert_eq!(tb(&f, "2026-01-31", "4100").await, pair("0.00", "1100.00"));
    let entry = f
        .get(&format!("{ENTRIES}{}/", inv["journal_entry"].as_str().unwrap()))
        .await;
    let control = &entry.body["lines"][0];
    assert_eq!(control["currency"], "USD", "{}", entry.body);
    assert_eq!(control["debit_amount"], "1000.00", "{}", entry.body);
    assert_eq!(control["base_debit"], "1100.00", "{}", entry.body);

    // 2. Bill USD 200.00 on 10 January at 1.10: the payable carries EUR 220.00.
    let bill = f
        .issued(
            BILLS,
            json!({ "contact": vendor, "issue_date": "2026-01-10", "currency": "USD",
                    "lines": [{ "description": "Hosting", "unit_price": "200.00", "account": f.acct("6100") }] }),
        )
        .await;
    assert_eq!(bill["total_company"], "220.00");

    // 3. Both paid on 10 February at 1.08, into the EUR bank account.
    let paid = f
        .create(
            PAYMENTS,
            json!({ "direction": "received", "contact": customer, "date": "2026-02-10", "amount": "1000.00",
                    "currency": "USD", "bank_account": f.acct("1020"),
                    "allocations": [{ "document": id(&inv) }] }),
        )
        .await;
    assert_eq!(paid["currency"], "USD");
    assert_eq!(paid["exchange_rate"], "1.08");
    assert_eq!(paid["unallocated"], "0.00");
    let realised = paid["allocations"][0]["exchange_entry"].as_str().unwrap().to_owned();
    f.create(
        PAYMENTS,
        json!({ "direction": "made", "contact": vendor, "date": "2026-02-10", "amount": "200.00",
                "currency": "USD", "bank_account": f.acct("1020"),
                "allocations": [{ "document": id(&bill) }] }),
    )
    .await;
    // Received 1,080.00 for 1,100.00: a loss of 20.00. Paid 216.00 for 220.00: a gain of 4.00.
    assert_eq!(tb(&f, "2026-02-28", "1020").await, pair("864.00", "0.00"));
    assert_eq!(tb(&f, "2026-02-28", "1100").await, pair("0.00", "0.00"));
    assert_eq!(tb(&f, "2026-02-28", "2100").await, pair("0.00", "0.00"));
    assert_eq!(tb(&f, "2026-02-28", "6900").await, pair("16.00", "0.00"));
    let r = f.get(&format!("{INVOICES}{}/", id(&inv))).await;
    assert_eq!(r.body["status"], "paid");
    // The realised difference is the payment's: the journal refuses to reverse it by hand.
    let r = f.verb(&realised, "reverse").await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);

    // 4. A second invoice, USD 500.00 on 1 March: the rate of 10 February, 1.08 → EUR 540.00.
    let open = f.issued(INVOICES, invoice(&f, &customer, "2026-03-01", "500.00")).await;
    assert_eq!(open["exchange_rate"], "1.08");
    assert_eq!(open["balance_due_company"], "540.00");

    // The customer's balance is in the company currency, as the receivable carries it; the
    // vendor owes nothing.
    let listed = f.get(&format!("{CUSTOMERS}?search=Acme")).await;
    assert_eq!(listed.body["results"][0]["balance"], "540.00", "{}", listed.body);
    let listed = f.get(&format!("{VENDORS}?search=Globex")).await;
    assert_eq!(listed.body["results"][0]["balance"], "0.00", "{}", listed.body);

    // Ageing and the customer's statement in both currencies: USD 500.00 open, carried at
    // EUR 540.00, the control account's balance.
    let aged = f.get("/api/reports/aged-receivables/?as_of=2026-03-31").await;
    assert_eq!(aged.status, StatusCode::OK, "{}", aged.body);
    assert_eq!(aged.body["currency"], "EUR");
    assert_eq!(aged.body["totals"]["total"], "540.00", "{}", aged.body);
    assert_eq!(aged.body["currencies"][0]["currency"], "USD", "{}", aged.body);
    assert_eq!(aged.body["currencies"][0]["total"], "500.00", "{}", aged.body);
    assert_eq!(
        aged.body["rows"][0]["currencies"][0]["total"], "500.00",
        "{}",
        aged.body
    );
    let statement = f
        .get(&format!(
            "{CUSTOMERS}{customer}/statement/?date_from=2026-01-01&date_to=2026-03-31"
        ))
        .await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    assert_eq!(statement.body["closing_balance"], "540.00", "{}", statement.body);
    let rows: Vec<(String, String, String, String)> = statement.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("description"), s("currency"), s("amount_currency"), s("balance"))
        })
        .collect();
    let row = |d: &str, c: &str, a: &str, b: &str| (d.to_owned(), c.to_owned(), a.to_owned(), b.to_owned());
    assert_eq!(
        rows,
        [
            row("Invoice", "USD", "1000.00", "1100.00"),
            row("Payment received", "USD", "-1000.00", "20.00"),
            row("Exchange difference", "EUR", "-20.00", "0.00"),
            row("Invoice", "USD", "500.00", "540.00"),
        ]
    );

    // 5. Revalued on 31 March at 1.05: EUR 525.00 against 540.00 carried, a loss of 15.00.
    let r = f.post(PREVIEW, json!({ "date": "2026-03-31" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["total"], "-15.00", "{}", r.body);
    let lines = r.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{}", r.body);
    assert_eq!(lines[0]["account_code"], "1100");
    assert_eq!(lines[0]["balance"], "500.00");
    assert_eq!(lines[0]["rate"], "1.05");
    assert_eq!(lines[0]["carried"], "540.00");
    assert_eq!(lines[0]["revalued"], "525.00");
    assert_eq!(lines[0]["difference"], "-15.00");
    assert_eq!(f.count(ENTRIES).await, 7, "a preview writes nothing");

    let run = f.create(REVALUATIONS, json!({ "date": "2026-03-31" })).await;
    assert_eq!(run["run"]["total"], "-15.00");
    assert_eq!(tb(&f, "2026-03-31", "1100").await, pair("525.00", "0.00"));
    assert_eq!(tb(&f, "2026-03-31", "6900").await, pair("31.00", "0.00"));
    // Reversed the next day: back to the rates the items were booked at.
    assert_eq!(tb(&f, "2026-04-01", "1100").await, pair("540.00", "0.00"));
    assert_eq!(tb(&f, "2026-04-01", "6900").await, pair("16.00", "0.00"));
    let reversal = f
        .get(&format!("{ENTRIES}{}/", run["run"]["reversal_entry"].as_str().unwrap()))
        .await;
    assert_eq!(reversal.body["date"], "2026-04-01");
    assert_eq!(
        reversal.body["reverses"], run["run"]["journal_entry"],
        "{}",
        reversal.body
    );
    let listed = f.get(REVALUATIONS).await;
    assert_eq!(listed.body["count"], 1);

    // A second run for the same date is refused, and writes nothing.
    let before = f.count(ENTRIES).await;
    let r = f.post(REVALUATIONS, json!({ "date": "2026-03-31" })).await;
    assert_field_error(&r, "date");
    assert_eq!(f.count(ENTRIES).await, before);

    // The audit trail names the run.
    let audit = f.get("/api/accounting/audit-log/?object_type=revaluation").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    assert_eq!(audit.body["count"], 1, "{}", audit.body);
}

on_every_backend!(foreign_currency_refusals, refusals);
async fn refusals(app: TestApp) {
    let f = euro_books(&app, "owner@fx-refusals.test").await;
    let customer = id(&f.create(CUSTOMERS, json!({ "name": "Acme Inc" })).await).to_owned();

    // No GBP rate on or before the date: a 400 naming the currency and the date.
    let r = f
        .post(
            INVOICES,
            json!({ "contact": customer, "issue_date": "2026-01-10", "currency": "GBP",
                    "lines": [{ "description": "x", "unit_price": "10.00", "account": f.acct("4100") }] }),
        )
        .await;
    assert_field_error(&r, "exchange_rate");
    let message = r.body["exchange_rate"][0].as_str().unwrap();
    assert!(message.contains("GBP") && message.contains("2026-01-10"), "{message}");
    // USD before its first rate (10 January).
    let r = f.post(INVOICES, invoice(&f, &customer, "2026-01-09", "10.00")).await;
    assert_field_error(&r, "exchange_rate");
    // A negative or zero rate.
    for bad in ["-1.10", "0", "abc"] {
        let mut body = invoice(&f, &customer, "2026-01-10", "10.00");
        body["exchange_rate"] = json!(bad);
        let r = f.post(INVOICES, body).await;
        assert_field_error(&r, "exchange_rate");
    }
    // A rate on a document in the company currency.
    let mut body = invoice(&f, &customer, "2026-01-10", "10.00");
    body["currency"] = json!("EUR");
    body["exchange_rate"] = json!("1.2");
    assert_field_error(&f.post(INVOICES, body).await, "exchange_rate");
    assert_eq!(f.count(INVOICES).await, 0, "nothing written");

    // A rate given on the document wins over the stored one.
    let mut body = invoice(&f, &customer, "2026-01-10", "100.00");
    body["exchange_rate"] = json!("1.2");
    let given = f.issued(INVOICES, body).await;
    assert_eq!(given["exchange_rate"], "1.2");
    assert_eq!(given["total_company"], "120.00");

    // A EUR payment allocated to the USD invoice: 400 on the allocation, nothing written.
    let payments_before = f.count(PAYMENTS).await;
    let entries_before = f.count(ENTRIES).await;
    let r = f
        .post(
            PAYMENTS,
            json!({ "direction": "received", "contact": customer, "date": "2026-02-10", "amount": "120.00",
                    "bank_account": f.acct("1020"), "allocations": [{ "document": id(&given) }] }),
        )
        .await;
    assert_field_error(&r, "allocations[0].document");
    // A USD payment with a negative rate, or without a rate for its date.
    for (rate, date) in [(Some("-1"), "2026-02-10"), (None, "2026-01-01")] {
        let mut body = json!({ "direction": "received", "contact": customer, "date": date, "amount": "100.00",
                               "currency": "USD", "bank_account": f.acct("1020") });
        if let Some(rate) = rate {
            body["exchange_rate"] = json!(rate);
        }
        assert_field_error(&f.post(PAYMENTS, body).await, "exchange_rate");
    }
    assert_eq!(f.count(PAYMENTS).await, payments_before);
    assert_eq!(f.count(ENTRIES).await, entries_before);

    // Revaluation: a bad rate is named by its currency; no rate for a currency held, too.
    let r = f
        .post(PREVIEW, json!({ "date": "2026-03-31", "rates": { "USD": "-2" } }))
        .await;
    assert_field_error(&r, "rates.USD");
    let r = f.post(PREVIEW, json!({ "date": "2026-01-09" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["lines"].as_array().unwrap().len(),
        0,
        "nothing held before the invoice"
    );
    // The invoice of 10 January held on the 9th of February… at a rate given for the run.
    let r = f
        .post(PREVIEW, json!({ "date": "2026-02-09", "rates": { "USD": "1.25" } }))
        .await;
    assert_eq!(
        r.body["total"], "5.00",
        "100.00 at 1.25 against 120.00 carried: {}",
        r.body
    );
    // Nothing to revalue at the document's own rate.
    let r = f
        .post(REVALUATIONS, json!({ "date": "2026-02-09", "rates": { "USD": "1.2" } }))
        .await;
    assert_field_error(&r, "date");

    // Another company of the same firm sees none of it.
    let sister = f.new_company("Sister Books", "EUR").await;
    let r = sister.post(PREVIEW, json!({ "date": "2026-03-31" })).await;
    assert_eq!(r.body["lines"].as_array().unwrap().len(), 0, "{}", r.body);
    f.create(REVALUATIONS, json!({ "date": "2026-03-31" })).await;
    assert_eq!(sister.get(REVALUATIONS).await.body["count"], 0);
    // Its payment cannot be allocated to this company's invoice.
    let their_customer = id(&sister.create(CUSTOMERS, json!({ "name": "Acme Inc" })).await).to_owned();
    let r = sister
        .post(
            PAYMENTS,
            json!({ "direction": "received", "contact": their_customer, "date": "2026-02-10", "amount": "1.00",
                    "currency": "USD", "exchange_rate": "1.1", "bank_account": sister.acct("1020"),
                    "allocations": [{ "document": id(&given) }] }),
        )
        .await;
    assert_field_error(&r, "allocations[0].document");
}

on_every_backend!(foreign_currency_rounding_cent, rounding_cent);
/// Three lines of USD 2.00, 1.00 and 1.00 at 1.005 convert one by one to 2.01, 1.01 and 1.01
/// (4.03), but the total of USD 4.00 is EUR 4.02: the cent goes off the largest line, so the
/// receivable carries exactly the total at the rate and the entry balances.
async fn rounding_cent(app: TestApp) {
    let f = euro_books(&app, "owner@fx-cent.test").await;
    let customer = id(&f.create(CUSTOMERS, json!({ "name": "Acme Inc" })).await).to_owned();
    let line =
        |account: &str, price: &str| json!({ "description": "x", "unit_price": price, "account": f.acct(account) });
    let inv = f
        .issued(
            INVOICES,
            json!({ "contact": customer, "issue_date": "2026-01-10", "currency": "USD", "exchange_rate": "1.005",
                    "lines": [line("4100", "2.00"), line("4200", "1.00"), line("4900", "1.00")] }),
        )
        .await;
    assert_eq!(inv["total_company"], "4.02");
    assert_eq!(tb(&f, "2026-01-31", "1100").await, pair("4.02", "0.00"));
    assert_eq!(tb(&f, "2026-01-31", "4100").await, pair("0.00", "2.00"));
    assert_eq!(tb(&f, "2026-01-31", "4200").await, pair("0.00", "1.01"));
    assert_eq!(tb(&f, "2026-01-31", "4900").await, pair("0.00", "1.01"));
}

on_every_backend!(foreign_currency_bank_balances_are_revalued, bank_balances);
/// A bank account kept in USD (banking's account on a USD GL account): a USD payment into it is
/// kept in USD on the bank line, and the revaluation revalues the bank balance too.
async fn bank_balances(app: TestApp) {
    let f = euro_books(&app, "owner@fx-bank.test").await;
    let gl = f
        .create(
            "/api/accounting/chart-of-accounts/",
            json!({ "code": "1030", "name": "USD Bank", "type": "asset", "subtype": "bank", "currency": "USD" }),
        )
        .await;
    f.create(
        "/api/banking/accounts/",
        json!({ "name": "Dollar account", "account": id(&gl), "currency": "USD" }),
    )
    .await;
    let customer = id(&f.create(CUSTOMERS, json!({ "name": "Acme Inc" })).await).to_owned();
    let inv = f
        .issued(INVOICES, invoice(&f, &customer, "2026-01-10", "1000.00"))
        .await;
    f.create(
        PAYMENTS,
        json!({ "direction": "received", "contact": customer, "date": "2026-02-10", "amount": "1000.00",
                "currency": "USD", "bank_account": id(&gl), "allocations": [{ "document": id(&inv) }] }),
    )
    .await;
    // USD 1,000.00 in the bank at 1.08 = 1,080.00, worth 1,050.00 at 1.05 on 31 March.
    let r = f.post(PREVIEW, json!({ "date": "2026-03-31" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let lines = r.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{}", r.body);
    assert_eq!(lines[0]["account_code"], "1030");
    assert_eq!(lines[0]["subtype"], "bank");
    assert_eq!(lines[0]["balance"], "1000.00");
    assert_eq!(lines[0]["carried"], "1080.00");
    assert_eq!(lines[0]["difference"], "-30.00");
}

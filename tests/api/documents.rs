//! Invoices, bills, credits and payments over HTTP: the issue → pay → void cycle and what it
//! posts, tax rounding, gap-free numbers under concurrent issuing, the PDF, ageing, and the rule
//! that the receivable and payable control accounts equal the open documents.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{
    BILLS, CREDIT_NOTES, CUSTOMERS, Firm, INVOICES, PAYMENTS, TAX_RATES, TRIAL_BALANCE, VENDORS, id,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

async fn contact(f: &Firm, path: &str, name: &str) -> String {
    let contact = f.create(path, json!({"name": name, "payment_terms_days": 14})).await;
    id(&contact).to_owned()
}

async fn vat(f: &Firm) -> String {
    let rate = f
        .create(
            TAX_RATES,
            json!({"name": "VAT 20%", "kind": "vat", "rate": "20", "is_inclusive": false,
                   "sales_account": f.acct("2200"), "purchase_account": f.acct("1400")}),
        )
        .await;
    id(&rate).to_owned()
}

/// The trial balance row of an account code as (debit − credit), in the API's decimal text.
async fn balance(f: &Firm, code: &str) -> String {
    let r = f.get(TRIAL_BALANCE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["code"] == code)
        .map(|row| {
            let d: rust_decimal::Decimal = row["debit"].as_str().unwrap().parse().unwrap();
            let c: rust_decimal::Decimal = row["credit"].as_str().unwrap().parse().unwrap();
            (d - c).to_string()
        })
        .unwrap_or_else(|| "0".into())
}

async fn issue_invoice(f: &Firm, customer: &str, lines: Value) -> Value {
    f.issued(
        INVOICES,
        json!({"contact": customer, "issue_date": "2026-03-01", "lines": lines}),
    )
    .await
}

async fn invoice_cycle(app: TestApp) {
    let f = Firm::register(&app, "inv@example.com", "Invoicing Firm").await;
    let customer = contact(&f, CUSTOMERS, "Acme Ltd").await;
    let tax = vat(&f).await;
    // A draft: totals computed, due date from the customer's 14 days, no number yet.
    let r = f
        .post(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-03-01", "reference": "PO-77", "lines": [
                {"description": "Consulting", "quantity": "10", "unit_price": "120.00", "tax_rate": tax, "account": f.acct("4200")},
                {"description": "Expenses", "quantity": "1", "unit_price": "3.33", "discount_percent": "10", "tax_rate": tax, "account": f.acct("4200")}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["number"], Value::Null);
    assert_eq!(r.body["due_date"], "2026-03-15");
    // 3.33 less 10 % = 2.997 → 3.00; tax 0.60; 1200 + 240.
    assert_eq!(r.body["subtotal"], "1203.00");
    assert_eq!(r.body["tax_total"], "240.60");
    assert_eq!(r.body["total"], "1443.60");
    assert_eq!(r.body["tax_summary"][0]["tax"], "240.60");
    // Bad input names the line and writes nothing.
    let bad = f
        .post(INVOICES, json!({"contact": customer, "lines": [{"description": "x", "quantity": "-1", "unit_price": "1", "account": f.acct("4200")}]}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["lines[0].quantity"].is_array(), "{}", bad.body);
    let vendor_as_customer = f.post(INVOICES, json!({"contact": f.acct("4200"), "lines": []})).await;
    assert_eq!(vendor_as_customer.status, StatusCode::BAD_REQUEST);
    // Issue: numbered and posted.
    let r = f.post(&format!("{INVOICES}{id}/issue/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], "INV-2026-0001");
    assert_eq!(r.body["status"], "issued");
    assert_eq!(balance(&f, "1100").await, "1443.60");
    assert_eq!(balance(&f, "2200").await, "-240.60");
    assert_eq!(balance(&f, "4200").await, "-1203.00");
    // Issued documents are not edited or issued twice.
    let again = f.post(&format!("{INVOICES}{id}/issue/"), json!({})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let edit = f
        .patch(&format!("{INVOICES}{id}/"), json!({"contact": customer, "lines": []}))
        .await;
    assert_eq!(edit.status, StatusCode::BAD_REQUEST);
    // The PDF carries the number.
    let pdf = f
        .raw(Method::GET, &format!("{INVOICES}{id}/pdf/"))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 1000);
    // A partial payment, then the rest with an overpayment kept as credit.
    let pay = |amount: &str, alloc: &str| {
        json!({"direction": "received", "contact": customer, "date": "2026-03-10", "amount": amount,
               "bank_account": f.acct("1020"), "allocations": [{"document": id, "amount": alloc}]})
    };
    let r = f.post(PAYMENTS, pay("400.00", "400.00")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = r.body["id"].as_str().unwrap().to_owned();
    let r = f.get(&format!("{INVOICES}{id}/")).await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["balance_due"].as_str()),
        (Some("partially_paid"), Some("1043.60"))
    );
    let over = f.post(PAYMENTS, pay("2000.00", "1043.61")).await;
    assert_eq!(
        over.status,
        StatusCode::BAD_REQUEST,
        "more than the balance: {}",
        over.body
    );
    let r = f.post(PAYMENTS, pay("1100.00", "1043.60")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["unallocated"], "56.40");
    let r = f.get(&format!("{INVOICES}{id}/")).await;
    assert_eq!(r.body["status"], "paid");
    // Receivable: 1443.60 − 1500 = −56.40, the customer's credit.
    assert_eq!(balance(&f, "1100").await, "-56.40");
    assert_eq!(balance(&f, "1020").await, "1500.00");
    // A paid invoice is not voided; voiding the first payment reopens it.
    let v = f.post(&format!("{INVOICES}{id}/void/"), json!({})).await;
    assert_eq!(v.status, StatusCode::BAD_REQUEST);
    let r = f.post(&format!("{PAYMENTS}{first}/void/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.get(&format!("{INVOICES}{id}/")).await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["balance_due"].as_str()),
        (Some("partially_paid"), Some("400.00"))
    );
    // Ageing as of 2026-04-04: the invoice is 20 days past due (1-30), and the −56.40 credit of
    // the 2026-03-10 payment is aged from its own date (25 days): both in 1-30.
    let r = f.get("/api/reports/aged-receivables/?as_of=2026-04-04").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totals"]["1_30"], "343.60", "{}", r.body);
    assert_eq!(r.body["totals"]["current"], "0.00", "{}", r.body);
    assert_eq!(
        r.body["totals"]["total"], "343.60",
        "ageing equals the receivable account: {}",
        r.body
    );
    // As of the invoice date, nothing was paid yet: the whole invoice is current.
    let r = f.get("/api/reports/aged-receivables/?as_of=2026-03-01").await;
    assert_eq!(r.body["totals"]["current"], "1443.60", "{}", r.body);
    assert_eq!(balance(&f, "1100").await, "343.60");
    let r = f.get(&format!("/api/sales/customers/{customer}/")).await;
    assert_eq!(r.body["balance"], "343.60", "the customer's balance: {}", r.body);
    // The customer's statement: the invoice, the payment that stands (the voided one is left
    // out), and the balance the ledger shows.
    let r = f
        .get(&format!(
            "/api/sales/customers/{customer}/statement/?date_from=2026-03-01&date_to=2026-04-04"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["opening_balance"], "0.00");
    assert_eq!(r.body["rows"].as_array().unwrap().len(), 2, "{}", r.body);
    assert_eq!(r.body["rows"][0]["debit"], "1443.60");
    assert_eq!(r.body["rows"][1]["credit"], "1100.00");
    assert_eq!(r.body["closing_balance"], "343.60");
    let r = f
        .get(&format!(
            "/api/sales/customers/{customer}/statement/?date_from=2026-03-11"
        ))
        .await;
    assert_eq!(r.body["opening_balance"], "343.60", "{}", r.body);
    let pdf = f
        .raw(Method::GET, &format!("{CUSTOMERS}{customer}/statement/pdf/"))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Another firm sees none of it.
    let other = Firm::register(&app, "other@example.com", "Other Firm").await;
    assert_eq!(
        other
            .get(&format!("/api/sales/customers/{customer}/statement/"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("{INVOICES}{id}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(INVOICES).await.body["count"], 0);
}
on_every_backend!(an_invoice_is_issued_paid_and_reopened, invoice_cycle);

async fn credits_bills_and_void(app: TestApp) {
    let f = Firm::register(&app, "cred@example.com", "Credit Firm").await;
    let customer = contact(&f, CUSTOMERS, "Beta GmbH").await;
    let tax = vat(&f).await;
    let inv = issue_invoice(&f, &customer, json!([{"description": "Goods", "quantity": "2", "unit_price": "50.00", "tax_rate": tax, "account": f.acct("4100")}])).await;
    assert_eq!(inv["total"], "120.00");
    let inv_id = inv["id"].as_str().unwrap();
    // A credit note for part of it reduces the invoice's balance.
    let r = f
        .post(CREDIT_NOTES, json!({"contact": customer, "issue_date": "2026-03-05", "credited_document": inv_id,
            "lines": [{"description": "Damaged", "quantity": "1", "unit_price": "50.00", "tax_rate": tax, "account": f.acct("4100")}]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cn = r.body["id"].as_str().unwrap().to_owned();
    let r = f.post(&format!("{CREDIT_NOTES}{cn}/issue/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], "CN-2026-0001");
    let r = f.get(&format!("{INVOICES}{inv_id}/")).await;
    assert_eq!(r.body["balance_due"], "60.00");
    assert_eq!(balance(&f, "1100").await, "60.00");
    // A second invoice voided: its number stays used, the ledger is back.
    let inv2 = issue_invoice(
        &f,
        &customer,
        json!([{"description": "More", "quantity": "1", "unit_price": "10.00", "account": f.acct("4100")}]),
    )
    .await;
    assert_eq!(inv2["number"], "INV-2026-0002");
    let r = f
        .post(&format!("{INVOICES}{}/void/", inv2["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["number"].as_str()),
        (Some("void"), Some("INV-2026-0002"))
    );
    assert_eq!(balance(&f, "1100").await, "60.00");
    let inv3 = issue_invoice(
        &f,
        &customer,
        json!([{"description": "Again", "quantity": "1", "unit_price": "1.00", "account": f.acct("4100")}]),
    )
    .await;
    assert_eq!(inv3["number"], "INV-2026-0003");
    // A bill posts to payables and flags a duplicate vendor reference.
    let vendor = contact(&f, VENDORS, "Supplies Co").await;
    let bill = json!({"contact": vendor, "issue_date": "2026-03-02", "reference": "S-100",
        "lines": [{"description": "Paper", "quantity": "1", "unit_price": "100.00", "tax_rate": tax, "account": f.acct("6400")}]});
    let r = f.post(BILLS, bill.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b1 = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        f.post(&format!("{BILLS}{b1}/issue/"), json!({})).await.status,
        StatusCode::OK
    );
    let r = f.post(BILLS, bill).await;
    assert_eq!(r.body["duplicate_reference"], true, "{}", r.body);
    let list = f.get(&format!("{BILLS}?status=draft")).await;
    assert_eq!(list.body["results"][0]["duplicate_reference"], true, "{}", list.body);
    assert_eq!(balance(&f, "2100").await, "-120.00");
    // Seen as a vendor, the balance is what we owe them.
    let r = f.get(&format!("/api/purchase/vendors/{vendor}/")).await;
    assert_eq!(r.body["balance"], "120.00", "{}", r.body);
    assert_eq!(balance(&f, "1400").await, "20.00");
    let r = f
        .post(
            PAYMENTS,
            json!({"direction": "made", "contact": vendor, "date": "2026-03-20", "amount": "120.00",
        "bank_account": f.acct("1020"), "allocations": [{"document": b1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(balance(&f, "2100").await, "0.00");
    assert_eq!(f.get(&format!("{BILLS}{b1}/")).await.body["status"], "paid");
    let r = f.get("/api/reports/aged-payables/?as_of=2026-03-31").await;
    assert_eq!(r.body["totals"]["total"], "0.00", "{}", r.body);
    // Tax rounded once per rate over the document: three lines of 0.33 at 20 % make 0.20, not 0.21.
    let three = json!({"contact": customer, "lines": [
        {"description": "a", "unit_price": "0.33", "tax_rate": tax, "account": f.acct("4100")},
        {"description": "b", "unit_price": "0.33", "tax_rate": tax, "account": f.acct("4100")},
        {"description": "c", "unit_price": "0.33", "tax_rate": tax, "account": f.acct("4100")}]});
    assert_eq!(f.post(INVOICES, three.clone()).await.body["tax_total"], "0.21");
    let r = f
        .patch("/api/accounting/periods/", json!({"tax_rounding": "document"}))
        .await;
    assert_eq!(
        (r.status, r.body["tax_rounding"].as_str()),
        (StatusCode::OK, Some("document")),
        "{}",
        r.body
    );
    assert_eq!(f.post(INVOICES, three).await.body["tax_total"], "0.20");
    let r = f
        .patch("/api/accounting/periods/", json!({"tax_rounding": "sometimes"}))
        .await;
    assert!(r.body["tax_rounding"].is_array(), "{}", r.body);
    // Nothing is issued into a closed period; the error names the issue date and nothing is used.
    let r = f
        .post("/api/accounting/periods/close/", json!({"date": "2026-02-28"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f
        .post(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-02-10",
            "lines": [{"description": "Late", "unit_price": "5.00", "account": f.acct("4100")}]}),
        )
        .await;
    let late = r.body["id"].as_str().unwrap().to_owned();
    let r = f.post(&format!("{INVOICES}{late}/issue/"), json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["issue_date"].is_array(), "{}", r.body);
    let r = f.get(&format!("{INVOICES}{late}/")).await;
    assert_eq!(
        (r.body["status"].as_str(), &r.body["number"]),
        (Some("draft"), &Value::Null)
    );
    // A staff user drafts but cannot issue.
    let staff = f.invite(&app, "staff@example.com", "staff").await;
    let r = staff.post(INVOICES, json!({"contact": customer, "lines": [{"description": "x", "unit_price": "1.00", "account": f.acct("4100")}]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = staff
        .post(
            &format!("{INVOICES}{}/issue/", r.body["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_every_backend!(
    credits_bills_and_voids_keep_the_control_accounts_right,
    credits_bills_and_void
);

async fn concurrent_issuing(app: TestApp) {
    let f = Firm::register(&app, "conc@example.com", "Concurrent Firm").await;
    let customer = contact(&f, CUSTOMERS, "Gamma").await;
    let mut ids = Vec::new();
    for i in 0..24 {
        let r = f
            .post(
                INVOICES,
                json!({"contact": customer, "issue_date": "2026-05-01",
                "lines": [{"description": format!("Line {i}"), "unit_price": "10.00", "account": f.acct("4100")}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let f = f.clone();
            let id = id.clone();
            tokio::spawn(async move { f.post(&format!("{INVOICES}{id}/issue/"), json!({})).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        numbers.push(r.body["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=24).map(|n| format!("INV-2026-{n:04}")).collect();
    assert_eq!(numbers, expected, "gap-free and unique");
    assert_eq!(balance(&f, "1100").await, "240.00");
}
on_every_backend!(concurrent_issuing_gives_gap_free_unique_numbers, concurrent_issuing);

async fn recurring_invoices(app: TestApp) {
    let f = Firm::register(&app, "rec@example.com", "Recurring Firm").await;
    let customer = contact(&f, CUSTOMERS, "Tenant Ltd").await;
    const RECURRING: &str = "/api/invoicing/recurring-invoices/";
    let bad = f
        .post(
            RECURRING,
            json!({"name": "Rent", "contact": customer, "frequency": "fortnightly", "lines": []}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["frequency"].is_array(), "{}", bad.body);
    let bad = f
        .post(
            RECURRING,
            json!({"name": "Rent", "contact": customer, "frequency": "monthly",
            "lines": [{"description": "Rent", "unit_price": "-5", "account": f.acct("4100")}]}),
        )
        .await;
    assert!(
        bad.body["lines[0].unit_price"].is_array(),
        "the template is checked as an invoice: {}",
        bad.body
    );
    let r = f
        .post(
            RECURRING,
            json!({"name": "Rent", "contact": customer, "frequency": "monthly", "start_date": "2026-01-31",
            "end_date": "2026-12-31", "auto_issue": true,
            "lines": [{"description": "Office rent", "unit_price": "1000.00", "account": f.acct("4100")}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["next_date"], "2026-01-31");
    let id = r.body["id"].as_str().unwrap().to_owned();
    // Three months due by 15 April: 31 Jan, 28 Feb, 31 Mar — each issued, numbered in order.
    let r = f.post(&format!("{RECURRING}run/"), json!({"date": "2026-04-15"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["count"], 3, "{}", r.body);
    let dates: Vec<&str> = r.body["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["issue_date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-01-31", "2026-02-28", "2026-03-31"]);
    assert_eq!(r.body["invoices"][2]["number"], "INV-2026-0003");
    // Running again (a restart, a second server) makes nothing twice.
    let r = f.post(&format!("{RECURRING}run/"), json!({"date": "2026-04-15"})).await;
    assert_eq!(r.body["count"], 0, "{}", r.body);
    let r = f.get(&format!("{RECURRING}{id}/")).await;
    assert_eq!(
        (r.body["next_date"].as_str(), r.body["generated"].as_i64()),
        (Some("2026-04-30"), Some(3))
    );
    assert_eq!(f.get(INVOICES).await.body["count"], 3);
    assert_eq!(
        f.get(&format!("{INVOICES}?recurring={id}")).await.body["count"],
        3,
        "the schedule's invoices"
    );
    assert_eq!(balance(&f, "1100").await, "3000.00");
    let r = f
        .patch(&format!("{RECURRING}{id}/"), json!({"payment_terms_days": 7}))
        .await;
    assert_eq!(r.body["payment_terms_days"], 7, "{}", r.body);
    let r = f
        .patch(&format!("{RECURRING}{id}/"), json!({"payment_terms_days": null}))
        .await;
    assert_eq!(
        r.body["payment_terms_days"],
        Value::Null,
        "null clears the terms: {}",
        r.body
    );
    // Paused schedules make nothing.
    let r = f.patch(&format!("{RECURRING}{id}/"), json!({"is_active": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.post(&format!("{RECURRING}run/"), json!({"date": "2026-12-31"})).await;
    assert_eq!(r.body["count"], 0, "{}", r.body);
}
on_every_backend!(recurring_invoices_are_made_once_per_date, recurring_invoices);

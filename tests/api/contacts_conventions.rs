//! DRF's conventions on customers, vendors, items and tax rates: an id the caller cannot see
//! (another firm's, another company's, the other side's) is a 404 for every method and any
//! body; `PUT` replaces and needs what a create needs; a page of contacts shows each contact's
//! balance as its own page does.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::drf::every_method_and_body;
use crate::fixtures::{Firm, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const CUSTOMERS: &str = "/api/sales/customers/";
const VENDORS: &str = "/api/purchase/vendors/";
const ITEMS: &str = "/api/inventory/items/";
const TAX_RATES: &str = "/api/accounting/tax-rates/";

/// Creates a record; asserts 201 and returns its id.
async fn create(firm: &Firm, path: &str, body: Value) -> String {
    id(&firm.create(path, body).await).to_owned()
}

async fn ids_the_caller_cannot_see_are_404_whatever_the_body(app: TestApp) {
    let mine = Firm::register(&app, "owner@mine.test", "Mine Books").await;
    let theirs = Firm::register(&app, "owner@theirs.test", "Theirs Books").await;
    let sister = mine.new_company("Sister Co", "USD").await;
    let methods = [Method::GET, Method::PUT, Method::PATCH];
    for (owner, label) in [(&theirs, "another firm"), (&sister, "another company")] {
        let rate = json!({ "name": "VAT 20%", "kind": "vat", "rate": "20" });
        let records = [
            (CUSTOMERS, json!({ "name": "Acme Ltd" })),
            (VENDORS, json!({ "name": "Paper Co" })),
            (ITEMS, json!({ "code": "CONSULT", "name": "Consulting" })),
            (TAX_RATES, rate),
        ];
        for (list, valid) in records {
            let path = format!("{list}{}/", create(owner, list, valid.clone()).await);
            every_method_and_body(&mine, &path, &valid, &methods, StatusCode::NOT_FOUND).await;
            // Untouched, as their owner sees it.
            let r = owner.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{label} {path}");
            assert_eq!(r.body["name"], valid["name"], "{label} {path}");
        }
    }
    // A customer is not found through the vendors' endpoint, nor a vendor through the customers'.
    let customer = create(&mine, CUSTOMERS, json!({ "name": "Only a customer" })).await;
    let vendor = create(&mine, VENDORS, json!({ "name": "Only a vendor" })).await;
    for path in [format!("{VENDORS}{customer}/"), format!("{CUSTOMERS}{vendor}/")] {
        every_method_and_body(&mine, &path, &json!({ "name": "X" }), &methods, StatusCode::NOT_FOUND).await;
    }
    // An id that is not a UUID names nothing either.
    for list in [CUSTOMERS, VENDORS, ITEMS, TAX_RATES] {
        let path = format!("{list}not-a-uuid/");
        every_method_and_body(&mine, &path, &json!({ "name": "X" }), &methods, StatusCode::NOT_FOUND).await;
    }
    // Contacts, items and rates are archived, never deleted.
    for path in [format!("{CUSTOMERS}{customer}/"), format!("{VENDORS}{vendor}/")] {
        let r = mine.delete(&path).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
}
on_every_backend!(
    invisible_ids_are_404,
    ids_the_caller_cannot_see_are_404_whatever_the_body
);

async fn put_replaces_and_needs_what_a_create_needs(app: TestApp) {
    let firm = Firm::register(&app, "owner@put.test", "Put Books").await;

    // A customer: `name` required; what is sent replaces, the side keeps its role.
    let acme = create(
        &firm,
        CUSTOMERS,
        json!({ "name": "Acme Ltd", "emails": ["a@acme.test"], "payment_terms_days": 14 }),
    )
    .await;
    let path = format!("{CUSTOMERS}{acme}/");
    assert_fields(&firm.put(&path, json!({ "country": "GB" })).await, &["name"]);
    let r = firm.put(&path, json!({ "name": 5, "emails": "x" })).await;
    assert_fields(&r, &["emails", "name"]);
    // A value of the wrong type is named once, not also as missing.
    assert_eq!(r.body["name"], json!(["Not a valid string."]));
    let r = firm
        .put(
            &path,
            json!({ "name": "Acme Group", "country": "GB", "revenue_account": firm.acct("4200") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["name"], "Acme Group");
    assert_eq!(r.body["country"], "GB");
    assert_eq!(r.body["revenue_account"], firm.acct("4200"));
    assert_eq!(r.body["is_customer"], true);
    assert_eq!(r.body["balance"], "0.00");
    let read = firm.get(&path).await.body;
    assert_eq!(read["name"], "Acme Group");
    assert_eq!(read["updated_at"], r.body["updated_at"]);
    // Through PUT a contact may take the other role too (but not lose every role).
    let r = firm
        .put(&path, json!({ "name": "Acme Group", "is_vendor": true }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(firm.get(&format!("{VENDORS}{acme}/")).await.status, StatusCode::OK);
    let r = firm
        .put(
            &path,
            json!({ "name": "Acme Group", "is_customer": false, "is_vendor": false }),
        )
        .await;
    assert_fields(&r, &["is_customer"]);

    // A vendor, through its own side.
    let paper = create(&firm, VENDORS, json!({ "name": "Paper Co" })).await;
    let path = format!("{VENDORS}{paper}/");
    let r = firm
        .put(
            &path,
            json!({ "name": "Paper & Co", "expense_account": firm.acct("6100") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["expense_account"], firm.acct("6100"));

    // An item: `code` and `name` required.
    let item = create(
        &firm,
        ITEMS,
        json!({ "code": "CONSULT", "name": "Consulting", "sale_price": "120" }),
    )
    .await;
    let path = format!("{ITEMS}{item}/");
    assert_fields(
        &firm.put(&path, json!({ "sale_price": "130" })).await,
        &["code", "name"],
    );
    let r = firm
        .put(
            &path,
            json!({ "code": "ADVICE", "name": "Advice", "kind": "service", "sale_price": "150.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["code"].clone(), r.body["sale_price"].clone()),
        (json!("ADVICE"), json!("150.00"))
    );
    assert_eq!(firm.get(&path).await.body["name"], "Advice");

    // A tax rate: `name`, `kind` and `rate` required; its accounts are kept.
    let rate = create(
        &firm,
        TAX_RATES,
        json!({ "name": "VAT 20%", "kind": "vat", "rate": "20" }),
    )
    .await;
    let path = format!("{TAX_RATES}{rate}/");
    assert_fields(&firm.put(&path, json!({ "name": "VAT" })).await, &["kind", "rate"]);
    let r = firm
        .put(&path, json!({ "name": "VAT 17.5%", "kind": "vat", "rate": "17.5" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["rate"].clone(), r.body["sales_account"].clone()),
        (json!("17.5"), json!(firm.acct("2200")))
    );
    let r = firm
        .put(
            &path,
            json!({ "name": "VAT 17.5%", "kind": "vat", "rate": "17.5", "sales_account": null }),
        )
        .await;
    // A stored rate's account cannot be cleared.
    assert_fields(&r, &["sales_account"]);

    // A refused PUT changes nothing, and every accepted one is in the audit trail.
    assert_eq!(firm.get(&path).await.body["rate"], "17.5");
    let r = firm
        .get(&format!(
            "/api/accounting/audit-log/?object_type=tax_rate&object_id={rate}"
        ))
        .await;
    assert_eq!(r.body["count"], 2, "{}", r.body);
    assert_eq!(
        r.body["results"][0]["changes"]["rate"],
        json!({ "before": "20", "after": "17.5" })
    );
}
on_every_backend!(put_replaces, put_replaces_and_needs_what_a_create_needs);

/// Issues a one-line document of `amount` to `contact`; returns its id.
async fn issue(firm: &Firm, list: &str, contact: &str, amount: &str, account: &str) -> String {
    let line = json!({ "description": "Work", "quantity": "1", "unit_price": amount, "account": firm.acct(account) });
    let body = json!({ "contact": contact, "issue_date": "2026-03-01", "lines": [line] });
    id(&firm.issued(list, body).await).to_owned()
}

/// Records a payment received from `contact`, allocating `allocations`.
async fn receive(firm: &Firm, contact: &str, amount: &str, allocations: Value) {
    let r = firm
        .post(
            "/api/invoicing/payments/",
            json!({ "direction": "received", "contact": contact, "date": "2026-03-10", "amount": amount,
                    "bank_account": firm.acct("1020"), "allocations": allocations }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "payment: {}", r.body);
}

/// `(name, balance)` of each contact of a list page.
async fn balances(firm: &Firm, path: &str) -> Vec<(String, String)> {
    let r = firm.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["balance"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_page_of_contacts_shows_each_balance(app: TestApp) {
    let firm = Firm::register(&app, "owner@balances.test", "Balance Books").await;
    let a = create(&firm, CUSTOMERS, json!({ "name": "A" })).await;
    let b = create(&firm, CUSTOMERS, json!({ "name": "B" })).await;
    create(&firm, CUSTOMERS, json!({ "name": "C" })).await;
    let d = create(&firm, CUSTOMERS, json!({ "name": "D", "is_vendor": true })).await;
    issue(&firm, "/api/invoicing/invoices/", &a, "100.00", "4200").await;
    // B: 250 invoiced, 50 of a 60 payment allocated to it, and 40 paid on account.
    let invoice = issue(&firm, "/api/invoicing/invoices/", &b, "250.00", "4200").await;
    receive(&firm, &b, "60.00", json!([{ "document": invoice, "amount": "50.00" }])).await;
    receive(&firm, &b, "40.00", json!([])).await;
    // D is both: 30 owed to us as a customer, 80 owed by us as a vendor.
    issue(&firm, "/api/invoicing/invoices/", &d, "30.00", "4200").await;
    issue(&firm, "/api/purchase/bills/", &d, "80.00", "6100").await;

    let expected = [("A", "100.00"), ("B", "150.00"), ("C", "0.00"), ("D", "30.00")];
    let owned = |rows: &[(&str, &str)]| -> Vec<(String, String)> {
        rows.iter().map(|(n, b)| ((*n).to_owned(), (*b).to_owned())).collect()
    };
    assert_eq!(balances(&firm, CUSTOMERS).await, owned(&expected));
    assert_eq!(
        balances(&firm, &format!("{CUSTOMERS}?page_size=2&page=2")).await,
        owned(&expected[2..])
    );
    assert_eq!(balances(&firm, VENDORS).await, owned(&[("D", "80.00")]));
    // Each one's own page says the same.
    for (contact, balance) in [(&a, "100.00"), (&b, "150.00"), (&d, "30.00")] {
        let r = firm.get(&format!("{CUSTOMERS}{contact}/")).await;
        assert_eq!(r.body["balance"], balance, "{}", r.body);
    }
    assert_eq!(firm.get(&format!("{VENDORS}{d}/")).await.body["balance"], "80.00");
    // Another company's documents are not this one's.
    let sister = firm.new_company("Sister Co", "USD").await;
    let e = create(&sister, CUSTOMERS, json!({ "name": "E" })).await;
    issue(&sister, "/api/invoicing/invoices/", &e, "5.00", "4200").await;
    assert_eq!(balances(&firm, CUSTOMERS).await, owned(&expected));
}
on_every_backend!(contact_balances, a_page_of_contacts_shows_each_balance);

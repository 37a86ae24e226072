//! Customers and vendors (one contacts table), items and tax rates over HTTP: create, list,
//! search, filter, order, get, patch, archive; validation by field with nothing written; codes
//! unique whatever their case; exact tax percentages; accounts and rates of the company only;
//! other firms' ids answer 404; staff may keep contacts but not set tax rates.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{CUSTOMERS, Firm, ITEMS, TAX_RATES, VENDORS, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

async fn customers_and_vendors_share_one_table(app: TestApp) {
    let firm = Firm::register(&app, "owner@acme.test", "Acme Books").await;
    let acme = firm
        .create(
            CUSTOMERS,
            json!({
                "name": "Acme Ltd", "tax_id": "GB123456789", "emails": ["billing@acme.test"],
                "billing_address": "1 High Street\nLondon", "country": "GB", "currency": "GBP",
                "revenue_account": firm.acct("4200"),
            }),
        )
        .await;
    assert_eq!(acme["is_customer"], true);
    assert_eq!(acme["is_vendor"], false);
    assert_eq!(acme["payment_terms_days"], 30);
    assert_eq!(acme["currency"], "GBP");
    assert_eq!(acme["revenue_account"], firm.acct("4200"));
    assert_eq!(acme["expense_account"], Value::Null);
    assert_eq!(acme["is_active"], true);
    let acme_id = id(&acme).to_owned();

    // A customer is not a vendor until it is made one.
    assert_eq!(firm.count(VENDORS).await, 0);
    assert_eq!(
        firm.get(&format!("{VENDORS}{acme_id}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        firm.patch(&format!("{VENDORS}{acme_id}/"), json!({ "name": "X" }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = firm
        .patch(
            &format!("{CUSTOMERS}{acme_id}/"),
            json!({ "is_vendor": true, "payment_terms_days": 14 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["is_customer"].clone(), r.body["is_vendor"].clone()),
        (json!(true), json!(true))
    );
    let got = firm.get(&format!("{VENDORS}{acme_id}/")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["payment_terms_days"], 14);
    assert_eq!(got.body["created_at"], acme["created_at"]);

    // A vendor created through /vendors/, with the company's currency by default.
    let paper = firm
        .create(VENDORS, json!({ "name": "Paper Co", "emails": ["sales@paper.test"] }))
        .await;
    assert_eq!(
        (paper["is_customer"].clone(), paper["is_vendor"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(paper["currency"], "USD");
    let both = firm
        .create(VENDORS, json!({ "name": "Both Ways", "is_customer": true }))
        .await;
    assert_eq!(firm.count(CUSTOMERS).await, 2);
    assert_eq!(firm.count(VENDORS).await, 3);
    assert_eq!(firm.count(&format!("{CUSTOMERS}?is_vendor=true")).await, 2);

    // The side of the endpoint cannot be refused on create, nor every role removed.
    let r = firm
        .post(CUSTOMERS, json!({ "name": "Nobody", "is_customer": false }))
        .await;
    assert_fields(&r, &["is_customer"]);
    let r = firm
        .patch(&format!("{VENDORS}{}/", id(&paper)), json!({ "is_vendor": false }))
        .await;
    assert_fields(&r, &["is_vendor"]);
    // Removing one role of two is fine: the contact leaves that side's list.
    let r = firm
        .patch(&format!("{CUSTOMERS}{}/", id(&both)), json!({ "is_customer": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(firm.count(CUSTOMERS).await, 1);

    // Search: name, tax id, e-mail; ordering; the company currency comes back on `null`.
    assert_eq!(firm.count(&format!("{VENDORS}?search=ACME")).await, 1);
    assert_eq!(firm.count(&format!("{VENDORS}?search=gb1234")).await, 1);
    assert_eq!(firm.count(&format!("{VENDORS}?search=paper.test")).await, 1);
    assert_eq!(firm.count(&format!("{VENDORS}?search=nothing")).await, 0);
    assert_eq!(
        firm.column(VENDORS, "name").await,
        ["Acme Ltd", "Both Ways", "Paper Co"]
    );
    assert_eq!(
        firm.column(&format!("{VENDORS}?ordering=-name"), "name").await,
        ["Paper Co", "Both Ways", "Acme Ltd"]
    );
    assert_eq!(
        firm.column(&format!("{VENDORS}?ordering=-created_at"), "name").await,
        ["Both Ways", "Paper Co", "Acme Ltd"]
    );
    let r = firm
        .patch(&format!("{CUSTOMERS}{acme_id}/"), json!({ "currency": null }))
        .await;
    assert_eq!(r.body["currency"], "USD", "{}", r.body);

    // Archiving: never deleted, filtered by `is_active`.
    let r = firm
        .patch(&format!("{VENDORS}{}/", id(&paper)), json!({ "is_active": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_active"], false);
    assert_eq!(
        firm.column(&format!("{VENDORS}?is_active=true"), "name").await,
        ["Acme Ltd", "Both Ways"]
    );
    assert_eq!(
        firm.column(&format!("{VENDORS}?is_active=false"), "name").await,
        ["Paper Co"]
    );
    assert_fields(&firm.get(&format!("{VENDORS}?is_active=maybe")).await, &["is_active"]);
    let r = firm.delete(&format!("{VENDORS}{}/", id(&paper))).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);

    // Every change is in the audit trail.
    let r = firm
        .get(&format!(
            "/api/accounting/audit-log/?object_type=contact&object_id={acme_id}"
        ))
        .await;
    assert_eq!(r.body["count"], 3, "{}", r.body);
    let last = &r.body["results"][0];
    assert_eq!(last["action"], "update");
    assert_eq!(last["changes"]["currency"], json!({ "before": "GBP", "after": "" }));
}
on_every_backend!(customers_and_vendors, customers_and_vendors_share_one_table);

async fn contact_validation_names_fields_and_writes_nothing(app: TestApp) {
    let firm = Firm::register(&app, "owner@acme.test", "Acme Books").await;
    assert_fields(&firm.post(CUSTOMERS, json!({})).await, &["name"]);
    let r = firm
        .post(
            CUSTOMERS,
            json!({
                "name": " ", "emails": ["ok@acme.test", "not-an-address"], "payment_terms_days": 366,
                "currency": "pounds", "country": "GBR", "revenue_account": firm.acct("6100"),
                "expense_account": firm.acct("4100"),
            }),
        )
        .await;
    assert_fields(
        &r,
        &[
            "name",
            "emails",
            "payment_terms_days",
            "currency",
            "country",
            "revenue_account",
            "expense_account",
        ],
    );
    assert_eq!(r.body["revenue_account"], json!(["Choose an account of type revenue."]));
    // Values of the wrong type are named too, not a parse error for the whole body.
    let r = firm
        .post(
            VENDORS,
            json!({
                "name": 5, "is_customer": "yes", "payment_terms_days": "thirty", "emails": "a@b.co",
                "expense_account": "not-a-uuid", "tax_id": null,
            }),
        )
        .await;
    assert_fields(
        &r,
        &[
            "name",
            "is_customer",
            "payment_terms_days",
            "emails",
            "expense_account",
            "tax_id",
        ],
    );
    let r = firm.post(CUSTOMERS, json!([{ "name": "A list" }])).await;
    assert_fields(&r, &["non_field_errors"]);
    assert_eq!(
        firm.count(CUSTOMERS).await + firm.count(VENDORS).await,
        0,
        "nothing written"
    );

    // Accounts: of this company, active, of the right type.
    let other = firm.new_company("Second Co", "EUR").await;
    let r = firm
        .post(CUSTOMERS, json!({ "name": "A", "revenue_account": other.acct("4100") }))
        .await;
    assert_fields(&r, &["revenue_account"]);
    assert_eq!(r.body["revenue_account"], json!(["Unknown account for this company."]));
    let r = firm
        .patch(
            &format!("/api/accounting/chart-of-accounts/{}/", firm.acct("4900")),
            json!({ "is_active": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = firm
        .post(CUSTOMERS, json!({ "name": "A", "revenue_account": firm.acct("4900") }))
        .await;
    assert_eq!(
        r.body["revenue_account"],
        json!(["This account is inactive."]),
        "{}",
        r.body
    );

    // A refused change leaves the contact as it was.
    let c = firm
        .create(CUSTOMERS, json!({ "name": "Acme Ltd", "emails": ["a@acme.test"] }))
        .await;
    let path = format!("{CUSTOMERS}{}/", id(&c));
    let r = firm
        .patch(&path, json!({ "name": "Renamed", "emails": ["broken"] }))
        .await;
    assert_fields(&r, &["emails"]);
    let got = firm.get(&path).await.body;
    assert_eq!(
        (got["name"].clone(), got["emails"].clone()),
        (json!("Acme Ltd"), json!(["a@acme.test"]))
    );
    assert_eq!(got["updated_at"], c["updated_at"]);
}
on_every_backend!(contact_validation, contact_validation_names_fields_and_writes_nothing);

async fn items_are_created_searched_and_unique_by_code(app: TestApp) {
    let firm = Firm::register(&app, "owner@acme.test", "Acme Books").await;
    let vat = firm
        .create(TAX_RATES, json!({ "name": "VAT 20%", "kind": "vat", "rate": "20" }))
        .await;
    let consult = firm
        .create(
            ITEMS,
            json!({
                "code": "CONSULT", "name": "Consulting", "unit": "hour", "sale_price": "120",
                "income_account": firm.acct("4200"), "sales_tax_rate": id(&vat),
            }),
        )
        .await;
    assert_eq!(consult["kind"], "service");
    assert_eq!(consult["sale_price"], "120.00");
    assert_eq!(consult["purchase_price"], "0.00");
    assert_eq!(consult["sales_tax_rate"], id(&vat));
    assert_eq!(consult["purchase_tax_rate"], Value::Null);
    assert_eq!(consult["is_active"], true);
    let paper = firm
        .create(
            ITEMS,
            json!({
                "code": "paper-a4", "name": "Paper A4", "kind": "product", "sale_price": 12,
                "purchase_price": "7.5", "expense_account": firm.acct("1200"), "description": "500 sheets",
            }),
        )
        .await;
    assert_eq!(
        (paper["sale_price"].clone(), paper["purchase_price"].clone()),
        (json!("12.00"), json!("7.50"))
    );
    firm.create(
        ITEMS,
        json!({ "code": "BOOK", "name": "Bookkeeping", "sale_price": "80.00" }),
    )
    .await;

    // Codes are unique whatever their case, on create and on change.
    let r = firm.post(ITEMS, json!({ "code": " consult ", "name": "Again" })).await;
    assert_fields(&r, &["code"]);
    assert_eq!(r.body["code"], json!(["An item with this code already exists."]));
    let r = firm
        .patch(&format!("{ITEMS}{}/", id(&paper)), json!({ "code": "Consult" }))
        .await;
    assert_fields(&r, &["code"]);
    let r = firm
        .patch(&format!("{ITEMS}{}/", id(&consult)), json!({ "code": "consult" }))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "an item may change the case of its own code: {}",
        r.body
    );

    // Prices: exact, not negative, never a float.
    let bad = [
        json!({ "code": "X1", "name": "X", "sale_price": "1.005" }),
        json!({ "code": "X1", "name": "X", "sale_price": "-1" }),
        json!({ "code": "X1", "name": "X", "sale_price": 12.5 }),
        json!({ "code": "X1", "name": "X", "sale_price": "twelve" }),
    ];
    for body in bad {
        assert_fields(&firm.post(ITEMS, body.clone()).await, &["sale_price"]);
    }
    let r = firm
        .post(ITEMS, json!({ "code": "", "name": "", "kind": "gadget" }))
        .await;
    assert_fields(&r, &["code", "name", "kind"]);

    // Accounts and tax rates of this company only, active, of the right type.
    let other = firm.new_company("Second Co", "JPY").await;
    let foreign_rate = other
        .create(TAX_RATES, json!({ "name": "VAT 10%", "kind": "vat", "rate": "10" }))
        .await;
    let r = firm
        .post(
            ITEMS,
            json!({
                "code": "X2", "name": "X", "income_account": other.acct("4100"),
                "expense_account": firm.acct("4100"), "sales_tax_rate": id(&foreign_rate),
            }),
        )
        .await;
    assert_fields(&r, &["income_account", "expense_account", "sales_tax_rate"]);
    assert_eq!(r.body["sales_tax_rate"], json!(["Unknown tax rate for this company."]));
    let r = firm
        .patch(&format!("{TAX_RATES}{}/", id(&vat)), json!({ "is_active": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = firm
        .post(
            ITEMS,
            json!({ "code": "X3", "name": "X", "purchase_tax_rate": id(&vat) }),
        )
        .await;
    assert_eq!(
        r.body["purchase_tax_rate"],
        json!(["This tax rate is inactive."]),
        "{}",
        r.body
    );
    assert_eq!(firm.count(ITEMS).await, 3, "nothing written by refused requests");

    // A currency without decimals.
    let yen = other
        .create(ITEMS, json!({ "code": "T", "name": "Tea", "sale_price": "500" }))
        .await;
    assert_eq!(yen["sale_price"], "500");
    assert_fields(
        &other
            .post(ITEMS, json!({ "code": "U", "name": "U", "sale_price": "5.5" }))
            .await,
        &["sale_price"],
    );

    // Lists: default by code (case-insensitive), ordering, filters, search.
    assert_eq!(firm.column(ITEMS, "code").await, ["BOOK", "consult", "paper-a4"]);
    assert_eq!(
        firm.column(&format!("{ITEMS}?ordering=-sale_price"), "code").await,
        ["consult", "BOOK", "paper-a4"]
    );
    assert_eq!(
        firm.column(&format!("{ITEMS}?kind=product"), "code").await,
        ["paper-a4"]
    );
    assert_eq!(firm.count(&format!("{ITEMS}?search=500 sheets")).await, 1);
    assert_eq!(firm.count(&format!("{ITEMS}?search=CONS")).await, 1);

    // Get, change, archive.
    let path = format!("{ITEMS}{}/", id(&paper));
    let r = firm
        .patch(&path, json!({ "sale_price": "13.25", "is_active": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = firm.get(&path).await.body;
    assert_eq!(
        (got["sale_price"].clone(), got["is_active"].clone()),
        (json!("13.25"), json!(false))
    );
    assert_eq!(got["purchase_price"], "7.50", "fields left out are kept");
    assert_eq!(
        firm.column(&format!("{ITEMS}?is_active=true"), "code").await,
        ["BOOK", "consult"]
    );
    assert_eq!(
        firm.column(&format!("{ITEMS}?is_active=false"), "code").await,
        ["paper-a4"]
    );
}
on_every_backend!(items, items_are_created_searched_and_unique_by_code);

async fn tax_rates_are_exact_and_need_issue_permission(app: TestApp) {
    let firm = Firm::register(&app, "owner@acme.test", "Acme Books").await;
    let vat = firm
        .create(TAX_RATES, json!({ "name": "VAT 20%", "kind": "vat", "rate": "20" }))
        .await;
    assert_eq!(vat["rate"], "20");
    assert_eq!(vat["is_inclusive"], false);
    assert_eq!(vat["sales_account"], firm.acct("2200"), "the tax liability by default");
    assert_eq!(
        vat["purchase_account"],
        firm.acct("1400"),
        "the recoverable tax asset by default"
    );
    for (rate, written) in [
        ("7.5", "7.5"),
        ("0.0001", "0.0001"),
        ("5.000", "5"),
        ("100", "100"),
        ("0", "0"),
    ] {
        let r = firm
            .create(
                TAX_RATES,
                json!({ "name": format!("Rate {rate}"), "kind": "other", "rate": rate }),
            )
            .await;
        assert_eq!(r["rate"], written);
    }
    let whole = firm
        .create(
            TAX_RATES,
            json!({ "name": "GST", "kind": "gst", "rate": 15, "is_inclusive": true }),
        )
        .await;
    assert_eq!(
        (whole["rate"].clone(), whole["is_inclusive"].clone()),
        (json!("15"), json!(true))
    );
    let before = firm.count(TAX_RATES).await;
    for rate in [json!("0.00001"), json!("101"), json!("-1"), json!(7.5), json!("abc")] {
        let r = firm
            .post(TAX_RATES, json!({ "name": "Bad", "kind": "vat", "rate": rate }))
            .await;
        assert_fields(&r, &["rate"]);
    }
    let r = firm
        .post(TAX_RATES, json!({ "name": "Bad", "kind": "vat", "rate": "0.00001" }))
        .await;
    assert_eq!(
        r.body["rate"],
        json!(["Ensure that there are no more than 4 decimal places."])
    );
    assert_fields(&firm.post(TAX_RATES, json!({})).await, &["name", "kind", "rate"]);
    let r = firm
        .post(TAX_RATES, json!({ "name": "VAT 20%", "kind": "income", "rate": "20" }))
        .await;
    assert_fields(&r, &["name", "kind"]);

    // Accounts: the company's, active, a liability for sales, an asset or liability for purchases.
    let other = firm.new_company("Second Co", "EUR").await;
    let r = firm
        .post(
            TAX_RATES,
            json!({
                "name": "Bad", "kind": "vat", "rate": "5", "sales_account": firm.acct("1400"),
                "purchase_account": other.acct("1400"),
            }),
        )
        .await;
    assert_fields(&r, &["sales_account", "purchase_account"]);
    // `null` on create means the default; a stored rate's accounts cannot be cleared.
    let same = firm.create(TAX_RATES,
        json!({ "name": "Sales tax", "kind": "sales_tax", "rate": "8.875", "sales_account": null, "purchase_account": firm.acct("2200") }),
    )
    .await;
    assert_eq!(same["sales_account"], firm.acct("2200"));
    assert_eq!(same["purchase_account"], firm.acct("2200"));
    let r = firm
        .patch(&format!("{TAX_RATES}{}/", id(&same)), json!({ "sales_account": null }))
        .await;
    assert_fields(&r, &["sales_account"]);
    // An account a rate uses is not deleted from under it.
    let r = firm
        .delete(&format!("/api/accounting/chart-of-accounts/{}/", firm.acct("2200")))
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(firm.count(TAX_RATES).await, before + 1);

    // Change, filter, order.
    let path = format!("{TAX_RATES}{}/", id(&vat));
    let r = firm
        .patch(&path, json!({ "rate": "17.5", "name": "VAT standard" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["rate"].clone(), r.body["name"].clone()),
        (json!("17.5"), json!("VAT standard"))
    );
    assert_eq!(firm.get(&path).await.body["rate"], "17.5");
    let r = firm
        .patch(
            &format!("{TAX_RATES}{}/", id(&whole)),
            json!({ "name": "VAT standard" }),
        )
        .await;
    assert_fields(&r, &["name"]);
    assert_eq!(
        firm.column(&format!("{TAX_RATES}?ordering=-rate&page_size=3"), "rate")
            .await,
        ["100", "17.5", "15"]
    );
    assert_eq!(firm.column(&format!("{TAX_RATES}?kind=gst"), "name").await, ["GST"]);
    firm.patch(&path, json!({ "is_active": false })).await;
    assert_eq!(firm.count(&format!("{TAX_RATES}?is_active=false")).await, 1);
    assert_eq!(firm.count(&format!("{TAX_RATES}?is_active=true")).await, before);

    // Staff keep contacts and items, read tax rates, but do not set them.
    let staff = firm.invite(&app, "staff@acme.test", "staff").await;
    staff.create(CUSTOMERS, json!({ "name": "Walk-in" })).await;
    staff.create(ITEMS, json!({ "code": "S1", "name": "Staff item" })).await;
    assert_eq!(staff.count(TAX_RATES).await, before + 1);
    let r = staff
        .post(TAX_RATES, json!({ "name": "Staff rate", "kind": "vat", "rate": "5" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = staff.patch(&path, json!({ "rate": "1" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(firm.get(&path).await.body["rate"], "17.5");
}
on_every_backend!(tax_rates, tax_rates_are_exact_and_need_issue_permission);

async fn other_firms_and_companies_see_nothing(app: TestApp) {
    let a = Firm::register(&app, "a@one.test", "Firm One").await;
    let b = Firm::register(&app, "b@two.test", "Firm Two").await;
    let customer = a.create(CUSTOMERS, json!({ "name": "Acme Ltd" })).await;
    let vendor = a.create(VENDORS, json!({ "name": "Paper Co" })).await;
    let item = a.create(ITEMS, json!({ "code": "C", "name": "Consulting" })).await;
    let rate = a
        .create(TAX_RATES, json!({ "name": "VAT", "kind": "vat", "rate": "20" }))
        .await;
    let second = a.new_company("Second Co", "EUR").await;
    let targets = [
        format!("{CUSTOMERS}{}/", id(&customer)),
        format!("{VENDORS}{}/", id(&vendor)),
        format!("{ITEMS}{}/", id(&item)),
        format!("{TAX_RATES}{}/", id(&rate)),
    ];
    for path in &targets {
        for outsider in [&b, &second] {
            assert_eq!(outsider.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
            let r = outsider.patch(path, json!({ "name": "Mine now" })).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        }
        assert_eq!(a.get(path).await.status, StatusCode::OK, "{path}");
    }
    for list in [CUSTOMERS, VENDORS, ITEMS, TAX_RATES] {
        assert_eq!(b.count(list).await, 0);
        assert_eq!(second.count(list).await, 0);
    }
    assert_eq!(
        a.get(&format!("{CUSTOMERS}not-a-uuid/")).await.status,
        StatusCode::NOT_FOUND
    );
    // Another firm's ids are unknown references, not a way to peek.
    let r = b
        .post(ITEMS, json!({ "code": "C", "name": "X", "sales_tax_rate": id(&rate) }))
        .await;
    assert_fields(&r, &["sales_tax_rate"]);
    // Without a token, nothing.
    assert_eq!(app.get(CUSTOMERS, None).await.status, StatusCode::UNAUTHORIZED);
}
on_every_backend!(isolation, other_firms_and_companies_see_nothing);

//! Invoices, credit notes, bills and vendor credits under DRF's conventions: `PUT` replaces a
//! draft and needs what a create needs, `PATCH` changes only what it sends, a document the
//! caller cannot see is a 404 for every method and verb whatever the body, and a caller without
//! the permission gets a 403 before the body is read.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::drf::{every_method_and_body, raw};
use crate::fixtures::{Firm, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const INVOICES: &str = "/api/invoicing/invoices/";
const CREDIT_NOTES: &str = "/api/invoicing/credit-notes/";
const BILLS: &str = "/api/purchase/bills/";
const VENDOR_CREDITS: &str = "/api/purchase/vendor-credits/";
const KINDS: [&str; 4] = [INVOICES, CREDIT_NOTES, BILLS, VENDOR_CREDITS];

fn is_sales(base: &str) -> bool {
    base.starts_with("/api/invoicing/")
}

/// A customer and a vendor of `f`, with 14 days' terms.
async fn contacts(f: &Firm) -> (String, String) {
    let mut ids = Vec::new();
    for (path, name) in [
        ("/api/sales/customers/", "Acme Ltd"),
        ("/api/purchase/vendors/", "Supply Co"),
    ] {
        let r = f.post(path, json!({"name": name, "payment_terms_days": 14})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        ids.push(id(&r.body).to_owned());
    }
    (ids[0].clone(), ids[1].clone())
}

/// A whole document of kind `base` for `f`: its contact and one line.
fn body(f: &Firm, base: &str, (customer, vendor): &(String, String), price: &str) -> Value {
    let (contact, account) = if is_sales(base) {
        (customer, f.acct("4200"))
    } else {
        (vendor, f.acct("6400"))
    };
    json!({"contact": contact, "issue_date": "2026-03-01", "lines": [
        {"description": "Work", "quantity": "2", "unit_price": price, "account": account}]})
}

async fn draft(f: &Firm, base: &str, body: Value) -> Value {
    let r = f.post(base, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{base}: {}", r.body);
    r.body
}

async fn ids_the_caller_cannot_see_are_404_whatever_the_body(app: TestApp) {
    let mine = Firm::register(&app, "owner@docs-mine.test", "Mine Books").await;
    let theirs = Firm::register(&app, "owner@docs-theirs.test", "Theirs Books").await;
    let sister = mine.new_company("Sister Co", "USD").await;
    let my_contacts = contacts(&mine).await;
    for (owner, label) in [(&theirs, "another firm"), (&sister, "another company")] {
        let their_contacts = contacts(owner).await;
        for base in KINDS {
            let doc = draft(owner, base, body(owner, base, &their_contacts, "10.00")).await;
            let item = format!("{base}{}/", id(&doc));
            let valid = body(&mine, base, &my_contacts, "12.00");
            let all = [Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
            every_method_and_body(&mine, &item, &valid, &all, StatusCode::NOT_FOUND).await;
            let mut verbs = vec![("issue/", Method::POST), ("void/", Method::POST), ("pdf/", Method::GET)];
            if is_sales(base) {
                verbs.extend([("send/", Method::POST), ("deliveries/", Method::GET)]);
            }
            for (verb, method) in verbs {
                let path = format!("{item}{verb}");
                every_method_and_body(&mine, &path, &json!({}), &[method], StatusCode::NOT_FOUND).await;
            }
            // Untouched, as their owner sees it.
            let r = owner.get(&item).await;
            assert_eq!(
                (r.status, r.body["status"].clone(), r.body["total"].clone()),
                (StatusCode::OK, json!("draft"), json!("20.00")),
                "{label} {base}"
            );
        }
    }
    // A document is found only under its own kind.
    let invoice = draft(&mine, INVOICES, body(&mine, INVOICES, &my_contacts, "5.00")).await;
    let as_credit_note = format!("{CREDIT_NOTES}{}/", id(&invoice));
    let valid = body(&mine, CREDIT_NOTES, &my_contacts, "5.00");
    every_method_and_body(
        &mine,
        &as_credit_note,
        &valid,
        &[Method::GET, Method::PUT],
        StatusCode::NOT_FOUND,
    )
    .await;
    // An id that is not a UUID names nothing either.
    let path = format!("{INVOICES}not-a-uuid/");
    every_method_and_body(
        &mine,
        &path,
        &valid,
        &[Method::GET, Method::PATCH],
        StatusCode::NOT_FOUND,
    )
    .await;

    // Another firm's company as `X-Company-Id`: its documents, template and logo are not there.
    let r = theirs.get("/api/tenants/companies/").await;
    let their_company = r.body["results"][0]["id"].as_str().unwrap().to_owned();
    let intruder = Firm {
        company: Some(their_company),
        ..mine.clone()
    };
    let template = json!({"template": "[page]\nsize = \"A4\"\n"});
    for (method, path) in [
        (Method::GET, INVOICES),
        (Method::GET, "/api/invoicing/template/"),
        (Method::PUT, "/api/invoicing/template/"),
        (Method::DELETE, "/api/invoicing/template/"),
        (Method::GET, "/api/invoicing/logo/"),
        (Method::DELETE, "/api/invoicing/logo/"),
    ] {
        every_method_and_body(&intruder, path, &template, &[method], StatusCode::NOT_FOUND).await;
    }
}
on_every_backend!(
    invisible_documents_are_404,
    ids_the_caller_cannot_see_are_404_whatever_the_body
);

async fn put_replaces_and_patch_amends_a_draft(app: TestApp) {
    let f = Firm::register(&app, "owner@docs-put.test", "Put Books").await;
    let c = contacts(&f).await;
    let created = f
        .post(
            INVOICES,
            json!({"contact": c.0, "issue_date": "2026-03-01", "due_date": "2026-04-30", "reference": "PO-1",
                   "notes": "Thanks", "lines": [
                {"description": "Consulting", "quantity": "10", "unit_price": "120.00", "account": f.acct("4200")},
                {"description": "Expenses", "quantity": "1", "unit_price": "3.33", "discount_percent": "10", "account": f.acct("4200")}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("{INVOICES}{}/", id(&created.body));

    // PATCH: only the notes change; the lines, dates, reference and totals stay.
    let r = f.patch(&path, json!({"notes": "Paid by transfer"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["notes"], "Paid by transfer");
    for field in [
        "lines",
        "issue_date",
        "due_date",
        "reference",
        "total",
        "contact",
        "created_at",
    ] {
        assert_eq!(r.body[field], created.body[field], "{field}");
    }
    assert_eq!(f.get(&path).await.body["notes"], "Paid by transfer");
    // Lines sent replace all the lines; the rest stays.
    let r = f
        .patch(
            &path,
            json!({"lines": [{"description": "Audit", "unit_price": "50.00", "account": f.acct("4200")}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["lines"].as_array().unwrap().len(), r.body["total"].clone()),
        (1, json!("50.00"))
    );
    assert_eq!(
        (r.body["notes"].clone(), r.body["due_date"].clone()),
        (json!("Paid by transfer"), json!("2026-04-30"))
    );
    // `"due_date": null` takes the due date from the terms again (the customer's 14 days).
    let r = f.patch(&path, json!({"due_date": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["due_date"], "2026-03-15");
    // A bad field is named, and nothing changes.
    let r = f.patch(&path, json!({"issue_date": "1 March"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["issue_date"].is_array(), "{}", r.body);
    assert_eq!(f.get(&path).await.body["issue_date"], "2026-03-01");

    // PUT needs what a create needs, for every kind.
    for base in KINDS {
        let doc = draft(&f, base, body(&f, base, &c, "10.00")).await;
        let item = format!("{base}{}/", id(&doc));
        let r = f.put(&item, json!({"notes": "no contact, no lines"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{base}: {}", r.body);
        let mut named: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
        named.sort_unstable();
        assert_eq!(named, ["contact", "lines"], "{base}: {}", r.body);
        assert_eq!(
            f.get(&item).await.body["total"],
            "20.00",
            "a refused PUT changes nothing"
        );
        let r = f.put(&item, body(&f, base, &c, "7.50")).await;
        assert_eq!(r.status, StatusCode::OK, "{base}: {}", r.body);
        assert_eq!(
            (r.body["id"].clone(), r.body["total"].clone()),
            (doc["id"].clone(), json!("15.00"))
        );
    }
    // PUT replaces the whole draft: what it leaves out takes its default.
    let r = f.put(&path, body(&f, INVOICES, &c, "9.00")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["notes"].clone(),
            r.body["reference"].clone(),
            r.body["due_date"].clone()
        ),
        (json!(""), json!(""), json!("2026-03-15"))
    );
    assert_eq!(r.body["created_at"], created.body["created_at"]);

    // Issued, it is neither replaced nor amended.
    let r = f.post(&format!("{path}issue/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.patch(&path, json!({"notes": "late"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = f.put(&path, body(&f, INVOICES, &c, "9.00")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(f.get(&path).await.body["notes"], "");
}
on_every_backend!(put_replaces_patch_amends, put_replaces_and_patch_amends_a_draft);

/// How many documents the list `query` has.
async fn count(f: &Firm, query: &str) -> i64 {
    let r = f.get(query).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body["count"].as_i64().unwrap()
}

async fn lists_filter_by_kind_due_date_and_schedule(app: TestApp) {
    let f = Firm::register(&app, "owner@docs-list.test", "List Books").await;
    let c = contacts(&f).await;
    // Due long before any day the test runs on.
    let mut old = body(&f, INVOICES, &c, "10.00");
    old["issue_date"] = json!("2020-01-06");
    let invoice = draft(&f, INVOICES, old).await;
    draft(&f, BILLS, body(&f, BILLS, &c, "10.00")).await;
    assert_eq!(count(&f, INVOICES).await, 1, "one kind per list");
    // Overdue: open (issued, not paid) and due before the company's today.
    assert_eq!(
        count(&f, &format!("{INVOICES}?overdue=true")).await,
        0,
        "a draft is not open"
    );
    let r = f.post(&format!("{INVOICES}{}/issue/", id(&invoice)), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count(&f, &format!("{INVOICES}?overdue=true")).await, 1);
    assert_eq!(count(&f, &format!("{INVOICES}?overdue=false")).await, 1);
    // `recurring`: only the invoices a schedule made.
    let schedule = uuid::Uuid::new_v4();
    assert_eq!(count(&f, &format!("{INVOICES}?recurring={schedule}")).await, 0);
    let r = f.get(&format!("{INVOICES}?recurring=nope")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
on_every_backend!(document_lists_filter, lists_filter_by_kind_due_date_and_schedule);

async fn permission_is_checked_before_the_body(app: TestApp) {
    let owner = Firm::register(&app, "owner@docs-perm.test", "Perm Books").await;
    let staff = owner.invite(&app, "staff@docs-perm.test", "staff").await;
    let c = contacts(&owner).await;
    let invoice = draft(&owner, INVOICES, body(&owner, INVOICES, &c, "10.00")).await;
    // Staff may draft but not issue, void, send or change the firm's look: 403 whatever the body.
    for (content_type, junk) in [("application/json", "{\"to\": 5"), ("text/plain", "junk")] {
        for verb in ["issue", "void", "send"] {
            let path = format!("{INVOICES}{}/{verb}/", id(&invoice));
            let status = raw(&staff, Method::POST, &path, content_type, junk).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{verb} with {junk:?}");
        }
        for path in ["/api/invoicing/template/", "/api/invoicing/logo/"] {
            let status = raw(&staff, Method::PUT, path, content_type, junk).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {junk:?}");
        }
    }
    assert_eq!(
        owner.get(&format!("{INVOICES}{}/", id(&invoice))).await.body["status"],
        "draft"
    );
}
on_every_backend!(documents_permission_before_body, permission_is_checked_before_the_body);

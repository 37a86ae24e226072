//! The sales flow through the API: quote → order → partial deliveries → invoices (from a delivery
//! and from the order, the rest delivered when the invoice is issued) → payment, with the same
//! prices and taxes at every step and the remaining quantities on each document; an expired
//! quote refuses to convert; over-delivering, delivering more than is in stock and invoicing
//! more than is left are 400s naming the line that write nothing; another firm's or company's
//! ids are 404; the quote and the delivery note print as PDFs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::drf::every_method_and_body;
use crate::fixtures::{CUSTOMERS, Firm, INVOICES, ITEMS, PAYMENTS, TAX_RATES, assert_field_error, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const QUOTES: &str = "/api/sales/quotes/";
const ORDERS: &str = "/api/sales/orders/";
const DELIVERIES: &str = "/api/sales/deliveries/";

/// A customer, a 20 % rate, a stock item "Widget" at 25.00 with `on_hand` units received in the
/// company's warehouse.
struct Setup {
    customer: String,
    vat: String,
    widget: String,
}

async fn setup(f: &Firm, on_hand: &str) -> Setup {
    let customer = id(&f.create(CUSTOMERS, json!({ "name": "Bloggs Ltd" })).await).to_owned();
    let vat = id(&f
        .create(TAX_RATES, json!({ "name": "VAT 20%", "kind": "vat", "rate": "20" }))
        .await)
    .to_owned();
    let widget = crate::sales_stock::stock_item(f, "WID", "Widget", "25.00", &vat).await;
    crate::sales_stock::receive(f, &widget, on_hand, "10.00").await;
    Setup { customer, vat, widget }
}

/// A quote of 10 widgets less 10 % and 1.5 hours of fitting at 80.00, both at 20 %.
fn quote_body(f: &Firm, s: &Setup, date: &str, valid_until: &str) -> Value {
    json!({
        "contact": s.customer, "date": date, "valid_until": valid_until, "reference": "PO 77",
        "lines": [
            { "item": s.widget, "quantity": "10", "discount_percent": "10" },
            { "description": "Fitting", "quantity": "1.5", "unit_price": "80.00", "tax_rate": s.vat,
              "account": f.acct("4200") }
        ]
    })
}

fn line(doc: &Value, n: usize) -> &Value {
    &doc["lines"][n]
}

async fn quote_to_payment(app: TestApp) {
    let f = Firm::register(&app, "owner@sales-flow.test", "Flow Books").await;
    let s = setup(&f, "20").await;
    let quote = f.create(QUOTES, quote_body(&f, &s, "2026-03-01", "2099-12-31")).await;
    assert_eq!(quote["status"], "open");
    assert!(quote["number"].as_str().unwrap().starts_with("QUO-2026-"));
    // 10 × 25.00 less 10 % = 225.00; 1.5 × 80.00 = 120.00; tax 20 % of each.
    assert_eq!(line(&quote, 0)["net_amount"], "225.00");
    assert_eq!(line(&quote, 0)["tax_amount"], "45.00");
    assert_eq!(line(&quote, 1)["net_amount"], "120.00");
    assert_eq!(quote["total"], "414.00");
    let pdf = f
        .raw(Method::GET, &format!("{QUOTES}{}/pdf/", id(&quote)))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    // Converted: same lines, prices and taxes.
    let r = f.post(&format!("{QUOTES}{}/convert/", id(&quote)), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.body;
    assert!(order["number"].as_str().unwrap().starts_with("SO-"));
    assert_eq!(order["quote"], quote["id"]);
    for field in ["subtotal", "tax_total", "total"] {
        assert_eq!(order[field], quote[field], "{field}");
    }
    for n in 0..2 {
        for field in [
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "account",
            "net_amount",
            "tax_amount",
        ] {
            assert_eq!(line(&order, n)[field], line(&quote, n)[field], "line {n} {field}");
        }
    }
    assert_eq!(line(&order, 0)["is_stock"], true);
    assert_eq!(line(&order, 0)["to_deliver"], "10");
    assert_eq!(line(&order, 1)["to_deliver"], "0");
    let q = f.get(&format!("{QUOTES}{}/", id(&quote))).await.body;
    assert_eq!(q["status"], "converted");
    assert_eq!(q["links"][0]["kind"], "order");
    // A converted quote does not convert twice.
    let r = f.post(&format!("{QUOTES}{}/convert/", id(&quote)), json!({})).await;
    assert_field_error(&r, "non_field_errors");

    // Two partial deliveries.
    let order_path = format!("{ORDERS}{}/", id(&order));
    let r = f
        .post(
            &format!("{order_path}deliver/"),
            json!({ "date": "2026-03-02", "lines": [{ "line": 1, "quantity": "4" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = r.body;
    assert!(first["number"].as_str().unwrap().starts_with("DN-"));
    assert_eq!(first["lines"][0]["quantity"], "4");
    assert_eq!(first["lines"][0]["order_line"], 1);
    let pdf = f
        .raw(Method::GET, &format!("{DELIVERIES}{}/pdf/", id(&first)))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let r = f
        .post(
            &format!("{order_path}deliver/"),
            json!({ "date": "2026-03-03", "lines": [{ "line": 1, "quantity": "3" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let o = f.get(&order_path).await.body;
    assert_eq!(o["status"], "partially_delivered");
    assert_eq!(line(&o, 0)["delivered"], "7");
    assert_eq!(line(&o, 0)["to_deliver"], "3");
    assert_eq!(crate::sales_stock::on_hand(&f, &s.widget).await, "13");

    // The first delivery invoiced: 4 widgets at the order's price and tax.
    let r = f
        .post(
            &format!("{DELIVERIES}{}/invoice/", id(&first)),
            json!({ "date": "2026-03-04" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inv1 = r.body;
    assert_eq!(inv1["status"], "issued");
    assert_eq!(inv1["reference"], order["number"]);
    assert_eq!(inv1["lines"][0]["quantity"], "4");
    assert_eq!(inv1["lines"][0]["net_amount"], "90.00");
    assert_eq!(inv1["lines"][0]["tax_amount"], "18.00");
    let r = f.post(&format!("{DELIVERIES}{}/invoice/", id(&first)), json!({})).await;
    assert_field_error(&r, "non_field_errors");

    // The rest from the order: 6 widgets (3 delivered, 3 delivered now by the invoice) and the fitting.
    let r = f
        .post(&format!("{order_path}invoice/"), json!({ "date": "2026-03-05" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inv2 = r.body;
    assert_eq!(inv2["lines"][0]["quantity"], "6");
    assert_eq!(inv2["lines"][0]["net_amount"], "135.00");
    assert_eq!(inv2["lines"][1]["net_amount"], "120.00");
    let total = |v: &Value| v["total"].as_str().unwrap().parse::<f64>().unwrap();
    assert!((total(&inv1) + total(&inv2) - total(&order)).abs() < 0.001);
    let o = f.get(&order_path).await.body;
    assert_eq!(o["status"], "invoiced", "{o}");
    assert_eq!(line(&o, 0)["to_deliver"], "0");
    assert_eq!(line(&o, 0)["to_invoice"], "0");
    assert_eq!(line(&o, 1)["to_invoice"], "0");
    assert_eq!(f.count(&format!("{DELIVERIES}?order={}", id(&order))).await, 3);
    assert_eq!(crate::sales_stock::on_hand(&f, &s.widget).await, "10");
    let kinds: Vec<&str> = o["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "invoice").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "delivery").count(), 3, "{kinds:?}");
    assert!(kinds.contains(&"quote"));
    // Nothing is left.
    let r = f.post(&format!("{order_path}invoice/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
    let r = f.post(&format!("{order_path}deliver/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");

    // Paid as today.
    for inv in [&inv1, &inv2] {
        f.create(
            PAYMENTS,
            json!({ "direction": "received", "contact": s.customer, "date": "2026-03-06", "amount": inv["total"],
                    "bank_account": f.acct("1020"), "allocations": [{ "document": id(inv), "amount": inv["total"] }] }),
        )
        .await;
        let paid = f.get(&format!("{INVOICES}{}/", id(inv))).await.body;
        assert_eq!(paid["status"], "paid");
    }
}
on_every_backend!(sales_quote_to_payment, quote_to_payment);

async fn an_invoice_of_a_stock_item_delivers_it(app: TestApp) {
    let f = Firm::register(&app, "owner@sales-hook.test", "Hook Books").await;
    let s = setup(&f, "5").await;
    let inv = f
        .issued(
            INVOICES,
            json!({ "contact": s.customer, "issue_date": "2026-03-01", "lines": [{ "item": s.widget, "quantity": "2" }] }),
        )
        .await;
    let r = f.get(&format!("{DELIVERIES}?invoice={}", id(&inv))).await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    let d = f.get(&format!("{DELIVERIES}{}/", id(&r.body["results"][0]))).await.body;
    assert_eq!(d["lines"][0]["quantity"], "2");
    assert_eq!(d["lines"][0]["to_invoice"], "0");
    assert_eq!(d["links"][0]["kind"], "invoice");
    assert_eq!(crate::sales_stock::on_hand(&f, &s.widget).await, "3");
    // A delivery made by an invoice is invoiced already.
    let r = f.post(&format!("{DELIVERIES}{}/invoice/", id(&d)), json!({})).await;
    assert_field_error(&r, "non_field_errors");

    // More than is in stock: the invoice is refused naming its line, nothing is issued.
    let draft = f
        .create(
            INVOICES,
            json!({ "contact": s.customer, "issue_date": "2026-03-02", "lines": [
                { "description": "Advice", "quantity": "1", "unit_price": "10.00", "account": f.acct("4200") },
                { "item": s.widget, "quantity": "4" }] }),
        )
        .await;
    let r = f.post(&format!("{INVOICES}{}/issue/", id(&draft)), json!({})).await;
    assert_field_error(&r, "lines[1].quantity");
    let again = f.get(&format!("{INVOICES}{}/", id(&draft))).await.body;
    assert_eq!(again["status"], "draft");
    assert_eq!(f.count(DELIVERIES).await, 1);
    assert_eq!(crate::sales_stock::on_hand(&f, &s.widget).await, "3");
}
on_every_backend!(sales_invoice_creates_delivery, an_invoice_of_a_stock_item_delivers_it);

async fn refusals_name_the_line_and_write_nothing(app: TestApp) {
    let f = Firm::register(&app, "owner@sales-bad.test", "Bad Books").await;
    let s = setup(&f, "5").await;
    // Expired quote: 409, no order.
    let old = f.create(QUOTES, quote_body(&f, &s, "2020-01-01", "2020-01-31")).await;
    assert_eq!(old["expired"], true);
    let r = f.post(&format!("{QUOTES}{}/convert/", id(&old)), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.to_string().contains("expired on 2020-01-31"), "{}", r.body);
    assert_eq!(f.count(ORDERS).await, 0);
    assert_eq!(f.get(&format!("{QUOTES}{}/", id(&old))).await.body["status"], "open");

    // Bad quotes and orders.
    let r = f
        .post(
            QUOTES,
            json!({ "contact": s.customer, "lines": [{ "item": s.widget, "quantity": "1.0005" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    let r = f.post(ORDERS, json!({ "lines": [] })).await;
    assert_field_error(&r, "contact");
    let r = f
        .post(
            ORDERS,
            json!({ "contact": s.customer, "valid_until": "2026-01-01", "lines": [{ "item": s.widget }] }),
        )
        .await;
    assert_field_error(&r, "valid_until");
    let r = f
        .post(QUOTES, json!({ "contact": s.customer, "lines": [{ "item": s.widget }, { "description": "x", "unit_price": "1" }] }))
        .await;
    assert_field_error(&r, "lines[1].account");
    assert_eq!(f.count(QUOTES).await, 1);

    let order = f
        .create(
            ORDERS,
            json!({ "contact": s.customer, "date": "2026-03-01", "lines": [
            { "description": "Fitting", "quantity": "1", "unit_price": "80.00", "account": f.acct("4200") },
            { "item": s.widget, "quantity": "8" }] }),
        )
        .await;
    let path = format!("{ORDERS}{}/", id(&order));
    // Over-delivering: the line named.
    let r = f
        .post(
            &format!("{path}deliver/"),
            json!({ "lines": [{ "line": 2, "quantity": "9" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    assert!(
        r.body["lines[0].quantity"][0]
            .as_str()
            .unwrap()
            .contains("Line 2 (Widget)"),
        "{}",
        r.body
    );
    // A line that is not there, or not a stock item.
    let r = f
        .post(&format!("{path}deliver/"), json!({ "lines": [{ "line": 7 }] }))
        .await;
    assert_field_error(&r, "lines[0].line");
    let r = f
        .post(&format!("{path}deliver/"), json!({ "lines": [{ "line": 1 }] }))
        .await;
    assert_field_error(&r, "lines[0].line");
    // More than is in stock (5), negatives off: the line named, nothing written.
    let r = f
        .post(
            &format!("{path}deliver/"),
            json!({ "lines": [{ "line": 2, "quantity": "6" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    assert!(
        r.body["lines[0].quantity"][0]
            .as_str()
            .unwrap()
            .contains("Not enough stock"),
        "{}",
        r.body
    );
    assert_eq!(f.count(DELIVERIES).await, 0);
    assert_eq!(crate::sales_stock::on_hand(&f, &s.widget).await, "5");
    let o = f.get(&path).await.body;
    assert_eq!(line(&o, 1)["delivered"], "0");
    assert_eq!(o["status"], "open");
    // Invoicing more than is left.
    let r = f
        .post(
            &format!("{path}invoice/"),
            json!({ "lines": [{ "line": 1, "quantity": "2" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    let r = f
        .post(
            &format!("{path}invoice/"),
            json!({ "lines": [{ "line": 1, "quantity": "abc" }] }),
        )
        .await;
    assert_field_error(&r, "lines[0].quantity");
    assert_eq!(f.count(INVOICES).await, 0);
    // Invoicing more widgets than are in stock: the invoice's delivery is refused, nothing written.
    let r = f.post(&format!("{path}invoice/"), json!({})).await;
    assert_field_error(&r, "lines[1].quantity");
    assert_eq!(f.count(INVOICES).await, 0);
    let o = f.get(&path).await.body;
    assert_eq!(line(&o, 0)["invoiced"], "0");
    // Cancelled: nothing is delivered or invoiced of it.
    let r = f.post(&format!("{path}cancel/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.post(&format!("{path}deliver/"), json!({})).await;
    assert_field_error(&r, "non_field_errors");
}
on_every_backend!(sales_refusals, refusals_name_the_line_and_write_nothing);

async fn ids_of_another_firm_or_company_are_404(app: TestApp) {
    let mine = Firm::register(&app, "owner@sales-mine.test", "Mine Books").await;
    let theirs = Firm::register(&app, "owner@sales-theirs.test", "Theirs Books").await;
    let sister = mine.new_company("Sister Co", "USD").await;
    for owner in [&theirs, &sister] {
        let s = setup(owner, "5").await;
        let quote = owner
            .create(QUOTES, quote_body(owner, &s, "2026-03-01", "2099-01-01"))
            .await;
        let order = owner
            .post(&format!("{QUOTES}{}/convert/", id(&quote)), json!({}))
            .await
            .body;
        let delivery = owner
            .post(
                &format!("{ORDERS}{}/deliver/", id(&order)),
                json!({ "lines": [{ "line": 1, "quantity": "1" }] }),
            )
            .await
            .body;
        let invoice = owner
            .post(&format!("{DELIVERIES}{}/invoice/", id(&delivery)), json!({}))
            .await
            .body;
        let links = owner
            .get(&format!("/api/sales/invoices/{}/links/", id(&invoice)))
            .await
            .body;
        assert_eq!(links.as_array().unwrap().len(), 2, "{links}");
        let q = format!("{QUOTES}{}/", id(&quote));
        let o = format!("{ORDERS}{}/", id(&order));
        let d = format!("{DELIVERIES}{}/", id(&delivery));
        let il = format!("/api/sales/invoices/{}/links/", id(&invoice));
        for path in [&q, &o, &d, &format!("{q}pdf/"), &format!("{d}pdf/"), &il] {
            every_method_and_body(&mine, path, &json!({}), &[Method::GET], StatusCode::NOT_FOUND).await;
        }
        for path in [
            format!("{q}convert/"),
            format!("{q}decline/"),
            format!("{o}deliver/"),
            format!("{o}invoice/"),
            format!("{o}cancel/"),
            format!("{d}invoice/"),
        ] {
            every_method_and_body(&mine, &path, &json!({}), &[Method::POST], StatusCode::NOT_FOUND).await;
        }
        // A quote of theirs is not an order of mine either, and lists show only mine.
        assert_eq!(
            mine.get(&format!("{ORDERS}{}/", id(&quote))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(mine.count(QUOTES).await, 0);
        assert_eq!(mine.count(DELIVERIES).await, 0);
        // Untouched, as their owner sees them.
        assert_eq!(owner.get(&q).await.body["status"], "converted");
        assert_eq!(owner.get(&o).await.body["status"], "partially_delivered");
    }
    let _ = ITEMS;
}
on_every_backend!(sales_isolation, ids_of_another_firm_or_company_are_404);

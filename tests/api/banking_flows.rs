//! Working a statement over HTTP: suggestions with their reasons in words (naming the invoice
//! number), confirming one (a payment is recorded and the invoice is paid), rejecting one (never
//! proposed again for that line), booking a line as an expense with tax, a bank fee and a
//! transfer matched on both sides, auto-matching an import to payments already in the books,
//! bank rules (CRUD, a bad regex by field), and isolation: every new route answers 404 for
//! another firm's or company's lines and rules.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::banking::{ACCOUNTS, bank_account, lines, upload};
use crate::fixtures::{CUSTOMERS, ENTRIES, Firm, INVOICES, PAYMENTS, TAX_RATES, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const RULES: &str = "/api/banking/rules/";

fn line_path(line: &Value, verb: &str) -> String {
    format!("/api/banking/lines/{}/{verb}/", id(line))
}

async fn customer_invoice(f: &Firm, name: &str, price: &str) -> Value {
    let customer = f
        .create(CUSTOMERS, json!({ "name": name, "payment_terms_days": 14 }))
        .await;
    f.issued(
        INVOICES,
        json!({ "contact": id(&customer), "issue_date": "2026-03-01", "lines": [
            { "description": "Catering", "quantity": "1", "unit_price": price, "account": f.acct("4200") }
        ] }),
    )
    .await
}

/// The entry's lines as (account id, debit, credit).
async fn entry_lines(f: &Firm, entry: &str) -> Vec<(String, String, String)> {
    let r = f.get(&format!("{ENTRIES}{entry}/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "posted");
    r.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account"].as_str().unwrap().to_owned(),
                l["debit_amount"].as_str().unwrap().to_owned(),
                l["credit_amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const STATEMENT: &str = "date,amount,text,counterparty\n\
                         2026-03-05,123.45,Payment INV-2026-0001 thank you,Harbour Cafe\n\
                         2026-03-06,-11.90,Office supplies,Paper Shop\n\
                         2026-03-07,-4.50,Account fee,Bank\n\
                         2026-03-08,-200.00,To savings,Own account\n";

async fn suggestions_confirm_and_book_from_the_line(app: TestApp) {
    let f = Firm::register(&app, "owner@flows.test", "Flow Books").await;
    let invoice = customer_invoice(&f, "Harbour Cafe", "123.45").await;
    assert_eq!(invoice["number"], "INV-2026-0001");
    let account = bank_account(&f).await;
    let acc = id(&account);
    let r = upload(&f, acc, STATEMENT.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let [receipt, supplies, fee, transfer] = &lines(&f, acc).await[..] else {
        panic!("four lines")
    };
    // Suggestions: oldest first; the invoice first for the receipt, with its reasons in words.
    let r = f.get(&format!("{ACCOUNTS}{acc}/suggestions/?page_size=10")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["count"], 4);
    let first = &r.body["results"][0];
    assert_eq!(first["line"]["id"], receipt["id"]);
    let best = &first["suggestions"][0];
    assert_eq!(
        (best["kind"].as_str(), best["id"].as_str()),
        (Some("invoice"), Some(id(&invoice)))
    );
    assert_eq!(best["reference"], "INV-2026-0001");
    assert_eq!(best["contact"], "Harbour Cafe");
    assert_eq!(best["amount"], "123.45");
    assert_eq!(best["open_amount"], "123.45");
    let reasons: Vec<&str> = best["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(reasons.contains(&"amount equal"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("INV-2026-0001")), "{reasons:?}");
    assert!(
        best["explanation"]
            .as_str()
            .unwrap()
            .contains("INV-2026-0001 in the text"),
        "{best}"
    );
    assert!(best["score"].as_u64().unwrap() >= 50, "{best}");
    assert_eq!(
        first["auto"], true,
        "an invoice is never booked automatically, but it is sure"
    );
    // Rejected, it is not proposed for the line again; a bad kind is a 400 by field.
    let r = f
        .post(
            &line_path(receipt, "reject"),
            json!({ "kind": "receipt", "id": id(&invoice) }),
        )
        .await;
    assert_fields(&r, &["kind"]);
    let r = f
        .post(
            &line_path(receipt, "reject"),
            json!({ "kind": "invoice", "id": id(&invoice) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = f.get(&format!("{ACCOUNTS}{acc}/suggestions/")).await;
    let still: Vec<&Value> = r.body["results"][0]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == invoice["id"])
        .collect();
    assert!(still.is_empty(), "{}", r.body);
    // Confirmed all the same: a payment received, allocated; the invoice is paid.
    let r = f
        .post(
            &line_path(receipt, "confirm"),
            json!({ "kind": "invoice", "id": id(&invoice) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["matched_kind"].as_str()),
        (Some("matched"), Some("payment"))
    );
    let r = f.get(&format!("{INVOICES}{}/", id(&invoice))).await;
    assert_eq!(r.body["status"], "paid", "{}", r.body);
    assert_eq!(f.count(PAYMENTS).await, 1);
    // Twice is refused: the line is matched.
    let r = f
        .post(
            &line_path(receipt, "confirm"),
            json!({ "kind": "invoice", "id": id(&invoice) }),
        )
        .await;
    assert_fields(&r, &["non_field_errors"]);
    // An expense with 19 % tax included: 10.00 to supplies, 1.90 to input tax, 11.90 from the bank.
    let vat = f
        .create(
            TAX_RATES,
            json!({ "name": "VAT 19%", "kind": "vat", "rate": "19", "is_inclusive": true,
                    "sales_account": f.acct("2200"), "purchase_account": f.acct("1400") }),
        )
        .await;
    let r = f
        .post(&line_path(supplies, "expense"), json!({ "tax_rate": id(&vat) }))
        .await;
    assert_fields(&r, &["account"]);
    let r = f
        .post(
            &line_path(supplies, "expense"),
            json!({ "account": f.acct("6400"), "tax_rate": id(&vat), "description": "Paper" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut booked = entry_lines(&f, r.body["journal_entry"].as_str().unwrap()).await;
    booked.sort();
    let mut expected = vec![
        (f.acct("6400"), "10.00".to_owned(), "0.00".to_owned()),
        (f.acct("1400"), "1.90".to_owned(), "0.00".to_owned()),
        (f.acct("1020"), "0.00".to_owned(), "11.90".to_owned()),
    ];
    expected.sort();
    assert_eq!(booked, expected);
    // A fee: to the bank fees account by default.
    let r = f.post(&line_path(fee, "fee"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut booked = entry_lines(&f, r.body["journal_entry"].as_str().unwrap()).await;
    booked.sort();
    let mut expected = vec![
        (f.acct("6500"), "4.50".to_owned(), "0.00".to_owned()),
        (f.acct("1020"), "0.00".to_owned(), "4.50".to_owned()),
    ];
    expected.sort();
    assert_eq!(booked, expected);
    // A transfer to savings: both sides matched to one entry.
    let gl = f
        .create(
            "/api/accounting/chart-of-accounts/",
            json!({ "code": "1030", "name": "Savings", "type": "asset", "subtype": "bank" }),
        )
        .await;
    let savings = f
        .create(ACCOUNTS, json!({ "name": "Savings", "account": id(&gl) }))
        .await;
    let csv = "date,amount,text\n2026-03-10,200.00,From main account\n2026-03-11,200.00,Interest\n";
    let r = upload(&f, id(&savings), csv.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = f
        .post(&line_path(transfer, "transfer"), json!({ "bank_account": acc }))
        .await;
    assert_fields(&r, &["bank_account"]);
    let r = f
        .post(
            &line_path(transfer, "transfer"),
            json!({ "bank_account": id(&savings) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let entry = r.body["journal_entry"].clone();
    let other = lines(&f, id(&savings)).await;
    assert_eq!(other[0]["status"], "matched", "the nearest in date");
    assert_eq!(other[0]["journal_entry"], entry);
    assert_eq!(other[1]["status"], "unmatched");
    assert_eq!(f.count(&format!("{ACCOUNTS}{acc}/suggestions/")).await, 0);
    // Each step is in the audit log.
    let audit = f.get("/api/accounting/audit-log/?page_size=200").await;
    let actions: Vec<&str> = audit.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for action in ["reject", "match", "post"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}
on_every_backend!(suggest_and_book, suggestions_confirm_and_book_from_the_line);

async fn an_import_matches_what_the_books_already_hold(app: TestApp) {
    let f = Firm::register(&app, "owner@auto.test", "Auto Books").await;
    let invoice = customer_invoice(&f, "Harbour Cafe", "123.45").await;
    let account = bank_account(&f).await;
    let acc = id(&account);
    // The payment was recorded before the statement came.
    let r = f
        .post(
            PAYMENTS,
            json!({ "direction": "received", "contact": invoice["contact"], "date": "2026-03-05",
                    "amount": "123.45", "bank_account": f.acct("1020"), "reference": "INV-2026-0001",
                    "allocations": [{ "document": id(&invoice), "amount": "123.45" }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let payment = r.body["id"].clone();
    let other = customer_invoice(&f, "Quay Bakery", "80.00").await;
    let csv = "date,amount,text,counterparty\n\
               2026-03-05,123.45,INV-2026-0001,Harbour Cafe\n\
               2026-03-06,80.00,INV-2026-0002,Quay Bakery\n";
    let r = upload(&f, acc, csv.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let [paid, open] = &lines(&f, acc).await[..] else {
        panic!("two lines")
    };
    assert_eq!(paid["status"], "matched", "{paid}");
    assert_eq!(
        (paid["matched_kind"].clone(), paid["matched_id"].clone()),
        (json!("payment"), payment)
    );
    // An open invoice waits for review: nothing is booked on import.
    assert_eq!(open["status"], "unmatched");
    assert_eq!(f.count(PAYMENTS).await, 1);
    let r = f.get(&format!("{INVOICES}{}/", id(&other))).await;
    assert_eq!(r.body["status"], "issued");
}
on_every_backend!(auto_match, an_import_matches_what_the_books_already_hold);

async fn rules_are_kept_checked_and_applied(app: TestApp) {
    let f = Firm::register(&app, "owner@rules.test", "Rule Books").await;
    let account = bank_account(&f).await;
    let acc = id(&account);
    let r = f
        .post(
            RULES,
            json!({ "name": "Bad", "text_regex": "(unclosed", "account": f.acct("6500") }),
        )
        .await;
    assert_fields(&r, &["text_regex"]);
    let r = f
        .post(RULES, json!({ "name": "Nothing", "account": f.acct("6500") }))
        .await;
    assert_fields(&r, &["non_field_errors"]);
    assert_eq!(f.count(RULES).await, 0, "nothing written");
    let r = f
        .post(
            RULES,
            json!({ "name": "Bank fees", "text_contains": "fee", "amount_max": "0.00", "account": f.acct("6500"),
                    "description": "Bank charges", "bank_account": acc }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rule = r.body.clone();
    assert_eq!(
        (rule["priority"].clone(), rule["amount_max"].clone()),
        (json!(100), json!("0.00"))
    );
    let path = format!("{RULES}{}/", id(&rule));
    let r = f.patch(&path, json!({ "text_regex": "[" })).await;
    assert_fields(&r, &["text_regex"]);
    let r = f
        .patch(&path, json!({ "priority": 5, "text_regex": "fee|charge" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(f.get(&path).await.body["priority"], 5);
    assert_eq!(
        upload(&f, acc, b"date,amount,text\n2026-03-07,-4.50,Account fee\n", &[])
            .await
            .status,
        StatusCode::CREATED
    );
    let r = f.get(&format!("{ACCOUNTS}{acc}/suggestions/")).await;
    assert_eq!(r.body["results"][0]["rule"]["id"], rule["id"], "{}", r.body);
    assert_eq!(r.body["results"][0]["rule"]["account"], f.acct("6500"));
    let r = f.delete(&path).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(f.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = f.get(&format!("{ACCOUNTS}{acc}/suggestions/")).await;
    assert_eq!(r.body["results"][0]["rule"], Value::Null);
}
on_every_backend!(rules, rules_are_kept_checked_and_applied);

async fn other_firms_and_companies_reach_none_of_it(app: TestApp) {
    let a = Firm::register(&app, "a@flowiso.test", "Firm A").await;
    let b = Firm::register(&app, "b@flowiso.test", "Firm B").await;
    let a2 = a.new_company("A's second company", "USD").await;
    let invoice = customer_invoice(&a, "Harbour Cafe", "123.45").await;
    let account = bank_account(&a).await;
    let acc = id(&account);
    assert_eq!(
        upload(&a, acc, STATEMENT.as_bytes(), &[]).await.status,
        StatusCode::CREATED
    );
    let line = lines(&a, acc).await[0].clone();
    let rule = a
        .create(
            RULES,
            json!({ "name": "Fees", "text_contains": "fee", "account": a.acct("6500") }),
        )
        .await;
    let rule_path = format!("{RULES}{}/", id(&rule));
    for other in [&b, &a2] {
        for path in [format!("{ACCOUNTS}{acc}/suggestions/"), rule_path.clone()] {
            assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "GET {path}");
        }
        let candidate = json!({ "kind": "invoice", "id": id(&invoice) });
        for (verb, body) in [
            ("confirm", candidate.clone()),
            ("reject", candidate),
            ("payment", json!({ "contact": invoice["contact"] })),
            ("expense", json!({ "account": a.acct("6400") })),
            ("transfer", json!({ "bank_account": acc })),
            ("fee", json!({})),
        ] {
            let r = other.post(&line_path(&line, verb), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {verb}: {}", r.body);
        }
        assert_eq!(
            other.patch(&rule_path, json!({ "name": "x" })).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(other.delete(&rule_path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.count(RULES).await, 0);
    }
    assert_eq!(a.count(&format!("{ACCOUNTS}{acc}/lines/?status=unmatched")).await, 4);
    assert_eq!(a.get(&rule_path).await.body["name"], "Fees");
    assert_eq!(a.count(PAYMENTS).await, 0);
}
on_every_backend!(isolation, other_firms_and_companies_reach_none_of_it);

async fn the_csv_layout_is_shown_and_can_be_corrected(app: TestApp) {
    let f = Firm::register(&app, "owner@layout.test", "Layout Books").await;
    let account = bank_account(&f).await;
    let acc = id(&account);
    // A German export: a preamble line, `;`, decimal commas, day-first dates, two text columns.
    let csv = "Konto;DE89370400440532013000\n\
               Buchungstag;Verwendungszweck;Info;Betrag;Saldo\n\
               03.03.2026;Miete Maerz;Ref 7;-1.200,00;3.800,00\n\
               04.03.2026;INV-2026-0001;Kunde;250,50;4.050,50\n";
    let r = upload(&f, acc, csv.as_bytes(), &[("preview", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let layout = &r.body["csv"];
    assert_eq!(layout["delimiter"], ";", "{layout}");
    assert_eq!(layout["decimal_separator"], ",");
    assert_eq!(layout["date_format"], "%d.%m.%Y");
    assert_eq!(layout["skip_rows"], 1);
    assert_eq!(layout["encoding"], "utf-8");
    assert_eq!(
        layout["header"],
        json!(["Buchungstag", "Verwendungszweck", "Info", "Betrag", "Saldo"])
    );
    assert_eq!(layout["columns"]["date"], 0);
    assert_eq!(layout["columns"]["amount"], 3);
    assert_eq!(r.body["lines"][0]["amount"], "-1200.00");
    // Corrected: both text columns.
    let r = upload(&f, acc, csv.as_bytes(), &[("preview", "true"), ("text_columns", "1,2")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["csv"]["columns"]["text"], json!([1, 2]));
    assert_eq!(r.body["lines"][0]["text"], "Miete Maerz Ref 7");
    // The sign turned round: here the bank's running balance says otherwise, naming the line.
    let r = upload(
        &f,
        acc,
        csv.as_bytes(),
        &[("preview", "true"), ("invert_amount", "true")],
    )
    .await;
    assert_fields(&r, &["file"]);
    assert!(
        r.body["file"][0].as_str().unwrap().contains("line 4: balance"),
        "{}",
        r.body
    );
    let card = "date,amount,text\n2026-03-03,20.50,Card purchase\n";
    let r = upload(
        &f,
        acc,
        card.as_bytes(),
        &[("preview", "true"), ("invert_amount", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["csv"]["columns"]["invert_amount"], true);
    assert_eq!(r.body["lines"][0]["amount"], "-20.50");
    // Wrong values are named; other formats answer no layout.
    let r = upload(&f, acc, csv.as_bytes(), &[("encoding", "ebcdic"), ("date_column", "x")]).await;
    assert_fields(&r, &["date_column", "encoding"]);
    assert_eq!(f.count(&format!("{ACCOUNTS}{acc}/lines/")).await, 0);
    let r = upload(&f, acc, csv.as_bytes(), &[("skip_rows", "1"), ("text_columns", "1,2")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(lines(&f, acc).await[0]["text"], "Miete Maerz Ref 7");
}
on_every_backend!(csv_layout, the_csv_layout_is_shown_and_can_be_corrected);

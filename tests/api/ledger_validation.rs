//! What the ledger refuses over HTTP: invalid entries (each named by field, with nothing
//! written), and another firm's entries and accounts (404, nothing changed).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{
    ACCOUNTS, AUDIT_LOG, BULK, ENTRIES, Firm, GENERAL_LEDGER, TRIAL_BALANCE, assert_field_error, id, tb_totals,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

// ---------------------------------------------------------------------------------------------
// Validation

async fn invalid_entries_are_refused_and_nothing_is_written(app: TestApp) {
    let firm = Firm::register(&app, "valid@example.com", "Validation Firm").await;
    let cash = firm.acct("1010");
    let sales = firm.acct("4100");
    let line = |account: &str, debit: Value, credit: Value| {
        let mut l = json!({ "account": account });
        if !debit.is_null() {
            l["debit_amount"] = debit;
        }
        if !credit.is_null() {
            l["credit_amount"] = credit;
        }
        l
    };
    let with_lines = |lines: Vec<Value>| json!({ "date": "2026-03-01", "lines": lines });
    let n = Value::Null;
    let other_company = firm.new_company("Sister Co", "USD").await;
    let inactive = firm.acct("6400");
    let r = firm
        .patch(&format!("{ACCOUNTS}{inactive}/"), json!({ "is_active": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_active"], false);

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unbalanced",
            with_lines(vec![
                line(&cash, json!("100.00"), n.clone()),
                line(&sales, n.clone(), json!("99.99")),
            ]),
            "lines",
        ),
        (
            "one line",
            with_lines(vec![line(&cash, json!("10.00"), n.clone())]),
            "lines",
        ),
        ("no lines", json!({ "date": "2026-03-01", "lines": [] }), "lines"),
        ("lines missing", json!({ "date": "2026-03-01" }), "lines"),
        (
            "debit and credit",
            with_lines(vec![
                line(&cash, json!("10.00"), n.clone()),
                line(&sales, json!("5.00"), json!("15.00")),
            ]),
            "lines[1].non_field_errors",
        ),
        (
            "neither",
            with_lines(vec![
                line(&cash, json!("10.00"), n.clone()),
                line(&sales, n.clone(), json!("10.00")),
                line(&sales, n.clone(), n.clone()),
            ]),
            "lines[2].non_field_errors",
        ),
        (
            "negative",
            with_lines(vec![
                line(&cash, json!("-10.00"), n.clone()),
                line(&sales, n.clone(), json!("-10.00")),
            ]),
            "lines[0].debit_amount",
        ),
        (
            "too many decimals",
            with_lines(vec![
                line(&cash, json!("1.005"), n.clone()),
                line(&sales, n.clone(), json!("1.005")),
            ]),
            "lines[1].credit_amount",
        ),
        (
            "not a number",
            with_lines(vec![
                line(&cash, json!("ten"), n.clone()),
                line(&sales, n.clone(), json!("10.00")),
            ]),
            "lines[0].debit_amount",
        ),
        (
            "unknown account",
            with_lines(vec![
                line(&cash, json!("10.00"), n.clone()),
                line(&uuid::Uuid::new_v4().to_string(), n.clone(), json!("10.00")),
            ]),
            "lines[1].account",
        ),
        (
            "another company's account",
            with_lines(vec![
                line(&other_company.acct("1010"), json!("10.00"), n.clone()),
                line(&sales, n.clone(), json!("10.00")),
            ]),
            "lines[0].account",
        ),
        (
            "inactive account",
            with_lines(vec![
                line(&inactive, json!("10.00"), n.clone()),
                line(&sales, n.clone(), json!("10.00")),
            ]),
            "lines[0].account",
        ),
        (
            "missing account",
            with_lines(vec![
                json!({ "debit_amount": "10.00" }),
                line(&sales, n.clone(), json!("10.00")),
            ]),
            "lines[0].account",
        ),
        (
            "non-UUID account",
            with_lines(vec![
                line(&cash, json!("10.00"), n.clone()),
                line("not-a-uuid", n.clone(), json!("10.00")),
            ]),
            "lines[1].account",
        ),
        (
            "missing date",
            json!({ "lines": [line(&cash, json!("10.00"), n.clone()), line(&sales, n.clone(), json!("10.00"))] }),
            "date",
        ),
        (
            "bad date format",
            json!({ "date": "01/03/2026", "lines": [line(&cash, json!("10.00"), n.clone()), line(&sales, n.clone(), json!("10.00"))] }),
            "date",
        ),
        (
            "impossible date",
            json!({ "date": "2026-02-30", "lines": [line(&cash, json!("10.00"), n.clone()), line(&sales, n.clone(), json!("10.00"))] }),
            "date",
        ),
        (
            "foreign line without a rate",
            with_lines(vec![
                json!({ "account": cash, "debit_amount": "10.00", "currency": "EUR" }),
                line(&sales, n.clone(), json!("10.00")),
            ]),
            "lines[0].exchange_rate",
        ),
        (
            "reference too long",
            json!({ "date": "2026-03-01", "reference": "R".repeat(101), "lines": [line(&cash, json!("10.00"), n.clone()), line(&sales, n.clone(), json!("10.00"))] }),
            "reference",
        ),
    ];
    for (what, body, key) in cases {
        let r = firm.post(ENTRIES, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
        assert!(
            r.body[key].as_array().is_some_and(|m| !m.is_empty()),
            "{what}: expected an error under {key:?}, got {}",
            r.body
        );
        // The same rules hold for editing a draft and for the bulk endpoint.
        let r = firm.post(BULK, json!({ "entries": [body] })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "bulk {what}: {}", r.body);
        let prefixed = format!("entries[0].{key}");
        assert!(
            r.body[&prefixed].as_array().is_some_and(|m| !m.is_empty()),
            "bulk {what}: expected an error under {prefixed:?}, got {}",
            r.body
        );
    }
    // The unbalanced message names both sums.
    let r = firm
        .post(
            ENTRIES,
            with_lines(vec![
                line(&cash, json!("100.00"), n.clone()),
                line(&sales, n.clone(), json!("99.99")),
            ]),
        )
        .await;
    let msg = r.body["lines"][0].as_str().unwrap();
    assert!(msg.contains("100.00") && msg.contains("99.99"), "{msg}");
    assert_eq!(
        r.body["lines"].as_array().unwrap().len(),
        1,
        "only the balance error: {}",
        r.body
    );
    // "1.005" in USD: the message says how many decimals.
    let r = firm
        .post(
            ENTRIES,
            with_lines(vec![
                line(&cash, json!("1.005"), n.clone()),
                line(&sales, n.clone(), json!("1.01")),
            ]),
        )
        .await;
    assert_eq!(
        r.body["lines[0].debit_amount"][0], "Ensure that there are no more than 2 decimal places.",
        "{}",
        r.body
    );
    // Nothing was written.
    assert_eq!(firm.entry_count("").await, 0);
    assert_eq!(other_company.entry_count("").await, 0);
    let tb = firm.trial_balance("2026-12-31").await;
    assert_eq!(tb["rows"].as_array().unwrap().len(), 0, "{tb}");

    // A draft whose account is deactivated later cannot be posted.
    let supplies = firm.acct("6300");
    let draft = firm.draft(firm.transfer("2026-03-01", "6300", "1010", "5.00")).await;
    let r = firm
        .patch(&format!("{ACCOUNTS}{supplies}/"), json!({ "is_active": false }))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_field_error(&firm.verb(id(&draft), "post").await, "lines[0].account");
    assert_eq!(firm.entry_count("status=posted").await, 0);

    // A JPY company has no decimals: "1.5" is refused, "1500" is 1500.
    let yen = firm.new_company("Tokyo KK", "JPY").await;
    let r = yen
        .post(
            ENTRIES,
            yen.entry("2026-03-01", "JP-1", &[("1010", "1.5", ""), ("4100", "", "1.5")]),
        )
        .await;
    assert_field_error(&r, "lines[0].debit_amount");
    assert_field_error(&r, "lines[1].credit_amount");
    assert_eq!(
        r.body["lines[0].debit_amount"][0], "Ensure that there are no more than 0 decimal places.",
        "{}",
        r.body
    );
    assert_eq!(yen.entry_count("").await, 0);
    let ok = yen
        .posted(yen.entry("2026-03-01", "JP-2", &[("1010", "1500", ""), ("4100", "", "1500")]))
        .await;
    assert_eq!(ok["currency"], "JPY");
    assert_eq!(ok["total"], "1500");
    assert_eq!(ok["lines"][0]["debit_amount"], "1500");
    assert_eq!(ok["number"], 1);
    let tb = yen.trial_balance("2026-03-31").await;
    assert_eq!(tb["currency"], "JPY");
    assert_eq!(tb_totals(&tb), ("1500".into(), "1500".into()));
    let r = yen.get(&format!("{ENTRIES}?amount_min=1.5")).await;
    assert_field_error(&r, "amount_min");
}
on_every_backend!(
    validation_on_every_backend,
    invalid_entries_are_refused_and_nothing_is_written
);

// ---------------------------------------------------------------------------------------------
// Tenant isolation

async fn another_firm_sees_nothing_of_the_ledger(app: TestApp) {
    let a = Firm::register(&app, "a@example.com", "Firm A").await;
    let b = Firm::register(&app, "b@example.com", "Firm B").await;
    let posted = a.posted(a.transfer("2026-03-01", "1010", "4100", "10.00")).await;
    let draft = a.draft(a.transfer("2026-03-02", "1010", "4100", "20.00")).await;
    for e in [&posted, &draft] {
        let path = format!("{ENTRIES}{}/", id(e));
        assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            b.patch(&path, b.transfer("2026-03-01", "1010", "4100", "1.00"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            b.put(&path, b.transfer("2026-03-01", "1010", "4100", "1.00"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(b.delete(&path).await.status, StatusCode::NOT_FOUND);
        for verb in ["post", "approve", "cancel", "reverse"] {
            let r = b.verb(id(e), verb).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{verb}: {}", r.body);
        }
    }
    // B cannot use A's account ids.
    let r = b
        .post(
            ENTRIES,
            json!({ "date": "2026-03-01", "lines": [
                { "account": a.acct("1010"), "debit_amount": "5.00" },
                { "account": b.acct("4100"), "credit_amount": "5.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines[0].account");
    let r = b
        .post(
            BULK,
            json!({ "entries": [a.transfer("2026-03-01", "1010", "4100", "5.00")] }),
        )
        .await;
    assert_field_error(&r, "entries[0].lines[0].account");
    assert_field_error(
        &b.get(&format!("{GENERAL_LEDGER}?account={}", a.acct("1010"))).await,
        "account",
    );
    // A's company id is not B's to select.
    let a_company = posted["company"].as_str().unwrap().to_owned();
    let b_in_a = Firm {
        company: Some(a_company),
        ..b.clone()
    };
    assert_eq!(b_in_a.get(ENTRIES).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b_in_a.get(&format!("{TRIAL_BALANCE}?as_of=2026-12-31")).await.status,
        StatusCode::NOT_FOUND
    );
    // B's lists and reports are empty; A's entries are untouched.
    assert_eq!(b.entry_count("").await, 0);
    assert!(
        b.trial_balance("2026-12-31").await["rows"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        b.get(&format!("{AUDIT_LOG}?object_id={}", id(&posted))).await.body["count"],
        0
    );
    assert_eq!(
        a.get(&format!("{ENTRIES}{}/", id(&draft))).await.body["status"],
        "draft"
    );
    assert_eq!(
        a.get(&format!("{ENTRIES}{}/", id(&posted))).await.body["reversed_by"],
        Value::Null
    );
    assert_eq!(
        tb_totals(&a.trial_balance("2026-12-31").await),
        ("10.00".into(), "10.00".into())
    );
    // B's own numbering starts at 1.
    let own = b.posted(b.transfer("2026-03-01", "1010", "4100", "5.00")).await;
    assert_eq!(own["number"], 1);
}
on_every_backend!(isolation_on_every_backend, another_firm_sees_nothing_of_the_ledger);

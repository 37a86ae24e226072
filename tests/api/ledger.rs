//! The ledger over HTTP: drafts (create, read, list, edit, delete), posting with gap-free
//! numbers and the trial balance, reversal and cancellation, and foreign-currency lines. The
//! rest of the ledger's tests are in the other `ledger_*` modules. Every test runs on SQLite and,
//! when configured, on PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{ENTRIES, Firm, TRIAL_BALANCE, assert_field_error, id, ids, tb_row, tb_totals};
use crate::helpers::TestApp;
use crate::on_every_backend;

// ---------------------------------------------------------------------------------------------
// Drafts

async fn drafts_are_created_read_listed_edited_and_deleted(app: TestApp) {
    let firm = Firm::register(&app, "drafts@example.com", "Drafts Firm").await;
    let body = json!({
        "date": "2026-01-10",
        "reference": "INV-1",
        "description": "Consulting for Acme",
        "lines": [
            { "account": firm.acct("1010"), "description": "cash in", "debit_amount": "116.00", "credit_amount": "0.00" },
            { "account": firm.acct("4100"), "debit_amount": "0", "credit_amount": "116" },
        ],
    });
    let created = app
        .request(Method::POST, ENTRIES, Some(&firm.token), Some(body), &[])
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let a = created.body;
    assert_eq!(a["number"], Value::Null);
    assert_eq!(a["status"], "draft");
    assert_eq!(a["date"], "2026-01-10");
    assert_eq!(a["reference"], "INV-1");
    assert_eq!(a["description"], "Consulting for Acme");
    assert_eq!(a["total"], "116.00");
    assert_eq!(a["currency"], "USD");
    assert_eq!(a["created_by"], firm.user_id.as_str());
    assert_eq!(a["posted_by"], Value::Null);
    assert_eq!(a["reverses"], Value::Null);
    assert_eq!(a["reversed_by"], Value::Null);
    let lines = a["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line_no"], 1);
    assert_eq!(lines[0]["account"], firm.acct("1010").as_str());
    assert_eq!(lines[0]["description"], "cash in");
    assert_eq!(lines[0]["debit_amount"], "116.00");
    assert_eq!(lines[0]["credit_amount"], "0.00");
    assert_eq!(lines[0]["base_debit"], "116.00");
    assert_eq!(lines[1]["line_no"], 2);
    assert_eq!(lines[1]["account"], firm.acct("4100").as_str());
    assert_eq!(lines[1]["debit_amount"], "0.00");
    assert_eq!(lines[1]["credit_amount"], "116.00");
    let a_id = id(&a);

    let got = firm.get(&format!("{ENTRIES}{a_id}/")).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body, a, "GET returns what POST returned");

    // Two more, posted, for the filters.
    let b = firm
        .posted(json!({
            "date": "2026-02-15", "reference": "INV-2", "description": "Office chairs",
            "lines": [
                { "account": firm.acct("6400"), "debit_amount": "250.50" },
                { "account": firm.acct("2100"), "credit_amount": "250.50" },
            ],
        }))
        .await;
    let c = firm
        .posted(json!({
            "date": "2026-03-20", "reference": "RENT-3", "description": "March rent",
            "lines": [
                { "account": firm.acct("6100"), "debit_amount": "1200.00" },
                { "account": firm.acct("1020"), "credit_amount": "1200.00" },
            ],
        }))
        .await;
    let (b_id, c_id) = (id(&b), id(&c));

    let list = |q: &'static str| {
        let firm = firm.clone();
        async move {
            let r = firm.get(&format!("{ENTRIES}?{q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
            ids(&r.body)
        }
    };
    let all = firm.get(ENTRIES).await;
    assert_eq!(all.body["count"], 3);
    assert_eq!(ids(&all.body), [c_id, b_id, a_id], "default ordering is -date");
    assert_eq!(
        all.body["results"][2]["lines"].as_array().unwrap().len(),
        2,
        "lines in lists"
    );
    assert_eq!(list("status=draft").await, [a_id]);
    assert_eq!(list("status=posted&ordering=number").await, [b_id, c_id]);
    assert_eq!(list("date_from=2026-02-01&date_to=2026-02-28").await, [b_id]);
    assert_eq!(list("date_from=2026-02-15&ordering=date").await, [b_id, c_id]);
    assert_eq!(list("date_to=2026-02-14").await, [a_id]);
    let by_account = firm.get(&format!("{ENTRIES}?account={}", firm.acct("6100"))).await;
    assert_eq!(ids(&by_account.body), [c_id]);
    let by_account = firm.get(&format!("{ENTRIES}?account={}", firm.acct("1010"))).await;
    assert_eq!(ids(&by_account.body), [a_id]);
    assert_eq!(list("amount_min=200.00&ordering=total").await, [b_id, c_id]);
    assert_eq!(list("amount_max=250.50&ordering=total").await, [a_id, b_id]);
    assert_eq!(list("amount_min=250.50&amount_max=250.50").await, [b_id]);
    assert_eq!(list("amount_min=250.51&amount_max=1199.99").await, Vec::<String>::new());
    assert_eq!(list("reference=INV-2").await, [b_id]);
    assert_eq!(list("search=acme").await, [a_id], "search is case-insensitive");
    assert_eq!(list("search=rent").await, [c_id]);
    assert_eq!(list("ordering=date").await, [a_id, b_id, c_id]);
    assert_eq!(list("ordering=-total").await, [c_id, b_id, a_id]);
    assert_field_error(&firm.get(&format!("{ENTRIES}?amount_min=abc")).await, "amount_min");
    assert_field_error(&firm.get(&format!("{ENTRIES}?amount_max=1.001")).await, "amount_max");
    assert_field_error(&firm.get(&format!("{ENTRIES}?date_from=yesterday")).await, "date_from");

    // PATCH replaces the lines (and the header).
    let patched = firm
        .patch(
            &format!("{ENTRIES}{a_id}/"),
            firm.entry(
                "2026-01-11",
                "INV-1b",
                &[("1010", "100.00", ""), ("1100", "16.00", ""), ("4100", "", "116.00")],
            ),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["date"], "2026-01-11");
    assert_eq!(patched.body["reference"], "INV-1b");
    assert_eq!(patched.body["status"], "draft");
    assert_eq!(patched.body["lines"].as_array().unwrap().len(), 3);
    assert_eq!(patched.body["lines"][1]["account"], firm.acct("1100").as_str());
    assert_eq!(patched.body["lines"][1]["debit_amount"], "16.00");
    let got = firm.get(&format!("{ENTRIES}{a_id}/")).await;
    assert_eq!(got.body["lines"].as_array().unwrap().len(), 3, "{}", got.body);
    assert_eq!(got.body["total"], "116.00");
    // PUT too.
    let put = firm
        .put(
            &format!("{ENTRIES}{a_id}/"),
            firm.entry("2026-01-12", "INV-1c", &[("1020", "80.00", ""), ("4100", "", "80.00")]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let got = firm.get(&format!("{ENTRIES}{a_id}/")).await;
    assert_eq!(got.body["total"], "80.00");
    assert_eq!(got.body["reference"], "INV-1c");
    assert_eq!(got.body["lines"].as_array().unwrap().len(), 2);
    assert_eq!(got.body["lines"][0]["account"], firm.acct("1020").as_str());
    // An invalid edit changes nothing.
    let bad = firm
        .patch(
            &format!("{ENTRIES}{a_id}/"),
            firm.entry("2026-01-12", "X", &[("1020", "80.00", ""), ("4100", "", "79.00")]),
        )
        .await;
    assert_field_error(&bad, "lines");
    assert_eq!(firm.get(&format!("{ENTRIES}{a_id}/")).await.body["total"], "80.00");

    // A posted entry is neither edited nor deleted.
    let r = firm
        .patch(
            &format!("{ENTRIES}{b_id}/"),
            firm.transfer("2026-02-15", "6400", "2100", "1.00"),
        )
        .await;
    assert_field_error(&r, "non_field_errors");
    let r = firm
        .put(
            &format!("{ENTRIES}{b_id}/"),
            firm.transfer("2026-02-15", "6400", "2100", "1.00"),
        )
        .await;
    assert_field_error(&r, "non_field_errors");
    let r = firm.delete(&format!("{ENTRIES}{b_id}/")).await;
    assert_field_error(&r, "non_field_errors");
    let still = firm.get(&format!("{ENTRIES}{b_id}/")).await;
    assert_eq!(still.body["total"], "250.50");
    assert_eq!(still.body["status"], "posted");
    assert_eq!(still.body["lines"].as_array().unwrap().len(), 2);

    // Deleting a draft.
    let r = firm.delete(&format!("{ENTRIES}{a_id}/")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        firm.get(&format!("{ENTRIES}{a_id}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        firm.delete(&format!("{ENTRIES}{a_id}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(firm.entry_count("").await, 2);
    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        firm.get(&format!("{ENTRIES}{unknown}/")).await.status,
        StatusCode::NOT_FOUND
    );
}
on_every_backend!(
    drafts_on_every_backend,
    drafts_are_created_read_listed_edited_and_deleted
);

// ---------------------------------------------------------------------------------------------
// Posting and the trial balance

async fn posting_numbers_entries_and_feeds_the_trial_balance(app: TestApp) {
    let firm = Firm::register(&app, "post@example.com", "Posting Firm").await;
    let drafts = [
        firm.draft(firm.transfer("2026-03-01", "1020", "4100", "1000.00")).await,
        firm.draft(firm.transfer("2026-03-05", "6100", "1020", "400.00")).await,
        firm.draft(firm.entry(
            "2026-03-10",
            "SPLIT",
            &[("6400", "30.25", ""), ("1100", "19.75", ""), ("1010", "", "50.00")],
        ))
        .await,
    ];
    for d in &drafts {
        assert_eq!(d["number"], Value::Null);
    }
    // A draft does not count in the trial balance.
    let tb = firm.trial_balance("2026-03-31").await;
    assert!(tb["rows"].as_array().unwrap().is_empty(), "{tb}");
    // Posted out of creation order: numbers follow posting order.
    let mut numbers = Vec::new();
    for d in [&drafts[1], &drafts[0], &drafts[2]] {
        let r = firm.verb(id(d), "post").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "posted");
        assert_eq!(r.body["posted_by"], firm.user_id.as_str());
        assert!(r.body["posted_at"].is_string(), "{}", r.body);
        numbers.push(r.body["number"].as_i64().unwrap());
    }
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(
        firm.get(&format!("{ENTRIES}{}/", id(&drafts[0]))).await.body["number"],
        2
    );
    // Posting twice is refused and changes nothing.
    let r = firm.verb(id(&drafts[0]), "post").await;
    assert_field_error(&r, "non_field_errors");
    assert_eq!(
        firm.get(&format!("{ENTRIES}{}/", id(&drafts[0]))).await.body["number"],
        2
    );

    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb["as_of"], "2026-03-31");
    assert_eq!(tb["currency"], "USD");
    let expected = [
        ("1010", "0.00", "50.00"),
        ("1020", "600.00", "0.00"),
        ("1100", "19.75", "0.00"),
        ("4100", "0.00", "1000.00"),
        ("6100", "400.00", "0.00"),
        ("6400", "30.25", "0.00"),
    ];
    let rows = tb["rows"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "{tb}");
    for (row, (code, debit, credit)) in rows.iter().zip(expected) {
        assert_eq!(row["code"], code, "rows ordered by code: {tb}");
        assert_eq!(row["account"], firm.acct(code).as_str());
        assert_eq!(row["debit"], debit, "{code}: {row}");
        assert_eq!(row["credit"], credit, "{code}: {row}");
        assert!(row["name"].is_string() && row["type"].is_string(), "{row}");
    }
    assert_eq!(rows[0]["name"], "Cash on Hand");
    assert_eq!(rows[0]["type"], "asset");
    assert_eq!(rows[3]["type"], "revenue");
    assert_eq!(tb_totals(&tb), ("1050.00".into(), "1050.00".into()));
    // As of the day before the first entry: nothing.
    let before = firm.trial_balance("2026-02-28").await;
    assert!(before["rows"].as_array().unwrap().is_empty(), "{before}");
    assert_eq!(tb_totals(&before), ("0.00".into(), "0.00".into()));
    // As of the second entry's date: the first two only.
    let mid = firm.trial_balance("2026-03-05").await;
    assert_eq!(tb_row(&mid, "1020"), Some(("600.00".into(), "0.00".into())));
    assert_eq!(tb_row(&mid, "1010"), None);
    assert_eq!(tb_totals(&mid), ("1000.00".into(), "1000.00".into()));

    // An entry dated after `as_of` is not in it.
    let april = firm.posted(firm.transfer("2026-04-15", "1010", "4100", "7.00")).await;
    assert_eq!(april["number"], 4);
    let tb_march = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_row(&tb_march, "1010"), Some(("0.00".into(), "50.00".into())));
    assert_eq!(tb_totals(&tb_march), ("1050.00".into(), "1050.00".into()));
    let tb_april = firm.trial_balance("2026-04-30").await;
    assert_eq!(tb_row(&tb_april, "1010"), Some(("0.00".into(), "43.00".into())));
    assert_eq!(tb_row(&tb_april, "4100"), Some(("0.00".into(), "1007.00".into())));
    assert_eq!(tb_totals(&tb_april), ("1050.00".into(), "1050.00".into()));
    assert_field_error(&firm.get(&format!("{TRIAL_BALANCE}?as_of=31-03-2026")).await, "as_of");

    // A second company has its own sequence and its own trial balance.
    let second = firm.new_company("Second Co", "USD").await;
    let s1 = second
        .posted(second.transfer("2026-03-01", "1010", "4100", "5.00"))
        .await;
    let s2 = second
        .posted(second.transfer("2026-03-02", "1010", "4100", "6.00"))
        .await;
    assert_eq!((s1["number"].as_i64(), s2["number"].as_i64()), (Some(1), Some(2)));
    assert_eq!(s1["company"], second.company.as_deref().unwrap());
    let next = firm.posted(firm.transfer("2026-03-02", "1010", "4100", "1.00")).await;
    assert_eq!(next["number"], 5, "the first company's sequence goes on");
    let tb2 = second.trial_balance("2026-03-31").await;
    assert_eq!(tb_totals(&tb2), ("11.00".into(), "11.00".into()));
    assert_eq!(tb_row(&tb2, "1020"), None);
    assert_eq!(second.entry_count("").await, 2);
    // The first company's entries are not visible through the second company.
    assert_eq!(
        second.get(&format!("{ENTRIES}{}/", id(&drafts[0]))).await.status,
        StatusCode::NOT_FOUND
    );
}
on_every_backend!(
    posting_on_every_backend,
    posting_numbers_entries_and_feeds_the_trial_balance
);

// ---------------------------------------------------------------------------------------------
// Reversal and cancellation

async fn reversal_mirrors_the_entry_and_links_both_ways(app: TestApp) {
    let firm = Firm::register(&app, "rev@example.com", "Reversal Firm").await;
    let original = firm
        .posted(firm.entry(
            "2026-03-10",
            "INV-9",
            &[("1100", "116.00", ""), ("4100", "", "100.00"), ("2200", "", "16.00")],
        ))
        .await;
    let oid = id(&original).to_owned();
    let r = firm
        .post(&format!("{ENTRIES}{oid}/reverse/"), json!({ "date": "2026-03-20" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rev = r.body;
    let rid = id(&rev).to_owned();
    assert_ne!(rid, oid);
    assert_eq!(rev["status"], "posted");
    assert_eq!(rev["number"], 2);
    assert_eq!(rev["date"], "2026-03-20");
    assert_eq!(rev["total"], "116.00");
    assert_eq!(rev["reverses"], oid.as_str());
    assert_eq!(rev["reversed_by"], Value::Null);
    let (ol, rl) = (original["lines"].as_array().unwrap(), rev["lines"].as_array().unwrap());
    assert_eq!(rl.len(), 3);
    for (o, r) in ol.iter().zip(rl) {
        assert_eq!(r["account"], o["account"]);
        assert_eq!(r["debit_amount"], o["credit_amount"], "{r}");
        assert_eq!(r["credit_amount"], o["debit_amount"], "{r}");
    }
    assert_eq!(rl[0]["credit_amount"], "116.00");
    let got = firm.get(&format!("{ENTRIES}{oid}/")).await.body;
    assert_eq!(got["reversed_by"], rid.as_str());
    assert_eq!(got["status"], "posted", "the original stays posted");
    assert_eq!(got["reverses"], Value::Null);
    let got = firm.get(&format!("{ENTRIES}{rid}/")).await.body;
    assert_eq!(got["reverses"], oid.as_str());

    // Between the two dates the entry counts; after the reversal the books are back to zero.
    let mid = firm.trial_balance("2026-03-15").await;
    assert_eq!(tb_totals(&mid), ("116.00".into(), "116.00".into()));
    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_totals(&tb), ("0.00".into(), "0.00".into()));
    for row in tb["rows"].as_array().unwrap() {
        assert_eq!(
            (row["debit"].as_str(), row["credit"].as_str()),
            (Some("0.00"), Some("0.00")),
            "{row}"
        );
    }

    // Twice: refused, nothing posted.
    let again = firm.post(&format!("{ENTRIES}{oid}/reverse/"), json!({})).await;
    assert_field_error(&again, "non_field_errors");
    assert_eq!(firm.entry_count("status=posted").await, 2);
    // A draft cannot be reversed; a bad date is a field error.
    let draft = firm.draft(firm.transfer("2026-03-11", "1010", "4100", "5.00")).await;
    assert_field_error(&firm.verb(id(&draft), "reverse").await, "non_field_errors");
    assert_eq!(
        firm.get(&format!("{ENTRIES}{}/", id(&draft))).await.body["status"],
        "draft"
    );
    let other = firm.posted(firm.transfer("2026-03-12", "1010", "4100", "9.00")).await;
    assert_field_error(
        &firm
            .post(
                &format!("{ENTRIES}{}/reverse/", id(&other)),
                json!({ "date": "12/03/2026" }),
            )
            .await,
        "date",
    );
    // Without a body: on the original's date.
    let r = firm.verb(id(&other), "reverse").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["date"], "2026-03-12");
    assert_eq!(r.body["number"], 4);
    assert_eq!(r.body["lines"][0]["credit_amount"], "9.00");
    assert_eq!(
        firm.verb(&uuid::Uuid::new_v4().to_string(), "reverse").await.status,
        StatusCode::NOT_FOUND
    );
    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_totals(&tb), ("0.00".into(), "0.00".into()));
}
on_every_backend!(
    reversal_on_every_backend,
    reversal_mirrors_the_entry_and_links_both_ways
);

async fn a_cancelled_draft_cannot_be_posted(app: TestApp) {
    let firm = Firm::register(&app, "cancel@example.com", "Cancel Firm").await;
    let draft = firm.draft(firm.transfer("2026-03-01", "1010", "4100", "12.00")).await;
    let r = firm.verb(id(&draft), "cancel").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(r.body["number"], Value::Null);
    assert_field_error(&firm.verb(id(&draft), "post").await, "non_field_errors");
    assert_field_error(&firm.verb(id(&draft), "cancel").await, "non_field_errors");
    assert_field_error(
        &firm
            .patch(
                &format!("{ENTRIES}{}/", id(&draft)),
                firm.transfer("2026-03-01", "1010", "4100", "12.00"),
            )
            .await,
        "non_field_errors",
    );
    let got = firm.get(&format!("{ENTRIES}{}/", id(&draft))).await.body;
    assert_eq!(got["status"], "cancelled");
    assert_eq!(firm.entry_count("status=cancelled").await, 1);
    assert_eq!(firm.entry_count("status=posted").await, 0);
    assert!(
        firm.trial_balance("2026-12-31").await["rows"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Cancelling a posted entry is refused; numbering is not disturbed by the cancelled draft.
    let posted = firm.posted(firm.transfer("2026-03-02", "1010", "4100", "1.00")).await;
    assert_eq!(posted["number"], 1);
    assert_field_error(&firm.verb(id(&posted), "cancel").await, "non_field_errors");
}
on_every_backend!(cancel_on_every_backend, a_cancelled_draft_cannot_be_posted);

// ---------------------------------------------------------------------------------------------
// Foreign currency

async fn foreign_currency_lines_post_in_the_company_currency(app: TestApp) {
    let firm = Firm::register(&app, "fx@example.com", "FX Firm").await;
    let body = json!({
        "date": "2026-03-01",
        "reference": "FX-1",
        "lines": [
            { "account": firm.acct("1020"), "debit_amount": "100.00", "currency": "EUR", "exchange_rate": "1.10" },
            { "account": firm.acct("4100"), "credit_amount": "110.00" },
        ],
    });
    let posted = firm.posted(body).await;
    assert_eq!(posted["total"], "110.00");
    let l = &posted["lines"][0];
    assert_eq!(l["currency"], "EUR");
    assert_eq!(l["debit_amount"], "100.00");
    assert_eq!(l["credit_amount"], "0.00");
    assert_eq!(l["base_debit"], "110.00");
    assert_eq!(l["base_credit"], "0.00");
    let rate: f64 = l["exchange_rate"].as_str().unwrap().parse().unwrap();
    assert!((rate - 1.1).abs() < 1e-12, "{l}");
    let l = &posted["lines"][1];
    assert_eq!(l["currency"], Value::Null);
    assert_eq!(l["credit_amount"], "110.00");
    assert_eq!(l["base_credit"], "110.00");
    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_row(&tb, "1020"), Some(("110.00".into(), "0.00".into())));
    assert_eq!(tb_totals(&tb), ("110.00".into(), "110.00".into()));
    // The reversal keeps the foreign amount, on the other side.
    let rev = firm.verb(id(&posted), "reverse").await;
    assert_eq!(rev.status, StatusCode::CREATED, "{}", rev.body);
    assert_eq!(rev.body["lines"][0]["credit_amount"], "100.00");
    assert_eq!(rev.body["lines"][0]["base_credit"], "110.00");
    assert_eq!(rev.body["lines"][0]["currency"], "EUR");
    // Balanced in euros but not in dollars: refused.
    let r = firm
        .post(
            ENTRIES,
            json!({ "date": "2026-03-01", "lines": [
                { "account": firm.acct("1020"), "debit_amount": "100.00", "currency": "EUR", "exchange_rate": "1.10" },
                { "account": firm.acct("4100"), "credit_amount": "100.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines");
    // A non-positive rate, a bad currency code.
    let r = firm
        .post(
            ENTRIES,
            json!({ "date": "2026-03-01", "lines": [
                { "account": firm.acct("1020"), "debit_amount": "100.00", "currency": "EUR", "exchange_rate": "0" },
                { "account": firm.acct("4100"), "credit_amount": "0.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines[0].exchange_rate");
    let r = firm
        .post(
            ENTRIES,
            json!({ "date": "2026-03-01", "lines": [
                { "account": firm.acct("1020"), "debit_amount": "100.00", "currency": "euro", "exchange_rate": "1.1" },
                { "account": firm.acct("4100"), "credit_amount": "110.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines[0].currency");
    // Rounded half away from zero: 33.33 EUR × 1.0850 = 36.162... → 36.16.
    let e = firm
        .draft(json!({ "date": "2026-03-02", "lines": [
            { "account": firm.acct("1020"), "debit_amount": "33.33", "currency": "EUR", "exchange_rate": "1.0850" },
            { "account": firm.acct("4100"), "credit_amount": "36.16" },
        ] }))
        .await;
    assert_eq!(e["lines"][0]["base_debit"], "36.16");
    assert_eq!(firm.entry_count("").await, 3);
}
on_every_backend!(
    foreign_currency_on_every_backend,
    foreign_currency_lines_post_in_the_company_currency
);

/// A bulk posting writes one audit record for the request, naming the range of entry numbers
/// it posted; the audit log's `entry` filter finds it for any of those entries (who posted
/// entry N, when, and in which request), and `oasys verify`'s audit check accepts it.
async fn a_bulk_posting_is_one_audit_record_naming_its_entries(app: TestApp) {
    let firm = Firm::register(&app, "bulk-audit@example.com", "Bulk Audit Firm").await;
    let single = firm.draft(firm.transfer("2026-01-02", "1000", "3000", "10.00")).await;
    let single = id(&single);
    assert_eq!(firm.verb(single, "post").await.status, StatusCode::OK);
    let entries: Vec<Value> = (0..3)
        .map(|i| firm.transfer("2026-01-05", "1000", "4000", &format!("{}.00", 20 + i)))
        .collect();
    let r = firm
        .post("/api/accounting/journal-entries/bulk/", json!({ "entries": entries }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let posted: Vec<String> = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(posted.len(), 3, "{}", r.body);

    let posts = firm
        .get("/api/accounting/audit-log/?action=post&object_type=journal_entry")
        .await;
    assert_eq!(posts.status, StatusCode::OK, "{}", posts.body);
    assert_eq!(
        posts.body["count"], 2,
        "one for the single post, one for the request: {}",
        posts.body
    );

    let about = firm
        .get(&format!("/api/accounting/audit-log/?entry={}", posted[1]))
        .await;
    assert_eq!(about.status, StatusCode::OK, "{}", about.body);
    assert_eq!(about.body["count"], 1, "{}", about.body);
    let record = &about.body["results"][0];
    assert_eq!(record["action"], "post", "{record}");
    assert_eq!(record["actor"].as_str(), Some(firm.user_id.as_str()), "{record}");
    assert_eq!(record["object_id"].as_str(), Some(posted[0].as_str()), "{record}");
    assert_eq!(record["changes"]["entries"]["after"], "3", "{record}");
    assert_eq!(record["changes"]["numbers"]["after"], "2-4", "{record}");

    // The single posting's own records: its creation and its post, not the bulk request's.
    let own = firm.get(&format!("/api/accounting/audit-log/?entry={single}")).await;
    assert_eq!(own.body["count"], 2, "{}", own.body);
    assert!(
        own.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["object_id"].as_str() == Some(single)),
        "{}",
        own.body
    );
    let bad = firm.get("/api/accounting/audit-log/?entry=not-a-uuid").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}
on_every_backend!(
    a_bulk_posting_is_one_audit_record_on_every_backend,
    a_bulk_posting_is_one_audit_record_naming_its_entries
);

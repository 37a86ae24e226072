//! The ledger over HTTP: drafts, validation, posting and gap-free numbers, reversal, approval,
//! periods and the year-end close, the trial balance and the general ledger, the audit trail,
//! idempotency keys, bulk posting, the chart of accounts, tenant isolation and foreign-currency
//! lines. Every test runs on SQLite and, when configured, on PostgreSQL.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Response, TestApp};
use crate::on_every_backend;

pub(crate) const ENTRIES: &str = "/api/accounting/journal-entries/";
pub(crate) const BULK: &str = "/api/accounting/journal-entries/bulk/";
pub(crate) const ACCOUNTS: &str = "/api/accounting/chart-of-accounts/";
pub(crate) const PERIODS: &str = "/api/accounting/periods/";
pub(crate) const TRIAL_BALANCE: &str = "/api/reports/trial-balance/";
pub(crate) const GENERAL_LEDGER: &str = "/api/reports/general-ledger/";
pub(crate) const AUDIT_LOG: &str = "/api/accounting/audit-log/";

/// One user acting in one company of a firm, with that company's account ids by code.
#[derive(Clone)]
pub(crate) struct Firm {
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    /// Sent as `X-Company-Id` when set; otherwise the user's default company is used.
    pub company: Option<String>,
    pub user_id: String,
    pub accounts: Arc<HashMap<String, String>>,
}

impl Firm {
    /// Registers a new firm and loads its default company's chart.
    pub(crate) async fn register(app: &TestApp, email: &str, name: &str) -> Firm {
        let (token, _, user) = app.register(email, name).await;
        let mut firm = Firm {
            base: app.base.clone(),
            client: app.client.clone(),
            token,
            company: None,
            user_id: user["id"].as_str().unwrap().to_owned(),
            accounts: Arc::default(),
        };
        firm.load_accounts().await;
        firm
    }

    /// The same company, acting as another user (`app.invite`'s result).
    pub(crate) fn as_user(&self, token: &str, user: &Value) -> Firm {
        Firm {
            token: token.to_owned(),
            user_id: user["id"].as_str().unwrap().to_owned(),
            ..self.clone()
        }
    }

    /// Creates another company in the same firm and returns this user acting in it.
    pub(crate) async fn new_company(&self, name: &str, currency: &str) -> Firm {
        let r = self
            .post(
                "/api/tenants/companies/",
                json!({ "name": name, "currency": currency, "timezone": "UTC" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "create company: {}", r.body);
        let mut other = Firm {
            company: Some(r.body["id"].as_str().unwrap().to_owned()),
            accounts: Arc::default(),
            ..self.clone()
        };
        other.load_accounts().await;
        other
    }

    async fn load_accounts(&mut self) {
        let r = self.get(&format!("{ACCOUNTS}?page_size=200")).await;
        assert_eq!(r.status, StatusCode::OK, "accounts: {}", r.body);
        let map = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["code"].as_str().unwrap().to_owned(),
                    a["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect::<HashMap<_, _>>();
        assert!(
            map.contains_key("1010") && map.contains_key("3200"),
            "general chart expected"
        );
        self.accounts = Arc::new(map);
    }

    /// The id of the account with this code.
    pub(crate) fn acct(&self, code: &str) -> String {
        self.accounts
            .get(code)
            .unwrap_or_else(|| panic!("no account {code}"))
            .clone()
    }

    /// A request as this user in this company; `path` may also be an absolute URL (page links).
    pub(crate) async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(c) = &self.company {
            req = req.header("x-company-id", c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Response { status, headers, body }
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    /// A POST without a body (the verbs: `…/post/`, `…/approve/`, `…/cancel/`, `…/reverse/`).
    pub(crate) async fn verb(&self, id: &str, verb: &str) -> Response {
        self.request(Method::POST, &format!("{ENTRIES}{id}/{verb}/"), None, &[])
            .await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(body), &[]).await
    }

    pub(crate) async fn put(&self, path: &str, body: Value) -> Response {
        self.request(Method::PUT, path, Some(body), &[]).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path, None, &[]).await
    }

    /// An entry body; each line is `(account code, debit, credit)`, `""` leaving a side out.
    pub(crate) fn entry(&self, date: &str, reference: &str, lines: &[(&str, &str, &str)]) -> Value {
        let lines: Vec<Value> = lines
            .iter()
            .map(|(code, debit, credit)| {
                let mut l = json!({ "account": self.acct(code) });
                if !debit.is_empty() {
                    l["debit_amount"] = json!(debit);
                }
                if !credit.is_empty() {
                    l["credit_amount"] = json!(credit);
                }
                l
            })
            .collect();
        json!({ "date": date, "reference": reference, "description": format!("Entry {reference}"), "lines": lines })
    }

    /// A two-line entry: debit one account, credit another, the same amount.
    pub(crate) fn transfer(&self, date: &str, debit: &str, credit: &str, amount: &str) -> Value {
        self.entry(date, "", &[(debit, amount, ""), (credit, "", amount)])
    }

    /// Creates a draft; asserts 201.
    pub(crate) async fn draft(&self, body: Value) -> Value {
        let r = self.post(ENTRIES, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "create draft: {}", r.body);
        assert_eq!(r.body["status"], "draft");
        r.body
    }

    /// Creates and posts an entry; asserts both steps and returns the posted entry.
    pub(crate) async fn posted(&self, body: Value) -> Value {
        let draft = self.draft(body).await;
        let r = self.verb(id(&draft), "post").await;
        assert_eq!(r.status, StatusCode::OK, "post: {}", r.body);
        assert_eq!(r.body["status"], "posted");
        r.body
    }

    /// How many journal entries the list shows (optionally filtered: `"status=posted"`).
    pub(crate) async fn entry_count(&self, filter: &str) -> u64 {
        let r = self.get(&format!("{ENTRIES}?page_size=1&{filter}")).await;
        assert_eq!(r.status, StatusCode::OK, "list: {}", r.body);
        r.body["count"].as_u64().unwrap()
    }

    pub(crate) async fn trial_balance(&self, as_of: &str) -> Value {
        let r = self.get(&format!("{TRIAL_BALANCE}?as_of={as_of}")).await;
        assert_eq!(r.status, StatusCode::OK, "trial balance: {}", r.body);
        r.body
    }

    /// Every entry of the list (following pages), in the given ordering.
    pub(crate) async fn all_entries(&self, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = Some(format!("{ENTRIES}?page_size=200&{query}"));
        while let Some(url) = next {
            let r = self.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "list: {}", r.body);
            out.extend(r.body["results"].as_array().unwrap().iter().cloned());
            next = r.body["next"].as_str().map(str::to_owned);
        }
        out
    }
}

pub(crate) fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// `(debit, credit)` of an account's trial balance row, by code.
pub(crate) fn tb_row(tb: &Value, code: &str) -> Option<(String, String)> {
    tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .map(|r| {
            (
                r["debit"].as_str().unwrap().to_owned(),
                r["credit"].as_str().unwrap().to_owned(),
            )
        })
}

pub(crate) fn tb_totals(tb: &Value) -> (String, String) {
    (
        tb["totals"]["debit"].as_str().unwrap().to_owned(),
        tb["totals"]["credit"].as_str().unwrap().to_owned(),
    )
}

/// Asserts a 400 with a DRF field error under `key` (a non-empty list of messages).
#[track_caller]
pub(crate) fn assert_field_error(r: &Response, key: &str) {
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "expected 400 under {key}: {}",
        r.body
    );
    let messages = r.body[key].as_array();
    assert!(
        messages.is_some_and(|m| !m.is_empty() && m.iter().all(Value::is_string)),
        "expected an error under {key:?}: {}",
        r.body
    );
}

/// Entries' ids of a list page, in order.
fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|e| id(e).to_owned())
        .collect()
}

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
// Approval

async fn large_entries_need_approval_by_someone_else(app: TestApp) {
    let admin = Firm::register(&app, "boss@example.com", "Approval Firm").await;
    let (t, u) = app.invite(&admin.token, "cfo@example.com", "cfo").await;
    let cfo = admin.as_user(&t, &u);
    let (t, u) = app.invite(&admin.token, "staff@example.com", "staff").await;
    let staff = admin.as_user(&t, &u);
    let (t, u) = app.invite(&admin.token, "acct@example.com", "accountant").await;
    let accountant = admin.as_user(&t, &u);

    // Only period managers change the rules.
    let r = accountant
        .patch(
            PERIODS,
            json!({ "approval_required": true, "approval_threshold": "1000.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_field_error(
        &admin.patch(PERIODS, json!({ "approval_threshold": "-1.00" })).await,
        "approval_threshold",
    );
    assert_field_error(
        &admin.patch(PERIODS, json!({ "approval_threshold": "1.001" })).await,
        "approval_threshold",
    );
    let r = admin
        .patch(
            PERIODS,
            json!({ "approval_required": true, "approval_threshold": "1000.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approval_required"], true);
    assert_eq!(r.body["approval_threshold"], "1000.00");
    let got = admin.get(PERIODS).await;
    assert_eq!(got.body["approval_required"], true);
    assert_eq!(got.body["approval_threshold"], "1000.00");

    let big = admin
        .draft(admin.transfer("2026-03-01", "6100", "1020", "1500.00"))
        .await;
    let big_id = id(&big).to_owned();
    assert_field_error(&admin.verb(&big_id, "post").await, "non_field_errors");
    // Separation of duties: not the creator.
    let r = admin.verb(&big_id, "approve").await;
    assert_field_error(&r, "non_field_errors");
    assert!(
        r.body["non_field_errors"][0].as_str().unwrap().contains("created"),
        "{}",
        r.body
    );
    // Staff and accountants may not approve; staff may not post.
    assert_eq!(staff.verb(&big_id, "approve").await.status, StatusCode::FORBIDDEN);
    assert_eq!(accountant.verb(&big_id, "approve").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.verb(&big_id, "post").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get(&format!("{ENTRIES}{big_id}/")).await.body["approved_by"],
        Value::Null
    );
    // The CFO approves, then it posts.
    let r = cfo.verb(&big_id, "approve").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approved_by"], cfo.user_id.as_str());
    assert_eq!(r.body["status"], "draft");
    let r = admin.verb(&big_id, "post").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], 1);
    assert_eq!(r.body["approved_by"], cfo.user_id.as_str());

    // At or below the threshold: no approval needed.
    for amount in ["999.99", "1000.00"] {
        let e = admin.posted(admin.transfer("2026-03-02", "6400", "1010", amount)).await;
        assert_eq!(e["approved_by"], Value::Null);
    }
    // Staff create drafts, but cannot post even small ones; an accountant posts them.
    let small = staff.draft(staff.transfer("2026-03-03", "6400", "1010", "10.00")).await;
    assert_eq!(small["created_by"], staff.user_id.as_str());
    assert_eq!(staff.verb(id(&small), "post").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        staff
            .post(
                BULK,
                json!({ "entries": [staff.transfer("2026-03-03", "6400", "1010", "1.00")] })
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = accountant.verb(id(&small), "post").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], 4);
    // A big draft by staff: the creator's approver is someone else; the CFO may approve it.
    let staff_big = staff
        .draft(staff.transfer("2026-03-04", "6100", "1020", "5000.00"))
        .await;
    assert_field_error(&accountant.verb(id(&staff_big), "post").await, "non_field_errors");
    assert_eq!(cfo.verb(id(&staff_big), "approve").await.status, StatusCode::OK);
    // Editing an approved draft withdraws the approval.
    let r = staff
        .patch(
            &format!("{ENTRIES}{}/", id(&staff_big)),
            staff.transfer("2026-03-04", "6100", "1020", "6000.00"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approved_by"], Value::Null);
    assert_field_error(&accountant.verb(id(&staff_big), "post").await, "non_field_errors");
    assert_eq!(cfo.verb(id(&staff_big), "approve").await.status, StatusCode::OK);
    let r = accountant.verb(id(&staff_big), "post").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], 5);
    // Bulk posting never bypasses approval.
    let r = admin
        .post(
            BULK,
            json!({ "entries": [
                admin.transfer("2026-03-05", "6400", "1010", "1.00"),
                admin.transfer("2026-03-05", "6100", "1020", "1000.01"),
            ] }),
        )
        .await;
    assert_field_error(&r, "entries[1]");
    let tb = admin.trial_balance("2026-03-31").await;
    assert_eq!(tb_row(&tb, "6100"), Some(("7500.00".into(), "0.00".into())));
    assert_eq!(tb_totals(&tb), ("9509.99".into(), "9509.99".into()));
    assert_eq!(admin.entry_count("status=posted").await, 5);
}
on_every_backend!(approval_on_every_backend, large_entries_need_approval_by_someone_else);

// ---------------------------------------------------------------------------------------------
// Periods

async fn closed_periods_refuse_postings(app: TestApp) {
    let firm = Firm::register(&app, "close@example.com", "Periods Firm").await;
    let (t, u) = app.invite(&firm.token, "acct@example.com", "accountant").await;
    let accountant = firm.as_user(&t, &u);
    let got = firm.get(PERIODS).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["lock_date"], Value::Null);
    assert_eq!(got.body["hard_lock_date"], Value::Null);
    assert_eq!(got.body["fiscal_year_start_month"], 1);
    assert_eq!(got.body["approval_required"], false);

    let march_draft = firm.draft(firm.transfer("2026-03-15", "6100", "1020", "100.00")).await;
    let posted_april = firm.posted(firm.transfer("2026-04-10", "1020", "4100", "50.00")).await;

    assert_eq!(
        accountant
            .post(&format!("{PERIODS}close/"), json!({ "date": "2026-03-31" }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_field_error(&firm.post(&format!("{PERIODS}close/"), json!({})).await, "date");
    assert_field_error(
        &firm.post(&format!("{PERIODS}close/"), json!({ "date": "March" })).await,
        "date",
    );
    let r = firm
        .post(&format!("{PERIODS}close/"), json!({ "date": "2026-03-31" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["lock_date"], "2026-03-31");
    assert_eq!(r.body["hard_lock_date"], Value::Null);
    assert_eq!(firm.get(PERIODS).await.body["lock_date"], "2026-03-31");

    // Posting into the closed period: refused under `date`, by every route.
    let r = firm.verb(id(&march_draft), "post").await;
    assert_field_error(&r, "date");
    assert!(r.body["date"][0].as_str().unwrap().contains("2026-03-31"), "{}", r.body);
    assert_eq!(
        firm.get(&format!("{ENTRIES}{}/", id(&march_draft))).await.body["status"],
        "draft"
    );
    let r = firm
        .post(
            BULK,
            json!({ "entries": [firm.transfer("2026-03-31", "6100", "1020", "1.00")] }),
        )
        .await;
    assert_field_error(&r, "entries[0]");
    let r = firm
        .post(
            &format!("{ENTRIES}{}/reverse/", id(&posted_april)),
            json!({ "date": "2026-03-31" }),
        )
        .await;
    assert_field_error(&r, "date");
    // Drafts can still be written on those dates, and the open period still posts.
    let another = firm.draft(firm.transfer("2026-03-20", "6400", "1010", "3.00")).await;
    let april = firm.posted(firm.transfer("2026-04-01", "6400", "1010", "2.00")).await;
    assert_eq!(april["number"], 2);

    // Reopening: posting works again.
    assert_eq!(
        accountant.post(&format!("{PERIODS}reopen/"), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let r = firm.post(&format!("{PERIODS}reopen/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["lock_date"], Value::Null);
    let r = firm.verb(id(&march_draft), "post").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["number"], 3);
    // Nothing left to reopen.
    assert_field_error(
        &firm.post(&format!("{PERIODS}reopen/"), json!({})).await,
        "non_field_errors",
    );

    // Hard close: posting before it is refused, and reopening before it too.
    let r = firm
        .post(
            &format!("{PERIODS}close/"),
            json!({ "date": "2026-02-28", "hard": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["hard_lock_date"], "2026-02-28");
    assert_eq!(r.body["lock_date"], "2026-02-28");
    let feb = firm.draft(firm.transfer("2026-02-10", "6400", "1010", "1.00")).await;
    assert_field_error(&firm.verb(id(&feb), "post").await, "date");
    assert_field_error(
        &firm
            .post(&format!("{PERIODS}reopen/"), json!({ "date": "2026-01-31" }))
            .await,
        "non_field_errors",
    );
    assert_field_error(
        &firm.post(&format!("{PERIODS}reopen/"), json!({})).await,
        "non_field_errors",
    );
    assert_field_error(
        &firm
            .post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
            .await,
        "non_field_errors",
    );
    let got = firm.get(PERIODS).await.body;
    assert_eq!(got["hard_lock_date"], "2026-02-28");
    assert_eq!(got["lock_date"], "2026-02-28");
    assert_field_error(&firm.verb(id(&feb), "post").await, "date");
    // A soft lock after the hard close can be reopened back to it, not before.
    let r = firm
        .post(&format!("{PERIODS}close/"), json!({ "date": "2026-03-31" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_field_error(&firm.verb(id(&another), "post").await, "date");
    let r = firm.post(&format!("{PERIODS}reopen/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["lock_date"], "2026-02-28");
    assert_eq!(r.body["hard_lock_date"], "2026-02-28");
    assert_eq!(firm.verb(id(&another), "post").await.status, StatusCode::OK);
    assert_field_error(&firm.verb(id(&feb), "post").await, "date");
    assert_eq!(firm.entry_count("status=posted").await, 4);
}
on_every_backend!(periods_on_every_backend, closed_periods_refuse_postings);

async fn year_end_moves_the_result_to_retained_earnings(app: TestApp) {
    let firm = Firm::register(&app, "ye@example.com", "Year End Firm").await;
    let (t, u) = app.invite(&firm.token, "acct@example.com", "accountant").await;
    let accountant = firm.as_user(&t, &u);
    firm.posted(firm.transfer("2025-03-01", "1020", "4100", "5000.00"))
        .await;
    firm.posted(firm.transfer("2025-06-15", "1100", "4200", "800.00")).await;
    firm.posted(firm.transfer("2025-07-01", "6100", "1020", "1200.00"))
        .await;
    firm.posted(firm.transfer("2025-11-30", "6400", "2100", "300.50")).await;
    firm.posted(firm.transfer("2026-01-05", "1020", "4100", "100.00")).await;

    assert_eq!(
        accountant
            .post(&format!("{PERIODS}year-end/"), json!({ "date": "2025-12-31" }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_field_error(&firm.post(&format!("{PERIODS}year-end/"), json!({})).await, "date");
    let r = firm
        .post(&format!("{PERIODS}year-end/"), json!({ "date": "2025-12-31" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let closing = &r.body["closing_entry"];
    assert_eq!(closing["status"], "posted", "{}", r.body);
    assert_eq!(closing["date"], "2025-12-31");
    assert_eq!(closing["number"], 6);
    assert_eq!(r.body["settings"]["lock_date"], "2025-12-31");
    // Revenue 5800.00, expenses 1500.50: a profit of 4299.50, credited to retained earnings.
    let re = closing["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["account"] == firm.acct("3200").as_str())
        .unwrap_or_else(|| panic!("no retained earnings line: {closing}"));
    assert_eq!(re["credit_amount"], "4299.50");
    assert_eq!(closing["total"], "5800.00");

    let tb = firm.trial_balance("2025-12-31").await;
    for code in ["4100", "4200", "6100", "6400"] {
        assert_eq!(
            tb_row(&tb, code),
            Some(("0.00".into(), "0.00".into())),
            "{code} is closed: {tb}"
        );
    }
    assert_eq!(tb_row(&tb, "3200"), Some(("0.00".into(), "4299.50".into())));
    assert_eq!(tb_row(&tb, "1020"), Some(("3800.00".into(), "0.00".into())));
    assert_eq!(tb_row(&tb, "1100"), Some(("800.00".into(), "0.00".into())));
    assert_eq!(tb_row(&tb, "2100"), Some(("0.00".into(), "300.50".into())));
    assert_eq!(tb_totals(&tb), ("4600.00".into(), "4600.00".into()));
    // The new year starts from there.
    let tb26 = firm.trial_balance("2026-12-31").await;
    assert_eq!(tb_row(&tb26, "4100"), Some(("0.00".into(), "100.00".into())));
    assert_eq!(tb_row(&tb26, "3200"), Some(("0.00".into(), "4299.50".into())));
    assert_eq!(tb_totals(&tb26), ("4700.00".into(), "4700.00".into()));

    // 2025 is locked.
    assert_eq!(firm.get(PERIODS).await.body["lock_date"], "2025-12-31");
    let late = firm.draft(firm.transfer("2025-12-31", "6400", "1010", "1.00")).await;
    assert_field_error(&firm.verb(id(&late), "post").await, "date");
    assert_field_error(
        &firm
            .post(&format!("{PERIODS}year-end/"), json!({ "date": "2025-12-31" }))
            .await,
        "date",
    );
    assert_eq!(firm.entry_count("status=posted").await, 6);
}
on_every_backend!(
    year_end_on_every_backend,
    year_end_moves_the_result_to_retained_earnings
);

// ---------------------------------------------------------------------------------------------
// General ledger and audit log

async fn the_general_ledger_runs_a_balance_across_pages(app: TestApp) {
    let firm = Firm::register(&app, "gl@example.com", "Ledger Firm").await;
    let bank = firm.acct("1020");
    firm.posted(firm.transfer("2026-01-05", "1020", "3100", "1000.00"))
        .await;
    firm.posted(firm.transfer("2026-01-20", "6500", "1020", "10.00")).await;
    let e1 = firm.posted(firm.transfer("2026-02-01", "1020", "4100", "200.00")).await;
    let e2 = firm.posted(firm.transfer("2026-02-03", "6100", "1020", "50.00")).await;
    let e3 = firm
        .posted(firm.entry(
            "2026-02-03",
            "SPLIT",
            &[("1020", "30.00", ""), ("1020", "5.00", ""), ("4100", "", "35.00")],
        ))
        .await;
    let e4 = firm.posted(firm.transfer("2026-02-20", "6100", "1020", "500.00")).await;
    firm.posted(firm.transfer("2026-03-05", "1020", "4100", "999.00")).await;
    // Neither drafts nor other accounts' lines appear.
    firm.draft(firm.transfer("2026-02-10", "1020", "4100", "7777.00")).await;
    firm.posted(firm.transfer("2026-02-10", "1010", "4100", "8888.00"))
        .await;

    let url = format!("{GENERAL_LEDGER}?account={bank}&date_from=2026-02-01&date_to=2026-02-28&page_size=2");
    let p1 = firm.get(&url).await;
    assert_eq!(p1.status, StatusCode::OK, "{}", p1.body);
    let b = &p1.body;
    assert_eq!(b["account"]["code"], "1020");
    assert_eq!(b["account"]["id"], bank.as_str());
    assert_eq!(b["account"]["type"], "asset");
    assert_eq!(b["date_from"], "2026-02-01");
    assert_eq!(b["date_to"], "2026-02-28");
    assert_eq!(b["opening_balance"], "990.00");
    assert_eq!(b["closing_balance"], "675.00");
    assert_eq!(b["count"], 5);
    assert_eq!(b["previous"], Value::Null);
    let rows = b["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["entry"], id(&e1));
    assert_eq!(rows[0]["number"], e1["number"]);
    assert_eq!(rows[0]["date"], "2026-02-01");
    assert_eq!(rows[0]["debit"], "200.00");
    assert_eq!(rows[0]["credit"], "0.00");
    assert_eq!(rows[0]["balance"], "1190.00");
    assert_eq!(rows[1]["entry"], id(&e2));
    assert_eq!(rows[1]["credit"], "50.00");
    assert_eq!(rows[1]["balance"], "1140.00");

    let next = b["next"].as_str().unwrap_or_else(|| panic!("no next link: {b}"));
    assert!(next.starts_with("http://") && next.contains("page=2"), "{next}");
    let p2 = firm.get(next).await;
    assert_eq!(p2.status, StatusCode::OK, "{}", p2.body);
    let rows = p2.body["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["entry"], id(&e3));
    assert_eq!(rows[0]["debit"], "30.00");
    assert_eq!(rows[0]["balance"], "1170.00", "page 2 continues page 1");
    assert_eq!(rows[1]["entry"], id(&e3));
    assert_eq!(rows[1]["balance"], "1175.00");
    assert_eq!(p2.body["opening_balance"], "990.00");
    assert!(p2.body["previous"].as_str().is_some(), "{}", p2.body);
    let p3 = firm.get(p2.body["next"].as_str().unwrap()).await;
    let rows = p3.body["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["entry"], id(&e4));
    assert_eq!(
        rows[0]["balance"], "675.00",
        "the last running balance is the closing balance"
    );
    assert_eq!(p3.body["next"], Value::Null);
    assert_eq!(p3.body["closing_balance"], "675.00");
    let prev = firm.get(p3.body["previous"].as_str().unwrap()).await;
    assert_eq!(prev.body["results"], p2.body["results"]);

    // One page with everything agrees with the pages.
    let all = firm
        .get(&format!(
            "{GENERAL_LEDGER}?account={bank}&date_from=2026-02-01&date_to=2026-02-28"
        ))
        .await;
    let balances: Vec<&str> = all.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["balance"].as_str().unwrap())
        .collect();
    assert_eq!(balances, ["1190.00", "1140.00", "1170.00", "1175.00", "675.00"]);
    // The closing balance matches the trial balance.
    assert_eq!(
        tb_row(&firm.trial_balance("2026-02-28").await, "1020"),
        Some(("675.00".into(), "0.00".into()))
    );
    // Beyond the last page: 404; a bad or missing account: 400.
    assert_eq!(firm.get(&format!("{url}&page=4")).await.status, StatusCode::NOT_FOUND);
    assert_field_error(&firm.get(GENERAL_LEDGER).await, "account");
    assert_field_error(&firm.get(&format!("{GENERAL_LEDGER}?account=nope")).await, "account");
    assert_field_error(
        &firm
            .get(&format!("{GENERAL_LEDGER}?account={}", uuid::Uuid::new_v4()))
            .await,
        "account",
    );
    assert_field_error(
        &firm
            .get(&format!(
                "{GENERAL_LEDGER}?account={bank}&date_from=2026-03-01&date_to=2026-02-01"
            ))
            .await,
        "date_from",
    );
}
on_every_backend!(
    general_ledger_on_every_backend,
    the_general_ledger_runs_a_balance_across_pages
);

async fn the_audit_log_records_who_did_what(app: TestApp) {
    let firm = Firm::register(&app, "audit@example.com", "Audit Firm").await;
    let (t, u) = app.invite(&firm.token, "cfo@example.com", "cfo").await;
    let cfo = firm.as_user(&t, &u);
    let e = firm.draft(firm.transfer("2026-03-01", "1010", "4100", "10.00")).await;
    let eid = id(&e).to_owned();
    let r = firm
        .patch(
            &format!("{ENTRIES}{eid}/"),
            firm.transfer("2026-03-02", "1010", "4100", "11.00"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(cfo.verb(&eid, "post").await.status, StatusCode::OK);
    let rev = firm.verb(&eid, "reverse").await;
    assert_eq!(rev.status, StatusCode::CREATED);

    let log = firm
        .get(&format!("{AUDIT_LOG}?object_id={eid}&ordering=created_at"))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let rows = log.body["results"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("create", firm.user_id.as_str()),
            ("update", firm.user_id.as_str()),
            ("post", cfo.user_id.as_str()),
            ("reverse", firm.user_id.as_str()),
        ],
        "{}",
        log.body
    );
    for r in rows {
        assert_eq!(r["object_type"], "journal_entry");
        assert_eq!(r["object_id"], eid.as_str());
    }
    assert_eq!(rows[0]["changes"]["status"]["after"], "draft");
    assert_eq!(rows[1]["changes"]["date"]["after"], "2026-03-02");
    assert_eq!(rows[2]["changes"]["status"]["after"], "posted");
    assert_eq!(rows[3]["changes"]["reversed_by"]["after"], id(&rev.body));
    // The reversal's own trail, and filters by action and actor.
    let r = firm.get(&format!("{AUDIT_LOG}?object_id={}", id(&rev.body))).await;
    assert_eq!(r.body["count"], 1);
    assert_eq!(r.body["results"][0]["action"], "post");
    let r = firm
        .get(&format!("{AUDIT_LOG}?object_type=journal_entry&actor={}", cfo.user_id))
        .await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    let r = firm
        .get(&format!("{AUDIT_LOG}?object_type=journal_entry&action=post"))
        .await;
    assert_eq!(r.body["count"], 2, "{}", r.body);
    // Period changes are audited too.
    firm.post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
        .await;
    let r = firm.get(&format!("{AUDIT_LOG}?object_type=period")).await;
    assert_eq!(r.body["count"], 1, "{}", r.body);
    assert_eq!(r.body["results"][0]["action"], "close");
    assert_eq!(r.body["results"][0]["changes"]["lock_date"]["after"], "2026-01-31");
}
on_every_backend!(audit_on_every_backend, the_audit_log_records_who_did_what);

// ---------------------------------------------------------------------------------------------
// Idempotency

async fn idempotency_keys_replay_the_first_answer(app: TestApp) {
    let firm = Firm::register(&app, "idem@example.com", "Idempotent Firm").await;
    let body = firm.transfer("2026-03-01", "1010", "4100", "42.00");
    let create = |key: &'static str, body: Value| {
        let firm = firm.clone();
        async move {
            firm.request(Method::POST, ENTRIES, Some(body), &[("Idempotency-Key", key)])
                .await
        }
    };
    let first = create("create-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = create("create-1", body.clone()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(id(&second.body), id(&first.body));
    assert_eq!(second.body, first.body);
    assert_eq!(firm.entry_count("").await, 1);
    // Same key, another body: a conflict, nothing written.
    let other = create("create-1", firm.transfer("2026-03-01", "1010", "4100", "43.00")).await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.body);
    assert!(other.body["detail"].is_string());
    assert_eq!(firm.entry_count("").await, 1);
    // Another key: another entry. A failed request does not burn its key.
    let bad = create("create-2", firm.transfer("2026-03-01", "1010", "4100", "1.001")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let third = create("create-2", body.clone()).await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    assert_ne!(id(&third.body), id(&first.body));
    assert_eq!(firm.entry_count("").await, 2);
    // Keys belong to their user: someone else's identical key is theirs.
    let (t, u) = app.invite(&firm.token, "acct@example.com", "accountant").await;
    let accountant = firm.as_user(&t, &u);
    let theirs = accountant
        .request(
            Method::POST,
            ENTRIES,
            Some(body.clone()),
            &[("Idempotency-Key", "create-1")],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    assert_ne!(id(&theirs.body), id(&first.body));
    assert_eq!(firm.entry_count("").await, 3);

    // Posting with a key: the retry gets the same number and posts nothing more.
    let eid = id(&first.body).to_owned();
    let post = |key: &'static str, eid: String| {
        let firm = firm.clone();
        async move {
            firm.request(
                Method::POST,
                &format!("{ENTRIES}{eid}/post/"),
                None,
                &[("Idempotency-Key", key)],
            )
            .await
        }
    };
    let p1 = post("post-1", eid.clone()).await;
    assert_eq!(p1.status, StatusCode::OK, "{}", p1.body);
    assert_eq!(p1.body["number"], 1);
    let p2 = post("post-1", eid.clone()).await;
    assert_eq!(p2.status, StatusCode::OK, "{}", p2.body);
    assert_eq!(p2.body["number"], 1);
    assert_eq!(p2.body, p1.body);
    // Without the key, a second post is refused.
    assert_field_error(&firm.verb(&eid, "post").await, "non_field_errors");
    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_totals(&tb), ("42.00".into(), "42.00".into()), "posted once");
    let next = firm.posted(firm.transfer("2026-03-02", "1010", "4100", "1.00")).await;
    assert_eq!(next["number"], 2, "no number was burnt by the retry");
    // The same key on another path is a different request.
    let r = post("post-1", id(&third.body).to_owned()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Bulk with a key: replayed, not posted twice.
    let bulk_body = json!({ "entries": [firm.transfer("2026-03-03", "1010", "4100", "5.00")] });
    let b1 = firm
        .request(
            Method::POST,
            BULK,
            Some(bulk_body.clone()),
            &[("Idempotency-Key", "bulk-1")],
        )
        .await;
    assert_eq!(b1.status, StatusCode::CREATED, "{}", b1.body);
    let b2 = firm
        .request(Method::POST, BULK, Some(bulk_body), &[("Idempotency-Key", "bulk-1")])
        .await;
    assert_eq!(b2.status, StatusCode::CREATED, "{}", b2.body);
    assert_eq!(b2.body, b1.body);
    assert_eq!(firm.entry_count("status=posted").await, 3);
    // A key that is too long is refused.
    let long = "k".repeat(256);
    let r = firm
        .request(Method::POST, ENTRIES, Some(body), &[("Idempotency-Key", &long)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(firm.entry_count("").await, 5);
}
on_every_backend!(idempotency_on_every_backend, idempotency_keys_replay_the_first_answer);

/// One user, one key, the same request (same path, same body) in two companies: two different
/// requests. Replaying the first company's answer in the second would hand out an entry of a
/// company the request did not name, and answer 200 where the truth is 404.
async fn idempotency_keys_do_not_cross_companies(app: TestApp) {
    let first = Firm::register(&app, "idem2@example.com", "Two Companies").await;
    let second = first.new_company("Other Co", "USD").await;
    let key = [("Idempotency-Key", "post-shared")];
    let e = first.draft(first.transfer("2026-03-01", "1010", "4100", "1.00")).await;
    let path = format!("{ENTRIES}{}/post/", id(&e));
    // Without a key, the second company does not know the entry.
    assert_eq!(
        second.request(Method::POST, &path, None, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let p = first.request(Method::POST, &path, None, &key).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = second.request(Method::POST, &path, None, &key).await;
    assert_ne!(
        p.status,
        StatusCode::OK,
        "another company's entry was replayed: {}",
        p.body
    );
}
on_every_backend!(
    idempotency_company_on_every_backend,
    idempotency_keys_do_not_cross_companies
);

// ---------------------------------------------------------------------------------------------
// Bulk

async fn bulk_posts_all_or_nothing(app: TestApp) {
    let firm = Firm::register(&app, "bulk@example.com", "Bulk Firm").await;
    firm.posted(firm.transfer("2026-01-02", "1020", "3100", "1000.00"))
        .await;
    let entries: Vec<Value> = (0..6)
        .map(|i| {
            firm.transfer(
                &format!("2026-02-{:02}", i + 1),
                "6400",
                "1020",
                &format!("{}.25", i + 1),
            )
        })
        .collect();
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["count"], 6);
    let numbers: Vec<i64> = r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 3, 4, 5, 6, 7]);
    let first_id = r.body["entries"][0]["id"].as_str().unwrap();
    let got = firm.get(&format!("{ENTRIES}{first_id}/")).await.body;
    assert_eq!(got["status"], "posted");
    assert_eq!(got["total"], "1.25");
    let tb = firm.trial_balance("2026-12-31").await;
    // 1.25 + 2.25 + … + 6.25 = 22.50
    assert_eq!(tb_row(&tb, "6400"), Some(("22.50".into(), "0.00".into())));
    assert_eq!(tb_totals(&tb), ("1000.00".into(), "1000.00".into()));
    let count_before = firm.entry_count("").await;
    assert_eq!(count_before, 7);

    // One bad entry (index 3): nothing is posted, the error names it.
    let mut entries: Vec<Value> = (0..5)
        .map(|_| firm.transfer("2026-03-01", "6400", "1020", "1.00"))
        .collect();
    entries[3] = firm.entry("2026-03-01", "BAD", &[("6400", "2.00", ""), ("1020", "", "1.00")]);
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert!(
        !keys.is_empty() && keys.iter().all(|k| k.starts_with("entries[3]")),
        "{}",
        r.body
    );
    assert_field_error(&r, "entries[3].lines");
    // Bad at the parsing stage (index 3): same.
    entries[3] = json!({ "lines": entries[0]["lines"].clone() });
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert_field_error(&r, "entries[3].date");
    // An unknown account in the last entry, after four good ones were checked.
    entries[3] = entries[0].clone();
    entries[4]["lines"][1]["account"] = json!(uuid::Uuid::new_v4().to_string());
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert_field_error(&r, "entries[4].lines[1].account");
    assert_eq!(firm.entry_count("").await, count_before);
    assert_eq!(firm.trial_balance("2026-12-31").await, tb, "trial balance unchanged");
    // The next good bulk continues the numbering without a gap.
    let r = firm
        .post(
            BULK,
            json!({ "entries": [firm.transfer("2026-03-02", "6400", "1020", "1.00")] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["entries"][0]["number"], 8);

    // Empty, missing, or more than 10,000 entries: refused.
    assert_field_error(&firm.post(BULK, json!({ "entries": [] })).await, "entries");
    assert_field_error(&firm.post(BULK, json!({})).await, "entries");
    let one = firm.transfer("2026-03-03", "6400", "1020", "0.01");
    let too_many = vec![one; 10_001];
    let r = firm.post(BULK, json!({ "entries": too_many })).await;
    assert_field_error(&r, "entries");
    assert_eq!(firm.entry_count("").await, count_before + 1);
}
on_every_backend!(bulk_on_every_backend, bulk_posts_all_or_nothing);

// ---------------------------------------------------------------------------------------------
// Chart of accounts

async fn the_chart_of_accounts_protects_used_accounts(app: TestApp) {
    let firm = Firm::register(&app, "coa@example.com", "Chart Firm").await;
    let r = firm
        .post(
            ACCOUNTS,
            json!({ "code": "1030", "name": "Petty Cash", "type": "asset", "subtype": "cash", "parent": firm.acct("1000") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["code"], "1030");
    assert_eq!(r.body["type"], "asset");
    assert_eq!(r.body["parent"], firm.acct("1000").as_str());
    assert_eq!(r.body["is_active"], true);
    let petty = id(&r.body).to_owned();
    let got = firm.get(&format!("{ACCOUNTS}{petty}/")).await;
    assert_eq!(got.body["name"], "Petty Cash");

    assert_field_error(
        &firm
            .post(ACCOUNTS, json!({ "code": "1010", "name": "Again", "type": "asset" }))
            .await,
        "code",
    );
    assert_field_error(
        &firm.post(ACCOUNTS, json!({ "name": "No code", "type": "asset" })).await,
        "code",
    );
    assert_field_error(
        &firm
            .post(ACCOUNTS, json!({ "code": "9999", "name": "Odd", "type": "weird" }))
            .await,
        "type",
    );
    // The parent must have the same type.
    assert_field_error(
        &firm
            .post(
                ACCOUNTS,
                json!({ "code": "1040", "name": "Wrong parent", "type": "asset", "parent": firm.acct("4000") }),
            )
            .await,
        "parent",
    );
    assert_field_error(
        &firm
            .patch(&format!("{ACCOUNTS}{petty}/"), json!({ "parent": firm.acct("2000") }))
            .await,
        "parent",
    );
    // No cycles: 1000 under its own child, or under itself.
    assert_field_error(
        &firm
            .patch(&format!("{ACCOUNTS}{}/", firm.acct("1000")), json!({ "parent": petty }))
            .await,
        "parent",
    );
    assert_field_error(
        &firm
            .patch(&format!("{ACCOUNTS}{petty}/"), json!({ "parent": petty }))
            .await,
        "parent",
    );
    assert_eq!(
        firm.get(&format!("{ACCOUNTS}{}/", firm.acct("1000"))).await.body["parent"],
        Value::Null
    );
    // Unused: type may change, and it may be deleted.
    let r = firm
        .patch(
            &format!("{ACCOUNTS}{petty}/"),
            json!({ "parent": firm.acct("2000"), "type": "liability" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["type"], "liability");
    let r = firm.delete(&format!("{ACCOUNTS}{petty}/")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        firm.get(&format!("{ACCOUNTS}{petty}/")).await.status,
        StatusCode::NOT_FOUND
    );
    // An account with children is not deleted.
    assert_field_error(
        &firm.delete(&format!("{ACCOUNTS}{}/", firm.acct("1000"))).await,
        "non_field_errors",
    );

    // Used accounts: never deleted, never retyped; deactivated instead.
    firm.posted(firm.transfer("2026-03-01", "1010", "4900", "10.00")).await;
    let cash = firm.acct("1010");
    assert_field_error(&firm.delete(&format!("{ACCOUNTS}{cash}/")).await, "non_field_errors");
    assert_field_error(
        &firm
            .patch(&format!("{ACCOUNTS}{cash}/"), json!({ "type": "liability" }))
            .await,
        "type",
    );
    let r = firm
        .patch(
            &format!("{ACCOUNTS}{cash}/"),
            json!({ "is_active": false, "name": "Old Cash" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_active"], false);
    assert_eq!(r.body["type"], "asset");
    assert_eq!(firm.get(&format!("{ACCOUNTS}{cash}/")).await.body["name"], "Old Cash");
    assert_eq!(firm.get(&format!("{ACCOUNTS}?is_active=false")).await.body["count"], 1);
    // Its balance stays in the reports.
    let tb = firm.trial_balance("2026-03-31").await;
    assert_eq!(tb_row(&tb, "1010"), Some(("10.00".into(), "0.00".into())));
    // Reactivated, it can be used again.
    let r = firm
        .patch(&format!("{ACCOUNTS}{cash}/"), json!({ "is_active": true }))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    firm.posted(firm.transfer("2026-03-02", "1010", "4900", "1.00")).await;
    // Other firms' and unknown accounts: 404.
    let other = Firm::register(&app, "coa2@example.com", "Other Chart Firm").await;
    assert_eq!(
        other.get(&format!("{ACCOUNTS}{cash}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .patch(&format!("{ACCOUNTS}{cash}/"), json!({ "is_active": false }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.delete(&format!("{ACCOUNTS}{cash}/")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(firm.get(&format!("{ACCOUNTS}{cash}/")).await.body["is_active"], true);
}
on_every_backend!(chart_on_every_backend, the_chart_of_accounts_protects_used_accounts);

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

/// `"parent": null` detaches an account from its parent (a PATCH that names the field with null
/// clears it; leaving the field out keeps it).
async fn an_account_parent_can_be_cleared(app: TestApp) {
    let firm = Firm::register(&app, "coa3@example.com", "Parent Firm").await;
    let r = firm
        .post(
            ACCOUNTS,
            json!({ "code": "1030", "name": "Petty Cash", "type": "asset", "parent": firm.acct("1000") }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let petty = id(&r.body).to_owned();
    let r = firm
        .patch(&format!("{ACCOUNTS}{petty}/"), json!({ "name": "Petty Cash Box" }))
        .await;
    assert_eq!(r.body["parent"], firm.acct("1000").as_str(), "absent: unchanged");
    let r = firm
        .patch(&format!("{ACCOUNTS}{petty}/"), json!({ "parent": null }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["parent"], Value::Null, "null clears the parent: {}", r.body);
    assert_eq!(
        firm.get(&format!("{ACCOUNTS}{petty}/")).await.body["parent"],
        Value::Null
    );
}
on_every_backend!(
    account_parent_cleared_on_every_backend,
    an_account_parent_can_be_cleared
);

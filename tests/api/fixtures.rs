//! Firms, users and requests for the API tests: the API's paths, the answer of a request
//! (`Response`), users signed up and invited on a `TestApp`, a `Firm` (one user in one company
//! with HTTP helpers and the company's accounts by code), and readers of common answers.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

// ---------------------------------------------------------------------------------------------
// Paths shared by several test modules

pub const ENTRIES: &str = "/api/accounting/journal-entries/";
pub const BULK: &str = "/api/accounting/journal-entries/bulk/";
pub const ACCOUNTS: &str = "/api/accounting/chart-of-accounts/";
pub const PERIODS: &str = "/api/accounting/periods/";
pub const AUDIT_LOG: &str = "/api/accounting/audit-log/";
pub const TAX_RATES: &str = "/api/accounting/tax-rates/";
pub const TRIAL_BALANCE: &str = "/api/reports/trial-balance/";
pub const GENERAL_LEDGER: &str = "/api/reports/general-ledger/";
pub const USERS: &str = "/api/tenants/users/";
pub const COMPANIES: &str = "/api/tenants/companies/";
pub const CUSTOMERS: &str = "/api/sales/customers/";
pub const VENDORS: &str = "/api/purchase/vendors/";
pub const ITEMS: &str = "/api/inventory/items/";
pub const INVOICES: &str = "/api/invoicing/invoices/";
pub const CREDIT_NOTES: &str = "/api/invoicing/credit-notes/";
pub const BILLS: &str = "/api/purchase/bills/";
pub const PAYMENTS: &str = "/api/invoicing/payments/";

/// The password of every user the tests create (strong enough for the password rules).
pub const STRONG_PASSWORD: &str = "violet-ledger-harbour-42";

// ---------------------------------------------------------------------------------------------
// Requests

/// An answer: status, headers and the body as JSON (`Null` when empty, a string when not JSON).
pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Response {
    /// Sends a request and reads its whole answer.
    pub async fn send(req: reqwest::RequestBuilder) -> Response {
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
}

/// Requests and users without a `Firm`: anonymous calls, tokens passed by hand, sign-up and
/// invitations.
impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Response::send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PATCH, path, token, Some(body), &[]).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login/",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Signs a user in with `STRONG_PASSWORD`; asserts 200 and returns the access token.
    pub async fn sign_in(&self, email: &str) -> String {
        let login = self.login(email, STRONG_PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "login {email}: {}", login.body);
        login.body["tokens"]["access"].as_str().unwrap().to_owned()
    }

    /// Registers a new firm; returns (access token, refresh token, user JSON).
    pub async fn register(&self, email: &str, firm: &str) -> (String, String, Value) {
        let r = self
            .post(
                "/api/auth/register/",
                None,
                json!({ "email": email, "password": STRONG_PASSWORD, "first_name": "Ada", "last_name": "Lovelace", "firm_name": firm }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "register: {}", r.body);
        (
            r.body["tokens"]["access"].as_str().unwrap().to_owned(),
            r.body["tokens"]["refresh"].as_str().unwrap().to_owned(),
            r.body["user"].clone(),
        )
    }

    /// Invites a user with a role into the caller's firm and signs them in; returns (access, user).
    pub async fn invite(&self, admin: &str, email: &str, role: &str) -> (String, Value) {
        let r = self
            .post(
                USERS,
                Some(admin),
                json!({ "email": email, "role": role, "password": STRONG_PASSWORD }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "invite: {}", r.body);
        (self.sign_in(email).await, r.body)
    }

    /// Adds a company named `name` to the caller's firm; returns its id.
    pub async fn add_company(&self, admin: &str, name: &str) -> String {
        let r = self
            .post("/api/tenants/companies/", Some(admin), json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "add company: {}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Firms

/// One user acting in one company of a firm, with that company's account ids by code.
#[derive(Clone)]
pub struct Firm {
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
    pub async fn register(app: &TestApp, email: &str, name: &str) -> Firm {
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

    /// The firm's id, as its signed-in user reads it (`/api/auth/me/`): what the CLI's
    /// `--tenant` and the data dir's `tenants/<id>/` name.
    pub async fn tenant_id(&self) -> String {
        self.get("/api/auth/me/").await.body["tenant"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Invites a user with this role into the firm (`TestApp::invite`) and returns them acting
    /// in this company.
    pub async fn invite(&self, app: &TestApp, email: &str, role: &str) -> Firm {
        let (token, user) = app.invite(&self.token, email, role).await;
        Firm {
            token,
            user_id: user["id"].as_str().unwrap().to_owned(),
            ..self.clone()
        }
    }

    /// The same user and company, talking to another server (one started on a restored or
    /// imported data dir; the harness signs tokens with the same secret).
    pub fn on(&self, app: &TestApp) -> Firm {
        Firm {
            base: app.base.clone(),
            client: app.client.clone(),
            ..self.clone()
        }
    }

    /// Creates another company in the same firm and returns this user acting in it.
    pub async fn new_company(&self, name: &str, currency: &str) -> Firm {
        let r = self
            .post(
                COMPANIES,
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
    pub fn acct(&self, code: &str) -> String {
        self.accounts
            .get(code)
            .unwrap_or_else(|| panic!("no account {code}"))
            .clone()
    }

    /// A request builder as this user in this company, for answers that are not JSON (PDFs,
    /// logos) or bodies that are not (raw bytes); `path` may also be an absolute URL.
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(c) = &self.company {
            req = req.header("x-company-id", c);
        }
        req
    }

    /// A request as this user in this company; `path` may also be an absolute URL (page links).
    pub async fn request(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Response {
        let mut req = self.raw(method, path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Response::send(req).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    /// A POST without a body (the verbs: `…/post/`, `…/approve/`, `…/cancel/`, `…/reverse/`).
    pub async fn verb(&self, id: &str, verb: &str) -> Response {
        self.request(Method::POST, &format!("{ENTRIES}{id}/{verb}/"), None, &[])
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.request(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path, None, &[]).await
    }

    /// Creates an object; asserts 201 and returns it.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "create {path}: {}", r.body);
        r.body
    }

    /// Creates a draft document (invoice, credit note, bill) and issues it; asserts both steps
    /// and returns the issued document.
    pub async fn issued(&self, path: &str, body: Value) -> Value {
        let draft = self.create(path, body).await;
        let r = self.post(&format!("{path}{}/issue/", id(&draft)), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "issue: {}", r.body);
        r.body
    }

    /// `count` of a list; asserts 200.
    pub async fn count(&self, path: &str) -> u64 {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        r.body["count"].as_u64().unwrap()
    }

    /// The values of `field` in a list's results, in order; asserts 200.
    pub async fn column(&self, path: &str, field: &str) -> Vec<String> {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[field].as_str().unwrap().to_owned())
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // The ledger

    /// An entry body; each line is `(account code, debit, credit)`, `""` leaving a side out.
    pub fn entry(&self, date: &str, reference: &str, lines: &[(&str, &str, &str)]) -> Value {
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
    pub fn transfer(&self, date: &str, debit: &str, credit: &str, amount: &str) -> Value {
        self.entry(date, "", &[(debit, amount, ""), (credit, "", amount)])
    }

    /// Creates a draft; asserts 201.
    pub async fn draft(&self, body: Value) -> Value {
        let r = self.post(ENTRIES, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "create draft: {}", r.body);
        assert_eq!(r.body["status"], "draft");
        r.body
    }

    /// Creates and posts an entry; asserts both steps and returns the posted entry.
    pub async fn posted(&self, body: Value) -> Value {
        let draft = self.draft(body).await;
        let r = self.verb(id(&draft), "post").await;
        assert_eq!(r.status, StatusCode::OK, "post: {}", r.body);
        assert_eq!(r.body["status"], "posted");
        r.body
    }

    /// How many journal entries the list shows (optionally filtered: `"status=posted"`).
    pub async fn entry_count(&self, filter: &str) -> u64 {
        let r = self.get(&format!("{ENTRIES}?page_size=1&{filter}")).await;
        assert_eq!(r.status, StatusCode::OK, "list: {}", r.body);
        r.body["count"].as_u64().unwrap()
    }

    pub async fn trial_balance(&self, as_of: &str) -> Value {
        let r = self.get(&format!("{TRIAL_BALANCE}?as_of={as_of}")).await;
        assert_eq!(r.status, StatusCode::OK, "trial balance: {}", r.body);
        r.body
    }

    /// Every entry of the list (following pages), in the given ordering.
    pub async fn all_entries(&self, query: &str) -> Vec<Value> {
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

// ---------------------------------------------------------------------------------------------
// Reading answers

/// The `id` of an object.
pub fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// The ids of a list page's results, in order.
pub fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|e| id(e).to_owned())
        .collect()
}

/// `(debit, credit)` of an account's trial balance row, by code.
pub fn tb_row(tb: &Value, code: &str) -> Option<(String, String)> {
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

/// `(debit, credit)` of a trial balance's totals.
pub fn tb_totals(tb: &Value) -> (String, String) {
    (
        tb["totals"]["debit"].as_str().unwrap().to_owned(),
        tb["totals"]["credit"].as_str().unwrap().to_owned(),
    )
}

/// Asserts a 400 with a DRF field error under `key` (a non-empty list of messages).
#[track_caller]
pub fn assert_field_error(r: &Response, key: &str) {
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

/// Asserts a 400 that names exactly `fields`.
#[track_caller]
pub fn assert_fields(r: &Response, fields: &[&str]) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let mut named: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    named.sort_unstable();
    let mut expected = fields.to_vec();
    expected.sort_unstable();
    assert_eq!(named, expected, "{}", r.body);
}

//! The optional AI endpoint over HTTP (issue 18, part 4), against a fake OpenAI-compatible server
//! on port 0 that answers canned completions and keeps what it was sent: a draft's weaker fields
//! improve when the firm switched AI on; nothing is sent while it is off or past the month's limit;
//! an endpoint answering garbage leaves the rule draft as it was and the failed call is logged;
//! only the text is sent. Account suggestions: a bank rule, the counterparty's earlier lines and a
//! contact's default account answer before the AI is asked; bad input is a 400 by field and
//! another firm's or company's bank line a 404.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::banking::{ACCOUNTS, bank_account, lines, upload};
use crate::capture::{me, seed_inbox};
use crate::fixtures::{Firm, VENDORS, assert_field_error, id};
use crate::helpers::{TestApp, backends};

const DRAFTS: &str = "/api/capture/drafts/";
const SETTINGS: &str = "/api/capture/ai-settings/";
const SUGGEST: &str = "/api/capture/suggest-account/";
const RULES: &str = "/api/banking/rules/";

/// A fake endpoint: the answer it gives (status, body) and the bodies it received.
#[derive(Clone)]
struct Fake {
    url: String,
    answer: Arc<Mutex<(u16, String)>>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    async fn start() -> Fake {
        let answer = Arc::new(Mutex::new((200, String::new())));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (a, s) = (answer.clone(), seen.clone());
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |body: String| {
                let (a, s) = (a.clone(), s.clone());
                async move {
                    s.lock().unwrap().push(body);
                    let (status, body) = a.lock().unwrap().clone();
                    (axum::http::StatusCode::from_u16(status).unwrap(), body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { url, answer, seen }
    }

    /// Answers a completion whose content is `content`, with this usage.
    fn answers(&self, content: Value, tokens_in: i64, tokens_out: i64) {
        let body = json!({
            "choices": [{"message": {"role": "assistant", "content": content.to_string()}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out},
        });
        *self.answer.lock().unwrap() = (200, body.to_string());
    }

    fn fails(&self) {
        *self.answer.lock().unwrap() = (200, "<html>busy</html>".into());
    }

    fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn last(&self) -> Value {
        serde_json::from_str(self.seen.lock().unwrap().last().unwrap()).unwrap()
    }
}

/// A server whose `[ai]` points at `fake`: 2.00 per 1,000 tokens in, 8.00 per 1,000 out.
async fn spawn(backend: &crate::helpers::Backend, fake: &Fake) -> TestApp {
    let url = fake.url.clone();
    TestApp::spawn_with(backend, move |c| {
        c.ai.url = Some(url);
        c.ai.model = "fake-model".into();
        c.ai.key = Some("sk-test".into());
        c.ai.price_in_per_1k = 2_000_000;
        c.ai.price_out_per_1k = 8_000_000;
        c.ai.timeout_secs = 5;
    })
    .await
}

async fn settings(f: &Firm) -> Value {
    let r = f.get(SETTINGS).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The draft made for `file` (the review queue makes it on this read).
async fn draft_of(f: &Firm, file: uuid::Uuid) -> Value {
    let r = f.get(&format!("{DRAFTS}?page_size=100")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == file.to_string())
        .cloned()
        .unwrap_or_else(|| panic!("no draft for {file}: {}", r.body))
}

const RECEIPT: &str = "Corner Kiosk\nThank you for your visit\nTotal 42,00\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_improve_only_when_allowed_and_every_call_is_logged() {
    for backend in backends() {
        let fake = Fake::start().await;
        fake.answers(
            json!({"number": "AI-778", "date": "2026-11-02", "vendor_name": null, "gross": "42.00"}),
            1000,
            100,
        );
        let app = spawn(&backend, &fake).await;
        let f = Firm::register(&app, "ai@capture.test", "AI Books").await;
        let (tenant, company) = me(&f).await;

        // Off by default: the rule draft alone, nothing sent.
        assert_eq!(settings(&f).await["enabled"], false);
        let first = seed_inbox(&app, &tenant, &company, "one.pdf", RECEIPT);
        let d = draft_of(&f, first).await;
        assert_ne!(d["fields"]["number"]["value"], "AI-778", "{d}");
        assert_eq!(fake.calls(), 0);

        // Switched on under a limit of 5.00: the weaker fields come from the endpoint.
        let r = f
            .patch(SETTINGS, json!({"enabled": true, "monthly_limit": "5.00"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let second = seed_inbox(&app, &tenant, &company, "two.pdf", RECEIPT);
        let d = draft_of(&f, second).await;
        assert_eq!(d["fields"]["number"]["value"], "AI-778", "{d}");
        assert_eq!(d["fields"]["number"]["confidence"], 60, "{d}");
        assert_eq!(d["fields"]["date"]["value"], "2026-11-02", "{d}");
        assert_eq!(fake.calls(), 1);
        // Only the text was sent, with the model named.
        let sent = fake.last();
        assert_eq!(sent["model"], "fake-model");
        assert_eq!(sent["messages"][1]["content"], RECEIPT);
        assert!(!fake.seen.lock().unwrap()[0].contains("%PDF"));
        // 1,000 tokens in at 2.00 and 100 out at 8.00 per 1,000: 2.80.
        let s = settings(&f).await;
        assert_eq!(
            (s["calls_this_month"].clone(), s["used_this_month"].clone()),
            (json!(1), json!("2.80"))
        );
        // The first draft was made before: it stays as it was.
        assert_ne!(draft_of(&f, first).await["fields"]["number"]["value"], "AI-778");

        // An endpoint answering garbage: the rule draft stands, the failed call is logged.
        fake.fails();
        let third = seed_inbox(&app, &tenant, &company, "three.pdf", RECEIPT);
        let d = draft_of(&f, third).await;
        assert_ne!(d["fields"]["number"]["value"], "AI-778", "{d}");
        assert_eq!(fake.calls(), 2);
        assert_eq!(settings(&f).await["calls_this_month"], 2);

        // At the month's limit (2.80 used of 2.00): no call at all.
        fake.answers(json!({"number": "AI-999"}), 10, 10);
        let r = f.patch(SETTINGS, json!({"monthly_limit": "2.00"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let fourth = seed_inbox(&app, &tenant, &company, "four.pdf", RECEIPT);
        let d = draft_of(&f, fourth).await;
        assert_ne!(d["fields"]["number"]["value"], "AI-999", "{d}");
        assert_eq!(fake.calls(), 2);
        // Switched off again: no call either, whatever the limit.
        let r = f
            .patch(SETTINGS, json!({"enabled": false, "monthly_limit": "100.00"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let fifth = seed_inbox(&app, &tenant, &company, "five.pdf", RECEIPT);
        assert_ne!(draft_of(&f, fifth).await["fields"]["number"]["value"], "AI-999");
        assert_eq!(fake.calls(), 2);
        assert_eq!(settings(&f).await["calls_this_month"], 2);
    }
}

const STATEMENT: &str = "date,amount,text,counterparty\n\
                         2026-03-06,-11.90,Office supplies,Paper Shop\n\
                         2026-03-09,-25.00,More paper,Paper Shop\n\
                         2026-03-10,-80.00,Something bought,Unknown Trader\n\
                         2026-03-11,-4.50,Account fee,Bank\n";

async fn suggest(f: &Firm, body: Value) -> Value {
    let r = f.post(SUGGEST, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_suggested_from_the_records_then_the_ai() {
    for backend in backends() {
        let fake = Fake::start().await;
        let app = spawn(&backend, &fake).await;
        let f = Firm::register(&app, "owner@suggest.test", "Suggest Books").await;
        let account = bank_account(&f).await;
        let acc = id(&account);
        let r = upload(&f, acc, STATEMENT.as_bytes(), &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let [supplies, paper, unknown, fee] = &lines(&f, acc).await[..] else {
            panic!("four lines")
        };
        // The first Paper Shop line is booked to 6400; a rule sends fees to 6500.
        let r = f
            .post(
                &format!("/api/banking/lines/{}/expense/", id(supplies)),
                json!({"account": f.acct("6400")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = f
            .post(
                RULES,
                json!({"name": "Bank fees", "text_contains": "fee", "account": f.acct("6500")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        // The counterparty's earlier line answers for the second Paper Shop line.
        let s = suggest(&f, json!({"bank_line": id(paper)})).await;
        assert_eq!(s["ai"], "not_needed", "{s}");
        let best = &s["suggestions"][0];
        assert_eq!(
            (best["account"].as_str(), best["source"].as_str()),
            (Some(f.acct("6400").as_str()), Some("history"))
        );
        assert_eq!(best["code"], "6400");
        assert!(best["reason"].as_str().unwrap().contains("Paper Shop"), "{best}");
        // The rule answers for the fee.
        let s = suggest(&f, json!({"bank_line": id(fee)})).await;
        assert_eq!(s["suggestions"][0]["source"], "rule", "{s}");
        assert_eq!(s["suggestions"][0]["account"], f.acct("6500"));
        assert_eq!(s["suggestions"][0]["confidence"], 95);
        // A contact's default account answers for a text that names it.
        let vendor = f
            .create(
                VENDORS,
                json!({"name": "Stationery World", "expense_account": f.acct("6400")}),
            )
            .await;
        assert!(vendor["id"].is_string());
        let s = suggest(
            &f,
            json!({"text": "Receipt STATIONERY WORLD 12.00", "amount": "-12.00"}),
        )
        .await;
        assert_eq!(s["suggestions"][0]["source"], "contact", "{s}");
        assert_eq!(s["suggestions"][0]["account"], f.acct("6400"));

        // Nothing in the records for the unknown trader, and AI off: nothing, nothing sent.
        let s = suggest(&f, json!({"bank_line": id(unknown)})).await;
        assert_eq!(
            (s["ai"].as_str(), s["suggestions"].as_array().map(Vec::len)),
            (Some("off"), Some(0))
        );
        assert_eq!(fake.calls(), 0);
        // AI on: the endpoint picks from the chart; the call is logged.
        let r = f
            .patch(SETTINGS, json!({"enabled": true, "monthly_limit": "5.00"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        fake.answers(
            json!({"account_code": "6500", "reason": "Looks like a purchase"}),
            500,
            20,
        );
        let s = suggest(&f, json!({"bank_line": id(unknown)})).await;
        assert_eq!(s["ai"], "used", "{s}");
        assert_eq!(s["suggestions"][0]["source"], "ai");
        assert_eq!(s["suggestions"][0]["account"], f.acct("6500"));
        assert_eq!(s["suggestions"][0]["confidence"], 40);
        let user = fake.last()["messages"][1]["content"].as_str().unwrap().to_owned();
        assert!(user.contains("Unknown Trader") && user.contains("6400\t"), "{user}");
        assert_eq!(settings(&f).await["calls_this_month"], 1);
        // A code not in the chart is no suggestion, and the call is logged as failed.
        fake.answers(json!({"account_code": "99999"}), 500, 20);
        let s = suggest(&f, json!({"bank_line": id(unknown)})).await;
        assert_eq!(
            (s["ai"].as_str(), s["suggestions"].as_array().map(Vec::len)),
            (Some("failed"), Some(0))
        );
        assert_eq!(settings(&f).await["calls_this_month"], 2);
        // The records sure: no call.
        suggest(&f, json!({"bank_line": id(paper)})).await;
        assert_eq!(fake.calls(), 2);

        // Bad input: a 400 naming the field, nothing sent, nothing logged.
        for (body, field) in [
            (json!({}), "bank_line"),
            (json!({"bank_line": "not-an-id"}), "bank_line"),
            (json!({"bank_line": id(paper), "text": "x"}), "text"),
            (json!({"bank_line": id(paper), "amount": "1"}), "amount"),
            (json!({"text": "   "}), "text"),
            (json!({"text": "x".repeat(20_001)}), "text"),
            (json!({"text": "Paper", "amount": "lots"}), "amount"),
        ] {
            assert_field_error(&f.post(SUGGEST, body).await, field);
        }
        assert_eq!(
            f.post(SUGGEST, json!({"line": "x"})).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(fake.calls(), 2);

        // Another firm's and another company's view of the line: 404.
        let other = Firm::register(&app, "other@suggest.test", "Other Books").await;
        let r = other.post(SUGGEST, json!({"bank_line": id(paper)})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let second = f.new_company("Second Co", "EUR").await;
        let r = second.post(SUGGEST, json!({"bank_line": id(paper)})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(fake.calls(), 2);
        assert_eq!(settings(&f).await["calls_this_month"], 2);
        let r = f.get(&format!("{ACCOUNTS}{acc}/")).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

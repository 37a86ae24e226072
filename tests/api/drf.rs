//! DRF's conventions as the seed's clients rely on them: `PATCH` is partial, `PUT` replaces,
//! and the record is looked up before the body is read, so an id the caller cannot see answers
//! 404 for every method and any body, and a caller without the permission gets 403 whatever the
//! body says.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{ACCOUNTS, ENTRIES, Firm, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

/// Sends `body` as it is, with `content_type`, as `firm`'s user.
pub(crate) async fn raw(firm: &Firm, method: Method, path: &str, content_type: &str, body: &str) -> StatusCode {
    let mut req = firm
        .client
        .request(method, format!("{}{path}", firm.base))
        .bearer_auth(&firm.token)
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(c) = &firm.company {
        req = req.header("x-company-id", c);
    }
    req.send().await.unwrap().status()
}

/// Every method on `path` with a valid body, an invalid one, broken JSON, a non-JSON body and
/// no body: each must answer `expected`.
pub(crate) async fn every_method_and_body(
    firm: &Firm,
    path: &str,
    valid: &Value,
    methods: &[Method],
    expected: StatusCode,
) {
    let bodies = [
        ("application/json", valid.to_string()),
        (
            "application/json",
            json!({ "type": 5, "lines": "none", "date": [] }).to_string(),
        ),
        ("application/json", "{\"code\": ".to_owned()),
        ("text/plain", "not json at all".to_owned()),
        ("application/json", String::new()),
    ];
    for method in methods {
        for (content_type, body) in &bodies {
            let status = raw(firm, method.clone(), path, content_type, body).await;
            assert_eq!(status, expected, "{method} {path} with {content_type} {body:?}");
        }
    }
}

async fn patch_changes_only_what_it_sends(app: TestApp) {
    let firm = Firm::register(&app, "owner@patch.test", "Patch Books").await;
    let draft = firm.draft(firm.transfer("2026-03-01", "1000", "3000", "250.00")).await;
    let path = format!("{ENTRIES}{}/", id(&draft));
    let r = firm.patch(&path, json!({ "description": "Owner's capital" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["description"], "Owner's capital");
    assert_eq!(r.body["date"], draft["date"]);
    assert_eq!(r.body["lines"], draft["lines"]);
    assert_eq!(r.body["total"], "250.00");
    let read = firm.get(&path).await.body;
    assert_eq!(read["description"], "Owner's capital");
    assert_eq!(read["lines"], draft["lines"]);

    // Only the date.
    let r = firm.patch(&path, json!({ "date": "2026-03-05" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["date"].clone(), r.body["description"].clone()),
        (json!("2026-03-05"), json!("Owner's capital"))
    );
    // A bad field is named, and nothing changes.
    let r = firm.patch(&path, json!({ "date": "5 March" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["date"].is_array(), "{}", r.body);
    assert_eq!(firm.get(&path).await.body["date"], "2026-03-05");

    // PUT replaces the draft: date and lines are required.
    let r = firm.put(&path, json!({ "description": "no lines" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["date"].is_array() && r.body["lines"].is_array(), "{}", r.body);
    let r = firm
        .put(&path, firm.transfer("2026-03-07", "1000", "3000", "300.00"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["total"], "300.00");

    // A posted entry is never edited, partially or not.
    let posted = firm.posted(firm.transfer("2026-03-02", "1000", "3000", "10.00")).await;
    let r = firm
        .patch(&format!("{ENTRIES}{}/", id(&posted)), json!({ "description": "x" }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
on_every_backend!(patch_is_partial, patch_changes_only_what_it_sends);

async fn put_replaces_an_account(app: TestApp) {
    let firm = Firm::register(&app, "owner@put.test", "Put Books").await;
    let created = firm
        .post(
            ACCOUNTS,
            json!({ "code": "1190", "name": "Petty cash", "type": "asset" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!("{ACCOUNTS}{}/", id(&created.body));
    let r = firm
        .put(
            &path,
            json!({ "code": "1191", "name": "Till", "type": "asset", "subtype": "cash" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["code"].clone(),
            r.body["name"].clone(),
            r.body["subtype"].clone()
        ),
        (json!("1191"), json!("Till"), json!("cash"))
    );
    assert_eq!(firm.get(&path).await.body["name"], "Till");
    // PUT needs what a create needs.
    let r = firm.put(&path, json!({ "name": "Only a name" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let mut named: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    named.sort_unstable();
    assert_eq!(named, ["code", "type"], "{}", r.body);
    assert_eq!(
        firm.get(&path).await.body["name"],
        "Till",
        "a refused PUT changes nothing"
    );
    // PATCH stays partial.
    let r = firm.patch(&path, json!({ "name": "Cash box" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["code"].clone(), r.body["name"].clone()),
        (json!("1191"), json!("Cash box"))
    );
}
on_every_backend!(put_replaces, put_replaces_an_account);

async fn ids_the_caller_cannot_see_are_404_whatever_the_body(app: TestApp) {
    let mine = Firm::register(&app, "owner@mine.test", "Mine Books").await;
    let theirs = Firm::register(&app, "owner@theirs.test", "Theirs Books").await;
    let sister = mine.new_company("Sister Co", "USD").await;
    let valid_account = json!({ "code": "1195", "name": "Float", "type": "asset" });
    let all = [Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
    for (owner, label) in [(&theirs, "another firm"), (&sister, "another company")] {
        let account = owner.acct("1000");
        let draft = owner.draft(owner.transfer("2026-04-01", "1000", "3000", "5.00")).await;
        let entry = id(&draft);
        every_method_and_body(
            &mine,
            &format!("{ACCOUNTS}{account}/"),
            &valid_account,
            &all,
            StatusCode::NOT_FOUND,
        )
        .await;
        let valid_entry = mine.transfer("2026-04-02", "1000", "3000", "7.00");
        every_method_and_body(
            &mine,
            &format!("{ENTRIES}{entry}/"),
            &valid_entry,
            &all,
            StatusCode::NOT_FOUND,
        )
        .await;
        for verb in ["post", "approve", "cancel", "reverse"] {
            let path = format!("{ENTRIES}{entry}/{verb}/");
            every_method_and_body(&mine, &path, &json!({}), &[Method::POST], StatusCode::NOT_FOUND).await;
        }
        // Untouched, as their owner sees them.
        let r = owner.get(&format!("{ACCOUNTS}{account}/")).await;
        assert_eq!(
            (r.status, r.body["code"].clone()),
            (StatusCode::OK, json!("1000")),
            "{label}"
        );
        let r = owner.get(&format!("{ENTRIES}{entry}/")).await;
        assert_eq!(
            (r.status, r.body["status"].clone()),
            (StatusCode::OK, json!("draft")),
            "{label}"
        );
    }
    // An id that is not a UUID names nothing either.
    every_method_and_body(
        &mine,
        &format!("{ACCOUNTS}not-a-uuid/"),
        &valid_account,
        &all,
        StatusCode::NOT_FOUND,
    )
    .await;
}
on_every_backend!(
    invisible_ids_are_404,
    ids_the_caller_cannot_see_are_404_whatever_the_body
);

async fn permission_is_checked_before_the_body(app: TestApp) {
    let owner = Firm::register(&app, "owner@perm.test", "Perm Books").await;
    let staff = owner.invite(&app, "staff@perm.test", "staff").await;
    let draft = owner.draft(owner.transfer("2026-05-01", "1000", "3000", "5.00")).await;
    // Staff may not post: 403 whatever the body, never a 400 about it.
    for (content_type, body) in [("application/json", "{\"entries\": 5"), ("text/plain", "junk")] {
        let status = raw(
            &staff,
            Method::POST,
            "/api/accounting/journal-entries/bulk/",
            content_type,
            body,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "bulk with {body:?}");
        let path = format!("{ENTRIES}{}/post/", id(&draft));
        let status = raw(&staff, Method::POST, &path, content_type, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "post with {body:?}");
    }
    assert_eq!(
        owner.get(&format!("{ENTRIES}{}/", id(&draft))).await.body["status"],
        "draft"
    );
}
on_every_backend!(permission_before_body, permission_is_checked_before_the_body);

/// The seed's `/swagger/` leads to the Swagger UI.
#[tokio::test]
async fn swagger_leads_to_the_swagger_ui() {
    let app = TestApp::spawn(&crate::helpers::Backend::Sqlite).await;
    for path in ["/swagger/", "/swagger"] {
        let r = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.url().path().starts_with("/api/docs/"), "{path} → {}", r.url());
        assert!(r.text().await.unwrap().contains("swagger-ui"), "{path}");
    }
}

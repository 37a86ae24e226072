//! Writes that repeat or come many at once: idempotency keys replaying the first answer (per
//! user and company), and bulk posting, all or nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{BULK, ENTRIES, Firm, assert_field_error, id, tb_row, tb_totals};
use crate::helpers::TestApp;
use crate::on_every_backend;

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
    let accountant = firm.invite(&app, "acct@example.com", "accountant").await;
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

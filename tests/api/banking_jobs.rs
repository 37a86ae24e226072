//! Statement imports as background jobs (`background=true`, then `GET
//! /api/banking/import-jobs/{id}/`): 202 with the job at once, polled to `done` with the same
//! result a synchronous import gives; a failed job answers the synchronous error (line and
//! field) and writes nothing; another firm's or company's job id is a 404.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::banking::{ACCOUNTS, bank_account, upload};
use crate::fixtures::{Firm, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const JOBS: &str = "/api/banking/import-jobs/";

const STATEMENT: &str = "date,amount,text,counterparty\n\
                         2026-03-03,-20.50,Account fee,Bank\n\
                         2026-03-04,50.00,INV-2026-0001,Customer Ltd\n\
                         2026-03-05,-1234.56,Rent March,Landlord\n";

/// Polls the job until it is done or failed (a few seconds at most for these files).
async fn finished(firm: &Firm, job: &str) -> Value {
    for _ in 0..600 {
        let r = firm.get(&format!("{JOBS}{job}/")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if matches!(r.body["stage"].as_str(), Some("done" | "failed")) {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {job} did not finish");
}

/// Starts a background import and answers the job as the 202 gave it.
async fn start(firm: &Firm, account: &str, file: &[u8]) -> Value {
    let r = upload(firm, account, file, &[("background", "true")]).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap();
    assert_eq!(location, format!("{JOBS}{}/", id(&r.body)));
    assert!(
        ["queued", "parsing", "checking", "writing", "done"].contains(&r.body["stage"].as_str().unwrap()),
        "{}",
        r.body
    );
    r.body
}

async fn second_bank_account(firm: &Firm) -> String {
    let gl = firm
        .create(
            "/api/accounting/chart-of-accounts/",
            json!({ "code": "1030", "name": "Second bank", "type": "asset", "subtype": "bank" }),
        )
        .await;
    let made = firm
        .create(ACCOUNTS, json!({ "name": "Second account", "account": id(&gl) }))
        .await;
    id(&made).to_owned()
}

/// The lines of an account as (date, amount, text, counterparty), in date order.
async fn line_facts(firm: &Firm, account: &str) -> Vec<Value> {
    let r = firm
        .get(&format!("{ACCOUNTS}{account}/lines/?page_size=200&ordering=date"))
        .await;
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!([l["date"], l["amount"], l["text"], l["counterparty"], l["status"]]))
        .collect()
}

/// The import's facts that do not depend on the account or the moment.
fn facts(import: &Value) -> Value {
    let keys = [
        "format",
        "file_name",
        "sha256",
        "period_from",
        "period_to",
        "opening_balance",
        "closing_balance",
        "lines_new",
        "lines_duplicate",
        "created_by",
    ];
    Value::Object(keys.iter().map(|k| ((*k).to_owned(), import[*k].clone())).collect())
}

async fn a_background_import_is_a_synchronous_one(app: TestApp) {
    let firm = Firm::register(&app, "owner@jobs.test", "Job Books").await;
    let sync_account = bank_account(&firm).await;
    let sync_acc = id(&sync_account);
    let job_acc = second_bank_account(&firm).await;
    let sync = upload(&firm, sync_acc, STATEMENT.as_bytes(), &[]).await;
    assert_eq!(sync.status, StatusCode::CREATED, "{}", sync.body);

    let job = start(&firm, &job_acc, STATEMENT.as_bytes()).await;
    assert_eq!(job["bank_account"], json!(job_acc));
    let done = finished(&firm, id(&job)).await;
    assert_eq!(done["stage"], "done", "{done}");
    assert_eq!(
        (done["lines_done"].clone(), done["lines_total"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(done["error"], Value::Null);
    assert_eq!(done["error_status"], Value::Null);
    assert!(done["finished_at"].is_string());
    let result = &done["result"];
    assert_eq!(result["bank_account"], json!(job_acc));
    assert_eq!(facts(result), facts(&sync.body));
    assert_eq!(line_facts(&firm, &job_acc).await, line_facts(&firm, sync_acc).await);
    // The import is the account's, listed like any other.
    let listed = firm.get(&format!("{ACCOUNTS}{job_acc}/imports/")).await;
    assert_eq!(listed.body["count"], 1);
    assert_eq!(listed.body["results"][0]["id"], result["id"]);

    // Again in the background: nothing new, like a synchronous re-import.
    let again = finished(&firm, id(&start(&firm, &job_acc, STATEMENT.as_bytes()).await)).await;
    assert_eq!(again["stage"], "done", "{again}");
    assert_eq!(
        (
            again["result"]["lines_new"].clone(),
            again["result"]["lines_duplicate"].clone()
        ),
        (json!(0), json!(3))
    );
    // The first job is still there to read.
    assert_eq!(firm.get(&format!("{JOBS}{}/", id(&job))).await.body["stage"], "done");
    // A preview answers at once: it cannot run in the background.
    let r = upload(
        &firm,
        &job_acc,
        STATEMENT.as_bytes(),
        &[("preview", "true"), ("background", "true")],
    )
    .await;
    assert_fields(&r, &["background"]);
    let r = upload(&firm, &job_acc, STATEMENT.as_bytes(), &[("background", "later")]).await;
    assert_fields(&r, &["background"]);
    assert_eq!(firm.count(&format!("{ACCOUNTS}{job_acc}/imports/")).await, 2);
}
on_every_backend!(background_import, a_background_import_is_a_synchronous_one);

async fn a_failed_job_names_the_line_and_writes_nothing(app: TestApp) {
    let firm = Firm::register(&app, "owner@failjobs.test", "Failing Books").await;
    let account = bank_account(&firm).await;
    let acc = id(&account);
    // A bad amount on the file's third line: the synchronous answer's 400, in the job.
    let bad = b"date,amount,text\n2026-03-09,12.00,ok\n2026-03-10,twelve,bad\n";
    let sync = upload(&firm, acc, bad, &[]).await;
    assert_fields(&sync, &["file"]);
    let failed = finished(&firm, id(&start(&firm, acc, bad).await)).await;
    assert_eq!(failed["stage"], "failed", "{failed}");
    assert_eq!(failed["error_status"], 400);
    assert_eq!(failed["error"], sync.body);
    assert!(
        failed["error"]["file"][0].as_str().unwrap().contains("line 3: amount"),
        "{failed}"
    );
    assert_eq!(failed["result"], Value::Null);
    // Lines that do not add up to the statement's closing balance: refused after parsing, in
    // the transaction, which writes nothing.
    let altered = "date,amount,text,balance\n2026-03-01,10.00,first,110.00\n2026-03-02,5.00,second,999.00\n";
    let failed = finished(&firm, id(&start(&firm, acc, altered.as_bytes()).await)).await;
    assert_eq!(failed["stage"], "failed", "{failed}");
    assert_eq!(failed["error_status"], 400, "{failed}");
    assert!(failed["error"]["file"].is_array(), "{failed}");
    assert_eq!(firm.count(&format!("{ACCOUNTS}{acc}/lines/")).await, 0);
    assert_eq!(firm.count(&format!("{ACCOUNTS}{acc}/imports/")).await, 0);
    let listed = firm.get(&format!("{ACCOUNTS}{acc}/")).await;
    assert_eq!(listed.body["statement_balance"], Value::Null);
}
on_every_backend!(failed_background_import, a_failed_job_names_the_line_and_writes_nothing);

async fn other_firms_and_companies_never_see_a_job(app: TestApp) {
    let a = Firm::register(&app, "owner@jobs-a.test", "Jobs A").await;
    let b = Firm::register(&app, "owner@jobs-b.test", "Jobs B").await;
    let a2 = a.new_company("A's second company", "EUR").await;
    let account = bank_account(&a).await;
    let job = start(&a, id(&account), STATEMENT.as_bytes()).await;
    let path = format!("{JOBS}{}/", id(&job));
    for other in [&b, &a2] {
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        // Nor can they start one on A's account, whatever they send.
        let r = upload(other, id(&account), STATEMENT.as_bytes(), &[("background", "true")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    assert_eq!(
        a.get(&format!("{JOBS}{}/", uuid::Uuid::now_v7())).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(a.get(&format!("{JOBS}not-a-job/")).await.status, StatusCode::NOT_FOUND);
    let done = finished(&a, id(&job)).await;
    assert_eq!(done["stage"], "done", "{done}");
    // Finished, it stays theirs alone.
    for other in [&b, &a2] {
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    }
}
on_every_backend!(background_import_isolation, other_firms_and_companies_never_see_a_job);

//! The ledger's reports over HTTP: the general ledger's running balance across pages, and the
//! audit log of who did what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{AUDIT_LOG, ENTRIES, Firm, GENERAL_LEDGER, PERIODS, assert_field_error, id, tb_row};
use crate::helpers::TestApp;
use crate::on_every_backend;

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
    let cfo = firm.invite(&app, "cfo@example.com", "cfo").await;
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

//! Who may post and when: large entries approved by someone else, closed periods refusing
//! postings, and the year-end close moving the result to retained earnings.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{BULK, ENTRIES, Firm, PERIODS, assert_field_error, id, tb_row, tb_totals};
use crate::helpers::TestApp;
use crate::on_every_backend;

// ---------------------------------------------------------------------------------------------
// Approval

async fn large_entries_need_approval_by_someone_else(app: TestApp) {
    let admin = Firm::register(&app, "boss@example.com", "Approval Firm").await;
    let cfo = admin.invite(&app, "cfo@example.com", "cfo").await;
    let staff = admin.invite(&app, "staff@example.com", "staff").await;
    let accountant = admin.invite(&app, "acct@example.com", "accountant").await;

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
    let accountant = firm.invite(&app, "acct@example.com", "accountant").await;
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
    let accountant = firm.invite(&app, "acct@example.com", "accountant").await;
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

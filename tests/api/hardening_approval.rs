//! Separation of duties survives editing: an approver who edits a staff member's small draft
//! into a large one cannot approve it, and the audit trail says who edited it.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{AUDIT_LOG, ENTRIES, Firm, PERIODS, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

async fn whoever_edits_a_draft_may_not_approve_it(app: TestApp) {
    let admin = Firm::register(&app, "admin@sod.test", "Duties Books").await;
    let cfo = admin.invite(&app, "cfo@sod.test", "cfo").await;
    let other_cfo = admin.invite(&app, "cfo2@sod.test", "cfo").await;
    let staff = admin.invite(&app, "staff@sod.test", "staff").await;
    let r = admin
        .patch(
            PERIODS,
            json!({ "approval_required": true, "approval_threshold": "1000.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let small = staff.draft(staff.transfer("2026-06-01", "6400", "1020", "10.00")).await;
    let path = format!("{ENTRIES}{}/", id(&small));
    // The CFO turns it into a large one…
    let r = cfo
        .patch(
            &path,
            json!({ "lines": cfo.transfer("2026-06-01", "6400", "1020", "50000.00")["lines"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["total"], "50000.00");
    assert_eq!(r.body["edited_by"], cfo.user_id.as_str());
    // …and may not approve it.
    let r = cfo.verb(id(&small), "approve").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        r.body["non_field_errors"],
        json!(["An entry cannot be approved by the person who last edited it."])
    );
    assert_eq!(cfo.get(&path).await.body["approved_by"], json!(null));
    // The audit trail names the editor.
    let trail = admin.get(&format!("{AUDIT_LOG}?object_id={}", id(&small))).await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let edits: Vec<_> = trail.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "update")
        .collect();
    assert!(
        edits.iter().any(|e| e["actor"] == cfo.user_id.as_str()),
        "{}",
        trail.body
    );
    // Someone who neither created nor edited it may.
    let r = other_cfo.verb(id(&small), "approve").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approved_by"], other_cfo.user_id.as_str());
}
on_every_backend!(editor_may_not_approve, whoever_edits_a_draft_may_not_approve_it);

//! The chart of accounts over HTTP: accounts in use are protected, and a parent can be cleared.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{ACCOUNTS, Firm, assert_field_error, id, tb_row};
use crate::helpers::TestApp;
use crate::on_every_backend;

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

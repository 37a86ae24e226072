//! Firms, companies, users: the role checks, company access limits, and tenant isolation (a
//! second firm gets 404 on every object URL of the first).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::fixtures::STRONG_PASSWORD;
use crate::helpers::TestApp;
use crate::on_every_backend;

async fn companies_are_created_listed_and_changed(app: TestApp) {
    let (admin, _, _) = app.register("own@example.com", "Owner Firm").await;
    let created = app
        .post(
            "/api/tenants/companies/",
            Some(&admin),
            json!({ "name": "Second Co", "currency": "EUR", "timezone": "Europe/Berlin", "tax_id": "DE123" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["currency"], "EUR");
    let id = created.body["id"].as_str().unwrap();
    let accounts = app
        .request(
            Method::GET,
            "/api/accounting/chart-of-accounts/?page_size=1",
            Some(&admin),
            None,
            &[("x-company-id", id)],
        )
        .await;
    assert_eq!(accounts.body["count"], 35, "new companies get the general chart");

    let list = app.get("/api/tenants/companies/?ordering=-name", Some(&admin)).await;
    assert_eq!(list.body["count"], 2);
    assert_eq!(list.body["results"][0]["name"], "Second Co");
    let filtered = app.get("/api/tenants/companies/?currency=EUR", Some(&admin)).await;
    assert_eq!(filtered.body["count"], 1);

    let bad = app
        .post(
            "/api/tenants/companies/",
            Some(&admin),
            json!({ "name": "", "currency": "euro" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["name"].is_array());
    let bad = app
        .post(
            "/api/tenants/companies/",
            Some(&admin),
            json!({ "name": "X", "currency": "euro" }),
        )
        .await;
    assert!(bad.body["currency"].is_array(), "{}", bad.body);
    let unknown_chart = app
        .post(
            "/api/tenants/companies/",
            Some(&admin),
            json!({ "name": "X", "chart": "nope" }),
        )
        .await;
    assert_eq!(unknown_chart.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/tenants/companies/", Some(&admin)).await.body["count"],
        2,
        "nothing written on refusal"
    );

    let patched = app
        .patch(
            &format!("/api/tenants/companies/{id}/"),
            Some(&admin),
            json!({ "name": "Renamed Co", "is_active": false }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let got = app.get(&format!("/api/tenants/companies/{id}/"), Some(&admin)).await;
    assert_eq!(got.body["name"], "Renamed Co");
    assert_eq!(got.body["is_active"], false);
}
on_every_backend!(companies_on_every_backend, companies_are_created_listed_and_changed);

async fn roles_decide_what_each_user_may_do(app: TestApp) {
    let (admin, _, _) = app.register("admin@example.com", "Roles Firm").await;
    let (staff, _) = app.invite(&admin, "staff@example.com", "staff").await;
    let (accountant, _) = app.invite(&admin, "acct@example.com", "accountant").await;
    let (firm_admin, _) = app.invite(&admin, "fa@example.com", "firm_admin").await;
    let (_, other) = app.invite(&admin, "cfo@example.com", "cfo").await;
    let cfo_id = other["id"].as_str().unwrap();

    // Staff and accountants cannot create companies, see or manage users.
    for token in [&staff, &accountant] {
        let r = app
            .post("/api/tenants/companies/", Some(token), json!({ "name": "Nope" }))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["detail"], "You do not have permission to perform this action.");
        assert_eq!(
            app.get("/api/tenants/users/", Some(token)).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post(
                "/api/tenants/users/",
                Some(token),
                json!({ "email": "x@example.com", "role": "staff" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Everyone reads the chart of accounts.
        assert_eq!(
            app.get("/api/accounting/chart-of-accounts/", Some(token)).await.status,
            StatusCode::OK
        );
    }
    // A firm admin manages users, but never makes or edits a tenant admin.
    assert_eq!(app.get("/api/tenants/users/", Some(&firm_admin)).await.body["count"], 5);
    let r = app
        .post(
            "/api/tenants/users/",
            Some(&firm_admin),
            json!({ "email": "ta@example.com", "role": "tenant_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/tenants/users/{cfo_id}/"),
            Some(&firm_admin),
            json!({ "role": "tenant_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/tenants/users/{cfo_id}/"),
            Some(&firm_admin),
            json!({ "role": "accountant" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["role"], "accountant");
    // Nobody creates a platform admin through the API; unknown roles are a field error.
    let r = app
        .post(
            "/api/tenants/users/",
            Some(&admin),
            json!({ "email": "pa@example.com", "role": "platform_admin" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/tenants/users/",
            Some(&admin),
            json!({ "email": "pa@example.com", "role": "root" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["role"].is_array());
    // Only the tenant admin renames the firm; the plan is the platform's.
    let firm = app.get("/api/tenants/", Some(&admin)).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.patch(
            &format!("/api/tenants/{firm}/"),
            Some(&firm_admin),
            json!({ "name": "X" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .patch(
            &format!("/api/tenants/{firm}/"),
            Some(&admin),
            json!({ "name": "Renamed Firm" }),
        )
        .await;
    assert_eq!(r.body["name"], "Renamed Firm");
    assert_eq!(
        app.patch(
            &format!("/api/tenants/{firm}/"),
            Some(&admin),
            json!({ "plan": "enterprise" })
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Extra permissions widen one user's rights, by name.
    let (_, staff_user) = app.invite(&admin, "staff2@example.com", "staff").await;
    let sid = staff_user["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/tenants/users/{sid}/"),
            Some(&admin),
            json!({ "permissions": ["users.view"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let staff2 = app.sign_in("staff2@example.com").await;
    assert_eq!(
        app.get("/api/tenants/users/", Some(&staff2)).await.status,
        StatusCode::OK
    );
    let r = app
        .patch(
            &format!("/api/tenants/users/{sid}/"),
            Some(&admin),
            json!({ "permissions": ["everything"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
on_every_backend!(roles_on_every_backend, roles_decide_what_each_user_may_do);

async fn users_limited_to_some_companies_see_only_those(app: TestApp) {
    let (admin, _, admin_user) = app.register("lim@example.com", "Limits Firm").await;
    let first = admin_user["default_company"].as_str().unwrap().to_owned();
    let second = app.add_company(&admin, "Client B").await;
    let r = app
        .post("/api/tenants/users/", Some(&admin), json!({ "email": "b@example.com", "role": "accountant", "password": STRONG_PASSWORD, "companies": [second] }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["all_companies"], false);
    let b = app.sign_in("b@example.com").await;
    let list = app.get("/api/tenants/companies/", Some(&b)).await;
    assert_eq!(list.body["count"], 1);
    assert_eq!(list.body["results"][0]["id"], second.as_str());
    assert_eq!(
        app.get(&format!("/api/tenants/companies/{first}/"), Some(&b))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .request(
            Method::GET,
            "/api/accounting/chart-of-accounts/",
            Some(&b),
            None,
            &[("x-company-id", &first)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Without the header they land in the company they may see.
    let r = app
        .get("/api/accounting/chart-of-accounts/?page_size=1", Some(&b))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["results"][0]["company"], second.as_str());
}
on_every_backend!(
    company_limits_on_every_backend,
    users_limited_to_some_companies_see_only_those
);

async fn another_firm_gets_404_on_every_object_of_the_first(app: TestApp) {
    let (a, _, a_user) = app.register("a@first.example", "First Firm").await;
    let (b, _, _) = app.register("b@second.example", "Second Firm").await;
    let firm = a_user["tenant"].as_str().unwrap();
    let company = a_user["default_company"].as_str().unwrap();
    let user = a_user["id"].as_str().unwrap();
    let account = app
        .get("/api/accounting/chart-of-accounts/?page_size=1", Some(&a))
        .await
        .body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let urls = [
        format!("/api/tenants/{firm}/"),
        format!("/api/tenants/companies/{company}/"),
        format!("/api/tenants/users/{user}/"),
        format!("/api/accounting/chart-of-accounts/{account}/"),
    ];
    for url in &urls {
        assert_eq!(
            app.get(url, Some(&a)).await.status,
            StatusCode::OK,
            "owner cannot read {url}"
        );
        let r = app.get(url, Some(&b)).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{url} leaked to another firm: {}",
            r.body
        );
        assert_eq!(r.body["detail"], "Not found.");
        let r = app.patch(url, Some(&b), json!({ "name": "hijacked" })).await;
        assert!(
            matches!(r.status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED),
            "{url}: {}",
            r.status
        );
    }
    for action in ["deactivate", "activate"] {
        let r = app
            .post(&format!("/api/tenants/users/{user}/{action}/"), Some(&b), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // Nor through the company header.
    let r = app
        .request(
            Method::GET,
            "/api/accounting/chart-of-accounts/",
            Some(&b),
            None,
            &[("x-company-id", company)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Lists never include the other firm.
    assert_eq!(app.get("/api/tenants/", Some(&b)).await.body["count"], 1);
    assert_eq!(app.get("/api/tenants/companies/", Some(&b)).await.body["count"], 1);
    let users = app.get("/api/tenants/users/", Some(&b)).await;
    assert_eq!(users.body["count"], 1);
    assert_eq!(users.body["results"][0]["email"], "b@second.example");
    // And the owner's data is untouched.
    assert_eq!(
        app.get(&format!("/api/tenants/companies/{company}/"), Some(&a))
            .await
            .body["name"],
        "First Firm"
    );
}
on_every_backend!(
    tenant_isolation_on_every_backend,
    another_firm_gets_404_on_every_object_of_the_first
);

async fn invited_users_get_a_temporary_password_when_none_is_given(app: TestApp) {
    let (admin, _, _) = app.register("inv@example.com", "Invite Firm").await;
    let r = app
        .post(
            "/api/tenants/users/",
            Some(&admin),
            json!({ "email": "new@example.com", "role": "cfo", "first_name": "New" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let temp = r.body["temporary_password"].as_str().unwrap();
    assert_eq!(app.login("new@example.com", temp).await.status, StatusCode::OK);
    let listed = app.get("/api/tenants/users/?role=cfo", Some(&admin)).await;
    assert_eq!(listed.body["count"], 1);
    assert!(listed.body["results"][0].get("temporary_password").is_none());
    assert!(listed.body["results"][0].get("password_hash").is_none());
}
on_every_backend!(
    invites_on_every_backend,
    invited_users_get_a_temporary_password_when_none_is_given
);

async fn a_deactivated_company_is_read_only(app: TestApp) {
    let (admin, _, user) = app.register("ro@example.com", "Read Only Firm").await;
    let company = user["default_company"].as_str().unwrap().to_owned();
    let r = app
        .patch(
            &format!("/api/tenants/companies/{company}/"),
            Some(&admin),
            json!({ "is_active": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let chart = app
        .get("/api/accounting/chart-of-accounts/?page_size=1", Some(&admin))
        .await;
    assert_eq!(chart.status, StatusCode::OK, "reading stays possible");
    let r = app
        .post(
            "/api/accounting/chart-of-accounts/",
            Some(&admin),
            json!({ "code": "9999", "name": "X", "type": "asset" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body["non_field_errors"][0]
            .as_str()
            .unwrap_or("")
            .contains("deactivated")
    );
    let r = app
        .patch(
            &format!("/api/tenants/companies/{company}/"),
            Some(&admin),
            json!({ "is_active": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post(
            "/api/accounting/chart-of-accounts/",
            Some(&admin),
            json!({ "code": "9999", "name": "X", "type": "asset" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}
on_every_backend!(deactivated_company_on_every_backend, a_deactivated_company_is_read_only);

//! DRF's conventions on the firm's own records (the firm, its companies, its users): an id the
//! caller cannot see, in another firm or out of their companies, answers 404 for every method
//! and any body; `PUT` replaces and needs what a create needs; the permission is checked before
//! the body.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{COMPANIES, Firm, STRONG_PASSWORD, USERS, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

/// Sends `body` as it is, with `content_type`, as `firm`'s user; the status.
async fn status_of(firm: &Firm, method: Method, path: &str, content_type: &str, body: &str) -> StatusCode {
    let r = firm
        .raw(method, path)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    r.status()
}

/// Each method on `path` with a valid body, a mistyped one, broken JSON, a non-JSON body and no
/// body: each answers `expected`.
async fn every_body(firm: &Firm, path: &str, valid: &Value, methods: &[Method], expected: StatusCode) {
    let bodies = [
        ("application/json", valid.to_string()),
        (
            "application/json",
            json!({ "name": 5, "email": [], "role": {}, "companies": "all" }).to_string(),
        ),
        ("application/json", "{\"name\": ".to_owned()),
        ("text/plain", "not json at all".to_owned()),
        ("application/json", String::new()),
    ];
    for method in methods {
        for (content_type, body) in &bodies {
            let status = status_of(firm, method.clone(), path, content_type, body).await;
            assert_eq!(status, expected, "{method} {path} with {content_type} {body:?}");
        }
    }
}

/// A firm administrator limited to the firm's first company, signed in.
async fn limited_admin(app: &TestApp, owner: &Firm, company: &str) -> Firm {
    let r = owner
        .post(
            USERS,
            json!({ "email": "limited@platform.test", "role": "firm_admin", "password": STRONG_PASSWORD,
                    "companies": [company], "all_companies": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    Firm {
        token: app.sign_in("limited@platform.test").await,
        user_id: id(&r.body).to_owned(),
        ..owner.clone()
    }
}

async fn ids_the_caller_cannot_see_are_404_whatever_the_body(app: TestApp) {
    let mine = Firm::register(&app, "owner@mine.platform.test", "Mine Firm").await;
    let theirs = Firm::register(&app, "owner@theirs.platform.test", "Theirs Firm").await;
    let (_, theirs_user) = app.invite(&theirs.token, "staff@theirs.platform.test", "staff").await;
    let their_firm = theirs.get("/api/tenants/").await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let their_company = theirs.get(COMPANIES).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let edits = [Method::GET, Method::PUT, Method::PATCH];
    let valid_company = json!({ "name": "Hijacked Co" });
    let valid_user = json!({ "email": "staff@theirs.platform.test", "role": "accountant" });

    // Another firm's firm, company and user.
    every_body(
        &mine,
        &format!("/api/tenants/{their_firm}/"),
        &json!({ "name": "Hijacked" }),
        &[Method::GET, Method::PATCH],
        StatusCode::NOT_FOUND,
    )
    .await;
    every_body(
        &mine,
        &format!("{COMPANIES}{their_company}/"),
        &valid_company,
        &edits,
        StatusCode::NOT_FOUND,
    )
    .await;
    let user_path = format!("{USERS}{}/", id(&theirs_user));
    every_body(&mine, &user_path, &valid_user, &edits, StatusCode::NOT_FOUND).await;
    for verb in ["deactivate", "activate"] {
        every_body(
            &mine,
            &format!("{user_path}{verb}/"),
            &json!({}),
            &[Method::POST],
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // Another company of the same firm, and a user of it, for an administrator limited to the
    // first company.
    let first = mine.get(COMPANIES).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sister = mine.new_company("Sister Co", "USD").await;
    let sister_id = sister.company.clone().unwrap();
    let sister_user = mine
        .create(
            USERS,
            json!({ "email": "sister@mine.platform.test", "role": "accountant", "password": STRONG_PASSWORD,
                    "companies": [sister_id], "all_companies": false }),
        )
        .await;
    let limited = limited_admin(&app, &mine, &first).await;
    every_body(
        &limited,
        &format!("{COMPANIES}{sister_id}/"),
        &valid_company,
        &edits,
        StatusCode::NOT_FOUND,
    )
    .await;
    let sister_path = format!("{USERS}{}/", id(&sister_user));
    every_body(
        &limited,
        &sister_path,
        &json!({ "email": "sister@mine.platform.test", "role": "staff" }),
        &[Method::PUT, Method::PATCH],
        StatusCode::NOT_FOUND,
    )
    .await;
    every_body(
        &limited,
        &format!("{sister_path}deactivate/"),
        &json!({}),
        &[Method::POST],
        StatusCode::NOT_FOUND,
    )
    .await;

    // Ids that are not UUIDs name nothing either.
    for path in [
        "/api/tenants/nope/",
        "/api/tenants/companies/nope/",
        "/api/tenants/users/nope/",
    ] {
        every_body(
            &mine,
            path,
            &valid_company,
            &[Method::GET, Method::PATCH],
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // Untouched, as their owners see them.
    let r = theirs.get(&format!("{COMPANIES}{their_company}/")).await;
    assert_eq!(r.body["name"], "Theirs Firm", "{}", r.body);
    let r = theirs.get(&user_path).await;
    assert_eq!(
        (r.body["role"].clone(), r.body["is_active"].clone()),
        (json!("staff"), json!(true))
    );
    assert_eq!(
        theirs.get(&format!("/api/tenants/{their_firm}/")).await.body["name"],
        "Theirs Firm"
    );
    let r = mine.get(&sister_path).await;
    assert_eq!(
        (r.body["role"].clone(), r.body["is_active"].clone()),
        (json!("accountant"), json!(true))
    );
    assert_eq!(
        sister.get(&format!("{COMPANIES}{sister_id}/")).await.body["name"],
        "Sister Co"
    );
}
on_every_backend!(
    invisible_firm_records_are_404,
    ids_the_caller_cannot_see_are_404_whatever_the_body
);

async fn put_replaces_a_company(app: TestApp) {
    let firm = Firm::register(&app, "owner@put-company.test", "Put Company Firm").await;
    let created = firm
        .create(
            COMPANIES,
            json!({ "name": "Branch", "currency": "EUR", "timezone": "Europe/Paris", "tax_id": "FR1" }),
        )
        .await;
    let path = format!("{COMPANIES}{}/", id(&created));
    let r = firm
        .put(
            &path,
            json!({ "name": "Branch Office", "address": "1 Rue de Rivoli", "currency": "CHF" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["name"].clone(),
            r.body["address"].clone(),
            r.body["currency"].clone()
        ),
        (json!("Branch Office"), json!("1 Rue de Rivoli"), json!("CHF"))
    );
    assert_eq!(firm.get(&path).await.body["name"], "Branch Office");
    // PUT needs what a create needs, and a refused PUT changes nothing.
    assert_fields(&firm.put(&path, json!({ "address": "elsewhere" })).await, &["name"]);
    assert_fields(&firm.put(&path, json!({ "name": " " })).await, &["name"]);
    assert_fields(
        &firm.put(&path, json!({ "name": "X", "currency": "euro" })).await,
        &["currency"],
    );
    let r = firm.get(&path).await;
    assert_eq!(
        (r.body["name"].clone(), r.body["address"].clone()),
        (json!("Branch Office"), json!("1 Rue de Rivoli"))
    );
    // A company with entries keeps its currency through PUT too.
    let branch = firm.new_company("Books Co", "USD").await;
    branch
        .posted(branch.transfer("2026-03-01", "1010", "4100", "10.00"))
        .await;
    let branch_path = format!("{COMPANIES}{}/", branch.company.clone().unwrap());
    assert_fields(
        &firm
            .put(&branch_path, json!({ "name": "Books Co", "currency": "JPY" }))
            .await,
        &["currency"],
    );
    // PATCH stays partial.
    let r = firm.patch(&path, json!({ "tax_id": "CH9" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["name"].clone(), r.body["tax_id"].clone()),
        (json!("Branch Office"), json!("CH9"))
    );
}
on_every_backend!(put_replaces_a_company_on_every_backend, put_replaces_a_company);

async fn put_replaces_a_user(app: TestApp) {
    let owner = Firm::register(&app, "owner@put-user.test", "Put User Firm").await;
    let (_, user) = app.invite(&owner.token, "clerk@put-user.test", "staff").await;
    let path = format!("{USERS}{}/", id(&user));
    let r = owner
        .put(
            &path,
            json!({ "email": "Clerk@Put-User.test", "role": "accountant", "first_name": "Cle", "last_name": "Rk" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["role"].clone(),
            r.body["first_name"].clone(),
            r.body["email"].clone()
        ),
        (json!("accountant"), json!("Cle"), json!("clerk@put-user.test"))
    );
    // The e-mail is required, as on invitation, and stays the user's own.
    assert_fields(&owner.put(&path, json!({ "role": "cfo" })).await, &["email"]);
    assert_fields(
        &owner
            .put(&path, json!({ "email": "someone@else.test", "role": "cfo" }))
            .await,
        &["non_field_errors"],
    );
    let r = owner.get(&path).await;
    assert_eq!(
        (r.body["role"].clone(), r.body["email"].clone()),
        (json!("accountant"), json!("clerk@put-user.test")),
        "a refused PUT changes nothing"
    );
    // PATCH stays partial; the user's own e-mail sent back unchanged is no change.
    let r = owner.patch(&path, json!({ "last_name": "Clerk" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["first_name"].clone(), r.body["role"].clone()),
        (json!("Cle"), json!("accountant"))
    );
    let r = owner
        .patch(&path, json!({ "email": "clerk@put-user.test", "first_name": "C" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
on_every_backend!(put_replaces_a_user_on_every_backend, put_replaces_a_user);

async fn permission_is_checked_before_the_body(app: TestApp) {
    let owner = Firm::register(&app, "owner@perm.platform.test", "Perm Firm").await;
    let staff = owner.invite(&app, "staff@perm.platform.test", "staff").await;
    let company = owner.get(COMPANIES).await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let firm = owner.get("/api/tenants/").await.body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let junk = [("application/json", "{\"name\": 5"), ("text/plain", "junk")];
    for (content_type, body) in junk {
        for (method, path) in [
            (Method::POST, COMPANIES.to_owned()),
            (Method::PUT, format!("{COMPANIES}{company}/")),
            (Method::PATCH, format!("{COMPANIES}{company}/")),
            (Method::POST, USERS.to_owned()),
            (Method::PUT, format!("{USERS}{}/", owner.user_id)),
            (Method::PATCH, format!("{USERS}{}/", owner.user_id)),
            (Method::PATCH, format!("/api/tenants/{firm}/")),
            (Method::PATCH, "/api/accounting/periods/".to_owned()),
            (Method::POST, "/api/accounting/periods/close/".to_owned()),
        ] {
            let status = status_of(&staff, method.clone(), &path, content_type, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} with {body:?}");
        }
    }
    // A signed-in user needs no permission for their own record; a bad body is theirs to fix.
    let status = status_of(&staff, Method::PATCH, "/api/auth/me/", "text/plain", "junk").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        owner.get(&format!("{COMPANIES}{company}/")).await.body["name"],
        "Perm Firm"
    );
}
on_every_backend!(permission_before_body, permission_is_checked_before_the_body);

//! Security review: role escalation through user management, stale user rows written back by
//! login, unchecked references in user records, and isolation between the companies of one firm
//! (which share one database, so only `company_id` conditions keep them apart).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{
    ACCOUNTS, AUDIT_LOG, BULK, ENTRIES, Firm, GENERAL_LEDGER, PERIODS, STRONG_PASSWORD, USERS, assert_field_error, id,
    tb_row, tb_totals,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

// ---------------------------------------------------------------------------------------------
// Role escalation

/// A firm administrator may not manage the firm (`firm.manage` is the tenant administrator's),
/// so they may not hand that permission to anyone either: through a user they create, or by
/// patching a user they manage. Otherwise they invite a helper and act above their role.
async fn permissions_cannot_be_granted_above_the_granters_own(app: TestApp) {
    let (owner, _, owner_user) = app.register("owner@example.com", "Grant Firm").await;
    let tenant = owner_user["tenant"]
        .as_str()
        .or_else(|| owner_user["tenant_id"].as_str())
        .map(str::to_owned);
    let (firm_admin, _) = app.invite(&owner, "fa@example.com", "firm_admin").await;

    // The firm administrator cannot rename the firm themselves…
    if let Some(t) = tenant.as_deref() {
        let own = app
            .patch(
                &format!("/api/tenants/{t}/"),
                Some(&firm_admin),
                json!({ "name": "Mine" }),
            )
            .await;
        assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    }

    // …so they may not create a user who can.
    let created = app
        .post(
            USERS,
            Some(&firm_admin),
            json!({ "email": "helper@example.com", "role": "staff", "password": STRONG_PASSWORD,
                    "permissions": ["firm.manage"] }),
        )
        .await;
    let helper_exists = created.status == StatusCode::CREATED;
    if helper_exists && let Some(t) = tenant.as_deref() {
        // Show the consequence: the helper renames the firm.
        let helper = app.sign_in("helper@example.com").await;
        let renamed = app
            .patch(&format!("/api/tenants/{t}/"), Some(&helper), json!({ "name": "Taken" }))
            .await;
        assert_ne!(
            renamed.status,
            StatusCode::OK,
            "a staff user created by a firm_admin with firm.manage renamed the firm"
        );
    }
    assert!(
        created.status == StatusCode::FORBIDDEN || created.status == StatusCode::BAD_REQUEST,
        "a firm_admin granted firm.manage on invite: {} {}",
        created.status,
        created.body
    );

    // The same through PATCH on a user the firm administrator manages.
    let (_, staff) = app.invite(&owner, "staff@example.com", "staff").await;
    let patched = app
        .patch(
            &format!("{USERS}{}/", staff["id"].as_str().unwrap()),
            Some(&firm_admin),
            json!({ "permissions": ["firm.manage"] }),
        )
        .await;
    assert!(
        patched.status == StatusCode::FORBIDDEN || patched.status == StatusCode::BAD_REQUEST,
        "a firm_admin granted firm.manage by PATCH: {} {}",
        patched.status,
        patched.body
    );
    // A permission the granter holds by role stays grantable.
    let ok = app
        .patch(
            &format!("{USERS}{}/", staff["id"].as_str().unwrap()),
            Some(&firm_admin),
            json!({ "permissions": ["entries.post"] }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}
on_every_backend!(
    permissions_cannot_be_granted_above_the_granters_own_on_every_backend,
    permissions_cannot_be_granted_above_the_granters_own
);

// ---------------------------------------------------------------------------------------------
// Stale writes: login reads the user, spends an Argon2 verification, then writes the whole row
// back (role, is_active, token_version, companies…). An administrator's change in between is lost.

/// A deactivation made while the user's own login is being verified must stick, and the login
/// must not hand out working tokens. Tried a few times, since it is a race; with the bug it shows
/// on the first attempts (Argon2 takes tens of milliseconds, the deactivation a few).
async fn login_does_not_undo_a_concurrent_deactivation(app: TestApp) {
    let (owner, _, _) = app.register("boss@example.com", "Race Firm").await;
    let (_, user) = app.invite(&owner, "racer@example.com", "accountant").await;
    let uid = user["id"].as_str().unwrap().to_owned();
    for attempt in 0..8 {
        let activated = app
            .post(&format!("{USERS}{uid}/activate/"), Some(&owner), json!({}))
            .await;
        assert_eq!(activated.status, StatusCode::OK, "{}", activated.body);
        let login = app.login("racer@example.com", STRONG_PASSWORD);
        let deactivate = async {
            tokio::time::sleep(Duration::from_millis(5 + 3 * attempt)).await;
            app.post(&format!("{USERS}{uid}/deactivate/"), Some(&owner), json!({}))
                .await
        };
        let (login, deactivated) = tokio::join!(login, deactivate);
        assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
        let now = app.get(&format!("{USERS}{uid}/"), Some(&owner)).await;
        assert_eq!(
            now.body["is_active"], false,
            "attempt {attempt}: a login racing the deactivation wrote is_active back to true"
        );
        if login.status == StatusCode::OK {
            let access = login.body["tokens"]["access"].as_str().unwrap();
            let me = app.get("/api/auth/me/", Some(access)).await;
            assert_ne!(
                me.status,
                StatusCode::OK,
                "attempt {attempt}: a deactivated user's token works"
            );
            let refresh = login.body["tokens"]["refresh"].as_str().unwrap();
            let r = app
                .post("/api/auth/token/refresh/", None, json!({ "refresh": refresh }))
                .await;
            assert_ne!(
                r.status,
                StatusCode::OK,
                "attempt {attempt}: refresh after deactivation"
            );
        }
    }
}
on_every_backend!(
    login_does_not_undo_a_concurrent_deactivation_on_every_backend,
    login_does_not_undo_a_concurrent_deactivation
);

/// Same race, on the role: a demotion made during the user's login must stick.
async fn login_does_not_undo_a_concurrent_demotion(app: TestApp) {
    let (owner, _, _) = app.register("chief@example.com", "Demote Firm").await;
    let (_, user) = app.invite(&owner, "demoted@example.com", "cfo").await;
    let path = format!("{USERS}{}/", user["id"].as_str().unwrap());
    for attempt in 0..8 {
        let up = app.patch(&path, Some(&owner), json!({ "role": "cfo" })).await;
        assert_eq!(up.status, StatusCode::OK, "{}", up.body);
        let login = app.login("demoted@example.com", STRONG_PASSWORD);
        let demote = async {
            tokio::time::sleep(Duration::from_millis(5 + 3 * attempt)).await;
            app.patch(&path, Some(&owner), json!({ "role": "staff" })).await
        };
        let (_, demoted) = tokio::join!(login, demote);
        assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);
        let now = app.get(&path, Some(&owner)).await;
        assert_eq!(
            now.body["role"], "staff",
            "attempt {attempt}: a login racing the demotion wrote the old role back"
        );
    }
}
on_every_backend!(
    login_does_not_undo_a_concurrent_demotion_on_every_backend,
    login_does_not_undo_a_concurrent_demotion
);

// ---------------------------------------------------------------------------------------------
// References in user records

/// `default_company` on invite and on PATCH must name a company of the firm the target may see;
/// an unknown id (here: another firm's company) is stored as is, and the user then gets 404 on
/// every request without `X-Company-Id` (the fallback to the first visible company is skipped).
async fn default_company_must_be_one_of_the_firms(app: TestApp) {
    let (owner, _, _) = app.register("dc@example.com", "Default Firm").await;
    let other = Firm::register(&app, "other@example.com", "Other Firm").await;
    let foreign = other.get(ACCOUNTS).await.body["results"][0]["company"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());

    let (staff_token, staff) = app.invite(&owner, "dc-staff@example.com", "accountant").await;
    let patched = app
        .patch(
            &format!("{USERS}{}/", staff["id"].as_str().unwrap()),
            Some(&owner),
            json!({ "default_company": foreign }),
        )
        .await;
    let locked_out = app.get(ACCOUNTS, Some(&staff_token)).await;
    assert_eq!(
        patched.status,
        StatusCode::BAD_REQUEST,
        "PATCH default_company accepted another firm's company ({}); the user now gets {} on {ACCOUNTS}",
        patched.body,
        locked_out.status
    );
    assert_eq!(locked_out.status, StatusCode::OK);

    let created = app
        .post(
            USERS,
            Some(&owner),
            json!({ "email": "dc-new@example.com", "role": "staff", "password": STRONG_PASSWORD,
                    "default_company": uuid::Uuid::new_v4() }),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::BAD_REQUEST,
        "invite accepted an unknown default_company: {}",
        created.body
    );
}
on_every_backend!(
    default_company_must_be_one_of_the_firms_on_every_backend,
    default_company_must_be_one_of_the_firms
);

// ---------------------------------------------------------------------------------------------
// Companies of one firm share a database: every id from the request needs its company condition.

async fn companies_of_one_firm_do_not_share_ids(app: TestApp) {
    let a = Firm::register(&app, "multi@example.com", "Multi Firm").await;
    let b = a.new_company("Sister Co", "USD").await;
    let posted_a = a.posted(a.transfer("2026-03-01", "1010", "4100", "10.00")).await;

    // Lines on an account of the sister company.
    let r = b
        .post(
            ENTRIES,
            json!({ "date": "2026-03-01", "lines": [
                { "account": a.acct("1010"), "debit_amount": "5.00" },
                { "account": b.acct("4100"), "credit_amount": "5.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines[0].account");
    // A draft of B edited to use A's account.
    let draft = b.draft(b.transfer("2026-03-02", "1010", "4100", "1.00")).await;
    let r = b
        .patch(
            &format!("{ENTRIES}{}/", id(&draft)),
            json!({ "date": "2026-03-02", "lines": [
                { "account": b.acct("1010"), "debit_amount": "1.00" },
                { "account": a.acct("4100"), "credit_amount": "1.00" },
            ] }),
        )
        .await;
    assert_field_error(&r, "lines[1].account");
    // A parent from the sister company.
    let r = b
        .post(
            ACCOUNTS,
            json!({ "code": "1999", "name": "Child", "type": "asset", "parent": a.acct("1010") }),
        )
        .await;
    assert_field_error(&r, "parent");
    let mine = b
        .post(ACCOUNTS, json!({ "code": "1998", "name": "Mine", "type": "asset" }))
        .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.body);
    let r = b
        .patch(
            &format!("{ACCOUNTS}{}/", id(&mine.body)),
            json!({ "parent": a.acct("1010") }),
        )
        .await;
    assert_field_error(&r, "parent");
    // The sister company's accounts and entries by id.
    for path in [
        format!("{ACCOUNTS}{}/", a.acct("1010")),
        format!("{ENTRIES}{}/", id(&posted_a)),
    ] {
        assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(b.delete(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        b.patch(&format!("{ACCOUNTS}{}/", a.acct("1010")), json!({ "is_active": false }))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for verb in ["post", "approve", "cancel", "reverse"] {
        let r = b.verb(id(&posted_a), verb).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{verb}: {}", r.body);
    }
    // Filters and reports by the sister company's ids find nothing.
    assert_field_error(
        &b.get(&format!("{GENERAL_LEDGER}?account={}", a.acct("1010"))).await,
        "account",
    );
    assert_eq!(b.entry_count(&format!("account={}", a.acct("1010"))).await, 0);
    assert_eq!(
        b.get(&format!("{AUDIT_LOG}?object_id={}", id(&posted_a))).await.body["count"],
        0
    );
    assert_eq!(
        b.get(&format!("{ACCOUNTS}?parent={}", a.acct("1000"))).await.body["count"],
        0
    );
    // A is untouched.
    assert_eq!(
        a.get(&format!("{ENTRIES}{}/", id(&posted_a))).await.body["reversed_by"],
        Value::Null
    );
    assert_eq!(
        a.get(&format!("{ACCOUNTS}{}/", a.acct("1010"))).await.body["is_active"],
        true
    );
}
on_every_backend!(
    companies_of_one_firm_do_not_share_ids_on_every_backend,
    companies_of_one_firm_do_not_share_ids
);

/// A user limited to one company cannot select another with `X-Company-Id`, see it in lists,
/// make it their default, or hand it to a user they invite.
async fn a_limited_user_stays_in_their_company(app: TestApp) {
    let a = Firm::register(&app, "lim@example.com", "Limited Firm").await;
    let b = a.new_company("Hidden Co", "USD").await;
    let a_company = a.get(ACCOUNTS).await.body["results"][0]["company"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_company = b.company.clone().unwrap();
    let created = app
        .post(
            USERS,
            Some(&a.token),
            json!({ "email": "lim-fa@example.com", "role": "firm_admin", "password": STRONG_PASSWORD,
                    "companies": [a_company], "all_companies": false }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = app.sign_in("lim-fa@example.com").await;

    for path in [ACCOUNTS, ENTRIES, "/api/accounting/audit-log/"] {
        let r = app
            .request(Method::GET, path, Some(&token), None, &[("x-company-id", &b_company)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    let r = app
        .get(&format!("/api/tenants/companies/{b_company}/"), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .patch(
            &format!("/api/tenants/companies/{b_company}/"),
            Some(&token),
            json!({ "name": "Owned" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/tenants/companies/", Some(&token)).await;
    assert_eq!(list.body["count"], 1, "{}", list.body);
    let me = app
        .patch("/api/auth/me/", Some(&token), json!({ "default_company": b_company }))
        .await;
    assert_eq!(me.status, StatusCode::BAD_REQUEST, "{}", me.body);
    // Nor can they invite someone into the hidden company, or give them every company.
    let r = app
        .post(
            USERS,
            Some(&token),
            json!({ "email": "lim-x@example.com", "role": "staff", "password": STRONG_PASSWORD,
                    "companies": [b_company] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .post(
            USERS,
            Some(&token),
            json!({ "email": "lim-y@example.com", "role": "staff", "password": STRONG_PASSWORD,
                    "all_companies": true }),
        )
        .await;
    if r.status == StatusCode::CREATED {
        assert_eq!(r.body["all_companies"], false, "{}", r.body);
    }
    // A tenant admin's role is above theirs.
    let r = app
        .patch(
            &format!("{USERS}{}/", a.user_id),
            Some(&token),
            json!({ "role": "staff" }),
        )
        .await;
    // Refused: the tenant admin is out of a company-limited admin's reach (404) and above them.
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.body
    );
    let r = app
        .post(
            USERS,
            Some(&token),
            json!({ "email": "lim-z@example.com", "role": "tenant_admin", "password": STRONG_PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
on_every_backend!(
    a_limited_user_stays_in_their_company_on_every_backend,
    a_limited_user_stays_in_their_company
);

// ---------------------------------------------------------------------------------------------
// Hostile input: no 500s

async fn hostile_input_is_refused_without_a_500(app: TestApp) {
    let a = Firm::register(&app, "hostile@example.com", "Hostile Firm").await;
    a.posted(a.transfer("2026-03-01", "1010", "4100", "10.00")).await;
    let cash = a.acct("1010");
    let paths = [
        format!("{ENTRIES}?page=18446744073709551615"),
        format!("{ENTRIES}?page=9223372036854775808&page_size=200"),
        format!("{ENTRIES}?page=-1"),
        format!("{ENTRIES}?ordering=number;DROP TABLE accounts"),
        format!("{ENTRIES}?ordering=(SELECT 1)"),
        format!("{ENTRIES}?search=%25%5C_%27%22"),
        format!("{ENTRIES}?date_from=9999-12-31&date_to=-009999-01-01"),
        format!("{ACCOUNTS}?search=%5C"),
        format!("{GENERAL_LEDGER}?account={cash}&date_from=9999-12-31&date_to=9999-12-31"),
        format!("{GENERAL_LEDGER}?account={cash}&date_from=-009999-01-01&date_to=9999-12-31"),
        format!("{GENERAL_LEDGER}?account={cash}&page=18446744073709551615"),
        "/api/reports/trial-balance/?as_of=9999-12-31".to_owned(),
        "/api/reports/trial-balance/?as_of=-009999-01-01".to_owned(),
        format!("{AUDIT_LOG}?page=18446744073709551615"),
        "/api/tenants/users/?page=18446744073709551615".to_owned(),
        "/api/tenants/?page=18446744073709551615".to_owned(),
    ];
    for path in &paths {
        let r = a.get(path).await;
        assert!(r.status.as_u16() < 500, "{path}: {} {}", r.status, r.body);
    }
    // Escaped LIKE: `%` searches for a literal percent sign, so matches nothing here.
    assert_eq!(a.get(&format!("{ACCOUNTS}?search=%25")).await.body["count"], 0);
    assert_eq!(a.get(&format!("{ACCOUNTS}?search=_")).await.body["count"], 0);

    let bodies = [
        json!({ "date": "9999-12-31", "lines": [
            { "account": cash, "debit_amount": "1.00" },
            { "account": a.acct("4100"), "credit_amount": "1.00" } ] }),
        json!({ "date": "2026-03-01", "lines": [
            { "account": cash, "debit_amount": "99999999999999999999999999999" },
            { "account": a.acct("4100"), "credit_amount": "99999999999999999999999999999" } ] }),
        json!({ "date": "2026-03-01", "lines": [
            { "account": cash, "debit_amount": 1e308 },
            { "account": a.acct("4100"), "credit_amount": -1e308 } ] }),
        json!({ "date": "2026-03-01", "lines": [
            { "account": cash, "debit_amount": "9999999999999.99", "currency": "EUR", "exchange_rate": "99999999999" },
            { "account": a.acct("4100"), "credit_amount": "1.00" } ] }),
        json!({ "date": "2026-03-01", "lines": [
            { "account": cash, "debit_amount": "-0.00" },
            { "account": a.acct("4100"), "credit_amount": "0.001" } ] }),
    ];
    for body in bodies {
        let r = a.post(ENTRIES, body.clone()).await;
        assert!(r.status.as_u16() < 500, "{body}: {} {}", r.status, r.body);
    }
    let r = a
        .post(
            &format!("{}bulk/", ENTRIES),
            json!({ "entries": [a.transfer("9999-12-31", "1010", "4100", "1.00")] }),
        )
        .await;
    assert!(r.status.as_u16() < 500, "{} {}", r.status, r.body);
    for verb in ["close", "reopen", "year-end"] {
        let r = a
            .post(
                &format!("/api/accounting/periods/{verb}/"),
                json!({ "date": "9999-12-31" }),
            )
            .await;
        assert!(r.status.as_u16() < 500, "{verb}: {} {}", r.status, r.body);
    }
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = a
        .raw(Method::POST, ENTRIES)
        .header("content-type", "application/json")
        .body(nested)
        .send()
        .await
        .unwrap();
    assert!(r.status().as_u16() < 500, "{}", r.status());
    let r = app
        .request(
            Method::GET,
            ACCOUNTS,
            Some(&a.token),
            None,
            &[("x-company-id", "not-a-uuid")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
on_every_backend!(
    hostile_input_is_refused_without_a_500_on_every_backend,
    hostile_input_is_refused_without_a_500
);

// ---------------------------------------------------------------------------------------------
// Dead tokens

/// Deactivation must end the sessions for good: the access token of a deactivated user must not
/// come back to life when an administrator reactivates the account (within the token's TTL).
async fn reactivation_does_not_revive_old_tokens(app: TestApp) {
    let (owner, _, _) = app.register("rev@example.com", "Revive Firm").await;
    let (old_access, user) = app.invite(&owner, "fired@example.com", "accountant").await;
    let uid = user["id"].as_str().unwrap();
    assert_eq!(app.get("/api/auth/me/", Some(&old_access)).await.status, StatusCode::OK);
    let r = app
        .post(&format!("{USERS}{uid}/deactivate/"), Some(&owner), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(app.get("/api/auth/me/", Some(&old_access)).await.status, StatusCode::OK);
    let r = app
        .post(&format!("{USERS}{uid}/activate/"), Some(&owner), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app.get("/api/auth/me/", Some(&old_access)).await;
    assert_eq!(
        again.status,
        StatusCode::UNAUTHORIZED,
        "an access token issued before the deactivation works again after reactivation"
    );
    // Logging in again works, of course.
    let login = app.login("fired@example.com", STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
}
on_every_backend!(
    reactivation_does_not_revive_old_tokens_on_every_backend,
    reactivation_does_not_revive_old_tokens
);

/// The per-account failure limit is checked before the (slow) password check and counted after
/// it, so parallel guesses all pass the check: the limit must hold under concurrency too.
async fn the_account_failure_limit_holds_under_parallel_guesses(app: TestApp) {
    let (_, _, _) = app.register("guess@example.com", "Guess Firm").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = format!("{}/api/auth/login/", app.base);
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({ "email": "guess@example.com", "password": format!("wrong-guess-{i}") }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    // Sequentially, the limiter does its job: the next guess is refused before any hashing.
    let next = app.login("guess@example.com", "wrong-guess-next").await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS, "{}", next.body);
    let verified = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert!(
        verified <= 3,
        "limit is 3 failures per hour, yet {verified} parallel guesses were checked: {statuses:?}"
    );
}
on_every_backend!(
    the_account_failure_limit_holds_under_parallel_guesses_on_every_backend,
    the_account_failure_limit_holds_under_parallel_guesses,
    |c: &mut oasys::config::Config| c.auth.login_failures_before_delay = 3
);

// ---------------------------------------------------------------------------------------------
// Money changing without an entry

/// Amounts are stored in minor units of the company currency. Changing the currency of a company
/// with postings re-reads every stored amount in other units (USD 10.00 = 1000 cents becomes
/// JPY 1000): the books change value without a single entry. It must be refused.
async fn the_currency_of_a_company_with_postings_cannot_change(app: TestApp) {
    let firm = Firm::register(&app, "ccy@example.com", "Currency Firm").await;
    firm.posted(firm.transfer("2026-03-01", "1010", "4100", "10.00")).await;
    let company = firm.get(ACCOUNTS).await.body["results"][0]["company"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = tb_totals(&firm.trial_balance("2026-12-31").await);
    assert_eq!(before, ("10.00".into(), "10.00".into()));
    let r = firm
        .patch(
            &format!("/api/tenants/companies/{company}/"),
            json!({ "currency": "JPY" }),
        )
        .await;
    let after = tb_totals(&firm.trial_balance("2026-12-31").await);
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "currency changed on a company with postings ({}); the trial balance went from {before:?} to {after:?}",
        r.body
    );
    assert_eq!(after, before);
    // A company without postings may still change its currency.
    let fresh = firm.new_company("Fresh Co", "USD").await;
    let r = fresh
        .patch(
            &format!("/api/tenants/companies/{}/", fresh.company.clone().unwrap()),
            json!({ "currency": "EUR" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
on_every_backend!(
    the_currency_of_a_company_with_postings_cannot_change_on_every_backend,
    the_currency_of_a_company_with_postings_cannot_change
);

// ---------------------------------------------------------------------------------------------
// Overflow of the maintained balances

/// A bulk request of entries that are each valid (under 10^15 minor units) sums, per account and
/// day, past `i64::MAX` in `Batch::add_to_balances` (`t.0 += l.debit`): a panic (500) in debug
/// builds, a silent wrap of the stored balance in release builds. Must be refused (4xx).
async fn bulk_balances_cannot_overflow(app: TestApp) {
    let firm = Firm::register(&app, "ovf@example.com", "Overflow Firm").await;
    let big = "9999999999999.99"; // 999_999_999_999_999 cents: the largest accepted amount
    let one = firm.transfer("2026-03-01", "1010", "4100", big);
    let entries: Vec<Value> = (0..9300).map(|_| one.clone()).collect();
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert!(
        r.status.is_client_error(),
        "9300 × {big} on one account and day: {} {}",
        r.status,
        r.body
    );
    let tb = firm.get("/api/reports/trial-balance/?as_of=2026-12-31").await;
    assert_eq!(tb.status, StatusCode::OK, "{}", tb.body);
}
on_every_backend!(
    bulk_balances_cannot_overflow_on_every_backend,
    bulk_balances_cannot_overflow
);

/// The same total spread over two days fits in each daily row, but the trial balance sums the
/// rows in SQL (`SUM(b.debit)`): SQLite raises "integer overflow", PostgreSQL returns a numeric
/// that does not read as i64 — a 500 on every trial balance of the company from then on.
/// Postings that take an account's balance out of range must be refused instead.
async fn balances_summed_over_days_cannot_overflow(app: TestApp) {
    let firm = Firm::register(&app, "ovf2@example.com", "Overflow Days").await;
    let big = "9999999999999.99";
    let mut statuses = Vec::new();
    for day in ["2026-03-01", "2026-03-02"] {
        let one = firm.transfer(day, "1010", "4100", big);
        let entries: Vec<Value> = (0..5000).map(|_| one.clone()).collect();
        let r = firm.post(BULK, json!({ "entries": entries })).await;
        assert!(r.status.as_u16() < 500, "{day}: {} {}", r.status, r.body);
        statuses.push(r.status);
    }
    for path in [
        "/api/reports/trial-balance/?as_of=2026-12-31".to_owned(),
        format!(
            "{GENERAL_LEDGER}?account={}&date_from=2026-03-03&date_to=2026-12-31",
            firm.acct("1010")
        ),
    ] {
        let r = firm.get(&path).await;
        assert!(
            r.status.as_u16() < 500,
            "after bulk posts {statuses:?}, {path}: {} {}",
            r.status,
            r.body
        );
    }
}
on_every_backend!(
    balances_summed_over_days_cannot_overflow_on_every_backend,
    balances_summed_over_days_cannot_overflow
);

// ---------------------------------------------------------------------------------------------
// Company-limited administrators

/// A firm administrator limited to company A manages users, but only within their reach: a user
/// whose access is company B only (and who is invisible to them in every ledger) must not be
/// deactivated, re-roled or have their company access rewritten by them. Policy question: if
/// firm-wide user management by company-limited admins is intended, delete this test.
async fn a_limited_admin_cannot_manage_users_of_other_companies(app: TestApp) {
    let a = Firm::register(&app, "lim2@example.com", "Two Companies").await;
    let b = a.new_company("Company B", "USD").await;
    let a_company = a.get(ACCOUNTS).await.body["results"][0]["company"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_company = b.company.clone().unwrap();
    let invite = |email: &'static str, role: &'static str, company: String| {
        let app = &app;
        let owner = a.token.clone();
        async move {
            let r = app
                .post(
                    USERS,
                    Some(&owner),
                    json!({ "email": email, "role": role, "password": STRONG_PASSWORD,
                            "companies": [company], "all_companies": false }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body
        }
    };
    invite("admin-a@example.com", "firm_admin", a_company.clone()).await;
    let user_b = invite("user-b@example.com", "accountant", b_company.clone()).await;
    let admin_a = app.sign_in("admin-a@example.com").await;
    let path = format!("{USERS}{}/", user_b["id"].as_str().unwrap());

    let r = app
        .patch(&path, Some(&admin_a), json!({ "companies": [a_company] }))
        .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "an admin of A moved a user of B out of B: {} {}",
        r.status,
        r.body
    );
    let r = app.patch(&path, Some(&admin_a), json!({ "role": "staff" })).await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "an admin of A changed the role of a user of B: {} {}",
        r.status,
        r.body
    );
    let r = app.post(&format!("{path}deactivate/"), Some(&admin_a), json!({})).await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "an admin of A deactivated a user of B: {} {}",
        r.status,
        r.body
    );
}
on_every_backend!(
    a_limited_admin_cannot_manage_users_of_other_companies_on_every_backend,
    a_limited_admin_cannot_manage_users_of_other_companies
);

// ---------------------------------------------------------------------------------------------
// PostgreSQL READ COMMITTED: the year-end close reads the year's result under the books lock,
// but postings take only the chain counter; a posting committed between that read and the
// closing entry is left out, and the year is closed with revenue still on the books.

async fn year_end_closes_every_posting_of_the_year(app: TestApp) {
    let firm = Firm::register(&app, "yerace@example.com", "Year End Race").await;
    firm.posted(firm.transfer("2025-03-01", "1020", "4100", "100.00")).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let f = firm.clone();
        tasks.push(tokio::spawn(async move {
            if i == 8 {
                let r = f
                    .post(&format!("{}year-end/", PERIODS), json!({ "date": "2025-12-31" }))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            } else {
                let r = f
                    .post(
                        BULK,
                        json!({ "entries": [f.transfer("2025-06-01", "1020", "4100", "1.00")] }),
                    )
                    .await;
                assert!(r.status.as_u16() < 500, "{} {}", r.status, r.body);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let tb = firm.trial_balance("2025-12-31").await;
    assert_eq!(
        tb_row(&tb, "4100"),
        Some(("0.00".into(), "0.00".into())),
        "the year is closed, yet revenue of 2025 is left open: {tb}"
    );
}
on_every_backend!(
    year_end_closes_every_posting_of_the_year_on_every_backend,
    year_end_closes_every_posting_of_the_year
);

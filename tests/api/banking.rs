//! Banking over HTTP: bank accounts (create, validation by field with nothing written, IBAN
//! check digits, a GL account of subtype bank only, archive), statement imports (preview writes
//! nothing, commit, re-import and overlapping imports add only new lines, bad files are a 400
//! naming the line and nothing is written), reconciliations (balance check, a second person
//! approves, locked lines, reopen, report), and isolation: another firm's or company's bank
//! account, import or session answers 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::{Firm, PERIODS, Response, assert_fields, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

pub(crate) const ACCOUNTS: &str = "/api/banking/accounts/";
const SESSIONS: &str = "/api/banking/reconciliations/";
const IBAN: &str = "DE89 3704 0044 0532 0130 00";

/// Uploads `file` as `multipart/form-data` with the extra text `fields`.
pub(crate) async fn upload(firm: &Firm, account: &str, file: &[u8], fields: &[(&str, &str)]) -> Response {
    let boundary = "oasys-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"march.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = firm
        .raw(Method::POST, &format!("{ACCOUNTS}{account}/imports/"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    Response::send(req).await
}

pub(crate) async fn bank_account(firm: &Firm) -> Value {
    let r = firm
        .post(
            ACCOUNTS,
            json!({ "name": "Main account", "account": firm.acct("1020"), "iban": IBAN, "opening_balance": "100.00" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn line_count(firm: &Firm, account: &str, filter: &str) -> u64 {
    firm.count(&format!("{ACCOUNTS}{account}/lines/?{filter}")).await
}

const MARCH: &str = "date,amount,text,counterparty\n\
                     2026-03-03,-20.50,Account fee,Bank\n\
                     2026-03-04,50.00,INV-2026-0001,Customer Ltd\n";

async fn accounts_are_kept_checked_and_archived(app: TestApp) {
    let firm = Firm::register(&app, "owner@bank.test", "Bank Books").await;
    let made = bank_account(&firm).await;
    assert_eq!(made["iban"], "DE89370400440532013000");
    assert_eq!(made["currency"], "USD", "the company's by default");
    assert_eq!(made["opening_balance"], "100.00");
    assert_eq!(made["unreconciled_count"], 0);
    // A wrong check digit, a receivable account, a missing name: all named, nothing written.
    let r = firm
        .post(
            ACCOUNTS,
            json!({ "account": firm.acct("1200"), "iban": "DE89370400440532013001", "bic": "NOPE" }),
        )
        .await;
    assert_fields(&r, &["account", "bic", "iban", "name"]);
    let r = firm
        .post(ACCOUNTS, json!({ "name": "Twin", "account": firm.acct("1020") }))
        .await;
    assert_fields(&r, &["account"]);
    let r = firm
        .post(
            ACCOUNTS,
            json!({ "name": "Same IBAN", "account": firm.acct("1010"), "iban": IBAN }),
        )
        .await;
    assert_fields(&r, &["account", "iban"]);
    assert_eq!(firm.count(ACCOUNTS).await, 1);
    // Change, then archive: it stays, listed as inactive.
    let path = format!("{ACCOUNTS}{}/", id(&made));
    let r = firm
        .patch(&path, json!({ "bank_name": "Commerzbank", "bic": "cobadeff" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["bic"], "COBADEFF");
    let r = firm.post(&format!("{path}archive/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["is_active"], false);
    assert_eq!(firm.count(&format!("{ACCOUNTS}?is_active=false")).await, 1);
    let r = upload(&firm, id(&made), MARCH.as_bytes(), &[]).await;
    assert_fields(&r, &["non_field_errors"]);
    assert_eq!(line_count(&firm, id(&made), "").await, 0);
}
on_every_backend!(accounts, accounts_are_kept_checked_and_archived);

async fn imports_preview_commit_and_never_twice(app: TestApp) {
    let firm = Firm::register(&app, "owner@import.test", "Import Books").await;
    let account = bank_account(&firm).await;
    let acc = id(&account);
    // Preview: the lines, the period, the counts — and nothing written.
    let r = upload(&firm, acc, MARCH.as_bytes(), &[("preview", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["format"], "csv");
    assert_eq!(
        (r.body["period_from"].clone(), r.body["period_to"].clone()),
        (json!("2026-03-03"), json!("2026-03-04"))
    );
    assert_eq!(
        (r.body["lines_new"].clone(), r.body["lines_duplicate"].clone()),
        (json!(2), json!(0))
    );
    assert_eq!(r.body["lines"][0]["amount"], "-20.50");
    assert_eq!(r.body["balance_check"], "not_stated");
    assert_eq!(line_count(&firm, acc, "").await, 0);
    assert_eq!(firm.count(&format!("{ACCOUNTS}{acc}/imports/")).await, 0);
    // Commit, then again: the second adds nothing.
    let r = upload(&firm, acc, MARCH.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["lines_new"].clone(), r.body["lines_duplicate"].clone()),
        (json!(2), json!(0))
    );
    let r = upload(&firm, acc, MARCH.as_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["lines_new"].clone(), r.body["lines_duplicate"].clone()),
        (json!(0), json!(2))
    );
    // An overlapping file (one old line, one new, in another dialect) adds the new one only.
    let overlap = "date;amount;text;counterparty\n04.03.2026;50,00;INV-2026-0001;Customer Ltd\n05.03.2026;-1.234,56;Rent;Landlord\n";
    let fields = [
        ("delimiter", ";"),
        ("decimal_separator", ","),
        ("date_format", "%d.%m.%Y"),
    ];
    let r = upload(&firm, acc, overlap.as_bytes(), &fields).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["lines_new"].clone(), r.body["lines_duplicate"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(line_count(&firm, acc, "").await, 3);
    assert_eq!(line_count(&firm, acc, "status=unmatched").await, 3);
    let listed = firm.get(&format!("{ACCOUNTS}{acc}/")).await;
    assert_eq!(listed.body["unreconciled_count"], 3);
    // Bad files: named by line, nothing written.
    for (file, needle) in [
        (&b"%PDF-1.7 not a statement"[..], "line 1: date"),
        (
            &b"date,amount,text\n2026-03-09,12.00,ok\n2026-03-10,twelve,bad\n"[..],
            "line 3: amount",
        ),
        (
            &b"date,amount,text\n2026-03-09,12.00,ok\n2026-03-10,1"[..],
            "line 3: columns",
        ),
        (
            &b"date,amount,text\n2026-03-09,1.005,three decimals\n"[..],
            "line 2: amount",
        ),
    ] {
        let r = upload(&firm, acc, file, &[]).await;
        assert_fields(&r, &["file"]);
        let message = r.body["file"][0].as_str().unwrap();
        assert!(message.contains(needle), "{needle:?} in {message:?}");
    }
    // Beyond the route's limit: a 400 under `file` when the client stays to read it (a server
    // may also close the connection on a body it will not read); either way nothing is written.
    let boundary = "b";
    let mut oversized =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n")
            .into_bytes();
    oversized.resize(33 * 1024 * 1024, b'x');
    // On a client of its own: the server may close the connection mid-body, which must not
    // leave a dead connection in the pool the next requests use.
    let own = crate::helpers::http()
        .post(format!("{}{ACCOUNTS}{acc}/imports/", firm.base))
        .bearer_auth(&firm.token);
    let own = match &firm.company {
        Some(c) => own.header("x-company-id", c),
        None => own,
    };
    let sent = own
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(oversized)
        .send()
        .await;
    if let Ok(res) = sent {
        assert!(
            matches!(res.status(), StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE),
            "{}",
            res.status()
        );
    }
    let r = upload(&firm, acc, b"", &[("preview", "perhaps")]).await;
    assert_fields(&r, &["preview"]);
    assert_eq!(line_count(&firm, acc, "").await, 3);
    assert_eq!(firm.count(&format!("{ACCOUNTS}{acc}/imports/")).await, 3);
    assert_fields(
        &firm.get(&format!("{ACCOUNTS}{acc}/lines/?status=lost")).await,
        &["status"],
    );
}
on_every_backend!(imports, imports_preview_commit_and_never_twice);

pub(crate) async fn lines(firm: &Firm, account: &str) -> Vec<Value> {
    let r = firm.get(&format!("{ACCOUNTS}{account}/lines/?ordering=date")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["results"].as_array().unwrap().clone()
}

async fn reconciliation_balances_and_needs_a_second_person(app: TestApp) {
    let admin = Firm::register(&app, "boss@recon.test", "Recon Books").await;
    let cfo = admin.invite(&app, "cfo@recon.test", "cfo").await;
    let account = bank_account(&admin).await;
    let acc = id(&account);
    assert_eq!(
        upload(&admin, acc, MARCH.as_bytes(), &[]).await.status,
        StatusCode::CREATED
    );
    let [fee, receipt] = &lines(&admin, acc).await[..] else {
        panic!("two lines")
    };
    // The books: the fee and the receipt, posted; then the company requires a second person.
    let fee_entry = admin
        .posted(admin.transfer("2026-03-03", "6500", "1020", "20.50"))
        .await;
    let receipt_entry = admin
        .posted(admin.transfer("2026-03-04", "1020", "1200", "50.00"))
        .await;
    let r = admin.patch(PERIODS, json!({ "approval_required": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let matched = |line: &Value, entry: &Value| {
        let (line, entry) = (id(line).to_owned(), id(entry).to_owned());
        let admin = admin.clone();
        async move {
            admin
                .post(
                    &format!("/api/banking/lines/{line}/match/"),
                    json!({ "journal_entry": entry }),
                )
                .await
        }
    };
    // A wrong entry is refused by amount.
    assert_fields(&matched(fee, &receipt_entry).await, &["journal_entry"]);
    assert_eq!(matched(fee, &fee_entry).await.status, StatusCode::OK);
    // A session with the wrong closing balance cannot be submitted.
    let wrong = admin
        .post(
            SESSIONS,
            json!({ "bank_account": acc, "statement_date": "2026-03-31", "closing_balance": "129.50" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CREATED, "{}", wrong.body);
    let session = format!("{SESSIONS}{}/", id(&wrong.body));
    let r = admin.post(&format!("{session}submit/"), json!({})).await;
    assert_fields(&r, &["closing_balance"]);
    assert!(
        r.body["closing_balance"][0].as_str().unwrap().contains("79.50"),
        "{}",
        r.body
    );
    // Match the receipt: the book balance is 100 − 20.50 + 50 = 129.50.
    assert_eq!(matched(receipt, &receipt_entry).await.status, StatusCode::OK);
    let r = admin.post(&format!("{session}submit/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "submitted");
    // Who submitted may not approve.
    let r = admin.post(&format!("{session}approve/"), json!({})).await;
    assert_fields(&r, &["non_field_errors"]);
    let r = cfo.post(&format!("{session}approve/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["approved_by"], cfo.user_id.as_str());
    assert_eq!(line_count(&admin, acc, "status=reconciled").await, 2);
    // A reconciled line is locked.
    let r = admin
        .post(&format!("/api/banking/lines/{}/unmatch/", id(fee)), json!({}))
        .await;
    assert_fields(&r, &["non_field_errors"]);
    // So is its entry: reversing it is a 409 naming the session, and nothing changes.
    let entries = admin.entry_count("").await;
    let r = admin.verb(id(&fee_entry), "reverse").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("reconciled in the session of 2026-03-31; reopen it first"),
        "{}",
        r.body
    );
    assert_eq!(admin.entry_count("").await, entries, "no reversal written");
    let r = admin
        .get(&format!("/api/accounting/journal-entries/{}/", id(&fee_entry)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["reversed_by"], Value::Null, "{}", r.body);
    let report = admin.get(&format!("{session}report/")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["book_balance"], "129.50");
    assert_eq!(report.body["statement_balance"], "129.50");
    assert_eq!(report.body["difference"], "0.00");
    assert_eq!(report.body["gl_balance"], "29.50");
    // Reopen (audited) unlocks them.
    let r = cfo.post(&format!("{session}reopen/"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(line_count(&admin, acc, "status=matched").await, 2);
    // Reopened, the entry may be reversed again.
    let r = admin.verb(id(&fee_entry), "reverse").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let audit = admin.get("/api/accounting/audit-log/?page_size=200").await;
    let actions: Vec<&str> = audit.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    for action in ["import", "match", "submit", "approve", "reopen"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}
on_every_backend!(reconciliation, reconciliation_balances_and_needs_a_second_person);

async fn other_firms_and_companies_see_nothing(app: TestApp) {
    let a = Firm::register(&app, "a@iso.test", "Firm A").await;
    let b = Firm::register(&app, "b@iso.test", "Firm B").await;
    let a2 = a.new_company("A's second company", "EUR").await;
    let account = bank_account(&a).await;
    let acc = id(&account);
    assert_eq!(upload(&a, acc, MARCH.as_bytes(), &[]).await.status, StatusCode::CREATED);
    let line = id(&lines(&a, acc).await[0]).to_owned();
    let session = a
        .post(
            SESSIONS,
            json!({ "bank_account": acc, "statement_date": "2026-03-31", "closing_balance": "100.00" }),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
    let s = id(&session.body).to_owned();
    for other in [&b, &a2] {
        for path in [
            format!("{ACCOUNTS}{acc}/"),
            format!("{ACCOUNTS}{acc}/imports/"),
            format!("{ACCOUNTS}{acc}/lines/"),
            format!("{SESSIONS}{s}/"),
            format!("{SESSIONS}{s}/report/"),
        ] {
            assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "GET {path}");
        }
        for path in [
            format!("{ACCOUNTS}{acc}/archive/"),
            format!("/api/banking/lines/{line}/ignore/"),
            format!("{SESSIONS}{s}/submit/"),
            format!("{SESSIONS}{s}/approve/"),
        ] {
            assert_eq!(
                other.post(&path, json!({})).await.status,
                StatusCode::NOT_FOUND,
                "POST {path}"
            );
        }
        assert_eq!(
            other
                .patch(&format!("{ACCOUNTS}{acc}/"), json!({"name": "x"}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            upload(other, acc, b"not even csv", &[]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(other.count(ACCOUNTS).await, 0);
        assert_eq!(other.count(SESSIONS).await, 0);
        let r = other
            .post(
                SESSIONS,
                json!({ "bank_account": acc, "statement_date": "2026-03-31", "closing_balance": "1.00" }),
            )
            .await;
        assert_fields(&r, &["bank_account"]);
    }
    assert_eq!(line_count(&a, acc, "status=unmatched").await, 2);
}
on_every_backend!(isolation, other_firms_and_companies_see_nothing);

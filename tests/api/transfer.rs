//! Moving a firm between installations with `oasys export` and `oasys import ARCHIVE`, through
//! the real binary: SQLite → PostgreSQL → SQLite (SQLite → SQLite → SQLite without
//! `OASYS_TEST_DATABASE_URL`) with identical reports and a passing `oasys verify` on each side;
//! and the archives import refuses before writing anything (a changed byte, a newer schema, a
//! firm that exists) or after loading (a ledger whose chain does not verify).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::{
    CUSTOMERS, ENTRIES, Firm, GENERAL_LEDGER, INVOICES, PAYMENTS, PERIODS, STRONG_PASSWORD, TRIAL_BALANCE, id,
};
use crate::helpers::{Backend, TestApp, backends, on_postgres, output_text};

const EMAIL: &str = "mover@example.com";

/// Runs the binary on `app`'s installation (its data dir; on PostgreSQL its platform schema).
pub(crate) fn oasys(app: &TestApp, args: &[&str]) -> Output {
    let config = app.data_dir().join("empty.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let mut cmd = crate::helpers::oasys_command(&config, app.data_dir());
    if let Backend::Postgres(url) = &app.backend {
        on_postgres(&mut cmd, url, &app.platform_schema);
    }
    cmd.args(args).output().unwrap()
}

pub(crate) fn ok(app: &TestApp, args: &[&str]) -> String {
    let out = oasys(app, args);
    assert!(out.status.success(), "oasys {args:?} failed:\n{}", output_text(&out));
    output_text(&out)
}

pub(crate) fn fails(app: &TestApp, args: &[&str]) -> String {
    let out = oasys(app, args);
    assert!(
        !out.status.success(),
        "oasys {args:?} should have failed:\n{}",
        output_text(&out)
    );
    output_text(&out)
}

/// A firm with real activity: posted entries, one reversed, a draft, invoices issued (one paid,
/// one part-paid, one void), and January closed (a signed checkpoint).
async fn build(app: &TestApp) -> (Firm, String) {
    let f = Firm::register(app, EMAIL, "Moving & Sons").await;
    let me = f.get("/api/auth/me/").await;
    let tenant = me.body["tenant"].as_str().map(str::to_owned);
    for (i, day) in ["2026-01-05", "2026-01-12", "2026-01-20", "2026-02-03", "2026-02-14"]
        .iter()
        .enumerate()
    {
        f.posted(f.transfer(day, "1010", "3200", &format!("{}.25", 1000 + i)))
            .await;
    }
    let wrong = f.posted(f.transfer("2026-02-15", "1010", "4200", "77.70")).await;
    let r = f.verb(id(&wrong), "reverse").await;
    assert_eq!(r.status, StatusCode::CREATED, "reverse: {}", r.body);
    f.draft(f.transfer("2026-02-20", "1010", "3200", "5.00")).await;
    let r = f
        .post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "close: {}", r.body);
    let customer = f
        .create(CUSTOMERS, json!({"name": "Acme Ltd", "payment_terms_days": 14}))
        .await;
    let customer = id(&customer).to_owned();
    let mut invoices = Vec::new();
    for (date, price) in [
        ("2026-02-01", "120.00"),
        ("2026-02-10", "99.99"),
        ("2026-03-01", "10.00"),
    ] {
        let invoice = f
            .issued(
                INVOICES,
                json!({"contact": customer, "issue_date": date, "lines": [
                {"description": "Consulting", "quantity": "3", "unit_price": price, "account": f.acct("4200")}]}),
            )
            .await;
        invoices.push(id(&invoice).to_owned());
    }
    for (inv, amount) in [(&invoices[0], "360.00"), (&invoices[1], "100.00")] {
        let r = f
            .post(
                PAYMENTS,
                json!({"direction": "received", "contact": customer, "date": "2026-03-10", "amount": amount,
                "bank_account": f.acct("1020"), "allocations": [{"document": inv, "amount": amount}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "payment: {}", r.body);
    }
    let r = f.post(&format!("{INVOICES}{}/void/", invoices[2]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "void: {}", r.body);
    // A budget travels with the firm.
    let budget = f
        .create(
            "/api/accounting/budgets/",
            json!({"name": "Original", "fiscal_year": 2026}),
        )
        .await;
    let r = f
        .put(
            &format!("/api/accounting/budgets/{}/grid/", id(&budget)),
            json!({"lines": [
                {"account": f.acct("4200"), "amounts": vec!["150.00"; 12]},
                {"account": f.acct("6100"), "amounts": vec!["-1.01"; 12]},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "budget: {}", r.body);
    (f, tenant.expect("the user's firm"))
}

/// What an accountant compares: trial balance, a general ledger, aged receivables, the journal
/// and the invoice and payment lists.
async fn reports(f: &Firm) -> Value {
    let mut out = serde_json::Map::new();
    for (name, path) in [
        ("trial_balance", format!("{TRIAL_BALANCE}?as_of=2026-12-31")),
        (
            "general_ledger",
            format!(
                "{GENERAL_LEDGER}?account={}&date_from=2026-01-01&date_to=2026-12-31&page_size=100",
                f.acct("1010")
            ),
        ),
        (
            "aged_receivables",
            "/api/reports/aged-receivables/?as_of=2026-04-30".to_owned(),
        ),
        // Posted and drafts apart: the two backends sort a NULL number differently.
        (
            "journal",
            format!("{ENTRIES}?page_size=100&status=posted&ordering=number"),
        ),
        ("drafts", format!("{ENTRIES}?page_size=100&status=draft")),
        ("invoices", format!("{INVOICES}?page_size=100")),
        ("payments", format!("{PAYMENTS}?page_size=100")),
    ] {
        let r = f.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        out.insert(name.to_owned(), r.body);
    }
    // The budget (its id kept across the move), its grid and the P&L against it.
    let budgets = f.get("/api/accounting/budgets/").await.body;
    let budget = budgets["results"][0]["id"].as_str().expect("a budget").to_owned();
    for (name, path) in [
        ("budget_grid", format!("/api/accounting/budgets/{budget}/grid/")),
        ("budget_pnl", format!("/api/reports/profit-and-loss/?budget={budget}")),
    ] {
        let r = f.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        out.insert(name.to_owned(), r.body);
    }
    out.insert("budgets".to_owned(), budgets);
    Value::Object(out)
}

/// The first place two JSON values differ, as a path with both sides, or `None`.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (l, r) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if let Some(d) = first_difference(l, r, &format!("{path}.{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} ≠ {b}")),
    }
}

fn same_reports(after: &Value, before: &Value, when: &str) {
    if let Some(d) = first_difference(after, before, "") {
        panic!("reports differ {when}: {d}");
    }
}

/// Signs in on another installation as the firm's administrator: the password hash moved.
async fn sign_in(app: &TestApp, like: &Firm) -> Firm {
    Firm {
        token: app.sign_in(EMAIL).await,
        ..like.on(app)
    }
}

/// The files of an archive, `manifest.json` included, by path.
pub(crate) fn unpack(archive: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut tar = tar::Archive::new(zstd::Decoder::new(std::fs::File::open(archive).unwrap()).unwrap());
    let mut out = BTreeMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(path, bytes);
    }
    out
}

/// Writes files back into an archive, the manifest first (as `oasys export` does).
pub(crate) fn pack(files: &BTreeMap<String, Vec<u8>>, archive: &Path) {
    let mut tar = tar::Builder::new(zstd::Encoder::new(std::fs::File::create(archive).unwrap(), 3).unwrap());
    let manifest = files.get("manifest.json").map(|m| ("manifest.json", m));
    for (path, bytes) in manifest.into_iter().chain(
        files
            .iter()
            .filter(|(p, _)| *p != "manifest.json")
            .map(|(p, b)| (p.as_str(), b)),
    ) {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, path, bytes.as_slice()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
}

fn manifest(files: &BTreeMap<String, Vec<u8>>) -> Value {
    serde_json::from_slice(&files["manifest.json"]).unwrap()
}

fn set_manifest(files: &mut BTreeMap<String, Vec<u8>>, m: &Value) {
    files.insert("manifest.json".into(), serde_json::to_vec_pretty(m).unwrap());
}

/// Replaces a table file and fixes its checksum: what someone rewriting an archive would do.
pub(crate) fn rewrite(files: &mut BTreeMap<String, Vec<u8>>, file: &str, bytes: Vec<u8>) {
    let mut m = manifest(files);
    let entry = m["tables"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["file"] == file)
        .unwrap();
    entry["sha256"] = json!(format!("{:x}", Sha256::digest(&bytes)));
    files.insert(file.to_owned(), bytes);
    set_manifest(files, &m);
}

/// The tables of an archive, less what legitimately differs after a move: checkpoint signatures
/// (another key), the re-signing audit rows, and users' last sign-in.
fn comparable(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter(|(p, _)| {
            !matches!(
                p.as_str(),
                "manifest.json"
                    | "tables/chain_checkpoints.jsonl"
                    | "tables/audit_log.jsonl"
                    | "platform/users.jsonl"
                    | "platform/audit_log.jsonl"
            )
        })
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

/// The firm's platform row, or its storage (file or schema), is there.
pub(crate) fn firm_exists(app: &TestApp, tenant: &str) -> bool {
    let storage = match &app.backend {
        Backend::Sqlite => app.data_dir().join("tenants").join(tenant).exists(),
        Backend::Postgres(url) => {
            // The sync client runs its own runtime: not on this test's async worker.
            let (url, schema) = (url.clone(), format!("t_{}", tenant.replace('-', "")));
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                let row = client
                    .query_one(
                        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                        &[&schema],
                    )
                    .unwrap();
                row.get::<_, bool>(0)
            })
            .join()
            .unwrap()
        }
    };
    let listed = ok(app, &["tenant", "list"]);
    if let Backend::Sqlite = app.backend {
        // No scratch storage left behind either: one directory per listed firm.
        let dirs = std::fs::read_dir(app.data_dir().join("tenants")).unwrap().count();
        assert_eq!(
            dirs,
            listed.lines().count() + usize::from(storage && !listed.contains(tenant))
        );
    }
    storage || listed.contains(tenant)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firm_moves_sqlite_to_postgres_to_sqlite_with_identical_reports() {
    let work = tempfile::tempdir().unwrap();
    let middle_backend = backends().pop().unwrap_or(Backend::Sqlite);
    let source = TestApp::spawn(&Backend::Sqlite).await;
    let (firm, tenant) = build(&source).await;
    let before = reports(&firm).await;
    assert!(
        ok(&source, &["verify"]).contains("last checkpoint"),
        "the close signs a checkpoint"
    );

    let first: PathBuf = work.path().join("from-sqlite.oasys");
    let out = ok(&source, &["export", "--tenant", &tenant, first.to_str().unwrap()]);
    assert!(out.contains("exported firm Moving & Sons"), "{out}");
    let files = unpack(&first);
    let m = manifest(&files);
    assert_eq!(m["format"], "oasys-firm-export");
    assert_eq!(m["source_backend"], "sqlite");
    // Typed values: booleans as booleans (SQLite stores 0/1), money as integer minor units.
    let companies = String::from_utf8(files["tables/companies.jsonl"].clone()).unwrap();
    assert!(companies.contains("\"is_active\":true"), "{companies}");
    let lines = String::from_utf8(files["tables/journal_lines.jsonl"].clone()).unwrap();
    assert!(lines.contains("\"debit\":100025"), "{lines}");
    assert!(!files.keys().any(|f| f.contains("refresh")), "no sessions travel");

    let middle = TestApp::spawn(&middle_backend).await;
    let out = ok(&middle, &["import", first.to_str().unwrap()]);
    assert!(
        out.contains("checkpoint(s) re-signed") && out.contains("verify: ok"),
        "{out}"
    );
    assert!(ok(&middle, &["verify"]).contains("ok: firm Moving & Sons"));
    let moved = sign_in(&middle, &firm).await;
    same_reports(
        &reports(&moved).await,
        &before,
        "after SQLite → the middle installation",
    );
    // The re-signing is in the firm's audit trail.
    let audit = moved.get("/api/accounting/audit-log/?page_size=200").await;
    assert!(audit.body.to_string().contains("chain_checkpoint"), "{}", audit.body);

    let second = work.path().join("from-middle.oasys");
    ok(&middle, &["export", "--tenant", &tenant, second.to_str().unwrap()]);
    let again = unpack(&second);
    assert_eq!(
        comparable(&again),
        comparable(&files),
        "the same rows, byte for byte, from either backend"
    );

    let last = TestApp::spawn(&Backend::Sqlite).await;
    ok(&last, &["import", second.to_str().unwrap()]);
    assert!(ok(&last, &["verify", "--tenant", &tenant]).contains("ok: firm Moving & Sons"));
    let back = sign_in(&last, &firm).await;
    same_reports(&reports(&back).await, &before, "after the round trip");
    // Still a working firm: it posts, and the chain goes on.
    back.posted(back.transfer("2026-05-01", "1010", "3200", "1.00")).await;
    ok(&last, &["verify"]);
}

/// Each refused archive leaves the destination without the firm.
async fn refusals(app: TestApp) {
    let work = tempfile::tempdir().unwrap();
    let source = TestApp::spawn(&Backend::Sqlite).await;
    let (_, tenant) = build(&source).await;
    let good = work.path().join("good.oasys");
    ok(&source, &["export", "--tenant", &tenant, good.to_str().unwrap()]);
    let files = unpack(&good);
    let bad = work.path().join("bad.oasys");

    // One byte changed in a table file: refused by its checksum, before anything is written.
    let mut tampered = files.clone();
    let lines = tampered.get_mut("tables/journal_lines.jsonl").unwrap();
    let at = lines.windows(9).position(|w| w == b"\"debit\":1").unwrap() + 8;
    lines[at] = b'9';
    pack(&tampered, &bad);
    let out = fails(&app, &["import", bad.to_str().unwrap()]);
    assert!(out.contains("journal_lines.jsonl is damaged or was changed"), "{out}");
    assert!(!firm_exists(&app, &tenant));

    // The same change with the checksum fixed: loaded, then refused by the ledger's own checks.
    let mut forged = files.clone();
    let changed = tampered["tables/journal_lines.jsonl"].clone();
    rewrite(&mut forged, "tables/journal_lines.jsonl", changed);
    pack(&forged, &bad);
    let out = fails(&app, &["import", bad.to_str().unwrap()]);
    assert!(
        out.contains("does not verify") && out.contains("nothing was imported"),
        "{out}"
    );
    assert!(!firm_exists(&app, &tenant));

    // A newer schema than this binary's.
    let mut newer = files.clone();
    let mut m = manifest(&newer);
    m["schema"]["tenant"] = json!(m["schema"]["tenant"].as_i64().unwrap() + 1);
    set_manifest(&mut newer, &m);
    pack(&newer, &bad);
    let out = fails(&app, &["import", bad.to_str().unwrap()]);
    assert!(out.contains("upgrade oasys"), "{out}");
    assert!(!firm_exists(&app, &tenant));

    // A table the reader would not load (an unknown database) is refused, not skipped.
    let mut unknown = files.clone();
    let mut m = manifest(&unknown);
    m["tables"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == "journal_lines")
        .unwrap()["database"] = json!("archive");
    set_manifest(&mut unknown, &m);
    pack(&unknown, &bad);
    let out = fails(&app, &["import", bad.to_str().unwrap()]);
    assert!(out.contains("unknown database"), "{out}");
    assert!(!firm_exists(&app, &tenant));

    // With the source installation's key, the original signatures are checked first: another
    // key refuses the archive.
    let wrong_key = work.path().join("wrong_key");
    std::fs::write(&wrong_key, "not-the-source-installation-key-0123456789").unwrap();
    let out = fails(
        &app,
        &[
            "import",
            "--source-checkpoint-key",
            wrong_key.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("does not verify with the source installation's checkpoint key"),
        "{out}"
    );
    assert!(!firm_exists(&app, &tenant));

    // A user row rewritten to join another firm of this installation: refused, never added.
    let (_, _, other) = app.register("other@example.com", "Other Firm").await;
    let other_firm = other["tenant"].as_str().unwrap();
    let mut stranger = files.clone();
    let users = String::from_utf8(stranger["platform/users.jsonl"].clone()).unwrap();
    let users = users.replace(
        &format!("\"tenant_id\":\"{tenant}\""),
        &format!("\"tenant_id\":\"{other_firm}\""),
    );
    rewrite(&mut stranger, "platform/users.jsonl", users.into_bytes());
    pack(&stranger, &bad);
    let out = fails(&app, &["import", bad.to_str().unwrap()]);
    assert!(out.contains("do not belong to firm"), "{out}");
    assert!(!firm_exists(&app, &tenant));
    assert_eq!(app.login(EMAIL, STRONG_PASSWORD).await.status, StatusCode::UNAUTHORIZED);

    // An older schema: loaded at its version (5: document delivery, the editor of a draft, the
    // key that signed a checkpoint and the message log's Reply-To did not exist), migrated on.
    let mut older = files.clone();
    let checkpoints: String = String::from_utf8(older["tables/chain_checkpoints.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            row.remove("key_id");
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/chain_checkpoints.jsonl", checkpoints.into_bytes());
    // Nor had accounts a cash flow class (V14).
    let accounts: String = String::from_utf8(older["tables/accounts.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            row.remove("cash_flow");
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/accounts.jsonl", accounts.into_bytes());
    // Nor had company settings a tax return layout, accounts or lock (V16).
    let settings: String = String::from_utf8(older["tables/company_settings.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            for c in [
                "tax_lock_date",
                "tax_layout",
                "tax_payable_account_id",
                "tax_receivable_account_id",
            ] {
                row.remove(c);
            }
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/company_settings.jsonl", settings.into_bytes());
    let mut m = manifest(&older);
    let version = m["schema"]["tenant"].as_i64().unwrap();
    assert_eq!(version, 26, "update this case with the migrations");
    m["schema"]["tenant"] = json!(5);
    // Tables a version-5 firm did not have yet.
    let later = [
        "document_templates",
        "email_log",
        "bank_accounts",
        "statement_imports",
        "statement_lines",
        "bank_rules",
        "bank_match_memory",
        "reconciliations",
        "bank_line_rejections",
        "exchange_rates",
        "budgets",
        "budget_amounts",
        "tax_returns",
        "tax_return_boxes",
        "revaluation_runs",
        "files",
        "file_versions",
        "file_links",
        "file_texts",
        "capture_drafts",
        "capture_draft_fields",
        "capture_draft_lines",
        "capture_layouts",
        "ai_calls",
        "ai_settings",
        "item_units",
        "warehouses",
        "warehouse_locations",
        "inventory_settings",
        "stock_moves",
        "stock_levels",
        "stock_layers",
        "sales_documents",
        "sales_document_lines",
        "sales_deliveries",
        "sales_delivery_lines",
        "sales_invoice_links",
        "purchase_orders",
        "purchase_order_lines",
        "purchase_receipts",
        "purchase_receipt_lines",
        "purchase_bill_lines",
        "purchase_landed_costs",
        "purchase_landed_cost_lines",
        "stock_checkpoints",
        "stock_checkpoint_levels",
    ];
    // Columns schema 18 added (foreign currency).
    let v18: [(&str, &[&str]); 4] = [
        ("documents", &["exchange_rate_e12"]),
        ("payments", &["currency", "exchange_rate_e12"]),
        (
            "allocations",
            &["exchange_entry_id", "carried_document", "carried_source"],
        ),
        ("company_settings", &["exchange_account_id"]),
    ];
    m["tables"]
        .as_array_mut()
        .unwrap()
        .retain(|t| !later.iter().any(|n| t["name"] == *n));
    for t in m["tables"].as_array_mut().unwrap() {
        for (table, columns) in &v18 {
            if t["name"] == *table {
                t["columns"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|c| !columns.contains(&c["name"].as_str().unwrap()));
            }
        }
        if t["name"] == "journal_entries" {
            t["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["name"] != "edited_by");
        }
        // Before v10 posting times were RFC 3339 text.
        if t["name"] == "journal_entries" || t["name"] == "ledger_chain" {
            for c in t["columns"].as_array_mut().unwrap() {
                if ["created_at", "updated_at", "posted_at"].contains(&c["name"].as_str().unwrap()) {
                    c["type"] = json!("text");
                }
            }
        }
        if t["name"] == "chain_checkpoints" {
            t["columns"].as_array_mut().unwrap().retain(|c| c["name"] != "key_id");
        }
        // Items' stock fields came with V22.
        if t["name"] == "items" {
            t["columns"].as_array_mut().unwrap().retain(|c| {
                ![
                    "inventory_account_id",
                    "cogs_account_id",
                    "price_difference_account_id",
                    "reorder_point",
                    "reorder_quantity",
                    "tracking",
                ]
                .contains(&c["name"].as_str().unwrap())
            });
        }
        if t["name"] == "accounts" {
            t["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["name"] != "cash_flow");
        }
        if t["name"] == "company_settings" {
            t["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| !c["name"].as_str().unwrap().starts_with("tax_") || c["name"] == "tax_rounding");
        }
        // Before v13 an allocation had no date of its own (V13 backfills it).
        if t["name"] == "allocations" {
            t["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["name"] != "date" && c["name"] != "ended_on");
        }
        // Before v10 a link stored its predecessor's hash, and audit records had no range.
        if t["name"] == "ledger_chain" {
            let columns = t["columns"].as_array_mut().unwrap();
            let at = columns.iter().position(|c| c["name"] == "hash").unwrap();
            columns.insert(at, json!({ "name": "prev_hash", "type": "text", "nullable": false }));
        }
        if t["name"] == "audit_log" {
            t["columns"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["name"] != "first_number" && c["name"] != "last_number");
        }
    }
    set_manifest(&mut older, &m);
    for table in later {
        older.remove(&format!("tables/{table}.jsonl"));
    }
    let entries: String = String::from_utf8(older["tables/journal_entries.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            row.remove("edited_by");
            for name in ["created_at", "updated_at", "posted_at"] {
                row.insert(name.into(), rfc3339(&row[name]));
            }
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/journal_entries.jsonl", entries.into_bytes());
    for (table, columns) in &v18 {
        let Some(rows) = older.get(&format!("tables/{table}.jsonl")) else {
            continue;
        };
        let kept: String = String::from_utf8(rows.clone())
            .unwrap()
            .lines()
            .map(|line| {
                let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
                for c in *columns {
                    row.remove(*c);
                }
                format!("{}\n", Value::Object(row))
            })
            .collect();
        rewrite(&mut older, &format!("tables/{table}.jsonl"), kept.into_bytes());
    }
    if let Some(rows) = older.get("tables/allocations.jsonl") {
        let allocations: String = String::from_utf8(rows.clone())
            .unwrap()
            .lines()
            .map(|line| {
                let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
                row.remove("date");
                row.remove("ended_on");
                format!("{}\n", Value::Object(row))
            })
            .collect();
        rewrite(&mut older, "tables/allocations.jsonl", allocations.into_bytes());
    }
    let mut prev: Option<(Value, Value)> = None;
    let links: String = String::from_utf8(older["tables/ledger_chain.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            let company = row["company_id"].clone();
            let before = match &prev {
                Some((c, hash)) if *c == company => hash.clone(),
                _ => json!("0".repeat(64)),
            };
            prev = Some((company, row["hash"].clone()));
            row.insert("prev_hash".into(), before);
            row.insert("created_at".into(), rfc3339(&row["created_at"]));
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/ledger_chain.jsonl", links.into_bytes());
    let audit: String = String::from_utf8(older["tables/audit_log.jsonl"].clone())
        .unwrap()
        .lines()
        .map(|line| {
            let mut row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            row.remove("first_number");
            row.remove("last_number");
            format!("{}\n", Value::Object(row))
        })
        .collect();
    rewrite(&mut older, "tables/audit_log.jsonl", audit.into_bytes());
    pack(&older, &bad);
    ok(&app, &["import", bad.to_str().unwrap()]);
    assert!(firm_exists(&app, &tenant));
    assert!(ok(&app, &["verify", "--tenant", &tenant]).contains("ok: firm Moving & Sons"));

    // The firm exists now: refused without --force, replaced with it.
    let out = fails(&app, &["import", good.to_str().unwrap()]);
    assert!(out.contains("already exists"), "{out}");
    let source_key = source.data_dir().join("checkpoint_key");
    let out = ok(
        &app,
        &[
            "import",
            "--force",
            "--source-checkpoint-key",
            source_key.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    assert!(out.contains("verify: ok"), "{out}");
    let r = app.login(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // `oasys import journal FILE` is still the journal importer.
    let out = fails(&app, &["import", "journal", "/nonexistent.csv", "--tenant", &tenant]);
    assert!(out.contains("nonexistent.csv"), "{out}");
}

crate::on_every_backend!(refused_archives_write_nothing, refusals);

/// A posting time as schema 10 exports it (microseconds) in the RFC 3339 text of older schemas.
fn rfc3339(micros: &Value) -> Value {
    match micros.as_i64() {
        Some(us) => json!(format!("{:.6}", jiff::Timestamp::from_microsecond(us).unwrap())),
        None => Value::Null,
    }
}

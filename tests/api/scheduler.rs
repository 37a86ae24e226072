//! The server's timed work, driven as an operator drives it: `oasys recurring run` (one pass of
//! the recurring-invoice timer) on a live installation, over every firm or one, as of a date or
//! each company's today; a scheduled backup (`oasys::scheduler::scheduled_backup`, what the
//! backup timer calls) that `oasys verify` and `oasys restore` accept; and `oasys serve` taking
//! its backup at the time `backup.schedule` sets. The recurring timer (every 5 minutes) is not
//! waited for: it only calls the pass tested here.

use std::path::Path;
use std::process::Output;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{BULK, COMPANIES, CUSTOMERS, Firm, INVOICES, id, tb_row};
use crate::helpers::{Backend, TestApp, on_postgres, output_text};
use crate::on_every_backend;

const RECURRING: &str = "/api/invoicing/recurring-invoices/";

/// The binary on `app`'s installation (its data dir; on PostgreSQL its schema too), with an
/// empty configuration file in `dir`.
fn oasys(app: &TestApp, dir: &Path, args: &[&str]) -> Output {
    let config = dir.join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let mut cmd = crate::helpers::oasys_command(&config, app.data_dir());
    if let Backend::Postgres(url) = &app.backend {
        on_postgres(&mut cmd, url, &app.platform_schema);
    }
    cmd.args(args).output().unwrap()
}

/// `oasys recurring run ARGS`: whether it succeeded, and what it printed.
async fn recurring_run(app: &TestApp, dir: &Path, args: &[&str]) -> (bool, String) {
    let mut all = vec!["recurring", "run"];
    all.extend_from_slice(args);
    let out = tokio::task::block_in_place(|| oasys(app, dir, &all));
    (out.status.success(), output_text(&out))
}

async fn customer(f: &Firm, name: &str) -> String {
    id(&f.create(CUSTOMERS, json!({ "name": name })).await).to_owned()
}

/// A monthly schedule of one line from `start`.
async fn schedule(f: &Firm, name: &str, contact: &str, start: &str, auto_issue: bool, price: &str) -> String {
    let r = f
        .post(
            RECURRING,
            json!({ "name": name, "contact": contact, "frequency": "monthly", "start_date": start,
                    "auto_issue": auto_issue,
                    "lines": [{ "description": name, "unit_price": price, "account": f.acct("4100") }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["next_date"], start);
    id(&r.body).to_owned()
}

/// The invoices a schedule made, by issue date: (issue date, status, total).
async fn made_by(f: &Firm, schedule: &str) -> Vec<(String, String, String)> {
    let r = f.get(&format!("{INVOICES}?recurring={schedule}&page_size=100")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let text = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    let mut made: Vec<_> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (text(i, "issue_date"), text(i, "status"), text(i, "total")))
        .collect();
    made.sort();
    made
}

fn invoices(dates: &[&str], status: &str, total: &str) -> Vec<(String, String, String)> {
    dates
        .iter()
        .map(|d| ((*d).to_owned(), status.to_owned(), total.to_owned()))
        .collect()
}

/// A schedule's progress: (next date, invoices made).
async fn progress(f: &Firm, schedule: &str) -> (Option<String>, i64) {
    let r = f.get(&format!("{RECURRING}{schedule}/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["next_date"].as_str().map(str::to_owned),
        r.body["generated"].as_i64().unwrap(),
    )
}

async fn set_active(f: &Firm, path: &str, active: bool) {
    let r = f.patch(path, json!({ "is_active": active })).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
}

on_every_backend!(recurring_passes_make_each_due_invoice_once, recurring_passes);
async fn recurring_passes(app: TestApp) {
    let work = tempfile::tempdir().unwrap();
    let a = Firm::register(&app, "owner@sched-a.test", "Schedule A").await;
    let tenant = customer(&a, "Tenant Ltd").await;
    let rent = schedule(&a, "Rent", &tenant, "2026-01-31", true, "1000.00").await;
    // A schedule whose customer was archived after it was set up: its invoice cannot be made.
    let lapsed_customer = customer(&a, "Lapsed Ltd").await;
    let lapsed = schedule(&a, "Support", &lapsed_customer, "2026-02-01", true, "250.00").await;
    set_active(&a, &format!("{CUSTOMERS}{lapsed_customer}/"), false).await;
    // A company deactivated after its schedule was set up: skipped.
    let closed = a.new_company("Closed Co", "USD").await;
    let closed_customer = customer(&closed, "Closed Customer").await;
    let closed_rent = schedule(&closed, "Closed rent", &closed_customer, "2026-01-01", true, "75.00").await;
    let closed_path = format!("{COMPANIES}{}/", closed.company.clone().unwrap());
    set_active(&a, &closed_path, false).await;
    // Another firm, whose schedule makes drafts.
    let b = Firm::register(&app, "owner@sched-b.test", "Schedule B").await;
    let client = customer(&b, "Client plc").await;
    let service = schedule(&b, "Service", &client, "2026-03-01", false, "500.00").await;
    // And a firm with no schedule at all.
    Firm::register(&app, "owner@sched-c.test", "Schedule C").await;

    // One pass over every firm as of 15 March: rent for January and February, B's March draft;
    // the lapsed schedule fails (the command says so and exits non-zero), the others still run.
    let (ok, said) = recurring_run(&app, work.path(), &["--date", "2026-03-15"]).await;
    assert!(!ok, "a failed schedule is a failed run:\n{said}");
    assert!(said.contains("3 invoice(s) made, 1 schedule(s) failed"), "{said}");
    assert!(
        said.contains("1 recurring schedule(s) could not make their invoices"),
        "{said}"
    );
    assert_eq!(
        made_by(&a, &rent).await,
        invoices(&["2026-01-31", "2026-02-28"], "issued", "1000.00")
    );
    assert_eq!(progress(&a, &rent).await, (Some("2026-03-31".into()), 2));
    assert_eq!(made_by(&a, &lapsed).await, vec![], "the failed schedule wrote nothing");
    assert_eq!(progress(&a, &lapsed).await, (Some("2026-02-01".into()), 0));
    assert_eq!(a.count(INVOICES).await, 2);
    assert_eq!(
        made_by(&closed, &closed_rent).await,
        vec![],
        "a deactivated company is skipped"
    );
    assert_eq!(progress(&closed, &closed_rent).await, (Some("2026-01-01".into()), 0));
    assert_eq!(
        made_by(&b, &service).await,
        invoices(&["2026-03-01"], "draft", "500.00")
    );
    assert_eq!(progress(&b, &service).await, (Some("2026-04-01".into()), 1));

    // The same day again, for one firm: nothing new.
    let (ok, said) = recurring_run(
        &app,
        work.path(),
        &["--tenant", &b.tenant_id().await, "--date", "2026-03-15"],
    )
    .await;
    assert!(ok, "{said}");
    assert!(said.contains("0 invoice(s) made, 0 schedule(s) failed"), "{said}");
    assert_eq!(b.count(INVOICES).await, 1);

    // The customer back, the company back: the next pass catches up exactly what was missed.
    set_active(&a, &format!("{CUSTOMERS}{lapsed_customer}/"), true).await;
    set_active(&a, &closed_path, true).await;
    let (ok, said) = recurring_run(
        &app,
        work.path(),
        &["--tenant", &a.tenant_id().await, "--date", "2026-03-15"],
    )
    .await;
    assert!(ok, "{said}");
    assert!(said.contains("5 invoice(s) made, 0 schedule(s) failed"), "{said}");
    assert_eq!(
        made_by(&a, &lapsed).await,
        invoices(&["2026-02-01", "2026-03-01"], "issued", "250.00")
    );
    assert_eq!(progress(&a, &lapsed).await, (Some("2026-04-01".into()), 2));
    assert_eq!(
        made_by(&closed, &closed_rent).await,
        invoices(&["2026-01-01", "2026-02-01", "2026-03-01"], "issued", "75.00")
    );
    assert_eq!(made_by(&a, &rent).await.len(), 2, "rent was not made twice");

    // A last pass over everything: nothing is due.
    let (ok, said) = recurring_run(&app, work.path(), &["--date", "2026-03-15"]).await;
    assert!(ok, "{said}");
    assert!(said.contains("0 invoice(s) made, 0 schedule(s) failed"), "{said}");
    assert_eq!(a.count(INVOICES).await, 4);
}

on_every_backend!(
    a_recurring_pass_without_a_date_runs_as_of_each_companys_today,
    as_of_today
);
/// Without `--date` each company's own today is used: a schedule started two days ago (in
/// UTC; no time zone is two days away) makes exactly its first invoice.
async fn as_of_today(app: TestApp) {
    let work = tempfile::tempdir().unwrap();
    let f = Firm::register(&app, "owner@sched-today.test", "Schedule Today").await;
    let utc = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let start = utc.checked_sub(jiff::Span::new().days(2)).unwrap().to_string();
    let who = customer(&f, "Today Ltd").await;
    let monthly = schedule(&f, "Monthly", &who, &start, false, "42.00").await;
    let (ok, said) = recurring_run(&app, work.path(), &["--tenant", &f.tenant_id().await]).await;
    assert!(ok, "{said}");
    assert!(said.contains("1 invoice(s) made, 0 schedule(s) failed"), "{said}");
    assert_eq!(made_by(&f, &monthly).await, invoices(&[&start], "draft", "42.00"));
}

on_every_backend!(a_scheduled_backup_restores_to_the_same_books, scheduled_backup);
/// A scheduled backup of a live installation (on PostgreSQL: each firm exported into it) is
/// recorded as the last backup, verifies offline, and restores into a new SQLite data dir with
/// the same trial balance.
async fn scheduled_backup(app: TestApp) {
    let f = Firm::register(&app, "owner@sched-backup.test", "Scheduled Backup").await;
    let entries: Vec<Value> = (1..=20)
        .map(|day| f.transfer(&format!("2026-02-{day:02}"), "1000", "4000", &format!("{day}.25")))
        .collect();
    let r = f.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("scheduled");
    let mut config = oasys::config::Config {
        data_dir: Some(app.data_dir().to_path_buf()),
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        backup: oasys::config::BackupConfig {
            schedule: Some("every 6h".into()),
            dir: Some(dir.clone()),
            keep: Some(3),
            ..Default::default()
        },
        ..Default::default()
    };
    if let Backend::Postgres(url) = &app.backend {
        config.database_url = Some(url.clone());
        config.database_schema = app.platform_schema.clone();
        config.database_pool_size = 2;
    }
    let (summary, last) = tokio::task::block_in_place(|| {
        let server = oasys::App::open(config).unwrap();
        let summary = oasys::scheduler::scheduled_backup(&server).unwrap();
        let last = server
            .store
            .platform_read(oasys::store::platform::last_backup)
            .unwrap()
            .unwrap();
        (summary, last)
    });
    assert_eq!(summary.tenants, 1);
    assert!(summary.path.starts_with(&dir), "{}", summary.path.display());
    let name = summary.path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-scheduled.tar.zst"), "{name}");
    assert_eq!(last.reason, "scheduled");
    assert_eq!(Path::new(&last.path), summary.path);

    let config = work.path().join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let run = |data: &Path, args: &[&std::ffi::OsStr]| {
        let out = crate::helpers::oasys_command(&config, data)
            .env("OASYS_LISTEN", "127.0.0.1:9")
            .args(args)
            .output()
            .unwrap();
        let text = output_text(&out);
        assert!(out.status.success(), "{args:?}:\n{text}");
        text
    };
    let said = tokio::task::block_in_place(|| {
        run(
            &work.path().join("unused"),
            &["verify".as_ref(), summary.path.as_os_str()],
        )
    });
    assert!(said.contains("the archive is complete and its books verify"), "{said}");
    let restored = work.path().join("restored");
    tokio::task::block_in_place(|| run(&restored, &["restore".as_ref(), summary.path.as_os_str()]));
    let there = TestApp::spawn_with(&Backend::Sqlite, move |c| c.data_dir = Some(restored)).await;
    let token = there.sign_in("owner@sched-backup.test").await;
    let tb = Firm { token, ..f.on(&there) }.trial_balance("2026-12-31").await;
    assert_eq!(tb["rows"], f.trial_balance("2026-12-31").await["rows"]);
    // 1.25 + 2.25 + … + 20.25.
    assert_eq!(tb_row(&tb, "1000"), Some(("215.00".into(), "0.00".into())));
}

/// A child `oasys serve`, stopped as systemd would when dropped (which also writes its coverage
/// profile).
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        crate::helpers::stop_gracefully(&mut self.0);
    }
}

/// `oasys serve` with `backup.schedule = "daily HH:MM"` set to a minute from now (the finest
/// grain a schedule has) takes that backup on its own, and the archive verifies. The server's
/// clock is UTC (`TZ`), as the time set here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_takes_its_scheduled_backup_at_the_time_set() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let dir = w.join("scheduled");
    let config = w.join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // 20 to 80 seconds from now, on the minute: time enough for the server to start first.
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let at = now.checked_add(jiff::Span::new().seconds(80)).unwrap();
    let schedule = format!("daily {:02}:{:02}", at.hour(), at.minute());
    let server = Serving(
        crate::helpers::oasys_command(&config, &w.join("data"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("TZ", "UTC")
            .env("OASYS_BACKUP__SCHEDULE", &schedule)
            .env("OASYS_BACKUP__DIR", &dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = crate::helpers::http();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !client
        .get(format!("http://127.0.0.1:{port}/api/health/"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let taken = |dir: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.to_string_lossy().ends_with("-scheduled.tar.zst"))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(taken(&dir).is_empty(), "nothing before {schedule}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(150);
    let archive = loop {
        if let Some(found) = taken(&dir).pop() {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no backup taken at {schedule} (started {now})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    drop(server);
    let out = tokio::task::block_in_place(|| {
        crate::helpers::oasys_command(&config, &w.join("unused"))
            .arg("verify")
            .arg(&archive)
            .output()
            .unwrap()
    });
    let said = output_text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("its books verify"), "{said}");
}

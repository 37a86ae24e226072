//! Backups through the real binary against a real server's data dir: `oasys backup` while the
//! server takes writes, `oasys restore` into a new data dir, `oasys verify ARCHIVE`; the
//! refusals (a changed archive, live data, a wrong passphrase, a newer schema); and the upgrade
//! of a data dir written by the release before this work. SQLite only: on PostgreSQL a firm
//! moves with `oasys export` / `oasys import`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::fixtures::{BULK, Firm, STRONG_PASSWORD, tb_row};
use crate::helpers::{Backend, TestApp, on_postgres, output_text};

/// `oasys` with only the given data dir and an empty config: nothing from the developer's own
/// environment. `restore` refuses while a server answers on `listen`; port 9 (discard) is closed.
pub(crate) fn oasys(dir: &Path, data_dir: &Path) -> Command {
    let config = dir.join("oasys.toml");
    if !config.exists() {
        std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    }
    let mut cmd = crate::helpers::oasys_command(&config, data_dir);
    cmd.env("OASYS_LISTEN", "127.0.0.1:9");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn ok(out: Output) -> String {
    let t = output_text(&out);
    assert!(out.status.success(), "expected success:\n{t}");
    t
}

fn failed(out: Output) -> String {
    let t = output_text(&out);
    assert!(!out.status.success(), "expected a failure:\n{t}");
    t
}

/// A firm with a few hundred posted entries, so a backup takes a moment.
async fn busy_firm(app: &TestApp, email: &str) -> Firm {
    let firm = Firm::register(app, email, "Backup Firm").await;
    let entries: Vec<Value> = (0..400)
        .map(|i| firm.transfer(&format!("2026-01-{:02}", i % 28 + 1), "6400", "1020", "1.00"))
        .collect();
    let r = firm.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    firm
}

fn with_data_dir(dir: PathBuf) -> impl FnOnce(&mut oasys::config::Config) {
    move |c| c.data_dir = Some(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_restores_the_books_it_recorded() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let firm = busy_firm(&app, "writes@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("during-writes.tar.zst");

    // Writes in a loop: 2.00, 3.00, … from cash to sales; every acknowledged entry is kept.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(i64, i64)>>> = Arc::default();
    let writer = {
        let (firm, stop, acked) = (firm.clone(), Arc::clone(&stop), Arc::clone(&acked));
        tokio::spawn(async move {
            let mut amount = 2;
            while !stop.load(Ordering::Acquire) {
                let posted = firm
                    .posted(firm.transfer("2026-02-01", "1000", "4000", &format!("{amount}.00")))
                    .await;
                acked.lock().await.push((posted["number"].as_i64().unwrap(), amount));
                amount += 1;
            }
        })
    };
    while acked.lock().await.len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = acked.lock().await.len();
    let (dir, data, dest) = (work.path().to_owned(), app.data_dir().to_owned(), archive.clone());
    let out = tokio::task::spawn_blocking(move || run(oasys(&dir, &data).arg("backup").arg(&dest)))
        .await
        .unwrap();
    let said = ok(out);
    assert!(said.contains("backup written and checked"), "{said}");
    // Keep writing until at least one more entry lands after the backup: it ran under writes.
    while acked.lock().await.len() < before + 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Release);
    writer.await.unwrap();
    let acked = acked.lock().await.clone();

    // The archive checks offline, then restores into a new data dir that verifies.
    ok(run(oasys(work.path(), &work.path().join("unused"))
        .arg("verify")
        .arg(&archive)));
    let restored_dir = work.path().join("restored");
    let said = ok(run(oasys(work.path(), &restored_dir).arg("restore").arg(&archive)));
    assert!(said.contains("restored into"), "{said}");
    ok(run(oasys(work.path(), &restored_dir).arg("verify")));

    // The restored books are a prefix of what was acknowledged: entries 1..=n, nothing partial,
    // and the trial balance is exactly those entries.
    let restored = TestApp::spawn_with(&Backend::Sqlite, with_data_dir(restored_dir)).await;
    let there = firm.on(&restored);
    let n = there.entry_count("status=posted").await as i64;
    assert!(n >= 400 + before as i64, "the backup lost acknowledged entries: {n}");
    let numbers: Vec<i64> = there
        .all_entries("status=posted&ordering=number")
        .await
        .iter()
        .map(|e| e["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
    let cash: i64 = acked.iter().filter(|(number, _)| *number <= n).map(|(_, a)| a).sum();
    let tb = there.trial_balance("2026-12-31").await;
    assert_eq!(tb_row(&tb, "1000"), Some((format!("{cash}.00"), "0.00".into())));
    assert_eq!(tb_row(&tb, "6400"), Some(("400.00".into(), "0.00".into())));
    // The live server went on; its books are a superset.
    let live = firm.entry_count("status=posted").await as i64;
    assert_eq!(live, 400 + acked.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_refuse_changed_archives_live_data_and_wrong_passphrases() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    busy_firm(&app, "refusals@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let data = app.data_dir().to_owned();
    let plain = work.path().join("plain.tar.zst");
    ok(run(oasys(work.path(), &data).arg("backup").arg(&plain)));

    // One changed byte in the middle: refused, and the target data dir stays empty.
    let mut bytes = std::fs::read(&plain).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let changed = work.path().join("changed.tar.zst");
    std::fs::write(&changed, &bytes).unwrap();
    let target = work.path().join("target");
    failed(run(oasys(work.path(), &target).arg("restore").arg(&changed)));
    assert!(!target.join("platform.db").exists());
    assert!(!target.join("tenants").exists());
    failed(run(oasys(work.path(), &target).arg("verify").arg(&changed)));

    // Into a data dir that holds data: refused without --force; with it, the old data is moved aside.
    ok(run(oasys(work.path(), &target).arg("restore").arg(&plain)));
    let said = failed(run(oasys(work.path(), &target).arg("restore").arg(&plain)));
    assert!(said.contains("--force"), "{said}");
    let said = ok(run(oasys(work.path(), &target)
        .arg("restore")
        .arg("--force")
        .arg(&plain)));
    assert!(said.contains("replaced-"), "{said}");
    let aside: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with("replaced-").then_some(name)
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(target.join(&aside[0]).join("platform.db").exists());

    // Encrypted: nothing readable without the passphrase, refused with a wrong one.
    let pass = work.path().join("pass");
    std::fs::write(&pass, "long enough passphrase for a test\n").unwrap();
    let wrong = work.path().join("wrong");
    std::fs::write(&wrong, "another passphrase entirely\n").unwrap();
    let sealed = work.path().join("sealed.tar.zst.enc");
    ok(run(oasys(work.path(), &data)
        .arg("backup")
        .arg(&sealed)
        .arg("--passphrase-file")
        .arg(&pass)));
    let raw = std::fs::read(&sealed).unwrap();
    assert!(raw.starts_with(b"OASYS-ENC1"));
    let said = failed(run(oasys(work.path(), &data).arg("verify").arg(&sealed)));
    assert!(said.contains("passphrase"), "{said}");
    let said = failed(run(oasys(work.path(), &data)
        .arg("verify")
        .arg(&sealed)
        .arg("--passphrase-file")
        .arg(&wrong)));
    assert!(said.contains("wrong passphrase"), "{said}");
    let fresh = work.path().join("from-sealed");
    ok(run(oasys(work.path(), &fresh)
        .arg("restore")
        .arg(&sealed)
        .arg("--passphrase-file")
        .arg(&pass)));
    ok(run(oasys(work.path(), &fresh).arg("verify")));
}

/// Rewrites an archive's manifest (the archive's hashes stay right for every other member).
pub(crate) fn with_manifest(src: &Path, dest: &Path, edit: impl Fn(&mut Value)) {
    let mut input = tar::Archive::new(zstd::Decoder::new(std::fs::File::open(src).unwrap()).unwrap());
    let mut out = tar::Builder::new(zstd::Encoder::new(std::fs::File::create(dest).unwrap(), 3).unwrap());
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "manifest.json" {
            let mut m: Value = serde_json::from_slice(&bytes).unwrap();
            edit(&mut m);
            bytes = serde_json::to_vec(&m).unwrap();
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        out.append_data(&mut header, &name, bytes.as_slice()).unwrap();
    }
    out.into_inner().unwrap().finish().unwrap().flush().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_from_a_newer_schema_or_with_other_rows_are_refused() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    busy_firm(&app, "newer@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("good.tar.zst");
    ok(run(oasys(work.path(), app.data_dir()).arg("backup").arg(&good)));

    let newer = work.path().join("newer.tar.zst");
    with_manifest(&good, &newer, |m| {
        m["tenants"][0]["schema_version"] = json!(999);
    });
    let target = work.path().join("target");
    let said = failed(run(oasys(work.path(), &target).arg("restore").arg(&newer)));
    assert!(said.contains("newer than this oasys"), "{said}");
    assert!(!target.join("platform.db").exists());

    let fewer = work.path().join("fewer.tar.zst");
    with_manifest(&good, &fewer, |m| {
        m["tenants"][0]["rows"]["journal_entries"] = json!(1);
    });
    let said = failed(run(oasys(work.path(), &target).arg("restore").arg(&fewer)));
    assert!(said.contains("rows"), "{said}");
    assert!(!target.join("platform.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_data_dir_is_backed_up_then_migrated_with_its_books_intact() {
    // The data dir written by the release before backups existed (tests/fixtures/make-upgrade-fixture.sh).
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datadir-v0.1.0.tar.zst");
    tar::Archive::new(zstd::Decoder::new(std::fs::File::open(fixture).unwrap()).unwrap())
        .unpack(&data)
        .unwrap();
    let old_platform = data.join("platform.db");
    let before_version: i64 = rusqlite_version(&old_platform);

    let app = TestApp::spawn_with(&Backend::Sqlite, with_data_dir(data.clone())).await;
    let backups: Vec<PathBuf> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = backups[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.contains("pre-upgrade"), "{name}");
    assert!(
        rusqlite_version(&old_platform) > before_version,
        "the platform was not migrated"
    );

    // The same books, through the API of the new binary.
    let login = app.login("admin@oasys.com", "admin123").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let token = login.body["tokens"]["access"].as_str().unwrap();
    let tb = app
        .get("/api/reports/trial-balance/?as_of=2026-12-31", Some(token))
        .await;
    assert_eq!(tb.status, StatusCode::OK, "{}", tb.body);
    assert_eq!(tb.body["totals"]["debit"], "5450.00", "{}", tb.body);
    assert_eq!(tb_row(&tb.body, "4000"), Some(("0.00".into(), "450.00".into())));
    assert_eq!(tb_row(&tb.body, "1020"), Some(("5450.00".into(), "0.00".into())));
    let invoices = app.get("/api/invoicing/invoices/", Some(token)).await;
    assert_eq!(invoices.body["results"][0]["status"], "paid", "{}", invoices.body);
    drop(app);

    // The upgraded data dir verifies, and so does the pre-upgrade backup (at the old schema).
    ok(run(oasys(work.path(), &data).arg("verify")));
    ok(run(oasys(work.path(), &work.path().join("unused"))
        .arg("verify")
        .arg(&backups[0])));
}

fn rusqlite_version(db: &Path) -> i64 {
    oasys::store::snapshot::schema_version(db).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_are_recorded_and_only_the_newest_are_kept() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("backups");
    let config = oasys::config::Config {
        data_dir: Some(work.path().join("data")),
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        backup: oasys::config::BackupConfig {
            schedule: Some("every 6h".into()),
            dir: Some(dir.clone()),
            keep: Some(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = tokio::task::spawn_blocking(move || oasys::App::open(config).unwrap())
        .await
        .unwrap();
    let app = Arc::new(app);
    let runner = Arc::clone(&app);
    let names = tokio::task::spawn_blocking(move || {
        let mut names = Vec::new();
        for _ in 0..3 {
            let summary = oasys::scheduler::scheduled_backup(&runner).unwrap();
            names.push(summary.path.file_name().unwrap().to_string_lossy().into_owned());
            // File names carry the time to the second.
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        names
    })
    .await
    .unwrap();
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, names[1..].to_vec());
    let last = app
        .store
        .platform_read(oasys::store::platform::last_backup)
        .unwrap()
        .unwrap();
    assert_eq!(last.reason, "scheduled");
    assert!(last.path.ends_with(&names[2]), "{}", last.path);
    ok(run(oasys(work.path(), &work.path().join("unused"))
        .arg("verify")
        .arg(dir.join(&names[2]))));
}

/// Against an S3-compatible server when `OASYS_TEST_S3_ENDPOINT` is set (CI starts one, moto);
/// without it there is nothing to talk to and the test says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_go_to_an_s3_store_and_restore_from_it() {
    let Ok(endpoint) = std::env::var("OASYS_TEST_S3_ENDPOINT") else {
        eprintln!("OASYS_TEST_S3_ENDPOINT is not set: no S3-compatible server to test against");
        return;
    };
    let bucket = format!("oasys-test-{}", uuid::Uuid::new_v4().simple());
    // moto makes a bucket on an unsigned PUT; a real store would need the bucket made beforehand.
    let made = crate::helpers::http()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "creating bucket: {}", made.status());

    let work = tempfile::tempdir().unwrap();
    let s3 = oasys::config::BackupConfig {
        schedule: Some("daily 02:00".into()),
        dir: Some(PathBuf::from(format!("s3://{bucket}/prod"))),
        keep: Some(2),
        s3_endpoint: Some(endpoint.clone()),
        s3_region: Some("us-east-1".into()),
        s3_access_key_id: Some("testing".into()),
        s3_secret_access_key: Some("testing".into()),
        s3_allow_http: true,
        ..Default::default()
    };
    let data = work.path().join("data");
    let backup_config = s3.clone();
    let app = TestApp::spawn_with(&Backend::Sqlite, move |c| {
        c.data_dir = Some(data);
        c.backup = backup_config;
    })
    .await;
    let firm = busy_firm(&app, "s3@example.com").await;
    let config = oasys::config::Config {
        data_dir: Some(work.path().join("data")),
        jwt_secret: Some("test-signing-secret-that-is-long-enough".into()),
        backup: s3.clone(),
        ..Default::default()
    };
    let names = tokio::task::spawn_blocking(move || {
        let app = oasys::App::open(config).unwrap();
        let mut urls = Vec::new();
        for _ in 0..3 {
            urls.push(
                oasys::scheduler::scheduled_backup(&app)
                    .unwrap()
                    .path
                    .display()
                    .to_string(),
            );
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        urls
    })
    .await
    .unwrap();
    assert!(
        names
            .iter()
            .all(|u| u.starts_with(&format!("s3://{bucket}/prod/oasys-backup-"))),
        "{names:?}"
    );
    let loc = oasys::backup::remote::S3Location {
        bucket: bucket.clone(),
        prefix: "prod".into(),
    };
    let cfg = s3.clone();
    let left = tokio::task::spawn_blocking(move || {
        let store = oasys::backup::remote::open(&loc, &cfg).unwrap();
        oasys::backup::remote::list(&store, &loc).unwrap()
    })
    .await
    .unwrap();
    let newest: Vec<String> = names[1..]
        .iter()
        .map(|u| u.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(left, newest, "only the newest two are kept");
    assert!(
        !work
            .path()
            .join("data/backups-outgoing")
            .read_dir()
            .unwrap()
            .any(|_| true),
        "local copies removed"
    );

    // Restore straight from the store into a new data dir: the same books.
    let restored = work.path().join("restored");
    let with_s3 = |cmd: &mut Command| {
        cmd.env("OASYS_BACKUP__S3_ENDPOINT", &endpoint)
            .env("OASYS_BACKUP__S3_REGION", "us-east-1")
            .env("OASYS_BACKUP__S3_ACCESS_KEY_ID", "testing")
            .env("OASYS_BACKUP__S3_SECRET_ACCESS_KEY", "testing")
            .env("OASYS_BACKUP__S3_ALLOW_HTTP", "true");
    };
    let mut verify = oasys(work.path(), &work.path().join("unused"));
    with_s3(verify.arg("verify").arg(&names[2]));
    ok(run(&mut verify));
    let mut restore = oasys(work.path(), &restored);
    with_s3(restore.arg("restore").arg(&names[2]));
    ok(run(&mut restore));
    drop(app);
    let again = TestApp::spawn_with(&Backend::Sqlite, with_data_dir(restored)).await;
    let there = firm.on(&again);
    assert_eq!(there.entry_count("status=posted").await, 400);
}

/// On PostgreSQL a backup holds each firm as an `oasys export` archive: it verifies offline (in
/// a scratch SQLite installation), and restores into a fresh PostgreSQL schema and into a SQLite
/// data dir with the same books.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_restores_into_postgres_and_into_sqlite() {
    let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL") else {
        eprintln!("OASYS_TEST_DATABASE_URL is not set: no PostgreSQL to back up");
        return;
    };
    let app = TestApp::spawn(&Backend::Postgres(url.clone())).await;
    let firm = busy_firm(&app, "pg-backup@example.com").await;
    firm.posted(firm.transfer("2026-03-01", "1000", "4000", "12.34")).await;
    let work = tempfile::tempdir().unwrap();
    let on_pg = |data: &Path, schema: &str| {
        let mut cmd = oasys(work.path(), data);
        on_postgres(&mut cmd, &url, schema);
        cmd
    };
    let archive = work.path().join("pg.tar.zst");
    let said = ok(run(on_pg(app.data_dir(), &app.platform_schema)
        .arg("backup")
        .arg(&archive)));
    assert!(said.contains("1 firm(s)"), "{said}");
    ok(run(oasys(work.path(), &work.path().join("unused"))
        .arg("verify")
        .arg(&archive)));

    // Into another installation on PostgreSQL: a fresh platform schema (the firm's own schema
    // name is the firm's id, so the source firm is dropped first, as on a new server).
    let fresh_schema = format!("restored_{}", uuid::Uuid::new_v4().simple());
    let restored_dir = work.path().join("restored-pg");
    let said = failed(run(on_pg(app.data_dir(), &app.platform_schema)
        .arg("restore")
        .arg(&archive)));
    assert!(said.contains("already exists"), "{said}");
    ok(run(on_pg(&restored_dir, &fresh_schema)
        .arg("restore")
        .arg(&archive)
        .arg("--force")));
    ok(run(on_pg(&restored_dir, &fresh_schema).arg("verify")));
    let schema = fresh_schema.clone();
    let pg = TestApp::spawn_with(&Backend::Postgres(url.clone()), move |c| {
        c.database_schema = schema;
        c.data_dir = Some(restored_dir);
    })
    .await;
    let login = pg.login("pg-backup@example.com", STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);

    // Into SQLite: the same books.
    let sqlite_dir = work.path().join("restored-sqlite");
    ok(run(oasys(work.path(), &sqlite_dir).arg("restore").arg(&archive)));
    ok(run(oasys(work.path(), &sqlite_dir).arg("verify")));
    let lite = TestApp::spawn_with(&Backend::Sqlite, with_data_dir(sqlite_dir)).await;
    let login = lite.login("pg-backup@example.com", STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let token = login.body["tokens"]["access"].as_str().unwrap();
    let there = lite
        .get("/api/reports/trial-balance/?as_of=2026-12-31", Some(token))
        .await;
    let here = firm.trial_balance("2026-12-31").await;
    assert_eq!(there.body["rows"], here["rows"]);
    assert_eq!(tb_row(&there.body, "1000"), Some(("12.34".into(), "0.00".into())));
}

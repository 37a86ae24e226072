//! `oasys restore` and `oasys verify ARCHIVE` refusing what they must, with the real binary: an
//! archive from a newer platform schema, a manifest whose chain head or trial balance is not the
//! database's, a backend this binary cannot copy, a one-firm archive for a data dir that does not
//! know the firm, a secret that differs from the archive's, an archive without its checkpoint key;
//! and what they report once the books are in place (a rewritten entry, an older archive whose
//! books differ from its manifest). Every refusal leaves the target data dir as it was. SQLite
//! only, as `backup.rs`: on PostgreSQL a backup holds firm exports.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::backup::{oasys, with_manifest};
use crate::fixtures::{BULK, Firm, PERIODS};
use crate::helpers::{Backend, TestApp, output_text};

const KEY: &str = "this-installations-configured-checkpoint-key-01";
const OTHER_KEY: &str = "somebody-elses-checkpoint-key-0123456789abcdef";

fn run(cmd: &mut Command) -> Output {
    tokio::task::block_in_place(|| cmd.output().unwrap())
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    let t = output_text(&out);
    assert!(out.status.success(), "expected success:\n{t}");
    t
}

fn failed(cmd: &mut Command) -> String {
    let out = run(cmd);
    let t = output_text(&out);
    assert!(!out.status.success(), "expected a failure:\n{t}");
    t
}

/// Every file below `dir` with the SHA-256 of its bytes: what "unchanged" means for a data dir.
/// SQLite's shared-memory index and an empty write-ahead log, which merely reading a database
/// leaves beside it, are not data.
fn contents(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.to_string_lossy().into_owned();
                let empty = path.metadata().unwrap().len() == 0;
                if name.ends_with("-shm") || (name.ends_with("-wal") && empty) {
                    continue;
                }
                let rel = path.strip_prefix(dir).unwrap().to_owned();
                out.insert(rel, hex(&Sha256::digest(std::fs::read(&path).unwrap())));
            }
        }
    }
    out
}

/// A firm with `n` posted entries in February and a closed January (a signed checkpoint).
async fn firm(app: &TestApp, email: &str, n: usize) -> Firm {
    let f = Firm::register(app, email, "Restore Firm").await;
    f.posted(f.transfer("2026-01-05", "1010", "3200", "10.00")).await;
    let r = f
        .post(&format!("{PERIODS}close/"), json!({ "date": "2026-01-31" }))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let entries: Vec<Value> = (0..n)
        .map(|i| f.transfer(&format!("2026-02-{:02}", i % 28 + 1), "6400", "1020", "1.00"))
        .collect();
    let r = f.post(BULK, json!({ "entries": entries })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    f
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_archives_leave_the_target_as_it_was() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    firm(&app, "refused@example.com", 80).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let good = w.join("good.tar.zst");
    ok(oasys(w, app.data_dir()).arg("backup").arg(&good));
    let target = w.join("target");

    // A platform database from a newer oasys.
    let newer = w.join("newer.tar.zst");
    with_manifest(&good, &newer, |m| m["platform"]["schema_version"] = json!(999));
    let said = failed(oasys(w, &target).arg("restore").arg(&newer));
    assert!(
        said.contains("the archive's platform schema is version 999, newer than this oasys"),
        "{said}"
    );
    assert!(contents(&target).is_empty(), "{:?}", contents(&target).keys());
    let said = failed(oasys(w, &w.join("unused")).arg("verify").arg(&newer));
    assert!(said.contains("newer than this oasys"), "{said}");

    // A manifest whose trial balance or chain head is not the database's.
    for (field, by) in [("debit", 100), ("chain_seq", 1)] {
        let other = w.join(format!("other-{field}.tar.zst"));
        with_manifest(&good, &other, |m| {
            let company = &mut m["tenants"][0]["companies"][0];
            company[field] = json!(company[field].as_i64().unwrap() + by);
        });
        let said = failed(oasys(w, &target).arg("restore").arg(&other));
        assert!(
            said.contains("a company's chain head or trial balance differs from the manifest"),
            "{field}: {said}"
        );
        assert!(contents(&target).is_empty(), "{field}");
    }

    // A backend this binary does not copy into a data dir.
    let foreign = w.join("foreign.tar.zst");
    with_manifest(&good, &foreign, |m| m["backend"] = json!("mysql"));
    let said = failed(oasys(w, &target).arg("restore").arg(&foreign));
    assert!(said.contains("restore it with `oasys import`"), "{said}");
    assert!(contents(&target).is_empty());

    // A data dir already holding a checkpoint key of its own: refused before anything is put in
    // place; with --force the archive's key (the one its checkpoints were signed with) replaces it,
    // and the replaced key is moved aside, not lost.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("checkpoint_key"), OTHER_KEY).unwrap();
    let before = contents(&target);
    let said = failed(oasys(w, &target).arg("restore").arg(&good));
    assert!(
        said.contains(
            "checkpoint_key differs from the archive's; add --force to replace it (the replaced one is moved aside)"
        ),
        "{said}"
    );
    assert_eq!(contents(&target), before, "nothing written before the refusal");
    let said = ok(oasys(w, &target).arg("restore").arg("--force").arg(&good));
    assert!(said.contains("restored into"), "{said}");
    assert_ne!(
        std::fs::read(target.join("checkpoint_key")).unwrap(),
        OTHER_KEY.as_bytes()
    );
    let aside: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("replaced-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read_to_string(aside[0].join("checkpoint_key")).unwrap(),
        OTHER_KEY
    );
    ok(oasys(w, &target).arg("verify"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_firm_archive_restores_only_into_a_data_dir_that_knows_the_firm() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let f = firm(&app, "one-firm@example.com", 10).await;
    let tenant = f.tenant_id().await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let one = w.join("one.tar.zst");
    ok(oasys(w, app.data_dir())
        .arg("backup")
        .arg("--tenant")
        .arg(&tenant)
        .arg(&one));

    // Into a new data dir: the firm is unknown there.
    let empty = w.join("empty");
    let said = failed(oasys(w, &empty).arg("restore").arg(&one));
    assert!(
        said.contains(&format!(
            "this archive holds one firm, Restore Firm ({tenant}), which this data dir does not know"
        )),
        "{said}"
    );
    assert!(contents(&empty).is_empty(), "{:?}", contents(&empty).keys());

    // Into a data dir restored from a later full backup: refused without --force; with it, the
    // firm goes back to the one-firm archive's books and its later books are moved aside.
    let r = f
        .post(
            BULK,
            json!({ "entries": [f.transfer("2026-03-01", "6400", "1020", "5.00")] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let full = w.join("full.tar.zst");
    ok(oasys(w, app.data_dir()).arg("backup").arg(&full));
    let data = w.join("data");
    ok(oasys(w, &data).arg("restore").arg(&full));
    let before = contents(&data);
    let said = failed(oasys(w, &data).arg("restore").arg(&one));
    assert!(
        said.contains(&format!("already holds data (tenants/{tenant})")) && said.contains("--force"),
        "{said}"
    );
    assert_eq!(contents(&data), before);
    let said = ok(oasys(w, &data).arg("restore").arg("--force").arg(&one));
    assert!(said.contains("the data it replaced is in"), "{said}");
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("replaced-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(aside[0].join("tenants").join(&tenant).join("ledger.db").exists());
    ok(oasys(w, &data).arg("verify"));
    let there = TestApp::spawn_with(&Backend::Sqlite, move |c| c.data_dir = Some(data)).await;
    let there = f.on(&there);
    assert_eq!(
        there.entry_count("status=posted").await,
        11,
        "1 + 10, not the March one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_without_their_checkpoint_key_need_the_configured_one() {
    // The key in the configuration, not in the data dir: the backup holds no key.
    let app = TestApp::spawn_with(&Backend::Sqlite, |c| c.checkpoint_key = Some(KEY.into())).await;
    firm(&app, "keyless@example.com", 70).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let archive = w.join("keyless.tar.zst");
    ok(oasys(w, app.data_dir()).arg("backup").arg(&archive));
    let scratch = w.join("unused");

    let said = failed(oasys(w, &scratch).arg("verify").arg(&archive));
    assert!(
        said.contains("the archive holds no checkpoint key and none is configured"),
        "{said}"
    );
    let said = ok(oasys(w, &scratch)
        .env("OASYS_CHECKPOINT_KEY", KEY)
        .arg("verify")
        .arg(&archive));
    assert!(said.contains("its books verify"), "{said}");
    // Another key: the signed checkpoints do not check, and the company is named.
    let said = failed(
        oasys(w, &scratch)
            .env("OASYS_CHECKPOINT_KEY", OTHER_KEY)
            .arg("verify")
            .arg(&archive),
    );
    assert!(
        said.contains("FAILED: firm Restore Firm / company ") && said.contains("problem(s) found"),
        "{said}"
    );
    assert!(!scratch.exists(), "verify writes nothing into the data dir");

    let restored = w.join("restored");
    let said = ok(oasys(w, &restored)
        .env("OASYS_CHECKPOINT_KEY", KEY)
        .arg("restore")
        .arg(&archive));
    assert!(said.contains("restored into"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_names_a_rewritten_entry_once_the_books_are_in_place() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let f = firm(&app, "rewritten@example.com", 5).await;
    let tenant = f.tenant_id().await;
    // Someone with the database file rewrites a posted entry's description; a backup copies
    // what is there (it checks its own copy, not the chain).
    let ledger = app.data_dir().join("tenants").join(&tenant).join("ledger.db");
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let changed = conn
        .execute(
            "UPDATE journal_entries SET description = 'rewritten' WHERE number = 3",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let archive = w.join("rewritten.tar.zst");
    ok(oasys(w, app.data_dir()).arg("backup").arg(&archive));

    let restored = w.join("restored");
    let said = failed(oasys(w, &restored).arg("restore").arg(&archive));
    assert!(
        said.contains("FAILED: firm Restore Firm / company ") && said.contains("1 problem(s) found"),
        "{said}"
    );
    // The books are in place, to be looked at; `oasys verify` says the same.
    assert!(restored.join("tenants").join(&tenant).join("ledger.db").exists());
    let said = failed(oasys(w, &restored).arg("verify"));
    assert!(said.contains("Restore Firm"), "{said}");
}

fn manifest_of(archive: &Path) -> Value {
    let mut input = tar::Archive::new(zstd::Decoder::new(std::fs::File::open(archive).unwrap()).unwrap());
    for entry in input.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == "manifest.json" {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            return serde_json::from_slice(&bytes).unwrap();
        }
    }
    panic!("{} has no manifest", archive.display());
}

/// An archive written by an earlier release records each company's books at that release's
/// schema. They are compared once the restored copy is migrated to this one: the same books
/// restore, other books are named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_archive_is_compared_with_its_books_after_migrating() {
    // The data dir of the release before backups (tests/fixtures/make-upgrade-fixture.sh),
    // backed up as it is: its firm's schema is older than this binary's.
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let old_data = w.join("old-data");
    std::fs::create_dir_all(&old_data).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datadir-v0.1.0.tar.zst");
    tar::Archive::new(zstd::Decoder::new(std::fs::File::open(fixture).unwrap()).unwrap())
        .unpack(&old_data)
        .unwrap();
    let old = w.join("old.tar.zst");
    ok(oasys(w, &old_data).arg("backup").arg(&old));
    let manifest = manifest_of(&old);
    let firms = manifest["tenants"].as_array().unwrap().clone();
    assert!(!firms.is_empty());
    assert!(
        firms.iter().all(|t| t.get("companies").is_none()),
        "an older schema's companies are not recorded: {manifest}"
    );

    // The companies' books as the release that wrote it would have recorded them: those of the
    // same data migrated to this schema.
    let migrated = w.join("migrated");
    ok(oasys(w, &migrated).arg("restore").arg(&old));
    let current = w.join("current.tar.zst");
    ok(oasys(w, &migrated).arg("backup").arg(&current));
    let books: Vec<(Value, Value)> = manifest_of(&current)["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].clone(), t["companies"].clone()))
        .collect();
    assert!(books.iter().all(|(_, c)| c.as_array().is_some_and(|c| !c.is_empty())));
    let recorded = |m: &mut Value| {
        for t in m["tenants"].as_array_mut().unwrap() {
            let (_, companies) = books.iter().find(|(id, _)| *id == t["id"]).unwrap();
            t["companies"] = companies.clone();
        }
    };

    let same = w.join("same.tar.zst");
    with_manifest(&old, &same, recorded);
    let said = ok(oasys(w, &w.join("unused")).arg("verify").arg(&same));
    assert!(said.contains("its books verify"), "{said}");
    let said = ok(oasys(w, &w.join("same")).arg("restore").arg(&same));
    assert!(said.contains("restored into"), "{said}");

    let other = w.join("other.tar.zst");
    with_manifest(&old, &other, |m| {
        recorded(m);
        let company = &mut m["tenants"][0]["companies"][0];
        company["debit"] = json!(company["debit"].as_i64().unwrap() + 1);
    });
    let said = failed(oasys(w, &w.join("other")).arg("restore").arg(&other));
    assert!(
        said.contains("differs from the manifest (entries") && said.contains("1 problem(s) found"),
        "{said}"
    );
    let said = failed(oasys(w, &w.join("unused")).arg("verify").arg(&other));
    assert!(said.contains("differs from the manifest"), "{said}");

    let ghost = w.join("ghost.tar.zst");
    with_manifest(&old, &ghost, |m| {
        recorded(m);
        let companies = m["tenants"][0]["companies"].as_array_mut().unwrap();
        let mut extra = companies[0].clone();
        extra["id"] = json!(uuid::Uuid::new_v4());
        extra["name"] = json!("Ghost Ltd");
        companies.push(extra);
    });
    let said = failed(oasys(w, &w.join("ghost")).arg("restore").arg(&ghost));
    assert!(said.contains("/ company Ghost Ltd: missing"), "{said}");
}

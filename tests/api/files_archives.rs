//! Documents outside the API: `oasys verify` checks every stored object (a changed or missing one
//! is named), firm archives carry them with their hashes checked, and SQLite backups carry each
//! firm's folder of documents and restore it.

use reqwest::StatusCode;
use serde_json::Value;

use crate::files::{DOCS, bytes_of, pdf, uploaded};
use crate::fixtures::{Firm, id};
use crate::helpers::{Backend, TestApp, backends};
use crate::on_every_backend;

async fn verify_checks_every_stored_object(app: TestApp) {
    use crate::transfer::{fails, ok};
    let firm = Firm::register(&app, "verify@files.test", "Verify Ltd").await;
    let kept = uploaded(&firm, "kept.pdf", &pdf("kept")).await;
    let spoilt = uploaded(&firm, "spoilt.pdf", &pdf("spoilt")).await;
    let lost = uploaded(&firm, "lost.txt", b"a note\n").await;
    let out = ok(&app, &["verify"]);
    assert!(out.contains("3 document version(s), 3 stored object(s)"), "{out}");
    let path = |doc: &Value| {
        let sha = doc["versions"][0]["sha256"].as_str().unwrap().to_owned();
        std::fs::read_dir(app.data_dir().join("tenants"))
            .unwrap()
            .flatten()
            .map(|f| f.path().join("files").join(&sha))
            .find(|p| p.exists())
            .unwrap()
    };
    std::fs::write(path(&spoilt), b"%PDF-1.4 something else").unwrap();
    std::fs::remove_file(path(&lost)).unwrap();
    let out = fails(&app, &["verify"]);
    assert!(out.contains("2 document version(s) fail their stored object"), "{out}");
    assert!(
        out.contains(&format!("document {} version 1: its object", id(&spoilt))),
        "{out}"
    );
    assert!(
        out.contains(&format!("document {} version 1:", id(&lost))) && out.contains("missing"),
        "{out}"
    );
    assert!(!out.contains(&format!("document {}", id(&kept))), "{out}");
}
on_every_backend!(
    documents_verify_checks_every_stored_object,
    verify_checks_every_stored_object
);

/// `oasys export` carries the documents' bytes (local storage) and `oasys import` puts them
/// back, each hash checked: a changed object in the archive is refused and nothing imported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_travel_in_firm_archives_with_their_hashes_checked() {
    use crate::transfer::{fails, ok, pack, unpack};
    let work = tempfile::tempdir().unwrap();
    let source = TestApp::spawn(&Backend::Sqlite).await;
    let firm = Firm::register(&source, "move@files.test", "Moving Files").await;
    let tenant = firm.tenant_id().await;
    let doc = uploaded(&firm, "moving.pdf", &pdf("moving")).await;
    uploaded(&firm, "same.pdf", &pdf("moving")).await;
    let archive = work.path().join("firm.oasys");
    ok(&source, &["export", "--tenant", &tenant, archive.to_str().unwrap()]);
    let mut files = unpack(&archive);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(
        manifest["objects"].as_array().unwrap().len(),
        1,
        "one object for two identical files"
    );
    let object = manifest["objects"][0]["file"].as_str().unwrap().to_owned();
    assert_eq!(files[&object], pdf("moving"));

    let target = TestApp::spawn(backends().last().unwrap()).await;
    let out = ok(&target, &["import", archive.to_str().unwrap()]);
    assert!(out.contains("1 document object(s)"), "{out}");
    let moved = firm.on(&target);
    let (status, _, got) = bytes_of(&moved, &format!("{DOCS}{}/download/", id(&doc))).await;
    assert_eq!((status, got), (StatusCode::OK, pdf("moving")));
    assert!(ok(&target, &["verify"]).contains("2 document version(s), 1 stored object(s)"));

    // Bytes changed inside the archive: refused before anything is written.
    files.insert(object, pdf("forged"));
    let forged = work.path().join("forged.oasys");
    pack(&files, &forged);
    let fresh = TestApp::spawn(&Backend::Sqlite).await;
    let out = fails(&fresh, &["import", forged.to_str().unwrap()]);
    assert!(out.contains("is damaged or was changed"), "{out}");
}

/// A SQLite installation's backup carries each firm's documents (they live in the firm's folder,
/// beside its database) and a restore puts them back: downloads and `oasys verify` pass there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_in_sqlite_backups_and_restored() {
    use crate::helpers::{oasys_command, output_text};
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let firm = Firm::register(&app, "backup@files.test", "Backup Files").await;
    let doc = uploaded(&firm, "kept.pdf", &pdf("kept in the backup")).await;
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("oasys.toml");
    std::fs::write(&config, "# test configuration: defaults only\n").unwrap();
    let archive = work.path().join("backup.tar.zst");
    let run = |data: &std::path::Path, args: &[&std::ffi::OsStr]| {
        let out = oasys_command(&config, data)
            .env("OASYS_LISTEN", "127.0.0.1:9")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "oasys {args:?}:\n{}", output_text(&out));
        output_text(&out)
    };
    run(app.data_dir(), &["backup".as_ref(), archive.as_os_str()]);
    let restored_dir = work.path().join("restored");
    run(&restored_dir, &["restore".as_ref(), archive.as_os_str()]);
    let out = run(&restored_dir, &["verify".as_ref()]);
    assert!(out.contains("1 document version(s), 1 stored object(s)"), "{out}");
    let restored = TestApp::spawn_with(&Backend::Sqlite, |c| c.data_dir = Some(restored_dir.clone())).await;
    let (status, _, got) = bytes_of(&firm.on(&restored), &format!("{DOCS}{}/download/", id(&doc))).await;
    assert_eq!((status, got), (StatusCode::OK, pdf("kept in the backup")));
}

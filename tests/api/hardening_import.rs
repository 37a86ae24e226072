//! Issue 14, item 6: `oasys import ARCHIVE` accepts only roles, statuses and kinds this binary
//! knows. An archive is a file anyone may have edited: a user row saying
//! `role = platform_admin` must not hand out the platform, nor an unknown status reach the books.

use crate::fixtures::Firm;
use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;
use crate::transfer::{fails, firm_exists, ok, pack, rewrite, unpack};

/// `file` of the archive with every `from` replaced by `to` (which must occur).
fn edited(files: &std::collections::BTreeMap<String, Vec<u8>>, file: &str, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(files[file].clone()).unwrap();
    assert!(text.contains(from), "{file} has no {from}: {text}");
    text.replace(from, to).into_bytes()
}

async fn archives_with_unknown_roles_statuses_or_kinds_are_refused(app: TestApp) {
    let work = tempfile::tempdir().unwrap();
    let source = TestApp::spawn(&Backend::Sqlite).await;
    let firm = Firm::register(&source, "edited@example.com", "Edited Firm").await;
    firm.posted(firm.transfer("2026-01-05", "1010", "3200", "10.00")).await;
    let tenant = firm.tenant_id().await;
    let good = work.path().join("good.oasys");
    ok(&source, &["export", "--tenant", &tenant, good.to_str().unwrap()]);
    let files = unpack(&good);
    let bad = work.path().join("bad.oasys");

    for (file, from, to, named) in [
        (
            "platform/users.jsonl",
            "\"tenant_admin\"",
            "\"platform_admin\"",
            "users.role = \"platform_admin\"",
        ),
        (
            "platform/users.jsonl",
            "\"permissions\":\"[]\"",
            "\"permissions\":\"[\\\"platform.all\\\"]\"",
            "users.permissions",
        ),
        (
            "tables/accounts.jsonl",
            "\"asset\"",
            "\"treasure\"",
            "accounts.type = \"treasure\"",
        ),
        (
            "tables/journal_entries.jsonl",
            "\"posted\"",
            "\"approved-by-magic\"",
            "journal_entries.status",
        ),
    ] {
        let mut forged = files.clone();
        let bytes = edited(&files, file, from, to);
        rewrite(&mut forged, file, bytes);
        pack(&forged, &bad);
        let out = fails(&app, &["import", bad.to_str().unwrap()]);
        assert!(
            out.contains(named) && out.contains("nothing was imported"),
            "{file}: {out}"
        );
        assert!(!firm_exists(&app, &tenant), "{file}: the firm was imported");
    }
    // The archive as written imports.
    ok(&app, &["import", good.to_str().unwrap()]);
    assert!(firm_exists(&app, &tenant));
}
on_every_backend!(
    archives_with_unknown_roles_statuses_or_kinds_are_refused_on_every_backend,
    archives_with_unknown_roles_statuses_or_kinds_are_refused
);

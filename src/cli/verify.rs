//! `oasys verify [--tenant ID]`: checks the ledgers of one firm or of all, prints one line per
//! company, and fails (non-zero exit) naming the first bad entry when anything is wrong. A
//! company whose checkpoints were signed by another key says `UNKNOWN KEY`, not rewritten.

use anyhow::{Context, bail};

use super::admin;
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::ledger::chain;
use crate::domain::tenants::Tenant;
use crate::store::platform;
use crate::store::verify::{self, TenantReport};

/// Findings printed per company; the rest are counted.
const SHOWN: usize = 50;

pub fn run(config: &Config, tenant: Option<&str>) -> anyhow::Result<()> {
    // Logs only when asked for (`RUST_LOG=oasys::store::verify=debug` prints each check's time).
    if std::env::var_os("RUST_LOG").is_some() {
        crate::telemetry::init(config.log_format);
    }
    let store = admin::open(config)?;
    let key = crate::app::checkpoint_key(config).context("loading the checkpoint key")?;
    let ours = chain::key_id(&key);
    if let Some(recorded) = store.platform_read(|tx| platform::setting(tx, crate::app::CHECKPOINT_KEY_ID))?
        && recorded != ours
    {
        println!(
            "note: this installation signs its checkpoints with key {recorded}; the key given is {ours}: checkpoints signed with the other key are reported as an unknown key, not as rewritten"
        );
    }
    let tenants: Vec<Tenant> = match tenant {
        Some(raw) => {
            let id = admin::tenant_id(&store, raw)?;
            store
                .platform_read(|tx| platform::tenant(tx, id))?
                .into_iter()
                .collect()
        }
        None => store.platform_read(platform::tenants)?,
    };
    if tenants.is_empty() {
        println!("no firms to verify");
        return Ok(());
    }
    let files = crate::files_storage::FileStorage::open(config).context("opening the document storage")?;
    let mut failed = 0;
    for t in &tenants {
        let scope = TenantScope::operator(t.id);
        let mut ok = match verify::verify_tenant(&store, &scope, &key) {
            Ok(report) => {
                print(t, &report);
                report.is_ok()
            }
            Err(e) => {
                println!("FAILED: firm {} ({}): cannot be verified: {e}", t.name, t.id);
                false
            }
        };
        ok &= verify_files(&store, &scope, &files, t);
        if !ok {
            failed += 1;
        }
    }
    if failed > 0 {
        bail!("verification failed for {failed} of {} firm(s)", tenants.len());
    }
    Ok(())
}

pub(super) fn print(t: &Tenant, report: &TenantReport) {
    let firm = format!("firm {} ({})", t.name, t.id);
    if !report.storage.is_empty() {
        println!("FAILED: {firm}: the database file fails its own checks");
        for problem in &report.storage {
            println!("  - {problem}");
        }
    }
    if report.companies.is_empty() {
        println!("ok: {firm}: no companies");
    }
    for c in &report.companies {
        let company = format!("{firm} / company {} ({})", c.company_name, c.company_id);
        if c.is_ok() {
            let checkpoint = c.last_checkpoint.map_or_else(|| "none".to_owned(), |s| s.to_string());
            println!(
                "ok: {company}: {} entries, {} links, last checkpoint {checkpoint}",
                c.entries, c.links
            );
            continue;
        }
        let first = match (c.first_bad_entry(), c.findings.first()) {
            (Some(f), _) => format!("; first bad entry: {f}"),
            (None, Some(f)) => format!("; first problem: {f}"),
            (None, None) => String::new(),
        };
        if c.findings.iter().all(|f| f.message.contains(verify::UNKNOWN_KEY)) {
            println!(
                "FAILED: {company}: UNKNOWN KEY: its checkpoints were signed by another checkpoint key and cannot be checked with this one (not by itself a sign of tampering); {} checkpoint(s)",
                c.findings.len()
            );
        } else {
            let note = if c.unknown_key() {
                " (some checkpoints: UNKNOWN KEY)"
            } else {
                ""
            };
            println!("FAILED: {company}: {} problem(s){note}{first}", c.findings.len());
        }
        for f in c.findings.iter().take(SHOWN) {
            println!("  - {f}");
        }
        if c.findings.len() > SHOWN {
            println!("  … and {} more", c.findings.len() - SHOWN);
        }
    }
}

/// Every document version's object exists in storage and hashes to its SHA-256 (and has its
/// size); prints one line for the firm and one per failing file version.
fn verify_files(
    store: &crate::store::Store,
    scope: &TenantScope,
    files: &crate::files_storage::FileStorage,
    t: &Tenant,
) -> bool {
    let firm = format!("firm {} ({})", t.name, t.id);
    let versions = match store.tenant_read(scope, crate::store::files::all_objects) {
        Ok(v) => v,
        Err(e) => {
            println!("FAILED: {firm}: its documents cannot be read: {e}");
            return false;
        }
    };
    let mut checked: std::collections::HashMap<String, Result<(String, u64), String>> = Default::default();
    let mut bad = Vec::new();
    for (file, version, sha, size) in &versions {
        let got =
            checked
                .entry(sha.clone())
                .or_insert_with(|| match crate::files_storage::block_on(files.hash(t.id, sha)) {
                    Ok(Ok(found)) => Ok(found),
                    Ok(Err(e)) | Err(e) => Err(e.to_string()),
                });
        match got {
            Ok((found, n)) if found == sha && i64::try_from(*n).ok() == Some(*size) => {}
            Ok((found, n)) => bad.push(format!(
                "document {file} version {version}: its object {sha} holds {n} bytes hashing to {found} (expected {size} bytes)"
            )),
            Err(e) => bad.push(format!("document {file} version {version}: {e}")),
        }
    }
    if bad.is_empty() {
        println!(
            "ok: {firm}: {} document version(s), {} stored object(s) in {}",
            versions.len(),
            checked.len(),
            files.describe()
        );
        return true;
    }
    println!(
        "FAILED: {firm}: {} document version(s) fail their stored object",
        bad.len()
    );
    for b in bad.iter().take(SHOWN) {
        println!("  - {b}");
    }
    false
}

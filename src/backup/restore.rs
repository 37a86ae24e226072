//! Reading a backup back: `oasys restore ARCHIVE` puts it into a data dir, `oasys verify
//! ARCHIVE` checks it in a scratch directory. Both check every member's SHA-256 against the
//! manifest before anything is written where live data lives, refuse an archive from a newer
//! schema, compare rows per table with the manifest, and end with the ledger verification and
//! a comparison of each company's chain head and trial balance.

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use super::{BackupError, Progress, Staging, archive, io_at};
use crate::auth::scope::TenantScope;
use crate::store::snapshot::{self, CompanyFacts};
use crate::store::verify::{self, TenantReport};
use crate::store::{Store, StoreError};

pub struct RestoreRequest<'a> {
    /// The archive, unpacked and checked by [`unpack`].
    pub unpacked: Unpacked,
    pub data_dir: &'a Path,
    /// Replace live data (which is moved aside, never deleted).
    pub force: bool,
}

/// An archive unpacked into a scratch directory (removed when this is dropped) and checked
/// against its manifest.
pub struct Unpacked {
    pub manifest: Manifest,
    staging: Staging,
}

impl Unpacked {
    /// A backup taken on PostgreSQL: one `oasys export` archive per firm.
    pub fn is_postgres(&self) -> bool {
        self.manifest.backend == "postgres"
    }

    /// Each firm's export archive, by firm name.
    pub fn exports(&self) -> Vec<(String, PathBuf)> {
        self.manifest
            .tenants
            .iter()
            .map(|t| (t.name.clone(), self.staging.path.join(&t.db.path)))
            .collect()
    }

    /// The archive's checkpoint key file, if it holds one.
    pub fn checkpoint_key(&self) -> Option<PathBuf> {
        let path = self.staging.path.join("secrets").join("checkpoint_key");
        path.is_file().then_some(path)
    }

    /// The scratch directory, for more scratch work that must go when it goes.
    pub fn scratch_dir(&self) -> &Path {
        &self.staging.path
    }
}

pub struct Restored {
    pub manifest: Manifest,
    /// Where the data it replaced was moved.
    pub moved_aside: Option<PathBuf>,
}

/// Unpacks an archive into a scratch directory inside `staging_parent` and checks it against its
/// manifest: hashes, schema versions, and for SQLite files the rows per table and each company's
/// chain head and trial balance (a firm export is checked by `oasys import` itself).
pub fn unpack(archive_path: &Path, passphrase: Option<&str>, staging_parent: &Path) -> Result<Unpacked, BackupError> {
    let staging = Staging::new(&staging_parent.join("restore"))?;
    let scanned = archive::scan(archive_path, passphrase, Some(&staging.path))?;
    let problems = archive::check(&scanned);
    if !problems.is_empty() {
        return Err(BackupError::Invalid(format!(
            "the archive does not match its manifest: {}",
            problems.join("; ")
        )));
    }
    let manifest = scanned.manifest;
    let (platform_now, tenant_now) = crate::store::migrations::latest_versions();
    if let Some(p) = &manifest.platform
        && p.facts.schema_version > platform_now
    {
        return Err(BackupError::Refused(format!(
            "the archive's platform schema is version {}, newer than this oasys ({platform_now}); use oasys {} or later",
            p.facts.schema_version, manifest.oasys_version
        )));
    }
    for t in &manifest.tenants {
        if t.db.facts.schema_version > tenant_now {
            return Err(BackupError::Refused(format!(
                "firm {} is at schema version {}, newer than this oasys ({tenant_now}); use oasys {} or later",
                t.name, t.db.facts.schema_version, manifest.oasys_version
            )));
        }
    }
    let mut dbs: Vec<_> = manifest.tenants.iter().map(|t| (&t.db, true)).collect();
    if let Some(p) = &manifest.platform {
        dbs.push((p, false));
    }
    if manifest.backend == "postgres" {
        dbs.clear();
    }
    for (db, is_tenant) in dbs {
        let found = snapshot::facts(&staging.path.join(&db.path), is_tenant, tenant_now)?;
        if found.schema_version != db.facts.schema_version || found.rows != db.facts.rows {
            return Err(BackupError::Invalid(format!(
                "{}: rows or schema version differ from the manifest",
                db.path
            )));
        }
        // Company facts are read only at this binary's schema; an older archive's (recorded
        // at its own schema) are compared by `check_books` once the copy is migrated.
        if is_tenant && db.facts.schema_version == tenant_now && found.companies != db.facts.companies {
            return Err(BackupError::Invalid(format!(
                "{}: a company's chain head or trial balance differs from the manifest",
                db.path
            )));
        }
    }
    Ok(Unpacked { manifest, staging })
}

/// Puts the archive's databases and files into `req.data_dir`. The caller then opens the store
/// (which migrates older schemas forward) and runs [`check_books`].
pub fn restore(req: &RestoreRequest, progress: Progress) -> Result<Restored, BackupError> {
    let Unpacked { manifest, staging } = &req.unpacked;
    if manifest.backend != "sqlite" {
        return Err(BackupError::Refused(
            "this backup holds firm exports: restore it with `oasys import` for each firm".into(),
        ));
    }

    let full = manifest.platform.is_some();
    let live_platform = req.data_dir.join("platform.db");
    let mut live: Vec<PathBuf> = Vec::new();
    if full {
        if live_platform.exists() {
            live.push(PathBuf::from("platform.db"));
        }
        if has_entries(&req.data_dir.join("tenants")) {
            live.push(PathBuf::from("tenants"));
        }
    } else {
        let known = if live_platform.exists() {
            snapshot::tenants_in(&live_platform)?
        } else {
            Vec::new()
        };
        for t in &manifest.tenants {
            if !known.iter().any(|(id, _)| *id == t.id) {
                return Err(BackupError::Refused(format!(
                    "this archive holds one firm, {} ({}), which this data dir does not know; \
                     restore a full backup, or move the firm with `oasys export` / `oasys import`",
                    t.name, t.id
                )));
            }
            let dir = PathBuf::from("tenants").join(t.id.to_string());
            if req.data_dir.join(&dir).exists() {
                live.push(dir);
            }
        }
    }
    if !live.is_empty() && !req.force {
        return Err(BackupError::Refused(format!(
            "{} already holds data ({}); restoring would replace it. Stop the server, then add --force \
             (the replaced files are moved aside, not deleted)",
            req.data_dir.display(),
            live.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }

    // A secret of the data dir's own (its checkpoint key, its signing secret) that is not the
    // archive's is refused here, before anything is moved aside or put in place; with --force it
    // is moved aside with the data it signed, which cannot be verified without it.
    let differing = differing_secrets(manifest, staging, req.data_dir)?;
    if let Some(first) = differing.first()
        && !req.force
    {
        return Err(BackupError::Refused(format!(
            "{} differs from the archive's; add --force to replace it (the replaced one is moved aside)",
            req.data_dir.join(first).display()
        )));
    }
    live.extend(differing);

    let moved_aside = if live.is_empty() {
        None
    } else {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let aside = req.data_dir.join(format!("replaced-{stamp}"));
        crate::config::ensure_private_dir(&aside).map_err(io_at(&aside))?;
        for rel in &live {
            move_with_sidecars(&req.data_dir.join(rel), &aside.join(rel))?;
        }
        Some(aside)
    };

    let mut members: Vec<String> = manifest.tenants.iter().map(|t| t.db.path.clone()).collect();
    if let Some(p) = &manifest.platform {
        members.push(p.path.clone());
    }
    members.extend(manifest.files.iter().map(|f| f.path.clone()));
    for rel in members {
        let from = staging.path.join(&rel);
        let to = match rel.strip_prefix("secrets/") {
            Some(name) => req.data_dir.join(name),
            None => req.data_dir.join(&rel),
        };
        if let Some(dir) = to.parent() {
            crate::config::ensure_private_dir(dir).map_err(io_at(dir))?;
        }
        // A -wal or -shm left beside the target belongs to other data: applied to the restored
        // file it would corrupt it.
        for sidecar in sidecars(&to) {
            remove_if_present(&sidecar)?;
        }
        // The same secret is left as it is (a different one was refused or moved aside above).
        if rel.starts_with("secrets/") && to.exists() && same_bytes(&to, &from)? {
            continue;
        }
        fs::rename(&from, &to).map_err(io_at(&to))?;
    }
    sync_dir(req.data_dir)?;
    progress(2, 3, "files in place");
    Ok(Restored {
        manifest: manifest.clone(),
        moved_aside,
    })
}

/// `oasys verify ARCHIVE`: unpacks into a scratch directory under `scratch`, opens it as a data
/// dir (migrating a copy forward if it is older), and verifies every firm in it.
pub fn verify_archive(
    archive_path: &Path,
    passphrase: Option<&str>,
    scratch: &Path,
    checkpoint_key: Option<&[u8]>,
) -> Result<(Manifest, Vec<String>), BackupError> {
    let Unpacked { manifest, staging } = unpack(archive_path, passphrase, scratch)?;
    let key = match checkpoint_key {
        Some(k) => k.to_vec(),
        None => {
            let path = staging.path.join("secrets").join("checkpoint_key");
            match fs::read_to_string(&path) {
                Ok(s) => s.trim().as_bytes().to_vec(),
                Err(_) => {
                    return Err(BackupError::Refused(
                        "the archive holds no checkpoint key and none is configured: the chains cannot be checked"
                            .into(),
                    ));
                }
            }
        }
    };
    let store = Store::open(&crate::store::StoreConfig::Sqlite {
        data_dir: staging.path.clone(),
        cache_size: 4,
    })?;
    let problems = check_books(&store, &key, &manifest)?;
    drop(store);
    Ok((manifest, problems))
}

/// Verifies each firm of the manifest in `store` and compares each company with the facts the
/// manifest recorded. Returns every problem found (empty: the books are as backed up).
pub fn check_books(store: &Store, key: &[u8], manifest: &Manifest) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    for t in &manifest.tenants {
        let scope = TenantScope::operator(t.id);
        let report: TenantReport = verify::verify_tenant(store, &scope, key)?;
        for p in &report.storage {
            problems.push(format!("firm {}: {p}", t.name));
        }
        for c in &report.companies {
            if let Some(f) = c.findings.first() {
                problems.push(format!(
                    "firm {} / company {}: {} problem(s); first: {f}",
                    t.name,
                    c.company_name,
                    c.findings.len()
                ));
            }
        }
        if !t.db.facts.companies.is_empty() {
            let now: Vec<CompanyFacts> = store.tenant_read(&scope, snapshot::company_facts)?;
            for want in &t.db.facts.companies {
                match now.iter().find(|c| c.id == want.id) {
                    None => problems.push(format!("firm {} / company {}: missing", t.name, want.name)),
                    Some(got) if got != want => problems.push(format!(
                        "firm {} / company {}: differs from the manifest (entries {} vs {}, chain head {} vs {}, \
                         trial balance {}/{} vs {}/{})",
                        t.name,
                        want.name,
                        got.entries,
                        want.entries,
                        got.chain_seq,
                        want.chain_seq,
                        got.debit,
                        got.credit,
                        want.debit,
                        want.credit
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    Ok(problems)
}

/// The archive's secrets that the data dir holds with other bytes, relative to the data dir.
fn differing_secrets(manifest: &Manifest, staging: &Staging, data_dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let mut out = Vec::new();
    for f in &manifest.files {
        let Some(name) = f.path.strip_prefix("secrets/") else {
            continue;
        };
        let to = data_dir.join(name);
        if to.exists() && !same_bytes(&to, &staging.path.join(&f.path))? {
            out.push(PathBuf::from(name));
        }
    }
    Ok(out)
}

fn same_bytes(a: &Path, b: &Path) -> Result<bool, BackupError> {
    Ok(fs::read(a).map_err(io_at(a))? == fs::read(b).map_err(io_at(b))?)
}

fn has_entries(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

fn sidecars(path: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm")]
}

fn remove_if_present(path: &Path) -> Result<(), BackupError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_at(path)(e)),
    }
}

/// Moves a file (with its -wal/-shm) or a directory.
fn move_with_sidecars(from: &Path, to: &Path) -> Result<(), BackupError> {
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
    }
    fs::rename(from, to).map_err(io_at(from))?;
    for (f, t) in sidecars(from).iter().zip(sidecars(to).iter()) {
        if f.exists() {
            fs::rename(f, t).map_err(io_at(f))?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io_at(dir))
}

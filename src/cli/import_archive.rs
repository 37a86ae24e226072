//! `oasys import ARCHIVE [--force] [--source-checkpoint-key FILE]`: loads a firm written by
//! `oasys export` into this installation's backend, whichever it is.
//!
//! Nothing is written before the whole archive is checked: every file's SHA-256 and row count
//! against the manifest, the format and schema versions against this binary, the firm and its
//! users against this installation. Then the firm's database is made, under a scratch id, at
//! the archive's schema version and loaded in one transaction, migrated forward, its checkpoints
//! re-signed with this installation's key, and the whole ledger verified; only then is it moved
//! to the firm's id (replacing the old one with `--force`) and its platform rows (the firm, its
//! users) written, in one transaction — until that commit no one can reach the firm. Every
//! role, status and kind in the firm's rows must be one this binary knows (`store::enums`; a
//! firm's user is never a platform administrator). Any failure drops what was made: nothing
//! stays half-imported.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{admin, verify as verify_cli};
use crate::auth::scope::TenantScope;
use crate::config::{Config, ensure_private_dir};
use crate::domain::tenants::{Plan, Tenant};
use crate::firm_archive::{FORMAT, FORMAT_VERSION, Hashing, Manifest, Scratch, TableEntry, columns_of, hex};
use crate::store::audit::{self, AuditEvent};
use crate::store::transfer::{self, PLATFORM_TABLES, Table};
use crate::store::{Store, Tx, enums, platform, verify};

/// The manifest is small; anything bigger is not one.
const MANIFEST_LIMIT: u64 = 16 << 20;

/// An archive unpacked into a scratch directory and checked against its manifest.
struct Staged {
    manifest: Manifest,
    /// Archive path → unpacked file.
    files: HashMap<String, PathBuf>,
    bytes: u64,
    _scratch: Scratch,
}

impl Staged {
    /// Unpacks and checks everything; writes nothing outside the scratch directory. Entries
    /// are never written under their own names (no path from the archive reaches the disk).
    fn open(archive: &Path) -> anyhow::Result<Staged> {
        let scratch = Scratch::new("import")?;
        let file = File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
        let decoder = zstd::Decoder::new(file).context("not a zstd stream")?;
        let mut tar = tar::Archive::new(decoder);
        let mut manifest_text = None;
        let mut files: HashMap<String, PathBuf> = HashMap::new();
        let mut found: HashMap<String, (String, u64, u64)> = HashMap::new();
        let mut bytes = 0u64;
        for entry in tar.entries().context("reading the archive")? {
            let mut entry = entry.context("reading the archive")?;
            let path = entry.path()?.to_string_lossy().into_owned();
            if entry.header().entry_type() != tar::EntryType::Regular {
                bail!("{}: unexpected entry {path:?}", archive.display());
            }
            if path == "manifest.json" {
                let mut text = String::new();
                entry.by_ref().take(MANIFEST_LIMIT).read_to_string(&mut text)?;
                manifest_text = Some(text);
                continue;
            }
            let local = scratch.0.join(format!("{}.jsonl", files.len()));
            if files.insert(path.clone(), local.clone()).is_some() {
                bail!("{}: {path} appears twice", archive.display());
            }
            let mut w = Hashing {
                inner: std::io::BufWriter::new(File::create(&local)?),
                hash: Sha256::new(),
                bytes: 0,
            };
            let mut lines = 0u64;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = entry.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
                w.write_all(&buf[..n])?;
            }
            w.flush()?;
            bytes += w.bytes;
            found.insert(path, (hex(&w.hash.finalize()), lines, w.bytes));
        }
        let text = manifest_text.with_context(|| format!("{}: no manifest.json", archive.display()))?;
        let manifest: Manifest = serde_json::from_str(&text).context("manifest.json is not a valid manifest")?;
        if manifest.format != FORMAT {
            bail!("not an OASYS firm archive (format {:?})", manifest.format);
        }
        if manifest.format_version > FORMAT_VERSION {
            bail!(
                "archive format version {} is newer than this oasys reads ({FORMAT_VERSION}): upgrade oasys",
                manifest.format_version
            );
        }
        let mut names = std::collections::HashSet::new();
        for t in &manifest.tables {
            // Each table once, in a database this reader knows, under its documented path:
            // nothing in an archive is skipped silently.
            let dir = match t.database.as_str() {
                "tenant" => "tables",
                "platform" => "platform",
                other => bail!("table {} of the manifest is in an unknown database {other:?}", t.name),
            };
            if t.file != format!("{dir}/{}.jsonl", t.name) || !names.insert((dir, t.name.as_str())) {
                bail!(
                    "the manifest lists {} ({}) twice or under the wrong path",
                    t.name,
                    t.file
                );
            }
            let Some((sha, lines, _)) = found.remove(&t.file) else {
                bail!("the archive lacks {}, listed in its manifest", t.file);
            };
            if sha != t.sha256 {
                bail!(
                    "{} is damaged or was changed: its SHA-256 is not the manifest's",
                    t.file
                );
            }
            if lines != t.rows {
                bail!("{} holds {lines} rows, the manifest says {}", t.file, t.rows);
            }
        }
        for o in &manifest.objects {
            if o.sha256.len() != 64
                || !o
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                bail!(
                    "the manifest lists a document object {:?} that is not a SHA-256",
                    o.sha256
                );
            }
            let Some(file) = &o.file else { continue };
            if *file != format!("objects/{}", o.sha256) {
                bail!(
                    "the manifest lists the document object {} under the wrong path {file}",
                    o.sha256
                );
            }
            let Some((sha, _, bytes)) = found.remove(file) else {
                bail!("the archive lacks {file}, listed in its manifest");
            };
            if sha != o.sha256 || bytes != o.size {
                bail!("{file} is damaged or was changed: its SHA-256 or size is not the manifest's");
            }
        }
        if let Some(extra) = found.keys().next() {
            bail!("the archive holds {extra}, which its manifest does not list");
        }
        Ok(Staged {
            manifest,
            files,
            bytes,
            _scratch: scratch,
        })
    }

    fn tables(&self, database: &str) -> impl Iterator<Item = &TableEntry> {
        self.manifest.tables.iter().filter(move |t| t.database == database)
    }

    fn reader(&self, t: &TableEntry) -> anyhow::Result<impl BufRead> {
        let path = self.files.get(&t.file).with_context(|| format!("{} missing", t.file))?;
        Ok(BufReader::with_capacity(1 << 20, File::open(path)?))
    }

    /// The firm's `domain` in the archive, if it has one.
    fn tenant_domain(&self) -> anyhow::Result<Option<String>> {
        for t in self.tables("platform").filter(|t| t.name == "tenants") {
            if let Some(line) = self.reader(t)?.lines().next() {
                let row: serde_json::Value = serde_json::from_str(&line?)?;
                return Ok(row["domain"].as_str().map(str::to_owned));
            }
        }
        Ok(None)
    }

    /// `(id, email)` of every user in the archive.
    fn users(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for t in self.tables("platform").filter(|t| t.name == "users") {
            for line in self.reader(t)?.lines() {
                let row: serde_json::Value = serde_json::from_str(&line?)?;
                let text = |k: &str| {
                    row[k]
                        .as_str()
                        .map(str::to_owned)
                        .with_context(|| format!("a user without {k}"))
                };
                out.push((text("id")?, text("email")?));
            }
        }
        Ok(out)
    }
}

pub fn run(config: &Config, archive: &Path, force: bool, source_key: Option<&Path>) -> anyhow::Result<()> {
    let started = Instant::now();
    let staged = Staged::open(archive)?;
    let m = &staged.manifest;
    let (id, name) = (m.tenant.id, m.tenant.name.clone());
    let (tenant_latest, platform_latest) = (Store::tenant_schema_latest(), Store::platform_schema_latest());
    if m.schema.tenant > tenant_latest || m.schema.platform > platform_latest {
        bail!(
            "the archive was written at schema version {}/{} (firm/platform); this oasys knows up to {tenant_latest}/{platform_latest}: upgrade oasys first",
            m.schema.tenant,
            m.schema.platform
        );
    }
    let source_key = source_key
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|k| k.trim().as_bytes().to_vec())
                .with_context(|| format!("reading {}", p.display()))
        })
        .transpose()?;
    let store = admin::open(config)?;
    if config.checkpoint_key.is_none() {
        let dir = config.data_dir();
        ensure_private_dir(&dir).with_context(|| format!("data directory {}", dir.display()))?;
    }
    let key = crate::app::installation_checkpoint_key(config, &store).context("loading the checkpoint key")?;
    let has_row = store.platform_read(|tx| platform::tenant(tx, id))?.is_some();
    let has_storage = store.tenant_storage_exists(id)?;
    if (has_row || has_storage) && !force {
        bail!("firm {id} already exists here: nothing imported (give --force to replace it with the archive)");
    }
    let users = staged.users()?;
    let clashes = store.platform_read(|tx| transfer::clashing_users(tx, id, &users))?;
    if !clashes.is_empty() {
        bail!(
            "these users already exist here in another firm (a user belongs to one firm): {}; nothing imported",
            clashes.join(", ")
        );
    }
    let domain = staged.tenant_domain()?;
    if let Some(domain) = &domain {
        let taken = store.platform_read(|tx| {
            tx.query_opt(
                "SELECT id FROM tenants WHERE domain = $1 AND id <> $2",
                crate::params![domain, id],
            )
        })?;
        if taken.is_some() {
            bail!("another firm here has the domain {domain:?}: nothing imported");
        }
    }
    // Objects the archive lists by reference must be in this installation's storage already.
    let objects = put_objects(config, &staged, id, false)?;
    // Loaded, migrated, re-signed and verified under a scratch id; moved into place only then,
    // so an interrupted import never leaves a half-loaded firm under its real id.
    let staging = Uuid::now_v7();
    store.create_tenant_storage_at(staging, m.schema.tenant)?;
    let prepared = match prepare(&store, &staged, staging, &key, source_key.as_deref(), archive) {
        Ok(p) => p,
        Err(e) => {
            if let Err(drop) = store.drop_tenant_storage(staging) {
                eprintln!("could not remove the scratch storage {staging}: {drop}");
            }
            return Err(e.context(format!("importing firm {name} ({id}): nothing was imported")));
        }
    };
    let published = (|| -> anyhow::Result<()> {
        if has_storage {
            store
                .drop_tenant_storage(id)
                .context("removing the firm being replaced")?;
        }
        store.rename_tenant_storage(staging, id)?;
        publish(&store, &staged, archive, has_row, prepared.0)?;
        // The carried objects go in after the firm's storage is in place (locally they live in
        // its folder, which replacing a firm removes); each was hashed when the archive was read.
        put_objects(config, &staged, id, true).map(|_| ()).context(
            "putting the documents' objects into storage (the rows are imported: run the import again with --force)",
        )
    })();
    match published {
        Ok(()) => {
            let (resigned, verify_secs) = prepared;
            let rows: u64 = m.tables.iter().map(|t| t.rows).sum();
            let secs = (started.elapsed().as_secs_f64() - verify_secs).max(0.001);
            println!(
                "imported firm {name} ({id}) from a {} export of {}: {rows} rows in {} tables ({} bytes) and {objects} document object(s) in {secs:.1} s ({:.0} rows/s) plus verify {verify_secs:.1} s; {resigned} checkpoint(s) re-signed with this installation's key; verify: ok",
                m.source_backend,
                m.exported_at,
                m.tables.len(),
                staged.bytes,
                rows as f64 / secs
            );
            Ok(())
        }
        Err(e) => {
            for storage in [staging, id] {
                if store.tenant_storage_exists(storage).unwrap_or(true)
                    && let Err(drop) = store.drop_tenant_storage(storage)
                {
                    eprintln!("could not remove the storage of {storage}: {drop}");
                }
            }
            let what = if has_storage || has_row {
                "the firm being replaced was removed first: run the import again"
            } else {
                "nothing was imported"
            };
            Err(e.context(format!("importing firm {name} ({id}): {what}")))
        }
    }
}

/// The firm's own database, in the scratch storage `staging`: loaded, migrated forward,
/// re-signed and verified. Returns the checkpoints re-signed and the time of the verify. The
/// caller drops `staging` if this fails.
fn prepare(
    store: &Store,
    staged: &Staged,
    staging: Uuid,
    key: &[u8],
    source_key: Option<&[u8]>,
    archive: &Path,
) -> anyhow::Result<(i64, f64)> {
    let m = &staged.manifest;
    let id = m.tenant.id;
    let scope = TenantScope::operator(staging);
    store.tenant_write(&scope, |tx| -> anyhow::Result<()> {
        let tables = transfer::tables(tx, true)?;
        let archived: Vec<&TableEntry> = staged.tables("tenant").collect();
        for t in &archived {
            if !tables.iter().any(|d| d.name == t.name) {
                bail!(
                    "table {} of the archive is not in schema version {}",
                    t.name,
                    m.schema.tenant
                );
            }
        }
        for t in &tables {
            let entry = archived
                .iter()
                .find(|a| a.name == t.name)
                .with_context(|| format!("the archive lacks table {}", t.name))?;
            if entry.columns != columns_of(t) {
                bail!(
                    "table {} of the archive does not have the columns of schema version {}",
                    t.name,
                    m.schema.tenant
                );
            }
            load_table(tx, t, entry, staged)?;
        }
        Ok(())
    })?;
    if m.schema.tenant < Store::tenant_schema_latest() {
        store
            .migrate_tenant(staging)
            .context("migrating the imported firm forward")?;
    }
    let unknown = store.tenant_read(&scope, enums::unknown_in_tenant)?;
    if !unknown.is_empty() {
        bail!(
            "the archive holds values this oasys does not know (an edited or damaged archive): {}",
            unknown.join(", ")
        );
    }
    let tenant = named(m);
    if let Some(source_key) = source_key {
        let report = verify::verify_tenant(store, &scope, source_key)?;
        if !report.is_ok() {
            verify_cli::print(&tenant, &report);
            bail!("the archive's ledger does not verify with the source installation's checkpoint key");
        }
    }
    let detail = json!({
        "reason": "imported from an archive; signed again with this installation's checkpoint key",
        "archive": archive.file_name().map(|n| n.to_string_lossy().into_owned()),
        "source_backend": m.source_backend,
        "exported_at": m.exported_at,
        "source_signatures": if source_key.is_some() { "verified with the source key" } else { "not checked (no source key given)" },
    });
    let resigned = store.tenant_write(&scope, |tx| transfer::resign_checkpoints(tx, id, key, &detail))?;
    let verifying = Instant::now();
    let report = verify::verify_tenant(store, &scope, key)?;
    let verify_secs = verifying.elapsed().as_secs_f64();
    if !report.is_ok() {
        verify_cli::print(&tenant, &report);
        bail!("the imported ledger does not verify");
    }
    Ok((resigned.iter().map(|r| r.checkpoints).sum(), verify_secs))
}

/// The firm's platform rows, in one transaction (the old ones deleted first when replacing):
/// the commit that makes the firm reachable.
fn publish(store: &Store, staged: &Staged, archive: &Path, replace: bool, count: i64) -> anyhow::Result<()> {
    let m = &staged.manifest;
    let id = m.tenant.id;
    store.platform_write(|tx| -> anyhow::Result<()> {
        if replace {
            transfer::delete_platform_rows(tx, id)?;
        }
        let tables = transfer::tables(tx, false)?;
        for entry in staged.tables("platform") {
            if !tables.iter().any(|t| t.name == entry.name) {
                bail!("platform table {} of the archive is unknown here", entry.name);
            }
        }
        for t in &tables {
            if let Some(entry) = staged.tables("platform").find(|e| e.name == t.name) {
                // Every platform row must belong to this firm: an archive naming another
                // firm's id in a user row would otherwise hand that firm a stranger.
                let (_, filter) = PLATFORM_TABLES
                    .iter()
                    .find(|(n, _)| *n == t.name)
                    .with_context(|| format!("platform table {} is not part of a firm's archive", t.name))?;
                let count = |tx: &mut Tx| -> anyhow::Result<i64> {
                    let sql = format!("SELECT COUNT(*) FROM {} WHERE {filter}", t.name);
                    Ok(tx.query_one(&sql, crate::params![id])?.int(0)?)
                };
                let before = count(tx)?;
                load_table(tx, t, entry, staged)?;
                if count(tx)? - before != i64::try_from(entry.rows)? {
                    bail!("{}: rows that do not belong to firm {id}", entry.file);
                }
            }
        }
        // A user row saying `role = platform_admin` would hand the platform to whoever wrote it.
        let unknown = enums::unknown_in_platform(tx, id)?;
        if !unknown.is_empty() {
            bail!(
                "the archive's firm and users hold values this oasys does not accept (an edited or damaged archive): {}",
                unknown.join(", ")
            );
        }
        audit::record(
            tx,
            AuditEvent {
                tenant_id: Some(id),
                actor_id: None,
                action: "import",
                object_type: "tenant",
                object_id: Some(id),
                detail: json!({
                    "archive": archive.file_name().map(|n| n.to_string_lossy().into_owned()),
                    "source_backend": m.source_backend,
                    "exported_at": m.exported_at,
                    "oasys_version": m.oasys_version,
                    "schema": {"tenant": m.schema.tenant, "platform": m.schema.platform},
                    "replaced": replace,
                    "checkpoints_resigned": count,
                }),
            },
        )?;
        Ok(())
    })
}

/// The firm as `oasys verify`'s report names it.
fn named(m: &Manifest) -> Tenant {
    let now = jiff::Timestamp::now();
    Tenant {
        id: m.tenant.id,
        name: m.tenant.name.clone(),
        domain: None,
        plan: Plan::Basic,
        is_active: true,
        created_at: now,
        updated_at: now,
    }
}

fn load_table(tx: &mut Tx, table: &Table, entry: &TableEntry, staged: &Staged) -> anyhow::Result<()> {
    let columns: Vec<String> = entry.columns.iter().map(|c| c.name.clone()).collect();
    let rows = transfer::load(tx, table, &columns, staged.reader(entry)?)
        .with_context(|| format!("loading {}", entry.file))?;
    if rows != entry.rows {
        bail!("{}: loaded {rows} rows, the manifest says {}", entry.file, entry.rows);
    }
    Ok(())
}

/// The archive's document objects: `carried` false checks that those listed by reference exist in
/// this installation's storage with their hash and size (before any row is loaded: a missing one
/// means nothing is imported); `carried` true puts those the archive carries (their hashes were
/// checked when it was read). Returns how many objects the archive lists.
fn put_objects(config: &Config, staged: &Staged, tenant: Uuid, carried: bool) -> anyhow::Result<usize> {
    let objects = &staged.manifest.objects;
    if objects.is_empty() {
        return Ok(0);
    }
    let storage = crate::files_storage::FileStorage::open(config).context("opening the document storage")?;
    for o in objects {
        match &o.file {
            Some(_) if !carried => {}
            None if carried => {}
            Some(file) => {
                let local = staged
                    .files
                    .get(file)
                    .with_context(|| format!("the archive lacks {file}"))?;
                crate::files_storage::block_on(storage.put_file(tenant, &o.sha256, local))??;
            }
            None => {
                let (sha, size) = crate::files_storage::block_on(storage.hash(tenant, &o.sha256))?
                    .with_context(|| format!("document object {} (listed by reference)", o.sha256))?;
                if sha != o.sha256 || size != o.size {
                    bail!(
                        "document object {} in {} does not match the archive: {size} bytes hashing to {sha}",
                        o.sha256,
                        storage.describe()
                    );
                }
            }
        }
    }
    Ok(objects.len())
}

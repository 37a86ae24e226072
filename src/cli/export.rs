//! `oasys export --tenant ID DEST`: writes one firm to a portable archive — a zstd-compressed
//! tar of `manifest.json` and one JSON-lines file per table — that `oasys import ARCHIVE` loads
//! on either backend. The format is `docs/export-format.md`; the manifest types live here so the
//! writer and the reader (`import_archive.rs`) share them.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::admin;
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::store::transfer::{self, PLATFORM_TABLES, Table};
use crate::store::{platform, verify};

/// The `format` of every manifest.
pub const FORMAT: &str = "oasys-firm-export";
/// Raised when a reader of the previous version could misread an archive (see the doc).
pub const FORMAT_VERSION: u32 = 1;
/// zstd level: a good ratio for JSON at a fraction of the cost of the high levels.
const LEVEL: i32 = 3;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub oasys_version: String,
    /// RFC 3339, UTC.
    pub exported_at: String,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    pub tenant: TenantInfo,
    pub schema: SchemaVersions,
    /// Platform tables first, then the firm's; each in an order safe for foreign keys.
    pub tables: Vec<TableEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TenantInfo {
    pub id: Uuid,
    pub name: String,
}

/// Refinery versions of the two schemas the rows were read at.
#[derive(Debug, Serialize, Deserialize)]
pub struct SchemaVersions {
    pub tenant: i64,
    pub platform: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    /// `tenant` (the firm's own database) or `platform` (its rows of the shared one).
    pub database: String,
    pub name: String,
    /// The path inside the archive: `tables/<name>.jsonl` or `platform/<name>.jsonl`.
    pub file: String,
    pub rows: u64,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub columns: Vec<ColumnEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnEntry {
    pub name: String,
    /// `integer`, `text` or `boolean`.
    #[serde(rename = "type")]
    pub ty: String,
    pub nullable: bool,
}

pub fn columns_of(table: &Table) -> Vec<ColumnEntry> {
    table
        .columns
        .iter()
        .map(|c| ColumnEntry {
            name: c.name.clone(),
            ty: c.ty.as_str().to_owned(),
            nullable: c.nullable,
        })
        .collect()
}

/// A writer that hashes and counts what passes through.
pub struct Hashing<W> {
    pub inner: W,
    pub hash: Sha256,
    pub bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A private scratch directory, removed when dropped (also on error).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(purpose: &str) -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("oasys-{purpose}-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(config: &Config, tenant: &str, dest: &Path) -> anyhow::Result<()> {
    let store = admin::open(config)?;
    let id = admin::tenant_id(&store, tenant)?;
    let done = export_firm(config, &store, id, dest)?;
    let rows: u64 = done.manifest.tables.iter().map(|t| t.rows).sum();
    println!(
        "exported firm {} ({id}) to {}: {rows} rows in {} tables, {} bytes; verify {:.1} s, export {:.1} s ({:.0} rows/s)",
        done.manifest.tenant.name,
        dest.display(),
        done.manifest.tables.len(),
        done.size,
        done.verify_seconds,
        done.export_seconds,
        rows as f64 / done.export_seconds
    );
    Ok(())
}

/// A firm written to an archive.
pub struct Exported {
    pub manifest: Manifest,
    pub size: u64,
    pub verify_seconds: f64,
    pub export_seconds: f64,
}

/// Verifies firm `id` and writes it to `dest`: what `oasys export` does, and what a backup on
/// PostgreSQL does for each firm.
pub fn export_firm(config: &Config, store: &crate::store::Store, id: Uuid, dest: &Path) -> anyhow::Result<Exported> {
    let started = Instant::now();
    let scope = TenantScope::operator(id);
    let firm = store
        .platform_read(|tx| platform::tenant(tx, id))?
        .with_context(|| format!("no firm with id {id}"))?;
    // A firm whose ledger does not verify here would not verify anywhere: say so now.
    let key = crate::app::checkpoint_key(config).context("loading the checkpoint key")?;
    let report = verify::verify_tenant(store, &scope, &key).context("verifying the firm before export")?;
    let verified = started.elapsed().as_secs_f64();
    if !report.is_ok() {
        bail!(
            "firm {} ({id}) does not pass `oasys verify --tenant {id}`: nothing exported",
            firm.name
        );
    }
    let scratch = Scratch::new("export")?;
    let mut tables = Vec::new();
    let platform_version = store.platform_read(|tx| -> anyhow::Result<i64> {
        tx.snapshot()?;
        let catalogue = transfer::tables(tx, false)?;
        for t in catalogue
            .iter()
            .filter(|t| PLATFORM_TABLES.iter().any(|(n, _)| *n == t.name))
        {
            let filter = PLATFORM_TABLES
                .iter()
                .find(|(n, _)| *n == t.name)
                .map_or("FALSE", |(_, f)| *f);
            let params = [crate::store::Value::from(id)];
            tables.push(dump(&scratch.0, "platform", tx, t, Some((filter, &params)))?);
        }
        Ok(schema_version(tx)?)
    })?;
    let tenant_version = store.tenant_read(&scope, |tx| -> anyhow::Result<i64> {
        tx.snapshot()?;
        for t in transfer::tables(tx, true)? {
            tables.push(dump(&scratch.0, "tenant", tx, &t, None)?);
        }
        Ok(schema_version(tx)?)
    })?;
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        oasys_version: env!("CARGO_PKG_VERSION").into(),
        exported_at: platform::ts(jiff::Timestamp::now()),
        source_backend: store.backend_name().into(),
        tenant: TenantInfo {
            id,
            name: firm.name.clone(),
        },
        schema: SchemaVersions {
            tenant: tenant_version,
            platform: platform_version,
        },
        tables,
    };
    let size = write_archive(&scratch.0, &manifest, dest)?;
    Ok(Exported {
        manifest,
        size,
        verify_seconds: verified,
        export_seconds: (started.elapsed().as_secs_f64() - verified).max(0.001),
    })
}

fn schema_version(tx: &mut crate::store::Tx) -> Result<i64, crate::store::StoreError> {
    tx.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?
        .int(0)
}

/// Dumps one table to `<scratch>/<dir>/<name>.jsonl`, hashing it on the way.
fn dump(
    scratch: &Path,
    database: &str,
    tx: &mut crate::store::Tx,
    table: &Table,
    filter: Option<(&str, &[crate::store::Value])>,
) -> anyhow::Result<TableEntry> {
    let dir = if database == "tenant" { "tables" } else { "platform" };
    let file = format!("{dir}/{}.jsonl", table.name);
    let path = scratch.join(&file);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let out = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 20, out),
        hash: Sha256::new(),
        bytes: 0,
    };
    let rows = transfer::dump(tx, table, filter, &mut w).with_context(|| format!("reading table {}", table.name))?;
    w.flush()?;
    Ok(TableEntry {
        database: database.into(),
        name: table.name.clone(),
        file,
        rows,
        sha256: hex(&w.hash.finalize()),
        columns: columns_of(table),
    })
}

/// Writes the archive to `DEST.tmp-…`, syncs it and renames it into place: the final name
/// never holds a partial archive. Returns its size.
pub fn write_archive(scratch: &Path, manifest: &Manifest, dest: &Path) -> anyhow::Result<u64> {
    let name = dest
        .file_name()
        .with_context(|| format!("{} is not a file name", dest.display()))?;
    let tmp = dest.with_file_name(format!("{}.tmp-{}", name.to_string_lossy(), Uuid::new_v4().simple()));
    let result = (|| -> anyhow::Result<u64> {
        let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let encoder = zstd::Encoder::new(BufWriter::with_capacity(1 << 20, file), LEVEL)?;
        let mut tar = tar::Builder::new(encoder);
        let mtime = jiff::Timestamp::now().as_second().max(0).unsigned_abs();
        let json = serde_json::to_vec_pretty(manifest)?;
        append(&mut tar, "manifest.json", mtime, json.len() as u64, json.as_slice())?;
        for t in &manifest.tables {
            let path = scratch.join(&t.file);
            let f = File::open(&path).with_context(|| format!("reading {}", path.display()))?;
            let len = f.metadata()?.len();
            append(&mut tar, &t.file, mtime, len, f)?;
        }
        let encoder = tar.into_inner()?;
        let file = encoder
            .finish()?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing {}: {}", tmp.display(), e.error()))?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    })();
    let size = match result {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, dest).with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
    // The rename itself is durable only once the directory is synced.
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()?;
    Ok(size)
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    mtime: u64,
    size: u64,
    data: impl Read,
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, data)
        .with_context(|| format!("adding {path} to the archive"))?;
    Ok(())
}

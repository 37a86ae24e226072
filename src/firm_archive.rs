//! The firm archive: one firm written to a portable file — a zstd-compressed tar of
//! `manifest.json` and one JSON-lines file per table — that `oasys import ARCHIVE` loads on either
//! backend. Written by `oasys export` and, for each firm, by backups on PostgreSQL (hence a
//! library module, not command-line code). The format is `docs/export-format.md`; the manifest
//! types live here so the writer and the reader (`cli/import_archive.rs`) share them.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::scope::TenantScope;
use crate::config::Config;
pub use crate::domain::ledger::chain::hex;
use crate::store::snapshot::DbFacts;
use crate::store::transfer::{self, PLATFORM_TABLES, Table};
use crate::store::{StoreError, platform, verify};

/// Why a firm could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("no firm with id {0}")]
    NoFirm(Uuid),
    #[error("loading the checkpoint key: {0}")]
    Key(String),
    #[error("firm {name} ({id}) does not pass `oasys verify --tenant {id}`: nothing exported")]
    NotVerified { name: String, id: Uuid },
    #[error("writing the manifest: {0}")]
    Manifest(String),
    #[error("document storage: {0}")]
    Objects(String),
    /// Giving the finished archive its name (see `backup::commit`).
    #[error(transparent)]
    Commit(#[from] crate::backup::BackupError),
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    }
}

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
    /// The documents' stored objects (schema 19): carried in the archive (`file`) from local
    /// storage, or listed by reference (no `file`) when they live in an S3-compatible store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectEntry>,
}

/// One stored object of the firm's documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// Lower-case hex SHA-256 of the bytes: also their name in storage.
    pub sha256: String,
    pub size: u64,
    /// `objects/<sha256>` inside the archive; absent: by reference, in the shared store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
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

/// A private scratch directory, removed when dropped (also on error).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(purpose: &str) -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("oasys-{purpose}-{}", Uuid::new_v4().simple()));
        // Owner only: it holds a firm's rows, password hashes included.
        crate::config::ensure_private_dir(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
pub fn export_firm(
    config: &Config,
    store: &crate::store::Store,
    id: Uuid,
    dest: &Path,
) -> Result<Exported, ExportError> {
    let started = Instant::now();
    let scope = TenantScope::operator(id);
    let firm = store
        .platform_read(|tx| platform::tenant(tx, id))?
        .ok_or(ExportError::NoFirm(id))?;
    // A firm whose ledger does not verify here would not verify anywhere: say so now.
    let key = crate::app::checkpoint_key(config).map_err(|e| ExportError::Key(e.to_string()))?;
    let report = verify::verify_tenant(store, &scope, &key)?;
    let verified = started.elapsed().as_secs_f64();
    if !report.is_ok() {
        return Err(ExportError::NotVerified { name: firm.name, id });
    }
    let scratch = Scratch::new("export").map_err(io_at(&std::env::temp_dir()))?;
    let mut tables = Vec::new();
    let platform_version = store.platform_read(|tx| -> Result<i64, ExportError> {
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
    let mut stored = Vec::new();
    let tenant_version = store.tenant_read(&scope, |tx| -> Result<i64, ExportError> {
        tx.snapshot()?;
        for t in transfer::tables(tx, true)? {
            tables.push(dump(&scratch.0, "tenant", tx, &t, None)?);
        }
        stored = crate::store::files::all_objects(tx)?;
        Ok(schema_version(tx)?)
    })?;
    let objects = copy_objects(config, id, &stored, &scratch.0)?;
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
        objects,
    };
    let size = write_archive(&scratch.0, &manifest, dest)?;
    Ok(Exported {
        manifest,
        size,
        verify_seconds: verified,
        export_seconds: (started.elapsed().as_secs_f64() - verified).max(0.001),
    })
}

/// The firm's stored objects, each once: copied into `<scratch>/objects/` from local storage
/// (hashed on the way: a damaged object stops the export), or checked to exist and listed by
/// reference when the storage is S3-compatible (the archive then names objects that stay there).
fn copy_objects(
    config: &Config,
    tenant: Uuid,
    versions: &[(Uuid, i64, String, i64)],
    scratch: &Path,
) -> Result<Vec<ObjectEntry>, ExportError> {
    use futures_util::StreamExt;
    let mut seen = std::collections::BTreeMap::new();
    for (_, _, sha, size) in versions {
        seen.insert(sha.clone(), u64::try_from(*size).unwrap_or(0));
    }
    if seen.is_empty() {
        return Ok(Vec::new());
    }
    let storage = crate::files_storage::FileStorage::open(config).map_err(|e| ExportError::Objects(e.to_string()))?;
    let failed = |e: String| ExportError::Objects(e);
    let mut out = Vec::new();
    for (sha, size) in seen {
        if storage.is_remote() {
            let exists = crate::files_storage::block_on(storage.exists(tenant, &sha))
                .map_err(|e| failed(e.to_string()))?
                .map_err(|e| failed(e.to_string()))?;
            if !exists {
                return Err(failed(format!("object {sha} is missing from {}", storage.describe())));
            }
            out.push(ObjectEntry {
                sha256: sha,
                size,
                file: None,
            });
            continue;
        }
        let file = format!("objects/{sha}");
        let path = scratch.join(&file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_at(parent))?;
        }
        let copied = crate::files_storage::block_on(async {
            let mut object = storage.get(tenant, &sha).await.map_err(|e| e.to_string())?;
            let mut f = File::create(&path).map_err(|e| e.to_string())?;
            let mut hash = Sha256::new();
            let mut n = 0u64;
            while let Some(chunk) = object.stream.next().await {
                let chunk = chunk.map_err(|e| e.to_string())?;
                hash.update(&chunk);
                n += chunk.len() as u64;
                f.write_all(&chunk).map_err(|e| e.to_string())?;
            }
            f.sync_all().map_err(|e| e.to_string())?;
            Ok::<_, String>((hex(&hash.finalize()), n))
        })
        .map_err(|e| failed(e.to_string()))?
        .map_err(failed)?;
        if copied != (sha.clone(), size) {
            return Err(failed(format!(
                "object {sha} is damaged: {} bytes hashing to {} (`oasys verify` names its document)",
                copied.1, copied.0
            )));
        }
        out.push(ObjectEntry {
            sha256: sha,
            size,
            file: Some(file),
        });
    }
    Ok(out)
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
) -> Result<TableEntry, ExportError> {
    let dir = if database == "tenant" { "tables" } else { "platform" };
    let file = format!("{dir}/{}.jsonl", table.name);
    let path = scratch.join(&file);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    let out = File::create(&path).map_err(io_at(&path))?;
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 20, out),
        hash: Sha256::new(),
        bytes: 0,
    };
    let rows = transfer::dump(tx, table, filter, &mut w)?;
    w.flush().map_err(io_at(&path))?;
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
pub fn write_archive(scratch: &Path, manifest: &Manifest, dest: &Path) -> Result<u64, ExportError> {
    let name = dest.file_name().ok_or_else(|| ExportError::Io {
        path: dest.display().to_string(),
        source: std::io::Error::other("not a file name"),
    })?;
    let tmp = dest.with_file_name(format!("{}.tmp-{}", name.to_string_lossy(), Uuid::new_v4().simple()));
    let result = (|| -> Result<u64, ExportError> {
        let at = io_at(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&tmp).map_err(&at)?;
        let encoder = zstd::Encoder::new(BufWriter::with_capacity(1 << 20, file), LEVEL).map_err(&at)?;
        let mut tar = tar::Builder::new(encoder);
        let mtime = jiff::Timestamp::now().as_second().max(0).unsigned_abs();
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| ExportError::Manifest(e.to_string()))?;
        append(&mut tar, "manifest.json", mtime, json.len() as u64, json.as_slice()).map_err(&at)?;
        let carried = manifest.objects.iter().filter_map(|o| o.file.as_ref());
        for file in manifest.tables.iter().map(|t| &t.file).chain(carried) {
            let path = scratch.join(file);
            let f = File::open(&path).map_err(io_at(&path))?;
            let len = f.metadata().map_err(io_at(&path))?.len();
            append(&mut tar, file, mtime, len, f).map_err(&at)?;
        }
        let encoder = tar.into_inner().map_err(&at)?;
        let file = encoder
            .finish()
            .map_err(&at)?
            .into_inner()
            .map_err(|e| at(e.into_error()))?;
        file.sync_all().map_err(&at)?;
        Ok(file.metadata().map_err(&at)?.len())
    })();
    let size = match result {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    crate::backup::commit(&tmp, dest)?;
    Ok(size)
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    mtime: u64,
    size: u64,
    data: impl Read,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, data)
}

/// For backups on PostgreSQL (by hand or scheduled by the server): writes firm `id` as a firm
/// archive at `dest` and returns its schema version and rows per table.
pub fn export_for_backup(
    config: &Config,
    store: &crate::store::Store,
    id: Uuid,
    dest: &Path,
) -> Result<DbFacts, String> {
    let done = export_firm(config, store, id, dest).map_err(|e| e.to_string())?;
    Ok(DbFacts {
        schema_version: done.manifest.schema.tenant,
        rows: done
            .manifest
            .tables
            .iter()
            .filter(|t| t.database == "tenant")
            .map(|t| (t.name.clone(), i64::try_from(t.rows).unwrap_or(i64::MAX)))
            .collect(),
        companies: Vec::new(),
    })
}

//! Backups of a data dir: `oasys backup`, the server's scheduled backups and the automatic
//! backup before a migration all go through [`create`]; `oasys restore` and `oasys verify
//! ARCHIVE` through [`restore`].
//!
//! A backup is one archive (see `docs/backup-format.md`): consistent copies of the platform
//! database and of each firm's database, taken with SQLite's online backup API while the server
//! keeps writing, each firm's files, the data dir's secrets, and a manifest with schema
//! versions, rows per table, per-company chain heads and trial-balance digests, and a SHA-256 per
//! member. It counts only once it has been read back and checked.

mod archive;
pub use archive::commit;
mod crypt;
pub mod manifest;
pub mod remote;
pub mod restore;
pub mod schedule;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use uuid::Uuid;

use crate::store::StoreError;
use crate::store::snapshot::{self, DbFacts};
use archive::ArchiveWriter;
use manifest::{DbMember, FileMember, Manifest, TenantMember};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the archive is encrypted: give its passphrase (--passphrase-file, or OASYS_BACKUP_PASSPHRASE)")]
    PassphraseNeeded,
    /// The archive is not what it claims: wrong format, changed, cut short.
    #[error("{0}")]
    Invalid(String),
    /// The archive is sound but restoring it here would be wrong.
    #[error("{0}")]
    Refused(String),
    /// The S3-compatible store failed or refused.
    #[error("backup store: {0}")]
    Remote(String),
    /// The backup was written but reading it back found these problems; it was deleted.
    #[error("the backup did not read back correctly and was deleted: {}", .0.join("; "))]
    ReadBack(Vec<String>),
}

/// Why a backup was taken; recorded in its manifest and its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Manual,
    Scheduled,
    PreUpgrade,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Manual => "manual",
            Reason::Scheduled => "scheduled",
            Reason::PreUpgrade => "pre-upgrade",
        }
    }
}

/// One backup to take.
pub struct Request<'a> {
    pub data_dir: &'a Path,
    pub dest: &'a Path,
    /// One firm only: its database and files, without the platform database.
    pub tenant: Option<Uuid>,
    pub passphrase: Option<&'a str>,
    pub reason: Reason,
}

/// What a finished backup holds, for the command's last line and the benchmark.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub archive_bytes: u64,
    /// Bytes of the databases and files before compression.
    pub data_bytes: u64,
    pub tenants: usize,
    pub entries: i64,
    pub lines: i64,
    pub seconds: f64,
}

/// Reports each step: `(done, total, what)`. A terminal shows a bar; a log, one line per step.
pub type Progress<'a> = &'a dyn Fn(usize, usize, &str);

/// Takes a backup of the SQLite data dir in `req` into `req.dest`.
pub fn create(req: &Request, progress: Progress) -> Result<Summary, BackupError> {
    let started = Instant::now();
    let platform_db = req.data_dir.join("platform.db");
    if !platform_db.exists() {
        return Err(BackupError::Refused(format!(
            "{} holds no OASYS data (no platform.db)",
            req.data_dir.display()
        )));
    }
    if req.dest.exists() {
        return Err(BackupError::Refused(format!(
            "{} already exists; choose a new name",
            req.dest.display()
        )));
    }
    let staging = Staging::new(req.dest)?;
    let (_, tenant_version) = crate::store::migrations::latest_versions();

    let platform_copy = staging.path.join("platform.db");
    snapshot::copy_database(&platform_db, &platform_copy)?;
    let all = snapshot::tenants_in(&platform_copy)?;
    let tenants: Vec<(Uuid, String)> = match req.tenant {
        Some(id) => {
            let found: Vec<_> = all.into_iter().filter(|(t, _)| *t == id).collect();
            if found.is_empty() {
                return Err(BackupError::Refused(format!("no firm with id {id}")));
            }
            found
        }
        None => all,
    };
    let steps = 3 + 2 * tenants.len();
    progress(1, steps, "platform database copied");

    let mut tenant_facts = Vec::with_capacity(tenants.len());
    for (i, (id, name)) in tenants.iter().enumerate() {
        let rel = tenant_db_path(*id);
        let live = req.data_dir.join(&rel);
        if !live.exists() {
            return Err(StoreError::Corrupt(format!(
                "the database of firm {name} ({id}) is missing: {}",
                live.display()
            ))
            .into());
        }
        let copy = staging.path.join(&rel);
        if let Some(dir) = copy.parent() {
            fs::create_dir_all(dir).map_err(io_at(dir))?;
        }
        snapshot::copy_database(&live, &copy)?;
        let facts = snapshot::facts(&copy, true, tenant_version)?;
        tenant_facts.push((*id, name.clone(), rel, copy, facts));
        progress(2 + i, steps, &format!("firm {name} copied"));
    }

    let mut writer = ArchiveWriter::create(req.dest, req.passphrase)?;
    let tmp = writer.temporary_path().to_owned();
    let result = (|| {
        let platform = match req.tenant {
            Some(_) => None,
            None => {
                let facts = snapshot::facts(&platform_copy, false, 0)?;
                let member = writer.append_file("platform.db", &platform_copy)?;
                Some(db_member(member, facts))
            }
        };
        let mut members = Vec::new();
        let mut files = Vec::new();
        for (i, (id, name, rel, copy, facts)) in tenant_facts.into_iter().enumerate() {
            let member = writer.append_file(&rel, &copy)?;
            members.push(TenantMember {
                id,
                name: name.clone(),
                db: db_member(member, facts),
            });
            let files_dir = req.data_dir.join("tenants").join(id.to_string()).join("files");
            for (rel_file, abs) in files_below(&files_dir)? {
                let path = format!("tenants/{id}/files/{rel_file}");
                files.push(writer.append_file(&path, &abs)?);
            }
            progress(2 + tenants.len() + i, steps, &format!("firm {name} archived"));
        }
        progress(steps - 1, steps, "writing the archive and reading it back");
        seal(writer, req, "sqlite", platform, members, files)
    })();
    let (manifest, archive_bytes) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    progress(steps, steps, "backup checked");
    let (entries, lines) = manifest.totals();
    Ok(Summary {
        path: req.dest.to_owned(),
        archive_bytes,
        data_bytes: manifest.members().iter().map(|(_, _, size)| size).sum(),
        tenants: manifest.tenants.len(),
        entries,
        lines,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes one firm as an `oasys export` archive at the path given; returns its schema version and
/// rows per table. Supplied by the caller (`firm_archive::export_for_backup`, which needs the
/// store and the configuration this module does not hold).
pub type Exporter<'a> = &'a dyn Fn(Uuid, &Path) -> Result<DbFacts, String>;

/// A backup on PostgreSQL: each firm exported (one consistent read per firm, verified first) into
/// one archive with the data dir's secrets, written, read back and renamed like any other.
/// `req.data_dir` is where the secrets live; `tenants` the firms to include.
pub fn create_postgres(
    req: &Request,
    tenants: &[(Uuid, String)],
    export: Exporter,
    progress: Progress,
) -> Result<Summary, BackupError> {
    let started = Instant::now();
    if req.dest.exists() {
        return Err(BackupError::Refused(format!(
            "{} already exists; choose a new name",
            req.dest.display()
        )));
    }
    let staging = Staging::new(req.dest)?;
    let steps = 2 + tenants.len();
    let mut exported = Vec::with_capacity(tenants.len());
    for (i, (id, name)) in tenants.iter().enumerate() {
        let rel = format!("tenants/{id}/{}", manifest::FIRM_EXPORT);
        let path = staging.path.join(&rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_at(dir))?;
        }
        let facts = export(*id, &path).map_err(|e| BackupError::Refused(format!("firm {name} ({id}): {e}")))?;
        exported.push((*id, name.clone(), rel, path, facts));
        progress(1 + i, steps, &format!("firm {name} exported"));
    }
    let mut writer = ArchiveWriter::create(req.dest, req.passphrase)?;
    let tmp = writer.temporary_path().to_owned();
    let result = (|| {
        let mut members = Vec::new();
        for (id, name, rel, path, facts) in exported {
            let member = writer.append_file(&rel, &path)?;
            members.push(TenantMember {
                id,
                name,
                db: db_member(member, facts),
            });
        }
        seal(writer, req, "postgres", None, members, Vec::new())
    })();
    let (m, archive_bytes) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    progress(steps, steps, "backup checked");
    let rows = |t: &TenantMember, table: &str| t.db.facts.rows.get(table).copied().unwrap_or(0);
    Ok(Summary {
        path: req.dest.to_owned(),
        archive_bytes,
        data_bytes: m.members().iter().map(|(_, _, size)| size).sum(),
        tenants: m.tenants.len(),
        entries: m.tenants.iter().map(|t| rows(t, "journal_entries")).sum(),
        lines: m.tenants.iter().map(|t| rows(t, "journal_lines")).sum(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Ends an archive: appends the data dir's secrets and the manifest, finishes the file, reads
/// it back and checks it as a restore would, and only then gives it its final name. Returns the
/// manifest and the archive's size.
fn seal(
    mut writer: ArchiveWriter,
    req: &Request,
    backend: &str,
    platform: Option<DbMember>,
    tenants: Vec<TenantMember>,
    mut files: Vec<FileMember>,
) -> Result<(Manifest, u64), BackupError> {
    // The checkpoint key proves the chains; the token secret only a whole-platform backup needs.
    let secrets: &[&str] = if req.tenant.is_some() {
        &["checkpoint_key"]
    } else {
        &["checkpoint_key", "jwt_secret"]
    };
    for secret in secrets {
        let path = req.data_dir.join(secret);
        if path.is_file() {
            files.push(writer.append_file(&format!("secrets/{secret}"), &path)?);
        }
    }
    let manifest = Manifest {
        format: manifest::FORMAT.into(),
        format_version: manifest::FORMAT_VERSION,
        oasys_version: env!("CARGO_PKG_VERSION").into(),
        created_at: jiff::Timestamp::now().to_string(),
        reason: req.reason.as_str().into(),
        backend: backend.into(),
        platform,
        tenants,
        files,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Invalid(format!("manifest: {e}")))?;
    writer.append_bytes(manifest::NAME, &json)?;
    let tmp = writer.finish()?;
    let scanned = archive::scan(&tmp, req.passphrase, None)?;
    let mut problems = archive::check(&scanned);
    let reread = serde_json::to_vec_pretty(&scanned.manifest).unwrap_or_default();
    if reread != json {
        problems.push("manifest.json reads back different from what was written".into());
    }
    if !problems.is_empty() {
        return Err(BackupError::ReadBack(problems));
    }
    archive::commit(&tmp, req.dest)?;
    Ok((manifest, scanned.archive_bytes))
}

fn db_member(member: FileMember, facts: DbFacts) -> DbMember {
    DbMember {
        path: member.path,
        sha256: member.sha256,
        size: member.size,
        facts,
    }
}

pub fn tenant_db_path(id: Uuid) -> String {
    format!("tenants/{id}/ledger.db")
}

/// Regular files below `dir`, as (path relative to `dir` with `/`, absolute path), sorted.
fn files_below(dir: &Path) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(io_at(&d))? {
            let entry = entry.map_err(io_at(&d))?;
            let kind = entry.file_type().map_err(io_at(&d))?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && let Ok(rel) = path.strip_prefix(dir)
                && let Some(rel) = rel.to_str()
            {
                out.push((rel.replace(std::path::MAIN_SEPARATOR, "/"), path));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A private scratch directory beside `near`, removed when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn new(near: &Path) -> Result<Staging, BackupError> {
        let mut tag = [0u8; 6];
        getrandom::fill(&mut tag).map_err(|e| BackupError::Invalid(e.to_string()))?;
        let parent = match near.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let path = parent.join(format!(".oasys-staging-{}", crate::domain::ledger::chain::hex(&tag)));
        crate::config::ensure_private_dir(&path).map_err(io_at(&path))?;
        Ok(Staging { path })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Where scheduled backups go: a directory, or an S3-compatible store.
pub enum Destination {
    Dir(PathBuf),
    S3(remote::S3Location),
}

pub fn destination(config: &crate::config::Config) -> Result<Destination, BackupError> {
    match config.backup.dir.as_ref() {
        None => Ok(Destination::Dir(config.data_dir().join("backups"))),
        Some(dir) => match dir.to_str().and_then(remote::S3Location::parse) {
            Some(loc) => Ok(Destination::S3(loc?)),
            None => Ok(Destination::Dir(dir.clone())),
        },
    }
}

/// Where pre-upgrade backups go: `backup.dir` when it is a directory, else `<data dir>/backups`
/// (a binary starting up does not depend on the network).
pub fn backup_dir(config: &crate::config::Config) -> PathBuf {
    match destination(config) {
        Ok(Destination::Dir(dir)) => dir,
        _ => config.data_dir().join("backups"),
    }
}

/// What to back up: the SQLite data dir's files, or (PostgreSQL) these firms through `export`.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Files,
    Exports(&'a [(Uuid, String)], Exporter<'a>),
}

/// Takes a backup named `name` into `dest`: written and checked in place for a directory; for
/// S3, written and checked in `spool` (a local directory), uploaded, read back from the store,
/// and the local copy deleted.
pub fn create_into(
    config: &crate::config::Config,
    dest: &Destination,
    spool: &Path,
    name: &str,
    source: Source,
    req: &Request,
    progress: Progress,
) -> Result<Summary, BackupError> {
    let write = |path: &Path| match source {
        Source::Files => create(&Request { dest: path, ..*req }, progress),
        Source::Exports(tenants, export) => create_postgres(&Request { dest: path, ..*req }, tenants, export, progress),
    };
    match dest {
        Destination::Dir(dir) => {
            crate::config::ensure_private_dir(dir).map_err(io_at(dir))?;
            write(&dir.join(name))
        }
        Destination::S3(loc) => {
            crate::config::ensure_private_dir(spool).map_err(io_at(spool))?;
            let local = spool.join(name);
            let mut summary = write(&local)?;
            let store = remote::open(loc, &config.backup);
            let uploaded = store.and_then(|s| remote::upload_checked(&s, loc, &local, name));
            let _ = fs::remove_file(&local);
            summary.path = PathBuf::from(uploaded?);
            Ok(summary)
        }
    }
}

/// The passphrase of `backup.passphrase_file`, if set.
pub fn configured_passphrase(config: &crate::config::Config) -> Result<Option<String>, BackupError> {
    config
        .backup
        .passphrase_file
        .as_deref()
        .map(read_passphrase)
        .transpose()
}

/// The passphrase in a file: its first line, which must not be empty.
pub fn read_passphrase(path: &Path) -> Result<String, BackupError> {
    let text = fs::read_to_string(path).map_err(io_at(path))?;
    match text.lines().next() {
        Some(line) if !line.is_empty() => Ok(line.to_owned()),
        _ => Err(BackupError::Refused(format!(
            "{} is empty: the passphrase is its first line",
            path.display()
        ))),
    }
}

/// Before a binary migrates an existing SQLite data dir, backs it up as it is: a newer
/// schema cannot be opened by the older binary, so this archive is the way back. Returns
/// `None` when nothing needs migrating (or the data dir is new, or on PostgreSQL).
pub fn before_upgrade(config: &crate::config::Config) -> Result<Option<Summary>, BackupError> {
    if config.database_url.is_some() {
        return Ok(None);
    }
    let data_dir = config.data_dir();
    let platform = data_dir.join("platform.db");
    if !platform.exists() {
        return Ok(None);
    }
    let (platform_now, tenant_now) = crate::store::migrations::latest_versions();
    let mut pending = snapshot::schema_version(&platform)? < platform_now;
    if !pending {
        pending = match recorded_tenant_schema(&platform)? {
            Some(version) => version < tenant_now,
            // Written before the version was recorded: each firm's file is read, this once.
            None => {
                let mut behind = false;
                for (id, _) in snapshot::tenants_in(&platform)? {
                    let db = data_dir.join(tenant_db_path(id));
                    if db.exists() && snapshot::schema_version(&db)? < tenant_now {
                        behind = true;
                        break;
                    }
                }
                behind
            }
        };
    }
    if !pending {
        return Ok(None);
    }
    let dir = backup_dir(config);
    crate::config::ensure_private_dir(&dir).map_err(io_at(&dir))?;
    let passphrase = configured_passphrase(config)?;
    let dest = dir.join(schedule::file_name(
        jiff::Timestamp::now(),
        Reason::PreUpgrade,
        passphrase.is_some(),
    ));
    let summary = create(
        &Request {
            data_dir: &data_dir,
            dest: &dest,
            tenant: None,
            passphrase: passphrase.as_deref(),
            reason: Reason::PreUpgrade,
        },
        &|_, _, _| {},
    )?;
    tracing::info!(path = %summary.path.display(), bytes = summary.archive_bytes, "pre-upgrade backup written and checked");
    Ok(Some(summary))
}

/// The platform setting that holds the tenant schema version the data dir has been brought to:
/// every firm's file is at it, or is older, unchanged since the pre-upgrade backup, and will be
/// migrated to it when first opened. Start-up reads this one value instead of opening every
/// firm's file (which took half a second per thousand firms).
pub const TENANT_SCHEMA_SETTING: &str = "tenant_schema_version";

fn recorded_tenant_schema(platform: &Path) -> Result<Option<i64>, BackupError> {
    Ok(snapshot::platform_setting(platform, TENANT_SCHEMA_SETTING)?.and_then(|v| v.parse().ok()))
}

/// After [`before_upgrade`] (the backup taken, or none needed) and the store opened: records
/// that this data dir's firms are this binary's to migrate, so later starts need no backup for
/// the firms not opened yet. Never lowers it (an older binary started on a newer data dir).
pub fn upgrade_done(store: &crate::store::Store) -> Result<(), StoreError> {
    let (_, tenant_now) = crate::store::migrations::latest_versions();
    store.platform_write(|tx| {
        let recorded = crate::store::platform::setting(tx, TENANT_SCHEMA_SETTING)?.and_then(|v| v.parse::<i64>().ok());
        if recorded.is_none_or(|v| v < tenant_now) {
            crate::store::platform::set_setting(tx, TENANT_SCHEMA_SETTING, Some(&tenant_now.to_string()))?;
        }
        Ok(())
    })
}

/// Records a finished backup in the platform database (read by `oasys doctor` and `/metrics`).
pub fn record(store: &crate::store::Store, summary: &Summary, reason: Reason) -> Result<(), StoreError> {
    let run = crate::store::platform::BackupRun {
        finished_at: jiff::Timestamp::now(),
        reason: reason.as_str().to_owned(),
        path: summary.path.display().to_string(),
        archive_bytes: i64::try_from(summary.archive_bytes).unwrap_or(i64::MAX),
        tenants: i64::try_from(summary.tenants).unwrap_or(i64::MAX),
        entries: summary.entries,
        duration_ms: i64::try_from(std::time::Duration::from_secs_f64(summary.seconds).as_millis()).unwrap_or(i64::MAX),
    };
    store.platform_write(|tx| crate::store::platform::insert_backup_run(tx, &run))
}

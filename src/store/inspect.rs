//! Read-only inspection of the databases for `oasys doctor`: each one opened *without* migrating
//! it (`Store::open` would apply pending migrations, which is what the doctor reports on), its
//! schema version read, and on SQLite its file checked with `PRAGMA quick_check`.

use std::path::Path;
use std::time::Duration;

use uuid::Uuid;

use super::postgres::tenant_schema;
use super::{StoreConfig, StoreError};

/// Problems shown per database file; the rest are counted.
const SHOWN: usize = 3;

/// What was found in one database (the platform one, or a firm's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbState {
    /// Not created yet (a fresh install before its first start).
    Missing,
    /// Readable and, on SQLite, passing `quick_check`; at this schema version.
    Ok { version: i64 },
    /// Unreadable, failing its checks, or gone while the platform lists it.
    Broken(String),
}

#[derive(Debug, Clone)]
pub struct TenantDb {
    pub id: Uuid,
    pub name: String,
    pub state: DbState,
    /// Whether it holds checkpoints signed with the checkpoint key (which must then be kept).
    pub signed_checkpoints: bool,
    /// The newest checkpoint of each company, for checking it against the key at hand.
    pub latest_checkpoints: Vec<CheckpointSample>,
}

/// One stored checkpoint: what was signed, the signature, and the signing key's id (`None`
/// before key ids were recorded).
#[derive(Debug, Clone)]
pub struct CheckpointSample {
    pub company_id: Uuid,
    pub seq: i64,
    pub hash: String,
    pub signature: String,
    pub key_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Inspection {
    pub platform: DbState,
    pub tenants: Vec<TenantDb>,
    /// The newest recorded backup: when it finished (RFC 3339), why, and where it went.
    pub last_backup: Option<(String, String, String)>,
    /// The id of the key this installation signs checkpoints with, once a server recorded it.
    pub checkpoint_key_id: Option<String>,
}

const KEY_ID: &str = "SELECT value FROM settings WHERE key = 'checkpoint_key_id'";

/// The newest checkpoint of each company (`{table}` and `{key_id}` filled in: an older schema
/// has no `key_id` column). SQLite's ids are bytes since v10, read by `sqlite::file_uuid`;
/// PostgreSQL's are text.
const LATEST: &str = "SELECT c.company_id, c.seq, c.hash, c.signature, {key_id} FROM {table} c \
     WHERE c.seq = (SELECT MAX(d.seq) FROM {table} d WHERE d.company_id = c.company_id) ORDER BY 1";

fn latest_sql(table: &str, with_key_id: bool) -> String {
    LATEST
        .replace("{table}", table)
        .replace("{key_id}", if with_key_id { "c.key_id" } else { "NULL" })
}

const LAST_BACKUP: &str = "SELECT finished_at, reason, path FROM backup_runs ORDER BY finished_at DESC LIMIT 1";

/// Inspects every database. `Err` only when the database server cannot be reached at all.
/// Blocking; never call it on an async worker (the PostgreSQL client runs its own runtime).
pub fn inspect(config: &StoreConfig) -> Result<Inspection, StoreError> {
    match config {
        StoreConfig::Sqlite { data_dir, .. } => Ok(inspect_sqlite(data_dir)),
        StoreConfig::Postgres {
            url, platform_schema, ..
        } => inspect_postgres(url, platform_schema),
    }
}

fn inspect_sqlite(data_dir: &Path) -> Inspection {
    let path = data_dir.join("platform.db");
    if !path.exists() {
        return Inspection {
            platform: DbState::Missing,
            tenants: Vec::new(),
            last_backup: None,
            checkpoint_key_id: None,
        };
    }
    let mut last_backup = None;
    let mut checkpoint_key_id = None;
    let (platform, listed) = match check_sqlite(&path) {
        Ok((version, conn)) => {
            // An older platform schema has no backup_runs table: no backup recorded.
            last_backup = conn
                .query_row(LAST_BACKUP, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ok();
            checkpoint_key_id = conn.query_row(KEY_ID, [], |r| r.get(0)).ok();
            (DbState::Ok { version }, list_sqlite_tenants(&conn))
        }
        Err(problem) => (DbState::Broken(problem), Ok(Vec::new())),
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => {
            return Inspection {
                platform: DbState::Broken(format!("cannot list the firms: {e}")),
                tenants: Vec::new(),
                last_backup,
                checkpoint_key_id,
            };
        }
    };
    let tenants = listed
        .into_iter()
        .map(|(id, name)| {
            let file = data_dir
                .join("tenants")
                .join(id.hyphenated().to_string())
                .join("ledger.db");
            let (state, latest_checkpoints) = if !file.exists() {
                (DbState::Broken(format!("{} is missing", file.display())), Vec::new())
            } else {
                match check_sqlite(&file) {
                    Ok((version, conn)) => (DbState::Ok { version }, sqlite_latest_checkpoints(&conn)),
                    Err(problem) => (DbState::Broken(problem), Vec::new()),
                }
            };
            TenantDb {
                id,
                name,
                state,
                signed_checkpoints: !latest_checkpoints.is_empty(),
                latest_checkpoints,
            }
        })
        .collect();
    Inspection {
        platform,
        tenants,
        last_backup,
        checkpoint_key_id,
    }
}

/// Opens an existing SQLite database without creating or changing it, runs `quick_check` and
/// reads its schema version.
fn check_sqlite(path: &Path) -> Result<(i64, rusqlite::Connection), String> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(|e| format!("{}: {e}", path.display()))?;
    let checked = (|| -> rusqlite::Result<Vec<String>> {
        conn.execute_batch("PRAGMA query_only=1; PRAGMA busy_timeout=5000;")?;
        let mut stmt = conn.prepare("PRAGMA quick_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    })()
    .map_err(|e| format!("{}: {e}", path.display()))?;
    if checked != ["ok"] {
        let mut shown: Vec<&str> = checked.iter().take(SHOWN).map(String::as_str).collect();
        let more = checked.len().saturating_sub(SHOWN);
        let suffix = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        shown.dedup();
        return Err(format!(
            "{} fails quick_check: {}{suffix}",
            path.display(),
            shown.join("; ")
        ));
    }
    let has_history: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let version = if has_history {
        conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )
        .map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        0
    };
    Ok((version, conn))
}

fn sqlite_latest_checkpoints(conn: &rusqlite::Connection) -> Vec<CheckpointSample> {
    // A database without the table (an older schema) has no checkpoints either.
    let read = |sql: String| -> rusqlite::Result<Vec<CheckpointSample>> {
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(CheckpointSample {
                company_id: super::sqlite::file_uuid(r, 0)?.unwrap_or(Uuid::nil()),
                seq: r.get(1)?,
                hash: r.get(2)?,
                signature: r.get(3)?,
                key_id: r.get(4)?,
            })
        })?;
        rows.collect()
    };
    read(latest_sql("chain_checkpoints", true))
        .or_else(|_| read(latest_sql("chain_checkpoints", false)))
        .unwrap_or_default()
}

fn list_sqlite_tenants(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(Uuid, String)>> {
    let mut stmt = conn.prepare("SELECT id, name FROM tenants ORDER BY created_at")?;
    let rows = stmt.query_map([], |r| Ok((super::sqlite::file_uuid(r, 0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name) = row?;
        // An id that is not a UUID is reported as a broken firm rather than hidden.
        out.push((id.unwrap_or(Uuid::nil()), name));
    }
    Ok(out)
}

fn inspect_postgres(url: &str, schema: &str) -> Result<Inspection, StoreError> {
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| StoreError::Unavailable(format!("invalid database_url: {e}")))?;
    config.connect_timeout(Duration::from_secs(5));
    let mut client = config.connect(postgres::NoTls)?;
    let platform = pg_version(&mut client, schema)?;
    let listed: Vec<(Uuid, String)> = match platform {
        DbState::Ok { .. } => client
            .query(
                &format!("SELECT id::text, name FROM \"{schema}\".tenants ORDER BY created_at"),
                &[],
            )?
            .iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                Ok((Uuid::parse_str(&id).unwrap_or(Uuid::nil()), r.try_get(1)?))
            })
            .collect::<Result<_, StoreError>>()?,
        _ => Vec::new(),
    };
    let last_backup = match platform {
        DbState::Ok { .. } => client
            .query_opt(
                &LAST_BACKUP.replace("backup_runs", &format!("\"{schema}\".backup_runs")),
                &[],
            )
            .ok()
            .flatten()
            .and_then(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?, r.try_get(2).ok()?))),
        _ => None,
    };
    let checkpoint_key_id = match platform {
        DbState::Ok { .. } => client
            .query_opt(&KEY_ID.replace("settings", &format!("\"{schema}\".settings")), &[])
            .ok()
            .flatten()
            .and_then(|r| r.try_get(0).ok()),
        _ => None,
    };
    let mut tenants = Vec::with_capacity(listed.len());
    for (id, name) in listed {
        let tenant = tenant_schema(id);
        let state = match pg_version(&mut client, &tenant)? {
            DbState::Missing => DbState::Broken(format!("schema {tenant} is missing")),
            other => other,
        };
        let latest_checkpoints = if matches!(state, DbState::Ok { .. }) {
            pg_latest_checkpoints(&mut client, &tenant)
        } else {
            Vec::new()
        };
        tenants.push(TenantDb {
            id,
            name,
            state,
            signed_checkpoints: !latest_checkpoints.is_empty(),
            latest_checkpoints,
        });
    }
    Ok(Inspection {
        platform,
        tenants,
        last_backup,
        checkpoint_key_id,
    })
}

fn pg_latest_checkpoints(client: &mut postgres::Client, schema: &str) -> Vec<CheckpointSample> {
    let table = format!("\"{schema}\".chain_checkpoints");
    let exists = client
        .query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&table])
        .and_then(|r| r.try_get::<_, bool>(0))
        .unwrap_or(false);
    if !exists {
        return Vec::new();
    }
    let mut read = |sql: String| -> Result<Vec<CheckpointSample>, postgres::Error> {
        client
            .query(&sql, &[])?
            .iter()
            .map(|r| {
                Ok(CheckpointSample {
                    company_id: Uuid::parse_str(&r.try_get::<_, String>(0)?).unwrap_or(Uuid::nil()),
                    seq: r.try_get(1)?,
                    hash: r.try_get(2)?,
                    signature: r.try_get(3)?,
                    key_id: r.try_get(4)?,
                })
            })
            .collect()
    };
    read(latest_sql(&table, true))
        .or_else(|_| read(latest_sql(&table, false)))
        .unwrap_or_default()
}

/// The schema version of one PostgreSQL schema, `Missing` when it has no migration history.
fn pg_version(client: &mut postgres::Client, schema: &str) -> Result<DbState, StoreError> {
    if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(DbState::Broken(format!("invalid schema name {schema:?}")));
    }
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
             WHERE table_schema = $1 AND table_name = 'refinery_schema_history')",
            &[&schema],
        )?
        .try_get(0)?;
    if !exists {
        return Ok(DbState::Missing);
    }
    let version: i64 = client
        .query_one(
            &format!("SELECT COALESCE(MAX(version), 0)::bigint FROM \"{schema}\".refinery_schema_history"),
            &[],
        )?
        .try_get(0)?;
    Ok(DbState::Ok { version })
}

//! PostgreSQL backend: platform tables in one schema, each tenant in its own schema
//! `t_<uuid without dashes>`, one connection pool for all of them.
//!
//! The sync `postgres` client runs its own small runtime, so every call here must come from a
//! plain thread or `spawn_blocking` (the HTTP layer does that for every store call).

use std::collections::HashSet;
use std::sync::Mutex;

use postgres::NoTls;
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;
use uuid::Uuid;

use super::sql::Tx;
use super::{StoreError, migrations};

type Manager = PostgresConnectionManager<NoTls>;

pub struct PgBackend {
    /// Always `Some` until dropped (see the `Drop` impl).
    pool: Option<Pool<Manager>>,
    platform_schema: String,
    migrated: Mutex<HashSet<Uuid>>,
}

/// Serialises migrations across every `oasys` process sharing the database.
const MIGRATION_LOCK: i64 = 0x0A5_0A5;

pub fn tenant_schema(id: Uuid) -> String {
    format!("t_{}", id.simple())
}

/// One connection before the pool is built, so that what waiting cannot mend (no such database,
/// a refused user) is said at once and in words, not after the pool's 30 s of retries as "timed
/// out waiting for connection". Anything else (the server still starting) is left to the pool.
fn probe(config: &postgres::Config) -> Result<(), StoreError> {
    use postgres::error::SqlState;
    let mut once = config.clone();
    if once.get_connect_timeout().is_none() {
        once.connect_timeout(std::time::Duration::from_secs(10));
    }
    let Err(e) = once.connect(NoTls) else {
        return Ok(());
    };
    let user = config.get_user().unwrap_or("postgres");
    let db = config.get_dbname().unwrap_or(user);
    match e.code() {
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => Err(StoreError::Unavailable(format!(
            "database_url names the database {db:?}, which does not exist on this PostgreSQL server: create it, \
             e.g. `createdb --owner={user} {db}` (or in psql as a superuser: CREATE DATABASE \"{db}\" OWNER \"{user}\";), \
             then start again"
        ))),
        Some(code) if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            Err(StoreError::Unavailable(format!(
                "PostgreSQL refused the user {user:?} of database_url: {e}"
            )))
        }
        _ => Ok(()),
    }
}

impl PgBackend {
    pub fn open(url: &str, platform_schema: &str, pool_size: u32) -> Result<Self, StoreError> {
        if platform_schema.is_empty() || !platform_schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Database(format!(
                "invalid PostgreSQL schema name {platform_schema:?}: use letters, digits and _"
            )));
        }
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("invalid database_url: {e}")))?;
        probe(&config)?;
        let pool = Pool::builder()
            .max_size(pool_size.max(2))
            .min_idle(Some(1))
            .build(PostgresConnectionManager::new(config, NoTls))?;
        let backend = PgBackend {
            pool: Some(pool),
            platform_schema: platform_schema.to_owned(),
            migrated: Mutex::new(HashSet::new()),
        };
        backend.migrate_schema(&backend.platform_schema, &migrations::platform_postgres())?;
        Ok(backend)
    }

    fn pool(&self) -> Result<&Pool<Manager>, StoreError> {
        self.pool
            .as_ref()
            .ok_or_else(|| StoreError::Unavailable("the connection pool is closed".into()))
    }

    /// (connections, idle connections, pool size).
    pub fn pool_use(&self) -> (u32, u32, u32) {
        match &self.pool {
            Some(pool) => {
                let state = pool.state();
                (state.connections, state.idle_connections, pool.max_size())
            }
            None => (0, 0, 0),
        }
    }

    fn conn(&self, schema: &str) -> Result<PooledConnection<Manager>, StoreError> {
        let mut conn = self.pool()?.get()?;
        conn.batch_execute(&format!("SET search_path TO \"{schema}\""))?;
        Ok(conn)
    }

    fn migrate_schema(&self, schema: &str, runner: &refinery::Runner) -> Result<i64, StoreError> {
        let mut conn = self.pool()?.get()?;
        conn.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let result = (|| {
            conn.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\"; SET search_path TO \"{schema}\""
            ))?;
            let report = runner.run(&mut *conn).map_err(migrations::failed)?;
            Ok(migrations::applied_version(&report, runner))
        })();
        conn.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
        result
    }

    fn run<T, E: From<StoreError>>(
        &self,
        schema: &str,
        read_only: bool,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn(schema)?;
        let tx = conn
            .build_transaction()
            .read_only(read_only)
            .start()
            .map_err(StoreError::from)?;
        let mut tx = Tx::Postgres(tx);
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn platform<T, E: From<StoreError>>(
        &self,
        read_only: bool,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run(&self.platform_schema, read_only, f)
    }

    pub fn tenant<T, E: From<StoreError>>(
        &self,
        id: Uuid,
        read_only: bool,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let first_use = !self
            .migrated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&id);
        if first_use {
            self.bring_up_to_date(id)?;
        }
        self.run(&tenant_schema(id), read_only, f)
    }

    /// A read in a firm's schema that migrates nothing (the scheduler's look at every firm).
    pub fn tenant_peek<T, E: From<StoreError>>(
        &self,
        id: Uuid,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run(&tenant_schema(id), true, f)
    }

    /// A firm's first use in this process: its version read from its schema, and the migrations
    /// run (under the advisory lock) only when it is not this binary's. A schema written by an
    /// older binary is migrated here, by its first request.
    fn bring_up_to_date(&self, id: Uuid) -> Result<(), StoreError> {
        let schema = tenant_schema(id);
        let version = self.pool()?.get().map_err(StoreError::from).and_then(|mut conn| {
            let row = conn.query_one(
                &format!("SELECT COALESCE(MAX(version), 0)::bigint FROM \"{schema}\".refinery_schema_history"),
                &[],
            )?;
            Ok(row.try_get::<_, i64>(0)?)
        });
        static LATEST: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        let latest = *LATEST.get_or_init(|| migrations::latest(&migrations::tenant_postgres()));
        match version {
            Ok(v) if v == latest => {
                self.migrated
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(id);
                Ok(())
            }
            _ => self.migrate_tenant(id).map(|_| ()),
        }
    }

    pub fn create_tenant(&self, id: Uuid) -> Result<(), StoreError> {
        self.migrate_tenant(id).map(|_| ())
    }

    /// Creates a tenant's schema migrated up to `version` (`None`: the latest); marked as
    /// migrated, so nothing migrates it further until [`PgBackend::migrate_tenant`].
    pub fn create_tenant_at(&self, id: Uuid, version: Option<i64>) -> Result<(), StoreError> {
        self.migrate_tenant_to(id, version).map(|_| ())
    }

    pub fn migrate_tenant(&self, id: Uuid) -> Result<i64, StoreError> {
        self.migrate_tenant_to(id, None)
    }

    pub fn tenant_exists(&self, id: Uuid) -> Result<bool, StoreError> {
        let mut conn = self.pool()?.get()?;
        let row = conn.query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&tenant_schema(id)],
        )?;
        Ok(row.try_get(0)?)
    }

    /// Renames tenant `from`'s schema to tenant `to`'s. `to` must not exist.
    pub fn rename_tenant(&self, from: Uuid, to: Uuid) -> Result<(), StoreError> {
        let mut conn = self.pool()?.get()?;
        conn.batch_execute(&format!(
            "ALTER SCHEMA \"{}\" RENAME TO \"{}\"",
            tenant_schema(from),
            tenant_schema(to)
        ))?;
        let mut migrated = self.migrated.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if migrated.remove(&from) {
            migrated.insert(to);
        }
        Ok(())
    }

    /// Drops a tenant's schema and everything in it.
    pub fn drop_tenant(&self, id: Uuid) -> Result<(), StoreError> {
        let mut conn = self.pool()?.get()?;
        conn.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", tenant_schema(id)))?;
        self.migrated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id);
        Ok(())
    }

    fn migrate_tenant_to(&self, id: Uuid, target: Option<i64>) -> Result<i64, StoreError> {
        let runner = migrations::up_to(migrations::tenant_postgres(), target);
        let version = self.migrate_schema(&tenant_schema(id), &runner)?;
        self.migrated
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
        Ok(version)
    }
}

impl Drop for PgBackend {
    /// Closing a sync `postgres` client blocks on its runtime, which panics on an async worker
    /// thread; the pool (and its connections) is therefore dropped on a plain thread.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// The tables of the transaction's schema (`search_path`) as the portable export sees them:
/// columns in declared order with their types, primary keys, and the tables each references.
/// Refinery's history is left out: the schema version travels on its own.
pub fn catalogue(tx: &mut postgres::Transaction<'_>) -> Result<Vec<super::transfer::Table>, StoreError> {
    use super::transfer::{Column, ColumnType, Table};
    let mut out: Vec<Table> = Vec::new();
    let columns = tx.query(
        "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped \
         AND c.relname <> 'refinery_schema_history' \
         ORDER BY c.relname, a.attnum",
        &[],
    )?;
    for r in &columns {
        let (table, column, declared): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let ty = match declared.as_str() {
            "boolean" => ColumnType::Boolean,
            "bigint" | "integer" | "smallint" => ColumnType::Integer,
            "text" => ColumnType::Text,
            d if d.starts_with("character") => ColumnType::Text,
            other => {
                return Err(StoreError::Database(format!(
                    "{table}.{column}: type {other} has no portable form (integers, text and booleans only)"
                )));
            }
        };
        let column = Column {
            name: column,
            ty,
            nullable: !r.try_get::<_, bool>(3)?,
            binary: false,
        };
        match out.last_mut() {
            Some(t) if t.name == table => t.columns.push(column),
            _ => out.push(Table {
                name: table,
                columns: vec![column],
                primary_key: Vec::new(),
                references: Vec::new(),
            }),
        }
    }
    let keys = tx.query(
        "SELECT c.relname::text, a.attname::text FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
         WHERE n.nspname = current_schema() AND i.indisprimary \
         ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)",
        &[],
    )?;
    let references = tx.query(
        "SELECT c.relname::text, a.attname::text, f.relname::text FROM pg_constraint k \
         JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid \
         JOIN pg_namespace n ON n.oid = k.connamespace \
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) \
         WHERE n.nspname = current_schema() AND k.contype = 'f' ORDER BY 1, 2",
        &[],
    )?;
    for t in &mut out {
        for r in &keys {
            if r.try_get::<_, String>(0)? == t.name {
                t.primary_key.push(r.try_get(1)?);
            }
        }
        for r in &references {
            if r.try_get::<_, String>(0)? == t.name {
                t.references.push((r.try_get(1)?, r.try_get(2)?));
            }
        }
    }
    Ok(out)
}

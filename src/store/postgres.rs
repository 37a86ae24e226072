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
            self.migrate_tenant(id)?;
        }
        self.run(&tenant_schema(id), read_only, f)
    }

    pub fn create_tenant(&self, id: Uuid) -> Result<(), StoreError> {
        self.migrate_tenant(id).map(|_| ())
    }

    pub fn migrate_tenant(&self, id: Uuid) -> Result<i64, StoreError> {
        let version = self.migrate_schema(&tenant_schema(id), &migrations::tenant_postgres())?;
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

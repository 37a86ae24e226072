//! Storage: the platform database (tenants, users, tokens, audit) and one database per tenant,
//! on SQLite (one file per tenant) or PostgreSQL (one schema per tenant), behind one API.
//!
//! Callers state their intent with [`Store::platform_read`], [`Store::platform_write`],
//! [`Store::tenant_read`] and [`Store::tenant_write`]; each runs a closure inside one
//! transaction that commits when the closure returns `Ok` and rolls back otherwise.
//! Tenant data is reachable only with a [`TenantScope`], which only the auth check makes.

pub mod accounts;
pub mod audit;
pub mod banking;
pub mod budgets;
pub mod bulk;
pub mod capture;
pub mod capture_suggest;
pub mod companies;
pub mod contacts;
pub mod delivery;
pub mod documents;
#[cfg(test)]
mod documents_drafts;
#[cfg(test)]
mod documents_props;
#[cfg(test)]
mod documents_props_fx;
pub mod enums;
pub mod exchange_rates;
pub mod extraction;
pub mod files;
pub mod idempotency;
pub mod inspect;
pub mod inventory;
pub mod inventory_checkpoints;
pub mod inventory_lists;
#[cfg(test)]
mod inventory_props;
#[cfg(test)]
pub(crate) mod inventory_tests;
pub mod inventory_units;
pub mod items;
pub mod ledger;
#[cfg(test)]
mod ledger_props;
pub mod list;
pub(crate) mod migrations;
pub mod platform;
mod postgres;
pub mod purchases;
#[cfg(test)]
mod purchases_tests;
pub mod recurring;
#[cfg(test)]
mod recurring_schedules;
pub mod reports;
pub mod revaluation;
pub mod sales;
#[cfg(test)]
mod sales_tests;
pub mod search;
pub mod snapshot;
pub mod sql;
mod sqlite;
pub mod stats;
pub mod tax_returns;
pub mod taxes;
pub mod transfer;
pub mod verify;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

use crate::tenancy::TenantScope;
pub use sql::{Row, Tx, Value};

/// The newest (platform, tenant) schema versions this binary migrates to.
pub fn latest_schema_versions() -> (i64, i64) {
    migrations::latest_versions()
}

/// What can go wrong below the domain, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with existing data: {0}")]
    Conflict(String),
    /// A total beyond what 64-bit minor units hold: refused, never wrapped.
    #[error("numeric overflow: {0}")]
    Overflow(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// `<data_dir>/platform.db` and `<data_dir>/tenants/<id>/ledger.db`.
    Sqlite { data_dir: PathBuf, cache_size: usize },
    /// Platform tables in `platform_schema`, each tenant in schema `t_<uuid without dashes>`.
    Postgres {
        url: String,
        platform_schema: String,
        pool_size: u32,
    },
}

/// Schema versions applied, for `oasys migrate` and the health endpoint.
#[derive(Debug, Clone, Default)]
pub struct MigrationReport {
    pub platform_version: i64,
    pub tenants: Vec<(Uuid, i64)>,
}

/// The state of the connection layer (see [`Store::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolStats {
    /// Firm databases open in the bounded cache, and the cache's size (`tenant_cache_size`).
    Sqlite {
        open_tenant_databases: usize,
        capacity: usize,
    },
    /// Pooled connections (idle ones included), idle ones, and the pool's size.
    Postgres { connections: u32, idle: u32, max: u32 },
}

pub struct Store {
    backend: Backend,
    /// Raised after every platform write transaction (committed or not): what was read from
    /// the platform database before it may be out of date. See [`Store::platform_generation`].
    generation: AtomicU64,
}

enum Backend {
    Sqlite(sqlite::SqliteBackend),
    Postgres(postgres::PgBackend),
}

impl Store {
    /// Opens the store and brings the platform schema up to date. Blocking: call it from a
    /// plain thread or `spawn_blocking`, never on an async worker.
    pub fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let backend = match config {
            StoreConfig::Sqlite { data_dir, cache_size } => {
                Backend::Sqlite(sqlite::SqliteBackend::open(data_dir, *cache_size)?)
            }
            StoreConfig::Postgres {
                url,
                platform_schema,
                pool_size,
            } => Backend::Postgres(postgres::PgBackend::open(url, platform_schema, *pool_size)?),
        };
        Ok(Store {
            backend,
            generation: AtomicU64::new(0),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub fn platform_read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite(b) => b.platform_read(f),
            Backend::Postgres(b) => b.platform(true, f),
        }
    }

    pub fn platform_write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        let out = match &self.backend {
            Backend::Sqlite(b) => b.platform_write(f),
            Backend::Postgres(b) => b.platform(false, f),
        };
        // After the commit, before the caller answers: the next request sees the change.
        self.generation.fetch_add(1, Ordering::SeqCst);
        out
    }

    /// How many platform write transactions this store has run. What was read from the
    /// platform database at one generation is current for as long as the generation stays the
    /// same, as far as this process's writes go (the auth check's `Callers` rely on it; writes
    /// by other processes are not counted). Take it *before* the read.
    pub fn platform_generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn tenant_read<T, E: From<StoreError>>(
        &self,
        scope: &TenantScope,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite(b) => b.tenant(scope.tenant_id(), true, f),
            Backend::Postgres(b) => b.tenant(scope.tenant_id(), true, f),
        }
    }

    pub fn tenant_write<T, E: From<StoreError>>(
        &self,
        scope: &TenantScope,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite(b) => b.tenant(scope.tenant_id(), false, f),
            Backend::Postgres(b) => b.tenant(scope.tenant_id(), false, f),
        }
    }

    /// A read in a firm's database that migrates nothing and, on SQLite, keeps nothing open: a
    /// firm not in the cache is read through one connection closed afterwards. For work that
    /// looks at every firm (the scheduler) without filling the cache; a firm whose schema is
    /// behind may fail here, and is then read through [`Store::tenant_read`], which migrates it.
    pub fn tenant_peek<T, E: From<StoreError>>(
        &self,
        scope: &TenantScope,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite(b) => b.tenant_peek(scope.tenant_id(), f),
            Backend::Postgres(b) => b.tenant_peek(scope.tenant_id(), f),
        }
    }

    /// Creates and migrates the storage of a new tenant (its file or its schema).
    pub fn create_tenant_storage(&self, tenant_id: Uuid) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(b) => b.create_tenant(tenant_id),
            Backend::Postgres(b) => b.create_tenant(tenant_id),
        }
    }

    /// Applies pending migrations to the platform schema and every tenant.
    pub fn migrate_all(&self) -> Result<MigrationReport, StoreError> {
        let tenant_ids = self.platform_read(platform::tenant_ids)?;
        let mut report = MigrationReport {
            platform_version: self.platform_version()?,
            tenants: Vec::new(),
        };
        for id in tenant_ids {
            let version = match &self.backend {
                Backend::Sqlite(b) => b.migrate_tenant(id)?,
                Backend::Postgres(b) => b.migrate_tenant(id)?,
            };
            report.tenants.push((id, version));
        }
        Ok(report)
    }

    fn platform_version(&self) -> Result<i64, StoreError> {
        self.platform_read(|tx| {
            let row = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?;
            row.int(0)
        })
    }

    /// What the connection layer holds right now, for `/metrics`. Reads counters only: no I/O.
    pub fn pool_stats(&self) -> PoolStats {
        match &self.backend {
            Backend::Sqlite(b) => {
                let (open, capacity) = b.tenant_cache_use();
                PoolStats::Sqlite {
                    open_tenant_databases: open,
                    capacity,
                }
            }
            Backend::Postgres(b) => {
                let (connections, idle, max) = b.pool_use();
                PoolStats::Postgres { connections, idle, max }
            }
        }
    }

    /// A cheap round trip, for `/api/health/`.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.platform_read(|tx| tx.query_one("SELECT 1", &[]).map(|_| ()))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("integer overflow") => {
                StoreError::Overflow(msg.clone())
            }
            rusqlite::Error::SqliteFailure(err, msg) => match err.code {
                ErrorCode::ConstraintViolation => StoreError::Conflict(msg.clone().unwrap_or_else(|| e.to_string())),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Unavailable(e.to_string()),
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt(e.to_string()),
                _ => StoreError::Database(e.to_string()),
            },
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        use ::postgres::error::SqlState;
        match e.code() {
            Some(c) if *c == SqlState::NUMERIC_VALUE_OUT_OF_RANGE => StoreError::Overflow(format!("{e}")),
            Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::FOREIGN_KEY_VIOLATION => {
                StoreError::Conflict(e.to_string())
            }
            Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
                StoreError::Unavailable(e.to_string())
            }
            Some(_) => StoreError::Database(e.to_string()),
            None if e.is_closed() => StoreError::Unavailable(e.to_string()),
            None => StoreError::Database(e.to_string()),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

//! SQLite backend: `platform.db` plus one file per tenant under `tenants/<id>/ledger.db`.
//!
//! Each database has one writer connection behind a mutex (every write is `BEGIN IMMEDIATE`,
//! matching SQLite's single-writer model) and a small stack of `query_only` readers. Tenant
//! databases are opened lazily (start-up opens none of them), brought up to date on first open
//! (one firm at a time, under that firm's own lock), kept in a bounded cache and closed after
//! [`TENANT_IDLE`] unused. A firm that is only read never opens a writer connection.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use uuid::Uuid;

mod catalogue;

pub use catalogue::catalogue;
pub(crate) use catalogue::file_uuid;

use super::sql::Tx;
use super::{StoreError, migrations};

/// Readers kept open for the platform database; more are opened under load and closed after use.
const IDLE_READERS: usize = 16;
/// Readers kept open per firm database while it is in use. Every idle connection holds its own
/// copy of the schema and its page cache, but one opened per request costs a schema parse (issue
/// 15's list profile: with 2 kept, 8 concurrent requests spent a fifth of their time opening and
/// closing readers). So a busy firm keeps as many as requests run at once, and resting drops them
/// to [`TENANT_RESTING_READERS`].
const TENANT_IDLE_READERS: usize = 8;
/// Readers an idle firm keeps once its page caches are released: one, so that its next request
/// need not parse the schema again; the others hold a copy of the schema each.
const TENANT_RESTING_READERS: usize = 1;
/// A reader's lookaside slots and their size (see [`small_lookaside`]).
const READER_LOOKASIDE_SLOT: std::ffi::c_int = 256;
const READER_LOOKASIDE_SLOTS: std::ffi::c_int = 32;
/// A firm database unused this long is closed by the checkpointer (its memory returned); the
/// next request opens it again.
pub const TENANT_IDLE: Duration = Duration::from_secs(300);

pub struct SqliteBackend {
    data_dir: PathBuf,
    platform: Arc<Db>,
    tenants: Arc<Mutex<TenantCache>>,
}

/// How often the checkpointer copies committed WAL pages into the database files.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// The writer checkpoints by itself only past this many WAL pages (8 KiB each): a safety net
/// should the checkpointer fall behind, far above what it lets accumulate.
const WRITER_AUTOCHECKPOINT_PAGES: u32 = 16_384;

struct TenantCache {
    /// Each open firm with its last use: a logical clock for the LRU, an instant for idleness.
    open: HashMap<Uuid, (Arc<Db>, u64, Instant)>,
    /// One gate per firm being opened, so that two first requests do not both open and migrate
    /// it; removed by the last one through.
    opening: HashMap<Uuid, Arc<Mutex<()>>>,
    clock: u64,
    capacity: usize,
}

struct Db {
    path: PathBuf,
    /// Opened by the first write (or migration): a database only read never has one.
    writer: Mutex<Option<Connection>>,
    readers: Mutex<Vec<Connection>>,
    idle_readers: usize,
    /// Readers kept when the database rests (its caches released).
    resting_readers: usize,
    /// Set by every committed write, cleared by the checkpointer.
    dirty: AtomicBool,
    /// Set by every read and write, cleared by the checkpointer each round: the database was
    /// used since the last one.
    used: AtomicBool,
    /// Set by every read and write, cleared when the connections' page caches are released.
    cached: AtomicBool,
    /// The checkpointer's own connection, opened on first use.
    checkpointer: Mutex<Option<Connection>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves a rolled-back transaction behind (rusqlite rolls
    // back on drop), so the data behind a poisoned lock is still consistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SqliteBackend {
    pub fn open(data_dir: &Path, cache_size: usize) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir.join("tenants"))
            .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", data_dir.display())))?;
        let platform = Arc::new(Db::open(
            &data_dir.join("platform.db"),
            true,
            (IDLE_READERS, IDLE_READERS),
        )?);
        platform.with_writer(|w| migrations::run_sqlite(&migrations::platform_sqlite(), w).map(|_| ()))?;
        let tenants = Arc::new(Mutex::new(TenantCache {
            open: HashMap::new(),
            opening: HashMap::new(),
            clock: 0,
            capacity: cache_size.max(1),
        }));
        spawn_checkpointer(Arc::downgrade(&platform), Arc::downgrade(&tenants));
        Ok(SqliteBackend {
            data_dir: data_dir.to_owned(),
            platform,
            tenants,
        })
    }

    pub fn platform_read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        self.platform.read(f)
    }

    pub fn platform_write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        self.platform.write(f)
    }

    pub fn tenant<T, E: From<StoreError>>(
        &self,
        id: Uuid,
        read_only: bool,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let db = self.tenant_db(id)?;
        if read_only { db.read(f) } else { db.write(f) }
    }

    /// A read on a firm's database that leaves no trace: the open database if the firm is in
    /// the cache, else one connection opened for this read and closed after it, with nothing
    /// migrated and nothing cached (the scheduler's look at every firm).
    pub fn tenant_peek<T, E: From<StoreError>>(
        &self,
        id: Uuid,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        if let Some(db) = self.cached(id) {
            return db.read(f);
        }
        let path = self.tenant_path(id);
        if !path.exists() {
            return Err(missing(id, &path).into());
        }
        let mut conn = connect(&path, false, true)?;
        read_on(&mut conn, f)
    }

    pub fn create_tenant(&self, id: Uuid) -> Result<(), StoreError> {
        self.create_tenant_at(id, None)
    }

    /// Creates a tenant's file migrated up to `version` (`None`: the latest). Kept open in the
    /// cache, so nothing migrates it further until [`SqliteBackend::migrate_tenant`].
    pub fn create_tenant_at(&self, id: Uuid, version: Option<i64>) -> Result<(), StoreError> {
        let path = self.tenant_path(id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir.join("files"))
                .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let db = Db::open(&path, true, (TENANT_IDLE_READERS, TENANT_RESTING_READERS))?;
        db.migrate_tenant(version)?;
        self.remember(id, Arc::new(db));
        Ok(())
    }

    /// Applies pending migrations to one firm (refinery checks every applied one), returns its
    /// version.
    pub fn migrate_tenant(&self, id: Uuid) -> Result<i64, StoreError> {
        self.tenant_db(id)?.migrate_tenant(None)
    }

    pub fn tenant_exists(&self, id: Uuid) -> bool {
        self.tenant_path(id).exists()
    }

    /// Moves the storage of tenant `from` to tenant `to` (a directory rename), closing `from`'s
    /// connections first. `to` must not exist.
    pub fn rename_tenant(&self, from: Uuid, to: Uuid) -> Result<(), StoreError> {
        lock(&self.tenants).open.remove(&from);
        let dir = |id: Uuid| self.data_dir.join("tenants").join(id.hyphenated().to_string());
        if dir(to).exists() {
            return Err(StoreError::Conflict(format!("the storage of tenant {to} exists")));
        }
        std::fs::rename(dir(from), dir(to))
            .map_err(|e| StoreError::Unavailable(format!("cannot move tenant {from} to {to}: {e}")))
    }

    /// Removes a tenant's directory (its database, WAL and files). Only for a firm nobody uses:
    /// a running server that has the file open keeps writing to the unlinked file.
    pub fn drop_tenant(&self, id: Uuid) -> Result<(), StoreError> {
        lock(&self.tenants).open.remove(&id);
        let path = self.tenant_path(id);
        match path.parent() {
            Some(dir) if dir.exists() => std::fs::remove_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("cannot remove {}: {e}", dir.display()))),
            _ => Ok(()),
        }
    }

    /// (firm databases open, cache capacity).
    pub fn tenant_cache_use(&self) -> (usize, usize) {
        let cache = lock(&self.tenants);
        (cache.open.len(), cache.capacity)
    }

    fn tenant_path(&self, id: Uuid) -> PathBuf {
        self.data_dir
            .join("tenants")
            .join(id.hyphenated().to_string())
            .join("ledger.db")
    }

    /// The firm's open database, marked as just used.
    fn cached(&self, id: Uuid) -> Option<Arc<Db>> {
        let mut cache = lock(&self.tenants);
        cache.clock += 1;
        let now = cache.clock;
        let (db, used, at) = cache.open.get_mut(&id)?;
        *used = now;
        *at = Instant::now();
        Some(Arc::clone(db))
    }

    /// The firm's database, opened (and brought up to date) if it is not in the cache. Two
    /// first requests to one firm wait for each other at its gate: one opens and migrates, the
    /// other finds it open. Firms opened at once do not wait for each other.
    fn tenant_db(&self, id: Uuid) -> Result<Arc<Db>, StoreError> {
        if let Some(db) = self.cached(id) {
            return Ok(db);
        }
        let gate = Arc::clone(lock(&self.tenants).opening.entry(id).or_default());
        let opened = {
            let _turn = lock(&gate);
            match self.cached(id) {
                Some(db) => Ok(db),
                None => self.open_tenant(id),
            }
        };
        let mut cache = lock(&self.tenants);
        // Clones are taken under this lock: two left means the map's and ours, nobody waiting.
        if Arc::strong_count(&gate) <= 2 {
            cache.opening.remove(&id);
        }
        opened
    }

    fn open_tenant(&self, id: Uuid) -> Result<Arc<Db>, StoreError> {
        let path = self.tenant_path(id);
        if !path.exists() {
            return Err(missing(id, &path));
        }
        let db = Arc::new(Db::open(&path, false, (TENANT_IDLE_READERS, TENANT_RESTING_READERS))?);
        db.bring_up_to_date()?;
        self.remember(id, Arc::clone(&db));
        Ok(db)
    }

    fn remember(&self, id: Uuid, db: Arc<Db>) {
        let mut cache = lock(&self.tenants);
        cache.clock += 1;
        let now = cache.clock;
        if cache.open.len() >= cache.capacity && !cache.open.contains_key(&id) {
            // Evict the least recently used tenant; requests holding its Arc finish normally.
            if let Some(oldest) = cache.open.iter().min_by_key(|(_, (_, used, _))| *used).map(|(k, _)| *k) {
                cache.open.remove(&oldest);
            }
        }
        cache.open.insert(id, (db, now, Instant::now()));
    }
}

fn missing(id: Uuid, path: &Path) -> StoreError {
    StoreError::Corrupt(format!("the database of tenant {id} is missing: {}", path.display()))
}

/// The newest tenant schema version this binary carries, computed once.
fn latest_tenant_version() -> i64 {
    static LATEST: OnceLock<i64> = OnceLock::new();
    *LATEST.get_or_init(|| migrations::latest(&migrations::tenant_sqlite()))
}

impl Db {
    /// A database handle. A new file (`create`) gets its writer at once, which creates it; an
    /// existing one connects when first used.
    fn open(path: &Path, create: bool, (idle_readers, resting_readers): (usize, usize)) -> Result<Db, StoreError> {
        let writer = if create {
            Some(connect(path, true, false)?)
        } else {
            None
        };
        Ok(Db {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            idle_readers,
            resting_readers,
            dirty: AtomicBool::new(false),
            used: AtomicBool::new(false),
            cached: AtomicBool::new(false),
            checkpointer: Mutex::new(None),
        })
    }

    /// Copies the WAL's committed pages into the database file without blocking the writer or
    /// the readers (`PASSIVE`): what a commit would otherwise do itself, holding the writer.
    fn checkpoint(&self) -> Result<(), StoreError> {
        let mut slot = lock(&self.checkpointer);
        let conn = match slot.take() {
            Some(c) => c,
            None => connect(&self.path, false, false)?,
        };
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        *slot = Some(conn);
        Ok(())
    }

    /// Runs `f` on the writer connection, connecting it first if this is its first use.
    fn with_writer<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Connection) -> Result<T, E>) -> Result<T, E> {
        let mut slot = lock(&self.writer);
        let conn = match slot.take() {
            Some(c) => c,
            None => connect(&self.path, false, false)?,
        };
        f(slot.insert(conn))
    }

    fn migrate_tenant(&self, version: Option<i64>) -> Result<i64, StoreError> {
        self.with_writer(|w| {
            let runner = migrations::up_to(migrations::tenant_sqlite(), version);
            let report = migrations::run_sqlite(&runner, w)?;
            Ok(migrations::applied_version(&report, &runner))
        })
    }

    /// On a firm's first open: its version read from its own file, and refinery run only when
    /// it is not this binary's (behind, or anything unexpected, which refinery then reports). A
    /// firm written by an older binary is migrated here, by its first request.
    fn bring_up_to_date(&self) -> Result<(), StoreError> {
        let version = self.read(|tx| {
            tx.query_one("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", &[])?
                .int(0)
        });
        match version {
            Ok(v) if v == latest_tenant_version() => Ok(()),
            _ => self.migrate_tenant(None).map(|_| ()),
        }
    }

    fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        let out = self.with_writer(|conn| -> Result<T, E> {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let mut tx = Tx::Sqlite(tx);
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })?;
        self.dirty.store(true, Ordering::Release);
        self.used.store(true, Ordering::Release);
        self.cached.store(true, Ordering::Release);
        Ok(out)
    }

    /// Frees the page caches of the connections no one is using (the writer's holds up to 64 MiB
    /// after a bulk posting, each idle reader's up to 8 MiB), for a database left idle: the pages
    /// are read again from the file (most often the OS cache) when next needed. Returns whether
    /// anything was released; a writer busy meanwhile keeps its cache for the next round.
    fn release_memory(&self) -> bool {
        const SHRINK: &str = "PRAGMA shrink_memory";
        let writer = match self.writer.try_lock() {
            Ok(w) => Some(w),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        let Some(writer) = writer else {
            self.cached.store(true, Ordering::Release);
            return false;
        };
        // A firm that was only read has no writer yet.
        let mut done = writer.as_ref().is_some_and(|w| w.execute_batch(SHRINK).is_ok());
        drop(writer);
        let closed = {
            let mut readers = lock(&self.readers);
            let resting = readers.len().min(self.resting_readers);
            let closed: Vec<Connection> = readers.drain(resting..).collect();
            for reader in readers.iter() {
                done |= reader.execute_batch(SHRINK).is_ok();
            }
            closed
        };
        // The checkpointer connects again when the firm is next written.
        let checkpointer = lock(&self.checkpointer).take();
        done |= !closed.is_empty() || checkpointer.is_some();
        drop((closed, checkpointer));
        done
    }

    fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        let taken = lock(&self.readers).pop();
        let mut conn = match taken {
            Some(c) => c,
            None => connect(&self.path, false, true)?,
        };
        self.used.store(true, Ordering::Release);
        self.cached.store(true, Ordering::Release);
        let result = read_on(&mut conn, f);
        let mut readers = lock(&self.readers);
        if readers.len() < self.idle_readers {
            readers.push(conn);
        }
        result
    }
}

/// One read transaction on `conn`.
fn read_on<T, E: From<StoreError>>(conn: &mut Connection, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Deferred)
        .map_err(StoreError::from)?;
    let mut tx = Tx::Sqlite(tx);
    let out = f(&mut tx)?;
    tx.commit()?;
    Ok(out)
}

/// Opens a connection with the pragmas every OASYS database runs with: WAL, foreign keys,
/// a busy timeout, and `synchronous=FULL` because this is financial data.
fn connect(path: &Path, create: bool, read_only: bool) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
        private_files(path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    if read_only {
        small_lookaside(&conn);
    }
    // 8 KiB pages (set before the first table; ignored afterwards): fewer splits and shallower
    // indexes for the ledger's text keys.
    conn.execute_batch("PRAGMA page_size=8192;")?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL;")?;
    if read_only {
        conn.execute_batch("PRAGMA query_only=1; PRAGMA cache_size=-8192;")?;
    } else {
        // The writer holds the indexes a bulk posting grows: 64 MiB of page cache keeps them in
        // memory instead of spilling pages mid-transaction (the default is 2 MiB).
        conn.execute_batch("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;")?;
        // Checkpoints run on the checkpointer thread (`spawn_checkpointer`), not in a request.
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Gives a reader connection a small lookaside: [`READER_LOOKASIDE_SLOTS`] slots of
/// [`READER_LOOKASIDE_SLOT`] bytes instead of SQLite's 48 KB default. Every idle reader of every
/// open firm carries its lookaside (issue 15: memory per open firm); a reader prepares few
/// statements (they stay in its statement cache), so the larger pool bought little. Must run
/// before the connection's first statement; a refusal leaves SQLite's default in place.
fn small_lookaside(conn: &Connection) {
    // SAFETY: the handle is a live connection owned by `conn`, and no statement has run on it
    // yet, so no lookaside memory is in use (SQLITE_DBCONFIG_LOOKASIDE's one requirement). A
    // null buffer lets SQLite allocate the slots itself.
    unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            READER_LOOKASIDE_SLOT,
            READER_LOOKASIDE_SLOTS,
        );
    }
}

/// Makes the database file (empty, when new) readable by its owner only, and tightens an older
/// one and its `-wal`/`-shm` files: SQLite creates those with the database file's mode.
pub(crate) fn private_files(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::metadata(&file) {
                Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Every [`CHECKPOINT_EVERY`], checkpoints the databases written since the last round, off the
/// request path; a database used before but not in the last round gets its connections' page
/// caches released, and then the allocator returns its free pages to the system: a server at
/// rest after a large import holds tens of MB less. Firm databases unused for [`TENANT_IDLE`]
/// are closed (after their last checkpoint). Ends when the backend is dropped.
fn spawn_checkpointer(platform: Weak<Db>, tenants: Weak<Mutex<TenantCache>>) {
    let spawned = std::thread::Builder::new()
        .name("oasys-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let (Some(platform), Some(tenants)) = (platform.upgrade(), tenants.upgrade()) else {
                    return;
                };
                let mut dirty = vec![platform];
                let mut idle = Vec::new();
                {
                    let mut cache = lock(&tenants);
                    dirty.extend(cache.open.values().map(|(db, _, _)| Arc::clone(db)));
                    cache.open.retain(|_, (db, _, at)| {
                        let keep = at.elapsed() < TENANT_IDLE;
                        if !keep {
                            idle.push(Arc::clone(db));
                        }
                        keep
                    });
                }
                drop(tenants);
                let mut released = false;
                for db in dirty {
                    if db.dirty.swap(false, Ordering::AcqRel)
                        && let Err(e) = db.checkpoint()
                    {
                        // Not fatal: the writer's own autocheckpoint is the safety net.
                        tracing::warn!(database = %db.path.display(), error = %e, "checkpoint failed");
                    }
                    if !db.used.swap(false, Ordering::AcqRel) && db.cached.swap(false, Ordering::AcqRel) {
                        released |= db.release_memory();
                    }
                }
                if released {
                    return_free_memory();
                }
                // The last handle of an idle firm closes its connections here, off the request
                // path (a request still holding one closes them when it ends).
                drop(idle);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no checkpoint thread: commits will checkpoint by themselves");
    }
}

/// Hands the allocator's free pages back to the system. glibc keeps freed memory in its arenas
/// (one per thread that allocated, up to `M_ARENA_MAX`) unless it sits at the top of a heap:
/// the page caches just released and a bulk request's buffers stay resident without this.
fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the kernel; it takes the arenas' own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

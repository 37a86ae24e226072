//! Full-text search: one Tantivy index per firm under `<data dir>/tenants/<id>/search/`, a cache
//! rebuilt from the firm's database whenever it is missing or of another version (`oasys
//! reindex` rebuilds on demand; it is in no backup).
//!
//! The index follows the database through the change log `search_changes`, which triggers fill
//! in the transaction of every write ([`crate::store::search`]). [`Search::catch_up`] indexes
//! what the log names and then deletes those rows. After a request's commit its handler marks
//! the firm ([`Search::after_write`]) and the background indexer catches it up within moments; a
//! search catches up first (so it finds what was just written), and a sweep after start-up
//! catches up every firm that has rows left (a process killed between the commit and the index
//! write).
//!
//! Nothing is opened at start-up. Writers open on demand, at most [`WRITERS`] at once in the
//! process, and close after their commit; readers stay open in a small LRU ([`READERS`]).

pub mod query;
pub mod schema;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use uuid::Uuid;

use crate::store::search::{self as log, Source};
use crate::store::{Store, StoreError};
use crate::tenancy::TenantScope;
use schema::Fields;

/// Indexes open for searching, most recently used kept.
pub const READERS: usize = 16;
/// Index writers open at once in the process (each holds up to [`WRITER_MEMORY`]).
pub const WRITERS: usize = 2;
pub const WRITER_MEMORY: usize = 15_000_000;
/// Changes taken from the log per index commit.
const BATCH: i64 = 2_000;
/// Records read per page when the index is rebuilt.
const PAGE: i64 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Index(e.to_string())
    }
}

struct Opened {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// The search indexes of every firm this process serves.
pub struct Search {
    data_dir: PathBuf,
    readers: Mutex<Vec<(Uuid, Arc<Opened>)>>,
    /// One per firm that has been caught up, so two requests never index one firm at once.
    firms: Mutex<HashMap<Uuid, Arc<Mutex<()>>>>,
    writers: Permits,
    /// Firms written to and not yet caught up by the background indexer.
    dirty: crate::due::FirmsDue,
    /// Tests only (`OASYS_TEST_SEARCH_SKIP_CATCH_UP=1`): requests leave their changes in the log,
    /// as a process killed right after its commit would.
    skip_after_write: bool,
}

impl Search {
    pub fn new(data_dir: &Path) -> Search {
        Search {
            data_dir: data_dir.to_path_buf(),
            readers: Mutex::new(Vec::new()),
            firms: Mutex::new(HashMap::new()),
            writers: Permits::new(WRITERS),
            dirty: crate::due::FirmsDue::default(),
            skip_after_write: std::env::var("OASYS_TEST_SEARCH_SKIP_CATCH_UP").is_ok_and(|v| v == "1"),
        }
    }

    /// `<data dir>/tenants/<id>/search/`, beside the firm's SQLite file (and in the same place
    /// for a firm in PostgreSQL).
    pub fn dir(&self, tenant: Uuid) -> PathBuf {
        self.data_dir
            .join("tenants")
            .join(tenant.hyphenated().to_string())
            .join("search")
    }

    /// After a request's commit: the firm is marked for the background indexer
    /// ([`Search::take_dirty`], `scheduler::spawn_search_indexer`), which takes the log within
    /// moments, many requests in one index commit. A search catches up first, so a search right
    /// after the write finds it either way; the write itself pays no index commit (an index
    /// commit per request made bulk posting 2.2 times slower and a single post 100 ms in debug).
    pub fn after_write(&self, scope: &TenantScope) {
        if self.skip_after_write {
            return;
        }
        self.dirty.wake_for(scope.tenant_id());
    }

    /// The firms written to since the last call, for the background indexer.
    pub fn take_dirty(&self) -> Vec<Uuid> {
        self.dirty.take().0
    }

    /// Waits until a write marks a firm.
    pub async fn written(&self) {
        self.dirty.woken().await;
    }

    /// Indexes every change in the firm's log and deletes it from the log; returns how many
    /// log rows were taken. Opens (or rebuilds) the index first.
    pub fn catch_up(&self, store: &Store, scope: &TenantScope) -> Result<usize, SearchError> {
        let firm = self.firm_lock(scope.tenant_id());
        let _one = lock(&firm);
        let opened = self.open(store, scope)?;
        let mut taken = 0;
        loop {
            let (changes, records) = store.tenant_read(scope, |tx| {
                let changes = log::pending(tx, BATCH)?;
                let mut distinct: BTreeSet<(Source, Uuid)> = changes.iter().map(|c| (c.source, c.record_id)).collect();
                // A contact's documents show its name.
                let contacts: Vec<Uuid> = distinct
                    .iter()
                    .filter(|(s, _)| *s == Source::Contacts)
                    .map(|(_, id)| *id)
                    .collect();
                for contact in contacts {
                    for document in log::documents_of_contact(tx, contact)? {
                        distinct.insert((Source::Documents, document));
                    }
                }
                let mut records = Vec::with_capacity(distinct.len());
                for (source, id) in distinct {
                    records.push((id, log::record(tx, source, id)?));
                }
                Ok::<_, StoreError>((changes, records))
            })?;
            if changes.is_empty() {
                return Ok(taken);
            }
            self.write(&opened, |writer, f| {
                for (id, record) in &records {
                    writer.delete_term(Term::from_field_text(f.id, &id.hyphenated().to_string()));
                    if let Some(r) = record {
                        writer.add_document(schema::document(f, r))?;
                    }
                }
                Ok(())
            })?;
            let seqs: Vec<i64> = changes.iter().map(|c| c.seq).collect();
            store.tenant_write(scope, |tx| log::forget(tx, &seqs))?;
            taken += changes.len();
            if changes.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                return Ok(taken);
            }
        }
    }

    /// Whether the firm's log holds changes, read without keeping its database open (the
    /// sweep after start-up asks every firm).
    pub fn behind(&self, store: &Store, scope: &TenantScope) -> Result<bool, SearchError> {
        Ok(store.tenant_peek(scope, log::has_pending)?)
    }

    /// Runs `req` in the firm's index, after catching up with its log.
    pub fn search(
        &self,
        store: &Store,
        scope: &TenantScope,
        req: &query::Request,
    ) -> Result<query::Found, SearchError> {
        self.catch_up(store, scope)?;
        let opened = self.open(store, scope)?;
        let searcher = opened.reader.searcher();
        query::run(&searcher, &opened.fields, req)
    }

    /// Rebuilds the firm's index from its database (`oasys reindex`), then takes its log.
    pub fn rebuild(&self, store: &Store, scope: &TenantScope) -> Result<usize, SearchError> {
        let firm = self.firm_lock(scope.tenant_id());
        {
            let _one = lock(&firm);
            self.forget_reader(scope.tenant_id());
            let dir = self.dir(scope.tenant_id());
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
        }
        self.catch_up(store, scope)?;
        let opened = self.open(store, scope)?;
        Ok(usize::try_from(opened.reader.searcher().num_docs()).unwrap_or(usize::MAX))
    }

    /// Drops what this process holds of a firm's index and deletes it (the firm's database was
    /// replaced: an import or a restore). The next use rebuilds it.
    pub fn discard(&self, tenant: Uuid) -> Result<(), SearchError> {
        let firm = self.firm_lock(tenant);
        let _one = lock(&firm);
        self.forget_reader(tenant);
        let dir = self.dir(tenant);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        Ok(())
    }

    /// Indexes held open for searching (for `/metrics` and the tests of the cache's bound).
    pub fn open_readers(&self) -> usize {
        lock(&self.readers).len()
    }

    fn firm_lock(&self, tenant: Uuid) -> Arc<Mutex<()>> {
        let mut firms = lock(&self.firms);
        // Locks nobody holds are dropped once the map grows, so it stays small with many firms.
        if firms.len() > 4 * READERS {
            firms.retain(|_, l| Arc::strong_count(l) > 1);
        }
        Arc::clone(firms.entry(tenant).or_default())
    }

    fn forget_reader(&self, tenant: Uuid) {
        lock(&self.readers).retain(|(t, _)| *t != tenant);
    }

    /// The firm's index, open; built from its database when missing or of another version.
    /// The caller holds the firm's lock.
    fn open(&self, store: &Store, scope: &TenantScope) -> Result<Arc<Opened>, SearchError> {
        let tenant = scope.tenant_id();
        {
            let mut readers = lock(&self.readers);
            if let Some(pos) = readers.iter().position(|(t, _)| *t == tenant) {
                let entry = readers.remove(pos);
                let opened = Arc::clone(&entry.1);
                readers.push(entry);
                return Ok(opened);
            }
        }
        let dir = self.dir(tenant);
        let marker = dir.join("oasys-search-version");
        let current = std::fs::read_to_string(&marker).is_ok_and(|v| v.trim() == schema::VERSION);
        let opened = if current {
            let index = Index::open(MmapDirectory::open(&dir).map_err(|e| SearchError::Index(e.to_string()))?)?;
            self.ready(index)?
        } else {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            crate::config::ensure_private_dir(&dir)?;
            let (schema, _) = schema::schema();
            let index = Index::create_in_dir(&dir, schema)?;
            let opened = self.ready(index)?;
            self.fill(&opened, store, scope)?;
            std::fs::write(&marker, schema::VERSION)?;
            opened
        };
        let opened = Arc::new(opened);
        let mut readers = lock(&self.readers);
        readers.retain(|(t, _)| *t != tenant);
        if readers.len() >= READERS {
            readers.remove(0);
        }
        readers.push((tenant, Arc::clone(&opened)));
        Ok(opened)
    }

    fn ready(&self, index: Index) -> Result<Opened, SearchError> {
        schema::register(&index);
        let (_, fields) = schema::schema();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Opened { index, reader, fields })
    }

    /// Every record of the firm, read in one snapshot, page by page, into an empty index. The
    /// log is left as it is: what it names is indexed again by the catch-up that follows.
    fn fill(&self, opened: &Opened, store: &Store, scope: &TenantScope) -> Result<(), SearchError> {
        self.write(opened, |writer, f| {
            store.tenant_read(scope, |tx| {
                for source in Source::ALL {
                    let mut after = None;
                    loop {
                        let page = log::page(tx, source, after, PAGE)?;
                        for r in &page {
                            writer
                                .add_document(schema::document(f, r))
                                .map_err(|e| SearchError::Index(e.to_string()))?;
                        }
                        match page.last() {
                            Some(last) if page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX) => {
                                after = Some(last.id);
                            }
                            _ => break,
                        }
                    }
                }
                Ok::<_, SearchError>(())
            })
        })
    }

    /// Opens a writer (waiting for one of the process's [`WRITERS`]), runs `f`, commits, waits
    /// for merges, closes the writer and reloads the reader.
    fn write(
        &self,
        opened: &Opened,
        f: impl FnOnce(&mut IndexWriter<TantivyDocument>, &Fields) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let _permit = self.writers.acquire();
        let mut writer: IndexWriter<TantivyDocument> = opened.index.writer_with_num_threads(1, WRITER_MEMORY)?;
        f(&mut writer, &opened.fields)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        opened.reader.reload()?;
        Ok(())
    }
}

/// A counting semaphore for blocking threads.
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(n: usize) -> Permits {
        Permits {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.freed.notify_one();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

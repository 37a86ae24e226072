//! Where documents' bytes are kept: one `object_store` for the installation, local (root
//! `<data dir>/tenants/`, or `storage.url` a directory) or S3-compatible (`storage.url =
//! "s3://bucket/prefix"`). A version's object is `<tenant id>/files/<sha256 hex>`: content
//! addressed, so identical bytes are stored once per firm, and a firm's objects sit under its own
//! id — locally in the firm's own folder `<data dir>/tenants/<id>/files/`, beside its SQLite file,
//! which SQLite backups carry and restore and which goes when the firm's storage is dropped. Nothing here knows companies or rows: tenancy is enforced by the rows that name an object,
//! which only `store::files` reads, through the caller's scope.
//!
//! Also [`Extraction`], the wake-up of the text extraction queue (`app.extraction.wake()` after an
//! upload commits).

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use crate::config::{Config, s3_bucket_and_prefix};
use crate::domain::ledger::chain::hex;

/// Parts of 8 MiB (S3 takes no part under 5 MiB but the last).
const PART: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("document storage: {0}")]
    Settings(String),
    #[error("document storage ({where_}): {message}")]
    Failed { where_: String, message: String },
    #[error("stored object {0} is missing")]
    Missing(String),
}

/// The documents' object store.
pub struct FileStorage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    describe: String,
}

/// A stored object, as a stream of its bytes.
pub struct Object {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, StorageError>>,
}

impl FileStorage {
    /// The local root when `storage.url` is unset: the firms' folders.
    pub fn default_root(config: &Config) -> std::path::PathBuf {
        config.data_dir().join("tenants")
    }

    /// The storage `config` names; a local directory is created (0700) if missing.
    pub fn open(config: &Config) -> Result<FileStorage, StorageError> {
        let s = &config.storage;
        match s.url.as_deref() {
            Some(url) if url.starts_with("s3://") => {
                let (bucket, prefix) = match s3_bucket_and_prefix(url) {
                    Some(Ok(bp)) => bp,
                    Some(Err(e)) => return Err(StorageError::Settings(e)),
                    None => return Err(StorageError::Settings(format!("{url:?} is not an s3:// URL"))),
                };
                let access = crate::s3::S3Access {
                    endpoint: s.s3_endpoint.as_deref(),
                    region: s.s3_region.as_deref(),
                    access_key_id: s.s3_access_key_id.as_deref(),
                    secret_access_key: s.s3_secret_access_key.as_deref(),
                    allow_http: s.s3_allow_http,
                };
                let store = crate::s3::client(bucket, &access).map_err(|e| StorageError::Settings(e.to_string()))?;
                Ok(FileStorage {
                    store: Arc::new(store),
                    prefix: prefix.to_owned(),
                    describe: format!("s3://{bucket}/{prefix}"),
                })
            }
            other => {
                let root = other.map_or_else(|| Self::default_root(config), std::path::PathBuf::from);
                crate::config::ensure_private_dir(&root)
                    .map_err(|e| StorageError::Settings(format!("{}: {e}", root.display())))?;
                let store = LocalFileSystem::new_with_prefix(&root)
                    .map_err(|e| StorageError::Settings(format!("{}: {e}", root.display())))?;
                Ok(FileStorage {
                    store: Arc::new(store),
                    prefix: String::new(),
                    describe: root.display().to_string(),
                })
            }
        }
    }

    /// Where the bytes go, for `oasys doctor` and logs: a directory or `s3://bucket/prefix`.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// Whether this is an S3-compatible store (archives then carry files by reference).
    pub fn is_remote(&self) -> bool {
        self.describe.starts_with("s3://")
    }

    fn key(&self, tenant: Uuid, sha256: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(format!("{tenant}/files/{sha256}"))
        } else {
            Key::from(format!("{}/{tenant}/files/{sha256}", self.prefix))
        }
    }

    fn failed(&self, e: &object_store::Error) -> StorageError {
        StorageError::Failed {
            where_: self.describe.clone(),
            message: e.to_string(),
        }
    }

    /// Whether the object of `sha256` (hex) is stored for `tenant`.
    pub async fn exists(&self, tenant: Uuid, sha256: &str) -> Result<bool, StorageError> {
        match self.store.head(&self.key(tenant, sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed(&e)),
        }
    }

    /// Stores the file at `path` as the object of `sha256`, in parts (never whole in memory).
    pub async fn put_file(&self, tenant: Uuid, sha256: &str, path: &Path) -> Result<(), StorageError> {
        let io = |e: std::io::Error| StorageError::Failed {
            where_: path.display().to_string(),
            message: e.to_string(),
        };
        let upload = self
            .store
            .put_multipart(&self.key(tenant, sha256))
            .await
            .map_err(|e| self.failed(&e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).await.map_err(io)?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await.map_err(|e| self.failed(&e))?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(|e| self.failed(&e))?;
        Ok(())
    }

    /// Stores `bytes` as the object of `sha256` (archives being imported, tests).
    pub async fn put_bytes(&self, tenant: Uuid, sha256: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store
            .put(&self.key(tenant, sha256), bytes.into())
            .await
            .map_err(|e| self.failed(&e))?;
        Ok(())
    }

    /// The object of `sha256`, streamed.
    pub async fn get(&self, tenant: Uuid, sha256: &str) -> Result<Object, StorageError> {
        let key = self.key(tenant, sha256);
        let got = match self.store.get(&key).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Err(StorageError::Missing(key.to_string())),
            Err(e) => return Err(self.failed(&e)),
        };
        let size = got.meta.size;
        let describe = self.describe.clone();
        let stream = got
            .into_stream()
            .map(move |r| {
                r.map_err(|e| StorageError::Failed {
                    where_: describe.clone(),
                    message: e.to_string(),
                })
            })
            .boxed();
        Ok(Object { size, stream })
    }

    /// The SHA-256 (hex) and size of the stored object, read through: what `oasys verify` and
    /// imports compare with the rows.
    pub async fn hash(&self, tenant: Uuid, sha256: &str) -> Result<(String, u64), StorageError> {
        let mut object = self.get(tenant, sha256).await?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = object.stream.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        Ok((hex(&hasher.finalize()), size))
    }

    /// Removes the object of `sha256` (absent already is fine).
    pub async fn delete(&self, tenant: Uuid, sha256: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.key(tenant, sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed(&e)),
        }
    }
}

/// The extraction queue's wake-up: the upload handler calls `wake_for` with the firm after its
/// transaction commits (the `pending` rows are then visible); `wake` (firm unknown) makes the
/// queue look at every firm. The queue (`extract::queue`) waits on `woken` and takes what was
/// asked with `take`.
pub type Extraction = crate::due::FirmsDue;

/// Runs `fut` from blocking code: on the server's runtime from a blocking thread, or on a small
/// runtime of its own from the command line (`oasys verify`, export, import).
pub fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output, StorageError> {
    match tokio::runtime::Handle::try_current() {
        // From a blocking thread of the server's runtime (never from an async task).
        Ok(handle) => Ok(handle.block_on(fut)),
        Err(_) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StorageError::Settings(format!("starting a runtime: {e}")))?;
            Ok(rt.block_on(fut))
        }
    }
}

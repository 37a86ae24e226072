//! Backups kept in an S3-compatible store (`backup.dir = "s3://bucket/prefix"`, or `oasys backup
//! s3://…`). The archive is first written and checked on local disk like any other, then
//! uploaded in parts, then read back from the store and hashed: it counts only once the bytes
//! the store returns are the bytes that were checked. Pruning lists and deletes there.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

use super::BackupError;
use crate::config::{BackupConfig, s3_bucket_and_prefix};
use crate::domain::ledger::chain::hex;

/// Parts of 16 MiB, four in flight: bounded memory whatever the archive's size.
const PART: usize = 16 * 1024 * 1024;
const IN_FLIGHT: usize = 4;

/// An `s3://bucket/prefix` location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Without leading or trailing `/`; may be empty.
    pub prefix: String,
}

impl S3Location {
    /// `Some` for `s3://…` text, `None` for a local path.
    pub fn parse(text: &str) -> Option<Result<S3Location, BackupError>> {
        let parsed = s3_bucket_and_prefix(text)?;
        Some(parsed.map_err(BackupError::Refused).map(|(bucket, prefix)| S3Location {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        }))
    }

    pub fn key(&self, name: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(name)
        } else {
            Key::from(format!("{}/{name}", self.prefix))
        }
    }

    pub fn url(&self, name: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(name))
    }
}

fn remote_error(what: &str) -> impl Fn(object_store::Error) -> BackupError + '_ {
    move |e| BackupError::Remote(format!("{what}: {e}"))
}

/// The store for `loc`: `AWS_*` environment variables first, then `backup.s3_*` settings.
pub fn open(loc: &S3Location, config: &BackupConfig) -> Result<Arc<dyn ObjectStore>, BackupError> {
    let access = crate::s3::S3Access {
        endpoint: config.s3_endpoint.as_deref(),
        region: config.s3_region.as_deref(),
        access_key_id: config.s3_access_key_id.as_deref(),
        secret_access_key: config.s3_secret_access_key.as_deref(),
        allow_http: config.s3_allow_http,
    };
    let store = crate::s3::client(&loc.bucket, &access).map_err(remote_error("S3 settings"))?;
    Ok(Arc::new(store))
}

/// Runs `fut` to completion from blocking code: on the server's runtime from a blocking
/// thread, or on a small runtime of its own from the command line.
fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output, BackupError> {
    match tokio::runtime::Handle::try_current() {
        // From a blocking thread of the server's runtime (never from an async task).
        Ok(handle) => Ok(handle.block_on(fut)),
        Err(_) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| BackupError::Remote(format!("starting the upload runtime: {e}")))?;
            Ok(rt.block_on(fut))
        }
    }
}

/// Uploads the checked archive at `local` as `name`, then reads it back from the store and
/// compares its SHA-256 and size with the local file's. Returns the object's URL.
pub fn upload_checked(
    store: &Arc<dyn ObjectStore>,
    loc: &S3Location,
    local: &Path,
    name: &str,
) -> Result<String, BackupError> {
    let key = loc.key(name);
    let (local_sha, local_size) = hash_file(local)?;
    let store = Arc::clone(store);
    let path = local.to_owned();
    let result: Result<(), BackupError> = block_on(async {
        let upload = store
            .put_multipart(&key)
            .await
            .map_err(remote_error("starting the upload"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut file = std::fs::File::open(&path).map_err(super::io_at(&path))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).map_err(super::io_at(&path))?;
            if n == 0 {
                break;
            }
            writer
                .wait_for_capacity(IN_FLIGHT)
                .await
                .map_err(remote_error("uploading"))?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(remote_error("finishing the upload"))?;

        // Read back: the object the store serves must be the archive that was checked.
        let got = store.get(&key).await.map_err(remote_error("reading the upload back"))?;
        let mut stream = got.into_stream();
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(remote_error("reading the upload back"))?;
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        if hex(&hasher.finalize()) != local_sha || size != local_size {
            let _ = store.delete(&key).await;
            return Err(BackupError::ReadBack(vec![format!(
                "{}: the store returned other bytes than were uploaded",
                loc.url(name)
            )]));
        }
        Ok(())
    })?;
    result?;
    Ok(loc.url(name))
}

fn hash_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = std::fs::File::open(path).map_err(super::io_at(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(super::io_at(path))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex(&hasher.finalize()), size))
}

/// Downloads `name` into `local` (for `restore` and `verify` of an `s3://` archive).
pub fn download(store: &Arc<dyn ObjectStore>, loc: &S3Location, name: &str, local: &Path) -> Result<(), BackupError> {
    use std::io::Write;
    let key = loc.key(name);
    let mut out = std::fs::File::create(local).map_err(super::io_at(local))?;
    block_on(async {
        let got = store.get(&key).await.map_err(remote_error("downloading"))?;
        let mut stream = got.into_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(remote_error("downloading"))?;
            out.write_all(&chunk).map_err(super::io_at(local))?;
        }
        out.sync_all().map_err(super::io_at(local))
    })?
}

/// The names of the objects under the location (one level, sorted).
pub fn list(store: &Arc<dyn ObjectStore>, loc: &S3Location) -> Result<Vec<String>, BackupError> {
    let prefix = (!loc.prefix.is_empty()).then(|| Key::from(loc.prefix.as_str()));
    block_on(async {
        let mut names = Vec::new();
        let mut stream = store.list(prefix.as_ref());
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(remote_error("listing backups"))?;
            if let Some(name) = meta.location.filename() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    })?
}

/// Deletes the oldest scheduled backups under the location beyond the newest `keep` (the same
/// rule as `schedule::prune`). Returns the deleted URLs.
pub fn prune(store: &Arc<dyn ObjectStore>, loc: &S3Location, keep: usize) -> Result<Vec<String>, BackupError> {
    let scheduled: Vec<String> = list(store, loc)?
        .into_iter()
        .filter(|n| n.starts_with("oasys-backup-") && n.contains("-scheduled.tar.zst"))
        .collect();
    let excess = scheduled.len().saturating_sub(keep.max(1));
    let mut deleted = Vec::new();
    for name in scheduled.into_iter().take(excess) {
        let key = loc.key(&name);
        block_on(async { store.delete(&key).await.map_err(remote_error("deleting an old backup")) })??;
        deleted.push(loc.url(&name));
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_locations_parse() {
        assert!(S3Location::parse("/var/backups").is_none());
        let loc = S3Location::parse("s3://books/prod/").unwrap().unwrap();
        assert_eq!(loc.bucket, "books");
        assert_eq!(loc.prefix, "prod");
        assert_eq!(loc.url("a.tar.zst"), "s3://books/prod/a.tar.zst");
        let bare = S3Location::parse("s3://books").unwrap().unwrap();
        assert_eq!(bare.url("a.tar.zst"), "s3://books/a.tar.zst");
        assert!(S3Location::parse("s3:///x").unwrap().is_err());
    }
}

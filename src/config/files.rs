//! `[storage]` (where the documents' bytes are kept: `<data dir>/files/` by default, or an
//! S3-compatible store) and `[documents]` (the limits on what is uploaded and extracted).

use serde::{Deserialize, Serialize};

use super::{ConfigError, s3_bucket_and_prefix};

/// Where documents' bytes are kept. `url` unset: `<data dir>/files/`; `s3://bucket/prefix`: an
/// S3-compatible store, with the same settings as `[backup]`'s (the `AWS_*` environment first).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    /// `s3://bucket/prefix`, or a local directory; unset: `<data dir>/files`.
    pub url: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_allow_http: bool,
}

/// Limits on documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentsConfig {
    /// The largest file taken, in bytes (a larger upload is a 413 and nothing is kept).
    pub max_file_size: u64,
    /// The bytes one firm may keep (each distinct file counted once), in bytes.
    pub firm_quota: u64,
    /// Text extractions running at once.
    pub extract_workers: usize,
    /// How long one extraction may take, in seconds.
    pub extract_timeout_secs: u64,
    /// The most pages of a PDF read.
    pub max_pages: u64,
    /// The most pixels of an image read.
    pub max_pixels: u64,
    /// The most text kept per version, in bytes.
    pub max_text_bytes: u64,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        DocumentsConfig {
            max_file_size: 25 << 20,
            firm_quota: 5 << 30,
            extract_workers: 1,
            extract_timeout_secs: 30,
            max_pages: 500,
            max_pixels: 40_000_000,
            max_text_bytes: 8 << 20,
        }
    }
}

impl StorageConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.url
            && let Some(Err(e)) = s3_bucket_and_prefix(url)
        {
            return Err(ConfigError::Invalid(format!("storage.url: {e}")));
        }
        Ok(())
    }
}

impl DocumentsConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.max_file_size == 0 || self.firm_quota == 0 || self.extract_workers == 0 {
            return Err(ConfigError::Invalid(
                "documents.max_file_size, documents.firm_quota and documents.extract_workers must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

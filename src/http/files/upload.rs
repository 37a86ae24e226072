//! Receiving an upload: the multipart form read as a stream, the file's bytes written to a
//! temporary file under the data dir while their SHA-256 and size are counted (never whole in
//! memory), its kind told from its first bytes; then the object put to storage by its hash
//! (skipped when the firm already keeps it), before the transaction that names it.

use std::path::PathBuf;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::app::App;
use crate::domain::FieldErrors;
use crate::domain::files::{self, FileKind, FilesError, HEAD_BYTES, RecordKind};
use crate::domain::ledger::chain::hex;
use crate::http::error::ApiError;

/// The longest text field of the form (a name, a flag, an id).
const MAX_FIELD_BYTES: usize = 4096;

/// A temporary file removed when dropped.
pub struct Temp {
    pub path: PathBuf,
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The bytes of the form's `file`, received.
pub struct Received {
    pub temp: Temp,
    pub sha256: String,
    pub size: u64,
    pub head: Vec<u8>,
    pub file_name: String,
}

/// An upload's form.
pub struct Form {
    pub file: Received,
    pub name: Option<String>,
    pub inbox: bool,
    pub link: Option<(RecordKind, Uuid)>,
}

fn refused(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::field("file", format!("The upload could not be read: {}", e.body_text()))
    }
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("writing an upload to the data dir: {e}"))
}

/// Reads the form. `extra`: whether the fields of a new document (`name`, `inbox`,
/// `record_kind`, `record_id`) are taken, or only `file` (a new version).
pub async fn read_form(app: &App, mut form: Multipart, extra: bool) -> Result<Form, ApiError> {
    let limit = app.config.documents.max_file_size;
    let mut errors = FieldErrors::default();
    let (mut file, mut name, mut inbox, mut kind, mut record) = (None, None, false, None, None);
    while let Some(mut field) = form.next_field().await.map_err(refused)? {
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == "file" {
            if file.is_some() {
                errors.add("file", "Send one file per upload.");
                continue;
            }
            let dir = app.config.data_dir().join("tmp").join("uploads");
            crate::config::ensure_private_dir(&dir).map_err(io)?;
            let temp = Temp {
                path: dir.join(format!("{}.part", Uuid::new_v4())),
            };
            let mut out = tokio::fs::File::create(&temp.path).await.map_err(io)?;
            let (mut hasher, mut size, mut head) = (Sha256::new(), 0u64, Vec::new());
            let file_name = field.file_name().unwrap_or_default().to_owned();
            while let Some(chunk) = field.chunk().await.map_err(refused)? {
                size += chunk.len() as u64;
                if size > limit {
                    // Nothing is kept: the temporary file goes with `temp`.
                    return Err(FilesError::TooLarge { limit }.into());
                }
                if head.len() < HEAD_BYTES {
                    let take = (HEAD_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(io)?;
            }
            out.flush().await.map_err(io)?;
            out.sync_all().await.map_err(io)?;
            file = Some(Received {
                temp,
                sha256: hex(&hasher.finalize()),
                size,
                head,
                file_name,
            });
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(refused)? {
            if value.len() + chunk.len() > MAX_FIELD_BYTES {
                return Err(ApiError::field(&field_name, "This field is too long."));
            }
            value.extend_from_slice(&chunk);
        }
        let Ok(value) = String::from_utf8(value) else {
            errors.add(&field_name, "Not UTF-8 text.");
            continue;
        };
        let value = value.trim();
        match field_name.as_str() {
            "name" if extra => name = Some(value.to_owned()).filter(|v| !v.is_empty()),
            "inbox" if extra => match value {
                "true" | "1" | "on" => inbox = true,
                "false" | "0" | "" => inbox = false,
                _ => errors.add("inbox", "Must be a valid boolean."),
            },
            "record_kind" if extra => match RecordKind::parse(value) {
                Some(k) => kind = Some(k),
                None if value.is_empty() => {}
                None => errors.add("record_kind", format!("\"{value}\" is not a record kind.")),
            },
            "record_id" if extra => match Uuid::parse_str(value) {
                Ok(id) => record = Some(id),
                Err(_) if value.is_empty() => {}
                Err(_) => errors.add("record_id", "Must be a valid UUID."),
            },
            // The company is chosen as everywhere else (`X-Company-Id`); a form field naming
            // the same company is tolerated, any other is a mistake the caller must see.
            _ if extra => errors.add(
                &field_name,
                "Unknown field: send file, name, inbox, record_kind, record_id.",
            ),
            _ => errors.add(&field_name, "Unknown field: send file."),
        }
    }
    let link = match (kind, record) {
        (Some(k), Some(id)) => Some((k, id)),
        (None, None) => None,
        (Some(_), None) => {
            errors.add("record_id", "Send record_id with record_kind.");
            None
        }
        (None, Some(_)) => {
            errors.add("record_kind", "Send record_kind with record_id.");
            None
        }
    };
    if file.is_none() {
        errors.add("file", "No file was submitted.");
    }
    match file {
        Some(file) if errors.is_empty() => Ok(Form {
            file,
            name,
            inbox,
            link,
        }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The kind of the received file, from its bytes and name.
pub fn kind_of(received: &Received) -> Result<FileKind, ApiError> {
    Ok(files::detect(&received.head, &received.file_name)?)
}

/// Puts the received bytes to storage unless the firm keeps them already. `true`: this call
/// stored them (so a failed transaction may remove them again).
pub async fn store(app: &App, tenant: Uuid, received: &Received) -> Result<bool, ApiError> {
    let storage = &app.files;
    if storage.exists(tenant, &received.sha256).await.map_err(storage_failed)? {
        return Ok(false);
    }
    storage
        .put_file(tenant, &received.sha256, &received.temp.path)
        .await
        .map_err(storage_failed)?;
    Ok(true)
}

pub fn storage_failed(e: crate::files_storage::StorageError) -> ApiError {
    ApiError::Internal(e.to_string())
}

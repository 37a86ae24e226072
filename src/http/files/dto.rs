//! The JSON shapes of documents (files): a file with its versions and links, and the bodies of
//! `PATCH`, links and uploads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::files::File;
use crate::store::files::{Link, Version};

/// A link from a document to a record it supports.
#[derive(Serialize, ToSchema)]
#[schema(as = FileLink)]
pub struct LinkDto {
    /// `entry`, `invoice`, `credit_note`, `bill`, `vendor_credit`, `payment`, `contact`,
    /// `bank_line` or `item`.
    pub record_kind: &'static str,
    pub record_id: Uuid,
    #[schema(required = true)]
    pub linked_by: Option<Uuid>,
    #[schema(format = DateTime)]
    pub linked_at: String,
}

/// One version of a document's bytes (replacing a file keeps the old versions).
#[derive(Serialize, ToSchema)]
#[schema(as = FileVersion)]
pub struct VersionDto {
    pub version: i64,
    /// The SHA-256 of the bytes, hex.
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    /// The name it was uploaded under.
    pub original_name: String,
    #[schema(required = true)]
    pub uploaded_by: Option<Uuid>,
    #[schema(format = DateTime)]
    pub uploaded_at: String,
    /// The extracted text: `pending`, `running`, `done`, `failed` or `unsupported`.
    #[schema(required = true)]
    pub text_state: Option<&'static str>,
    /// How the text was read: `text`, `pdf`, `ocr`, `sheet` or `eml`.
    #[schema(required = true)]
    pub text_method: Option<String>,
    #[schema(required = true)]
    pub pages: Option<i64>,
    /// Why the extraction failed, for the user.
    #[schema(required = true)]
    pub text_error: Option<String>,
}

/// A document the firm keeps: an uploaded file, its current version and its links.
#[derive(Serialize, ToSchema)]
#[schema(as = File)]
pub struct FileDto {
    pub id: Uuid,
    pub company: Uuid,
    pub name: String,
    /// `pdf`, `png`, `jpeg`, `webp`, `heic`, `csv`, `xlsx`, `text` or `eml`, from the bytes.
    pub kind: &'static str,
    /// The size of the current version.
    pub size: i64,
    pub media_type: String,
    pub current_version: i64,
    /// In the inbox: waiting to become a draft bill or expense.
    pub inbox: bool,
    /// Whether a browser may show it inline (`…/preview/`): PDF, PNG, JPEG, WebP.
    pub previewable: bool,
    /// The current version's extracted text: `pending`, `running`, `done`, `failed` or
    /// `unsupported`.
    #[schema(required = true)]
    pub text_state: Option<&'static str>,
    #[schema(required = true)]
    pub text_error: Option<String>,
    pub links: Vec<LinkDto>,
    /// Newest first.
    pub versions: Vec<VersionDto>,
    #[schema(required = true)]
    pub created_by: Option<Uuid>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

pub fn link_dto(l: &Link) -> LinkDto {
    LinkDto {
        record_kind: l.record_kind.as_str(),
        record_id: l.record_id,
        linked_by: l.linked_by,
        linked_at: l.linked_at.to_string(),
    }
}

pub fn version_dto(v: &Version) -> VersionDto {
    VersionDto {
        version: v.version,
        sha256: v.sha256.clone(),
        size: v.size,
        media_type: v.media_type.clone(),
        original_name: v.original_name.clone(),
        uploaded_by: v.uploaded_by,
        uploaded_at: v.uploaded_at.to_string(),
        text_state: v.state.map(|s| s.as_str()),
        text_method: v.method.clone(),
        pages: v.pages,
        text_error: v.error.clone(),
    }
}

pub fn file_dto(f: &File, versions: &[Version], links: &[Link]) -> FileDto {
    let current = versions.iter().find(|v| v.version == f.current_version);
    FileDto {
        id: f.id,
        company: f.company_id,
        name: f.name.clone(),
        kind: f.kind.as_str(),
        size: current.map_or(0, |v| v.size),
        media_type: current.map_or_else(|| f.kind.media_type().to_owned(), |v| v.media_type.clone()),
        current_version: f.current_version,
        inbox: f.inbox,
        previewable: f.kind.previewable(),
        text_state: current.and_then(|v| v.state).map(|s| s.as_str()),
        text_error: current.and_then(|v| v.error.clone()),
        links: links.iter().filter(|l| l.file_id == f.id).map(link_dto).collect(),
        versions: versions.iter().map(version_dto).collect(),
        created_by: f.created_by,
        created_at: f.created_at.to_string(),
        updated_at: f.updated_at.to_string(),
    }
}

/// `PATCH /api/documents/{id}/`: what it sends changes; the rest stays.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = FilePatch)]
pub struct PatchBody {
    /// The name shown (made safe: no path, no control characters, at most 200 characters).
    pub name: Option<String>,
    pub inbox: Option<bool>,
}

/// `POST /api/documents/{id}/links/`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FileLinkInput)]
pub struct LinkBody {
    /// `entry`, `invoice`, `credit_note`, `bill`, `vendor_credit`, `payment`, `contact`,
    /// `bank_line` or `item`.
    pub record_kind: String,
    /// The record, in the same company (else 404).
    pub record_id: Uuid,
}

/// The form fields of an upload (for the OpenAPI document; read field by field, streamed).
#[derive(ToSchema)]
#[schema(as = FileUpload)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: PDF, PNG, JPEG, WebP, HEIC, CSV, XLSX, plain text or an e-mail (`.eml`), told
    /// from its bytes. At most `documents.max_file_size` (25 MiB by default).
    #[schema(format = Binary)]
    file: String,
    /// The name shown; the file's own name when left out.
    name: Option<String>,
    /// `true`: put it in the inbox, to become a draft bill or expense.
    inbox: Option<bool>,
    /// With `record_id`: attach it to this record at once.
    record_kind: Option<String>,
    record_id: Option<Uuid>,
}

/// The form fields of a new version (for the OpenAPI document).
#[derive(ToSchema)]
#[schema(as = FileVersionUpload)]
#[allow(dead_code)]
pub struct VersionForm {
    /// The new bytes; the old version is kept.
    #[schema(format = Binary)]
    file: String,
}

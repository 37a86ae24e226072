//! The documents a firm keeps (files; in code `documents` already names invoices and bills): the
//! kinds taken, how an upload's kind is told from its bytes (never from the client's
//! `Content-Type`), names made safe to show and send back, the firm's quota, the records a file
//! may be linked to, and the states of a version's extracted text.

mod detect;

pub use detect::{HEAD_BYTES, detect};

use uuid::Uuid;

/// What a file is, from its magic bytes (`detect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Heic,
    Csv,
    Xlsx,
    Text,
    Eml,
}

impl FileKind {
    pub const ALL: [FileKind; 9] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Webp,
        FileKind::Heic,
        FileKind::Csv,
        FileKind::Xlsx,
        FileKind::Text,
        FileKind::Eml,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpeg",
            FileKind::Webp => "webp",
            FileKind::Heic => "heic",
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
            FileKind::Text => "text",
            FileKind::Eml => "eml",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The media type a download of this kind is sent as.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Webp => "image/webp",
            FileKind::Heic => "image/heic",
            FileKind::Csv => "text/csv",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Text => "text/plain",
            FileKind::Eml => "message/rfc822",
        }
    }

    /// Whether a browser may show it inline (`…/preview/`): images browsers draw, and PDFs.
    /// HEIC is not drawn by most browsers, so it is downloaded only.
    pub fn previewable(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Png | FileKind::Jpeg | FileKind::Webp)
    }

    /// The kind a file name's extension claims, if it names one of ours.
    pub fn of_extension(name: &str) -> Option<FileKind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => FileKind::Pdf,
            "png" => FileKind::Png,
            "jpg" | "jpeg" | "jpe" => FileKind::Jpeg,
            "webp" => FileKind::Webp,
            "heic" | "heif" => FileKind::Heic,
            "csv" | "tsv" => FileKind::Csv,
            "xlsx" => FileKind::Xlsx,
            "txt" | "text" => FileKind::Text,
            "eml" => FileKind::Eml,
            _ => return None,
        })
    }

    /// Text kinds: one read as another is no lie (a `.txt` of comma-separated values).
    fn is_text(self) -> bool {
        matches!(self, FileKind::Csv | FileKind::Text | FileKind::Eml)
    }
}

/// A record a file can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Entry,
    Invoice,
    CreditNote,
    Bill,
    VendorCredit,
    Payment,
    Contact,
    BankLine,
    Item,
}

impl RecordKind {
    pub const ALL: [RecordKind; 9] = [
        RecordKind::Entry,
        RecordKind::Invoice,
        RecordKind::CreditNote,
        RecordKind::Bill,
        RecordKind::VendorCredit,
        RecordKind::Payment,
        RecordKind::Contact,
        RecordKind::BankLine,
        RecordKind::Item,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Entry => "entry",
            RecordKind::Invoice => "invoice",
            RecordKind::CreditNote => "credit_note",
            RecordKind::Bill => "bill",
            RecordKind::VendorCredit => "vendor_credit",
            RecordKind::Payment => "payment",
            RecordKind::Contact => "contact",
            RecordKind::BankLine => "bank_line",
            RecordKind::Item => "item",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a version's extracted text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextState {
    Pending,
    Running,
    Done,
    Failed,
    Unsupported,
}

impl TextState {
    pub const ALL: [TextState; 5] = [
        TextState::Pending,
        TextState::Running,
        TextState::Done,
        TextState::Failed,
        TextState::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TextState::Pending => "pending",
            TextState::Running => "running",
            TextState::Done => "done",
            TextState::Failed => "failed",
            TextState::Unsupported => "unsupported",
        }
    }

    pub fn parse(s: &str) -> Option<TextState> {
        TextState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a file is not taken or changed, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    /// Not a kind we keep, or content and name disagree (an image named `.pdf`).
    #[error("{0}")]
    Refused(String),
    #[error("The file is larger than the limit of {limit} bytes.")]
    TooLarge { limit: u64 },
    #[error(
        "The firm's documents would take {would} bytes, over its quota of {quota} bytes: delete documents it no longer needs, or ask the operator to raise documents.firm_quota."
    )]
    OverQuota { would: u64, quota: u64 },
    #[error("This document supports a posted {0}: a posted record keeps its evidence. Reverse or void it first.")]
    Posted(&'static str),
    #[error("no such document")]
    NotFound,
}

/// The longest name kept (characters).
pub const MAX_NAME_CHARS: usize = 200;

/// A name safe to keep, show and send back in `Content-Disposition`: the last path component,
/// no control characters or quotes, no leading dots, at most [`MAX_NAME_CHARS`]; `document` if
/// nothing is left.
pub fn sanitise_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | ';') { '\'' } else { c })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let out: String = trimmed.chars().take(MAX_NAME_CHARS).collect();
    if out.is_empty() { "document".to_owned() } else { out }
}

/// The firm's stored bytes after adding `adding` to `used` must stay within `quota`.
pub fn check_quota(used: u64, adding: u64, quota: u64) -> Result<(), FilesError> {
    match used.checked_add(adding) {
        Some(would) if would <= quota => Ok(()),
        Some(would) => Err(FilesError::OverQuota { would, quota }),
        None => Err(FilesError::OverQuota { would: u64::MAX, quota }),
    }
}

/// A file as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub kind: FileKind,
    pub current_version: i64,
    pub inbox: bool,
    pub created_by: Option<Uuid>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl File {
    /// Its audited fields.
    pub fn audit_fields(&self) -> super::audit::AuditFields {
        vec![
            ("name", self.name.clone()),
            ("kind", self.kind.as_str().to_owned()),
            ("current_version", self.current_version.to_string()),
            ("inbox", self.inbox.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_controls_and_quotes() {
        assert_eq!(sanitise_name("C:\\Users\\a\\receipt.pdf"), "receipt.pdf");
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("a\"b\r\n.pdf"), "a'b.pdf");
        assert_eq!(sanitise_name("..."), "document");
        assert_eq!(sanitise_name(""), "document");
        assert_eq!(sanitise_name(&"x".repeat(500)).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn quota_counts_exactly_and_never_overflows() {
        assert_eq!(check_quota(90, 10, 100), Ok(()));
        assert_eq!(
            check_quota(90, 11, 100),
            Err(FilesError::OverQuota { would: 101, quota: 100 })
        );
        assert!(check_quota(u64::MAX, 1, 100).is_err());
    }

    #[test]
    fn kinds_and_records_read_back() {
        for k in FileKind::ALL {
            assert_eq!(FileKind::parse(k.as_str()), Some(k));
        }
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        for k in TextState::ALL {
            assert_eq!(TextState::parse(k.as_str()), Some(k));
        }
    }
}

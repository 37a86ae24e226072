//! `GET /api/documents/usage/`: what the firm's documents take of its quota, for Settings. The
//! quota is the firm's (all companies), each distinct file counted once.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::Reply;
use crate::http::firm::InFirm;
use crate::http::permission::perm;
use crate::store::files as rows;

/// The firm's document storage.
#[derive(Serialize, ToSchema)]
#[schema(as = DocumentUsage)]
pub struct UsageDto {
    /// Bytes kept, each distinct file once (all versions, all companies).
    used_bytes: u64,
    /// `documents.firm_quota`: an upload past it is refused.
    quota_bytes: u64,
    /// `documents.max_file_size`: a larger upload is a 413.
    max_file_bytes: u64,
    /// Where the bytes are: `local` (the data directory) or `s3`.
    storage: &'static str,
}

/// `GET /api/documents/usage/`.
pub async fn usage(c: InFirm<perm::ViewFirm>) -> Reply<Json<UsageDto>> {
    c.blocking(|app, caller| {
        let used = app.store.tenant_read(caller.tenant()?, rows::used_bytes)?;
        let d = &app.config.documents;
        Ok(Json(UsageDto {
            used_bytes: used,
            quota_bytes: d.firm_quota,
            max_file_bytes: d.max_file_size,
            storage: if app
                .config
                .storage
                .url
                .as_deref()
                .is_some_and(|u| u.starts_with("s3://"))
            {
                "s3"
            } else {
                "local"
            },
        }))
    })
    .await
}

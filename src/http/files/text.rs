//! `GET /api/documents/{id}/text/`: the text extracted from a document's version (the current
//! one unless `version` is given), with the extraction's state, method, pages and, when it
//! failed, why. What the review queue and the search index read.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::find;
use crate::http::company::{Id, InCompany, perm};
use crate::http::error::{ApiError, Reply};
use crate::http::extract::QueryPairs;
use crate::store::extraction;

/// A version's extracted text.
#[derive(Serialize, ToSchema)]
#[schema(as = DocumentText)]
pub struct TextDto {
    pub version: i64,
    /// `pending`, `running`, `done`, `failed` or `unsupported`.
    pub state: String,
    /// How the text was read: `text`, `pdf`, `ocr`, `sheet` or `eml` (once `done`).
    #[schema(required = true)]
    pub method: Option<String>,
    /// Pages of a PDF, sheets of a workbook.
    #[schema(required = true)]
    pub pages: Option<i64>,
    /// Why there is no text (`failed`, `unsupported`), for the user.
    #[schema(required = true)]
    pub error: Option<String>,
    /// The text (empty until `done`), at most `documents.max_text_bytes`.
    pub text: String,
}

/// `GET /api/documents/{id}/text/?version=N`.
pub async fn text(
    c: InCompany<perm::ViewDocuments>,
    Id(id): Id,
    QueryPairs(pairs): QueryPairs,
) -> Reply<Json<TextDto>> {
    let version = match pairs.iter().find(|(k, _)| k == "version").map(|(_, v)| v.as_str()) {
        None | Some("") => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| ApiError::field("version", "A version number: 1, 2, …"))?,
        ),
    };
    c.read(move |tx, ctx| {
        let file = find(tx, ctx, id)?;
        let version = version.unwrap_or(file.current_version);
        let row = extraction::get(tx, file.id, version)?.ok_or(ApiError::NotFound)?;
        Ok(Json(TextDto {
            version,
            state: row.state,
            method: row.method,
            pages: row.pages,
            error: row.error,
            text: row.text,
        }))
    })
    .await
}

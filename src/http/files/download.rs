//! Sending a document's bytes, streamed from storage: `…/download/` always as an attachment
//! under a sandboxing CSP, `…/preview/` inline for images and PDFs only (anything else is a 415,
//! so no HTML or SVG is ever rendered from our origin).

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::upload::storage_failed;
use super::{find, rows};
use crate::domain::files::FileKind;
use crate::http::company::{Id, InCompany, perm};
use crate::http::error::{ApiError, Reply};
use crate::http::extract::QueryPairs;

/// What the download of the file was: its stored object, type and name.
struct Chosen {
    sha256: String,
    kind: FileKind,
    name: String,
}

async fn choose(
    c: &InCompany<perm::ViewDocuments>,
    id: uuid::Uuid,
    pairs: &[(String, String)],
) -> Result<Chosen, ApiError> {
    let version = match pairs.iter().find(|(k, _)| k == "version").map(|(_, v)| v.as_str()) {
        None | Some("") => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| ApiError::field("version", "A version number: 1, 2, …"))?,
        ),
    };
    c.clone()
        .read(move |tx, ctx| {
            let file = find(tx, ctx, id)?;
            let wanted = version.unwrap_or(file.current_version);
            let v = rows::versions(tx, file.id)?
                .into_iter()
                .find(|v| v.version == wanted)
                .ok_or(ApiError::NotFound)?;
            // An older version may be of another kind than the file is now.
            let kind = FileKind::ALL
                .into_iter()
                .find(|k| k.media_type() == v.media_type)
                .unwrap_or(file.kind);
            Ok(Chosen {
                sha256: v.sha256,
                kind,
                name: file.name,
            })
        })
        .await
}

/// `filename="…"` (ASCII, `_` for anything else) and `filename*=UTF-8''…` (percent-encoded).
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn send(c: &InCompany<perm::ViewDocuments>, chosen: Chosen, inline: bool) -> Reply {
    let tenant = c.firm()?;
    let object = c
        .app()
        .files
        .get(tenant, &chosen.sha256)
        .await
        .map_err(storage_failed)?;
    let (how, csp, frame) = if inline {
        (
            "inline",
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
            "SAMEORIGIN",
        )
    } else {
        ("attachment", "sandbox; default-src 'none'", "DENY")
    };
    let mut response = Response::new(Body::from_stream(object.stream));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(chosen.kind.media_type()));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(object.size));
    h.insert(header::CONTENT_DISPOSITION, disposition(how, &chosen.name));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(frame));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response.into_response())
}

/// `GET /api/documents/{id}/download/?version=N`: the bytes (the current version by default) as
/// an attachment, `nosniff`, `Content-Security-Policy: sandbox; default-src 'none'`.
pub async fn download(c: InCompany<perm::ViewDocuments>, Id(id): Id, QueryPairs(pairs): QueryPairs) -> Reply {
    let chosen = choose(&c, id, &pairs).await?;
    send(&c, chosen, false).await
}

/// `GET /api/documents/{id}/preview/?version=N`: inline, for PDF, PNG, JPEG and WebP only (415
/// for the rest: download them).
pub async fn preview(c: InCompany<perm::ViewDocuments>, Id(id): Id, QueryPairs(pairs): QueryPairs) -> Reply {
    let chosen = choose(&c, id, &pairs).await?;
    if !chosen.kind.previewable() {
        return Err(ApiError::UnsupportedMediaType(chosen.kind.media_type().to_owned()));
    }
    send(&c, chosen, true).await
}

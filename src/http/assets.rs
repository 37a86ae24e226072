//! The web UI, embedded from `frontend-dist/`: hashed assets cached for a year, `index.html`
//! never cached, and every other non-API path answered with `index.html` (the SPA router
//! takes it from there).

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "frontend-dist/"]
struct Assets;

/// The Content-Security-Policy of every HTML page: nothing from other origins. `blob:` frames and
/// images are the PDF preview and the logo, fetched with the user's token and shown from memory.
pub const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
    frame-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::NotFound.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ApiError::MethodNotAllowed(method.to_string()).into_response();
    }
    let file = path.trim_start_matches('/');
    if !file.is_empty()
        && let Some(asset) = Assets::get(file)
    {
        let cache = if file.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return respond(asset, cache);
    }
    match Assets::get("index.html") {
        Some(index) => respond(index, "no-cache"),
        None => (StatusCode::NOT_FOUND, "the web UI is not built into this binary").into_response(),
    }
}

fn respond(asset: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = asset.metadata.mimetype().to_owned();
    let mut response = (StatusCode::OK, asset.data).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if mime.starts_with("text/html") {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}

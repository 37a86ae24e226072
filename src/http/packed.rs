//! Files embedded gzipped at build time (build.rs: Swagger UI's and Redoc's): sent as they are,
//! with `Content-Encoding: gzip`, to a client that accepts gzip (every browser), and inflated
//! on the fly for one that does not. `CompressionLayer` leaves an answer that already has a
//! `Content-Encoding` alone.

use std::io::Read;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::read::GzDecoder;

use super::error::ApiError;

/// The answer with the file gzipped as `gz` to a request with `headers`: those bytes when gzip
/// is accepted, inflated otherwise.
pub fn respond(headers: &HeaderMap, content_type: &'static str, cache: &'static str, gz: &'static [u8]) -> Response {
    let plain = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if accepts_gzip(headers) {
        let encoding = [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))];
        return (StatusCode::OK, plain, encoding, gz).into_response();
    }
    let mut body = Vec::new();
    match GzDecoder::new(gz).read_to_end(&mut body) {
        Ok(_) => (StatusCode::OK, plain, body).into_response(),
        Err(e) => ApiError::Internal(format!("inflating an embedded file: {e}")).into_response(),
    }
}

/// Whether `Accept-Encoding` names `gzip` (or `*`) without `q=0`.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let named = coding.eq_ignore_ascii_case("gzip") || coding == "*";
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            named && !refused
        })
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    fn accepts(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        super::accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts("gzip, deflate, br"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("br"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("identity"));
        assert!(!super::accepts_gzip(&HeaderMap::new()));
    }
}

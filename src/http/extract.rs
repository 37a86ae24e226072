//! Request extractors with DRF-shaped rejections: JSON bodies, bearer tokens, the company
//! header, query strings and the client address.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::app::AppState;
use crate::auth::AuthError;
use crate::auth::jwt::{Claims, TokenType};
use crate::server::client::ClientAddr;

/// A JSON body. Wrong content type → 415; unparseable or mistyped JSON → 400; too large → 413.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence != "application/json" && !(essence.starts_with("application/") && essence.ends_with("+json")) {
            return Err(ApiError::UnsupportedMediaType(content_type));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("Could not read the request body.".into())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| ApiError::BadRequest(format!("JSON parse error - {e}")))
    }
}

/// The verified access token of the caller (signature, algorithm, expiry, type). Whether the
/// user may still use it is checked against the database by `auth::scope::caller`.
pub struct Bearer(pub Claims);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AuthError::MissingCredentials)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(AuthError::InvalidToken)?;
        Ok(Bearer(app.keys.verify(token.trim(), TokenType::Access)?))
    }
}

/// The `X-Company-Id` header, if any.
pub struct CompanyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for CompanyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = match parts.headers.get("x-company-id") {
            Some(v) => Some(v.to_str().map_err(|_| AuthError::NoSuchCompany)?.to_owned()),
            None => None,
        };
        Ok(CompanyHeader(value))
    }
}

/// The query string as ordered pairs (repeated keys kept). Undecodable → 400.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(QueryPairs)
            .map_err(|_| ApiError::BadRequest("The query string could not be decoded.".into()))
    }
}

/// The client's address: the peer of the connection, or the one a trusted proxy names
/// (`server::client`).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(ClientAddr(ip)) = parts.extensions.get::<ClientAddr>() {
            return Ok(ClientIp(*ip));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(app.clients.client(peer, &parts.headers)))
    }
}

/// Path ids are UUIDs; anything else cannot name an object, so it is a 404 like an unknown id.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// A JSON body that may be left out (`…/void/`, `…/reverse/`, `…/send/`): no body, or only
/// whitespace, is `T::default()`; anything else must parse.
pub fn optional_body<T: DeserializeOwned + Default>(raw: &Bytes) -> Result<T, ApiError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(raw).map_err(|e| ApiError::BadRequest(format!("JSON parse error - {e}")))
}

//! Request extractors with DRF-shaped rejections: bearer tokens, the company header, query
//! strings and the client address. (JSON bodies are `company::JsonBody`, read after the permission
//! check.)

use std::net::{IpAddr, Ipv4Addr};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::app::AppState;
use crate::auth::AuthError;
use crate::auth::jwt::{Claims, TokenType};
use crate::server::client::ClientAddr;

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

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    /// The guard in front of every route (`server::guard`) has put the address there; a router
    /// used without it sees every client as 0.0.0.0.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ClientAddr>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ClientAddr(ip)| *ip),
        ))
    }
}

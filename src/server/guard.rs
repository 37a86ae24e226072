//! What every request passes first: its client address and the base of its links are settled
//! (`client.rs`), its body may
//! not go quiet for longer than `server.body_timeout_seconds` (408), its answer must come within
//! `server.request_timeout_seconds` (503), and every request refused by a limit (sign-in
//! throttling, a timeout, a size limit, a permission) is logged once with its firm and client
//! address and counted for `/metrics`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::json;
use tower_http::timeout::{TimeoutBody, TimeoutError};

use super::client::{ClientAddr, LINK_BASE, link_base};
use crate::app::AppState;
use crate::auth::jwt::TokenType;
use crate::metrics::Refusal;

/// Puts the guard in front of everything the router does.
pub fn wrap(router: Router, app: &AppState) -> Router {
    router.layer(middleware::from_fn_with_state(Arc::clone(app), guard))
}

async fn guard(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let client = app.clients.client(peer, req.headers());
    req.extensions_mut().insert(ClientAddr(client));
    let links = link_base(&app.config, req.headers());
    req.headers_mut().insert(LINK_BASE, links);
    let bearer = req.headers().get(header::AUTHORIZATION).cloned();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let server = &app.config.server;

    // The body goes through a timer that restarts with each piece that arrives; when it fires,
    // the handler sees a failed read and the flag says why.
    let stalled = Arc::new(AtomicBool::new(false));
    let req = {
        let flag = Arc::clone(&stalled);
        let (parts, body) = req.into_parts();
        let body = TimeoutBody::new(server.body_timeout(), body).map_err(move |e| {
            if e.downcast_ref::<TimeoutError>().is_some() {
                flag.store(true, Ordering::Relaxed);
            }
            e
        });
        Request::from_parts(parts, Body::new(body))
    };
    let response = match tokio::time::timeout(server.request_timeout(), next.run(req)).await {
        Ok(_) if stalled.load(Ordering::Relaxed) => refused(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request body stopped arriving for {} seconds.",
                server.body_timeout_seconds
            ),
        ),
        Ok(response) => response,
        // Work already handed to the store runs on to its end (it cannot be stopped half-way).
        Err(_) => refused(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The server did not answer within {} seconds. A change this request made may still \
                 be saved: look before sending it again, or send it with an Idempotency-Key.",
                server.request_timeout_seconds
            ),
        ),
    };
    if let Some(why) = refusal(&response) {
        app.metrics.refused(why);
        let firm = bearer
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .and_then(|token| app.keys.verify(token.trim(), TokenType::Access).ok())
            .and_then(|claims| claims.tenant_id)
            .map_or_else(|| "-".to_owned(), |id| id.to_string());
        let status = response.status().as_u16();
        match why {
            Refusal::RateLimit | Refusal::Timeout => tracing::warn!(
                refused = why.as_str(), status, %method, path, firm, client = %client,
                "refused {method} {path} ({status}): {}", why.as_str()
            ),
            Refusal::SizeLimit | Refusal::Permission => tracing::info!(
                refused = why.as_str(), status, %method, path, firm, client = %client,
                "refused {method} {path} ({status}): {}", why.as_str()
            ),
        }
    }
    response
}

/// Which limit, if any, refused this answer.
fn refusal(response: &Response) -> Option<Refusal> {
    if let Some(why) = response.extensions().get::<Refusal>() {
        return Some(*why);
    }
    match response.status() {
        StatusCode::TOO_MANY_REQUESTS => Some(Refusal::RateLimit),
        StatusCode::PAYLOAD_TOO_LARGE => Some(Refusal::SizeLimit),
        StatusCode::FORBIDDEN => Some(Refusal::Permission),
        StatusCode::REQUEST_TIMEOUT => Some(Refusal::Timeout),
        _ => None,
    }
}

/// A timeout answer in the API's shape; the connection is closed after it, since what is left
/// of the request was never read.
fn refused(status: StatusCode, detail: String) -> Response {
    let mut response = (status, axum::Json(json!({ "detail": detail }))).into_response();
    response.extensions_mut().insert(Refusal::Timeout);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

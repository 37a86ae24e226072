//! `GET /metrics` and the middleware that counts every answer for it, per route template; the
//! figures and their text are `crate::metrics`.
//!
//! Off unless `metrics.enabled`; then answered only to loopback clients whose request carries
//! no proxy header, unless `metrics.allow_remote` (see [`allowed`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, Reply};
use super::firm::Public;
use crate::app::AppState;
use crate::auth::AuthError;

/// The requests of no route (the web app's files, unknown API paths) share this label.
const UNMATCHED: &str = "unmatched";

/// Adds request counting to every route and the fallback, when metrics are on.
pub fn track_requests(router: Router<AppState>, app: &AppState) -> Router<AppState> {
    if app.config.metrics.enabled {
        router.layer(middleware::from_fn_with_state(Arc::clone(app), track))
    } else {
        router
    }
}

async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = method_label(req.method());
    let start = Instant::now();
    let response = next.run(req).await;
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    app.metrics
        .observe(route, method, response.status().as_u16(), start.elapsed());
    response
}

/// The standard methods by name; anything else as `other`, so a client cannot add series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether a scrape may be answered: always with `allow_remote`; otherwise only from a loopback
/// peer whose request names no original client. A reverse proxy on the same host connects from
/// loopback too, but adds `Forwarded`/`X-Forwarded-For` (nginx, Caddy, Traefik do), so a
/// proxied scrape from the internet is refused.
pub fn allowed(peer: Option<SocketAddr>, headers: &HeaderMap, allow_remote: bool) -> bool {
    if allow_remote {
        return true;
    }
    let proxied = headers.contains_key(header::FORWARDED)
        || headers.contains_key("x-forwarded-for")
        || headers.contains_key("x-real-ip");
    let loopback = peer.is_some_and(|p| match p.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback(),
        std::net::IpAddr::V6(ip) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    });
    loopback && !proxied
}

/// `GET /metrics`.
pub async fn serve(Public(app): Public, req: Request) -> Reply {
    if !app.config.metrics.enabled {
        return Err(ApiError::NotFound);
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if !allowed(peer, req.headers(), app.config.metrics.allow_remote) {
        tracing::debug!(?peer, "metrics: refused a non-local or proxied client");
        return Err(AuthError::Forbidden.into());
    }
    let text = app
        .blocking(|app| app.metrics.scrape(&app.store).map_err(ApiError::Store))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn addr(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn only_unproxied_loopback_clients_are_answered_by_default() {
        let none = HeaderMap::new();
        assert!(allowed(addr("127.0.0.1:5000"), &none, false));
        assert!(allowed(addr("[::1]:5000"), &none, false));
        assert!(allowed(addr("[::ffff:127.0.0.1]:5000"), &none, false));
        assert!(!allowed(addr("192.168.1.20:5000"), &none, false), "a LAN client");
        assert!(!allowed(addr("[2001:db8::1]:5000"), &none, false));
        assert!(!allowed(None, &none, false), "an unknown peer is not trusted");
        for name in ["x-forwarded-for", "forwarded", "x-real-ip"] {
            let mut proxied = HeaderMap::new();
            proxied.insert(name, HeaderValue::from_static("203.0.113.9"));
            assert!(
                !allowed(addr("127.0.0.1:5000"), &proxied, false),
                "{name}: a proxy on this host forwarding a remote scrape"
            );
            assert!(allowed(addr("127.0.0.1:5000"), &proxied, true));
        }
        assert!(allowed(addr("192.168.1.20:5000"), &none, true), "allow_remote");
    }

    #[test]
    fn unusual_methods_share_a_label() {
        assert_eq!(method_label(&Method::from_bytes(b"PROPFIND").unwrap()), "other");
    }
}

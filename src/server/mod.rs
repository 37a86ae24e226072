//! The HTTP server around the router, with limits so that slow or numerous clients cannot hold
//! it: at most `server.max_connections` connections at once (more wait in the listen backlog),
//! each given `server.header_timeout_seconds` to send a request's head, idle ones included;
//! `guard.rs` bounds each request's body and answer in time, and logs and counts every request
//! refused by a limit.
//!
//! HTTP/1.1 only: HTTP/2 without TLS is spoken by no browser, and its connection preface
//! would have to be read before any timer runs. A TLS proxy in front may speak HTTP/2.

pub mod client;
mod guard;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::app::AppState;
use crate::metrics::Refusal;

/// Serves the API and the web UI on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn run(
    app: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let settings = app.config.server.clone();
    let router = guard::wrap(crate::http::router(Arc::clone(&app)), &app);
    let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout());
    let graceful = GracefulShutdown::new();
    let mut full = false;
    tokio::pin!(shutdown);
    loop {
        if slots.available_permits() == 0 && !full {
            tracing::warn!(
                max_connections = settings.max_connections,
                "serving server.max_connections connections: new ones wait until one closes"
            );
        }
        full = slots.available_permits() == 0;
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = tower::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        let app = Arc::clone(&app);
        let header_timeout = settings.header_timeout_seconds;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                closed_with_error(&app, peer, &e, header_timeout);
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A connection ended by an error: a client too slow to send its request head is a refusal
/// (logged and counted once); anything else (a reset, a malformed request) is the client's.
fn closed_with_error(app: &AppState, peer: SocketAddr, e: &hyper::Error, header_timeout: u64) {
    if e.is_timeout() {
        app.metrics.refused(Refusal::Timeout);
        tracing::info!(
            refused = Refusal::Timeout.as_str(),
            client = %peer.ip(),
            firm = "-",
            "closed a connection that sent no complete request head within {header_timeout} s"
        );
    } else {
        tracing::debug!(client = %peer.ip(), error = %e, "connection closed with an error");
    }
}

/// `accept` failed: a connection reset before it was accepted is no matter; anything else
/// (out of file descriptors) is logged and retried after a pause instead of spinning.
async fn accept_failed(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

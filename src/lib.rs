//! OASYS: books, invoicing, banking and stock for small firms and the accounting firms that
//! keep their books, as one executable. Modules in reading order: the pure domain and file
//! formats, storage, authentication and tenancy, provisioning, the HTTP API, configuration, the CLI
//! (and the TLS provider).

pub mod domain;
pub mod extract;
pub mod formats;
pub mod pdf;
pub mod store;
pub mod tenancy;

pub mod auth;
pub mod backup;
pub mod capture;
pub mod due;
pub mod files_storage;
pub mod firm_archive;
pub mod metrics;
pub mod provision;
pub mod s3;
pub mod scheduler;
pub mod search;
pub mod spool;

pub mod app;
pub mod http;
pub mod server;

pub mod cli;
pub mod config;
pub mod telemetry;
pub mod tls;

use std::future::Future;

pub use app::{App, AppState};

/// Serves the API and the web UI on `listener` until `shutdown` resolves, then finishes the
/// requests in flight. The one entry point of `oasys serve` and of the test harness; the
/// connections, timeouts and limits are `server`'s. The search indexer
/// (`scheduler::spawn_search_indexer`) and the text extraction queue run beside it.
pub async fn serve(
    app: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    scheduler::spawn_search_indexer(std::sync::Arc::clone(&app));
    extract::queue::spawn(std::sync::Arc::clone(&app));
    server::run(app, listener, shutdown).await
}

//! `GET /api/health/`: the version, and whether the database answers.

use axum::Json;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use super::error::Reply;
use super::firm::Public;
use super::openapi::choice;

#[derive(Serialize, ToSchema)]
#[schema(as = Health)]
pub struct Health {
    /// `ok`, or `unavailable` (with status 503) when the database does not answer.
    #[schema(schema_with = statuses)]
    pub status: &'static str,
    pub version: &'static str,
    #[schema(inline)]
    pub database: Database,
}

fn statuses() -> RefOr<Schema> {
    choice(&["ok", "unavailable"])
}

#[derive(Serialize, ToSchema)]
pub struct Database {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub reachable: bool,
}

pub async fn health(Public(app): Public) -> Reply<(StatusCode, Json<Health>)> {
    app.blocking(|app| {
        let reachable = app.store.ping().is_ok();
        let (status, code) = if reachable {
            ("ok", StatusCode::OK)
        } else {
            ("unavailable", StatusCode::SERVICE_UNAVAILABLE)
        };
        let database = Database {
            backend: app.store.backend_name(),
            reachable,
        };
        Ok((
            code,
            Json(Health {
                status,
                version: env!("CARGO_PKG_VERSION"),
                database,
            }),
        ))
    })
    .await
}

//! `GET /api/health/`: the version, and whether the database answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::app::AppState;

pub async fn health(State(app): State<AppState>) -> Result<(StatusCode, Json<Value>), ApiError> {
    app.blocking(|app| {
        let reachable = app.store.ping().is_ok();
        let status = if reachable {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        Ok((
            status,
            Json(json!({
                "status": if reachable { "ok" } else { "unavailable" },
                "version": env!("CARGO_PKG_VERSION"),
                "database": { "backend": app.store.backend_name(), "reachable": reachable },
            })),
        ))
    })
    .await
}

//! The one mapping from every failure to an HTTP response, with DRF-shaped bodies:
//! validation → 400 `{"field": ["message"]}`; others → `{"detail": "message"}`.
//! Each failure is logged once, here.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::AuthError;
use crate::domain::FieldErrors;
use crate::store::StoreError;
use crate::store::list::ListError;

/// What a handler answers: a response, or the failure that becomes one.
pub type Reply<T = Response> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("not found")]
    NotFound,
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
    /// A server we depend on (the mail server) refused or failed: 502 with its answer, which is
    /// the caller's to act on (a wrong address, a full mailbox, a relay down).
    #[error("upstream failure: {0}")]
    BadGateway(String),
    /// Past a limit on what a firm may do (e-mails per hour): 429 with `Retry-After`. Logged with
    /// the firm and the client by `server::guard`, like every refusal.
    #[error("{detail}")]
    Throttled { detail: String, retry_after: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            other => ApiError::Store(other),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Validation(e)
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Filter { field, message } => ApiError::Validation(FieldErrors::single(&field, message)),
            ListError::InvalidPage => ApiError::NotFound,
            ListError::Store(s) => ApiError::from(s),
        }
    }
}

impl ApiError {
    /// Shortcut for a single field error.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(FieldErrors::single(field, message))
    }
}

/// Fields one 400 answer names at most: a body with a million bad lines gets a useful answer
/// of bounded size, not one as large as the body.
pub const MAX_FIELD_ERRORS: usize = 100;

/// The DRF body of a validation failure: `{"field": ["message"]}`, at most
/// [`MAX_FIELD_ERRORS`] fields and a few messages each, and a note of how many more there were.
fn field_errors(errors: FieldErrors) -> serde_json::Map<String, Value> {
    let total = errors.0.len();
    let mut body: serde_json::Map<String, Value> = errors
        .0
        .into_iter()
        .take(MAX_FIELD_ERRORS)
        .map(|(k, mut v)| {
            v.truncate(10);
            (k, Value::from(v))
        })
        .collect();
    if total > MAX_FIELD_ERRORS {
        let note = format!("…and {} more fields with errors.", total - MAX_FIELD_ERRORS);
        match body.get_mut("non_field_errors") {
            Some(Value::Array(list)) => list.push(Value::from(note)),
            _ => {
                body.insert("non_field_errors".into(), Value::from(vec![note]));
            }
        }
    }
    body
}

fn detail(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "detail": message }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Validation(errors) => {
                tracing::debug!(fields = errors.0.len(), "rejected invalid input");
                (StatusCode::BAD_REQUEST, axum::Json(Value::Object(field_errors(errors)))).into_response()
            }
            ApiError::BadRequest(message) => detail(StatusCode::BAD_REQUEST, &message),
            ApiError::Auth(e) => auth_response(e),
            ApiError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            ApiError::MethodNotAllowed(m) => {
                detail(StatusCode::METHOD_NOT_ALLOWED, &format!("Method \"{m}\" not allowed."))
            }
            ApiError::UnsupportedMediaType(t) => detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("Unsupported media type \"{t}\" in request."),
            ),
            ApiError::PayloadTooLarge => detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large."),
            ApiError::Conflict(message) => detail(StatusCode::CONFLICT, &message),
            ApiError::Store(e) => store_response(e),
            ApiError::BadGateway(message) => {
                tracing::warn!(%message, "upstream server failed");
                detail(StatusCode::BAD_GATEWAY, &message)
            }
            ApiError::Throttled { detail, retry_after } => throttled(&detail, retry_after),
            ApiError::Internal(message) => {
                tracing::error!(%message, "internal error");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
            }
        }
    }
}

fn auth_response(e: AuthError) -> Response {
    match e {
        AuthError::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "success": false, "error": "Invalid credentials" })),
        )
            .into_response(),
        AuthError::MissingCredentials
        | AuthError::InvalidToken
        | AuthError::InvalidRefreshToken
        | AuthError::Inactive => {
            let mut r = detail(StatusCode::UNAUTHORIZED, &e.to_string());
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
            r
        }
        AuthError::Forbidden => detail(StatusCode::FORBIDDEN, &e.to_string()),
        AuthError::NoSuchCompany => detail(StatusCode::NOT_FOUND, "Not found."),
        AuthError::RateLimited { retry_after } => {
            // Logged with the client and firm by `server::guard`, like every refusal.
            let mut r = detail(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Request was throttled. Expected available in {retry_after} seconds."),
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        AuthError::Store(s) => store_response(s),
    }
}

/// 429 with `Retry-After` in seconds.
fn throttled(message: &str, retry_after: u64) -> Response {
    let mut r = detail(StatusCode::TOO_MANY_REQUESTS, message);
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn store_response(e: StoreError) -> Response {
    match e {
        StoreError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
        StoreError::Conflict(message) => {
            tracing::info!(%message, "write refused by a constraint");
            detail(StatusCode::CONFLICT, "This change conflicts with existing data.")
        }
        StoreError::Overflow(message) => {
            tracing::warn!(%message, "amounts beyond the ledger's range");
            detail(
                StatusCode::CONFLICT,
                "These amounts would take an account's total beyond what the ledger can hold.",
            )
        }
        StoreError::Unavailable(message) => {
            tracing::error!(%message, "database unavailable");
            detail(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable. Try again shortly.",
            )
        }
        StoreError::Corrupt(message) => {
            tracing::error!(%message, "stored data is not as expected");
            detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
        }
        StoreError::Database(message) | StoreError::Migration(message) => {
            tracing::error!(%message, "database error");
            detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
        }
    }
}

//! The company a request works in. Every business handler runs its store work through
//! [`in_books`]: the caller is re-checked, the permission matrix consulted, the company resolved
//! (`X-Company-Id` or the default, 404 when not the caller's), all in one transaction.

use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::ledger::{Books, Ctx};
use crate::domain::roles::Action;
use crate::domain::tenants::Company;
use crate::http::error::ApiError;
use crate::store::Tx;
use crate::store::idempotency::{self, Stored};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Whether the work only reads (a read transaction) or writes (the company's write lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Runs `op` for the caller in their company, under `action`, in one transaction.
pub async fn in_books<T: Send + 'static>(
    app: &AppState,
    claims: Claims,
    company: Option<String>,
    action: Action,
    access: Access,
    op: impl FnOnce(&mut Tx, &Ctx<'_>, &Company) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    app.blocking(move |app| {
        let caller = app.caller(&claims)?;
        caller.require(action)?;
        let work = |tx: &mut Tx| -> Result<T, ApiError> {
            let company = caller.company(tx, company.as_deref())?;
            // A deactivated company keeps its books readable and closed to changes.
            if access == Access::Write && !company.is_active {
                return Err(ApiError::field(
                    "non_field_errors",
                    "This company is deactivated: its books can be read, not changed.",
                ));
            }
            let books = Books::of(&company);
            let now = crate::domain::books::now();
            let ctx = Ctx {
                books: &books,
                company: &company,
                actor: caller.user.id,
                checkpoint_key: &app.checkpoint_key,
                today: company.today(now),
                now,
            };
            op(tx, &ctx, &company)
        };
        match access {
            Access::Read => app.store.tenant_read(caller.tenant()?, work),
            Access::Write => app.store.tenant_write(caller.tenant()?, work),
        }
    })
    .await
}

// ---- the shape before `http::company` (areas not yet moved to `InCompany`) ----

/// A write request as `write` needs it: who, where, under which permission, and how to answer.
pub(crate) struct Write {
    pub claims: Claims,
    pub company: Option<String>,
    pub action: Action,
    pub idempotency: Idempotency,
    pub status: StatusCode,
}

/// A request's `Idempotency-Key`, if any, and what makes a retry under it the same request.
pub(crate) struct Idempotency {
    key: Option<String>,
    fingerprint: String,
}

impl Idempotency {
    /// Reads the key from `headers`; `method`, `path` and `body` are the request it stands for.
    pub(crate) fn of(
        headers: &HeaderMap,
        method: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<Idempotency, ApiError> {
        Ok(Idempotency::keyed(idempotency_key(headers)?, method, path, body))
    }

    fn keyed(key: Option<String>, method: &str, path: &str, body: &impl Serialize) -> Idempotency {
        let fingerprint = fingerprint(&key, method, path, body);
        Idempotency { key, fingerprint }
    }
}

/// Runs one write in the caller's company, inside one transaction, under the permission
/// `action`, honouring an `Idempotency-Key`.
pub(crate) async fn write<F>(app: &AppState, w: Write, op: F) -> Result<Response, ApiError>
where
    F: FnOnce(&mut Tx, &Ctx<'_>) -> Result<String, ApiError> + Send + 'static,
{
    let Write {
        claims,
        company,
        action,
        idempotency: Idempotency { key, fingerprint },
        status,
    } = w;
    let (status, body) = in_books(app, claims, company, action, Access::Write, move |tx, ctx, _| {
        let Some(key) = key else {
            return Ok((status.as_u16(), op(tx, ctx)?));
        };
        // Keys are per user and per company: the same key in another company is another request.
        let fingerprint = format!("{}:{fingerprint}", ctx.books.company_id);
        if let Some(stored) = idempotency::get(tx, ctx.actor, &key)? {
            if stored.request != fingerprint {
                return Err(ApiError::Conflict(
                    "This Idempotency-Key was used for a different request.".into(),
                ));
            }
            return Ok((stored.status, stored.response));
        }
        let body = op(tx, ctx)?;
        let stored = Stored {
            request: fingerprint,
            status: status.as_u16(),
            response: body.clone(),
        };
        idempotency::put(tx, ctx.actor, &key, &stored)?;
        Ok((status.as_u16(), body))
    })
    .await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Ok((status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| ApiError::BadRequest("Invalid Idempotency-Key header.".into()))?;
            if k.is_empty() || k.len() > 255 {
                return Err(ApiError::BadRequest(
                    "Idempotency-Key must be 1 to 255 characters.".into(),
                ));
            }
            Ok(Some(k.to_owned()))
        }
    }
}

/// What makes two requests under one `Idempotency-Key` the same request. Computed only when a key
/// is given: hashing a 10,000-entry bulk body is not free.
fn fingerprint(key: &Option<String>, method: &str, path: &str, body: &impl Serialize) -> String {
    if key.is_none() {
        return String::new();
    }
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(path.as_bytes());
    h.update(serde_json::to_vec(body).unwrap_or_default());
    format!("{:x}", h.finalize())
}

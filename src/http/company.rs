//! The shape of every handler that works in a company's books.
//!
//! - [`InCompany<P>`]: who asks, in which company, under which permission `P`. The permission is
//!   checked while the request's head is extracted, so a caller without it gets its 403 before
//!   a byte of the body is read.
//! - [`Id`]: a UUID path segment; anything else cannot name a record, so it is a 404.
//! - [`Idempotency`]: the `Idempotency-Key` and what makes a retry under it the same request.
//! - [`JsonBody<T>`]: a body read within the route's limit and parsed only when the handler asks,
//!   after it has looked the record up: an id the caller cannot see is a 404 whatever the body.
//!
//! A handler is then a few lines: `c.read(|tx, ctx| …)` or
//! `c.write(idempotency, StatusCode::CREATED, |tx, ctx| …)`, each one transaction.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::{ApiError, Reply};
use super::extract::CompanyHeader;
use super::firm::InFirm;
pub use super::permission::{Permission, perm};
use crate::app::AppState;
use crate::auth::scope::Caller;
use crate::domain::books::{self, Books, Ctx};
use crate::store::Tx;
use crate::store::idempotency::{self, Stored};

/// A request in the caller's company (`X-Company-Id`, or their default), by a user who holds
/// permission `P`. The company itself is resolved inside the transaction the handler runs.
pub struct InCompany<P> {
    app: AppState,
    caller: Caller,
    company: Option<String>,
    permission: PhantomData<P>,
}

impl<P: Permission> FromRequestParts<AppState> for InCompany<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (app, caller) = InFirm::<P>::from_request_parts(parts, state).await?.into_parts();
        let CompanyHeader(company) = CompanyHeader::from_request_parts(parts, state).await?;
        Ok(InCompany {
            app,
            caller,
            company,
            permission: PhantomData,
        })
    }
}

/// The same caller in the same company, for a second transaction in one request (e-mail: one
/// to gather, one to record the outcome, with the sending in between and no lock held).
impl<P> Clone for InCompany<P> {
    fn clone(&self) -> Self {
        InCompany {
            app: self.app.clone(),
            caller: self.caller.clone(),
            company: self.company.clone(),
            permission: PhantomData,
        }
    }
}

impl<P> InCompany<P> {
    /// The application, for work outside the company's transactions (drawing a PDF, sending
    /// mail, reading the configuration).
    pub fn app(&self) -> &AppState {
        &self.app
    }

    /// The caller's firm (a platform operator without one gets a 404).
    pub fn firm(&self) -> Result<Uuid, ApiError> {
        Ok(self.caller.tenant()?.tenant_id())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

impl<P: Permission> InCompany<P> {
    /// Runs `op` in one read transaction of the company's books.
    pub async fn read<T, F>(self, op: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(Access::Read, op).await
    }

    /// Runs `op` in one write transaction and returns what it made, for answers that are not a
    /// JSON record (a file, a redirect). JSON answers go through [`InCompany::write`].
    pub async fn change<T, F>(self, op: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(Access::Write, op).await
    }

    /// Runs `op` in one write transaction and answers `status` with what it returns as JSON
    /// (`204` answers have no body). Under an `Idempotency-Key` the first answer is stored in
    /// the same transaction, and a retry of the same request gets it back unchanged.
    pub async fn write<T, F>(self, idempotency: Idempotency, status: StatusCode, op: F) -> Reply
    where
        T: Serialize,
        F: FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let Idempotency { key, fingerprint } = idempotency;
        let answer = move |tx: &mut Tx, ctx: &Ctx<'_>| -> Result<String, ApiError> {
            let value = op(tx, ctx)?;
            if status == StatusCode::NO_CONTENT {
                return Ok(String::new());
            }
            serde_json::to_string(&value).map_err(|e| ApiError::Internal(format!("answer not serialisable: {e}")))
        };
        let (status, body) = self
            .run(Access::Write, move |tx, ctx| {
                let Some(key) = key else {
                    return Ok((status.as_u16(), answer(tx, ctx)?));
                };
                // Keys are per user and per company: the same key in another company is another
                // request.
                let fingerprint = format!("{}:{fingerprint}", ctx.books.company_id);
                if let Some(stored) = idempotency::get(tx, ctx.actor, &key)? {
                    if stored.request != fingerprint {
                        return Err(ApiError::Conflict(
                            "This Idempotency-Key was used for a different request.".into(),
                        ));
                    }
                    return Ok((stored.status, stored.response));
                }
                let body = answer(tx, ctx)?;
                let stored = Stored {
                    request: fingerprint,
                    status: status.as_u16(),
                    response: body.clone(),
                };
                idempotency::put(tx, ctx.actor, &key, &stored)?;
                Ok((status.as_u16(), body))
            })
            .await?;
        let status = StatusCode::from_u16(status)
            .map_err(|_| ApiError::Internal(format!("stored answer has status {status}")))?;
        if body.is_empty() {
            return Ok(status.into_response());
        }
        Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
    }

    async fn run<T, F>(self, access: Access, op: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx, &Ctx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let InCompany {
            app, caller, company, ..
        } = self;
        app.blocking(move |app| {
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
                let now = books::now();
                let ctx = Ctx {
                    books: &books,
                    company: &company,
                    actor: caller.user.id,
                    checkpoint_key: &app.checkpoint_key,
                    today: company.today(now),
                    now,
                };
                op(tx, &ctx)
            };
            match access {
                Access::Read => app.store.tenant_read(caller.tenant()?, work),
                Access::Write => {
                    let scope = caller.tenant()?;
                    let done = app.store.tenant_write(scope, work)?;
                    // Committed: the search index takes what it changed (see `Search::after_write`).
                    app.search.after_write(scope);
                    Ok(done)
                }
            }
        })
        .await
    }
}

/// A record's id from the path. Anything but a UUID cannot name a record: 404, like an id that
/// names nothing.
pub struct Id(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Uuid::parse_str(&raw).map(Id).map_err(|_| ApiError::NotFound)
    }
}

/// A request's `Idempotency-Key`, if any, and what makes a retry under it the same request: the
/// method, the path and the body's bytes. Taken from the head alone for requests without a body
/// (`…/post/`); [`JsonBody::idempotency`] adds the body.
pub struct Idempotency {
    key: Option<String>,
    fingerprint: String,
}

impl Idempotency {
    fn of(parts: &Parts, body: &[u8]) -> Result<Idempotency, ApiError> {
        let key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => {
                let k = v
                    .to_str()
                    .map_err(|_| ApiError::BadRequest("Invalid Idempotency-Key header.".into()))?;
                if k.is_empty() || k.len() > 255 {
                    return Err(ApiError::BadRequest(
                        "Idempotency-Key must be 1 to 255 characters.".into(),
                    ));
                }
                Some(k.to_owned())
            }
        };
        // Hashing a large bulk body is not free: only when a key asks for it.
        let fingerprint = match &key {
            None => String::new(),
            Some(_) => {
                let mut h = Sha256::new();
                h.update(parts.method.as_str().as_bytes());
                h.update(parts.uri.path().as_bytes());
                h.update(body);
                format!("{:x}", h.finalize())
            }
        };
        Ok(Idempotency { key, fingerprint })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Idempotency::of(parts, &[])
    }
}

/// A JSON body of type `T`, read (within the route's size limit) but not yet parsed: the
/// handler parses it with [`JsonBody::parse`] once it knows the record exists for the caller.
/// A wrong content type is a 415 and unparseable JSON a 400, both from `parse`.
pub struct JsonBody<T> {
    bytes: Bytes,
    content_type: String,
    idempotency: Idempotency,
    shape: PhantomData<fn() -> T>,
}

impl<S: Send + Sync, T> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("Could not read the request body.".into())
                }
            })?;
        let idempotency = Idempotency::of(&parts, &bytes)?;
        Ok(JsonBody {
            bytes,
            content_type,
            idempotency,
            shape: PhantomData,
        })
    }
}

impl<T> JsonBody<T> {
    /// The `Idempotency-Key` of the request, with the body in its fingerprint.
    pub fn idempotency(&mut self) -> Idempotency {
        std::mem::replace(
            &mut self.idempotency,
            Idempotency {
                key: None,
                fingerprint: String::new(),
            },
        )
    }

    /// Whether the request sent no body at all (only white space), for actions whose body is
    /// optional (`…/void/`, `…/reverse/`).
    pub fn is_empty(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }

    fn check_content_type(&self) -> Result<(), ApiError> {
        let essence = self
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
            Ok(())
        } else {
            Err(ApiError::UnsupportedMediaType(self.content_type.clone()))
        }
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// The body as `T`. Wrong content type → 415; unparseable or mistyped JSON → 400.
    pub fn parse(&self) -> Result<T, ApiError> {
        self.check_content_type()?;
        serde_json::from_slice(&self.bytes).map_err(|e| ApiError::BadRequest(format!("JSON parse error - {e}")))
    }

    /// The body as `T`, or `T::default()` when none was sent.
    pub fn parse_or_default(&self) -> Result<T, ApiError>
    where
        T: Default,
    {
        if self.is_empty() {
            return Ok(T::default());
        }
        self.parse()
    }
}

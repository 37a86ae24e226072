//! The shape of the handlers that work above a company's books: the firm itself, its companies
//! and users, and the signed-in user's own record.
//!
//! - [`InFirm<P>`]: who asks, under which permission `P` (a `perm::*` type), checked while the
//!   request's head is extracted, so a caller without it gets its 403 before a byte of the body
//!   is read.
//! - [`Signed`]: any signed-in user, no permission (their own profile, their password).
//! - [`Public`]: no token at all (login, registration, first-run setup, health, metrics).
//!
//! Each runs one transaction: `.platform_read/.platform_write(|tx, caller| …)` on the platform
//! database (firms, users), `.tenant_read/.tenant_write(|tx, caller| …)` on the caller's firm
//! (companies). Work that spans both, or hashes a password, runs in `.blocking(|app, caller| …)`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use serde::Serialize;

use super::conventions::ListQuery;
use super::error::{ApiError, Reply};
use super::extract::Bearer;
use super::permission::Permission;
use crate::app::{App, AppState};
use crate::auth::AuthError;
use crate::auth::scope::Caller;
use crate::store::Tx;
use crate::store::list::{ListRequest, Page};

/// A request that needs no token: the application, for the handlers open to anyone (login,
/// registration, token refresh, first-run setup, health, metrics).
pub struct Public(pub AppState);

impl FromRequestParts<AppState> for Public {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        Ok(Public(app.clone()))
    }
}

/// What a request must hold beyond a valid token: a [`Permission`], or nothing ([`Anyone`]).
pub trait Gate: Send + Sync + 'static {
    fn check(caller: &Caller) -> Result<(), AuthError>;
}

impl<P: Permission> Gate for P {
    fn check(caller: &Caller) -> Result<(), AuthError> {
        caller.require(P::ACTION)
    }
}

/// Any signed-in user.
pub struct Anyone;

impl Gate for Anyone {
    fn check(_: &Caller) -> Result<(), AuthError> {
        Ok(())
    }
}

/// A request by a signed-in user who passes gate `P`.
pub struct InFirm<P> {
    app: AppState,
    caller: Caller,
    gate: PhantomData<P>,
}

/// A request by any signed-in user.
pub type Signed = InFirm<Anyone>;

impl<P: Gate> FromRequestParts<AppState> for InFirm<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let Bearer(claims) = Bearer::from_request_parts(parts, app).await?;
        let app = app.clone();
        // A caller read moments ago is checked here, without a trip to a blocking thread.
        let caller = match app.recent_caller(&claims) {
            Some(caller) => caller,
            None => app.blocking(move |app| Ok(app.caller(&claims)?)).await?,
        };
        P::check(&caller)?;
        Ok(InFirm {
            app,
            caller,
            gate: PhantomData,
        })
    }
}

impl<P> InFirm<P> {
    /// The application and the caller, for an extractor built on this one (`InCompany`).
    pub(super) fn into_parts(self) -> (AppState, Caller) {
        (self.app, self.caller)
    }

    /// The signed-in user, as re-read for this request.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Runs `op` off the async workers, with the application (for work spanning several
    /// transactions or databases; work that hashes a password uses [`InFirm::hashing`]).
    pub async fn blocking<T: Send + 'static>(self, op: impl Work<T>) -> Result<T, ApiError> {
        let (app, caller) = self.into_parts();
        app.blocking(move |app| op(app, &caller)).await
    }

    /// Like [`InFirm::blocking`], for work that hashes a password: it waits for one of
    /// `App::hashing`'s permits first (see [`App::hashing`]).
    pub async fn hashing<T: Send + 'static>(self, op: impl Work<T>) -> Result<T, ApiError> {
        let (app, caller) = self.into_parts();
        app.hashing(move |app| op(app, &caller)).await
    }

    /// The page `q` asks for of a list in `db`, read by `op` (given the transaction, who asks
    /// and the page asked for) in one read transaction, and each record shown by `dto`.
    pub async fn page<T, D, F>(self, db: Db, q: ListQuery, op: F, dto: impl Fn(T) -> D) -> Reply
    where
        T: Send + 'static,
        D: Serialize,
        F: FnOnce(&mut Tx, &Caller, &ListRequest) -> Result<Page<T>, ApiError> + Send + 'static,
    {
        let request = q.request.clone();
        let page = self
            .run(db, Access::Read, move |tx, caller| op(tx, caller, &request))
            .await?;
        Ok(q.render(page, dto))
    }

    /// Runs `op` in one read transaction of the platform database.
    pub async fn platform_read<T: Send + 'static>(self, op: impl Transaction<T>) -> Reply<T> {
        self.run(Db::Platform, Access::Read, op).await
    }

    /// Runs `op` in one write transaction of the platform database.
    pub async fn platform_write<T: Send + 'static>(self, op: impl Transaction<T>) -> Reply<T> {
        self.run(Db::Platform, Access::Write, op).await
    }

    /// Runs `op` in one read transaction of the caller's firm (404 for a user without one).
    pub async fn tenant_read<T: Send + 'static>(self, op: impl Transaction<T>) -> Reply<T> {
        self.run(Db::Firm, Access::Read, op).await
    }

    /// Runs `op` in one write transaction of the caller's firm (404 for a user without one).
    pub async fn tenant_write<T: Send + 'static>(self, op: impl Transaction<T>) -> Reply<T> {
        self.run(Db::Firm, Access::Write, op).await
    }

    async fn run<T: Send + 'static>(self, db: Db, access: Access, op: impl Transaction<T>) -> Reply<T> {
        self.blocking(move |app, caller| {
            let work = |tx: &mut Tx| op(tx, caller);
            match (db, access) {
                (Db::Platform, Access::Read) => app.store.platform_read(work),
                (Db::Platform, Access::Write) => app.store.platform_write(work),
                (Db::Firm, Access::Read) => app.store.tenant_read(caller.tenant()?, work),
                (Db::Firm, Access::Write) => app.store.tenant_write(caller.tenant()?, work),
            }
        })
        .await
    }
}

/// Work off the async workers: the application, and who asks.
pub trait Work<T>: FnOnce(&App, &Caller) -> Result<T, ApiError> + Send + 'static {}

impl<T, F: FnOnce(&App, &Caller) -> Result<T, ApiError> + Send + 'static> Work<T> for F {}

/// The work of one transaction: the transaction, and who asks.
pub trait Transaction<T>: FnOnce(&mut Tx, &Caller) -> Result<T, ApiError> + Send + 'static {}

impl<T, F: FnOnce(&mut Tx, &Caller) -> Result<T, ApiError> + Send + 'static> Transaction<T> for F {}

/// Which database a list or a transaction is in.
#[derive(Clone, Copy)]
pub enum Db {
    /// Firms and users.
    Platform,
    /// The caller's firm: its companies and their books.
    Firm,
}

#[derive(Clone, Copy)]
enum Access {
    Read,
    Write,
}

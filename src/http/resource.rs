//! The generic handlers of a company's records: list, show, create, update (`PATCH`), replace
//! (`PUT`) and delete, written once for every [`Resource`]. An area says how its records are
//! listed, found, shown and saved; the routes in `http/mod.rs` bind it to its path
//! (`get(resource::list::<Accounts>)`).
//!
//! Most records need nothing of their own: [`Records`] serves any record the store pages
//! ([`Paged`]) and the domain finds and saves ([`Kept`]), so an area names its types in one
//! line (`pub type Items = Records<…>`). Contacts, documents and payments implement
//! [`Resource`] themselves, for what they show beyond the record.
//!
//! The order of checks is the same everywhere: the token, the permission (before the body is
//! read), the record (404 if the caller cannot see it), and only then the body (400).

use std::marker::PhantomData;

use axum::Json;
use axum::http::StatusCode;
use axum::routing::{self, MethodRouter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::company::{Id, Idempotency, InCompany, JsonBody, Permission};
use super::conventions::{ListQuery, Replace, Update, Verb};
use super::error::{ApiError, Reply};
use crate::app::AppState;
use crate::domain::books::Books;
use crate::domain::ledger::Ctx;
use crate::domain::{Change, FieldErrors, Kept};
use crate::store::Tx;
use crate::store::list::{ListRequest, Page, Paged};

/// What a save starts from: the stored record (none for a create) and how the body applies
/// to it.
pub struct Edit<R> {
    pub current: Option<R>,
    pub how: Change,
}

/// A kind of record a company keeps, as the API serves it.
pub trait Resource: Send + Sync + 'static {
    /// Who may list and read them.
    type View: Permission;
    /// Who may create, change and delete them.
    type Edit: Permission;
    /// The record as the domain has it.
    type Record: Send + 'static;
    /// The record as the API shows it.
    type Dto: Serialize + Send + 'static;
    /// The body of a create, update or replace.
    type Body: DeserializeOwned + Send + 'static;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<Self::Dto>, ApiError>;
    /// The record `id` of the context's company; `ApiError::NotFound` when the caller cannot see it.
    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<Self::Record, ApiError>;
    fn show(tx: &mut Tx, ctx: &Ctx<'_>, record: Self::Record) -> Result<Self::Dto, ApiError>;
    /// Creates (`current` = `None`) or changes a record.
    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<Self::Record>, body: Self::Body) -> Result<Self::Record, ApiError>;
}

/// A resource whose records can be deleted (others are archived through `is_active`).
pub trait Deletable: Resource {
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, record: Self::Record) -> Result<(), ApiError>;
}

/// How the API shows a record; `books` holds the company's currency and its decimals.
pub trait Shows<R> {
    fn show(record: &R, books: &Books) -> Self;
}

/// A request body that reads into changes `C`, with what was already found wrong in it (a
/// value of the wrong type), so one 400 lists it together with the rules' verdict.
pub trait Form<C> {
    /// The body as it arrives.
    type Raw: DeserializeOwned + Send + 'static;
    fn changes(raw: Self::Raw) -> Result<(C, FieldErrors), ApiError>;
}

/// The records `R`, readable with permission `V` and editable with `E`, shown as `D` and
/// changed through form `F`: served from the store's page and the domain's find and save.
pub struct Records<V, E, R, D, F>(Types<(V, E, R, D, F)>);

/// Types named only for the compiler: `fn() -> T` keeps the struct `Send` and `Sync`.
type Types<T> = PhantomData<fn() -> T>;

/// `C` and `X`: the record's changes and errors, the same in every transaction.
impl<V, E, R, D, F, C, X> Resource for Records<V, E, R, D, F>
where
    V: Permission,
    E: Permission,
    R: for<'a> Kept<Tx<'a>, Changes = C, Error = X> + Paged + Send + 'static,
    ApiError: From<X>,
    D: Shows<R> + Serialize + Send + 'static,
    F: Form<C> + 'static,
{
    type View = V;
    type Edit = E;
    type Record = R;
    type Dto = D;
    type Body = F::Raw;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<D>, ApiError> {
        Ok(R::page(tx, ctx.books.company_id, request)?.map(|r| D::show(&r, ctx.books)))
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<R, ApiError> {
        Ok(R::find(tx, ctx, id)?)
    }

    fn show(_: &mut Tx, ctx: &Ctx<'_>, record: R) -> Result<D, ApiError> {
        Ok(D::show(&record, ctx.books))
    }

    fn save(tx: &mut Tx, ctx: &Ctx<'_>, edit: Edit<R>, body: F::Raw) -> Result<R, ApiError> {
        let (changes, errors) = F::changes(body)?;
        Ok(R::save(tx, ctx, edit.current, edit.how, changes, errors)?)
    }
}

/// A list's routes: `GET` (a page) and `POST` (a create).
pub fn many<R: Resource>() -> MethodRouter<AppState> {
    routing::get(list::<R>).post(create::<R>)
}

/// A record's routes: `GET`, `PUT` (replace) and `PATCH` (update).
pub fn one<R: Resource>() -> MethodRouter<AppState> {
    routing::get(get::<R>)
        .put(change::<R, Replace>)
        .patch(change::<R, Update>)
}

pub async fn list<R: Resource>(c: InCompany<R::View>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let page = c.read(move |tx, ctx| R::list(tx, ctx, &request)).await?;
    Ok(q.render(page, |dto| dto))
}

pub async fn get<R: Resource>(c: InCompany<R::View>, Id(id): Id) -> Reply<Json<R::Dto>> {
    c.read(move |tx, ctx| {
        let record = R::find(tx, ctx, id)?;
        R::show(tx, ctx, record)
    })
    .await
    .map(Json)
}

pub async fn create<R: Resource>(c: InCompany<R::Edit>, mut body: JsonBody<R::Body>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let record = R::save(
            tx,
            ctx,
            Edit {
                current: None,
                how: Change::Create,
            },
            body.parse()?,
        )?;
        R::show(tx, ctx, record)
    })
    .await
}

/// `PATCH` or `PUT` (`V`): the record is found before the body is read.
pub async fn change<R: Resource, V: Verb>(c: InCompany<R::Edit>, Id(id): Id, mut body: JsonBody<R::Body>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let current = Some(R::find(tx, ctx, id)?);
        let record = R::save(
            tx,
            ctx,
            Edit {
                current,
                how: V::CHANGE,
            },
            body.parse()?,
        )?;
        R::show(tx, ctx, record)
    })
    .await
}

pub async fn delete<R: Deletable>(c: InCompany<R::Edit>, Id(id): Id, idempotency: Idempotency) -> Reply {
    c.write(idempotency, StatusCode::NO_CONTENT, move |tx, ctx| {
        let record = R::find(tx, ctx, id)?;
        R::delete(tx, ctx, record)
    })
    .await
}

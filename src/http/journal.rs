//! `/api/accounting/journal-entries/`: drafts, posting, approval, cancellation, reversal, bulk
//! posting. Writes accept an `Idempotency-Key` header: a retry gets the first answer back.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::books::{Access, in_books};
use super::conventions::{DATE_FORMAT_ERROR, list_request, render};
use super::error::ApiError;
use super::extract::{ApiJson, Bearer, CompanyHeader, QueryPairs, parse_id};
use crate::app::AppState;
use crate::auth::jwt::Claims;
use crate::domain::FieldErrors;
use crate::domain::ledger::{self, Books, Ctx, EntryInput, JournalEntry, LedgerError, LineInput};
use crate::domain::money;
use crate::domain::roles::Action;
use crate::store::bulk::{self, BulkError};
use crate::store::idempotency::{self, Stored};
use crate::store::{StoreError, Tx, reports};

/// Entries one bulk request may post.
pub const MAX_BULK: usize = 10_000;

#[derive(Deserialize, Serialize, Default)]
pub struct EntryBody {
    pub date: Option<String>,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub lines: Option<Vec<LineBody>>,
}

#[derive(Deserialize, Serialize, Default)]
pub struct LineBody {
    pub account: Option<String>,
    pub description: Option<String>,
    pub debit_amount: Option<Value>,
    pub credit_amount: Option<Value>,
    pub currency: Option<String>,
    pub exchange_rate: Option<Value>,
}

#[derive(Serialize)]
pub struct LineDto {
    pub line_no: i64,
    pub account: Uuid,
    pub description: String,
    /// As entered: in `currency` when the line is in a foreign currency.
    pub debit_amount: String,
    pub credit_amount: String,
    pub currency: Option<String>,
    pub exchange_rate: Option<String>,
    /// In the company currency.
    pub base_debit: String,
    pub base_credit: String,
}

#[derive(Serialize)]
pub struct EntryDto {
    pub id: Uuid,
    pub company: Uuid,
    pub number: Option<i64>,
    pub date: String,
    pub reference: String,
    pub description: String,
    pub status: &'static str,
    pub currency: String,
    pub total: String,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub posted_by: Option<Uuid>,
    pub posted_at: Option<String>,
    pub reverses: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<LineDto>,
}

impl EntryDto {
    pub fn new(e: &JournalEntry, books: &Books) -> EntryDto {
        let d = books.decimals;
        EntryDto {
            id: e.id,
            company: e.company_id,
            number: e.number,
            date: e.date.to_string(),
            reference: e.reference.clone(),
            description: e.description.clone(),
            status: e.status.as_str(),
            currency: books.currency.clone(),
            total: money::format(e.total, d),
            created_by: e.created_by,
            approved_by: e.approved_by,
            posted_by: e.posted_by,
            posted_at: e.posted_at.map(|t| t.to_string()),
            reverses: e.reverses_id,
            reversed_by: e.reversed_by_id,
            created_at: e.created_at.to_string(),
            updated_at: e.updated_at.to_string(),
            lines: e
                .lines
                .iter()
                .map(|l| {
                    let (debit, credit) = match (&l.currency, l.amount_currency) {
                        (Some(c), Some(a)) => {
                            let fd = money::decimals(c);
                            let side = |base: i64| money::format(if base > 0 { a } else { 0 }, fd);
                            (side(l.debit), side(l.credit))
                        }
                        _ => (money::format(l.debit, d), money::format(l.credit, d)),
                    };
                    LineDto {
                        line_no: l.line_no,
                        account: l.account_id,
                        description: l.description.clone(),
                        debit_amount: debit,
                        credit_amount: credit,
                        currency: l.currency.clone(),
                        exchange_rate: l.exchange_rate.clone(),
                        base_debit: money::format(l.debit, d),
                        base_credit: money::format(l.credit, d),
                    }
                })
                .collect(),
        }
    }
}

fn amount_text(v: &Option<Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(()),
    }
}

/// Turns the JSON body into the domain's input; `prefix` names the entry in bulk errors.
pub fn entry_input(body: &EntryBody, prefix: &str, errors: &mut FieldErrors) -> EntryInput {
    let field = |f: &str| format!("{prefix}{f}");
    let date = match body.date.as_deref() {
        None => {
            errors.add(&field("date"), "This field is required.");
            None
        }
        Some(s) => match s.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(&field("date"), DATE_FORMAT_ERROR);
                None
            }
        },
    };
    let mut lines = Vec::new();
    match &body.lines {
        None => errors.add(&field("lines"), "This field is required."),
        Some(ls) => {
            for (i, l) in ls.iter().enumerate() {
                let lf = |f: &str| field(&format!("lines[{i}].{f}"));
                let account_id = match l.account.as_deref() {
                    None => None,
                    Some(a) => match Uuid::parse_str(a) {
                        Ok(id) => Some(id),
                        Err(_) => {
                            errors.add(&lf("account"), "Must be a valid UUID.");
                            continue;
                        }
                    },
                };
                let mut amount = |name: &str, v: &Option<Value>| match amount_text(v) {
                    Ok(t) => t,
                    Err(()) => {
                        errors.add(&lf(name), "A valid number is required.");
                        None
                    }
                };
                let debit = amount("debit_amount", &l.debit_amount);
                let credit = amount("credit_amount", &l.credit_amount);
                let exchange_rate = amount("exchange_rate", &l.exchange_rate);
                lines.push(LineInput {
                    account_id,
                    description: l.description.clone().unwrap_or_default(),
                    debit,
                    credit,
                    currency: l.currency.clone().filter(|c| !c.is_empty()),
                    exchange_rate,
                });
            }
        }
    }
    EntryInput {
        date,
        reference: body.reference.clone().unwrap_or_default(),
        description: body.description.clone().unwrap_or_default(),
        lines,
    }
}

/// Prefixes every field of a domain error (for bulk: `entries[3].lines[0].account`).
fn prefixed(errors: FieldErrors, prefix: &str) -> FieldErrors {
    let mut out = FieldErrors::default();
    for (k, v) in errors.0 {
        for m in v {
            out.add(&format!("{prefix}{k}"), m);
        }
    }
    out
}

impl From<LedgerError<StoreError>> for ApiError {
    fn from(e: LedgerError<StoreError>) -> Self {
        match e {
            LedgerError::Invalid(errors) => ApiError::Validation(errors),
            LedgerError::NotFound => ApiError::NotFound,
            LedgerError::PeriodClosed { .. } => ApiError::field("date", e.to_string()),
            LedgerError::NotDraft(_)
            | LedgerError::NotPosted
            | LedgerError::AlreadyReversed
            | LedgerError::NeedsApproval
            | LedgerError::SelfApproval
            | LedgerError::Period(_) => ApiError::field("non_field_errors", e.to_string()),
            LedgerError::ChainBroken(m) => ApiError::Internal(format!("ledger chain broken: {m}")),
            LedgerError::Store(s) => ApiError::from(s),
        }
    }
}

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

    /// For writes that take no key.
    pub(crate) fn none() -> Idempotency {
        Idempotency {
            key: None,
            fingerprint: String::new(),
        }
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

fn json(e: &JournalEntry, ctx: &Ctx<'_>) -> String {
    serde_json::to_string(&EntryDto::new(e, ctx.books)).unwrap_or_default()
}

pub async fn create(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    ApiJson(body): ApiJson<EntryBody>,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::default();
    let input = entry_input(&body, "", &mut errors);
    errors.into_result()?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    write(
        &app,
        Write {
            claims,
            company,
            action: Action::EditLedger,
            idempotency,
            status: StatusCode::CREATED,
        },
        move |tx, ctx| Ok(json(&ledger::create_draft(tx, ctx, &input)?, ctx)),
    )
    .await
}

pub async fn update(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EntryBody>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let mut errors = FieldErrors::default();
    let input = entry_input(&body, "", &mut errors);
    errors.into_result()?;
    write(
        &app,
        Write {
            claims,
            company,
            action: Action::EditLedger,
            idempotency: Idempotency::none(),
            status: StatusCode::OK,
        },
        move |tx, ctx| Ok(json(&ledger::update_draft(tx, ctx, id, &input)?, ctx)),
    )
    .await
}

pub async fn delete(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    write(
        &app,
        Write {
            claims,
            company,
            action: Action::EditLedger,
            idempotency: Idempotency::none(),
            status: StatusCode::NO_CONTENT,
        },
        move |tx, ctx| {
            ledger::delete_draft(tx, ctx, id)?;
            Ok(String::new())
        },
    )
    .await
    .map(|_| StatusCode::NO_CONTENT.into_response())
}

/// `…/{id}/post/`, `…/approve/`, `…/cancel/`: one verb on one entry. The request, read once:
/// who, which company, which entry, and the idempotency key of the retry.
pub struct EntryVerb {
    claims: Claims,
    company: Option<String>,
    id: Uuid,
    key: Option<String>,
    path: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for EntryVerb
where
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        let Bearer(claims) = Bearer::from_request_parts(parts, state).await?;
        let CompanyHeader(company) = CompanyHeader::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Ok(EntryVerb {
            claims,
            company,
            id: parse_id(&id)?,
            key: idempotency_key(&parts.headers)?,
            path: parts.uri.path().to_owned(),
        })
    }
}

type Verb = fn(&mut Tx, &Ctx<'_>, Uuid) -> Result<JournalEntry, LedgerError<StoreError>>;

impl EntryVerb {
    async fn run(self, app: &AppState, action: Action, op: Verb) -> Result<Response, ApiError> {
        let EntryVerb {
            claims,
            company,
            id,
            key,
            path,
        } = self;
        let w = Write {
            claims,
            company,
            action,
            idempotency: Idempotency::keyed(key, "POST", &path, &Value::Null),
            status: StatusCode::OK,
        };
        write(app, w, move |tx, ctx| Ok(json(&op(tx, ctx, id)?, ctx))).await
    }
}

pub async fn post(State(app): State<AppState>, verb: EntryVerb) -> Result<Response, ApiError> {
    verb.run(&app, Action::PostEntries, |tx, ctx, id| ledger::post(tx, ctx, id))
        .await
}

pub async fn approve(State(app): State<AppState>, verb: EntryVerb) -> Result<Response, ApiError> {
    verb.run(&app, Action::ApproveEntries, |tx, ctx, id| ledger::approve(tx, ctx, id))
        .await
}

pub async fn cancel(State(app): State<AppState>, verb: EntryVerb) -> Result<Response, ApiError> {
    verb.run(&app, Action::EditLedger, |tx, ctx, id| ledger::cancel(tx, ctx, id))
        .await
}

#[derive(Deserialize, Serialize, Default)]
pub struct ReverseBody {
    pub date: Option<String>,
}

pub async fn reverse(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    // The body is optional here: no body reverses on the original's date.
    let body: ReverseBody = super::extract::optional_body(&raw)?;
    let date = match body.date.as_deref() {
        None => None,
        Some(s) => Some(
            s.parse::<Date>()
                .map_err(|_| ApiError::field("date", DATE_FORMAT_ERROR))?,
        ),
    };
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    write(
        &app,
        Write {
            claims,
            company,
            action: Action::PostEntries,
            idempotency,
            status: StatusCode::CREATED,
        },
        move |tx, ctx| Ok(json(&ledger::reverse(tx, ctx, id, date)?, ctx)),
    )
    .await
}

#[derive(Serialize)]
struct Posted {
    id: Uuid,
    number: i64,
}

#[derive(Serialize)]
struct BulkPosted {
    count: usize,
    entries: Vec<Posted>,
}

#[derive(Deserialize, Serialize)]
pub struct BulkBody {
    pub entries: Option<Vec<EntryBody>>,
}

/// Posts up to 10,000 entries atomically: all of them, or none and the errors by index.
pub async fn bulk(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    ApiJson(body): ApiJson<BulkBody>,
) -> Result<Response, ApiError> {
    let Some(entries) = body.entries.as_ref() else {
        return Err(ApiError::field("entries", "This field is required."));
    };
    if entries.is_empty() || entries.len() > MAX_BULK {
        return Err(ApiError::field(
            "entries",
            format!("Send between 1 and {MAX_BULK} entries."),
        ));
    }
    let mut errors = FieldErrors::default();
    let inputs: Vec<EntryInput> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| entry_input(e, &format!("entries[{i}]."), &mut errors))
        .collect();
    errors.into_result()?;
    let idempotency = Idempotency::of(&headers, "POST", uri.path(), &body)?;
    write(
        &app,
        Write {
            claims,
            company,
            action: Action::PostEntries,
            idempotency,
            status: StatusCode::CREATED,
        },
        move |tx, ctx| {
            let posted = match bulk::post_many(tx, ctx, &inputs, &|_| {}) {
                Ok(posted) => posted,
                Err(BulkError::Entry(i, LedgerError::Invalid(errs))) => {
                    return Err(ApiError::Validation(prefixed(errs, &format!("entries[{i}]."))));
                }
                Err(BulkError::Entry(i, e @ (LedgerError::PeriodClosed { .. } | LedgerError::NeedsApproval))) => {
                    return Err(ApiError::field(&format!("entries[{i}]"), e.to_string()));
                }
                Err(BulkError::Entry(_, e)) => return Err(e.into()),
                Err(BulkError::Store(e)) => return Err(e.into()),
            };
            let posted: Vec<Posted> = posted
                .iter()
                .map(|p| Posted {
                    id: p.id,
                    number: p.number,
                })
                .collect();
            Ok(serde_json::to_string(&BulkPosted {
                count: posted.len(),
                entries: posted,
            })
            .unwrap_or_default())
        },
    )
    .await
}

pub async fn list(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let req = list_request(&q)?;
    let mut query = req.clone();
    let (books, page) = in_books(
        &app,
        claims,
        company,
        Action::ViewLedger,
        Access::Read,
        move |tx, ctx, _| {
            // Amount filters are written in the currency; the store compares minor units.
            for (name, value) in query.filters.iter_mut() {
                if name == "amount_min" || name == "amount_max" {
                    let minor = money::parse(value)
                        .and_then(|d| money::to_minor(d, ctx.books.decimals))
                        .map_err(|e| ApiError::field(name, e.to_string()))?;
                    *value = minor.to_string();
                }
            }
            Ok((
                ctx.books.clone(),
                reports::journal_page(tx, ctx.books.company_id, &query)?,
            ))
        },
    )
    .await?;
    Ok(render(&uri, &headers, &req, page, |e| EntryDto::new(&e, &books)))
}

pub async fn get(
    State(app): State<AppState>,
    Bearer(claims): Bearer,
    CompanyHeader(company): CompanyHeader,
    Path(id): Path<String>,
) -> Result<Json<EntryDto>, ApiError> {
    let id = parse_id(&id)?;
    in_books(
        &app,
        claims,
        company,
        Action::ViewLedger,
        Access::Read,
        move |tx, ctx, _| {
            let entry = ledger::LedgerStore::entry(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(EntryDto::new(&entry, ctx.books)))
        },
    )
    .await
}

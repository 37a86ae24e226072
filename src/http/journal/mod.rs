//! `/api/accounting/journal-entries/`: drafts, posting, approval, cancellation, reversal, bulk
//! posting. Writes accept an `Idempotency-Key` header: a retry gets the first answer back.

mod body;
mod dto;

use axum::Json;
use axum::http::StatusCode;
use jiff::civil::Date;
use uuid::Uuid;

pub use body::{
    BulkBody, Capped, EntryBody, LineBody, Lines, MAX_BULK, MAX_BULK_LINES, ReverseBody, entry_changes, entry_input,
};
pub use dto::{BulkPosted, EntryDto, LineDto, Posted};

use super::company::{Id, Idempotency, InCompany, JsonBody, perm};
use super::conventions::{DATE_FORMAT_ERROR, ListQuery, Verb};
use super::error::{ApiError, Reply};
use crate::domain::ledger::{self, Ctx, EntryInput, JournalEntry, LedgerError, LedgerStore};
use crate::domain::money;
use crate::domain::{Change, FieldErrors};
use crate::store::bulk::{self, BulkError};
use crate::store::{StoreError, Tx, reports};

fn shown(entry: Result<JournalEntry, LedgerError<StoreError>>, ctx: &Ctx<'_>) -> Result<EntryDto, ApiError> {
    Ok(EntryDto::new(&entry?, ctx.books))
}

/// The entry `id` of the context's company.
fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<JournalEntry, ApiError> {
    LedgerStore::entry(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)
}

pub async fn list(c: InCompany<perm::ViewLedger>, q: ListQuery) -> Reply {
    let mut request = q.request.clone();
    let page = c
        .read(move |tx, ctx| {
            // Amount filters are written in the currency; the store compares minor units.
            for (name, value) in request.filters.iter_mut() {
                if name == "amount_min" || name == "amount_max" {
                    let minor = money::parse(value)
                        .and_then(|d| money::to_minor(d, ctx.books.decimals))
                        .map_err(|e| ApiError::field(name, e.to_string()))?;
                    *value = minor.to_string();
                }
            }
            let page = reports::journal_page(tx, ctx.books.company_id, &request)?;
            Ok(page.map(|e| EntryDto::new(&e, ctx.books)))
        })
        .await?;
    Ok(q.render(page, |e| e))
}

pub async fn get(c: InCompany<perm::ViewLedger>, Id(id): Id) -> Reply<Json<EntryDto>> {
    c.read(move |tx, ctx| Ok(EntryDto::new(&find(tx, ctx, id)?, ctx.books)))
        .await
        .map(Json)
}

/// Reads a whole entry (create, `PUT`): `date` and `lines` are required.
fn whole(body: &EntryBody) -> Result<EntryInput, ApiError> {
    let mut errors = FieldErrors::default();
    let input = entry_input(body, "", &mut errors);
    errors.into_result()?;
    Ok(input)
}

pub async fn create(c: InCompany<perm::EditLedger>, mut body: JsonBody<EntryBody>) -> Reply {
    let input = whole(&body.parse()?)?;
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        shown(ledger::create_draft(tx, ctx, &input), ctx)
    })
    .await
}

/// `PUT` (the draft as a whole, `date` and `lines` required) or `PATCH` (only what the body
/// sends changes; the rest of the draft stays).
pub async fn change<V: Verb>(c: InCompany<perm::EditLedger>, Id(id): Id, mut body: JsonBody<EntryBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        find(tx, ctx, id)?;
        let body = body.parse()?;
        let entry = match V::CHANGE {
            Change::Update => {
                let mut errors = FieldErrors::default();
                let changes = entry_changes(&body, "", &mut errors);
                errors.into_result()?;
                ledger::amend_draft(tx, ctx, id, changes)
            }
            Change::Create | Change::Replace => ledger::update_draft(tx, ctx, id, &whole(&body)?),
        };
        shown(entry, ctx)
    })
    .await
}

pub async fn delete(c: InCompany<perm::EditLedger>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::NO_CONTENT, move |tx, ctx| {
        Ok(ledger::delete_draft(tx, ctx, id)?)
    })
    .await
}

pub async fn post(c: InCompany<perm::PostEntries>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        shown(ledger::post(tx, ctx, id), ctx)
    })
    .await
}

pub async fn approve(c: InCompany<perm::ApproveEntries>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        shown(ledger::approve(tx, ctx, id), ctx)
    })
    .await
}

pub async fn cancel(c: InCompany<perm::EditLedger>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        shown(ledger::cancel(tx, ctx, id), ctx)
    })
    .await
}

pub async fn reverse(c: InCompany<perm::PostEntries>, Id(id): Id, mut body: JsonBody<ReverseBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        find(tx, ctx, id)?;
        // A document's or payment's entry is reversed by voiding it, so that its reports follow.
        if let Some(owner) = crate::store::documents::entry_owner(tx, ctx.books.company_id, id)? {
            return Err(ApiError::field(
                "non_field_errors",
                format!("This entry was posted by {owner}: void the {owner} instead."),
            ));
        }
        let date = match body.parse_or_default()?.date {
            None => None,
            Some(s) => Some(
                s.parse::<Date>()
                    .map_err(|_| ApiError::field("date", DATE_FORMAT_ERROR))?,
            ),
        };
        shown(ledger::reverse(tx, ctx, id, date), ctx)
    })
    .await
}

/// Posts up to 10,000 entries atomically: all of them, or none and the errors by index. The
/// caller's permission is checked before the body is read, and the body's lists are capped while
/// it is parsed, so a huge body costs little more memory than a full valid one.
pub async fn bulk(c: InCompany<perm::PostEntries>, mut body: JsonBody<BulkBody>) -> Reply {
    let (parsed, spent) = body::with_budget(MAX_BULK + MAX_BULK_LINES, || body.parse());
    let parsed = parsed?;
    if spent {
        return Err(ApiError::field(
            "entries",
            format!("A bulk request may carry at most {MAX_BULK} entries and {MAX_BULK_LINES} lines in all."),
        ));
    }
    let Some(entries) = parsed.entries.as_ref() else {
        return Err(ApiError::field("entries", "This field is required."));
    };
    if entries.items.is_empty() || entries.overflowed() {
        return Err(ApiError::field(
            "entries",
            format!("Send between 1 and {MAX_BULK} entries."),
        ));
    }
    let mut errors = FieldErrors::default();
    let inputs: Vec<EntryInput> = entries
        .items
        .iter()
        .enumerate()
        .map(|(i, e)| entry_input(e, &format!("entries[{i}]."), &mut errors))
        .collect();
    errors.into_result()?;
    drop(parsed);
    c.write(body.idempotency(), StatusCode::CREATED, move |tx, ctx| {
        let posted = bulk::post_many(tx, ctx, &inputs, &|_| {}).map_err(|e| match e {
            BulkError::Entry(i, LedgerError::Invalid(errs)) => {
                ApiError::Validation(body::prefixed(errs, &format!("entries[{i}].")))
            }
            BulkError::Entry(
                i,
                e @ (LedgerError::PeriodClosed { .. } | LedgerError::TaxFiled { .. } | LedgerError::NeedsApproval),
            ) => ApiError::field(&format!("entries[{i}]"), e.to_string()),
            BulkError::Entry(_, e) => e.into(),
            BulkError::Store(e) => e.into(),
        })?;
        let entries: Vec<Posted> = posted
            .iter()
            .map(|p| Posted {
                id: p.id,
                number: p.number,
            })
            .collect();
        Ok(BulkPosted {
            count: entries.len(),
            entries,
        })
    })
    .await
}

//! `/api/capture/drafts/`: the review queue of received bills and receipts. Each draft is what
//! capture read from an inbox document's text (`crate::capture` makes them), field by field with
//! a confidence and the span of text it came from; accepting one (with corrections) makes a draft
//! bill or a draft expense entry through the existing operations, links the document to it and
//! teaches the vendor's layout; rejecting one sets it aside.

pub mod ai;
mod dto;
pub mod suggest;

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, Idempotency, InCompany, JsonBody, perm};
use super::conventions::{ListQuery, optional_date};
use super::error::{ApiError, Reply};
use crate::domain::FieldErrors;
use crate::domain::capture::accept::{self, Corrections};
use crate::domain::capture::learn::Accepted;
use crate::domain::capture::{CaptureError, DateOrder, DraftStatus, ResultKind, Stored};
use crate::domain::documents::DocumentKind;
use crate::domain::documents::operations::create_draft;
use crate::domain::ledger::{self, Ctx};
use crate::domain::money;
use crate::store::list::Page;
use crate::store::{Tx, capture as kept, contacts};

pub use dto::{DraftDto, DraftSummaryDto};

/// What accepting a draft makes, and the corrections laid over what was read (each left out
/// keeps the value read).
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = CaptureAccept)]
pub struct AcceptBody {
    /// `bill` (default): a draft bill from the vendor; `expense`: a draft journal entry, the
    /// expense against the account it was paid from (`paid_from`).
    #[serde(rename = "as")]
    #[schema(rename = "as")]
    kind: Option<String>,
    /// The vendor (a contact); required for a bill when none was matched.
    vendor: Option<Uuid>,
    #[schema(format = Date)]
    date: Option<String>,
    #[schema(format = Date)]
    due_date: Option<String>,
    number: Option<String>,
    currency: Option<String>,
    /// Decimal strings in the draft's currency; net + tax must make the gross.
    net: Option<String>,
    tax: Option<String>,
    gross: Option<String>,
    /// The expense account of the lines (else the vendor's default).
    account: Option<Uuid>,
    /// For an expense: the bank or cash account it was paid from.
    paid_from: Option<Uuid>,
}

/// The date order of a company: month first in the Americas' US time zones.
pub fn date_order(ctx: &Ctx<'_>) -> DateOrder {
    if ctx.company.timezone.starts_with("America/") {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

/// `GET /api/capture/drafts/`: the company's drafts, pending first, then the newest. Inbox
/// documents whose text is ready and that have no draft yet get theirs first (a hook missed in
/// a crash, or text extracted before capture ran, catches up here).
pub async fn list(c: InCompany<perm::ViewDocuments>, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let status = match request.filters.iter().find(|(k, _)| k == "status") {
        Some((_, v)) => Some(
            DraftStatus::parse(v).ok_or_else(|| ApiError::field("status", "Choose pending, accepted or rejected."))?,
        ),
        None => None,
    };
    let app = c.app().clone();
    if let Ok(tenant) = c.firm() {
        crate::capture::catch_up(&app, tenant).await;
    }
    let page = c
        .read(move |tx, ctx| {
            let size = i64::try_from(request.page_size).unwrap_or(50);
            let offset = i64::try_from(request.page.saturating_sub(1))
                .unwrap_or(0)
                .saturating_mul(size);
            let (count, drafts) = kept::list(tx, ctx.books.company_id, status, size, offset)?;
            Ok(Page {
                count: u64::try_from(count).unwrap_or(0),
                items: drafts.iter().map(DraftSummaryDto::new).collect(),
            })
        })
        .await?;
    Ok(q.render(page, |dto| dto))
}

/// `GET /api/capture/drafts/{id}/`: a draft with its fields, lines and the extracted text the
/// spans point into.
pub async fn get(c: InCompany<perm::ViewDocuments>, Id(id): Id) -> Reply<Json<DraftDto>> {
    c.read(move |tx, ctx| {
        let stored = kept::find(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
        let text = kept::text(tx, stored.file_id, stored.version)?;
        Ok(Json(DraftDto::new(&stored, text)))
    })
    .await
}

fn amount(errors: &mut FieldErrors, field: &str, value: Option<&str>, decimals: u32) -> Option<i64> {
    let v = value?;
    match money::parse(v).and_then(|d| money::to_minor(d, decimals)) {
        Ok(minor) if minor >= 0 => Some(minor),
        Ok(_) => {
            errors.add(field, "Ensure this value is greater than or equal to 0.");
            None
        }
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// The request's corrections, each bad one named; amounts in the corrected currency, else the
/// draft's.
fn corrections(body: &AcceptBody, draft_currency: &str) -> Result<Corrections, ApiError> {
    let mut errors = FieldErrors::default();
    let currency = body.currency.as_deref().map(|c| c.trim().to_ascii_uppercase());
    if let Some(c) = &currency
        && (c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        errors.add("currency", "Enter a three-letter ISO 4217 code.");
    }
    let decimals = money::decimals(currency.as_deref().unwrap_or(draft_currency));
    let mut date = |field: &str, value: Option<&str>| match optional_date(field, value) {
        Ok(d) => d,
        Err(_) => {
            errors.add(
                field,
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            );
            None
        }
    };
    let (date, due_date) = (
        date("date", body.date.as_deref()),
        date("due_date", body.due_date.as_deref()),
    );
    let c = Corrections {
        contact_id: body.vendor,
        date,
        due_date,
        number: body.number.as_deref().map(|n| n.trim().to_owned()),
        net: amount(&mut errors, "net", body.net.as_deref(), decimals),
        tax: amount(&mut errors, "tax", body.tax.as_deref(), decimals),
        gross: amount(&mut errors, "gross", body.gross.as_deref(), decimals),
        currency,
    };
    errors.into_result()?;
    Ok(c)
}

/// A pending draft of the company, or why not.
fn pending(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<Stored, ApiError> {
    let stored = kept::find(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
    if stored.status != DraftStatus::Pending {
        return Err(CaptureError::Decided(stored.status.as_str()).into());
    }
    Ok(stored)
}

/// `POST /api/capture/drafts/{id}/accept/`: makes the draft bill (or expense entry), links the
/// document to it, teaches the vendor's layout, and answers the draft, now accepted.
pub async fn accept(c: InCompany<perm::EditDocuments>, Id(id): Id, mut body: JsonBody<AcceptBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let body = body.parse_or_default()?;
        let kind = match body.kind.as_deref() {
            None | Some("bill") => ResultKind::Bill,
            Some("expense") => ResultKind::Expense,
            Some(_) => return Err(ApiError::field("as", "Choose bill or expense.")),
        };
        let stored = pending(tx, ctx, id)?;
        let draft_currency = stored
            .draft
            .currency
            .as_ref()
            .map_or(ctx.books.currency.as_str(), |f| f.value.as_str());
        let c = corrections(&body, draft_currency)?;
        let f = accept::finalize(&stored.draft, &c, &ctx.books.currency)?;
        let rates = kept::tax_rates(tx, ctx.books.company_id)?;
        let vendor = match f.contact_id {
            Some(v) => Some(
                contacts::get(tx, ctx.books.company_id, v)?
                    .ok_or_else(|| ApiError::field("vendor", "Choose a vendor of this company."))?,
            ),
            None => None,
        };
        let name = vendor.as_ref().map_or(f.vendor_name.as_str(), |v| v.name.as_str());
        let description = [name, f.number.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let description = if description.is_empty() {
            stored.file_name.clone()
        } else {
            description
        };
        let result = match kind {
            ResultKind::Bill => {
                if f.contact_id.is_none() {
                    return Err(ApiError::field(
                        "vendor",
                        "This field is required: no vendor was matched.",
                    ));
                }
                let input = accept::bill_input(&f, &rates, body.account, &description);
                let bill = create_draft(tx, ctx, DocumentKind::Bill, &input)?;
                kept::link_file(tx, stored.file_id, "bill", bill.id, ctx.actor, ctx.now)?;
                (ResultKind::Bill, bill.id)
            }
            ResultKind::Expense => {
                let mut errors = FieldErrors::default();
                if f.currency != ctx.books.currency {
                    errors.add(
                        "currency",
                        "An expense entry is in the company currency; accept it as a bill instead.",
                    );
                }
                let account = body.account.or(vendor.as_ref().and_then(|v| v.expense_account_id));
                if account.is_none() {
                    errors.add(
                        "account",
                        "This field is required (or set a default expense account on the vendor).",
                    );
                }
                if body.paid_from.is_none() {
                    errors.add("paid_from", "This field is required.");
                }
                errors.into_result()?;
                let (Some(account), Some(paid_from)) = (account, body.paid_from) else {
                    return Err(ApiError::field("account", "This field is required."));
                };
                let input = accept::expense_input(&f, &rates, account, paid_from, ctx.books.decimals, &description);
                let entry = ledger::create_draft(tx, ctx, &input)?;
                kept::link_file(tx, stored.file_id, "entry", entry.id, ctx.actor, ctx.now)?;
                (ResultKind::Expense, entry.id)
            }
        };
        if !kept::decide(
            tx,
            id,
            DraftStatus::Accepted,
            Some(result),
            f.contact_id,
            ctx.actor,
            ctx.now,
        )? {
            return Err(CaptureError::Decided("decided").into());
        }
        if let (Some(contact_id), Some(text)) = (f.contact_id, kept::text(tx, stored.file_id, stored.version)?) {
            let accepted = Accepted {
                contact_id,
                currency: f.currency.clone(),
                date: f.date,
                due_date: f.due_date,
                number: (!f.number.is_empty()).then(|| f.number.clone()),
                net: Some(f.net),
                tax: Some(f.tax),
                gross: Some(f.gross),
            };
            let layout = crate::domain::capture::learn(&text, &accepted, date_order(ctx));
            kept::teach(tx, ctx.books.company_id, &layout, ctx.now)?;
        }
        let stored = kept::find(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
        Ok(DraftDto::new(&stored, None))
    })
    .await
}

/// `POST /api/capture/drafts/{id}/reject/`: sets the draft aside; the document stays.
pub async fn reject(c: InCompany<perm::EditDocuments>, Id(id): Id, idem: Idempotency) -> Reply {
    c.write(idem, StatusCode::OK, move |tx, ctx| {
        pending(tx, ctx, id)?;
        kept::decide(tx, id, DraftStatus::Rejected, None, None, ctx.actor, ctx.now)?;
        let stored = kept::find(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
        Ok(DraftDto::new(&stored, None))
    })
    .await
}

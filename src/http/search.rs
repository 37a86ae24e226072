//! `GET /api/search/`: the firm's search index (`src/search`) across the companies the caller may
//! see, typo-tolerant, the last word a prefix, with filters, counts per kind and highlighted
//! snippets (text and ranges: the page marks them, so no HTML travels).

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, Reply};
use super::extract::QueryPairs;
use super::firm::Signed;
use crate::domain::roles::Action;
use crate::search::query::{self, MAX_QUERY_BYTES, Request};
use crate::search::schema::KINDS;
use crate::store::companies;

/// Hits one page holds at most, and by default.
pub const MAX_PAGE_SIZE: usize = 50;
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A span of highlighted text: byte offsets `[start, end)` into the string it belongs to.
#[derive(Serialize, ToSchema)]
#[schema(as = SearchHighlight)]
pub struct HighlightDto {
    pub start: usize,
    pub end: usize,
}

/// One record found.
#[derive(Serialize, ToSchema)]
#[schema(as = SearchHit)]
pub struct HitDto {
    /// `contact`, `invoice`, `credit_note`, `bill`, `vendor_credit`, `entry`, `bank_line`, `item` or
    /// `document` (a kept file).
    pub kind: &'static str,
    pub id: Uuid,
    pub company_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// `YYYY-MM-DD`: the issue date, entry date, statement date or upload date.
    pub date: Option<String>,
    /// Minor units of `currency` (signed for bank lines).
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub title: String,
    pub title_highlights: Vec<HighlightDto>,
    /// A number, a status, a tax id, a file's type.
    pub subtitle: String,
    /// Up to 160 characters of the record's text around the best match.
    pub snippet: String,
    pub snippet_highlights: Vec<HighlightDto>,
    /// The record's page in the web app.
    pub url: String,
}

/// The hits of one kind on this page, and how many of that kind match in all.
#[derive(Serialize, ToSchema)]
#[schema(as = SearchGroup)]
pub struct GroupDto {
    pub kind: &'static str,
    pub count: u64,
    pub hits: Vec<HitDto>,
}

/// A search's answer: every match counted, this page's hits grouped by kind (groups in the
/// order of their best hit).
#[derive(Serialize, ToSchema)]
#[schema(as = SearchResults)]
pub struct ResultsDto {
    pub query: String,
    pub total: u64,
    pub page: usize,
    pub page_size: usize,
    pub groups: Vec<GroupDto>,
}

/// What the caller's permissions let them find, by kind.
fn allowed(kind: &str) -> Action {
    match kind {
        "entry" | "bank_line" => Action::ViewLedger,
        _ => Action::ViewDocuments,
    }
}

fn url(kind: &str, id: Uuid) -> String {
    match kind {
        "contact" => format!("/sales/customers/{id}"),
        "invoice" => format!("/sales/invoices/{id}"),
        "credit_note" => format!("/sales/credit-notes/{id}"),
        "bill" => format!("/purchases/bills/{id}"),
        "vendor_credit" => format!("/purchases/vendor-credits/{id}"),
        "entry" => format!("/accounting/journal/{id}"),
        // Lines have no page of their own: the bank accounts, where they are reviewed.
        "bank_line" => "/banking".to_owned(),
        "item" => "/items".to_owned(),
        _ => format!("/documents/{id}"),
    }
}

fn ranges(r: Vec<std::ops::Range<usize>>) -> Vec<HighlightDto> {
    r.into_iter()
        .map(|r| HighlightDto {
            start: r.start,
            end: r.end,
        })
        .collect()
}

fn parse_id(field: &str, v: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(v.trim()).map_err(|_| ApiError::field(field, "Must be an id."))
}

fn parse_date(field: &str, v: &str) -> Result<String, ApiError> {
    v.trim()
        .parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|_| ApiError::field(field, "Must be a date, YYYY-MM-DD."))
}

fn parse_int(field: &str, v: &str) -> Result<i64, ApiError> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::field(field, "Must be a whole number (minor units)."))
}

fn parse_count(field: &str, v: &str, max: usize) -> Result<usize, ApiError> {
    match v.trim().parse::<usize>() {
        Ok(n) if n >= 1 && n <= max => Ok(n),
        _ => Err(ApiError::field(
            field,
            format!("Must be a whole number from 1 to {max}."),
        )),
    }
}

/// `GET /api/search/?q=…`
pub async fn search(c: Signed, QueryPairs(pairs): QueryPairs) -> Reply<axum::Json<ResultsDto>> {
    let caller = c.caller().clone();
    let permitted: Vec<&'static str> = KINDS
        .iter()
        .copied()
        .filter(|k| caller.require(allowed(k)).is_ok())
        .collect();
    if permitted.is_empty() {
        return Err(ApiError::Auth(crate::auth::AuthError::Forbidden));
    }
    let mut req = Request {
        kinds: permitted.clone(),
        limit: DEFAULT_PAGE_SIZE,
        ..Request::default()
    };
    let mut asked_kinds: Vec<&'static str> = Vec::new();
    let mut page = 1usize;
    let mut company: Option<Uuid> = None;
    for (key, value) in &pairs {
        match key.as_str() {
            "q" => {
                if value.len() > MAX_QUERY_BYTES {
                    return Err(ApiError::field("q", format!("At most {MAX_QUERY_BYTES} characters.")));
                }
                req.text = value.clone();
            }
            "kind" => {
                for k in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                    let known = KINDS.iter().find(|x| **x == k).ok_or_else(|| {
                        ApiError::field("kind", format!("Unknown kind {k:?}; one of {}.", KINDS.join(", ")))
                    })?;
                    asked_kinds.push(known);
                }
            }
            "company" => company = Some(parse_id("company", value)?),
            "contact" => req.contact = Some(parse_id("contact", value)?),
            "date_from" => req.date_from = Some(parse_date("date_from", value)?),
            "date_to" => req.date_to = Some(parse_date("date_to", value)?),
            "amount_min" => req.amount_min = Some(parse_int("amount_min", value)?),
            "amount_max" => req.amount_max = Some(parse_int("amount_max", value)?),
            "page" => page = parse_count("page", value, 1_000)?,
            "page_size" => req.limit = parse_count("page_size", value, MAX_PAGE_SIZE)?,
            _ => {}
        }
    }
    if !asked_kinds.is_empty() {
        req.kinds = permitted.into_iter().filter(|k| asked_kinds.contains(k)).collect();
    }
    req.offset = (page - 1) * req.limit;
    let visible = caller.visible_companies().map(<[Uuid]>::to_vec);
    match (company, visible) {
        // Another firm's company, or one this user may not see: nothing to search in.
        (Some(id), _) if !caller.may_see_company(id) => return Err(ApiError::NotFound),
        (Some(id), _) => req.companies = vec![id],
        (None, Some(ids)) if ids.is_empty() => req.kinds.clear(),
        (None, Some(ids)) => req.companies = ids,
        (None, None) => {}
    }
    let text = req.text.clone();
    let page_size = req.limit;
    let found = c
        .blocking(move |app, caller| {
            let scope = caller.tenant()?;
            // A company named must be one of this firm's (an owner may see every company of
            // their own firm, and no other firm's).
            if let Some(id) = company
                && app.store.tenant_read(scope, |tx| companies::get(tx, id))?.is_none()
            {
                return Err(ApiError::NotFound);
            }
            Ok(app.search.search(&app.store, scope, &req)?)
        })
        .await?;
    Ok(axum::Json(render(text, page, page_size, found)))
}

fn render(query: String, page: usize, page_size: usize, found: query::Found) -> ResultsDto {
    let mut groups: Vec<GroupDto> = Vec::new();
    for h in found.hits {
        let dto = HitDto {
            kind: h.kind,
            id: h.id,
            company_id: h.company_id,
            contact_id: h.contact_id,
            date: h.date,
            amount: h.amount,
            currency: h.currency,
            url: url(h.kind, h.id),
            title: h.title,
            title_highlights: ranges(h.title_highlights),
            subtitle: h.subtitle,
            snippet: h.snippet,
            snippet_highlights: ranges(h.snippet_highlights),
        };
        match groups.iter_mut().find(|g| g.kind == h.kind) {
            Some(g) => g.hits.push(dto),
            None => groups.push(GroupDto {
                kind: h.kind,
                count: found.counts.iter().find(|(k, _)| *k == h.kind).map_or(0, |(_, n)| *n),
                hits: vec![dto],
            }),
        }
    }
    // Kinds that match but have no hit on this page still show their count.
    for (kind, count) in found.counts {
        if !groups.iter().any(|g| g.kind == kind) {
            groups.push(GroupDto {
                kind,
                count,
                hits: Vec::new(),
            });
        }
    }
    ResultsDto {
        query,
        total: found.total,
        page,
        page_size,
        groups,
    }
}

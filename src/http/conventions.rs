//! The API's list conventions, in one place: `page`, `page_size` (default 20, clamped to
//! 1..=200), `search`, `ordering`, field filters, and the DRF page shape
//! `{"count", "next", "previous", "results"}`.

use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use crate::domain::Change;
use crate::store::list::{ListRequest, Page};

/// Which of DRF's two changes a request makes, bound where its route is registered
/// (`.put(change::<Replace>).patch(change::<Update>)`), so one handler serves both.
pub trait Verb: Send + 'static {
    const CHANGE: Change;
}

/// Declares types that stand for values, so that one generic handler serves each value, bound
/// where its route is registered (`change::<Replace>`, `aged::<Receivables>`): each
/// `Name = value` becomes a `pub struct Name` whose `Trait::CONST` is `value`.
macro_rules! markers {
    ($trait:ident::$konst:ident: $ty:ty { $($(#[$doc:meta])* $name:ident = $value:expr;)+ }) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl $trait for $name {
                const $konst: $ty = $value;
            }
        )+
    };
}
pub(crate) use markers;

markers!(Verb::CHANGE: Change {
    /// `PATCH`: only the fields sent change.
    Update = Change::Update;
    /// `PUT`: the fields a create requires are required, and the body replaces the record.
    Replace = Change::Replace;
});

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 200;

/// DRF's message for a date it cannot read.
pub const DATE_FORMAT_ERROR: &str = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";

/// An optional date (a query parameter or a body field): absent or empty is `None`.
pub fn optional_date(field: &str, value: Option<&str>) -> Result<Option<jiff::civil::Date>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::field(field, DATE_FORMAT_ERROR)),
    }
}

/// Reads the list parameters; every other parameter is passed on as a possible field filter.
pub fn list_request(pairs: &[(String, String)]) -> Result<ListRequest, ApiError> {
    let mut req = ListRequest {
        page: 1,
        page_size: DEFAULT_PAGE_SIZE,
        ..ListRequest::default()
    };
    for (k, v) in pairs {
        match k.as_str() {
            // DRF answers a page that is not a positive number with 404 "Invalid page."
            "page" => req.page = v.parse().map_err(|_| ApiError::NotFound)?,
            "page_size" => {
                if let Ok(n) = v.parse::<u64>() {
                    req.page_size = n.clamp(1, MAX_PAGE_SIZE);
                }
            }
            "search" => req.search = Some(v.clone()),
            "ordering" => req.ordering = Some(v.clone()),
            _ => req.filters.push((k.clone(), v.clone())),
        }
    }
    Ok(req)
}

/// A list request: the list parameters of the query string, and what the page links are built
/// from. Undecodable query → 400; a page that is not a positive number → 404.
pub struct ListQuery {
    pub request: ListRequest,
    uri: Uri,
    headers: HeaderMap,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        let super::extract::QueryPairs(pairs) = super::extract::QueryPairs::from_request_parts(parts, state).await?;
        Ok(ListQuery {
            request: list_request(&pairs)?,
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl ListQuery {
    /// The DRF page of `page`, each item rendered by `dto`.
    pub fn render<T, D: Serialize>(&self, page: Page<T>, dto: impl Fn(T) -> D) -> Response {
        render(&self.uri, &self.headers, &self.request, page, dto)
    }

    /// The absolute URL of page `page` of the same list, for answers that are not a plain page.
    pub fn link(&self, page: u64) -> String {
        page_link(&self.uri, &self.headers, page)
    }
}

/// The DRF page body.
#[derive(Serialize)]
pub struct PageBody<D> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<D>,
}

/// Renders a page with absolute `next`/`previous` links, as DRF does.
pub fn render<T, D: Serialize>(
    uri: &Uri,
    headers: &HeaderMap,
    req: &ListRequest,
    page: Page<T>,
    dto: impl Fn(T) -> D,
) -> Response {
    let last = page.count.div_ceil(req.page_size).max(1);
    let link = |n: u64| page_link(uri, headers, n);
    let next = (req.page < last).then(|| link(req.page + 1));
    let previous = (req.page > 1).then(|| link(req.page - 1));
    let results: Vec<D> = page.items.into_iter().map(dto).collect();
    let body = PageBody {
        count: page.count,
        next,
        previous,
        results,
    };
    // Written once into a buffer sized for a typical page (a list item is a few hundred bytes,
    // an entry with its lines about a kilobyte), not grown from axum's 128 bytes by doubling.
    let mut bytes = Vec::with_capacity(256 + body.results.len() * 1024);
    match serde_json::to_writer(&mut bytes, &body) {
        Ok(()) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            bytes,
        )
            .into_response(),
        Err(e) => ApiError::Internal(format!("page not serialisable: {e}")).into_response(),
    }
}

/// The absolute URL of another page of the same list, from the base `server::guard` set (never
/// from the client's `Host` as it came).
pub fn page_link(uri: &Uri, headers: &HeaderMap, page: u64) -> String {
    let base = headers
        .get(crate::server::client::LINK_BASE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http://localhost");
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    pairs.retain(|(k, _)| k != "page");
    if page > 1 {
        pairs.push(("page".into(), page.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let sep = if query.is_empty() { "" } else { "?" };
    format!("{base}{}{sep}{query}", uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    #[test]
    fn page_size_is_clamped_and_filters_pass_through() {
        let r = list_request(&pairs("page=2&page_size=5000&search=x&ordering=-name&role=staff")).unwrap();
        assert_eq!((r.page, r.page_size), (2, MAX_PAGE_SIZE));
        assert_eq!(r.filters, vec![("role".to_owned(), "staff".to_owned())]);
        assert_eq!(list_request(&pairs("page_size=0")).unwrap().page_size, 1);
        assert!(list_request(&pairs("page=abc")).is_err());
    }
}

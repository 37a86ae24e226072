//! One implementation of the API's list conventions in SQL: field filters, `search`,
//! `ordering` and pages, for any table described by a [`ListSpec`].

use super::{Row, StoreError, Tx, Value};

/// How a filter's query-string value is read.
#[derive(Debug, Clone, Copy)]
pub enum FilterKind {
    Text,
    Bool,
    Uuid,
    Int,
    Date,
}

/// What a list endpoint may be filtered, searched and ordered by. Names are the API's field
/// names; expressions are SQL over `from`. A filter's expression is a condition with one `?`
/// where the value goes (`status = ?`, `date >= ?`).
pub struct ListSpec {
    pub columns: &'static str,
    pub from: &'static str,
    pub filters: &'static [(&'static str, &'static str, FilterKind)],
    pub search: &'static [&'static str],
    pub ordering: &'static [(&'static str, &'static str)],
    /// Always appended last, so pages are stable.
    pub tie_breaker: &'static str,
    pub default_ordering: &'static str,
}

/// A parsed list request (see `http::conventions`).
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub page: u64,
    pub page_size: u64,
    pub search: Option<String>,
    pub ordering: Option<String>,
    pub filters: Vec<(String, String)>,
}

pub struct Page<T> {
    pub count: u64,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// The same page with each item turned into another shape.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            items: self.items.into_iter().map(f).collect(),
        }
    }
}

/// A record the API lists a page at a time, among one company's records.
pub trait Paged: Sized {
    fn page(tx: &mut Tx, company: uuid::Uuid, request: &ListRequest) -> Result<Page<Self>, ListError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{field}: {message}")]
    Filter { field: String, message: String },
    #[error("Invalid page.")]
    InvalidPage,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs the list query. `scope` is a fixed condition (`company_id = $1`) with its values;
/// it is always applied, whatever the request asks.
pub fn list<T>(
    tx: &mut Tx,
    spec: &ListSpec,
    scope: (&str, Vec<Value>),
    req: &ListRequest,
    map: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Page<T>, ListError> {
    let (scope_sql, mut params) = scope;
    let mut conditions = vec![format!("({scope_sql})")];
    for (name, value) in &req.filters {
        let Some((_, expr, kind)) = spec.filters.iter().find(|(n, _, _)| n == name) else {
            continue; // like django-filter, parameters that are not filters are ignored
        };
        let v = parse_filter(name, value, *kind)?;
        params.push(v);
        conditions.push(expr.replace('?', &format!("${}", params.len())));
    }
    if let Some(term) = req.search.as_deref().map(str::trim).filter(|t| !t.is_empty())
        && !spec.search.is_empty()
    {
        params.push(Value::Text(format!("%{}%", escape_like(&term.to_lowercase()))));
        let n = params.len();
        let any: Vec<String> = spec
            .search
            .iter()
            .map(|c| format!("LOWER({c}) LIKE ${n} ESCAPE '\\'"))
            .collect();
        conditions.push(format!("({})", any.join(" OR ")));
    }
    let where_sql = conditions.join(" AND ");
    let count = tx
        .query_one(
            &format!("SELECT COUNT(*) FROM {} WHERE {where_sql}", spec.from),
            &params,
        )?
        .int(0)?;
    let count = u64::try_from(count).unwrap_or(0);
    let page_size = req.page_size.max(1);
    let pages = count.div_ceil(page_size).max(1);
    if req.page == 0 || req.page > pages {
        return Err(ListError::InvalidPage);
    }
    let order = order_by(spec, req.ordering.as_deref());
    // A page number far past the end must not overflow: it only needs to be out of range.
    let offset = (req.page - 1).saturating_mul(page_size).min(i64::MAX as u64);
    let sql = format!(
        "SELECT {} FROM {} WHERE {where_sql} ORDER BY {order} LIMIT {page_size} OFFSET {offset}",
        spec.columns, spec.from
    );
    let items = tx
        .query(&sql, &params)?
        .iter()
        .map(map)
        .collect::<Result<Vec<T>, _>>()?;
    Ok(Page { count, items })
}

/// `?ordering=a,-b`: known fields only (unknown ones are ignored, as in DRF).
/// The tie-breaker runs in the direction of the last field, so an index on the ordering fields
/// (which ends with the key) serves the whole `ORDER BY … LIMIT` without a sort.
fn order_by(spec: &ListSpec, ordering: Option<&str>) -> String {
    let mut parts = Vec::new();
    let mut last = "ASC";
    for field in ordering.unwrap_or(spec.default_ordering).split(',').map(str::trim) {
        let (name, dir) = match field.strip_prefix('-') {
            Some(n) => (n, "DESC"),
            None => (field, "ASC"),
        };
        if let Some((_, expr)) = spec.ordering.iter().find(|(n, _)| *n == name) {
            parts.push(format!("{expr} {dir}"));
            last = dir;
        }
    }
    parts.push(format!("{} {last}", spec.tie_breaker));
    parts.join(", ")
}

fn parse_filter(name: &str, value: &str, kind: FilterKind) -> Result<Value, ListError> {
    let bad = |message: &str| ListError::Filter {
        field: name.to_owned(),
        message: message.to_owned(),
    };
    match kind {
        FilterKind::Text => Ok(Value::Text(value.to_owned())),
        FilterKind::Bool => match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Value::Bool(true)),
            "false" | "0" | "no" => Ok(Value::Bool(false)),
            _ => Err(bad("Enter a valid boolean: true or false.")),
        },
        FilterKind::Uuid => uuid::Uuid::parse_str(value)
            .map(Value::from)
            .map_err(|_| bad("Enter a valid UUID.")),
        FilterKind::Int => value
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| bad("Enter a whole number.")),
        FilterKind::Date => value
            .parse::<jiff::civil::Date>()
            .map(|d| Value::Text(d.to_string()))
            .map_err(|_| bad("Enter a valid date: YYYY-MM-DD.")),
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

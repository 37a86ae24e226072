//! The API's OpenAPI 3 document at `/api/schema/`, and the two pages that read it: Swagger UI at
//! `/api/docs/` and Redoc at `/redoc/`, both served from the binary (nothing is fetched from
//! elsewhere at run time).
//!
//! The document is built with utoipa's types from one table of operations (`paths/`, a file per
//! area) whose bodies and answers name Rust types (`shape::<AccountDto>()`): each type's schema
//! is derived from its fields (`#[derive(ToSchema)]`), so a field is written once. Schemas not
//! yet derived (the error bodies) are written out in `schemas.rs`. It cannot drift from
//! the router unnoticed: [`Routes`] records every path as `http::api_routes` registers it, and
//! `tests/api/openapi.rs` checks that the document has exactly those paths, and, against the
//! running server, exactly the methods each path answers.

mod crud;
mod ops;
mod paths;
mod schemas;

pub use schemas::choice;

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{PathItem, Paths};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, LicenseBuilder, OpenApi, OpenApiBuilder, RefOr};

use super::error::{ApiError, Reply};
use super::packed;
use crate::app::AppState;

/// The Content-Security-Policy of the two documentation pages: scripts, styles and the document
/// from this server only. Both UIs set inline styles; Redoc runs its search in a `blob:` worker;
/// both show `data:` images and fonts. Everything else stays under `default-src 'none'`.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The API's routes, recorded by path as they are registered, so the OpenAPI test can compare
/// them with the document. `http::api_routes` is the one list.
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// `Router::route`, remembering the path.
    pub fn route(mut self, path: &'static str, methods: MethodRouter<AppState>) -> Routes {
        self.paths.push(path);
        self.router = self.router.route(path, methods);
        self
    }

    /// Every path, in the order registered.
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The OpenAPI document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    let mut from_types = ops::Components::new();
    for op in paths::operations() {
        op.components(&mut from_types);
        let path = op.path.clone();
        let method = op.method.clone();
        let operation = op.build();
        match paths.paths.get_mut(&path) {
            Some(item) => item.merge_operations(PathItem::new(method, operation)),
            None => {
                paths.paths.insert(path, PathItem::new(method, operation));
            }
        }
    }
    add_links(&mut paths);
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("OASYS API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .license(Some(LicenseBuilder::new().name("AGPL-3.0-or-later").build()))
                .build(),
        )
        .paths(paths)
        .components(Some(schemas::components(from_types)))
        .tags(Some(TAGS.iter().map(|t| TagBuilder::new().name(*t).build())))
        .build()
}

/// OpenAPI links from what names a record to what acts on it: a create's `201` (`id`) and a
/// list's first result (`results/0/id`) to every operation under `…/{id}/`. Clients and tools
/// (Schemathesis' stateful phase) follow them to reach real records instead of random ids.
fn add_links(paths: &mut Paths) {
    let targets = |base: &str, paths: &Paths| -> Vec<String> {
        let prefix = format!("{base}{{id}}/");
        paths
            .paths
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix))
            .flat_map(|(_, item)| {
                [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                    .into_iter()
                    .flatten()
                    .filter_map(|op| op.operation_id.clone())
            })
            .collect()
    };
    let bases: Vec<String> = paths.paths.keys().filter(|p| !p.contains('{')).cloned().collect();
    for base in bases {
        let ids = targets(&base, paths);
        let Some(item) = paths.paths.get_mut(&base) else {
            continue;
        };
        for (op, status, pointer) in [
            (&mut item.post, "201", "$response.body#/id"),
            (&mut item.get, "200", "$response.body#/results/0/id"),
        ] {
            let Some(RefOr::T(response)) = op.as_mut().and_then(|o| o.responses.responses.get_mut(status)) else {
                continue;
            };
            for id in &ids {
                let link = LinkBuilder::new()
                    .operation_id(id.clone())
                    .parameter("id", pointer)
                    .build();
                response.links.insert(id.clone(), RefOr::T(link));
            }
        }
    }
}

/// Tags in reading order (Swagger UI and Redoc group operations by them).
const TAGS: &[&str] = &[
    "Meta",
    "Auth",
    "Firm",
    "Accounts",
    "Journal",
    "Periods",
    "Tax returns",
    "Reports",
    "Customers",
    "Vendors",
    "Items",
    "Inventory",
    "Tax rates",
    "Exchange rates",
    "Budgets",
    "Capture",
    "Invoices",
    "Credit notes",
    "Bills",
    "Vendor credits",
    "Purchases",
    "Payments",
    "Recurring invoices",
    "Sales",
    "Delivery",
    "Documents (files)",
    "Banking",
    "Search",
];

const DESCRIPTION: &str = "The JSON API of OASYS. Log in with `POST /api/auth/login/` and send the `access` \
token as `Authorization: Bearer …`. Company data is read and written in the company named by the \
`X-Company-Id` header (the user's default company when it is left out). Amounts are decimal strings \
in the currency's minor-unit precision (`\"116.00\"`), never JSON numbers. Lists are pages \
`{\"count\", \"next\", \"previous\", \"results\"}`; errors are `{\"detail\": \"…\"}`, or \
`{\"field\": [\"message\"]}` for invalid input.";

/// The document as JSON, made once.
fn document_json() -> Result<&'static str, ApiError> {
    static JSON: OnceLock<Result<String, String>> = OnceLock::new();
    JSON.get_or_init(|| serde_json::to_string(&document()).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| ApiError::Internal(format!("the OpenAPI document does not serialize: {e}")))
}

/// `GET /api/schema/`: the OpenAPI document (no token needed: it describes, it does not reveal).
pub async fn schema() -> Reply {
    Ok(asset("application/json", "no-cache", document_json()?.as_bytes()))
}

static REDOC_HTML: &str = include_str!("../../../assets/redoc/index.html");
/// Redoc's bundle, gzipped by build.rs.
static REDOC_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/redoc.standalone.js.gz"));

/// Swagger UI's files that its page loads, gzipped by build.rs from the vendored Swagger UI:
/// (name, type, gzipped bytes).
static SWAGGER: &[(&str, &str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/swagger.rs"));
/// Its settings: this server's document, no validator badge.
static SWAGGER_INITIALIZER: &str = include_str!("../../../assets/swagger-initializer.js");

/// Swagger UI (`/api/docs/`, its files vendored, see build.rs) and Redoc (`/redoc/`), each under
/// [`DOCS_CSP`] instead of the API's `default-src 'none'`.
pub fn docs() -> Router<AppState> {
    Router::new()
        .route("/api/docs", get(|| async { Redirect::to("/api/docs/") }))
        .route(
            "/api/docs/",
            get(|headers: HeaderMap| swagger_file(headers, "index.html")),
        )
        .route(
            "/api/docs/{*file}",
            get(|headers: HeaderMap, Path(file): Path<String>| async move { swagger_file(headers, &file).await }),
        )
        // The seed's path for the interactive documentation.
        .route("/swagger", get(|| async { Redirect::permanent("/api/docs/") }))
        .route("/swagger/", get(|| async { Redirect::permanent("/api/docs/") }))
        .route("/redoc", get(|| async { Redirect::permanent("/redoc/") }))
        .route("/redoc/", get(redoc_page))
        .route("/redoc/redoc.standalone.js", get(redoc_js))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        ))
}

async fn swagger_file(headers: HeaderMap, file: &str) -> Response {
    if file == "swagger-initializer.js" {
        let body = SWAGGER_INITIALIZER.as_bytes();
        return asset("text/javascript; charset=utf-8", "no-cache", body);
    }
    match SWAGGER.iter().find(|(name, _, _)| *name == file) {
        Some(&(name, content_type, gz)) => {
            let cache = if name == "index.html" {
                "no-cache"
            } else {
                "public, max-age=86400"
            };
            packed::respond(&headers, content_type, cache, gz)
        }
        None => ApiError::NotFound.into_response(),
    }
}

async fn redoc_page() -> Response {
    asset("text/html; charset=utf-8", "no-cache", REDOC_HTML.as_bytes())
}

async fn redoc_js(headers: HeaderMap) -> Response {
    packed::respond(
        &headers,
        "text/javascript; charset=utf-8",
        "public, max-age=86400",
        REDOC_JS,
    )
}

/// A file served from the binary, with its type and how long it may be cached.
fn asset(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    let headers = [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)];
    (StatusCode::OK, headers, body).into_response()
}

#[cfg(test)]
mod tests {
    /// Every operation has a route of the form `"GET /api/…"` (a malformed one is kept whole, as a
    /// path with a space in it) and one of the tags the pages group by (a row outside a table has none).
    #[test]
    fn every_operation_has_a_route_and_a_known_tag() {
        for (path, item) in &super::document().paths.paths {
            let well_formed = path.starts_with('/') && !path.contains(' ');
            assert!(well_formed, "a malformed route: {path:?}");
            let ops = [&item.get, &item.post, &item.put, &item.patch, &item.delete];
            for op in ops.into_iter().flatten() {
                let tags = op.tags.clone().unwrap_or_default();
                let known = tags.len() == 1 && super::TAGS.contains(&tags[0].as_str());
                assert!(known, "{path}: the tags {tags:?} are not one of TAGS");
            }
        }
    }
}

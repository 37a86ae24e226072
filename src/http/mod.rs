//! The HTTP layer: every route in one list, and the middleware every request passes through.
//!
//! Handlers parse the request, authorize through `auth::scope`, run their store work in one
//! blocking transaction, and render DRF-shaped JSON. Every failure goes through `error.rs`.

pub mod accounting;
pub mod assets;
pub mod auth;
pub mod banking;
pub mod budgets;
pub mod capture;
pub mod company;
pub mod contacts;
pub mod conventions;
pub mod delivery;
pub mod documents;
pub mod dto;
pub mod error;
pub mod error_map;
pub mod exchange_rates;
pub mod extract;
pub mod fields;
pub mod files;
pub mod firm;
pub mod health;
pub mod inventory;
pub mod items;
pub mod journal;
pub mod metrics;
pub mod openapi;
pub mod packed;
pub mod payments;
pub mod periods;
pub mod permission;
pub mod purchases;
pub mod recurring;
pub mod reports;
pub mod resource;
pub mod revaluation;
pub mod sales;
pub mod search;
pub mod setup;
pub mod statements;
pub mod tax_returns;
pub mod taxes;
pub mod tenants;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use accounting::Accounts;
use banking::BankAccounts;
use banking::rules::BankRules;
use budgets::Budgets;
use contacts::{Contacts, Customers, Vendors};
use conventions::{Replace, Update};
use documents::{Bills, CreditNotes, DocumentRoutes, Invoices, VendorCredits};
use error::ApiError;
use exchange_rates::ExchangeRates;
use inventory::warehouses::Warehouses;
use items::Items;
use payments::Payments;
use recurring::Recurrings;
use taxes::TaxRates;

/// The bulk journal endpoint takes up to 10,000 entries in one body.
const BULK_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The paths of a document kind's endpoints under `$base`, for `Routes::documents`.
macro_rules! document_paths {
    ($base:literal) => {
        documents::Paths {
            list: $base,
            item: concat!($base, "{id}/"),
            issue: concat!($base, "{id}/issue/"),
            void: concat!($base, "{id}/void/"),
            pdf: concat!($base, "{id}/pdf/"),
        }
    };
}

/// Every route of the API, by module. Each is recorded by path as it is registered: the test
/// `tests/api/openapi.rs` checks that the OpenAPI document describes exactly these, so a new
/// route comes with its operation in `openapi/paths/`.
pub fn api_routes() -> openapi::Routes {
    openapi::Routes::new()
        .route("/api/schema/", get(openapi::schema))
        .route("/api/health/", get(health::health))
        .route("/metrics", get(metrics::serve))
        .route("/api/setup/", get(setup::status).post(setup::create))
        // auth
        .route("/api/auth/login/", post(auth::login))
        .route("/api/auth/register/", post(auth::register))
        .route("/api/auth/token/refresh/", post(auth::refresh))
        .route("/api/auth/logout/", post(auth::logout))
        .route("/api/auth/me/", get(auth::me).patch(auth::update_me))
        .route("/api/auth/password/", post(auth::change_password))
        // tenants: the firm, its companies, its users
        .route("/api/tenants/", get(tenants::firm::list))
        .route(
            "/api/tenants/{id}/",
            get(tenants::firm::get).patch(tenants::firm::update),
        )
        .route(
            "/api/tenants/companies/",
            get(tenants::companies::list).post(tenants::companies::create),
        )
        .route(
            "/api/tenants/companies/{id}/",
            get(tenants::companies::get)
                .put(tenants::companies::change::<Replace>)
                .patch(tenants::companies::change::<Update>),
        )
        .route(
            "/api/tenants/users/",
            get(tenants::users::list).post(tenants::users::create),
        )
        .route(
            "/api/tenants/users/{id}/",
            get(tenants::users::get)
                .put(tenants::users::change::<Replace>)
                .patch(tenants::users::change::<Update>),
        )
        .route("/api/tenants/users/{id}/deactivate/", post(tenants::users::deactivate))
        .route("/api/tenants/users/{id}/activate/", post(tenants::users::activate))
        // accounting
        .route("/api/accounting/chart-of-accounts/", resource::many::<Accounts>())
        .route(
            "/api/accounting/chart-of-accounts/{id}/",
            resource::one::<Accounts>().delete(resource::delete::<Accounts>),
        )
        .route(
            "/api/accounting/journal-entries/",
            get(journal::list).post(journal::create),
        )
        .route(
            "/api/accounting/journal-entries/bulk/",
            post(journal::bulk).layer(DefaultBodyLimit::max(BULK_BODY_LIMIT)),
        )
        .route(
            "/api/accounting/journal-entries/{id}/",
            get(journal::get)
                .put(journal::change::<Replace>)
                .patch(journal::change::<Update>)
                .delete(journal::delete),
        )
        .route("/api/accounting/journal-entries/{id}/post/", post(journal::post))
        .route("/api/accounting/journal-entries/{id}/approve/", post(journal::approve))
        .route("/api/accounting/journal-entries/{id}/cancel/", post(journal::cancel))
        .route("/api/accounting/journal-entries/{id}/reverse/", post(journal::reverse))
        .route("/api/accounting/periods/", get(periods::get).patch(periods::update))
        .route("/api/accounting/periods/close/", post(periods::close))
        .route("/api/accounting/periods/reopen/", post(periods::reopen))
        .route("/api/accounting/periods/year-end/", post(periods::year_end))
        .route("/api/accounting/audit-log/", get(periods::audit_log))
        .route(
            "/api/accounting/tax-settings/",
            get(tax_returns::get_settings).patch(tax_returns::update_settings),
        )
        .route(
            "/api/accounting/tax-returns/",
            get(tax_returns::list).post(tax_returns::file),
        )
        .route("/api/accounting/tax-returns/{id}/", get(tax_returns::get))
        // contacts (one table, seen as customers and as vendors), items, tax rates
        .route("/api/sales/customers/", resource::many::<Contacts<Customers>>())
        .route("/api/sales/customers/{id}/", resource::one::<Contacts<Customers>>())
        .route("/api/purchase/vendors/", resource::many::<Contacts<Vendors>>())
        .route("/api/purchase/vendors/{id}/", resource::one::<Contacts<Vendors>>())
        .route("/api/inventory/items/", resource::many::<Items>())
        .route("/api/inventory/items/{id}/", resource::one::<Items>())
        // the stock engine: settings, warehouses and locations, moves, counts, item units
        .route(
            "/api/inventory/items/{id}/units/",
            get(inventory::units::list).put(inventory::units::replace),
        )
        .route(
            "/api/inventory/settings/",
            get(inventory::settings::show).patch(inventory::settings::update),
        )
        .route("/api/inventory/warehouses/", resource::many::<Warehouses>())
        .route("/api/inventory/warehouses/{id}/", resource::one::<Warehouses>())
        .route(
            "/api/inventory/warehouses/{id}/locations/",
            get(inventory::warehouses::locations).post(inventory::warehouses::add),
        )
        .route(
            "/api/inventory/moves/",
            get(inventory::moves::list).post(inventory::moves::post),
        )
        .route("/api/inventory/counts/", post(inventory::counts::post))
        // inventory reports (issue 19): stock as of a date, its valuation and the check against the ledger
        .route("/api/inventory/reports/on-hand/", get(reports::inventory::on_hand))
        .route("/api/inventory/reports/valuation/", get(reports::inventory::valuation))
        .route(
            "/api/inventory/reports/valuation/check/",
            get(reports::inventory::check),
        )
        .route("/api/inventory/reports/movements/", get(reports::inventory::movements))
        .route("/api/inventory/reports/reorder/", get(reports::inventory::reorder))
        .route("/api/inventory/reports/margin/", get(reports::margin::margin))
        .route("/api/accounting/tax-rates/", resource::many::<TaxRates>())
        .route("/api/accounting/tax-rates/{id}/", resource::one::<TaxRates>())
        // exchange rates: by hand, imported from a file, fetched from the configured source
        .route("/api/accounting/exchange-rates/", resource::many::<ExchangeRates>())
        .route("/api/accounting/exchange-rates/on/", get(exchange_rates::on))
        .route(
            "/api/accounting/exchange-rates/import/",
            post(exchange_rates::upload).layer(DefaultBodyLimit::max(exchange_rates::MAX_FILE_BYTES)),
        )
        .route("/api/accounting/exchange-rates/fetch/", post(exchange_rates::fetch))
        .route(
            "/api/accounting/exchange-rates/{id}/",
            resource::one::<ExchangeRates>().delete(resource::delete::<ExchangeRates>),
        )
        // period-end revaluation of what is kept in another currency
        .route(
            "/api/accounting/revaluations/",
            get(revaluation::list).post(revaluation::run),
        )
        .route("/api/accounting/revaluations/preview/", post(revaluation::preview))
        // capture: the review queue of received bills and receipts
        .route("/api/capture/drafts/", get(capture::list))
        .route(
            "/api/capture/ai-settings/",
            get(capture::ai::get).patch(capture::ai::update),
        )
        .route("/api/capture/drafts/{id}/", get(capture::get))
        .route("/api/capture/drafts/{id}/accept/", post(capture::accept))
        .route("/api/capture/drafts/{id}/reject/", post(capture::reject))
        .route("/api/capture/suggest-account/", post(capture::suggest::suggest_account))
        // budgets per fiscal year: the grid by hand, pasted text, last year's actuals ± %
        .route("/api/accounting/budgets/", resource::many::<Budgets>())
        .route(
            "/api/accounting/budgets/{id}/",
            resource::one::<Budgets>().delete(resource::delete::<Budgets>),
        )
        .route(
            "/api/accounting/budgets/{id}/grid/",
            get(budgets::get_grid).put(budgets::put_grid).patch(budgets::patch_grid),
        )
        .route(
            "/api/accounting/budgets/{id}/paste/",
            post(budgets::paste).layer(DefaultBodyLimit::max(budgets::MAX_BODY_BYTES)),
        )
        .route(
            "/api/accounting/budgets/{id}/copy-actuals/",
            post(budgets::copy_actuals),
        )
        // invoices, credit notes, bills, vendor credits: one set of handlers, the kind bound here
        .documents::<Invoices>(document_paths!("/api/invoicing/invoices/"))
        .documents::<CreditNotes>(document_paths!("/api/invoicing/credit-notes/"))
        .documents::<Bills>(document_paths!("/api/purchase/bills/"))
        .documents::<VendorCredits>(document_paths!("/api/purchase/vendor-credits/"))
        // the purchase flow: orders → receipts → bills (three-way match), landed costs, reorder
        .route(
            "/api/purchase/orders/",
            get(purchases::list_orders).post(purchases::create_order),
        )
        .route("/api/purchase/orders/from-reorder/", post(purchases::from_reorder))
        .route(
            "/api/purchase/orders/{id}/",
            get(purchases::get_order)
                .put(purchases::replace_order)
                .delete(purchases::delete_order),
        )
        .route("/api/purchase/orders/{id}/confirm/", post(purchases::confirm))
        .route("/api/purchase/orders/{id}/cancel/", post(purchases::cancel))
        .route("/api/purchase/orders/{id}/close/", post(purchases::close))
        .route("/api/purchase/orders/{id}/receive/", post(purchases::receive))
        .route("/api/purchase/orders/{id}/bill/", post(purchases::bill_order))
        .route("/api/purchase/receipts/", get(purchases::list_receipts))
        .route("/api/purchase/receipts/{id}/", get(purchases::get_receipt))
        .route("/api/purchase/receipts/{id}/bill/", post(purchases::bill_receipt))
        .route("/api/purchase/bills/{id}/match/", get(purchases::bill_match))
        .route("/api/purchase/bills/{id}/landed-costs/", post(purchases::landed_cost))
        // documents a firm keeps (files): streamed uploads under their own size limit
        .route(
            "/api/documents/",
            get(files::list).post(files::create).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/documents/{id}/",
            get(files::get).patch(files::patch).delete(files::delete),
        )
        .route(
            "/api/documents/{id}/versions/",
            post(files::add_version).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/documents/usage/", get(files::usage::usage))
        .route("/api/documents/{id}/download/", get(files::download::download))
        .route("/api/documents/{id}/preview/", get(files::download::preview))
        .route("/api/documents/{id}/text/", get(files::text::text))
        .route("/api/documents/{id}/links/", post(files::add_link))
        .route(
            "/api/documents/{id}/links/{record_kind}/{record_id}/",
            axum::routing::delete(files::remove_link),
        )
        // delivery: the firm's own template and logo, and e-mail (after the commit, outside any lock)
        .route(
            "/api/invoicing/template/",
            get(delivery::get_template)
                .put(delivery::put_template)
                .delete(delivery::delete_template),
        )
        .route(
            "/api/invoicing/logo/",
            get(delivery::get_logo)
                .put(delivery::put_logo)
                .delete(delivery::delete_logo)
                .layer(DefaultBodyLimit::max(delivery::MAX_LOGO_BYTES)),
        )
        .route("/api/invoicing/invoices/{id}/send/", post(delivery::send::<Invoices>))
        .route(
            "/api/invoicing/credit-notes/{id}/send/",
            post(delivery::send::<CreditNotes>),
        )
        .route(
            "/api/invoicing/invoices/{id}/deliveries/",
            get(delivery::deliveries::<Invoices>),
        )
        .route(
            "/api/invoicing/credit-notes/{id}/deliveries/",
            get(delivery::deliveries::<CreditNotes>),
        )
        .route("/api/sales/customers/{id}/statement/", get(statements::json))
        .route("/api/sales/customers/{id}/statement/pdf/", get(statements::pdf))
        .route("/api/invoicing/recurring-invoices/", resource::many::<Recurrings>())
        .route("/api/invoicing/recurring-invoices/run/", post(recurring::run))
        .route("/api/invoicing/recurring-invoices/{id}/", resource::one::<Recurrings>())
        .route("/api/invoicing/payments/", resource::many::<Payments>())
        .route("/api/invoicing/payments/{id}/", get(resource::get::<Payments>))
        .route("/api/invoicing/payments/{id}/allocate/", post(payments::allocate))
        .route("/api/invoicing/payments/{id}/void/", post(payments::void))
        // sales flow: quotes → orders → deliveries → invoices
        .route("/api/sales/quotes/", get(sales::list_quotes).post(sales::create_quote))
        .route("/api/sales/quotes/{id}/", get(sales::get_quote))
        .route("/api/sales/quotes/{id}/convert/", post(sales::convert))
        .route("/api/sales/quotes/{id}/decline/", post(sales::decline))
        .route("/api/sales/quotes/{id}/pdf/", get(sales::quote_pdf))
        .route("/api/sales/orders/", get(sales::list_orders).post(sales::create_order))
        .route("/api/sales/orders/{id}/", get(sales::get_order))
        .route("/api/sales/orders/{id}/deliver/", post(sales::deliver))
        .route("/api/sales/orders/{id}/invoice/", post(sales::invoice_order))
        .route("/api/sales/orders/{id}/cancel/", post(sales::cancel))
        .route("/api/sales/deliveries/", get(sales::list_deliveries))
        .route("/api/sales/deliveries/{id}/", get(sales::get_delivery))
        .route("/api/sales/deliveries/{id}/invoice/", post(sales::invoice_delivery))
        .route("/api/sales/deliveries/{id}/pdf/", get(sales::delivery_pdf))
        .route("/api/sales/invoices/{id}/links/", get(sales::invoice_links))
        // banking: bank accounts, statement imports and lines, reconciliations
        .route("/api/banking/accounts/", resource::many::<BankAccounts>())
        .route("/api/banking/accounts/{id}/", resource::one::<BankAccounts>())
        .route("/api/banking/accounts/{id}/archive/", post(banking::archive))
        .route(
            "/api/banking/accounts/{id}/imports/",
            get(banking::imports::list)
                .post(banking::imports::upload)
                .layer(DefaultBodyLimit::max(banking::imports::MAX_STATEMENT_BYTES)),
        )
        .route("/api/banking/import-jobs/{id}/", get(banking::jobs::get))
        .route("/api/banking/accounts/{id}/lines/", get(banking::lines::list))
        .route("/api/banking/lines/{id}/match/", post(banking::lines::match_entry))
        .route("/api/banking/lines/{id}/unmatch/", post(banking::lines::unmatch))
        .route("/api/banking/lines/{id}/ignore/", post(banking::lines::ignore))
        .route(
            "/api/banking/accounts/{id}/suggestions/",
            get(banking::suggestions::list),
        )
        .route("/api/banking/lines/{id}/confirm/", post(banking::suggestions::confirm))
        .route("/api/banking/lines/{id}/reject/", post(banking::suggestions::reject))
        .route("/api/banking/lines/{id}/payment/", post(banking::create::payment))
        .route("/api/banking/lines/{id}/expense/", post(banking::create::expense))
        .route("/api/banking/lines/{id}/transfer/", post(banking::create::transfer))
        .route("/api/banking/lines/{id}/fee/", post(banking::create::fee))
        .route("/api/banking/rules/", resource::many::<BankRules>())
        .route(
            "/api/banking/rules/{id}/",
            resource::one::<BankRules>().delete(resource::delete::<BankRules>),
        )
        .route(
            "/api/banking/reconciliations/",
            get(banking::reconciliations::list).post(banking::reconciliations::create),
        )
        .route("/api/banking/reconciliations/{id}/", get(banking::reconciliations::get))
        .route(
            "/api/banking/reconciliations/{id}/submit/",
            post(banking::reconciliations::submit),
        )
        .route(
            "/api/banking/reconciliations/{id}/approve/",
            post(banking::reconciliations::approve),
        )
        .route(
            "/api/banking/reconciliations/{id}/reopen/",
            post(banking::reconciliations::reopen),
        )
        .route(
            "/api/banking/reconciliations/{id}/report/",
            get(banking::reconciliations::report),
        )
        // reports
        .route("/api/reports/trial-balance/", get(reports::trial_balance))
        .route("/api/reports/general-ledger/", get(reports::general_ledger))
        .route("/api/reports/balance-sheet/", get(reports::financial::balance_sheet))
        .route(
            "/api/reports/profit-and-loss/",
            get(reports::financial::profit_and_loss),
        )
        .route("/api/reports/cash-flow/", get(reports::financial::cash_flow))
        .route("/api/reports/equity-changes/", get(reports::financial::equity_changes))
        .route(
            "/api/reports/consolidated/trial-balance/",
            get(reports::consolidation::trial_balance),
        )
        .route(
            "/api/reports/consolidated/balance-sheet/",
            get(reports::consolidation::balance_sheet),
        )
        .route(
            "/api/reports/consolidated/profit-and-loss/",
            get(reports::consolidation::profit_and_loss),
        )
        .route(
            "/api/reports/aged-receivables/",
            get(reports::aged::<reports::Receivables>),
        )
        .route("/api/reports/aged-payables/", get(reports::aged::<reports::Payables>))
        .route("/api/reports/tax-return/", get(tax_returns::report))
        .route("/api/reports/tax-layouts/", get(tax_returns::layouts))
        .route("/api/search/", get(search::search))
}

/// The API, the API's documentation pages and the web UI, behind the middleware.
pub fn router(app: AppState) -> Router {
    let api = api_routes().into_router().merge(openapi::docs());
    let body_limit = app.config.body_limit_bytes;
    let cors = cors(&app.config.cors_origins);
    let request_id = HeaderName::from_static("x-request-id");
    let api = api
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(assets::fallback);
    metrics::track_requests(api, &app)
        .with_state(app)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::Internal("a request handler panicked".into()).into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::debug_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn method_not_allowed(method: Method) -> Response {
    ApiError::MethodNotAllowed(method.to_string()).into_response()
}

/// Only the configured origins; no credentials (the API uses bearer tokens, not cookies).
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-company-id"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

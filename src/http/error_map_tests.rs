//! What the client reads for each domain refusal: every error is turned into its `ApiError`,
//! rendered into the HTTP response the server would send, and its status and JSON body compared
//! with the API's contract (a field's 400, a `non_field_errors` 400, a 404, a 409, a 500 that
//! keeps the server's own words to itself).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use jiff::civil::date;
use serde_json::{Value, json};

use super::*;

/// One mapping to check: the API error the domain error became, and what the client should read.
struct Case {
    what: &'static str,
    error: ApiError,
    status: StatusCode,
    body: Value,
}

/// `e` is a 400 naming `field`, with the domain's own sentence as the message.
fn under<E: std::fmt::Display + Into<ApiError>>(what: &'static str, field: &str, e: E) -> Case {
    let body = json!({ field: [e.to_string()] });
    Case {
        what,
        error: e.into(),
        status: StatusCode::BAD_REQUEST,
        body,
    }
}

/// `e` is answered `status` with `{"detail": detail}`.
fn detail(what: &'static str, e: impl Into<ApiError>, status: StatusCode, detail: &str) -> Case {
    Case {
        what,
        error: e.into(),
        status,
        body: json!({ "detail": detail }),
    }
}

/// `e` is a 400 with exactly this body.
fn body(what: &'static str, e: impl Into<ApiError>, body: Value) -> Case {
    Case {
        what,
        error: e.into(),
        status: StatusCode::BAD_REQUEST,
        body,
    }
}

/// The response the server sends for `e`: its status and its JSON body.
fn render(e: ApiError) -> (StatusCode, Value) {
    let response = e.into_response();
    let status = response.status();
    let bytes = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn check(cases: Vec<Case>) {
    let mut wrong = Vec::new();
    for case in cases {
        let (status, body) = render(case.error);
        if status != case.status || body != case.body {
            wrong.push(format!(
                "{}: got {status} {body}, expected {} {}",
                case.what, case.status, case.body
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const SERVER_ERROR: &str = "A server error occurred.";
const UNAVAILABLE: &str = "The database is unavailable. Try again shortly.";
const NOT_FOUND: &str = "Not found.";

fn unavailable() -> StoreError {
    StoreError::Unavailable("connection refused".into())
}

/// A unique index refusing the second of two racing writes.
fn unique_violation() -> StoreError {
    StoreError::Conflict("UNIQUE constraint failed".into())
}

#[test]
fn a_unique_violation_is_answered_under_the_field_it_concerns() {
    check(vec![
        body(
            "bank account iban",
            BankingError::<StoreError>::Store(unique_violation()),
            json!({ "iban": ["A bank account with this IBAN already exists."] }),
        ),
        body(
            "account code",
            ChartError::<StoreError>::Store(unique_violation()),
            json!({ "code": ["An account with this code already exists."] }),
        ),
        body(
            "item code",
            ItemError::<StoreError>::Store(unique_violation()),
            json!({ "code": ["An item with this code already exists."] }),
        ),
        body(
            "tax rate name",
            TaxError::<StoreError>::Store(unique_violation()),
            json!({ "name": ["A tax rate with this name already exists."] }),
        ),
        body(
            "budget name",
            BudgetError::<StoreError>::Store(unique_violation()),
            json!({ "name": ["The company already has a budget of this name for this year."] }),
        ),
        body(
            "exchange rate date",
            ExchangeRateError::<StoreError>::Store(unique_violation()),
            json!({ "date": ["The company already has a rate for this currency and date."] }),
        ),
    ]);
}

#[test]
fn other_store_failures_of_records_with_a_unique_field_keep_their_own_answer() {
    check(vec![
        detail(
            "bank account, database down",
            BankingError::<StoreError>::Store(unavailable()),
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
        ),
        detail(
            "item gone meanwhile",
            ItemError::<StoreError>::Store(StoreError::NotFound),
            StatusCode::NOT_FOUND,
            NOT_FOUND,
        ),
        detail(
            "tax rate, database error",
            TaxError::<StoreError>::Store(StoreError::Database("syntax error".into())),
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        detail(
            "budget, corrupt row",
            BudgetError::<StoreError>::Store(StoreError::Corrupt("bad amount".into())),
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        detail(
            "exchange rate, overflow",
            ExchangeRateError::<StoreError>::Store(StoreError::Overflow("sum".into())),
            StatusCode::CONFLICT,
            "These amounts would take an account's total beyond what the ledger can hold.",
        ),
    ]);
}

#[test]
fn stock_refusals_name_the_move_and_field() {
    check(vec![
        body(
            "not enough stock",
            InventoryError::<StoreError>::NotEnoughStock {
                index: 2,
                item: uuid::Uuid::nil(),
                warehouse: uuid::Uuid::nil(),
                on_hand: 1_500,
                wanted: 2_000,
            },
            json!({ "moves[2].quantity": ["Not enough stock: 1.5 on hand, 2 wanted."] }),
        ),
        body(
            "not a stock item",
            InventoryError::<StoreError>::NotAStockItem { index: 0 },
            json!({ "moves[0].item": ["This item does not keep stock (its kind is not \"stock\")."] }),
        ),
        body(
            "one bad field of a move",
            InventoryError::<StoreError>::InvalidMove {
                index: 1,
                field: "lot",
                message: "No such lot.".into(),
            },
            json!({ "moves[1].lot": ["No such lot."] }),
        ),
        under(
            "stock overflow",
            "non_field_errors",
            InventoryError::<StoreError>::Overflow,
        ),
        under(
            "stock move's entry refused",
            "non_field_errors",
            InventoryError::<StoreError>::Ledger(LedgerError::NotPosted),
        ),
        detail(
            "stock, database down",
            InventoryError::<StoreError>::Store(unavailable()),
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
        ),
    ]);
}

#[test]
fn ledger_and_banking_refusals() {
    check(vec![
        detail(
            "a broken chain is the server's fault, not told to the client",
            LedgerError::<StoreError>::ChainBroken("entry 7 does not follow entry 6".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        under(
            "closed period",
            "date",
            LedgerError::<StoreError>::PeriodClosed {
                date: date(2025, 12, 31),
                closed_through: date(2025, 12, 31),
            },
        ),
        body(
            "a statement wrong as a whole",
            BankingError::<StoreError>::Statement {
                row: 0,
                field: "encoding",
                message: "not UTF-8".into(),
            },
            json!({ "file": ["encoding: not UTF-8"] }),
        ),
        body(
            "a statement wrong at a line",
            BankingError::<StoreError>::Statement {
                row: 4,
                field: "amount",
                message: "not a number".into(),
            },
            json!({ "file": ["line 4: amount: not a number"] }),
        ),
        under(
            "closing balance",
            "closing_balance",
            BankingError::<StoreError>::BalanceMismatch {
                closing: "10.00".into(),
                book: "9.00".into(),
                difference: "1.00".into(),
            },
        ),
        under(
            "an open session",
            "non_field_errors",
            BankingError::<StoreError>::OpenSession,
        ),
    ]);
}

#[test]
fn contacts_and_delivery_refusals() {
    check(vec![
        under(
            "contact balance overflow",
            "non_field_errors",
            ContactError::<StoreError>::Overflow,
        ),
        detail(
            "contact, database down",
            ContactError::<StoreError>::Store(unavailable()),
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
        ),
        detail(
            "delivery to a contact that is gone",
            DeliveryError::<StoreError>::Contact(ContactError::NotFound),
            StatusCode::NOT_FOUND,
            NOT_FOUND,
        ),
        detail(
            "delivery, database down",
            DeliveryError::<StoreError>::Store(unavailable()),
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
        ),
    ]);
}

#[test]
fn documents_sales_and_purchases_refusals() {
    let closed = || LedgerError::<StoreError>::PeriodClosed {
        date: date(2026, 1, 15),
        closed_through: date(2026, 1, 31),
    };
    let filed = || LedgerError::<StoreError>::TaxFiled {
        date: date(2026, 3, 1),
        filed_through: date(2026, 3, 31),
    };
    check(vec![
        detail(
            "document sums beyond 64 bits are a bug",
            DocumentError::<StoreError>::Overflow,
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        detail(
            "no such document",
            DocumentError::<StoreError>::NotFound,
            StatusCode::NOT_FOUND,
            NOT_FOUND,
        ),
        under(
            "a document's state",
            "non_field_errors",
            DocumentError::<StoreError>::State("This invoice is paid.".into()),
        ),
        under(
            "a document's entry in a closed period, outside issuing",
            "date",
            DocumentError::<StoreError>::Ledger(closed()),
        ),
        under(
            "issuing a sale into a closed period",
            "issue_date",
            SalesError::<StoreError>::Document(DocumentError::Ledger(closed())),
        ),
        detail(
            "a sale's document not found",
            SalesError::<StoreError>::Document(DocumentError::NotFound),
            StatusCode::NOT_FOUND,
            NOT_FOUND,
        ),
        detail(
            "no such quote",
            SalesError::<StoreError>::NotFound,
            StatusCode::NOT_FOUND,
            NOT_FOUND,
        ),
        detail(
            "an expired quote",
            SalesError::<StoreError>::Expired(date(2026, 2, 1)),
            StatusCode::CONFLICT,
            "This quote expired on 2026-02-01: it can no longer be converted. Make a new quote.",
        ),
        detail(
            "purchase sums beyond 64 bits are a bug",
            PurchaseError::<StoreError>::Overflow,
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        under(
            "issuing a purchase after the filed tax period",
            "issue_date",
            PurchaseError::<StoreError>::Document(DocumentError::Ledger(filed())),
        ),
        under(
            "a purchase's draft state",
            "non_field_errors",
            PurchaseError::<StoreError>::Document(DocumentError::NotDraft("issued")),
        ),
    ]);
}

#[test]
fn firm_and_tax_return_refusals() {
    check(vec![
        detail(
            "provisioning over a taken record",
            ProvisionError::Store(unique_violation()),
            StatusCode::CONFLICT,
            "This change conflicts with existing data.",
        ),
        detail(
            "password hashing failed",
            ProvisionError::Hash("argon2: out of memory".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
        detail(
            "tenant, database down",
            TenantError::<StoreError>::Store(unavailable()),
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
        ),
        detail(
            "a role that may not",
            TenantError::<StoreError>::Forbidden,
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.",
        ),
        under(
            "no settlement account",
            "non_field_errors",
            TaxReturnError::<StoreError>::NoSettlementAccount,
        ),
        under(
            "tax accounts that do not match the return",
            "non_field_errors",
            TaxReturnError::<StoreError>::Unreconciled {
                ledger: "120.00".into(),
                report: "100.00".into(),
            },
        ),
        under(
            "a return beyond the books' range",
            "non_field_errors",
            TaxReturnError::<StoreError>::Overflow(Overflow("tax amounts")),
        ),
        under(
            "the settlement entry needs approval",
            "non_field_errors",
            TaxReturnError::<StoreError>::Ledger(LedgerError::NeedsApproval),
        ),
        detail(
            "tax return, corrupt store",
            TaxReturnError::<StoreError>::Store(StoreError::Corrupt("bad date".into())),
            StatusCode::INTERNAL_SERVER_ERROR,
            SERVER_ERROR,
        ),
    ]);
}

#[test]
fn report_refusals_name_the_parameter_to_change() {
    check(vec![
        under("period backwards", "date_from", ColumnsError::Order),
        under("comparison outside the calendar", "date_from", ColumnsError::OutOfRange),
        under("too many columns", "compare", ColumnsError::TooMany),
        under("no companies", "companies", ConsolidationError::NoCompanies),
        under(
            "charts that disagree",
            "companies",
            ConsolidationError::ChartMismatch {
                code: "1000".into(),
                first: "asset",
                first_company: "Parent".into(),
                second: "expense",
                second_company: "Child".into(),
            },
        ),
        under(
            "no rate to translate",
            "parent",
            ConsolidationError::NoRate {
                parent: "Parent".into(),
                company: "Child".into(),
                currency: "USD".into(),
                date: date(2026, 12, 31),
            },
        ),
        under(
            "consolidation overflow",
            "non_field_errors",
            ConsolidationError::Overflow("total assets".into()),
        ),
    ]);
}

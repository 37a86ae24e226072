//! Snapshots of one representative JSON answer per area (insta; the files are in
//! `tests/api/snapshots/`): a small firm's books are made on a fresh server with fixed dates, and
//! each answer is compared with its snapshot, ids and times redacted, so that a change of shape
//! (a field renamed, dropped, added or formatted otherwise) shows in review. Runs on every
//! backend against the same files. Update with `INSTA_UPDATE=always cargo test --test api
//! snapshots` (or `cargo insta review`) and read the diff; under `CI=true` a changed or missing
//! snapshot fails and nothing is written.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{
    ACCOUNTS, AUDIT_LOG, BILLS, COMPANIES, CUSTOMERS, ENTRIES, Firm, GENERAL_LEDGER, INVOICES, ITEMS, PAYMENTS,
    PERIODS, Response, TAX_RATES, TRIAL_BALANCE, VENDORS, id,
};
use crate::helpers::TestApp;
use crate::on_every_backend;

const RECURRING: &str = "/api/invoicing/recurring-invoices/";

/// Fields that hold an id (a new UUID on every run), at any depth; `null` where none is set.
const ID_FIELDS: &[&str] = &[
    "id",
    "tenant",
    "company",
    "default_company",
    "created_by",
    "posted_by",
    "approved_by",
    "actor",
    "object_id",
    "account",
    "parent",
    "reverses",
    "reversed_by",
    "contact",
    "document",
    "credited_document",
    "entry",
    "journal_entry",
    "void_entry",
    "item",
    "tax_rate",
    "sales_tax_rate",
    "purchase_tax_rate",
    "bank_account",
    "sales_account",
    "purchase_account",
    "revenue_account",
    "expense_account",
    "income_account",
];

/// Fields that hold a list of ids.
const ID_LIST_FIELDS: &[&str] = &["companies"];

/// Fields that hold a time of the run (as opposed to a date the test sent), at any depth.
const TIME_FIELDS: &[&str] = &["created_at", "updated_at", "posted_at", "issued_at", "last_login"];

/// The settings every snapshot is taken with: ids and times replaced where they are strings
/// (a `null` stays `null`: whether a field is set is part of the shape).
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_sort_maps(true);
    let selectors = ID_FIELDS
        .iter()
        .map(|f| (format!(".**.{f}"), "[id]"))
        .chain(ID_LIST_FIELDS.iter().map(|f| (format!(".**.{f}[]"), "[id]")))
        .chain(TIME_FIELDS.iter().map(|f| (format!(".**.{f}"), "[time]")));
    for (selector, placeholder) in selectors {
        settings.add_dynamic_redaction(&selector, move |value, _| {
            if value.as_str().is_some() {
                placeholder.into()
            } else {
                value
            }
        });
    }
    settings
}

/// Compares an answer (status and body) with the snapshot `name`.
fn snapshot(name: &str, r: &Response) {
    let answer = json!({ "status": r.status.as_u16(), "body": r.body });
    settings().bind(|| insta::assert_json_snapshot!(name, answer));
}

/// Reads `path`, asserts 200 and compares the answer with the snapshot `name`.
async fn read(f: &Firm, name: &str, path: &str) {
    let r = f.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    snapshot(name, &r);
}

async fn one_answer_per_area(app: TestApp) {
    let f = Firm::register(&app, "snap@example.com", "Snapshot Books").await;

    // The signed-in user, their firm and its company.
    read(&f, "me", "/api/auth/me/").await;
    let me = f.get("/api/auth/me/").await.body;
    read(
        &f,
        "tenant",
        &format!("/api/tenants/{}/", me["tenant"].as_str().unwrap()),
    )
    .await;
    let companies = f.get(COMPANIES).await.body;
    read(&f, "company", &format!("{COMPANIES}{}/", id(&companies["results"][0]))).await;

    // The ledger: an account, a posted entry, the period settings.
    read(&f, "account", &format!("{ACCOUNTS}{}/", f.acct("1020"))).await;
    let entry = f
        .posted(f.entry(
            "2026-01-05",
            "OPEN-1",
            &[("1020", "5000.00", ""), ("3100", "", "5000.00")],
        ))
        .await;
    read(&f, "journal_entry", &format!("{ENTRIES}{}/", id(&entry))).await;
    read(&f, "periods", PERIODS).await;

    // Contacts, items and taxes.
    let customer = f
        .create(
            CUSTOMERS,
            json!({"name": "Acme Ltd", "emails": ["billing@acme.test"], "payment_terms_days": 14,
                   "billing_address": "1 High Street\nLondon", "country": "GB", "tax_id": "GB123456789"}),
        )
        .await;
    let customer = id(&customer).to_owned();
    read(&f, "customer", &format!("{CUSTOMERS}{customer}/")).await;
    let vendor = f
        .create(VENDORS, json!({"name": "Paper Co", "payment_terms_days": 30}))
        .await;
    let vendor = id(&vendor).to_owned();
    read(&f, "vendor", &format!("{VENDORS}{vendor}/")).await;
    let item = f
        .create(
            ITEMS,
            json!({"code": "CONSULT", "name": "Consulting", "kind": "service", "sale_price": "120.00",
                   "income_account": f.acct("4200")}),
        )
        .await;
    read(&f, "item", &format!("{ITEMS}{}/", id(&item))).await;
    let vat = f
        .create(
            TAX_RATES,
            json!({"name": "VAT 20%", "kind": "vat", "rate": "20", "is_inclusive": false,
                   "sales_account": f.acct("2200"), "purchase_account": f.acct("1400")}),
        )
        .await;
    let vat = id(&vat).to_owned();
    read(&f, "tax_rate", &format!("{TAX_RATES}{vat}/")).await;
    let rate = f
        .create(
            "/api/accounting/exchange-rates/",
            json!({"currency": "EUR", "date": "2026-01-05", "rate": "1.09210"}),
        )
        .await;
    read(
        &f,
        "exchange_rate",
        &format!("/api/accounting/exchange-rates/{}/", id(&rate)),
    )
    .await;

    // Documents: an invoice and a bill issued, a payment against the invoice, a schedule.
    let invoice = f
        .issued(
            INVOICES,
            json!({"contact": customer, "issue_date": "2026-03-01", "reference": "PO-77", "lines": [
                {"description": "Consulting", "quantity": "3", "unit_price": "120.00", "tax_rate": vat, "account": f.acct("4200")},
                {"description": "Travel", "quantity": "1", "unit_price": "45.50", "account": f.acct("4200")}]}),
        )
        .await;
    let invoice = id(&invoice).to_owned();
    read(&f, "invoice", &format!("{INVOICES}{invoice}/")).await;
    let bill = f
        .issued(
            BILLS,
            json!({"contact": vendor, "issue_date": "2026-03-02", "reference": "S-100", "lines": [
                {"description": "Paper", "quantity": "10", "unit_price": "8.00", "tax_rate": vat, "account": f.acct("6400")}]}),
        )
        .await;
    read(&f, "bill", &format!("{BILLS}{}/", id(&bill))).await;
    let payment = f
        .create(
            PAYMENTS,
            json!({"direction": "received", "contact": customer, "date": "2026-03-10", "amount": "200.00",
                   "reference": "BANK-1", "bank_account": f.acct("1020"),
                   "allocations": [{"document": invoice, "amount": "200.00"}]}),
        )
        .await;
    read(&f, "payment", &format!("{PAYMENTS}{}/", id(&payment))).await;
    let recurring = f
        .create(
            RECURRING,
            json!({"name": "Retainer", "contact": customer, "frequency": "monthly", "every": 1,
                   "start_date": "2026-04-01", "auto_issue": false,
                   "lines": [{"description": "Retainer", "quantity": "1", "unit_price": "50.00", "account": f.acct("4200")}]}),
        )
        .await;
    read(&f, "recurring_invoice", &format!("{RECURRING}{}/", id(&recurring))).await;

    // Reports.
    read(&f, "trial_balance", &format!("{TRIAL_BALANCE}?as_of=2026-03-31")).await;
    read(
        &f,
        "general_ledger",
        &format!(
            "{GENERAL_LEDGER}?account={}&date_from=2026-01-01&date_to=2026-03-31",
            f.acct("1020")
        ),
    )
    .await;
    read(
        &f,
        "aged_receivables",
        "/api/reports/aged-receivables/?as_of=2026-04-30",
    )
    .await;
    read(
        &f,
        "customer_statement",
        &format!("{CUSTOMERS}{customer}/statement/?date_from=2026-03-01&date_to=2026-03-31"),
    )
    .await;
    read(
        &f,
        "tax_return",
        "/api/reports/tax-return/?date_from=2026-01-01&date_to=2026-03-31&layout=uk-vat-9-box",
    )
    .await;
    read(
        &f,
        "audit_log",
        &format!("{AUDIT_LOG}?object_type=journal_entry&object_id={}", id(&entry)),
    )
    .await;

    // Errors: a refused body names its fields; an unknown id is a 404.
    let refused = f.post(TAX_RATES, json!({"rate": "abc"})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    snapshot("error_by_field", &refused);
    let missing = f.get(&format!("{INVOICES}00000000-0000-7000-8000-000000000000/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    snapshot("not_found", &missing);
}
on_every_backend!(one_answer_per_area_on_every_backend, one_answer_per_area);
